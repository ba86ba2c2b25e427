//! The clearing house's state: versioned records and the hash-chained audit journal.
//!
//! A record is one JSON document (a participant, a claim, an alert, a case, a cycle, an
//! idempotency key) under `(kind, id)`, with the few columns it is looked up by. Records change
//! only through a [`Change`]: the versions it expects, the records it writes, the ledger events
//! that go with them and the audit events that explain them, all applied in one transaction by
//! the store's writer, or none of it. Expected versions make every change a compare-and-set, so
//! two officers deciding the same case at once cannot both win, and one idempotency key can be
//! taken once.

use ledger::journal::{self, Hash};
use ledger::{CreateAccountResult, CreateTransferResult, NewAccount, NewTransfer};

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

    /// Length-prefixed fields, in a fixed order: what the hash covers.
    fn canonical_bytes(&self) -> Vec<u8> {
        let texts = [&self.actor, &self.action, &self.subject, &self.body];
        let len: usize = texts.iter().map(|t| t.len() + 8).sum();
        let mut bytes = Vec::with_capacity(16 + len);
        bytes.extend_from_slice(&self.seq.to_le_bytes());
        bytes.extend_from_slice(&self.at.to_le_bytes());
        for text in texts {
            bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
        }
        bytes
    }
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

/// What `verify_audit` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditReport {
    /// Entries checked.
    pub entries: u64,
    /// The stored head: last position and hash.
    pub head: (u64, Hash),
    /// Everything wrong; empty if the chain is intact.
    pub problems: Vec<String>,
}

/// Walks the stored audit rows in order and checks positions, links and hashes.
#[derive(Debug)]
pub(crate) struct AuditChecker {
    pub report: AuditReport,
    prev: Hash,
    next_seq: u64,
}

impl AuditChecker {
    pub fn new() -> Self {
        AuditChecker {
            report: AuditReport::default(),
            prev: journal::GENESIS,
            next_seq: 1,
        }
    }

    /// Checks one row; `false` once the chain is broken (the rest cannot be trusted).
    pub fn row(&mut self, row: Result<AuditRow, crate::StoreError>) -> bool {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                self.report
                    .problems
                    .push(format!("audit entry after {}: {e}", self.next_seq - 1));
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
            self.report.problems.push(problem);
            return false;
        }
        self.prev = row.hash;
        self.next_seq += 1;
        self.report.entries += 1;
        true
    }

    /// Compares the end of the chain with the stored head.
    pub fn finish(mut self, head: (u64, Hash), complete: bool) -> AuditReport {
        self.report.head = head;
        if complete && (head.0 != self.next_seq - 1 || head.1 != self.prev) {
            self.report.problems.push(format!(
                "audit head says entry {} but the chain ends at entry {}",
                head.0,
                self.next_seq - 1
            ));
        }
        self.report
    }
}
