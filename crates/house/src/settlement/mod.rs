//! Settlement of a cycle, pay-in before pay-out.
//!
//! 1. [`House::run_cycle`] fixes the selection and writes a payment request (pain.013 and CSV)
//!    to every payer, with an ISO 11649 reference and a deadline. Nothing is paid yet: the
//!    claims stay reserved on the ledger by their pending transfers.
//! 2. [`House::import_bank_file`] reads what the zone's bank reports (camt.054 or camt.053) and
//!    matches each credit by its reference and amount. An exact match confirms the pay-in (a
//!    posted transfer into the zone house account). Anything else (short, excess, late, already
//!    paid, unknown, in another currency) is booked to the zone's suspense account with an alert,
//!    where the operator matches it by hand ([`House::match_entry`]), refunds it
//!    ([`House::refund_entry`]) or keeps it for the payer's next pay-in ([`House::keep_entry`]).
//! 3. [`House::advance`]: once every payer a part of the cycle depends on has paid, its claims
//!    are posted and its payees paid (pain.001, one payment per payee, net of what it pays in,
//!    naming the invoices), per zone or per payee as the house is set up. A bank's pain.002
//!    confirms or rejects pay-outs; a rejected one is returned on the ledger, raised with an
//!    alert and can be retried ([`House::retry_payout`]).
//! 4. [`House::unwind_overdue`]: a payer that has not paid by the deadline is unwound: its
//!    claims leave the cycle, the selection is computed again without them (each remaining
//!    claim at most what it cleared before, so nobody is asked for more), the payer is
//!    suspended with a case, and pay-ins no longer needed are refunded or kept.
//!
//! **Which payers a payee depends on.** A payee's amount changes only if a claim linked to it
//! leaves the cycle: claims are linked through a common party, and every cross-border claim is
//! linked to every other (they balance each other across the zones). So the cycle falls into
//! independent parts (a union-find over the parties), and a part is final once each of its
//! payers paid in full: no later unwind can change it.

mod bank;
pub(crate) mod files;
pub(crate) mod liquidity;
mod unwind;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ledger::{NewTransfer, TransferFlags};
use serde::Serialize;
use store::Change;

use crate::config::PayoutRelease;
use crate::cycle::Participants;
use crate::error::HouseError;
use crate::types::*;
use crate::{Commit, House, Versioned, audit, expect, ids};

pub use bank::{
    BANK_FILE_BYTES_MAX, ENTRIES_PER_CHANGE_MAX, ImportReport, ImportedEntry, REPORT_ENTRIES_MAX,
};
pub use unwind::UnwindReport;

/// Most claims posted in one change: each takes up to two ledger transfers, within one batch.
pub const POST_CLAIMS_PER_CHANGE_MAX: usize = 4_000;
const _: () = assert!(2 * POST_CLAIMS_PER_CHANGE_MAX <= ledger::BATCH_EVENTS_MAX);
/// Most pay-outs instructed in one change.
pub const PAYOUTS_PER_CHANGE_MAX: usize = 4_000;

/// The independent parts of a cycle: each participant of the selection to the root of its part.
pub(crate) fn parts_of(cycle: &Cycle) -> HashMap<String, String> {
    let mut parent: HashMap<String, String> = HashMap::new();
    fn root(parent: &mut HashMap<String, String>, x: &str) -> String {
        let mut r = x.to_owned();
        while let Some(p) = parent.get(&r).filter(|p| **p != r) {
            r = p.clone();
        }
        // Path compression.
        let mut y = x.to_owned();
        while let Some(p) = parent.get(&y).cloned().filter(|p| *p != y) {
            parent.insert(y, r.clone());
            y = p;
        }
        r
    }
    fn join(parent: &mut HashMap<String, String>, a: &str, b: &str) {
        parent.entry(a.to_owned()).or_insert_with(|| a.to_owned());
        parent.entry(b.to_owned()).or_insert_with(|| b.to_owned());
        let (ra, rb) = (root(parent, a), root(parent, b));
        if ra != rb {
            let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent.insert(high, low);
        }
    }
    // Every cross-border claim is linked to the others through one node no participant id can
    // be (ids never contain a space).
    const CROSS_BORDER: &str = " cross-border";
    for c in cycle.claims.iter().filter(|c| c.cleared_minor > 0) {
        join(&mut parent, &c.creditor, &c.debtor);
        if c.creditor_zone != c.debtor_zone {
            join(&mut parent, &c.creditor, CROSS_BORDER);
        }
    }
    // A zone's provider pays in for, or is repaid from, the cross-border claims.
    for m in cycle
        .liquidity
        .iter()
        .filter(|m| m.drawn_minor > 0 || m.repaid_minor > 0)
    {
        join(&mut parent, &provider_position_id(&m.zone), CROSS_BORDER);
    }
    let keys: Vec<String> = parent.keys().cloned().collect();
    keys.into_iter()
        .filter(|k| k != CROSS_BORDER)
        .map(|k| {
            let r = root(&mut parent, &k);
            (k, r)
        })
        .collect()
}

/// The parts of a cycle in which every payer paid in full.
fn final_parts(cycle: &Cycle, part_of: &HashMap<String, String>) -> BTreeSet<String> {
    let mut open: BTreeSet<&str> = BTreeSet::new();
    let mut all: BTreeSet<&str> = BTreeSet::new();
    for p in &cycle.positions {
        let Some(part) = part_of.get(&p.participant) else {
            continue;
        };
        all.insert(part);
        if p.net_minor < 0 && p.status != PositionStatus::Paid {
            open.insert(part);
        }
    }
    all.difference(&open).map(|s| (*s).to_owned()).collect()
}

/// What [`House::advance`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AdvanceReport {
    pub cycle: u64,
    pub claims_posted: usize,
    pub payouts: Vec<String>,
    /// Payees not paid because they are not active (suspended or under review).
    pub payees_blocked: Vec<String>,
    pub status: String,
}

impl House {
    /// Moves a cycle on as far as its pay-ins allow: posts the claims of every part whose
    /// payers all paid, pays out the payees the house's release setting allows, and settles the
    /// cycle (statements) once nothing is left to do.
    pub fn advance(&self, actor: &str, n: u64) -> Result<AdvanceReport, HouseError> {
        crate::check_actor("actor", actor)?;
        let mut report = AdvanceReport {
            cycle: n,
            ..AdvanceReport::default()
        };
        for _ in 0..crate::ATTEMPTS_MAX {
            let mut cycle = self.cycle_versioned(n)?;
            if cycle.value.status == CycleStatus::Settled {
                report.status = cycle.value.status.as_str().into();
                return Ok(report);
            }
            if self.apply_kept(actor, &cycle)? {
                continue;
            }
            let part_of = parts_of(&cycle.value);
            let finals = final_parts(&cycle.value, &part_of);
            match self.post_claims(actor, &cycle, &part_of, &finals)? {
                Some(0) => {}
                Some(posted) => {
                    report.claims_posted += posted;
                    continue;
                }
                None => continue,
            }
            match self.release_payouts(actor, &mut cycle, &part_of, &finals, &mut report)? {
                Some(true) => continue,
                Some(false) => {}
                None => continue,
            }
            match self.finish(actor, cycle)? {
                Some(status) => {
                    report.status = status.as_str().into();
                    return Ok(report);
                }
                None => continue,
            }
        }
        Err(HouseError::Contention {
            what: format!("cycle {n}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// Posts, part by part of the stored selection, the claims of final parts not posted yet,
    /// [`POST_CLAIMS_PER_CHANGE_MAX`] at most per change. `Some(k)`: k claims posted (0:
    /// nothing to post); `None`: lost a race (what was posted stays posted).
    fn post_claims(
        &self,
        actor: &str,
        cycle: &Versioned<Cycle>,
        part_of: &HashMap<String, String>,
        finals: &BTreeSet<String>,
    ) -> Result<Option<usize>, HouseError> {
        let n = cycle.value.number;
        let is_final =
            |c: &CycleClaim| part_of.get(&c.creditor).is_some_and(|p| finals.contains(p));
        let mut posted = 0;
        for k in 0..cycle.value.claim_parts {
            let id = crate::cycle::part_id(n, k);
            loop {
                let Versioned {
                    value: mut part,
                    version,
                } = self.get::<CycleClaims>(kind::CYCLE_CLAIMS, &id)?;
                let todo: Vec<usize> = (0..part.claims.len())
                    .filter(|&i| {
                        let c = &part.claims[i];
                        c.cleared_minor > 0 && !c.posted && is_final(c)
                    })
                    .take(POST_CLAIMS_PER_CHANGE_MAX)
                    .collect();
                if todo.is_empty() {
                    break;
                }
                let mut change = Change::default();
                change
                    .expect
                    .push(expect(kind::CYCLE_CLAIMS, &id, Some(version)));
                // The cycle's selection must not have changed under these claims (an unwind).
                change.expect.push(expect(
                    kind::CYCLE,
                    &crate::cycle::cycle_id(n),
                    Some(cycle.version),
                ));
                for &i in &todo {
                    self.post_claim(&mut change, n, &part.claims[i])?;
                    part.claims[i].posted = true;
                }
                change.put.push(crate::record(
                    kind::CYCLE_CLAIMS,
                    &id,
                    version + 1,
                    "",
                    ("", ""),
                    cycle.value.run_at,
                    &part,
                )?);
                let claims: Vec<&str> = todo
                    .iter()
                    .map(|&i| part.claims[i].claim.as_str())
                    .collect();
                change.audit.push(audit(
                    actor,
                    "cycle.claims_posted",
                    format!("cycle:{n}"),
                    &serde_json::json!({ "part": k, "claims": claims }),
                )?);
                match self.commit(change, "the cycle's claims")? {
                    Commit::Done => posted += todo.len(),
                    Commit::Raced(_) => return Ok(None),
                }
            }
        }
        Ok(Some(posted))
    }

    /// Posts a claim's cleared part in cycle `n` and reserves the rest again.
    fn post_claim(&self, change: &mut Change, n: u64, part: &CycleClaim) -> Result<(), HouseError> {
        let Versioned {
            value: mut c,
            version,
        } = self.get::<ClaimRecord>(kind::CLAIM, &part.claim)?;
        let id = c.submission.id.clone();
        let corrupt = |message: &str| HouseError::Corrupt {
            kind: kind::CLAIM.into(),
            id: id.clone(),
            message: message.into(),
        };
        if !c.status.is_clearable() || c.remaining_minor() < part.cleared_minor {
            return Err(corrupt(&format!(
                "cycle {n} clears {} of it, but it is {} with {} owed",
                part.cleared_minor,
                c.status.as_str(),
                c.remaining_minor()
            )));
        }
        let pending = c
            .reserve_transfer
            .ok_or_else(|| corrupt("queued without a reservation"))?;
        let post = NewTransfer {
            id: ids::settle(&id, n),
            pending_id: pending,
            amount: part.cleared_minor as u64,
            user_data_64: n,
            flags: TransferFlags::POST_PENDING,
            ..NewTransfer::default()
        };
        change.transfers.push(post);
        c.cleared_minor += part.cleared_minor;
        c.settlements.push(Settled {
            cycle: n,
            amount_minor: part.cleared_minor,
            set_off_minor: part.set_off_minor,
            transfer_id: post.id,
        });
        c.reserve_transfer = None;
        if c.remaining_minor() > 0 {
            let mut rest = self.reserve_transfer(&c);
            rest.id = ids::reserve_rest(&id, n);
            rest.user_data_64 = n;
            rest.code = ids::TRANSFER_RESERVE_REST;
            c.reserve_transfer = Some(rest.id);
            change.transfers.push(rest);
            c.status = ClaimStatus::PartiallyCleared;
        } else {
            c.status = ClaimStatus::Cleared;
        }
        change.expect.push(expect(kind::CLAIM, &id, Some(version)));
        change
            .put
            .push(crate::review::claim_record(&c, version + 1)?);
        Ok(())
    }

    /// Pays out the payees whose parts are final and posted, as the release setting allows.
    /// `Some(true)`: a batch was instructed; `Some(false)`: nothing to do; `None`: lost a race.
    /// Either way `cycle` was changed in memory and must be read again.
    fn release_payouts(
        &self,
        actor: &str,
        cycle: &mut Versioned<Cycle>,
        part_of: &HashMap<String, String>,
        finals: &BTreeSet<String>,
        report: &mut AdvanceReport,
    ) -> Result<Option<bool>, HouseError> {
        let c = &cycle.value;
        // A part is ready once final and every claim of it posted.
        let mut unposted: BTreeSet<&str> = BTreeSet::new();
        for claim in c.claims.iter().filter(|x| x.cleared_minor > 0 && !x.posted) {
            if let Some(p) = part_of.get(&claim.creditor) {
                unposted.insert(p);
            }
        }
        let ready = |participant: &str| {
            part_of
                .get(participant)
                .is_some_and(|p| finals.contains(p) && !unposted.contains(p.as_str()))
        };
        let mode = self.config.config.settlement.payout_release;
        let zone_ready = |zone: &str| {
            c.positions
                .iter()
                .filter(|p| p.zone == zone && part_of.contains_key(&p.participant))
                .all(|p| ready(&p.participant))
        };
        let participants = self.participants_by_id()?;
        let mut payees: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, p) in c.positions.iter().enumerate() {
            if p.status != PositionStatus::Waiting || p.net_minor <= 0 || !ready(&p.participant) {
                continue;
            }
            if mode == PayoutRelease::Zone && !zone_ready(&p.zone) {
                continue;
            }
            let active = provider_zone(&p.participant).is_some()
                || participants
                    .get(&p.participant)
                    .is_some_and(|v| v.value.status == ParticipantStatus::Active);
            if !active {
                if !report.payees_blocked.contains(&p.participant) {
                    report.payees_blocked.push(p.participant.clone());
                }
                continue;
            }
            payees.entry(p.zone.clone()).or_default().push(i);
        }
        let Some((zone, indices)) = payees.into_iter().next() else {
            return Ok(Some(false));
        };
        let indices: Vec<usize> = indices.into_iter().take(PAYOUTS_PER_CHANGE_MAX).collect();
        let names: Vec<String> = indices
            .iter()
            .map(|&i| c.positions[i].participant.clone())
            .collect();
        let instructed = self.instruct_payouts(actor, cycle, &zone, &indices, &participants)?;
        if instructed {
            report.payouts.extend(names);
            Ok(Some(true))
        } else {
            Ok(None)
        }
    }

    /// One pay-out batch of a zone: a transfer per payee, a pain.001 naming the invoices.
    /// `false`: lost a race (nothing written). The batch is made on `cycle` itself (no copy of
    /// its selection), which the caller reads again either way.
    fn instruct_payouts(
        &self,
        actor: &str,
        cycle: &mut Versioned<Cycle>,
        zone_code: &str,
        indices: &[usize],
        participants: &Participants,
    ) -> Result<bool, HouseError> {
        let version = cycle.version;
        let c = &mut cycle.value;
        let n = c.number;
        let zone = self.zone_by_code(zone_code)?;
        let batch = c.payout_batches + 1;
        let message_id = format!("CH-C{n}-{zone_code}-P{batch}");
        let now = self.now();
        let mut change = Change {
            accounts: self.settlement_accounts(),
            ..Change::default()
        };
        for &i in indices {
            let p = &mut c.positions[i];
            let attempt = p.payout.as_ref().map_or(1, |x| x.attempt + 1);
            let transfer = self.payout_transfer(n, p, attempt)?;
            change.transfers.push(transfer);
            p.booked.push(Booked {
                transfer_id: transfer.id,
                what: "pay_out".into(),
                amount_minor: p.net_minor,
                at: now,
            });
            p.payout = Some(Payout {
                attempt,
                end_to_end_id: format!("{}-P{attempt}", p.end_to_end_id),
                message_id: message_id.clone(),
                instructed_at: now,
                transfer_id: transfer.id,
                confirmed: false,
                rejection: None,
            });
            p.status = PositionStatus::PaidOut;
        }
        let payees: Vec<&Position> = indices.iter().map(|&i| &c.positions[i]).collect();
        let bytes = files::payout_file(self, c, zone, &message_id, &payees, participants)?;
        let names: Vec<String> = payees.iter().map(|p| p.participant.clone()).collect();
        let rel = format!("{zone_code}/payouts-{batch}-{zone_code}.pain001.xml");
        let pending = files::stage(&c.directory, &rel, &bytes)?;
        c.files.push(pending.file.clone());
        c.payout_batches = batch;
        if c.status == CycleStatus::AwaitingPayIns
            && c.positions
                .iter()
                .all(|p| p.net_minor >= 0 || p.status != PositionStatus::Requested)
        {
            c.status = CycleStatus::PayingOut;
        }
        self.put_cycle_header(&mut change, c, version)?;
        change.audit.push(audit(
            actor,
            "cycle.payouts",
            format!("cycle:{n}"),
            &serde_json::json!({ "zone": zone_code, "message_id": message_id, "payees": names, "file": pending.file }),
        )?);
        match self.commit(change, "the pay-outs")? {
            Commit::Done => {
                pending.place()?;
                Ok(true)
            }
            Commit::Raced(_) => {
                // Dropped, the staged file is removed.
                drop(pending);
                Ok(false)
            }
        }
    }

    /// The ledger transfer of a pay-out: the zone house account pays the participant.
    fn payout_transfer(
        &self,
        n: u64,
        p: &Position,
        attempt: u32,
    ) -> Result<NewTransfer, HouseError> {
        let zone = self.zone_by_code(&p.zone)?;
        Ok(NewTransfer {
            id: ids::settlement_transfer("pay_out", n, &[&p.participant, &attempt.to_string()]),
            debit_account_id: self.position_account(&p.participant)?,
            credit_account_id: ids::zone_account(&self.config, &zone.code).id,
            amount: p.net_minor.unsigned_abs(),
            ledger: ids::ledger_of(&self.config),
            code: ids::TRANSFER_PAY_OUT,
            user_data_64: n,
            ..NewTransfer::default()
        })
    }

    /// Settles the cycle once every payer paid (or was unwound), every claim is posted and every
    /// payee paid out: writes the statements. `Some(status)`: where it stands now; `None`: lost
    /// a race.
    fn finish(
        &self,
        actor: &str,
        cycle: Versioned<Cycle>,
    ) -> Result<Option<CycleStatus>, HouseError> {
        let Versioned {
            value: mut c,
            version,
        } = cycle;
        let payers_done = c
            .positions
            .iter()
            .all(|p| p.status != PositionStatus::Requested);
        let done = payers_done
            && c.claims.iter().all(|x| x.posted || x.cleared_minor == 0)
            && c.positions.iter().all(|p| {
                matches!(
                    p.status,
                    PositionStatus::Paid
                        | PositionStatus::PaidOut
                        | PositionStatus::Flat
                        | PositionStatus::Unwound
                        | PositionStatus::Left
                )
            });
        let status = if done {
            CycleStatus::Settled
        } else if payers_done {
            CycleStatus::PayingOut
        } else {
            CycleStatus::AwaitingPayIns
        };
        if status == c.status {
            return Ok(Some(status));
        }
        let mut change = Change::default();
        let mut staged = Vec::new();
        c.status = status;
        if status == CycleStatus::Settled {
            c.settled_at = Some(self.now());
            self.settle_liquidity(&mut change, &c)?;
            let participants = self.participants_by_id()?;
            for (rel, bytes) in files::statements(self, &c, &participants)? {
                let pending = files::stage(&c.directory, &rel, &bytes)?;
                c.files.push(pending.file.clone());
                staged.push(pending);
            }
        }
        self.put_cycle_header(&mut change, &mut c, version)?;
        change.audit.push(audit(
            actor,
            &format!("cycle.{}", status.as_str()),
            format!("cycle:{}", c.number),
            &serde_json::json!({ "zones": c.zones, "files": staged.iter().map(|s| &s.file).collect::<Vec<_>>() }),
        )?);
        match self.commit(change, "the cycle's settlement")? {
            Commit::Done => {
                files::place_all(staged)?;
                Ok(Some(status))
            }
            Commit::Raced(_) => {
                // Dropped, the staged files are removed.
                drop(staged);
                Ok(None)
            }
        }
    }

    /// A zone by its code.
    pub(crate) fn zone_by_code(&self, code: &str) -> Result<&crate::config::Zone, HouseError> {
        self.config
            .zones
            .iter()
            .find(|z| z.code.as_str() == code)
            .ok_or_else(|| HouseError::Clearing(format!("no zone {code}")))
    }

    /// Applies money kept in suspense for a payer to its pay-in. `true` if a change was made
    /// (or lost a race): the caller reads the cycle again.
    fn apply_kept(&self, actor: &str, cycle: &Versioned<Cycle>) -> Result<bool, HouseError> {
        if cycle.value.status != CycleStatus::AwaitingPayIns {
            return Ok(false);
        }
        let requested: HashMap<&str, &Position> = cycle
            .value
            .positions
            .iter()
            .filter(|p| p.status == PositionStatus::Requested)
            .map(|p| (p.participant.as_str(), p))
            .collect();
        if requested.is_empty() {
            return Ok(false);
        }
        // One read of what is kept (a handful of entries), not one per payer: this runs on every
        // move of every cycle.
        let query = store::RecordQuery {
            kind: kind::BANK_ENTRY.into(),
            status: Some(BankEntryStatus::Kept.as_str().into()),
            ..store::RecordQuery::default()
        };
        for entry in self.list::<BankEntry>(query, crate::LIST_MAX)? {
            let payer = entry
                .value
                .participant
                .as_deref()
                .and_then(|id| requested.get(id))
                .filter(|p| p.currency == entry.value.currency)
                .map(|p| p.participant.clone());
            if let Some(payer) = payer {
                self.apply_entry(actor, entry, cycle.value.number, &payer, true)?;
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Adds a new alert to `change` (refused if one with its id exists: the same finding twice).
pub(crate) fn new_alert(change: &mut Change, alert: &Alert) -> Result<(), HouseError> {
    change.expect.push(expect(kind::ALERT, &alert.id, None));
    change.put.push(crate::record(
        kind::ALERT,
        &alert.id,
        1,
        alert.status.as_str(),
        (&alert.participant, ""),
        alert.created_at,
        alert,
    )?);
    Ok(())
}
