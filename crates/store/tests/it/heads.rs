//! Receipts: the journals' heads kept outside the database find a cut tail that `verify` alone
//! cannot see.

use store::{AuditEvent, Change, Heads, Store};

use crate::support::{SECOND, T0, TestClock, TestDb, accounts, simple_transfers};

fn event(n: u64) -> AuditEvent {
    AuditEvent {
        actor: "system".to_owned(),
        action: "note".to_owned(),
        subject: format!("note:{n}"),
        body: "{}".to_owned(),
    }
}

fn note(store: &Store, n: u64) {
    let change = Change {
        audit: vec![event(n)],
        ..Default::default()
    };
    store.apply_change(change).unwrap();
}

/// Ledger entries 1 (accounts 1, 2), 2 (transfers), 3 (account 3 alone); audit entries 1..=5.
fn history(store: &Store, clock: &TestClock) {
    store.create_accounts(accounts(2)).unwrap();
    store.create_transfers(simple_transfers(1, 10)).unwrap();
    clock.advance(SECOND);
    let third = accounts(3).split_off(2);
    store.create_accounts(third).unwrap();
    for n in 1..=5 {
        note(store, n);
    }
}

fn all_ok(db: &TestDb, store: &Store) {
    assert!(store.verify().unwrap().is_ok(), "{}", db.name);
    assert_eq!(
        store.verify_audit().unwrap().problems,
        Vec::<String>::new(),
        "{}",
        db.name
    );
}

#[test]
fn the_heads_are_those_verify_sees_and_a_fresh_receipt_holds() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        let empty = store.heads().unwrap();
        assert_eq!(
            empty.to_string(),
            format!("audit:0:{0} ledger:0:{0}", "0".repeat(64)),
            "{}",
            db.name
        );
        history(&store, &clock);
        let heads = store.heads().unwrap();
        let ledger = store.verify().unwrap().head.unwrap();
        assert_eq!(heads.ledger, (3, ledger.hash), "{}", db.name);
        assert_eq!(heads.audit, store.verify_audit().unwrap().head);
        assert_eq!(heads.audit.0, 5);
        assert_eq!(heads.to_string().parse::<Heads>(), Ok(heads));
        for receipt in [empty, heads] {
            assert_eq!(store.check_heads(&receipt).unwrap(), Vec::<String>::new());
        }
        // Later entries leave an earlier receipt standing.
        note(&store, 6);
        assert_eq!(store.check_heads(&heads).unwrap(), Vec::<String>::new());
    }
}

#[test]
fn a_cut_audit_tail_passes_verify_but_not_the_receipt() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        history(&store, &clock);
        let receipt = store.heads().unwrap();
        drop(store);
        db.execute(
            "DELETE FROM audit WHERE seq > 3;
             UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit WHERE seq = 3)",
        );
        let store = db.open(&clock);
        all_ok(&db, &store);
        assert_eq!(
            store.check_heads(&receipt).unwrap(),
            [
                "audit entry 5 of the receipt is gone: the audit now ends at entry 3 \
              (its tail was cut or rolled back)"
            ],
            "{}",
            db.name
        );
        // New entries written after the cut take the old positions: a rewrite.
        note(&store, 40);
        note(&store, 50);
        all_ok(&db, &store);
        let p = store.check_heads(&receipt).unwrap();
        assert_eq!(p.len(), 1, "{}: {p:?}", db.name);
        assert!(
            p[0].starts_with("audit entry 5 is not the one of the receipt (stored hash ")
                && p[0].ends_with("the audit was rewritten"),
            "{}: {p:?}",
            db.name
        );
    }
}

#[test]
fn a_cut_ledger_journal_tail_passes_verify_but_not_the_receipt() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        history(&store, &clock);
        let receipt = store.heads().unwrap();
        drop(store);
        // The last batch opened account 3 only: without it and its entry, the rest replays.
        db.execute(
            "DELETE FROM journal WHERE seq = 3;
             DELETE FROM accounts WHERE id = 3;
             UPDATE head SET seq = 2, hash = (SELECT hash FROM journal WHERE seq = 2),
                 last_timestamp = (SELECT MAX(timestamp) FROM transfers)",
        );
        let store = db.open(&clock);
        all_ok(&db, &store);
        assert_eq!(
            store.check_heads(&receipt).unwrap(),
            [
                "ledger journal entry 3 of the receipt is gone: the ledger journal now ends at \
              entry 2 (its tail was cut or rolled back)"
            ],
            "{}",
            db.name
        );
    }
}

#[test]
fn a_head_moved_back_with_its_entries_kept_is_a_rollback() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        history(&store, &clock);
        let receipt = store.heads().unwrap();
        drop(store);
        db.execute("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit WHERE seq = 4)");
        let store = db.open(&clock);
        let p = store.check_heads(&receipt).unwrap();
        assert_eq!(
            p,
            ["the audit head is at entry 4, before entry 5 of the receipt: it was rolled back"],
            "{}",
            db.name
        );
        assert!(!store.verify_audit().unwrap().problems.is_empty());
    }
}
