//! What waits for a counter-flow, on both backends: the EU exports more medicines to Iran than
//! it imports pistachios; after a cycle exactly the unmatched part waits, the oldest claim is
//! named, and the history grows cycle by cycle as one-sided claims keep coming.

use house::{ClaimStatus, HouseError, IMBALANCE_CYCLES_MAX, Imbalance, PairImbalance};

use crate::support::*;

const DAY: u64 = 86_400 * SECOND;

#[test]
fn what_waits_is_the_unmatched_side_and_grows_cycle_by_cycle() {
    each_backend(waits_and_grows);
}

/// `(debtor zone, creditor zone, claims, waiting, counter-flow, net)`, euro cents.
fn pairs(imbalance: &Imbalance) -> Vec<(&str, &str, u64, i64, i64, i64)> {
    imbalance
        .pairs
        .iter()
        .map(|p| {
            (
                p.debtor_zone.as_str(),
                p.creditor_zone.as_str(),
                p.claims,
                p.waiting.money.amount_minor(),
                p.counter_flow.money.amount_minor(),
                p.net.money.amount_minor(),
            )
        })
        .collect()
}

/// `(cycle, debtor zone, creditor zone, left waiting, cleared, change)`, euro cents.
fn history(imbalance: &Imbalance) -> Vec<(u64, String, String, i64, i64, i64)> {
    imbalance
        .history
        .iter()
        .flat_map(|c| {
            c.pairs.iter().map(move |p| {
                (
                    c.cycle,
                    p.debtor_zone.clone(),
                    p.creditor_zone.clone(),
                    p.left_waiting.money.amount_minor(),
                    p.cleared.money.amount_minor(),
                    p.change.money.amount_minor(),
                )
            })
        })
        .collect()
}

fn row(
    cycle: u64,
    debtor: &str,
    creditor: &str,
    left: i64,
    cleared: i64,
    change: i64,
) -> (u64, String, String, i64, i64, i64) {
    (cycle, debtor.into(), creditor.into(), left, cleared, change)
}

/// Submits a claim that must be accepted and queued.
#[track_caller]
fn queued(env: &Env, claim: house::ClaimSubmission) {
    let out = env
        .house
        .submit_accepted(&claim.creditor.clone(), &claim)
        .unwrap_or_else(|e| panic!("{}: {e}", env.db.name));
    assert_eq!(
        out.claim.status,
        ClaimStatus::Queued,
        "{}: {} {:?}",
        env.db.name,
        claim.id,
        out.claim.checks
    );
    env.tick();
}

fn the_pair<'a>(imbalance: &'a Imbalance, debtor: &str) -> &'a PairImbalance {
    imbalance
        .pairs
        .iter()
        .find(|p| p.debtor_zone == debtor)
        .unwrap_or_else(|| panic!("no pair from {debtor} in {:?}", imbalance.pairs))
}

fn waits_and_grows(db: TestDb) {
    let env = Env::new(db);
    let name = env.db.name;
    onboard_clean(&env);
    let nothing = env.house.imbalance(12).unwrap();
    assert_eq!(nothing.clearing_currency, "EUR");
    assert!(nothing.pairs.is_empty() && nothing.history.is_empty());

    // The EU exports medicines worth EUR 42,250.00 and 21,125.00 to Iran and imports
    // pistachios worth EUR 17,500.00; a domestic claim waits for no counter-flow.
    let first_at = env.clock.now();
    queued(
        &env,
        medicines_to(
            "c-med-1",
            "ir-darou",
            "Darou Pakhsh Distribution Co.",
            1_000,
        ),
    );
    queued(
        &env,
        medicines_to("c-med-2", "ir-gandom", "Gandom Food Industries", 500),
    );
    queued(&env, pistachios("c-pist-1", 2_000));
    queued(
        &env,
        medicines_to("c-domestic", "eu-medtech", "Medisana Strumenti S.r.l.", 100),
    );
    let (med_1, med_2, pist_1) = (4_225_000, 2_112_500, 1_750_000);
    let before = env.house.imbalance(12).unwrap();
    assert_eq!(
        pairs(&before),
        [
            ("EU", "IR", 1, pist_1, med_1 + med_2, 0),
            ("IR", "EU", 2, med_1 + med_2, pist_1, med_1 + med_2 - pist_1),
        ],
        "{name}"
    );
    assert_eq!(the_pair(&before, "EU").oldest.claim, "c-pist-1");
    assert_eq!(the_pair(&before, "IR").oldest.claim, "c-med-1");

    // Cycle 1 clears the pistachios and as much of the medicines: exactly the unmatched part
    // waits, and nothing waits the other way.
    env.run_and_settle();
    assert_eq!(
        env.house.claim("c-med-1").unwrap().status,
        ClaimStatus::PartiallyCleared
    );
    let unmatched = med_1 + med_2 - pist_1;
    env.clock.advance(3 * DAY);
    let after = env.house.imbalance(12).unwrap();
    assert_eq!(
        pairs(&after),
        [("IR", "EU", 2, unmatched, 0, unmatched)],
        "{name}"
    );
    let ir_eu = the_pair(&after, "IR");
    assert_eq!(ir_eu.oldest.claim, "c-med-1", "{name}");
    assert_eq!(ir_eu.oldest.submitted_at, first_at, "{name}");
    assert_eq!(ir_eu.oldest.age_days, 3, "{name}");
    assert_eq!(ir_eu.waiting.money.to_string(), "EUR 45875.00");
    // In rials at 480,000 per euro; the EU pays in euros at 1 and is left out.
    let in_rials: Vec<String> = ir_eu
        .waiting
        .in_zones
        .iter()
        .map(|z| format!("{} {}", z.zone, z.money))
        .collect();
    assert_eq!(in_rials, ["IR IRR 22020000000.00"]);
    assert_eq!(
        history(&after),
        [
            row(1, "EU", "IR", 0, pist_1, 0),
            row(1, "IR", "EU", unmatched, pist_1, unmatched),
        ],
        "{name}"
    );

    // More medicines and no more imports: each cycle leaves more waiting.
    let mut grown = unmatched;
    let mut expected = vec![row(1, "IR", "EU", unmatched, pist_1, unmatched)];
    for (n, kg) in [(2, 300), (3, 200)] {
        queued(
            &env,
            medicines_to(
                &format!("c-med-{}", n + 1),
                "ir-medequip",
                "Tehran Medical Equipment Co.",
                kg,
            ),
        );
        env.run_and_settle();
        env.tick();
        let added = kg * 4_225;
        grown += added;
        expected.push(row(n, "IR", "EU", grown, 0, added));
    }
    let now = env.house.imbalance(12).unwrap();
    assert_eq!(pairs(&now), [("IR", "EU", 4, grown, 0, grown)], "{name}");
    assert_eq!(the_pair(&now, "IR").oldest.claim, "c-med-1");
    let mut all = vec![row(1, "EU", "IR", 0, pist_1, 0)];
    all.extend(expected.iter().cloned());
    assert_eq!(history(&now), all, "{name}");

    // The last two cycles: cycle 2's change still counts from cycle 1.
    let last_two = env.house.imbalance(2).unwrap();
    assert_eq!(history(&last_two), expected[1..], "{name}");
    assert!(env.house.imbalance(0).unwrap().history.is_empty());
    assert!(matches!(
        env.house.imbalance(IMBALANCE_CYCLES_MAX + 1),
        Err(HouseError::Invalid { field, .. }) if field == "cycles"
    ));

    // The same after opening the database again; reading wrote nothing.
    let records = snapshot(&env.house);
    let env = env.reopen();
    assert_eq!(env.house.imbalance(12).unwrap().pairs, now.pairs);
    assert_eq!(snapshot(&env.house), records);
}
