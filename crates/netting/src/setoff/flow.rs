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
//! 1. finds, with Dial's bucket queue (reduced costs are small integers), the distance `D` from
//!    the firms with excess to the nearest firm with a deficit, and raises the potentials so that
//!    all shortest paths have reduced cost 0 (the *admissible* halves);
//! 2. pushes a maximum flow through the admissible halves (see [`super::phase`]).
//!
//! The path cost `D` grows every phase; unit costs keep the number of phases small (a dozen on
//! the 1M-invoice instance). When no excess is left, the flow is optimal and the potentials
//! prove it.
//!
//! Layout: one adjacency array of half-arcs (24 bytes: head, partner index with a direction bit,
//! residual capacity, capacity), so that scanning a firm's arcs reads memory in order.

use super::SolveError;
use super::phase::Admissible;

/// A residual half-arc in the adjacency of its tail.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Half {
    pub to: u32,
    /// Index of the opposite half in `adj`, with [`BACKWARD`] set on backward halves.
    partner: u32,
    /// Residual capacity: `b − r` forward (raise the remaining debt, cost +1), `r` backward
    /// (lower it, cost −1).
    pub res: u64,
    /// The arc's capacity `b`: the partner's residual is `cap − res`, known without reading
    /// the partner (a random memory access).
    pub cap: u64,
}

/// Marks a backward half in [`Half::partner`].
const BACKWARD: u32 = 1 << 31;
const UNSEEN: u32 = u32::MAX;
const NIL: u32 = u32::MAX;
/// Most half-arcs: indices leave the top bit for [`BACKWARD`].
pub(crate) const HALVES_MAX: usize = (BACKWARD - 1) as usize;

impl Half {
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
pub(crate) struct Solver {
    adj_start: Vec<u32>,
    adj: Vec<Half>,
    /// Position in `adj` of every arc's forward half.
    forward_at: Vec<u32>,
    excess: Vec<i128>,
    potential: Vec<i64>,
    admissible: Admissible,
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

impl Solver {
    /// `nodes` firms; arcs `tail[a] → head[a]` with capacity `cap[a]`, all inside components.
    /// The caller keeps `2 · arcs` within [`HALVES_MAX`].
    pub fn new(nodes: usize, tail: &[u32], head: &[u32], cap: &[u64]) -> Solver {
        let mut adj_start = vec![0u32; nodes + 1];
        for (&t, &h) in tail.iter().zip(head) {
            adj_start[t as usize + 1] += 1;
            adj_start[h as usize + 1] += 1;
        }
        for v in 0..nodes {
            adj_start[v + 1] += adj_start[v];
        }
        let mut fill = adj_start.clone();
        let empty = Half {
            to: 0,
            partner: 0,
            res: 0,
            cap: 0,
        };
        let mut adj = vec![empty; 2 * cap.len()];
        let mut forward_at = vec![0u32; cap.len()];
        let mut excess = vec![0i128; nodes];
        for (a, ((&t, &h), &b)) in tail.iter().zip(head).zip(cap).enumerate() {
            let (ft, fh) = (fill[t as usize], fill[h as usize]);
            adj[ft as usize] = Half {
                to: h,
                partner: fh,
                res: b,
                cap: b,
            };
            adj[fh as usize] = Half {
                to: t,
                partner: ft | BACKWARD,
                res: 0,
                cap: b,
            };
            forward_at[a] = ft;
            fill[t as usize] += 1;
            fill[h as usize] += 1;
            // With nothing remaining, the debtor still has its whole debt to place.
            excess[t as usize] += i128::from(b);
            excess[h as usize] -= i128::from(b);
        }
        Solver {
            adj_start,
            adj,
            forward_at,
            excess,
            potential: vec![0; nodes],
            admissible: Admissible::new(nodes, 2 * cap.len()),
            sources: Vec::new(),
            dist: vec![UNSEEN; nodes],
            touched: Vec::new(),
            settled: Vec::new(),
            bucket_head: Vec::new(),
            bucket_entries: Vec::new(),
            phases: 0,
        }
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
            let distance = self.shortest_distance()?;
            self.phases += 1;
            self.max_flow();
            report(PhaseReport {
                phase: self.phases,
                distance,
                excess_left: self.excess_left(),
            });
        }
    }

    /// Pushes a maximum flow over the halves of reduced cost 0.
    fn max_flow(&mut self) {
        let potential = &self.potential;
        self.admissible.build(&self.adj_start, &self.adj, |x, h| {
            h.cost() + potential[x as usize] - potential[h.to as usize] == 0
        });
        self.admissible.max_flow(&mut self.excess);
        self.admissible.write_back(&mut self.adj);
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
            .map(|&f| self.adj[self.adj[f as usize].partner()].res)
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
    fn reduced_cost(&self, from: u32, h: Half) -> i64 {
        h.cost() + self.potential[from as usize] - self.potential[h.to as usize]
    }

    #[inline]
    fn halves(&self, x: u32) -> std::ops::Range<usize> {
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
            if h.res == 0 {
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
