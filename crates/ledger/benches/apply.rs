//! The state machine alone, without a database: what one batch of transfers costs in CPU, and
//! what encoding and hashing its journal entry adds. `cargo bench -p ledger`.

use divan::{Bencher, black_box, counter::ItemsCount};
use ledger::journal::{GENESIS, chain_hash, encode_transfers};
use ledger::{Ledger, NewAccount, NewTransfer, TransferFlags};

const ACCOUNTS: u64 = 10_000;
const BATCH: u64 = 1000;

fn main() {
    divan::main();
}

fn ledger_with_accounts() -> Ledger {
    let mut ledger = Ledger::new();
    let ids: Vec<u64> = (1..=ACCOUNTS).collect();
    for chunk in ids.chunks(ledger::BATCH_EVENTS_MAX) {
        let accounts: Vec<NewAccount> = chunk
            .iter()
            .map(|&id| NewAccount {
                id,
                ledger: 978,
                code: 1,
                ..Default::default()
            })
            .collect();
        ledger.create_accounts(1, &accounts);
    }
    ledger.take_changes();
    ledger
}

fn transfers(first: u64, flags: TransferFlags) -> Vec<NewTransfer> {
    (first..first + BATCH)
        .map(|id| NewTransfer {
            id,
            debit_account_id: 1 + id * 7919 % ACCOUNTS,
            credit_account_id: 1 + (id * 7919 + 1) % ACCOUNTS,
            amount: 1 + id % 1000,
            ledger: 978,
            code: 1,
            flags,
            ..Default::default()
        })
        .collect()
}

/// One batch of 1,000 simple transfers between 10,000 accounts.
#[divan::bench]
fn create_transfers(bencher: Bencher) {
    let mut ledger = ledger_with_accounts();
    let mut next = 1;
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        let batch = transfers(next, TransferFlags::NONE);
        next += BATCH;
        let outcome = ledger.create_transfers(next, black_box(&batch));
        ledger.take_changes();
        ledger.forget_transfers();
        outcome
    });
}

/// The same batch as linked chains of two (undo log kept for every event).
#[divan::bench]
fn create_linked_transfers(bencher: Bencher) {
    let mut ledger = ledger_with_accounts();
    let mut next = 1;
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        let mut batch = transfers(next, TransferFlags::NONE);
        for t in batch.iter_mut().step_by(2) {
            t.flags = TransferFlags::LINKED;
        }
        next += BATCH;
        let outcome = ledger.create_transfers(next, black_box(&batch));
        ledger.take_changes();
        ledger.forget_transfers();
        outcome
    });
}

/// Encoding and hashing one batch's journal entry.
#[divan::bench]
fn journal_entry(bencher: Bencher) {
    let mut ledger = ledger_with_accounts();
    let batch = transfers(1, TransferFlags::NONE);
    let outcome = ledger.create_transfers(2, &batch);
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        let body = encode_transfers(1, black_box(&batch), &outcome);
        chain_hash(&GENESIS, &body)
    });
}
