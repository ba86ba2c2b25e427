//! The state machine: apply batches of account and transfer events.

use std::collections::{BTreeSet, HashMap};

use crate::results::{CreateAccountResult as AR, CreateTransferResult as TR};
use crate::types::{
    Account, AccountFlags, NewAccount, NewTransfer, PendingState, PendingStatus, Transfer,
    TransferFlags,
};
use crate::{
    AMOUNT_MAX, BATCH_EVENTS_MAX, EXPIRED_PER_BATCH_MAX, ID_MAX, NANOS_PER_SECOND, TIMESTAMP_MAX,
};

/// Ledger state: all of it (replay, tests) or the part a batch needs (loaded by `store`).
///
/// A partial ledger must hold every account and transfer the next batch refers to, and every
/// pending transfer due to expire by the batch's timestamp; [`Ledger::transfer_ids_referenced`]
/// and [`Ledger::account_ids_referenced`] say which.
#[derive(Debug, Default)]
pub struct Ledger {
    accounts: HashMap<u64, Account>,
    transfers: HashMap<u64, Transfer>,
    pending: HashMap<u64, PendingState>,
    /// Live pending transfers that have a timeout, by `(expires_at, id)`.
    expiry: BTreeSet<(u64, u64)>,
    last_timestamp: u64,
    undo: Vec<Undo>,
    changes: Changes,
}

/// What one batch did, event by event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchOutcome<R> {
    /// Timestamp of the first event; event `i` has `timestamp + i`. Expiry was evaluated at it.
    pub timestamp: u64,
    /// Pending transfers released at the start of the batch because their timeout had passed,
    /// in order of expiry.
    pub expired: Vec<u64>,
    /// One result per event.
    pub results: Vec<R>,
}

/// What changed since the last [`Ledger::take_changes`]: what a store must write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Accounts created, in order.
    pub accounts_created: Vec<u64>,
    /// Existing accounts whose balances changed (sorted, distinct; may include an account whose
    /// balances changed and changed back).
    pub accounts_updated: Vec<u64>,
    /// Transfers created, in order.
    pub transfers_created: Vec<u64>,
    /// Pending transfers whose status changed (after they were created).
    pub pending_updated: Vec<u64>,
}

#[derive(Debug)]
enum Undo {
    Account(u64, Option<Account>),
    Transfer(u64),
    Pending(u64, Option<PendingState>),
}

/// Lengths of the append-only change lists, to roll a failed linked chain back.
#[derive(Clone, Copy)]
struct Savepoint {
    undo: usize,
    accounts_created: usize,
    transfers_created: usize,
    pending_updated: usize,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Timestamp of the last event applied (zero if none).
    pub fn last_timestamp(&self) -> u64 {
        self.last_timestamp
    }

    /// Sets the timestamp of the last event applied (when loading a partial ledger).
    pub fn set_last_timestamp(&mut self, timestamp: u64) {
        self.last_timestamp = timestamp;
    }

    /// The timestamp the next batch gets if the clock says `now`: strictly after the last one.
    pub fn next_timestamp(&self, now: u64) -> u64 {
        now.max(self.last_timestamp + 1)
    }

    /// Loads a stored account.
    pub fn insert_account(&mut self, account: Account) {
        self.accounts.insert(account.id, account);
    }

    /// Loads a stored transfer and, for a pending one, its state.
    pub fn insert_transfer(&mut self, transfer: Transfer, pending: Option<PendingState>) {
        if let Some(state) = pending {
            self.set_pending(transfer.id, Some(state));
        }
        self.transfers.insert(transfer.id, transfer);
    }

    /// Drops all transfers (a store's working set keeps only accounts between batches).
    pub fn forget_transfers(&mut self) {
        self.transfers.clear();
        self.pending.clear();
        self.expiry.clear();
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// An account.
    pub fn account(&self, id: u64) -> Option<&Account> {
        self.accounts.get(&id)
    }

    /// A transfer.
    pub fn transfer(&self, id: u64) -> Option<&Transfer> {
        self.transfers.get(&id)
    }

    /// The state of a pending transfer.
    pub fn pending_state(&self, id: u64) -> Option<PendingState> {
        self.pending.get(&id).copied()
    }

    /// All accounts, in no order.
    pub fn accounts(&self) -> impl ExactSizeIterator<Item = &Account> {
        self.accounts.values()
    }

    /// All transfers, in no order.
    pub fn transfers(&self) -> impl ExactSizeIterator<Item = &Transfer> {
        self.transfers.values()
    }

    /// Whether the account is loaded.
    pub fn has_account(&self, id: u64) -> bool {
        self.accounts.contains_key(&id)
    }

    /// Transfer ids a batch refers to (its ids and pending ids): what a partial ledger must load.
    pub fn transfer_ids_referenced(events: &[NewTransfer]) -> Vec<u64> {
        let mut ids: Vec<u64> = events
            .iter()
            .flat_map(|t| [t.id, t.pending_id])
            .filter(|&id| id != 0 && id <= ID_MAX)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Account ids a batch refers to, directly or through a loaded pending transfer or a loaded
    /// due expiry: what a partial ledger must load once the transfers are loaded.
    pub fn account_ids_referenced(&self, events: &[NewTransfer]) -> Vec<u64> {
        let from_pending = |id: u64| {
            self.transfers
                .get(&id)
                .map(|p| [p.debit_account_id, p.credit_account_id])
                .unwrap_or_default()
        };
        let mut ids: Vec<u64> = events
            .iter()
            .flat_map(|t| {
                let [pd, pc] = from_pending(t.pending_id);
                [t.debit_account_id, t.credit_account_id, pd, pc]
            })
            .chain(self.expiry.iter().flat_map(|&(_, id)| from_pending(id)))
            .filter(|&id| id != 0 && id <= ID_MAX)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The changes since the last call, for the store to write.
    pub fn take_changes(&mut self) -> Changes {
        let mut changes = std::mem::take(&mut self.changes);
        changes.accounts_updated.sort_unstable();
        changes.accounts_updated.dedup();
        changes
    }

    /// Creates accounts. Panics if `events` is longer than [`BATCH_EVENTS_MAX`] (callers check).
    pub fn create_accounts(&mut self, now: u64, events: &[NewAccount]) -> BatchOutcome<AR> {
        self.run_batch(
            now,
            events,
            |a| a.flags.contains(AccountFlags::LINKED),
            Self::create_account,
        )
    }

    /// Creates transfers. Panics if `events` is longer than [`BATCH_EVENTS_MAX`] (callers check).
    pub fn create_transfers(&mut self, now: u64, events: &[NewTransfer]) -> BatchOutcome<TR> {
        self.run_batch(
            now,
            events,
            |t| t.flags.contains(TransferFlags::LINKED),
            Self::create_transfer,
        )
    }

    fn run_batch<E, R: LinkedResult>(
        &mut self,
        now: u64,
        events: &[E],
        linked: fn(&E) -> bool,
        apply: fn(&mut Self, &E, u64) -> R,
    ) -> BatchOutcome<R> {
        assert!(
            events.len() <= BATCH_EVENTS_MAX,
            "batch of {} events",
            events.len()
        );
        let timestamp = self.next_timestamp(now);
        let expired = self.expire_due(timestamp);
        let mut results = Vec::with_capacity(events.len());
        let mut start = 0;
        while start < events.len() {
            // A chain runs to the first event without `linked`, or to the end of the batch (open).
            let end = events[start..]
                .iter()
                .position(|e| !linked(e))
                .map_or(events.len(), |k| start + k + 1);
            if linked(&events[end - 1]) {
                results.extend((start..end - 1).map(|_| R::CHAIN_FAILED));
                results.push(R::CHAIN_OPEN);
                break;
            }
            self.undo.clear();
            let savepoint = self.savepoint();
            for (i, event) in events.iter().enumerate().take(end).skip(start) {
                let result = apply(self, event, timestamp + i as u64);
                results.push(result);
                if !result.is_ok() {
                    self.rollback(savepoint);
                    for (j, r) in results.iter_mut().enumerate().skip(start) {
                        if j != i {
                            *r = R::CHAIN_FAILED;
                        }
                    }
                    results.extend((i + 1..end).map(|_| R::CHAIN_FAILED));
                    break;
                }
            }
            start = end;
        }
        self.undo.clear();
        debug_assert_eq!(results.len(), events.len());
        self.last_timestamp = timestamp + events.len().max(1) as u64 - 1;
        BatchOutcome {
            timestamp,
            expired,
            results,
        }
    }

    fn savepoint(&self) -> Savepoint {
        Savepoint {
            undo: self.undo.len(),
            accounts_created: self.changes.accounts_created.len(),
            transfers_created: self.changes.transfers_created.len(),
            pending_updated: self.changes.pending_updated.len(),
        }
    }

    fn rollback(&mut self, to: Savepoint) {
        while self.undo.len() > to.undo {
            match self.undo.pop() {
                Some(Undo::Account(id, Some(old))) => {
                    self.accounts.insert(id, old);
                }
                Some(Undo::Account(id, None)) => {
                    self.accounts.remove(&id);
                }
                Some(Undo::Transfer(id)) => {
                    self.transfers.remove(&id);
                }
                Some(Undo::Pending(id, old)) => self.set_pending(id, old),
                None => unreachable!("undo log shorter than its savepoint"),
            }
        }
        self.changes.accounts_created.truncate(to.accounts_created);
        self.changes
            .transfers_created
            .truncate(to.transfers_created);
        self.changes.pending_updated.truncate(to.pending_updated);
    }

    /// Sets a pending transfer's state, keeping the expiry index in step.
    fn set_pending(&mut self, id: u64, state: Option<PendingState>) {
        let live = |s: &PendingState| s.status == PendingStatus::Pending;
        if let Some(old) = self.pending.get(&id)
            && let (true, Some(at)) = (live(old), old.expires_at)
        {
            self.expiry.remove(&(at, id));
        }
        match state {
            Some(new) => {
                if let (true, Some(at)) = (live(&new), new.expires_at) {
                    self.expiry.insert((at, id));
                }
                self.pending.insert(id, new);
            }
            None => {
                self.pending.remove(&id);
            }
        }
    }

    fn update_pending(&mut self, id: u64, status: PendingStatus) {
        let old = self.pending.get(&id).copied();
        let expires_at = old.and_then(|s| s.expires_at);
        self.undo.push(Undo::Pending(id, old));
        self.set_pending(id, Some(PendingState { status, expires_at }));
        self.changes.pending_updated.push(id);
    }

    fn update_account(&mut self, account: Account) {
        let old = self.accounts.insert(account.id, account);
        debug_assert!(old.is_some(), "update of an account not loaded");
        self.undo.push(Undo::Account(account.id, old));
        self.changes.accounts_updated.push(account.id);
    }

    fn add_transfer(&mut self, transfer: Transfer) {
        let old = self.transfers.insert(transfer.id, transfer);
        debug_assert!(old.is_none(), "transfer {} created twice", transfer.id);
        self.undo.push(Undo::Transfer(transfer.id));
        self.changes.transfers_created.push(transfer.id);
        if transfer.flags.contains(TransferFlags::PENDING) {
            let state = PendingState {
                status: PendingStatus::Pending,
                expires_at: transfer.expires_at(),
            };
            self.undo.push(Undo::Pending(transfer.id, None));
            self.set_pending(transfer.id, Some(state));
        }
    }

    /// Releases every live pending transfer whose expiry is at or before `timestamp`.
    fn expire_due(&mut self, timestamp: u64) -> Vec<u64> {
        let mut expired = Vec::new();
        while let Some(&(at, id)) = self.expiry.first()
            && at <= timestamp
            && expired.len() < EXPIRED_PER_BATCH_MAX
        {
            let p = *self
                .transfers
                .get(&id)
                .expect("a due pending transfer is loaded");
            self.release_pending(&p);
            self.update_pending(id, PendingStatus::Expired);
            expired.push(id);
        }
        self.undo.clear();
        expired
    }

    /// Takes a pending transfer's amount off both accounts' pending balances.
    fn release_pending(&mut self, p: &Transfer) {
        let mut dr = *self
            .accounts
            .get(&p.debit_account_id)
            .expect("debit account loaded");
        let mut cr = *self
            .accounts
            .get(&p.credit_account_id)
            .expect("credit account loaded");
        dr.debits_pending -= p.amount;
        cr.credits_pending -= p.amount;
        self.update_account(dr);
        self.update_account(cr);
    }

    fn create_account(&mut self, a: &NewAccount, timestamp: u64) -> AR {
        if a.id == 0 {
            return AR::IdMustNotBeZero;
        }
        if a.id > ID_MAX {
            return AR::IdMustNotExceedMax;
        }
        if a.flags.has_unknown_bits() {
            return AR::ReservedFlag;
        }
        if a.flags.contains(
            AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
                .with(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS),
        ) {
            return AR::FlagsAreMutuallyExclusive;
        }
        if let Some(existing) = self.accounts.get(&a.id) {
            return if existing.same_as(a) {
                AR::Exists
            } else {
                AR::ExistsWithDifferentFields
            };
        }
        if a.ledger == 0 {
            return AR::LedgerMustNotBeZero;
        }
        if a.code == 0 {
            return AR::CodeMustNotBeZero;
        }
        self.accounts.insert(a.id, Account::open(a, timestamp));
        self.undo.push(Undo::Account(a.id, None));
        self.changes.accounts_created.push(a.id);
        AR::Ok
    }

    fn create_transfer(&mut self, t: &NewTransfer, timestamp: u64) -> TR {
        if t.id == 0 {
            return TR::IdMustNotBeZero;
        }
        if t.id > ID_MAX {
            return TR::IdMustNotExceedMax;
        }
        if t.flags.has_unknown_bits() {
            return TR::ReservedFlag;
        }
        let phases = [
            TransferFlags::PENDING,
            TransferFlags::POST_PENDING,
            TransferFlags::VOID_PENDING,
        ];
        if phases.iter().filter(|&&f| t.flags.contains(f)).count() > 1 {
            return TR::FlagsAreMutuallyExclusive;
        }
        if let Some(existing) = self.transfers.get(&t.id) {
            return self.transfer_exists(t, existing);
        }
        let result = if t.flags.contains(TransferFlags::POST_PENDING)
            || t.flags.contains(TransferFlags::VOID_PENDING)
        {
            self.post_or_void(t, timestamp)
        } else {
            self.single_phase_or_pending(t, timestamp)
        };
        match result {
            Ok(()) => TR::Ok,
            Err(code) => code,
        }
    }

    fn transfer_exists(&self, t: &NewTransfer, existing: &Transfer) -> TR {
        if t.flags != existing.flags || t.pending_id != existing.pending_id {
            return TR::ExistsWithDifferentFields;
        }
        let pending = self.transfers.get(&t.pending_id);
        if Transfer::resolve(t, pending, existing.timestamp) == *existing {
            TR::Exists
        } else {
            TR::ExistsWithDifferentFields
        }
    }

    fn single_phase_or_pending(&mut self, t: &NewTransfer, timestamp: u64) -> Result<(), TR> {
        let pending = t.flags.contains(TransferFlags::PENDING);
        check(t.pending_id == 0, TR::PendingIdMustBeZero)?;
        check(
            pending || t.timeout == 0,
            TR::TimeoutReservedForPendingTransfer,
        )?;
        check(t.debit_account_id != 0, TR::DebitAccountIdMustNotBeZero)?;
        check(
            t.debit_account_id <= ID_MAX,
            TR::DebitAccountIdMustNotExceedMax,
        )?;
        check(t.credit_account_id != 0, TR::CreditAccountIdMustNotBeZero)?;
        check(
            t.credit_account_id <= ID_MAX,
            TR::CreditAccountIdMustNotExceedMax,
        )?;
        check(
            t.debit_account_id != t.credit_account_id,
            TR::AccountsMustDiffer,
        )?;
        check(t.amount != 0, TR::AmountMustNotBeZero)?;
        check(t.amount <= AMOUNT_MAX, TR::AmountMustNotExceedMax)?;
        check(t.ledger != 0, TR::LedgerMustNotBeZero)?;
        check(t.code != 0, TR::CodeMustNotBeZero)?;
        let mut dr = *self
            .accounts
            .get(&t.debit_account_id)
            .ok_or(TR::DebitAccountNotFound)?;
        let mut cr = *self
            .accounts
            .get(&t.credit_account_id)
            .ok_or(TR::CreditAccountNotFound)?;
        check(dr.ledger == cr.ledger, TR::AccountsMustHaveTheSameLedger)?;
        check(
            t.ledger == dr.ledger,
            TR::TransferMustHaveTheSameLedgerAsAccounts,
        )?;
        let amount = t.amount;
        if pending {
            check(
                fits(&[dr.debits_pending, amount]),
                TR::OverflowsDebitsPending,
            )?;
            check(
                fits(&[cr.credits_pending, amount]),
                TR::OverflowsCreditsPending,
            )?;
        } else {
            check(fits(&[dr.debits_posted, amount]), TR::OverflowsDebitsPosted)?;
            check(
                fits(&[cr.credits_posted, amount]),
                TR::OverflowsCreditsPosted,
            )?;
        }
        check(
            fits(&[dr.debits_pending, dr.debits_posted, amount]),
            TR::OverflowsDebits,
        )?;
        check(
            fits(&[cr.credits_pending, cr.credits_posted, amount]),
            TR::OverflowsCredits,
        )?;
        let transfer = Transfer::resolve(t, None, timestamp);
        if let Some(at) = transfer.expires_at() {
            // Expiry times are stored as signed 64-bit nanoseconds too.
            let exact =
                u128::from(timestamp) + u128::from(t.timeout) * u128::from(NANOS_PER_SECOND);
            check(
                exact == u128::from(at) && at <= TIMESTAMP_MAX,
                TR::OverflowsTimeout,
            )?;
        }
        if dr
            .flags
            .contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
        {
            let debits = sum(&[dr.debits_pending, dr.debits_posted, amount]);
            check(debits <= u128::from(dr.credits_posted), TR::ExceedsCredits)?;
        }
        if cr
            .flags
            .contains(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
        {
            let credits = sum(&[cr.credits_pending, cr.credits_posted, amount]);
            check(credits <= u128::from(cr.debits_posted), TR::ExceedsDebits)?;
        }
        if pending {
            dr.debits_pending += amount;
            cr.credits_pending += amount;
        } else {
            dr.debits_posted += amount;
            cr.credits_posted += amount;
        }
        self.update_account(dr);
        self.update_account(cr);
        self.add_transfer(transfer);
        Ok(())
    }

    fn post_or_void(&mut self, t: &NewTransfer, timestamp: u64) -> Result<(), TR> {
        let post = t.flags.contains(TransferFlags::POST_PENDING);
        check(t.pending_id != 0, TR::PendingIdMustNotBeZero)?;
        check(t.pending_id <= ID_MAX, TR::PendingIdMustNotExceedMax)?;
        check(t.pending_id != t.id, TR::PendingIdMustBeDifferent)?;
        check(t.timeout == 0, TR::TimeoutReservedForPendingTransfer)?;
        let p = *self
            .transfers
            .get(&t.pending_id)
            .ok_or(TR::PendingTransferNotFound)?;
        check(
            p.flags.contains(TransferFlags::PENDING),
            TR::PendingTransferNotPending,
        )?;
        let same = |given: u64, theirs: u64| given == 0 || given == theirs;
        check(
            same(t.debit_account_id, p.debit_account_id),
            TR::PendingTransferHasDifferentDebitAccountId,
        )?;
        check(
            same(t.credit_account_id, p.credit_account_id),
            TR::PendingTransferHasDifferentCreditAccountId,
        )?;
        check(
            same(t.ledger.into(), p.ledger.into()),
            TR::PendingTransferHasDifferentLedger,
        )?;
        check(
            same(t.code.into(), p.code.into()),
            TR::PendingTransferHasDifferentCode,
        )?;
        if post {
            check(t.amount <= p.amount, TR::ExceedsPendingTransferAmount)?;
        } else {
            check(
                same(t.amount, p.amount),
                TR::PendingTransferHasDifferentAmount,
            )?;
        }
        let state = self.pending.get(&p.id).copied();
        match state.map(|s| s.status) {
            // Due but not yet released (a batch releases at most EXPIRED_PER_BATCH_MAX).
            Some(PendingStatus::Pending)
                if state
                    .and_then(|s| s.expires_at)
                    .is_some_and(|at| at <= timestamp) =>
            {
                return Err(TR::PendingTransferExpired);
            }
            Some(PendingStatus::Pending) => {}
            Some(PendingStatus::Posted) => return Err(TR::PendingTransferAlreadyPosted),
            Some(PendingStatus::Voided) => return Err(TR::PendingTransferAlreadyVoided),
            Some(PendingStatus::Expired) => return Err(TR::PendingTransferExpired),
            None => unreachable!("pending transfer {} loaded without its state", p.id),
        }
        let transfer = Transfer::resolve(t, Some(&p), timestamp);
        let dr = self
            .accounts
            .get(&p.debit_account_id)
            .expect("debit account loaded");
        let cr = self
            .accounts
            .get(&p.credit_account_id)
            .expect("credit account loaded");
        if post {
            check(
                fits(&[dr.debits_posted, transfer.amount]),
                TR::OverflowsDebitsPosted,
            )?;
            check(
                fits(&[cr.credits_posted, transfer.amount]),
                TR::OverflowsCreditsPosted,
            )?;
        }
        self.release_pending(&p);
        if post {
            let mut dr = self.accounts[&p.debit_account_id];
            let mut cr = self.accounts[&p.credit_account_id];
            dr.debits_posted += transfer.amount;
            cr.credits_posted += transfer.amount;
            self.update_account(dr);
            self.update_account(cr);
        }
        let status = if post {
            PendingStatus::Posted
        } else {
            PendingStatus::Voided
        };
        self.update_pending(p.id, status);
        self.add_transfer(transfer);
        Ok(())
    }
}

fn check(condition: bool, otherwise: TR) -> Result<(), TR> {
    if condition { Ok(()) } else { Err(otherwise) }
}

fn sum(values: &[u64]) -> u128 {
    values.iter().map(|&v| u128::from(v)).sum()
}

/// Whether the sum of balances stays within [`AMOUNT_MAX`].
fn fits(values: &[u64]) -> bool {
    sum(values) <= u128::from(AMOUNT_MAX)
}

/// The results every event kind shares for linked chains.
trait LinkedResult: Copy {
    const CHAIN_FAILED: Self;
    const CHAIN_OPEN: Self;
    fn is_ok(self) -> bool;
}

impl LinkedResult for AR {
    const CHAIN_FAILED: Self = AR::LinkedEventFailed;
    const CHAIN_OPEN: Self = AR::LinkedEventChainOpen;
    fn is_ok(self) -> bool {
        AR::is_ok(self)
    }
}

impl LinkedResult for TR {
    const CHAIN_FAILED: Self = TR::LinkedEventFailed;
    const CHAIN_OPEN: Self = TR::LinkedEventChainOpen;
    fn is_ok(self) -> bool {
        TR::is_ok(self)
    }
}
