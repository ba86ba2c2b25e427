//! Every record version is bound to the audit entry that wrote it: `verify_audit` finds a record
//! changed, inserted, deleted or rolled back behind the store's back, naming it by kind and id.

use store::{Applied, AuditEvent, Change, Expect, Record, Store, StoreError};

use crate::support::{SECOND, T0, TestClock, TestDb};

const IBAN: &str = "IR820540102680020817909002";
const OTHER_IBAN: &str = "DE89370400440532013000";

fn participant(version: u64, status: &str) -> Record {
    Record {
        kind: "participant".to_owned(),
        id: "ir-melli".to_owned(),
        version,
        status: status.to_owned(),
        party: "ir-melli".to_owned(),
        counterparty: String::new(),
        at: T0,
        body: format!(r#"{{"id":"ir-melli","status":"{status}","iban":"{IBAN}"}}"#),
    }
}

fn claim(id: &str) -> Record {
    Record {
        kind: "claim".to_owned(),
        id: id.to_owned(),
        version: 1,
        status: "queued".to_owned(),
        party: "de-acme".to_owned(),
        counterparty: "ir-melli".to_owned(),
        at: T0,
        body: format!(r#"{{"id":"{id}","amount_minor":125000}}"#),
    }
}

fn event(action: &str, subject: &str) -> AuditEvent {
    AuditEvent {
        actor: "officer:ana".to_owned(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        body: "{}".to_owned(),
    }
}

fn apply(store: &Store, change: Change) {
    let applied = store.apply_change(change).unwrap();
    assert!(matches!(applied, Applied::Committed { .. }), "{applied:?}");
}

/// A participant onboarded (audit entry 1), a claim (entry 2), an entry that writes no record
/// (3), and the participant rejected (entry 4, with a second event 5).
fn history(store: &Store, clock: &TestClock) {
    apply(
        store,
        Change {
            expect: vec![Expect {
                kind: "participant".to_owned(),
                id: "ir-melli".to_owned(),
                version: None,
            }],
            put: vec![participant(1, "active")],
            audit: vec![event("participant.onboarded", "participant:ir-melli")],
            ..Default::default()
        },
    );
    clock.advance(SECOND);
    apply(
        store,
        Change {
            put: vec![claim("c-1")],
            audit: vec![event("claim.submitted", "claim:c-1")],
            ..Default::default()
        },
    );
    clock.advance(SECOND);
    apply(
        store,
        Change {
            audit: vec![event("lists.updated", "lists")],
            ..Default::default()
        },
    );
    clock.advance(SECOND);
    apply(
        store,
        Change {
            expect: vec![Expect {
                kind: "participant".to_owned(),
                id: "ir-melli".to_owned(),
                version: Some(1),
            }],
            put: vec![participant(2, "rejected")],
            audit: vec![
                event("case.decided", "case:k-1"),
                event("participant.rejected", "participant:ir-melli"),
            ],
            ..Default::default()
        },
    );
}

/// The history, then `sql` run behind the store's back: what `verify_audit` reports.
fn problems_after(db: &TestDb, sql: &str) -> Vec<String> {
    let clock = TestClock::at(T0);
    let store = db.open(&clock);
    history(&store, &clock);
    let report = store.verify_audit().unwrap();
    assert_eq!(report.problems, Vec::<String>::new(), "{}: before", db.name);
    assert_eq!((report.entries, report.records), (5, 2), "{}", db.name);
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

fn assert_reports(db: &TestDb, problems: &[String], expected: &str) {
    assert!(
        problems.iter().any(|p| p == expected),
        "{}: {expected:?} not in {problems:#?}",
        db.name
    );
}

#[test]
fn a_rejected_participant_set_back_to_active_is_found() {
    for db in TestDb::each() {
        let p = problems_after(
            &db,
            "UPDATE records SET status = 'active', body = replace(body, 'rejected', 'active')
             WHERE kind = 'participant' AND id = 'ir-melli'",
        );
        assert_reports(
            &db,
            &p,
            "record participant:ir-melli was changed outside the house \
             (audit entry 4 wrote version 2, the row differs in its status and body)",
        );
    }
}

#[test]
fn an_iban_changed_in_the_body_is_found() {
    for db in TestDb::each() {
        let p = problems_after(
            &db,
            &format!("UPDATE records SET body = replace(body, '{IBAN}', '{OTHER_IBAN}')"),
        );
        assert_reports(
            &db,
            &p,
            "record participant:ir-melli was changed outside the house \
             (audit entry 4 wrote version 2, the row differs in its body)",
        );
        assert_eq!(p.len(), 1, "{}: only the participant: {p:#?}", db.name);
    }
}

#[test]
fn the_fields_changed_are_named() {
    for db in TestDb::each() {
        let p = problems_after(
            &db,
            "UPDATE records SET party = 'de-other', counterparty = 'ir-other', at = 5
             WHERE kind = 'claim'",
        );
        assert_reports(
            &db,
            &p,
            "record claim:c-1 was changed outside the house \
             (audit entry 2 wrote version 1, the row differs in its party, counterparty and at)",
        );
    }
}

#[test]
fn a_record_inserted_outside_the_house_is_found() {
    for db in TestDb::each() {
        let p = problems_after(
            &db,
            "INSERT INTO records (kind, id, version, status, party, counterparty, at, body)
             VALUES ('participant', 'ghost', 1, 'active', 'ghost', '', 0, '{}')",
        );
        assert_reports(
            &db,
            &p,
            "record participant:ghost (version 1) was never written by the audit chain: \
             it was inserted outside the house",
        );
    }
}

#[test]
fn a_record_deleted_outside_the_house_is_found() {
    for db in TestDb::each() {
        let p = problems_after(&db, "DELETE FROM records WHERE kind = 'claim'");
        assert_reports(
            &db,
            &p,
            "record claim:c-1 was deleted outside the house \
             (audit entry 2 wrote version 1, no row is stored)",
        );
    }
}

#[test]
fn an_older_version_restored_is_found() {
    for db in TestDb::each() {
        let v1 = participant(1, "active");
        let p = problems_after(
            &db,
            &format!(
                "UPDATE records SET version = 1, status = 'active', body = '{}'
                 WHERE kind = 'participant' AND id = 'ir-melli'",
                v1.body
            ),
        );
        assert_reports(
            &db,
            &p,
            "record participant:ir-melli is at version 1, but audit entry 4 wrote version 2: \
             an older version was restored outside the house",
        );
    }
}

#[test]
fn a_version_no_audit_entry_wrote_is_found() {
    for db in TestDb::each() {
        let p = problems_after(&db, "UPDATE records SET version = 2 WHERE kind = 'claim'");
        assert_reports(
            &db,
            &p,
            "record claim:c-1 is at version 2, which no audit entry wrote \
             (audit entry 2 wrote version 1 last): it was changed outside the house",
        );
    }
}

#[test]
fn rewriting_what_an_audit_entry_bound_breaks_its_hash() {
    for db in TestDb::each() {
        let p = problems_after(
            &db,
            "UPDATE records SET status = 'active' WHERE kind = 'participant';
             UPDATE audit SET records = '' WHERE seq = 4",
        );
        assert_reports(
            &db,
            &p,
            "audit entry 4 (case.decided on case:k-1): hash does not match its contents",
        );
        assert_reports(
            &db,
            &p,
            "records were not compared with the audit chain, which is broken",
        );
    }
    for db in TestDb::each() {
        let p = problems_after(&db, "UPDATE audit SET records = 'junk' WHERE seq = 2");
        assert!(
            p[0].starts_with(
                "audit entry after 1: corrupt database: audit entry 2: records column"
            ),
            "{}: {p:#?}",
            db.name
        );
    }
}

#[test]
fn a_change_with_records_and_no_audit_event_is_refused() {
    for db in TestDb::each() {
        let store = db.open(&TestClock::at(T0));
        let refused = store.apply_change(Change {
            put: vec![claim("c-9")],
            ..Default::default()
        });
        match refused {
            Err(StoreError::Unaudited(why)) => assert!(
                why.contains("writes 1 records (claim:c-9 first) but no audit event"),
                "{why}"
            ),
            other => panic!("{}: {other:?}", db.name),
        }
        assert_eq!(store.record("claim", "c-9").unwrap(), None, "{}", db.name);
        assert_eq!(store.verify_audit().unwrap().problems, Vec::<String>::new());
    }
}

#[test]
fn the_audit_rows_listed_carry_the_records_they_bound() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        history(&store, &clock);
        let rows = store.audit(0, None, 10).unwrap();
        let bound: Vec<Vec<(String, u64)>> = rows
            .iter()
            .map(|r| {
                r.records
                    .iter()
                    .map(|w| (format!("{}:{}", w.kind, w.id), w.version))
                    .collect()
            })
            .collect();
        let p = |v| vec![("participant:ir-melli".to_owned(), v)];
        assert_eq!(
            bound,
            [
                p(1),
                vec![("claim:c-1".to_owned(), 1)],
                vec![],
                p(2),
                vec![]
            ],
            "{}",
            db.name
        );
        assert_eq!(
            rows[3].records[0].digest,
            participant(2, "rejected").digest()
        );
    }
}

#[test]
fn records_of_a_database_written_before_records_were_bound_are_bound_when_it_is_upgraded() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        // What a build before schema version 3 left: audit entries that bind nothing, and the
        // records written with them.
        for n in 1..=2 {
            apply(
                &store,
                Change {
                    audit: vec![event("participant.onboarded", "participant:ir-melli")],
                    ..Default::default()
                },
            );
            clock.advance(n * SECOND);
        }
        drop(store);
        let old = participant(2, "rejected");
        db.execute(&format!(
            "INSERT INTO records (kind, id, version, status, party, counterparty, at, body)
                 VALUES ('participant', 'ir-melli', 2, 'rejected', 'ir-melli', '', {T0}, '{}'),
                        ('claim', 'c-1', 1, 'queued', 'de-acme', 'ir-melli', {T0}, '{}');
             ALTER TABLE audit DROP COLUMN records;
             DROP TABLE record_keys;
             DELETE FROM schema_migrations WHERE version >= 3;",
            old.body,
            claim("c-1").body
        ));
        let refused = Store::open_existing(db.location.clone(), clock.clock()).unwrap_err();
        assert!(
            refused.to_string().contains("schema version 2"),
            "{refused}"
        );

        let store = db.open(&clock);
        let report = store.verify_audit().unwrap();
        assert_eq!(report.problems, Vec::<String>::new(), "{}", db.name);
        assert_eq!((report.entries, report.records), (3, 2), "{}", db.name);
        let bound = &store.audit(2, None, 10).unwrap()[0];
        assert_eq!(
            (bound.action.as_str(), bound.at, bound.records.len()),
            ("store.records_bound", T0 + SECOND, 2),
            "{}",
            db.name
        );
        assert_eq!(bound.records[1].digest, old.digest(), "{}", db.name);
        drop(store);
        db.execute("UPDATE records SET status = 'active' WHERE kind = 'participant'");
        let report = db.open(&clock).verify_audit().unwrap();
        assert_eq!(
            report.problems,
            ["record participant:ir-melli was changed outside the house \
              (audit entry 3 wrote version 2, the row differs in its status)"],
            "{}",
            db.name
        );
    }
}

/// An idempotency key: a kind the house looks up only by key.
fn key(id: &str) -> Record {
    Record {
        kind: "idempotency".to_owned(),
        id: id.to_owned(),
        version: 1,
        status: "used".to_owned(),
        party: "de-acme".to_owned(),
        counterparty: String::new(),
        at: T0,
        body: format!(r#"{{"claim":"{id}"}}"#),
    }
}

/// Claim `c-1` written with its idempotency key `k-1` (audit entry 1).
fn submit_with_key(store: &Store) {
    apply(
        store,
        Change {
            expect: vec![Expect {
                kind: "idempotency".to_owned(),
                id: "k-1".to_owned(),
                version: None,
            }],
            put: vec![claim("c-1"), key("k-1")],
            audit: vec![event("claim.submitted", "claim:c-1")],
            ..Default::default()
        },
    );
}

/// A claim written with its idempotency key, then `sql` run behind the store's back: what
/// `verify_audit` reports.
fn keyed_problems_after(db: &TestDb, sql: &str) -> Vec<String> {
    let clock = TestClock::at(T0);
    let store = db.open(&clock);
    submit_with_key(&store);
    let report = store.verify_audit().unwrap();
    assert_eq!(report.problems, Vec::<String>::new(), "{}: before", db.name);
    assert_eq!(report.records, 2, "{}", db.name);
    drop(store);
    db.execute(sql);
    db.open(&clock).verify_audit().unwrap().problems
}

#[test]
fn a_claim_moved_among_the_records_looked_up_by_key_is_found() {
    // Moved there, a claim would be missing from every listing (a cycle's selection with it),
    // while its row still matches its digest.
    for db in TestDb::each() {
        let p = keyed_problems_after(
            &db,
            "INSERT INTO record_keys SELECT kind, id, version, status, party, counterparty, at, body
                 FROM records WHERE kind = 'claim';
             DELETE FROM records WHERE kind = 'claim'",
        );
        assert_eq!(
            p,
            [
                "a record row: corrupt database: record claim:c-1 is in table record_keys, but \
              records of kind claim belong in records: it was moved outside the house"
            ],
            "{}",
            db.name
        );
    }
}

#[test]
fn a_key_moved_among_the_listed_records_changed_or_deleted_is_found() {
    let cases = [
        (
            "INSERT INTO records SELECT kind, id, version, status, party, counterparty, at, body
                 FROM record_keys WHERE kind = 'idempotency';
             DELETE FROM record_keys WHERE kind = 'idempotency'",
            "a record row: corrupt database: record idempotency:k-1 is in table records, but \
             records of kind idempotency belong in record_keys: it was moved outside the house",
        ),
        (
            "UPDATE record_keys SET body = '{\"claim\":\"c-2\"}' WHERE id = 'k-1'",
            "record idempotency:k-1 was changed outside the house \
             (audit entry 1 wrote version 1, the row differs in its body)",
        ),
        (
            "DELETE FROM record_keys",
            "record idempotency:k-1 was deleted outside the house \
             (audit entry 1 wrote version 1, no row is stored)",
        ),
    ];
    for (sql, expected) in cases {
        for db in TestDb::each() {
            let p = keyed_problems_after(&db, sql);
            assert_eq!(p, [expected], "{}: {sql}", db.name);
        }
    }
}

#[test]
fn records_looked_up_by_key_are_read_by_key_and_never_listed() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        submit_with_key(&store);
        // Read alone, together with a listed record (in one snapshot), and expected.
        assert_eq!(
            store.record("idempotency", "k-1").unwrap(),
            Some(key("k-1"))
        );
        let both = store
            .records_by_key(&[
                ("idempotency", "k-1"),
                ("claim", "c-1"),
                ("idempotency", "k-2"),
                ("claim", "k-1"),
            ])
            .unwrap();
        assert_eq!(both, [Some(key("k-1")), Some(claim("c-1")), None, None]);
        let stale = store
            .apply_change(Change {
                expect: vec![Expect {
                    kind: "idempotency".to_owned(),
                    id: "k-1".to_owned(),
                    version: None,
                }],
                put: vec![key("k-1")],
                audit: vec![event("claim.submitted", "claim:c-1")],
                ..Default::default()
            })
            .unwrap();
        assert!(
            matches!(stale, Applied::Conflict { found: Some(1), .. }),
            "{}: {stale:?}",
            db.name
        );
        // Paged through in the order of their ids, as any kind is.
        apply(
            &store,
            Change {
                put: vec![key("k-0"), key("k-2")],
                audit: vec![event("claim.submitted", "claim:c-1")],
                ..Default::default()
            },
        );
        let ids = |after: Option<&str>| -> Vec<String> {
            let page = store.records_by_id("idempotency", after, 2).unwrap();
            page.into_iter().map(|r| r.id).collect()
        };
        assert_eq!(ids(None), ["k-0", "k-1"], "{}", db.name);
        assert_eq!(ids(Some("k-1")), ["k-2"], "{}", db.name);
        assert_eq!(ids(Some("k-2")), Vec::<String>::new(), "{}", db.name);
        let claims = store.records_by_id("claim", None, 10).unwrap();
        assert_eq!(claims, [claim("c-1")], "{}", db.name);
        // Listing them is refused, not answered with nothing.
        let query = store::RecordQuery {
            kind: "idempotency".to_owned(),
            limit: 10,
            ..Default::default()
        };
        assert!(
            matches!(store.records(&query), Err(StoreError::Unlisted(k)) if k == "idempotency"),
            "{}",
            db.name
        );
        assert!(matches!(
            store.count_by_status("invoice"),
            Err(StoreError::Unlisted(_))
        ));
        assert_eq!(
            store.count_by_status("claim").unwrap(),
            [("queued".to_owned(), 1)]
        );
    }
}

#[test]
fn a_database_from_before_the_keyed_table_moves_its_keys_there_when_upgraded() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        submit_with_key(&store);
        drop(store);
        // What a build of schema version 3 left: every record in `records`.
        db.execute(
            "INSERT INTO records SELECT kind, id, version, status, party, counterparty, at, body
                 FROM record_keys;
             DROP TABLE record_keys;
             DELETE FROM schema_migrations WHERE version = 4;",
        );
        let store = db.open(&clock);
        let report = store.verify_audit().unwrap();
        assert_eq!(report.problems, Vec::<String>::new(), "{}", db.name);
        assert_eq!(report.records, 2, "{}", db.name);
        assert_eq!(
            store.record("idempotency", "k-1").unwrap(),
            Some(key("k-1"))
        );
        drop(store);
        // Moved, not copied: a row left in `records` would be reported.
        db.execute("UPDATE record_keys SET status = 'x'");
        let report = db.open(&clock).verify_audit().unwrap();
        assert_eq!(
            report.problems.len(),
            1,
            "{}: {:?}",
            db.name,
            report.problems
        );
    }
}
