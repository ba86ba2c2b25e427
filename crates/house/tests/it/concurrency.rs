//! Many requests at once on one house, on both backends: each claim recorded exactly once, one
//! claim for one idempotency key, and four eyes that hold when officers decide at the same time.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use house::{CaseStatus, ClaimStatus, House, HouseError, Verdict};
use ledger::PendingStatus;
use sha2::Digest;

use crate::support::*;

const THREADS: usize = 32;
const SAME_KEY_THREADS: usize = 16;

#[test]
fn the_house_is_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<House>();
}

/// A house whose velocity and concentration rules do not hold a burst of claims: the burst is
/// the point here, and which claims of a burst each one sees in its history depends on timing.
fn env_for_bursts(db: TestDb) -> Env {
    let mut config = house::config::example();
    config.monitoring.velocity_count_max = 1000;
    config.monitoring.concentration_claims_min = 1000;
    let env = Env::with_config(db, config);
    onboard_clean(&env);
    env
}

/// Runs `work(i)` on `n` threads released at once; the answers in thread order.
pub(crate) fn at_once<T: Send>(n: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (barrier, work) = (&barrier, &work);
                scope.spawn(move || {
                    barrier.wait();
                    work(i)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a thread panicked"))
            .collect()
    })
}

#[test]
fn claims_submitted_at_once_are_recorded_exactly_once() {
    each_backend(|db| {
        let env = env_for_bursts(db);
        let house = Arc::new(env.house);
        // Four importers in turn.
        let debtors = [
            ("ir-darou", "Darou Pakhsh Distribution Co."),
            ("ir-gandom", "Gandom Food Industries"),
            ("ir-medequip", "Tehran Medical Equipment Co."),
            ("ir-kerman", "Kerman Pistachio Export Co."),
        ];
        let submissions: Vec<_> = (0..THREADS)
            .map(|i| {
                let (debtor, name) = debtors[i % debtors.len()];
                medicines_to(&format!("c-burst-{i:02}"), debtor, name, 10 + i as i64)
            })
            .collect();
        let answers = at_once(THREADS, |i| {
            house.submit_claim("eu-pharma", &submissions[i])
        });
        for (s, answer) in submissions.iter().zip(&answers) {
            let out = answer.as_ref().unwrap_or_else(|e| panic!("{}: {e}", s.id));
            assert!(!out.replayed);
            assert_eq!(out.claim.submission, *s);
            assert_eq!(
                out.claim.status,
                ClaimStatus::AwaitingAcceptance,
                "{:?}",
                out.claim.checks
            );
        }

        let claims = house
            .claims(Some("eu-pharma"), None, house::LIST_MAX)
            .unwrap();
        assert_eq!(claims.len(), THREADS);
        let ids: BTreeSet<&str> = claims.iter().map(|c| c.submission.id.as_str()).collect();
        let expected: BTreeSet<&str> = submissions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, expected);
        let reservations: Vec<u64> = claims
            .iter()
            .map(|c| c.reserve_transfer.expect("a reservation"))
            .collect();
        assert_eq!(reservations.iter().collect::<BTreeSet<_>>().len(), THREADS);
        let found = house.store().lookup_transfers(&reservations).unwrap();
        assert_eq!(found.len(), THREADS, "each reservation exists once");
        for ((t, state), c) in found.iter().zip(&claims) {
            assert_eq!(state.map(|s| s.status), Some(PendingStatus::Pending));
            assert_eq!(t.amount, c.clearing_amount_minor as u64);
        }
        let account = house.participant("eu-pharma").unwrap().account_id;
        let total: i64 = claims.iter().map(|c| c.clearing_amount_minor).sum();
        let accounts = house.store().lookup_accounts(&[account]).unwrap();
        assert_eq!(accounts[0].credits_pending, total as u64);
        assert_eq!(accounts[0].credits_posted, 0);
        let submitted: Vec<String> = house
            .store()
            .audit(0, None, store::LIST_LIMIT_MAX)
            .unwrap()
            .into_iter()
            .filter(|r| r.action == "claim.submitted")
            .map(|r| r.subject)
            .collect();
        assert_eq!(submitted.len(), THREADS, "one audit entry per claim");
        let subjects: BTreeSet<String> = submitted.into_iter().collect();
        let expected: BTreeSet<String> = expected.iter().map(|id| format!("claim:{id}")).collect();
        assert_eq!(subjects, expected);

        // The same key and body from many clients at once: one claim, one answer.
        let same = medicines("c-same", 40);
        let answers = at_once(SAME_KEY_THREADS, |_| house.submit_claim("eu-pharma", &same));
        let answers: Vec<_> = answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|e| panic!("c-same: {e}")))
            .collect();
        assert_eq!(answers.iter().filter(|a| !a.replayed).count(), 1);
        let first = &answers[0].claim;
        assert!(answers.iter().all(|a| a.claim == *first));
        assert_eq!(first.submission, same);
        let same_claims: Vec<_> = house
            .claims(Some("eu-pharma"), None, house::LIST_MAX)
            .unwrap()
            .into_iter()
            .filter(|c| c.submission.id == "c-same")
            .collect();
        assert_eq!(same_claims.len(), 1);
        let reserved = house
            .store()
            .lookup_transfers(&[first.reserve_transfer.unwrap()])
            .unwrap();
        assert_eq!(reserved.len(), 1);
        let audit = house
            .store()
            .audit(0, Some("claim:c-same"), store::LIST_LIMIT_MAX)
            .unwrap();
        assert_eq!(audit.len(), 1, "{audit:?}");

        let report = house.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
        assert_eq!(report.claims, THREADS + 1);
        let ledger = house.store().verify().unwrap();
        assert!(ledger.is_ok(), "{:?}", ledger.problems);
    });
}

/// Held claims, one case each.
fn held_cases(env: &Env, prefix: &str, count: usize) -> Vec<(String, String)> {
    (0..count)
        .map(|i| {
            let id = format!("{prefix}-{i}");
            let c = env
                .house
                .submit_accepted("eu-medtech", &bearings(&id, 10 + i as i64))
                .unwrap()
                .claim;
            assert_eq!(c.status, ClaimStatus::Held);
            env.tick();
            (id, c.case.expect("a case"))
        })
        .collect()
}

/// A released case: two decisions by different officers, its claim queued with one live
/// reservation.
#[track_caller]
fn assert_released_once(env: &Env, claim: &str, case_id: &str) {
    let (case, _, audit) = env.house.case(case_id).unwrap();
    assert_eq!(case.status, CaseStatus::Released, "{case:?}");
    assert_eq!(case.decisions.len(), 2, "{case:?}");
    assert_ne!(case.decisions[0].officer, case.decisions[1].officer);
    assert!(case.decisions.iter().all(|d| d.verdict == Verdict::Release));
    assert_eq!(
        audit.iter().filter(|r| r.action == "case.decided").count(),
        2
    );
    let c = env.house.claim(claim).unwrap();
    assert_eq!(c.status, ClaimStatus::Queued);
    let reservation = c.reserve_transfer.expect("a reservation");
    let found = env.house.store().lookup_transfers(&[reservation]).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1.map(|s| s.status), Some(PendingStatus::Pending));
}

#[test]
fn officers_deciding_at_once_keep_four_eyes() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);

        // Two different officers release at once: one proposes, the other agrees.
        for (claim, case_id) in held_cases(&env, "c-pair", 4) {
            let answers = at_once(2, |i| {
                let officer = ["a.novak", "b.laurent"][i];
                env.house
                    .decide(officer, &case_id, Verdict::Release, "certificate checked")
            });
            let answers: Vec<_> = answers
                .into_iter()
                .map(|a| a.unwrap_or_else(|e| panic!("{case_id}: {e}")))
                .collect();
            assert_eq!(answers.iter().filter(|a| a.awaiting_second).count(), 1);
            assert_released_once(&env, &claim, &case_id);
        }

        // One officer releases from several sessions at once: one proposal, the rest refused.
        for (claim, case_id) in held_cases(&env, "c-alone", 3) {
            let answers = at_once(4, |_| {
                env.house
                    .decide("a.novak", &case_id, Verdict::Release, "certificate checked")
            });
            let mut proposed = 0;
            for a in answers {
                match a {
                    Ok(out) => {
                        assert!(out.awaiting_second);
                        proposed += 1;
                    }
                    Err(HouseError::NotAllowed(_)) => {}
                    Err(e) => panic!("{case_id}: {e}"),
                }
            }
            assert_eq!(proposed, 1);
            let (case, _, _) = env.house.case(&case_id).unwrap();
            assert_eq!(case.status, CaseStatus::AwaitingSecond);
            assert_eq!(case.decisions.len(), 1);
            let c = env.house.claim(&claim).unwrap();
            assert_eq!(c.status, ClaimStatus::Held);
            assert_eq!(c.reserve_transfer, None);

            // Two other officers agree at once: one closes it, the other finds it closed.
            let answers = at_once(2, |i| {
                let officer = ["b.laurent", "c.weber"][i];
                env.house
                    .decide(officer, &case_id, Verdict::Release, "agreed")
            });
            let mut closed = 0;
            for a in answers {
                match a {
                    Ok(out) => {
                        assert_eq!(out.case.status, CaseStatus::Released);
                        closed += 1;
                    }
                    Err(HouseError::NotAllowed(_)) => {}
                    Err(e) => panic!("{case_id}: {e}"),
                }
            }
            assert_eq!(closed, 1);
            assert_released_once(&env, &claim, &case_id);
        }

        // A release and a rejection at once: the case ends either way, never both.
        for (claim, case_id) in held_cases(&env, "c-split", 3) {
            env.house
                .decide("a.novak", &case_id, Verdict::Release, "certificate checked")
                .unwrap();
            let answers = at_once(2, |i| {
                let (officer, verdict) = [
                    ("b.laurent", Verdict::Release),
                    ("c.weber", Verdict::Reject),
                ][i];
                env.house.decide(officer, &case_id, verdict, "decided")
            });
            assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 1);
            let (case, _, _) = env.house.case(&case_id).unwrap();
            let c = env.house.claim(&claim).unwrap();
            assert_eq!(case.decisions.len(), 2);
            match case.status {
                CaseStatus::Released => assert_released_once(&env, &claim, &case_id),
                CaseStatus::Rejected => {
                    assert_eq!(c.status, ClaimStatus::Rejected);
                    assert_eq!(c.reserve_transfer, None);
                }
                other => panic!("{case_id} is {other:?}"),
            }
        }

        let report = env.house.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
        let ledger = env.house.store().verify().unwrap();
        assert!(ledger.is_ok(), "{:?}", ledger.problems);
    });
}

#[test]
fn cycles_run_at_once_into_one_directory_both_complete() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        for (i, c) in [medicines("c-med", 2000), pistachios("c-pist", 8000)]
            .iter()
            .enumerate()
        {
            let out = env.house.submit_accepted(&c.creditor, c).unwrap();
            assert_eq!(out.claim.status, ClaimStatus::Queued, "{i}");
            env.tick();
        }
        let options = env.cycle_options();
        let answers = at_once(2, |_| env.house.run_cycle("operator", &options));
        let reports: Vec<_> = answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|e| panic!("a cycle failed: {e}")))
            .collect();
        let numbers: BTreeSet<u64> = reports.iter().map(|r| r.cycle.number).collect();
        assert_eq!(numbers, BTreeSet::from([1, 2]));
        for report in &reports {
            assert_eq!(env.house.cycle(report.cycle.number).unwrap(), report.cycle);
            for f in &report.cycle.files {
                let path = std::path::Path::new(&report.directory).join(&f.path);
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), f.sha256);
            }
        }
        let cleared: i64 = reports
            .iter()
            .flat_map(|r| &r.cycle.claims)
            .map(|c| c.cleared_minor)
            .sum();
        assert_eq!(cleared, 2 * 7_000_000, "cleared once, not twice");
        let report = env.house.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
    });
}

/// A burst of claims from one creditor is judged as if they came one after another: submissions
/// about the same participant are serialised, so the velocity rule (at most 20 a day with the
/// default settings) holds exactly the claims past the twentieth, however they interleave.
#[test]
fn a_burst_cannot_slip_past_the_velocity_rule() {
    each_backend(|db| {
        let env = Env::with_config(db, house::config::example());
        onboard_clean(&env);
        let house = Arc::new(env.house);
        let debtors = [
            ("ir-darou", "Darou Pakhsh Distribution Co."),
            ("ir-gandom", "Gandom Food Industries"),
            ("ir-medequip", "Tehran Medical Equipment Co."),
            ("ir-kerman", "Kerman Pistachio Export Co."),
        ];
        const BURST: usize = 30;
        let submissions: Vec<_> = (0..BURST)
            .map(|i| {
                let (debtor, name) = debtors[i % debtors.len()];
                medicines_to(&format!("c-velocity-{i:02}"), debtor, name, 10 + i as i64)
            })
            .collect();
        let answers = at_once(BURST, |i| house.submit_claim("eu-pharma", &submissions[i]));
        let statuses: Vec<ClaimStatus> = answers
            .into_iter()
            .map(|a| a.expect("submitted").claim.status)
            .collect();
        let passed = statuses
            .iter()
            .filter(|s| **s == ClaimStatus::AwaitingAcceptance)
            .count();
        let held = statuses.iter().filter(|s| **s == ClaimStatus::Held).count();
        assert_eq!((passed, held), (20, BURST - 20), "{statuses:?}");
    });
}

#[test]
fn one_invoice_claimed_at_once_under_many_ids_is_queued_once() {
    each_backend(|db| {
        let env = env_for_bursts(db);
        let outcomes = at_once(8, |i| {
            let mut c = medicines(&format!("c-twin-{i}"), 10 + i as i64);
            c.invoice_number = "INV-TWIN".into();
            env.house
                .submit_claim("eu-pharma", &c)
                .unwrap()
                .claim
                .status
        });
        let passed = outcomes
            .iter()
            .filter(|s| **s == ClaimStatus::AwaitingAcceptance)
            .count();
        assert_eq!(passed, 1, "{outcomes:?}");
        assert_eq!(
            outcomes.iter().filter(|s| **s == ClaimStatus::Held).count(),
            7
        );
        assert!(env.house.verify().unwrap().is_ok());
    });
}

/// The claims of `creditor` the velocity rule counted for `claim` (the claim included), from
/// the finding it recorded; `None` when the rule found nothing.
/// A second house on the database of `env` (another server, or the CLI beside one).
fn second_house(env: &Env) -> House {
    House::open(
        env.db.open(&env.clock),
        env.clock.clock(),
        lists(),
        checker(),
    )
    .expect("a second house on the same database")
}

fn velocity_count(claim: &house::ClaimRecord) -> Option<u64> {
    let monitoring = claim.checks.iter().find(|c| c.step == "monitoring")?;
    let findings = monitoring.inputs["findings"].as_array()?;
    let velocity = findings.iter().find(|f| f["rule"] == "velocity")?;
    velocity["inputs"]["parties"][0]["count"].as_u64()
}

/// Two houses on one database (two servers, or the CLI beside a server) each keep the
/// monitoring history of the participants they saw: each sees the claims the other recorded,
/// and a claim the other rejected leaves it.
#[test]
fn two_houses_on_one_database_see_each_others_claims_in_the_monitoring_history() {
    each_backend(|db| {
        let mut config = house::config::example();
        config.monitoring.velocity_count_max = 3;
        let env = Env::with_config(db, config);
        onboard_clean(&env);
        let a = &env.house;
        let b = second_house(&env);
        let submit = |house: &House, n: usize| {
            env.tick();
            let debtor = ["ir-darou", "ir-gandom"][n % 2];
            let name = ["Darou Pakhsh Distribution Co.", "Gandom Food Industries"][n % 2];
            let s = medicines_to(&format!("c-two-{n}"), debtor, name, 10 + n as i64);
            house
                .submit_claim("eu-pharma", &s)
                .expect("submitted")
                .claim
        };
        // A keeps eu-pharma's history after c-two-1; B records two more claims.
        assert_eq!(submit(a, 1).status, ClaimStatus::AwaitingAcceptance);
        assert_eq!(submit(&b, 2).status, ClaimStatus::AwaitingAcceptance);
        assert_eq!(submit(&b, 3).status, ClaimStatus::AwaitingAcceptance);
        // A counts B's claims: four within the day, one more than the limit.
        let fourth = submit(a, 4);
        assert_eq!(fourth.status, ClaimStatus::Held, "{:?}", fourth.checks);
        assert_eq!(velocity_count(&fourth), Some(4));
        // B's officers reject the fourth claim; A no longer counts it.
        let case = fourth.case.clone().expect("a held claim has a case");
        for officer in ["a.novak", "b.laurent"] {
            let outcome = b
                .decide(officer, &case, Verdict::Reject, "no end-use certificate")
                .expect("decided");
            if outcome.case.status == CaseStatus::Rejected {
                break;
            }
        }
        assert_eq!(
            a.claim("c-two-4").expect("the claim").status,
            ClaimStatus::Rejected
        );
        let fifth = submit(a, 5);
        assert_eq!(velocity_count(&fifth), Some(4), "{:?}", fifth.checks);
        assert!(a.verify().expect("verify").is_ok());
    });
}

/// A house keeps the parties' records its submissions read (`kept`): one suspended meanwhile
/// by another house on the same database (another server, or the CLI) can neither submit nor
/// be claimed on from the first, which reads the record again when its claim fails to commit.
#[test]
fn a_party_suspended_by_another_house_is_refused_by_the_house_that_kept_it() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let a = &env.house;
        let b = second_house(&env);
        let submit = |n: usize| {
            env.tick();
            let s = medicines_to(
                &format!("c-kept-{n}"),
                "ir-darou",
                "Darou Pakhsh Distribution Co.",
                10 + n as i64,
            );
            a.submit_claim("eu-pharma", &s)
        };
        // A reads and keeps both parties' records.
        let first = submit(1).expect("submitted").claim;
        assert_eq!(first.status, ClaimStatus::AwaitingAcceptance);
        // B suspends the importer; A still holds the record it read before.
        b.suspend_participant("operator", "ir-darou", "bank details under review")
            .expect("suspended");
        let second = submit(2).expect("answered").claim;
        assert_eq!(second.status, ClaimStatus::Rejected, "{:?}", second.checks);
        let parties = second
            .checks
            .iter()
            .find(|c| c.step == "parties")
            .expect("the parties' check");
        assert!(
            parties.findings.iter().any(|f| f.contains("suspended")),
            "{:?}",
            parties.findings
        );
        // Reinstated by B, the importer is claimed on again through A.
        b.reinstate_participant("operator", "ir-darou", "review done")
            .expect("reinstated");
        assert_eq!(
            submit(3).expect("submitted").claim.status,
            ClaimStatus::AwaitingAcceptance
        );
        assert!(a.verify().expect("verify").is_ok());
    });
}
