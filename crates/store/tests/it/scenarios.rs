//! What the store must keep across restarts and transactions, on both backends.

use ledger::{
    AMOUNT_MAX, AccountFlags, BATCH_EVENTS_MAX, CreateAccountResult as AR,
    CreateTransferResult as TR, NewAccount, NewTransfer, PendingStatus, TransferFlags,
};
use store::{Location, StoreError};

use crate::support::{SECOND, T0, TestClock, TestDb, accounts, simple_transfers};

fn pending(id: u64, amount: u64, timeout: u32) -> NewTransfer {
    NewTransfer {
        id,
        debit_account_id: 1,
        credit_account_id: 2,
        amount,
        ledger: 978,
        code: 1,
        timeout,
        flags: TransferFlags::PENDING,
        ..Default::default()
    }
}

fn post(id: u64, pending_id: u64, amount: u64) -> NewTransfer {
    NewTransfer {
        id,
        pending_id,
        amount,
        flags: TransferFlags::POST_PENDING,
        ..Default::default()
    }
}

#[test]
fn pending_transfers_expire_after_a_restart() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        assert!(
            store
                .create_accounts(accounts(2))
                .unwrap()
                .iter()
                .all(|r| *r == AR::Ok)
        );
        let r = store
            .create_transfers(vec![pending(10, 500, 2), pending(11, 300, 0)])
            .unwrap();
        assert_eq!(r, [TR::Ok, TR::Ok], "{}", db.name);
        drop(store);

        clock.advance(3 * SECOND);
        let store = db.open(&clock);
        // The next batch, whatever it is, releases the expired reservation first.
        let r = store
            .create_transfers(vec![post(12, 10, 0), post(13, 11, 100)])
            .unwrap();
        assert_eq!(r, [TR::PendingTransferExpired, TR::Ok], "{}", db.name);
        let rows = store.lookup_transfers(&[10, 11, 13]).unwrap();
        let statuses: Vec<_> = rows.iter().map(|(_, s)| s.map(|s| s.status)).collect();
        assert_eq!(
            statuses,
            [
                Some(PendingStatus::Expired),
                Some(PendingStatus::Posted),
                None
            ]
        );
        let a = store.lookup_accounts(&[1]).unwrap()[0];
        assert_eq!((a.debits_pending, a.debits_posted), (0, 100), "{}", db.name);
        let report = store.verify().unwrap();
        assert!(report.is_ok(), "{}: {:?}", db.name, report.problems);
    }
}

#[test]
fn idempotency_holds_across_restarts() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        store.create_accounts(accounts(2)).unwrap();
        let t = simple_transfers(7, 1);
        assert_eq!(store.create_transfers(t.clone()).unwrap(), [TR::Ok]);
        drop(store);
        let store = db.open(&clock);
        assert_eq!(
            store.create_accounts(accounts(2)).unwrap(),
            [AR::Exists, AR::Exists]
        );
        assert_eq!(
            store.create_transfers(t.clone()).unwrap(),
            [TR::Exists],
            "{}",
            db.name
        );
        let other = NewTransfer {
            amount: t[0].amount + 1,
            ..t[0]
        };
        assert_eq!(
            store.create_transfers(vec![other]).unwrap(),
            [TR::ExistsWithDifferentFields]
        );
        let a = store.lookup_accounts(&[1, 2]).unwrap();
        assert_eq!(
            a[0].debits_posted + a[1].debits_posted,
            7,
            "{}: applied once",
            db.name
        );
    }
}

#[test]
fn a_failed_linked_chain_leaves_nothing() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        let limited = NewAccount {
            flags: AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS,
            ..accounts(1)[0]
        };
        store
            .create_accounts(vec![limited, accounts(2)[1]])
            .unwrap();
        let mut chain = simple_transfers(1, 3);
        chain[0] = NewTransfer {
            debit_account_id: 2,
            credit_account_id: 1,
            amount: 100,
            ..chain[0]
        };
        chain[1] = NewTransfer {
            debit_account_id: 1,
            credit_account_id: 2,
            amount: 60,
            ..chain[1]
        };
        chain[2] = NewTransfer {
            debit_account_id: 1,
            credit_account_id: 2,
            amount: 41,
            ..chain[2]
        };
        for t in &mut chain[..2] {
            t.flags = TransferFlags::LINKED;
        }
        let r = store.create_transfers(chain).unwrap();
        assert_eq!(
            r,
            [
                TR::LinkedEventFailed,
                TR::LinkedEventFailed,
                TR::ExceedsCredits
            ],
            "{}",
            db.name
        );
        assert!(
            store.lookup_transfers(&[1, 2, 3]).unwrap().is_empty(),
            "{}",
            db.name
        );
        let a = store.lookup_accounts(&[1, 2]).unwrap();
        assert!(
            a.iter()
                .all(|a| a.debits_posted == 0 && a.credits_posted == 0),
            "{}",
            db.name
        );
        assert!(store.verify().unwrap().is_ok());
    }
}

#[test]
fn extreme_values_round_trip() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        let a = NewAccount {
            user_data_64: u64::MAX,
            user_data_32: u32::MAX,
            code: u16::MAX,
            ledger: u32::MAX,
            ..accounts(1)[0]
        };
        let b = NewAccount {
            id: ledger::ID_MAX,
            ..a
        };
        assert_eq!(store.create_accounts(vec![a, b]).unwrap(), [AR::Ok, AR::Ok]);
        let t = NewTransfer {
            id: ledger::ID_MAX,
            debit_account_id: 1,
            credit_account_id: ledger::ID_MAX,
            amount: AMOUNT_MAX,
            ledger: u32::MAX,
            code: u16::MAX,
            user_data_64: u64::MAX - 1,
            user_data_32: u32::MAX,
            ..Default::default()
        };
        let over = NewTransfer {
            id: 5,
            amount: 1,
            ..t
        };
        assert_eq!(
            store.create_transfers(vec![t, over]).unwrap(),
            [TR::Ok, TR::OverflowsDebitsPosted]
        );
        let (stored, _) = store.lookup_transfers(&[ledger::ID_MAX]).unwrap()[0];
        assert_eq!(
            (stored.amount, stored.user_data_64),
            (AMOUNT_MAX, u64::MAX - 1),
            "{}",
            db.name
        );
        let accounts = store.lookup_accounts(&[1, ledger::ID_MAX]).unwrap();
        assert_eq!(accounts[0].user_data_64, u64::MAX);
        assert_eq!(accounts[1].credits_posted, AMOUNT_MAX);
        assert!(store.verify().unwrap().is_ok(), "{}", db.name);
    }
}

#[test]
fn a_batch_too_large_is_refused_whole() {
    for db in TestDb::each() {
        let store = db.open(&TestClock::at(T0));
        store.create_accounts(accounts(2)).unwrap();
        let err = store
            .create_transfers(simple_transfers(1, BATCH_EVENTS_MAX as u64 + 1))
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::BatchTooLarge {
                    len: 8191,
                    max: 8190
                }
            ),
            "{err}"
        );
        assert!(store.lookup_transfers(&[1]).unwrap().is_empty());
    }
}

#[test]
fn account_history_pages_in_time_order() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        store.create_accounts(accounts(3)).unwrap();
        for first in [1, 11, 21] {
            clock.advance(SECOND);
            store.create_transfers(simple_transfers(first, 10)).unwrap();
        }
        let page = store.account_transfers(1, 0, 12).unwrap();
        assert_eq!(page.len(), 12, "{}", db.name);
        assert!(page.windows(2).all(|w| w[0].0.timestamp < w[1].0.timestamp));
        let rest = store
            .account_transfers(1, page[11].0.timestamp, 100)
            .unwrap();
        assert_eq!(rest.len(), 18, "{}", db.name);
        assert!(store.account_transfers(3, 0, 100).unwrap().is_empty());
    }
}

#[test]
fn locations_parse_and_hide_passwords() {
    assert_eq!(
        Location::parse("ledger.db").unwrap(),
        Location::Sqlite("ledger.db".into())
    );
    assert_eq!(
        Location::parse("sqlite:///tmp/x.db").unwrap(),
        Location::Sqlite("/tmp/x.db".into())
    );
    let pg = Location::parse("postgres://alice:secret@db:5432/ch").unwrap();
    assert_eq!(pg.to_string(), "postgres://alice@db:5432/ch");
    let err = Location::parse("mysql://x").unwrap_err().to_string();
    assert!(
        err.contains("mysql://x") && err.contains("postgres://"),
        "{err}"
    );
}

#[test]
fn the_store_reconnects_after_the_server_closed_its_connections() {
    let db = TestDb::postgres();
    let clock = TestClock::at(T0);
    let store = db.open(&clock);
    store.create_accounts(accounts(2)).unwrap();
    db.cut_connections();
    // The writer's transaction fails on the dead connection, reconnects and is retried.
    assert_eq!(
        store.create_transfers(simple_transfers(1, 1)).unwrap(),
        [TR::Ok]
    );
    assert_eq!(
        store.lookup_transfers(&[1]).unwrap().len(),
        1,
        "the reader reconnects too"
    );
    assert!(store.verify().unwrap().is_ok());
}
