//! INSTEX with liquidity providers' allowances: two and three zones by hand, priorities, the
//! checker on inversions through the providers' node; random books against a brute-force
//! lexicographic maximum, and the checker against single-unit changes of the result.

use std::collections::BTreeMap;

use model::ZoneCode;
use netting::csv::read_claims;
use netting::instex::{
    Allowance, ClaimBook, Direction, InstexViolation, Options, Payment, Settlement, ZoneTotals,
    check_settlement_with_allowances, settle, settle_with_allowances,
};
use proptest::prelude::*;

const HEADER: &str =
    "id,debtor,debtor_zone,creditor,creditor_zone,amount,currency,priority,submitted_at\n";

fn book(rows: &str) -> ClaimBook {
    let text = format!("{HEADER}{rows}");
    read_claims(text.as_bytes(), None)
        .expect("valid claims")
        .book
}

fn allowance(zone: &str, currency: &str, amount: u128) -> Allowance {
    Allowance {
        zone: ZoneCode::new(zone).unwrap(),
        currency: model::currency::from_code(currency).unwrap(),
        amount,
    }
}

/// Settles `book` with `allowances`, checks every invariant, and returns the settlement.
fn settle_checked(book: &ClaimBook, allowances: &[Allowance]) -> Settlement {
    let settlement = settle_with_allowances(book, Options::default(), allowances).expect("settle");
    let violations = check_settlement_with_allowances(book, &settlement, allowances);
    assert!(violations.is_empty(), "violations: {violations:?}");
    settlement
}

/// The cleared amounts by claim id, in the book's order.
fn cleared(book: &ClaimBook, s: &Settlement) -> Vec<(String, i64)> {
    let ids = book.claims().iter().map(|c| c.id.to_string());
    ids.zip(s.cleared.iter().copied()).collect()
}

fn totals<'a>(s: &'a Settlement, zone: &str) -> &'a ZoneTotals {
    let found = s
        .zones
        .iter()
        .find(|t| t.zone.as_ref().unwrap().as_str() == zone);
    found.expect("zone totals")
}

/// EU exporters are owed 100 by IR importers, IR exporters 60 by EU importers.
const TWO_ZONES: &str = "eu-export,ir1,IR,eu1,EU,100,EUR,1,2026-01-01\n\
                         ir-export,eu2,EU,ir2,IR,60,EUR,1,2026-01-01\n";

fn two_zones(allowances: &[Allowance]) -> (Vec<(String, i64)>, Settlement) {
    let book = book(TWO_ZONES);
    let s = settle_checked(&book, allowances);
    (cleared(&book, &s), s)
}

#[test]
fn without_allowance_two_zones_clear_the_counter_flow() {
    let (cleared, s) = two_zones(&[]);
    assert_eq!(
        cleared,
        [("eu-export".into(), 60), ("ir-export".into(), 60)]
    );
    assert_eq!(totals(&s, "EU").beyond_counter_flow, 0);
    assert_eq!(totals(&s, "IR").beyond_counter_flow, 0);
    assert_eq!(s, settle(&book(TWO_ZONES), Options::default()).unwrap());
}

#[test]
fn an_allowance_clears_that_much_more_into_its_zone() {
    let (cleared, s) = two_zones(&[allowance("EU", "EUR", 30)]);
    assert_eq!(
        cleared,
        [("eu-export".into(), 90), ("ir-export".into(), 60)]
    );
    let (eu, ir) = (totals(&s, "EU"), totals(&s, "IR"));
    assert_eq!((eu.cross_border_in, eu.cross_border_out), (90, 60));
    assert_eq!((eu.beyond_counter_flow, ir.beyond_counter_flow), (30, -30));
    // The EU house pays out 30 more than it takes in (the provider's part); the IR house keeps
    // 30 more than it pays out.
    assert_eq!((eu.paid_out, eu.paid_in), (90, 60));
    assert_eq!((ir.paid_in, ir.paid_out), (90, 60));
}

#[test]
fn a_large_allowance_clears_every_claim_into_its_zone() {
    let (cleared, s) = two_zones(&[allowance("EU", "EUR", 1000)]);
    assert_eq!(
        cleared,
        [("eu-export".into(), 100), ("ir-export".into(), 60)]
    );
    assert_eq!(totals(&s, "EU").beyond_counter_flow, 40);
}

#[test]
fn allowances_that_cannot_be_used_change_nothing() {
    let (plain, _) = two_zones(&[]);
    // IR already collects more than it pays out; no claims in USD; no claims in CN.
    for unused in [
        allowance("IR", "EUR", 50),
        allowance("EU", "USD", 50),
        allowance("CN", "EUR", 50),
    ] {
        assert_eq!(
            two_zones(std::slice::from_ref(&unused)).0,
            plain,
            "{unused:?}"
        );
    }
}

#[test]
fn allowances_for_the_same_zone_and_currency_add_up() {
    let one = two_zones(&[allowance("EU", "EUR", 30)]);
    let two = two_zones(&[allowance("EU", "EUR", 10), allowance("EU", "EUR", 20)]);
    assert_eq!(one, two);
}

#[test]
fn a_humanitarian_claim_is_filled_before_any_other() {
    // On one pair: the humanitarian claim (priority 0, submitted last) takes its full 40 of
    // the 90 EU may take in; the older commercial claim gets the other 50.
    let rows = "bulk,ir1,IR,eu1,EU,100,EUR,5,2026-01-01\n\
                food,ir2,IR,eu2,EU,40,EUR,0,2026-01-09\n\
                back,eu3,EU,ir3,IR,60,EUR,5,2026-01-01\n";
    let b = book(rows);
    let s = settle_checked(&b, &[allowance("EU", "EUR", 30)]);
    let expected = [
        ("bulk".into(), 50),
        ("food".into(), 40),
        ("back".into(), 60),
    ];
    assert_eq!(cleared(&b, &s), expected);

    // Across zones: CN sends EU nothing back, so its humanitarian claim can only be cleared
    // out of EU's allowance, and it takes all of it before the IR claim may use any.
    let rows = "bulk,ir1,IR,eu1,EU,100,EUR,5,2026-01-01\n\
                medicine,cn1,CN,eu2,EU,20,EUR,0,2026-01-09\n\
                back,eu3,EU,ir3,IR,60,EUR,5,2026-01-01\n";
    let b = book(rows);
    let s = settle_checked(&b, &[allowance("EU", "EUR", 30)]);
    let expected = [
        ("bulk".into(), 70),
        ("medicine".into(), 20),
        ("back".into(), 60),
    ];
    assert_eq!(cleared(&b, &s), expected);
    assert_eq!(totals(&s, "CN").beyond_counter_flow, -20);
    assert_eq!(totals(&s, "IR").beyond_counter_flow, -10);
}

#[test]
fn three_zones_with_allowances() {
    // A → B 100, B → C 50, C → A 20, oldest first. B may take in 40 more than it pays out, C
    // 10 more, A nothing: A → B is limited to B → C + 40, B → C to C → A + 10 = 30.
    let rows = "ab,a1,A,b1,B,100,EUR,1,2026-01-01\n\
                bc,b2,B,c1,C,50,EUR,1,2026-01-02\n\
                ca,c2,C,a2,A,20,EUR,1,2026-01-03\n";
    let b = book(rows);
    let plain = settle_checked(&b, &[]);
    let expected = [("ab".into(), 20), ("bc".into(), 20), ("ca".into(), 20)];
    assert_eq!(cleared(&b, &plain), expected);
    let allowances = [allowance("B", "EUR", 40), allowance("C", "EUR", 10)];
    let s = settle_checked(&b, &allowances);
    let expected = [("ab".into(), 70), ("bc".into(), 30), ("ca".into(), 20)];
    assert_eq!(cleared(&b, &s), expected);
    let beyond = |zone| totals(&s, zone).beyond_counter_flow;
    assert_eq!((beyond("A"), beyond("B"), beyond("C")), (-50, 40, 10));

    // A claim with no counter-flow at all clears as far as its creditor zone's allowance.
    let b = book("ac,a1,A,c1,C,50,EUR,1,2026-01-01\n");
    let s = settle_checked(&b, &[allowance("C", "EUR", 35)]);
    assert_eq!(cleared(&b, &s), [("ac".into(), 35)]);
}

#[test]
fn the_checker_catches_an_inversion_through_the_providers_node() {
    // EU's allowance serves the better-ranked IR claim first. Giving it to the CN claim
    // instead keeps every zone within its allowance, but the IR claim could then be raised by
    // lowering the CN claim, CN paying the provider's node, which pays IR.
    let rows = "first,ir1,IR,eu1,EU,50,EUR,1,2026-01-01\n\
                later,cn1,CN,eu2,EU,30,EUR,5,2026-01-01\n";
    let b = book(rows);
    let allowances = [allowance("EU", "EUR", 30)];
    let s = settle_checked(&b, &allowances);
    assert_eq!(s.cleared, [30, 0]);
    let swapped = with_cleared(&b, &s, vec![0, 30]);
    let violations = check_settlement_with_allowances(&b, &swapped, &allowances);
    let id = |v: &InstexViolation| matches!(v, InstexViolation::Priority { id } if id.as_str() == "first");
    assert!(violations.iter().any(id), "{violations:?}");
    assert_eq!(violations.len(), 1, "{violations:?}");
}

#[test]
fn the_checker_reports_the_amount_beyond_and_the_allowance() {
    let b = book(TWO_ZONES);
    let allowances = [allowance("EU", "EUR", 30)];
    let s = settle_checked(&b, &allowances);
    let raised = with_cleared(&b, &s, vec![91, 60]);
    let violations = check_settlement_with_allowances(&b, &raised, &allowances);
    let expected = InstexViolation::BeyondAllowance {
        zone: ZoneCode::new("EU").unwrap(),
        currency: "EUR",
        beyond: 31,
        allowance: 30,
    };
    assert_eq!(violations, std::slice::from_ref(&expected));
    assert_eq!(
        expected.to_string(),
        "zone EU EUR: pays out 31 more than it collects, beyond its allowance 30"
    );
}

/// `s` with other cleared amounts, and the payment plan that goes with them (no set-off).
fn with_cleared(book: &ClaimBook, s: &Settlement, cleared: Vec<i64>) -> Settlement {
    type Key = (String, &'static str, String, Direction);
    let mut sums: BTreeMap<Key, (model::Currency, u128)> = BTreeMap::new();
    for (c, &done) in book.claims().iter().zip(&cleared) {
        let paid = u128::try_from(done).unwrap_or(0);
        if paid == 0 {
            continue;
        }
        let code = c.currency.code();
        for (zone, who, direction) in [
            (&c.debtor_zone, &c.debtor, Direction::PaysHouse),
            (&c.creditor_zone, &c.creditor, Direction::PaidByHouse),
        ] {
            let key = (zone.to_string(), code, who.to_string(), direction);
            sums.entry(key).or_insert((c.currency, 0)).1 += paid;
        }
    }
    let payments = sums
        .into_iter()
        .map(|((zone, _, who, direction), (currency, amount))| Payment {
            zone: ZoneCode::new(zone).unwrap(),
            currency,
            participant: model::ParticipantId::new(who).unwrap(),
            direction,
            amount,
        })
        .collect();
    Settlement {
        cleared,
        set_off: vec![0; s.set_off.len()],
        payments,
        zones: s.zones.clone(),
    }
}

/// A random small book in EUR: zones, claims (debtor zone, creditor zone, amount, priority,
/// day; a claim may be domestic), and each zone's allowance.
#[derive(Debug, Clone)]
struct SmallBook {
    zones: usize,
    claims: Vec<(usize, usize, i64, u32, u8)>,
    allowances: Vec<u128>,
}

const ZONES: [&str; 4] = ["EU", "IR", "CN", "UK"];

fn small_book() -> impl Strategy<Value = SmallBook> {
    (2..=4usize).prop_flat_map(|zones| {
        let claim = (0..zones, 0..zones, 1..=5i64, 0..3u32, 0..4u8);
        let claims = prop::collection::vec(claim, 0..=8);
        let allowance = prop_oneof![Just(0u128), 0..=7u128];
        let allowances = prop::collection::vec(allowance, zones);
        (claims, allowances).prop_map(move |(claims, allowances)| SmallBook {
            zones,
            claims,
            allowances,
        })
    })
}

impl SmallBook {
    fn book(&self) -> ClaimBook {
        let mut rows = String::new();
        for (i, &(dz, cz, amount, priority, day)) in self.claims.iter().enumerate() {
            let (dz, cz) = (ZONES[dz], ZONES[cz]);
            rows += &format!(
                "c{i},d{i},{dz},k{i},{cz},{amount},EUR,{priority},2026-01-0{}\n",
                day + 1
            );
        }
        book(&rows)
    }

    fn allowances(&self) -> Vec<Allowance> {
        let zones = ZONES.iter().zip(&self.allowances);
        zones.map(|(z, &a)| allowance(z, "EUR", a)).collect()
    }

    /// The lexicographic maximum in rank order, by brute force: cleared amounts are tried in
    /// rank order from the largest down, so the first vector within every allowance is the
    /// maximum.
    fn brute_force(&self) -> Vec<i64> {
        let mut cleared: Vec<i64> = self.claims.iter().map(|c| c.2).collect();
        let mut order: Vec<usize> = (0..self.claims.len())
            .filter(|&i| self.claims[i].0 != self.claims[i].1)
            .collect();
        // Priority, then day, then id: ids `c0` … `c7` sort as their numbers.
        order.sort_by_key(|&i| (self.claims[i].3, self.claims[i].4, i));
        assert!(self.search(&order, &mut cleared), "all zero is feasible");
        cleared
    }

    fn search(&self, order: &[usize], cleared: &mut [i64]) -> bool {
        let Some((&i, rest)) = order.split_first() else {
            return self.feasible(cleared);
        };
        for amount in (0..=self.claims[i].2).rev() {
            cleared[i] = amount;
            if self.search(rest, cleared) {
                return true;
            }
        }
        false
    }

    /// Every zone takes in at most its allowance more than it pays out.
    fn feasible(&self, cleared: &[i64]) -> bool {
        let mut beyond = vec![0i128; self.zones];
        for (&(dz, cz, ..), &done) in self.claims.iter().zip(cleared) {
            if dz != cz {
                beyond[cz] += i128::from(done);
                beyond[dz] -= i128::from(done);
            }
        }
        (0..self.zones).all(|z| beyond[z] <= self.allowances[z] as i128)
    }
}

/// Single-unit changes of the engine's result that the checker must report, with what it must
/// report at least.
fn assert_mutations_reported(small: &SmallBook, book: &ClaimBook, s: &Settlement) {
    let allowances = small.allowances();
    let zone_over = |v: &InstexViolation, zone: &str| match v {
        InstexViolation::BeyondAllowance { zone: z, .. }
        | InstexViolation::ZoneBalance { zone: z, .. } => z.as_str() == zone,
        _ => false,
    };
    for (i, c) in book.claims().iter().enumerate() {
        let mut raised = s.cleared.clone();
        raised[i] += 1;
        let v = check_settlement_with_allowances(book, &with_cleared(book, s, raised), &allowances);
        let full = s.cleared[i] == c.amount;
        let found = if full {
            v.iter()
                .any(|v| matches!(v, InstexViolation::Bounds { id } if *id == c.id))
        } else {
            // Only the allowance of the creditor's zone can hold back a claim with room.
            v.iter().any(|v| zone_over(v, c.creditor_zone.as_str()))
        };
        assert!(found, "raising {} by 1: {v:?}", c.id);

        if s.cleared[i] > 0 {
            let mut lowered = s.cleared.clone();
            lowered[i] -= 1;
            let lowered = with_cleared(book, s, lowered);
            let v = check_settlement_with_allowances(book, &lowered, &allowances);
            assert!(!v.is_empty(), "lowering {} by 1 is not reported", c.id);
        }
    }
    // Each zone that uses its allowance, checked against one unit less.
    for t in &s.zones {
        let zone = t.zone.as_ref().unwrap().as_str();
        if t.beyond_counter_flow <= 0 {
            continue;
        }
        let beyond = t.beyond_counter_flow as u128;
        let mut tighter = small.allowances.clone();
        tighter[ZONES.iter().position(|&z| z == zone).unwrap()] = beyond - 1;
        let tighter = SmallBook {
            allowances: tighter,
            ..small.clone()
        };
        let v = check_settlement_with_allowances(book, s, &tighter.allowances());
        let over = v.iter().find(|v| zone_over(v, zone));
        // Without a positive allowance left for a zone with claims, the currency must balance
        // exactly, and the zone is reported out of balance instead.
        if let Some(InstexViolation::BeyondAllowance {
            beyond: b,
            allowance,
            ..
        }) = over
        {
            assert_eq!((*b, *allowance), (beyond, beyond - 1), "{zone}");
        }
        assert!(over.is_some(), "{zone}: {v:?}");
    }
}

/// Random books in two currencies, with allowances, larger than the brute force can take.
fn random_rows_and_allowances() -> impl Strategy<Value = (String, Vec<Allowance>)> {
    let claim = (
        0..4usize,
        0..4usize,
        0..6u8,
        1..50i64,
        0..3u32,
        0..2usize,
        0..28u8,
    );
    let rows = prop::collection::vec(claim, 0..25).prop_map(|claims| {
        let mut rows = String::new();
        for (i, (dz, cz, who, amount, priority, cur, day)) in claims.into_iter().enumerate() {
            let currency = ["EUR", "USD"][cur];
            rows += &format!(
                "c{i},d{who}-{dz},{},k{who}-{cz},{},{amount},{currency},{priority},2026-01-{:02}\n",
                ZONES[dz],
                ZONES[cz],
                day + 1,
            );
        }
        rows
    });
    let one = (0..4usize, 0..2usize, 0..60u128)
        .prop_map(|(z, cur, amount)| allowance(ZONES[z], ["EUR", "USD"][cur], amount));
    (rows, prop::collection::vec(one, 0..6))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The engine finds the brute-force lexicographic maximum, the checker accepts it, and
    /// every single-unit change of it is reported.
    #[test]
    fn small_books_reach_the_brute_force_maximum(small in small_book()) {
        let book = small.book();
        let s = settle_checked(&book, &small.allowances());
        prop_assert_eq!(&s.cleared, &small.brute_force());
        assert_mutations_reported(&small, &book, &s);
    }

    /// Every random book settles with every invariant holding, with and without set-off.
    #[test]
    fn random_books_with_allowances_satisfy_every_invariant(
        (rows, allowances) in random_rows_and_allowances(),
        set_off_domestic in any::<bool>(),
    ) {
        let book = book(&rows);
        let options = Options { set_off_domestic };
        let s = settle_with_allowances(&book, options, &allowances).expect("settle");
        let violations = check_settlement_with_allowances(&book, &s, &allowances);
        prop_assert!(violations.is_empty(), "violations: {:?}", violations);
    }
}
