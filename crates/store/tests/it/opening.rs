//! `Store::open_existing` opens only a Clearhouse database that is there, creating nothing; and
//! PostgreSQL connection errors say what is wrong and where.

use store::{Location, Store, StoreError};

use crate::support::{T0, TestClock, TestDb, postgres_base_url};

fn open_existing(location: &Location) -> Result<Store, StoreError> {
    Store::open_existing(location.clone(), TestClock::at(T0).clock())
}

fn refusal(location: &Location) -> String {
    match open_existing(location) {
        Ok(_) => panic!("{location}: opened"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_sqlite_path_without_a_clearhouse_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mistyped.db");
    let location = Location::Sqlite(missing.clone());
    assert_eq!(
        refusal(&location),
        format!("no database at {}", missing.display())
    );
    assert!(!missing.exists(), "no file is created");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(
        refusal(&Location::Sqlite(empty.clone())),
        format!(
            "{} is not a Clearhouse database (the file is empty)",
            empty.display()
        )
    );
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0, "left empty");

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, b"not a database at all").unwrap();
    assert!(refusal(&Location::Sqlite(text)).ends_with("(not a SQLite file)"));

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER)")
        .unwrap();
    assert!(refusal(&Location::Sqlite(other)).ends_with("(a SQLite file without its schema)"),);
    assert!(refusal(&Location::Sqlite(dir.path().to_owned())).ends_with("(it is a directory)"));
}

#[test]
fn an_existing_store_opens_and_reads_on_both_backends() {
    for db in TestDb::each() {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        store.create_accounts(crate::support::accounts(2)).unwrap();
        drop(store);
        let store = open_existing(&db.location).unwrap();
        assert_eq!(
            store.lookup_accounts(&[1, 2]).unwrap().len(),
            2,
            "{}",
            db.name
        );
        assert!(store.verify().unwrap().is_ok(), "{}", db.name);
    }
}

#[test]
fn an_older_schema_is_refused_without_migrating_it() {
    for db in TestDb::each() {
        drop(db.open(&TestClock::at(T0)));
        db.execute("DELETE FROM schema_migrations WHERE version = 4");
        let e = refusal(&db.location);
        assert!(
            e.contains("has schema version 3, older than this build's 4: a command that writes to it upgrades it"),
            "{}: {e}",
            db.name
        );
        assert!(
            refusal(&db.location).contains("version 3"),
            "{}: not migrated",
            db.name
        );
    }
}

#[test]
fn a_postgres_schema_without_a_clearhouse_database_is_refused_and_left_empty() {
    let db = TestDb::postgres();
    let e = refusal(&db.location);
    assert!(
        e.starts_with("database ") && e.contains("holds no Clearhouse database"),
        "{e}"
    );
    assert_eq!(refusal(&db.location), e, "nothing was created");
}

/// The test server's URL with another user, host and port, or database.
fn variant(user: Option<&str>, at: Option<&str>, database: Option<&str>) -> String {
    let base = postgres_base_url();
    let base = base.split('?').next().unwrap_or_default();
    let rest = base.strip_prefix("postgres://").expect("a postgres:// URL");
    let (userinfo, rest) = rest.split_once('@').expect("a user in the URL");
    let (host, db) = rest.split_once('/').expect("a database in the URL");
    format!(
        "postgres://{}@{}/{}",
        user.unwrap_or(userinfo),
        at.unwrap_or(host),
        database.unwrap_or(db)
    )
}

fn connect_error(url: &str) -> String {
    let location = Location::Postgres(url.to_owned());
    for e in [
        Store::open(location.clone(), TestClock::at(T0).clock()).unwrap_err(),
        open_existing(&location).unwrap_err(),
    ] {
        assert!(matches!(e, StoreError::PostgresConnect { .. }), "{e:?}");
    }
    refusal(&location)
}

#[test]
fn postgres_connection_errors_say_what_is_wrong_and_where() {
    let host = variant(None, None, None);
    let host = host
        .split('@')
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        connect_error(&variant(None, None, Some("newcomer_nodb"))),
        format!("database newcomer_nodb does not exist at {host}")
    );
    assert_eq!(
        connect_error(&variant(None, Some("127.0.0.1:1"), None)),
        "connection refused at 127.0.0.1:1: is PostgreSQL running and listening there?"
    );
    let e = connect_error(&variant(Some("nobody_here"), None, None));
    assert!(
        e.starts_with(&format!(
            "authentication failed for user nobody_here at {host}: "
        )),
        "{e}"
    );
    assert!(e.contains("SQLSTATE 28"), "{e}");
}

#[test]
fn a_postgres_error_shows_the_server_message_and_its_code() {
    let db = TestDb::postgres();
    drop(db.open(&TestClock::at(T0)));
    // Without its table, the statements reading it cannot be prepared when the store opens:
    // the server's message and code are shown.
    db.execute("DROP TABLE records");
    let e = open_existing(&db.location).unwrap_err().to_string();
    assert!(
        e.starts_with("postgres: relation \"records\" does not exist (SQLSTATE 42P01)"),
        "{e}"
    );
}

/// The pages a SQLite store writes reach the database file without the writer copying them: its
/// checkpointer does it beside the writer, long before the writer's own backstop (50,000 pages)
/// would.
#[test]
fn a_sqlite_store_checkpoints_beside_the_writer() {
    use store::{AuditEvent, Change, Record};
    let db = TestDb::sqlite();
    let Location::Sqlite(path) = db.location.clone() else {
        unreachable!("a SQLite test database")
    };
    let clock = TestClock::at(T0);
    let store = db.open(&clock);
    let size = || std::fs::metadata(&path).map_or(0, |m| m.len());
    let before = size();
    // About 2,000 pages of records, far below the backstop.
    for n in 0..250 {
        let put = (0..8)
            .map(|i| Record {
                kind: "claim".to_owned(),
                id: format!("c-{n}-{i}"),
                version: 1,
                status: "queued".to_owned(),
                party: "de-acme".to_owned(),
                counterparty: "ir-melli".to_owned(),
                at: T0,
                body: format!("{{\"pad\":\"{}\"}}", "x".repeat(3_000)),
            })
            .collect();
        store
            .apply_change(Change {
                put,
                audit: vec![AuditEvent {
                    actor: "t".to_owned(),
                    action: "claim.submitted".to_owned(),
                    subject: format!("claim:c-{n}"),
                    body: "{}".to_owned(),
                }],
                ..Default::default()
            })
            .unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while size() < before + 6_000_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "the database file stayed at {} bytes (from {before}): nothing was checkpointed",
            size()
        );
        std::thread::sleep(store::CHECKPOINT_INTERVAL);
    }
    assert!(store.verify_audit().unwrap().problems.is_empty());
}
