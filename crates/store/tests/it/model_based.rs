//! Model-based: random histories applied through the store (two store handles on one database,
//! taking turns, so each sees the other's writes) and to the reference model must agree on every
//! result code and every stored row; then `verify` passes.

use ledger::PendingStatus;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use store::Store;

use crate::reference::Reference;
use crate::strategies::{ACCOUNT_IDS, Batch, TRANSFER_IDS, history};
use crate::support::{TestClock, TestDb};

fn check_history(
    db: &TestDb,
    start: u64,
    batches: &[Batch],
    turns: &[bool],
) -> Result<(), TestCaseError> {
    let clock = TestClock::at(start);
    let stores = [db.open(&clock), db.open(&clock)];
    let mut reference = Reference::new();
    let mut now = start;
    for (n, batch) in batches.iter().enumerate() {
        let store = &stores[usize::from(turns[n % turns.len()])];
        match batch {
            Batch::Accounts(c, events) => {
                let at = c.now(&mut now);
                clock.set(at);
                let got = store
                    .create_accounts(events.clone())
                    .expect("store accepts the batch");
                let (_, _, want) = reference.create_accounts(at, events);
                prop_assert_eq!(
                    got,
                    want,
                    "{}: batch {} of accounts {:?}",
                    db.name,
                    n,
                    events
                );
            }
            Batch::Transfers(c, events) => {
                let at = c.now(&mut now);
                clock.set(at);
                let got = store
                    .create_transfers(events.clone())
                    .expect("store accepts the batch");
                let (_, _, want) = reference.create_transfers(at, events);
                prop_assert_eq!(
                    got,
                    want,
                    "{}: batch {} of transfers {:?}",
                    db.name,
                    n,
                    events
                );
            }
        }
        compare_rows(db, store, &reference, n)?;
    }
    let report = stores[0].verify().expect("verify runs");
    prop_assert!(report.is_ok(), "{}: verify: {:?}", db.name, report.problems);
    prop_assert_eq!(report.accounts, reference.accounts().len() as u64);
    prop_assert_eq!(report.transfers, reference.transfers().len() as u64);
    prop_assert_eq!(report.entries, batches.len() as u64);
    Ok(())
}

fn compare_rows(
    db: &TestDb,
    store: &Store,
    reference: &Reference,
    n: usize,
) -> Result<(), TestCaseError> {
    let mut account_ids: Vec<u64> = (1..=ACCOUNT_IDS + 4).collect();
    account_ids.extend(reference.accounts().iter().map(|a| a.id));
    account_ids.sort_unstable();
    account_ids.dedup();
    let accounts = store
        .lookup_accounts(&account_ids)
        .expect("lookup accounts");
    prop_assert_eq!(
        accounts,
        reference.accounts(),
        "{}: accounts after batch {}",
        db.name,
        n
    );

    let mut transfer_ids: Vec<u64> = (1..=TRANSFER_IDS).collect();
    transfer_ids.extend(reference.transfers().iter().map(|(t, _)| t.id));
    transfer_ids.sort_unstable();
    transfer_ids.dedup();
    let transfers: Vec<(ledger::Transfer, Option<PendingStatus>)> = store
        .lookup_transfers(&transfer_ids)
        .expect("lookup transfers")
        .into_iter()
        .map(|(t, state)| (t, state.map(|s| s.status)))
        .collect();
    prop_assert_eq!(
        transfers,
        reference.transfers(),
        "{}: transfers after batch {}",
        db.name,
        n
    );
    Ok(())
}

fn run(db: fn() -> TestDb, cases: u32) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (history(12), proptest::collection::vec(any::<bool>(), 1..4));
    runner
        .run(&strategy, |((start, batches), turns)| {
            check_history(&db(), start, &batches, &turns)
        })
        .unwrap();
}

#[test]
fn sqlite_agrees_with_the_reference_model() {
    run(TestDb::sqlite, 48);
}

#[test]
fn postgres_agrees_with_the_reference_model() {
    run(TestDb::postgres, 32);
}
