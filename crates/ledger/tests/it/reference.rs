//! A reference model of the ledger: the documented semantics, written to be obviously correct
//! rather than fast.
//!
//! It is deliberately independent of `ledger`'s implementation: it uses only the crate's public
//! types and constants (not `Account::open`, `Account::same_as`, `Transfer::resolve` nor
//! `Transfer::expires_at`), keeps everything in ordered maps, finds due expiries by scanning every
//! transfer, and rolls a failed linked chain back by restoring a clone of the whole state.
//!
//! Self-contained on purpose: the `store` crate's tests include this file too, with
//! `#[path = "../../../ledger/tests/it/reference.rs"] mod reference;`.

// Not every includer uses every accessor.
#![allow(dead_code)]

use std::collections::BTreeMap;

use ledger::{
    AMOUNT_MAX, Account, AccountFlags, CreateAccountResult, CreateTransferResult,
    EXPIRED_PER_BATCH_MAX, ID_MAX, NANOS_PER_SECOND, NewAccount, NewTransfer, PendingStatus,
    Transfer, TransferFlags,
};

type AR = CreateAccountResult;
type TR = CreateTransferResult;

/// The whole ledger state, in ordered maps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reference {
    accounts: BTreeMap<u64, Account>,
    /// Every transfer, and for a pending one (`pending` flag) its status.
    transfers: BTreeMap<u64, (Transfer, Option<PendingStatus>)>,
    last_timestamp: u64,
}

/// Flag bits the documentation names.
const ACCOUNT_FLAGS_KNOWN: u16 = 1 | 2 | 4;
const TRANSFER_FLAGS_KNOWN: u16 = 1 | 2 | 4 | 8;

impl Reference {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Timestamp of the last event applied (zero before the first batch).
    pub fn last_timestamp(&self) -> u64 {
        self.last_timestamp
    }

    /// One account.
    pub fn account(&self, id: u64) -> Option<&Account> {
        self.accounts.get(&id)
    }

    /// One transfer and, if it is a pending one, its status.
    pub fn transfer(&self, id: u64) -> Option<(&Transfer, Option<PendingStatus>)> {
        self.transfers.get(&id).map(|(t, s)| (t, *s))
    }

    /// All accounts, by id.
    pub fn accounts(&self) -> Vec<Account> {
        self.accounts.values().copied().collect()
    }

    /// All transfers with their pending status, by id.
    pub fn transfers(&self) -> Vec<(Transfer, Option<PendingStatus>)> {
        self.transfers.values().copied().collect()
    }

    /// When a pending transfer with a timeout expires (nanoseconds), computed exactly.
    pub fn expires_at(t: &Transfer) -> Option<u64> {
        if !has(t.flags.bits(), TransferFlags::PENDING.bits()) || t.timeout == 0 {
            return None;
        }
        let at = u128::from(t.timestamp) + u128::from(t.timeout) * u128::from(NANOS_PER_SECOND);
        Some(u64::try_from(at).expect("a stored pending transfer's expiry fits"))
    }

    /// Applies a batch of accounts: `(timestamp, expired, results)`.
    pub fn create_accounts(&mut self, now: u64, events: &[NewAccount]) -> (u64, Vec<u64>, Vec<AR>) {
        let codes = Codes {
            ok: AR::Ok,
            chain_failed: AR::LinkedEventFailed,
            chain_open: AR::LinkedEventChainOpen,
        };
        let linked = |a: &NewAccount| has(a.flags.bits(), AccountFlags::LINKED.bits());
        self.batch(now, events, linked, Self::create_account, codes)
    }

    /// Applies a batch of transfers: `(timestamp, expired, results)`.
    pub fn create_transfers(
        &mut self,
        now: u64,
        events: &[NewTransfer],
    ) -> (u64, Vec<u64>, Vec<TR>) {
        let codes = Codes {
            ok: TR::Ok,
            chain_failed: TR::LinkedEventFailed,
            chain_open: TR::LinkedEventChainOpen,
        };
        let linked = |t: &NewTransfer| has(t.flags.bits(), TransferFlags::LINKED.bits());
        self.batch(now, events, linked, Self::create_transfer, codes)
    }

    fn batch<E, R: Copy + PartialEq>(
        &mut self,
        now: u64,
        events: &[E],
        linked: impl Fn(&E) -> bool,
        apply: fn(&mut Self, &E, u64) -> R,
        codes: Codes<R>,
    ) -> (u64, Vec<u64>, Vec<R>) {
        let timestamp = now.max(self.last_timestamp + 1);
        let expired = self.expire(timestamp);
        let n = events.len();
        let mut results: Vec<Option<R>> = vec![None; n];
        let mut start = 0;
        while start < n {
            // The chain is start..=last, where last is the first event without `linked`.
            let Some(last) = (start..n).find(|&i| !linked(&events[i])) else {
                // The batch ends inside the chain: nothing of it is applied.
                for r in &mut results[start..n - 1] {
                    *r = Some(codes.chain_failed);
                }
                results[n - 1] = Some(codes.chain_open);
                break;
            };
            let before = self.clone();
            let mut failed = None;
            for i in start..=last {
                let r = apply(self, &events[i], timestamp + i as u64);
                results[i] = Some(r);
                if r != codes.ok {
                    failed = Some(i);
                    break;
                }
            }
            if let Some(failed) = failed {
                *self = before;
                for (i, r) in results.iter_mut().enumerate().take(last + 1).skip(start) {
                    if i != failed {
                        *r = Some(codes.chain_failed);
                    }
                }
            }
            start = last + 1;
        }
        self.last_timestamp = timestamp + n.max(1) as u64 - 1;
        let results = results
            .into_iter()
            .map(|r| r.expect("every event has a result"))
            .collect();
        (timestamp, expired, results)
    }

    /// Releases live pending transfers due at `timestamp`, oldest expiry first, up to the limit.
    fn expire(&mut self, timestamp: u64) -> Vec<u64> {
        let mut due: Vec<(u64, u64)> = self
            .transfers
            .values()
            .filter(|(_, status)| *status == Some(PendingStatus::Pending))
            .filter_map(|(t, _)| Self::expires_at(t).map(|at| (at, t.id)))
            .filter(|&(at, _)| at <= timestamp)
            .collect();
        due.sort();
        due.truncate(EXPIRED_PER_BATCH_MAX);
        let mut expired = Vec::new();
        for (_, id) in due {
            let (p, status) = self.transfers.get_mut(&id).expect("due transfer exists");
            *status = Some(PendingStatus::Expired);
            let p = *p;
            self.account_mut(p.debit_account_id).debits_pending -= p.amount;
            self.account_mut(p.credit_account_id).credits_pending -= p.amount;
            expired.push(id);
        }
        expired
    }

    fn account_mut(&mut self, id: u64) -> &mut Account {
        self.accounts.get_mut(&id).expect("account exists")
    }

    fn create_account(&mut self, a: &NewAccount, timestamp: u64) -> AR {
        let flags = a.flags.bits();
        let limits = AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
            .with(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
            .bits();
        if a.id == 0 {
            return AR::IdMustNotBeZero;
        }
        if a.id > ID_MAX {
            return AR::IdMustNotExceedMax;
        }
        if flags & !ACCOUNT_FLAGS_KNOWN != 0 {
            return AR::ReservedFlag;
        }
        if has(flags, limits) {
            return AR::FlagsAreMutuallyExclusive;
        }
        if let Some(e) = self.accounts.get(&a.id) {
            let same = (e.ledger, e.code, e.flags, e.user_data_64, e.user_data_32)
                == (a.ledger, a.code, a.flags, a.user_data_64, a.user_data_32);
            return if same {
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
        let account = Account {
            id: a.id,
            ledger: a.ledger,
            code: a.code,
            flags: a.flags,
            user_data_64: a.user_data_64,
            user_data_32: a.user_data_32,
            debits_pending: 0,
            debits_posted: 0,
            credits_pending: 0,
            credits_posted: 0,
            timestamp,
        };
        self.accounts.insert(a.id, account);
        AR::Ok
    }

    fn create_transfer(&mut self, t: &NewTransfer, timestamp: u64) -> TR {
        let flags = t.flags.bits();
        if t.id == 0 {
            return TR::IdMustNotBeZero;
        }
        if t.id > ID_MAX {
            return TR::IdMustNotExceedMax;
        }
        if flags & !TRANSFER_FLAGS_KNOWN != 0 {
            return TR::ReservedFlag;
        }
        let phases = [
            TransferFlags::PENDING,
            TransferFlags::POST_PENDING,
            TransferFlags::VOID_PENDING,
        ];
        if phases.iter().filter(|f| has(flags, f.bits())).count() > 1 {
            return TR::FlagsAreMutuallyExclusive;
        }
        if let Some((e, _)) = self.transfers.get(&t.id) {
            return if self.as_stored(t, e.timestamp) == Some(*e) {
                TR::Exists
            } else {
                TR::ExistsWithDifferentFields
            };
        }
        let is_post = has(flags, TransferFlags::POST_PENDING.bits());
        let is_void = has(flags, TransferFlags::VOID_PENDING.bits());
        let result = if is_post || is_void {
            self.post_or_void(t, is_post, timestamp)
        } else {
            self.single_phase_or_pending(t, timestamp)
        };
        result.err().unwrap_or(TR::Ok)
    }

    /// The transfer `t` would be stored as at `timestamp`; `None` if it names a pending transfer
    /// that does not exist.
    fn as_stored(&self, t: &NewTransfer, timestamp: u64) -> Option<Transfer> {
        let mut s = Transfer {
            id: t.id,
            debit_account_id: t.debit_account_id,
            credit_account_id: t.credit_account_id,
            amount: t.amount,
            pending_id: t.pending_id,
            user_data_64: t.user_data_64,
            user_data_32: t.user_data_32,
            timeout: t.timeout,
            ledger: t.ledger,
            code: t.code,
            flags: t.flags,
            timestamp,
        };
        let is_post = t.flags.contains(TransferFlags::POST_PENDING);
        let is_void = t.flags.contains(TransferFlags::VOID_PENDING);
        if is_post || is_void {
            let (p, _) = self.transfers.get(&t.pending_id)?;
            if s.debit_account_id == 0 {
                s.debit_account_id = p.debit_account_id;
            }
            if s.credit_account_id == 0 {
                s.credit_account_id = p.credit_account_id;
            }
            if s.ledger == 0 {
                s.ledger = p.ledger;
            }
            if s.code == 0 {
                s.code = p.code;
            }
            // Zero means the full amount, for a post and for a void. A void with another amount
            // than zero or the pending amount never applies, so it is never the same body.
            if s.amount == 0 {
                s.amount = p.amount;
            }
        }
        Some(s)
    }

    fn single_phase_or_pending(&mut self, t: &NewTransfer, timestamp: u64) -> Result<(), TR> {
        let is_pending = t.flags.contains(TransferFlags::PENDING);
        fail_if(t.pending_id != 0, TR::PendingIdMustBeZero)?;
        fail_if(
            !is_pending && t.timeout != 0,
            TR::TimeoutReservedForPendingTransfer,
        )?;
        fail_if(t.debit_account_id == 0, TR::DebitAccountIdMustNotBeZero)?;
        fail_if(
            t.debit_account_id > ID_MAX,
            TR::DebitAccountIdMustNotExceedMax,
        )?;
        fail_if(t.credit_account_id == 0, TR::CreditAccountIdMustNotBeZero)?;
        fail_if(
            t.credit_account_id > ID_MAX,
            TR::CreditAccountIdMustNotExceedMax,
        )?;
        fail_if(
            t.debit_account_id == t.credit_account_id,
            TR::AccountsMustDiffer,
        )?;
        fail_if(t.amount == 0, TR::AmountMustNotBeZero)?;
        fail_if(t.amount > AMOUNT_MAX, TR::AmountMustNotExceedMax)?;
        fail_if(t.ledger == 0, TR::LedgerMustNotBeZero)?;
        fail_if(t.code == 0, TR::CodeMustNotBeZero)?;
        let dr = *self
            .accounts
            .get(&t.debit_account_id)
            .ok_or(TR::DebitAccountNotFound)?;
        let cr = *self
            .accounts
            .get(&t.credit_account_id)
            .ok_or(TR::CreditAccountNotFound)?;
        fail_if(dr.ledger != cr.ledger, TR::AccountsMustHaveTheSameLedger)?;
        fail_if(
            t.ledger != dr.ledger,
            TR::TransferMustHaveTheSameLedgerAsAccounts,
        )?;

        // Exact arithmetic: u128 cannot overflow on sums of three u64.
        let amount = u128::from(t.amount);
        let max = u128::from(AMOUNT_MAX);
        let (dr_pending, dr_posted) = (u128::from(dr.debits_pending), u128::from(dr.debits_posted));
        let (cr_pending, cr_posted) = (
            u128::from(cr.credits_pending),
            u128::from(cr.credits_posted),
        );
        if is_pending {
            fail_if(dr_pending + amount > max, TR::OverflowsDebitsPending)?;
            fail_if(cr_pending + amount > max, TR::OverflowsCreditsPending)?;
        } else {
            fail_if(dr_posted + amount > max, TR::OverflowsDebitsPosted)?;
            fail_if(cr_posted + amount > max, TR::OverflowsCreditsPosted)?;
        }
        fail_if(dr_pending + dr_posted + amount > max, TR::OverflowsDebits)?;
        fail_if(cr_pending + cr_posted + amount > max, TR::OverflowsCredits)?;
        if is_pending && t.timeout > 0 {
            // Expiry times are signed 64-bit nanoseconds, like balances.
            let at = u128::from(timestamp) + u128::from(t.timeout) * u128::from(NANOS_PER_SECOND);
            fail_if(at > max, TR::OverflowsTimeout)?;
        }
        let dr_limited = dr
            .flags
            .contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS);
        fail_if(
            dr_limited && dr_pending + dr_posted + amount > u128::from(dr.credits_posted),
            TR::ExceedsCredits,
        )?;
        let cr_limited = cr
            .flags
            .contains(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS);
        fail_if(
            cr_limited && cr_pending + cr_posted + amount > u128::from(cr.debits_posted),
            TR::ExceedsDebits,
        )?;

        let stored = self.as_stored(t, timestamp).expect("not a post or void");
        if is_pending {
            self.account_mut(dr.id).debits_pending += t.amount;
            self.account_mut(cr.id).credits_pending += t.amount;
            let status = Some(PendingStatus::Pending);
            self.transfers.insert(t.id, (stored, status));
        } else {
            self.account_mut(dr.id).debits_posted += t.amount;
            self.account_mut(cr.id).credits_posted += t.amount;
            self.transfers.insert(t.id, (stored, None));
        }
        Ok(())
    }

    fn post_or_void(&mut self, t: &NewTransfer, is_post: bool, timestamp: u64) -> Result<(), TR> {
        fail_if(t.pending_id == 0, TR::PendingIdMustNotBeZero)?;
        fail_if(t.pending_id > ID_MAX, TR::PendingIdMustNotExceedMax)?;
        fail_if(t.pending_id == t.id, TR::PendingIdMustBeDifferent)?;
        fail_if(t.timeout != 0, TR::TimeoutReservedForPendingTransfer)?;
        let (p, status) = *self
            .transfers
            .get(&t.pending_id)
            .ok_or(TR::PendingTransferNotFound)?;
        fail_if(
            !p.flags.contains(TransferFlags::PENDING),
            TR::PendingTransferNotPending,
        )?;
        // Zero means "the pending transfer's"; anything else must equal it.
        let differs = |given: u64, theirs: u64| given != 0 && given != theirs;
        fail_if(
            differs(t.debit_account_id, p.debit_account_id),
            TR::PendingTransferHasDifferentDebitAccountId,
        )?;
        fail_if(
            differs(t.credit_account_id, p.credit_account_id),
            TR::PendingTransferHasDifferentCreditAccountId,
        )?;
        fail_if(
            differs(t.ledger.into(), p.ledger.into()),
            TR::PendingTransferHasDifferentLedger,
        )?;
        fail_if(
            differs(t.code.into(), p.code.into()),
            TR::PendingTransferHasDifferentCode,
        )?;
        if is_post {
            fail_if(t.amount > p.amount, TR::ExceedsPendingTransferAmount)?;
        } else {
            fail_if(
                differs(t.amount, p.amount),
                TR::PendingTransferHasDifferentAmount,
            )?;
        }
        match status.expect("a pending transfer has a status") {
            PendingStatus::Posted => return Err(TR::PendingTransferAlreadyPosted),
            PendingStatus::Voided => return Err(TR::PendingTransferAlreadyVoided),
            PendingStatus::Expired => return Err(TR::PendingTransferExpired),
            PendingStatus::Pending => {
                // Due, but not released yet (a batch releases a bounded number).
                let due = Self::expires_at(&p).is_some_and(|at| at <= timestamp);
                fail_if(due, TR::PendingTransferExpired)?;
            }
        }
        let stored = self
            .as_stored(t, timestamp)
            .expect("pending transfer exists");
        let posted = if is_post { stored.amount } else { 0 };
        let max = u128::from(AMOUNT_MAX);
        let dr = self.accounts[&p.debit_account_id];
        let cr = self.accounts[&p.credit_account_id];
        fail_if(
            u128::from(dr.debits_posted) + u128::from(posted) > max,
            TR::OverflowsDebitsPosted,
        )?;
        fail_if(
            u128::from(cr.credits_posted) + u128::from(posted) > max,
            TR::OverflowsCreditsPosted,
        )?;

        // The whole reservation is released; the posted part (if any) is posted.
        let dr = self.account_mut(p.debit_account_id);
        dr.debits_pending -= p.amount;
        dr.debits_posted += posted;
        let cr = self.account_mut(p.credit_account_id);
        cr.credits_pending -= p.amount;
        cr.credits_posted += posted;
        let new_status = if is_post {
            PendingStatus::Posted
        } else {
            PendingStatus::Voided
        };
        self.transfers.get_mut(&p.id).expect("exists").1 = Some(new_status);
        self.transfers.insert(t.id, (stored, None));
        Ok(())
    }
}

/// The results every event kind shares.
#[derive(Clone, Copy)]
struct Codes<R> {
    ok: R,
    chain_failed: R,
    chain_open: R,
}

fn has(bits: u16, flag: u16) -> bool {
    bits & flag == flag
}

fn fail_if(condition: bool, result: TR) -> Result<(), TR> {
    if condition { Err(result) } else { Ok(()) }
}
