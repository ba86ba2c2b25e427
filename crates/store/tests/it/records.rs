//! The clearing house's state: versioned records, changes applied as one transaction with the
//! ledger, and the hash-chained audit journal, on both backends.

use std::sync::Barrier;

use ledger::{CreateTransferResult as TR, NewTransfer, PendingStatus, TransferFlags};
use store::records::RECORD_KEY_BYTES_MAX;
use store::{Applied, AuditEvent, Change, Expect, Record, RecordQuery, Store, StoreError};

use crate::support::{SECOND, T0, TestClock, TestDb, accounts};

fn record(kind: &str, id: &str, version: u64, status: &str, parties: [&str; 2], at: u64) -> Record {
    Record {
        kind: kind.to_owned(),
        id: id.to_owned(),
        version,
        status: status.to_owned(),
        party: parties[0].to_owned(),
        counterparty: parties[1].to_owned(),
        at,
        body: format!(r#"{{"id":"{id}","version":{version},"note":"é \"quoted\" ✓"}}"#),
    }
}

fn event(action: &str, subject: &str) -> AuditEvent {
    AuditEvent {
        actor: "officer:ana".to_owned(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        body: format!(r#"{{"why":"{action} on {subject}"}}"#),
    }
}

fn expect(kind: &str, id: &str, version: Option<u64>) -> Expect {
    Expect {
        kind: kind.to_owned(),
        id: id.to_owned(),
        version,
    }
}

/// The audit positions of a committed change; panics on anything else.
fn committed(db: &TestDb, applied: Applied) -> Vec<u64> {
    match applied {
        Applied::Committed { audit_seqs, .. } => audit_seqs,
        other => panic!("{}: expected a commit, got {other:?}", db.name),
    }
}

/// Every audit row's position.
fn audit_seqs(store: &Store) -> Vec<u64> {
    store
        .audit(0, None, 10_000)
        .unwrap()
        .iter()
        .map(|r| r.seq)
        .collect()
}

/// The ids a query returns, in order.
fn ids(store: &Store, query: RecordQuery) -> Vec<String> {
    store
        .records(&query)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

fn claims() -> RecordQuery {
    RecordQuery {
        kind: "claim".to_owned(),
        limit: 100,
        ..Default::default()
    }
}

#[test]
fn a_change_writes_records_and_audit_and_queries_filter_and_page() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        let put = vec![
            record("claim", "c1", 1, "queued", ["acme", "bolt"], T0 + SECOND),
            record(
                "claim",
                "c2",
                1,
                "queued",
                ["bolt", "acme"],
                T0 + 2 * SECOND,
            ),
            record(
                "claim",
                "c3",
                1,
                "settled",
                ["acme", "crow"],
                T0 + 3 * SECOND,
            ),
            record(
                "claim",
                "c4",
                1,
                "queued",
                ["crow", "dune"],
                T0 + 3 * SECOND,
            ),
            record(
                "claim",
                "c5",
                1,
                "rejected",
                ["dune", "acme"],
                T0 + 5 * SECOND,
            ),
            record("claim", "c6", 1, "queued", ["", ""], T0 + 6 * SECOND),
            record("alert", "c1", 1, "open", ["acme", ""], T0 + SECOND),
        ];
        let applied = store
            .apply_change(Change {
                expect: vec![expect("claim", "c1", None)],
                put: put.clone(),
                audit: vec![
                    event("claim.submitted", "claim:c1"),
                    event("alert.raised", "alert:c1"),
                ],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            applied,
            Applied::Committed {
                at: T0,
                audit_seqs: vec![1, 2]
            },
            "{}",
            db.name
        );

        // Read back field for field.
        for r in &put {
            assert_eq!(
                store.record(&r.kind, &r.id).unwrap().as_ref(),
                Some(r),
                "{}",
                db.name
            );
        }
        assert_eq!(store.record("claim", "c7").unwrap(), None, "{}", db.name);
        assert_eq!(store.record("case", "c1").unwrap(), None, "{}", db.name);
        let rows = store.audit(0, None, 100).unwrap();
        assert_eq!(rows.len(), 2, "{}", db.name);
        assert_eq!(
            (rows[0].at, rows[0].actor.as_str(), rows[0].action.as_str()),
            (T0, "officer:ana", "claim.submitted"),
            "{}",
            db.name
        );
        assert_eq!(rows[0].subject, "claim:c1");
        assert_eq!(rows[0].body, event("claim.submitted", "claim:c1").body);
        assert_eq!(rows[1].prev_hash, rows[0].hash, "{}", db.name);

        // Order, kind and limit.
        let all = ["c1", "c2", "c3", "c4", "c5", "c6"];
        assert_eq!(ids(&store, claims()), all, "{}", db.name);
        let newest = RecordQuery {
            newest_first: true,
            ..claims()
        };
        let mut reversed = all;
        reversed.reverse();
        assert_eq!(ids(&store, newest.clone()), reversed, "{}", db.name);
        assert_eq!(
            store
                .records(&RecordQuery {
                    kind: "alert".to_owned(),
                    ..claims()
                })
                .unwrap(),
            [put[6].clone()],
            "{}",
            db.name
        );
        assert_eq!(
            ids(
                &store,
                RecordQuery {
                    limit: 2,
                    ..claims()
                }
            ),
            ["c1", "c2"]
        );
        assert!(
            ids(
                &store,
                RecordQuery {
                    limit: 0,
                    ..claims()
                }
            )
            .is_empty()
        );

        // Filters.
        let status = |s: &str| RecordQuery {
            status: Some(s.to_owned()),
            ..claims()
        };
        assert_eq!(
            ids(&store, status("queued")),
            ["c1", "c2", "c4", "c6"],
            "{}",
            db.name
        );
        assert_eq!(ids(&store, status("settled")), ["c3"]);
        assert!(ids(&store, status("nothing")).is_empty());
        let party = |p: &str| RecordQuery {
            party: Some(p.to_owned()),
            ..claims()
        };
        assert_eq!(
            ids(&store, party("acme")),
            ["c1", "c2", "c3", "c5"],
            "{}",
            db.name
        );
        assert_eq!(ids(&store, party("crow")), ["c3", "c4"], "{}", db.name);
        assert_eq!(
            ids(
                &store,
                RecordQuery {
                    status: Some("queued".to_owned()),
                    ..party("acme")
                }
            ),
            ["c1", "c2"],
            "{}",
            db.name
        );
        let window = RecordQuery {
            at_from: Some(T0 + 2 * SECOND),
            at_to: Some(T0 + 5 * SECOND),
            ..claims()
        };
        assert_eq!(
            ids(&store, window.clone()),
            ["c2", "c3", "c4", "c5"],
            "{}",
            db.name
        );
        assert_eq!(
            ids(
                &store,
                RecordQuery {
                    at_from: Some(T0 + 6 * SECOND),
                    ..claims()
                }
            ),
            ["c6"]
        );
        assert_eq!(
            ids(
                &store,
                RecordQuery {
                    at_to: Some(T0 + SECOND),
                    ..claims()
                }
            ),
            ["c1"]
        );

        // Paging with `after`, through a tie on `at` (c3 and c4), both ways.
        for (query, expected) in [(claims(), all), (newest, reversed)] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = store
                    .records(&RecordQuery {
                        after: after.clone(),
                        limit: 2,
                        ..query.clone()
                    })
                    .unwrap();
                let Some(last) = page.last() else { break };
                assert!(page.len() <= 2);
                after = Some((last.at, last.id.clone()));
                seen.extend(page.into_iter().map(|r| r.id));
            }
            assert_eq!(seen, expected, "{}: paging", db.name);
        }
        assert_eq!(
            ids(
                &store,
                RecordQuery {
                    after: Some((T0 + 3 * SECOND, "c3".to_owned())),
                    ..window
                }
            ),
            ["c4", "c5"],
            "{}",
            db.name
        );
    }
}

#[test]
fn expected_versions_make_a_change_a_compare_and_set() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        let first = record("case", "k1", 1, "open", ["acme", ""], T0);
        let change = Change {
            expect: vec![expect("case", "k1", None)],
            put: vec![first.clone()],
            audit: vec![event("case.opened", "case:k1")],
            ..Default::default()
        };
        assert_eq!(
            committed(&db, store.apply_change(change.clone()).unwrap()),
            [1]
        );
        let head = store.verify_audit().unwrap().head;

        // The same again, with another body: a conflict, and nothing written.
        clock.advance(SECOND);
        let again = Change {
            put: vec![Record {
                body: "{}".to_owned(),
                ..first.clone()
            }],
            ..change
        };
        assert_eq!(
            store.apply_change(again).unwrap(),
            Applied::Conflict {
                kind: "case".to_owned(),
                id: "k1".to_owned(),
                expected: None,
                found: Some(1)
            },
            "{}",
            db.name
        );
        assert_eq!(
            store.record("case", "k1").unwrap(),
            Some(first.clone()),
            "{}",
            db.name
        );
        assert_eq!(audit_seqs(&store), [1], "{}", db.name);
        let report = store.verify_audit().unwrap();
        assert_eq!((report.entries, report.head), (1, head), "{}", db.name);
        assert!(
            report.problems.is_empty(),
            "{}: {:?}",
            db.name,
            report.problems
        );

        // A wrong version, or a later expectation that fails: nothing written either.
        let second = record("case", "k1", 2, "decided", ["acme", ""], T0 + SECOND);
        let wrong = Change {
            expect: vec![expect("case", "k1", Some(2))],
            put: vec![second.clone()],
            audit: vec![event("case.decided", "case:k1")],
            ..Default::default()
        };
        assert_eq!(
            store.apply_change(wrong.clone()).unwrap(),
            Applied::Conflict {
                kind: "case".to_owned(),
                id: "k1".to_owned(),
                expected: Some(2),
                found: Some(1)
            },
            "{}",
            db.name
        );
        let partly = Change {
            expect: vec![expect("case", "k1", Some(1)), expect("case", "k2", Some(1))],
            ..wrong.clone()
        };
        assert_eq!(
            store.apply_change(partly).unwrap(),
            Applied::Conflict {
                kind: "case".to_owned(),
                id: "k2".to_owned(),
                expected: Some(1),
                found: None
            },
            "{}",
            db.name
        );
        assert_eq!(
            store.record("case", "k1").unwrap(),
            Some(first),
            "{}",
            db.name
        );
        assert_eq!(audit_seqs(&store), [1], "{}", db.name);
        assert_eq!(store.verify_audit().unwrap().head, head, "{}", db.name);

        // The right version commits and the new version is stored.
        let right = Change {
            expect: vec![expect("case", "k1", Some(1))],
            ..wrong
        };
        assert_eq!(
            store.apply_change(right).unwrap(),
            Applied::Committed {
                at: T0 + SECOND,
                audit_seqs: vec![2]
            },
            "{}",
            db.name
        );
        assert_eq!(
            store.record("case", "k1").unwrap(),
            Some(second),
            "{}",
            db.name
        );
        let report = store.verify_audit().unwrap();
        assert_eq!(report.entries, 2, "{}", db.name);
        assert!(
            report.problems.is_empty(),
            "{}: {:?}",
            db.name,
            report.problems
        );
    }
}

#[test]
fn ledger_events_go_with_the_change_or_refuse_all_of_it() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        let reserve = NewTransfer {
            id: 10,
            debit_account_id: 1,
            credit_account_id: 2,
            amount: 500,
            ledger: 978,
            code: 1,
            flags: TransferFlags::PENDING,
            ..Default::default()
        };
        let applied = store
            .apply_change(Change {
                accounts: accounts(2),
                transfers: vec![reserve],
                put: vec![record("claim", "c1", 1, "reserved", ["acme", "bolt"], T0)],
                audit: vec![event("claim.reserved", "claim:c1")],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(committed(&db, applied), [1]);
        let a = store.lookup_accounts(&[1, 2]).unwrap();
        assert_eq!(a.len(), 2, "{}", db.name);
        assert_eq!(
            (
                a[0].debits_pending,
                a[0].debits_posted,
                a[1].credits_pending
            ),
            (500, 0, 500),
            "{}",
            db.name
        );
        let t = store.lookup_transfers(&[10]).unwrap();
        assert_eq!(
            t[0].1.map(|s| s.status),
            Some(PendingStatus::Pending),
            "{}",
            db.name
        );

        // The second transfer names an account that does not exist: none of it happens.
        let pay = NewTransfer {
            id: 11,
            debit_account_id: 1,
            credit_account_id: 2,
            amount: 70,
            ledger: 978,
            code: 1,
            ..Default::default()
        };
        let bad = NewTransfer {
            id: 12,
            credit_account_id: 99,
            ..pay
        };
        let applied = store
            .apply_change(Change {
                transfers: vec![pay, bad],
                put: vec![record("claim", "c2", 1, "paid", ["acme", "bolt"], T0)],
                audit: vec![event("claim.paid", "claim:c2")],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            applied,
            Applied::Refused {
                accounts: vec![],
                transfers: vec![TR::LinkedEventFailed, TR::CreditAccountNotFound]
            },
            "{}",
            db.name
        );
        assert_eq!(store.record("claim", "c2").unwrap(), None, "{}", db.name);
        assert_eq!(audit_seqs(&store), [1], "{}", db.name);
        assert!(
            store.lookup_transfers(&[11, 12]).unwrap().is_empty(),
            "{}",
            db.name
        );
        assert_eq!(store.lookup_accounts(&[1, 2]).unwrap(), a, "{}", db.name);

        let report = store.verify().unwrap();
        assert!(report.is_ok(), "{}: {:?}", db.name, report.problems);
        assert_eq!(report.transfers, 1, "{}", db.name);
        let audit = store.verify_audit().unwrap();
        assert!(
            audit.problems.is_empty(),
            "{}: {:?}",
            db.name,
            audit.problems
        );
        assert_eq!(audit.entries, 1);
    }
}

const THREADS: u64 = 8;
const CHANGES: u64 = 25;

#[test]
fn concurrent_changes_keep_one_gapless_audit_chain() {
    for db in TestDb::each() {
        let store = db.open(&TestClock::at(T0));
        let mut seqs: Vec<u64> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..THREADS)
                .map(|thread| {
                    let (store, db) = (&store, &db);
                    s.spawn(move || {
                        let mut seqs = Vec::new();
                        for i in 0..CHANGES {
                            let id = format!("t{thread}-{i}");
                            let party = format!("p{thread}");
                            let applied = store
                                .apply_change(Change {
                                    expect: vec![expect("claim", &id, None)],
                                    put: vec![record("claim", &id, 1, "queued", [&party, ""], T0)],
                                    audit: vec![event(
                                        "claim.submitted",
                                        &format!("thread:{thread}"),
                                    )],
                                    ..Default::default()
                                })
                                .unwrap();
                            seqs.extend(committed(db, applied));
                        }
                        seqs
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        let total = THREADS * CHANGES;
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=total).collect::<Vec<_>>(), "{}", db.name);
        assert_eq!(audit_seqs(&store), seqs, "{}", db.name);
        let report = store.verify_audit().unwrap();
        assert!(
            report.problems.is_empty(),
            "{}: {:?}",
            db.name,
            report.problems
        );
        assert_eq!(report.entries, total, "{}", db.name);
        let last = store.audit(total - 1, None, 10).unwrap();
        assert_eq!(report.head, (total, last[0].hash), "{}", db.name);
        assert_eq!(
            store
                .records(&RecordQuery {
                    limit: 1000,
                    ..claims()
                })
                .unwrap()
                .len() as u64,
            total,
            "{}",
            db.name
        );

        // By subject, after a position, at most `limit`.
        let three = store.audit(0, Some("thread:3"), 1000).unwrap();
        assert_eq!(three.len() as u64, CHANGES, "{}", db.name);
        assert!(three.iter().all(|r| r.subject == "thread:3"));
        assert!(three.windows(2).all(|w| w[0].seq < w[1].seq));
        let after = store.audit(three[9].seq, Some("thread:3"), 5).unwrap();
        assert_eq!(after, three[10..15], "{}", db.name);
        assert!(store.audit(0, Some("thread:99"), 1000).unwrap().is_empty());
        assert_eq!(store.audit(total, None, 10).unwrap(), [], "{}", db.name);
    }
}

#[test]
fn only_one_of_many_changes_expecting_the_same_absent_record_wins() {
    for db in TestDb::each() {
        let store = db.open(&TestClock::at(T0));
        const RACERS: usize = 16;
        let barrier = Barrier::new(RACERS);
        let outcomes: Vec<(usize, Applied)> = std::thread::scope(|s| {
            let racers: Vec<_> = (0..RACERS)
                .map(|n| {
                    let (store, barrier) = (&store, &barrier);
                    s.spawn(move || {
                        let mut key = record("idempotency", "key-1", 1, "taken", ["", ""], T0);
                        key.body = format!(r#"{{"by":{n}}}"#);
                        barrier.wait();
                        let applied = store
                            .apply_change(Change {
                                expect: vec![expect("idempotency", "key-1", None)],
                                put: vec![key],
                                audit: vec![event("key.taken", "idempotency:key-1")],
                                ..Default::default()
                            })
                            .unwrap();
                        (n, applied)
                    })
                })
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let winners: Vec<usize> = outcomes
            .iter()
            .filter(|(_, a)| matches!(a, Applied::Committed { .. }))
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(winners.len(), 1, "{}: {outcomes:?}", db.name);
        for (_, applied) in &outcomes {
            if !matches!(applied, Applied::Committed { .. }) {
                assert_eq!(
                    *applied,
                    Applied::Conflict {
                        kind: "idempotency".to_owned(),
                        id: "key-1".to_owned(),
                        expected: None,
                        found: Some(1)
                    },
                    "{}",
                    db.name
                );
            }
        }
        let stored = store.record("idempotency", "key-1").unwrap().unwrap();
        assert_eq!(
            stored.body,
            format!(r#"{{"by":{}}}"#, winners[0]),
            "{}",
            db.name
        );
        assert_eq!(audit_seqs(&store), [1], "{}", db.name);
    }
}

/// A database with five audit entries, then `sql` run behind the store's back: the problems
/// `verify_audit` reports.
fn audit_problems_after(db: &TestDb, sql: &str) -> Vec<String> {
    let clock = TestClock::at(T0);
    let store = db.open(&clock);
    for i in 1..=5 {
        let id = format!("c{i}");
        let applied = store
            .apply_change(Change {
                put: vec![record("claim", &id, 1, "queued", ["acme", ""], T0)],
                audit: vec![event("claim.submitted", &format!("claim:{id}"))],
                ..Default::default()
            })
            .unwrap();
        committed(db, applied);
        clock.advance(SECOND);
    }
    let report = store.verify_audit().unwrap();
    assert!(
        report.problems.is_empty(),
        "{}: before: {:?}",
        db.name,
        report.problems
    );
    assert_eq!(report.entries, 5);
    drop(store);
    db.execute(sql);
    let report = db.open(&clock).verify_audit().unwrap();
    assert!(
        !report.problems.is_empty(),
        "{}: `{sql}` went unnoticed",
        db.name
    );
    report.problems
}

fn assert_mentions(db: &TestDb, problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "{}: no problem mentions {needle:?}: {problems:#?}",
        db.name
    );
}

#[test]
fn tampering_with_the_audit_journal_is_found() {
    for db in TestDb::each() {
        let p = audit_problems_after(
            &db,
            r#"UPDATE audit SET body = '{"why":"nothing"}' WHERE seq = 3"#,
        );
        assert_mentions(
            &db,
            &p,
            "audit entry 3 (claim.submitted on claim:c3): hash does not match",
        );
    }
    for db in TestDb::each() {
        let p = audit_problems_after(&db, "UPDATE audit SET actor = 'officer:bob' WHERE seq = 1");
        assert_mentions(&db, &p, "audit entry 1 ");
    }
    for db in TestDb::each() {
        let p = audit_problems_after(&db, "DELETE FROM audit WHERE seq = 2");
        assert_mentions(&db, &p, "audit entry 3 found where 2 was expected");
    }
    for db in TestDb::each() {
        let p = audit_problems_after(&db, "DELETE FROM audit WHERE seq = 5");
        assert_mentions(
            &db,
            &p,
            "audit head says entry 5 but the chain ends at entry 4",
        );
    }
}

#[test]
fn a_change_over_the_limits_is_refused_whole() {
    for db in TestDb::each() {
        let store = db.open(&TestClock::at(T0));
        let long = "x".repeat(RECORD_KEY_BYTES_MAX + 1);
        let err = store
            .apply_change(Change {
                accounts: accounts(2),
                put: vec![
                    record("claim", "fine", 1, "queued", ["", ""], T0),
                    record("claim", &long, 1, "queued", ["", ""], T0),
                ],
                audit: vec![event("claim.submitted", "claim:fine")],
                ..Default::default()
            })
            .unwrap_err();
        assert!(
            matches!(err, StoreError::TooLarge(_)),
            "{}: {err:?}",
            db.name
        );
        assert_eq!(store.record("claim", "fine").unwrap(), None, "{}", db.name);
        assert!(store.records(&claims()).unwrap().is_empty(), "{}", db.name);
        assert!(audit_seqs(&store).is_empty(), "{}", db.name);
        assert!(
            store.lookup_accounts(&[1, 2]).unwrap().is_empty(),
            "{}",
            db.name
        );
        assert_eq!(store.stats().batches, 0, "{}: reached the writer", db.name);

        // An audit subject too long, likewise; a key of exactly the limit is fine.
        let err = store
            .apply_change(Change {
                audit: vec![event("claim.submitted", &long)],
                ..Default::default()
            })
            .unwrap_err();
        assert!(
            matches!(err, StoreError::TooLarge(_)),
            "{}: {err:?}",
            db.name
        );
        let longest = &long[1..];
        let applied = store
            .apply_change(Change {
                put: vec![record("claim", longest, 1, "queued", [longest, ""], T0)],
                audit: vec![event("claim.submitted", longest)],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(committed(&db, applied), [1]);
        assert_eq!(
            store.record("claim", longest).unwrap().unwrap().party,
            longest
        );
    }
}

#[test]
fn a_change_with_a_nul_character_is_refused_on_both_backends() {
    for db in TestDb::each() {
        let store = db.open(&TestClock::at(T0));
        let fine = record("claim", "c1", 1, "queued", ["", ""], T0);
        // With an audit event each: a change with records and none is refused for that first.
        let audit = vec![event("claim.submitted", "claim:c1")];
        let changes = [
            Change {
                put: vec![record("claim", "a\0b", 1, "queued", ["", ""], T0)],
                audit: audit.clone(),
                ..Default::default()
            },
            Change {
                put: vec![Record {
                    body: "{\"x\":\"\0\"}".to_owned(),
                    ..fine.clone()
                }],
                audit: audit.clone(),
                ..Default::default()
            },
            Change {
                expect: vec![expect("claim", "\0", None)],
                put: vec![fine.clone()],
                audit: audit.clone(),
                ..Default::default()
            },
            Change {
                put: vec![fine.clone()],
                audit: vec![event("claim.submitted", "claim:\0")],
                ..Default::default()
            },
        ];
        for change in changes {
            let err = store.apply_change(change).unwrap_err();
            assert!(
                matches!(err, StoreError::TooLarge(_)),
                "{}: {err:?}",
                db.name
            );
        }
        assert_eq!(store.record("claim", "c1").unwrap(), None, "{}", db.name);
        assert!(audit_seqs(&store).is_empty(), "{}", db.name);
    }
}

#[test]
fn a_record_written_twice_in_one_change_ends_as_the_last_on_both_backends() {
    for db in TestDb::each() {
        let store = db.open(&TestClock::at(T0));
        let last = record("claim", "c1", 2, "settled", ["acme", ""], T0 + SECOND);
        let applied = store
            .apply_change(Change {
                put: vec![
                    record("claim", "c1", 1, "queued", ["acme", ""], T0),
                    record("claim", "c2", 1, "queued", ["acme", ""], T0),
                    last.clone(),
                ],
                audit: vec![event("claim.settled", "claim:c1")],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(committed(&db, applied), [1]);
        assert_eq!(
            store.record("claim", "c1").unwrap(),
            Some(last),
            "{}",
            db.name
        );
        assert_eq!(ids(&store, claims()), ["c2", "c1"], "{}", db.name);
    }
}

/// Records read by key come back one per key, in the keys' order: a key asked twice twice, a
/// missing one as none, the same id under another kind apart; too many keys are refused.
#[test]
fn records_read_by_key_come_back_in_the_order_asked() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        let put = vec![
            record("claim", "c1", 1, "queued", ["acme", "bolt"], T0 + SECOND),
            record("claim", "c2", 1, "queued", ["bolt", "acme"], T0 + SECOND),
            record("alert", "c1", 1, "open", ["acme", ""], T0 + SECOND),
        ];
        store
            .apply_change(Change {
                put: put.clone(),
                audit: vec![event("claim.submitted", "claim:c1")],
                ..Default::default()
            })
            .unwrap();
        let got = store
            .records_by_key(&[
                ("claim", "c2"),
                ("claim", "missing"),
                ("alert", "c1"),
                ("claim", "c1"),
                ("claim", "c2"),
                ("nothing", "c1"),
            ])
            .unwrap();
        let keys: Vec<Option<(String, String)>> = got
            .iter()
            .map(|r| r.as_ref().map(|r| (r.kind.clone(), r.id.clone())))
            .collect();
        let key = |k: &str, i: &str| Some((k.to_owned(), i.to_owned()));
        assert_eq!(
            keys,
            [
                key("claim", "c2"),
                None,
                key("alert", "c1"),
                key("claim", "c1"),
                key("claim", "c2"),
                None
            ],
            "{}",
            db.name
        );
        assert_eq!(got[3].as_ref().unwrap().body, put[0].body, "{}", db.name);
        assert!(store.records_by_key(&[]).unwrap().is_empty());
        let many = vec![("claim", "c1"); store::RECORDS_BY_KEY_MAX + 1];
        assert!(store.records_by_key(&many).is_err(), "{}", db.name);
    }
}
