//! The claim lifecycle between submission and clearing: the debtor accepts or disputes, the
//! creditor withdraws, and the house may deem a claim accepted after a set number of days.
//!
//! A claim enters clearing only once its debtor has accepted it: INSTEX registered both sides of
//! a trade, and netting systems match a payable against a receivable; a creditor alone cannot
//! make another firm pay. A claim that passed every check at submission is
//! `awaiting_acceptance`, already reserved on the ledger by its pending transfer (debtor →
//! creditor) so that the money a cycle would move is set aside from the start; no cycle takes
//! it until it is `queued`.
//!
//! ```text
//! submitted ─► awaiting_acceptance ─(debtor accepts, or deemed)─► queued ─► cycles ─► cleared
//!   │            │ debtor disputes ─► disputed               │ debtor disputes ─► disputed
//!   │            │ creditor withdraws ─► withdrawn           │ creditor withdraws ─► withdrawn
//!   │                                                        │ (neither once a cycle holds it
//!   │                                                        │  or once it cleared in part)
//!   ├─► held ─(case released)─► awaiting_acceptance, or queued when accepted in advance
//!   │     debtor accepts in advance (stays held), disputes; creditor withdraws
//!   └─► rejected
//! ```
//!
//! `disputed` and `withdrawn` are final: the claim's reservation is voided on the ledger in the
//! same change (`ids::void`), and a corrected claim is a new submission. Every transition is
//! one [`store::Change`] that expects the claim's version (a concurrent change makes it read
//! again and retry) with its audit event (`claim.accepted`, `claim.deemed_accepted`,
//! `claim.disputed`, `claim.withdrawn`) naming the acting user; asking again for what is done
//! already is answered with the claim as it stands, and writes nothing.
//!
//! Who may act is checked against the claim: only its debtor accepts or disputes, only its
//! creditor withdraws ([`HouseError::Forbidden`] for the other side). A participant that is
//! neither side is told the claim does not exist, as it would be told for a claim that does
//! not: whether another firm's claim exists is not its business.

use std::collections::HashMap;

use ledger::{NewTransfer, PendingStatus, TransferFlags};
use model::{ClaimId, ParticipantId};
use store::{Change, RecordQuery};

use crate::error::HouseError;
use crate::review::{check_reason, claim_record};
use crate::types::*;
use crate::verify::HouseReport;
use crate::{Commit, House, Versioned, audit, expect, ids};

/// Longest reason a debtor may give for a dispute, or a creditor for a withdrawal, in bytes.
pub const CLAIM_REASON_BYTES_MAX: usize = 1024;
/// Most claims one change deems accepted (each with its audit event).
pub const DEEM_CLAIMS_PER_CHANGE_MAX: usize = 1_000;
/// Most changes one [`House::deem_accepted`] makes: up to 10 million claims.
pub const DEEM_CHANGES_MAX: usize = 10_000;
/// Most ledger transfers looked up at once by `verify`.
const LOOKUP_BATCH_MAX: usize = 8190;

const DAY_NS: u64 = model::calendar::DAY_NS;

/// The audit actions of the lifecycle, as `verify` looks for them.
pub const ACTION_ACCEPTED: &str = "claim.accepted";
pub const ACTION_DEEMED_ACCEPTED: &str = "claim.deemed_accepted";
pub const ACTION_DISPUTED: &str = "claim.disputed";
pub const ACTION_WITHDRAWN: &str = "claim.withdrawn";

/// What a party asks the house to do with a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Accept,
    Dispute,
    Withdraw,
}

impl Step {
    fn verb(self) -> &'static str {
        match self {
            Step::Accept => "accepted",
            Step::Dispute => "disputed",
            Step::Withdraw => "withdrawn",
        }
    }

    fn action(self) -> &'static str {
        match self {
            Step::Accept => ACTION_ACCEPTED,
            Step::Dispute => ACTION_DISPUTED,
            Step::Withdraw => ACTION_WITHDRAWN,
        }
    }

    /// Whether the step takes the claim out of clearing for good.
    fn closes(self) -> bool {
        self != Step::Accept
    }
}

impl std::str::FromStr for ClaimStatus {
    type Err = HouseError;

    /// A status by its name (`awaiting_acceptance`, `queued`, …); an unknown name is an error
    /// that lists them all.
    fn from_str(text: &str) -> Result<ClaimStatus, HouseError> {
        ClaimStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = ClaimStatus::ALL.iter().map(|s| s.as_str()).collect();
                HouseError::invalid(
                    "status",
                    format!("{text:?} is not a claim status ({})", names.join(", ")),
                )
            })
    }
}

impl ClaimStatus {
    /// Every status, in the order of the lifecycle.
    pub const ALL: [ClaimStatus; 8] = [
        ClaimStatus::AwaitingAcceptance,
        ClaimStatus::Queued,
        ClaimStatus::PartiallyCleared,
        ClaimStatus::Cleared,
        ClaimStatus::Held,
        ClaimStatus::Rejected,
        ClaimStatus::Disputed,
        ClaimStatus::Withdrawn,
    ];
}

impl House {
    /// The debtor accepts a claim: `awaiting_acceptance` becomes `queued` (cycles take it);
    /// a held claim records the acceptance and stays held until its case releases it. Accepting
    /// an accepted claim again changes nothing.
    pub fn accept_claim(
        &self,
        actor: &str,
        participant: &str,
        claim_id: &str,
    ) -> Result<ClaimRecord, HouseError> {
        self.party_step(actor, participant, claim_id, Step::Accept, "")
    }

    /// The debtor disputes a claim not yet in clearing (awaiting acceptance, queued before a
    /// cycle holds it, or held): it becomes `disputed` and its reservation is released.
    pub fn dispute_claim(
        &self,
        actor: &str,
        participant: &str,
        claim_id: &str,
        reason: &str,
    ) -> Result<ClaimRecord, HouseError> {
        self.party_step(actor, participant, claim_id, Step::Dispute, reason)
    }

    /// The creditor withdraws a claim before it clears (awaiting acceptance, queued before a
    /// cycle holds it, or held): it becomes `withdrawn` and its reservation, if any, is
    /// released.
    pub fn withdraw_claim(
        &self,
        actor: &str,
        participant: &str,
        claim_id: &str,
        reason: &str,
    ) -> Result<ClaimRecord, HouseError> {
        self.party_step(actor, participant, claim_id, Step::Withdraw, reason)
    }

    /// Deems accepted every claim that has awaited its debtor's acceptance for the house's
    /// `acceptance.deemed_after_days` since its submission (when the debtor learnt of it: it may
    /// accept or dispute from then on, held or not) without a dispute. Returns how many; 0
    /// when the setting is off. Cycles run it before they select.
    pub fn deem_accepted(&self, actor: &str) -> Result<usize, HouseError> {
        crate::check_actor("actor", actor)?;
        let Some(days) = self.config.config.acceptance.deemed_after_days else {
            return Ok(0);
        };
        let now = self.now();
        let due = now.saturating_sub(u64::from(days) * DAY_NS);
        let mut deemed = 0;
        for _ in 0..DEEM_CHANGES_MAX {
            let (count, full) = self.deem_batch(actor, days, due, now)?;
            deemed += count;
            if !full {
                return Ok(deemed);
            }
        }
        Err(HouseError::Contention {
            what: format!("claims awaiting acceptance (more than {DEEM_CHANGES_MAX} changes)"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// The claims [`House::deem_accepted`] would deem accepted at `now`, each as it would make
    /// it (queued, accepted by `actor` for its debtor), with the version read; nothing is
    /// written. Empty when the setting is off. A preview of a cycle takes them as the run would.
    pub(crate) fn due_for_deeming(
        &self,
        actor: &str,
        now: u64,
    ) -> Result<Vec<Versioned<ClaimRecord>>, HouseError> {
        let Some(days) = self.config.config.acceptance.deemed_after_days else {
            return Ok(Vec::new());
        };
        let due = now.saturating_sub(u64::from(days) * DAY_NS);
        // As many as `deem_accepted` takes before it gives up, and one more to tell.
        let most = DEEM_CHANGES_MAX * DEEM_CLAIMS_PER_CHANGE_MAX;
        let mut claims = self.list::<ClaimRecord>(deem_query(due), most + 1)?;
        if claims.len() > most {
            return Err(HouseError::Contention {
                what: format!("claims awaiting acceptance (more than {most})"),
                attempts: crate::ATTEMPTS_MAX,
            });
        }
        for claim in &mut claims {
            deem(&mut claim.value, actor, now);
        }
        Ok(claims)
    }

    /// One change of at most [`DEEM_CLAIMS_PER_CHANGE_MAX`] claims due, retried on a race;
    /// returns how many it deemed and whether there may be more.
    fn deem_batch(
        &self,
        actor: &str,
        days: u32,
        due: u64,
        now: u64,
    ) -> Result<(usize, bool), HouseError> {
        let query = deem_query(due);
        for _ in 0..crate::ATTEMPTS_MAX {
            let batch = self.list::<ClaimRecord>(query.clone(), DEEM_CLAIMS_PER_CHANGE_MAX)?;
            let full = batch.len() == DEEM_CLAIMS_PER_CHANGE_MAX;
            let count = batch.len();
            if count == 0 {
                return Ok((0, false));
            }
            let mut change = Change::default();
            for Versioned {
                value: mut claim,
                version,
            } in batch
            {
                let id = claim.submission.id.clone();
                let debtor = claim.submission.debtor.clone();
                deem(&mut claim, actor, now);
                change.expect.push(expect(kind::CLAIM, &id, Some(version)));
                change.put.push(claim_record(&claim, version + 1)?);
                change.audit.push(audit(
                    actor,
                    ACTION_DEEMED_ACCEPTED,
                    format!("claim:{id}"),
                    &serde_json::json!({
                        "participant": debtor, "from": ClaimStatus::AwaitingAcceptance,
                        "to": ClaimStatus::Queued, "submitted_at": claim.submitted_at,
                        "deemed_after_days": days,
                    }),
                )?);
            }
            if let Commit::Done = self.commit(change, "nothing")? {
                return Ok((count, full));
            }
        }
        Err(HouseError::Contention {
            what: "claims awaiting acceptance".into(),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// Checks the inputs, then reads, decides and commits until no other change got in between.
    fn party_step(
        &self,
        actor: &str,
        participant: &str,
        claim_id: &str,
        step: Step,
        reason: &str,
    ) -> Result<ClaimRecord, HouseError> {
        crate::check_actor("actor", actor)?;
        participant
            .parse::<ParticipantId>()
            .map_err(|e| HouseError::invalid("participant", e.to_string()))?;
        claim_id
            .parse::<ClaimId>()
            .map_err(|e| HouseError::invalid("claim", e.to_string()))?;
        let reason = if step.closes() {
            check_party_reason(reason)?
        } else {
            ""
        };
        for _ in 0..crate::ATTEMPTS_MAX {
            if let Some(claim) = self.try_step(actor, participant, claim_id, step, reason)? {
                return Ok(claim);
            }
        }
        Err(HouseError::Contention {
            what: format!("claim {claim_id}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// One attempt; `None` when another change got in between (read again and retry).
    fn try_step(
        &self,
        actor: &str,
        participant: &str,
        claim_id: &str,
        step: Step,
        reason: &str,
    ) -> Result<Option<ClaimRecord>, HouseError> {
        // Read before the claim: a cycle does not write the claims it takes, so a dispute or a
        // withdrawal expects the next cycle absent, and a cycle that commits meanwhile makes it
        // read again (and find the claim settling).
        let next_cycle = if step.closes() {
            Some(crate::cycle::cycle_id(self.cycles_last()? + 1))
        } else {
            None
        };
        let Some(Versioned {
            value: mut claim,
            version,
        }) = self.load::<ClaimRecord>(kind::CLAIM, claim_id)?
        else {
            return Err(not_found(claim_id));
        };
        check_party(&claim, participant, step)?;
        let settling = if step.closes() && claim.status.is_clearable() {
            self.open_cycle_of(claim_id)?
        } else {
            None
        };
        let currency = self.config.clearing_currency.code();
        let Some(to) = target(&claim, step, settling, currency)? else {
            return Ok(Some(claim));
        };
        let done = PartyStep {
            by: actor.to_owned(),
            participant: participant.to_owned(),
            at: self.now(),
            reason: reason.to_owned(),
        };
        let change = record_step(&mut claim, version, step, to, done, next_cycle.as_deref())?;
        Ok(match self.commit(change, "the claim's reservation")? {
            Commit::Done => Some(claim),
            Commit::Raced(_) => None,
        })
    }

    /// The status a held claim goes to when its case releases it: what remains of a claim that
    /// cleared in part, else queued if its debtor accepted it (in advance, or before a list
    /// update held it), else awaiting acceptance. A claim of an older house, submitted before
    /// acceptance was asked for, goes to awaiting acceptance as well, and asks for it from then
    /// on.
    pub(crate) fn released_status(claim: &mut ClaimRecord) -> ClaimStatus {
        if claim.cleared_minor > 0 {
            ClaimStatus::PartiallyCleared
        } else if claim.acceptance.is_some() {
            ClaimStatus::Queued
        } else {
            claim.acceptance_required = true;
            ClaimStatus::AwaitingAcceptance
        }
    }

    /// A case decided about a claim its debtor disputed or its creditor withdrew meanwhile: the
    /// decision closes the case (the alerts are compliance's whatever the parties do) and the
    /// claim stays out of clearing as it is. `None` for a claim in any other state.
    pub(crate) fn closed_by_a_party(claim: &ClaimRecord) -> Option<String> {
        match claim.status {
            ClaimStatus::Disputed | ClaimStatus::Withdrawn => Some(format!(
                "{} (the claim stays out of clearing)",
                claim.status.as_str()
            )),
            _ => None,
        }
    }
}

/// Puts `step` on the claim read at `version` (taking it to `to`) and returns the change that
/// records it: the claim expected at its version (and, for a dispute or a withdrawal, the next
/// cycle absent), its reservation voided when it leaves clearing, its audit event.
fn record_step(
    claim: &mut ClaimRecord,
    version: u64,
    step: Step,
    to: ClaimStatus,
    done: PartyStep,
    next_cycle: Option<&str>,
) -> Result<Change, HouseError> {
    let id = claim.submission.id.clone();
    let mut change = Change {
        expect: vec![expect(kind::CLAIM, &id, Some(version))],
        ..Change::default()
    };
    let (actor, participant, reason) = (
        done.by.clone(),
        done.participant.clone(),
        done.reason.clone(),
    );
    match step {
        Step::Accept => {
            claim.acceptance = Some(Acceptance {
                by: done.by,
                participant: done.participant,
                at: done.at,
                deemed: false,
            });
        }
        Step::Dispute => claim.dispute = Some(done),
        Step::Withdraw => claim.withdrawal = Some(done),
    }
    let mut voided = None;
    if let Some(next_cycle) = next_cycle {
        change.expect.push(expect(kind::CYCLE, next_cycle, None));
        voided = claim.reserve_transfer.take();
        if let Some(pending) = voided {
            change.transfers.push(NewTransfer {
                id: ids::void(&id),
                pending_id: pending,
                flags: TransferFlags::VOID_PENDING,
                ..NewTransfer::default()
            });
        }
    }
    let from = std::mem::replace(&mut claim.status, to);
    change.put.push(claim_record(claim, version + 1)?);
    change.audit.push(audit(
        &actor,
        step.action(),
        format!("claim:{id}"),
        &serde_json::json!({
            "participant": participant, "from": from, "to": to,
            "reason": (!reason.is_empty()).then_some(reason),
            "reservation_voided": voided, "case": claim.case,
        }),
    )?);
    Ok(change)
}

/// Neither side: as if the claim did not exist.
fn not_found(claim_id: &str) -> HouseError {
    HouseError::NotFound {
        kind: "claim",
        id: claim_id.to_owned(),
    }
}

/// Only the debtor accepts or disputes, only the creditor withdraws.
fn check_party(claim: &ClaimRecord, participant: &str, step: Step) -> Result<(), HouseError> {
    let s = &claim.submission;
    let (side, other, allowed) = match step {
        Step::Accept | Step::Dispute => ("debtor", "creditor", &s.debtor),
        Step::Withdraw => ("creditor", "debtor", &s.creditor),
    };
    if participant == allowed {
        return Ok(());
    }
    if participant == s.debtor || participant == s.creditor {
        return Err(HouseError::Forbidden(format!(
            "only claim {}'s {side} ({allowed}) may have it {}; {participant} is its {other}",
            s.id,
            step.verb()
        )));
    }
    Err(not_found(&s.id))
}

/// Where `step` takes the claim; `None` when it is there already (nothing to write).
fn target(
    claim: &ClaimRecord,
    step: Step,
    settling: Option<u64>,
    currency: &str,
) -> Result<Option<ClaimStatus>, HouseError> {
    use ClaimStatus as S;
    let open = claim.cleared_minor == 0;
    match (step, claim.status) {
        (Step::Accept, _) if claim.acceptance.is_some() => Ok(None),
        (Step::Accept, S::AwaitingAcceptance) => Ok(Some(S::Queued)),
        // Accepted in advance, while compliance reviews it. The debtor's acceptance says the
        // invoice is owed; it releases nothing (that still takes two officers), and waiting for
        // the review first would cost a cycle for no control gained. Refusing it would also tell
        // the debtor nothing it could act on.
        (Step::Accept, S::Held) => Ok(Some(S::Held)),
        // Cleared or queued before acceptance was asked for (a claim of an older house).
        (Step::Accept, S::Queued | S::PartiallyCleared | S::Cleared)
            if !claim.acceptance_required =>
        {
            Ok(None)
        }
        (Step::Dispute, S::Disputed) | (Step::Withdraw, S::Withdrawn) => Ok(None),
        (Step::Dispute | Step::Withdraw, S::Queued) if settling.is_some() => {
            Err(HouseError::NotAllowed(format!(
                "claim {} is settling in cycle {} (its record says queued until the cycle posts it): it can no longer be {}",
                claim.submission.id,
                settling.unwrap_or_default(),
                step.verb()
            )))
        }
        (Step::Dispute | Step::Withdraw, S::AwaitingAcceptance | S::Queued | S::Held) if open => {
            Ok(Some(if step == Step::Dispute {
                S::Disputed
            } else {
                S::Withdrawn
            }))
        }
        _ => Err(refused(claim, step, currency)),
    }
}

/// Why a claim in its state cannot take `step`, naming the state.
fn refused(claim: &ClaimRecord, step: Step, currency: &str) -> HouseError {
    let id = &claim.submission.id;
    let why = match claim.status {
        ClaimStatus::Disputed => claim
            .dispute
            .as_ref()
            .map(|d| format!(" by its debtor ({})", d.reason)),
        ClaimStatus::Withdrawn => claim
            .withdrawal
            .as_ref()
            .map(|w| format!(" by its creditor ({})", w.reason)),
        ClaimStatus::Rejected => claim.rejection.as_ref().map(|r| format!(" ({r})")),
        ClaimStatus::PartiallyCleared | ClaimStatus::Cleared | ClaimStatus::Queued => {
            Some(format!(
                ": {} of {} cleared",
                crate::money_text(claim.cleared_minor, currency),
                crate::money_text(claim.clearing_amount_minor, currency)
            ))
        }
        _ => None,
    };
    HouseError::NotAllowed(format!(
        "claim {id} is {}{}: it can no longer be {}",
        claim.status.as_str(),
        why.unwrap_or_default(),
        step.verb()
    ))
}

/// A dispute's or a withdrawal's reason: as an officer's ([`check_reason`]), and at most
/// [`CLAIM_REASON_BYTES_MAX`] bytes.
fn check_party_reason(reason: &str) -> Result<&str, HouseError> {
    let reason = check_reason(reason)?;
    if reason.len() > CLAIM_REASON_BYTES_MAX {
        return Err(HouseError::invalid(
            "reason",
            format!(
                "{} bytes: a reason of 1 to {CLAIM_REASON_BYTES_MAX} bytes is required",
                reason.len()
            ),
        ));
    }
    Ok(reason)
}

/// The audit actions `verify` looks for, in the order of [`Seen`].
const ACTIONS: [&str; 4] = [
    ACTION_ACCEPTED,
    ACTION_DEEMED_ACCEPTED,
    ACTION_DISPUTED,
    ACTION_WITHDRAWN,
];

/// The audit entry of the first event of each of [`ACTIONS`] about one claim (0: none).
type Seen = [u64; 4];

impl House {
    /// The lifecycle's part of `verify`: each claim's state agrees with what its debtor and
    /// creditor did (the records), with its reservation on the ledger (an awaiting claim holds
    /// exactly its one pending reservation, a disputed or withdrawn one none), and with the
    /// audit trail (every acceptance, dispute and withdrawal recorded has its event, and every
    /// event its record: a record set back behind the house's back is named).
    pub(crate) fn verify_lifecycle(
        &self,
        claims: &[ClaimRecord],
        audit_entries: u64,
        report: &mut HouseReport,
    ) -> Result<(), HouseError> {
        let seen = self.lifecycle_events(audit_entries)?;
        let closed: Vec<&ClaimRecord> = claims
            .iter()
            .filter(|c| matches!(c.status, ClaimStatus::Disputed | ClaimStatus::Withdrawn))
            .collect();
        let reservations: Vec<u64> = closed
            .iter()
            .map(|c| ids::reserve(&c.submission.id))
            .collect();
        let mut pending = HashMap::new();
        for chunk in reservations.chunks(LOOKUP_BATCH_MAX) {
            for (t, state) in self.store.lookup_transfers(chunk)? {
                pending.insert(t.id, state.map(|s| s.status));
            }
        }
        for c in claims {
            let events = seen.get(&c.submission.id).copied().unwrap_or_default();
            verify_claim_lifecycle(c, events, report);
        }
        for c in closed {
            if let Some(state) = pending.get(&ids::reserve(&c.submission.id))
                && *state != Some(PendingStatus::Voided)
            {
                report.problem(format!(
                    "claim {}: {} but its reservation {} on the ledger is not voided ({})",
                    c.submission.id,
                    c.status.as_str(),
                    ids::reserve(&c.submission.id),
                    match state {
                        Some(PendingStatus::Pending) => "still pending",
                        Some(PendingStatus::Posted) => "posted",
                        Some(PendingStatus::Expired) => "expired",
                        Some(PendingStatus::Voided) | None => "not a pending transfer",
                    }
                ));
            }
        }
        Ok(())
    }

    /// The first lifecycle event of each kind per claim, read from the audit trail page by page
    /// (at most as many pages as the trail has entries, counted by `verify_audit`).
    fn lifecycle_events(&self, audit_entries: u64) -> Result<HashMap<String, Seen>, HouseError> {
        let page_max = store::LIST_LIMIT_MAX;
        let pages_max = audit_entries / page_max as u64 + 1;
        let mut seen: HashMap<String, Seen> = HashMap::new();
        let mut after = 0;
        for _ in 0..=pages_max {
            let page = self.store.audit(after, None, page_max)?;
            for row in &page {
                let Some(id) = row.subject.strip_prefix("claim:") else {
                    continue;
                };
                let Some(k) = ACTIONS.iter().position(|a| *a == row.action) else {
                    continue;
                };
                let first = &mut seen.entry(id.to_owned()).or_default()[k];
                if *first == 0 {
                    *first = row.seq;
                }
            }
            match page.last() {
                Some(last) if page.len() == page_max => after = last.seq,
                _ => return Ok(seen),
            }
        }
        Ok(seen)
    }
}

/// One claim's lifecycle against its own record and its audit events.
fn verify_claim_lifecycle(c: &ClaimRecord, seen: Seen, report: &mut HouseReport) {
    let id = &c.submission.id;
    for text in acceptance_problems(c, seen)
        .into_iter()
        .chain(closing_problems(c, seen))
    {
        report.problem(format!("claim {id}: {text}"));
    }
}

/// Its debtor's acceptance: there when it is in clearing, absent while it awaits acceptance
/// (with its one reservation), given for the debtor, and on the audit trail both ways.
fn acceptance_problems(c: &ClaimRecord, seen: Seen) -> Vec<String> {
    let id = &c.submission.id;
    let status = c.status.as_str();
    let mut problems = Vec::new();
    let in_clearing = matches!(
        c.status,
        ClaimStatus::Queued | ClaimStatus::PartiallyCleared | ClaimStatus::Cleared
    );
    if c.acceptance_required && in_clearing && c.acceptance.is_none() {
        problems.push(format!("{status} without its debtor's acceptance"));
    }
    if c.status == ClaimStatus::AwaitingAcceptance {
        if c.acceptance.is_some() {
            problems.push("awaiting acceptance but its record holds an acceptance".into());
        }
        if c.reserve_transfer != Some(ids::reserve(id)) {
            problems.push(format!(
                "awaiting acceptance but reserved by {}, not by its one reservation {}",
                c.reserve_transfer
                    .map_or_else(|| "nothing".to_owned(), |t| format!("transfer {t}")),
                ids::reserve(id)
            ));
        }
    }
    if let Some(a) = &c.acceptance {
        if a.participant != c.submission.debtor {
            problems.push(format!(
                "accepted for {}, not for its debtor {}",
                a.participant, c.submission.debtor
            ));
        }
        let k = usize::from(a.deemed);
        if seen[k] == 0 {
            problems.push(format!(
                "its record holds an acceptance but the audit trail has no {} event",
                ACTIONS[k]
            ));
        }
    } else if let Some(seq) = seen[..2].iter().copied().find(|s| *s > 0) {
        problems.push(format!(
            "the audit trail says it was accepted (entry {seq}) but its record is {status} without an acceptance"
        ));
    }
    problems
}

/// Its dispute and its withdrawal: each state with its step on the record and its event on the
/// audit trail, and neither step nor event without the state.
fn closing_problems(c: &ClaimRecord, seen: Seen) -> Vec<String> {
    let status = c.status.as_str();
    let mut problems = Vec::new();
    for (closed, record, event) in [
        (ClaimStatus::Disputed, c.dispute.is_some(), seen[2]),
        (ClaimStatus::Withdrawn, c.withdrawal.is_some(), seen[3]),
    ] {
        let name = closed.as_str();
        let action = if closed == ClaimStatus::Disputed {
            ACTION_DISPUTED
        } else {
            ACTION_WITHDRAWN
        };
        if c.status == closed && !record {
            problems.push(format!("{name} but its record does not say by whom or why"));
        }
        if c.status != closed && record {
            problems.push(format!("{status} but its record holds a {action} step"));
        }
        if c.status == closed && event == 0 {
            problems.push(format!("{name} but the audit trail has no {action} event"));
        }
        if c.status != closed && event > 0 {
            problems.push(format!(
                "the audit trail says it was {name} (entry {event}) but its record says {status}"
            ));
        }
    }
    problems
}

/// The claims that have awaited their debtor's acceptance since `due` or before.
fn deem_query(due: u64) -> RecordQuery {
    RecordQuery {
        kind: kind::CLAIM.into(),
        status: Some(ClaimStatus::AwaitingAcceptance.as_str().into()),
        at_to: Some(due),
        ..RecordQuery::default()
    }
}

/// A claim deemed accepted by `actor` at `now`, for its debtor: queued.
fn deem(claim: &mut ClaimRecord, actor: &str, now: u64) {
    claim.acceptance = Some(Acceptance {
        by: actor.to_owned(),
        participant: claim.submission.debtor.clone(),
        at: now,
        deemed: true,
    });
    claim.status = ClaimStatus::Queued;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_parses_back_from_its_name() {
        for status in ClaimStatus::ALL {
            assert_eq!(status.as_str().parse::<ClaimStatus>().unwrap(), status);
        }
        let err = "settling".parse::<ClaimStatus>().unwrap_err().to_string();
        assert!(
            err.contains("awaiting_acceptance") && err.contains("withdrawn"),
            "{err}"
        );
    }
}
