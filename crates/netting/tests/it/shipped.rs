//! The shared instances against the optimum an independent solver found (EXPECTED.csv).

use std::fs::File;

use netting::csv::read_obligations;

use crate::support::{shared_data, solve_checked};

/// `(obligations, total, net_internal_debt, optimal_cleared)` for `file` from EXPECTED.csv.
fn expected(file: &str) -> (usize, u128, u128, u128) {
    let text = std::fs::read_to_string(shared_data("EXPECTED.csv")).expect("read EXPECTED.csv");
    let row = text
        .lines()
        .find(|l| l.starts_with(&format!("{file},")))
        .unwrap_or_else(|| panic!("{file} is not in EXPECTED.csv"));
    let f: Vec<&str> = row.split(',').collect();
    (
        f[2].parse().unwrap(),
        f[3].parse().unwrap(),
        f[4].parse().unwrap(),
        f[5].parse().unwrap(),
    )
}

fn check_instance(file: &str) {
    let parsed = read_obligations(File::open(shared_data(file)).unwrap()).expect("parse");
    let (cleared, totals) = solve_checked(&parsed.network);
    let (obligations, total, net_internal_debt, optimum) = expected(file);
    assert_eq!(totals.obligations, obligations);
    assert_eq!(totals.total, total);
    assert_eq!(totals.net_internal_debt, net_internal_debt);
    assert_eq!(totals.cleared, optimum, "{file}: not the optimum");
    assert_eq!(cleared.len(), obligations);
}

#[test]
fn obl_200_1k_reaches_the_optimum() {
    check_instance("obl_200_1k.csv");
}

#[test]
fn obl_2k_10k_reaches_the_optimum() {
    check_instance("obl_2k_10k.csv");
}

#[test]
fn obl_10k_100k_reaches_the_optimum() {
    check_instance("obl_10k_100k.csv");
}
