//! The files of a cycle's settlement: payment requests (pain.013 and CSV) to payers, pay-outs
//! and refunds (pain.001), and, once settled, each participant's statement of its account at
//! the house and each zone house account's statement (camt.053 and CSV).
//!
//! A file written after the cycle's run is staged beside its final name, recorded with its
//! SHA-256 in the change that explains it, and renamed into place once that change committed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use iso20022::{
    Account, ActivationRequest, CreditTransfer, Entry, Party, PaymentInitiation, PaymentRequest,
    ReferredDocument, Remittance, StatementAccount,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::House;
use crate::config::Zone;
use crate::cycle::Participants;
use crate::error::HouseError;
use crate::types::*;

/// A file written beside its final name (`NAME.partial-PID-K`), placed once the change that
/// records it committed. Dropped unplaced (the change raced, failed or was never made), it is
/// removed: no failure leaves a half-written file behind.
#[derive(Debug)]
pub(crate) struct Staged {
    pub file: CycleFile,
    temp: PathBuf,
    target: PathBuf,
    /// Whether dropping it leaves the temporary file be: the change that records it committed.
    committed: bool,
}

impl Staged {
    /// Renames the file into place, once the change that records it committed. If that fails,
    /// the file is the only copy of what the house recorded: it stays under its temporary name,
    /// which the error gives.
    pub fn place(mut self) -> Result<(), HouseError> {
        self.committed = true;
        std::fs::rename(&self.temp, &self.target).map_err(|e| HouseError::File {
            path: self.target.display().to_string(),
            message: format!("{e}; the file recorded is {}", self.temp.display()),
        })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            remove_quietly(&self.temp, std::fs::remove_file(&self.temp));
        }
    }
}

/// Places each of `staged` once the change that records them committed: every one is tried,
/// and the first failure is the error (the files not placed keep their temporary names).
pub(crate) fn place_all(staged: Vec<Staged>) -> Result<(), HouseError> {
    let mut first = Ok(());
    for s in staged {
        if let Err(e) = s.place()
            && first.is_ok()
        {
            first = Err(e);
        }
    }
    first
}

/// Stages `bytes` as `rel` under the cycle's directory `dir`.
pub(crate) fn stage(dir: &str, rel: &str, bytes: &[u8]) -> Result<Staged, HouseError> {
    let target = Path::new(dir).join(rel);
    let error = |e: std::io::Error| HouseError::File {
        path: target.display().to_string(),
        message: e.to_string(),
    };
    if !Path::new(dir).is_dir() {
        return Err(HouseError::File {
            path: dir.to_owned(),
            message: "the cycle's directory is gone: restore it (or its copy) to go on".into(),
        });
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(error)?;
    }
    let temp = target.with_extension(format!("partial-{}", attempt_suffix()));
    let staged = Staged {
        file: CycleFile {
            path: rel.to_owned(),
            sha256: hex::encode(Sha256::digest(bytes)),
        },
        temp,
        target: target.clone(),
        committed: false,
    };
    // Written once the guard exists: a failed write leaves no part of the file.
    std::fs::write(&staged.temp, bytes).map_err(error)?;
    Ok(staged)
}

/// `PID-K`: this process and a number no other attempt of it used, so that two attempts at the
/// same file or cycle (threads or processes racing for the same change) never write into each
/// other's temporary files, and a dead process's are known as such.
fn attempt_suffix() -> String {
    static ATTEMPTS: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        ATTEMPTS.fetch_add(1, Ordering::Relaxed)
    )
}

/// The files of a cycle's run, written under a temporary name beside the cycle's directory
/// (`.cycle-N.partial-PID-K`) and renamed into place once the run committed. Dropped unplaced
/// (the run raced, failed or was refused), the directory is removed with what it holds.
#[derive(Debug)]
pub(crate) struct PartialDir {
    path: PathBuf,
    /// Whether dropping it leaves the directory be: the run that records its files committed.
    committed: bool,
}

impl PartialDir {
    /// The temporary directory of an attempt at cycle `number` in `out_dir` (not made yet).
    pub fn new(out_dir: &Path, number: u64) -> PartialDir {
        PartialDir {
            path: out_dir.join(format!(".cycle-{number}.partial-{}", attempt_suffix())),
            committed: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the directory to `target`, once the run committed; a directory already there (a
    /// cycle of another database) is first moved `aside`. If that fails, the directory holds
    /// the only copy of the files the house recorded: it stays, and the error names it.
    pub fn place(mut self, target: &Path, aside: &Path) -> Result<(), HouseError> {
        self.committed = true;
        let error = |path: &Path, e: std::io::Error| HouseError::File {
            path: path.display().to_string(),
            message: format!(
                "{e}; the cycle is recorded and its files are in {}: move them to {}",
                self.path.display(),
                target.display()
            ),
        };
        if target.exists() {
            std::fs::rename(target, aside).map_err(|e| error(aside, e))?;
        }
        std::fs::rename(&self.path, target).map_err(|e| error(target, e))
    }
}

impl Drop for PartialDir {
    fn drop(&mut self) {
        if !self.committed {
            remove_quietly(&self.path, std::fs::remove_dir_all(&self.path));
        }
    }
}

/// What a removal on the way out of a failure gave: nothing to report if it worked or there was
/// nothing to remove, a warning otherwise (the failure being handled is the error).
fn remove_quietly(path: &Path, removed: std::io::Result<()>) {
    match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            tracing::warn!(path = %path.display(), error = %e, "temporary files left in place");
        }
        _ => {}
    }
}

/// The files of `cycle` as they must be on disk: each path once, with the hash it was last
/// written with, in the order first written. A settlement undone (a pay-out returned) and done
/// again writes its statements again under the same names; the entries before stay in the
/// record as what was sent then.
pub(crate) fn files_in_force(cycle: &Cycle) -> Vec<&CycleFile> {
    let mut files: Vec<&CycleFile> = Vec::with_capacity(cycle.files.len());
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for file in &cycle.files {
        match at.get(file.path.as_str()) {
            Some(&i) => files[i] = file,
            None => {
                at.insert(&file.path, files.len());
                files.push(file);
            }
        }
    }
    files
}

/// How a cycle's file on disk compares with its record.
#[derive(Debug)]
pub(crate) enum OnDisk {
    /// As recorded.
    Same,
    /// Another content, whose SHA-256 (hex) this is.
    Differs(String),
    /// No file at its path.
    Missing,
    /// Recorded under a path that leaves the cycle's directory (absolute, or through `..`):
    /// not read.
    Outside,
    /// It could not be read.
    Unreadable(std::io::Error),
}

/// How `file`, recorded in the cycle's directory `dir`, stands on disk: read whole, as a stream.
pub(crate) fn on_disk(dir: &Path, file: &CycleFile) -> OnDisk {
    let rel = Path::new(&file.path);
    if !rel
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
    {
        return OnDisk::Outside;
    }
    let mut hasher = Sha256::new();
    let read =
        std::fs::File::open(dir.join(rel)).and_then(|mut f| std::io::copy(&mut f, &mut hasher));
    match read {
        Ok(_) => {
            let sha256 = hex::encode(hasher.finalize());
            if sha256 == file.sha256 {
                OnDisk::Same
            } else {
                OnDisk::Differs(sha256)
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => OnDisk::Missing,
        Err(e) => OnDisk::Unreadable(e),
    }
}

fn file_error(what: String) -> impl Fn(iso20022::Iso20022Error) -> HouseError {
    move |e| HouseError::File {
        path: what.clone(),
        message: e.to_string(),
    }
}

fn participant<'a>(
    participants: &'a Participants,
    id: &str,
) -> Result<&'a ParticipantRecord, HouseError> {
    participants
        .get(id)
        .map(|v| &v.value)
        .ok_or_else(|| HouseError::NotFound {
            kind: kind::PARTICIPANT,
            id: id.to_owned(),
        })
}

/// Who a position is, as payment files name it: (legal name, IBAN, BIC) of the participant or
/// of the zone's liquidity provider.
fn party_of(house: &House, participants: &Participants, id: &str) -> Result<Named, HouseError> {
    if let Some(zone) = provider_zone(id) {
        return provider_party(house, zone);
    }
    let r = participant(participants, id)?;
    let (iban, bic) = bank_of(r);
    Ok((r.participant.legal_name().to_owned(), iban, bic))
}

/// A zone's liquidity provider as (name, IBAN, BIC).
pub(crate) fn provider_party(house: &House, zone: &str) -> Result<Named, HouseError> {
    let p = house
        .zone_by_code(zone)?
        .provider
        .as_ref()
        .ok_or_else(|| HouseError::NotFound {
            kind: "liquidity provider",
            id: zone.to_owned(),
        })?;
    Ok((
        p.name.clone(),
        p.account.iban().to_string(),
        p.account.bic().to_string(),
    ))
}

/// A participant's bank account as (IBAN, BIC), empty if it has none.
fn bank_of(p: &ParticipantRecord) -> (String, String) {
    p.participant
        .bank_account()
        .map(|a| (a.iban().to_string(), a.bic().to_string()))
        .unwrap_or_default()
}

/// The claims of a cycle that clear something, by participant (either side), built once so
/// that files and statements of many participants read each claim once.
#[derive(Debug)]
pub(crate) struct ClaimsOf<'a> {
    by_participant: std::collections::HashMap<&'a str, Vec<&'a CycleClaim>>,
}

impl<'a> ClaimsOf<'a> {
    pub fn new(cycle: &'a Cycle) -> ClaimsOf<'a> {
        let mut by_participant: std::collections::HashMap<&str, Vec<&CycleClaim>> =
            std::collections::HashMap::new();
        for c in cycle.claims.iter().filter(|c| c.cleared_minor > 0) {
            by_participant.entry(&c.creditor).or_default().push(c);
            if c.debtor != c.creditor {
                by_participant.entry(&c.debtor).or_default().push(c);
            }
        }
        ClaimsOf { by_participant }
    }

    pub fn of(&self, id: &str) -> impl Iterator<Item = &'a CycleClaim> + '_ {
        self.by_participant.get(id).into_iter().flatten().copied()
    }
}

/// The invoices a participant's payment settles in a cycle: as debtor (`paying`) or creditor.
fn invoices<'a>(
    claims: &ClaimsOf<'a>,
    id: &str,
    paying: bool,
    rate: i64,
) -> Vec<ReferredDocument<'a>> {
    claims
        .of(id)
        .filter(|c| {
            if paying {
                c.debtor == id
            } else {
                c.creditor == id
            }
        })
        .map(|c| ReferredDocument {
            number: &c.invoice_number,
            date: c.due_date.parse().ok(),
            amount_minor: c.cleared_minor.checked_mul(rate),
        })
        .collect()
}

fn house_account(zone: &Zone) -> (String, String) {
    (
        zone.account.iban().to_string(),
        zone.account.bic().to_string(),
    )
}

impl House {
    /// The payment requests of a cycle's run: per zone with payers, a pain.013 and a CSV.
    pub(crate) fn write_requests(
        &self,
        cycle: &Cycle,
        dir: &Path,
        participants: &Participants,
    ) -> Result<Vec<CycleFile>, HouseError> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir(dir).map_err(|e| HouseError::File {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
        let mut files = Vec::new();
        for zone in &self.config.zones {
            let payers: Vec<&Position> = cycle
                .positions
                .iter()
                .filter(|p| p.zone == zone.code.as_str() && p.status == PositionStatus::Requested)
                .collect();
            if payers.is_empty() {
                continue;
            }
            let stem = format!("{}/requests-{}", zone.code, zone.code);
            let (xml, csv) = requests_files(self, cycle, zone, &payers, participants, &stem)?;
            for (ext, bytes) in [("pain013.xml", xml), ("csv", csv)] {
                let rel = format!("{stem}.{ext}");
                let path = dir.join(&rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| HouseError::File {
                        path: parent.display().to_string(),
                        message: e.to_string(),
                    })?;
                }
                std::fs::write(&path, &bytes).map_err(|e| HouseError::File {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                files.push(CycleFile {
                    path: rel,
                    sha256: hex::encode(Sha256::digest(&bytes)),
                });
            }
        }
        Ok(files)
    }
}

/// Who each position of a payment file is (name, IBAN, BIC), as payment files name it.
type Named = (String, String, String);

/// For each position of a payment file: who it is, and the invoices its payment settles (as
/// debtor when `paying`, else as creditor), each at its cleared amount in the zone's currency.
fn parties_and_invoices<'a>(
    house: &House,
    cycle: &'a Cycle,
    zone: &Zone,
    positions: &[&Position],
    participants: &Participants,
    paying: bool,
) -> Result<(Vec<Named>, Vec<Vec<ReferredDocument<'a>>>), HouseError> {
    let claims = ClaimsOf::new(cycle);
    let accounts = positions
        .iter()
        .map(|p| party_of(house, participants, &p.participant))
        .collect::<Result<_, HouseError>>()?;
    let documents = positions
        .iter()
        .map(|p| invoices(&claims, &p.participant, paying, zone.minor_rate))
        .collect();
    Ok((accounts, documents))
}

/// The pain.013 and CSV of payment requests to `payers` of one zone.
pub(crate) fn requests_files(
    house: &House,
    cycle: &Cycle,
    zone: &Zone,
    payers: &[&Position],
    participants: &Participants,
    message: &str,
) -> Result<(Vec<u8>, Vec<u8>), HouseError> {
    let (accounts, documents) =
        parties_and_invoices(house, cycle, zone, payers, participants, true)?;
    let texts: Vec<String> = payers
        .iter()
        .zip(&documents)
        .map(|(_, d)| {
            format!(
                "{} cycle {}: pay-in for {} invoice(s)",
                house.config.config.name,
                cycle.number,
                d.len()
            )
        })
        .collect();
    let ids: Vec<String> = payers
        .iter()
        .map(|p| format!("{}-R{}", p.end_to_end_id, cycle.revision))
        .collect();
    let requests: Vec<PaymentRequest<'_>> = payers
        .iter()
        .enumerate()
        .map(|(i, p)| PaymentRequest {
            payment_information_id: &ids[i],
            end_to_end_id: &p.end_to_end_id,
            debtor: Account {
                name: &accounts[i].0,
                iban: &accounts[i].1,
                bic: &accounts[i].2,
            },
            amount_minor: p.outstanding_minor(),
            requested_execution_date: model::calendar::utc_date(cycle.run_at),
            expiry_ns: cycle.deadline,
            remittance: Remittance {
                creditor_reference: Some(&p.reference),
                documents: &documents[i],
                text: Some(&texts[i]),
            },
        })
        .collect();
    let (iban, bic) = house_account(zone);
    let message_id = format!("CH-C{}-{}-R{}", cycle.number, zone.code, cycle.revision);
    let request = ActivationRequest {
        message_id: &message_id,
        created_at_ns: house.now().max(cycle.run_at),
        initiating_party: &house.config.config.name,
        currency: zone.currency,
        creditor: Account {
            name: &zone.account_name,
            iban: &iban,
            bic: &bic,
        },
        requests: &requests,
        receipt: cycle.receipt.as_deref(),
    };
    let what = format!("payment requests of zone {} ({message})", zone.code);
    let mut xml = Vec::new();
    iso20022::write_pain013(&request, &mut xml).map_err(file_error(what.clone()))?;
    let mut csv = Vec::new();
    iso20022::write_request_csv(&request, &mut csv).map_err(file_error(what))?;
    Ok((xml, csv))
}

/// The pain.001 of one pay-out batch: one payment per payee, naming the invoices it pays.
pub(crate) fn payout_file(
    house: &House,
    cycle: &Cycle,
    zone: &Zone,
    message_id: &str,
    payees: &[&Position],
    participants: &Participants,
) -> Result<Vec<u8>, HouseError> {
    let (accounts, documents) =
        parties_and_invoices(house, cycle, zone, payees, participants, false)?;
    let texts: Vec<String> = documents
        .iter()
        .map(|d| {
            format!(
                "{} cycle {}: {} invoice(s) cleared",
                house.config.config.name,
                cycle.number,
                d.len()
            )
        })
        .collect();
    let ends: Vec<String> = payees
        .iter()
        .map(|p| {
            p.payout
                .as_ref()
                .map(|x| x.end_to_end_id.clone())
                .unwrap_or_default()
        })
        .collect();
    let transfers: Vec<CreditTransfer<'_>> = payees
        .iter()
        .enumerate()
        .map(|(i, p)| CreditTransfer {
            end_to_end_id: &ends[i],
            creditor: Account {
                name: &accounts[i].0,
                iban: &accounts[i].1,
                bic: &accounts[i].2,
            },
            amount_minor: p.due_minor,
            remittance: Remittance {
                creditor_reference: None,
                documents: &documents[i],
                text: Some(&texts[i]),
            },
        })
        .collect();
    credit_transfers(
        house,
        cycle.receipt.as_deref(),
        zone,
        message_id,
        &transfers,
    )
}

/// A pain.001 from a zone's house account.
pub(crate) fn credit_transfers(
    house: &House,
    receipt: Option<&str>,
    zone: &Zone,
    message_id: &str,
    transfers: &[CreditTransfer<'_>],
) -> Result<Vec<u8>, HouseError> {
    let now = house.now();
    let (iban, bic) = house_account(zone);
    let initiation = PaymentInitiation {
        message_id,
        created_at_ns: now,
        execution_date: model::calendar::utc_date(now),
        currency: zone.currency,
        debtor: Account {
            name: &zone.account_name,
            iban: &iban,
            bic: &bic,
        },
        initiating_party: &house.config.config.name,
        transfers,
        receipt,
    };
    let mut bytes = Vec::new();
    iso20022::write_pain001(&initiation, &mut bytes)
        .map_err(file_error(format!("pain.001 {message_id}")))?;
    Ok(bytes)
}

/// One line of a participant's statement, in the zone's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub reference: String,
    /// `true`: the house owes the participant more (a claim cleared as creditor, a pay-in).
    pub credit: bool,
    pub amount_minor: i64,
    /// The amount as a decimal in the statement's currency.
    pub amount: String,
    /// The other party by its legal name.
    pub counterparty: Option<String>,
    /// The invoice, for a claim.
    pub invoice: Option<String>,
    pub description: String,
    pub booked_at: u64,
}

/// A participant's statement of its account at the house for one cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub participant: String,
    pub cycle: u64,
    pub zone: String,
    pub currency: String,
    pub opening_minor: i64,
    pub closing_minor: i64,
    pub opening: String,
    pub closing: String,
    pub lines: Vec<StatementLine>,
}

/// A participant's statement for a cycle: its claims posted and its payments booked so far.
pub(crate) fn statement_of(
    house: &House,
    cycle: &Cycle,
    id: &str,
    participants: &Participants,
    claims: &ClaimsOf<'_>,
) -> Result<Statement, HouseError> {
    let p = participant(participants, id)?;
    let zone = house.zone_by_code(p.participant.zone().as_str())?;
    let decimal = |minor: i64| iso20022::format_amount(minor, zone.currency).unwrap_or_default();
    let name_of = |other: &str| {
        participants.get(other).map_or_else(
            || other.to_owned(),
            |v| v.value.participant.legal_name().to_owned(),
        )
    };
    let convert = |minor: i64| {
        minor
            .checked_mul(zone.minor_rate)
            .ok_or_else(|| HouseError::Clearing(format!("{minor} at {} overflows", zone.rate)))
    };
    let mut lines = Vec::new();
    let booked_at = cycle.settled_at.unwrap_or(cycle.run_at);
    for c in claims.of(id).filter(|c| c.posted) {
        let (credit, other) = if c.creditor == id {
            (true, &c.debtor)
        } else if c.debtor == id {
            (false, &c.creditor)
        } else {
            continue;
        };
        let amount_minor = convert(c.cleared_minor)?;
        let mut description = format!(
            "invoice {} {} {}: {} of {} owed cleared in cycle {}",
            c.invoice_number,
            if credit { "owed by" } else { "owed to" },
            name_of(other),
            decimal(amount_minor),
            decimal(convert(c.owed_minor)?),
            cycle.number
        );
        if c.set_off_minor > 0 {
            description.push_str(&format!(
                ", {} by set-off",
                decimal(convert(c.set_off_minor)?)
            ));
        }
        lines.push(StatementLine {
            reference: format!("C{}-{}", cycle.number, c.claim),
            credit,
            amount_minor,
            amount: decimal(amount_minor),
            counterparty: Some(name_of(other)),
            invoice: Some(c.invoice_number.clone()),
            description,
            booked_at,
        });
    }
    if let Some(position) = cycle.positions.iter().find(|x| x.participant == id) {
        for (k, b) in position.booked.iter().enumerate() {
            let (credit, description) = match b.what.as_str() {
                "pay_in" | "applied" => (
                    true,
                    format!(
                        "paid in to {} (reference {})",
                        zone.account_name, position.reference
                    ),
                ),
                "pay_out" => (
                    false,
                    format!(
                        "paid out by {} to the firm's bank account",
                        zone.account_name
                    ),
                ),
                "pay_out_returned" => (true, "pay-out returned by the bank".to_owned()),
                "excess" => (
                    false,
                    "paid in beyond what the recomputed cycle needs: moved to suspense".to_owned(),
                ),
                other => (false, other.to_owned()),
            };
            let amount_minor = convert(b.amount_minor.abs())?;
            lines.push(StatementLine {
                reference: format!("C{}-{}-{}", cycle.number, b.what, k + 1),
                credit,
                amount_minor,
                amount: decimal(amount_minor),
                counterparty: Some(zone.account_name.clone()),
                invoice: None,
                description,
                booked_at: b.at,
            });
        }
    }
    let closing = lines.iter().try_fold(0i64, |sum, l| {
        sum.checked_add(if l.credit {
            l.amount_minor
        } else {
            -l.amount_minor
        })
    });
    let closing = closing.ok_or_else(|| HouseError::Clearing("statement overflows".into()))?;
    Ok(Statement {
        participant: id.to_owned(),
        cycle: cycle.number,
        zone: zone.code.to_string(),
        currency: zone.currency.code().into(),
        opening_minor: 0,
        closing_minor: closing,
        opening: decimal(0),
        closing: decimal(closing),
        lines,
    })
}

/// The statements of a settled cycle: per participant (camt.053 and CSV, under its zone) and
/// per zone house account.
pub(crate) fn statements(
    house: &House,
    cycle: &Cycle,
    participants: &Participants,
) -> Result<Vec<(String, Vec<u8>)>, HouseError> {
    let mut out = Vec::new();
    let claims = ClaimsOf::new(cycle);
    for position in cycle
        .positions
        .iter()
        .filter(|p| provider_zone(&p.participant).is_none())
    {
        let id = &position.participant;
        let s = statement_of(house, cycle, id, participants, &claims)?;
        if s.lines.is_empty() {
            continue;
        }
        let p = participant(participants, id)?;
        let (xml, csv) = participant_statement_files(house, cycle, p, &s)?;
        let stem = format!("{}/statement-cycle-{}-{id}", s.zone, cycle.number);
        out.push((format!("{stem}.camt053.xml"), xml));
        out.push((format!("{stem}.csv"), csv));
    }
    for zone in &house.config.zones {
        if let Some((xml, csv)) = zone_statement_files(house, cycle, zone, participants)? {
            let stem = format!(
                "{}/house-account-cycle-{}-{}",
                zone.code, cycle.number, zone.code
            );
            out.push((format!("{stem}.camt053.xml"), xml));
            out.push((format!("{stem}.csv"), csv));
        }
    }
    Ok(out)
}

/// The short id of a participant's statement in a cycle (a `Max35Text`).
fn statement_id(cycle: u64, who: &str) -> String {
    format!("C{cycle}-S{:x}", crate::ids::derive(&[who]) >> 8)
}

pub(crate) fn participant_statement_files(
    house: &House,
    cycle: &Cycle,
    p: &ParticipantRecord,
    s: &Statement,
) -> Result<(Vec<u8>, Vec<u8>), HouseError> {
    let zone = house.zone_by_code(&s.zone)?;
    let name = p.participant.legal_name();
    let (iban, bic) = bank_of(p);
    let (house_iban, house_bic) = house_account(zone);
    let position = cycle
        .positions
        .iter()
        .find(|x| x.participant == s.participant);
    let reference = position.map(|x| x.reference.clone()).unwrap_or_default();
    let documents: Vec<[ReferredDocument<'_>; 1]> = s
        .lines
        .iter()
        .map(|l| {
            [ReferredDocument {
                number: l.invoice.as_deref().unwrap_or(""),
                date: None,
                amount_minor: None,
            }]
        })
        .collect();
    let firm = Party {
        name,
        iban: (!iban.is_empty()).then_some(iban.as_str()),
        other_account: None,
        bic: (!bic.is_empty()).then_some(bic.as_str()),
    };
    let zone_party = Party {
        name: &zone.account_name,
        iban: Some(&house_iban),
        other_account: None,
        bic: Some(&house_bic),
    };
    let entries: Vec<Entry<'_>> = s
        .lines
        .iter()
        .zip(&documents)
        .map(|(l, docs)| {
            let other = Party {
                name: l.counterparty.as_deref().unwrap_or(name),
                iban: None,
                other_account: None,
                bic: None,
            };
            // Parties as the money moves: a claim credited to the firm is owed by the other
            // firm; a pay-in comes from the firm's bank account to the house; a pay-out goes
            // from the house to the firm's bank account.
            let is_payment = l.invoice.is_none();
            let (debtor, creditor) = match (is_payment, l.credit) {
                (false, true) => (other, firm),
                (false, false) => (firm, other),
                (true, true) => (firm, zone_party),
                (true, false) => (zone_party, firm),
            };
            Entry {
                reference: &l.reference,
                booked_at_ns: l.booked_at,
                amount_minor: l.amount_minor,
                credit: l.credit,
                debtor: Some(debtor),
                creditor: Some(creditor),
                end_to_end_id: None,
                remittance: Remittance {
                    creditor_reference: (is_payment && l.credit && !reference.is_empty())
                        .then_some(reference.as_str()),
                    documents: if is_payment { &[] } else { &docs[..] },
                    text: None,
                },
                description: &l.description,
            }
        })
        .collect();
    let id = statement_id(cycle.number, &s.participant);
    let account_id = format!("CH-{}", s.participant);
    let account_name = format!("{name} at {}", house.config.config.name);
    let statement = iso20022::Statement {
        message_id: &id,
        statement_id: &id,
        created_at_ns: cycle.settled_at.unwrap_or(cycle.run_at),
        sequence: cycle.number,
        from_ns: cycle.run_at,
        to_ns: cycle.settled_at.unwrap_or(cycle.run_at),
        currency: zone.currency,
        account: StatementAccount {
            iban: None,
            other_id: Some(&account_id),
            name: &account_name,
            owner: name,
            servicer_bic: None,
            servicer_name: Some(&house.config.config.name),
        },
        related_account: (!iban.is_empty()).then_some(Account {
            name,
            iban: &iban,
            bic: &bic,
        }),
        opening_balance_minor: s.opening_minor,
        entries: &entries,
        receipt: cycle.receipt.as_deref(),
    };
    write_statement(&statement, &format!("statement of {}", s.participant))
}

/// A file as camt.053 XML and as CSV.
type XmlAndCsv = (Vec<u8>, Vec<u8>);

fn write_statement(
    statement: &iso20022::Statement<'_>,
    what: &str,
) -> Result<XmlAndCsv, HouseError> {
    let mut xml = Vec::new();
    iso20022::write_camt053(statement, &mut xml).map_err(file_error(what.to_owned()))?;
    let mut csv = Vec::new();
    iso20022::write_statement_csv(statement, &mut csv).map_err(file_error(what.to_owned()))?;
    Ok((xml, csv))
}

/// The statement of a zone's house account for a cycle, for the operator's reconciliation
/// with the bank: every pay-in (credit) and pay-out (debit) of the cycle in the zone.
fn zone_statement_files(
    house: &House,
    cycle: &Cycle,
    zone: &Zone,
    participants: &Participants,
) -> Result<Option<XmlAndCsv>, HouseError> {
    struct Line {
        reference: String,
        credit: bool,
        amount_minor: i64,
        at: u64,
        participant: String,
        description: String,
    }
    let mut lines = Vec::new();
    for p in cycle
        .positions
        .iter()
        .filter(|p| p.zone == zone.code.as_str())
    {
        for (k, b) in p.booked.iter().enumerate() {
            // Money for the cycle: received directly, or earlier into suspense and matched to
            // the pay-in (`applied`); paid out, returned, or moved back to suspense when the
            // recomputed cycle no longer needed it (`excess`). The suspense entries themselves
            // are in `settlement suspense`.
            let credit = match b.what.as_str() {
                "pay_in" | "applied" | "pay_out_returned" => true,
                "pay_out" | "excess" => false,
                _ => continue,
            };
            let amount_minor = b
                .amount_minor
                .unsigned_abs()
                .try_into()
                .ok()
                .and_then(|a: i64| a.checked_mul(zone.minor_rate))
                .ok_or_else(|| HouseError::Clearing("amount overflows".into()))?;
            lines.push(Line {
                reference: format!("C{}-{}-{}-{}", cycle.number, b.what, k + 1, p.participant),
                credit,
                amount_minor,
                at: b.at,
                participant: p.participant.clone(),
                description: format!(
                    "{} of {} in cycle {}",
                    b.what.replace('_', "-"),
                    p.participant,
                    cycle.number
                ),
            });
        }
    }
    if lines.is_empty() {
        return Ok(None);
    }
    lines.sort_by_key(|l| l.at);
    let names: BTreeMap<&str, (String, String, String)> = lines
        .iter()
        .map(|l| {
            Ok((
                l.participant.as_str(),
                party_of(house, participants, &l.participant)?,
            ))
        })
        .collect::<Result<_, HouseError>>()?;
    let (iban, bic) = house_account(zone);
    let entries: Vec<Entry<'_>> = lines
        .iter()
        .map(|l| {
            let (name, piban, pbic) = &names[l.participant.as_str()];
            let firm = Party {
                name,
                iban: (!piban.is_empty()).then_some(piban.as_str()),
                other_account: None,
                bic: (!pbic.is_empty()).then_some(pbic.as_str()),
            };
            let house_party = Party {
                name: &zone.account_name,
                iban: Some(&iban),
                other_account: None,
                bic: Some(&bic),
            };
            let (debtor, creditor) = if l.credit {
                (firm, house_party)
            } else {
                (house_party, firm)
            };
            Entry {
                reference: &l.reference,
                booked_at_ns: l.at,
                amount_minor: l.amount_minor,
                credit: l.credit,
                debtor: Some(debtor),
                creditor: Some(creditor),
                end_to_end_id: None,
                remittance: Remittance {
                    creditor_reference: None,
                    documents: &[],
                    text: None,
                },
                description: &l.description,
            }
        })
        .collect();
    let id = statement_id(cycle.number, zone.code.as_str());
    let statement = iso20022::Statement {
        message_id: &id,
        statement_id: &id,
        created_at_ns: cycle.settled_at.unwrap_or(cycle.run_at),
        sequence: cycle.number,
        from_ns: cycle.run_at,
        to_ns: cycle.settled_at.unwrap_or(cycle.run_at),
        currency: zone.currency,
        account: StatementAccount {
            iban: Some(&iban),
            other_id: None,
            name: &zone.account_name,
            owner: &house.config.config.name,
            servicer_bic: Some(&bic),
            servicer_name: None,
        },
        related_account: None,
        opening_balance_minor: 0,
        entries: &entries,
        receipt: cycle.receipt.as_deref(),
    };
    write_statement(
        &statement,
        &format!("statement of the {} house account", zone.code),
    )
    .map(Some)
}
