//! The potential update of a phase from the smaller side.
//!
//! After a phase's maximum flow no admissible path (reduced cost 0, residual capacity) leads
//! from a firm with excess to a firm with a deficit. Late in a run only a few firms hold either,
//! yet on the generated networks the firms the excesses reach over admissible halves are nearly
//! all firms, so Dial's search from the excesses settles the whole network each phase; the firms
//! that reach the deficits, though, are few (or, the next phase, the other way round).
//!
//! So both closures are grown at once — forward from the excesses, backward from the deficits,
//! over admissible halves, on a core each — and the one that reads fewer halves in all (its
//! *work*, the forward one on a tie) is stepped; the other stops as soon as it has read more
//! than a complete one. Neither holds a firm of the other side (else an admissible path would
//! be left, and the two meet), so every cheapest path costs at least 1, and:
//!
//! - lowering the potentials of a complete forward closure by 1 keeps every reduced cost
//!   non-negative (a half leaving it with residual capacity has reduced cost at least 1, or its
//!   head would be in the closure) and makes the halves of reduced cost 1 leaving it admissible;
//! - raising those of a complete backward closure by 1 does the same from the other end.
//!
//! Either is the primal-dual update for a least path cost of 1 — the cost every phase has on
//! the instances measured — for the price of the smaller closure (at most twice it, on one
//! core). Should the two sides meet (an admissible path left), or the least cost exceed 1 (the
//! maximum flow then finds no path and the next phase steps again), the solver stays exact.
//!
//! The choice depends only on the two closures, never on timing: on one core the sides take
//! turns in slices of work, and the result is the same.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};

use super::flow::{Cap, Solver};

/// Halves a side reads before it looks at the other side again.
const SLICE: usize = 1 << 12;

/// Search state kept between phases: one mark per firm, the two queues.
#[derive(Debug, Default)]
pub(super) struct Closure {
    /// `mark[v] == 2 · epoch + side`: `v` is reached by `side` (0 forward, 1 backward) in this
    /// search.
    mark: Vec<AtomicU32>,
    epoch: u32,
    queues: [Vec<u32>; 2],
}

/// What both sides see of each other.
struct Shared {
    /// The work of each side once its closure is complete, else `u64::MAX`.
    complete: [AtomicU64; 2],
    met: AtomicBool,
}

/// One side's growth: `FORWARD` or `BACKWARD`.
struct Side<'a> {
    side: usize,
    queue: &'a mut Vec<u32>,
    next: usize,
    work: u64,
}

const FORWARD: usize = 0;
const BACKWARD: usize = 1;

/// How a slice of growth ended.
enum Grown {
    Met,
    Complete,
    Running,
}

impl<C: Cap> Solver<C> {
    /// Lowers the forward closure of the excesses by 1, or raises the backward closure of the
    /// deficits by 1, whichever costs less work: `Some(true)` for the forward one,
    /// `Some(false)` for the backward one, `None` (nothing changed) when the two meet.
    pub(super) fn step_smaller_closure(&mut self) -> Option<bool> {
        let mut c = std::mem::take(&mut self.closure);
        let chosen = self.choose(&mut c);
        match chosen {
            Some(true) => {
                for &v in &c.queues[FORWARD] {
                    self.potential[v as usize] -= 1;
                }
            }
            Some(false) => {
                for &v in &c.queues[BACKWARD] {
                    self.potential[v as usize] += 1;
                }
            }
            None => {}
        }
        self.closure = c;
        chosen
    }

    /// Grows both closures (on two cores when there are), and chooses.
    fn choose(&self, c: &mut Closure) -> Option<bool> {
        let nodes = self.potential.len();
        if c.mark.len() != nodes || c.epoch >= u32::MAX / 2 - 1 {
            c.mark = (0..nodes).map(|_| AtomicU32::new(0)).collect();
            c.epoch = 0;
        }
        c.epoch += 1;
        let shared = Shared {
            complete: [AtomicU64::new(u64::MAX), AtomicU64::new(u64::MAX)],
            met: AtomicBool::new(false),
        };
        let (forward, backward) = c.queues.split_at_mut(1);
        let mut sides = [
            Side {
                side: FORWARD,
                queue: &mut forward[0],
                next: 0,
                work: 0,
            },
            Side {
                side: BACKWARD,
                queue: &mut backward[0],
                next: 0,
                work: 0,
            },
        ];
        let (mark, epoch) = (&c.mark, c.epoch);
        if self.parallel() {
            let [f, b] = &mut sides;
            std::thread::scope(|scope| {
                scope.spawn(|| self.run_side(f, mark, epoch, &shared));
                self.run_side(b, mark, epoch, &shared);
            });
        } else {
            for side in &mut sides {
                self.seed(side, mark, epoch, &shared);
            }
            // Turns by work, so that neither side reads much more than the other.
            loop {
                if shared.met.load(Relaxed) || Self::decided(&sides, &shared) {
                    break;
                }
                let k = if sides[FORWARD].work <= sides[BACKWARD].work {
                    0
                } else {
                    1
                };
                let k = if Self::stopped(&sides[k], &shared) {
                    1 - k
                } else {
                    k
                };
                self.slice(&mut sides[k], mark, epoch, &shared);
            }
        }
        if shared.met.load(Relaxed) {
            return None;
        }
        let [f, b] = [0, 1].map(|k| shared.complete[k].load(Relaxed));
        if f == u64::MAX && b == u64::MAX {
            return None;
        }
        Some(f <= b)
    }

    /// One side on its own core: seeds, then slices until it is complete, has met the other,
    /// or can no longer be the cheaper.
    fn run_side(&self, side: &mut Side<'_>, mark: &[AtomicU32], epoch: u32, shared: &Shared) {
        self.seed(side, mark, epoch, shared);
        while !shared.met.load(Relaxed) && !Self::stopped(side, shared) {
            self.slice(side, mark, epoch, shared);
        }
    }

    /// Whether a side is done: complete, or already costlier than the other's complete closure
    /// (the forward side wins ties).
    fn stopped(side: &Side<'_>, shared: &Shared) -> bool {
        if shared.complete[side.side].load(Relaxed) != u64::MAX {
            return true;
        }
        let other = shared.complete[1 - side.side].load(Relaxed);
        match side.side {
            FORWARD => side.work > other,
            _ => other != u64::MAX && side.work >= other,
        }
    }

    fn decided(sides: &[Side<'_>; 2], shared: &Shared) -> bool {
        sides.iter().all(|s| Self::stopped(s, shared))
    }

    /// Marks the side's seeds: the firms with excess (forward) or with a deficit (backward).
    fn seed(&self, side: &mut Side<'_>, mark: &[AtomicU32], epoch: u32, shared: &Shared) {
        side.queue.clear();
        let mine = 2 * epoch + side.side as u32;
        let other = 2 * epoch + (1 - side.side) as u32;
        for (v, &e) in self.excess.iter().enumerate() {
            if (side.side == FORWARD && e > 0) || (side.side == BACKWARD && e < 0) {
                if mark[v].swap(mine, Relaxed) == other {
                    shared.met.store(true, Relaxed);
                }
                side.queue.push(v as u32);
            }
        }
    }

    /// Grows a side by about [`SLICE`] halves.
    fn slice(&self, side: &mut Side<'_>, mark: &[AtomicU32], epoch: u32, shared: &Shared) {
        let until = side.work + SLICE as u64;
        while side.work < until {
            let grown = if side.next == side.queue.len() {
                Grown::Complete
            } else {
                let x = side.queue[side.next];
                side.next += 1;
                let range = self.halves(x);
                side.work += range.len() as u64 + 1;
                if side.side == FORWARD {
                    self.extend_forward(side, x, range, mark, epoch)
                } else {
                    self.extend_backward(side, x, range, mark, epoch)
                }
            };
            match grown {
                Grown::Met => {
                    shared.met.store(true, Relaxed);
                    return;
                }
                Grown::Complete => {
                    shared.complete[side.side].store(side.work, Relaxed);
                    return;
                }
                Grown::Running => {}
            }
        }
    }

    /// Claims `v` for `mine`: `Met` if the other side holds it.
    #[inline]
    fn claim(mark: &AtomicU32, mine: u32, other: u32, queue: &mut Vec<u32>, v: u32) -> Grown {
        let seen = mark.load(Relaxed);
        if seen == mine {
            return Grown::Running;
        }
        if seen == other {
            return Grown::Met;
        }
        match mark.swap(mine, Relaxed) {
            m if m == other => Grown::Met,
            m if m == mine => Grown::Running,
            _ => {
                queue.push(v);
                Grown::Running
            }
        }
    }

    /// Claims the firms `x` reaches over admissible halves.
    #[inline]
    fn extend_forward(
        &self,
        side: &mut Side<'_>,
        x: u32,
        range: std::ops::Range<usize>,
        mark: &[AtomicU32],
        epoch: u32,
    ) -> Grown {
        let px = self.potential[x as usize];
        let (mine, other) = (2 * epoch, 2 * epoch + 1);
        for h in &self.adj[range] {
            if h.res == C::ZERO || h.cost() + px != self.potential[h.to as usize] {
                continue;
            }
            if let Grown::Met = Self::claim(&mark[h.to as usize], mine, other, side.queue, h.to) {
                return Grown::Met;
            }
        }
        Grown::Running
    }

    /// Claims the firms that reach `y` over admissible halves.
    #[inline]
    fn extend_backward(
        &self,
        side: &mut Side<'_>,
        y: u32,
        range: std::ops::Range<usize>,
        mark: &[AtomicU32],
        epoch: u32,
    ) -> Grown {
        let py = self.potential[y as usize];
        let (mine, other) = (2 * epoch + 1, 2 * epoch);
        for h in &self.adj[range] {
            // The opposite half, h.to → y, has residual `cap − res` and the opposite cost.
            if h.cap == h.res || self.potential[h.to as usize] - h.cost() != py {
                continue;
            }
            if let Grown::Met = Self::claim(&mark[h.to as usize], mine, other, side.queue, h.to) {
                return Grown::Met;
            }
        }
        Grown::Running
    }
}
