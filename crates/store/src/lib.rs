//! Persistence for Clearhouse: the ledger on SQLite (embedded default) or PostgreSQL, with the
//! same behaviour behind one [`Store`].
//!
//! Writes go through one writer thread that does *group commit*: it takes every request waiting
//! in its queue (up to [`GROUP_EVENTS_MAX`] events), applies each as its own batch with its own
//! journal entry, and commits them in one database transaction, so that many small requests share
//! one fsync. A request is answered only after that commit returned, that is once it is durable.
//!
//! The writer keeps the accounts it has seen in memory between transactions, and trusts them
//! only while the journal head in the database is the one it wrote last; when another process
//! wrote in between, or a transaction failed, it forgets them and reloads.
//!
//! **Architecture invariant:** this is the only crate that talks to a database, and it reads no
//! clock: the time is a [`Clock`] the caller passes in.

mod backend;
mod heads;
mod migrations;
mod pg_error;
mod postgres;
pub mod records;
mod sqlite;
mod verify;

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use ledger::journal::{self, Hash};
use ledger::{
    Account, BATCH_EVENTS_MAX, CreateAccountResult, CreateTransferResult, EXPIRED_PER_BATCH_MAX,
    Ledger, NewAccount, NewTransfer,
};

pub use backend::{Head, JournalRow, TransferRow};
pub use heads::{Heads, ReceiptError};
pub use pg_error::PgTarget;
pub use records::{
    Applied, AuditEvent, AuditReport, AuditRow, Change, Expect, KEYED_KINDS, Record, RecordQuery,
    RecordWritten, is_keyed,
};
pub use verify::VerifyReport;

use backend::Backend;

/// Most events one group commit takes from the queue.
pub const GROUP_EVENTS_MAX: usize = 64 * 1024;
/// How often a SQLite store's checkpointer thread copies the write-ahead log's new pages into
/// the database file. Done in the writer's commit (SQLite's automatic checkpoint), it held every
/// commit behind it for its writes and `fsync`: about 7% of the writer's time, and commits of
/// 10 to 50 ms at the tail. Every 250 ms rather than 50: a page the claims of that time wrote
/// many times (an index's last leaf, the parties' activity) is copied and synced once, and the
/// log stays near 15,000 pages at 3,000 claims/s (measured: 6 of 7 runs side by side faster,
/// by about 15%; every second, the log reached the writer's backstop).
pub const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);
/// Most requests waiting for the writer; callers block beyond it (back-pressure).
pub const QUEUE_REQUESTS_MAX: usize = 1024;
/// How often a transaction that failed with a serialization failure or deadlock is retried.
pub const RETRIES_MAX: u32 = 5;
/// Most accounts the writer keeps in memory between transactions; past it, it starts afresh.
pub const CACHED_ACCOUNTS_MAX: usize = 1_000_000;
/// Most transfers one listing returns.
pub const LIST_LIMIT_MAX: usize = 10_000;
/// Most keys one [`Store::records_by_key`] reads (SQLite binds two parameters a key, and
/// allows 32,766).
pub const RECORDS_BY_KEY_MAX: usize = 256;
/// Most reader connections open at once. Reads run beside each other and beside the writer
/// (SQLite in WAL mode, PostgreSQL's MVCC): a long `verify` holds one and the requests go on
/// with the others. A reader past this waits for one to come back.
pub const READERS_MAX: usize = 16;

/// The time in nanoseconds since the Unix epoch.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// What went wrong in the store.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database URL or file is not usable.
    #[error("{0}")]
    Config(String),
    /// The database is at an older schema than this build's, and was opened only to read: a
    /// store opened to write upgrades it.
    #[error("{0}")]
    OlderSchema(String),
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(Arc<rusqlite::Error>),
    /// PostgreSQL failed: the server's message and SQLSTATE, or the client's error.
    #[error("postgres: {}", pg_error::describe(.0))]
    Postgres(Arc<::postgres::Error>),
    /// A connection to PostgreSQL failed: the database does not exist, the server refused the
    /// connection or the user, …; the message names which and where.
    #[error("{}", pg_error::describe_connect(.target, .error))]
    PostgresConnect {
        /// Where the connection went.
        target: PgTarget,
        /// What the client said.
        error: Arc<::postgres::Error>,
    },
    /// A stored value is not one the ledger can have written.
    #[error("corrupt database: {0}")]
    Corrupt(String),
    /// A batch has more events than the ledger takes at once.
    #[error("batch of {len} events, more than the {max} a batch may hold")]
    BatchTooLarge {
        /// Events in the batch.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// Records of this kind are looked up only by key, never listed (see [`KEYED_KINDS`]).
    #[error("records of kind {0} are looked up by key only and cannot be listed")]
    Unlisted(String),
    /// The writer thread has stopped (a previous panic, or the store is shutting down).
    #[error("the store's writer has stopped")]
    Closed,
    /// A change is larger than the store takes (too many records, a body too long), or holds
    /// what it cannot keep (a NUL character).
    #[error("{0}")]
    TooLarge(String),
    /// A change writes records but carries no audit event to bind them to.
    #[error("{0}")]
    Unaudited(String),
}

impl StoreError {
    pub(crate) fn corrupt(what: String) -> Self {
        StoreError::Corrupt(what)
    }

    /// Whether the same transaction may succeed if retried (serialization failure, deadlock).
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Postgres(e) => e.code().is_some_and(|c| {
                *c == ::postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == ::postgres::error::SqlState::T_R_DEADLOCK_DETECTED
            }),
            StoreError::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            _ => false,
        }
    }
}

impl StoreError {
    /// Whether the server closed the connection (a restart, an administrator): reconnect.
    pub fn is_connection_lost(&self) -> bool {
        let StoreError::Postgres(e) = self else {
            return false;
        };
        e.is_closed()
            || e.code().is_some_and(|c| {
                let class = &c.code()[..2];
                class == "08" || c.code().starts_with("57P")
            })
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(Arc::new(e))
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        StoreError::Postgres(Arc::new(e))
    }
}

/// How a store opens its database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opening {
    /// Creates the database on first use and migrates it to this build's schema.
    Create,
    /// Only a database that exists and holds this build's schema: nothing created or migrated.
    Existing,
}

/// Where the data lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl Location {
    /// Parses `postgres://…` / `postgresql://…`, `sqlite://PATH`, `sqlite:PATH`, or a plain path.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Location::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(StoreError::Config(format!(
                "database URL {url:?}: expected a file path, sqlite://PATH or postgres://…"
            )));
        }
        Ok(Location::Sqlite(PathBuf::from(path)))
    }

    fn connect(&self, opening: Opening) -> Result<Box<dyn Backend>, StoreError> {
        Ok(match self {
            Location::Sqlite(path) => Box::new(sqlite::Sqlite::open(path, opening)?),
            Location::Postgres(url) => Box::new(postgres::Postgres::connect(url, opening)?),
        })
    }

    /// Which engine.
    pub fn engine(&self) -> &'static str {
        match self {
            Location::Sqlite(_) => "sqlite",
            Location::Postgres(_) => "postgres",
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Location {
    /// Shows the location without a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Location::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    let userinfo = &url[scheme + 3..at];
                    let user = userinfo.split(':').next().unwrap_or_default();
                    write!(f, "{}{user}{}", &url[..scheme + 3], &url[at..])
                }
                _ => f.write_str(url),
            },
        }
    }
}

enum Batch {
    Accounts(Vec<NewAccount>),
    Transfers(Vec<NewTransfer>),
    Change(Box<Change>),
}

enum Reply {
    Accounts(Vec<CreateAccountResult>),
    Transfers(Vec<CreateTransferResult>),
    Change(Applied),
}

struct Request {
    batch: Batch,
    reply: SyncSender<Result<Reply, StoreError>>,
}

impl Batch {
    fn len(&self) -> usize {
        match self {
            Batch::Accounts(e) => e.len(),
            Batch::Transfers(e) => e.len(),
            Batch::Change(c) => c.accounts.len() + c.transfers.len() + c.put.len(),
        }
    }
}

/// Counters of the writer, for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Batches committed (each is one journal entry).
    pub batches: u64,
    /// Database transactions committed: fewer than `batches` when group commit shared them.
    pub commits: u64,
}

#[derive(Debug, Default)]
struct Counters {
    batches: AtomicU64,
    commits: AtomicU64,
}

/// Refuses to list records of a kind looked up only by key.
fn listed(kind: &str) -> Result<(), StoreError> {
    if is_keyed(kind) {
        return Err(StoreError::Unlisted(kind.to_owned()));
    }
    Ok(())
}

/// The ledger's durable store: a writer thread doing group commit, and a pool of reader
/// connections.
pub struct Store {
    location: Location,
    opening: Opening,
    counters: Arc<Counters>,
    queue: Option<SyncSender<Request>>,
    writer: Option<JoinHandle<()>>,
    /// A SQLite store's checkpointer: dropping the sender stops it.
    checkpointer: Option<(std::sync::mpsc::Sender<()>, JoinHandle<()>)>,
    readers: Readers,
}

/// The reader connections: idle ones to hand out, and how many exist (idle or in use).
struct Readers {
    pool: Mutex<ReaderPool>,
    returned: Condvar,
}

struct ReaderPool {
    idle: Vec<Box<dyn Backend>>,
    open: usize,
}

/// A reader taken from the pool, given back when dropped (also when the read panicked); a
/// lease without a reader (lost, closed) frees its place.
struct Lease<'s> {
    store: &'s Store,
    reader: Option<Box<dyn Backend>>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let reader = self.reader.take().filter(|r| !r.is_closed());
        self.store.give_back(reader);
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store at `location`, creating and migrating the database on first use.
    pub fn open(location: Location, clock: Clock) -> Result<Self, StoreError> {
        Self::start(location, clock, Opening::Create)
    }

    /// Opens the store at `location` only if a Clearhouse database is there already, at this
    /// build's schema: for commands that only read, so that a mistyped path or URL is an error
    /// ("no database at PATH", "PATH is not a Clearhouse database", "database X does not
    /// exist …") instead of a new, empty database. Creates, changes and migrates nothing.
    pub fn open_existing(location: Location, clock: Clock) -> Result<Self, StoreError> {
        Self::start(location, clock, Opening::Existing)
    }

    fn start(location: Location, clock: Clock, opening: Opening) -> Result<Self, StoreError> {
        // One reader is opened at once, so that a database that cannot be opened is an error
        // here and not at the first read.
        let reader = location.connect(opening)?;
        let writer_db = location.connect(opening)?;
        let (queue, requests) = sync_channel(QUEUE_REQUESTS_MAX);
        let counters = Arc::new(Counters::default());
        let writer_counters = Arc::clone(&counters);
        let writer_location = location.clone();
        let writer = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || {
                Writer::new(
                    (writer_location, opening),
                    writer_db,
                    clock,
                    writer_counters,
                )
                .run(&requests)
            })
            .map_err(|e| StoreError::Config(format!("cannot start the writer thread: {e}")))?;
        let checkpointer = match &location {
            Location::Sqlite(_) => Some(start_checkpointer(location.connect(opening)?)?),
            Location::Postgres(_) => None,
        };
        Ok(Store {
            location,
            opening,
            counters,
            queue: Some(queue),
            writer: Some(writer),
            checkpointer,
            readers: Readers {
                pool: Mutex::new(ReaderPool {
                    idle: vec![reader],
                    open: 1,
                }),
                returned: Condvar::new(),
            },
        })
    }

    /// Where the data lives.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// What the writer has done since the store was opened.
    pub fn stats(&self) -> StoreStats {
        StoreStats {
            batches: self.counters.batches.load(Ordering::Relaxed),
            commits: self.counters.commits.load(Ordering::Relaxed),
        }
    }

    fn submit(&self, batch: Batch) -> Result<Reply, StoreError> {
        if let Batch::Change(change) = &batch {
            records::check_audited(change).map_err(StoreError::Unaudited)?;
            records::check_change(change).map_err(StoreError::TooLarge)?;
        }
        let ledger_events = match &batch {
            Batch::Change(c) => c.accounts.len().max(c.transfers.len()),
            other => other.len(),
        };
        if ledger_events > BATCH_EVENTS_MAX {
            return Err(StoreError::BatchTooLarge {
                len: ledger_events,
                max: BATCH_EVENTS_MAX,
            });
        }
        let (reply, answer) = sync_channel(1);
        let queue = self.queue.as_ref().ok_or(StoreError::Closed)?;
        queue
            .send(Request { batch, reply })
            .map_err(|_| StoreError::Closed)?;
        answer.recv().map_err(|_| StoreError::Closed)?
    }

    /// Creates accounts; returns once the batch is durable, one result per account.
    pub fn create_accounts(
        &self,
        events: Vec<NewAccount>,
    ) -> Result<Vec<CreateAccountResult>, StoreError> {
        match self.submit(Batch::Accounts(events))? {
            Reply::Accounts(r) => Ok(r),
            _ => unreachable!("accounts answered with another reply"),
        }
    }

    /// Creates transfers; returns once the batch is durable, one result per transfer.
    pub fn create_transfers(
        &self,
        events: Vec<NewTransfer>,
    ) -> Result<Vec<CreateTransferResult>, StoreError> {
        match self.submit(Batch::Transfers(events))? {
            Reply::Transfers(r) => Ok(r),
            _ => unreachable!("transfers answered with another reply"),
        }
    }

    /// Applies a change of the house's state: checks the expected versions, applies the ledger
    /// events, writes the records and appends the audit events, in one transaction; returns once
    /// it is durable (or what stopped it).
    pub fn apply_change(&self, change: Change) -> Result<Applied, StoreError> {
        match self.submit(Batch::Change(Box::new(change)))? {
            Reply::Change(applied) => Ok(applied),
            _ => unreachable!("a change answered with another reply"),
        }
    }

    /// One record, if it exists.
    pub fn record(&self, kind: &str, id: &str) -> Result<Option<Record>, StoreError> {
        self.read(|db| db.record(kind, id))
    }

    /// Records by key (kind, id), read together in one snapshot: one answer per key, in the
    /// order of `keys`. At most [`RECORDS_BY_KEY_MAX`] keys.
    pub fn records_by_key(&self, keys: &[(&str, &str)]) -> Result<Vec<Option<Record>>, StoreError> {
        if keys.len() > RECORDS_BY_KEY_MAX {
            return Err(StoreError::BatchTooLarge {
                len: keys.len(),
                max: RECORDS_BY_KEY_MAX,
            });
        }
        self.read(|db| db.records_by_key(keys))
    }

    /// Records of one kind, filtered, in time order (see [`RecordQuery`]). Not of a kind looked
    /// up only by key ([`KEYED_KINDS`]): their table has no index to list them by.
    pub fn records(&self, query: &RecordQuery) -> Result<Vec<Record>, StoreError> {
        listed(&query.kind)?;
        self.read(|db| db.records(query))
    }

    /// Records of one kind (any, those looked up by key too) in the order of their ids, after
    /// the id `after` (paging), at most `limit` (capped at [`records::RECORDS_LIMIT_MAX`]).
    pub fn records_by_id(
        &self,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        let limit = limit.min(records::RECORDS_LIMIT_MAX);
        self.read(|db| db.records_by_id(kind, after, limit))
    }

    /// How many records of `kind` are in each state, by state (not of a [`KEYED_KINDS`] kind).
    pub fn count_by_status(&self, kind: &str) -> Result<Vec<(String, u64)>, StoreError> {
        listed(kind)?;
        self.read(|db| db.count_by_status(kind))
    }

    /// Audit entries after `after_seq`, oldest first, at most `limit` (capped at
    /// [`LIST_LIMIT_MAX`]); only those about `subject` if given.
    pub fn audit(
        &self,
        after_seq: u64,
        subject: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        self.read(|db| db.audit_rows(after_seq, subject, limit.min(LIST_LIMIT_MAX)))
    }

    /// Recomputes the audit journal's hash chain from the first entry and compares it with the
    /// stored head; then, in the same snapshot, checks that every stored record is the last
    /// version the chain wrote of it, unchanged, and that no record the chain wrote is missing.
    pub fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        self.read(|db| {
            let checker = std::cell::RefCell::new(records::AuditChecker::new());
            let head = db.scan_audit(&mut |row| checker.borrow_mut().row(row), &mut |record| {
                checker.borrow_mut().record(record)
            })?;
            Ok(checker.into_inner().finish(head))
        })
    }

    /// The heads of the audit and ledger journals, read in one snapshot: the receipt to keep
    /// outside the database (its [`Display`](fmt::Display) is the one-line text, parsed back
    /// by [`Heads::from_str`](std::str::FromStr::from_str)).
    pub fn heads(&self) -> Result<Heads, StoreError> {
        self.read(|db| Ok(db.anchors(0, 0)?.heads))
    }

    /// Whether the stored history still holds the receipt's entries: audit entry and ledger
    /// journal entry at the receipt's positions with the receipt's hashes, and heads not
    /// before them. The problems found (a cut tail, a rewritten entry, a rolled back head);
    /// empty if none. Together with [`Store::verify`] and [`Store::verify_audit`], which check
    /// every entry up to the heads, this proves that nothing before the receipt changed.
    pub fn check_heads(&self, receipt: &Heads) -> Result<Vec<String>, StoreError> {
        let found = self.read(|db| db.anchors(receipt.audit.0, receipt.ledger.0))?;
        Ok(heads::problems(receipt, &found))
    }

    fn read<T>(
        &self,
        f: impl Fn(&mut dyn Backend) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut lease = Lease {
            store: self,
            reader: Some(self.take_reader()?),
        };
        let reader = lease
            .reader
            .as_mut()
            .expect("a lease holds its reader until dropped");
        match f(reader.as_mut()) {
            // Reads change nothing: after a lost connection, reconnect and read again.
            Err(e) if e.is_connection_lost() => {
                lease.reader = None;
                let mut fresh = self.location.connect(self.opening)?;
                let result = f(fresh.as_mut());
                lease.reader = Some(fresh);
                result
            }
            other => other,
        }
    }

    /// Whether a read now would find a reader without waiting for one (an idle one, or room
    /// for a new one). A hint: another thread may take it first. A server runs short reads on
    /// its async threads only when one is free, so that long reads holding every reader cannot
    /// stall them.
    pub fn reader_free(&self) -> bool {
        let pool = self
            .readers
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        !pool.idle.is_empty() || pool.open < READERS_MAX
    }

    /// An idle reader, a new one while fewer than [`READERS_MAX`] are open, else the next one
    /// given back.
    fn take_reader(&self) -> Result<Box<dyn Backend>, StoreError> {
        let mut pool = self
            .readers
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            while let Some(reader) = pool.idle.pop() {
                if !reader.is_closed() {
                    return Ok(reader);
                }
                pool.open -= 1;
            }
            if pool.open < READERS_MAX {
                pool.open += 1;
                drop(pool);
                return self
                    .location
                    .connect(self.opening)
                    .inspect_err(|_| self.give_back(None));
            }
            pool = self
                .readers
                .returned
                .wait(pool)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Gives a reader back to the pool (`None`: it was lost; its place is free again).
    fn give_back(&self, reader: Option<Box<dyn Backend>>) {
        let mut pool = self
            .readers
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match reader {
            Some(reader) => pool.idle.push(reader),
            None => pool.open -= 1,
        }
        drop(pool);
        self.readers.returned.notify_one();
    }

    /// Accounts by id, those that exist, in the order asked.
    pub fn lookup_accounts(&self, ids: &[u64]) -> Result<Vec<Account>, StoreError> {
        self.read(|db| db.lookup_accounts(ids))
    }

    /// Transfers by id with their pending state, those that exist, in the order asked.
    pub fn lookup_transfers(&self, ids: &[u64]) -> Result<Vec<TransferRow>, StoreError> {
        self.read(|db| db.lookup_transfers(ids))
    }

    /// An account's transfers after `after_timestamp`, oldest first, at most `limit`
    /// (capped at [`LIST_LIMIT_MAX`]).
    pub fn account_transfers(
        &self,
        account: u64,
        after_timestamp: u64,
        limit: usize,
    ) -> Result<Vec<TransferRow>, StoreError> {
        self.read(|db| db.account_transfers(account, after_timestamp, limit.min(LIST_LIMIT_MAX)))
    }

    /// Every account and every transfer stored, in one snapshot (for `verify` to find ledger
    /// movements nothing above the ledger explains).
    pub fn ledger_contents(&self) -> Result<(Vec<Account>, Vec<TransferRow>), StoreError> {
        struct Collect(Vec<Account>, Vec<TransferRow>, Option<StoreError>);
        impl backend::ScanVisitor for Collect {
            fn head(&mut self, _head: Head) {}
            fn journal(&mut self, _row: Result<JournalRow, StoreError>) -> bool {
                false
            }
            fn transfer(&mut self, row: Result<TransferRow, StoreError>) {
                match row {
                    Ok(row) => self.1.push(row),
                    Err(e) => self.2 = Some(e),
                }
            }
            fn account(&mut self, account: Result<Account, StoreError>) {
                match account {
                    Ok(account) => self.0.push(account),
                    Err(e) => self.2 = Some(e),
                }
            }
        }
        self.read(|db| {
            let mut collect = Collect(Vec::new(), Vec::new(), None);
            db.scan(&mut collect)?;
            match collect.2 {
                Some(e) => Err(e),
                None => Ok((collect.0, collect.1)),
            }
        })
    }

    /// Recomputes the hash chain, replays the journal and checks every invariant.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        self.read(verify::verify)
    }

    /// Stops the writer after the requests already queued.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.queue.take();
        if let Some(writer) = self.writer.take() {
            // A writer that panicked has answered nobody since; nothing more to do here.
            let _ = writer.join();
        }
        if let Some((stop, thread)) = self.checkpointer.take() {
            drop(stop);
            let _ = thread.join();
        }
    }
}

/// Starts the thread that checkpoints a SQLite store every [`CHECKPOINT_INTERVAL`] on its own
/// connection `db`, beside the writer, until the sender it answers is dropped.
fn start_checkpointer(
    mut db: Box<dyn Backend>,
) -> Result<(std::sync::mpsc::Sender<()>, JoinHandle<()>), StoreError> {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("store-checkpoint".into())
        .spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stopped.recv_timeout(CHECKPOINT_INTERVAL)
            {
                if let Err(e) = db.checkpoint() {
                    // The writer's own checkpoint is the backstop; the next round tries again.
                    tracing::warn!(error = %e, "checkpoint failed");
                }
            }
        })
        .map_err(|e| StoreError::Config(format!("cannot start the checkpoint thread: {e}")))?;
    Ok((stop, thread))
}

impl Drop for Store {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The writer thread's state.
struct Writer {
    location: Location,
    opening: Opening,
    db: Box<dyn Backend>,
    clock: Clock,
    /// Working set: accounts kept across transactions while `cached_seq` is the head.
    ledger: Ledger,
    cached_seq: Option<u64>,
    counters: Arc<Counters>,
}

impl Writer {
    fn new(
        (location, opening): (Location, Opening),
        db: Box<dyn Backend>,
        clock: Clock,
        counters: Arc<Counters>,
    ) -> Self {
        Writer {
            location,
            opening,
            db,
            clock,
            ledger: Ledger::new(),
            cached_seq: None,
            counters,
        }
    }

    fn run(mut self, requests: &Receiver<Request>) {
        while let Ok(first) = requests.recv() {
            let mut group = vec![first];
            let mut events = group[0].batch.len();
            while events < GROUP_EVENTS_MAX {
                let Ok(next) = requests.try_recv() else { break };
                events += next.batch.len();
                group.push(next);
            }
            let mut attempt = 0;
            let outcome = loop {
                match self.commit_group(&group) {
                    Ok(replies) => break Ok(replies),
                    Err(e) => {
                        // A transaction cut off by a lost connection did not commit, or if its
                        // COMMIT got through, the retry answers `exists`: retrying is safe.
                        let reconnected = self.recover(&e);
                        attempt += 1;
                        if !(e.is_retryable() || reconnected) || attempt > RETRIES_MAX {
                            tracing::warn!(error = %e, requests = group.len(), "group commit failed");
                            break Err(e);
                        }
                    }
                }
            };
            match outcome {
                Ok(replies) => {
                    for (request, reply) in group.into_iter().zip(replies) {
                        // A caller that went away no longer needs its answer.
                        let _ = request.reply.send(Ok(reply));
                    }
                }
                Err(e) => {
                    for request in group {
                        let _ = request.reply.send(Err(e.clone()));
                    }
                }
            }
        }
    }

    /// After a failed transaction: roll back, forget the working set, and reconnect if the
    /// connection is gone (a database restart), so that later requests can succeed.
    /// Returns whether it reconnected.
    fn recover(&mut self, error: &StoreError) -> bool {
        self.ledger.clear();
        self.cached_seq = None;
        if !(self.db.is_closed() || error.is_connection_lost()) {
            self.db.rollback();
            return false;
        }
        match self.location.connect(self.opening) {
            Ok(db) => {
                self.db = db;
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "reconnecting to the database failed");
                false
            }
        }
    }

    /// Applies every request of the group in one transaction; the replies once it committed.
    fn commit_group(&mut self, group: &[Request]) -> Result<Vec<Reply>, StoreError> {
        let head = self.db.begin()?;
        if self.cached_seq != Some(head.seq) || self.ledger.accounts().len() > CACHED_ACCOUNTS_MAX {
            self.ledger.clear();
        }
        self.ledger.forget_transfers();
        self.ledger.set_last_timestamp(head.last_timestamp);
        let now = (self.clock)();
        let mut seq = head.seq;
        let mut hash = head.hash;
        let mut replies = Vec::with_capacity(group.len());
        let mut audit = None;
        for request in group {
            let reply = match &request.batch {
                Batch::Change(change) => {
                    let audit = match &mut audit {
                        Some(head) => head,
                        None => audit.insert(self.db.audit_head()?),
                    };
                    Reply::Change(self.apply_change(change, now, (&mut seq, &mut hash), audit)?)
                }
                batch => self.journaled(batch, now, &mut seq, &mut hash)?,
            };
            replies.push(reply);
        }
        let head = Head {
            seq,
            hash,
            last_timestamp: self.ledger.last_timestamp(),
        };
        self.db.commit(&head)?;
        self.cached_seq = Some(seq);
        self.counters.commits.fetch_add(1, Ordering::Relaxed);
        self.counters
            .batches
            .fetch_add(group.len() as u64, Ordering::Relaxed);
        Ok(replies)
    }

    /// Applies one ledger batch and writes its changes and its journal entry.
    fn journaled(
        &mut self,
        batch: &Batch,
        now: u64,
        seq: &mut u64,
        hash: &mut Hash,
    ) -> Result<Reply, StoreError> {
        *seq += 1;
        let (reply, body, timestamp) = self.apply(*seq, now, batch)?;
        let entry_hash = journal::chain_hash(hash, &body);
        let changes = self.ledger.take_changes();
        let entry = JournalRow {
            seq: *seq,
            timestamp,
            prev_hash: *hash,
            hash: entry_hash,
            body,
        };
        self.db.write(&self.ledger, &changes, &entry)?;
        *hash = entry_hash;
        Ok(reply)
    }

    /// Applies a house change inside the group's transaction (see [`Store::apply_change`]).
    fn apply_change(
        &mut self,
        change: &Change,
        now: u64,
        (seq, hash): (&mut u64, &mut Hash),
        audit: &mut (u64, Hash),
    ) -> Result<Applied, StoreError> {
        let keys: Vec<(&str, &str)> = change
            .expect
            .iter()
            .map(|e| (e.kind.as_str(), e.id.as_str()))
            .collect();
        let found = self.db.record_versions(&keys)?;
        for (expect, found) in change.expect.iter().zip(found) {
            if expect.version != found {
                return Ok(Applied::Conflict {
                    kind: expect.kind.clone(),
                    id: expect.id.clone(),
                    expected: expect.version,
                    found,
                });
            }
        }
        let mut accounts = Vec::new();
        if !change.accounts.is_empty() {
            let batch = Batch::Accounts(change.accounts.clone());
            let Reply::Accounts(results) = self.journaled(&batch, now, seq, hash)? else {
                unreachable!("accounts answered with another reply")
            };
            accounts = results;
        }
        let account_refused = accounts
            .iter()
            .any(|r| !(r.is_ok() || *r == CreateAccountResult::Exists));
        let mut transfers = Vec::new();
        if !account_refused && !change.transfers.is_empty() {
            // One linked chain: every transfer of the change, or none.
            let mut events = change.transfers.clone();
            let last = events.len() - 1;
            for t in &mut events[..last] {
                t.flags = t.flags.with(ledger::TransferFlags::LINKED);
            }
            let Reply::Transfers(results) =
                self.journaled(&Batch::Transfers(events), now, seq, hash)?
            else {
                unreachable!("transfers answered with another reply")
            };
            transfers = results;
        }
        if account_refused || transfers.iter().any(|r| !r.is_ok()) {
            return Ok(Applied::Refused {
                accounts,
                transfers,
            });
        }
        self.db.put_records(&change.put)?;
        // The change's first audit entry binds every record version it wrote (`check_change`
        // refused a change with records and no audit event).
        let mut written: Vec<_> = change.put.iter().map(Record::written).collect();
        let mut rows = Vec::with_capacity(change.audit.len());
        for event in &change.audit {
            let mut row = AuditRow {
                seq: audit.0 + 1,
                at: now,
                actor: event.actor.clone(),
                action: event.action.clone(),
                subject: event.subject.clone(),
                body: event.body.clone(),
                records: std::mem::take(&mut written),
                prev_hash: audit.1,
                hash: [0; 32],
            };
            row.hash = row.compute_hash(&audit.1);
            *audit = (row.seq, row.hash);
            rows.push(row);
        }
        self.db.append_audit(&rows)?;
        Ok(Applied::Committed {
            at: now,
            audit_seqs: rows.iter().map(|r| r.seq).collect(),
        })
    }

    /// Loads what the batch needs and applies it: its reply, journal body and timestamp.
    fn apply(
        &mut self,
        seq: u64,
        now: u64,
        batch: &Batch,
    ) -> Result<(Reply, Vec<u8>, u64), StoreError> {
        let timestamp = self.ledger.next_timestamp(now);
        // Rows written earlier in this transaction are loaded already, and newer than the query.
        for (t, state) in self.db.load_due(timestamp, EXPIRED_PER_BATCH_MAX)? {
            if self.ledger.transfer(t.id).is_none() {
                self.ledger.insert_transfer(t, state);
            }
        }
        match batch {
            Batch::Accounts(events) => {
                let mut ids: Vec<u64> = events
                    .iter()
                    .map(|a| a.id)
                    .filter(|&id| id <= ledger::ID_MAX)
                    .collect();
                ids.extend(self.ledger.account_ids_referenced(&[]));
                self.load_missing_accounts(ids)?;
                let outcome = self.ledger.create_accounts(now, events);
                let body = journal::encode_accounts(seq, events, &outcome);
                Ok((Reply::Accounts(outcome.results), body, outcome.timestamp))
            }
            Batch::Transfers(events) => {
                let ids: Vec<u64> = Ledger::transfer_ids_referenced(events)
                    .into_iter()
                    .filter(|&id| self.ledger.transfer(id).is_none())
                    .collect();
                for (t, state) in self.db.load_transfers(&ids)? {
                    self.ledger.insert_transfer(t, state);
                }
                let accounts = self.ledger.account_ids_referenced(events);
                self.load_missing_accounts(accounts)?;
                let outcome = self.ledger.create_transfers(now, events);
                let body = journal::encode_transfers(seq, events, &outcome);
                Ok((Reply::Transfers(outcome.results), body, outcome.timestamp))
            }
            Batch::Change(_) => unreachable!("changes are applied by apply_change"),
        }
    }

    fn load_missing_accounts(&mut self, mut ids: Vec<u64>) -> Result<(), StoreError> {
        ids.retain(|&id| id != 0 && !self.ledger.has_account(id));
        ids.sort_unstable();
        ids.dedup();
        for account in self.db.load_accounts(&ids)? {
            self.ledger.insert_account(account);
        }
        Ok(())
    }
}

/// The hash of a journal head as lowercase hex.
pub fn hash_hex(hash: &Hash) -> String {
    hex::encode(hash)
}
