//! Multilateral set-off (MTCS): clear the largest possible part of an obligation network without
//! money, every firm keeping its net position.
//!
//! The pipeline: merge parallel obligations into one arc per (debtor, creditor) pair
//! ([`merge`]); keep only arcs inside strongly connected components ([`scc`]); solve the
//! min-cost flow on those ([`flow`]); split each pair's cleared amount back over its obligations,
//! oldest first; and turn the solver's potentials into a certificate of optimality over the whole
//! network (see [`SetOff::potentials`]).

mod closure;
mod flow;
mod merge;
mod par;
mod phase;
mod scc;

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

use crate::network::Network;
use merge::Merged;
use scc::Components;

// Every half-arc of the solver must be indexable.
const _: () = assert!(2 * crate::OBLIGATIONS_MAX <= flow::HALVES_MAX);
// The solver groups arcs by (block, firm) in a `u32`, with at most 8 blocks.
const _: () = assert!(8 * crate::network::FIRMS_MAX <= u32::MAX as usize);

/// Why the solver failed. Only a bug can cause it: every valid network has an optimum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SolveError {
    /// An internal invariant did not hold (a bug, reported instead of a panic).
    #[error("internal error in the set-off solver: {0}")]
    Internal(&'static str),
}

/// Where a set-off run is, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Merging parallel obligations.
    Merging,
    /// Finding strongly connected components.
    Components,
    /// A solver phase ended; `excess_left` of the net internal debt of the components is still
    /// to be placed (it reaches 0 at the end).
    Phase {
        /// Phase number, from 1.
        phase: u32,
        /// The shortest-path distance of this phase.
        distance: u32,
        /// Excess still to be placed.
        excess_left: u128,
        /// Excess at the start.
        excess_start: u128,
    },
    /// Splitting cleared amounts back over the obligations.
    Splitting,
}

/// Receives progress reports; the solver itself never reads a clock or writes anywhere.
pub trait Observer {
    /// Called when a stage starts or a phase ends.
    fn stage(&mut self, stage: Stage);
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Observer for Quiet {
    fn stage(&mut self, _stage: Stage) {}
}

/// Counts describing a run, for reports and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SolveStats {
    /// Distinct (debtor, creditor) pairs.
    pub pairs: usize,
    /// Arcs after merging (a pair whose sum exceeds `u64` keeps several).
    pub arcs: usize,
    /// Strongly connected components.
    pub components: usize,
    /// Arcs inside a component: the only ones that can be cleared.
    pub internal_arcs: usize,
    /// Firms with an arc inside a component.
    pub internal_firms: usize,
    /// Solver phases (distinct shortest-path distances).
    pub phases: u32,
    /// Exact relabellings by BFS over all phases.
    pub global_relabels: u64,
    /// Pushes along one half-arc.
    pub pushes: u64,
}

/// The result of a set-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetOff {
    /// The cleared amount of every obligation, in the network's order.
    pub cleared: Vec<u64>,
    /// A potential per firm that proves the result optimal: for every obligation from `d` to
    /// `c`, `potentials[c] − potentials[d]` is at most 1 if it is cleared at all, and at least 1
    /// if it is not cleared in full. Any such potential shows that no circulation clears more
    /// (see [`crate::check`]).
    pub potentials: Vec<i128>,
    /// Counts.
    pub stats: SolveStats,
}

/// Clears `network` as far as possible. See [`set_off_observed`].
pub fn set_off(network: &Network) -> Result<SetOff, SolveError> {
    set_off_observed(network, &mut Quiet)
}

/// Clears `network` as far as possible, reporting progress to `observer`.
///
/// The total cleared is the exact maximum. Within a (debtor, creditor) pair the cleared amount is
/// split oldest first (the network's order), so the result is deterministic.
pub fn set_off_observed(
    network: &Network,
    observer: &mut dyn Observer,
) -> Result<SetOff, SolveError> {
    set_off_on(network, observer, par::threads())
}

/// [`set_off_observed`] on `threads` cores; the result does not depend on their number.
fn set_off_on(
    network: &Network,
    observer: &mut dyn Observer,
    threads: usize,
) -> Result<SetOff, SolveError> {
    observer.stage(Stage::Merging);
    let merged = Merged::new(network, threads);
    // The solver's largest arrays are zeroed on another core while this one finds the
    // components (when every capacity fits a `u32`, as they then do inside components too).
    let all_narrow = merged.cap.iter().all(|&c| u32::try_from(c).is_ok());
    std::thread::scope(|scope| {
        let zeroing = (all_narrow && threads > 1)
            .then(|| scope.spawn(|| flow::Scratch::<u32>::zeroed(merged.arcs())));
        observer.stage(Stage::Components);
        let components = Components::new(&merged, network.firms());
        let inner = Inner::new(&merged, &components, network.firms());
        let mut stats = SolveStats {
            pairs: merged.pairs(),
            arcs: merged.arcs(),
            components: components.count as usize,
            internal_arcs: inner.arcs.len(),
            internal_firms: inner.firms.len(),
            ..SolveStats::default()
        };
        let arcs = inner.arcs.len();
        let local = |ends: &[u32]| {
            let mut local = vec![0u32; arcs];
            par::fill(&mut local, threads, |k| {
                inner.local[ends[inner.arcs[k] as usize] as usize]
            });
            local
        };
        let (tails, heads) = (local(&merged.tail), local(&merged.head));
        let mut caps = vec![0u64; arcs];
        par::fill(&mut caps, threads, |k| merged.cap[inner.arcs[k] as usize]);
        let excess_start: u128 = caps.iter().map(|&c| u128::from(c)).sum();
        let mut report = |r: flow::PhaseReport| {
            observer.stage(Stage::Phase {
                phase: r.phase,
                distance: r.distance,
                excess_left: r.excess_left,
                excess_start,
            })
        };
        let arrays = Arrays {
            nodes: inner.firms.len(),
            tails,
            heads,
            caps,
        };
        let narrow = arrays.caps.iter().all(|&c| u32::try_from(c).is_ok());
        let (remaining, local_potentials) = if narrow {
            let scratch = match zeroing {
                Some(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                None => flow::Scratch::zeroed(arcs),
            };
            solve::<u32>(arrays, scratch, threads, &mut stats, &mut report)?
        } else {
            let scratch = flow::Scratch::zeroed(arcs);
            solve::<u64>(arrays, scratch, threads, &mut stats, &mut report)?
        };
        observer.stage(Stage::Splitting);
        let mut arc_cleared = vec![0u64; merged.arcs()];
        for (k, &a) in inner.arcs.iter().enumerate() {
            arc_cleared[a as usize] = merged.cap[a as usize] - remaining[k];
        }
        let cleared = split_back(network, &merged, &arc_cleared, threads);
        let potentials = certificate(&components, &inner, &local_potentials, network.firms());
        Ok(SetOff {
            cleared,
            potentials,
            stats,
        })
    })
}

/// The internal arcs in the solver's numbering: `tails[a] → heads[a]` with capacity `caps[a]`,
/// between `nodes` firms.
struct Arrays {
    nodes: usize,
    tails: Vec<u32>,
    heads: Vec<u32>,
    caps: Vec<u64>,
}

/// Runs the solver with capacities of type `C`: the remaining debt of every arc and the
/// potentials.
fn solve<C: flow::Cap>(
    arrays: Arrays,
    scratch: flow::Scratch<C>,
    threads: usize,
    stats: &mut SolveStats,
    report: &mut dyn FnMut(flow::PhaseReport),
) -> Result<(Vec<u64>, Vec<i64>), SolveError> {
    let Arrays {
        nodes,
        tails,
        heads,
        caps,
    } = arrays;
    let mut solver = flow::Solver::<C>::new(nodes, &tails, &heads, &caps, threads, scratch)?;
    drop((tails, heads, caps));
    solver.run(report)?;
    stats.phases = solver.phases;
    stats.global_relabels = solver.global_relabels();
    stats.pushes = solver.pushes();
    Ok(solver.into_parts())
}

/// The arcs inside components and their firms, numbered densely for the solver.
struct Inner {
    /// Indices of the internal arcs in [`Merged`].
    arcs: Vec<u32>,
    /// The firms with an internal arc, by local number.
    firms: Vec<u32>,
    /// Local number of every firm (`u32::MAX` for none).
    local: Vec<u32>,
}

impl Inner {
    /// Local numbers go by decreasing degree (ties by firm index), so that the busiest firms,
    /// which most arcs lead to, sit together at the front of every per-firm array: the solver's
    /// random accesses then mostly hit the cache.
    fn new(merged: &Merged, components: &Components, firms: usize) -> Inner {
        let mut arcs = Vec::new();
        let mut degree = vec![0u32; firms];
        for a in 0..merged.arcs() {
            let (t, h) = (merged.tail[a], merged.head[a]);
            if components.of[t as usize] != components.of[h as usize] {
                continue;
            }
            arcs.push(a as u32);
            degree[t as usize] += 1;
            degree[h as usize] += 1;
        }
        let mut inner_firms: Vec<u32> = (0..firms as u32)
            .filter(|&f| degree[f as usize] > 0)
            .collect();
        inner_firms.sort_unstable_by_key(|&f| (std::cmp::Reverse(degree[f as usize]), f));
        let mut local = vec![u32::MAX; firms];
        for (k, &f) in inner_firms.iter().enumerate() {
            local[f as usize] = k as u32;
        }
        Inner {
            arcs,
            firms: inner_firms,
            local,
        }
    }
}

/// Splits every pair's cleared amount over its obligations, oldest first (a range of pairs per
/// core).
fn split_back(network: &Network, merged: &Merged, arc_cleared: &[u64], threads: usize) -> Vec<u64> {
    let obligations = network.obligations();
    let cleared: Vec<AtomicU64> = par::map(obligations.len(), threads, |_| AtomicU64::new(0));
    let pairs = merged.pairs();
    par::on_threads(
        par::even_ranges(pairs, par::parts_for(pairs, threads)),
        |range| {
            for p in range {
                let arcs = merged.pair_arcs[p] as usize..merged.pair_arcs[p + 1] as usize;
                let mut left: u128 = arc_cleared[arcs].iter().map(|&c| u128::from(c)).sum();
                let members = merged.pair_start[p] as usize..merged.pair_start[p + 1] as usize;
                for &i in &merged.order[members] {
                    if left == 0 {
                        break;
                    }
                    let amount = obligations[i as usize].amount;
                    let take = u64::try_from(left).map_or(amount, |l| l.min(amount));
                    cleared[i as usize].store(take, Relaxed);
                    left -= u128::from(take);
                }
            }
        },
    );
    cleared.into_iter().map(AtomicU64::into_inner).collect()
}

/// Potentials for the whole network: the solver's potentials inside each component, shifted so
/// that the components are ordered topologically by a gap larger than any component's spread.
/// Then every arc between components (never cleared) rises by at least 1, as the certificate asks.
fn certificate(
    components: &Components,
    inner: &Inner,
    local_potentials: &[i64],
    firms: usize,
) -> Vec<i128> {
    let count = components.count as usize;
    let mut low = vec![i64::MAX; count];
    let mut high = vec![i64::MIN; count];
    for (k, &f) in inner.firms.iter().enumerate() {
        let c = components.of[f as usize] as usize;
        low[c] = low[c].min(local_potentials[k]);
        high[c] = high[c].max(local_potentials[k]);
    }
    let spread_max = (0..count)
        .filter(|&c| low[c] <= high[c])
        .map(|c| i128::from(high[c]) - i128::from(low[c]))
        .max()
        .unwrap_or(0);
    let gap = spread_max + 1;
    (0..firms)
        .map(|f| {
            let c = components.of[f] as usize;
            let rank = (count - 1 - c) as i128;
            let local = match inner.local[f] {
                u32::MAX => 0,
                k => i128::from(local_potentials[k as usize]) - i128::from(low[c]),
            };
            gap * rank + local
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Obligation;

    /// A network large enough to be cut into blocks, with parallel invoices and a hub.
    fn network(firms: u32, invoices: usize, seed: u64) -> Network {
        let mut state = seed;
        let mut next = move |below: u64| {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_f491_4f6c_dd1d) % below
        };
        let obligations = (0..invoices)
            .map(|_| {
                let debtor = if next(10) == 0 {
                    0
                } else {
                    next(u64::from(firms)) as u32
                };
                let mut creditor = next(u64::from(firms)) as u32;
                if creditor == debtor {
                    creditor = (creditor + 1) % firms;
                }
                Obligation {
                    debtor,
                    creditor,
                    amount: 1 + next(1_000_000),
                }
            })
            .collect();
        Network::new(firms as usize, obligations).expect("a valid network")
    }

    #[test]
    fn the_result_does_not_depend_on_the_number_of_cores() {
        let network = network(20_000, 200_000, 7);
        let one = set_off_on(&network, &mut Quiet, 1).expect("solved");
        for threads in [2, 3] {
            let more = set_off_on(&network, &mut Quiet, threads).expect("solved");
            assert_eq!(one.cleared, more.cleared, "{threads} cores");
            assert_eq!(one.potentials, more.potentials, "{threads} cores");
            assert_eq!(one.stats, more.stats, "{threads} cores");
        }
        assert!(one.cleared.iter().any(|&c| c > 0));
        let check = crate::check::check_set_off(&network, &one.cleared, Some(&one.potentials));
        assert!(check.is_ok(), "{:?}", check.violations);
        assert!(check.optimal, "the potentials certify the optimum");
    }
}
