//! PostgreSQL: the same schema and behaviour as SQLite, for more than one machine.
//!
//! Each batch costs a fixed number of round trips whatever its size: rows are loaded with
//! `= ANY($1)` and written with `UNNEST` over arrays, one statement per table.

use ledger::{Account, Changes, Ledger, PendingStatus};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};

use crate::StoreError;
use crate::backend::{
    ACCOUNT_COLUMNS, Backend, Head, JournalRow, ScanVisitor, TRANSFER_COLUMNS, TransferRow,
    account_from_raw, account_to_raw, hash_from, to_i64, to_u64, transfer_from_raw,
    transfer_to_raw,
};
use crate::migrations::MIGRATIONS;

/// Advisory lock key that serialises migrations across processes ("CLRHOUSE" in ASCII).
const MIGRATION_LOCK: i64 = 0x434C_5248_4F55_5345;

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
}

fn unnest(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}::int8[]"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Postgres {
    /// Connects, and on first use creates and migrates the schema.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let mut client = Client::connect(url, NoTls)?;
        migrate(&mut client)?;
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
        };
        Ok(Postgres {
            client,
            in_transaction: false,
            s,
        })
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
}
