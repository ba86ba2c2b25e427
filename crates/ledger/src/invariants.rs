//! Invariants every stored ledger satisfies, checked from the stored rows alone (independently of
//! the journal): per ledger the debits equal the credits, every account's balances are the sums of
//! its transfers, and no account breaks its limit flag.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::types::{Account, AccountFlags, PendingStatus, Transfer, TransferFlags};

/// At most this many violations are reported; the rest are counted.
pub const VIOLATIONS_MAX: usize = 1000;

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// Over all accounts of a ledger, debits and credits differ.
    Unbalanced {
        /// The ledger.
        ledger: u32,
        /// Which balance: `posted` or `pending`.
        balance: &'static str,
        /// Sum of the debits.
        debits: u128,
        /// Sum of the credits.
        credits: u128,
    },
    /// An account's stored balance is not the sum of its transfers.
    BalanceMismatch {
        /// The account.
        account: u64,
        /// Which balance (`debits_posted`, …).
        balance: &'static str,
        /// The stored value.
        stored: u64,
        /// The sum over the stored transfers.
        from_transfers: u128,
    },
    /// An account breaks `debits_must_not_exceed_credits` or `credits_must_not_exceed_debits`.
    LimitBroken {
        /// The account.
        account: u64,
        /// The flag.
        flag: &'static str,
    },
    /// A transfer names an account that does not exist, or is on another ledger.
    TransferAccount {
        /// The transfer.
        transfer: u64,
        /// The account.
        account: u64,
    },
    /// Transfers name an account that does not exist.
    UnknownAccount {
        /// The account.
        account: u64,
    },
    /// A pending transfer has no status, or a transfer that is not pending has one.
    PendingStatus {
        /// The transfer.
        transfer: u64,
    },
    /// More violations than [`VIOLATIONS_MAX`]; this many were not listed.
    More(usize),
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Unbalanced {
                ledger,
                balance,
                debits,
                credits,
            } => write!(
                f,
                "ledger {ledger}: {balance} debits {debits} differ from {balance} credits {credits}"
            ),
            Violation::BalanceMismatch {
                account,
                balance,
                stored,
                from_transfers,
            } => write!(
                f,
                "account {account}: {balance} is {stored} but its transfers sum to {from_transfers}"
            ),
            Violation::LimitBroken { account, flag } => {
                write!(f, "account {account}: balances break its flag {flag}")
            }
            Violation::TransferAccount { transfer, account } => write!(
                f,
                "transfer {transfer}: account {account} does not exist or is on another ledger"
            ),
            Violation::UnknownAccount { account } => {
                write!(f, "transfers name account {account}, which does not exist")
            }
            Violation::PendingStatus { transfer } => write!(
                f,
                "transfer {transfer}: pending status missing on a pending transfer or present on another"
            ),
            Violation::More(n) => write!(f, "… and {n} more violations"),
        }
    }
}

/// Checks the invariants over stored rows, streamed: first every transfer, then every account.
#[derive(Debug, Default)]
pub struct InvariantCheck {
    /// Per account: the sums of its transfers (debits_pending, debits_posted, credits_pending,
    /// credits_posted), their ledger, and one of them.
    expected: HashMap<u64, ([u128; 4], u32, u64)>,
    ledgers: BTreeMap<u32, [u128; 4]>,
    violations: Vec<Violation>,
    suppressed: usize,
}

const BALANCE_NAMES: [&str; 4] = [
    "debits_pending",
    "debits_posted",
    "credits_pending",
    "credits_posted",
];

impl InvariantCheck {
    /// A new check.
    pub fn new() -> Self {
        Self::default()
    }

    fn violation(&mut self, v: Violation) {
        if self.violations.len() < VIOLATIONS_MAX {
            self.violations.push(v);
        } else {
            self.suppressed += 1;
        }
    }

    /// Adds a stored transfer and, for a pending one, its stored status.
    pub fn transfer(&mut self, t: &Transfer, status: Option<PendingStatus>) {
        let is_pending = t.flags.contains(TransferFlags::PENDING);
        if is_pending != status.is_some() {
            self.violation(Violation::PendingStatus { transfer: t.id });
        }
        let (debit, credit) = if is_pending {
            if status != Some(PendingStatus::Pending) {
                return;
            }
            (0, 2)
        } else if t.flags.contains(TransferFlags::VOID_PENDING) {
            return;
        } else {
            (1, 3)
        };
        for (account, side) in [(t.debit_account_id, debit), (t.credit_account_id, credit)] {
            let entry = self
                .expected
                .entry(account)
                .or_insert(([0; 4], t.ledger, t.id));
            entry.0[side] += u128::from(t.amount);
            if entry.1 != t.ledger {
                self.violation(Violation::TransferAccount {
                    transfer: t.id,
                    account,
                });
            }
        }
    }

    /// Adds a stored account.
    pub fn account(&mut self, a: &Account) {
        let stored = [
            a.debits_pending,
            a.debits_posted,
            a.credits_pending,
            a.credits_posted,
        ];
        let (expected, ledger, some_transfer) =
            self.expected.remove(&a.id).unwrap_or(([0; 4], a.ledger, 0));
        if ledger != a.ledger {
            self.violation(Violation::TransferAccount {
                transfer: some_transfer,
                account: a.id,
            });
        }
        for (i, name) in BALANCE_NAMES.iter().enumerate() {
            if u128::from(stored[i]) != expected[i] {
                self.violation(Violation::BalanceMismatch {
                    account: a.id,
                    balance: name,
                    stored: stored[i],
                    from_transfers: expected[i],
                });
            }
        }
        let totals = self.ledgers.entry(a.ledger).or_default();
        for (total, value) in totals.iter_mut().zip(stored) {
            *total += u128::from(value);
        }
        let debits = u128::from(a.debits_pending) + u128::from(a.debits_posted);
        let credits = u128::from(a.credits_pending) + u128::from(a.credits_posted);
        if a.flags
            .contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
            && debits > u128::from(a.credits_posted)
        {
            self.violation(Violation::LimitBroken {
                account: a.id,
                flag: "debits_must_not_exceed_credits",
            });
        }
        if a.flags
            .contains(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
            && credits > u128::from(a.debits_posted)
        {
            self.violation(Violation::LimitBroken {
                account: a.id,
                flag: "credits_must_not_exceed_debits",
            });
        }
    }

    /// The violations found, at most [`VIOLATIONS_MAX`] and a count of the rest.
    pub fn finish(mut self) -> Vec<Violation> {
        let orphans: Vec<u64> = self.expected.keys().copied().collect();
        for account in orphans {
            self.violation(Violation::UnknownAccount { account });
        }
        let ledgers = std::mem::take(&mut self.ledgers);
        for (ledger, [dp, dpo, cp, cpo]) in ledgers {
            if dpo != cpo {
                self.violation(Violation::Unbalanced {
                    ledger,
                    balance: "posted",
                    debits: dpo,
                    credits: cpo,
                });
            }
            if dp != cp {
                self.violation(Violation::Unbalanced {
                    ledger,
                    balance: "pending",
                    debits: dp,
                    credits: cp,
                });
            }
        }
        if self.suppressed > 0 {
            self.violations.push(Violation::More(self.suppressed));
        }
        self.violations
    }
}

/// Checks the invariants over rows held in memory.
pub fn check_invariants<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    transfers: impl IntoIterator<Item = (&'a Transfer, Option<PendingStatus>)>,
) -> Vec<Violation> {
    let mut check = InvariantCheck::new();
    for (t, status) in transfers {
        check.transfer(t, status);
    }
    for a in accounts {
        check.account(a);
    }
    check.finish()
}
