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
//! 10M-invoice instance this alone took the solve from 44 s to 31 s. The adjacency is built on
//! every core, each placing the halves of its own block of firms (see [`Solver::new`]), into
//! arrays zeroed on another core while the components were found (see [`Scratch`]): at 10M,
//! building it went from 1.4 s to 0.7 s.
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
//! (more global relabels, 0.89 s against 0.82 s); a global allocator for the command line
//! (mimalloc, or jemalloc keeping freed pages: 10M no faster, and jemalloc touched more memory);
//! an adjacency allocated as untouched zero pages (`bytemuck::zeroed_vec`), faulted in by the
//! placing cores instead of zeroed ahead — no measurable gain; scanning smaller relabel levels
//! on a thread pool — no gain; stopping a global relabel once every active firm has a label — the
//! last active firm lies at the deepest levels (measured on 1M), so it saves nothing.

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

use super::SolveError;
use super::closure::Closure;
use super::par::{self, Blocks};
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

/// The solver's largest arrays, zeroed ahead of time (see the parent module): the adjacency and
/// where each arc's two halves are placed.
#[derive(Debug)]
pub(crate) struct Scratch<C> {
    adj: Vec<Half<C>>,
    forward_at: Vec<AtomicU32>,
    backward_at: Vec<AtomicU32>,
}

impl<C: Cap> Scratch<C> {
    /// Zeroed arrays for `arcs` arcs.
    pub fn zeroed(arcs: usize) -> Scratch<C> {
        let empty = Half {
            to: 0,
            partner: 0,
            res: C::ZERO,
            cap: C::ZERO,
        };
        Scratch {
            adj: vec![empty; 2 * arcs],
            forward_at: (0..arcs).map(|_| AtomicU32::new(0)).collect(),
            backward_at: (0..arcs).map(|_| AtomicU32::new(0)).collect(),
        }
    }

    /// Cut to `arcs` arcs (giving back what was zeroed beyond, when the components hold fewer
    /// arcs than the network).
    fn fit(mut self, arcs: usize) -> Scratch<C> {
        if self.forward_at.len() < arcs {
            return Scratch::zeroed(arcs);
        }
        self.adj.truncate(2 * arcs);
        self.forward_at.truncate(arcs);
        self.backward_at.truncate(arcs);
        if self.forward_at.capacity() > arcs + arcs / 8 {
            self.adj.shrink_to_fit();
            self.forward_at.shrink_to_fit();
            self.backward_at.shrink_to_fit();
        }
        self
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
    /// The cores to use, asked once.
    threads: usize,
    parallel: bool,
}

/// What a phase reports to the observer.
pub(crate) struct PhaseReport {
    pub phase: u32,
    pub distance: u32,
    pub excess_left: u128,
}

impl<C: Cap> Solver<C> {
    /// `nodes` firms; arcs `tail[a] → head[a]` with capacity `cap[a]`, all inside components.
    /// The caller keeps `2 · arcs` within [`HALVES_MAX`], and every capacity within `C`;
    /// `threads`: the cores to use (see [`par::threads`]); `scratch`: zeroed arrays for at least
    /// as many arcs.
    ///
    /// Every firm's halves are placed in increasing order of the firm they lead to (scans then
    /// read the per-firm arrays in order), forward before backward, each kind by arc index.
    /// The firms are cut into [`Blocks`], one per core, and each core places the halves of its
    /// own firms: the arcs are first grouped by (block of the firm that owns the half, firm it
    /// leads to), one counting sort per kind, so that a core walks only its own arcs, in order.
    pub fn new(
        nodes: usize,
        tail: &[u32],
        head: &[u32],
        cap: &[u64],
        threads: usize,
        scratch: Scratch<C>,
    ) -> Result<Solver<C>, SolveError> {
        if cap.iter().any(|&c| C::try_from(c).is_err()) {
            return Err(SolveError::Internal(
                "a capacity does not fit the solver's width",
            ));
        }
        let mut adj_start = vec![0u32; nodes + 1];
        for (&t, &h) in tail.iter().zip(head) {
            adj_start[t as usize + 1] += 1;
            adj_start[h as usize + 1] += 1;
        }
        for v in 0..nodes {
            adj_start[v + 1] += adj_start[v];
        }
        let blocks = Blocks::new(&adj_start, threads);
        let count = blocks.count();
        let group = |owner: &[u32], to: &[u32]| {
            let key = |a: usize| (blocks.of_node(owner[a]) * nodes + to[a] as usize) as u32;
            par::group_by(count * nodes, cap.len(), key)
        };
        let (forward, backward) = if count > 1 {
            std::thread::scope(|scope| {
                let forward = scope.spawn(|| group(tail, head));
                let backward = group(head, tail);
                let forward = forward
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (forward, backward)
            })
        } else {
            (group(tail, head), group(head, tail))
        };
        let halves = 2 * cap.len();
        let Scratch {
            mut adj,
            forward_at,
            backward_at,
        } = scratch.fit(cap.len());
        let mut excess = vec![0i128; nodes];
        let mut jobs = Vec::with_capacity(count);
        let (mut adj_rest, mut excess_rest) = (&mut adj[..], &mut excess[..]);
        for k in 0..count {
            let (lo, hi) = (blocks.nodes[k], blocks.nodes[k + 1]);
            let base = blocks.halves[k];
            let (chunk, rest) = adj_rest.split_at_mut((blocks.halves[k + 1] - base) as usize);
            adj_rest = rest;
            let (own_excess, rest) = excess_rest.split_at_mut(hi - lo);
            excess_rest = rest;
            jobs.push((k, chunk, own_excess));
        }
        // Placing: each half is written with its arc in place of its partner, and where it
        // went is noted per arc.
        let place = |(k, chunk, _): &mut (usize, &mut [Half<C>], &mut [i128])| {
            let (lo, base) = (blocks.nodes[*k], blocks.halves[*k]);
            let mut fill: Vec<u32> = adj_start[lo..blocks.nodes[*k + 1]]
                .iter()
                .map(|&a| a - base)
                .collect();
            let narrow = |c: u64| C::try_from(c).unwrap_or(C::ZERO);
            for v in 0..nodes {
                let key = *k * nodes + v;
                for &a in &forward.1[forward.0[key] as usize..forward.0[key + 1] as usize] {
                    let slot = &mut fill[tail[a as usize] as usize - lo];
                    let b = narrow(cap[a as usize]);
                    chunk[*slot as usize] = Half {
                        to: v as u32,
                        partner: a,
                        res: b,
                        cap: b,
                    };
                    forward_at[a as usize].store(base + *slot, Relaxed);
                    *slot += 1;
                }
                for &a in &backward.1[backward.0[key] as usize..backward.0[key + 1] as usize] {
                    let slot = &mut fill[head[a as usize] as usize - lo];
                    let b = narrow(cap[a as usize]);
                    chunk[*slot as usize] = Half {
                        to: v as u32,
                        partner: a | BACKWARD,
                        res: C::ZERO,
                        cap: b,
                    };
                    backward_at[a as usize].store(base + *slot, Relaxed);
                    *slot += 1;
                }
            }
        };
        // Linking: every half's partner, once all are placed; and each firm's excess (with
        // nothing remaining, a debtor still has its whole debt to place).
        let link = |(k, chunk, own_excess): &mut (usize, &mut [Half<C>], &mut [i128])| {
            let (lo, base) = (blocks.nodes[*k], blocks.halves[*k]);
            for h in chunk.iter_mut() {
                let a = (h.partner & !BACKWARD) as usize;
                h.partner = if h.partner & BACKWARD == 0 {
                    backward_at[a].load(Relaxed)
                } else {
                    forward_at[a].load(Relaxed) | BACKWARD
                };
            }
            for (x, e) in own_excess.iter_mut().enumerate() {
                let range =
                    (adj_start[lo + x] - base) as usize..(adj_start[lo + x + 1] - base) as usize;
                *e = chunk[range]
                    .iter()
                    .map(|h| {
                        let b: i128 = h.cap.into();
                        if h.partner & BACKWARD == 0 { b } else { -b }
                    })
                    .sum();
            }
        };
        let barrier = std::sync::Barrier::new(count);
        par::on_threads(jobs, |mut job| {
            place(&mut job);
            barrier.wait();
            link(&mut job);
        });
        drop((forward, backward, backward_at));
        let forward_at = forward_at.into_iter().map(AtomicU32::into_inner).collect();
        Ok(Solver {
            adj_start,
            adj,
            forward_at,
            excess,
            potential: vec![0; nodes],
            admissible: Admissible::new(nodes, halves, blocks, threads),
            closure: Closure::default(),
            sources: Vec::new(),
            dist: vec![UNSEEN; nodes],
            touched: Vec::new(),
            settled: Vec::new(),
            bucket_head: Vec::new(),
            bucket_entries: Vec::new(),
            phases: 0,
            threads,
            parallel: count > 1,
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

    /// Whether the network is large enough to be worked on several cores (it then has several
    /// blocks; the shipped 100,000-invoice instance, which the tests solve, does).
    pub(super) fn parallel(&self) -> bool {
        self.parallel
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
        let (adj, forward_at) = (&self.adj, &self.forward_at);
        let mut remaining = vec![0u64; forward_at.len()];
        par::fill(&mut remaining, self.threads, |a| {
            adj[adj[forward_at[a] as usize].partner()].res.into()
        });
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
