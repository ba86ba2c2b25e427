//! Bank files in: camt.054 / camt.053 entries on the zone house accounts, matched to pay-in
//! requests or booked to suspense, and pain.002 status reports on pay-outs. And what the
//! operator does with money in suspense: match it by hand, refund it, keep it.

use std::collections::{BTreeSet, HashMap};

use iso20022::read::{BankEntry as ReadEntry, BankReport, BankTransaction, EntryStatus};
use ledger::NewTransfer;
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::Change;

use crate::error::HouseError;
use crate::types::*;
use crate::{Commit, House, Versioned, audit, expect, ids, record};

/// Most bank entries booked in one change.
pub const ENTRIES_PER_CHANGE_MAX: usize = 2_000;
/// Largest bank file imported, in bytes.
pub const BANK_FILE_BYTES_MAX: usize = iso20022::read::READ_BYTES_MAX;

/// What became of one entry of a bank file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedEntry {
    pub entry: String,
    pub line: u64,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycle: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    pub amount_minor: i64,
    pub amount: String,
    pub currency: String,
}

/// What importing a bank file did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// `camt.054`, `camt.053` or `pain.002`.
    pub message: String,
    pub message_id: String,
    pub sha256: String,
    /// The same file was imported before: nothing changed.
    pub already_imported: bool,
    pub entries: usize,
    pub matched: usize,
    pub suspense: usize,
    /// Entries the house had from an earlier file (the same credit reported twice).
    pub duplicates: usize,
    pub noted: usize,
    pub payouts_confirmed: usize,
    pub payouts_rejected: usize,
    /// Entry by entry (at most [`REPORT_ENTRIES_MAX`]; the counts above cover all).
    pub details: Vec<ImportedEntry>,
    /// Cycles moved on by what arrived.
    pub cycles: Vec<u64>,
}

/// Most entries an import report lists one by one.
pub const REPORT_ENTRIES_MAX: usize = 1_000;

/// A bank file's record: imported once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
struct BankFile {
    sha256: String,
    message: String,
    message_id: String,
    entries: usize,
    imported_at: u64,
    imported_by: String,
}

/// One item to book: a credit or debit of a zone house account.
struct Item {
    id: String,
    zone: String,
    entry: BankEntry,
    booked: bool,
    reversal: bool,
    ask_reference: Option<String>,
}

/// The cycles an import touches, read once and written back once per change.
struct Cycles {
    loaded: HashMap<u64, Versioned<Cycle>>,
    dirty: BTreeSet<u64>,
}

impl House {
    /// Imports a bank file: camt.054 or camt.053 (credits matched to pay-in requests, debits
    /// to pay-outs) or pain.002 (the bank's status of pay-outs). Importing the same file, or
    /// an entry already imported from another file, changes nothing.
    pub fn import_bank_file(&self, actor: &str, bytes: &[u8]) -> Result<ImportReport, HouseError> {
        let report = self.import_bank_entries(actor, bytes)?;
        for &n in &report.cycles {
            self.advance(actor, n)?;
        }
        Ok(report)
    }

    /// [`House::import_bank_file`] without moving the cycles on: the entries are booked, and
    /// `report.cycles` names the cycles to [`House::advance`].
    pub fn import_bank_entries(
        &self,
        actor: &str,
        bytes: &[u8],
    ) -> Result<ImportReport, HouseError> {
        crate::check_actor("actor", actor)?;
        if bytes.len() > BANK_FILE_BYTES_MAX {
            return Err(HouseError::invalid(
                "file",
                format!("{} bytes, more than {BANK_FILE_BYTES_MAX}", bytes.len()),
            ));
        }
        let sha = hex::encode(Sha256::digest(bytes));
        if let Some(r) = self.store.record(kind::BANK_FILE, &sha)? {
            let file: BankFile = crate::parse(&r)?;
            return Ok(ImportReport {
                message: file.message,
                message_id: file.message_id,
                sha256: sha,
                already_imported: true,
                entries: file.entries,
                ..ImportReport::default()
            });
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
        let mut report = if head.contains("pain.002") {
            let status = iso20022::read::read_pain002(bytes)
                .map_err(|e| HouseError::invalid("file", e.to_string()))?;
            self.import_status(actor, &status, &sha)?
        } else {
            let bank = iso20022::read::read_bank_report(bytes)
                .map_err(|e| HouseError::invalid("file", e.to_string()))?;
            self.import_report(actor, &bank, &sha)?
        };
        report.sha256 = sha.clone();
        let mut change = Change::default();
        change.expect.push(expect(kind::BANK_FILE, &sha, None));
        let file = BankFile {
            sha256: sha.clone(),
            message: report.message.clone(),
            message_id: report.message_id.clone(),
            entries: report.entries,
            imported_at: self.now(),
            imported_by: actor.to_owned(),
        };
        change.put.push(record(
            kind::BANK_FILE,
            &sha,
            1,
            "imported",
            ("", ""),
            file.imported_at,
            &file,
        )?);
        change.audit.push(audit(
            actor,
            "bank_file.imported",
            format!("bank_file:{sha}"),
            &file,
        )?);
        // Lost a race with the same file imported at once: its entries were skipped as
        // duplicates by one of the two, and the file is recorded by the other.
        let _ = self.commit(change, "the bank file")?;
        Ok(report)
    }

    fn import_report(
        &self,
        actor: &str,
        bank: &BankReport,
        sha: &str,
    ) -> Result<ImportReport, HouseError> {
        let mut report = ImportReport {
            message: match bank.kind {
                iso20022::read::MessageKind::Camt053 => "camt.053".into(),
                iso20022::read::MessageKind::Camt054 => "camt.054".into(),
            },
            message_id: bank.message_id.clone(),
            ..ImportReport::default()
        };
        let mut items = Vec::new();
        for (i, account) in bank.accounts.iter().enumerate() {
            let iban = account
                .iban
                .as_deref()
                .map(|s| s.replace(' ', "").to_ascii_uppercase())
                .unwrap_or_default();
            let zone = self
                .config
                .zones
                .iter()
                .find(|z| z.account.iban().to_string() == iban)
                .ok_or_else(|| {
                    HouseError::invalid(
                        format!("accounts[{i}].iban"),
                        format!(
                            "{:?} (line {}) is not the account of any zone house: the file is for another account",
                            account.iban.as_deref().or(account.other_id.as_deref()).unwrap_or(""),
                            account.line
                        ),
                    )
                })?;
            for entry in &account.entries {
                items.extend(items_of(zone.code.as_str(), sha, entry, self.now()));
            }
        }
        report.entries = items.len();
        let mut cycles = Cycles {
            loaded: HashMap::new(),
            dirty: BTreeSet::new(),
        };
        for chunk in items.chunks_mut(ENTRIES_PER_CHANGE_MAX) {
            for _ in 0..crate::ATTEMPTS_MAX {
                cycles.loaded.clear();
                cycles.dirty.clear();
                let mut chunk_report = ImportReport::default();
                let change = self.book_items(actor, chunk, &mut cycles, &mut chunk_report)?;
                match self.commit(change, "the bank entries")? {
                    Commit::Done => {
                        merge(&mut report, chunk_report);
                        report.cycles.extend(cycles.dirty.iter().copied());
                        break;
                    }
                    Commit::Raced(_) => continue,
                }
            }
        }
        report.cycles.sort_unstable();
        report.cycles.dedup();
        Ok(report)
    }

    /// Books a chunk of items into one change.
    fn book_items(
        &self,
        actor: &str,
        chunk: &mut [Item],
        cycles: &mut Cycles,
        report: &mut ImportReport,
    ) -> Result<Change, HouseError> {
        let mut change = Change::default();
        let now = self.now();
        let mut seen = BTreeSet::new();
        for item in chunk.iter() {
            if !seen.insert(item.id.clone())
                || self.store.record(kind::BANK_ENTRY, &item.id)?.is_some()
            {
                report.duplicates += 1;
                continue;
            }
            let mut entry = item.entry.clone();
            entry.imported_at = now;
            let zone = self.zone_by_code(&item.zone)?;
            if !item.booked || item.reversal || entry.currency != zone.currency.code() {
                entry.status = BankEntryStatus::Noted;
                entry.reason = Some(
                    if item.reversal {
                        "reversal"
                    } else if !item.booked {
                        "not_booked"
                    } else {
                        "wrong_currency"
                    }
                    .into(),
                );
                if item.booked {
                    self.alert_entry(&mut change, &entry, now)?;
                }
                report.noted += 1;
            } else if entry.credit {
                self.book_credit(&mut change, &mut entry, item, cycles, now)?;
                match entry.status {
                    BankEntryStatus::Matched => report.matched += 1,
                    _ => report.suspense += 1,
                }
            } else {
                self.book_debit(&mut change, &mut entry, cycles, report)?;
            }
            if report.details.len() < REPORT_ENTRIES_MAX {
                report.details.push(imported(&entry, zone.currency));
            }
            change
                .expect
                .push(expect(kind::BANK_ENTRY, &entry.id, None));
            change.put.push(entry_record(&entry, 1)?);
        }
        for n in &cycles.dirty {
            if let Some(c) = cycles.loaded.get_mut(n) {
                self.put_cycle_header(&mut change, &mut c.value, c.version)?;
            }
        }
        change.accounts.extend(self.settlement_accounts());
        change.audit.push(audit(
            actor,
            "bank_entries.booked",
            "bank".into(),
            &serde_json::json!({
                "matched": report.matched, "suspense": report.suspense,
                "noted": report.noted, "duplicates": report.duplicates,
                "entries": chunk.iter().map(|i| &i.id).collect::<Vec<_>>(),
            }),
        )?);
        Ok(change)
    }

    /// A credit: an exact pay-in, or suspense with the reason.
    fn book_credit(
        &self,
        change: &mut Change,
        entry: &mut BankEntry,
        item: &Item,
        cycles: &mut Cycles,
        now: u64,
    ) -> Result<(), HouseError> {
        let zone = self.zone_by_code(&item.zone)?;
        let found = self.find_position(
            item.ask_reference.as_deref(),
            entry.end_to_end_id.as_deref(),
            cycles,
        )?;
        let reason = match &found {
            None => "unknown_reference",
            Some((n, i)) => {
                let c = &cycles.loaded[n].value;
                let p = &c.positions[*i];
                let late = entry
                    .booking_date
                    .as_deref()
                    .and_then(|d| d.parse::<model::Date>().ok())
                    .is_some_and(|d| d > model::calendar::utc_date(c.deadline));
                entry.cycle = Some(*n);
                entry.participant = Some(p.participant.clone());
                if p.zone != item.zone {
                    "wrong_zone"
                } else if p.status == PositionStatus::Paid {
                    "already_paid"
                } else if p.status != PositionStatus::Requested
                    || c.status != CycleStatus::AwaitingPayIns
                    || late
                {
                    "late"
                } else if entry.amount_minor < p.outstanding_minor() {
                    "short"
                } else if entry.amount_minor > p.outstanding_minor() {
                    "excess"
                } else {
                    "exact"
                }
            }
        };
        if reason == "exact" {
            let (n, i) = found.expect("an exact match has a position");
            let c = cycles.loaded.get_mut(&n).expect("loaded");
            let p = &mut c.value.positions[i];
            let amount = entry.amount_minor / zone.minor_rate;
            let transfer = NewTransfer {
                id: ids::settlement_transfer("pay_in", n, &[&p.participant, &entry.id]),
                debit_account_id: ids::zone_account(&self.config, &zone.code).id,
                credit_account_id: self.position_account(&p.participant)?,
                amount: amount as u64,
                ledger: ids::ledger_of(&self.config),
                code: ids::TRANSFER_PAY_IN,
                user_data_64: n,
                ..NewTransfer::default()
            };
            change.transfers.push(transfer);
            let booked = Booked {
                transfer_id: transfer.id,
                what: "pay_in".into(),
                amount_minor: amount,
                at: now,
            };
            p.booked.push(booked.clone());
            p.received_minor += entry.amount_minor;
            p.credits.push(entry.id.clone());
            p.status = PositionStatus::Paid;
            entry.booked.push(booked);
            entry.status = BankEntryStatus::Matched;
            entry.remaining_minor = 0;
            entry.ledger_remaining_minor = 0;
            cycles.dirty.insert(n);
            return Ok(());
        }
        entry.reason = Some(reason.into());
        self.to_suspense(change, entry, &item.zone, now)?;
        self.alert_entry(change, entry, now)
    }

    /// Books a bank entry's amount to its zone's suspense account (money in, owner unknown).
    fn to_suspense(
        &self,
        change: &mut Change,
        entry: &mut BankEntry,
        zone_code: &str,
        now: u64,
    ) -> Result<(), HouseError> {
        let zone = self.zone_by_code(zone_code)?;
        let amount = entry.amount_minor / zone.minor_rate;
        entry.status = BankEntryStatus::Suspense;
        entry.remaining_minor = entry.amount_minor;
        entry.ledger_remaining_minor = amount;
        if amount > 0 {
            let transfer = NewTransfer {
                id: ids::settlement_transfer("suspense_in", 0, &[&entry.id]),
                debit_account_id: ids::zone_account(&self.config, &zone.code).id,
                credit_account_id: ids::suspense_account(&self.config, &zone.code).id,
                amount: amount as u64,
                ledger: ids::ledger_of(&self.config),
                code: ids::TRANSFER_SUSPENSE_IN,
                ..NewTransfer::default()
            };
            change.transfers.push(transfer);
            entry.booked.push(Booked {
                transfer_id: transfer.id,
                what: "suspense_in".into(),
                amount_minor: amount,
                at: now,
            });
        }
        Ok(())
    }

    /// An alert for the operator about a bank entry.
    fn alert_entry(
        &self,
        change: &mut Change,
        entry: &BankEntry,
        now: u64,
    ) -> Result<(), HouseError> {
        let reason = entry.reason.clone().unwrap_or_default();
        let subject = format!("bank_entry:{}", entry.id);
        let alert = Alert {
            id: crate::onboarding::alert_id(&[&subject, "settlement", &reason]),
            subject: subject.clone(),
            participant: entry.participant.clone().unwrap_or_default(),
            category: "settlement".into(),
            code: reason.clone(),
            explanation: explain(entry),
            inputs: serde_json::json!({
                "amount_minor": entry.amount_minor, "currency": entry.currency,
                "reference": entry.reference, "end_to_end_id": entry.end_to_end_id,
                "cycle": entry.cycle, "counterparty": entry.counterparty,
            }),
            status: AlertStatus::Open,
            case: String::new(),
            created_at: now,
        };
        super::new_alert(change, &alert)?;
        Ok(())
    }

    /// Clears the open alerts about a bank entry once the operator resolved it (matched in
    /// full, refunded or kept), in the same change.
    fn resolve_entry_alerts(
        &self,
        change: &mut Change,
        entry: &BankEntry,
    ) -> Result<(), HouseError> {
        let subject = format!("bank_entry:{}", entry.id);
        let reason = entry.reason.clone().unwrap_or_default();
        for code in [reason.as_str(), "refund_due"] {
            let id = crate::onboarding::alert_id(&[&subject, "settlement", code]);
            if let Some(Versioned {
                value: mut alert,
                version,
            }) = self.load::<Alert>(kind::ALERT, &id)?
                && alert.status == AlertStatus::Open
            {
                alert.status = AlertStatus::Cleared;
                change.expect.push(expect(kind::ALERT, &id, Some(version)));
                change.put.push(record(
                    kind::ALERT,
                    &id,
                    version + 1,
                    alert.status.as_str(),
                    (&alert.participant, ""),
                    alert.created_at,
                    &alert,
                )?);
            }
        }
        Ok(())
    }

    /// A debit of a zone house account: a pay-out the bank carried out.
    fn book_debit(
        &self,
        change: &mut Change,
        entry: &mut BankEntry,
        cycles: &mut Cycles,
        report: &mut ImportReport,
    ) -> Result<(), HouseError> {
        entry.status = BankEntryStatus::Debit;
        let Some(e2e) = entry.end_to_end_id.clone() else {
            entry.reason = Some("unknown_debit".into());
            report.noted += 1;
            return self.alert_entry(change, entry, self.now());
        };
        if let Some(n) = crate::cycle::named_cycle(&e2e, "C") {
            self.load_cycle(cycles, n)?;
            if let Some(c) = cycles.loaded.get_mut(&n) {
                let found = c
                    .value
                    .positions
                    .iter_mut()
                    .find(|p| p.payout.as_ref().is_some_and(|x| x.end_to_end_id == e2e));
                if let Some(p) = found {
                    if let Some(payout) = p.payout.as_mut() {
                        payout.confirmed = true;
                    }
                    entry.cycle = Some(n);
                    entry.participant = Some(p.participant.clone());
                    cycles.dirty.insert(n);
                    report.payouts_confirmed += 1;
                    return Ok(());
                }
            }
        }
        entry.reason = Some("unknown_debit".into());
        report.noted += 1;
        self.alert_entry(change, entry, self.now())
    }

    /// Reads cycle `n` into `cycles` once.
    fn load_cycle(&self, cycles: &mut Cycles, n: u64) -> Result<(), HouseError> {
        if let std::collections::hash_map::Entry::Vacant(e) = cycles.loaded.entry(n) {
            match self.get::<Cycle>(kind::CYCLE, &crate::cycle::cycle_id(n)) {
                Ok(c) => {
                    e.insert(c);
                }
                Err(HouseError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The position a credit is for: by its ISO 11649 reference, or else by the end-to-end id
    /// of the request. `(cycle, index of the position)`.
    fn find_position(
        &self,
        reference: Option<&str>,
        end_to_end: Option<&str>,
        cycles: &mut Cycles,
    ) -> Result<Option<(u64, usize)>, HouseError> {
        if let Some(reference) = reference {
            let normal = iso20022::normalize_reference(reference);
            if let Some(n) = crate::cycle::reference_cycle(&normal) {
                self.load_cycle(cycles, n)?;
                if let Some(c) = cycles.loaded.get(&n)
                    && let Some(i) = c.value.positions.iter().position(|p| p.reference == normal)
                {
                    return Ok(Some((n, i)));
                }
            }
        }
        if let Some(e2e) = end_to_end
            && let Some(n) = crate::cycle::named_cycle(e2e, "C")
        {
            self.load_cycle(cycles, n)?;
            if let Some(c) = cycles.loaded.get(&n)
                && let Some(i) = c
                    .value
                    .positions
                    .iter()
                    .position(|p| p.end_to_end_id == e2e && p.net_minor < 0)
            {
                return Ok(Some((n, i)));
            }
        }
        Ok(None)
    }

    /// A pain.002: the bank's status of pay-outs. Accepted ones are confirmed; a rejected one is
    /// returned on the ledger (the house owes the payee again) and raised with an alert.
    fn import_status(
        &self,
        actor: &str,
        status: &iso20022::read::PaymentStatusReport,
        sha: &str,
    ) -> Result<ImportReport, HouseError> {
        let mut report = ImportReport {
            message: "pain.002".into(),
            message_id: status.message_id.clone(),
            entries: status.payments.len(),
            ..ImportReport::default()
        };
        let n =
            crate::cycle::named_cycle(&status.original_message_id, "CH-C").ok_or_else(|| {
                HouseError::invalid(
                    "OrgnlGrpInfAndSts.OrgnlMsgId",
                    format!(
                        "{:?} is not a pay-out file of this house",
                        status.original_message_id
                    ),
                )
            })?;
        for _ in 0..crate::ATTEMPTS_MAX {
            let Versioned {
                value: mut c,
                version,
            } = self.get::<Cycle>(kind::CYCLE, &crate::cycle::cycle_id(n))?;
            let mut change = Change {
                accounts: self.settlement_accounts(),
                ..Change::default()
            };
            let mut changed = false;
            let now = self.now();
            let mut confirmed = 0;
            let mut rejected = 0;
            let targets: Vec<(Option<String>, String, Option<String>)> =
                if status.payments.is_empty() {
                    // Only a group status: it applies to every payment of the message.
                    c.positions
                        .iter()
                        .filter_map(|p| p.payout.as_ref())
                        .filter(|x| x.message_id == status.original_message_id)
                        .map(|x| {
                            (
                                Some(x.end_to_end_id.clone()),
                                status.group_status.clone().unwrap_or_default(),
                                status.group_reasons.first().and_then(|r| r.code.clone()),
                            )
                        })
                        .collect()
                } else {
                    status
                        .payments
                        .iter()
                        .map(|p| {
                            let code = p
                                .status
                                .clone()
                                .or_else(|| p.payment_information_status.clone())
                                .or_else(|| status.group_status.clone())
                                .unwrap_or_default();
                            let reason =
                                p.reasons.first().and_then(|r| r.code.clone()).or_else(|| {
                                    status.group_reasons.first().and_then(|r| r.code.clone())
                                });
                            (p.original_end_to_end_id.clone(), code, reason)
                        })
                        .collect()
                };
            for (e2e, code, reason) in targets {
                let found = c.positions.iter_mut().find(|p| {
                    p.payout.as_ref().is_some_and(|x| {
                        x.message_id == status.original_message_id
                            && e2e.as_deref().is_none_or(|e| e == x.end_to_end_id)
                    })
                });
                let Some(p) = found else { continue };
                match code.as_str() {
                    "ACCP" | "ACSC" | "ACSP" | "ACWC" | "ACCC" => {
                        if let Some(x) = p.payout.as_mut().filter(|x| !x.confirmed) {
                            x.confirmed = true;
                            confirmed += 1;
                            changed = true;
                        }
                    }
                    "RJCT" if p.status == PositionStatus::PaidOut => {
                        let zone = self.zone_by_code(&p.zone)?;
                        let payout = p.payout.clone().expect("a paid-out position has a pay-out");
                        let transfer = NewTransfer {
                            id: ids::settlement_transfer(
                                "pay_out_returned",
                                n,
                                &[&p.participant, &payout.attempt.to_string()],
                            ),
                            debit_account_id: ids::zone_account(&self.config, &zone.code).id,
                            credit_account_id: self.position_account(&p.participant)?,
                            amount: p.net_minor.unsigned_abs(),
                            ledger: ids::ledger_of(&self.config),
                            code: ids::TRANSFER_PAY_OUT_RETURNED,
                            user_data_64: n,
                            ..NewTransfer::default()
                        };
                        change.transfers.push(transfer);
                        p.booked.push(Booked {
                            transfer_id: transfer.id,
                            what: "pay_out_returned".into(),
                            amount_minor: p.net_minor,
                            at: now,
                        });
                        p.status = PositionStatus::Rejected;
                        if let Some(x) = p.payout.as_mut() {
                            x.rejection = Some(reason.clone().unwrap_or_else(|| "rejected".into()));
                        }
                        let subject = format!("cycle:{n}:payout:{}", p.participant);
                        let alert = Alert {
                            id: crate::onboarding::alert_id(&[
                                &subject,
                                "settlement",
                                "payout_rejected",
                                &payout.attempt.to_string(),
                            ]),
                            subject,
                            participant: p.participant.clone(),
                            category: "settlement".into(),
                            code: "payout_rejected".into(),
                            explanation: format!(
                                "the bank rejected the pay-out of cycle {n} to {} ({}, attempt {}): reason {}; retry it with `clearhouse settlement retry-payout` once the account is right",
                                p.participant,
                                payout.end_to_end_id,
                                payout.attempt,
                                reason.as_deref().unwrap_or("not given")
                            ),
                            inputs: serde_json::json!({ "message_id": status.original_message_id, "end_to_end_id": payout.end_to_end_id, "reason": reason, "file": sha }),
                            status: AlertStatus::Open,
                            case: String::new(),
                            created_at: now,
                        };
                        super::new_alert(&mut change, &alert)?;
                        rejected += 1;
                        changed = true;
                    }
                    _ => {}
                }
            }
            if !changed {
                report.noted = report.entries;
                return Ok(report);
            }
            if c.status == CycleStatus::Settled && rejected > 0 {
                c.status = CycleStatus::PayingOut;
            }
            self.put_cycle_header(&mut change, &mut c, version)?;
            change.audit.push(audit(
                actor,
                "cycle.payout_status",
                format!("cycle:{n}"),
                &serde_json::json!({ "file": sha, "confirmed": confirmed, "rejected": rejected }),
            )?);
            if let Commit::Done = self.commit(change, "the pay-out status")? {
                report.payouts_confirmed = confirmed;
                report.payouts_rejected = rejected;
                report.cycles.push(n);
                return Ok(report);
            }
        }
        Err(HouseError::Contention {
            what: format!("cycle {n}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// Bank entries in suspense (or kept), oldest first.
    pub fn suspense(&self, limit: usize) -> Result<Vec<BankEntry>, HouseError> {
        let mut out = Vec::new();
        for status in [BankEntryStatus::Suspense, BankEntryStatus::Kept] {
            out.extend(self.values::<BankEntry>(
                kind::BANK_ENTRY,
                Some(status.as_str()),
                None,
                limit,
            )?);
        }
        Ok(out)
    }

    /// One bank entry.
    pub fn bank_entry(&self, id: &str) -> Result<BankEntry, HouseError> {
        Ok(self.get(kind::BANK_ENTRY, id)?.value)
    }

    /// Matches money in suspense by hand to a payer's pay-in in cycle `n`: as much of it as the
    /// payer still owes. The rest stays in suspense.
    pub fn match_entry(
        &self,
        actor: &str,
        entry: &str,
        n: u64,
        participant: &str,
    ) -> Result<BankEntry, HouseError> {
        crate::check_actor("actor", actor)?;
        for _ in 0..crate::ATTEMPTS_MAX {
            let e = self.get::<BankEntry>(kind::BANK_ENTRY, entry)?;
            if self.apply_entry(actor, e, n, participant, false)? {
                self.advance(actor, n)?;
                return self.bank_entry(entry);
            }
        }
        Err(HouseError::Contention {
            what: format!("bank entry {entry}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// Applies a suspense entry to a pay-in. `false`: lost a race.
    pub(crate) fn apply_entry(
        &self,
        actor: &str,
        entry: Versioned<BankEntry>,
        n: u64,
        participant: &str,
        kept: bool,
    ) -> Result<bool, HouseError> {
        let Versioned {
            value: mut e,
            version: ev,
        } = entry;
        let allowed = if kept {
            BankEntryStatus::Kept
        } else {
            BankEntryStatus::Suspense
        };
        if e.status != allowed || e.remaining_minor <= 0 {
            return Err(HouseError::NotAllowed(format!(
                "bank entry {} is {} with {} left: only money in suspense can be matched",
                e.id,
                e.status.as_str(),
                e.remaining_minor
            )));
        }
        let Versioned {
            value: mut c,
            version: cv,
        } = self.get::<Cycle>(kind::CYCLE, &crate::cycle::cycle_id(n))?;
        let i = c
            .positions
            .iter()
            .position(|p| p.participant == participant)
            .ok_or_else(|| HouseError::NotFound {
                kind: "position",
                id: format!("{participant} in cycle {n}"),
            })?;
        let p = &mut c.positions[i];
        if p.status != PositionStatus::Requested || c.status != CycleStatus::AwaitingPayIns {
            return Err(HouseError::NotAllowed(format!(
                "{participant} in cycle {n} is {}: only a pay-in still requested can be matched",
                p.status.as_str()
            )));
        }
        if p.currency != e.currency {
            return Err(HouseError::NotAllowed(format!(
                "bank entry {} is in {}, the pay-in in {}",
                e.id, e.currency, p.currency
            )));
        }
        let zone = self.zone_by_code(&p.zone)?;
        let applied = e.remaining_minor.min(p.outstanding_minor());
        if applied % zone.minor_rate != 0 {
            return Err(HouseError::NotAllowed(format!(
                "{applied} minor units of {} are not a whole number of clearing-currency minor units at the agreed rate; refund the entry instead",
                e.currency
            )));
        }
        let amount = applied / zone.minor_rate;
        let now = self.now();
        let transfer = NewTransfer {
            id: ids::settlement_transfer("applied", n, &[participant, &e.id]),
            debit_account_id: ids::suspense_account(&self.config, &zone.code).id,
            credit_account_id: self.position_account(participant)?,
            amount: amount as u64,
            ledger: ids::ledger_of(&self.config),
            code: ids::TRANSFER_SUSPENSE_APPLIED,
            user_data_64: n,
            ..NewTransfer::default()
        };
        let booked = Booked {
            transfer_id: transfer.id,
            what: "applied".into(),
            amount_minor: amount,
            at: now,
        };
        p.booked.push(booked.clone());
        p.received_minor += applied;
        p.credits.push(e.id.clone());
        if p.outstanding_minor() == 0 {
            p.status = PositionStatus::Paid;
        }
        e.booked.push(booked);
        e.remaining_minor -= applied;
        e.ledger_remaining_minor -= amount;
        e.cycle = Some(n);
        e.participant = Some(participant.to_owned());
        let mut change = Change {
            transfers: vec![transfer],
            ..Change::default()
        };
        if e.remaining_minor == 0 {
            e.status = BankEntryStatus::Applied;
            self.resolve_entry_alerts(&mut change, &e)?;
        }
        change
            .expect
            .push(expect(kind::BANK_ENTRY, &e.id, Some(ev)));
        change.put.push(entry_record(&e, ev + 1)?);
        self.put_cycle_header(&mut change, &mut c, cv)?;
        change.audit.push(audit(
            actor,
            if kept { "bank_entry.applied_kept" } else { "bank_entry.matched" },
            format!("bank_entry:{}", e.id),
            &serde_json::json!({ "cycle": n, "participant": participant, "applied_minor": applied, "currency": e.currency }),
        )?);
        Ok(matches!(self.commit(change, "the match")?, Commit::Done))
    }

    /// Keeps money in suspense for a participant's next pay-in (applied when one is requested).
    pub fn keep_entry(
        &self,
        actor: &str,
        entry: &str,
        participant: &str,
    ) -> Result<BankEntry, HouseError> {
        crate::check_actor("actor", actor)?;
        self.participant(participant)?;
        let Versioned {
            value: mut e,
            version,
        } = self.get::<BankEntry>(kind::BANK_ENTRY, entry)?;
        if e.status != BankEntryStatus::Suspense || e.remaining_minor <= 0 {
            return Err(HouseError::NotAllowed(format!(
                "bank entry {entry} is {}: only money in suspense can be kept",
                e.status.as_str()
            )));
        }
        e.status = BankEntryStatus::Kept;
        e.participant = Some(participant.to_owned());
        let mut change = Change::default();
        self.resolve_entry_alerts(&mut change, &e)?;
        change
            .expect
            .push(expect(kind::BANK_ENTRY, entry, Some(version)));
        change.put.push(entry_record(&e, version + 1)?);
        change.audit.push(audit(
            actor,
            "bank_entry.kept",
            format!("bank_entry:{entry}"),
            &serde_json::json!({ "participant": participant }),
        )?);
        match self.commit(change, "keeping the entry")? {
            Commit::Done => {}
            Commit::Raced(what) => {
                return Err(HouseError::NotAllowed(format!(
                    "{what} changed meanwhile; try again"
                )));
            }
        }
        // A pay-in of the participant may be waiting for it.
        for open in self.open_cycles()? {
            self.advance(actor, open.value.number)?;
        }
        self.bank_entry(entry)
    }

    /// Refunds money in suspense (or kept) to whoever sent it: a pain.001 from the zone house
    /// account, written to `out_dir`/refunds.
    pub fn refund_entry(
        &self,
        actor: &str,
        entry: &str,
        out_dir: &std::path::Path,
    ) -> Result<(BankEntry, String), HouseError> {
        crate::check_actor("actor", actor)?;
        let Versioned {
            value: mut e,
            version,
        } = self.get::<BankEntry>(kind::BANK_ENTRY, entry)?;
        if !matches!(e.status, BankEntryStatus::Suspense | BankEntryStatus::Kept)
            || e.remaining_minor <= 0
        {
            return Err(HouseError::NotAllowed(format!(
                "bank entry {entry} is {}: only money in suspense can be refunded",
                e.status.as_str()
            )));
        }
        let zone = self.zone_by_code(&e.zone)?;
        let (name, iban, bic) = match (&e.counterparty.name, &e.counterparty.iban) {
            (Some(name), Some(iban)) => (
                name.clone(),
                iban.clone(),
                e.counterparty.bic.clone().unwrap_or_default(),
            ),
            _ => match e
                .participant
                .as_deref()
                .map(|p| self.participant(p))
                .transpose()?
            {
                Some(p) => {
                    let a = p.participant.bank_account().ok_or_else(|| {
                        HouseError::NotAllowed(format!(
                            "{} has no bank account to refund to",
                            p.participant.id()
                        ))
                    })?;
                    (
                        p.participant.legal_name().to_owned(),
                        a.iban().to_string(),
                        a.bic().to_string(),
                    )
                }
                None => {
                    return Err(HouseError::NotAllowed(format!(
                        "bank entry {entry} does not say who sent it (no name and IBAN): it cannot be refunded; ask the bank"
                    )));
                }
            },
        };
        let now = self.now();
        let transfer = NewTransfer {
            id: ids::settlement_transfer("refund", 0, &[&e.id]),
            debit_account_id: ids::suspense_account(&self.config, &zone.code).id,
            credit_account_id: ids::zone_account(&self.config, &zone.code).id,
            amount: e.ledger_remaining_minor as u64,
            ledger: ids::ledger_of(&self.config),
            code: ids::TRANSFER_REFUND,
            ..NewTransfer::default()
        };
        let end = format!("R-{}", &e.id[..e.id.len().min(30)]);
        let message_id = format!("CH-R-{}", &e.id[..e.id.len().min(28)]);
        let text = format!(
            "refund of {} {} received{}",
            iso20022::format_amount(e.remaining_minor, zone.currency).unwrap_or_default(),
            e.currency,
            e.reference
                .as_deref()
                .map(|r| format!(" with reference {r}"))
                .unwrap_or_default()
        );
        let transfers = [iso20022::CreditTransfer {
            end_to_end_id: &end,
            creditor: iso20022::Account {
                name: &name,
                iban: &iban,
                bic: &bic,
            },
            amount_minor: e.remaining_minor,
            remittance: iso20022::Remittance {
                creditor_reference: None,
                documents: &[],
                text: Some(&text),
            },
        }];
        let bytes = super::files::credit_transfers(self, None, zone, &message_id, &transfers)?;
        let dir = crate::cycle::settlement_dir(out_dir)?;
        let rel = format!("refunds/refund-{}.pain001.xml", e.id);
        let staged = super::files::stage(&dir.display().to_string(), &rel, &bytes)?;
        if e.ledger_remaining_minor > 0 {
            e.booked.push(Booked {
                transfer_id: transfer.id,
                what: "refund".into(),
                amount_minor: e.ledger_remaining_minor,
                at: now,
            });
        }
        e.status = BankEntryStatus::Refunded;
        e.remaining_minor = 0;
        e.ledger_remaining_minor = 0;
        let mut change = Change::default();
        self.resolve_entry_alerts(&mut change, &e)?;
        if transfer.amount > 0 {
            change.transfers.push(transfer);
        }
        change
            .expect
            .push(expect(kind::BANK_ENTRY, entry, Some(version)));
        change.put.push(entry_record(&e, version + 1)?);
        change.audit.push(audit(
            actor,
            "bank_entry.refunded",
            format!("bank_entry:{entry}"),
            &serde_json::json!({ "to": name, "iban": iban, "file": staged.file }),
        )?);
        match self.commit(change, "the refund")? {
            Commit::Done => {
                let path = dir.join(&rel).display().to_string();
                staged.place()?;
                Ok((e, path))
            }
            Commit::Raced(what) => {
                // Dropped, the staged file is removed.
                drop(staged);
                Err(HouseError::NotAllowed(format!(
                    "{what} changed meanwhile; try again"
                )))
            }
        }
    }

    /// Instructs a rejected pay-out again (a new attempt, a new pain.001).
    pub fn retry_payout(
        &self,
        actor: &str,
        n: u64,
        participant: &str,
    ) -> Result<Position, HouseError> {
        crate::check_actor("actor", actor)?;
        let Versioned {
            value: mut c,
            version,
        } = self.cycle_versioned(n)?;
        let i = c
            .positions
            .iter()
            .position(|p| p.participant == participant && p.status == PositionStatus::Rejected)
            .ok_or_else(|| {
                HouseError::NotAllowed(format!(
                    "{participant} has no rejected pay-out in cycle {n}"
                ))
            })?;
        c.positions[i].status = PositionStatus::Waiting;
        let mut change = Change::default();
        self.put_cycle_header(&mut change, &mut c, version)?;
        change.audit.push(audit(
            actor,
            "cycle.payout_retry",
            format!("cycle:{n}"),
            &serde_json::json!({ "participant": participant }),
        )?);
        if let Commit::Raced(what) = self.commit(change, "the retry")? {
            return Err(HouseError::NotAllowed(format!(
                "{what} changed meanwhile; try again"
            )));
        }
        self.advance(actor, n)?;
        let c = self.cycle_versioned(n)?.value;
        Ok(c.positions
            .into_iter()
            .find(|p| p.participant == participant)
            .expect("position"))
    }
}

fn merge(into: &mut ImportReport, from: ImportReport) {
    into.matched += from.matched;
    into.suspense += from.suspense;
    into.duplicates += from.duplicates;
    into.noted += from.noted;
    into.payouts_confirmed += from.payouts_confirmed;
    let room = REPORT_ENTRIES_MAX.saturating_sub(into.details.len());
    into.details.extend(from.details.into_iter().take(room));
}

/// The stored record of a bank entry: by status, participant and reference.
pub(crate) fn entry_record(e: &BankEntry, version: u64) -> Result<store::Record, HouseError> {
    record(
        kind::BANK_ENTRY,
        &e.id,
        version,
        e.status.as_str(),
        (
            e.participant.as_deref().unwrap_or(""),
            e.reference.as_deref().unwrap_or(""),
        ),
        e.imported_at,
        e,
    )
}

fn imported(e: &BankEntry, currency: model::Currency) -> ImportedEntry {
    ImportedEntry {
        entry: e.id.clone(),
        line: e.line,
        status: e.status.as_str().into(),
        reason: e.reason.clone(),
        cycle: e.cycle,
        participant: e.participant.clone(),
        amount_minor: e.amount_minor,
        amount: iso20022::format_amount(e.amount_minor, currency).unwrap_or_default(),
        currency: e.currency.clone(),
    }
}

/// Why an entry is in suspense, in words.
fn explain(e: &BankEntry) -> String {
    let amount = crate::money_text(e.amount_minor, &e.currency);
    let who = e
        .counterparty
        .name
        .as_deref()
        .unwrap_or("an unnamed sender");
    let about = match (e.cycle, e.participant.as_deref()) {
        (Some(n), Some(p)) => format!(" for {p}'s pay-in in cycle {n}"),
        _ => String::new(),
    };
    let why = match e.reason.as_deref() {
        Some("unknown_reference") => "its reference matches no payment request".to_owned(),
        Some("short") => format!("it is less than the pay-in due{about}"),
        Some("excess") => format!("it is more than the pay-in due{about}"),
        Some("late") => format!("it arrived after the deadline{about}"),
        Some("already_paid") => format!("the pay-in{about} was paid already"),
        Some("wrong_zone") => format!("it arrived in another zone than the pay-in{about}"),
        Some("wrong_currency") => {
            "it is not in the zone's currency (nothing was booked)".to_owned()
        }
        Some("reversal") => "the bank reversed an earlier entry (nothing was booked)".to_owned(),
        Some("unknown_debit") => "a debit of the house account that matches no pay-out".to_owned(),
        Some(other) => other.to_owned(),
        None => String::new(),
    };
    format!(
        "{amount} from {who} in bank entry {}: {why}; match it, refund it or keep it (`clearhouse settlement`)",
        e.id
    )
}

/// The items of one reported entry: one per transaction with its own amount (a batch
/// booking), else the entry itself.
fn items_of(zone: &str, sha: &str, e: &ReadEntry, now: u64) -> Vec<Item> {
    let with_amounts: Vec<&BankTransaction> = e
        .transactions
        .iter()
        .filter(|t| t.amount_minor.is_some())
        .collect();
    let split = with_amounts.len() > 1;
    let parts: Vec<(Option<&BankTransaction>, i64, String)> = if split {
        with_amounts
            .iter()
            .map(|t| {
                (
                    Some(*t),
                    t.amount_minor.unwrap_or(0),
                    t.currency
                        .map(|c| c.code().to_owned())
                        .unwrap_or_else(|| e.currency.code().to_owned()),
                )
            })
            .collect()
    } else {
        vec![(
            e.transactions.first(),
            e.amount_minor,
            e.currency.code().to_owned(),
        )]
    };
    parts
        .into_iter()
        .enumerate()
        .map(|(k, (t, amount, currency))| {
            let bank_reference = t
                .and_then(|t| t.account_servicer_reference.clone())
                .or_else(|| {
                    e.account_servicer_reference
                        .clone()
                        .map(|r| if split { format!("{r}#{k}") } else { r })
                })
                .or_else(|| e.entry_reference.clone());
            let key = match &bank_reference {
                Some(r) => format!("{zone}\u{1f}{r}"),
                None => format!("{zone}\u{1f}{sha}\u{1f}{}\u{1f}{k}", e.line),
            };
            let id = format!("be-{}", &hex::encode(Sha256::digest(key.as_bytes()))[..24]);
            let reference = t.and_then(|t| t.creditor_reference.clone()).or_else(|| {
                t.into_iter()
                    .flat_map(|t| t.unstructured.iter())
                    .flat_map(|u| u.split_whitespace())
                    .find(|w| iso20022::is_creditor_reference(w))
                    .map(str::to_owned)
            });
            let end_to_end_id = t
                .and_then(|t| t.end_to_end_id.clone())
                .filter(|x| x != "NOTPROVIDED");
            let party = t.and_then(|t| {
                if e.credit {
                    t.debtor.as_ref()
                } else {
                    t.creditor.as_ref()
                }
            });
            Item {
                id: id.clone(),
                zone: zone.to_owned(),
                booked: e.status == EntryStatus::Booked,
                reversal: e.reversal,
                ask_reference: reference.clone(),
                entry: BankEntry {
                    id,
                    zone: zone.to_owned(),
                    file_sha256: sha.to_owned(),
                    line: t.map_or(e.line, |t| t.line),
                    bank_reference,
                    booking_date: e.booking_date.or(e.value_date).map(|d| d.to_string()),
                    credit: e.credit,
                    amount_minor: amount,
                    currency,
                    reference: reference.map(|r| iso20022::normalize_reference(&r)),
                    end_to_end_id,
                    counterparty: BankParty {
                        name: party.and_then(|p| p.name.clone()),
                        iban: party.and_then(|p| p.iban.clone()),
                        bic: party.and_then(|p| p.bic.clone()),
                    },
                    status: BankEntryStatus::Noted,
                    reason: None,
                    cycle: None,
                    participant: None,
                    remaining_minor: 0,
                    ledger_remaining_minor: 0,
                    booked: Vec::new(),
                    imported_at: now,
                },
            }
        })
        .collect()
}
