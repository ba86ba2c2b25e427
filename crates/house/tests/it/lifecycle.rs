//! The claim lifecycle on both backends: a claim waits for its debtor's acceptance before any
//! cycle takes it; the debtor accepts or disputes, the creditor withdraws, the house deems a
//! claim accepted after its set period; the wrong party and the wrong state are refused and
//! write nothing; a dispute and a withdrawal release the reservation on the ledger; racing
//! requests leave one consistent history; `verify` follows every state and names a claim set
//! back behind the house's back.

use house::{ClaimRecord, ClaimStatus, HouseError, Verdict};
use ledger::PendingStatus;

use crate::concurrency::at_once;
use crate::support::*;

const DAY: u64 = 86_400 * SECOND;

/// A house whose monitoring lets the tests submit as many claims as they like.
fn env_with(db: TestDb, deemed_after_days: Option<u32>) -> Env {
    let mut config = house::config::example();
    config.monitoring.velocity_count_max = 1000;
    config.monitoring.concentration_claims_min = 1000;
    config.acceptance.deemed_after_days = deemed_after_days;
    let env = Env::with_config(db, config);
    onboard_clean(&env);
    env
}

/// Submits `submission`, which must pass every check: awaiting acceptance, reserved.
#[track_caller]
fn awaiting(env: &Env, submission: &house::ClaimSubmission) -> ClaimRecord {
    let claim = env
        .house
        .submit_claim(&submission.creditor, submission)
        .unwrap_or_else(|e| panic!("{}: {e}", env.db.name))
        .claim;
    assert_eq!(
        claim.status,
        ClaimStatus::AwaitingAcceptance,
        "{}: {:?}",
        claim.submission.id,
        claim.checks
    );
    assert_eq!(reservation(env, &claim), Some(PendingStatus::Pending));
    env.tick();
    claim
}

/// The state on the ledger of the claim's first reservation (`None`: no such transfer).
fn reservation(env: &Env, claim: &ClaimRecord) -> Option<PendingStatus> {
    let id =
        claim
            .reserve_transfer
            .or(env.house.claim(&claim.submission.id).ok()?.reserve_transfer)?;
    reservation_by_id(env, id)
}

fn reservation_by_id(env: &Env, id: u64) -> Option<PendingStatus> {
    let found = env.house.store().lookup_transfers(&[id]).unwrap();
    found.first().and_then(|(_, state)| state.map(|s| s.status))
}

/// The audit actions about one claim, oldest first, with their actors.
fn trail(env: &Env, claim: &str) -> Vec<(String, String)> {
    env.house
        .store()
        .audit(0, Some(&format!("claim:{claim}")), store::LIST_LIMIT_MAX)
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.actor))
        .collect()
}

#[track_caller]
fn assert_verified(env: &Env) {
    let report = env.house.verify().unwrap();
    assert!(report.is_ok(), "{}: {:?}", env.db.name, report.problems);
    let ledger = env.house.store().verify().unwrap();
    assert!(ledger.is_ok(), "{:?}", ledger.problems);
}

#[track_caller]
fn assert_not_allowed<T: std::fmt::Debug>(result: Result<T, HouseError>, needles: &[&str]) {
    match result {
        Err(HouseError::NotAllowed(message)) => {
            for needle in needles {
                assert!(message.contains(needle), "{needle:?} not in {message:?}");
            }
        }
        other => panic!("expected a refusal naming {needles:?}, got {other:?}"),
    }
}

#[test]
fn a_claim_enters_clearing_only_once_its_debtor_accepted_it() {
    each_backend(|db| {
        let env = env_with(db, None);
        let medicines = awaiting(&env, &medicines("c-med", 10));
        let pistachios = awaiting(&env, &pistachios("c-pist", 8000));
        // Neither is accepted: the cycle takes nothing.
        let report = env.run_and_settle();
        assert!(report.cycle.claims.is_empty(), "{:?}", report.cycle.claims);
        assert_verified(&env);

        let before = snapshot(&env.house);
        let accepted = env
            .house
            .accept_claim("darou.clerk", "ir-darou", "c-med")
            .unwrap();
        assert_eq!(accepted.status, ClaimStatus::Queued);
        assert_eq!(accepted.reserve_transfer, medicines.reserve_transfer);
        let acceptance = accepted.acceptance.clone().expect("an acceptance");
        assert_eq!(
            (acceptance.by.as_str(), acceptance.participant.as_str()),
            ("darou.clerk", "ir-darou")
        );
        assert!(!acceptance.deemed);
        assert_eq!(
            snapshot(&env.house).ledger_entries,
            before.ledger_entries,
            "accepting moves nothing on the ledger: the claim was reserved at submission"
        );
        // Accepting again changes nothing and writes nothing.
        let after = snapshot(&env.house);
        let again = env
            .house
            .accept_claim("darou.other", "ir-darou", "c-med")
            .unwrap();
        assert_eq!(again, accepted);
        assert_eq!(snapshot(&env.house), after);
        assert_eq!(
            trail(&env, "c-med"),
            [
                ("claim.submitted".to_owned(), "eu-pharma".to_owned()),
                ("claim.accepted".to_owned(), "darou.clerk".to_owned())
            ]
        );
        assert_verified(&env);

        // Only the accepted side clears: the pistachios still wait for eu-nl-foods.
        env.tick();
        let report = env.run_and_settle();
        let taken: Vec<&str> = report
            .cycle
            .claims
            .iter()
            .map(|c| c.claim.as_str())
            .collect();
        assert_eq!(taken, ["c-med"]);
        env.house
            .accept_claim("nl.clerk", "eu-nl-foods", "c-pist")
            .unwrap();
        env.tick();
        let report = env.run_and_settle();
        assert!(
            report
                .cycle
                .claims
                .iter()
                .any(|c| c.claim == "c-pist" && c.cleared_minor > 0),
            "{:?}",
            report.cycle.claims
        );
        assert_eq!(
            env.house.claim("c-med").unwrap().status,
            ClaimStatus::Cleared
        );
        assert_eq!(reservation(&env, &pistachios), Some(PendingStatus::Posted));
        // A cleared claim accepted again: nothing to do.
        let cleared = env.house.claim("c-med").unwrap();
        assert_eq!(
            env.house
                .accept_claim("darou.clerk", "ir-darou", "c-med")
                .unwrap(),
            cleared
        );
        assert_verified(&env);
    });
}

#[test]
fn a_dispute_or_a_withdrawal_takes_a_claim_out_and_releases_its_reservation() {
    each_backend(|db| {
        let env = env_with(db, None);
        // Disputed while it awaits acceptance.
        let disputed = awaiting(&env, &medicines("c-disputed", 10));
        let out = env
            .house
            .dispute_claim(
                "darou.clerk",
                "ir-darou",
                "c-disputed",
                "  Only 8 kg were delivered; the invoice says 10 kg.  ",
            )
            .unwrap();
        assert_eq!(out.status, ClaimStatus::Disputed);
        assert_eq!(out.reserve_transfer, None);
        let dispute = out.dispute.clone().expect("the dispute");
        assert_eq!(
            dispute.reason,
            "Only 8 kg were delivered; the invoice says 10 kg."
        );
        assert_eq!(
            (dispute.by.as_str(), dispute.participant.as_str()),
            ("darou.clerk", "ir-darou")
        );
        assert_eq!(reservation(&env, &disputed), Some(PendingStatus::Voided));
        // The same again: nothing more.
        let after = snapshot(&env.house);
        assert_eq!(
            env.house
                .dispute_claim("darou.clerk", "ir-darou", "c-disputed", "again")
                .unwrap(),
            out
        );
        assert_eq!(snapshot(&env.house), after);
        // A disputed claim is final.
        assert_not_allowed(
            env.house
                .accept_claim("darou.clerk", "ir-darou", "c-disputed"),
            &["c-disputed is disputed", "Only 8 kg", "accepted"],
        );
        assert_not_allowed(
            env.house
                .withdraw_claim("pharma.clerk", "eu-pharma", "c-disputed", "credit note"),
            &["disputed"],
        );
        assert_eq!(snapshot(&env.house), after, "refusals write nothing");

        // Withdrawn once accepted, before any cycle took it.
        let withdrawn = awaiting(&env, &medicines("c-withdrawn", 11));
        env.house
            .accept_claim("darou.clerk", "ir-darou", "c-withdrawn")
            .unwrap();
        let out = env
            .house
            .withdraw_claim(
                "pharma.clerk",
                "eu-pharma",
                "c-withdrawn",
                "Invoiced twice by mistake",
            )
            .unwrap();
        assert_eq!(out.status, ClaimStatus::Withdrawn);
        assert_eq!(reservation(&env, &withdrawn), Some(PendingStatus::Voided));
        assert_eq!(
            out.withdrawal.as_ref().map(|w| w.reason.as_str()),
            Some("Invoiced twice by mistake")
        );
        assert_eq!(
            env.house
                .withdraw_claim("pharma.clerk", "eu-pharma", "c-withdrawn", "again")
                .unwrap(),
            out
        );
        assert_not_allowed(
            env.house
                .dispute_claim("darou.clerk", "ir-darou", "c-withdrawn", "too late"),
            &["c-withdrawn is withdrawn", "Invoiced twice"],
        );

        // Disputed after its debtor accepted it (a cycle has not taken it yet).
        awaiting(&env, &medicines("c-changed-mind", 12));
        env.house
            .accept_claim("darou.clerk", "ir-darou", "c-changed-mind")
            .unwrap();
        let out = env
            .house
            .dispute_claim(
                "darou.manager",
                "ir-darou",
                "c-changed-mind",
                "The goods arrived damaged",
            )
            .unwrap();
        assert_eq!(out.status, ClaimStatus::Disputed);
        assert!(out.acceptance.is_some(), "the acceptance stays on record");

        for (id, actions) in [
            ("c-disputed", vec!["claim.submitted", "claim.disputed"]),
            (
                "c-withdrawn",
                vec!["claim.submitted", "claim.accepted", "claim.withdrawn"],
            ),
            (
                "c-changed-mind",
                vec!["claim.submitted", "claim.accepted", "claim.disputed"],
            ),
        ] {
            let found: Vec<String> = trail(&env, id).into_iter().map(|(a, _)| a).collect();
            assert_eq!(found, actions, "{id}");
        }
        // None of them clears; the invoice may be claimed again, corrected, without being held
        // as a double claim.
        let report = env.run_and_settle();
        assert!(report.cycle.claims.is_empty(), "{:?}", report.cycle.claims);
        let mut corrected = medicines("c-corrected", 8);
        corrected.invoice_number = "INV-c-disputed".into();
        let corrected = awaiting(&env, &corrected);
        let duplicates = corrected
            .checks
            .iter()
            .find(|c| c.step == "duplicates")
            .unwrap();
        assert_eq!(duplicates.outcome, house::Outcome::Pass);
        // The corrected claim holds the invoice now: a third claim on it is a double claim.
        let mut third = medicines("c-third", 9);
        third.invoice_number = "INV-c-disputed".into();
        let third = env.house.submit_claim("eu-pharma", &third).unwrap().claim;
        assert_eq!(third.status, ClaimStatus::Held);
        let duplicates = third
            .checks
            .iter()
            .find(|c| c.step == "duplicates")
            .unwrap();
        assert!(
            duplicates.findings[0].contains("claim c-corrected"),
            "{:?}",
            duplicates.findings
        );
        assert_verified(&env);
    });
}

#[test]
fn only_the_debtor_accepts_or_disputes_and_only_the_creditor_withdraws() {
    each_backend(|db| {
        let env = env_with(db, None);
        awaiting(&env, &medicines("c-1", 10));
        let before = snapshot(&env.house);
        let forbidden = |result: Result<ClaimRecord, HouseError>, needle: &str| match result {
            Err(HouseError::Forbidden(message)) => {
                assert!(message.contains(needle), "{needle:?} not in {message:?}")
            }
            other => panic!("expected forbidden, got {other:?}"),
        };
        forbidden(
            env.house.accept_claim("pharma.clerk", "eu-pharma", "c-1"),
            "only claim c-1's debtor (ir-darou) may have it accepted; eu-pharma is its creditor",
        );
        forbidden(
            env.house
                .dispute_claim("pharma.clerk", "eu-pharma", "c-1", "no"),
            "debtor (ir-darou)",
        );
        forbidden(
            env.house
                .withdraw_claim("darou.clerk", "ir-darou", "c-1", "not ours"),
            "only claim c-1's creditor (eu-pharma) may have it withdrawn; ir-darou is its debtor",
        );
        // A firm that is neither side learns nothing about the claim.
        for result in [
            env.house.accept_claim("agri.clerk", "eu-agri", "c-1"),
            env.house.dispute_claim("agri.clerk", "eu-agri", "c-1", "x"),
            env.house
                .withdraw_claim("agri.clerk", "eu-agri", "c-1", "x"),
            env.house.accept_claim("darou.clerk", "ir-darou", "c-none"),
        ] {
            assert!(
                matches!(result, Err(HouseError::NotFound { kind: "claim", .. })),
                "{result:?}"
            );
        }
        // Bad input names the field.
        let long = "x".repeat(house::lifecycle::CLAIM_REASON_BYTES_MAX + 1);
        for (field, result) in [
            (
                "reason",
                env.house
                    .dispute_claim("darou.clerk", "ir-darou", "c-1", " "),
            ),
            (
                "reason",
                env.house
                    .dispute_claim("darou.clerk", "ir-darou", "c-1", &long),
            ),
            (
                "reason",
                env.house
                    .withdraw_claim("pharma.clerk", "eu-pharma", "c-1", "a\u{202E}b"),
            ),
            (
                "participant",
                env.house.accept_claim("darou.clerk", "IR DAROU!", "c-1"),
            ),
            ("actor", env.house.accept_claim("", "ir-darou", "c-1")),
            (
                "actor",
                env.house
                    .accept_claim("darou\u{202E}clerk", "ir-darou", "c-1"),
            ),
            (
                "claim",
                env.house.accept_claim("darou.clerk", "ir-darou", ""),
            ),
        ] {
            assert_eq!(invalid_field(result), field);
        }
        assert_eq!(snapshot(&env.house), before, "nothing written");
        assert_verified(&env);
    });
}

#[test]
fn a_claim_a_cycle_holds_or_cleared_in_part_stays_in_clearing() {
    each_backend(|db| {
        let env = env_with(db, None);
        env.submit_both_ways();
        let report = env
            .house
            .run_cycle("operator", &env.cycle_options())
            .unwrap();
        assert_eq!(report.cycle.status, house::CycleStatus::AwaitingPayIns);
        let before = snapshot(&env.house);
        assert_not_allowed(
            env.house
                .dispute_claim("darou.clerk", "ir-darou", "c-1", "wrong"),
            &["c-1 is settling in cycle 1", "disputed"],
        );
        assert_not_allowed(
            env.house
                .withdraw_claim("kerman.clerk", "ir-kerman", "c-2", "wrong"),
            &["c-2 is settling in cycle 1", "withdrawn"],
        );
        assert_eq!(snapshot(&env.house), before);
        env.pay_all(report.cycle.number);
        assert_eq!(env.house.claim("c-1").unwrap().status, ClaimStatus::Cleared);
        assert_eq!(
            env.house.claim("c-2").unwrap().status,
            ClaimStatus::PartiallyCleared
        );
        assert_not_allowed(
            env.house
                .withdraw_claim("kerman.clerk", "ir-kerman", "c-2", "wrong"),
            &[
                "c-2 is partially_cleared",
                "EUR 422.50 of EUR 70000.00 cleared",
            ],
        );
        assert_not_allowed(
            env.house
                .dispute_claim("nl.clerk", "eu-nl-foods", "c-2", "wrong"),
            &["partially_cleared"],
        );
        assert_not_allowed(
            env.house
                .dispute_claim("darou.clerk", "ir-darou", "c-1", "wrong"),
            &["c-1 is cleared"],
        );
        assert_verified(&env);
    });
}

#[test]
fn a_held_claim_released_awaits_acceptance_unless_accepted_in_advance() {
    each_backend(|db| {
        let env = env_with(db, None);
        let mut cases = Vec::new();
        for (id, articles) in [("c-ahead", 20), ("c-after", 21), ("c-gone", 22)] {
            let c = env
                .house
                .submit_claim("eu-medtech", &bearings(id, articles))
                .unwrap()
                .claim;
            assert_eq!(c.status, ClaimStatus::Held);
            cases.push(c.case.expect("a case"));
            env.tick();
        }
        let ahead = env
            .house
            .accept_claim("medequip.clerk", "ir-medequip", "c-ahead")
            .unwrap();
        assert_eq!(ahead.status, ClaimStatus::Held);
        assert_eq!(ahead.reserve_transfer, None);
        // Withdrawn while compliance reviews it: its case stays open for the officers.
        let gone = env
            .house
            .withdraw_claim("medtech.clerk", "eu-medtech", "c-gone", "Order cancelled")
            .unwrap();
        assert_eq!(gone.status, ClaimStatus::Withdrawn);
        assert_eq!(gone.case.as_deref(), Some(cases[2].as_str()));
        let release = |case: &str| {
            env.house
                .decide("a.novak", case, Verdict::Release, "end use checked")
                .unwrap();
            env.house
                .decide("b.laurent", case, Verdict::Release, "agreed")
                .unwrap()
        };
        assert_eq!(release(&cases[0]).subject_status, "queued");
        assert_eq!(release(&cases[1]).subject_status, "awaiting_acceptance");
        let decided = release(&cases[2]);
        assert!(
            decided.subject_status.starts_with("withdrawn"),
            "{}",
            decided.subject_status
        );
        assert_eq!(decided.case.status, house::CaseStatus::Released);
        assert_eq!(
            env.house.claim("c-gone").unwrap().status,
            ClaimStatus::Withdrawn
        );
        let after = env.house.claim("c-after").unwrap();
        assert_eq!(reservation(&env, &after), Some(PendingStatus::Pending));
        assert_verified(&env);
        let accepted = env
            .house
            .accept_claim("medequip.clerk", "ir-medequip", "c-after")
            .unwrap();
        assert_eq!(accepted.status, ClaimStatus::Queued);
        assert_verified(&env);
    });
}

#[test]
fn a_claim_awaiting_acceptance_past_the_houses_period_is_deemed_accepted() {
    // Off by default: however long a claim waits, only its debtor accepts it.
    each_backend(|db| {
        let env = env_with(db, None);
        awaiting(&env, &medicines("c-1", 10));
        env.clock.advance(400 * DAY);
        assert_eq!(env.house.deem_accepted("operator").unwrap(), 0);
        assert_eq!(
            env.house.claim("c-1").unwrap().status,
            ClaimStatus::AwaitingAcceptance
        );
    });
    each_backend(|db| {
        let env = env_with(db, Some(3));
        awaiting(&env, &medicines("c-1", 10));
        awaiting(&env, &medicines("c-2", 11));
        env.house
            .dispute_claim("darou.clerk", "ir-darou", "c-2", "Never ordered")
            .unwrap();
        env.clock.advance(2 * DAY);
        awaiting(&env, &medicines("c-3", 12));
        assert_eq!(env.house.deem_accepted("operator").unwrap(), 0);
        env.clock.advance(DAY);
        assert_eq!(env.house.deem_accepted("scheduler").unwrap(), 1);
        let c1 = env.house.claim("c-1").unwrap();
        assert_eq!(c1.status, ClaimStatus::Queued);
        let acceptance = c1.acceptance.expect("deemed");
        assert!(acceptance.deemed);
        assert_eq!(
            (acceptance.by.as_str(), acceptance.participant.as_str()),
            ("scheduler", "ir-darou")
        );
        assert_eq!(
            trail(&env, "c-1").last().unwrap(),
            &("claim.deemed_accepted".to_owned(), "scheduler".to_owned())
        );
        assert_eq!(
            env.house.claim("c-2").unwrap().status,
            ClaimStatus::Disputed
        );
        // Nothing more is due: a second run writes nothing.
        let before = snapshot(&env.house);
        assert_eq!(env.house.deem_accepted("scheduler").unwrap(), 0);
        assert_eq!(snapshot(&env.house), before);
        assert_verified(&env);
        // A cycle deems what is due before it selects: c-3 is taken with c-1.
        env.clock.advance(2 * DAY);
        awaiting(&env, &pistachios("c-4", 8000));
        env.house
            .accept_claim("nl.clerk", "eu-nl-foods", "c-4")
            .unwrap();
        let report = env.run_and_settle();
        let mut taken: Vec<&str> = report
            .cycle
            .claims
            .iter()
            .map(|c| c.claim.as_str())
            .collect();
        taken.sort_unstable();
        assert_eq!(taken, ["c-1", "c-3", "c-4"]);
        assert!(env.house.claim("c-3").unwrap().acceptance.unwrap().deemed);
        assert_verified(&env);
    });
    let refused = |days: u32| {
        let mut config = house::config::example();
        config.acceptance.deemed_after_days = Some(days);
        match config.check() {
            Err(HouseError::Invalid { field, .. }) => field,
            other => panic!("{days}: expected a refusal, got {other:?}"),
        }
    };
    assert_eq!(refused(0), "acceptance.deemed_after_days");
    assert_eq!(
        refused(house::config::DEEMED_AFTER_DAYS_MAX + 1),
        "acceptance.deemed_after_days"
    );
}

/// Accepting and withdrawing one claim at once: the withdrawal wins either way (a creditor may
/// withdraw an accepted claim), and the acceptance either came first or is refused naming the
/// state; disputing and withdrawing at once: exactly one of them.
#[test]
fn racing_parties_leave_one_consistent_history() {
    const ROUNDS: usize = 6;
    each_backend(|db| {
        let env = env_with(db, None);
        for round in 0..ROUNDS {
            let id = format!("c-race-{round}");
            let claim = awaiting(&env, &medicines(&id, 10 + round as i64));
            let answers = at_once(2, |i| {
                if i == 0 {
                    env.house.accept_claim("darou.clerk", "ir-darou", &id)
                } else {
                    env.house
                        .withdraw_claim("pharma.clerk", "eu-pharma", &id, "cancelled")
                }
            });
            let withdrawn = answers[1].as_ref().expect("the withdrawal");
            assert_eq!(withdrawn.status, ClaimStatus::Withdrawn);
            let actions: Vec<String> = trail(&env, &id).into_iter().map(|(a, _)| a).collect();
            match &answers[0] {
                Ok(accepted) => {
                    assert_eq!(accepted.status, ClaimStatus::Queued);
                    assert_eq!(
                        actions,
                        ["claim.submitted", "claim.accepted", "claim.withdrawn"]
                    );
                }
                Err(HouseError::NotAllowed(message)) => {
                    assert!(message.contains("is withdrawn"), "{message}");
                    assert_eq!(actions, ["claim.submitted", "claim.withdrawn"]);
                }
                Err(e) => panic!("{id}: {e}"),
            }
            assert_eq!(reservation(&env, &claim), Some(PendingStatus::Voided));

            let id = format!("c-duel-{round}");
            let claim = awaiting(&env, &medicines(&id, 30 + round as i64));
            let answers = at_once(2, |i| {
                if i == 0 {
                    env.house
                        .dispute_claim("darou.clerk", "ir-darou", &id, "not delivered")
                } else {
                    env.house
                        .withdraw_claim("pharma.clerk", "eu-pharma", &id, "cancelled")
                }
            });
            let won: Vec<&ClaimRecord> = answers.iter().filter_map(|a| a.as_ref().ok()).collect();
            assert_eq!(won.len(), 1, "{id}: {answers:?}");
            let lost = answers.iter().find_map(|a| a.as_ref().err()).unwrap();
            assert!(
                matches!(lost, HouseError::NotAllowed(m)
                    if m.contains(&format!("{id} is {}", won[0].status.as_str()))),
                "{lost:?}"
            );
            assert_eq!(env.house.claim(&id).unwrap().status, won[0].status);
            assert_eq!(trail(&env, &id).len(), 2);
            assert_eq!(reservation(&env, &claim), Some(PendingStatus::Voided));
        }
        assert_verified(&env);
    });
}

/// A claim record set back from disputed to queued in the store, under an audit event of its
/// own (as an administrator with the database's credentials could): `verify` names it.
#[test]
fn verify_names_a_disputed_claim_set_back_to_queued() {
    each_backend(|db| {
        let env = env_with(db, None);
        awaiting(&env, &medicines("c-1", 10));
        env.house
            .dispute_claim("darou.clerk", "ir-darou", "c-1", "Never ordered")
            .unwrap();
        assert_verified(&env);
        let store = env.house.store();
        let record = store.record("claim", "c-1").unwrap().unwrap();
        let mut claim: ClaimRecord = serde_json::from_str(&record.body).unwrap();
        claim.status = ClaimStatus::Queued;
        claim.dispute = None;
        let change = store::Change {
            expect: vec![store::Expect {
                kind: "claim".into(),
                id: "c-1".into(),
                version: Some(record.version),
            }],
            put: vec![store::Record {
                version: record.version + 1,
                status: "queued".into(),
                body: serde_json::to_string(&claim).unwrap(),
                ..record
            }],
            audit: vec![store::AuditEvent {
                actor: "dba".into(),
                action: "claim.edited".into(),
                subject: "claim:c-1".into(),
                body: "{}".into(),
            }],
            ..store::Change::default()
        };
        let applied = store.apply_change(change).unwrap();
        assert!(matches!(applied, store::Applied::Committed { .. }));
        let report = env.house.verify().unwrap();
        let text = report.problems.join("\n");
        assert!(
            text.contains("claim c-1: the audit trail says it was disputed (entry ")
                && text.contains("but its record says queued"),
            "{text}"
        );
        assert!(
            text.contains("claim c-1: queued without its debtor's acceptance"),
            "{text}"
        );
        assert!(
            text.contains("claim c-1: queued without a reservation"),
            "{text}"
        );
    });
}
