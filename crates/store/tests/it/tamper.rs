//! `verify` finds every kind of tampering with the stored rows.

use crate::support::{T0, TestClock, TestDb, accounts, simple_transfers};

/// A database with a little history, then `sql` run behind the store's back: the problems
/// `verify` reports.
fn problems_after(db: &TestDb, sql: &str) -> Vec<String> {
    let clock = TestClock::at(T0);
    let store = db.open(&clock);
    store.create_accounts(accounts(3)).unwrap();
    for first in [1, 101, 201] {
        store
            .create_transfers(simple_transfers(first, 100))
            .unwrap();
    }
    let report = store.verify().unwrap();
    assert!(
        report.is_ok(),
        "{}: before tampering: {:?}",
        db.name,
        report.problems
    );
    drop(store);
    db.execute(sql);
    let problems = db.open(&clock).verify().unwrap().problems;
    assert!(!problems.is_empty(), "{}: `{sql}` went unnoticed", db.name);
    problems
}

fn assert_mentions(problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "no problem mentions {needle:?}: {problems:#?}"
    );
}

#[test]
fn an_altered_balance_is_found() {
    for db in TestDb::each() {
        let p = problems_after(
            &db,
            "UPDATE accounts SET credits_posted = credits_posted + 1 WHERE id = 2",
        );
        assert_mentions(&p, "account 2");
        assert_mentions(&p, "ledger 978: posted debits");
    }
}

#[test]
fn an_altered_transfer_is_found() {
    for db in TestDb::each() {
        let p = problems_after(&db, "UPDATE transfers SET amount = 1 WHERE id = 150");
        assert_mentions(&p, "transfer 150");
    }
}

#[test]
fn an_altered_journal_entry_is_found() {
    for db in TestDb::each() {
        let flip = match db.name {
            "sqlite" => {
                "UPDATE journal SET body = CAST(substr(body, 1, 40) || x'ff' || substr(body, 42) AS BLOB) WHERE seq = 3"
            }
            _ => "UPDATE journal SET body = set_byte(body, 40, 255) WHERE seq = 3",
        };
        assert_mentions(
            &problems_after(&db, flip),
            "journal entry 3: stored hash does not match",
        );
    }
}

#[test]
fn a_removed_journal_entry_is_found() {
    for db in TestDb::each() {
        let p = problems_after(&db, "DELETE FROM journal WHERE seq = 2");
        assert_mentions(&p, "journal entry 3 follows entry 1");
    }
    for db in TestDb::each() {
        let p = problems_after(&db, "DELETE FROM journal WHERE seq = 4");
        assert_mentions(&p, "journal head");
    }
}

#[test]
fn a_deleted_transfer_is_found() {
    for db in TestDb::each() {
        let p = problems_after(&db, "DELETE FROM transfers WHERE id = 7");
        assert_mentions(&p, "are stored");
    }
}

#[test]
fn a_value_the_ledger_cannot_have_written_is_a_problem_not_a_failure() {
    for db in TestDb::each() {
        let p = problems_after(&db, "UPDATE accounts SET debits_posted = -5 WHERE id = 1");
        assert_mentions(
            &p,
            "an account row: corrupt database: accounts.debits_posted is negative: -5",
        );
    }
    let db = TestDb::sqlite();
    let p = problems_after(&db, "UPDATE journal SET body = 'text' WHERE seq = 2");
    assert_mentions(&p, "journal entry after 1:");
    assert_mentions(&p, "not compared with the journal");
}
