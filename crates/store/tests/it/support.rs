//! Test databases: a fresh SQLite file, and a fresh schema in the PostgreSQL server that CI and
//! every development machine run (`CLEARHOUSE_TEST_POSTGRES_URL`, by default
//! `postgres://postgres@127.0.0.1:5432/test`). PostgreSQL tests never skip: without a server they
//! fail and say so.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use store::{Clock, Location, Store};

/// The server PostgreSQL tests use.
pub fn postgres_base_url() -> String {
    std::env::var("CLEARHOUSE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database that disappears with the test.
#[derive(Debug)]
pub struct TestDb {
    pub location: Location,
    /// What the test names the backend in messages.
    pub name: &'static str,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl TestDb {
    /// A new SQLite file in a temporary directory.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let location = Location::Sqlite(dir.path().join("ledger.db"));
        TestDb {
            location,
            name: "sqlite",
            _dir: Some(dir),
            schema: None,
        }
    }

    /// A new, empty schema on the test PostgreSQL server.
    pub fn postgres() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let base = postgres_base_url();
        let mut client = postgres::Client::connect(&base, postgres::NoTls).unwrap_or_else(|e| {
            panic!(
                "PostgreSQL tests need a server at {base} (set CLEARHOUSE_TEST_POSTGRES_URL \
                 to another one): {e}"
            )
        });
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let schema = format!(
            "test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create a test schema");
        let separator = if base.contains('?') { '&' } else { '?' };
        let url =
            format!("{base}{separator}options=-csearch_path%3D{schema}&application_name={schema}");
        TestDb {
            location: Location::Postgres(url),
            name: "postgres",
            _dir: None,
            schema: Some(schema),
        }
    }

    /// Closes every server connection of this database's stores (PostgreSQL only), as a
    /// database restart would.
    pub fn cut_connections(&self) {
        let schema = self.schema.as_ref().expect("a PostgreSQL test database");
        let mut client = postgres::Client::connect(&postgres_base_url(), postgres::NoTls).unwrap();
        let cut = client
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[schema],
            )
            .unwrap();
        assert!(!cut.is_empty(), "no connection of {schema} to cut");
    }

    /// One database of each backend.
    pub fn each() -> [TestDb; 2] {
        [TestDb::sqlite(), TestDb::postgres()]
    }

    /// The URL to pass to `--database-url`.
    pub fn url(&self) -> String {
        match &self.location {
            Location::Sqlite(path) => format!("sqlite://{}", path.display()),
            Location::Postgres(url) => url.clone(),
        }
    }

    /// Opens a store on this database with `clock`.
    pub fn open(&self, clock: &TestClock) -> Store {
        Store::open(self.location.clone(), clock.clock())
            .unwrap_or_else(|e| panic!("open {}: {e}", self.name))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(schema) = &self.schema
            && let Ok(mut client) = postgres::Client::connect(&postgres_base_url(), postgres::NoTls)
        {
            // Best effort: a leftover schema only costs space in the test database.
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// A clock the test sets by hand, in nanoseconds.
#[derive(Clone, Debug, Default)]
pub struct TestClock(Arc<AtomicU64>);

/// A realistic starting time: 2026-01-01T00:00:00Z.
pub const T0: u64 = 1_767_225_600_000_000_000;
/// One second in nanoseconds.
pub const SECOND: u64 = 1_000_000_000;

impl TestClock {
    /// A clock at `now`.
    pub fn at(now: u64) -> Self {
        let clock = TestClock::default();
        clock.set(now);
        clock
    }
    /// Sets the time.
    pub fn set(&self, now: u64) {
        self.0.store(now, Ordering::SeqCst);
    }
    /// Moves the time forward.
    pub fn advance(&self, by: u64) {
        self.0.fetch_add(by, Ordering::SeqCst);
    }
    /// The clock to hand to a store.
    pub fn clock(&self) -> Clock {
        let inner = Arc::clone(&self.0);
        Arc::new(move || inner.load(Ordering::SeqCst))
    }
}

impl TestDb {
    /// Runs SQL on the database behind the store's back (to tamper with it).
    pub fn execute(&self, sql: &str) {
        match &self.location {
            Location::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).expect("open sqlite");
                conn.execute_batch(sql)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            Location::Postgres(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
                client
                    .batch_execute(sql)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
    }
}

/// `count` simple transfers from `first` on, alternating between accounts 1 → 2 and 2 → 1.
pub fn simple_transfers(first: u64, count: u64) -> Vec<ledger::NewTransfer> {
    (first..first + count)
        .map(|id| ledger::NewTransfer {
            id,
            debit_account_id: 1 + id % 2,
            credit_account_id: 2 - id % 2,
            amount: id,
            ledger: 978,
            code: 1,
            ..Default::default()
        })
        .collect()
}

/// Accounts `1..=count` on ledger 978.
pub fn accounts(count: u64) -> Vec<ledger::NewAccount> {
    (1..=count)
        .map(|id| ledger::NewAccount {
            id,
            ledger: 978,
            code: 1,
            ..Default::default()
        })
        .collect()
}
