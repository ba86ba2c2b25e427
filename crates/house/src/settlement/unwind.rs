//! Unwinding a payer: its claims leave the cycle, the selection is computed again without
//! them, and nothing is lost on the way.

use std::collections::{BTreeSet, HashMap};

use ledger::NewTransfer;
use serde::Serialize;
use store::Change;

use crate::config::UnneededPayIn;
use crate::error::HouseError;
use crate::types::*;
use crate::{Commit, House, Versioned, audit, expect, ids, record};

/// What an unwind did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnwindReport {
    pub cycle: u64,
    pub unwound: Vec<String>,
    /// Participants whose claims also left (the recomputed cycle would have asked them more).
    pub also_left: Vec<String>,
    pub claims_left: usize,
    /// The clearing currency of the amounts.
    pub currency: String,
    /// Claims still in the cycle, and what they clear now.
    pub claims_kept: usize,
    pub cleared_minor_before: i64,
    pub cleared_minor_after: i64,
    /// Pay-ins no longer needed: refunded or kept, per the house's setting (bank entry ids).
    pub unneeded: Vec<String>,
    pub revision: u32,
}

impl House {
    /// Unwinds every payer of every open cycle whose deadline has passed without its pay-in.
    pub fn unwind_overdue(&self, actor: &str) -> Result<Vec<UnwindReport>, HouseError> {
        crate::check_actor("actor", actor)?;
        let now = self.now();
        let mut reports = Vec::new();
        for open in self.open_cycles()? {
            let c = &open.value;
            if c.deadline > now {
                continue;
            }
            let late: Vec<String> = c
                .positions
                .iter()
                .filter(|p| p.status == PositionStatus::Requested)
                .map(|p| p.participant.clone())
                .collect();
            if late.is_empty() {
                continue;
            }
            reports.push(self.unwind(
                actor,
                c.number,
                &late,
                "missed the pay-in deadline",
                true,
            )?);
        }
        Ok(reports)
    }

    /// Takes a participant out of every cycle still settling that it can leave (its part of the
    /// cycle not paid out yet), with `reason`: a participant suspended or rejected while its
    /// claims were in a cycle must not be paid, nor its claims posted.
    pub(crate) fn leave_open_cycles(
        &self,
        actor: &str,
        participant: &str,
        reason: &str,
    ) -> Result<Vec<u64>, HouseError> {
        let mut left = Vec::new();
        for open in self.open_cycles()? {
            let c = &open.value;
            let present = c.positions.iter().any(|p| {
                p.participant == participant
                    && !matches!(p.status, PositionStatus::Unwound | PositionStatus::Left)
            });
            if !present {
                continue;
            }
            match self.unwind(actor, c.number, &[participant.to_owned()], reason, false) {
                Ok(_) => left.push(c.number),
                // Its part of the cycle is paying out already: it stays, and its pay-out waits
                // while it is not active.
                Err(HouseError::NotAllowed(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(left)
    }

    /// The open cycle that clears part of `claim`, if any.
    pub(crate) fn open_cycle_of(&self, claim: &str) -> Result<Option<u64>, HouseError> {
        Ok(self
            .open_cycles()?
            .into_iter()
            .find(|c| {
                c.value
                    .claims
                    .iter()
                    .any(|x| x.claim == claim && x.cleared_minor > 0)
            })
            .map(|c| c.value.number))
    }

    /// Takes `participants` out of cycle `n`: their claims leave it, the selection is computed
    /// again on what remains (each claim at most what it cleared so far, zone-balanced, in
    /// priority order), and anyone the new selection would ask for more than it paid leaves
    /// too. `suspend`: the participants are suspended, each with a case for the officers.
    pub fn unwind(
        &self,
        actor: &str,
        n: u64,
        participants: &[String],
        reason: &str,
        suspend: bool,
    ) -> Result<UnwindReport, HouseError> {
        crate::check_actor("actor", actor)?;
        model::clean_text(reason, 500).map_err(|e| HouseError::invalid("reason", e.to_string()))?;
        for _ in 0..crate::ATTEMPTS_MAX {
            if let Some(report) = self.try_unwind(actor, n, participants, reason, suspend)? {
                self.advance(actor, n)?;
                return Ok(report);
            }
        }
        Err(HouseError::Contention {
            what: format!("cycle {n}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    fn try_unwind(
        &self,
        actor: &str,
        n: u64,
        primary: &[String],
        reason: &str,
        suspend: bool,
    ) -> Result<Option<UnwindReport>, HouseError> {
        let Versioned {
            value: mut c,
            version,
        } = self.cycle_versioned(n)?;
        if c.status == CycleStatus::Settled {
            return Err(HouseError::NotAllowed(format!(
                "cycle {n} is settled: nothing to unwind"
            )));
        }
        let posted: BTreeSet<&str> = c
            .claims
            .iter()
            .filter(|x| x.posted)
            .flat_map(|x| [x.creditor.as_str(), x.debtor.as_str()])
            .collect();
        for p in primary {
            let position = c
                .positions
                .iter()
                .find(|x| &x.participant == p)
                .ok_or_else(|| HouseError::NotFound {
                    kind: "position",
                    id: format!("{p} in cycle {n}"),
                })?;
            if posted.contains(p.as_str())
                || matches!(
                    position.status,
                    PositionStatus::PaidOut | PositionStatus::Unwound | PositionStatus::Left
                )
            {
                return Err(HouseError::NotAllowed(format!(
                    "{p} in cycle {n} is {} and its part of the cycle is settling: it can no longer be unwound",
                    position.status.as_str()
                )));
            }
        }
        let participants = self.participants_by_id()?;
        let before_total: i64 = c.claims.iter().map(|x| x.cleared_minor).sum();
        let mut removed: BTreeSet<String> = primary.iter().cloned().collect();
        let mut also_left = Vec::new();
        let old_positions = c.positions.clone();
        // The recomputed selection may go beyond the counter-flow at most as far as this one did,
        // and not at all on a provider that did not pay.
        let budgets: Vec<super::liquidity::Budget> = c
            .liquidity
            .iter()
            .map(|m| super::liquidity::Budget {
                zone: m.zone.clone(),
                held: m.held_used_minor,
                lend: if removed.contains(&provider_position_id(&m.zone)) {
                    0
                } else {
                    m.drawn_minor
                },
                repay: m.repaid_minor,
            })
            .collect();
        let allowances = self.allowances(&budgets)?;
        let (claims, positions, liquidity) = loop {
            let remaining: Vec<&CycleClaim> = c
                .claims
                .iter()
                .filter(|x| {
                    x.cleared_minor > 0
                        && !removed.contains(&x.creditor)
                        && !removed.contains(&x.debtor)
                })
                .collect();
            let engine: Vec<netting::instex::Claim> = remaining
                .iter()
                .map(|x| crate::cycle::engine_claim_of(x, self.config.clearing_currency))
                .collect::<Result<_, _>>()?;
            let selected: HashMap<&str, (i64, i64)> = remaining
                .iter()
                .map(|x| x.claim.as_str())
                .zip(crate::cycle::select(
                    engine,
                    c.set_off_domestic,
                    &allowances,
                )?)
                .collect();
            // Every claim stays on the cycle's record; those that left clear nothing now.
            let claims: Vec<CycleClaim> = c
                .claims
                .iter()
                .map(|x| {
                    let (cleared, set_off) =
                        selected.get(x.claim.as_str()).copied().unwrap_or((0, 0));
                    let mut x = x.clone();
                    x.cleared_minor = cleared;
                    x.set_off_minor = set_off;
                    x.status_after = if cleared >= x.owed_minor {
                        ClaimStatus::Cleared
                    } else if cleared > 0 || x.partly_cleared_before {
                        ClaimStatus::PartiallyCleared
                    } else {
                        ClaimStatus::Queued
                    };
                    x
                })
                .collect();
            let liquidity = if c.liquidity.is_empty() {
                Vec::new()
            } else {
                super::liquidity::moves(&claims, &budgets)
            };
            let probe = Cycle {
                claims: claims.clone(),
                liquidity: liquidity.clone(),
                ..c.clone()
            };
            let mut positions = self.positions(&probe, &participants, Some(&old_positions))?;
            positions.extend(self.provider_positions(&probe, Some(&old_positions))?);
            // Nobody may be asked for more than it was asked before, nor a paid-out payee's
            // amount change.
            let mut more = Vec::new();
            for p in &positions {
                let old = old_positions
                    .iter()
                    .find(|o| o.participant == p.participant);
                let asked_before = old.map_or(0, |o| if o.net_minor < 0 { o.due_minor } else { 0 });
                let asked_now = if p.net_minor < 0 { p.due_minor } else { 0 };
                if asked_now > asked_before {
                    more.push(p.participant.clone());
                }
                if let Some(o) = old.filter(|o| o.payout.is_some() && o.net_minor != p.net_minor) {
                    return Err(HouseError::Clearing(format!(
                        "unwinding would change the pay-out already made to {} in cycle {n}",
                        o.participant
                    )));
                }
            }
            if more.is_empty() {
                break (claims, positions, liquidity);
            }
            for p in more {
                also_left.push(p.clone());
                removed.insert(p);
            }
        };
        let now = self.now();
        let mut change = Change {
            accounts: self.settlement_accounts(),
            ..Change::default()
        };
        let mut final_positions = positions;
        let mut unneeded = Vec::new();
        for old in &old_positions {
            if final_positions
                .iter()
                .any(|p| p.participant == old.participant)
            {
                continue;
            }
            let mut gone = old.clone();
            gone.status = if primary.contains(&old.participant) && old.net_minor < 0 {
                PositionStatus::Unwound
            } else {
                PositionStatus::Left
            };
            gone.net_minor = 0;
            gone.due_minor = 0;
            final_positions.push(gone);
        }
        for p in &mut final_positions {
            let needed = if p.net_minor < 0 { p.due_minor } else { 0 };
            let excess = p.received_minor - needed;
            if excess > 0 {
                let id = self.unneeded_pay_in(&mut change, n, c.revision + 1, p, excess, now)?;
                unneeded.push(id);
                p.received_minor = needed;
            }
        }
        final_positions.sort_by(|a, b| a.participant.cmp(&b.participant));
        let claims_left: Vec<String> = c
            .claims
            .iter()
            .zip(&claims)
            .filter(|(was, now)| was.cleared_minor > 0 && now.cleared_minor == 0)
            .map(|(x, _)| x.claim.clone())
            .collect();
        let after_total: i64 = claims.iter().map(|x| x.cleared_minor).sum();
        if suspend {
            for p in primary {
                self.suspend_for(&mut change, p, n, reason, &participants, now)?;
            }
        }
        let parts_before = c.claim_parts;
        c.claims = claims;
        c.liquidity = liquidity;
        c.positions = final_positions;
        c.revision += 1;
        c.zones = self.zone_totals(&c);
        c.unwinds.push(Unwind {
            participant: primary.join(","),
            at: now,
            by: actor.to_owned(),
            reason: reason.to_owned(),
            claims_left: claims_left.clone(),
            also_left: also_left.clone(),
            revision: c.revision,
        });
        // Payers still to pay are asked again for what the recomputed cycle needs.
        let mut staged = Vec::new();
        for zone in &self.config.zones {
            let changed: Vec<&Position> = c
                .positions
                .iter()
                .filter(|p| p.zone == zone.code.as_str() && p.status == PositionStatus::Requested)
                .filter(|p| {
                    old_positions
                        .iter()
                        .any(|o| o.participant == p.participant && o.due_minor != p.due_minor)
                })
                .collect();
            if changed.is_empty() {
                continue;
            }
            let stem = format!("{}/requests-r{}-{}", zone.code, c.revision, zone.code);
            let (xml, csv) =
                super::files::requests_files(self, &c, zone, &changed, &participants, &stem)?;
            for (ext, bytes) in [("pain013.xml", xml), ("csv", csv)] {
                staged.push(super::files::stage(
                    &c.directory,
                    &format!("{stem}.{ext}"),
                    &bytes,
                )?);
            }
        }
        c.files.extend(staged.iter().map(|s| s.file.clone()));
        self.put_cycle(&mut change, &mut c, Some(version), Some(parts_before))?;
        let report = UnwindReport {
            cycle: n,
            unwound: primary.to_vec(),
            also_left,
            claims_left: claims_left.len(),
            currency: c.clearing_currency.clone(),
            claims_kept: c.claims.iter().filter(|x| x.cleared_minor > 0).count(),
            cleared_minor_before: before_total,
            cleared_minor_after: after_total,
            unneeded,
            revision: c.revision,
        };
        change.audit.push(audit(
            actor,
            "cycle.unwind",
            format!("cycle:{n}"),
            &serde_json::json!({ "reason": reason, "report": report, "claims_left": claims_left }),
        )?);
        match self.commit(change, "the unwind")? {
            Commit::Done => {
                super::files::place_all(staged)?;
                Ok(Some(report))
            }
            Commit::Raced(_) => {
                // Dropped, the staged files are removed.
                drop(staged);
                Ok(None)
            }
        }
    }

    /// Moves a pay-in the recomputed cycle no longer needs to suspense, as a bank entry of the
    /// participant: kept for its next pay-in, or marked for refund (the operator's
    /// `settlement refund` writes the payment), per the house's setting.
    fn unneeded_pay_in(
        &self,
        change: &mut Change,
        n: u64,
        revision: u32,
        p: &mut Position,
        excess: i64,
        now: u64,
    ) -> Result<String, HouseError> {
        let zone = self.zone_by_code(&p.zone)?;
        let amount = excess / zone.minor_rate;
        let id = format!(
            "unneeded-c{n}-r{revision}-{:x}",
            ids::derive(&[&p.participant]) >> 16
        );
        let transfer = NewTransfer {
            id: ids::settlement_transfer("excess", n, &[&p.participant, &revision.to_string()]),
            debit_account_id: self.position_account(&p.participant)?,
            credit_account_id: ids::suspense_account(&self.config, &zone.code).id,
            amount: amount as u64,
            ledger: ids::ledger_of(&self.config),
            code: ids::TRANSFER_EXCESS,
            user_data_64: n,
            ..NewTransfer::default()
        };
        change
            .accounts
            .push(ids::suspense_account(&self.config, &zone.code));
        change.transfers.push(transfer);
        let booked = Booked {
            transfer_id: transfer.id,
            what: "excess".into(),
            amount_minor: amount,
            at: now,
        };
        p.booked.push(booked.clone());
        let keep = self.config.config.settlement.unneeded_pay_in == UnneededPayIn::Keep;
        let entry = BankEntry {
            id: id.clone(),
            zone: p.zone.clone(),
            file_sha256: String::new(),
            line: 0,
            bank_reference: None,
            booking_date: Some(model::calendar::utc_date(now).to_string()),
            credit: true,
            amount_minor: excess,
            currency: p.currency.clone(),
            reference: Some(p.reference.clone()),
            end_to_end_id: None,
            // A provider is paid back to its own account (a participant to its own).
            counterparty: match provider_zone(&p.participant)
                .and_then(|z| super::files::provider_party(self, z).ok())
            {
                Some((name, iban, bic)) => BankParty {
                    name: Some(name),
                    iban: Some(iban),
                    bic: Some(bic),
                },
                None => BankParty::default(),
            },
            status: if keep {
                BankEntryStatus::Kept
            } else {
                BankEntryStatus::Suspense
            },
            reason: Some("unneeded_after_unwind".into()),
            cycle: Some(n),
            participant: Some(p.participant.clone()),
            remaining_minor: excess,
            ledger_remaining_minor: amount,
            booked: vec![booked],
            imported_at: now,
        };
        change.expect.push(expect(kind::BANK_ENTRY, &id, None));
        change.put.push(super::bank::entry_record(&entry, 1)?);
        if !keep {
            let subject = format!("bank_entry:{id}");
            let alert = Alert {
                id: crate::onboarding::alert_id(&[&subject, "settlement", "refund_due"]),
                subject,
                participant: p.participant.clone(),
                category: "settlement".into(),
                code: "refund_due".into(),
                explanation: format!(
                    "{} paid {} more than cycle {n} needs after an unwind: refund it with `clearhouse settlement refund {id}`",
                    p.participant,
                    crate::money_text(excess, &p.currency)
                ),
                inputs: serde_json::json!({ "cycle": n, "excess_minor": excess }),
                status: AlertStatus::Open,
                case: String::new(),
                created_at: now,
            };
            super::new_alert(change, &alert)?;
        }
        Ok(id)
    }

    /// Suspends a participant unwound from a cycle, with an alert and a case.
    fn suspend_for(
        &self,
        change: &mut Change,
        participant: &str,
        n: u64,
        reason: &str,
        participants: &crate::cycle::Participants,
        now: u64,
    ) -> Result<(), HouseError> {
        let Some(Versioned { value: p, version }) = participants.get(participant).cloned() else {
            return Ok(());
        };
        if p.status != ParticipantStatus::Active {
            return Ok(());
        }
        let subject = format!("participant:{participant}");
        let mut alerts = vec![Alert {
            id: crate::onboarding::alert_id(&[&subject, "settlement", "unwound", &n.to_string()]),
            subject: subject.clone(),
            participant: participant.to_owned(),
            category: "settlement".into(),
            code: "unwound".into(),
            explanation: format!(
                "{participant} was unwound from cycle {n}: {reason}; suspended until an officer reviews it"
            ),
            inputs: serde_json::json!({ "cycle": n, "reason": reason }),
            status: AlertStatus::Open,
            case: String::new(),
            created_at: now,
        }];
        self.open_case(change, &subject, participant, &mut alerts, now, None)?;
        let mut p = p;
        p.status = ParticipantStatus::Suspended;
        p.open_alerts.extend(alerts.iter().map(|a| a.id.clone()));
        change
            .expect
            .push(expect(kind::PARTICIPANT, participant, Some(version)));
        change.put.push(record(
            kind::PARTICIPANT,
            participant,
            version + 1,
            p.status.as_str(),
            (participant, ""),
            p.onboarded_at,
            &p,
        )?);
        Ok(())
    }
}
