//! Shared helpers: the shared data folder, networks, and the result checks every test applies.

use std::path::PathBuf;

use netting::check::{SetOffTotals, check_set_off};
use netting::setoff::set_off;
use netting::{Network, Obligation};

/// A file in `../shared/data/netting` (beside the repository); panics naming the missing path.
pub fn shared_data(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/netting")
        .join(name);
    assert!(
        path.exists(),
        "test data {} is missing: the shared data folder must sit beside the repository \
         (shared/data/netting)",
        path.display()
    );
    path
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
