//! What a database must do for the store; one implementation per engine.

use std::collections::HashMap;

use ledger::journal::Hash;
use ledger::{Account, Changes, Ledger, PendingState, PendingStatus, Transfer};

use crate::StoreError;
use crate::heads::Anchors;
use crate::records::{AuditRow, Record, RecordQuery, RecordWritten};

/// The journal head: the last entry and the last timestamp handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// Last journal entry (zero: none).
    pub seq: u64,
    /// Its hash.
    pub hash: Hash,
    /// Timestamp of the last event applied.
    pub last_timestamp: u64,
}

/// One stored journal entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalRow {
    /// Position, from 1.
    pub seq: u64,
    /// Batch timestamp.
    pub timestamp: u64,
    /// Hash of the entry before.
    pub prev_hash: Hash,
    /// `SHA-256(prev_hash ‖ body)`.
    pub hash: Hash,
    /// Canonical bytes of the batch and its results.
    pub body: Vec<u8>,
}

/// A stored transfer and, for a pending one, its state.
pub type TransferRow = (Transfer, Option<PendingState>);

/// The operations the store needs from a database. Writes happen between [`Backend::begin`] and
/// [`Backend::commit`], on one connection that holds the journal head's lock throughout.
pub trait Backend: Send {
    /// Starts a write transaction and locks the journal head (other writers wait).
    fn begin(&mut self) -> Result<Head, StoreError>;
    /// These accounts, those that exist, in no particular order.
    fn load_accounts(&mut self, ids: &[u64]) -> Result<Vec<Account>, StoreError>;
    /// These transfers, those that exist, in no particular order.
    fn load_transfers(&mut self, ids: &[u64]) -> Result<Vec<TransferRow>, StoreError>;
    /// Up to `limit` live pending transfers due to expire at or before `timestamp`.
    fn load_due(&mut self, timestamp: u64, limit: usize) -> Result<Vec<TransferRow>, StoreError>;
    /// Writes a batch's changes (values taken from `ledger`) and its journal entry.
    fn write(
        &mut self,
        ledger: &Ledger,
        changes: &Changes,
        entry: &JournalRow,
    ) -> Result<(), StoreError>;
    /// Moves the head and commits; returns once the commit is durable.
    fn commit(&mut self, head: &Head) -> Result<(), StoreError>;
    /// Abandons the transaction, if one is open.
    fn rollback(&mut self);
    /// Whether the connection is lost for good (the server closed it): reconnect.
    fn is_closed(&self) -> bool;

    /// Accounts by id, in the order asked, those that exist.
    fn lookup_accounts(&mut self, ids: &[u64]) -> Result<Vec<Account>, StoreError> {
        let ids = valid_ids(ids);
        let found: HashMap<u64, Account> = self
            .load_accounts(&ids)?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        Ok(ids.iter().filter_map(|id| found.get(id).copied()).collect())
    }
    /// Transfers by id, in the order asked, those that exist.
    fn lookup_transfers(&mut self, ids: &[u64]) -> Result<Vec<TransferRow>, StoreError> {
        let ids = valid_ids(ids);
        let found: HashMap<u64, TransferRow> = self
            .load_transfers(&ids)?
            .into_iter()
            .map(|row| (row.0.id, row))
            .collect();
        Ok(ids.iter().filter_map(|id| found.get(id).copied()).collect())
    }
    /// An account's transfers (debit or credit side) after `after_timestamp`, oldest first.
    /// Walks the transfers in time order from `after_timestamp`: meant for recent windows.
    fn account_transfers(
        &mut self,
        account: u64,
        after_timestamp: u64,
        limit: usize,
    ) -> Result<Vec<TransferRow>, StoreError>;
    /// Reads everything in one consistent snapshot, for `verify`.
    fn scan(&mut self, visit: &mut dyn ScanVisitor) -> Result<(), StoreError>;

    /// Inside a write transaction: the current version of each record, `None` if absent.
    fn record_versions(&mut self, keys: &[(&str, &str)]) -> Result<Vec<Option<u64>>, StoreError>;
    /// Inside a write transaction: inserts or replaces records.
    fn put_records(&mut self, records: &[Record]) -> Result<(), StoreError>;
    /// The audit journal's head: last position and its hash.
    fn audit_head(&mut self) -> Result<(u64, Hash), StoreError>;
    /// Inside a write transaction: appends audit rows and moves the audit head to the last.
    fn append_audit(&mut self, rows: &[AuditRow]) -> Result<(), StoreError>;
    /// One record.
    fn record(&mut self, kind: &str, id: &str) -> Result<Option<Record>, StoreError>;
    /// Records by key (kind, id), in one statement and one snapshot: one answer per key, in
    /// the order of `keys` (at most [`crate::RECORDS_BY_KEY_MAX`]).
    fn records_by_key(&mut self, keys: &[(&str, &str)]) -> Result<Vec<Option<Record>>, StoreError>;
    /// Records by kind and filters, in time order.
    fn records(&mut self, query: &RecordQuery) -> Result<Vec<Record>, StoreError>;
    /// Copies what the write-ahead log holds into the database file as far as readers allow,
    /// without waiting for them or blocking the writer (SQLite's passive checkpoint; nothing
    /// to do for PostgreSQL, whose server checkpoints).
    fn checkpoint(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Records of one kind in the order of their ids, after `after` (paging), at most `limit`.
    fn records_by_id(
        &mut self,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError>;
    /// How many records of a kind are in each state.
    fn count_by_status(&mut self, kind: &str) -> Result<Vec<(String, u64)>, StoreError>;
    /// Audit rows after `after_seq`, oldest first, optionally about one subject only.
    fn audit_rows(
        &mut self,
        after_seq: u64,
        subject: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError>;
    /// Both heads, and the hashes stored at these positions of the audit and ledger journals
    /// (position 0 has the zero hash), in one snapshot.
    fn anchors(&mut self, audit_seq: u64, ledger_seq: u64) -> Result<Anchors, StoreError>;
    /// Every audit row in order (until `audit` answers `false`), then every record, in one
    /// snapshot; returns the audit head of that snapshot.
    fn scan_audit(
        &mut self,
        audit: &mut dyn FnMut(Result<AuditRow, StoreError>) -> bool,
        records: &mut dyn FnMut(Result<Record, StoreError>),
    ) -> Result<(u64, Hash), StoreError>;
}

/// A value bound to a query of [`records_sql`].
#[derive(Clone, Debug)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
}

/// Record columns, in the order of [`record_from_parts`].
pub(crate) const RECORD_COLUMNS: &str = "kind, id, version, status, party, counterparty, at, body";

/// The SQL of a record query; `placeholder(n)` writes the n-th parameter (from 1).
///
/// A query by party reads the records where it is the party and those where it is the
/// counterparty as two branches of a `UNION`, each on its own index (`records_by_party`,
/// `records_by_counterparty`): with `party = ? OR counterparty = ?` in one `WHERE`, a planner
/// may walk every record of the kind in time order instead, which makes each query of one
/// participant's claims grow with all the claims of the house.
pub(crate) fn records_sql(
    query: &RecordQuery,
    placeholder: fn(usize) -> String,
) -> (String, Vec<Param>) {
    let mut params = Vec::new();
    let order = if query.newest_first { "DESC" } else { "ASC" };
    let limit = query.limit.min(crate::records::RECORDS_LIMIT_MAX);
    let sql = match &query.party {
        None => {
            let branch = branch_sql(query, None, &mut params, placeholder);
            params.push(Param::Int(limit as i64));
            format!(
                "{branch} ORDER BY at {order}, id {order} LIMIT {}",
                placeholder(params.len())
            )
        }
        Some(party) => {
            let first = branch_sql(query, Some(("party", party)), &mut params, placeholder);
            let second = branch_sql(
                query,
                Some(("counterparty", party)),
                &mut params,
                placeholder,
            );
            params.push(Param::Int(limit as i64));
            format!(
                "SELECT {RECORD_COLUMNS} FROM ({first} UNION {second}) AS either \
                 ORDER BY at {order}, id {order} LIMIT {}",
                placeholder(params.len())
            )
        }
    };
    (sql, params)
}

/// One `SELECT` of [`records_sql`]: every filter of `query`, the party on `side`.
fn branch_sql(
    query: &RecordQuery,
    side: Option<(&str, &String)>,
    params: &mut Vec<Param>,
    placeholder: fn(usize) -> String,
) -> String {
    let mut bind = |sql: &mut String, clause: &str, value: Param| {
        params.push(value);
        let n = params.len();
        sql.push_str(&clause.replace('?', &placeholder(n)));
    };
    let mut sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE");
    bind(&mut sql, " kind = ?", Param::Text(query.kind.clone()));
    if let Some(status) = &query.status {
        bind(&mut sql, " AND status = ?", Param::Text(status.clone()));
    }
    if let Some((column, party)) = side {
        bind(
            &mut sql,
            &format!(" AND {column} = ?"),
            Param::Text(party.clone()),
        );
    }
    if let Some(from) = query.at_from {
        bind(&mut sql, " AND at >= ?", Param::Int(clamp(from)));
    }
    if let Some(to) = query.at_to {
        bind(&mut sql, " AND at <= ?", Param::Int(clamp(to)));
    }
    if let Some((at, id)) = &query.after {
        let cmp = if query.newest_first { '<' } else { '>' };
        bind(
            &mut sql,
            &format!(" AND (at {cmp} ?"),
            Param::Int(clamp(*at)),
        );
        bind(&mut sql, " OR (at = ?", Param::Int(clamp(*at)));
        bind(
            &mut sql,
            &format!(" AND id {cmp} ?))"),
            Param::Text(id.clone()),
        );
    }
    sql
}

/// The query of [`Backend::records_by_id`] on `table` (on its primary key).
pub(crate) fn records_by_id_sql(table: &str, placeholder: fn(usize) -> String) -> String {
    format!(
        "SELECT {RECORD_COLUMNS} FROM {table} WHERE kind = {p1} AND ({p2} IS NULL OR id > {p2})
         ORDER BY id LIMIT {p3}",
        p1 = placeholder(1),
        p2 = placeholder(2),
        p3 = placeholder(3)
    )
}

/// The query of [`Backend::count_by_status`]: on the `(kind, status, …)` index.
pub(crate) const COUNT_BY_STATUS_SQL: &str =
    "SELECT status, COUNT(*) FROM records WHERE kind = $1 GROUP BY status ORDER BY status";

fn clamp(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A record as read back, checked.
pub(crate) fn record_from_parts(
    text: [String; 6],
    version: i64,
    at: i64,
) -> Result<Record, StoreError> {
    let [kind, id, status, party, counterparty, body] = text;
    Ok(Record {
        version: to_u64(version, "records.version")?,
        at: to_u64(at, "records.at")?,
        kind,
        id,
        status,
        party,
        counterparty,
        body,
    })
}

/// Audit columns, in the order the backends read them.
pub(crate) const AUDIT_COLUMNS: &str =
    "seq, at, actor, action, subject, body, prev_hash, hash, records";

/// The records an audit row wrote, as read back from its `records` column.
pub(crate) fn written_from(text: &str, seq: i64) -> Result<Vec<RecordWritten>, StoreError> {
    crate::records::decode_written(text)
        .map_err(|e| StoreError::corrupt(format!("audit entry {seq}: records column: {e}")))
}

/// Receives the rows of a snapshot, in this order: the head, the journal by sequence, every
/// transfer, every account. A row that cannot be read as what the ledger writes (a value out of
/// range, a column of the wrong type) comes as an error, and the scan goes on.
pub trait ScanVisitor {
    /// The head.
    fn head(&mut self, head: Head);
    /// A journal entry; `false` stops the scan of the journal (not of the rest).
    fn journal(&mut self, row: Result<JournalRow, StoreError>) -> bool;
    /// A transfer.
    fn transfer(&mut self, row: Result<TransferRow, StoreError>);
    /// An account.
    fn account(&mut self, account: Result<Account, StoreError>);
}

/// The ids that can exist (`1..=ID_MAX`), in the order given.
fn valid_ids(ids: &[u64]) -> Vec<u64> {
    ids.iter()
        .copied()
        .filter(|&id| id != 0 && id <= ledger::ID_MAX)
        .collect()
}

/// The pending state stored with a transfer row, checked.
pub(crate) fn pending_state(
    id: u64,
    status: Option<i64>,
    expires_at: Option<i64>,
) -> Result<Option<PendingState>, StoreError> {
    let Some(code) = status else { return Ok(None) };
    let status = u8::try_from(code)
        .ok()
        .and_then(PendingStatus::from_code)
        .ok_or_else(|| StoreError::corrupt(format!("transfer {id}: pending_status {code}")))?;
    let expires_at = expires_at
        .map(|v| to_u64(v, "transfers.expires_at"))
        .transpose()?;
    Ok(Some(PendingState { status, expires_at }))
}

/// A stored integer that must not be negative.
pub(crate) fn to_u64(v: i64, column: &str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::corrupt(format!("{column} is negative: {v}")))
}

/// A stored integer of a narrower type.
pub(crate) fn narrow<T: TryFrom<i64>>(v: i64, column: &str) -> Result<T, StoreError> {
    T::try_from(v).map_err(|_| StoreError::corrupt(format!("{column} out of range: {v}")))
}

/// An unsigned value as stored: ids, amounts, balances and timestamps are at most `i64::MAX`.
pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).expect("ids, amounts, balances and timestamps are at most i64::MAX")
}

/// `user_data_64` is stored as its two's complement.
pub(crate) fn user_data_to_i64(v: u64) -> i64 {
    i64::from_ne_bytes(v.to_ne_bytes())
}

/// `user_data_64` as read back.
pub(crate) fn user_data_from_i64(v: i64) -> u64 {
    u64::from_ne_bytes(v.to_ne_bytes())
}

/// A stored hash.
pub(crate) fn hash_from(bytes: &[u8], column: &str) -> Result<Hash, StoreError> {
    bytes
        .try_into()
        .map_err(|_| StoreError::corrupt(format!("{column} has {} bytes, not 32", bytes.len())))
}

/// Account columns, in the order of [`account_to_raw`].
pub(crate) const ACCOUNT_COLUMNS: &str = "id, ledger, code, flags, user_data_64, user_data_32, \
     debits_pending, debits_posted, credits_pending, credits_posted, timestamp";

/// Transfer columns, in the order of [`transfer_to_raw`], then the pending state.
pub(crate) const TRANSFER_COLUMNS: &str = "id, debit_account_id, credit_account_id, amount, \
     pending_id, user_data_64, user_data_32, timeout, ledger, code, flags, timestamp, \
     pending_status, expires_at";

/// An account as stored.
pub(crate) fn account_to_raw(a: &Account) -> [i64; 11] {
    [
        to_i64(a.id),
        i64::from(a.ledger),
        i64::from(a.code),
        i64::from(a.flags.bits()),
        user_data_to_i64(a.user_data_64),
        i64::from(a.user_data_32),
        to_i64(a.debits_pending),
        to_i64(a.debits_posted),
        to_i64(a.credits_pending),
        to_i64(a.credits_posted),
        to_i64(a.timestamp),
    ]
}

/// An account as read back, checked.
pub(crate) fn account_from_raw(v: [i64; 11]) -> Result<Account, StoreError> {
    Ok(Account {
        id: to_u64(v[0], "accounts.id")?,
        ledger: narrow(v[1], "accounts.ledger")?,
        code: narrow(v[2], "accounts.code")?,
        flags: ledger::AccountFlags::from_bits(narrow(v[3], "accounts.flags")?),
        user_data_64: user_data_from_i64(v[4]),
        user_data_32: narrow(v[5], "accounts.user_data_32")?,
        debits_pending: to_u64(v[6], "accounts.debits_pending")?,
        debits_posted: to_u64(v[7], "accounts.debits_posted")?,
        credits_pending: to_u64(v[8], "accounts.credits_pending")?,
        credits_posted: to_u64(v[9], "accounts.credits_posted")?,
        timestamp: to_u64(v[10], "accounts.timestamp")?,
    })
}

/// A transfer as stored (without its pending state).
pub(crate) fn transfer_to_raw(t: &Transfer) -> [i64; 12] {
    [
        to_i64(t.id),
        to_i64(t.debit_account_id),
        to_i64(t.credit_account_id),
        to_i64(t.amount),
        to_i64(t.pending_id),
        user_data_to_i64(t.user_data_64),
        i64::from(t.user_data_32),
        i64::from(t.timeout),
        i64::from(t.ledger),
        i64::from(t.code),
        i64::from(t.flags.bits()),
        to_i64(t.timestamp),
    ]
}

/// A transfer as read back, checked.
pub(crate) fn transfer_from_raw(
    v: [i64; 12],
    status: Option<i64>,
    expires_at: Option<i64>,
) -> Result<TransferRow, StoreError> {
    let t = Transfer {
        id: to_u64(v[0], "transfers.id")?,
        debit_account_id: to_u64(v[1], "transfers.debit_account_id")?,
        credit_account_id: to_u64(v[2], "transfers.credit_account_id")?,
        amount: to_u64(v[3], "transfers.amount")?,
        pending_id: to_u64(v[4], "transfers.pending_id")?,
        user_data_64: user_data_from_i64(v[5]),
        user_data_32: narrow(v[6], "transfers.user_data_32")?,
        timeout: narrow(v[7], "transfers.timeout")?,
        ledger: narrow(v[8], "transfers.ledger")?,
        code: narrow(v[9], "transfers.code")?,
        flags: ledger::TransferFlags::from_bits(narrow(v[10], "transfers.flags")?),
        timestamp: to_u64(v[11], "transfers.timestamp")?,
    };
    let state = pending_state(t.id, status, expires_at)?;
    Ok((t, state))
}

/// Puts `records` in the order of `keys` (a key asked twice gets its record twice).
pub(crate) fn by_key(keys: &[(&str, &str)], records: Vec<Record>) -> Vec<Option<Record>> {
    let mut found: Vec<Option<Record>> = vec![None; keys.len()];
    for record in records {
        for (slot, key) in found.iter_mut().zip(keys) {
            if key.0 == record.kind && key.1 == record.id {
                *slot = Some(record.clone());
            }
        }
    }
    found
}
