//! What can go wrong in the house.

use store::StoreError;

/// An error of the clearing house. Every variant says what and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HouseError {
    /// An input field is not acceptable; nothing was written.
    #[error("field {field:?}: {message}")]
    Invalid {
        /// The field, as a path (`goods_lines[2].hs_code`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Something named does not exist.
    #[error("no {kind} {id}")]
    NotFound {
        /// What was looked for.
        kind: &'static str,
        /// Its id as the user names it (a cycle by its number, never a record id).
        id: String,
    },
    /// An idempotency key was used before with another request body (HTTP 409).
    #[error(
        "idempotency key {key:?} was used before for another request (first request hash {first}, this one {this})"
    )]
    IdempotencyConflict {
        /// The key.
        key: String,
        /// SHA-256 of the first request.
        first: String,
        /// SHA-256 of this one.
        this: String,
    },
    /// The request is valid but not allowed in the current state or for this actor.
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// The house has not been set up (`House::init`).
    #[error(
        "the clearing house is not set up in this database: run `clearhouse demo` or `clearhouse house init`"
    )]
    NotInitialised,
    /// Another writer changed the same records too many times in a row.
    #[error("gave up after {attempts} attempts: {what} kept changing under this request")]
    Contention {
        /// What kept changing.
        what: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The ledger refused a transfer the house asked for: a bug or a damaged database.
    #[error("the ledger refused {what}: {results}")]
    LedgerRefused {
        /// What the transfers were for.
        what: String,
        /// The results.
        results: String,
    },
    /// A stored record cannot be read back.
    #[error("stored {kind} {id:?} cannot be read: {message}")]
    Corrupt {
        /// Its kind.
        kind: String,
        /// Its id.
        id: String,
        /// Why.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing a settlement file failed.
    #[error("writing {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The clearing engine failed.
    #[error("clearing: {0}")]
    Clearing(String),
    /// The acting participant is a party to the record but not the one who may do this (a
    /// creditor accepting its own claim, a debtor withdrawing one): HTTP 403.
    #[error("forbidden: {0}")]
    Forbidden(String),
}

impl HouseError {
    /// An invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> HouseError {
        HouseError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}
