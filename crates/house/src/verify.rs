//! `verify` for the house: every cleared claim has its postings, every open claim its
//! reservation, each cycle balances per zone with no payment across a border, every zone house
//! account nets to zero, every file a cycle wrote is on disk as recorded, the audit chain is
//! intact, and every user is what the audit trail made it.

use std::collections::HashMap;
use std::path::Path;

use ledger::PendingStatus;
use serde::Serialize;
use store::TransferRow;

use crate::error::HouseError;
use crate::settlement::files::{OnDisk, files_in_force, on_disk};
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
    /// The cycles' files compared with the SHA-256 their cycle recorded.
    pub files: usize,
    pub users: usize,
    pub audit_entries: u64,
    pub problems: Vec<String>,
}

impl HouseReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    pub(crate) fn problem(&mut self, text: String) {
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
        self.verify_lifecycle(&claims, report.audit_entries, &mut report)?;
        let cycles = self.cycles()?;
        // Every bank entry, read once for both checks that need them.
        let entries = self.bank_entries_all()?;
        self.verify_ledger_explained(&participants, &claims, &cycles, &entries, &mut report)?;
        let claims: HashMap<&str, &ClaimRecord> = claims
            .iter()
            .map(|c| (c.submission.id.as_str(), c))
            .collect();
        report.cycles = cycles.len();
        for cycle in &cycles {
            self.verify_cycle(cycle, &by_id, &claims, &mut report)?;
            verify_files(cycle, &mut report);
        }
        self.verify_cash(&cycles, &entries, &mut report)?;
        self.verify_users(&mut report)?;
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
        entries: &[BankEntry],
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
        for z in &self.config.zones {
            accounts.insert(
                ids::suspense_account(&self.config, &z.code).id,
                format!("zone {} suspense account", z.code),
            );
            accounts.insert(
                ids::provider_account(&self.config, &z.code).id,
                format!("zone {} liquidity provider", z.code),
            );
        }
        for cycle in cycles {
            transfers.extend(cycle.payments.iter().map(|p| p.transfer_id));
            for p in &cycle.positions {
                transfers.extend(p.booked.iter().map(|b| b.transfer_id));
            }
        }
        for e in entries {
            transfers.extend(e.booked.iter().map(|b| b.transfer_id));
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

/// Every file `cycle` recorded is in its directory as last recorded ([`files_in_force`]). A file missing, changed,
/// recorded outside the directory or that cannot be read is a problem naming the cycle and the
/// file, and the other files are still checked; a directory missing is one problem.
fn verify_files(cycle: &Cycle, report: &mut HouseReport) {
    let n = cycle.number;
    let dir = Path::new(&cycle.directory);
    let files = files_in_force(cycle);
    if files.is_empty() {
        return;
    }
    if let Err(e) = std::fs::metadata(dir)
        && e.kind() == std::io::ErrorKind::NotFound
    {
        report.problem(format!(
            "cycle {n}: its directory {} is missing, and with it its {} files",
            dir.display(),
            files.len()
        ));
        return;
    }
    for file in files {
        report.files += 1;
        let problem = match on_disk(dir, file) {
            OnDisk::Same => continue,
            OnDisk::Differs(sha256) => format!(
                "differs from the file recorded (SHA-256 {sha256}, recorded {})",
                file.sha256
            ),
            OnDisk::Missing => "is missing".to_owned(),
            OnDisk::Outside => "is recorded outside the cycle's directory".to_owned(),
            OnDisk::Unreadable(e) => format!("cannot be read: {e}"),
        };
        report.problem(format!(
            "cycle {n}: file {} {problem} ({})",
            file.path,
            dir.join(&file.path).display()
        ));
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
        // Neither leaves clearing once any of it cleared.
        (x, ClaimStatus::AwaitingAcceptance | ClaimStatus::Disputed | ClaimStatus::Withdrawn) => {
            x == 0
        }
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
    let reserved = c.status.is_clearable() || c.status == ClaimStatus::AwaitingAcceptance;
    let live = reserved || (c.status == ClaimStatus::Held && c.reserve_transfer.is_some());
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
        (None, true) if reserved => {
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
        if !cycle.payments.is_empty() {
            return self.verify_cycle_paid_at_once(cycle, participants, claims, report);
        }
        let n = cycle.number;
        let zone_of = |id: &str| {
            participants
                .get(id)
                .map(|p| p.participant.zone().to_string())
        };
        // Net positions: the claims' cleared amounts, netted per participant, sum to zero and
        // give each position its amount.
        let mut net: HashMap<&str, i64> = HashMap::new();
        for c in cycle.claims.iter().filter(|c| c.cleared_minor > 0) {
            *net.entry(c.creditor.as_str()).or_default() += c.cleared_minor;
            *net.entry(c.debtor.as_str()).or_default() -= c.cleared_minor;
            let record = claims.get(c.claim.as_str());
            let ok = match record {
                Some(r) if c.posted => r
                    .settlements
                    .iter()
                    .any(|s| s.cycle == n && s.amount_minor == c.cleared_minor),
                Some(r) => {
                    r.status.is_clearable()
                        && r.remaining_minor() >= c.cleared_minor
                        && r.reserve_transfer.is_some()
                }
                None => false,
            };
            if !ok {
                report.problem(format!(
                    "cycle {n}: claim {} clears {} ({}), but the claim's record does not agree",
                    c.claim,
                    c.cleared_minor,
                    if c.posted {
                        "posted"
                    } else {
                        "reserved, to be posted"
                    }
                ));
            }
        }
        let mut per_zone: HashMap<&str, (i64, i64)> = HashMap::new();
        let mut ids = Vec::new();
        for p in &cycle.positions {
            ids.extend(p.booked.iter().map(|b| b.transfer_id));
            let own_zone = match provider_zone(&p.participant) {
                Some(z) => Some(z.to_owned()),
                None => zone_of(&p.participant),
            };
            if own_zone.as_deref() != Some(p.zone.as_str()) {
                report.problem(format!(
                    "cycle {n}: the position of {} is in zone {}, but the participant is {}: a payment across a border",
                    p.participant,
                    p.zone,
                    zone_of(&p.participant).unwrap_or_else(|| "unknown".into())
                ));
            }
            let expected = match provider_zone(&p.participant) {
                Some(z) => cycle
                    .liquidity
                    .iter()
                    .find(|m| m.zone == z)
                    .map_or(0, |m| m.repaid_minor - m.drawn_minor),
                None => net.get(p.participant.as_str()).copied().unwrap_or(0),
            };
            if p.net_minor != expected {
                report.problem(format!(
                    "cycle {n}: {} is at {} but its claims net to {expected}",
                    p.participant, p.net_minor
                ));
            }
            let zone = self.zone_by_code(&p.zone).ok();
            if let Some(z) = zone
                && p.net_minor
                    .checked_abs()
                    .and_then(|a| a.checked_mul(z.minor_rate))
                    != Some(p.due_minor)
            {
                report.problem(format!(
                    "cycle {n}: {} is due {} {}, not its position {} at the agreed rate",
                    p.participant, p.due_minor, p.currency, p.net_minor
                ));
            }
            let t = per_zone.entry(p.zone.as_str()).or_default();
            if p.net_minor < 0 {
                t.0 += p.due_minor;
            } else {
                t.1 += p.due_minor;
            }
            self.verify_position(n, cycle, p, report);
        }
        for (zone, (pay_in, pay_out)) in per_zone {
            // What the zone keeps for later cycles, or pays out of what it kept.
            let rate = self.zone_by_code(zone).map_or(1, |z| z.minor_rate);
            let kept = cycle
                .liquidity
                .iter()
                .find(|m| m.zone == zone)
                .map_or(0, |m| {
                    (m.held_added_minor - m.held_used_minor).saturating_mul(rate)
                });
            if pay_in - pay_out != kept {
                report.problem(format!(
                    "cycle {n}, zone {zone}: payers owe {pay_in} but payees are due {pay_out}, and the zone keeps {kept}: the zone does not balance"
                ));
            }
        }
        for m in &cycle.liquidity {
            let beyond_ok = if m.beyond_minor >= 0 {
                m.held_used_minor + m.drawn_minor == m.beyond_minor
                    && m.beyond_minor <= m.allowance_minor
            } else {
                m.repaid_minor + m.held_added_minor == -m.beyond_minor
            };
            if !beyond_ok
                || [
                    m.held_used_minor,
                    m.drawn_minor,
                    m.repaid_minor,
                    m.held_added_minor,
                ]
                .iter()
                .any(|x| *x < 0)
            {
                report.problem(format!(
                    "cycle {n}, zone {}: beyond the counter-flow {} (allowance {}) is not what was held {}, drawn {}, repaid {}, kept {}",
                    m.zone, m.beyond_minor, m.allowance_minor, m.held_used_minor, m.drawn_minor, m.repaid_minor, m.held_added_minor
                ));
            }
        }
        let booked: HashMap<u64, (u64, u64)> = self
            .store
            .lookup_transfers(&ids)?
            .into_iter()
            .map(|(t, _)| (t.id, (t.amount, t.code as u64)))
            .collect();
        for p in &cycle.positions {
            for b in &p.booked {
                match booked.get(&b.transfer_id) {
                    Some((amount, _)) if *amount == b.amount_minor.unsigned_abs() => {}
                    Some((amount, _)) => report.problem(format!(
                        "cycle {n}: the {} of {} is {} on the ledger, the cycle says {}",
                        b.what, p.participant, amount, b.amount_minor
                    )),
                    None => report.problem(format!(
                        "cycle {n}: the {} of {} (transfer {}) is missing from the ledger",
                        b.what, p.participant, b.transfer_id
                    )),
                }
            }
        }
        if cycle.status == CycleStatus::Settled {
            let everyone = self.participants_by_id()?;
            let index = crate::settlement::files::ClaimsOf::new(cycle);
            for p in cycle
                .positions
                .iter()
                .filter(|p| provider_zone(&p.participant).is_none())
            {
                let statement = crate::settlement::files::statement_of(
                    self,
                    cycle,
                    &p.participant,
                    &everyone,
                    &index,
                )?;
                if statement.closing_minor != statement.opening_minor {
                    report.problem(format!(
                        "cycle {n}: {}'s statement does not close at its opening balance ({} → {})",
                        p.participant, statement.opening_minor, statement.closing_minor
                    ));
                }
            }
        }
        Ok(())
    }

    /// A position's state agrees with what was booked for it.
    fn verify_position(&self, n: u64, cycle: &Cycle, p: &Position, report: &mut HouseReport) {
        let sum = |what: &[&str]| -> i64 {
            p.booked
                .iter()
                .filter(|b| what.contains(&b.what.as_str()))
                .map(|b| b.amount_minor.abs())
                .sum()
        };
        let rate = self.zone_by_code(&p.zone).map_or(1, |z| z.minor_rate);
        let received = sum(&["pay_in", "applied"]) - sum(&["excess"]);
        if received.checked_mul(rate) != Some(p.received_minor) {
            report.problem(format!(
                "cycle {n}: {} received {} {} by its records, {} by its bookings",
                p.participant, p.received_minor, p.currency, received
            ));
        }
        let paid_out = sum(&["pay_out"]) - sum(&["pay_out_returned"]);
        let state_ok = match p.status {
            PositionStatus::Requested => p.net_minor < 0 && p.received_minor < p.due_minor,
            PositionStatus::Paid => p.net_minor < 0 && p.received_minor == p.due_minor,
            PositionStatus::Waiting | PositionStatus::Rejected => p.net_minor > 0 && paid_out == 0,
            PositionStatus::PaidOut => p.net_minor > 0 && paid_out == p.net_minor,
            PositionStatus::Flat => p.net_minor == 0 && p.received_minor == 0,
            PositionStatus::Unwound | PositionStatus::Left => {
                p.net_minor == 0 && p.received_minor == 0 && paid_out == 0
            }
        };
        if !state_ok {
            report.problem(format!(
                "cycle {n}: {} is {} with position {}, received {} and paid out {}",
                p.participant,
                p.status.as_str(),
                p.net_minor,
                p.received_minor,
                paid_out
            ));
        }
        if cycle.status == CycleStatus::Settled
            && matches!(
                p.status,
                PositionStatus::Requested | PositionStatus::Waiting | PositionStatus::Rejected
            )
        {
            report.problem(format!(
                "cycle {n} is settled but {} is still {}",
                p.participant,
                p.status.as_str()
            ));
        }
    }

    /// The zone house and suspense accounts hold what the records say moved through them.
    fn verify_cash(
        &self,
        cycles: &[Cycle],
        entries: &[BankEntry],
        report: &mut HouseReport,
    ) -> Result<(), HouseError> {
        // Per zone: (house debits − credits, suspense credits − debits), from the records.
        let mut expected: HashMap<String, (i128, i128)> = HashMap::new();
        for c in cycles {
            for p in &c.payments {
                let e = expected.entry(p.zone.clone()).or_default();
                e.0 += if p.direction == "pay_in" { 1 } else { -1 } * i128::from(p.amount_minor);
            }
            for p in &c.positions {
                let e = expected.entry(p.zone.clone()).or_default();
                for b in &p.booked {
                    let a = i128::from(b.amount_minor.abs());
                    match b.what.as_str() {
                        "pay_in" | "pay_out_returned" => e.0 += a,
                        "pay_out" => e.0 -= a,
                        "excess" => e.1 += a,
                        "applied" => e.1 -= a,
                        _ => {}
                    }
                }
            }
        }
        // What is still in suspense (or kept), per zone, on the ledger's scale.
        let mut in_suspense: HashMap<&str, i128> = HashMap::new();
        for entry in entries {
            if matches!(
                entry.status,
                BankEntryStatus::Suspense | BankEntryStatus::Kept
            ) {
                *in_suspense.entry(entry.zone.as_str()).or_default() +=
                    i128::from(entry.ledger_remaining_minor);
            }
            let e = expected.entry(entry.zone.clone()).or_default();
            for b in &entry.booked {
                let a = i128::from(b.amount_minor.abs());
                match b.what.as_str() {
                    "suspense_in" => {
                        e.0 += a;
                        e.1 += a;
                    }
                    "refund" => {
                        e.0 -= a;
                        e.1 -= a;
                    }
                    _ => {}
                }
            }
        }
        // The providers' accounts: what their positions booked, and the state's exposure.
        let (state, _) = self.liquidity_state()?;
        for zone in &self.config.zones {
            let code = zone.code.to_string();
            let id = provider_position_id(&code);
            let mut booked: i128 = 0;
            let mut settled: i64 = 0;
            let mut held: i64 = 0;
            for c in cycles {
                for p in c.positions.iter().filter(|p| p.participant == id) {
                    for b in &p.booked {
                        let a = i128::from(b.amount_minor.abs());
                        match b.what.as_str() {
                            "pay_in" | "applied" | "pay_out_returned" => booked += a,
                            "pay_out" | "excess" => booked -= a,
                            _ => {}
                        }
                    }
                }
                if c.status == CycleStatus::Settled {
                    for m in c.liquidity.iter().filter(|m| m.zone == code) {
                        settled += m.drawn_minor - m.repaid_minor;
                        held += m.held_added_minor - m.held_used_minor;
                    }
                }
            }
            let account = ids::provider_account(&self.config, &zone.code).id;
            let on_ledger = self
                .store
                .lookup_accounts(&[account])?
                .first()
                .map_or(0i128, |a| {
                    i128::from(a.credits_posted) - i128::from(a.debits_posted)
                });
            let now = state.zone(&code);
            if on_ledger != booked {
                report.problem(format!(
                    "zone {code}: the liquidity provider's account holds {on_ledger} on the ledger, its draws and repayments recorded make {booked}"
                ));
            }
            if now.exposure_minor != settled || now.held_minor != held {
                report.problem(format!(
                    "zone {code}: the liquidity state says the provider is owed {} and the zone holds {}, the settled cycles make {settled} and {held}",
                    now.exposure_minor, now.held_minor
                ));
            }
            let limit = zone.provider.as_ref().map_or(0, |p| p.limit_minor);
            if now.exposure_minor > limit || now.exposure_minor < 0 || now.held_minor < 0 {
                report.problem(format!(
                    "zone {code}: the provider is owed {} beyond its limit {limit}, or the zone holds {}",
                    now.exposure_minor, now.held_minor
                ));
            }
        }
        for zone in &self.config.zones {
            let code = zone.code.to_string();
            let (house, held) = expected.get(&code).copied().unwrap_or_default();
            let accounts = self.store.lookup_accounts(&[
                ids::zone_account(&self.config, &zone.code).id,
                ids::suspense_account(&self.config, &zone.code).id,
            ])?;
            let balance = |id: u64, debit: bool| {
                accounts.iter().find(|a| a.id == id).map_or(0i128, |a| {
                    let (d, c) = (i128::from(a.debits_posted), i128::from(a.credits_posted));
                    if debit { d - c } else { c - d }
                })
            };
            let house_balance = balance(ids::zone_account(&self.config, &zone.code).id, true);
            if house_balance != house {
                report.problem(format!(
                    "zone {code}: the house account holds {house_balance} on the ledger, but the pay-ins, pay-outs, suspense and refunds recorded make {house}"
                ));
            }
            let suspense_balance =
                balance(ids::suspense_account(&self.config, &zone.code).id, false);
            let entries = in_suspense.get(code.as_str()).copied().unwrap_or(0);
            if suspense_balance != held || suspense_balance != entries {
                report.problem(format!(
                    "zone {code}: the suspense account holds {suspense_balance} on the ledger; its movements recorded make {held}, the entries in suspense {entries}"
                ));
            }
        }
        Ok(())
    }

    /// Every bank entry (a verify reads them all).
    fn bank_entries_all(&self) -> Result<Vec<BankEntry>, HouseError> {
        self.list::<BankEntry>(
            store::RecordQuery {
                kind: kind::BANK_ENTRY.into(),
                ..store::RecordQuery::default()
            },
            usize::MAX,
        )
        .map(|v| v.into_iter().map(|x| x.value).collect())
    }

    /// A cycle of the time when a cycle paid in and out at once (its payments posted).
    fn verify_cycle_paid_at_once(
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
        Ok(())
    }
}
