//! Set-off against two slow, independent oracles on small random networks: an exhaustive search
//! and the `eo-mcf` min-cost-flow solver; and hand-made cases.

use netting::AMOUNT_MAX;
use proptest::prelude::*;

use crate::support::{network, solve_checked};

/// The largest total any circulation within the amounts can clear, by trying every vector of
/// cleared amounts. Only for a handful of small obligations.
fn exhaustive_optimum(firms: usize, obligations: &[(u32, u32, u64)]) -> u128 {
    let mut best = 0u128;
    let mut cleared = vec![0u64; obligations.len()];
    loop {
        let mut net = vec![0i128; firms];
        for (o, &c) in obligations.iter().zip(&cleared) {
            net[o.0 as usize] += i128::from(c);
            net[o.1 as usize] -= i128::from(c);
        }
        if net.iter().all(|&n| n == 0) {
            best = best.max(cleared.iter().map(|&c| u128::from(c)).sum());
        }
        // Next vector, like an odometer.
        let mut k = 0;
        loop {
            if k == cleared.len() {
                return best;
            }
            if cleared[k] < obligations[k].2 {
                cleared[k] += 1;
                break;
            }
            cleared[k] = 0;
            k += 1;
        }
    }
}

/// The optimum by `eo-mcf`: the least remaining debt with every net position kept, as a
/// min-cost flow with unit costs; cleared = total − remaining.
fn eo_mcf_optimum(firms: usize, obligations: &[(u32, u32, u64)]) -> u128 {
    let mut net = vec![0i64; firms];
    let mut builder = eo_mcf::Problem::builder(firms);
    for &(d, c, a) in obligations {
        let a = i64::try_from(a).unwrap();
        net[d as usize] += a;
        net[c as usize] -= a;
        builder = builder.edge(d as usize, c as usize, a, 1);
    }
    for (f, &n) in net.iter().enumerate() {
        builder = builder.supply(f, n);
    }
    let problem = builder.build().expect("eo-mcf problem");
    let solution = eo_mcf::solve(&problem).expect("eo-mcf solve");
    let total: i128 = obligations.iter().map(|o| i128::from(o.2)).sum();
    u128::try_from(total - solution.objective()).unwrap()
}

fn obligations(
    firms: u32,
    count: usize,
    amount_max: u64,
) -> impl Strategy<Value = Vec<(u32, u32, u64)>> {
    prop::collection::vec((0..firms, 1..firms, 1..=amount_max), 0..=count).prop_map(move |v| {
        // Creditor = debtor + offset (mod firms) with offset ≥ 1: never the debtor.
        v.into_iter()
            .map(|(d, off, a)| (d, (d + off) % firms, a))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn matches_exhaustive_search(obs in obligations(4, 6, 3)) {
        let (_, totals) = solve_checked(&network(4, &obs));
        prop_assert_eq!(totals.cleared, exhaustive_optimum(4, &obs));
    }

    #[test]
    fn matches_eo_mcf(obs in obligations(9, 40, 1000)) {
        let (_, totals) = solve_checked(&network(9, &obs));
        prop_assert_eq!(totals.cleared, eo_mcf_optimum(9, &obs));
    }

    #[test]
    fn matches_eo_mcf_with_many_parallel_invoices(obs in obligations(3, 30, 50)) {
        let (_, totals) = solve_checked(&network(3, &obs));
        prop_assert_eq!(totals.cleared, eo_mcf_optimum(3, &obs));
    }

    /// Amounts above `u32::MAX`: the solver runs with 64-bit capacities (it uses 32-bit ones
    /// when every merged pair fits) and still matches the oracle.
    #[test]
    fn matches_eo_mcf_with_wide_amounts(obs in obligations(7, 25, 1000)) {
        let wide: Vec<_> = obs.iter().map(|&(d, c, a)| (d, c, a << 32 | a)).collect();
        let (_, totals) = solve_checked(&network(7, &wide));
        prop_assert_eq!(totals.cleared, eo_mcf_optimum(7, &wide));
    }

    /// Skewed degrees, like invoice networks: a few firms with most of the invoices (the solver
    /// renumbers firms by degree and sorts every firm's arcs), mostly along a chain of ranks
    /// with some invoices against it (weakly cyclic), against the oracle.
    #[test]
    fn matches_eo_mcf_on_skewed_weakly_cyclic_networks(
        picks in prop::collection::vec((0u32..1000, 0u32..1000, 1u64..=500, 0u32..10), 0..=120),
    ) {
        const FIRMS: u32 = 24;
        // The square of a uniform variate favours small firm numbers: those are the hubs.
        let firm = |u: u32| (u * u / (1000 * 1000 / FIRMS)).min(FIRMS - 1);
        let obs: Vec<_> = picks
            .iter()
            .filter_map(|&(u, v, a, against)| {
                let (d, c) = (firm(u), firm(v));
                let (low, high) = (d.min(c), d.max(c));
                // Nine in ten run up the chain.
                (d != c).then_some(if against == 0 { (high, low, a) } else { (low, high, a) })
            })
            .collect();
        let (_, totals) = solve_checked(&network(FIRMS as usize, &obs));
        prop_assert_eq!(totals.cleared, eo_mcf_optimum(FIRMS as usize, &obs));
    }

    /// Amounts near `i64::MAX`: sums exceed `u64`, merged pairs split into several arcs; the
    /// certificate still proves optimality, and nothing wraps.
    #[test]
    fn huge_amounts_do_not_wrap(obs in obligations(4, 12, 4)) {
        let huge: Vec<_> = obs.iter().map(|&(d, c, a)| (d, c, AMOUNT_MAX - a)).collect();
        let (_, totals) = solve_checked(&network(4, &huge));
        prop_assert!(totals.cleared <= totals.total);
    }
}

#[test]
fn a_triangle_clears_its_smallest_side() {
    let (cleared, totals) = solve_checked(&network(3, &[(0, 1, 10), (1, 2, 7), (2, 0, 12)]));
    assert_eq!(cleared, vec![7, 7, 7]);
    assert_eq!(totals.cleared, 21);
    assert_eq!(totals.remaining, 8);
}

#[test]
fn a_chain_clears_nothing() {
    let (cleared, totals) = solve_checked(&network(4, &[(0, 1, 5), (1, 2, 5), (2, 3, 5)]));
    assert_eq!(cleared, vec![0, 0, 0]);
    assert_eq!(totals.net_internal_debt, 5);
}

#[test]
fn disconnected_cycles_clear_independently() {
    let obs = [
        (0, 1, 4),
        (1, 0, 9),
        (2, 3, 6),
        (3, 4, 6),
        (4, 2, 6),
        (5, 6, 3),
    ];
    let (cleared, totals) = solve_checked(&network(7, &obs));
    assert_eq!(cleared, vec![4, 4, 6, 6, 6, 0]);
    assert_eq!(totals.cleared, 26);
}

#[test]
fn parallel_invoices_are_cleared_oldest_first() {
    // Firm 0 owes firm 1 three invoices (5, 5, 5); firm 1 owes firm 0 seven.
    let obs = [(0, 1, 5), (0, 1, 5), (1, 0, 7), (0, 1, 5)];
    let (cleared, _) = solve_checked(&network(2, &obs));
    assert_eq!(cleared, vec![5, 2, 7, 0]);
}

#[test]
fn the_set_off_of_a_cycle_through_a_long_chain_is_found() {
    // A cycle of 50 firms with one weak link, plus chords that make paths long.
    let mut obs: Vec<(u32, u32, u64)> = (0..50).map(|i| (i, (i + 1) % 50, 100)).collect();
    obs[49].2 = 3;
    obs.push((10, 40, 1000));
    let (_, totals) = solve_checked(&network(50, &obs));
    assert_eq!(totals.cleared, eo_mcf_optimum(50, &obs));
}

#[test]
fn an_empty_network_clears_nothing() {
    let (cleared, totals) = solve_checked(&network(0, &[]));
    assert!(cleared.is_empty());
    assert_eq!(totals.total, 0);
}
