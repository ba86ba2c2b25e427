//! The house end to end through its API, on both backends: onboarding with screening, claims
//! with their ordered checks, review with four eyes, rescreening, two clearing cycles with their
//! settlement files, idempotency, and the same state after opening the database again.

use std::collections::BTreeSet;
use std::path::Path;

use house::{
    AlertStatus, CaseStatus, ClaimRecord, ClaimStatus, HouseError, NameRole, OnboardingInput,
    Outcome, ParticipantStatus, Verdict,
};
use ledger::PendingStatus;
use sha2::{Digest, Sha256};

use crate::support::*;

#[test]
fn the_house_end_to_end() {
    each_backend(end_to_end);
}

/// The steps of a claim's checks, in order.
fn steps(claim: &ClaimRecord) -> Vec<&str> {
    claim.checks.iter().map(|c| c.step.as_str()).collect()
}

/// The live reservation of a claim: pending on the ledger, debtor to creditor, for what is
/// still owed.
#[track_caller]
fn assert_reserved(env: &Env, claim: &ClaimRecord) {
    let id = claim.reserve_transfer.expect("a reservation");
    let found = env.house.store().lookup_transfers(&[id]).unwrap();
    assert_eq!(
        found.len(),
        1,
        "reservation {id} of {}",
        claim.submission.id
    );
    let (transfer, state) = &found[0];
    assert_eq!(
        state.map(|s| s.status),
        Some(PendingStatus::Pending),
        "{transfer:?}"
    );
    assert_eq!(transfer.amount, claim.remaining_minor() as u64);
    let account = |p: &str| env.house.participant(p).unwrap().account_id;
    assert_eq!(transfer.debit_account_id, account(&claim.submission.debtor));
    assert_eq!(
        transfer.credit_account_id,
        account(&claim.submission.creditor)
    );
}

/// Onboards a firm with a listed owner or director: it waits for review with one open alert
/// per hit, all in one case about it. Returns the case.
fn assert_under_review(env: &Env, input: &OnboardingInput, role: NameRole) -> String {
    let rec = env.house.onboard("operator", input).unwrap();
    assert_eq!(rec.status, ParticipantStatus::PendingReview, "{}", input.id);
    let hits: usize = rec.screening.iter().map(|s| s.hits.len()).sum();
    assert!(hits >= 1);
    assert!(
        rec.screening
            .iter()
            .filter(|s| !s.hits.is_empty())
            .all(|s| s.role == role),
        "{:?}",
        rec.screening
    );
    let alerts = env.house.alerts(None, Some(&input.id)).unwrap();
    assert_eq!(alerts.len(), hits, "one alert per hit");
    assert_eq!(rec.open_alerts.len(), hits);
    let case_id = alerts[0].case.clone();
    for a in &alerts {
        assert_eq!(a.status, AlertStatus::Open);
        assert_eq!(a.code, "sanctions_hit");
        assert_eq!(a.subject, format!("participant:{}", input.id));
        assert_eq!(a.case, case_id);
        assert!(rec.open_alerts.contains(&a.id));
    }
    let (case, case_alerts, audit) = env.house.case(&case_id).unwrap();
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!(case.subject, format!("participant:{}", input.id));
    let ids = |list: &[house::Alert]| list.iter().map(|a| a.id.clone()).collect::<BTreeSet<_>>();
    assert_eq!(ids(&case_alerts), ids(&alerts));
    assert_eq!(
        case.alerts.iter().cloned().collect::<BTreeSet<_>>(),
        ids(&alerts)
    );
    assert!(audit.iter().any(|r| r.action == "case.opened"));
    env.tick();
    case_id
}

/// A claim on or by a participant under review is rejected at the first check.
#[track_caller]
fn assert_rejected_at_parties(env: &Env, submission: &house::ClaimSubmission, who: &str) {
    let out = env.house.submit_claim("operator", submission).unwrap();
    let c = out.claim;
    assert_eq!(c.status, ClaimStatus::Rejected, "{}", submission.id);
    assert_eq!(steps(&c), ["parties"]);
    assert_eq!(c.checks[0].outcome, Outcome::Reject);
    assert!(c.checks[0].findings[0].contains(who), "{:?}", c.checks);
    assert!(c.rejection.as_deref().unwrap_or_default().contains(who));
    assert_eq!(c.reserve_transfer, None);
    assert_eq!(c.case, None);
    env.tick();
}

fn end_to_end(db: TestDb) {
    let env = Env::new(db);
    assert!(matches!(
        house::House::init(
            env.db.open(&env.clock),
            env.clock.clock(),
            lists(),
            checker(),
            house::config::example(),
            "operator"
        ),
        Err(HouseError::NotAllowed(_))
    ));

    // Onboarding.
    onboard_clean(&env);
    let soleimani = firm(
        "ir-pars-machinery",
        "Pars Tejarat Machinery Co.",
        "IR",
        "IR",
        "IR550160000000500788800006",
        "KESHIRTH",
        person("Javad Mousavi", "1970-01-20", "IR"),
        person("Qassem Soleimani", "", "IR"),
    );
    assert_under_review(&env, &soleimani, NameRole::Director);
    let moghaddam = firm(
        "eu-alpen",
        "Alpen Industriehandel GmbH",
        "AT",
        "EU",
        "AT611904300234573201",
        "BKAUATWW",
        person("Saeed Hashemi Moghaddam", "", "IR"),
        person("Florian Huber", "1977-05-05", "AT"),
    );
    let alpen_case = assert_under_review(&env, &moghaddam, NameRole::BeneficialOwner);
    // The same details again answer with the record as it is.
    let again = env.house.onboard("operator", &moghaddam).unwrap();
    assert_eq!(again.status, ParticipantStatus::PendingReview);
    assert_eq!(env.house.alerts(None, Some("eu-alpen")).unwrap().len(), 1);
    assert_eq!(env.house.participants(None).unwrap().len(), 10);
    assert_eq!(
        env.house
            .participants(Some(ParticipantStatus::Active))
            .unwrap()
            .len(),
        8
    );

    // Claims to and from firms under review: rejected at the parties check.
    let mut to_pars = bearings("c-machinery", 30);
    to_pars.debtor = "ir-pars-machinery".into();
    to_pars.invoice_counterparty.name = "Pars Tejarat Machinery Co.".into();
    assert_rejected_at_parties(&env, &to_pars, "ir-pars-machinery");
    let mut from_alpen = medicines("c-alpen", 100);
    from_alpen.creditor = "eu-alpen".into();
    assert_rejected_at_parties(&env, &from_alpen, "eu-alpen");

    // Medicines: passed, reserved on the ledger, queued once the importer accepts, cleared
    // first.
    let medicines_first = env
        .house
        .submit_claim("eu-pharma", &medicines("c-medicines", 2000))
        .unwrap();
    assert!(!medicines_first.replayed);
    let med = &medicines_first.claim;
    assert_eq!(med.status, ClaimStatus::AwaitingAcceptance);
    assert_eq!(
        steps(med),
        [
            "parties",
            "duplicates",
            "counterparty",
            "goods",
            "prices",
            "monitoring"
        ]
    );
    assert!(med.checks.iter().all(|c| c.outcome == Outcome::Pass));
    assert_eq!(med.priority, 0, "medicines are humanitarian");
    assert_eq!(med.clearing_amount_minor, 8_450_000);
    assert_eq!(
        (med.creditor_zone.as_str(), med.debtor_zone.as_str()),
        ("EU", "IR")
    );
    assert!(med.alerts.is_empty() && med.case.is_none());
    assert_reserved(&env, med);
    let accepted = env
        .house
        .accept_claim("darou.user", "ir-darou", "c-medicines")
        .unwrap();
    assert_eq!(accepted.status, ClaimStatus::Queued);
    assert_eq!(accepted.reserve_transfer, med.reserve_transfer);
    env.tick();

    // Pistachios invoiced in rials: converted at the agreed rate.
    let pist = env
        .house
        .submit_accepted("ir-kerman", &pistachios("c-pistachios", 8000))
        .unwrap()
        .claim;
    assert_eq!(pist.status, ClaimStatus::Queued, "{:?}", pist.checks);
    assert_eq!(pist.clearing_amount_minor, 7_000_000);
    assert_reserved(&env, &pist);
    env.tick();

    // Common High Priority List items: held with a case, nothing reserved.
    let mut held = Vec::new();
    for (id, articles) in [("c-bearings", 120), ("c-bearings-2", 100)] {
        let c = env
            .house
            .submit_claim("eu-medtech", &bearings(id, articles))
            .unwrap()
            .claim;
        assert_eq!(c.status, ClaimStatus::Held, "{id}");
        assert_eq!(
            steps(&c),
            [
                "parties",
                "duplicates",
                "counterparty",
                "goods",
                "prices",
                "monitoring"
            ]
        );
        let goods = c.checks.iter().find(|k| k.step == "goods").unwrap();
        assert_eq!(goods.outcome, Outcome::Hold);
        assert!(
            goods
                .findings
                .iter()
                .any(|f| f.contains("Common High Priority List")),
            "{:?}",
            goods.findings
        );
        assert_eq!(c.reserve_transfer, None);
        assert_eq!(c.priority, 1);
        let case_id = c.case.clone().expect("a case");
        let (case, alerts, _) = env.house.case(&case_id).unwrap();
        assert_eq!(case.subject, format!("claim:{id}"));
        assert_eq!(case.status, CaseStatus::Open);
        assert_eq!(case.alerts, c.alerts);
        assert!(!alerts.is_empty());
        assert!(alerts.iter().all(|a| a.status == AlertStatus::Open));
        held.push((c, case_id));
        env.tick();
    }
    let (bearings_claim, bearings_case) = held[0].clone();
    let (_, bearings2_case) = held[1].clone();
    assert_eq!(bearings_claim.reserve_transfer, None);
    // The importer accepts the first in advance: it stays held until its case releases it.
    let in_advance = env
        .house
        .accept_claim("medequip.user", "ir-medequip", "c-bearings")
        .unwrap();
    assert_eq!(in_advance.status, ClaimStatus::Held);
    assert!(in_advance.acceptance.is_some());

    // Four eyes.
    let first = env
        .house
        .decide(
            "a.novak",
            &bearings_case,
            Verdict::Release,
            "end-use certificate checked",
        )
        .unwrap();
    assert!(first.awaiting_second);
    assert_eq!(first.case.status, CaseStatus::AwaitingSecond);
    assert_eq!(
        env.house.claim("c-bearings").unwrap().status,
        ClaimStatus::Held
    );
    env.tick();
    let before = snapshot(&env.house);
    assert!(matches!(
        env.house
            .decide("a.novak", &bearings_case, Verdict::Release, "again"),
        Err(HouseError::NotAllowed(_))
    ));
    assert_eq!(
        snapshot(&env.house),
        before,
        "a refused decision writes nothing"
    );
    let second = env
        .house
        .decide(
            "b.laurent",
            &bearings_case,
            Verdict::Release,
            "agreed with the pump manual",
        )
        .unwrap();
    assert!(!second.awaiting_second);
    assert_eq!(second.case.status, CaseStatus::Released);
    assert_eq!(second.subject_status, "queued");
    let officers: Vec<&str> = second
        .case
        .decisions
        .iter()
        .map(|d| d.officer.as_str())
        .collect();
    assert_eq!(officers, ["a.novak", "b.laurent"]);
    let released = env.house.claim("c-bearings").unwrap();
    assert_eq!(released.status, ClaimStatus::Queued);
    assert_eq!(released.case, None);
    assert_reserved(&env, &released);
    let (_, alerts, audit) = env.house.case(&bearings_case).unwrap();
    assert!(alerts.iter().all(|a| a.status == AlertStatus::Cleared));
    assert_eq!(
        audit.iter().filter(|r| r.action == "case.decided").count(),
        2
    );
    assert!(matches!(
        env.house
            .decide("c.weber", &bearings_case, Verdict::Reject, "too late"),
        Err(HouseError::NotAllowed(_))
    ));
    env.tick();

    // Reassignment; a rejection needs one officer.
    assert!(matches!(
        env.house
            .reassign("a.novak", &bearings2_case, "b.laurent", "I am busy"),
        Err(HouseError::NotAllowed(_))
    ));
    let reassigned = env
        .house
        .reassign(
            "c.weber",
            &bearings2_case,
            "b.laurent",
            "b.laurent handles CHPL",
        )
        .unwrap();
    assert_eq!(reassigned.assignee.as_deref(), Some("b.laurent"));
    assert_eq!(
        env.house
            .case(&bearings2_case)
            .unwrap()
            .0
            .assignee
            .as_deref(),
        Some("b.laurent")
    );
    assert!(matches!(
        env.house
            .decide("a.novak", &bearings2_case, Verdict::Release, "looks fine"),
        Err(HouseError::NotAllowed(_))
    ));
    let rejected = env
        .house
        .decide(
            "b.laurent",
            &bearings2_case,
            Verdict::Reject,
            "no end-use certificate",
        )
        .unwrap();
    assert_eq!(rejected.case.status, CaseStatus::Rejected);
    assert_eq!(rejected.subject_status, "rejected");
    let c = env.house.claim("c-bearings-2").unwrap();
    assert_eq!(c.status, ClaimStatus::Rejected);
    assert!(c.rejection.is_some() && c.reserve_transfer.is_none());
    let (_, alerts, audit) = env.house.case(&bearings2_case).unwrap();
    assert!(alerts.iter().all(|a| a.status == AlertStatus::Confirmed));
    assert!(audit.iter().any(|r| r.action == "case.reassigned"));
    // A supervisor may also hand over a participant's case; it stays open.
    let alpen = env
        .house
        .reassign("c.weber", &alpen_case, "a.novak", "EU FSF cases")
        .unwrap();
    assert_eq!(alpen.status, CaseStatus::Open);
    env.tick();

    // Idempotency.
    let before = snapshot(&env.house);
    let replay = env
        .house
        .submit_claim("eu-pharma", &medicines("c-medicines", 2000))
        .unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.claim, medicines_first.claim);
    let mut other_body = medicines("c-medicines", 2000);
    other_body.invoice_number = "INV-another".into();
    match env.house.submit_claim("eu-pharma", &other_body) {
        Err(HouseError::IdempotencyConflict { key, first, this }) => {
            assert_eq!(key, "key-c-medicines");
            assert_ne!(first, this);
        }
        other => panic!("expected an idempotency conflict, got {other:?}"),
    }
    let mut other_key = medicines("c-medicines", 2000);
    other_key.idempotency_key = "key-c-medicines-bis".into();
    assert_eq!(
        invalid_field(env.house.submit_claim("eu-pharma", &other_key)),
        "id"
    );
    assert_eq!(
        snapshot(&env.house),
        before,
        "replays and refusals write nothing"
    );

    // Rescreening with the same lists finds nothing new.
    let report = env.house.rescreen("operator", lists()).unwrap();
    assert!(report.new_alerts.is_empty(), "{report:?}");
    assert!(report.suspended.is_empty() && report.held.is_empty());
    assert!(report.gone.is_empty());
    assert_eq!(report.participants, 10);
    assert_eq!(
        snapshot(&env.house),
        before,
        "rescreening with the same lists"
    );
    env.tick();

    // Cycle 1: 70,000 EUR each way cleared; medicines first (humanitarian).
    let report = env.run_and_settle();
    let cycle = &report.cycle;
    assert_eq!(cycle.number, 1);
    let status = |id: &str| env.house.claim(id).unwrap().status;
    assert_eq!(status("c-pistachios"), ClaimStatus::Cleared);
    assert_eq!(status("c-medicines"), ClaimStatus::PartiallyCleared);
    assert_eq!(status("c-bearings"), ClaimStatus::Queued);
    assert_eq!(status("c-bearings-2"), ClaimStatus::Rejected);
    let taken: BTreeSet<&str> = cycle.claims.iter().map(|c| c.claim.as_str()).collect();
    assert_eq!(
        taken,
        BTreeSet::from(["c-bearings", "c-medicines", "c-pistachios"])
    );
    for c in &cycle.claims {
        assert_eq!(c.status_after, status(&c.claim), "{}", c.claim);
    }
    let med = env.house.claim("c-medicines").unwrap();
    assert_eq!(med.cleared_minor, 7_000_000);
    assert_eq!(med.settlements.len(), 1);
    assert_reserved(&env, &med);
    // The first reservation was posted, not left pending.
    let first_reservation = medicines_first.claim.reserve_transfer.unwrap();
    let posted = env
        .house
        .store()
        .lookup_transfers(&[first_reservation])
        .unwrap();
    assert_eq!(posted[0].1.map(|s| s.status), Some(PendingStatus::Posted));
    assert_reserved(&env, &env.house.claim("c-bearings").unwrap());
    assert_cycle_balances(&env, &report);
    let names: BTreeSet<&str> = cycle.files.iter().map(|f| f.path.as_str()).collect();
    for expected in [
        "EU/requests-EU.pain013.xml",
        "EU/requests-EU.csv",
        "IR/requests-IR.pain013.xml",
        "IR/requests-IR.csv",
        "EU/payouts-1-EU.pain001.xml",
        "IR/payouts-2-IR.pain001.xml",
        "EU/house-account-cycle-1-EU.camt053.xml",
        "IR/house-account-cycle-1-IR.camt053.xml",
        "EU/statement-cycle-1-eu-pharma.camt053.xml",
        "EU/statement-cycle-1-eu-pharma.csv",
        "EU/statement-cycle-1-eu-nl-foods.camt053.xml",
        "EU/statement-cycle-1-eu-nl-foods.csv",
        "IR/statement-cycle-1-ir-darou.camt053.xml",
        "IR/statement-cycle-1-ir-darou.csv",
        "IR/statement-cycle-1-ir-kerman.camt053.xml",
        "IR/statement-cycle-1-ir-kerman.csv",
    ] {
        assert!(
            names.contains(expected),
            "{expected} missing from {names:?}"
        );
    }
    let eu = cycle.zones.iter().find(|z| z.zone == "EU").unwrap();
    let ir = cycle.zones.iter().find(|z| z.zone == "IR").unwrap();
    assert_eq!(eu.paid_in_minor, 7_000_000);
    assert_eq!(ir.paid_in_minor, 7_000_000 * 480_000);
    env.tick();

    // Cycle 2: pistachios the other way clear what medicines still owed, then part of the
    // bearings.
    let pist2 = env
        .house
        .submit_accepted("ir-kerman", &pistachios("c-pistachios-2", 2000))
        .unwrap()
        .claim;
    assert_eq!(pist2.status, ClaimStatus::Queued, "{:?}", pist2.checks);
    assert_eq!(pist2.clearing_amount_minor, 1_750_000);
    env.tick();
    let report2 = env.run_and_settle();
    assert_eq!(report2.cycle.number, 2);
    let cleared: i64 = report2.cycle.claims.iter().map(|c| c.cleared_minor).sum();
    assert_eq!(cleared, 2 * 1_750_000);
    assert_eq!(status("c-medicines"), ClaimStatus::Cleared);
    assert_eq!(status("c-pistachios-2"), ClaimStatus::Cleared);
    assert_eq!(status("c-bearings"), ClaimStatus::PartiallyCleared);
    let med = env.house.claim("c-medicines").unwrap();
    assert_eq!(med.settlements.len(), 2);
    assert_eq!(med.cleared_minor, med.clearing_amount_minor);
    assert_eq!(med.reserve_transfer, None);
    let bearings = env.house.claim("c-bearings").unwrap();
    assert_eq!(bearings.cleared_minor, 300_000);
    assert_reserved(&env, &bearings);
    assert_cycle_balances(&env, &report2);
    assert_eq!(env.house.cycles().unwrap().len(), 2);
    env.tick();

    // Open the database again: the same state.
    let participants = env.house.participants(None).unwrap();
    let claims = env.house.claims(None, None, house::LIST_MAX).unwrap();
    let cases = env.house.cases(None).unwrap();
    let alerts = env.house.alerts(None, None).unwrap();
    let cycles = env.house.cycles().unwrap();
    let config = env.house.config().clone();
    let before = snapshot(&env.house);
    let env = env.reopen();
    assert_eq!(env.house.participants(None).unwrap(), participants);
    assert_eq!(
        env.house.claims(None, None, house::LIST_MAX).unwrap(),
        claims
    );
    assert_eq!(env.house.cases(None).unwrap(), cases);
    assert_eq!(env.house.alerts(None, None).unwrap(), alerts);
    assert_eq!(env.house.cycles().unwrap(), cycles);
    assert_eq!(env.house.config(), &config);
    assert_eq!(snapshot(&env.house), before);
    let replay = env
        .house
        .submit_claim("eu-pharma", &medicines("c-medicines", 2000))
        .unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.claim, medicines_first.claim);
    let verified = env.house.verify().unwrap();
    assert!(verified.is_ok(), "{:?}", verified.problems);
    assert_eq!((verified.claims, verified.cycles), (claims.len(), 2));
}

/// A cycle's files exist with the hashes its record names, each zone pays out what it collects,
/// every statement closes at its opening balance, and both verifications pass.
fn assert_cycle_balances(env: &Env, report: &house::CycleReport) {
    let cycle = &report.cycle;
    assert_eq!(env.house.cycle(cycle.number).unwrap(), *cycle);
    assert!(!cycle.files.is_empty());
    for f in &cycle.files {
        let bytes = std::fs::read(Path::new(&report.directory).join(&f.path))
            .unwrap_or_else(|e| panic!("{}: {e}", f.path));
        assert_eq!(hex::encode(Sha256::digest(&bytes)), f.sha256, "{}", f.path);
    }
    for z in &cycle.zones {
        assert_eq!(z.paid_in_minor, z.paid_out_minor, "zone {}", z.zone);
        assert!(z.paid_in_minor > 0, "zone {}", z.zone);
    }
    for p in &cycle.payments {
        let participant = env.house.participant(&p.participant).unwrap();
        assert_eq!(participant.participant.zone().as_str(), p.zone);
    }
    let involved: BTreeSet<&str> = cycle
        .claims
        .iter()
        .filter(|c| c.cleared_minor > 0)
        .flat_map(|c| [c.creditor.as_str(), c.debtor.as_str()])
        .collect();
    assert!(!involved.is_empty());
    for p in involved {
        let s = env.house.statement(p, cycle.number).unwrap();
        assert!(!s.lines.is_empty(), "{p}");
        assert_eq!(s.closing_minor, s.opening_minor, "{p}: {s:?}");
    }
    let house_report = env.house.verify().unwrap();
    assert!(house_report.is_ok(), "{:?}", house_report.problems);
    let ledger = env.house.store().verify().unwrap();
    assert!(ledger.is_ok(), "{:?}", ledger.problems);
}

/// A list update puts the director of an importer with a queued claim on a list: the importer is
/// suspended, its claim is not cleared while it is, and when an officer rejects the importer the
/// claim is rejected with it and its reservation released on the ledger.
#[test]
fn rejecting_a_suspended_participant_rejects_its_open_claims() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let queued = env
            .house
            .submit_accepted(
                "eu-pharma",
                &medicines_to(
                    "c-before-listing",
                    "ir-darou",
                    "Darou Pakhsh Distribution Co.",
                    20,
                ),
            )
            .unwrap()
            .claim;
        assert_eq!(queued.status, ClaimStatus::Queued);
        let director = env
            .house
            .participant("ir-darou")
            .unwrap()
            .participant
            .directors()[0]
            .name()
            .to_owned();
        let line = format!(
            r#"{{"id":"added-1","schema":"Person","properties":{{"name":["{director}"]}},"datasets":["test_list"]}}"#
        );
        let added = screening::lists::parse_files(vec![screening::lists::InputFile {
            name: "added.ftm.json".into(),
            bytes: line.into_bytes(),
        }])
        .unwrap();
        let mut entities: Vec<screening::Entity> = lists().screener.entities().to_vec();
        entities.extend(added.into_iter().flat_map(|l| l.entities));
        let report = env
            .house
            .rescreen("lists-update", house::Lists::index(entities, "with-added"))
            .unwrap();
        assert_eq!(report.suspended, ["ir-darou"]);
        env.tick();
        let cycle = env.run_and_settle();
        assert!(cycle.skipped.contains(&"c-before-listing".to_owned()));
        let case = env
            .house
            .cases(Some(CaseStatus::Open))
            .unwrap()
            .into_iter()
            .find(|c| c.subject == "participant:ir-darou")
            .expect("a case about the importer");
        env.house
            .decide(
                "a.novak",
                &case.id,
                Verdict::Reject,
                "The director is the listed person",
            )
            .unwrap();
        assert_eq!(
            env.house.participant("ir-darou").unwrap().status,
            ParticipantStatus::Rejected
        );
        let claim = env.house.claim("c-before-listing").unwrap();
        assert_eq!(claim.status, ClaimStatus::Rejected);
        assert_eq!(claim.reserve_transfer, None);
        let reservation = queued.reserve_transfer.unwrap();
        let found = env.house.store().lookup_transfers(&[reservation]).unwrap();
        assert_eq!(found[0].1.map(|s| s.status), Some(PendingStatus::Voided));
        assert!(env.house.verify().unwrap().is_ok());
        assert!(env.house.store().verify().unwrap().is_ok());
    });
}

/// With no reference file, the price bands learn from the claims the house accepted: after a
/// run of wheat at about 0.25 EUR/kg, wheat at 1.30 EUR/kg is held as over-invoiced, and wheat
/// at 0.26 EUR/kg passes.
#[test]
fn price_bands_learn_from_accepted_claims() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let debtors = [
            ("ir-darou", "Darou Pakhsh Distribution Co."),
            ("ir-gandom", "Gandom Food Industries"),
            ("ir-medequip", "Tehran Medical Equipment Co."),
            ("ir-kerman", "Kerman Pistachio Export Co."),
        ];
        let wheat = |id: &str, (debtor, name): (&str, &str), cents_per_kg: i64| {
            let kg = 10_000;
            let total = kg * cents_per_kg;
            let amount = format!("{}.{:02}", total / 100, total % 100);
            claim(
                id,
                "eu-agri",
                debtor,
                name,
                &format!("EUR {amount}"),
                &[&format!("1001.99;Milling wheat;{kg} KGM;EUR {amount}")],
            )
        };
        for i in 0..8 {
            let c = wheat(&format!("c-wheat-{i}"), debtors[i % 4], 23 + (i as i64 % 5));
            let out = env.house.submit_accepted("eu-agri", &c).unwrap();
            assert_eq!(
                out.claim.status,
                ClaimStatus::Queued,
                "{:?}",
                out.claim.checks
            );
            env.tick();
        }
        assert_eq!(
            env.house.learn_prices(goods::PriceHistory::new()).unwrap(),
            8
        );
        let high = env
            .house
            .submit_accepted("eu-agri", &wheat("c-wheat-high", debtors[0], 130))
            .unwrap()
            .claim;
        assert_eq!(high.status, ClaimStatus::Held);
        let prices: Vec<_> = high.checks.iter().filter(|c| c.step == "prices").collect();
        assert_eq!(prices[0].outcome, Outcome::Hold, "{prices:?}");
        let fair = env
            .house
            .submit_accepted("eu-agri", &wheat("c-wheat-fair", debtors[1], 26))
            .unwrap()
            .claim;
        assert_eq!(fair.status, ClaimStatus::Queued, "{:?}", fair.checks);
    });
}

/// `verify` checks the house's records against the ledger: a claim record that names a posting
/// the ledger does not have, or a cleared amount its postings do not add up to, is reported.
#[test]
fn verify_finds_a_claim_whose_postings_do_not_match() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        for (id, submission) in [
            (
                "c-out",
                medicines_to("c-out", "ir-darou", "Darou Pakhsh Distribution Co.", 20),
            ),
            ("c-in", pistachios("c-in", 900)),
        ] {
            let out = env
                .house
                .submit_accepted(&submission.creditor, &submission)
                .unwrap();
            assert_eq!(out.claim.status, ClaimStatus::Queued, "{id}");
            env.tick();
        }
        env.run_and_settle();
        assert!(env.house.verify().unwrap().is_ok());
        let record = env.house.store().record("claim", "c-out").unwrap().unwrap();
        let mut claim: ClaimRecord = serde_json::from_str(&record.body).unwrap();
        assert!(!claim.settlements.is_empty(), "the cycle cleared c-out");
        claim.settlements[0].transfer_id ^= 1;
        claim.cleared_minor += 1;
        let change = store::Change {
            expect: vec![store::Expect {
                kind: "claim".into(),
                id: "c-out".into(),
                version: Some(record.version),
            }],
            put: vec![store::Record {
                version: record.version + 1,
                body: serde_json::to_string(&claim).unwrap(),
                ..record
            }],
            // The store refuses records without an audit event to bind them to.
            audit: vec![store::AuditEvent {
                actor: "test".into(),
                action: "claim.doctored".into(),
                subject: "claim:c-out".into(),
                body: "{}".into(),
            }],
            ..store::Change::default()
        };
        let applied = env.house.store().apply_change(change).unwrap();
        assert!(matches!(applied, store::Applied::Committed { .. }));
        let report = env.house.verify().unwrap();
        let text = report.problems.join("\n");
        assert!(text.contains("claim c-out: cleared"), "{text}");
        assert!(text.contains("is missing"), "{text}");
    });
}
