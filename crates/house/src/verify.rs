//! `verify` for the house: every cleared claim has its postings, every open claim its
//! reservation, each cycle balances per zone with no payment across a border, every zone house
//! account nets to zero, and the audit chain is intact.

use std::collections::HashMap;

use ledger::{Account, PendingStatus};
use serde::Serialize;
use store::TransferRow;

use crate::error::HouseError;
use crate::types::*;
use crate::{House, ids};

/// Most problems reported.
pub const PROBLEMS_MAX: usize = 1000;
/// Most transfers looked up at once.
const LOOKUP_BATCH_MAX: usize = 8190;

/// What the house's verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HouseReport {
    pub participants: usize,
    pub claims: usize,
    pub cycles: usize,
    pub audit_entries: u64,
    pub problems: Vec<String>,
}

impl HouseReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, text: String) {
        if self.problems.len() < PROBLEMS_MAX {
            self.problems.push(text);
        }
    }
}

impl House {
    /// Checks the house's records against the ledger and the audit chain.
    pub fn verify(&self) -> Result<HouseReport, HouseError> {
        let mut report = HouseReport::default();
        let audit = self.store.verify_audit()?;
        report.audit_entries = audit.entries;
        for p in audit.problems {
            report.problem(format!("audit: {p}"));
        }
        let participants = self.participants(None)?;
        report.participants = participants.len();
        let by_id: HashMap<String, &ParticipantRecord> = participants
            .iter()
            .map(|p| (p.participant.id().to_string(), p))
            .collect();
        for p in &participants {
            let id = p.participant.id().to_string();
            if p.account_id != ids::participant_account(&self.config, &id).id {
                report.problem(format!(
                    "participant {id}: account id {} is not its own",
                    p.account_id
                ));
            }
        }
        let claims = self.claims(None, None, usize::MAX)?;
        report.claims = claims.len();
        // Every posting and reservation the claims name, looked up in batches.
        let ids: Vec<u64> = claims
            .iter()
            .flat_map(|c| {
                let settled = c.settlements.iter().map(|s| s.transfer_id);
                settled.chain(c.reserve_transfer)
            })
            .collect();
        let mut transfers = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(LOOKUP_BATCH_MAX) {
            for row in self.store.lookup_transfers(chunk)? {
                transfers.insert(row.0.id, row);
            }
        }
        for c in &claims {
            verify_claim(c, &transfers, &mut report);
        }
        let cycles = self.cycles()?;
        self.verify_ledger_explained(&participants, &claims, &cycles, &mut report)?;
        let claims: HashMap<&str, &ClaimRecord> = claims
            .iter()
            .map(|c| (c.submission.id.as_str(), c))
            .collect();
        report.cycles = cycles.len();
        for cycle in &cycles {
            self.verify_cycle(cycle, &by_id, &claims, &mut report)?;
        }
        let houses: Vec<u64> = self
            .config
            .zones
            .iter()
            .map(|z| ids::zone_account(&self.config, &z.code).id)
            .collect();
        let accounts: Vec<Account> = self.store.lookup_accounts(&houses)?;
        if accounts.len() != houses.len() {
            report.problem("a zone house account is missing from the ledger".into());
        }
        for (zone, a) in self.config.zones.iter().zip(&accounts) {
            if a.debits_posted != a.credits_posted
                || a.debits_pending != 0
                || a.credits_pending != 0
            {
                report.problem(format!(
                    "zone {}: the house account does not net to zero (collected {}, paid out {})",
                    zone.code, a.debits_posted, a.credits_posted
                ));
            }
        }
        Ok(report)
    }
}

impl House {
    /// Every account and transfer on the ledger is one the house's records explain: the
    /// participants' and zones' accounts; a claim's reservation, its void, its postings and the
    /// rests reserved again per cycle; a cycle's payments. Anything else moved money outside the
    /// house (a raw ledger command, an edit of the database) and is reported.
    fn verify_ledger_explained(
        &self,
        participants: &[ParticipantRecord],
        claims: &[ClaimRecord],
        cycles: &[Cycle],
        report: &mut HouseReport,
    ) -> Result<(), HouseError> {
        let mut accounts: HashMap<u64, String> = participants
            .iter()
            .map(|p| (p.account_id, format!("participant {}", p.participant.id())))
            .collect();
        for z in &self.config.zones {
            accounts.insert(
                ids::zone_account(&self.config, &z.code).id,
                format!("zone {} house account", z.code),
            );
        }
        let mut transfers: std::collections::HashSet<u64> = std::collections::HashSet::new();
        for c in claims {
            let id = &c.submission.id;
            transfers.extend([ids::reserve(id), ids::void(id)]);
            transfers.extend(c.reserve_transfer);
            for s in &c.settlements {
                transfers.extend([
                    s.transfer_id,
                    ids::settle(id, s.cycle),
                    ids::reserve_rest(id, s.cycle),
                ]);
            }
        }
        for cycle in cycles {
            transfers.extend(cycle.payments.iter().map(|p| p.transfer_id));
        }
        let (ledger_accounts, ledger_transfers) = self.store.ledger_contents()?;
        for a in &ledger_accounts {
            if !accounts.contains_key(&a.id) {
                report.problem(format!(
                    "ledger account {} (code {}) belongs to nothing the house keeps: opened outside the house",
                    a.id, a.code
                ));
            }
        }
        let name = |id: u64| {
            accounts
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("account {id}"))
        };
        for (t, _) in &ledger_transfers {
            if !transfers.contains(&t.id) {
                report.problem(format!(
                    "ledger transfer {} moved {} from {} to {}, and no claim or cycle of the house explains it",
                    t.id,
                    t.amount,
                    name(t.debit_account_id),
                    name(t.credit_account_id)
                ));
            }
        }
        Ok(())
    }
}

/// Checks one claim against its postings and its reservation.
fn verify_claim(c: &ClaimRecord, transfers: &HashMap<u64, TransferRow>, report: &mut HouseReport) {
    let id = &c.submission.id;
    let sum: i64 = c.settlements.iter().map(|s| s.amount_minor).sum();
    if sum != c.cleared_minor || c.cleared_minor > c.clearing_amount_minor {
        report.problem(format!(
            "claim {id}: cleared {} but its settlements sum to {sum} (of {})",
            c.cleared_minor, c.clearing_amount_minor
        ));
    }
    let expected = match (c.cleared_minor, c.status) {
        (_, ClaimStatus::Held | ClaimStatus::Rejected) => true,
        (x, ClaimStatus::Cleared) => x == c.clearing_amount_minor,
        (x, ClaimStatus::PartiallyCleared) => x > 0 && x < c.clearing_amount_minor,
        (x, ClaimStatus::Queued) => x == 0,
    };
    if !expected {
        report.problem(format!(
            "claim {id}: status {} with {} of {} cleared",
            c.status.as_str(),
            c.cleared_minor,
            c.clearing_amount_minor
        ));
    }
    for s in &c.settlements {
        match transfers.get(&s.transfer_id) {
            Some((t, _)) if t.amount == s.amount_minor as u64 && t.user_data_64 == s.cycle => {}
            Some((t, _)) => report.problem(format!(
                "claim {id}: cycle {} posted {} on the ledger, the claim says {}",
                s.cycle, t.amount, s.amount_minor
            )),
            None => report.problem(format!(
                "claim {id}: the posting of cycle {} (transfer {}) is missing",
                s.cycle, s.transfer_id
            )),
        }
    }
    let live =
        c.status.is_clearable() || (c.status == ClaimStatus::Held && c.reserve_transfer.is_some());
    match (c.reserve_transfer, live) {
        (Some(pending), true) => match transfers.get(&pending) {
            Some((t, Some(state)))
                if state.status == PendingStatus::Pending
                    && t.amount == c.remaining_minor() as u64 => {}
            other => report.problem(format!(
                "claim {id}: {} with {} still owed, but its reservation {pending} is {}",
                c.status.as_str(),
                c.remaining_minor(),
                match other {
                    None => "missing from the ledger".to_owned(),
                    Some((t, None)) => format!("a plain transfer of {}", t.amount),
                    Some((t, Some(state))) => format!(
                        "{} for {}",
                        match state.status {
                            PendingStatus::Pending => "pending",
                            PendingStatus::Posted => "posted",
                            PendingStatus::Voided => "voided",
                            PendingStatus::Expired => "expired",
                        },
                        t.amount
                    ),
                }
            )),
        },
        (None, true) if c.status.is_clearable() => {
            report.problem(format!(
                "claim {id}: {} without a reservation",
                c.status.as_str()
            ));
        }
        (Some(pending), false) => report.problem(format!(
            "claim {id}: {} but still names reservation {pending}",
            c.status.as_str()
        )),
        _ => {}
    }
}

impl House {
    fn verify_cycle(
        &self,
        cycle: &Cycle,
        participants: &HashMap<String, &ParticipantRecord>,
        claims: &HashMap<&str, &ClaimRecord>,
        report: &mut HouseReport,
    ) -> Result<(), HouseError> {
        let n = cycle.number;
        let zone_of = |id: &str| {
            participants
                .get(id)
                .map(|p| p.participant.zone().to_string())
        };
        for z in &cycle.zones {
            if z.paid_in_minor != z.paid_out_minor {
                report.problem(format!(
                    "cycle {n}, zone {}: paid in {} but paid out {} {}",
                    z.zone, z.paid_in_minor, z.paid_out_minor, z.currency
                ));
            }
        }
        let ids: Vec<u64> = cycle.payments.iter().map(|p| p.transfer_id).collect();
        let found = self.store.lookup_transfers(&ids)?;
        for p in &cycle.payments {
            if zone_of(&p.participant).as_ref() != Some(&p.zone) {
                report.problem(format!(
                    "cycle {n}: payment of {} through zone {} crosses a border (the participant is {})",
                    p.participant,
                    p.zone,
                    zone_of(&p.participant)
                        .map_or_else(|| "unknown".to_owned(), |z| format!("in zone {z}"))
                ));
            }
            match found.iter().find(|(t, _)| t.id == p.transfer_id) {
                Some((t, _)) if t.amount == p.amount_minor as u64 && t.user_data_64 == n => {}
                _ => report.problem(format!(
                    "cycle {n}: the {} of {} (transfer {}) is missing or differs on the ledger",
                    p.direction, p.participant, p.transfer_id
                )),
            }
        }
        for c in cycle.claims.iter().filter(|c| c.cleared_minor > 0) {
            let recorded = claims.get(c.claim.as_str()).is_some_and(|claim| {
                claim
                    .settlements
                    .iter()
                    .any(|s| s.cycle == n && s.amount_minor == c.cleared_minor)
            });
            if !recorded {
                report.problem(format!(
                    "cycle {n}: claim {} cleared {} but the claim does not record it",
                    c.claim, c.cleared_minor
                ));
            }
        }
        for (id, p) in participants {
            let statement = crate::cycle::statement_of(&self.config, cycle, p)?;
            if statement.closing_minor != statement.opening_minor {
                report.problem(format!(
                    "cycle {n}: {id}'s statement does not close at its opening balance ({} → {})",
                    statement.opening_minor, statement.closing_minor
                ));
            }
        }
        Ok(())
    }
}
