//! Shared helpers: the shared data folder, networks, and the result checks every test applies.

use std::path::PathBuf;

use netting::check::{SetOffTotals, check_set_off};
use netting::setoff::set_off;
use netting::{Network, Obligation};

/// A file in the shared data's `netting` folder; panics naming the missing path.
pub fn shared_data(name: &str) -> PathBuf {
    test_support::shared_data(format!("netting/{name}"))
}

/// A network from `(debtor, creditor, amount)` triples over `firms` firms.
pub fn network(firms: usize, obligations: &[(u32, u32, u64)]) -> Network {
    let obligations = obligations
        .iter()
        .map(|&(debtor, creditor, amount)| Obligation {
            debtor,
            creditor,
            amount,
        })
        .collect();
    Network::new(firms, obligations).expect("valid network")
}

/// Solves `network`, checks every invariant and the optimality certificate, and returns the
/// cleared amounts and totals.
pub fn solve_checked(network: &Network) -> (Vec<u64>, SetOffTotals) {
    let result = set_off(network).expect("solve");
    let verdict = check_set_off(network, &result.cleared, Some(&result.potentials));
    assert!(verdict.is_ok(), "violations: {:?}", verdict.violations);
    assert!(verdict.optimal, "the certificate must prove optimality");
    (result.cleared, verdict.totals)
}
