//! The operator's hand on participants: suspend one (it leaves the cycles it settles in, as a
//! participant suspended by a list update does) and reinstate one it suspended. A participant
//! suspended because of a screening hit is reinstated by its case, never here.

use crate::types::*;
use crate::{Commit, House, HouseError, Versioned, audit, expect, record};

/// Longest reason for a suspension, in bytes.
pub const SUSPENSION_REASON_BYTES_MAX: usize = 2_000;

impl House {
    /// One alert.
    pub fn alert(&self, id: &str) -> Result<Alert, HouseError> {
        Ok(self.get(kind::ALERT, id)?.value)
    }

    /// Suspends an active participant by the operator's decision: it can neither submit nor
    /// receive claims, and leaves the cycles it settles in. Suspending a suspended one again
    /// changes nothing.
    pub fn suspend_participant(
        &self,
        actor: &str,
        id: &str,
        reason: &str,
    ) -> Result<ParticipantRecord, HouseError> {
        crate::check_actor("actor", actor)?;
        let reason = check_reason(reason)?;
        let p = self.set_status(actor, id, ParticipantStatus::Suspended, &reason)?;
        self.leave_open_cycles(actor, id, &format!("suspended by the operator: {reason}"))?;
        Ok(p)
    }

    /// Lifts a suspension the operator made. One with open alerts waits for its case.
    pub fn reinstate_participant(
        &self,
        actor: &str,
        id: &str,
        reason: &str,
    ) -> Result<ParticipantRecord, HouseError> {
        crate::check_actor("actor", actor)?;
        let reason = check_reason(reason)?;
        self.set_status(actor, id, ParticipantStatus::Active, &reason)
    }

    fn set_status(
        &self,
        actor: &str,
        id: &str,
        to: ParticipantStatus,
        reason: &str,
    ) -> Result<ParticipantRecord, HouseError> {
        for _ in 0..crate::ATTEMPTS_MAX {
            let Versioned {
                value: mut p,
                version,
            } = self.get::<ParticipantRecord>(kind::PARTICIPANT, id)?;
            let from = p.status;
            if from == to {
                return Ok(p);
            }
            let allowed = match to {
                ParticipantStatus::Suspended => from == ParticipantStatus::Active,
                ParticipantStatus::Active => {
                    from == ParticipantStatus::Suspended && p.open_alerts.is_empty()
                }
                _ => false,
            };
            if !allowed {
                return Err(HouseError::NotAllowed(format!(
                    "participant {id} is {}{}",
                    from.as_str(),
                    if p.open_alerts.is_empty() {
                        ""
                    } else {
                        " with open alerts: its case decides"
                    }
                )));
            }
            p.status = to;
            let now = self.now();
            let action = match to {
                ParticipantStatus::Suspended => "participant.suspended",
                _ => "participant.reinstated",
            };
            let change = store::Change {
                expect: vec![expect(kind::PARTICIPANT, id, Some(version))],
                put: vec![record(
                    kind::PARTICIPANT,
                    id,
                    version + 1,
                    to.as_str(),
                    (id, ""),
                    p.onboarded_at,
                    &p,
                )?],
                audit: vec![audit(
                    actor,
                    action,
                    format!("participant:{id}"),
                    &serde_json::json!({ "from": from, "to": to, "reason": reason, "at": now }),
                )?],
                ..store::Change::default()
            };
            if let Commit::Done = self.commit(change, "nothing")? {
                return Ok(p);
            }
        }
        Err(HouseError::Contention {
            what: format!("participant {id}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }
}

fn check_reason(reason: &str) -> Result<String, HouseError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.len() > SUSPENSION_REASON_BYTES_MAX {
        return Err(HouseError::invalid(
            "reason",
            format!("1 to {SUSPENSION_REASON_BYTES_MAX} bytes"),
        ));
    }
    Ok(reason.to_owned())
}
