//! `verify`: recompute the hash chain, replay the journal, compare the replay with every stored
//! row, and check the invariants on the stored rows themselves.

use ledger::journal::Replay;
use ledger::{Account, InvariantCheck, VIOLATIONS_MAX};

use crate::StoreError;
use crate::backend::{Backend, Head, JournalRow, ScanVisitor, TransferRow};

/// What `verify` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// The stored head.
    pub head: Option<Head>,
    /// Journal entries replayed.
    pub entries: u64,
    /// Accounts stored.
    pub accounts: u64,
    /// Transfers stored.
    pub transfers: u64,
    /// Everything wrong, at most [`VIOLATIONS_MAX`] and a count of the rest; empty if all is well.
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// Whether nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, what: String) {
        if self.problems.len() < VIOLATIONS_MAX {
            self.problems.push(what);
        }
    }
}

struct Verifier {
    report: VerifyReport,
    replay: Replay,
    /// Whether the whole journal replayed.
    replayed: bool,
    check: InvariantCheck,
}

impl ScanVisitor for Verifier {
    fn head(&mut self, head: Head) {
        self.report.head = Some(head);
    }

    fn journal(&mut self, row: Result<JournalRow, StoreError>) -> bool {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let after = self.replay.seq();
                self.report
                    .problem(format!("journal entry after {after}: {e}"));
                self.replayed = false;
                return false;
            }
        };
        match self
            .replay
            .apply(row.seq, &row.prev_hash, &row.hash, &row.body)
        {
            Ok(()) => {
                self.report.entries += 1;
                true
            }
            Err(e) => {
                self.report.problem(e.to_string());
                self.replayed = false;
                false
            }
        }
    }

    fn transfer(&mut self, row: Result<TransferRow, StoreError>) {
        self.report.transfers += 1;
        let (t, state) = match row {
            Ok(row) => row,
            Err(e) => return self.report.problem(format!("a transfer row: {e}")),
        };
        self.check.transfer(&t, state.map(|s| s.status));
        if self.replayed {
            let ledger = self.replay.ledger();
            if ledger.transfer(t.id) != Some(&t) || ledger.pending_state(t.id) != state {
                self.report.problem(format!(
                    "transfer {}: stored row differs from the journal's replay",
                    t.id
                ));
            }
        }
    }

    fn account(&mut self, a: Result<Account, StoreError>) {
        self.report.accounts += 1;
        let a = match a {
            Ok(a) => a,
            Err(e) => return self.report.problem(format!("an account row: {e}")),
        };
        self.check.account(&a);
        if self.replayed && self.replay.ledger().account(a.id) != Some(&a) {
            self.report.problem(format!(
                "account {}: stored row differs from the journal's replay",
                a.id
            ));
        }
    }
}

/// Verifies everything in one snapshot.
pub(crate) fn verify(db: &mut dyn Backend) -> Result<VerifyReport, StoreError> {
    let mut v = Verifier {
        report: VerifyReport::default(),
        replay: Replay::new(),
        replayed: true,
        check: InvariantCheck::new(),
    };
    db.scan(&mut v)?;
    let Verifier {
        mut report,
        replay,
        replayed,
        check,
    } = v;
    if replayed {
        let ledger = replay.ledger();
        let expected = Head {
            seq: replay.seq(),
            hash: replay.hash(),
            last_timestamp: ledger.last_timestamp(),
        };
        if report.head != Some(expected) {
            report.problem(format!(
                "journal head {:?} does not match the last journal entry {} (hash {})",
                report.head.map(|h| (h.seq, crate::hash_hex(&h.hash))),
                expected.seq,
                crate::hash_hex(&expected.hash)
            ));
        }
        let (accounts, transfers) = (
            ledger.accounts().len() as u64,
            ledger.transfers().len() as u64,
        );
        if (accounts, transfers) != (report.accounts, report.transfers) {
            report.problem(format!(
                "the journal creates {accounts} accounts and {transfers} transfers; {} and {} are stored",
                report.accounts, report.transfers
            ));
        }
    } else {
        report.problem(
            "stored rows were not compared with the journal, which does not replay".into(),
        );
    }
    for violation in check.finish() {
        report.problem(violation.to_string());
    }
    Ok(report)
}
