//! A cycle takes every eligible claim, however many: 100,000 on SQLite (12,000 on PostgreSQL,
//! enough for several parts), every check running on each submission and each claim accepted
//! by its debtor. The run is one change, its selection stored in parts: a failure in the
//! middle of its write leaves nothing of it behind, and the next run clears every claim. The
//! settlement posts the claims in as many changes as they need, each within one ledger batch,
//! and `verify` holds after.
//!
//! The claims keep the house's monitoring at its defaults: a few hundred firms per zone, each
//! an exporter or an importer (so no claim runs back to its creditor), at most
//! [`PARTY_CLAIMS_PER_DAY`] claims a day per firm (under the velocity limit) over as many days
//! as the claims need, and every pair of claims (one each way, for the same amount) keeps the
//! zones balanced, so that the whole selection clears.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use house::settlement::POST_CLAIMS_PER_CHANGE_MAX;
use house::{
    CYCLE_PART_CLAIMS_MAX, ClaimStatus, ClaimSubmission, CycleStatus, OnboardingInput, kind,
};

use crate::support::*;

/// Firms per zone: half exporters (even numbers), half importers (odd numbers).
const FIRMS_PER_ZONE: usize = 300;
/// Exporters (and importers) per zone.
const TRADERS_PER_ZONE: usize = FIRMS_PER_ZONE / 2;
/// Claims a firm makes (or owes) a day: under the default velocity limit of 20.
const PARTY_CLAIMS_PER_DAY: usize = 16;
/// Claims submitted a day: every exporter of both zones its day's claims.
const CLAIMS_PER_DAY: usize = 2 * TRADERS_PER_ZONE * PARTY_CLAIMS_PER_DAY;
/// Threads submitting at once, so that the store's writer commits them in groups.
const CLIENTS: usize = 32;
/// A claim's amount is a multiple of this (EUR 1,478.75): a whole number of kilograms of
/// medicines at EUR 42.25 (35 kg) and of pistachios at EUR 8.75 (169 kg), the reference prices.
const AMOUNT_STEP_MINOR: i64 = 147_875;
/// Most steps in one amount (up to EUR 19,223.75): well under the review threshold and its
/// structuring band, and a day's claims of a firm under the velocity amount limit.
const AMOUNT_STEPS_MAX: i64 = 13;
/// The part of the selection whose record the injected failure refuses: written after parts
/// `0..FAILING_PART` of the same change.
const FAILING_PART: u32 = 2;

#[test]
fn a_cycle_of_100_000_claims_clears_them_all_in_parts_on_sqlite() {
    let split = a_cycle_clears_every_claim(TestDb::sqlite(), 100_000);
    assert!(
        split.parts >= 20 && split.posting_changes >= 25,
        "{split:?}"
    );
}

#[test]
fn a_cycle_of_12_000_claims_clears_them_all_in_parts_on_postgres() {
    let split = a_cycle_clears_every_claim(TestDb::postgres(), 12_000);
    assert!(split.parts >= 3 && split.posting_changes >= 3, "{split:?}");
}

/// How a cycle's writes were split.
#[derive(Debug)]
struct Split {
    /// Records holding its selection.
    parts: usize,
    /// Changes that posted its claims on the ledger.
    posting_changes: usize,
}

/// Submits `claims` claims (an even number), each accepted; a cycle whose write fails in its
/// middle leaves nothing behind; the next one takes and clears them all, and they settle.
fn a_cycle_clears_every_claim(db: TestDb, claims: usize) -> Split {
    assert!(claims.is_multiple_of(2), "claims come in pairs");
    let parts = claims.div_ceil(CYCLE_PART_CLAIMS_MAX);
    assert!(
        parts > FAILING_PART as usize,
        "{claims} claims make {parts} parts: too few to fail in the middle"
    );
    let name = db.name;
    let started = Instant::now();
    let env = Env::new(db);
    onboard_traders(&env);
    submit_all(&env, claims);
    eprintln!(
        "{name}: {claims} claims submitted and accepted in {:.0} s",
        started.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    a_failed_run_leaves_nothing_behind(&env, claims);
    eprintln!(
        "{name}: failed run checked in {:.0} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let report = env
        .house
        .run_cycle("operator", &env.cycle_options())
        .unwrap_or_else(|e| panic!("cycle on {name}: {e}"));
    eprintln!("{name}: cycle run in {:.0} s", t.elapsed().as_secs_f64());
    let cycle = &report.cycle;
    assert_eq!(cycle.claims.len(), claims, "every claim taken");
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let cleared = cycle
        .claims
        .iter()
        .filter(|c| c.cleared_minor == c.owed_minor && c.status_after == ClaimStatus::Cleared)
        .count();
    assert_eq!(cleared, claims, "the zones balance: every claim clears");
    assert_eq!(cycle.claim_parts as usize, parts);
    assert_eq!(cycle.status, CycleStatus::AwaitingPayIns);
    assert_eq!(records_of(&env, kind::CYCLE_CLAIMS), parts as u64);

    let t = Instant::now();
    let audit_before = env.house.store().heads().unwrap().audit.0;
    env.pay_all(cycle.number);
    let settled = env.house.cycle(cycle.number).unwrap();
    eprintln!(
        "{name}: paid in, posted and paid out in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    assert_eq!(
        settled.status,
        CycleStatus::Settled,
        "{:?}",
        settled.positions
    );
    assert!(settled.claims.iter().all(|c| c.posted));
    assert_eq!(
        claim_statuses(&env),
        vec![("cleared".to_owned(), claims as u64)]
    );
    let postings = postings_per_change(&env, cycle.number, audit_before);
    assert_eq!(postings.iter().sum::<usize>(), claims);
    assert!(
        postings.len() >= claims.div_ceil(POST_CLAIMS_PER_CHANGE_MAX),
        "{postings:?}"
    );
    // Each claim clears in full: one transfer (its reservation posted) per claim of a change.
    let largest = postings.iter().copied().max().unwrap_or_default();
    assert!(largest <= POST_CLAIMS_PER_CHANGE_MAX, "{postings:?}");
    assert!(largest <= ledger::BATCH_EVENTS_MAX, "{postings:?}");

    let t = Instant::now();
    assert_verified(&env);
    eprintln!(
        "{name}: verified in {:.0} s; {:.0} s in all",
        t.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Split {
        parts,
        posting_changes: postings.len(),
    }
}

/// A run whose write is refused at part [`FAILING_PART`] of its selection (a trigger, after
/// the parts before it were written in the same transaction) fails and leaves nothing: no
/// cycle, no part, no file, every claim queued, neither journal moved, `verify` ok.
fn a_failed_run_leaves_nothing_behind(env: &Env, claims: usize) {
    let heads = env.house.store().heads().unwrap();
    fail_writes_of_part(&env.db, FAILING_PART);
    let err = env
        .house
        .run_cycle("operator", &env.cycle_options())
        .expect_err("the trigger refuses the cycle's part");
    assert!(err.to_string().contains("injected failure"), "{err}");
    allow_writes_of_parts(&env.db);
    for kind in [kind::CYCLE, kind::CYCLE_CLAIMS, kind::CYCLE_KEY] {
        assert_eq!(records_of(env, kind), 0, "{kind}");
    }
    assert_eq!(
        claim_statuses(env),
        vec![("queued".to_owned(), claims as u64)]
    );
    assert_eq!(env.house.store().heads().unwrap(), heads, "a journal moved");
    let files: Vec<_> = std::fs::read_dir(env.out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        files.is_empty(),
        "left in the settlement directory: {files:?}"
    );
    assert_verified(env);
}

/// Makes the database refuse to write part `part` of cycle 1's selection.
fn fail_writes_of_part(db: &TestDb, part: u32) {
    let id = format!("{:010}-{part:05}", 1);
    let kind = kind::CYCLE_CLAIMS;
    let sql = match db.location {
        store::Location::Sqlite(_) => format!(
            "CREATE TRIGGER fail_cycle_part BEFORE INSERT ON record_keys
             WHEN NEW.kind = '{kind}' AND NEW.id = '{id}'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
        ),
        store::Location::Postgres(_) => format!(
            "CREATE FUNCTION fail_cycle_part() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
             CREATE TRIGGER fail_cycle_part BEFORE INSERT ON record_keys FOR EACH ROW
               WHEN (NEW.kind = '{kind}' AND NEW.id = '{id}')
               EXECUTE FUNCTION fail_cycle_part();"
        ),
    };
    db.execute(&sql);
}

/// Removes what [`fail_writes_of_part`] made.
fn allow_writes_of_parts(db: &TestDb) {
    db.execute(match db.location {
        store::Location::Sqlite(_) => "DROP TRIGGER fail_cycle_part",
        store::Location::Postgres(_) => {
            "DROP TRIGGER fail_cycle_part ON record_keys; DROP FUNCTION fail_cycle_part()"
        }
    });
}

fn assert_verified(env: &Env) {
    let report = env.house.verify().unwrap();
    assert!(report.is_ok(), "{} {:?}", env.db.name, report.problems);
    let ledger = env.house.store().verify().unwrap();
    assert!(ledger.is_ok(), "{} {:?}", env.db.name, ledger.problems);
}

/// How many records of `kind` there are.
fn records_of(env: &Env, kind: &str) -> u64 {
    let store = env.house.store();
    let (mut n, mut after) = (0, None);
    loop {
        let page = store
            .records_by_id(kind, after.as_deref(), store::records::RECORDS_LIMIT_MAX)
            .unwrap();
        n += page.len() as u64;
        match page.last() {
            Some(last) => after = Some(last.id.clone()),
            None => return n,
        }
    }
}

/// How many claims are in each state.
fn claim_statuses(env: &Env) -> Vec<(String, u64)> {
    env.house.store().count_by_status(kind::CLAIM).unwrap()
}

/// The claims each change posting cycle `n`'s claims posted, from the audit journal after
/// position `after`.
fn postings_per_change(env: &Env, n: u64, after: u64) -> Vec<usize> {
    let subject = format!("cycle:{n}");
    let mut postings = Vec::new();
    let mut after = after;
    loop {
        let rows = env
            .house
            .store()
            .audit(after, Some(&subject), store::LIST_LIMIT_MAX)
            .unwrap();
        let Some(last) = rows.last() else {
            return postings;
        };
        after = last.seq;
        for row in rows.iter().filter(|r| r.action == "cycle.claims_posted") {
            let body: serde_json::Value = serde_json::from_str(&row.body).unwrap();
            postings.push(body["claims"].as_array().expect("claims posted").len());
        }
    }
}

/// Onboards [`FIRMS_PER_ZONE`] firms in each zone; every one must come out active.
fn onboard_traders(env: &Env) {
    for zone in ["EU", "IR"] {
        for i in 0..FIRMS_PER_ZONE {
            onboard_active(env, &firm_of(zone, i));
        }
    }
    env.tick();
}

/// Firm `i` of `zone`.
fn firm_of(zone: &str, i: usize) -> OnboardingInput {
    let (country, bban, bic, name) = match zone {
        "EU" => (
            "DE",
            format!("37040044{i:010}"),
            "COBADEFFXXX",
            format!("Grosshandel Nummer {i:04} GmbH"),
        ),
        _ => (
            "IR",
            format!("017{i:019}"),
            "MELIIRTH",
            format!("Bazargani Shomareh {i:04} Co."),
        ),
    };
    OnboardingInput {
        id: firm_id(zone, i),
        legal_name: name,
        registration_number: format!("REG-{zone}-{i}"),
        country: country.into(),
        zone: zone.into(),
        lei: None,
        iban: iban(country, &bban),
        bic: bic.into(),
        bank_name: None,
        beneficial_owners: Vec::new(),
        directors: Vec::new(),
    }
}

fn firm_id(zone: &str, i: usize) -> String {
    format!("{}-{i:04}", zone.to_lowercase())
}

/// An IBAN with its check digits computed (ISO 13616, mod 97).
fn iban(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let remainder = rearranged
        .chars()
        .filter_map(|c| c.to_digit(36))
        .fold(0u32, |r, d| {
            if d < 10 {
                (r * 10 + d) % 97
            } else {
                (r * 100 + d) % 97
            }
        });
    format!("{country}{:02}{bban}", 98 - remainder)
}

/// Submits claims `0..claims`, day by day ([`CLAIMS_PER_DAY`] a day), from [`CLIENTS`]
/// threads; each is accepted by its debtor and must be queued.
fn submit_all(env: &Env, claims: usize) {
    for day_start in (0..claims).step_by(CLAIMS_PER_DAY) {
        let day_end = (day_start + CLAIMS_PER_DAY).min(claims);
        let next = AtomicUsize::new(day_start);
        std::thread::scope(|scope| {
            for _ in 0..CLIENTS {
                scope.spawn(|| {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= day_end {
                            return;
                        }
                        let submission = claim_number(k);
                        let outcome = env
                            .house
                            .submit_accepted(&submission.creditor, &submission)
                            .unwrap_or_else(|e| panic!("claim {k}: {e}"));
                        assert_eq!(
                            outcome.claim.status,
                            ClaimStatus::Queued,
                            "claim {k}: {:?}",
                            outcome.claim
                        );
                    }
                });
            }
        });
        env.clock.advance(model::calendar::DAY_NS);
    }
}

/// Claim `k`. Claims `2p` and `2p + 1` are a pair of the same amount: medicines from an EU
/// exporter to an Iranian importer, and pistachios from an Iranian exporter to an EU importer.
/// Over a day each exporter claims on [`PARTY_CLAIMS_PER_DAY`] importers, and each importer
/// owes as many claims, every one to another exporter.
fn claim_number(k: usize) -> ClaimSubmission {
    let pair = k / 2;
    let of_day = pair % (CLAIMS_PER_DAY / 2);
    let day = pair / (CLAIMS_PER_DAY / 2);
    let exporter = of_day % TRADERS_PER_ZONE;
    let round = of_day / TRADERS_PER_ZONE;
    let importer = (exporter + round * 7 + day * 3) % TRADERS_PER_ZONE;
    let steps = 1 + (pair as i64 * 5) % AMOUNT_STEPS_MAX;
    let amount = euros(steps * AMOUNT_STEP_MINOR);
    let (creditor_zone, debtor_zone, goods) = if k.is_multiple_of(2) {
        (
            "EU",
            "IR",
            format!(
                "3004.90;Paracetamol 500 mg tablets, packaged for retail sale;{} KGM;EUR {amount}",
                steps * 35
            ),
        )
    } else {
        (
            "IR",
            "EU",
            format!(
                "0802.51;Pistachios in shell, dried;{} KGM;EUR {amount}",
                steps * 169
            ),
        )
    };
    let debtor = firm_of(debtor_zone, 2 * importer + 1);
    claim(
        &format!("big-{k:07}"),
        &firm_id(creditor_zone, 2 * exporter),
        &debtor.id,
        &debtor.legal_name,
        &format!("EUR {amount}"),
        &[&goods],
    )
}
