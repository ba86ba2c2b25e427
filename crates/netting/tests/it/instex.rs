//! INSTEX by hand: two zones, three zones, priorities, a partial marginal claim, nothing to
//! clear; and the checker on random books.

use netting::csv::read_claims;
use netting::instex::{ClaimBook, Direction, Options, Settlement, check_settlement, settle};
use proptest::prelude::*;

const HEADER: &str =
    "id,debtor,debtor_zone,creditor,creditor_zone,amount,currency,priority,submitted_at\n";

/// Settles the claims in `rows` (CSV without header), checks every invariant, and returns the
/// cleared amounts by claim id.
fn settle_rows(rows: &str, options: Options) -> (ClaimBook, Settlement, Vec<(String, i64)>) {
    let text = format!("{HEADER}{rows}");
    let file = read_claims(text.as_bytes(), None).expect("valid claims");
    let settlement = settle(&file.book, options).expect("settle");
    let violations = check_settlement(&file.book, &settlement);
    assert!(violations.is_empty(), "violations: {violations:?}");
    let cleared = file
        .book
        .claims()
        .iter()
        .zip(&settlement.cleared)
        .map(|(c, &x)| (c.id.to_string(), x))
        .collect();
    (file.book, settlement, cleared)
}

fn cleared_of(cleared: &[(String, i64)], id: &str) -> i64 {
    cleared.iter().find(|(i, _)| i == id).map(|c| c.1).unwrap()
}

#[test]
fn two_zones_clear_the_smaller_direction() {
    let rows = "a,eu1,EU,ir1,IR,700,EUR,1,2026-01-01\n\
                b,eu2,EU,ir2,IR,500,EUR,1,2026-01-02\n\
                c,ir3,IR,eu3,EU,900,EUR,1,2026-01-01\n";
    let (_, s, cleared) = settle_rows(rows, Options::default());
    // EU → IR owes 1200, IR → EU 900: 900 each way; the older EU claim first.
    assert_eq!(cleared_of(&cleared, "a"), 700);
    assert_eq!(cleared_of(&cleared, "b"), 200);
    assert_eq!(cleared_of(&cleared, "c"), 900);
    // The IR exporters are paid by the IR house out of what IR importers paid in.
    let ir_in: u128 = s
        .payments
        .iter()
        .filter(|p| p.zone.as_str() == "IR" && p.direction == Direction::PaysHouse)
        .map(|p| p.amount)
        .sum();
    assert_eq!(ir_in, 900);
}

#[test]
fn three_zones_clear_around_the_cycle() {
    let rows = "ab,a1,A,b1,B,100,EUR,1,2026-01-01\n\
                bc,b2,B,c1,C,80,EUR,1,2026-01-01\n\
                ca,c2,C,a2,A,120,EUR,1,2026-01-01\n";
    let (_, _, cleared) = settle_rows(rows, Options::default());
    assert_eq!(
        cleared,
        vec![("ab".into(), 80), ("bc".into(), 80), ("ca".into(), 80)]
    );
}

#[test]
fn priority_comes_before_age_and_volume() {
    // A humanitarian claim (priority 0) on A → B is served first, even though routing B's
    // money through C would clear more in total.
    let rows = "late,a1,A,b1,B,10,EUR,0,2026-02-01\n\
                back,b2,B,a2,A,10,EUR,5,2026-01-01\n\
                ac,a3,A,c1,C,10,EUR,5,2026-01-01\n\
                cb,c2,C,b3,B,10,EUR,5,2026-01-01\n";
    let (_, _, cleared) = settle_rows(rows, Options::default());
    assert_eq!(cleared_of(&cleared, "late"), 10);
    assert_eq!(cleared_of(&cleared, "back"), 10);
    assert_eq!(cleared_of(&cleared, "ac"), 0);
    assert_eq!(cleared_of(&cleared, "cb"), 0);
}

#[test]
fn the_marginal_claim_is_cleared_in_part_and_the_rest_queued() {
    let rows = "first,eu1,EU,ir1,IR,300,EUR,2,2026-01-01T08:00:00Z\n\
                marginal,eu2,EU,ir2,IR,300,EUR,2,2026-01-01T09:00:00Z\n\
                last,eu3,EU,ir3,IR,300,EUR,2,2026-01-01T10:00:00Z\n\
                back,ir4,IR,eu4,EU,450,EUR,1,2026-01-05\n";
    let (_, _, cleared) = settle_rows(rows, Options::default());
    assert_eq!(cleared_of(&cleared, "first"), 300);
    assert_eq!(cleared_of(&cleared, "marginal"), 150);
    assert_eq!(cleared_of(&cleared, "last"), 0);
    assert_eq!(cleared_of(&cleared, "back"), 450);
}

#[test]
fn nothing_to_clear_when_trade_goes_one_way() {
    let rows = "x,eu1,EU,ir1,IR,300,EUR,1,2026-01-01\n\
                y,eu2,EU,ir2,IR,200,USD,1,2026-01-01\n\
                z,ir3,IR,eu3,EU,200,USD,1,2026-01-01\n";
    let (_, s, cleared) = settle_rows(rows, Options::default());
    // EUR flows one way only; USD balances on its own.
    assert_eq!(cleared_of(&cleared, "x"), 0);
    assert_eq!(cleared_of(&cleared, "y"), 200);
    assert!(s.payments.iter().all(|p| p.currency.code() == "USD"));
}

#[test]
fn domestic_claims_settle_directly_and_set_off_reduces_payments() {
    let rows = "d1,f1,EU,f2,EU,100,EUR,1,2026-01-01\n\
                d2,f2,EU,f1,EU,60,EUR,1,2026-01-02\n";
    let (_, plain, cleared) = settle_rows(rows, Options::default());
    assert_eq!(cleared, vec![("d1".into(), 100), ("d2".into(), 60)]);
    let (_, netted, _) = settle_rows(
        rows,
        Options {
            set_off_domestic: true,
        },
    );
    assert_eq!(netted.set_off, vec![60, 60]);
    let paid = |s: &Settlement| s.payments.iter().map(|p| p.amount).sum::<u128>();
    assert_eq!(paid(&plain), 320);
    assert_eq!(paid(&netted), 80);
}

#[test]
fn the_checker_catches_a_priority_inversion() {
    let rows = "first,eu1,EU,ir1,IR,300,EUR,1,2026-01-01\n\
                second,eu2,EU,ir2,IR,300,EUR,1,2026-01-02\n\
                back,ir3,IR,eu3,EU,300,EUR,1,2026-01-01\n";
    let (book, mut s, _) = settle_rows(rows, Options::default());
    s.cleared = vec![0, 300, 300];
    let violations = check_settlement(&book, &s);
    assert!(
        violations
            .iter()
            .any(|v| matches!(v, netting::instex::InstexViolation::Priority { .. })),
        "{violations:?}"
    );
}

fn random_rows() -> impl Strategy<Value = String> {
    let claim = (0..4u8, 0..4u8, 0..6u8, 1..50i64, 0..3u32, 0..2u8, 0..30u8);
    prop::collection::vec(claim, 0..25).prop_map(|claims| {
        let mut rows = String::new();
        for (i, (dz, cz, who, amount, priority, cur, day)) in claims.into_iter().enumerate() {
            let zone = |z: u8| ["EU", "IR", "UK", "CN"][z as usize];
            let currency = ["EUR", "USD"][cur as usize];
            rows += &format!(
                "c{i},d{who}-{dz},{},k{who}-{cz},{},{amount},{currency},{priority},2026-01-{:02}\n",
                zone(dz),
                zone(cz),
                day % 28 + 1,
            );
        }
        rows
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every random book settles with every invariant holding, with and without set-off.
    #[test]
    fn random_books_satisfy_every_invariant(rows in random_rows(), set_off in any::<bool>()) {
        settle_rows(&rows, Options { set_off_domestic: set_off });
    }
}
