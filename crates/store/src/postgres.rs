//! PostgreSQL: the same schema and behaviour as SQLite, for more than one machine.
//!
//! Each batch costs a fixed number of round trips whatever its size: rows are loaded with
//! `= ANY($1)` and written with `UNNEST` over arrays, one statement per table.

use ledger::journal::{GENESIS, Hash};
use ledger::{Account, Changes, Ledger, PendingStatus};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls, Row, Statement};

use crate::backend::{
    ACCOUNT_COLUMNS, AUDIT_COLUMNS, Backend, Head, JournalRow, Param, RECORD_COLUMNS, ScanVisitor,
    TRANSFER_COLUMNS, TransferRow, account_from_raw, account_to_raw, hash_from, record_from_parts,
    records_sql, to_i64, to_u64, transfer_from_raw, transfer_to_raw, written_from,
};
use crate::heads::{Anchors, Heads};
use crate::migrations::{MIGRATIONS, RECORDS_BOUND_VERSION};
use crate::pg_error::PgTarget;
use crate::records::{
    AuditRow, KEYS_TABLE, RECORDS_TABLE, Record, RecordQuery, binding_rows, encode_written,
    is_keyed, table_of, visit_scanned,
};
use crate::{Opening, StoreError};

/// Advisory lock key that serialises migrations across processes ("CLRHOUSE" in ASCII).
const MIGRATION_LOCK: i64 = 0x434C_5248_4F55_5345;

/// Every statement of a connection is planned for the values of each execution. Left to
/// itself, PostgreSQL runs a prepared statement with a generic plan (made once, for any values)
/// after five executions when that plan looks no dearer: one made while a table is small scans
/// it whole (a hash join of `records` or `transfers` with the keys asked), and goes on scanning
/// it on every commit as the table grows, until statistics happen to be renewed. Measured: a
/// house of 12,000 claims read every record on each of 15,000 changes (240 million rows).
const CUSTOM_PLANS_SQL: &str = "SET plan_cache_mode = force_custom_plan";

/// A connection to PostgreSQL with its prepared statements.
pub struct Postgres {
    client: Client,
    in_transaction: bool,
    s: Statements,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres").finish_non_exhaustive()
    }
}

/// Reads one record from `table`.
fn record_sql(table: &str) -> String {
    format!("SELECT {RECORD_COLUMNS} FROM {table} WHERE kind = $1 AND id = $2")
}

/// Records by key: the listed ones' keys in `$1`, `$2`, the keyed ones' in `$3`, `$4`.
fn records_by_key_sql() -> String {
    let branch = |table: &str, kinds: u8, ids: u8| {
        format!(
            "SELECT r.kind, r.id, r.version, r.status, r.party, r.counterparty, r.at, r.body
             FROM {table} r
             JOIN (SELECT DISTINCT * FROM UNNEST(${kinds}::text[], ${ids}::text[])) AS k(kind, id)
               ON r.kind = k.kind AND r.id = k.id"
        )
    };
    format!(
        "{} UNION ALL {}",
        branch(RECORDS_TABLE, 1, 2),
        branch(KEYS_TABLE, 3, 4)
    )
}

/// The versions of records by key, keys split as in [`records_by_key_sql`].
fn record_versions_sql() -> String {
    let branch = |table: &str, kinds: u8, ids: u8| {
        format!(
            "SELECT r.kind, r.id, r.version FROM {table} r
             JOIN UNNEST(${kinds}::text[], ${ids}::text[]) AS k(kind, id)
               ON r.kind = k.kind AND r.id = k.id"
        )
    };
    format!(
        "{} UNION ALL {}",
        branch(RECORDS_TABLE, 1, 2),
        branch(KEYS_TABLE, 3, 4)
    )
}

/// Writes records to `table`, each replacing the one of its key.
fn put_records_sql(table: &str) -> String {
    format!(
        "INSERT INTO {table} ({RECORD_COLUMNS})
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[],
                              $6::text[], $7::int8[], $8::text[])
         ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version,
             status = excluded.status, party = excluded.party,
             counterparty = excluded.counterparty, at = excluded.at, body = excluded.body"
    )
}

/// `keys` split by table (listed kinds first), as the parameters of [`records_by_key_sql`].
fn split_keys<'k>(keys: &[(&'k str, &'k str)]) -> [Vec<&'k str>; 4] {
    let mut split: [Vec<&str>; 4] = Default::default();
    for (kind, id) in keys {
        let at = if is_keyed(kind) { 2 } else { 0 };
        split[at].push(kind);
        split[at + 1].push(id);
    }
    split
}

/// The audit journal's head.
const AUDIT_HEAD_SQL: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

/// Appends audit rows.
fn insert_audit_sql() -> String {
    format!(
        "INSERT INTO audit ({AUDIT_COLUMNS})
         SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::bytea[], $8::bytea[], $9::text[])"
    )
}

/// Moves the audit journal's head.
const UPDATE_AUDIT_HEAD_SQL: &str = "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1";

/// Writes `records` (of one table) with `statement`, one of [`put_records_sql`].
fn put_rows(
    client: &mut Client,
    statement: &Statement,
    records: &[&Record],
) -> Result<(), StoreError> {
    let text = |f: fn(&Record) -> &String| -> Vec<&str> {
        records.iter().map(|r| f(r).as_str()).collect()
    };
    let (kinds, ids, statuses) = (text(|r| &r.kind), text(|r| &r.id), text(|r| &r.status));
    let (parties, others, bodies) = (
        text(|r| &r.party),
        text(|r| &r.counterparty),
        text(|r| &r.body),
    );
    let versions: Vec<i64> = records.iter().map(|r| to_i64(r.version)).collect();
    let ats: Vec<i64> = records.iter().map(|r| to_i64(r.at)).collect();
    client.execute(
        statement,
        &[
            &kinds, &ids, &versions, &statuses, &parties, &others, &ats, &bodies,
        ],
    )?;
    Ok(())
}

struct Statements {
    head: Statement,
    head_for_update: Statement,
    accounts: Statement,
    transfers: Statement,
    due: Statement,
    insert_accounts: Statement,
    update_accounts: Statement,
    insert_transfers: Statement,
    update_pending: Statement,
    insert_journal: Statement,
    update_head: Statement,
    account_transfers: Statement,
    record: Statement,
    record_keyed: Statement,
    records_by_key: Statement,
    record_versions: Statement,
    put_records: Statement,
    put_keyed: Statement,
    audit_head: Statement,
    insert_audit: Statement,
    update_audit_head: Statement,
}

fn unnest(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}::int8[]"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Postgres {
    /// Connects, and (unless only an existing schema will do) on first use creates and
    /// migrates the schema.
    pub fn connect(url: &str, opening: Opening) -> Result<Self, StoreError> {
        let config: postgres::Config = url.parse().map_err(|e| {
            StoreError::Config(format!(
                "database URL {}: {}",
                crate::Location::Postgres(url.to_owned()),
                crate::pg_error::describe(&e)
            ))
        })?;
        let target = PgTarget::of(&config);
        let mut client = config
            .connect(NoTls)
            .map_err(|e| StoreError::PostgresConnect {
                target: target.clone(),
                error: std::sync::Arc::new(e),
            })?;
        plan_each_execution(&mut client)?;
        match opening {
            Opening::Create => migrate(&mut client)?,
            Opening::Existing => check_schema(&mut client)?,
        }
        let s = Statements {
            head: client.prepare("SELECT seq, hash, last_timestamp FROM head WHERE id = 1")?,
            head_for_update: client
                .prepare("SELECT seq, hash, last_timestamp FROM head WHERE id = 1 FOR UPDATE")?,
            accounts: client.prepare(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ANY($1)"))?,
            transfers: client.prepare(&format!("SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id = ANY($1)"))?,
            due: client.prepare(&format!(
                "SELECT {TRANSFER_COLUMNS} FROM transfers
                 WHERE pending_status = 1 AND expires_at IS NOT NULL AND expires_at <= $1
                 ORDER BY expires_at, id LIMIT $2"
            ))?,
            insert_accounts: client.prepare(&format!(
                "INSERT INTO accounts ({ACCOUNT_COLUMNS}) SELECT * FROM UNNEST({})",
                unnest(11)
            ))?,
            update_accounts: client.prepare(&format!(
                "UPDATE accounts AS a SET debits_pending = u.dp, debits_posted = u.dpo,
                     credits_pending = u.cp, credits_posted = u.cpo
                 FROM UNNEST({}) AS u(id, dp, dpo, cp, cpo) WHERE a.id = u.id",
                unnest(5)
            ))?,
            insert_transfers: client.prepare(&format!(
                "INSERT INTO transfers ({TRANSFER_COLUMNS}) SELECT * FROM UNNEST({})",
                unnest(14)
            ))?,
            update_pending: client.prepare(&format!(
                "UPDATE transfers AS t SET pending_status = u.status
                 FROM UNNEST({}) AS u(id, status) WHERE t.id = u.id",
                unnest(2)
            ))?,
            insert_journal: client.prepare(
                "INSERT INTO journal (seq, timestamp, prev_hash, hash, body) VALUES ($1, $2, $3, $4, $5)",
            )?,
            update_head: client
                .prepare("UPDATE head SET seq = $1, hash = $2, last_timestamp = $3 WHERE id = 1")?,
            account_transfers: client.prepare(&format!(
                "SELECT {TRANSFER_COLUMNS} FROM transfers
                 WHERE timestamp > $2 AND (debit_account_id = $1 OR credit_account_id = $1)
                 ORDER BY timestamp LIMIT $3"
            ))?,
            record: client.prepare(&record_sql(RECORDS_TABLE))?,
            record_keyed: client.prepare(&record_sql(KEYS_TABLE))?,
            records_by_key: client.prepare(&records_by_key_sql())?,
            record_versions: client.prepare(&record_versions_sql())?,
            put_records: client.prepare(&put_records_sql(RECORDS_TABLE))?,
            put_keyed: client.prepare(&put_records_sql(KEYS_TABLE))?,
            audit_head: client.prepare(AUDIT_HEAD_SQL)?,
            insert_audit: client.prepare(&insert_audit_sql())?,
            update_audit_head: client.prepare(UPDATE_AUDIT_HEAD_SQL)?,
        };
        Ok(Postgres {
            client,
            in_transaction: false,
            s,
        })
    }

    /// The hash of entry `seq` of `table` (`audit` or `journal`); zero for position 0.
    fn hash_at(&mut self, table: &str, seq: u64) -> Result<Option<Hash>, StoreError> {
        if seq == 0 {
            return Ok(Some(GENESIS));
        }
        let Ok(seq) = i64::try_from(seq) else {
            return Ok(None);
        };
        let row = self
            .client
            .query_opt(&format!("SELECT hash FROM {table} WHERE seq = $1"), &[&seq])?;
        row.map(|row| {
            let hash: Vec<u8> = row.try_get(0)?;
            hash_from(&hash, &format!("{table}.hash"))
        })
        .transpose()
    }

    fn read_head(&mut self, for_update: bool) -> Result<Head, StoreError> {
        let statement = if for_update {
            &self.s.head_for_update
        } else {
            &self.s.head
        };
        let row = self.client.query_one(statement, &[])?;
        let hash: Vec<u8> = row.try_get(1)?;
        Ok(Head {
            seq: to_u64(row.try_get(0)?, "head.seq")?,
            hash: hash_from(&hash, "head.hash")?,
            last_timestamp: to_u64(row.try_get(2)?, "head.last_timestamp")?,
        })
    }
}

/// Has the session plan every statement for the values it runs with ([`CUSTOM_PLANS_SQL`]).
/// A server without the setting (PostgreSQL before 12, some engines speaking its protocol) runs
/// as it is, with a warning.
fn plan_each_execution(client: &mut Client) -> Result<(), StoreError> {
    match client.batch_execute(CUSTOM_PLANS_SQL) {
        Ok(()) => Ok(()),
        Err(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_OBJECT) => {
            tracing::warn!(
                error = %crate::pg_error::describe(&e),
                "the server plans prepared statements its own way: statements reading by key may scan their table"
            );
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// Refuses a database (or the schema the search path names) without this build's schema.
fn check_schema(client: &mut Client) -> Result<(), StoreError> {
    let row = client.query_one(
        "SELECT current_database()::text, current_schema()::text,
                to_regclass('schema_migrations') IS NOT NULL",
        &[],
    )?;
    let database: String = row.try_get(0)?;
    let schema: Option<String> = row.try_get(1)?;
    let what = format!(
        "database {database} (schema {})",
        schema.as_deref().unwrap_or("none")
    );
    if !row.try_get::<_, bool>(2)? {
        return Err(StoreError::Config(format!(
            "{what} holds no Clearhouse database"
        )));
    }
    let current: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::int8 FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    crate::migrations::check_current(current, &what)
}

/// In the migration's transaction: binds the records a database upgraded to
/// [`RECORDS_BOUND_VERSION`] holds already (none in a new one) to the audit chain.
fn bind_records_found(tx: &mut postgres::Transaction<'_>) -> Result<(), StoreError> {
    let none: [&(dyn ToSql + Sync); 0] = [];
    let mut written = Vec::new();
    let mut rows = tx.query_raw(
        &format!("SELECT {RECORD_COLUMNS} FROM records ORDER BY kind, id"),
        none,
    )?;
    while let Some(row) = rows.next()? {
        written.push(record_row(&row)?.written());
    }
    drop(rows);
    if written.is_empty() {
        return Ok(());
    }
    let at: i64 = tx
        .query_one("SELECT COALESCE(MAX(at), 0)::int8 FROM audit", &[])?
        .try_get(0)?;
    let head = tx.query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?;
    let hash: Vec<u8> = head.try_get(1)?;
    let head = (
        to_u64(head.try_get(0)?, "audit_head.seq")?,
        hash_from(&hash, "audit_head.hash")?,
    );
    insert_audit(
        tx,
        &binding_rows(head, to_u64(at, "audit.at")?, &written),
        (insert_audit_sql().as_str(), UPDATE_AUDIT_HEAD_SQL),
    )
}

/// Appends audit rows and moves the audit head to the last.
/// Appends audit rows and moves the head, with the statements `insert` ([`insert_audit_sql`])
/// and `update` ([`UPDATE_AUDIT_HEAD_SQL`]), prepared or as text.
fn insert_audit<I, U>(
    client: &mut impl GenericClient,
    rows: &[AuditRow],
    (insert, update): (&I, &U),
) -> Result<(), StoreError>
where
    I: postgres::ToStatement + ?Sized,
    U: postgres::ToStatement + ?Sized,
{
    let Some(last) = rows.last() else {
        return Ok(());
    };
    let seqs: Vec<i64> = rows.iter().map(|r| to_i64(r.seq)).collect();
    let ats: Vec<i64> = rows.iter().map(|r| to_i64(r.at)).collect();
    let text =
        |f: fn(&AuditRow) -> &String| -> Vec<&str> { rows.iter().map(|r| f(r).as_str()).collect() };
    let (actors, actions, subjects, bodies) = (
        text(|r| &r.actor),
        text(|r| &r.action),
        text(|r| &r.subject),
        text(|r| &r.body),
    );
    let prevs: Vec<&[u8]> = rows.iter().map(|r| &r.prev_hash[..]).collect();
    let hashes: Vec<&[u8]> = rows.iter().map(|r| &r.hash[..]).collect();
    let records: Vec<String> = rows.iter().map(|r| encode_written(&r.records)).collect();
    client.execute(
        insert,
        &[
            &seqs, &ats, &actors, &actions, &subjects, &bodies, &prevs, &hashes, &records,
        ],
    )?;
    client.execute(update, &[&to_i64(last.seq), &&last.hash[..]])?;
    Ok(())
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
    )?;
    let current: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::int8 FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    crate::migrations::check_known(current)?;
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.batch_execute(m.postgres)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )?;
        if m.version == RECORDS_BOUND_VERSION {
            bind_records_found(&mut tx)?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn account_raw(row: &Row) -> Result<[i64; 11], StoreError> {
    let mut v = [0; 11];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = row.try_get(i)?;
    }
    Ok(v)
}

fn journal_row(row: &Row) -> Result<JournalRow, StoreError> {
    let prev: Vec<u8> = row.try_get(2)?;
    let hash: Vec<u8> = row.try_get(3)?;
    Ok(JournalRow {
        seq: to_u64(row.try_get(0)?, "journal.seq")?,
        timestamp: to_u64(row.try_get(1)?, "journal.timestamp")?,
        prev_hash: hash_from(&prev, "journal.prev_hash")?,
        hash: hash_from(&hash, "journal.hash")?,
        body: row.try_get(4)?,
    })
}

fn transfer_row(row: &Row) -> Result<TransferRow, StoreError> {
    let mut v = [0; 12];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = row.try_get(i)?;
    }
    transfer_from_raw(v, row.try_get(12)?, row.try_get(13)?)
}

/// Columns of rows, for `UNNEST`.
fn columns<const N: usize>(rows: impl Iterator<Item = [i64; N]>) -> Vec<Vec<i64>> {
    let mut cols = vec![Vec::new(); N];
    for row in rows {
        for (col, v) in cols.iter_mut().zip(row) {
            col.push(v);
        }
    }
    cols
}

fn params(cols: &[Vec<i64>]) -> Vec<&(dyn ToSql + Sync)> {
    cols.iter().map(|c| c as &(dyn ToSql + Sync)).collect()
}

fn record_row(row: &Row) -> Result<Record, StoreError> {
    record_from_parts(
        [
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(3)?,
            row.try_get(4)?,
            row.try_get(5)?,
            row.try_get(7)?,
        ],
        row.try_get(2)?,
        row.try_get(6)?,
    )
}

fn audit_row(row: &Row) -> Result<AuditRow, StoreError> {
    let prev: Vec<u8> = row.try_get(6)?;
    let hash: Vec<u8> = row.try_get(7)?;
    let seq: i64 = row.try_get(0)?;
    let records: String = row.try_get(8)?;
    Ok(AuditRow {
        records: written_from(&records, seq)?,
        seq: to_u64(seq, "audit.seq")?,
        at: to_u64(row.try_get(1)?, "audit.at")?,
        actor: row.try_get(2)?,
        action: row.try_get(3)?,
        subject: row.try_get(4)?,
        body: row.try_get(5)?,
        prev_hash: hash_from(&prev, "audit.prev_hash")?,
        hash: hash_from(&hash, "audit.hash")?,
    })
}

impl Backend for Postgres {
    fn begin(&mut self) -> Result<Head, StoreError> {
        self.client.batch_execute("BEGIN")?;
        self.in_transaction = true;
        self.read_head(true)
    }

    fn load_accounts(&mut self, ids: &[u64]) -> Result<Vec<Account>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = ids.iter().map(|&id| to_i64(id)).collect();
        let rows = self.client.query(&self.s.accounts, &[&ids])?;
        rows.iter()
            .map(|row| account_raw(row).and_then(account_from_raw))
            .collect()
    }

    fn load_transfers(&mut self, ids: &[u64]) -> Result<Vec<TransferRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = ids.iter().map(|&id| to_i64(id)).collect();
        let rows = self.client.query(&self.s.transfers, &[&ids])?;
        rows.iter().map(transfer_row).collect()
    }

    fn load_due(&mut self, timestamp: u64, limit: usize) -> Result<Vec<TransferRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(&self.s.due, &[&to_i64(timestamp), &limit])?;
        rows.iter().map(transfer_row).collect()
    }

    fn write(
        &mut self,
        ledger: &Ledger,
        changes: &Changes,
        entry: &JournalRow,
    ) -> Result<(), StoreError> {
        let account = |id: &u64| *ledger.account(*id).expect("changed account is loaded");
        if !changes.accounts_created.is_empty() {
            let cols = columns(
                changes
                    .accounts_created
                    .iter()
                    .map(|id| account_to_raw(&account(id))),
            );
            self.client
                .execute(&self.s.insert_accounts, &params(&cols))?;
        }
        if !changes.accounts_updated.is_empty() {
            let cols = columns(changes.accounts_updated.iter().map(|id| {
                let a = account(id);
                [
                    a.id,
                    a.debits_pending,
                    a.debits_posted,
                    a.credits_pending,
                    a.credits_posted,
                ]
                .map(to_i64)
            }));
            self.client
                .execute(&self.s.update_accounts, &params(&cols))?;
        }
        if !changes.transfers_created.is_empty() {
            let transfer = |id: &u64| ledger.transfer(*id).expect("created transfer is loaded");
            let cols = columns(
                changes
                    .transfers_created
                    .iter()
                    .map(|id| transfer_to_raw(transfer(id))),
            );
            let states = changes
                .transfers_created
                .iter()
                .map(|&id| ledger.pending_state(id));
            let (status, expires): (Vec<Option<i64>>, Vec<Option<i64>>) = states
                .map(|s| {
                    (
                        s.map(|s| i64::from(s.status.code())),
                        s.and_then(|s| s.expires_at).map(to_i64),
                    )
                })
                .unzip();
            let mut p = params(&cols);
            p.push(&status);
            p.push(&expires);
            self.client.execute(&self.s.insert_transfers, &p)?;
        }
        if !changes.pending_updated.is_empty() {
            let cols = columns(changes.pending_updated.iter().map(|&id| {
                let status = ledger
                    .pending_state(id)
                    .map_or(PendingStatus::Pending, |s| s.status);
                [to_i64(id), i64::from(status.code())]
            }));
            self.client
                .execute(&self.s.update_pending, &params(&cols))?;
        }
        self.client.execute(
            &self.s.insert_journal,
            &[
                &to_i64(entry.seq),
                &to_i64(entry.timestamp),
                &&entry.prev_hash[..],
                &&entry.hash[..],
                &entry.body,
            ],
        )?;
        Ok(())
    }

    fn commit(&mut self, head: &Head) -> Result<(), StoreError> {
        self.client.execute(
            &self.s.update_head,
            &[
                &to_i64(head.seq),
                &&head.hash[..],
                &to_i64(head.last_timestamp),
            ],
        )?;
        self.client.batch_execute("COMMIT")?;
        self.in_transaction = false;
        Ok(())
    }

    fn rollback(&mut self) {
        if std::mem::take(&mut self.in_transaction) {
            // If ROLLBACK fails the connection is gone, and the server rolled back for us.
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }

    fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn account_transfers(
        &mut self,
        account: u64,
        after_timestamp: u64,
        limit: usize,
    ) -> Result<Vec<TransferRow>, StoreError> {
        let account = i64::try_from(account).unwrap_or(i64::MAX);
        let after = i64::try_from(after_timestamp).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(&self.s.account_transfers, &[&account, &after, &limit])?;
        rows.iter().map(transfer_row).collect()
    }

    fn scan(&mut self, visit: &mut dyn ScanVisitor) -> Result<(), StoreError> {
        self.client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        self.in_transaction = true;
        let result = (|| {
            visit.head(self.read_head(false)?);
            let none: [&(dyn ToSql + Sync); 0] = [];
            let mut rows = self.client.query_raw(
                "SELECT seq, timestamp, prev_hash, hash, body FROM journal ORDER BY seq",
                none,
            )?;
            while let Some(row) = rows.next()? {
                if !visit.journal(journal_row(&row)) {
                    break;
                }
            }
            drop(rows);
            let mut rows = self
                .client
                .query_raw(&format!("SELECT {TRANSFER_COLUMNS} FROM transfers"), none)?;
            while let Some(row) = rows.next()? {
                visit.transfer(transfer_row(&row));
            }
            drop(rows);
            let mut rows = self
                .client
                .query_raw(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts"), none)?;
            while let Some(row) = rows.next()? {
                visit.account(account_raw(&row).and_then(account_from_raw));
            }
            Ok(())
        })();
        match result {
            Ok(()) => {
                self.client.batch_execute("COMMIT")?;
                self.in_transaction = false;
                Ok(())
            }
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }

    fn record_versions(&mut self, keys: &[(&str, &str)]) -> Result<Vec<Option<u64>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let [kinds, ids, keyed_kinds, keyed_ids] = split_keys(keys);
        let rows = self.client.query(
            &self.s.record_versions,
            &[&kinds, &ids, &keyed_kinds, &keyed_ids],
        )?;
        // Each key's positions (a key may be asked twice), so that matching the rows is linear:
        // a cycle expects a version of each of up to a million claims.
        let mut slots: std::collections::HashMap<(&str, &str), Vec<usize>> =
            std::collections::HashMap::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            slots.entry(*key).or_default().push(i);
        }
        let mut found = vec![None; keys.len()];
        for row in &rows {
            let (kind, id): (&str, &str) = (row.try_get(0)?, row.try_get(1)?);
            let version = to_u64(row.try_get(2)?, "records.version")?;
            for &i in slots.get(&(kind, id)).into_iter().flatten() {
                found[i] = Some(version);
            }
        }
        Ok(found)
    }

    fn put_records(&mut self, records: &[Record]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        // One INSERT … ON CONFLICT cannot write a row twice: of records with the same key, the
        // last wins, as with SQLite's one statement per record.
        let mut seen = std::collections::HashSet::new();
        let mut records: Vec<&Record> = records
            .iter()
            .rev()
            .filter(|r| seen.insert((r.kind.as_str(), r.id.as_str())))
            .collect();
        records.reverse();
        let (keyed, listed): (Vec<&Record>, Vec<&Record>) =
            records.into_iter().partition(|r| is_keyed(&r.kind));
        for (records, statement) in [(listed, &self.s.put_records), (keyed, &self.s.put_keyed)] {
            if !records.is_empty() {
                put_rows(&mut self.client, statement, &records)?;
            }
        }
        Ok(())
    }

    fn audit_head(&mut self) -> Result<(u64, Hash), StoreError> {
        let row = self.client.query_one(&self.s.audit_head, &[])?;
        let hash: Vec<u8> = row.try_get(1)?;
        Ok((
            to_u64(row.try_get(0)?, "audit_head.seq")?,
            hash_from(&hash, "audit_head.hash")?,
        ))
    }

    fn append_audit(&mut self, rows: &[AuditRow]) -> Result<(), StoreError> {
        insert_audit(
            &mut self.client,
            rows,
            (&self.s.insert_audit, &self.s.update_audit_head),
        )
    }

    fn record(&mut self, kind: &str, id: &str) -> Result<Option<Record>, StoreError> {
        let statement = if is_keyed(kind) {
            &self.s.record_keyed
        } else {
            &self.s.record
        };
        let row = self.client.query_opt(statement, &[&kind, &id])?;
        row.as_ref().map(record_row).transpose()
    }

    fn records_by_key(&mut self, keys: &[(&str, &str)]) -> Result<Vec<Option<Record>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let [kinds, ids, keyed_kinds, keyed_ids] = split_keys(keys);
        let rows = self.client.query(
            &self.s.records_by_key,
            &[&kinds, &ids, &keyed_kinds, &keyed_ids],
        )?;
        let records = rows.iter().map(record_row).collect::<Result<Vec<_>, _>>()?;
        Ok(crate::backend::by_key(keys, records))
    }

    fn records_by_id(
        &mut self,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        let table = table_of(kind);
        // `$2` may be NULL (the first page): typed, so that PostgreSQL knows what it is.
        let sql = crate::backend::records_by_id_sql(table, |n| match n {
            2 => "$2::text".to_owned(),
            n => format!("${n}"),
        });
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.client.query(&sql, &[&kind, &after, &limit])?;
        rows.iter().map(record_row).collect()
    }

    fn count_by_status(&mut self, kind: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = self
            .client
            .query(crate::backend::COUNT_BY_STATUS_SQL, &[&kind])?;
        Ok(rows
            .iter()
            .map(|r| {
                let n: i64 = r.get(1);
                (r.get::<_, String>(0), u64::try_from(n).unwrap_or(0))
            })
            .collect())
    }

    fn records(&mut self, query: &RecordQuery) -> Result<Vec<Record>, StoreError> {
        let (sql, params) = records_sql(query, |n| format!("${n}"));
        let values: Vec<Box<dyn ToSql + Sync>> = params
            .into_iter()
            .map(|p| -> Box<dyn ToSql + Sync> {
                match p {
                    Param::Text(t) => Box::new(t),
                    Param::Int(i) => Box::new(i),
                }
            })
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|b| b.as_ref()).collect();
        let rows = self.client.query(&sql, &refs)?;
        rows.iter().map(record_row).collect()
    }

    fn audit_rows(
        &mut self,
        after_seq: u64,
        subject: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let rows = self.client.query(
            &format!(
                "SELECT {AUDIT_COLUMNS} FROM audit
                 WHERE seq > $1 AND ($2::text IS NULL OR subject = $2) ORDER BY seq LIMIT $3"
            ),
            &[&after, &subject, &limit],
        )?;
        rows.iter().map(audit_row).collect()
    }

    fn anchors(&mut self, audit_seq: u64, ledger_seq: u64) -> Result<Anchors, StoreError> {
        self.client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        self.in_transaction = true;
        let result = (|| {
            let ledger = self.read_head(false)?;
            Ok(Anchors {
                heads: Heads {
                    audit: self.audit_head()?,
                    ledger: (ledger.seq, ledger.hash),
                },
                audit_at: self.hash_at("audit", audit_seq)?,
                ledger_at: self.hash_at("journal", ledger_seq)?,
            })
        })();
        match result {
            Ok(anchors) => {
                self.client.batch_execute("COMMIT")?;
                self.in_transaction = false;
                Ok(anchors)
            }
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }

    fn scan_audit(
        &mut self,
        audit: &mut dyn FnMut(Result<AuditRow, StoreError>) -> bool,
        records: &mut dyn FnMut(Result<Record, StoreError>),
    ) -> Result<(u64, Hash), StoreError> {
        self.client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        self.in_transaction = true;
        let result = (|| {
            let head = self.audit_head()?;
            let none: [&(dyn ToSql + Sync); 0] = [];
            let mut rows = self.client.query_raw(
                &format!("SELECT {AUDIT_COLUMNS} FROM audit ORDER BY seq"),
                none,
            )?;
            while let Some(row) = rows.next()? {
                if !audit(audit_row(&row)) {
                    break;
                }
            }
            drop(rows);
            for table in [RECORDS_TABLE, KEYS_TABLE] {
                let mut rows = self
                    .client
                    .query_raw(&format!("SELECT {RECORD_COLUMNS} FROM {table}"), none)?;
                while let Some(row) = rows.next()? {
                    visit_scanned(table, record_row(&row), records);
                }
            }
            Ok(head)
        })();
        match result {
            Ok(head) => {
                self.client.batch_execute("COMMIT")?;
                self.in_transaction = false;
                Ok(head)
            }
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Executions of each statement: more than the five after which PostgreSQL may switch a
    /// prepared statement to its generic plan.
    const EXECUTIONS: i64 = 12;

    #[test]
    fn statements_reading_by_key_are_planned_for_their_keys_every_time() {
        let db = test_support::TestDb::postgres();
        let mut pg = Postgres::connect(&db.url(), Opening::Create).expect("connect");
        // A small table, where a plan for any keys scans it whole.
        let keys = [("claim", "c-1"), ("claim", "c-2"), ("idempotency", "k-1")];
        for _ in 0..EXECUTIONS {
            pg.record_versions(&keys).expect("versions");
            pg.records_by_key(&keys).expect("records");
        }
        let mode: String = pg
            .client
            .query_one("SHOW plan_cache_mode", &[])
            .expect("the session's setting")
            .get(0);
        assert_eq!(mode, "force_custom_plan");
        let rows = pg
            .client
            .query(
                // A statement without parameters has one plan, the generic one.
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
                 WHERE cardinality(parameter_types) > 0",
                &[],
            )
            .expect("the session's prepared statements");
        let plans = |sql: &str| -> (i64, i64) {
            let row = rows
                .iter()
                .find(|r| r.get::<_, String>(0) == sql)
                .unwrap_or_else(|| panic!("{sql} not prepared"));
            (row.get(1), row.get(2))
        };
        assert_eq!(plans(&record_versions_sql()), (0, EXECUTIONS));
        assert_eq!(plans(&records_by_key_sql()), (0, EXECUTIONS));
        for row in &rows {
            let generic: i64 = row.get(1);
            assert_eq!(generic, 0, "{}", row.get::<_, String>(0));
        }
    }
}
