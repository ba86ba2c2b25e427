//! The double-entry ledger of Clearhouse: a pure state machine with TigerBeetle's semantics.
//!
//! Accounts hold four balances (`debits_pending`, `debits_posted`, `credits_pending`,
//! `credits_posted`); transfers move an amount from a debit account to a credit account of the
//! same ledger (one ledger per currency; by convention its ISO 4217 numeric code). Transfers may be
//! two-phase (`pending`, then `post_pending` in full or in part, or `void_pending`, or expiry after
//! their timeout) and may be `linked` into all-or-nothing chains. Every event gets exactly one
//! result code, and the client-chosen id is the idempotency key.
//!
//! **Architecture invariant:** this crate does no I/O and reads no clock. Time is passed in as
//! nanoseconds since the Unix epoch; the `store` crate loads the part of the state a batch needs
//! into a [`Ledger`], applies the batch here and persists the [`Changes`] together with the
//! batch's [`journal`] entry in one transaction. Replaying the journal into an empty [`Ledger`]
//! reproduces every result and every balance, which is what `clearhouse verify` does.

mod invariants;
pub mod journal;
mod results;
mod state;
mod types;

pub use invariants::{InvariantCheck, VIOLATIONS_MAX, Violation, check_invariants};
pub use results::{CreateAccountResult, CreateTransferResult};
pub use state::{BatchOutcome, Changes, Ledger};
pub use types::{
    Account, AccountFlags, NewAccount, NewTransfer, PendingState, PendingStatus, Transfer,
    TransferFlags,
};

/// Largest valid id of an account or a transfer (ids are stored as signed 64-bit integers).
pub const ID_MAX: u64 = i64::MAX as u64;
/// Largest amount and largest balance (balances are stored as signed 64-bit integers).
pub const AMOUNT_MAX: u64 = i64::MAX as u64;
/// Largest timestamp and expiry, in nanoseconds (stored as signed 64-bit integers; year 2262).
pub const TIMESTAMP_MAX: u64 = i64::MAX as u64;
/// Most events (accounts or transfers) in one batch, as in TigerBeetle.
pub const BATCH_EVENTS_MAX: usize = 8190;
/// Nanoseconds per second: pending timeouts are given in seconds, timestamps in nanoseconds.
pub const NANOS_PER_SECOND: u64 = 1_000_000_000;
/// Most pending transfers one batch expires; the rest expire with the next batch.
pub const EXPIRED_PER_BATCH_MAX: usize = 8190;
