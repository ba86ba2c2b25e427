//! Readable scenarios, one behaviour each. Every batch runs on the ledger and on the reference
//! model, which must agree, and the invariants must hold after it.

use ledger::{
    AMOUNT_MAX, Account, AccountFlags, BatchOutcome, CreateAccountResult as AR,
    CreateTransferResult as TR, EXPIRED_PER_BATCH_MAX, ID_MAX, Ledger, NANOS_PER_SECOND,
    NewAccount, NewTransfer, PendingStatus, Transfer, TransferFlags,
};

use crate::reference::Reference;
use crate::support;

const EUR: u32 = 978;
const USD: u32 = 840;
const S: u64 = NANOS_PER_SECOND;

/// A ledger and the reference, driven together.
struct Books {
    ledger: Ledger,
    reference: Reference,
}

impl Books {
    fn new() -> Self {
        Books {
            ledger: Ledger::new(),
            reference: Reference::new(),
        }
    }

    /// Books with accounts `1..=n` on EUR, without flags.
    fn with_accounts(n: u64) -> Self {
        let mut books = Books::new();
        let accounts: Vec<_> = (1..=n).map(account).collect();
        assert!(books.accounts(&accounts).iter().all(|r| r.is_ok()));
        books
    }

    fn accounts_at(&mut self, now: u64, events: &[NewAccount]) -> BatchOutcome<AR> {
        let got = self.ledger.create_accounts(now, events);
        let want = self.reference.create_accounts(now, events);
        assert_eq!(
            (got.timestamp, got.expired.clone(), got.results.clone()),
            want
        );
        self.check();
        got
    }

    fn transfers_at(&mut self, now: u64, events: &[NewTransfer]) -> BatchOutcome<TR> {
        let got = self.ledger.create_transfers(now, events);
        let want = self.reference.create_transfers(now, events);
        assert_eq!(
            (got.timestamp, got.expired.clone(), got.results.clone()),
            want,
            "ledger and reference disagree on {events:?}"
        );
        self.check();
        got
    }

    /// Results of a batch of accounts, on a clock that does not move.
    fn accounts(&mut self, events: &[NewAccount]) -> Vec<AR> {
        self.accounts_at(0, events).results
    }

    /// Results of a batch of transfers, on a clock that does not move.
    fn transfers(&mut self, events: &[NewTransfer]) -> Vec<TR> {
        self.transfers_at(0, events).results
    }

    /// The result of a batch of one transfer.
    fn transfer(&mut self, event: NewTransfer) -> TR {
        self.transfers(&[event])[0]
    }

    fn check(&mut self) {
        self.ledger.take_changes();
        assert_eq!(support::accounts(&self.ledger), self.reference.accounts());
        assert_eq!(
            support::transfer_statuses(&self.ledger),
            self.reference.transfers()
        );
        assert_eq!(support::violations(&self.ledger), vec![]);
    }

    fn account(&self, id: u64) -> Account {
        *self.ledger.account(id).expect("account exists")
    }

    /// `[debits_pending, debits_posted, credits_pending, credits_posted]`.
    fn balances(&self, id: u64) -> [u64; 4] {
        let a = self.account(id);
        [
            a.debits_pending,
            a.debits_posted,
            a.credits_pending,
            a.credits_posted,
        ]
    }

    fn stored(&self, id: u64) -> Transfer {
        *self.ledger.transfer(id).expect("transfer exists")
    }

    fn status(&self, id: u64) -> Option<PendingStatus> {
        self.ledger.pending_state(id).map(|s| s.status)
    }
}

fn account(id: u64) -> NewAccount {
    NewAccount {
        id,
        ledger: EUR,
        code: 1,
        ..NewAccount::default()
    }
}

fn limited(id: u64, flags: AccountFlags) -> NewAccount {
    NewAccount {
        flags,
        ..account(id)
    }
}

fn transfer(id: u64, dr: u64, cr: u64, amount: u64) -> NewTransfer {
    NewTransfer {
        id,
        debit_account_id: dr,
        credit_account_id: cr,
        amount,
        ledger: EUR,
        code: 1,
        ..NewTransfer::default()
    }
}

fn pending(id: u64, dr: u64, cr: u64, amount: u64, timeout: u32) -> NewTransfer {
    NewTransfer {
        flags: TransferFlags::PENDING,
        timeout,
        ..transfer(id, dr, cr, amount)
    }
}

fn post(id: u64, pending_id: u64, amount: u64) -> NewTransfer {
    NewTransfer {
        id,
        pending_id,
        amount,
        flags: TransferFlags::POST_PENDING,
        ..NewTransfer::default()
    }
}

fn void(id: u64, pending_id: u64, amount: u64) -> NewTransfer {
    NewTransfer {
        flags: TransferFlags::VOID_PENDING,
        ..post(id, pending_id, amount)
    }
}

fn linked(t: NewTransfer) -> NewTransfer {
    NewTransfer {
        flags: t.flags.with(TransferFlags::LINKED),
        ..t
    }
}

fn linked_account(a: NewAccount) -> NewAccount {
    NewAccount {
        flags: a.flags.with(AccountFlags::LINKED),
        ..a
    }
}

// Timestamps.

#[test]
fn timestamps_are_unique_and_increase_even_when_the_clock_does_not() {
    let mut books = Books::new();
    let out = books.accounts_at(1_000, &[account(1), account(2), account(3)]);
    assert_eq!(out.timestamp, 1_000);
    assert_eq!(books.ledger.last_timestamp(), 1_002);
    assert_eq!(
        [1, 2, 3].map(|id| books.account(id).timestamp),
        [1_000, 1_001, 1_002]
    );
    // A clock that went back: the batch still comes after the last event.
    let out = books.transfers_at(5, &[transfer(1, 1, 2, 1)]);
    assert_eq!(out.timestamp, 1_003);
    assert_eq!(books.stored(1).timestamp, 1_003);
    // An empty batch uses one timestamp.
    let out = books.transfers_at(0, &[]);
    assert_eq!((out.timestamp, out.results), (1_004, vec![]));
    assert_eq!(books.ledger.last_timestamp(), 1_004);
    // A clock ahead wins.
    let out = books.accounts_at(9_000, &[account(1)]);
    assert_eq!((out.timestamp, out.results), (9_000, vec![AR::Exists]));
    // Failed events use their timestamp too.
    let out = books.transfers_at(0, &[transfer(0, 1, 2, 1), transfer(2, 1, 2, 1)]);
    assert_eq!(out.timestamp, 9_001);
    assert_eq!(books.stored(2).timestamp, 9_002);
    assert_eq!(books.ledger.next_timestamp(0), 9_003);
}

// Accounts.

#[test]
fn account_validation_in_order() {
    let mut books = Books::new();
    let reserved = AccountFlags::from_bits(1 << 8);
    let both = AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
        .with(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS);
    let results = books.accounts(&[
        NewAccount {
            id: 0,
            ..account(1)
        },
        NewAccount {
            id: ID_MAX + 1,
            ..account(1)
        },
        NewAccount {
            id: u64::MAX,
            ..account(1)
        },
        limited(1, reserved),
        limited(1, both),
        NewAccount {
            ledger: 0,
            ..account(1)
        },
        NewAccount {
            code: 0,
            ..account(1)
        },
        // Several faults: the first in order wins.
        NewAccount {
            id: 0,
            ledger: 0,
            code: 0,
            ..account(1)
        },
        NewAccount {
            ledger: 0,
            code: 0,
            flags: reserved,
            ..account(1)
        },
        NewAccount {
            id: ID_MAX,
            ..account(1)
        },
    ]);
    assert_eq!(
        results,
        [
            AR::IdMustNotBeZero,
            AR::IdMustNotExceedMax,
            AR::IdMustNotExceedMax,
            AR::ReservedFlag,
            AR::FlagsAreMutuallyExclusive,
            AR::LedgerMustNotBeZero,
            AR::CodeMustNotBeZero,
            AR::IdMustNotBeZero,
            AR::ReservedFlag,
            AR::Ok,
        ]
    );
    assert_eq!(books.ledger.accounts().len(), 1);
}

#[test]
fn an_account_created_twice_exists_and_another_body_conflicts() {
    let mut books = Books::new();
    let a = NewAccount {
        user_data_64: 7,
        user_data_32: 8,
        ..limited(1, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
    };
    assert_eq!(books.accounts(&[a]), [AR::Ok]);
    let created = books.account(1);
    let others = [
        NewAccount { ledger: USD, ..a },
        NewAccount { code: 2, ..a },
        NewAccount {
            flags: AccountFlags::NONE,
            ..a
        },
        NewAccount {
            user_data_64: 0,
            ..a
        },
        NewAccount {
            user_data_32: 0,
            ..a
        },
        // Exists is checked before the fields are validated.
        NewAccount { ledger: 0, ..a },
    ];
    let mut batch = vec![a];
    batch.extend(others);
    let results = books.accounts(&batch);
    assert_eq!(results[0], AR::Exists);
    assert!(
        results[1..]
            .iter()
            .all(|r| *r == AR::ExistsWithDifferentFields)
    );
    // Nothing changed, not even the timestamp.
    assert_eq!(books.account(1), created);
    // In the same batch, the second of two equal events finds the first.
    assert_eq!(
        books.accounts(&[account(2), account(2)]),
        [AR::Ok, AR::Exists]
    );
    // The linked flag is part of the body.
    assert_eq!(
        books.accounts(&[linked_account(account(2)), account(3)]),
        [AR::ExistsWithDifferentFields, AR::LinkedEventFailed]
    );
}

#[test]
fn linked_accounts_are_created_all_or_none() {
    let mut books = Books::new();
    let results = books.accounts(&[
        account(1),
        linked_account(account(2)),
        linked_account(account(3)),
        NewAccount {
            code: 0,
            ..account(4)
        },
        account(5),
    ]);
    assert_eq!(
        results,
        [
            AR::Ok,
            AR::LinkedEventFailed,
            AR::LinkedEventFailed,
            AR::CodeMustNotBeZero,
            AR::Ok,
        ]
    );
    let ids: Vec<u64> = books.reference.accounts().iter().map(|a| a.id).collect();
    assert_eq!(ids, [1, 5]);
    // An open chain at the end of the batch: nothing of it is created.
    let results = books.accounts(&[
        account(6),
        linked_account(account(7)),
        linked_account(account(8)),
    ]);
    assert_eq!(
        results,
        [AR::Ok, AR::LinkedEventFailed, AR::LinkedEventChainOpen]
    );
    assert!(books.ledger.account(7).is_none());
    // A chain that succeeds creates everything.
    let results = books.accounts(&[linked_account(account(7)), account(8)]);
    assert_eq!(results, [AR::Ok, AR::Ok]);
}

// Transfers: validation.

#[test]
fn transfer_validation_in_order() {
    let mut books = Books::with_accounts(3);
    books.accounts(&[NewAccount {
        ledger: USD,
        ..account(4)
    }]);
    let t = transfer(1, 1, 2, 5);
    let cases = [
        (NewTransfer { id: 0, ..t }, TR::IdMustNotBeZero),
        (
            NewTransfer {
                id: ID_MAX + 1,
                ..t
            },
            TR::IdMustNotExceedMax,
        ),
        (
            NewTransfer {
                flags: TransferFlags::from_bits(1 << 9),
                ..t
            },
            TR::ReservedFlag,
        ),
        (
            NewTransfer {
                flags: TransferFlags::PENDING.with(TransferFlags::VOID_PENDING),
                ..t
            },
            TR::FlagsAreMutuallyExclusive,
        ),
        (NewTransfer { pending_id: 9, ..t }, TR::PendingIdMustBeZero),
        (
            NewTransfer { timeout: 1, ..t },
            TR::TimeoutReservedForPendingTransfer,
        ),
        (transfer(1, 0, 2, 5), TR::DebitAccountIdMustNotBeZero),
        (
            transfer(1, ID_MAX + 1, 2, 5),
            TR::DebitAccountIdMustNotExceedMax,
        ),
        (transfer(1, 1, 0, 5), TR::CreditAccountIdMustNotBeZero),
        (
            transfer(1, 1, u64::MAX, 5),
            TR::CreditAccountIdMustNotExceedMax,
        ),
        (transfer(1, 2, 2, 5), TR::AccountsMustDiffer),
        (transfer(1, 1, 2, 0), TR::AmountMustNotBeZero),
        (
            transfer(1, 1, 2, AMOUNT_MAX + 1),
            TR::AmountMustNotExceedMax,
        ),
        (NewTransfer { ledger: 0, ..t }, TR::LedgerMustNotBeZero),
        (NewTransfer { code: 0, ..t }, TR::CodeMustNotBeZero),
        (transfer(1, 9, 2, 5), TR::DebitAccountNotFound),
        (transfer(1, 1, 9, 5), TR::CreditAccountNotFound),
        (transfer(1, 1, 4, 5), TR::AccountsMustHaveTheSameLedger),
        (
            NewTransfer { ledger: USD, ..t },
            TR::TransferMustHaveTheSameLedgerAsAccounts,
        ),
        // Several faults: the first in order wins.
        (transfer(1, 2, 2, 0), TR::AccountsMustDiffer),
        (transfer(1, 9, 8, 0), TR::AmountMustNotBeZero),
        (transfer(1, 9, 8, 5), TR::DebitAccountNotFound),
        (
            NewTransfer {
                timeout: 1,
                ..transfer(1, 0, 0, 0)
            },
            TR::TimeoutReservedForPendingTransfer,
        ),
    ];
    for (t, want) in cases {
        assert_eq!(books.transfer(t), want, "{t:?}");
    }
    assert_eq!(books.ledger.transfers().len(), 0);
    assert_eq!(books.transfer(t), TR::Ok);
}

#[test]
fn accounts_must_differ_and_must_exist() {
    let mut books = Books::with_accounts(2);
    assert_eq!(books.transfer(transfer(1, 1, 1, 5)), TR::AccountsMustDiffer);
    assert_eq!(
        books.transfer(transfer(1, 3, 1, 5)),
        TR::DebitAccountNotFound
    );
    assert_eq!(
        books.transfer(transfer(1, 1, 3, 5)),
        TR::CreditAccountNotFound
    );
    // The debit account is looked up first.
    assert_eq!(
        books.transfer(transfer(1, 4, 3, 5)),
        TR::DebitAccountNotFound
    );
    assert_eq!(books.balances(1), [0; 4]);
}

#[test]
fn ledgers_must_match() {
    let mut books = Books::with_accounts(2);
    books.accounts(&[NewAccount {
        ledger: USD,
        ..account(3)
    }]);
    assert_eq!(
        books.transfer(transfer(1, 1, 3, 5)),
        TR::AccountsMustHaveTheSameLedger
    );
    assert_eq!(
        books.transfer(transfer(1, 3, 1, 5)),
        TR::AccountsMustHaveTheSameLedger
    );
    assert_eq!(
        books.transfer(NewTransfer {
            ledger: USD,
            ..transfer(1, 1, 2, 5)
        }),
        TR::TransferMustHaveTheSameLedgerAsAccounts
    );
    assert_eq!(books.transfer(transfer(1, 1, 2, 5)), TR::Ok);
}

// Transfers: idempotency.

#[test]
fn a_transfer_sent_twice_moves_money_once() {
    let mut books = Books::with_accounts(3);
    let t = NewTransfer {
        user_data_64: 3,
        user_data_32: 4,
        ..transfer(1, 1, 2, 5)
    };
    assert_eq!(books.transfer(t), TR::Ok);
    let stored = books.stored(1);
    assert_eq!(books.transfers(&[t, t]), [TR::Exists, TR::Exists]);
    assert_eq!(books.balances(1), [0, 5, 0, 0]);
    assert_eq!(books.balances(2), [0, 0, 0, 5]);
    assert_eq!(books.stored(1), stored);
    let others = [
        transfer(1, 1, 3, 5),
        transfer(1, 3, 2, 5),
        NewTransfer { amount: 6, ..t },
        NewTransfer {
            user_data_64: 0,
            ..t
        },
        NewTransfer {
            user_data_32: 0,
            ..t
        },
        NewTransfer { code: 2, ..t },
        NewTransfer { ledger: USD, ..t },
        NewTransfer {
            flags: TransferFlags::PENDING,
            ..t
        },
        // Exists is checked before validation: these are conflicts, not validation errors.
        NewTransfer { amount: 0, ..t },
        NewTransfer { pending_id: 1, ..t },
        NewTransfer { timeout: 1, ..t },
    ];
    for other in others {
        assert_eq!(
            books.transfer(other),
            TR::ExistsWithDifferentFields,
            "{other:?}"
        );
    }
    // But the flags are checked before it.
    assert_eq!(
        books.transfer(NewTransfer {
            flags: TransferFlags::from_bits(1 << 7),
            ..t
        }),
        TR::ReservedFlag
    );
    assert_eq!(books.balances(1), [0, 5, 0, 0]);
}

#[test]
fn a_retried_post_exists_whether_it_gives_the_amount_or_zero() {
    let mut books = Books::with_accounts(2);
    books.transfer(pending(1, 1, 2, 7, 0));
    // Posted with amount 0: the full amount.
    assert_eq!(books.transfer(post(2, 1, 0)), TR::Ok);
    assert_eq!(books.stored(2).amount, 7);
    assert_eq!(books.transfer(post(2, 1, 0)), TR::Exists);
    assert_eq!(books.transfer(post(2, 1, 7)), TR::Exists);
    // Inherited fields given explicitly are the same body.
    let explicit = NewTransfer {
        debit_account_id: 1,
        credit_account_id: 2,
        ledger: EUR,
        code: 1,
        ..post(2, 1, 7)
    };
    assert_eq!(books.transfer(explicit), TR::Exists);
    assert_eq!(books.transfer(post(2, 1, 6)), TR::ExistsWithDifferentFields);
    assert_eq!(books.transfer(void(2, 1, 0)), TR::ExistsWithDifferentFields);
    assert_eq!(
        books.transfer(NewTransfer {
            credit_account_id: 1,
            ..post(2, 1, 0)
        }),
        TR::ExistsWithDifferentFields
    );
    assert_eq!(books.balances(1), [0, 7, 0, 0]);

    // Posted in part: amount 0 would mean the full amount, another body.
    books.transfer(pending(3, 1, 2, 7, 0));
    assert_eq!(books.transfer(post(4, 3, 3)), TR::Ok);
    assert_eq!(books.transfer(post(4, 3, 3)), TR::Exists);
    assert_eq!(books.transfer(post(4, 3, 0)), TR::ExistsWithDifferentFields);
    assert_eq!(books.transfer(post(4, 3, 7)), TR::ExistsWithDifferentFields);
    // Posted with the explicit full amount: amount 0 is the same body.
    books.transfer(pending(5, 1, 2, 7, 0));
    assert_eq!(books.transfer(post(6, 5, 7)), TR::Ok);
    assert_eq!(books.transfer(post(6, 5, 0)), TR::Exists);
    assert_eq!(books.balances(1), [0, 17, 0, 0]);
}

#[test]
fn a_retried_void_exists_with_amount_zero_or_the_full_amount() {
    let mut books = Books::with_accounts(2);
    books.transfer(pending(1, 1, 2, 7, 0));
    assert_eq!(books.transfer(void(2, 1, 7)), TR::Ok);
    assert_eq!(books.stored(2).amount, 7);
    assert_eq!(books.transfer(void(2, 1, 0)), TR::Exists);
    assert_eq!(books.transfer(void(2, 1, 7)), TR::Exists);
    assert_eq!(books.transfer(post(2, 1, 0)), TR::ExistsWithDifferentFields);
    assert_eq!(books.balances(1), [0; 4]);
}

/// A void with an amount that is neither zero nor the pending amount is refused
/// (`pending_transfer_has_different_amount`), so it can never be the body that was stored: its
/// retry is a conflict, not `exists`.
#[test]
fn a_retried_void_with_another_amount_conflicts() {
    let mut books = Books::with_accounts(2);
    books.transfer(pending(1, 1, 2, 7, 0));
    assert_eq!(books.transfer(void(2, 1, 0)), TR::Ok);
    // As a new transfer it is refused for its amount (checked before the pending state).
    assert_eq!(
        books.transfer(void(3, 1, 6)),
        TR::PendingTransferHasDifferentAmount
    );
    assert_eq!(books.transfer(void(2, 1, 6)), TR::ExistsWithDifferentFields);
}

// Linked chains.

#[test]
fn a_failing_chain_applies_nothing_and_keeps_its_own_error() {
    let mut books = Books::with_accounts(3);
    let results = books.transfers(&[
        transfer(1, 1, 2, 5),
        linked(transfer(2, 1, 2, 5)),
        linked(pending(3, 1, 3, 5, 0)),
        linked(post(4, 3, 0)),
        transfer(5, 1, 1, 5), // accounts_must_differ
        transfer(6, 2, 3, 1),
    ]);
    assert_eq!(
        results,
        [
            TR::Ok,
            TR::LinkedEventFailed,
            TR::LinkedEventFailed,
            TR::LinkedEventFailed,
            TR::AccountsMustDiffer,
            TR::Ok,
        ]
    );
    let ids: Vec<u64> = books
        .reference
        .transfers()
        .iter()
        .map(|(t, _)| t.id)
        .collect();
    assert_eq!(ids, [1, 6]);
    assert_eq!(books.balances(1), [0, 5, 0, 0]);
    assert_eq!(books.balances(3), [0, 0, 0, 1]);
    // The ids of the failed chain are free: the same chain, fixed, applies.
    let results = books.transfers(&[
        linked(transfer(2, 1, 2, 5)),
        linked(pending(3, 1, 3, 5, 0)),
        linked(post(4, 3, 2)),
        transfer(5, 1, 3, 5),
    ]);
    assert_eq!(results, [TR::Ok; 4]);
    assert_eq!(books.balances(1), [0, 17, 0, 0]);
    assert_eq!(books.status(3), Some(PendingStatus::Posted));
}

#[test]
fn the_first_failure_of_a_chain_is_reported_and_the_rest_are_not_tried() {
    let mut books = Books::with_accounts(2);
    let results = books.transfers(&[
        linked(transfer(1, 1, 2, 0)),
        linked(transfer(2, 1, 1, 5)),
        transfer(3, 1, 2, 5),
    ]);
    assert_eq!(
        results,
        [
            TR::AmountMustNotBeZero,
            TR::LinkedEventFailed,
            TR::LinkedEventFailed
        ]
    );
}

#[test]
fn a_chain_open_at_the_end_of_the_batch_applies_nothing() {
    let mut books = Books::with_accounts(2);
    let results = books.transfers(&[
        transfer(1, 1, 2, 5),
        linked(transfer(2, 1, 2, 5)),
        linked(transfer(3, 1, 2, 5)),
    ]);
    assert_eq!(
        results,
        [TR::Ok, TR::LinkedEventFailed, TR::LinkedEventChainOpen]
    );
    // Even when an event of the open chain is invalid on its own.
    let results = books.transfers(&[linked(transfer(0, 1, 2, 5)), linked(transfer(4, 1, 2, 5))]);
    assert_eq!(results, [TR::LinkedEventFailed, TR::LinkedEventChainOpen]);
    assert_eq!(
        books.transfers(&[linked(transfer(5, 1, 2, 5))]),
        [TR::LinkedEventChainOpen]
    );
    assert_eq!(books.balances(1), [0, 5, 0, 0]);
}

#[test]
fn a_duplicate_inside_a_chain_fails_the_chain() {
    let mut books = Books::with_accounts(2);
    let t = transfer(1, 1, 2, 5);
    let results = books.transfers(&[linked(t), linked(t), transfer(2, 1, 2, 5)]);
    // The second finds the first (applied until the chain fails): `exists` fails the chain.
    assert_eq!(
        results,
        [TR::LinkedEventFailed, TR::Exists, TR::LinkedEventFailed]
    );
    assert!(books.ledger.transfer(1).is_none());
}

// Two-phase transfers.

#[test]
fn a_pending_transfer_reserves_and_a_full_post_moves_it() {
    let mut books = Books::with_accounts(2);
    assert_eq!(books.transfer(pending(1, 1, 2, 7, 0)), TR::Ok);
    assert_eq!(books.balances(1), [7, 0, 0, 0]);
    assert_eq!(books.balances(2), [0, 0, 7, 0]);
    assert_eq!(books.status(1), Some(PendingStatus::Pending));
    assert_eq!(books.ledger.pending_state(1).unwrap().expires_at, None);
    assert_eq!(books.transfer(post(2, 1, 0)), TR::Ok);
    assert_eq!(books.balances(1), [0, 7, 0, 0]);
    assert_eq!(books.balances(2), [0, 0, 0, 7]);
    assert_eq!(books.status(1), Some(PendingStatus::Posted));
    // The post is stored with what it inherited.
    let p = books.stored(2);
    assert_eq!(
        (
            p.debit_account_id,
            p.credit_account_id,
            p.ledger,
            p.code,
            p.amount
        ),
        (1, 2, EUR, 1, 7)
    );
    assert_eq!(books.status(2), None);
}

#[test]
fn a_partial_post_releases_the_rest() {
    let mut books = Books::with_accounts(2);
    books.transfer(pending(1, 1, 2, 7, 0));
    assert_eq!(
        books.transfer(post(2, 1, 8)),
        TR::ExceedsPendingTransferAmount
    );
    assert_eq!(books.transfer(post(2, 1, 3)), TR::Ok);
    assert_eq!(books.balances(1), [0, 3, 0, 0]);
    assert_eq!(books.balances(2), [0, 0, 0, 3]);
    assert_eq!(books.stored(2).amount, 3);
    // Nothing is left to post.
    assert_eq!(
        books.transfer(post(3, 1, 4)),
        TR::PendingTransferAlreadyPosted
    );
}

#[test]
fn a_void_releases_everything() {
    let mut books = Books::with_accounts(2);
    books.transfer(pending(1, 1, 2, 7, 0));
    assert_eq!(
        books.transfer(void(2, 1, 3)),
        TR::PendingTransferHasDifferentAmount
    );
    assert_eq!(books.transfer(void(2, 1, 0)), TR::Ok);
    assert_eq!(books.balances(1), [0; 4]);
    assert_eq!(books.balances(2), [0; 4]);
    assert_eq!(books.status(1), Some(PendingStatus::Voided));
    assert_eq!(books.stored(2).amount, 7);
    assert_eq!(
        books.transfer(void(3, 1, 0)),
        TR::PendingTransferAlreadyVoided
    );
    assert_eq!(
        books.transfer(post(3, 1, 0)),
        TR::PendingTransferAlreadyVoided
    );
    // A void with the exact amount.
    books.transfer(pending(4, 1, 2, 7, 0));
    assert_eq!(books.transfer(void(5, 4, 7)), TR::Ok);
}

#[test]
fn a_second_post_or_void_is_refused() {
    let mut books = Books::with_accounts(2);
    books.transfer(pending(1, 1, 2, 7, 0));
    assert_eq!(books.transfer(post(2, 1, 0)), TR::Ok);
    assert_eq!(
        books.transfer(post(3, 1, 0)),
        TR::PendingTransferAlreadyPosted
    );
    assert_eq!(
        books.transfer(void(3, 1, 0)),
        TR::PendingTransferAlreadyPosted
    );
    // Also within one batch.
    books.transfer(pending(4, 1, 2, 7, 0));
    assert_eq!(
        books.transfers(&[post(5, 4, 1), post(6, 4, 1)]),
        [TR::Ok, TR::PendingTransferAlreadyPosted]
    );
    assert_eq!(books.balances(1), [0, 8, 0, 0]);
}

#[test]
fn post_and_void_check_what_they_name() {
    let mut books = Books::with_accounts(3);
    books.transfer(pending(1, 1, 2, 7, 0));
    books.transfer(transfer(2, 1, 2, 1));
    let p = post(10, 1, 0);
    let cases = [
        (post(10, 0, 0), TR::PendingIdMustNotBeZero),
        (post(10, ID_MAX + 1, 0), TR::PendingIdMustNotExceedMax),
        (post(10, 10, 0), TR::PendingIdMustBeDifferent),
        (
            NewTransfer { timeout: 1, ..p },
            TR::TimeoutReservedForPendingTransfer,
        ),
        (post(10, 9, 0), TR::PendingTransferNotFound),
        (post(10, 2, 0), TR::PendingTransferNotPending),
        (
            NewTransfer {
                debit_account_id: 3,
                ..p
            },
            TR::PendingTransferHasDifferentDebitAccountId,
        ),
        (
            NewTransfer {
                credit_account_id: 3,
                ..p
            },
            TR::PendingTransferHasDifferentCreditAccountId,
        ),
        (
            NewTransfer { ledger: USD, ..p },
            TR::PendingTransferHasDifferentLedger,
        ),
        (
            NewTransfer { code: 2, ..p },
            TR::PendingTransferHasDifferentCode,
        ),
        (post(10, 1, 8), TR::ExceedsPendingTransferAmount),
        // Accounts, amounts and ledgers a post does not validate on its own terms.
        (
            NewTransfer {
                debit_account_id: ID_MAX + 1,
                ..p
            },
            TR::PendingTransferHasDifferentDebitAccountId,
        ),
        (
            post(10, 1, AMOUNT_MAX + 1),
            TR::ExceedsPendingTransferAmount,
        ),
        (
            void(10, 1, AMOUNT_MAX + 1),
            TR::PendingTransferHasDifferentAmount,
        ),
        // A void of a transfer that is not pending.
        (void(10, 2, 0), TR::PendingTransferNotPending),
        // Several faults: the first in order wins.
        (
            NewTransfer {
                timeout: 1,
                ..post(10, 10, 0)
            },
            TR::PendingIdMustBeDifferent,
        ),
        (
            NewTransfer {
                timeout: 1,
                ..post(10, 9, 0)
            },
            TR::TimeoutReservedForPendingTransfer,
        ),
        (
            NewTransfer {
                debit_account_id: 3,
                ..post(10, 9, 0)
            },
            TR::PendingTransferNotFound,
        ),
        (
            NewTransfer {
                code: 2,
                ..post(10, 1, 8)
            },
            TR::PendingTransferHasDifferentCode,
        ),
    ];
    for (t, want) in cases {
        assert_eq!(books.transfer(t), want, "{t:?}");
    }
    assert_eq!(books.balances(1), [7, 1, 0, 0]);
    // Inherited fields given explicitly and equal are fine.
    let explicit = NewTransfer {
        debit_account_id: 1,
        credit_account_id: 2,
        ledger: EUR,
        code: 1,
        ..p
    };
    assert_eq!(books.transfer(explicit), TR::Ok);
}

#[test]
fn a_pending_transfer_expires_at_its_timeout() {
    let mut books = Books::with_accounts(2);
    let out = books.transfers_at(10 * S, &[pending(1, 1, 2, 7, 2)]);
    let at = out.timestamp + 2 * S;
    assert_eq!(books.ledger.pending_state(1).unwrap().expires_at, Some(at));
    // One nanosecond early: still pending.
    let out = books.transfers_at(at - 1, &[]);
    assert_eq!(out.expired, Vec::<u64>::new());
    assert_eq!(books.balances(1), [7, 0, 0, 0]);
    // At its expiry: released at the start of the batch, before the events.
    let out = books.transfers_at(at, &[post(2, 1, 0), void(3, 1, 0)]);
    assert_eq!(out.expired, [1]);
    assert_eq!(
        out.results,
        [TR::PendingTransferExpired, TR::PendingTransferExpired]
    );
    assert_eq!(books.status(1), Some(PendingStatus::Expired));
    assert_eq!(books.balances(1), [0; 4]);
    assert_eq!(books.balances(2), [0; 4]);
    // Expired once.
    assert_eq!(
        books.transfers_at(at + 10 * S, &[]).expired,
        Vec::<u64>::new()
    );
    // An account batch releases expiries too.
    let out = books.transfers_at(0, &[pending(4, 1, 2, 7, 1)]);
    let out = books.accounts_at(out.timestamp + S, &[account(3)]);
    assert_eq!(out.expired, [4]);
}

#[test]
fn a_post_before_the_timeout_wins_and_the_expiry_is_dropped() {
    let mut books = Books::with_accounts(2);
    let out = books.transfers_at(10 * S, &[pending(1, 1, 2, 7, 1)]);
    let at = out.timestamp + S;
    let out = books.transfers_at(at - 1, &[post(2, 1, 0)]);
    assert_eq!(out.results, [TR::Ok]);
    assert_eq!(books.transfers_at(at + S, &[]).expired, Vec::<u64>::new());
    assert_eq!(books.status(1), Some(PendingStatus::Posted));
    assert_eq!(books.balances(1), [0, 7, 0, 0]);
}

#[test]
fn a_post_after_the_expiry_but_before_the_release_is_refused() {
    let mut books = Books::with_accounts(2);
    let out = books.transfers_at(10 * S, &[pending(1, 1, 2, 7, 1), pending(2, 1, 2, 7, 1)]);
    let at = out.timestamp + S;
    // The batch starts one nanosecond before the expiry of 1, so nothing is released; the
    // second event's timestamp is the expiry of 1, so it may not post it any more. The third
    // event's timestamp is the expiry of 2.
    let out = books.transfers_at(
        at - 1,
        &[transfer(3, 1, 2, 1), post(4, 1, 0), post(5, 2, 0)],
    );
    assert_eq!(out.expired, Vec::<u64>::new());
    assert_eq!(
        out.results,
        [
            TR::Ok,
            TR::PendingTransferExpired,
            TR::PendingTransferExpired
        ]
    );
    assert_eq!(books.status(1), Some(PendingStatus::Pending));
    // The next batch releases them.
    let out = books.transfers_at(0, &[]);
    assert_eq!(out.expired, [1, 2]);
    assert_eq!(books.balances(1), [0, 1, 0, 0]);
    // But within its last nanosecond a pending transfer can still be posted.
    let out = books.transfers_at(0, &[pending(6, 1, 2, 7, 1)]);
    let at = out.timestamp + S;
    let out = books.transfers_at(at - 1, &[post(7, 6, 0)]);
    assert_eq!(out.results, [TR::Ok]);
}

#[test]
fn expiries_are_released_in_order_of_expiry_then_id() {
    let mut books = Books::with_accounts(2);
    let out = books.transfers_at(
        10 * S,
        &[
            pending(1, 1, 2, 1, 3), // expires at t + 3 s
            pending(2, 1, 2, 1, 2), // t + 1 + 2 s
            pending(3, 1, 2, 1, 3), // t + 2 + 3 s
            pending(9, 1, 2, 1, 2), // t + 3 + 2 s
        ],
    );
    let t = out.timestamp;
    // 8 is created a second after 9 with a timeout a second shorter: the same expiry as 9.
    let out = books.transfers_at(t + 3 + S, &[pending(8, 1, 2, 1, 1)]);
    assert_eq!(out.expired, Vec::<u64>::new());
    let expires_at = |id| books.ledger.pending_state(id).unwrap().expires_at.unwrap();
    assert_eq!(expires_at(8), t + 3 + 2 * S);
    assert_eq!(expires_at(8), expires_at(9));
    let out = books.transfers_at(t + 10 * S, &[]);
    assert_eq!(out.expired, [2, 8, 9, 1, 3]);
    assert_eq!(books.balances(1), [0; 4]);
}

#[test]
fn a_batch_releases_at_most_expired_per_batch_max() {
    let mut ledger = Ledger::new();
    ledger.create_accounts(1, &[account(1), account(2)]);
    let n = EXPIRED_PER_BATCH_MAX as u64 + 2;
    let pendings: Vec<_> = (1..=n).map(|id| pending(id, 1, 2, 1, 1)).collect();
    for chunk in pendings.chunks(1000) {
        let out = ledger.create_transfers(0, chunk);
        assert!(out.results.iter().all(|r| r.is_ok()));
    }
    let last = ledger.last_timestamp();
    let out = ledger.create_transfers(last + 10 * S, &[post(n + 1, n, 0), void(n + 2, n - 1, 0)]);
    let released: Vec<u64> = (1..=EXPIRED_PER_BATCH_MAX as u64).collect();
    assert_eq!(out.expired, released);
    // Due but not released yet: still refused.
    assert_eq!(
        out.results,
        [TR::PendingTransferExpired, TR::PendingTransferExpired]
    );
    assert_eq!(ledger.account(1).unwrap().debits_pending, 2);
    let out = ledger.create_transfers(0, &[]);
    assert_eq!(out.expired, [n - 1, n]);
    assert_eq!(ledger.account(1).unwrap().debits_pending, 0);
    assert_eq!(support::violations(&ledger), vec![]);
}

// Overflows.

#[test]
fn posted_balances_may_reach_amount_max_but_not_pass_it() {
    let mut books = Books::with_accounts(4);
    assert_eq!(books.transfer(transfer(1, 1, 2, AMOUNT_MAX - 1)), TR::Ok);
    assert_eq!(books.transfer(transfer(2, 1, 2, 1)), TR::Ok);
    assert_eq!(books.balances(1), [0, AMOUNT_MAX, 0, 0]);
    assert_eq!(
        books.transfer(transfer(3, 1, 3, 1)),
        TR::OverflowsDebitsPosted
    );
    assert_eq!(
        books.transfer(transfer(3, 3, 2, 1)),
        TR::OverflowsCreditsPosted
    );
    // Both overflow: the debit side is checked first.
    assert_eq!(
        books.transfer(transfer(3, 1, 2, 1)),
        TR::OverflowsDebitsPosted
    );
    // Pending balances are separate.
    assert_eq!(books.transfer(pending(3, 3, 4, AMOUNT_MAX, 0)), TR::Ok);
    assert_eq!(
        books.transfer(pending(4, 3, 2, 1, 0)),
        TR::OverflowsDebitsPending
    );
    assert_eq!(
        books.transfer(pending(4, 2, 4, 1, 0)),
        TR::OverflowsCreditsPending
    );
    // The largest amount fits, one more does not.
    assert_eq!(
        books.transfer(transfer(4, 4, 3, AMOUNT_MAX + 1)),
        TR::AmountMustNotExceedMax
    );
    assert_eq!(books.transfer(transfer(4, 2, 1, AMOUNT_MAX)), TR::Ok);
}

#[test]
fn pending_and_posted_together_may_not_pass_amount_max() {
    let mut books = Books::with_accounts(4);
    assert_eq!(books.transfer(pending(1, 1, 2, AMOUNT_MAX - 1, 0)), TR::Ok);
    // debits_posted alone would fit; with debits_pending it does not.
    assert_eq!(books.transfer(transfer(2, 1, 3, 2)), TR::OverflowsDebits);
    assert_eq!(books.transfer(transfer(2, 3, 2, 2)), TR::OverflowsCredits);
    assert_eq!(books.transfer(transfer(2, 1, 3, 1)), TR::Ok);
    assert_eq!(books.transfer(transfer(3, 4, 2, 1)), TR::Ok);
    assert_eq!(books.balances(1), [AMOUNT_MAX - 1, 1, 0, 0]);
    // Posting the reservation can never overflow: it was counted already.
    assert_eq!(books.transfer(post(4, 1, 0)), TR::Ok);
    assert_eq!(books.balances(1), [0, AMOUNT_MAX, 0, 0]);
    assert_eq!(books.balances(2), [0, 0, 0, AMOUNT_MAX]);
}

#[test]
fn an_expiry_past_i64_max_nanoseconds_overflows_the_timeout() {
    let mut books = Books::with_accounts(2);
    let late = AMOUNT_MAX - 2 * S;
    let out = books.transfers_at(
        late,
        &[
            pending(1, 1, 2, 1, 1),
            pending(2, 1, 2, 1, 2),
            pending(3, 1, 2, 1, 3),
        ],
    );
    assert_eq!(
        out.results,
        [TR::Ok, TR::OverflowsTimeout, TR::OverflowsTimeout]
    );
    // The largest timeout is fine early on.
    let mut books = Books::with_accounts(2);
    assert_eq!(books.transfer(pending(1, 1, 2, 1, u32::MAX)), TR::Ok);
    // Checked after the balances, before the limits.
    let mut books = Books::with_accounts(2);
    books.accounts(&[limited(3, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)]);
    let out = books.transfers_at(late, &[pending(1, 3, 2, 1, 3)]);
    assert_eq!(out.results, [TR::OverflowsTimeout]);
}

// Limits.

#[test]
fn debits_must_not_exceed_credits() {
    let mut books = Books::with_accounts(2);
    books.accounts(&[limited(3, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)]);
    assert_eq!(books.transfer(transfer(1, 3, 1, 1)), TR::ExceedsCredits);
    assert_eq!(books.transfer(transfer(1, 1, 3, 10)), TR::Ok);
    assert_eq!(books.transfer(pending(2, 3, 2, 6, 0)), TR::Ok);
    // Pending debits count against the limit; pending credits do not count for it.
    assert_eq!(books.transfer(transfer(3, 3, 2, 5)), TR::ExceedsCredits);
    assert_eq!(books.transfer(pending(3, 1, 3, 5, 0)), TR::Ok);
    assert_eq!(books.transfer(transfer(4, 3, 2, 5)), TR::ExceedsCredits);
    assert_eq!(books.transfer(transfer(4, 3, 2, 4)), TR::Ok);
    assert_eq!(books.balances(3), [6, 4, 5, 10]);
    // Voiding the reservation frees the room.
    assert_eq!(books.transfer(void(5, 2, 0)), TR::Ok);
    assert_eq!(books.transfer(transfer(6, 3, 2, 6)), TR::Ok);
    // The flag limits debits only: credits are always welcome.
    assert_eq!(books.transfer(transfer(7, 2, 3, 100)), TR::Ok);
}

#[test]
fn credits_must_not_exceed_debits() {
    let mut books = Books::with_accounts(2);
    books.accounts(&[limited(3, AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)]);
    assert_eq!(books.transfer(transfer(1, 1, 3, 1)), TR::ExceedsDebits);
    assert_eq!(books.transfer(transfer(1, 3, 1, 10)), TR::Ok);
    assert_eq!(books.transfer(pending(2, 1, 3, 10, 0)), TR::Ok);
    assert_eq!(books.transfer(pending(3, 2, 3, 1, 0)), TR::ExceedsDebits);
    assert_eq!(books.balances(3), [0, 10, 10, 0]);
    // Both limited accounts in one transfer: the debit account is checked first.
    books.accounts(&[limited(4, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)]);
    assert_eq!(books.transfer(transfer(4, 4, 3, 1)), TR::ExceedsCredits);
}

#[test]
fn a_failing_limit_inside_a_chain_rolls_back_what_made_room() {
    let mut books = Books::with_accounts(2);
    books.accounts(&[limited(3, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)]);
    let results = books.transfers(&[
        linked(transfer(1, 1, 3, 5)),
        linked(transfer(2, 3, 2, 5)),
        transfer(3, 3, 2, 1),
    ]);
    assert_eq!(
        results,
        [
            TR::LinkedEventFailed,
            TR::LinkedEventFailed,
            TR::ExceedsCredits
        ]
    );
    assert_eq!(books.balances(3), [0; 4]);
    // Unlinked, the first two apply and the third fails alone.
    let results = books.transfers(&[
        transfer(1, 1, 3, 5),
        transfer(2, 3, 2, 5),
        transfer(3, 3, 2, 1),
    ]);
    assert_eq!(results, [TR::Ok, TR::Ok, TR::ExceedsCredits]);
}

// Changes for the store.

#[test]
fn changes_list_what_the_store_must_write() {
    let mut ledger = Ledger::new();
    ledger.create_accounts(1, &[account(1), account(2), account(3)]);
    let changes = ledger.take_changes();
    assert_eq!(changes.accounts_created, [1, 2, 3]);
    assert!(changes.accounts_updated.is_empty());
    ledger.create_transfers(0, &[pending(1, 1, 2, 5, 1), pending(2, 2, 3, 5, 0)]);
    ledger.take_changes();
    let out = ledger.create_transfers(
        10 * S,
        &[
            post(3, 2, 0),
            linked(transfer(4, 1, 3, 1)),
            transfer(5, 1, 1, 1),
        ],
    );
    assert_eq!(out.expired, [1]);
    let changes = ledger.take_changes();
    assert!(changes.accounts_created.is_empty());
    assert_eq!(changes.transfers_created, [3]);
    // 1 and 2 by the expiry, 2 and 3 by the post; 1 and 3 also by the failed chain.
    assert_eq!(changes.accounts_updated, [1, 2, 3]);
    assert_eq!(changes.pending_updated, [1, 2]);
    assert_eq!(ledger.take_changes(), ledger::Changes::default());
}

// Invariants over hand-made rows.

fn row(id: u64) -> Account {
    Account {
        id,
        ledger: EUR,
        code: 1,
        ..Account::default()
    }
}

fn stored(id: u64, dr: u64, cr: u64, amount: u64, flags: TransferFlags) -> Transfer {
    Transfer {
        id,
        debit_account_id: dr,
        credit_account_id: cr,
        amount,
        ledger: EUR,
        code: 1,
        flags,
        ..Transfer::default()
    }
}

fn check(
    accounts: &[Account],
    transfers: &[(Transfer, Option<PendingStatus>)],
) -> Vec<ledger::Violation> {
    ledger::check_invariants(accounts, transfers.iter().map(|(t, s)| (t, *s)))
}

#[test]
fn invariants_hold_for_consistent_rows() {
    let a = Account {
        debits_posted: 5,
        debits_pending: 2,
        ..row(1)
    };
    let b = Account {
        credits_posted: 5,
        credits_pending: 2,
        ..row(2)
    };
    let transfers = [
        (stored(1, 1, 2, 3, TransferFlags::NONE), None),
        (
            stored(2, 1, 2, 4, TransferFlags::PENDING),
            Some(PendingStatus::Posted),
        ),
        (stored(3, 1, 2, 2, TransferFlags::POST_PENDING), None),
        (
            stored(4, 1, 2, 2, TransferFlags::PENDING),
            Some(PendingStatus::Pending),
        ),
        (
            stored(5, 1, 2, 9, TransferFlags::PENDING),
            Some(PendingStatus::Voided),
        ),
        (stored(6, 1, 2, 9, TransferFlags::VOID_PENDING), None),
        (
            stored(7, 1, 2, 9, TransferFlags::PENDING),
            Some(PendingStatus::Expired),
        ),
    ];
    assert_eq!(check(&[a, b], &transfers), vec![]);
}

#[test]
fn invariants_catch_a_tampered_balance() {
    let a = Account {
        debits_posted: 5,
        ..row(1)
    };
    let b = Account {
        credits_posted: 5,
        ..row(2)
    };
    let t = (stored(1, 1, 2, 5, TransferFlags::NONE), None);
    assert_eq!(check(&[a, b], &[t]), vec![]);
    // Both sides raised together: still balanced, but not what the transfers say.
    let a2 = Account {
        debits_posted: 6,
        ..a
    };
    let b2 = Account {
        credits_posted: 6,
        ..b
    };
    let violations = check(&[a2, b2], &[t]);
    assert_eq!(
        violations,
        [
            ledger::Violation::BalanceMismatch {
                account: 1,
                balance: "debits_posted",
                stored: 6,
                from_transfers: 5,
            },
            ledger::Violation::BalanceMismatch {
                account: 2,
                balance: "credits_posted",
                stored: 6,
                from_transfers: 5,
            },
        ]
    );
}

#[test]
fn invariants_catch_an_unbalanced_ledger() {
    // No transfers at all, yet one account has a posted debit.
    let a = Account {
        debits_posted: 5,
        ..row(1)
    };
    let b = Account {
        debits_pending: 1,
        credits_pending: 1,
        ..row(2)
    };
    let usd = Account {
        ledger: USD,
        credits_pending: 4,
        ..row(3)
    };
    let violations = check(&[a, b, usd], &[]);
    assert!(violations.contains(&ledger::Violation::Unbalanced {
        ledger: EUR,
        balance: "posted",
        debits: 5,
        credits: 0,
    }));
    assert!(violations.contains(&ledger::Violation::Unbalanced {
        ledger: USD,
        balance: "pending",
        debits: 0,
        credits: 4,
    }));
    // EUR pending is balanced (1 = 1), so it is not reported.
    assert!(!violations.iter().any(|v| matches!(
        v,
        ledger::Violation::Unbalanced {
            ledger: EUR,
            balance: "pending",
            ..
        }
    )));
}

#[test]
fn invariants_catch_broken_limits_unknown_accounts_and_bad_statuses() {
    let dmnec = Account {
        flags: AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS,
        debits_posted: 5,
        ..row(1)
    };
    let cmned = Account {
        flags: AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS,
        credits_posted: 5,
        ..row(2)
    };
    let t = (stored(1, 1, 2, 5, TransferFlags::NONE), None);
    let violations = check(&[dmnec, cmned], &[t]);
    assert_eq!(
        violations,
        [
            ledger::Violation::LimitBroken {
                account: 1,
                flag: "debits_must_not_exceed_credits"
            },
            ledger::Violation::LimitBroken {
                account: 2,
                flag: "credits_must_not_exceed_debits"
            },
        ]
    );

    // Pending credits do not count for the limit, pending debits count against it.
    let pending_credit = Account {
        flags: AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS,
        debits_posted: 5,
        credits_pending: 5,
        ..row(1)
    };
    let other = Account {
        credits_posted: 5,
        debits_pending: 5,
        ..row(2)
    };
    let transfers = [
        t,
        (
            stored(2, 2, 1, 5, TransferFlags::PENDING),
            Some(PendingStatus::Pending),
        ),
    ];
    assert_eq!(
        check(&[pending_credit, other], &transfers),
        [ledger::Violation::LimitBroken {
            account: 1,
            flag: "debits_must_not_exceed_credits"
        }]
    );
    let pending_debit = Account {
        flags: AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS,
        debits_pending: 5,
        credits_posted: 5,
        ..row(2)
    };
    let other = Account {
        debits_posted: 5,
        credits_pending: 5,
        ..row(1)
    };
    let transfers = [
        t,
        (
            stored(2, 2, 1, 5, TransferFlags::PENDING),
            Some(PendingStatus::Pending),
        ),
    ];
    assert_eq!(
        check(&[other, pending_debit], &transfers),
        [ledger::Violation::LimitBroken {
            account: 2,
            flag: "credits_must_not_exceed_debits"
        }]
    );

    // A transfer naming an account that is not there.
    let violations = check(&[], &[t]);
    assert!(violations.contains(&ledger::Violation::UnknownAccount { account: 1 }));
    assert!(violations.contains(&ledger::Violation::UnknownAccount { account: 2 }));

    // A transfer on another ledger than its account.
    let usd = Account {
        ledger: USD,
        debits_posted: 5,
        ..row(1)
    };
    let b = Account {
        credits_posted: 5,
        ..row(2)
    };
    let violations = check(&[usd, b], &[t]);
    assert!(violations.contains(&ledger::Violation::TransferAccount {
        transfer: 1,
        account: 1
    }));

    // A pending transfer without status, and a posted one with a status.
    let violations = check(
        &[row(1), row(2)],
        &[
            (stored(1, 1, 2, 5, TransferFlags::PENDING), None),
            (
                stored(2, 1, 2, 5, TransferFlags::NONE),
                Some(PendingStatus::Pending),
            ),
        ],
    );
    assert!(violations.contains(&ledger::Violation::PendingStatus { transfer: 1 }));
    assert!(violations.contains(&ledger::Violation::PendingStatus { transfer: 2 }));
}

#[test]
fn invariants_report_at_most_violations_max() {
    let n = ledger::VIOLATIONS_MAX as u64 + 5;
    let accounts: Vec<Account> = (1..=n)
        .map(|id| Account {
            debits_posted: 1,
            ..row(id)
        })
        .collect();
    let violations = check(&accounts, &[]);
    assert_eq!(violations.len(), ledger::VIOLATIONS_MAX + 1);
    // n mismatches and one unbalanced ledger, of which VIOLATIONS_MAX are listed.
    assert_eq!(violations.last(), Some(&ledger::Violation::More(6)));
    for v in &violations {
        assert!(!v.to_string().is_empty());
    }
}

#[test]
fn invariants_hold_on_a_ledger_after_every_kind_of_event() {
    let mut books = Books::with_accounts(3);
    books.accounts(&[limited(4, AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)]);
    books.transfers(&[
        transfer(1, 4, 1, 50),
        pending(2, 1, 2, 10, 0),
        pending(3, 1, 4, 10, 1),
        pending(4, 2, 3, 10, 0),
    ]);
    books.transfers(&[post(5, 2, 4), void(6, 4, 0)]);
    let out = books.transfers_at(books.ledger.last_timestamp() + 2 * S, &[]);
    assert_eq!(out.expired, [3]);
    let mut account_rows = support::accounts(&books.ledger);
    let transfers = support::transfer_statuses(&books.ledger);
    assert_eq!(check(&account_rows, &transfers), vec![]);
    // One stored balance tampered with.
    account_rows[2].credits_posted += 1;
    let violations = check(&account_rows, &transfers);
    assert_eq!(
        violations,
        [
            ledger::Violation::BalanceMismatch {
                account: 3,
                balance: "credits_posted",
                stored: 1,
                from_transfers: 0,
            },
            ledger::Violation::Unbalanced {
                ledger: EUR,
                balance: "posted",
                debits: 54,
                credits: 55,
            },
        ]
    );
}
