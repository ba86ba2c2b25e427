//! The potential update of a phase from the smaller side.
//!
//! After a phase's maximum flow no admissible path (reduced cost 0, residual capacity) leads
//! from a firm with excess to a firm with a deficit. Late in a run only a few firms hold either,
//! yet on the generated networks the firms the excesses reach over admissible halves are nearly
//! all firms, so Dial's search from the excesses settles the whole network each phase; the firms
//! that reach the deficits, though, are few (or, the next phase, the other way round).
//!
//! So both closures are grown at once — forward from the excesses, backward from the deficits,
//! over admissible halves, always extending the side that has read fewer halves — until one of
//! them is complete. Neither holds a firm of the other side (else an admissible path would be
//! left), so every cheapest path costs at least 1, and:
//!
//! - lowering the potentials of a complete forward closure by 1 keeps every reduced cost
//!   non-negative (a half leaving it with residual capacity has reduced cost at least 1, or its
//!   head would be in the closure) and makes the halves of reduced cost 1 leaving it admissible;
//! - raising those of a complete backward closure by 1 does the same from the other end.
//!
//! Either is the primal-dual update for a least path cost of 1 — the cost every phase has on
//! the instances measured — for the price of the smaller closure (at most twice it). Should the
//! two sides meet (an admissible path left), or the least cost exceed 1 (the maximum flow then
//! finds no path and the next phase steps again), the solver stays exact.

use super::flow::{Cap, Solver};

/// Search state: one mark per firm and side, and the two queues.
#[derive(Debug, Default)]
pub(super) struct Closure {
    /// `fwd_mark[v] == epoch`: `v` is reached from an excess in this search.
    fwd_mark: Vec<u32>,
    bwd_mark: Vec<u32>,
    epoch: u32,
    fwd_queue: Vec<u32>,
    bwd_queue: Vec<u32>,
}

impl<C: Cap> Solver<C> {
    /// Lowers the forward closure of the excesses by 1, or raises the backward closure of the
    /// deficits by 1, whichever is found first: `Some(true)` for the forward one,
    /// `Some(false)` for the backward one, `None` (nothing changed) when the two meet.
    pub(super) fn step_smaller_closure(&mut self) -> Option<bool> {
        let mut c = std::mem::take(&mut self.closure);
        let done = self.grow(&mut c);
        match done {
            Some(true) => {
                for &v in &c.fwd_queue {
                    self.potential[v as usize] -= 1;
                }
            }
            Some(false) => {
                for &v in &c.bwd_queue {
                    self.potential[v as usize] += 1;
                }
            }
            None => {}
        }
        self.closure = c;
        done
    }

    /// Grows both closures; `Some(forward)` when the forward (or backward) one is complete,
    /// `None` when they meet.
    fn grow(&self, c: &mut Closure) -> Option<bool> {
        let nodes = self.potential.len();
        if c.fwd_mark.len() != nodes || c.epoch == u32::MAX {
            c.fwd_mark = vec![0; nodes];
            c.bwd_mark = vec![0; nodes];
            c.epoch = 0;
        }
        c.epoch += 1;
        let epoch = c.epoch;
        c.fwd_queue.clear();
        c.bwd_queue.clear();
        for (v, &e) in self.excess.iter().enumerate() {
            if e > 0 {
                c.fwd_mark[v] = epoch;
                c.fwd_queue.push(v as u32);
            } else if e < 0 {
                c.bwd_mark[v] = epoch;
                c.bwd_queue.push(v as u32);
            }
        }
        let (mut fwd_next, mut bwd_next) = (0, 0);
        let (mut fwd_work, mut bwd_work) = (0usize, 0usize);
        loop {
            if fwd_next == c.fwd_queue.len() {
                return Some(true);
            }
            if bwd_next == c.bwd_queue.len() {
                return Some(false);
            }
            if fwd_work <= bwd_work {
                let x = c.fwd_queue[fwd_next];
                fwd_next += 1;
                let range = self.halves(x);
                fwd_work += range.len() + 1;
                if !self.extend_forward(c, x, range) {
                    return None;
                }
            } else {
                let y = c.bwd_queue[bwd_next];
                bwd_next += 1;
                let range = self.halves(y);
                bwd_work += range.len() + 1;
                if !self.extend_backward(c, y, range) {
                    return None;
                }
            }
        }
    }

    /// Marks the firms `x` reaches over admissible halves; `false` if one is on the backward side.
    #[inline]
    fn extend_forward(&self, c: &mut Closure, x: u32, range: std::ops::Range<usize>) -> bool {
        let px = self.potential[x as usize];
        let epoch = c.epoch;
        for h in &self.adj[range] {
            if h.res == C::ZERO || h.cost() + px != self.potential[h.to as usize] {
                continue;
            }
            let y = h.to as usize;
            if c.bwd_mark[y] == epoch {
                return false;
            }
            if c.fwd_mark[y] != epoch {
                c.fwd_mark[y] = epoch;
                c.fwd_queue.push(h.to);
            }
        }
        true
    }

    /// Marks the firms that reach `y` over admissible halves; `false` if one is on the forward
    /// side.
    #[inline]
    fn extend_backward(&self, c: &mut Closure, y: u32, range: std::ops::Range<usize>) -> bool {
        let py = self.potential[y as usize];
        let epoch = c.epoch;
        for h in &self.adj[range] {
            // The opposite half, h.to → y, has residual `cap − res` and the opposite cost.
            if h.cap == h.res || self.potential[h.to as usize] - h.cost() != py {
                continue;
            }
            let x = h.to as usize;
            if c.fwd_mark[x] == epoch {
                return false;
            }
            if c.bwd_mark[x] != epoch {
                c.bwd_mark[x] = epoch;
                c.bwd_queue.push(h.to);
            }
        }
        true
    }
}
