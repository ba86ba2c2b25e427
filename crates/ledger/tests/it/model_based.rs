//! The ledger against the reference model: random histories of batches must give the same
//! timestamps, expiries, results, rows and pending states, and keep the invariants.

use std::collections::{BTreeMap, HashMap};

use ledger::{
    Changes, CreateAccountResult, CreateTransferResult, Ledger, NewTransfer, PendingStatus,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::reference::Reference;
use crate::strategies::{Batch, history};
use crate::support;

/// Applies `batches` to a ledger and to the reference and compares them after every batch.
fn check_history(start: u64, batches: &[Batch]) -> Result<(), TestCaseError> {
    let mut ledger = Ledger::new();
    let mut reference = Reference::new();
    let mut clock = start;
    for (n, batch) in batches.iter().enumerate() {
        let before = reference.clone();
        match batch {
            Batch::Accounts(c, events) => {
                let now = c.now(&mut clock);
                let got = ledger.create_accounts(now, events);
                let want = reference.create_accounts(now, events);
                prop_assert_eq!(
                    (got.timestamp, got.expired, got.results),
                    want,
                    "batch {} (accounts at now={}): {:?}",
                    n,
                    now,
                    events
                );
            }
            Batch::Transfers(c, events) => {
                let now = c.now(&mut clock);
                let got = ledger.create_transfers(now, events);
                let want = reference.create_transfers(now, events);
                prop_assert_eq!(
                    (got.timestamp, got.expired, got.results),
                    want,
                    "batch {} (transfers at now={}): {:?}",
                    n,
                    now,
                    events
                );
            }
        }
        check_state(&ledger, &reference, n)?;
        check_changes(&ledger.take_changes(), &before, &reference, n)?;
    }
    Ok(())
}

fn check_state(ledger: &Ledger, reference: &Reference, n: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(ledger.last_timestamp(), reference.last_timestamp());
    prop_assert_eq!(
        support::accounts(ledger),
        reference.accounts(),
        "accounts after batch {}",
        n
    );
    let got = support::transfers(ledger);
    let want = reference.transfers();
    prop_assert_eq!(got.len(), want.len(), "transfers after batch {}", n);
    for ((t, state), (want_t, want_status)) in got.iter().zip(&want) {
        prop_assert_eq!(t, want_t, "transfer after batch {}", n);
        prop_assert_eq!(
            state.map(|s| s.status),
            *want_status,
            "status of transfer {} after batch {}",
            t.id,
            n
        );
        if let Some(state) = state {
            prop_assert_eq!(state.expires_at, Reference::expires_at(t));
        }
    }
    let violations = support::violations(ledger);
    prop_assert!(
        violations.is_empty(),
        "invariants after batch {}: {:?}",
        n,
        violations
    );
    Ok(())
}

/// The changes a store writes are exactly what changed in the reference.
fn check_changes(
    changes: &Changes,
    before: &Reference,
    after: &Reference,
    n: usize,
) -> Result<(), TestCaseError> {
    let mut created: Vec<_> = after
        .accounts()
        .into_iter()
        .filter(|a| before.account(a.id).is_none())
        .map(|a| (a.timestamp, a.id))
        .collect();
    created.sort_unstable();
    let created: Vec<u64> = created.into_iter().map(|(_, id)| id).collect();
    prop_assert_eq!(&changes.accounts_created, &created, "batch {}", n);

    let mut created: Vec<_> = after
        .transfers()
        .into_iter()
        .filter(|(t, _)| before.transfer(t.id).is_none())
        .map(|(t, _)| (t.timestamp, t.id))
        .collect();
    created.sort_unstable();
    let created: Vec<u64> = created.into_iter().map(|(_, id)| id).collect();
    prop_assert_eq!(&changes.transfers_created, &created, "batch {}", n);

    // Updated accounts: sorted, distinct, existing before, and every changed one is listed.
    let updated = &changes.accounts_updated;
    prop_assert!(updated.windows(2).all(|w| w[0] < w[1]), "{:?}", updated);
    for id in updated {
        prop_assert!(before.account(*id).is_some(), "account {} updated", id);
    }
    for a in before.accounts() {
        if after.account(a.id) != Some(&a) {
            prop_assert!(
                updated.contains(&a.id),
                "account {} changed, not listed",
                a.id
            );
        }
    }

    // Pending transfers whose status changed: exactly those not pending any more.
    let status_before: BTreeMap<u64, Option<PendingStatus>> = before
        .transfers()
        .into_iter()
        .map(|(t, s)| (t.id, s))
        .collect();
    let mut want: Vec<u64> = after
        .transfers()
        .into_iter()
        .filter(|(t, s)| {
            *s != Some(PendingStatus::Pending)
                && s.is_some()
                && status_before.get(&t.id).is_none_or(|b| b != s)
        })
        .map(|(t, _)| t.id)
        .collect();
    want.sort_unstable();
    let mut got = changes.pending_updated.clone();
    got.sort_unstable();
    prop_assert_eq!(got, want, "pending_updated after batch {}", n);
    Ok(())
}

/// 256 cases unless `PROPTEST_CASES` says otherwise (for a longer soak).
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// The part of `full` a store loads for a batch at `now`, as `Ledger`'s docs say: every account
/// and transfer the batch refers to and every pending transfer due by the batch's timestamp.
fn load_partial(full: &Ledger, now: u64, batch: &Batch) -> Ledger {
    fn load_transfer(partial: &mut Ledger, full: &Ledger, id: u64) {
        if let Some(t) = full.transfer(id) {
            partial.insert_transfer(*t, full.pending_state(id));
        }
    }
    let mut partial = Ledger::new();
    partial.set_last_timestamp(full.last_timestamp());
    let timestamp = full.next_timestamp(now);
    for t in full.transfers() {
        let due = full.pending_state(t.id).is_some_and(|s| {
            s.status == PendingStatus::Pending && s.expires_at.is_some_and(|at| at <= timestamp)
        });
        if due {
            load_transfer(&mut partial, full, t.id);
        }
    }
    let transfers: &[NewTransfer] = match batch {
        Batch::Accounts(_, events) => {
            for a in events.iter().filter_map(|e| full.account(e.id)) {
                partial.insert_account(*a);
            }
            &[]
        }
        Batch::Transfers(_, events) => {
            for id in Ledger::transfer_ids_referenced(events) {
                load_transfer(&mut partial, full, id);
            }
            events
        }
    };
    for id in partial.account_ids_referenced(transfers) {
        if let Some(a) = full.account(id) {
            partial.insert_account(*a);
        }
    }
    partial
}

/// A partial ledger loaded for each batch gives the same results, rows and changes as the full one.
fn check_partial(start: u64, batches: &[Batch]) -> Result<(), TestCaseError> {
    let mut full = Ledger::new();
    let mut clock = start;
    for (n, batch) in batches.iter().enumerate() {
        let now = match batch {
            Batch::Accounts(c, _) | Batch::Transfers(c, _) => c.now(&mut clock),
        };
        let mut partial = load_partial(&full, now, batch);
        match batch {
            Batch::Accounts(_, events) => {
                let want = full.create_accounts(now, events);
                prop_assert_eq!(partial.create_accounts(now, events), want, "batch {}", n);
            }
            Batch::Transfers(_, events) => {
                let want = full.create_transfers(now, events);
                prop_assert_eq!(partial.create_transfers(now, events), want, "batch {}", n);
            }
        }
        prop_assert_eq!(partial.take_changes(), full.take_changes(), "batch {}", n);
        prop_assert_eq!(partial.last_timestamp(), full.last_timestamp());
        for a in partial.accounts() {
            prop_assert_eq!(Some(a), full.account(a.id));
        }
        for t in partial.transfers() {
            prop_assert_eq!(Some(t), full.transfer(t.id));
            prop_assert_eq!(partial.pending_state(t.id), full.pending_state(t.id));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config::with_cases(4 * cases()))]

    #[test]
    fn a_partial_ledger_gives_the_same_results((start, batches) in history(16)) {
        check_partial(start, &batches)?;
    }
}

proptest! {
    // Cheap (well under a millisecond a case with the workspace's dev profile), and the one
    // test that compares everything: 16x cases.
    #![proptest_config(Config::with_cases(16 * cases()))]

    #[test]
    fn ledger_matches_reference((start, batches) in history(16)) {
        check_history(start, &batches)?;
    }
}

/// The generator reaches (almost) every result: otherwise the model test proves little.
#[test]
fn histories_reach_every_result() {
    let mut runner = TestRunner::deterministic();
    let strategy = history(16);
    let mut accounts: HashMap<CreateAccountResult, usize> = HashMap::new();
    let mut transfers: HashMap<CreateTransferResult, usize> = HashMap::new();
    let mut expired = 0;
    for _ in 0..512 {
        let (start, batches) = strategy.new_tree(&mut runner).expect("tree").current();
        let mut reference = Reference::new();
        let mut clock = start;
        for batch in &batches {
            match batch {
                Batch::Accounts(c, events) => {
                    let (_, e, results) = reference.create_accounts(c.now(&mut clock), events);
                    expired += e.len();
                    for r in results {
                        *accounts.entry(r).or_default() += 1;
                    }
                }
                Batch::Transfers(c, events) => {
                    let (_, e, results) = reference.create_transfers(c.now(&mut clock), events);
                    expired += e.len();
                    for r in results {
                        *transfers.entry(r).or_default() += 1;
                    }
                }
            }
        }
    }
    let missing_accounts: Vec<_> = CreateAccountResult::ALL
        .iter()
        .filter(|r| !accounts.contains_key(r))
        .collect();
    // A post never overflows: the reservation already counted in `debits_pending + debits_posted`.
    let missing_transfers: Vec<_> = CreateTransferResult::ALL
        .iter()
        .filter(|r| !transfers.contains_key(r))
        .collect();
    for r in CreateAccountResult::ALL {
        eprintln!("{r}: {}", accounts.get(r).copied().unwrap_or(0));
    }
    for r in CreateTransferResult::ALL {
        eprintln!("{r}: {}", transfers.get(r).copied().unwrap_or(0));
    }
    eprintln!("expired: {expired}");
    assert!(missing_accounts.is_empty(), "{missing_accounts:?}");
    assert!(missing_transfers.is_empty(), "{missing_transfers:?}");
    assert!(expired > 0);
}
