//! Generators of batches with a small id space, so that ids collide, pending ids are real, and
//! balances reach `AMOUNT_MAX`.

use ledger::{
    AMOUNT_MAX, AccountFlags, ID_MAX, NANOS_PER_SECOND, NewAccount, NewTransfer, TransferFlags,
};
use proptest::prelude::*;
use proptest::sample::Index;

/// Transfers name accounts `1..=ACCOUNT_IDS` (all created by the first batch) and, rarely,
/// `ACCOUNT_IDS + 1`; later account batches use ids up to `ACCOUNT_IDS + 4`.
pub const ACCOUNT_IDS: u64 = 6;
/// Transfer ids are `1..=TRANSFER_IDS` (plus the invalid zero and `ID_MAX + 1`).
pub const TRANSFER_IDS: u64 = 24;

/// One batch and how the clock moves before it.
#[derive(Clone, Debug)]
pub enum Batch {
    /// Create accounts.
    Accounts(Clock, Vec<NewAccount>),
    /// Create transfers.
    Transfers(Clock, Vec<NewTransfer>),
}

/// How the clock moves before a batch.
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    /// Advance by this many nanoseconds and pass the clock as `now`.
    Advance(u64),
    /// Pass `now = 0`: a clock behind the last timestamp.
    Behind,
}

impl Clock {
    /// Moves `clock` and returns the `now` to pass.
    pub fn now(self, clock: &mut u64) -> u64 {
        match self {
            Clock::Advance(d) => {
                *clock += d;
                *clock
            }
            Clock::Behind => 0,
        }
    }
}

/// A clock start: small, or so large that timeouts overflow `i64::MAX` nanoseconds.
pub fn clock_start() -> impl Strategy<Value = u64> {
    prop_oneof![9 => Just(1_000u64), 1 => Just(5_000_000_000_000_000_000u64)]
}

fn clock() -> impl Strategy<Value = Clock> {
    let s = NANOS_PER_SECOND;
    prop_oneof![
        2 => Just(Clock::Advance(0)),
        2 => (1..=10u64).prop_map(Clock::Advance),
        2 => (1..=6u64).prop_map(move |h| Clock::Advance(h * s / 2)),
        // Just before a whole number of seconds: expiries land inside the batch.
        3 => (1..=3u64, 0..=8u64).prop_map(move |(k, j)| Clock::Advance(k * s - j)),
        2 => (0..=4 * s).prop_map(Clock::Advance),
        1 => Just(Clock::Behind),
    ]
}

/// An account: mostly valid, sometimes with one field made invalid.
pub fn new_account() -> impl Strategy<Value = NewAccount> {
    let limits = prop_oneof![
        8 => Just(AccountFlags::NONE),
        2 => Just(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS),
        2 => Just(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS),
    ];
    let valid = (
        // More ids than transfers use, so later batches still create accounts.
        1..=ACCOUNT_IDS + 4,
        prop_oneof![7 => Just(1u32), 1 => Just(2u32)],
        prop_oneof![3 => Just(1u16), 1 => Just(2u16)],
        limits,
        proptest::bool::weighted(0.15),
        prop_oneof![9 => Just(0u64), 1 => Just(1u64)],
        prop_oneof![9 => Just(0u32), 1 => Just(1u32)],
    )
        .prop_map(
            |(id, ledger, code, flags, linked, user_data_64, user_data_32)| NewAccount {
                id,
                ledger,
                code,
                flags: if linked {
                    flags.with(AccountFlags::LINKED)
                } else {
                    flags
                },
                user_data_64,
                user_data_32,
            },
        );
    let both = AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
        .with(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS);
    (
        valid,
        prop_oneof![4 => Just(None), 1 => (0..7u8).prop_map(Some)],
    )
        .prop_map(move |(mut a, mutation)| {
            match mutation {
                None => {}
                Some(0) => a.id = 0,
                Some(1) => a.id = ID_MAX + 1,
                Some(2) => a.id = u64::MAX,
                Some(3) => a.ledger = 0,
                Some(4) => a.code = 0,
                Some(5) => a.flags = a.flags.with(AccountFlags::from_bits(1 << 3)),
                Some(_) => a.flags = a.flags.with(both),
            }
            a
        })
}

fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![
        16 => 1..=20u64,
        2 => (0..=20u64).prop_map(|d| AMOUNT_MAX - d),
        1 => (0..=2u64).prop_map(|d| AMOUNT_MAX / 2 + d),
    ]
}

fn timeout() -> impl Strategy<Value = u32> {
    prop_oneof![3 => Just(0u32), 6 => 1..=3u32, 1 => Just(u32::MAX)]
}

fn transfer_flags() -> impl Strategy<Value = TransferFlags> {
    prop_oneof![
        3 => Just(TransferFlags::NONE),
        5 => Just(TransferFlags::PENDING),
        3 => Just(TransferFlags::POST_PENDING),
        2 => Just(TransferFlags::VOID_PENDING),
    ]
}

/// A transfer: mostly valid, sometimes with one field made invalid. Posts and voids name pending
/// ids from the same small space as transfer ids, and mostly leave the inherited fields zero.
pub fn new_transfer() -> impl Strategy<Value = NewTransfer> {
    let fields = (
        1..=TRANSFER_IDS,
        transfer_flags(),
        proptest::bool::weighted(0.15),
        1..=ACCOUNT_IDS,
        1..ACCOUNT_IDS,
        prop_oneof![9 => Just(1u32), 1 => Just(2u32)],
        prop_oneof![3 => Just(1u16), 1 => Just(2u16)],
        amount(),
        timeout(),
        1..=TRANSFER_IDS,
        prop_oneof![3 => Just(0u64), 2 => 1..=20u64],
        prop_oneof![9 => Just(0u64), 1 => Just(1u64)],
    );
    let explicit = prop_oneof![3 => Just(None), 1 => (19..24u8, 1..=ACCOUNT_IDS).prop_map(Some)];
    let valid = (fields, explicit).prop_map(
        |(
            (id, flags, linked, dr, offset, ledger, code, amount, timeout, pending_id, post, ud),
            explicit,
        )| {
            // Never the debit account itself.
            let cr = (dr - 1 + offset) % ACCOUNT_IDS + 1;
            let phase2 =
                flags == TransferFlags::POST_PENDING || flags == TransferFlags::VOID_PENDING;
            let mut t = NewTransfer {
                id,
                debit_account_id: dr,
                credit_account_id: cr,
                amount,
                pending_id: 0,
                user_data_64: ud,
                user_data_32: 0,
                timeout: 0,
                ledger,
                code,
                flags,
            };
            if flags == TransferFlags::PENDING {
                t.timeout = timeout;
            }
            if phase2 {
                t.debit_account_id = 0;
                t.credit_account_id = 0;
                t.ledger = 0;
                t.code = 0;
                t.pending_id = pending_id;
                t.amount = post;
                // An inherited field given explicitly: maybe the pending transfer's, maybe not.
                if let Some((m, v)) = explicit {
                    mutate(&mut t, m, v);
                }
            }
            if linked {
                t.flags = t.flags.with(TransferFlags::LINKED);
            }
            t
        },
    );
    let mutation =
        prop_oneof![20 => Just(None), 1 => (0..26u8, 1..=ACCOUNT_IDS + 1).prop_map(Some)];
    (valid, mutation).prop_map(|(mut t, mutation)| {
        if let Some((m, v)) = mutation {
            mutate(&mut t, m, v);
        }
        t
    })
}

/// Makes one field of `t` invalid (or, for posts and voids, explicit); `v` is a small value.
fn mutate(t: &mut NewTransfer, mutation: u8, v: u64) {
    let small = |v: u64| u32::try_from(v).expect("small");
    match mutation {
        0 => t.id = 0,
        1 => t.id = ID_MAX + 1,
        2 => t.flags = t.flags.with(TransferFlags::from_bits(1 << 4)),
        3 => t.flags = t.flags.with(TransferFlags::from_bits(1 << 15)),
        4 => t.flags = t.flags.with(TransferFlags::PENDING),
        5 => t.flags = t.flags.with(TransferFlags::VOID_PENDING),
        6 => t.pending_id = 0,
        7 => t.pending_id = ID_MAX + 1,
        8 => t.pending_id = t.id,
        9 => t.pending_id = v,
        10 => t.timeout = small(v),
        11 => t.debit_account_id = 0,
        12 => t.debit_account_id = ID_MAX + 1,
        13 => t.credit_account_id = 0,
        14 => t.credit_account_id = u64::MAX,
        15 => t.credit_account_id = t.debit_account_id,
        16 => t.amount = 0,
        17 => t.amount = AMOUNT_MAX + 1,
        18 => t.ledger = 0,
        19 => t.ledger = small(v % 2 + 1),
        20 => t.code = 0,
        21 => t.code = u16::try_from(v % 2 + 1).expect("small"),
        22 => t.debit_account_id = v,
        23 => t.credit_account_id = v,
        24 => t.debit_account_id = ID_MAX,
        _ => t.credit_account_id = ID_MAX,
    }
}

/// An event; with `copy`, a copy of an earlier one of the same kind; with `target`, a post or
/// void aimed at an earlier pending transfer.
#[derive(Clone, Debug)]
struct Maybe<E> {
    event: E,
    copy: Option<Index>,
    target: Option<Index>,
    /// For a copy: one field changed (`(which, small value)`), to tell `exists` from a conflict.
    tweak: Option<(u8, u64)>,
}

fn maybe<E: std::fmt::Debug + Clone>(
    event: impl Strategy<Value = E>,
) -> impl Strategy<Value = Maybe<E>> {
    (
        event,
        prop_oneof![4 => Just(None), 1 => any::<Index>().prop_map(Some)],
        prop_oneof![1 => Just(None), 3 => any::<Index>().prop_map(Some)],
        prop_oneof![1 => Just(None), 1 => (0..6u8, 1..=7u64).prop_map(Some)],
    )
        .prop_map(|(event, copy, target, tweak)| Maybe {
            event,
            copy,
            target,
            tweak,
        })
}

#[derive(Clone, Debug)]
enum RawBatch {
    Accounts(Clock, Vec<Maybe<NewAccount>>),
    Transfers(Clock, Vec<Maybe<NewTransfer>>),
}

fn raw_batch() -> impl Strategy<Value = RawBatch> {
    prop_oneof![
        1 => (clock(), proptest::collection::vec(maybe(new_account()), 0..=5))
            .prop_map(|(c, e)| RawBatch::Accounts(c, e)),
        3 => (clock(), proptest::collection::vec(maybe(new_transfer()), 0..=8))
            .prop_map(|(c, e)| RawBatch::Transfers(c, e)),
    ]
}

/// Resolves copies of earlier events.
fn resolve_accounts(
    events: Vec<Maybe<NewAccount>>,
    earlier: &mut Vec<NewAccount>,
) -> Vec<NewAccount> {
    events
        .into_iter()
        .map(|m| {
            let event = match m.copy {
                Some(ix) if !earlier.is_empty() => {
                    let mut a = earlier[ix.index(earlier.len())];
                    match m.tweak {
                        None => {}
                        Some((0, _)) => a.flags = toggle(a.flags, AccountFlags::LINKED),
                        Some((1, _)) => a.user_data_32 ^= 1,
                        Some((2, _)) => a.ledger = 0,
                        Some((_, v)) => a.code = u16::try_from(v).expect("small"),
                    }
                    a
                }
                _ => m.event,
            };
            earlier.push(event);
            event
        })
        .collect()
}

/// Resolves copies of earlier events and aims posts and voids at earlier pending transfers.
fn resolve_transfers(
    events: Vec<Maybe<NewTransfer>>,
    earlier: &mut Vec<NewTransfer>,
    pending: &mut Vec<u64>,
) -> Vec<NewTransfer> {
    events
        .into_iter()
        .map(|m| {
            let mut event = match m.copy {
                Some(ix) if !earlier.is_empty() => {
                    let mut t = earlier[ix.index(earlier.len())];
                    match m.tweak {
                        None => {}
                        Some((0, _)) => t.amount = 0,
                        Some((1, v)) => t.amount = v,
                        Some((2, _)) => t.flags = t.flags.without(TransferFlags::LINKED),
                        Some((3, _)) => t.user_data_32 ^= 1,
                        Some((4, v)) => t.debit_account_id = v,
                        Some((_, v)) => t.code = u16::try_from(v).expect("small"),
                    }
                    t
                }
                _ => m.event,
            };
            let phase2 = event.flags.contains(TransferFlags::POST_PENDING)
                || event.flags.contains(TransferFlags::VOID_PENDING);
            if let Some(ix) = m.target
                && m.copy.is_none()
                && phase2
                && !pending.is_empty()
            {
                event.pending_id = pending[ix.index(pending.len())];
            }
            if event.flags.contains(TransferFlags::PENDING) {
                pending.push(event.id);
            }
            earlier.push(event);
            event
        })
        .collect()
}

fn toggle(flags: AccountFlags, flag: AccountFlags) -> AccountFlags {
    if flags.contains(flag) {
        flags.without(flag)
    } else {
        flags.with(flag)
    }
}

/// A clock start and a sequence of batches, starting with accounts. Some events are copies of
/// earlier ones, to exercise idempotency.
pub fn history(batches_max: usize) -> impl Strategy<Value = (u64, Vec<Batch>)> {
    // First every account id, valid and unlinked, so that most transfers find their accounts.
    let first = (
        clock(),
        proptest::collection::vec(new_account(), ACCOUNT_IDS as usize),
    )
        .prop_map(|(c, accounts)| {
            let accounts = (1..=ACCOUNT_IDS)
                .zip(accounts)
                .map(|(id, a)| {
                    let flags = a.flags.without(AccountFlags::LINKED);
                    let valid = if flags.has_unknown_bits() || flags.bits() == 6 {
                        AccountFlags::NONE
                    } else {
                        flags
                    };
                    let a = NewAccount {
                        id,
                        ledger: a.ledger.max(1),
                        code: a.code.max(1),
                        flags: valid,
                        ..a
                    };
                    Maybe {
                        event: a,
                        copy: None,
                        target: None,
                        tweak: None,
                    }
                })
                .collect();
            RawBatch::Accounts(c, accounts)
        });
    (
        clock_start(),
        first,
        proptest::collection::vec(raw_batch(), 1..=batches_max),
    )
        .prop_map(|(start, first, rest)| {
            let mut accounts = Vec::new();
            let mut transfers = Vec::new();
            let mut pending = Vec::new();
            let batches = std::iter::once(first)
                .chain(rest)
                .map(|raw| match raw {
                    RawBatch::Accounts(c, e) => {
                        Batch::Accounts(c, resolve_accounts(e, &mut accounts))
                    }
                    RawBatch::Transfers(c, e) => {
                        Batch::Transfers(c, resolve_transfers(e, &mut transfers, &mut pending))
                    }
                })
                .collect();
            (start, batches)
        })
}
