//! Review: alerts grouped into cases, decisions with four eyes, reassignment by a supervisor,
//! and rescreening after a list update.

use std::sync::Arc;

use ledger::{NewTransfer, TransferFlags};
use serde::Serialize;
use store::Change;

use crate::error::HouseError;
use crate::in_force::Screening;
use crate::onboarding::screening_alerts;
use crate::types::*;
use crate::users::{Role, User};
use crate::{Commit, House, Lists, Versioned, audit, expect, ids, record};

/// Longest reason an officer may give, in bytes.
pub const REASON_BYTES_MAX: usize = 4096;

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionOutcome {
    pub case: Case,
    /// The subject's state afterwards (`queued`, `active`, `rejected`, or unchanged while a
    /// release waits for its second officer).
    pub subject_status: String,
    /// Whether the case waits for a second officer.
    pub awaiting_second: bool,
}

/// What a rescreen found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RescreenReport {
    pub lists_version: String,
    pub participants: usize,
    pub names: usize,
    pub claims: usize,
    /// Alerts opened for new hits.
    pub new_alerts: Vec<String>,
    /// Participants suspended until reviewed.
    pub suspended: Vec<String>,
    /// Claims held until reviewed.
    pub held: Vec<String>,
    /// Hits of earlier screenings that no longer match (their alerts stay for the officers).
    pub gone: Vec<String>,
}

impl House {
    /// Opens a case for `alerts` about `subject`, adding the alerts and the case to `change`.
    pub(crate) fn open_case(
        &self,
        change: &mut Change,
        subject: &str,
        participant: &str,
        alerts: &mut [Alert],
        now: u64,
        assignee: Option<String>,
    ) -> Result<String, HouseError> {
        let first = alerts.first().map(|a| a.id.as_str()).unwrap_or_default();
        let case_id = format!("case-{:012x}", ids::derive(&[subject, first]) >> 15);
        for alert in alerts.iter_mut() {
            alert.case = case_id.clone();
            change.expect.push(expect(kind::ALERT, &alert.id, None));
            change.put.push(record(
                kind::ALERT,
                &alert.id,
                1,
                alert.status.as_str(),
                (participant, ""),
                now,
                alert,
            )?);
        }
        let case = Case {
            id: case_id.clone(),
            subject: subject.to_owned(),
            participant: participant.to_owned(),
            alerts: alerts.iter().map(|a| a.id.clone()).collect(),
            status: CaseStatus::Open,
            assignee,
            decisions: Vec::new(),
            opened_at: now,
        };
        change.expect.push(expect(kind::CASE, &case_id, None));
        change.put.push(record(
            kind::CASE,
            &case_id,
            1,
            case.status.as_str(),
            (participant, ""),
            now,
            &case,
        )?);
        change.audit.push(audit(
            "system",
            "case.opened",
            format!("case:{case_id}"),
            &serde_json::json!({ "subject": subject, "alerts": alerts }),
        )?);
        Ok(case_id)
    }

    /// An officer's decision on a case. Releasing needs two different officers; rejecting one.
    ///
    /// `officer` is the acting user (its name, or as the command line writes it,
    /// `NAME (local)`): an active user of role officer or supervisor. Four-eyes compares
    /// users: whatever the actor text, nobody confirms their own proposal.
    pub fn decide(
        &self,
        officer: &str,
        case_id: &str,
        verdict: Verdict,
        reason: &str,
    ) -> Result<DecisionOutcome, HouseError> {
        let user = self.acting_user("officer", officer, &[Role::Officer, Role::Supervisor])?;
        let reason = check_reason(reason)?;
        for _ in 0..crate::ATTEMPTS_MAX {
            match self.try_decide(officer, &user, case_id, verdict, reason)? {
                Ok(outcome) => {
                    self.after_decision(officer, &outcome)?;
                    return Ok(outcome);
                }
                Err(_raced) => continue,
            }
        }
        Err(HouseError::Contention {
            what: format!("case {case_id}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// A participant rejected by a decision leaves the cycles still settling (as far as its
    /// part of them is not paid out), and its claims those cycles held are rejected too.
    fn after_decision(&self, officer: &str, outcome: &DecisionOutcome) -> Result<(), HouseError> {
        let Some(id) = outcome.case.subject.strip_prefix("participant:") else {
            return Ok(());
        };
        if outcome.subject_status != ParticipantStatus::Rejected.as_str() {
            return Ok(());
        }
        let reason = format!("rejected in case {}", outcome.case.id);
        if self.leave_open_cycles(officer, id, &reason)?.is_empty() {
            return Ok(());
        }
        for _ in 0..crate::ATTEMPTS_MAX {
            let mut change = Change::default();
            self.reject_open_claims(&mut change, id, &outcome.case.id)?;
            if change.put.is_empty() {
                return Ok(());
            }
            change.audit.push(audit(
                officer,
                "participant.claims_rejected",
                format!("participant:{id}"),
                &serde_json::json!({ "case": outcome.case.id, "after": "leaving the cycles settling" }),
            )?);
            if let Commit::Done = self.commit(change, "the rejected participant's claims")? {
                return Ok(());
            }
        }
        Err(HouseError::Contention {
            what: format!("claims of {id}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// One attempt at a decision by `user`, recorded in the audit trail as `actor`.
    fn try_decide(
        &self,
        actor: &str,
        user: &User,
        case_id: &str,
        verdict: Verdict,
        reason: &str,
    ) -> Result<Result<DecisionOutcome, String>, HouseError> {
        let (officer, role) = (user.name.as_str(), user.role);
        let Versioned {
            value: mut case,
            version,
        } = self.get::<Case>(kind::CASE, case_id)?;
        if case.status.is_closed() {
            return Err(HouseError::NotAllowed(format!(
                "case {case_id} is closed ({})",
                case.status.as_str()
            )));
        }
        if case.status == CaseStatus::Open
            && role != Role::Supervisor
            && case.assignee.as_deref().is_some_and(|a| a != officer)
        {
            return Err(HouseError::NotAllowed(format!(
                "case {case_id} is assigned to {}; a supervisor can reassign it",
                case.assignee.as_deref().unwrap_or_default()
            )));
        }
        let now = self.now();
        let mut alerts = Vec::with_capacity(case.alerts.len());
        for id in &case.alerts {
            alerts.push(self.get::<Alert>(kind::ALERT, id)?);
        }
        let first_release = case
            .decisions
            .iter()
            .find(|d| d.verdict == Verdict::Release)
            .map(|d| crate::users::user_name(&d.officer).to_owned());
        let closes = match (verdict, case.status) {
            (Verdict::Reject, _) => Some(CaseStatus::Rejected),
            (Verdict::Release, CaseStatus::Open) => None,
            (Verdict::Release, _) => {
                if first_release.as_deref() == Some(officer) {
                    return Err(HouseError::NotAllowed(format!(
                        "four eyes: {officer} proposed this release; a second, different officer must agree"
                    )));
                }
                Some(CaseStatus::Released)
            }
        };
        let seen = serde_json::json!({
            "case": case, "alerts": alerts.iter().map(|a| &a.value).collect::<Vec<_>>(),
        });
        case.decisions.push(Decision {
            officer: officer.to_owned(),
            verdict,
            reason: reason.to_owned(),
            at: now,
        });
        case.status = closes.unwrap_or(CaseStatus::AwaitingSecond);
        let mut change = Change::default();
        let subject_status = match closes {
            None => "awaiting second officer".to_owned(),
            Some(status) => {
                let alert_status = if status == CaseStatus::Released {
                    AlertStatus::Cleared
                } else {
                    AlertStatus::Confirmed
                };
                for a in &mut alerts {
                    a.value.status = alert_status;
                    change
                        .expect
                        .push(expect(kind::ALERT, &a.value.id, Some(a.version)));
                    change.put.push(record(
                        kind::ALERT,
                        &a.value.id,
                        a.version + 1,
                        alert_status.as_str(),
                        (&a.value.participant, ""),
                        a.value.created_at,
                        &a.value,
                    )?);
                }
                self.close_subject(&mut change, &case, status == CaseStatus::Released)?
            }
        };
        change
            .expect
            .push(expect(kind::CASE, case_id, Some(version)));
        change.put.push(record(
            kind::CASE,
            case_id,
            version + 1,
            case.status.as_str(),
            (&case.participant, ""),
            case.opened_at,
            &case,
        )?);
        change.audit.push(audit(
            actor,
            "case.decided",
            format!("case:{case_id}"),
            &serde_json::json!({
                "verdict": verdict, "reason": reason, "role": role,
                "case_status": case.status, "subject": case.subject,
                "subject_status": subject_status, "inputs_seen": seen,
            }),
        )?);
        Ok(match self.commit(change, "the claim's reservation")? {
            Commit::Done => Ok(DecisionOutcome {
                awaiting_second: case.status == CaseStatus::AwaitingSecond,
                case,
                subject_status,
            }),
            Commit::Raced(what) => Err(what),
        })
    }

    /// Applies a closed case to its subject: a claim released or rejected, a participant
    /// cleared (once no other alert about it is open) or rejected.
    fn close_subject(
        &self,
        change: &mut Change,
        case: &Case,
        released: bool,
    ) -> Result<String, HouseError> {
        let (kind, id) = case
            .subject
            .split_once(':')
            .ok_or_else(|| HouseError::Corrupt {
                kind: "case".into(),
                id: case.id.clone(),
                message: format!("subject {:?}", case.subject),
            })?;
        if kind == kind::CONFIG {
            // A house account's bank found on a list: the decision is recorded; changing the
            // account is the operator's, with the new configuration audited in its turn.
            return Ok(if released {
                "acknowledged".to_owned()
            } else {
                "account to be replaced".to_owned()
            });
        }
        if kind == kind::CLAIM {
            let Versioned {
                value: mut claim,
                version,
            } = self.get::<ClaimRecord>(kind::CLAIM, id)?;
            if let Some(status) = House::closed_by_a_party(&claim) {
                change.expect.push(expect(kind::CLAIM, id, Some(version)));
                return Ok(status);
            }
            if claim.status != ClaimStatus::Held {
                return Err(HouseError::NotAllowed(format!(
                    "claim {id} is {} ({}): there is nothing left to decide",
                    claim.status.as_str(),
                    claim.rejection.as_deref().unwrap_or("not held")
                )));
            }
            if released {
                for party in [&claim.submission.creditor, &claim.submission.debtor] {
                    let p: ParticipantRecord = self.get(kind::PARTICIPANT, party)?.value;
                    if p.status != ParticipantStatus::Active {
                        return Err(HouseError::NotAllowed(format!(
                            "participant {party} is {}: review it before releasing claim {id}",
                            p.status.as_str()
                        )));
                    }
                }
                if claim.reserve_transfer.is_none() {
                    let transfer = self.reserve_transfer(&claim);
                    claim.reserve_transfer = Some(transfer.id);
                    change.transfers.push(transfer);
                }
                claim.status = House::released_status(&mut claim);
            } else {
                if let Some(pending) = claim.reserve_transfer.take() {
                    change.transfers.push(NewTransfer {
                        id: ids::void(id),
                        pending_id: pending,
                        flags: TransferFlags::VOID_PENDING,
                        ..NewTransfer::default()
                    });
                }
                claim.status = ClaimStatus::Rejected;
                claim.rejection = Some(format!("case {} rejected", case.id));
                // A rejected claim leaves its parties' monitoring history (`history`).
                let parties = [&claim.submission.creditor, &claim.submission.debtor];
                self.touch_activity(change, parties.map(String::as_str), self.now())?;
            }
            claim.case = None;
            change.expect.push(expect(kind::CLAIM, id, Some(version)));
            change.put.push(claim_record(&claim, version + 1)?);
            return Ok(claim.status.as_str().to_owned());
        }
        let Versioned {
            value: mut p,
            version,
        } = self.get::<ParticipantRecord>(kind::PARTICIPANT, id)?;
        p.open_alerts.retain(|a| !case.alerts.contains(a));
        p.status = if !released {
            ParticipantStatus::Rejected
        } else if p.open_alerts.is_empty() {
            ParticipantStatus::Active
        } else {
            p.status
        };
        change
            .expect
            .push(expect(kind::PARTICIPANT, id, Some(version)));
        change.put.push(record(
            kind::PARTICIPANT,
            id,
            version + 1,
            p.status.as_str(),
            (id, ""),
            p.onboarded_at,
            &p,
        )?);
        if p.status == ParticipantStatus::Rejected {
            self.reject_open_claims(change, id, &case.id)?;
        }
        Ok(p.status.as_str().to_owned())
    }

    /// A rejected participant's open claims (queued, partly cleared or held) are rejected with
    /// it, and what they still reserved on the ledger is released.
    fn reject_open_claims(
        &self,
        change: &mut Change,
        participant: &str,
        case: &str,
    ) -> Result<(), HouseError> {
        let open = [
            ClaimStatus::AwaitingAcceptance,
            ClaimStatus::Queued,
            ClaimStatus::PartiallyCleared,
            ClaimStatus::Held,
        ];
        let of_participant = store::RecordQuery {
            party: Some(participant.to_owned()),
            ..Default::default()
        };
        let mut settling = std::collections::HashSet::new();
        let mut parties = Vec::new();
        for cycle in self.open_cycles()? {
            settling.extend(
                cycle
                    .value
                    .claims
                    .into_iter()
                    .filter(|x| x.cleared_minor > 0)
                    .map(|x| x.claim),
            );
        }
        for Versioned {
            value: mut c,
            version,
        } in self.claims_in(&open, of_participant)?
        {
            let id = c.submission.id.clone();
            // A cycle settling clears part of it: it is rejected once the participant left the
            // cycle (`after_decision`), never under the cycle's feet.
            if settling.contains(&id) {
                continue;
            }
            if let Some(pending) = c.reserve_transfer.take() {
                change.transfers.push(NewTransfer {
                    id: ids::void(&id),
                    pending_id: pending,
                    flags: TransferFlags::VOID_PENDING,
                    ..NewTransfer::default()
                });
            }
            c.status = ClaimStatus::Rejected;
            c.rejection = Some(format!("participant {participant} rejected in case {case}"));
            change.expect.push(expect(kind::CLAIM, &id, Some(version)));
            change.put.push(claim_record(&c, version + 1)?);
            parties.push(c.submission.creditor);
            parties.push(c.submission.debtor);
        }
        // Rejected claims leave their parties' monitoring history (`history`).
        self.touch_activity(change, parties.iter().map(String::as_str), self.now())?;

        Ok(())
    }

    /// A supervisor (an active user of that role, named as in [`House::decide`]) gives a case to
    /// another officer: an active user of role officer or supervisor.
    pub fn reassign(
        &self,
        supervisor: &str,
        case_id: &str,
        to: &str,
        reason: &str,
    ) -> Result<Case, HouseError> {
        self.acting_user("supervisor", supervisor, &[Role::Supervisor])
            .map_err(|e| match e {
                HouseError::Invalid { .. } => HouseError::NotAllowed(format!(
                    "{supervisor:?} is not a supervisor of this house"
                )),
                other => other,
            })?;
        let deciders = [Role::Officer, Role::Supervisor];
        let to = self.acting_user("to", to, &deciders).map_err(|e| match e {
            HouseError::NotAllowed(why) => HouseError::invalid("to", why),
            other => other,
        })?;
        let to = to.name.as_str();
        check_reason(reason)?;
        for _ in 0..crate::ATTEMPTS_MAX {
            let Versioned {
                value: mut case,
                version,
            } = self.get::<Case>(kind::CASE, case_id)?;
            if case.status.is_closed() {
                return Err(HouseError::NotAllowed(format!("case {case_id} is closed")));
            }
            let from = case.assignee.replace(to.to_owned());
            let change = Change {
                expect: vec![expect(kind::CASE, case_id, Some(version))],
                put: vec![record(
                    kind::CASE,
                    case_id,
                    version + 1,
                    case.status.as_str(),
                    (&case.participant, ""),
                    case.opened_at,
                    &case,
                )?],
                audit: vec![audit(
                    supervisor,
                    "case.reassigned",
                    format!("case:{case_id}"),
                    &serde_json::json!({ "from": from, "to": to, "reason": reason.trim() }),
                )?],
                ..Change::default()
            };
            if let Commit::Done = self.commit(change, "nothing")? {
                return Ok(case);
            }
        }
        Err(HouseError::Contention {
            what: format!("case {case_id}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// After a list update: puts `lists` in force for the whole house (the record of the lists
    /// in force, `in_force`), then screens every participant, owner and director and the
    /// invoice counterparty of every open claim against them; only results that changed count.
    /// New hits open alerts and a case, suspend the participant (or hold the claim) until
    /// reviewed. Other lists put in force meanwhile stop it (their rescreen takes over).
    pub fn rescreen(&self, actor: &str, lists: Lists) -> Result<RescreenReport, HouseError> {
        crate::check_actor("actor", actor)?;
        // In force from now on, in the database before anything is rescreened: submissions that
        // start while this rescreen runs, on this house or another, screen against the new
        // version too, so nothing slips between the old lists and the rescreen; and every
        // change of the rescreen expects the version still in force.
        let in_force = self.put_in_force(actor, lists)?;
        let lists = Arc::clone(&in_force.lists);
        let mut report = RescreenReport {
            lists_version: lists.version.clone(),
            ..RescreenReport::default()
        };
        let participants = self.list::<ParticipantRecord>(
            store::RecordQuery {
                kind: kind::PARTICIPANT.into(),
                ..Default::default()
            },
            usize::MAX,
        )?;
        for Versioned { value: p, version } in participants {
            if p.status == ParticipantStatus::Rejected {
                continue;
            }
            report.participants += 1;
            let fresh = self.screen_participant(&lists, &p.participant, p.bank_name.as_deref())?;
            report.names += fresh.len();
            self.apply_rescreen(&in_force, actor, p, version, fresh, &mut report)?;
        }
        let open = [
            ClaimStatus::AwaitingAcceptance,
            ClaimStatus::Queued,
            ClaimStatus::PartiallyCleared,
            ClaimStatus::Held,
        ];
        for Versioned { value: c, version } in self.claims_in(&open, Default::default())? {
            report.claims += 1;
            self.rescreen_claim(&in_force, actor, c, version, &mut report)?;
        }
        self.rescreen_house_accounts(&in_force, actor, &mut report)?;
        for id in report.suspended.clone() {
            self.leave_open_cycles(actor, &id, "suspended by a list update")?;
        }
        Ok(report)
    }

    /// The zone house accounts' banks against the new lists: a new hit opens an alert and a case
    /// about the house's configuration for the officers (the house cannot suspend itself).
    fn rescreen_house_accounts(
        &self,
        in_force: &Screening,
        actor: &str,
        report: &mut RescreenReport,
    ) -> Result<(), HouseError> {
        let lists: &Lists = &in_force.lists;
        let screened: Vec<ScreenedName> = self
            .screen_house_accounts(lists)?
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        let subject = "config:house";
        let now = self.now();
        let mut alerts = Vec::new();
        for alert in screening_alerts(subject, "house", &screened, &lists.version, now) {
            if self.store.record(kind::ALERT, &alert.id)?.is_none() {
                alerts.push(alert);
            }
        }
        if alerts.is_empty() {
            return Ok(());
        }
        let mut change = Change {
            expect: vec![in_force.expect.clone()],
            ..Change::default()
        };
        self.open_case(&mut change, subject, "house", &mut alerts, now, None)?;
        report
            .new_alerts
            .extend(alerts.iter().map(|a| a.id.clone()));
        change.audit.push(audit(
            actor,
            "house.accounts_rescreened",
            subject.to_owned(),
            &serde_json::json!({ "lists_version": lists.version, "new_alerts": alerts, "screening": screened }),
        )?);
        self.commit_rescreen(change, in_force)
    }

    /// Commits one change of a rescreen. A lost race is an error: a record it read changed, or
    /// other lists were put in force, whose own rescreen takes over.
    fn commit_rescreen(&self, change: Change, in_force: &Screening) -> Result<(), HouseError> {
        match self.commit(change, "nothing")? {
            Commit::Done => Ok(()),
            Commit::Raced(what)
                if what == format!("{} {}", kind::LISTS_IN_FORCE, crate::LISTS_IN_FORCE_ID) =>
            {
                Err(HouseError::NotAllowed(format!(
                    "other lists were put in force while rescreening against {}: their rescreen takes over",
                    in_force.lists.version
                )))
            }
            Commit::Raced(what) => Err(HouseError::Contention { what, attempts: 1 }),
        }
    }

    fn apply_rescreen(
        &self,
        in_force: &Screening,
        actor: &str,
        mut p: ParticipantRecord,
        version: u64,
        fresh: Vec<ScreenedName>,
        report: &mut RescreenReport,
    ) -> Result<(), HouseError> {
        let lists: &Lists = &in_force.lists;
        let id = p.participant.id().to_string();
        let known = |name: &ScreenedName, entity: &str| {
            p.screening.iter().any(|old| {
                old.role == name.role
                    && old.party == name.party
                    && old.hits.iter().any(|h| h.entity_id == entity)
            })
        };
        let new_only: Vec<ScreenedName> = fresh
            .iter()
            .map(|n| ScreenedName {
                hits: n
                    .hits
                    .iter()
                    .filter(|h| !known(n, &h.entity_id))
                    .cloned()
                    .collect(),
                ..n.clone()
            })
            .collect();
        for old in &p.screening {
            for h in &old.hits {
                let still = fresh.iter().any(|n| {
                    n.role == old.role
                        && n.party == old.party
                        && n.hits.iter().any(|x| x.entity_id == h.entity_id)
                });
                if !still {
                    report
                        .gone
                        .push(format!("participant {id}: {} {}", old.name, h.entity_id));
                }
            }
        }
        let subject = format!("participant:{id}");
        let now = self.now();
        let mut alerts = screening_alerts(&subject, &id, &new_only, &lists.version, now);
        let unchanged = alerts.is_empty() && fresh == p.screening;
        if unchanged {
            return Ok(());
        }
        let mut change = Change {
            expect: vec![
                expect(kind::PARTICIPANT, &id, Some(version)),
                in_force.expect.clone(),
            ],
            ..Change::default()
        };
        if !alerts.is_empty() {
            self.open_case(&mut change, &subject, &id, &mut alerts, now, None)?;
            p.open_alerts.extend(alerts.iter().map(|a| a.id.clone()));
            if p.status == ParticipantStatus::Active {
                p.status = ParticipantStatus::Suspended;
                report.suspended.push(id.clone());
            }
            report
                .new_alerts
                .extend(alerts.iter().map(|a| a.id.clone()));
        }
        p.screening = fresh;
        p.lists_version = lists.version.clone();
        change.put.push(record(
            kind::PARTICIPANT,
            &id,
            version + 1,
            p.status.as_str(),
            (&id, ""),
            p.onboarded_at,
            &p,
        )?);
        change.audit.push(audit(
            actor,
            "participant.rescreened",
            subject,
            &serde_json::json!({
                "lists_version": lists.version, "status": p.status,
                "new_alerts": alerts, "screening": p.screening,
            }),
        )?);
        self.commit_rescreen(change, in_force)
    }

    fn rescreen_claim(
        &self,
        in_force: &Screening,
        actor: &str,
        mut claim: ClaimRecord,
        version: u64,
        report: &mut RescreenReport,
    ) -> Result<(), HouseError> {
        let lists: &Lists = &in_force.lists;
        let id = claim.submission.id.clone();
        let party = &claim.submission.invoice_counterparty;
        let fresh = self.screen_counterparty(lists, party)?;
        let before: Vec<String> = claim
            .checks
            .iter()
            .filter(|c| c.step == "counterparty")
            .flat_map(|c| {
                c.inputs["hits"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|h| h["entity_id"].as_str().map(str::to_owned))
            })
            .collect();
        let new_hits: Vec<Hit> = fresh
            .hits
            .iter()
            .filter(|h| !before.contains(&h.entity_id))
            .cloned()
            .collect();
        if new_hits.is_empty() {
            return Ok(());
        }
        // A claim a settling cycle clears leaves it first, with its parties: a new hit is not
        // paid on.
        if self.open_cycle_of(&id)?.is_some() {
            let reason = format!("a list update holds claim {id}");
            for party in [&claim.submission.debtor, &claim.submission.creditor] {
                self.leave_open_cycles(actor, party, &reason)?;
            }
        }
        let settling = self.open_cycle_of(&id)?.is_some();
        let subject = format!("claim:{id}");
        let now = self.now();
        let only_new = ScreenedName {
            hits: new_hits,
            ..fresh.clone()
        };
        let mut alerts = screening_alerts(
            &subject,
            &claim.submission.creditor,
            std::slice::from_ref(&only_new),
            &lists.version,
            now,
        );
        if settling {
            // Its part of the cycle pays out already: it settles, and the officers get the new
            // hits in a case (alerts are never dropped).
            let mut change = Change {
                expect: vec![in_force.expect.clone()],
                ..Change::default()
            };
            self.open_case(
                &mut change,
                &subject,
                &claim.submission.creditor,
                &mut alerts,
                now,
                None,
            )?;
            change.audit.push(audit(
                actor,
                "claim.rescreened_while_settling",
                subject,
                &serde_json::json!({ "lists_version": lists.version, "alerts": alerts }),
            )?);
            if let Commit::Done = self.commit(change, "the claim's alerts")? {
                report
                    .new_alerts
                    .extend(alerts.iter().map(|a| a.id.clone()));
            }
            return Ok(());
        }
        let mut change = self.hold_claim(&mut claim, version, &mut alerts, now)?;
        change.expect.push(in_force.expect.clone());
        claim.checks.push(Check {
            step: "counterparty".into(),
            subject: format!("rescreen with lists {}", lists.version),
            outcome: Outcome::Hold,
            findings: alerts.iter().map(|a| a.explanation.clone()).collect(),
            inputs: serde_json::json!({ "name": fresh.name, "hits": fresh.hits }),
        });
        change.put.push(claim_record(&claim, version + 1)?);
        change.audit.push(audit(
            actor,
            "claim.rescreened",
            subject,
            &serde_json::json!({ "lists_version": lists.version, "new_alerts": alerts }),
        )?);
        report
            .new_alerts
            .extend(alerts.iter().map(|a| a.id.clone()));
        report.held.push(id);
        self.commit_rescreen(change, in_force)
    }

    /// Holds a claim (read at `version`) on new alerts: their case opened in the change this
    /// returns, the claim marked held with them; the caller adds the claim's record (at
    /// `version + 1`) and the audit event that says why.
    pub(crate) fn hold_claim(
        &self,
        claim: &mut ClaimRecord,
        version: u64,
        alerts: &mut [Alert],
        now: u64,
    ) -> Result<Change, HouseError> {
        let id = claim.submission.id.clone();
        let mut change = Change {
            expect: vec![expect(kind::CLAIM, &id, Some(version))],
            ..Change::default()
        };
        let case = self.open_case(
            &mut change,
            &format!("claim:{id}"),
            &claim.submission.creditor,
            alerts,
            now,
            None,
        )?;
        claim.alerts.extend(alerts.iter().map(|a| a.id.clone()));
        claim.case = Some(case);
        claim.status = ClaimStatus::Held;
        Ok(change)
    }

    /// The pending transfer that reserves what a claim still owes.
    pub(crate) fn reserve_transfer(&self, claim: &ClaimRecord) -> NewTransfer {
        let debtor = ids::participant_account(&self.config, &claim.submission.debtor).id;
        let creditor = ids::participant_account(&self.config, &claim.submission.creditor).id;
        NewTransfer {
            id: ids::reserve(&claim.submission.id),
            debit_account_id: debtor,
            credit_account_id: creditor,
            amount: u64::try_from(claim.remaining_minor()).unwrap_or(0),
            ledger: ids::ledger_of(&self.config),
            code: ids::TRANSFER_RESERVE,
            flags: TransferFlags::PENDING,
            ..NewTransfer::default()
        }
    }
}

/// A claim's record.
pub(crate) fn claim_record(claim: &ClaimRecord, version: u64) -> Result<store::Record, HouseError> {
    record(
        kind::CLAIM,
        &claim.submission.id,
        version,
        claim.status.as_str(),
        (&claim.submission.creditor, &claim.submission.debtor),
        claim.submitted_at,
        claim,
    )
}

/// A decision's reason: 1 to [`REASON_BYTES_MAX`] bytes, line breaks allowed, no other control
/// characters and nothing that reorders or hides text.
pub(crate) fn check_reason(reason: &str) -> Result<&str, HouseError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.len() > REASON_BYTES_MAX {
        return Err(HouseError::invalid(
            "reason",
            format!("a reason of 1 to {REASON_BYTES_MAX} bytes is required"),
        ));
    }
    if let Some((i, ch)) = reason.chars().enumerate().find(|(_, c)| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || model::is_formatting_trap(*c)
    }) {
        return Err(HouseError::invalid(
            "reason",
            format!(
                "character {i} is U+{:04X}, a control or formatting character",
                u32::from(ch)
            ),
        ));
    }
    Ok(reason)
}
