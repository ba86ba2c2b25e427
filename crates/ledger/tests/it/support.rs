//! Helpers shared by the test modules: a ledger's rows in a canonical order.

use ledger::{Account, Ledger, PendingState, PendingStatus, Transfer, Violation, check_invariants};

/// All accounts, by id.
pub fn accounts(ledger: &Ledger) -> Vec<Account> {
    let mut accounts: Vec<Account> = ledger.accounts().copied().collect();
    accounts.sort_by_key(|a| a.id);
    accounts
}

/// All transfers with their pending state, by id.
pub fn transfers(ledger: &Ledger) -> Vec<(Transfer, Option<PendingState>)> {
    let mut transfers: Vec<_> = ledger
        .transfers()
        .map(|t| (*t, ledger.pending_state(t.id)))
        .collect();
    transfers.sort_by_key(|(t, _)| t.id);
    transfers
}

/// All transfers with their pending status, by id.
pub fn transfer_statuses(ledger: &Ledger) -> Vec<(Transfer, Option<PendingStatus>)> {
    transfers(ledger)
        .into_iter()
        .map(|(t, s)| (t, s.map(|s| s.status)))
        .collect()
}

/// The invariants over everything the ledger holds.
pub fn violations(ledger: &Ledger) -> Vec<Violation> {
    let statuses = transfer_statuses(ledger);
    let accounts = accounts(ledger);
    check_invariants(&accounts, statuses.iter().map(|(t, s)| (t, *s)))
}
