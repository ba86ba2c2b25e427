//! The embedded default: one SQLite file, WAL, `synchronous=FULL`.

use std::path::Path;

use ledger::journal::{GENESIS, Hash};
use ledger::{Account, Changes, Ledger, PendingStatus};
use std::io::Read;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};

use crate::backend::{
    ACCOUNT_COLUMNS, AUDIT_COLUMNS, Backend, Head, JournalRow, Param, RECORD_COLUMNS, ScanVisitor,
    TRANSFER_COLUMNS, TransferRow, account_from_raw, account_to_raw, hash_from, record_from_parts,
    records_sql, to_i64, to_u64, transfer_from_raw, transfer_to_raw, written_from,
};
use crate::heads::{Anchors, Heads};
use crate::migrations::MIGRATIONS;
use crate::migrations::RECORDS_BOUND_VERSION;
use crate::records::{
    AuditRow, KEYS_TABLE, RECORDS_TABLE, Record, RecordQuery, binding_rows, encode_written,
    is_keyed, table_of, visit_scanned,
};
use crate::{Opening, StoreError};

/// Most prepared statements a connection keeps.
const STATEMENTS_CACHED_MAX: usize = 128;
/// WAL pages past which the writer's own connection checkpoints them into the database (its
/// default is 1,000), in its commit. The store's checkpointer thread does it first, beside the
/// writer (`store::CHECKPOINT_INTERVAL`): this is the backstop if it falls behind.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 50_000;
/// Page cache size in KiB, per connection. Small on purpose: at the end of every write
/// transaction SQLite truncates the connection's cache (`pager_end_transaction`), and the
/// truncation often walks the cache's whole hash table; with 64 MiB that walk was a fifth of
/// the writer's CPU (measured: 2,340 → 2,840 claims/s and 728 → 596 µs of CPU a claim at 16
/// clients with 2 MiB). A reader's cache is dropped whenever another connection committed, so
/// it gains nothing from size either; the operating system's page cache holds the file.
const CACHE_KIB: u32 = 2 * 1024;
/// How long a writer waits for another process's lock.
const BUSY_TIMEOUT_MS: u32 = 10_000;

/// A connection to a SQLite database file.
#[derive(Debug)]
pub struct Sqlite {
    conn: Connection,
}

impl Sqlite {
    /// Opens (and, unless only an existing one will do, creates and migrates) the database
    /// at `path`.
    pub fn open(path: &Path, opening: Opening) -> Result<Self, StoreError> {
        let conn = match opening {
            Opening::Create => Connection::open(path)?,
            Opening::Existing => {
                check_file(path)?;
                let flags = OpenFlags::default().difference(OpenFlags::SQLITE_OPEN_CREATE);
                let conn = Connection::open_with_flags(path, flags)?;
                check_schema(&conn, path)?;
                conn
            }
        };
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};
             PRAGMA cache_size = -{CACHE_KIB};
             PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES};"
        ))?;
        // Plans that do not depend on the values bound. Without it SQLite reads a bound LIMIT
        // while planning and prepares the statement again whenever that parameter is bound:
        // the writer's query of due transfers was parsed and planned at every batch, a tenth
        // of the writer's time.
        if !conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)? {
            return Err(StoreError::Config(format!(
                "{}: SQLite refused a stable query planner (SQLITE_DBCONFIG_ENABLE_QPSG)",
                path.display()
            )));
        }
        // Every statement the store runs stays prepared (rusqlite keeps 16 by default, fewer
        // than the store has: the rest were parsed again at every use).
        conn.set_prepared_statement_cache_capacity(STATEMENTS_CACHED_MAX);
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Config(format!(
                "{}: SQLite refused WAL mode (journal_mode is {mode})",
                path.display()
            )));
        }
        let mut db = Sqlite { conn };
        if opening == Opening::Create {
            db.migrate()?;
        }
        Ok(db)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = (|| {
            self.conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version INTEGER PRIMARY KEY, name TEXT NOT NULL)",
            )?;
            let current: i64 = self.conn.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )?;
            crate::migrations::check_known(current)?;
            for m in MIGRATIONS.iter().filter(|m| m.version > current) {
                self.conn.execute_batch(m.sqlite)?;
                self.conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
                    params![m.version, m.name],
                )?;
                if m.version == RECORDS_BOUND_VERSION {
                    self.bind_records_found()?;
                }
            }
            Ok(())
        })();
        self.finish(result)
    }

    /// In the migration's transaction: binds the records a database upgraded to
    /// [`RECORDS_BOUND_VERSION`] holds already (none in a new one) to the audit chain.
    fn bind_records_found(&mut self) -> Result<(), StoreError> {
        let mut written = Vec::new();
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {RECORD_COLUMNS} FROM records ORDER BY kind, id"
        ))?;
        for raw in stmt.query_map([], record_row)? {
            let (text, version, at) = raw?;
            written.push(record_from_parts(text, version, at)?.written());
        }
        drop(stmt);
        if written.is_empty() {
            return Ok(());
        }
        let at: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(at), 0) FROM audit", [], |r| r.get(0))?;
        let head = self.audit_head()?;
        let rows = binding_rows(head, to_u64(at, "audit.at")?, &written);
        self.append_audit(&rows)
    }

    fn finish(&mut self, result: Result<(), StoreError>) -> Result<(), StoreError> {
        match result {
            Ok(()) => Ok(self.conn.prepare_cached("COMMIT")?.execute([]).map(drop)?),
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }

    /// The hash of entry `seq` of `table` (`audit` or `journal`); zero for position 0.
    fn hash_at(&self, table: &str, seq: u64) -> Result<Option<Hash>, StoreError> {
        if seq == 0 {
            return Ok(Some(GENESIS));
        }
        let Ok(seq) = i64::try_from(seq) else {
            return Ok(None);
        };
        let hash: Option<Vec<u8>> = self
            .conn
            .prepare_cached(&format!("SELECT hash FROM {table} WHERE seq = ?1"))?
            .query_row([seq], |r| r.get(0))
            .optional()?;
        hash.map(|h| hash_from(&h, &format!("{table}.hash")))
            .transpose()
    }

    fn head(&self) -> Result<Head, StoreError> {
        let (seq, hash, last): (i64, Vec<u8>, i64) = self
            .conn
            .prepare_cached("SELECT seq, hash, last_timestamp FROM head WHERE id = 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(Head {
            seq: to_u64(seq, "head.seq")?,
            hash: hash_from(&hash, "head.hash")?,
            last_timestamp: to_u64(last, "head.last_timestamp")?,
        })
    }
}

/// The writer's query of pending transfers due to expire, at every batch.
fn load_due_sql() -> String {
    format!(
        "SELECT {TRANSFER_COLUMNS} FROM transfers
         WHERE pending_status = 1 AND expires_at IS NOT NULL AND expires_at <= ?1
         ORDER BY expires_at, id LIMIT ?2"
    )
}

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Refuses a path where no SQLite database is, before SQLite would create one there.
fn check_file(path: &Path) -> Result<(), StoreError> {
    let shown = path.display();
    let not_ours =
        |why: &str| StoreError::Config(format!("{shown} is not a Clearhouse database ({why})"));
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Config(format!("no database at {shown}")));
        }
        Err(e) => return Err(StoreError::Config(format!("{shown}: {e}"))),
    };
    if metadata.is_dir() {
        return Err(not_ours("it is a directory"));
    }
    if metadata.len() == 0 {
        return Err(not_ours("the file is empty"));
    }
    let mut header = Vec::with_capacity(SQLITE_HEADER.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(SQLITE_HEADER.len() as u64).read_to_end(&mut header))
        .map_err(|e| StoreError::Config(format!("{shown}: {e}")))?;
    if header != SQLITE_HEADER {
        return Err(not_ours("not a SQLite file"));
    }
    Ok(())
}

/// Refuses a SQLite database without this build's schema.
fn check_schema(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let shown = path.display();
    let tables: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    if tables == 0 {
        return Err(StoreError::Config(format!(
            "{shown} is not a Clearhouse database (a SQLite file without its schema)"
        )));
    }
    let current: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    crate::migrations::check_current(current, &shown.to_string())
}

fn account_row(r: &Row<'_>) -> rusqlite::Result<[i64; 11]> {
    let mut v = [0; 11];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = r.get(i)?;
    }
    Ok(v)
}

type RawTransfer = ([i64; 12], Option<i64>, Option<i64>);

fn transfer_row(r: &Row<'_>) -> rusqlite::Result<RawTransfer> {
    let mut v = [0; 12];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = r.get(i)?;
    }
    Ok((v, r.get(12)?, r.get(13)?))
}

/// seq, timestamp, prev_hash, hash, body.
type RawJournal = (i64, i64, Vec<u8>, Vec<u8>, Vec<u8>);

fn journal_row(r: &Row<'_>) -> rusqlite::Result<RawJournal> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn journal_from_raw(raw: RawJournal) -> Result<JournalRow, StoreError> {
    let (seq, timestamp, prev_hash, hash, body) = raw;
    Ok(JournalRow {
        seq: to_u64(seq, "journal.seq")?,
        timestamp: to_u64(timestamp, "journal.timestamp")?,
        prev_hash: hash_from(&prev_hash, "journal.prev_hash")?,
        hash: hash_from(&hash, "journal.hash")?,
        body,
    })
}

fn record_row(r: &Row<'_>) -> rusqlite::Result<([String; 6], i64, i64)> {
    Ok((
        [
            r.get(0)?,
            r.get(1)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(7)?,
        ],
        r.get(2)?,
        r.get(6)?,
    ))
}

type RawAudit = (i64, i64, [String; 5], Vec<u8>, Vec<u8>);

fn audit_row(r: &Row<'_>) -> rusqlite::Result<RawAudit> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(8)?],
        r.get(6)?,
        r.get(7)?,
    ))
}

fn audit_from_raw(raw: RawAudit) -> Result<AuditRow, StoreError> {
    let (seq, at, [actor, action, subject, body, records], prev, hash) = raw;
    Ok(AuditRow {
        records: written_from(&records, seq)?,
        seq: to_u64(seq, "audit.seq")?,
        at: to_u64(at, "audit.at")?,
        actor,
        action,
        subject,
        body,
        prev_hash: hash_from(&prev, "audit.prev_hash")?,
        hash: hash_from(&hash, "audit.hash")?,
    })
}

fn sqlite_param(p: &Param) -> rusqlite::types::Value {
    match p {
        Param::Text(t) => rusqlite::types::Value::Text(t.clone()),
        Param::Int(i) => rusqlite::types::Value::Integer(*i),
    }
}

impl Backend for Sqlite {
    fn begin(&mut self) -> Result<Head, StoreError> {
        self.conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        self.head().inspect_err(|_| self.rollback())
    }

    fn load_accounts(&mut self, ids: &[u64]) -> Result<Vec<Account>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"
        ))?;
        let mut found = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Some(raw) = stmt.query_row([to_i64(id)], account_row).optional()? {
                found.push(account_from_raw(raw)?);
            }
        }
        Ok(found)
    }

    fn load_transfers(&mut self, ids: &[u64]) -> Result<Vec<TransferRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id = ?1"
        ))?;
        let mut found = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Some((v, s, e)) = stmt.query_row([to_i64(id)], transfer_row).optional()? {
                found.push(transfer_from_raw(v, s, e)?);
            }
        }
        Ok(found)
    }

    fn load_due(&mut self, timestamp: u64, limit: usize) -> Result<Vec<TransferRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&load_due_sql())?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![to_i64(timestamp), limit], transfer_row)?;
        rows.map(|raw| {
            let (v, s, e) = raw?;
            transfer_from_raw(v, s, e)
        })
        .collect()
    }

    fn write(
        &mut self,
        ledger: &Ledger,
        changes: &Changes,
        entry: &JournalRow,
    ) -> Result<(), StoreError> {
        let account = |id: u64| *ledger.account(id).expect("changed account is loaded");
        if !changes.accounts_created.is_empty() {
            let mut stmt = self.conn.prepare_cached(&format!(
                "INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ))?;
            for &id in &changes.accounts_created {
                stmt.execute(account_to_raw(&account(id)))?;
            }
        }
        if !changes.accounts_updated.is_empty() {
            let mut stmt = self.conn.prepare_cached(
                "UPDATE accounts SET debits_pending = ?2, debits_posted = ?3,
                     credits_pending = ?4, credits_posted = ?5 WHERE id = ?1",
            )?;
            for &id in &changes.accounts_updated {
                let a: Account = account(id);
                stmt.execute(params![
                    to_i64(a.id),
                    to_i64(a.debits_pending),
                    to_i64(a.debits_posted),
                    to_i64(a.credits_pending),
                    to_i64(a.credits_posted)
                ])?;
            }
        }
        if !changes.transfers_created.is_empty() {
            let mut stmt = self.conn.prepare_cached(&format!(
                "INSERT INTO transfers ({TRANSFER_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
            ))?;
            for &id in &changes.transfers_created {
                let t = ledger.transfer(id).expect("created transfer is loaded");
                let state = ledger.pending_state(id);
                let v = transfer_to_raw(t);
                stmt.execute(params![
                    v[0],
                    v[1],
                    v[2],
                    v[3],
                    v[4],
                    v[5],
                    v[6],
                    v[7],
                    v[8],
                    v[9],
                    v[10],
                    v[11],
                    state.map(|s| i64::from(s.status.code())),
                    state.and_then(|s| s.expires_at).map(to_i64),
                ])?;
            }
        }
        if !changes.pending_updated.is_empty() {
            let mut stmt = self
                .conn
                .prepare_cached("UPDATE transfers SET pending_status = ?2 WHERE id = ?1")?;
            for &id in &changes.pending_updated {
                let status = ledger
                    .pending_state(id)
                    .map_or(PendingStatus::Pending, |s| s.status);
                stmt.execute(params![to_i64(id), i64::from(status.code())])?;
            }
        }
        self.conn
            .prepare_cached(
                "INSERT INTO journal (seq, timestamp, prev_hash, hash, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                to_i64(entry.seq),
                to_i64(entry.timestamp),
                &entry.prev_hash[..],
                &entry.hash[..],
                &entry.body
            ])?;
        Ok(())
    }

    fn commit(&mut self, head: &Head) -> Result<(), StoreError> {
        let result = self
            .conn
            .prepare_cached("UPDATE head SET seq = ?1, hash = ?2, last_timestamp = ?3 WHERE id = 1")
            .and_then(|mut s| {
                s.execute(params![
                    to_i64(head.seq),
                    &head.hash[..],
                    to_i64(head.last_timestamp)
                ])
            })
            .map(drop)
            .map_err(StoreError::from);
        self.finish(result)
    }

    fn rollback(&mut self) {
        if !self.conn.is_autocommit() {
            // A failed ROLLBACK leaves nothing to undo: SQLite rolled back already.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    fn is_closed(&self) -> bool {
        false
    }

    fn account_transfers(
        &mut self,
        account: u64,
        after_timestamp: u64,
        limit: usize,
    ) -> Result<Vec<TransferRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TRANSFER_COLUMNS} FROM transfers
             WHERE timestamp > ?2 AND (debit_account_id = ?1 OR credit_account_id = ?1)
             ORDER BY timestamp LIMIT ?3"
        ))?;
        let account = i64::try_from(account).unwrap_or(i64::MAX);
        let after = i64::try_from(after_timestamp).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![account, after, limit], transfer_row)?;
        rows.map(|raw| {
            let (v, s, e) = raw?;
            transfer_from_raw(v, s, e)
        })
        .collect()
    }

    fn scan(&mut self, visit: &mut dyn ScanVisitor) -> Result<(), StoreError> {
        // One read transaction: a consistent snapshot even while a writer goes on.
        self.conn.execute_batch("BEGIN DEFERRED")?;
        let result = (|| {
            visit.head(self.head()?);
            let mut stmt = self.conn.prepare(
                "SELECT seq, timestamp, prev_hash, hash, body FROM journal ORDER BY seq",
            )?;
            for raw in stmt.query_map([], journal_row)? {
                if !visit.journal(raw.map_err(StoreError::from).and_then(journal_from_raw)) {
                    break;
                }
            }
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT {TRANSFER_COLUMNS} FROM transfers"))?;
            for raw in stmt.query_map([], transfer_row)? {
                let row = raw.map_err(StoreError::from);
                visit.transfer(row.and_then(|(v, s, e)| transfer_from_raw(v, s, e)));
            }
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts"))?;
            for raw in stmt.query_map([], account_row)? {
                visit.account(raw.map_err(StoreError::from).and_then(account_from_raw));
            }
            Ok(())
        })();
        self.finish(result)
    }

    fn record_versions(&mut self, keys: &[(&str, &str)]) -> Result<Vec<Option<u64>>, StoreError> {
        let mut found = Vec::with_capacity(keys.len());
        for (kind, id) in keys {
            let version: Option<i64> = self
                .conn
                .prepare_cached(&format!(
                    "SELECT version FROM {} WHERE kind = ?1 AND id = ?2",
                    table_of(kind)
                ))?
                .query_row(params![kind, id], |r| r.get(0))
                .optional()?;
            found.push(version.map(|v| to_u64(v, "records.version")).transpose()?);
        }
        Ok(found)
    }

    fn put_records(&mut self, records: &[Record]) -> Result<(), StoreError> {
        for r in records {
            let mut stmt = self.conn.prepare_cached(&format!(
                "INSERT INTO {} ({RECORD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version,
                     status = excluded.status, party = excluded.party,
                     counterparty = excluded.counterparty, at = excluded.at, body = excluded.body",
                table_of(&r.kind)
            ))?;
            stmt.execute(params![
                r.kind,
                r.id,
                to_i64(r.version),
                r.status,
                r.party,
                r.counterparty,
                to_i64(r.at),
                r.body
            ])?;
        }
        Ok(())
    }

    fn audit_head(&mut self) -> Result<(u64, Hash), StoreError> {
        let (seq, hash): (i64, Vec<u8>) = self
            .conn
            .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok((
            to_u64(seq, "audit_head.seq")?,
            hash_from(&hash, "audit_head.hash")?,
        ))
    }

    fn append_audit(&mut self, rows: &[AuditRow]) -> Result<(), StoreError> {
        let Some(last) = rows.last() else {
            return Ok(());
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "INSERT INTO audit ({AUDIT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ))?;
        for row in rows {
            stmt.execute(params![
                to_i64(row.seq),
                to_i64(row.at),
                row.actor,
                row.action,
                row.subject,
                row.body,
                &row.prev_hash[..],
                &row.hash[..],
                encode_written(&row.records)
            ])?;
        }
        self.conn
            .prepare_cached("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1")?
            .execute(params![to_i64(last.seq), &last.hash[..]])?;
        Ok(())
    }

    fn record(&mut self, kind: &str, id: &str) -> Result<Option<Record>, StoreError> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM {} WHERE kind = ?1 AND id = ?2",
                table_of(kind)
            ))?
            .query_row(params![kind, id], record_row)
            .optional()?;
        raw.map(|(text, version, at)| record_from_parts(text, version, at))
            .transpose()
    }

    fn records_by_key(&mut self, keys: &[(&str, &str)]) -> Result<Vec<Option<Record>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // One primary-key search per key (SQLite scans the table for `(kind, id) IN (VALUES …)`),
        // in the table of each key's kind: a branch per table, in one statement (one snapshot).
        let (keyed, listed): (Vec<_>, Vec<_>) = keys.iter().partition(|(k, _)| is_keyed(k));
        let mut branches = Vec::new();
        let mut n = 0;
        for (table, keys) in [(RECORDS_TABLE, &listed), (KEYS_TABLE, &keyed)] {
            if keys.is_empty() {
                continue;
            }
            let pairs: Vec<String> = (0..keys.len())
                .map(|i| format!("(kind = ?{} AND id = ?{})", n + 2 * i + 1, n + 2 * i + 2))
                .collect();
            n += 2 * keys.len();
            branches.push(format!(
                "SELECT {RECORD_COLUMNS} FROM {table} WHERE {}",
                pairs.join(" OR ")
            ));
        }
        let sql = branches.join(" UNION ALL ");
        let values: Vec<&str> = listed
            .iter()
            .chain(&keyed)
            .flat_map(|(k, i)| [*k, *i])
            .collect();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), record_row)?;
        let records = rows
            .map(|raw| {
                let (text, version, at) = raw?;
                record_from_parts(text, version, at)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(crate::backend::by_key(keys, records))
    }

    fn records(&mut self, query: &RecordQuery) -> Result<Vec<Record>, StoreError> {
        let (sql, params) = records_sql(query, |n| format!("?{n}"));
        let values: Vec<rusqlite::types::Value> = params.iter().map(sqlite_param).collect();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), record_row)?;
        rows.map(|raw| {
            let (text, version, at) = raw?;
            record_from_parts(text, version, at)
        })
        .collect()
    }

    fn checkpoint(&mut self) -> Result<(), StoreError> {
        // One row: whether it could not finish, the log's frames, the frames copied.
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    fn records_by_id(
        &mut self,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        let sql = crate::backend::records_by_id_sql(table_of(kind), |n| format!("?{n}"));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![kind, after, limit], record_row)?;
        rows.map(|raw| {
            let (text, version, at) = raw?;
            record_from_parts(text, version, at)
        })
        .collect()
    }

    fn count_by_status(&mut self, kind: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let sql = crate::backend::COUNT_BY_STATUS_SQL.replace("$1", "?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![kind], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        rows.map(|r| {
            let (status, n) = r?;
            Ok((status, u64::try_from(n).unwrap_or(0)))
        })
        .collect()
    }

    fn audit_rows(
        &mut self,
        after_seq: u64,
        subject: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit
             WHERE seq > ?1 AND (?2 IS NULL OR subject = ?2) ORDER BY seq LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![after, subject, limit], audit_row)?;
        rows.map(|raw| audit_from_raw(raw?)).collect()
    }

    fn anchors(&mut self, audit_seq: u64, ledger_seq: u64) -> Result<Anchors, StoreError> {
        self.conn.execute_batch("BEGIN DEFERRED")?;
        let mut anchors = None;
        let result = (|| {
            let ledger = self.head()?;
            let audit = self.audit_head()?;
            anchors = Some(Anchors {
                heads: Heads {
                    audit,
                    ledger: (ledger.seq, ledger.hash),
                },
                audit_at: self.hash_at("audit", audit_seq)?,
                ledger_at: self.hash_at("journal", ledger_seq)?,
            });
            Ok(())
        })();
        self.finish(result)?;
        anchors.ok_or_else(|| StoreError::corrupt("no heads read".to_owned()))
    }

    fn scan_audit(
        &mut self,
        audit: &mut dyn FnMut(Result<AuditRow, StoreError>) -> bool,
        records: &mut dyn FnMut(Result<Record, StoreError>),
    ) -> Result<(u64, Hash), StoreError> {
        self.conn.execute_batch("BEGIN DEFERRED")?;
        let mut head = (0, [0; 32]);
        let result = (|| {
            head = self.audit_head()?;
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT {AUDIT_COLUMNS} FROM audit ORDER BY seq"))?;
            for raw in stmt.query_map([], audit_row)? {
                if !audit(raw.map_err(StoreError::from).and_then(audit_from_raw)) {
                    break;
                }
            }
            for table in [RECORDS_TABLE, KEYS_TABLE] {
                let mut stmt = self
                    .conn
                    .prepare(&format!("SELECT {RECORD_COLUMNS} FROM {table}"))?;
                for raw in stmt.query_map([], record_row)? {
                    let row = raw.map_err(StoreError::from);
                    let row =
                        row.and_then(|(text, version, at)| record_from_parts(text, version, at));
                    visit_scanned(table, row, records);
                }
            }
            Ok(())
        })();
        self.finish(result)?;
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;

    /// The statements run at every batch are planned once: binding new values (a LIMIT above
    /// all, which SQLite otherwise reads while planning) does not prepare them again.
    #[test]
    fn bound_values_do_not_prepare_a_statement_again() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut db = Sqlite::open(&dir.path().join("t.db"), Opening::Create).expect("opens");
        for (timestamp, limit) in [(1, 10), (2, 20), (3, 30)] {
            db.load_due(timestamp, limit).expect("reads");
        }
        let reprepared = db
            .conn
            .prepare_cached(&load_due_sql())
            .expect("cached")
            .get_status(StatementStatus::RePrepare);
        assert_eq!(reprepared, 0, "the due transfers' query was prepared again");
    }
}
