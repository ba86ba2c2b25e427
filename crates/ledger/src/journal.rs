//! The hash-chained journal: one entry per committed batch.
//!
//! An entry's body is a canonical binary encoding (little-endian, fixed-width fields) of the batch
//! exactly as submitted, the result of every event, the batch timestamp and the pending transfers
//! that expired at it. Its hash is `SHA-256(previous hash ‖ body)`, starting from [`GENESIS`].
//! Replaying the bodies in order into an empty [`Ledger`] reproduces every result and every stored
//! row, so an auditor needs nothing but the journal to rebuild the books.
//!
//! Body layout (version 1):
//!
//! ```text
//! u8 version = 1 | u64 seq | u64 timestamp | u8 kind (1 accounts, 2 transfers)
//! u32 expired count | u64 id ...
//! u32 event count  | event ... (accounts: 28 bytes, transfers: 64 bytes) | u8 result code ...
//! account event:  u64 id | u32 ledger | u16 code | u16 flags | u64 user_data_64 | u32 user_data_32
//! transfer event: u64 id | u64 debit_account_id | u64 credit_account_id | u64 amount |
//!                 u64 pending_id | u64 user_data_64 | u32 user_data_32 | u32 timeout |
//!                 u32 ledger | u16 code | u16 flags
//! ```

use sha2::{Digest, Sha256};

use crate::BATCH_EVENTS_MAX;
use crate::results::{CreateAccountResult, CreateTransferResult};
use crate::state::{BatchOutcome, Ledger};
use crate::types::{AccountFlags, NewAccount, NewTransfer, TransferFlags};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The hash before the first entry.
pub const GENESIS: Hash = [0; 32];

const VERSION: u8 = 1;
const KIND_ACCOUNTS: u8 = 1;
const KIND_TRANSFERS: u8 = 2;
const ACCOUNT_BYTES: usize = 28;
const TRANSFER_BYTES: usize = 64;

/// The events of one entry with their results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Events {
    /// A batch of accounts.
    Accounts(Vec<NewAccount>, Vec<CreateAccountResult>),
    /// A batch of transfers.
    Transfers(Vec<NewTransfer>, Vec<CreateTransferResult>),
}

impl Events {
    /// Number of events.
    pub fn len(&self) -> usize {
        match self {
            Events::Accounts(e, _) => e.len(),
            Events::Transfers(e, _) => e.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One decoded journal entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Position in the journal, from 1.
    pub seq: u64,
    /// Timestamp of the batch's first event.
    pub timestamp: u64,
    /// Pending transfers that expired at the start of the batch.
    pub expired: Vec<u64>,
    /// The batch and its results.
    pub events: Events,
}

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The body ends inside a field.
    #[error("body ends at byte {0} inside a field")]
    Truncated(usize),
    /// Bytes follow the last field.
    #[error("{0} bytes after the end of the entry")]
    TrailingBytes(usize),
    /// The version is not one this build reads.
    #[error("unknown format version {0}")]
    Version(u8),
    /// The kind is neither accounts nor transfers.
    #[error("unknown batch kind {0}")]
    Kind(u8),
    /// A result code is not one this build knows.
    #[error("unknown result code {code} for event {index}")]
    Result {
        /// Event index.
        index: usize,
        /// The code.
        code: u8,
    },
    /// More events or expiries than a batch can hold.
    #[error("{0} items, more than a batch holds")]
    TooMany(usize),
}

/// The chained hash of an entry: `SHA-256(previous ‖ body)`.
pub fn chain_hash(previous: &Hash, body: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(previous);
    h.update(body);
    h.finalize().into()
}

fn header(
    seq: u64,
    kind: u8,
    timestamp: u64,
    expired: &[u64],
    events: usize,
    width: usize,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(30 + expired.len() * 8 + events * (width + 1));
    out.push(VERSION);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&timestamp.to_le_bytes());
    out.push(kind);
    out.extend_from_slice(&u32::try_from(expired.len()).expect("bounded").to_le_bytes());
    for id in expired {
        out.extend_from_slice(&id.to_le_bytes());
    }
    out.extend_from_slice(
        &u32::try_from(events)
            .expect("bounded by BATCH_EVENTS_MAX")
            .to_le_bytes(),
    );
    out
}

/// The body of a batch of accounts.
pub fn encode_accounts(
    seq: u64,
    events: &[NewAccount],
    outcome: &BatchOutcome<CreateAccountResult>,
) -> Vec<u8> {
    let mut out = header(
        seq,
        KIND_ACCOUNTS,
        outcome.timestamp,
        &outcome.expired,
        events.len(),
        ACCOUNT_BYTES,
    );
    for a in events {
        out.extend_from_slice(&a.id.to_le_bytes());
        out.extend_from_slice(&a.ledger.to_le_bytes());
        out.extend_from_slice(&a.code.to_le_bytes());
        out.extend_from_slice(&a.flags.bits().to_le_bytes());
        out.extend_from_slice(&a.user_data_64.to_le_bytes());
        out.extend_from_slice(&a.user_data_32.to_le_bytes());
    }
    out.extend(outcome.results.iter().map(|r| r.code()));
    out
}

/// The body of a batch of transfers.
pub fn encode_transfers(
    seq: u64,
    events: &[NewTransfer],
    outcome: &BatchOutcome<CreateTransferResult>,
) -> Vec<u8> {
    let mut out = header(
        seq,
        KIND_TRANSFERS,
        outcome.timestamp,
        &outcome.expired,
        events.len(),
        TRANSFER_BYTES,
    );
    for t in events {
        for v in [
            t.id,
            t.debit_account_id,
            t.credit_account_id,
            t.amount,
            t.pending_id,
            t.user_data_64,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [t.user_data_32, t.timeout, t.ledger] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&t.code.to_le_bytes());
        out.extend_from_slice(&t.flags.bits().to_le_bytes());
    }
    out.extend(outcome.results.iter().map(|r| r.code()));
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let end = self.at.checked_add(N).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or(DecodeError::Truncated(self.bytes.len()))?;
        let out = self.bytes[self.at..end].try_into().expect("length checked");
        self.at = end;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, DecodeError> {
        self.take().map(u16::from_le_bytes)
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        self.take().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        self.take().map(u64::from_le_bytes)
    }
    fn count(&mut self) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n > BATCH_EVENTS_MAX.max(crate::EXPIRED_PER_BATCH_MAX) {
            return Err(DecodeError::TooMany(n));
        }
        Ok(n)
    }
    fn results<R>(
        &mut self,
        n: usize,
        from_code: fn(u8) -> Option<R>,
    ) -> Result<Vec<R>, DecodeError> {
        (0..n)
            .map(|index| {
                let code = self.u8()?;
                from_code(code).ok_or(DecodeError::Result { index, code })
            })
            .collect()
    }
}

impl Entry {
    /// Decodes a body.
    pub fn decode(bytes: &[u8]) -> Result<Entry, DecodeError> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u8()?;
        if version != VERSION {
            return Err(DecodeError::Version(version));
        }
        let seq = r.u64()?;
        let timestamp = r.u64()?;
        let kind = r.u8()?;
        let expired_count = r.count()?;
        let expired = (0..expired_count)
            .map(|_| r.u64())
            .collect::<Result<_, _>>()?;
        let n = r.count()?;
        let events = match kind {
            KIND_ACCOUNTS => {
                let mut events = Vec::with_capacity(n);
                for _ in 0..n {
                    events.push(NewAccount {
                        id: r.u64()?,
                        ledger: r.u32()?,
                        code: r.u16()?,
                        flags: AccountFlags::from_bits(r.u16()?),
                        user_data_64: r.u64()?,
                        user_data_32: r.u32()?,
                    });
                }
                Events::Accounts(events, r.results(n, CreateAccountResult::from_code)?)
            }
            KIND_TRANSFERS => {
                let mut events = Vec::with_capacity(n);
                for _ in 0..n {
                    events.push(NewTransfer {
                        id: r.u64()?,
                        debit_account_id: r.u64()?,
                        credit_account_id: r.u64()?,
                        amount: r.u64()?,
                        pending_id: r.u64()?,
                        user_data_64: r.u64()?,
                        user_data_32: r.u32()?,
                        timeout: r.u32()?,
                        ledger: r.u32()?,
                        code: r.u16()?,
                        flags: TransferFlags::from_bits(r.u16()?),
                    });
                }
                Events::Transfers(events, r.results(n, CreateTransferResult::from_code)?)
            }
            other => return Err(DecodeError::Kind(other)),
        };
        if r.at != bytes.len() {
            return Err(DecodeError::TrailingBytes(bytes.len() - r.at));
        }
        Ok(Entry {
            seq,
            timestamp,
            expired,
            events,
        })
    }
}

/// Why a journal does not replay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// Entries are missing or out of order.
    #[error("journal entry {found} follows entry {previous}: entries are missing or out of order")]
    Sequence {
        /// The last entry replayed.
        previous: u64,
        /// The entry found.
        found: u64,
    },
    /// The stored previous hash is not the hash of the entry before.
    #[error("journal entry {seq}: its previous hash does not match the hash of entry {}", seq - 1)]
    PreviousHash {
        /// The entry.
        seq: u64,
    },
    /// The stored hash is not the hash of the stored body: the entry was altered.
    #[error("journal entry {seq}: stored hash does not match its contents (altered entry)")]
    Hash {
        /// The entry.
        seq: u64,
    },
    /// The body does not decode.
    #[error("journal entry {seq}: {source}")]
    Decode {
        /// The entry.
        seq: u64,
        /// Why.
        source: DecodeError,
    },
    /// The body names another sequence number than its row.
    #[error("journal entry {seq}: body says it is entry {body}")]
    BodySequence {
        /// The entry.
        seq: u64,
        /// What the body says.
        body: u64,
    },
    /// The replayed batch got another timestamp.
    #[error("journal entry {seq}: timestamp {recorded} is not after the previous batch's")]
    Timestamp {
        /// The entry.
        seq: u64,
        /// The recorded timestamp.
        recorded: u64,
    },
    /// The replayed batch expired other pending transfers.
    #[error("journal entry {seq}: recorded expiries {recorded:?}, replay expires {replayed:?}")]
    Expired {
        /// The entry.
        seq: u64,
        /// Recorded.
        recorded: Vec<u64>,
        /// Replayed.
        replayed: Vec<u64>,
    },
    /// An event's replayed result differs from the recorded one.
    #[error(
        "journal entry {seq}, event {index} (id {id}): recorded result {recorded}, replay gives {replayed}"
    )]
    Result {
        /// The entry.
        seq: u64,
        /// The event's index in its batch.
        index: usize,
        /// The event's id.
        id: u64,
        /// Recorded result.
        recorded: &'static str,
        /// Replayed result.
        replayed: &'static str,
    },
}

/// Replays a journal, entry by entry, into an in-memory [`Ledger`].
#[derive(Debug, Default)]
pub struct Replay {
    ledger: Ledger,
    seq: u64,
    hash: Hash,
}

impl Replay {
    /// Before the first entry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The ledger rebuilt so far.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The last entry replayed (zero before the first).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The hash of the last entry replayed ([`GENESIS`] before the first).
    pub fn hash(&self) -> Hash {
        self.hash
    }

    /// Checks and replays the next entry, as stored: its number, previous hash, hash and body.
    /// After an error the replay is not to be continued: the entry may be partly applied.
    pub fn apply(
        &mut self,
        seq: u64,
        previous: &Hash,
        hash: &Hash,
        body: &[u8],
    ) -> Result<(), ReplayError> {
        if seq != self.seq + 1 {
            return Err(ReplayError::Sequence {
                previous: self.seq,
                found: seq,
            });
        }
        if *previous != self.hash {
            return Err(ReplayError::PreviousHash { seq });
        }
        if chain_hash(previous, body) != *hash {
            return Err(ReplayError::Hash { seq });
        }
        let entry = Entry::decode(body).map_err(|source| ReplayError::Decode { seq, source })?;
        if entry.seq != seq {
            return Err(ReplayError::BodySequence {
                seq,
                body: entry.seq,
            });
        }
        // Strictly after the previous batch, and every event's timestamp fits the i64 it is
        // stored as (a re-hashed body could say anything).
        let last = entry
            .timestamp
            .checked_add(entry.events.len().max(1) as u64 - 1);
        if self.ledger.next_timestamp(entry.timestamp) != entry.timestamp
            || last.is_none_or(|last| last > crate::TIMESTAMP_MAX)
        {
            return Err(ReplayError::Timestamp {
                seq,
                recorded: entry.timestamp,
            });
        }
        let (expired, mismatch) = match &entry.events {
            Events::Accounts(events, recorded) => {
                let out = self.ledger.create_accounts(entry.timestamp, events);
                let ids = events.iter().map(|a| a.id);
                (
                    out.expired,
                    first_mismatch(recorded, &out.results, ids, CreateAccountResult::as_str),
                )
            }
            Events::Transfers(events, recorded) => {
                let out = self.ledger.create_transfers(entry.timestamp, events);
                let ids = events.iter().map(|t| t.id);
                (
                    out.expired,
                    first_mismatch(recorded, &out.results, ids, CreateTransferResult::as_str),
                )
            }
        };
        self.ledger.take_changes();
        if expired != entry.expired {
            return Err(ReplayError::Expired {
                seq,
                recorded: entry.expired,
                replayed: expired,
            });
        }
        if let Some((index, id, recorded, replayed)) = mismatch {
            return Err(ReplayError::Result {
                seq,
                index,
                id,
                recorded,
                replayed,
            });
        }
        self.seq = seq;
        self.hash = *hash;
        Ok(())
    }
}

fn first_mismatch<R: Copy + PartialEq>(
    recorded: &[R],
    replayed: &[R],
    ids: impl Iterator<Item = u64>,
    name: fn(R) -> &'static str,
) -> Option<(usize, u64, &'static str, &'static str)> {
    recorded
        .iter()
        .zip(replayed)
        .zip(ids)
        .enumerate()
        .find(|(_, ((a, b), _))| a != b)
        .map(|(i, ((a, b), id))| (i, id, name(*a), name(*b)))
}
