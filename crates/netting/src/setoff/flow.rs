//! The min-cost-flow solver: primal-dual with unit costs.
//!
//! The problem (Fleischman et al.): each arc `a` (debtor → creditor, capacity `b_a`) keeps a
//! remaining debt `r_a` in `0 ..= b_a`; every firm keeps its net position; minimise `Σ r_a`.
//! Starting from `r = 0` (everything cleared), each firm has an *excess*, its net position, to
//! place on arcs: raising `r_a` costs 1 per unit, lowering it again gives 1 back.
//!
//! Primal-dual keeps node potentials `p` such that every residual half-arc has a non-negative
//! reduced cost `cost + p(from) − p(to)`, so the flow placed so far is always of least cost.
//! Each *phase*:
//!
//! 1. raises the potentials so that the cheapest paths from excess to deficit get reduced cost
//!    0 (the *admissible* halves): by 1 on the smaller of the two closures (see
//!    [`super::closure`]), which is the whole update when the least path cost is 1, as on every
//!    instance measured; should an admissible path be left, Dial's bucket queue finds the
//!    distance `D` from the excesses to the nearest deficit instead;
//! 2. pushes a maximum flow through the admissible halves (see [`super::phase`]), from the
//!    deficits towards the excesses when the closure stepped was the excesses' one. Measured on
//!    the 1M- and 10M-invoice instances, that direction halves the pushes of the phases in which
//!    excess would otherwise flood a plateau it cannot leave (0.89 s to 0.82 s, 21.4 s to 18.3 s
//!    with the closure step; the other rule, by the number of firms on each side, 0.92 s).
//!
//! The path cost `D` grows every phase; unit costs keep the number of phases small (a dozen on
//! the 1M-invoice instance). When no excess is left, the flow is optimal and the potentials
//! prove it.
//!
//! Layout: one adjacency array of half-arcs (head, partner index with a direction bit, residual
//! capacity, capacity: 16 bytes with `u32` capacities, which every arc of a run uses when all fit,
//! else 24 with `u64`), so that scanning a firm's arcs reads memory in order. Firms are numbered
//! by decreasing degree (see `Inner` in the parent module) and each firm's halves are sorted by
//! the firm they lead to, so that the per-firm arrays (potentials, distances, labels, excesses)
//! are read mostly in order and the busiest firms' entries stay in the cache: on the
//! 10M-invoice instance this alone took the solve from 44 s to 31 s.
//!
//! Tried and dropped (measured on the 1M- and 10M-invoice instances): keeping every firm's
//! admissible halves first in the full adjacency and moving only the halves whose status changes
//! after a price update of the smaller of the two sides (the firms that the excesses reach, or
//! the firms that reach a deficit) instead of a Dial scan and a copy per phase — the moves cost
//! random accesses to partners, and pushes into the full array instead of a compact copy miss
//! the cache far more (10M: 48 s against 31 s); a starting potential from a depth-first
//! postorder (few arcs start cleared on a weakly cyclic network) — more phases, no gain;
//! late phases as augmenting paths found by searching from both ends (1M: 5,200 paths cost
//! 385 million half reads, 3.5 s: mid-phase both closures are the whole plateau); parking a
//! firm whose relabel goes above the last global relabel's highest label until the next one
//! (more global relabels, 0.89 s against 0.82 s).

use super::SolveError;
use super::closure::Closure;
use super::phase::Admissible;

/// An arc capacity: `u32` when every arc of the run fits (halves are then 16 bytes instead of
/// 24, and the solver moves a third less memory), `u64` otherwise.
pub(crate) trait Cap:
    Copy
    + Eq
    + Ord
    + std::fmt::Debug
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::Sub<Output = Self>
    + Send
    + Sync
    + Into<u64>
    + Into<i128>
    + TryFrom<u64>
{
    const ZERO: Self;
    /// `v` clamped into `0 ..= Self::MAX`.
    fn saturating_from(v: i128) -> Self;
}

impl Cap for u32 {
    const ZERO: u32 = 0;
    fn saturating_from(v: i128) -> u32 {
        u32::try_from(v.max(0)).unwrap_or(u32::MAX)
    }
}

impl Cap for u64 {
    const ZERO: u64 = 0;
    fn saturating_from(v: i128) -> u64 {
        u64::try_from(v.max(0)).unwrap_or(u64::MAX)
    }
}

/// A residual half-arc in the adjacency of its tail.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Half<C> {
    pub to: u32,
    /// Index of the opposite half in `adj`, with [`BACKWARD`] set on backward halves.
    partner: u32,
    /// Residual capacity: `b − r` forward (raise the remaining debt, cost +1), `r` backward
    /// (lower it, cost −1).
    pub res: C,
    /// The arc's capacity `b`: the partner's residual is `cap − res`, known without reading
    /// the partner (a random memory access).
    pub cap: C,
}

/// Marks a backward half in [`Half::partner`].
const BACKWARD: u32 = 1 << 31;
const UNSEEN: u32 = u32::MAX;
const NIL: u32 = u32::MAX;
/// Most half-arcs: indices leave the top bit for [`BACKWARD`].
pub(crate) const HALVES_MAX: usize = (BACKWARD - 1) as usize;

impl<C: Cap> Half<C> {
    #[inline]
    pub fn cost(self) -> i64 {
        if self.partner & BACKWARD == 0 { 1 } else { -1 }
    }

    #[inline]
    pub fn partner(self) -> usize {
        (self.partner & !BACKWARD) as usize
    }
}

/// The residual network of the arcs inside strongly connected components.
#[derive(Debug)]
pub(crate) struct Solver<C> {
    adj_start: Vec<u32>,
    pub(super) adj: Vec<Half<C>>,
    /// Position in `adj` of every arc's forward half.
    forward_at: Vec<u32>,
    pub(super) excess: Vec<i128>,
    pub(super) potential: Vec<i64>,
    admissible: Admissible<C>,
    pub(super) closure: Closure,
    /// Firms with positive excess, refreshed every phase.
    sources: Vec<u32>,
    dist: Vec<u32>,
    touched: Vec<u32>,
    settled: Vec<u32>,
    bucket_head: Vec<u32>,
    bucket_entries: Vec<(u32, u32)>,
    pub phases: u32,
}

/// What a phase reports to the observer.
pub(crate) struct PhaseReport {
    pub phase: u32,
    pub distance: u32,
    pub excess_left: u128,
}

impl<C: Cap> Solver<C> {
    /// `nodes` firms; arcs `tail[a] → head[a]` with capacity `cap[a]`, all inside components.
    /// The caller keeps `2 · arcs` within [`HALVES_MAX`], and every capacity within `C`.
    pub fn new(
        nodes: usize,
        tail: &[u32],
        head: &[u32],
        cap: &[u64],
    ) -> Result<Solver<C>, SolveError> {
        let mut adj_start = vec![0u32; nodes + 1];
        for (&t, &h) in tail.iter().zip(head) {
            adj_start[t as usize + 1] += 1;
            adj_start[h as usize + 1] += 1;
        }
        for v in 0..nodes {
            adj_start[v + 1] += adj_start[v];
        }
        // Every firm's halves are placed in increasing order of the firm they lead to (scans
        // then read the per-firm arrays in order): arcs by head for the forward halves, by tail
        // for the backward ones, merged by that firm.
        let by_head = arcs_by(nodes, head);
        let by_tail = arcs_by(nodes, tail);
        let mut fill = adj_start.clone();
        let empty = Half {
            to: 0,
            partner: 0,
            res: C::ZERO,
            cap: C::ZERO,
        };
        let mut adj = vec![empty; 2 * cap.len()];
        let mut forward_at = vec![0u32; cap.len()];
        let mut backward_at = vec![0u32; cap.len()];
        let mut excess = vec![0i128; nodes];
        for v in 0..nodes {
            // Forward halves t → v of the arcs with head v.
            for &a in &by_head.1[by_head.0[v] as usize..by_head.0[v + 1] as usize] {
                let t = tail[a as usize] as usize;
                forward_at[a as usize] = fill[t];
                fill[t] += 1;
            }
            // Backward halves h → v of the arcs with tail v.
            for &a in &by_tail.1[by_tail.0[v] as usize..by_tail.0[v + 1] as usize] {
                let h = head[a as usize] as usize;
                backward_at[a as usize] = fill[h];
                fill[h] += 1;
            }
        }
        drop((by_head, by_tail));
        for (a, ((&t, &h), &wide)) in tail.iter().zip(head).zip(cap).enumerate() {
            let (ft, fh) = (forward_at[a], backward_at[a]);
            let b = C::try_from(wide)
                .map_err(|_| SolveError::Internal("a capacity does not fit the solver's width"))?;
            adj[ft as usize] = Half {
                to: h,
                partner: fh,
                res: b,
                cap: b,
            };
            adj[fh as usize] = Half {
                to: t,
                partner: ft | BACKWARD,
                res: C::ZERO,
                cap: b,
            };
            // With nothing remaining, the debtor still has its whole debt to place.
            excess[t as usize] += i128::from(wide);
            excess[h as usize] -= i128::from(wide);
        }
        drop(backward_at);
        Ok(Solver {
            adj_start,
            adj,
            forward_at,
            excess,
            potential: vec![0; nodes],
            admissible: Admissible::new(nodes, 2 * cap.len()),
            closure: Closure::default(),
            sources: Vec::new(),
            dist: vec![UNSEEN; nodes],
            touched: Vec::new(),
            settled: Vec::new(),
            bucket_head: Vec::new(),
            bucket_entries: Vec::new(),
            phases: 0,
        })
    }

    /// Runs phases until no excess is left. `report` is called after every phase.
    pub fn run(&mut self, report: &mut dyn FnMut(PhaseReport)) -> Result<(), SolveError> {
        // The least path cost grows by at least one per phase and lies between −n and n.
        let phases_max = 2 * self.potential.len() as u64 + 2;
        loop {
            self.refresh_sources();
            if self.sources.is_empty() {
                return Ok(());
            }
            if u64::from(self.phases) >= phases_max {
                return Err(SolveError::Internal("phase limit exceeded"));
            }
            let (distance, reverse) = match self.step_smaller_closure() {
                Some(forward) => (1, forward),
                None => (self.shortest_distance()?, false),
            };
            self.phases += 1;
            self.max_flow(reverse);
            report(PhaseReport {
                phase: self.phases,
                distance,
                excess_left: self.excess_left(),
            });
        }
    }

    /// Pushes a maximum flow over the halves of reduced cost 0.
    fn max_flow(&mut self, reverse: bool) {
        let potential = &self.potential;
        self.admissible
            .build(&self.adj_start, &self.adj, reverse, |x, h| {
                h.cost() + potential[x as usize] - potential[h.to as usize] == 0
            });
        // In reverse the deficits are pushed: the same code runs on negated excesses.
        let negate = |excess: &mut [i128]| excess.iter_mut().for_each(|e| *e = -*e);
        if reverse {
            negate(&mut self.excess);
        }
        self.admissible.max_flow(&mut self.excess);
        if reverse {
            negate(&mut self.excess);
        }
        self.admissible.write_back(&mut self.adj, reverse);
    }

    /// Pushes so far.
    pub fn pushes(&self) -> u64 {
        self.admissible.pushes
    }

    /// Global relabels so far.
    pub fn global_relabels(&self) -> u64 {
        self.admissible.global_relabels
    }

    /// The remaining debt of every arc, and the potentials.
    pub fn into_parts(self) -> (Vec<u64>, Vec<i64>) {
        let remaining = self
            .forward_at
            .iter()
            .map(|&f| self.adj[self.adj[f as usize].partner()].res.into())
            .collect();
        (remaining, self.potential)
    }

    fn refresh_sources(&mut self) {
        self.sources.clear();
        for (v, &e) in self.excess.iter().enumerate() {
            if e > 0 {
                self.sources.push(v as u32);
            }
        }
    }

    fn excess_left(&self) -> u128 {
        self.excess
            .iter()
            .filter(|&&e| e > 0)
            .map(|&e| e.unsigned_abs())
            .sum()
    }

    /// The reduced cost of `h` leaving `from`; non-negative on every residual half.
    #[inline]
    fn reduced_cost(&self, from: u32, h: Half<C>) -> i64 {
        h.cost() + self.potential[from as usize] - self.potential[h.to as usize]
    }

    #[inline]
    pub(super) fn halves(&self, x: u32) -> std::ops::Range<usize> {
        self.adj_start[x as usize] as usize..self.adj_start[x as usize + 1] as usize
    }

    /// Dial's algorithm from every source; returns the distance `D` to the nearest deficit and
    /// raises the potentials by `min(dist, D)` (done as lowering the settled firms by
    /// `D − dist`, which changes no reduced cost and touches only what was seen).
    fn shortest_distance(&mut self) -> Result<u32, SolveError> {
        self.bucket_head.clear();
        self.bucket_entries.clear();
        self.settled.clear();
        self.touched.clear();
        for i in 0..self.sources.len() {
            let s = self.sources[i];
            self.dist[s as usize] = 0;
            self.touched.push(s);
            self.push_bucket(0, s);
        }
        let found = self.dial_scan()?;
        for &v in &self.settled {
            let d = self.dist[v as usize];
            self.potential[v as usize] -= i64::from(found - d);
        }
        for &v in &self.touched {
            self.dist[v as usize] = UNSEEN;
        }
        Ok(found)
    }

    fn push_bucket(&mut self, d: u32, v: u32) {
        let d = d as usize;
        if self.bucket_head.len() <= d {
            self.bucket_head.resize(d + 1, NIL);
        }
        let entry = self.bucket_entries.len() as u32;
        self.bucket_entries.push((v, self.bucket_head[d]));
        self.bucket_head[d] = entry;
    }

    /// Scans buckets in increasing distance until a firm with a deficit comes up.
    fn dial_scan(&mut self) -> Result<u32, SolveError> {
        // Distance of the nearest deficit seen so far: nothing further needs a label.
        let mut best = UNSEEN;
        let mut d = 0usize;
        while d < self.bucket_head.len() {
            while self.bucket_head[d] != NIL {
                let (x, next) = self.bucket_entries[self.bucket_head[d] as usize];
                self.bucket_head[d] = next;
                if self.dist[x as usize] != d as u32 {
                    continue; // a stale entry: x was reached closer later
                }
                if self.excess[x as usize] < 0 {
                    return Ok(d as u32);
                }
                self.settled.push(x);
                self.relax(x, d as u32, &mut best)?;
            }
            d += 1;
        }
        Err(SolveError::Internal(
            "a firm with excess cannot reach any deficit",
        ))
    }

    fn relax(&mut self, x: u32, d: u32, best: &mut u32) -> Result<(), SolveError> {
        for i in self.halves(x) {
            let h = self.adj[i];
            if h.res == C::ZERO {
                continue;
            }
            let rc = u32::try_from(self.reduced_cost(x, h))
                .map_err(|_| SolveError::Internal("negative reduced cost"))?;
            let nd = d.saturating_add(rc);
            let y = h.to as usize;
            if nd >= *best || nd >= self.dist[y] {
                continue;
            }
            if self.dist[y] == UNSEEN {
                self.touched.push(h.to);
            }
            self.dist[y] = nd;
            if self.excess[y] < 0 {
                *best = nd;
            }
            self.push_bucket(nd, h.to);
        }
        Ok(())
    }
}

/// The arcs grouped by `end[a]` (a counting sort): `(start, arcs)`, the arcs ending at `v` being
/// `arcs[start[v] .. start[v + 1]]`.
fn arcs_by(nodes: usize, end: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; nodes + 1];
    for &v in end {
        start[v as usize + 1] += 1;
    }
    for v in 0..nodes {
        start[v + 1] += start[v];
    }
    let mut next = start.clone();
    let mut arcs = vec![0u32; end.len()];
    for (a, &v) in end.iter().enumerate() {
        arcs[next[v as usize] as usize] = a as u32;
        next[v as usize] += 1;
    }
    (start, arcs)
}
