//! What can go wrong in the house.

use store::StoreError;

use crate::list_store::ListStoreError;

/// What kind of failure an error is, for a caller that answers someone (the server maps each
/// to an HTTP status; the CLI to an exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not acceptable (a field named by [`HouseError::field`]); nothing was written.
    Invalid,
    /// Something named does not exist.
    NotFound,
    /// This actor may not do this, whatever the state.
    Forbidden,
    /// Not in the current state (a case decided already, an idempotency key used for another
    /// request, a claim a cycle holds).
    Conflict,
    /// Try again later: the database is unreachable, or a record kept changing.
    Unavailable,
    /// A bug or damaged data: logged in full, answered without details.
    Internal,
}

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
    /// The request is valid but not allowed in the current state.
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// This actor may not do this (its role, its participant, four eyes).
    #[error("forbidden: {0}")]
    Forbidden(String),
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
    /// The lists directory (a list file given, the version in force, a download).
    #[error(transparent)]
    Lists(#[from] ListStoreError),
    /// The database names lists in force (a version another process put in force) that this
    /// process does not hold and cannot load from its lists directory: nothing is screened
    /// against other lists, so nothing that screens is done here until it can (HTTP 503).
    /// Both fields are safe to show: no path, no internal detail.
    #[error(
        "the sanctions lists in force are version {version}, which this server cannot screen against: {reason}"
    )]
    ListsOutOfDate {
        /// The version in force.
        version: String,
        /// Why it cannot be loaded here.
        reason: String,
    },
    /// Something the house needs from the machine is not available (the operating system's
    /// random numbers for a new secret); nothing was written, and the request may be retried.
    #[error("{what} is unavailable: {message}")]
    Unavailable {
        /// What was needed.
        what: String,
        /// Why it failed.
        message: String,
    },
}

impl HouseError {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            HouseError::Invalid { .. } => ErrorKind::Invalid,
            HouseError::NotFound { .. } => ErrorKind::NotFound,
            HouseError::Forbidden(_) => ErrorKind::Forbidden,
            HouseError::IdempotencyConflict { .. } | HouseError::NotAllowed(_) => {
                ErrorKind::Conflict
            }
            HouseError::NotInitialised
            | HouseError::Contention { .. }
            | HouseError::ListsOutOfDate { .. }
            | HouseError::Unavailable { .. } => ErrorKind::Unavailable,
            HouseError::Store(e) if e.is_retryable() || e.is_connection_lost() => {
                ErrorKind::Unavailable
            }
            HouseError::Lists(
                ListStoreError::Parse { .. }
                | ListStoreError::TooLarge { .. }
                | ListStoreError::Shrink(_)
                | ListStoreError::BadSource { .. }
                | ListStoreError::UnknownSource { .. },
            ) => ErrorKind::Invalid,
            HouseError::Lists(ListStoreError::Download { .. }) => ErrorKind::Unavailable,
            HouseError::Store(_)
            | HouseError::LedgerRefused { .. }
            | HouseError::Corrupt { .. }
            | HouseError::File { .. }
            | HouseError::Clearing(_)
            | HouseError::Lists(_) => ErrorKind::Internal,
        }
    }

    /// The input field at fault, as a path (`goods_lines[2].hs_code`), for [`ErrorKind::Invalid`].
    pub fn field(&self) -> Option<&str> {
        match self {
            HouseError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A stable snake_case code for this error, the same in every language and release.
    pub fn code(&self) -> &'static str {
        match self {
            HouseError::Invalid { .. } => "invalid_field",
            HouseError::NotFound { .. } => "not_found",
            HouseError::IdempotencyConflict { .. } => "idempotency_conflict",
            HouseError::NotAllowed(_) => "wrong_state",
            HouseError::Forbidden(_) => "forbidden",
            HouseError::NotInitialised => "not_initialised",
            HouseError::Contention { .. } => "contention",
            HouseError::Unavailable { .. } => "unavailable",
            HouseError::ListsOutOfDate { .. } => "lists_out_of_date",
            HouseError::Lists(ListStoreError::Shrink(_)) => "list_shrank",
            HouseError::Lists(ListStoreError::Parse { .. } | ListStoreError::TooLarge { .. }) => {
                "invalid_list_file"
            }
            HouseError::Lists(ListStoreError::Download { .. }) => "download_failed",
            HouseError::Lists(
                ListStoreError::BadSource { .. } | ListStoreError::UnknownSource { .. },
            ) => "invalid_field",
            HouseError::Store(e) if e.is_retryable() || e.is_connection_lost() => "unavailable",
            _ => "internal",
        }
    }

    /// An invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> HouseError {
        HouseError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}
