//! PostgreSQL errors in words a person can act on: what is wrong and where, not `db error`.

use std::error::Error as _;
use std::io::ErrorKind;

use postgres::config::Host;
use postgres::error::SqlState;

/// Where a connection goes, for messages (never the password).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgTarget {
    /// `HOST:PORT` (several joined by commas; a Unix socket directory as its path).
    pub at: String,
    /// The user.
    pub user: String,
    /// The database.
    pub database: String,
}

impl PgTarget {
    /// The target of a connection URL, or what is wrong with the URL.
    pub(crate) fn of(config: &postgres::Config) -> Self {
        let ports = config.get_ports();
        let at = config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
                match host {
                    Host::Tcp(name) => format!("{name}:{port}"),
                    Host::Unix(path) => format!("{}:{port}", path.display()),
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        let user = config.get_user().unwrap_or_default().to_owned();
        let database = config.get_dbname().unwrap_or(&user).to_owned();
        PgTarget { at, user, database }
    }
}

/// A failed connection to `target`.
pub(crate) fn describe_connect(target: &PgTarget, e: &postgres::Error) -> String {
    let PgTarget { at, user, database } = target;
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        return if *code == SqlState::INVALID_CATALOG_NAME {
            format!("database {database} does not exist at {at}")
        } else if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            format!(
                "authentication failed for user {user} at {at}: {} (SQLSTATE {})",
                db.message(),
                code.code()
            )
        } else {
            format!("cannot connect to {at}: {}", describe(e))
        };
    }
    let io = e.source().and_then(|s| s.downcast_ref::<std::io::Error>());
    match io.map(std::io::Error::kind) {
        Some(ErrorKind::ConnectionRefused) => {
            format!("connection refused at {at}: is PostgreSQL running and listening there?")
        }
        Some(_) => format!("cannot connect to {at}: {}", describe(e)),
        None if e.to_string() == "authentication error" => {
            format!(
                "authentication failed for user {user} at {at}: {}",
                describe(e)
            )
        }
        None => format!("cannot connect to {at}: {}", describe(e)),
    }
}

/// Any PostgreSQL error: the server's message with its SQLSTATE, detail and hint; or the
/// client's error and its cause.
pub(crate) fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut text = format!("{} (SQLSTATE {})", db.message(), db.code().code());
        if let Some(detail) = db.detail() {
            text += &format!("; {detail}");
        }
        if let Some(hint) = db.hint() {
            text += &format!("; hint: {hint}");
        }
        return text;
    }
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text += &format!(": {c}");
        cause = c.source();
    }
    text
}
