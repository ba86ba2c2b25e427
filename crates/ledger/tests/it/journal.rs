//! The journal: the encoding round-trips, a replay rebuilds the ledger, and every kind of
//! tampering is caught with the right error; decoding never panics.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ledger::journal::{
    DecodeError, Entry, Events, GENESIS, Hash, Replay, ReplayError, chain_hash, encode_accounts,
    encode_transfers,
};
use ledger::{
    AccountFlags, BATCH_EVENTS_MAX, BatchOutcome, CreateAccountResult, CreateTransferResult,
    Ledger, NANOS_PER_SECOND, NewAccount, NewTransfer, TransferFlags,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use sha2::{Digest, Sha256};

use crate::model_based::cases;
use crate::strategies::{Batch, history};
use crate::support;

/// One stored journal row.
#[derive(Clone, Debug)]
struct Row {
    seq: u64,
    previous: Hash,
    hash: Hash,
    body: Vec<u8>,
}

/// Appends a body to a journal, chaining its hash.
fn append(rows: &mut Vec<Row>, body: Vec<u8>) {
    let previous = rows.last().map_or(GENESIS, |r| r.hash);
    rows.push(Row {
        seq: rows.len() as u64 + 1,
        previous,
        hash: chain_hash(&previous, &body),
        body,
    });
}

/// Applies `batches` to a ledger, journaling each batch as a store would.
fn record(start: u64, batches: &[Batch]) -> (Ledger, Vec<Row>) {
    let mut ledger = Ledger::new();
    let mut rows = Vec::new();
    let mut clock = start;
    for batch in batches {
        let seq = rows.len() as u64 + 1;
        let body = match batch {
            Batch::Accounts(c, events) => {
                let outcome = ledger.create_accounts(c.now(&mut clock), events);
                encode_accounts(seq, events, &outcome)
            }
            Batch::Transfers(c, events) => {
                let outcome = ledger.create_transfers(c.now(&mut clock), events);
                encode_transfers(seq, events, &outcome)
            }
        };
        ledger.take_changes();
        append(&mut rows, body);
    }
    (ledger, rows)
}

fn apply(replay: &mut Replay, row: &Row) -> Result<(), ReplayError> {
    replay.apply(row.seq, &row.previous, &row.hash, &row.body)
}

/// A replay of every row but the last, and the last row.
fn replay_all_but_last(rows: &[Row]) -> (Replay, Row) {
    let (last, before) = rows.split_last().expect("rows");
    let mut replay = Replay::new();
    for row in before {
        apply(&mut replay, row).expect("genuine rows replay");
    }
    (replay, last.clone())
}

fn account(id: u64) -> NewAccount {
    NewAccount {
        id,
        ledger: 978,
        code: 1,
        ..NewAccount::default()
    }
}

fn transfer(id: u64, dr: u64, cr: u64, amount: u64) -> NewTransfer {
    NewTransfer {
        id,
        debit_account_id: dr,
        credit_account_id: cr,
        amount,
        ledger: 978,
        code: 1,
        ..NewTransfer::default()
    }
}

/// A small journal that has accounts, a failed and a linked transfer, a pending transfer that
/// expires, and a post.
fn sample() -> (Ledger, Vec<Row>) {
    let s = NANOS_PER_SECOND;
    let pending = |id, timeout| NewTransfer {
        flags: TransferFlags::PENDING,
        timeout,
        ..transfer(id, 1, 2, 7)
    };
    let post = NewTransfer {
        id: 20,
        pending_id: 11,
        flags: TransferFlags::POST_PENDING,
        ..NewTransfer::default()
    };
    let linked = |t: NewTransfer| NewTransfer {
        flags: t.flags.with(TransferFlags::LINKED),
        ..t
    };
    let mut accounts = vec![account(1), account(2), account(3)];
    accounts[2].flags = AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS;
    let batches = vec![
        Batch::Accounts(crate::strategies::Clock::Advance(0), accounts),
        Batch::Transfers(
            crate::strategies::Clock::Advance(5),
            vec![
                transfer(1, 1, 2, 100),
                linked(transfer(2, 2, 1, 5)),
                transfer(3, 3, 1, 5), // exceeds_credits: fails the chain
                pending(10, 1),
                pending(11, 0),
            ],
        ),
        Batch::Transfers(crate::strategies::Clock::Advance(2 * s), vec![post]),
    ];
    record(1_000, &batches)
}

fn snapshot(ledger: &Ledger) -> impl PartialEq + std::fmt::Debug {
    (
        support::accounts(ledger),
        support::transfers(ledger),
        ledger.last_timestamp(),
    )
}

#[test]
fn sample_journal_replays_into_the_same_ledger() {
    let (ledger, rows) = sample();
    let mut replay = Replay::new();
    assert_eq!((replay.seq(), replay.hash()), (0, GENESIS));
    for row in &rows {
        apply(&mut replay, row).expect("genuine rows replay");
    }
    assert_eq!(replay.seq(), 3);
    assert_eq!(replay.hash(), rows[2].hash);
    assert_eq!(snapshot(replay.ledger()), snapshot(&ledger));
    // The sample has what the tampering tests need: expiries and failed results.
    let last = Entry::decode(&rows[2].body).expect("decodes");
    assert_eq!(last.expired, vec![10]);
    let second = Entry::decode(&rows[1].body).expect("decodes");
    let Events::Transfers(_, results) = second.events else {
        panic!("transfers")
    };
    assert_eq!(
        results,
        [
            CreateTransferResult::Ok,
            CreateTransferResult::LinkedEventFailed,
            CreateTransferResult::ExceedsCredits,
            CreateTransferResult::Ok,
            CreateTransferResult::Ok,
        ]
    );
}

#[test]
fn chain_hash_is_sha256_of_previous_then_body() {
    let body = b"clearhouse";
    let previous = [7u8; 32];
    let mut h = Sha256::new();
    h.update(previous);
    h.update(body);
    let want: Hash = h.finalize().into();
    assert_eq!(chain_hash(&previous, body), want);
    assert_ne!(chain_hash(&GENESIS, body), want);
}

/// The layout is the documented one, byte for byte: old journals must stay readable.
#[test]
fn encoding_matches_the_documented_layout() {
    let a = NewAccount {
        id: 0x0102,
        ledger: 978,
        code: 3,
        flags: AccountFlags::LINKED,
        user_data_64: 5,
        user_data_32: 6,
    };
    let outcome = BatchOutcome {
        timestamp: 0x1122_3344,
        expired: vec![9],
        results: vec![CreateAccountResult::ExistsWithDifferentFields],
    };
    let body = encode_accounts(7, &[a], &outcome);
    let mut want = vec![1u8]; // version
    want.extend(7u64.to_le_bytes()); // seq
    want.extend(0x1122_3344u64.to_le_bytes()); // timestamp
    want.push(1); // kind: accounts
    want.extend(1u32.to_le_bytes()); // expired count
    want.extend(9u64.to_le_bytes());
    want.extend(1u32.to_le_bytes()); // event count
    want.extend(0x0102u64.to_le_bytes());
    want.extend(978u32.to_le_bytes());
    want.extend(3u16.to_le_bytes());
    want.extend(1u16.to_le_bytes()); // flags
    want.extend(5u64.to_le_bytes());
    want.extend(6u32.to_le_bytes());
    want.push(8); // exists_with_different_fields
    assert_eq!(body, want);

    let t = NewTransfer {
        id: 1,
        debit_account_id: 2,
        credit_account_id: 3,
        amount: 4,
        pending_id: 5,
        user_data_64: 6,
        user_data_32: 7,
        timeout: 8,
        ledger: 9,
        code: 10,
        flags: TransferFlags::POST_PENDING,
    };
    let outcome = BatchOutcome {
        timestamp: 11,
        expired: vec![],
        results: vec![CreateTransferResult::OverflowsTimeout],
    };
    let body = encode_transfers(12, &[t], &outcome);
    let mut want = vec![1u8];
    want.extend(12u64.to_le_bytes());
    want.extend(11u64.to_le_bytes());
    want.push(2); // kind: transfers
    want.extend(0u32.to_le_bytes());
    want.extend(1u32.to_le_bytes());
    for v in [1u64, 2, 3, 4, 5, 6] {
        want.extend(v.to_le_bytes());
    }
    for v in [7u32, 8, 9] {
        want.extend(v.to_le_bytes());
    }
    want.extend(10u16.to_le_bytes());
    want.extend(4u16.to_le_bytes());
    want.push(44);
    assert_eq!(body, want);
}

#[test]
fn flipping_any_byte_of_any_body_is_caught_by_the_hash() {
    let (_, rows) = sample();
    for k in 0..rows.len() {
        let (mut replay, row) = replay_all_but_last(&rows[..=k]);
        for i in 0..row.body.len() {
            for mask in [0x01, 0x80, 0xff] {
                let mut body = row.body.clone();
                body[i] ^= mask;
                assert_eq!(
                    replay.apply(row.seq, &row.previous, &row.hash, &body),
                    Err(ReplayError::Hash { seq: row.seq }),
                    "entry {} byte {i} ^ {mask:#x}",
                    row.seq
                );
            }
        }
        // A refused entry changes nothing: the genuine one still applies.
        assert_eq!(replay.seq(), row.seq - 1);
        apply(&mut replay, &row).expect("genuine row");
    }
}

#[test]
fn a_rehashed_body_with_another_valid_result_fails_the_replay() {
    let (_, rows) = sample();
    let row = &rows[1];
    let results_at = row.body.len() - 5;
    let ids = [1, 2, 3, 10, 11];
    for index in 0..5 {
        for other in CreateTransferResult::ALL {
            let recorded = row.body[results_at + index];
            if other.code() == recorded {
                continue;
            }
            let (mut replay, _) = replay_all_but_last(&rows[..2]);
            let mut body = row.body.clone();
            body[results_at + index] = other.code();
            let hash = chain_hash(&row.previous, &body);
            let replayed = CreateTransferResult::from_code(recorded).expect("valid");
            assert_eq!(
                replay.apply(row.seq, &row.previous, &hash, &body),
                Err(ReplayError::Result {
                    seq: 2,
                    index,
                    id: ids[index],
                    recorded: other.as_str(),
                    replayed: replayed.as_str(),
                }),
            );
        }
    }
}

#[test]
fn a_rehashed_body_with_an_unknown_result_code_does_not_decode() {
    let (_, rows) = sample();
    let (mut replay, row) = replay_all_but_last(&rows[..2]);
    let mut body = row.body.clone();
    let at = body.len() - 2;
    body[at] = 200;
    let hash = chain_hash(&row.previous, &body);
    assert_eq!(
        replay.apply(row.seq, &row.previous, &hash, &body),
        Err(ReplayError::Decode {
            seq: 2,
            source: DecodeError::Result {
                index: 3,
                code: 200
            }
        })
    );
}

#[test]
fn a_rehashed_body_with_other_expiries_fails_the_replay() {
    let (_, rows) = sample();
    let (_, row) = replay_all_but_last(&rows);
    let entry = Entry::decode(&row.body).expect("decodes");
    let Events::Transfers(events, results) = entry.events else {
        panic!("transfers")
    };
    for recorded in [vec![], vec![11], vec![10, 11]] {
        // A fresh replay each time: a batch that fails its checks has been applied.
        let (mut replay, _) = replay_all_but_last(&rows);
        let outcome = BatchOutcome {
            timestamp: entry.timestamp,
            expired: recorded.clone(),
            results: results.clone(),
        };
        let body = encode_transfers(row.seq, &events, &outcome);
        let hash = chain_hash(&row.previous, &body);
        assert_eq!(
            replay.apply(row.seq, &row.previous, &hash, &body),
            Err(ReplayError::Expired {
                seq: 3,
                recorded,
                replayed: vec![10],
            })
        );
    }
}

#[test]
fn a_rehashed_body_with_an_earlier_timestamp_fails_the_replay() {
    let (_, rows) = sample();
    let (mut replay, row) = replay_all_but_last(&rows[..2]);
    let last = replay.ledger().last_timestamp();
    let mut body = row.body.clone();
    body[9..17].copy_from_slice(&last.to_le_bytes());
    let hash = chain_hash(&row.previous, &body);
    assert_eq!(
        replay.apply(row.seq, &row.previous, &hash, &body),
        Err(ReplayError::Timestamp {
            seq: 2,
            recorded: last
        })
    );
}

#[test]
fn a_body_naming_another_sequence_number_fails_the_replay() {
    let (_, rows) = sample();
    let mut body = rows[0].body.clone();
    body[1..9].copy_from_slice(&5u64.to_le_bytes());
    let hash = chain_hash(&GENESIS, &body);
    assert_eq!(
        Replay::new().apply(1, &GENESIS, &hash, &body),
        Err(ReplayError::BodySequence { seq: 1, body: 5 })
    );
}

#[test]
fn a_missing_or_repeated_entry_is_a_sequence_error() {
    let (_, rows) = sample();
    let mut replay = Replay::new();
    assert_eq!(
        apply(&mut replay, &rows[1]),
        Err(ReplayError::Sequence {
            previous: 0,
            found: 2
        })
    );
    apply(&mut replay, &rows[0]).expect("first");
    assert_eq!(
        apply(&mut replay, &rows[2]),
        Err(ReplayError::Sequence {
            previous: 1,
            found: 3
        })
    );
    assert_eq!(
        apply(&mut replay, &rows[0]),
        Err(ReplayError::Sequence {
            previous: 1,
            found: 1
        })
    );
    apply(&mut replay, &rows[1]).expect("second");
}

#[test]
fn a_wrong_previous_hash_is_caught() {
    let (_, rows) = sample();
    let mut replay = Replay::new();
    apply(&mut replay, &rows[0]).expect("first");
    // The previous hash of another entry, and a hash recomputed over the wrong previous one.
    let mut row = rows[1].clone();
    row.previous = rows[0].previous;
    row.hash = chain_hash(&row.previous, &row.body);
    assert_eq!(
        apply(&mut replay, &row),
        Err(ReplayError::PreviousHash { seq: 2 })
    );
    let mut row = rows[0].clone();
    row.previous[0] ^= 1;
    assert_eq!(
        Replay::new().apply(1, &row.previous, &row.hash, &row.body),
        Err(ReplayError::PreviousHash { seq: 1 })
    );
}

#[test]
fn decode_errors_name_what_is_wrong() {
    let (_, rows) = sample();
    for row in &rows {
        let body = &row.body;
        for len in 0..body.len() {
            assert_eq!(
                Entry::decode(&body[..len]),
                Err(DecodeError::Truncated(len)),
                "prefix of {len} bytes"
            );
        }
        for extra in 1..=3 {
            let mut longer = body.clone();
            longer.extend(std::iter::repeat_n(0u8, extra));
            assert_eq!(
                Entry::decode(&longer),
                Err(DecodeError::TrailingBytes(extra))
            );
        }
        for version in [0u8, 2, 255] {
            let mut other = body.clone();
            other[0] = version;
            assert_eq!(Entry::decode(&other), Err(DecodeError::Version(version)));
        }
        for kind in [0u8, 3, 255] {
            let mut other = body.clone();
            other[17] = kind;
            assert_eq!(Entry::decode(&other), Err(DecodeError::Kind(kind)));
        }
    }
    // Counts above a batch's limit, for expiries and for events.
    let too_many = BATCH_EVENTS_MAX as u32 + 1;
    let mut body = rows[0].body.clone();
    body[18..22].copy_from_slice(&too_many.to_le_bytes());
    assert_eq!(
        Entry::decode(&body),
        Err(DecodeError::TooMany(too_many as usize))
    );
    let mut body = rows[0].body.clone();
    body[22..26].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        Entry::decode(&body),
        Err(DecodeError::TooMany(u32::MAX as usize))
    );
    // An empty batch is a valid entry.
    let empty = BatchOutcome::<CreateAccountResult> {
        timestamp: 1,
        expired: vec![],
        results: vec![],
    };
    let entry = Entry::decode(&encode_accounts(1, &[], &empty)).expect("decodes");
    assert!(entry.events.is_empty());
}

/// A replay must refuse, not panic on, a rehashed body whose events' timestamps do not fit in
/// 64 bits: `clearhouse verify` runs on journals an attacker may have rewritten.
#[test]
fn replay_of_a_body_with_timestamps_past_u64_max_is_an_error_not_a_panic() {
    let events = [account(1), account(2)];
    let outcome = BatchOutcome {
        timestamp: u64::MAX,
        expired: vec![],
        results: vec![CreateAccountResult::Ok, CreateAccountResult::Ok],
    };
    let body = encode_accounts(1, &events, &outcome);
    let hash = chain_hash(&GENESIS, &body);
    let mut replay = Replay::new();
    let result = catch_unwind(AssertUnwindSafe(|| replay.apply(1, &GENESIS, &hash, &body)));
    let result = result.expect("Replay::apply panicked on a journal body");
    assert!(result.is_err(), "{result:?}");
}

fn account_event() -> impl Strategy<Value = NewAccount> {
    (
        any::<u64>(),
        any::<u32>(),
        any::<u16>(),
        any::<u16>(),
        any::<u64>(),
        any::<u32>(),
    )
        .prop_map(
            |(id, ledger, code, flags, user_data_64, user_data_32)| NewAccount {
                id,
                ledger,
                code,
                flags: AccountFlags::from_bits(flags),
                user_data_64,
                user_data_32,
            },
        )
}

fn transfer_event() -> impl Strategy<Value = NewTransfer> {
    (
        any::<[u64; 6]>(),
        any::<[u32; 3]>(),
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(
            |([id, dr, cr, amount, pending_id, ud64], [ud32, timeout, ledger], code, flags)| {
                NewTransfer {
                    id,
                    debit_account_id: dr,
                    credit_account_id: cr,
                    amount,
                    pending_id,
                    user_data_64: ud64,
                    user_data_32: ud32,
                    timeout,
                    ledger,
                    code,
                    flags: TransferFlags::from_bits(flags),
                }
            },
        )
}

fn with_results<E: std::fmt::Debug, R: Copy + std::fmt::Debug + 'static>(
    event: impl Strategy<Value = E>,
    all: &'static [R],
) -> impl Strategy<Value = Vec<(E, R)>> {
    proptest::collection::vec((event, proptest::sample::select(all)), 0..20)
}

fn check_replay(start: u64, batches: &[Batch]) -> Result<(), TestCaseError> {
    let (ledger, rows) = record(start, batches);
    let mut replay = Replay::new();
    for row in &rows {
        prop_assert_eq!(apply(&mut replay, row), Ok(()));
    }
    prop_assert_eq!(replay.seq(), rows.len() as u64);
    prop_assert_eq!(snapshot(replay.ledger()), snapshot(&ledger));
    Ok(())
}

proptest! {
    #![proptest_config(Config::with_cases(cases()))]

    #[test]
    fn accounts_round_trip(
        seq in any::<u64>(),
        timestamp in any::<u64>(),
        expired in proptest::collection::vec(any::<u64>(), 0..10),
        events in with_results(account_event(), CreateAccountResult::ALL),
    ) {
        let (events, results): (Vec<_>, Vec<_>) = events.into_iter().unzip();
        let outcome = BatchOutcome { timestamp, expired: expired.clone(), results: results.clone() };
        let body = encode_accounts(seq, &events, &outcome);
        prop_assert_eq!(body.len(), 26 + 8 * expired.len() + 29 * events.len());
        let want = Entry { seq, timestamp, expired, events: Events::Accounts(events, results) };
        prop_assert_eq!(Entry::decode(&body), Ok(want));
    }

    #[test]
    fn transfers_round_trip(
        seq in any::<u64>(),
        timestamp in any::<u64>(),
        expired in proptest::collection::vec(any::<u64>(), 0..10),
        events in with_results(transfer_event(), CreateTransferResult::ALL),
    ) {
        let (events, results): (Vec<_>, Vec<_>) = events.into_iter().unzip();
        let outcome = BatchOutcome { timestamp, expired: expired.clone(), results: results.clone() };
        let body = encode_transfers(seq, &events, &outcome);
        prop_assert_eq!(body.len(), 26 + 8 * expired.len() + 65 * events.len());
        let want = Entry { seq, timestamp, expired, events: Events::Transfers(events, results) };
        prop_assert_eq!(Entry::decode(&body), Ok(want));
    }

    #[test]
    fn replay_rebuilds_the_ledger((start, batches) in history(12)) {
        check_replay(start, &batches)?;
    }

    /// Any byte flipped in any entry of a random journal breaks that entry's hash.
    #[test]
    fn any_flipped_byte_breaks_the_hash(
        (start, batches) in history(6),
        entry in any::<prop::sample::Index>(),
        byte in any::<prop::sample::Index>(),
        mask in 1..=255u8,
    ) {
        let (_, rows) = record(start, &batches);
        let k = entry.index(rows.len());
        let (mut replay, row) = replay_all_but_last(&rows[..=k]);
        let mut body = row.body.clone();
        let at = byte.index(body.len());
        body[at] ^= mask;
        prop_assert_eq!(
            replay.apply(row.seq, &row.previous, &row.hash, &body),
            Err(ReplayError::Hash { seq: row.seq })
        );
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Entry::decode(&bytes);
    }

    /// Bytes that start like a real entry get further into the decoder.
    #[test]
    fn decoding_damaged_entries_never_panics(
        (start, batches) in history(4),
        entry in any::<prop::sample::Index>(),
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        tail in proptest::collection::vec(any::<u8>(), 0..8),
    ) {
        let (_, rows) = record(start, &batches);
        let mut body = rows[entry.index(rows.len())].body.clone();
        for (at, value) in damage {
            let i = at.index(body.len());
            body[i] = value;
        }
        let cut = cut.index(body.len() + 1);
        body.truncate(cut);
        body.extend(tail);
        let _ = Entry::decode(&body);
    }
}
