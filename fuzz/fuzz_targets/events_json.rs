//! A line of `clearhouse ledger create-accounts | create-transfers` input: parsed or refused,
//! and whatever parses goes through the ledger without a panic.
#![no_main]

use ledger::{Ledger, NewAccount, NewTransfer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &[u8]| {
    let mut ledger = Ledger::new();
    if let Ok(account) = serde_json::from_slice::<NewAccount>(line) {
        ledger.create_accounts(1, &[account]);
    }
    if let Ok(transfer) = serde_json::from_slice::<NewTransfer>(line) {
        ledger.create_transfers(2, &[transfer]);
    }
});
