//! The clearing house's state: versioned records and the hash-chained audit journal.
//!
//! A record is one JSON document (a participant, a claim, an alert, a case, a cycle, an
//! idempotency key) under `(kind, id)`, with the few columns it is looked up by. Records change
//! only through a [`Change`]: the versions it expects, the records it writes, the ledger events
//! that go with them and the audit events that explain them, all applied in one transaction by
//! the store's writer, or none of it. Expected versions make every change a compare-and-set, so
//! two officers deciding the same case at once cannot both win, and one idempotency key can be
//! taken once.

use std::collections::HashMap;

use ledger::journal::{self, Hash};
use ledger::{CreateAccountResult, CreateTransferResult, NewAccount, NewTransfer};
use sha2::{Digest, Sha256};

/// Most records one change may write.
pub const CHANGE_RECORDS_MAX: usize = 10_000;
/// Most audit events one change may append.
pub const CHANGE_AUDIT_MAX: usize = 10_000;
/// Most records one query returns.
pub const RECORDS_LIMIT_MAX: usize = 10_000;
/// Longest kind, id, status, party or actor, in bytes.
pub const RECORD_KEY_BYTES_MAX: usize = 512;
/// Largest record or audit body, in bytes.
pub const RECORD_BODY_BYTES_MAX: usize = 16 * 1024 * 1024;

/// Kinds of record the house only ever looks up by key, never lists: an idempotency key, the
/// first claim of an invoice, a party's activity counter, the owner of an IBAN, … The store
/// keeps them in a table of their own with its primary key only (`record_keys`), and the
/// listed kinds (participants, claims, alerts, cases, cycles, …) in `records` with the indexes
/// their listings need. A claim writes three records of these kinds and updates two more:
/// kept in `records`, each was an entry in four more indexes, moved on every update, and
/// about half the pages a submission wrote (measured: 31 pages a claim in `records`, 16 with
/// these apart). [`Store::records`](crate::Store::records) refuses these kinds, and `verify`
/// reports a record found in the other table than its kind's.
pub const KEYED_KINDS: [&str; 12] = [
    "activity",
    "bank_file",
    "config",
    "cycle_claims",
    "cycle_key",
    "iban",
    "idempotency",
    "invoice",
    "invoice_amount",
    "liquidity",
    "lists_in_force",
    "registration",
];

/// Whether records of `kind` are looked up only by key (see [`KEYED_KINDS`]).
pub fn is_keyed(kind: &str) -> bool {
    KEYED_KINDS.contains(&kind)
}

/// The table that holds the records of `kind`.
pub(crate) fn table_of(kind: &str) -> &'static str {
    if is_keyed(kind) {
        KEYS_TABLE
    } else {
        RECORDS_TABLE
    }
}

/// The table of listed records.
pub(crate) const RECORDS_TABLE: &str = "records";
/// The table of records looked up only by key.
pub(crate) const KEYS_TABLE: &str = "record_keys";

/// Hands `row`, read from `table` while scanning every record, to `visit`; first a problem if
/// its kind belongs in the other table: a row moved behind the store's back (a claim moved
/// among the keyed records is missing from every listing, the cycle's selection among them).
pub(crate) fn visit_scanned(
    table: &str,
    row: Result<Record, crate::StoreError>,
    visit: &mut dyn FnMut(Result<Record, crate::StoreError>),
) {
    if let Ok(record) = &row {
        let expected = table_of(&record.kind);
        if expected != table {
            visit(Err(crate::StoreError::Corrupt(format!(
                "record {}:{} is in table {table}, but records of kind {} belong in {expected}: \
                 it was moved outside the house",
                record.kind, record.id, record.kind
            ))));
        }
    }
    visit(row);
}

/// One stored record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// What it is: `participant`, `claim`, `alert`, …
    pub kind: String,
    /// Its id, unique within its kind.
    pub id: String,
    /// 1 for the first version; each change that writes it adds one.
    pub version: u64,
    /// Its state, for lookups (`active`, `queued`, `open`, …).
    pub status: String,
    /// The participant (or officer) it belongs to, for lookups; empty if none.
    pub party: String,
    /// The other participant it concerns, for lookups; empty if none.
    pub counterparty: String,
    /// When it was made (UTC nanoseconds), for time windows and order.
    pub at: u64,
    /// The document, JSON.
    pub body: String,
}

impl Record {
    /// `SHA-256` of the record's canonical bytes: what the audit entry that wrote this version
    /// keeps, so that a row changed behind the store's back no longer matches it.
    pub fn digest(&self) -> Hash {
        let mut h = Sha256::new();
        h.update(RECORD_DIGEST_DOMAIN);
        for text in [&self.kind, &self.id] {
            h.update((text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        h.update(self.version.to_le_bytes());
        for text in [&self.status, &self.party, &self.counterparty] {
            h.update((text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        h.update(self.at.to_le_bytes());
        h.update((self.body.len() as u64).to_le_bytes());
        h.update(self.body.as_bytes());
        h.finalize().into()
    }

    /// A 32-bit fingerprint of each of [`RECORD_FIELDS`], in that order: enough to say which
    /// fields of a row changed outside the house (the digest proves that one did).
    pub fn field_fingerprints(&self) -> [u32; 5] {
        let at = self.at.to_le_bytes();
        let fields: [&[u8]; 5] = [
            self.status.as_bytes(),
            self.party.as_bytes(),
            self.counterparty.as_bytes(),
            &at,
            self.body.as_bytes(),
        ];
        let mut fingerprints = [0; 5];
        for (i, (slot, field)) in fingerprints.iter_mut().zip(fields).enumerate() {
            let mut h = Sha256::new();
            h.update(RECORD_FIELD_DOMAIN);
            h.update([i as u8]);
            h.update(field);
            let hash: Hash = h.finalize().into();
            *slot = u32::from_be_bytes([hash[0], hash[1], hash[2], hash[3]]);
        }
        fingerprints
    }

    /// What an audit entry keeps of this version.
    pub fn written(&self) -> RecordWritten {
        RecordWritten {
            kind: self.kind.clone(),
            id: self.id.clone(),
            version: self.version,
            digest: self.digest(),
            fields: self.field_fingerprints(),
        }
    }
}

/// The fields of a record [`Record::field_fingerprints`] covers, in its order.
pub const RECORD_FIELDS: [&str; 5] = ["status", "party", "counterparty", "at", "body"];

/// Prefix of every record digest, so that it can never equal another hash of the store.
const RECORD_DIGEST_DOMAIN: &[u8] = b"clearhouse record v1\0";
/// Prefix of every field fingerprint.
const RECORD_FIELD_DOMAIN: &[u8] = b"clearhouse record field v1\0";

/// A record version as an audit entry binds it: the row must be exactly this until the next
/// audit entry that writes the same `(kind, id)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordWritten {
    /// The record's kind.
    pub kind: String,
    /// The record's id.
    pub id: String,
    /// The version written.
    pub version: u64,
    /// [`Record::digest`] of that version.
    pub digest: Hash,
    /// [`Record::field_fingerprints`] of that version.
    pub fields: [u32; 5],
}

/// A version a change requires a record to be at: `None` when it must not exist yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// The record's kind.
    pub kind: String,
    /// The record's id.
    pub id: String,
    /// The version it must have, or `None` if it must not exist.
    pub version: Option<u64>,
}

/// One decision or event for the audit journal; the writer adds the sequence number, the time
/// and the hash chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// Who: an officer, a participant, `system`.
    pub actor: String,
    /// What: `claim.submitted`, `case.decided`, …
    pub action: String,
    /// What it concerns: `claim:c-17`, `participant:acme`, …
    pub subject: String,
    /// Why and on what inputs, JSON.
    pub body: String,
}

/// One entry of the audit journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    /// Position, from 1.
    pub seq: u64,
    /// When it was written (UTC nanoseconds, the writer's clock).
    pub at: u64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// What it concerns.
    pub subject: String,
    /// Why and on what inputs, JSON.
    pub body: String,
    /// The records this entry's change wrote, in the order written (empty for most entries
    /// of a change but the first, and for entries written before records were bound).
    pub records: Vec<RecordWritten>,
    /// The hash of the entry before (zero for the first).
    pub prev_hash: Hash,
    /// `SHA-256(prev_hash ‖ canonical bytes of this entry)`.
    pub hash: Hash,
}

impl AuditRow {
    /// The hash this entry must have after `prev_hash`.
    pub fn compute_hash(&self, prev_hash: &Hash) -> Hash {
        journal::chain_hash(prev_hash, &self.canonical_bytes())
    }

    /// Length-prefixed fields, in a fixed order: what the hash covers. Without records the
    /// bytes are those of entries written before records were bound, which so still verify.
    fn canonical_bytes(&self) -> Vec<u8> {
        let texts = [&self.actor, &self.action, &self.subject, &self.body];
        let len: usize = texts.iter().map(|t| t.len() + 8).sum();
        let mut bytes = Vec::with_capacity(16 + len);
        bytes.extend_from_slice(&self.seq.to_le_bytes());
        bytes.extend_from_slice(&self.at.to_le_bytes());
        for text in texts {
            put_text(&mut bytes, text);
        }
        if !self.records.is_empty() {
            bytes.extend_from_slice(&(self.records.len() as u64).to_le_bytes());
            for r in &self.records {
                put_text(&mut bytes, &r.kind);
                put_text(&mut bytes, &r.id);
                bytes.extend_from_slice(&r.version.to_le_bytes());
                bytes.extend_from_slice(&r.digest);
                for f in r.fields {
                    bytes.extend_from_slice(&f.to_le_bytes());
                }
            }
        }
        bytes
    }
}

fn put_text(bytes: &mut Vec<u8>, text: &str) {
    bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
    bytes.extend_from_slice(text.as_bytes());
}

/// The `records` column of an audit row: one line per record,
/// `VERSION HEXDIGEST HEXFIELDS KINDLEN:KIND IDLEN:ID` (the five field fingerprints as 40 hex
/// digits), lengths in bytes (a kind or id may hold any character but NUL, a newline included).
pub(crate) fn encode_written(records: &[RecordWritten]) -> String {
    let mut text = String::new();
    for r in records {
        text.push_str(&format!(
            "{} {} {} {}:{}{}:{}\n",
            r.version,
            hex::encode(r.digest),
            hex::encode(r.fields.map(u32::to_be_bytes).concat()),
            r.kind.len(),
            r.kind,
            r.id.len(),
            r.id
        ));
    }
    text
}

/// Reads the `records` column back; the error names what is malformed.
pub(crate) fn decode_written(mut text: &str) -> Result<Vec<RecordWritten>, String> {
    let mut records = Vec::new();
    while !text.is_empty() {
        let n = records.len() + 1;
        let (version, rest) = text
            .split_once(' ')
            .ok_or_else(|| format!("record {n}: no version"))?;
        let version: u64 = version
            .parse()
            .map_err(|_| format!("record {n}: version {version:?} is not a number"))?;
        let (digest, rest) = rest
            .split_once(' ')
            .ok_or_else(|| format!("record {n}: no digest"))?;
        let digest: Hash = hex::decode(digest)
            .ok()
            .and_then(|d| d.try_into().ok())
            .ok_or_else(|| format!("record {n}: digest {digest:?} is not 64 hex digits"))?;
        let (fields, rest) = rest
            .split_once(' ')
            .ok_or_else(|| format!("record {n}: no field fingerprints"))?;
        let fields = hex::decode(fields)
            .ok()
            .and_then(|f| <[u8; 20]>::try_from(f).ok())
            .map(|f| {
                std::array::from_fn(|i| {
                    u32::from_be_bytes([f[4 * i], f[4 * i + 1], f[4 * i + 2], f[4 * i + 3]])
                })
            })
            .ok_or_else(|| {
                format!("record {n}: field fingerprints {fields:?} are not 40 hex digits")
            })?;
        let (kind, rest) = take_counted(rest).map_err(|e| format!("record {n}: kind {e}"))?;
        let (id, rest) = take_counted(rest).map_err(|e| format!("record {n}: id {e}"))?;
        text = rest
            .strip_prefix('\n')
            .ok_or_else(|| format!("record {n}: no line end after the id"))?;
        records.push(RecordWritten {
            kind: kind.to_owned(),
            id: id.to_owned(),
            version,
            digest,
            fields,
        });
    }
    Ok(records)
}

/// `LEN:TEXT…` → `(TEXT, …)`.
fn take_counted(text: &str) -> Result<(&str, &str), String> {
    let (len, rest) = text
        .split_once(':')
        .ok_or_else(|| "has no length".to_owned())?;
    let len: usize = len
        .parse()
        .map_err(|_| format!("length {len:?} is not a number"))?;
    if rest.len() < len {
        return Err(format!("of {len} bytes is cut short"));
    }
    if !rest.is_char_boundary(len) {
        return Err(format!("of {len} bytes ends inside a character"));
    }
    Ok(rest.split_at(len))
}

/// A state change of the house: its records, transfers and audit events in one transaction, or
/// none of them (see [`Applied::Refused`] for the accounts it opens).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// Versions the records must be at; checked first, under the writer's lock.
    pub expect: Vec<Expect>,
    /// Ledger accounts to open (one that exists with the same fields is fine).
    pub accounts: Vec<NewAccount>,
    /// Ledger transfers: applied as one linked chain, all or none.
    pub transfers: Vec<NewTransfer>,
    /// Records to write (insert or replace); each must carry its new version.
    pub put: Vec<Record>,
    /// Audit events, appended in order.
    pub audit: Vec<AuditEvent>,
}

/// What became of a [`Change`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// It is durable. `at` is the time the writer applied it; `audit_seqs` the journal positions
    /// its audit events got.
    Committed {
        /// The writer's time.
        at: u64,
        /// Positions of the audit events, in order.
        audit_seqs: Vec<u64>,
    },
    /// A record was not at the expected version: nothing was written. Read again and retry.
    Conflict {
        /// The record's kind.
        kind: String,
        /// The record's id.
        id: String,
        /// The version the change expected.
        expected: Option<u64>,
        /// The version found.
        found: Option<u64>,
    },
    /// The ledger refused an account or a transfer: no record or audit event was written and no
    /// transfer applied (the ledger's journal keeps the refused batch, as it keeps every batch).
    /// Accounts the change opened before its transfers were refused stay open: opening an
    /// account is idempotent, so a retry of the change answers `exists` for them.
    Refused {
        /// One result per account asked for.
        accounts: Vec<CreateAccountResult>,
        /// One result per transfer asked for.
        transfers: Vec<CreateTransferResult>,
    },
}

/// Which records to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordQuery {
    /// The kind.
    pub kind: String,
    /// Only in this state.
    pub status: Option<String>,
    /// Only those whose party or counterparty is this.
    pub party: Option<String>,
    /// Only those made at or after this time.
    pub at_from: Option<u64>,
    /// Only those made at or before this time.
    pub at_to: Option<u64>,
    /// Start after this `(at, id)` (paging), in the order asked.
    pub after: Option<(u64, String)>,
    /// Newest first instead of oldest first.
    pub newest_first: bool,
    /// At most this many (capped at [`RECORDS_LIMIT_MAX`]).
    pub limit: usize,
}

/// The audit entries that bind records written before records were bound (a database upgraded
/// to schema version 3): one `store.records_bound` entry per [`CHANGE_RECORDS_MAX`] records,
/// after `head`, at `at` (the last audit entry's time: a migration reads no clock).
pub(crate) fn binding_rows(
    mut head: (u64, Hash),
    at: u64,
    written: &[RecordWritten],
) -> Vec<AuditRow> {
    let mut rows = Vec::new();
    for chunk in written.chunks(CHANGE_RECORDS_MAX) {
        let mut row = AuditRow {
            seq: head.0 + 1,
            at,
            actor: "system".to_owned(),
            action: "store.records_bound".to_owned(),
            subject: "records".to_owned(),
            body: format!(
                r#"{{"why":"records written before the store bound each record version to the audit entry that wrote it, bound as found when the database was upgraded","records":{}}}"#,
                chunk.len()
            ),
            records: chunk.to_vec(),
            prev_hash: head.1,
            hash: [0; 32],
        };
        row.hash = row.compute_hash(&head.1);
        head = (row.seq, row.hash);
        rows.push(row);
    }
    rows
}

/// Refuses a change that writes records without an audit event: the audit entry is what binds
/// each record version, so that `verify_audit` finds a row changed outside the house.
pub(crate) fn check_audited(change: &Change) -> Result<(), String> {
    match (change.put.first(), change.audit.is_empty()) {
        (Some(first), true) => Err(format!(
            "a change writes {} records ({}:{} first) but no audit event: every record version \
             must be written with the audit entry that explains it",
            change.put.len(),
            first.kind,
            first.id
        )),
        _ => Ok(()),
    }
}

/// Checks the sizes of a change before it reaches the writer.
pub(crate) fn check_change(change: &Change) -> Result<(), String> {
    // PostgreSQL cannot store a NUL character in text (SQLite can): refuse it here, for the same
    // behaviour on both, rather than fail the writer's whole group commit.
    let texts = change
        .expect
        .iter()
        .flat_map(|e| [&e.kind, &e.id])
        .chain(change.put.iter().flat_map(|r| {
            [
                &r.kind,
                &r.id,
                &r.status,
                &r.party,
                &r.counterparty,
                &r.body,
            ]
        }))
        .chain(
            change
                .audit
                .iter()
                .flat_map(|a| [&a.actor, &a.action, &a.subject, &a.body]),
        );
    for text in texts {
        if text.contains('\0') {
            return Err("a change holds a NUL character, which the store cannot keep".to_owned());
        }
    }
    if change.put.len() > CHANGE_RECORDS_MAX {
        return Err(format!(
            "a change writes {} records, more than {CHANGE_RECORDS_MAX}",
            change.put.len()
        ));
    }
    if change.audit.len() > CHANGE_AUDIT_MAX {
        return Err(format!(
            "a change appends {} audit events, more than {CHANGE_AUDIT_MAX}",
            change.audit.len()
        ));
    }
    for r in &change.put {
        for (field, value) in [
            ("kind", &r.kind),
            ("id", &r.id),
            ("status", &r.status),
            ("party", &r.party),
            ("counterparty", &r.counterparty),
        ] {
            if value.len() > RECORD_KEY_BYTES_MAX {
                return Err(format!(
                    "record {}:{}: {field} longer than {RECORD_KEY_BYTES_MAX} bytes",
                    r.kind, r.id
                ));
            }
        }
        if r.body.len() > RECORD_BODY_BYTES_MAX || r.version == 0 || r.version > i64::MAX as u64 {
            return Err(format!(
                "record {}:{}: body of {} bytes or version {} out of range",
                r.kind,
                r.id,
                r.body.len(),
                r.version
            ));
        }
        if r.at > i64::MAX as u64 {
            return Err(format!("record {}:{}: time out of range", r.kind, r.id));
        }
    }
    for a in &change.audit {
        if a.body.len() > RECORD_BODY_BYTES_MAX
            || [&a.actor, &a.action, &a.subject]
                .iter()
                .any(|t| t.len() > RECORD_KEY_BYTES_MAX)
        {
            return Err(format!(
                "audit event {} on {}: too long",
                a.action, a.subject
            ));
        }
    }
    Ok(())
}

/// Most problems `verify_audit` lists; past it, one more line says how many were left out.
pub const AUDIT_PROBLEMS_MAX: usize = 1000;

/// What `verify_audit` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditReport {
    /// Entries checked.
    pub entries: u64,
    /// The stored head: last position and hash.
    pub head: (u64, Hash),
    /// Records compared with the versions the audit chain wrote.
    pub records: u64,
    /// Everything wrong, at most [`AUDIT_PROBLEMS_MAX`] and a count of the rest; empty if the
    /// chain is intact and every record is the version it last wrote.
    pub problems: Vec<String>,
}

/// The last version of a record the audit chain wrote, and where.
#[derive(Debug)]
struct Bound {
    version: u64,
    digest: Hash,
    fields: [u32; 5],
    seq: u64,
}

/// ` in its status and body`: the fields whose fingerprints differ, or nothing if none does
/// (a change the fingerprints cannot tell, which the digest found).
fn fields_differing(record: &Record, written: &[u32; 5]) -> String {
    let differ: Vec<&str> = RECORD_FIELDS
        .iter()
        .zip(record.field_fingerprints().iter().zip(written))
        .filter(|(_, (now, then))| now != then)
        .map(|(name, _)| *name)
        .collect();
    match differ.split_last() {
        None => String::new(),
        Some((last, [])) => format!(" in its {last}"),
        Some((last, rest)) => format!(" in its {} and {last}", rest.join(", ")),
    }
}

/// Walks the stored audit rows in order and checks positions, links and hashes; then the
/// stored records against the last version of each that the chain wrote.
#[derive(Debug)]
pub(crate) struct AuditChecker {
    report: AuditReport,
    prev: Hash,
    next_seq: u64,
    /// Whether every row so far was sound (the chain can be trusted up to here).
    sound: bool,
    written: HashMap<(String, String), Bound>,
    left_out: usize,
}

impl AuditChecker {
    pub fn new() -> Self {
        AuditChecker {
            report: AuditReport::default(),
            prev: journal::GENESIS,
            next_seq: 1,
            sound: true,
            written: HashMap::new(),
            left_out: 0,
        }
    }

    fn problem(&mut self, what: String) {
        if self.report.problems.len() < AUDIT_PROBLEMS_MAX {
            self.report.problems.push(what);
        } else {
            self.left_out += 1;
        }
    }

    /// Checks one row; `false` once the chain is broken (the rest cannot be trusted).
    pub fn row(&mut self, row: Result<AuditRow, crate::StoreError>) -> bool {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                self.sound = false;
                let after = self.next_seq - 1;
                self.problem(format!("audit entry after {after}: {e}"));
                return false;
            }
        };
        let problem = if row.seq != self.next_seq {
            Some(format!(
                "audit entry {} found where {} was expected (missing or reordered entries)",
                row.seq, self.next_seq
            ))
        } else if row.prev_hash != self.prev {
            Some(format!(
                "audit entry {}: previous hash does not match entry {}",
                row.seq,
                row.seq - 1
            ))
        } else if row.compute_hash(&self.prev) != row.hash {
            Some(format!(
                "audit entry {} ({} on {}): hash does not match its contents",
                row.seq, row.action, row.subject
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            self.sound = false;
            self.problem(problem);
            return false;
        }
        for r in row.records {
            let bound = Bound {
                version: r.version,
                digest: r.digest,
                fields: r.fields,
                seq: row.seq,
            };
            self.written.insert((r.kind, r.id), bound);
        }
        self.prev = row.hash;
        self.next_seq += 1;
        self.report.entries += 1;
        true
    }

    /// Compares one stored record with the last version the chain wrote of it. Records are
    /// compared only while the chain is sound: a broken chain cannot say what they should be.
    pub fn record(&mut self, record: Result<Record, crate::StoreError>) {
        if !self.sound {
            return;
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => return self.problem(format!("a record row: {e}")),
        };
        self.report.records += 1;
        let (kind, id, version) = (&record.kind, &record.id, record.version);
        let key = (kind.clone(), id.clone());
        let Some(bound) = self.written.remove(&key) else {
            return self.problem(format!(
                "record {kind}:{id} (version {version}) was never written by the audit chain: \
                 it was inserted outside the house"
            ));
        };
        let (seq, wrote) = (bound.seq, bound.version);
        let problem = if version > wrote {
            format!(
                "record {kind}:{id} is at version {version}, which no audit entry wrote \
                 (audit entry {seq} wrote version {wrote} last): it was changed outside the house"
            )
        } else if version < wrote {
            format!(
                "record {kind}:{id} is at version {version}, but audit entry {seq} wrote version \
                 {wrote}: an older version was restored outside the house"
            )
        } else if record.digest() != bound.digest {
            format!(
                "record {kind}:{id} was changed outside the house (audit entry {seq} wrote \
                 version {wrote}, the row differs{})",
                fields_differing(&record, &bound.fields)
            )
        } else {
            return;
        };
        self.problem(problem);
    }

    /// Compares the end of the chain with the stored head, and reports the records the chain
    /// wrote that are no longer stored.
    pub fn finish(mut self, head: (u64, Hash)) -> AuditReport {
        self.report.head = head;
        if self.sound && (head.0 != self.next_seq - 1 || head.1 != self.prev) {
            let (said, ends) = (head.0, self.next_seq - 1);
            self.problem(format!(
                "audit head says entry {said} but the chain ends at entry {ends}"
            ));
        }
        if self.sound {
            let mut gone: Vec<_> = std::mem::take(&mut self.written).into_iter().collect();
            gone.sort_by_key(|(_, bound)| bound.seq);
            for ((kind, id), bound) in gone {
                self.problem(format!(
                    "record {kind}:{id} was deleted outside the house (audit entry {} wrote \
                     version {}, no row is stored)",
                    bound.seq, bound.version
                ));
            }
        } else {
            self.problem(
                "records were not compared with the audit chain, which is broken".to_owned(),
            );
        }
        if self.left_out > 0 {
            let n = self.left_out;
            self.report
                .problems
                .push(format!("… and {n} more problems"));
        }
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(kind: &str, id: &str, version: u64) -> RecordWritten {
        RecordWritten {
            kind: kind.to_owned(),
            id: id.to_owned(),
            version,
            digest: [version as u8; 32],
            fields: [1, 2, 3, u32::MAX, 0],
        }
    }

    #[test]
    fn the_records_column_reads_back_whatever_a_kind_or_id_holds() {
        let records = vec![
            written("participant", "ir-melli", 2),
            written("idempotency", "eu-pharma/key 1:2\nthree", u64::MAX),
            written("", "", 1),
            written("claim", "ç-é✓ 12:3", 7),
        ];
        let text = encode_written(&records);
        assert_eq!(decode_written(&text), Ok(records));
        assert_eq!(decode_written(""), Ok(vec![]));
    }

    #[test]
    fn a_malformed_records_column_is_named() {
        let hex = "ab".repeat(32);
        let fp = "00".repeat(20);
        for (text, message) in [
            ("x", "record 1: no version"),
            (
                &format!("v {hex} {fp} 1:a1:b\n"),
                "record 1: version \"v\" is not a number",
            ),
            (
                &format!("1 {hex} abc 1:a1:b\n"),
                "record 1: field fingerprints \"abc\" are not 40 hex digits",
            ),
            (
                "1 abc 00 1:a1:b\n",
                "record 1: digest \"abc\" is not 64 hex digits",
            ),
            (
                &format!("1 {hex} {fp} 9:a1:b\n"),
                "record 1: kind of 9 bytes is cut short",
            ),
            (
                &format!("1 {hex} {fp} 1:ax:b\n"),
                "record 1: id length \"x\" is not a number",
            ),
            (
                &format!("1 {hex} {fp} 1:a1:b"),
                "record 1: no line end after the id",
            ),
            (
                &format!("1 {hex} {fp} 1:a1:b\n2 {hex} {fp} 1:é1:b\n"),
                "record 2: kind of 1 bytes ends inside a character",
            ),
        ] {
            let e = decode_written(text).unwrap_err();
            assert!(e.starts_with(message), "{text:?}: {e}");
        }
    }

    #[test]
    fn an_audit_entry_without_records_hashes_as_before_records_were_bound() {
        let mut row = AuditRow {
            seq: 3,
            at: 9,
            actor: "a".into(),
            action: "b".into(),
            subject: "c".into(),
            body: "{}".into(),
            records: Vec::new(),
            prev_hash: [1; 32],
            hash: [0; 32],
        };
        let mut old = Vec::new();
        old.extend_from_slice(&3u64.to_le_bytes());
        old.extend_from_slice(&9u64.to_le_bytes());
        for text in ["a", "b", "c", "{}"] {
            old.extend_from_slice(&(text.len() as u64).to_le_bytes());
            old.extend_from_slice(text.as_bytes());
        }
        assert_eq!(
            row.compute_hash(&[1; 32]),
            journal::chain_hash(&[1; 32], &old)
        );
        let bare = row.compute_hash(&[1; 32]);
        row.records.push(written("claim", "c-1", 1));
        assert_ne!(row.compute_hash(&[1; 32]), bare, "the records are covered");
    }
}
