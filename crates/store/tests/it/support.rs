//! The store's test helpers: the test databases and the clock (from `test-support`, shared
//! with the house's and the CLI's tests), and ledger events to store.

pub use test_support::{SECOND, T0, TestClock, TestDb, postgres_base_url};

/// `count` simple transfers from `first` on, alternating between accounts 1 → 2 and 2 → 1.
pub fn simple_transfers(first: u64, count: u64) -> Vec<ledger::NewTransfer> {
    (first..first + count)
        .map(|id| ledger::NewTransfer {
            id,
            debit_account_id: 1 + id % 2,
            credit_account_id: 2 - id % 2,
            amount: id,
            ledger: 978,
            code: 1,
            ..Default::default()
        })
        .collect()
}

/// Accounts `1..=count` on ledger 978.
pub fn accounts(count: u64) -> Vec<ledger::NewAccount> {
    (1..=count)
        .map(|id| ledger::NewAccount {
            id,
            ledger: 978,
            code: 1,
            ..Default::default()
        })
        .collect()
}
