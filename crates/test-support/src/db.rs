//! Test databases (a fresh SQLite file, and a fresh schema on the PostgreSQL server that CI and
//! every development machine run: `CLEARHOUSE_TEST_POSTGRES_URL`, by default
//! `postgres://postgres@127.0.0.1:5432/test`) and a hand-set clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use store::{Clock, Location, Store};

/// The environment variable naming the PostgreSQL server the tests use.
const POSTGRES_URL_ENV: &str = "CLEARHOUSE_TEST_POSTGRES_URL";
/// The server the tests use when the variable is not set.
const POSTGRES_URL_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The server PostgreSQL tests use.
pub fn postgres_base_url() -> String {
    std::env::var(POSTGRES_URL_ENV).unwrap_or_else(|_| POSTGRES_URL_DEFAULT.to_owned())
}

/// Connects to the test server, or fails saying which server and how to name another one.
fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL tests need a server at {url} (set {POSTGRES_URL_ENV} to another one): {e}"
        )
    })
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
        let location = Location::Sqlite(dir.path().join("test.db"));
        TestDb {
            location,
            name: "sqlite",
            _dir: Some(dir),
            schema: None,
        }
    }

    /// A new, empty schema on the test PostgreSQL server. Its name is unique across processes
    /// (the process id) and within one (a counter), and the connections the stores open on it
    /// carry it as their `application_name` (see [`TestDb::cut_connections`]).
    pub fn postgres() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let base = postgres_base_url();
        let mut client = connect(&base);
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

    /// Runs SQL on the database behind the store's back (to tamper with it).
    pub fn execute(&self, sql: &str) {
        match &self.location {
            Location::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).expect("open sqlite");
                conn.execute_batch(sql)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            Location::Postgres(url) => {
                connect(url)
                    .batch_execute(sql)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
    }

    /// Closes every server connection of this database's stores (PostgreSQL only), as a
    /// database restart would.
    pub fn cut_connections(&self) {
        let schema = self.schema.as_ref().expect("a PostgreSQL test database");
        let cut = connect(&postgres_base_url())
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[schema],
            )
            .expect("terminate the connections");
        assert!(!cut.is_empty(), "no connection of {schema} to cut");
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

/// Runs `test` on a fresh SQLite database, then on a fresh PostgreSQL schema.
pub fn each_backend(test: impl Fn(TestDb)) {
    for make in [TestDb::sqlite as fn() -> TestDb, TestDb::postgres] {
        let db = make();
        eprintln!("--- backend {}", db.name);
        test(db);
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
    /// The time.
    pub fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
    /// The clock to hand to a store or a house.
    pub fn clock(&self) -> Clock {
        let inner = Arc::clone(&self.0);
        Arc::new(move || inner.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the test server has `schema`.
    fn schema_exists(schema: &str) -> bool {
        let rows = connect(&postgres_base_url())
            .query(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = $1",
                &[&schema],
            )
            .expect("query the schemas");
        !rows.is_empty()
    }

    #[test]
    fn a_postgres_database_is_fresh_and_gone_after_the_test() {
        let db = TestDb::postgres();
        let schema = db.schema.clone().expect("a schema");
        assert!(schema_exists(&schema));
        db.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)");
        assert_ne!(
            TestDb::postgres().schema.as_deref(),
            Some(schema.as_str()),
            "every database its own schema"
        );
        drop(db);
        assert!(!schema_exists(&schema), "{schema} left behind");
    }

    #[test]
    fn a_sqlite_database_is_gone_after_the_test() {
        let db = TestDb::sqlite();
        db.execute("CREATE TABLE t (x INTEGER)");
        let Location::Sqlite(path) = db.location.clone() else {
            panic!("not SQLite");
        };
        assert!(path.exists());
        drop(db);
        assert!(!path.exists(), "{} left behind", path.display());
    }
}
