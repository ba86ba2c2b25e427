//! Settlement, pay-in before pay-out: nobody is paid before the pay-ins it depends on arrived,
//! every way a bank file can be wrong is caught and loses nothing, suspense is matched,
//! refunded or kept, a payer who misses the deadline is unwound, a rejected pay-out is returned
//! and retried, and `verify` follows every state.

use house::{
    AlertStatus, BankEntryStatus, ClaimStatus, CycleStatus, ParticipantStatus, PositionStatus, kind,
};
use store::{AuditEvent, Change};

use crate::support::*;

/// Medicines one way (eu-pharma ← ir-darou) and pistachios the other (ir-kerman ←
/// eu-nl-foods), run as a cycle whose pay-ins have not arrived.
fn a_cycle_run(db: TestDb) -> (Env, house::Cycle) {
    let env = Env::new(db);
    onboard_clean(&env);
    env.submit_both_ways();
    let report = env
        .house
        .run_cycle("operator", &env.cycle_options())
        .unwrap();
    (env, report.cycle)
}

fn position<'a>(cycle: &'a house::Cycle, who: &str) -> &'a house::Position {
    cycle
        .positions
        .iter()
        .find(|p| p.participant == who)
        .unwrap_or_else(|| panic!("no position of {who} in {:?}", cycle.positions))
}

fn assert_verified(env: &Env) {
    let report = env.house.verify().unwrap();
    assert!(report.is_ok(), "{} {:?}", env.db.name, report.problems);
    let ledger = env.house.store().verify().unwrap();
    assert!(ledger.is_ok(), "{:?}", ledger.problems);
}

fn credit(p: &house::Position, amount_minor: i64) -> Credit {
    Credit {
        amount_minor,
        reference: Some(p.reference.clone()),
        from: (p.participant.clone(), "DE89370400440532013000".into()),
    }
}

#[test]
fn a_cycle_pays_nobody_until_the_pay_ins_it_depends_on_arrived() {
    each_backend(|db| {
        let (env, cycle) = a_cycle_run(db);
        assert_eq!(cycle.status, CycleStatus::AwaitingPayIns);
        // Nothing posted: the claims are still reserved, nobody paid.
        assert_eq!(env.house.claim("c-1").unwrap().status, ClaimStatus::Queued);
        assert_eq!(env.house.claim("c-2").unwrap().status, ClaimStatus::Queued);
        let darou = position(&cycle, "ir-darou");
        let nl = position(&cycle, "eu-nl-foods");
        assert_eq!(darou.status, PositionStatus::Requested);
        assert!(darou.reference.starts_with("RF"));
        assert!(iso20022::is_creditor_reference(&darou.reference));
        assert_eq!(
            position(&cycle, "eu-pharma").status,
            PositionStatus::Waiting
        );
        assert!(
            cycle.files.iter().all(|f| f.path.contains("requests")),
            "{:?}",
            cycle.files
        );
        assert_verified(&env);
        // The EU payer pays: the EU payee still waits, since its claim's debtor (in Iran) has
        // not paid, and a default there would change what the EU side clears.
        let eu_file = env.bank_file("EU", &[credit(nl, nl.due_minor)]);
        let r = env.house.import_bank_file("operator", &eu_file).unwrap();
        assert_eq!((r.matched, r.suspense), (1, 0), "{r:?}");
        let now = env.house.cycle(cycle.number).unwrap();
        assert_eq!(position(&now, "eu-nl-foods").status, PositionStatus::Paid);
        assert_eq!(position(&now, "eu-pharma").status, PositionStatus::Waiting);
        assert!(now.positions.iter().all(|p| p.payout.is_none()));
        assert_eq!(env.house.claim("c-1").unwrap().status, ClaimStatus::Queued);
        assert_verified(&env);
        // The Iranian payer pays: claims posted, payees paid, statements written.
        let ir_file = env.bank_file("IR", &[credit(darou, darou.due_minor)]);
        env.house.import_bank_file("operator", &ir_file).unwrap();
        let done = env.house.cycle(cycle.number).unwrap();
        assert_eq!(done.status, CycleStatus::Settled, "{:?}", done.positions);
        assert_eq!(position(&done, "eu-pharma").status, PositionStatus::PaidOut);
        assert_eq!(position(&done, "ir-kerman").status, PositionStatus::PaidOut);
        for c in ["c-1", "c-2"] {
            assert_ne!(
                env.house.claim(c).unwrap().status,
                ClaimStatus::Queued,
                "{c}"
            );
        }
        for who in ["eu-pharma", "eu-nl-foods", "ir-darou", "ir-kerman"] {
            let s = env.house.statement(who, cycle.number).unwrap();
            assert_eq!(s.closing_minor, s.opening_minor, "{who}: {s:?}");
        }
        let dir = std::path::Path::new(&done.directory);
        for f in &done.files {
            let message = if f.path.ends_with(".pain001.xml") {
                "pain.001.001.09"
            } else if f.path.ends_with(".pain013.xml") {
                "pain.013.001.08"
            } else if f.path.ends_with(".camt053.xml") {
                "camt.053.001.08"
            } else {
                continue;
            };
            assert_schema_valid(&dir.join(&f.path), message);
        }
        assert_verified(&env);
    });
}

#[test]
fn every_way_a_bank_file_can_be_wrong_is_caught_and_nothing_is_lost() {
    each_backend(|db| {
        let (env, cycle) = a_cycle_run(db);
        let nl = position(&cycle, "eu-nl-foods").clone();
        let darou = position(&cycle, "ir-darou").clone();
        // A truncated file: refused, nothing written.
        let good = env.bank_file("EU", &[credit(&nl, nl.due_minor)]);
        let before = snapshot(&env.house);
        for cut in [good.len() / 3, good.len() - 20] {
            let err = env
                .house
                .import_bank_file("operator", &good[..cut])
                .unwrap_err();
            assert!(err.to_string().contains("line"), "{err}");
        }
        // A file for another account: refused, naming the account.
        let other = String::from_utf8(good.clone()).unwrap().replace(
            &env.house.config().zones[0].account.iban().to_string(),
            "DE89370400440532013000",
        );
        let err = env
            .house
            .import_bank_file("operator", other.as_bytes())
            .unwrap_err();
        assert!(err.to_string().contains("accounts[0].iban"), "{err}");
        assert_eq!(snapshot(&env.house), before, "refused files write nothing");
        // Unknown reference, short, excess: each to suspense with an alert.
        let mut unknown = credit(&nl, 12_345);
        unknown.reference = Some(iso20022::creditor_reference("NOBODY42").unwrap());
        let mut no_reference = credit(&nl, 500);
        no_reference.reference = None;
        let file = env.bank_file(
            "EU",
            &[
                unknown,
                no_reference,
                credit(&nl, nl.due_minor - 1),
                credit(&nl, nl.due_minor + 1),
            ],
        );
        let r = env.house.import_bank_file("operator", &file).unwrap();
        assert_eq!((r.matched, r.suspense), (0, 4), "{r:?}");
        let reasons: Vec<&str> = r
            .details
            .iter()
            .filter_map(|d| d.reason.as_deref())
            .collect();
        assert_eq!(
            reasons,
            ["unknown_reference", "unknown_reference", "short", "excess"]
        );
        // Imported again: nothing changes.
        let again = env.house.import_bank_file("operator", &file).unwrap();
        assert!(again.already_imported);
        // The same entries in another file (a camt.053 after the camt.054): duplicates.
        let mut reread = String::from_utf8(file.clone()).unwrap();
        reread = reread.replacen("BANK-", "BANK-AGAIN-", 2);
        let dup = env
            .house
            .import_bank_file("operator", reread.as_bytes())
            .unwrap();
        assert_eq!((dup.duplicates, dup.suspense), (4, 0), "{dup:?}");
        // Wrong currency (the bank reports USD on the EUR account): noted, nothing booked.
        let usd = String::from_utf8(env.bank_file("EU", &[credit(&nl, nl.due_minor)]))
            .unwrap()
            .replace("Ccy=\"EUR\"", "Ccy=\"USD\"");
        let r = env
            .house
            .import_bank_file("operator", usd.as_bytes())
            .unwrap();
        assert_eq!((r.matched, r.noted), (0, 1), "{r:?}");
        assert_eq!(r.details[0].reason.as_deref(), Some("wrong_currency"));
        // A credit in the other zone's file for this payer: not its zone.
        let r = env
            .house
            .import_bank_file(
                "operator",
                &env.bank_file("IR", &[credit(&nl, nl.due_minor * 480_000)]),
            )
            .unwrap();
        assert_eq!(r.details[0].reason.as_deref(), Some("wrong_zone"), "{r:?}");
        let suspense = env.house.suspense(100).unwrap();
        assert_eq!(suspense.len(), 5);
        let open = env.house.alerts(Some(AlertStatus::Open), None).unwrap();
        assert_eq!(
            open.iter().filter(|a| a.category == "settlement").count(),
            6
        );
        assert_verified(&env);
        // Still nobody paid, the cycle waits.
        let now = env.house.cycle(cycle.number).unwrap();
        assert_eq!(
            position(&now, "eu-nl-foods").status,
            PositionStatus::Requested
        );
        // The exact pay-ins still match.
        env.house
            .import_bank_file(
                "operator",
                &env.bank_file("EU", &[credit(&nl, nl.due_minor)]),
            )
            .unwrap();
        env.house
            .import_bank_file(
                "operator",
                &env.bank_file("IR", &[credit(&darou, darou.due_minor)]),
            )
            .unwrap();
        assert_eq!(
            env.house.cycle(cycle.number).unwrap().status,
            CycleStatus::Settled
        );
        // A second exact pay-in of a paid payer: already paid, to suspense.
        let r = env
            .house
            .import_bank_file(
                "operator",
                &env.bank_file("EU", &[credit(&nl, nl.due_minor)]),
            )
            .unwrap();
        assert_eq!(r.details[0].reason.as_deref(), Some("already_paid"));
        assert_verified(&env);
    });
}

#[test]
fn money_in_suspense_is_matched_by_hand_refunded_or_kept() {
    each_backend(|db| {
        let (env, cycle) = a_cycle_run(db);
        let nl = position(&cycle, "eu-nl-foods").clone();
        let darou = position(&cycle, "ir-darou").clone();
        let part = nl.due_minor / 3;
        let mut stranger = credit(&nl, 99_00);
        stranger.reference = None;
        stranger.from = (
            "Stadtwerke Musterstadt GmbH".into(),
            "DE89370400440532013000".into(),
        );
        let file = env.bank_file(
            "EU",
            &[
                credit(&nl, part),
                credit(&nl, nl.due_minor - part),
                stranger,
            ],
        );
        let r = env.house.import_bank_file("operator", &file).unwrap();
        assert_eq!(r.suspense, 3);
        let ids: Vec<String> = r.details.iter().map(|d| d.entry.clone()).collect();
        // Matched by hand, part by part.
        let first = env
            .house
            .match_entry("operator", &ids[0], cycle.number, "eu-nl-foods")
            .unwrap();
        assert_eq!(first.status, BankEntryStatus::Applied);
        let now = env.house.cycle(cycle.number).unwrap();
        assert_eq!(position(&now, "eu-nl-foods").received_minor, part);
        env.house
            .match_entry("operator", &ids[1], cycle.number, "eu-nl-foods")
            .unwrap();
        let now = env.house.cycle(cycle.number).unwrap();
        assert_eq!(position(&now, "eu-nl-foods").status, PositionStatus::Paid);
        // An applied entry cannot be matched again.
        assert!(
            env.house
                .match_entry("operator", &ids[1], cycle.number, "eu-nl-foods")
                .is_err()
        );
        // The stranger's money is refunded: a valid pain.001 to its account.
        let (refunded, path) = env
            .house
            .refund_entry("operator", &ids[2], env.out.path())
            .unwrap();
        assert_eq!(refunded.status, BankEntryStatus::Refunded);
        assert_schema_valid(std::path::Path::new(&path), "pain.001.001.09");
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("Stadtwerke Musterstadt")
        );
        assert!(
            env.house
                .refund_entry("operator", &ids[2], env.out.path())
                .is_err()
        );
        // The resolved entries' alerts are closed.
        let open = env.house.alerts(Some(AlertStatus::Open), None).unwrap();
        assert!(open.iter().all(|a| a.category != "settlement"), "{open:?}");
        assert_verified(&env);
        // Money kept for a payer pays its next request.
        let mut early = credit(&darou, darou.due_minor);
        early.reference = None;
        let r = env
            .house
            .import_bank_file("operator", &env.bank_file("IR", &[early]))
            .unwrap();
        let kept = env
            .house
            .keep_entry("operator", &r.details[0].entry, "ir-darou")
            .unwrap();
        assert_eq!(
            kept.status,
            BankEntryStatus::Applied,
            "kept money applied at once to the open request"
        );
        let done = env.house.cycle(cycle.number).unwrap();
        assert_eq!(done.status, CycleStatus::Settled, "{:?}", done.positions);
        assert_verified(&env);
    });
}

#[test]
fn a_payer_that_misses_its_deadline_is_unwound_and_nothing_is_lost() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        // EU exporters owed by two Iranian importers; one Iranian export back.
        env.house
            .submit_accepted("eu-pharma", &medicines("c-1", 10))
            .unwrap();
        env.tick();
        env.house
            .submit_accepted(
                "eu-pharma",
                &medicines_to("c-3", "ir-medequip", "Tehran Medical Equipment Co.", 20),
            )
            .unwrap();
        env.tick();
        env.house
            .submit_accepted("ir-kerman", &pistachios("c-2", 8000))
            .unwrap();
        env.tick();
        let cycle = env
            .house
            .run_cycle("operator", &env.cycle_options())
            .unwrap()
            .cycle;
        assert_eq!(
            position(&cycle, "ir-medequip").status,
            PositionStatus::Requested
        );
        let darou = position(&cycle, "ir-darou").clone();
        let nl = position(&cycle, "eu-nl-foods").clone();
        // Before the deadline nothing is unwound.
        assert!(env.house.unwind_overdue("operator").unwrap().is_empty());
        env.house
            .import_bank_file(
                "operator",
                &env.bank_file("EU", &[credit(&nl, nl.due_minor)]),
            )
            .unwrap();
        env.house
            .import_bank_file(
                "operator",
                &env.bank_file("IR", &[credit(&darou, darou.due_minor)]),
            )
            .unwrap();
        assert_eq!(
            env.house.cycle(cycle.number).unwrap().status,
            CycleStatus::AwaitingPayIns
        );
        // ir-medequip never pays. The deadline passes.
        env.clock.advance(cycle.deadline - env.clock.now() + 1);
        let reports = env.house.unwind_overdue("operator").unwrap();
        assert_eq!(reports.len(), 1);
        let r = &reports[0];
        assert_eq!(r.unwound, ["ir-medequip"]);
        assert!(r.cleared_minor_after < r.cleared_minor_before);
        let p = env.house.participant("ir-medequip").unwrap();
        assert_eq!(p.status, ParticipantStatus::Suspended);
        assert!(
            env.house
                .cases(None)
                .unwrap()
                .iter()
                .any(|c| c.subject == "participant:ir-medequip")
        );
        let after = env.house.cycle(cycle.number).unwrap();
        assert_eq!(
            position(&after, "ir-medequip").status,
            PositionStatus::Unwound
        );
        assert_eq!(after.revision, 1);
        // Its claim left the cycle and waits, still reserved.
        let c3 = env.house.claim("c-3").unwrap();
        assert_eq!(c3.status, ClaimStatus::Queued);
        assert_eq!(c3.cleared_minor, 0);
        assert!(c3.reserve_transfer.is_some());
        // Every remaining payer had paid: the cycle settles; the EU payer's pay-in the
        // recomputed cycle no longer needs went to suspense for a refund (or nothing if the
        // recomputation needs all of it).
        assert_eq!(after.status, CycleStatus::Settled, "{:?}", after.positions);
        for id in &r.unneeded {
            let e = env.house.bank_entry(id).unwrap();
            assert_eq!(e.status, BankEntryStatus::Suspense);
            assert_eq!(e.reason.as_deref(), Some("unneeded_after_unwind"));
            env.house
                .refund_entry("operator", id, env.out.path())
                .unwrap();
        }
        let received: i64 = after
            .positions
            .iter()
            .filter(|p| p.net_minor < 0)
            .map(|p| p.received_minor)
            .sum();
        let due: i64 = after
            .positions
            .iter()
            .filter(|p| p.net_minor < 0)
            .map(|p| p.due_minor)
            .sum();
        assert_eq!(received, due);
        // A settled cycle unwinds no more.
        assert!(
            env.house
                .unwind("operator", cycle.number, &["ir-darou".into()], "x", false)
                .is_err()
        );
        assert_verified(&env);
        // The next cycle does not take the suspended payer's claim.
        env.tick();
        let next = env
            .house
            .run_cycle("operator", &env.cycle_options())
            .unwrap();
        assert!(
            next.skipped.contains(&"c-3".to_owned()),
            "{:?}",
            next.skipped
        );
        assert_verified(&env);
    });
}

fn status_report(env: &Env, message: &str, statuses: &[(&str, &str, Option<&str>)]) -> Vec<u8> {
    let tx: Vec<iso20022::TransactionStatus<'_>> = statuses
        .iter()
        .map(|(e2e, status, reason)| iso20022::TransactionStatus {
            original_end_to_end_id: e2e,
            status,
            reason: *reason,
            additional_info: None,
        })
        .collect();
    let id = format!("STS-{message}-{}", env.clock.now());
    let mut out = Vec::new();
    iso20022::write_pain002(
        &iso20022::StatusReport {
            message_id: &id,
            created_at_ns: env.clock.now(),
            original_message_id: message,
            original_message_name: "pain.001.001.09",
            original_payment_information_id: message,
            transactions: &tx,
        },
        &mut out,
    )
    .unwrap();
    out
}

#[test]
fn a_rejected_payout_is_returned_raised_and_retried() {
    each_backend(|db| {
        let (env, cycle) = a_cycle_run(db);
        env.pay_all(cycle.number);
        let settled = env.house.cycle(cycle.number).unwrap();
        assert_eq!(settled.status, CycleStatus::Settled);
        let payout = position(&settled, "eu-pharma").payout.clone().unwrap();
        let report = status_report(
            &env,
            &payout.message_id,
            &[(&payout.end_to_end_id, "RJCT", Some("AC04"))],
        );
        let r = env.house.import_bank_file("operator", &report).unwrap();
        assert_eq!(r.payouts_rejected, 1);
        let now = env.house.cycle(cycle.number).unwrap();
        assert_eq!(now.status, CycleStatus::PayingOut);
        let p = position(&now, "eu-pharma");
        assert_eq!(p.status, PositionStatus::Rejected);
        assert_eq!(
            p.payout.as_ref().unwrap().rejection.as_deref(),
            Some("AC04")
        );
        let alerts = env
            .house
            .alerts(Some(AlertStatus::Open), Some("eu-pharma"))
            .unwrap();
        assert!(
            alerts.iter().any(|a| a.code == "payout_rejected"),
            "{alerts:?}"
        );
        assert_verified(&env);
        // The same report again changes nothing.
        assert!(
            env.house
                .import_bank_file("operator", &report)
                .unwrap()
                .already_imported
        );
        // Retried: a second attempt, a new pain.001, accepted by the bank.
        let retried = env
            .house
            .retry_payout("operator", cycle.number, "eu-pharma")
            .unwrap();
        let second = retried.payout.clone().unwrap();
        assert_eq!(
            (retried.status, second.attempt),
            (PositionStatus::PaidOut, 2)
        );
        env.tick();
        let ok = status_report(
            &env,
            &second.message_id,
            &[(&second.end_to_end_id, "ACSC", None)],
        );
        assert_eq!(
            env.house
                .import_bank_file("operator", &ok)
                .unwrap()
                .payouts_confirmed,
            1
        );
        let done = env.house.cycle(cycle.number).unwrap();
        assert_eq!(done.status, CycleStatus::Settled);
        assert!(
            position(&done, "eu-pharma")
                .payout
                .as_ref()
                .unwrap()
                .confirmed
        );
        let s = env.house.statement("eu-pharma", cycle.number).unwrap();
        assert_eq!(s.closing_minor, 0, "{s:?}");
        assert_verified(&env);
    });
}

#[test]
fn verify_notices_settlement_records_changed_behind_the_houses_back() {
    each_backend(|db| {
        let (env, cycle) = a_cycle_run(db);
        let nl = position(&cycle, "eu-nl-foods").clone();
        env.house
            .import_bank_file(
                "operator",
                &env.bank_file("EU", &[credit(&nl, nl.due_minor - 1)]),
            )
            .unwrap();
        assert_verified(&env);
        // Someone marks the payer paid in the cycle record, through the store, with an audit
        // event of its own: no pay-in stands behind it.
        let record = env
            .house
            .store()
            .record(kind::CYCLE, &format!("{:010}", cycle.number))
            .unwrap()
            .unwrap();
        let mut body: serde_json::Value = serde_json::from_str(&record.body).unwrap();
        for p in body["positions"].as_array_mut().unwrap() {
            if p["participant"] == "eu-nl-foods" {
                p["status"] = "paid".into();
                p["received_minor"] = nl.due_minor.into();
            }
        }
        let mut edited = record.clone();
        edited.version += 1;
        edited.body = body.to_string();
        let change = Change {
            put: vec![edited],
            audit: vec![AuditEvent {
                actor: "intruder".into(),
                action: "edit".into(),
                subject: "cycle:1".into(),
                body: "{}".into(),
            }],
            ..Change::default()
        };
        env.house.store().apply_change(change).unwrap();
        let report = env.house.verify().unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("eu-nl-foods received")),
            "{:?}",
            report.problems
        );
        // And the suspense account no longer matches what is in suspense if an entry is
        // marked refunded without a refund.
        let entry = env.house.suspense(10).unwrap().remove(0);
        let record = env
            .house
            .store()
            .record(kind::BANK_ENTRY, &entry.id)
            .unwrap()
            .unwrap();
        let mut e: serde_json::Value = serde_json::from_str(&record.body).unwrap();
        e["status"] = "refunded".into();
        e["remaining_minor"] = 0.into();
        e["ledger_remaining_minor"] = 0.into();
        let mut edited = record.clone();
        edited.version += 1;
        edited.status = "refunded".into();
        edited.body = e.to_string();
        env.house
            .store()
            .apply_change(Change {
                put: vec![edited],
                audit: vec![AuditEvent {
                    actor: "intruder".into(),
                    action: "edit".into(),
                    subject: "bank".into(),
                    body: "{}".into(),
                }],
                ..Change::default()
            })
            .unwrap();
        let report = env.house.verify().unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("suspense account holds")),
            "{:?}",
            report.problems
        );
    });
}

#[test]
fn the_payee_release_pays_each_payee_once_its_part_of_the_cycle_is_final() {
    each_backend(|db| {
        let mut config = house::config::example();
        config.settlement.payout_release = house::config::PayoutRelease::Payee;
        let env = Env::with_config(db, config);
        onboard_clean(&env);
        // A domestic part (eu-agri owed by eu-nl-foods) beside the cross-border one.
        env.submit_both_ways();
        let domestic = claim(
            "c-dom",
            "eu-agri",
            "eu-medtech",
            "Medisana Strumenti S.r.l.",
            "EUR 2500.00",
            &["1001.99;Milling wheat;10000 KGM;EUR 2500.00"],
        );
        let c = env
            .house
            .submit_accepted("eu-agri", &domestic)
            .unwrap()
            .claim;
        assert_eq!(c.status, ClaimStatus::Queued, "{:?}", c.checks);
        env.tick();
        let cycle = env
            .house
            .run_cycle("operator", &env.cycle_options())
            .unwrap()
            .cycle;
        let medtech = position(&cycle, "eu-medtech").clone();
        env.house
            .import_bank_file(
                "operator",
                &env.bank_file("EU", &[credit(&medtech, medtech.due_minor)]),
            )
            .unwrap();
        let now = env.house.cycle(cycle.number).unwrap();
        // The domestic payee is paid; the cross-border ones wait for their payers.
        assert_eq!(position(&now, "eu-agri").status, PositionStatus::PaidOut);
        assert_eq!(position(&now, "eu-pharma").status, PositionStatus::Waiting);
        assert_eq!(
            env.house.claim("c-dom").unwrap().status,
            ClaimStatus::Cleared
        );
        assert_verified(&env);
        env.pay_all(cycle.number);
        assert_eq!(
            env.house.cycle(cycle.number).unwrap().status,
            CycleStatus::Settled
        );
        assert_verified(&env);
    });
}

#[test]
fn a_liquidity_provider_lets_a_cycle_clear_beyond_the_counter_flow_and_is_repaid_first() {
    each_backend(|db| {
        let mut config = house::config::example();
        config.zones[0].liquidity_provider = Some(house::config::LiquidityProvider {
            name: "Sponsor Bank AG".into(),
            iban: "DE02120300000000202051".into(),
            bic: "BYLADEM1001".into(),
            limit: "1000.00".parse().unwrap(),
        });
        let env = Env::with_config(db, config);
        onboard_clean(&env);
        // EU exports EUR 1,267.50, Iran EUR 875.00: without a provider EUR 875.00 each way.
        env.house
            .submit_accepted("eu-pharma", &medicines("c-1", 10))
            .unwrap();
        env.tick();
        env.house
            .submit_accepted(
                "eu-pharma",
                &medicines_to("c-3", "ir-medequip", "Tehran Medical Equipment Co.", 20),
            )
            .unwrap();
        env.tick();
        env.house
            .submit_accepted("ir-kerman", &pistachios("c-2", 100))
            .unwrap();
        env.tick();
        let cycle = env
            .house
            .run_cycle("operator", &env.cycle_options())
            .unwrap()
            .cycle;
        let eu = cycle.liquidity.iter().find(|m| m.zone == "EU").unwrap();
        assert_eq!(
            (eu.beyond_minor, eu.drawn_minor, eu.allowance_minor),
            (39_250, 39_250, 100_000)
        );
        let ir = cycle.liquidity.iter().find(|m| m.zone == "IR").unwrap();
        assert_eq!((ir.beyond_minor, ir.held_added_minor), (-39_250, 39_250));
        let cleared: i64 = cycle.claims.iter().map(|c| c.cleared_minor).sum();
        assert_eq!(cleared, 126_750 + 87_500, "every claim clears in full");
        // The provider is asked for its draw like a payer, in its zone.
        let provider = position(&cycle, "liquidity:EU");
        assert_eq!(
            (provider.status, provider.due_minor),
            (PositionStatus::Requested, 39_250)
        );
        let dir = std::path::Path::new(&cycle.directory);
        let requests = std::fs::read_to_string(dir.join("EU/requests-EU.pain013.xml")).unwrap();
        assert!(requests.contains("Sponsor Bank AG"), "{requests}");
        assert_schema_valid(&dir.join("EU/requests-EU.pain013.xml"), "pain.013.001.08");
        // Without the provider's pay-in, nobody is paid.
        let others: Vec<Credit> = cycle
            .positions
            .iter()
            .filter(|p| {
                p.zone == "EU"
                    && p.status == PositionStatus::Requested
                    && p.participant != "liquidity:EU"
            })
            .map(|p| credit(p, p.due_minor))
            .collect();
        env.house
            .import_bank_file("operator", &env.bank_file("EU", &others))
            .unwrap();
        env.pay_all_but(cycle.number, "liquidity:EU");
        let now = env.house.cycle(cycle.number).unwrap();
        assert!(
            now.positions.iter().all(|p| p.payout.is_none()),
            "{:?}",
            now.positions
        );
        env.pay_all(cycle.number);
        let settled = env.house.cycle(cycle.number).unwrap();
        assert_eq!(
            settled.status,
            CycleStatus::Settled,
            "{:?}",
            settled.positions
        );
        assert_verified(&env);
        let account = env
            .house
            .store()
            .lookup_accounts(&[env.house.provider_account_id("EU").unwrap()])
            .unwrap();
        assert_eq!(account[0].credits_posted, 39_250);

        // The next cycle goes the other way: Iran's exporter is paid out of what Iran kept, and
        // the EU's surplus repays the provider first.
        env.tick();
        env.house
            .submit_accepted("ir-kerman", &pistachios("c-4", 200))
            .unwrap();
        env.tick();
        let second = env.run_and_settle();
        let eu = second
            .cycle
            .liquidity
            .iter()
            .find(|m| m.zone == "EU")
            .unwrap();
        assert_eq!((eu.beyond_minor, eu.repaid_minor), (-39_250, 39_250));
        let ir = second
            .cycle
            .liquidity
            .iter()
            .find(|m| m.zone == "IR")
            .unwrap();
        assert_eq!((ir.beyond_minor, ir.held_used_minor), (39_250, 39_250));
        let repaid = position(&second.cycle, "liquidity:EU");
        assert_eq!(repaid.status, PositionStatus::PaidOut);
        assert_eq!(second.cycle.status, CycleStatus::Settled);
        let account = env
            .house
            .store()
            .lookup_accounts(&[env.house.provider_account_id("EU").unwrap()])
            .unwrap();
        assert_eq!(
            account[0].credits_posted - account[0].debits_posted,
            0,
            "repaid in full"
        );
        assert_verified(&env);
    });
}

#[test]
fn a_participant_suspended_by_a_list_update_leaves_the_cycle_it_was_settling_in() {
    each_backend(|db| {
        let (env, cycle) = a_cycle_run(db);
        // A list update lists ir-darou's bank (BIC MELIIRTH) before ir-darou paid.
        let mut entities: Vec<screening::Entity> = lists()
            .screener
            .entities()
            .iter()
            .take(50)
            .cloned()
            .collect();
        let mut bank = entities[0].clone();
        bank.id = "test_list:1".into();
        bank.source = "test_list".into();
        bank.identifiers = vec![screening::entity::Identifier {
            kind: "SWIFT/BIC".into(),
            value: "MELIIRTH".into(),
            country: Some("IR".into()),
        }];
        entities.push(bank);
        let report = env
            .house
            .rescreen("operator", house::Lists::index(entities, "v2"))
            .unwrap();
        assert!(
            report.suspended.contains(&"ir-darou".to_owned()),
            "{report:?}"
        );
        // It left the cycle: its claim and the counter-flow it balanced clear nothing now, and
        // nobody is asked to pay or paid.
        let after = env.house.cycle(cycle.number).unwrap();
        assert_eq!(position(&after, "ir-darou").status, PositionStatus::Unwound);
        assert_eq!(after.unwinds.len(), 1, "{:?}", after.unwinds);
        assert!(after.claims.iter().all(|c| c.cleared_minor == 0));
        assert_eq!(after.status, CycleStatus::Settled);
        assert!(after.positions.iter().all(|p| p.payout.is_none()));
        assert_verified(&env);
        // The officers reject it: its claim, out of the cycle, is rejected and its reservation
        // released.
        let case = env
            .house
            .cases(None)
            .unwrap()
            .into_iter()
            .find(|c| c.subject == "participant:ir-darou")
            .expect("a case on ir-darou");
        env.house
            .decide(
                "c.weber",
                &case.id,
                house::Verdict::Reject,
                "banks at a listed bank",
            )
            .unwrap();
        let c1 = env.house.claim("c-1").unwrap();
        assert_eq!(c1.status, ClaimStatus::Rejected);
        assert_eq!(c1.reserve_transfer, None);
        assert_verified(&env);
    });
}
