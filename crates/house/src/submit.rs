//! Claims: validated, checked in order (parties, invoice counterparty, goods policy, price
//! bands, monitoring), and recorded as accepted (reserved on the ledger), held or rejected.

use std::borrow::Cow;
use std::sync::Arc;

use goods::{Finding, Line, LineFields, Verdict as GoodsVerdict};
use model::{ClaimId, GOODS_LINES_MAX, Money, ParticipantId};
use monitoring::{Candidate, Past};

use crate::history::{History, past, put_activity};
use crate::kept::Kept;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{Change, RecordQuery};

use crate::error::HouseError;
use crate::onboarding::{alert_id, screening_alerts};
use crate::review::claim_record;
use crate::types::*;
use crate::{Commit, House, Lists, Versioned, audit, expect, record, versioned};

/// Incoterms 2020 rules.
pub const INCOTERMS: &[&str] = &[
    "EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF",
];
/// Longest idempotency key, in bytes.
pub const IDEMPOTENCY_KEY_BYTES_MAX: usize = 128;
/// Longest invoice number or counterparty name, in bytes.
pub const INVOICE_TEXT_BYTES_MAX: usize = 256;
/// Oldest due date a claim may have, in days before its submission: older invoices are not
/// trade credit the house clears but stale debt (or a mistyped year).
pub const DUE_DATE_PAST_DAYS_MAX: u64 = 3 * 366;
/// Latest due date a claim may have, in days after its submission.
pub const DUE_DATE_AHEAD_DAYS_MAX: u64 = 5 * 366;
/// The policy's reason code that makes a line humanitarian (cleared first).
pub const HUMANITARIAN_CODE: &str = "humanitarian";

/// The audit action of a claim's submission.
pub const SUBMITTED_ACTION: &str = "claim.submitted";
/// Audit events read about a claim to find its submission (the first, or the second after a
/// case opened in the same change).
const FIRST_EVENTS_READ: usize = 8;

/// The body of a `claim.submitted` audit event: written from the submission's own values
/// (borrowed), read back owned.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SubmittedEvent<'a> {
    /// The claim as recorded, with every check and its inputs.
    claim: Cow<'a, ClaimRecord>,
    /// The lists every name was screened against.
    lists_version: Cow<'a, str>,
    /// The alerts a held claim raised (none otherwise).
    alerts: Cow<'a, [Alert]>,
}

/// What a submission got: the claim as recorded, and whether this is the first answer again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimOutcome {
    pub claim: ClaimRecord,
    /// The same key and body were submitted before: this is the first answer.
    pub replayed: bool,
}

impl House {
    /// Submits a claim. Same idempotency key and body: the first answer again; same key, other
    /// body: [`HouseError::IdempotencyConflict`].
    pub fn submit_claim(
        &self,
        actor: &str,
        submission: &ClaimSubmission,
    ) -> Result<ClaimOutcome, HouseError> {
        crate::check_actor("actor", actor)?;
        validate(submission)?;
        let request_hash = request_hash(submission)?;
        let key_id = format!("{}/{}", submission.creditor, submission.idempotency_key);
        for _ in 0..crate::ATTEMPTS_MAX {
            if let Some(outcome) = self.try_submit(actor, submission, &request_hash, &key_id)? {
                return Ok(outcome);
            }
        }
        Err(HouseError::Contention {
            what: format!("claim {}", submission.id),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// The first answer for this key: the claim as its `claim.submitted` audit event recorded
    /// it.
    fn replay(
        &self,
        first: Versioned<Idempotency>,
        key_id: &str,
        key: &str,
        request_hash: &str,
    ) -> Result<ClaimOutcome, HouseError> {
        let first = first.value;
        if first.request_hash != request_hash {
            return Err(HouseError::IdempotencyConflict {
                key: key.to_owned(),
                first: first.request_hash,
                this: request_hash.to_owned(),
            });
        }
        let corrupt = |message: String| HouseError::Corrupt {
            kind: kind::IDEMPOTENCY.into(),
            id: key_id.to_owned(),
            message,
        };
        let claim = match (first.response, first.claim) {
            (Some(response), _) => {
                serde_json::from_str::<ClaimOutcome>(&response)
                    .map_err(|e| corrupt(e.to_string()))?
                    .claim
            }
            (None, Some(claim)) => self.first_answer(&claim)?.ok_or_else(|| {
                corrupt(format!(
                    "the audit trail holds no {SUBMITTED_ACTION} event of claim {claim}"
                ))
            })?,
            (None, None) => return Err(corrupt("names neither a claim nor an answer".into())),
        };
        Ok(ClaimOutcome {
            claim,
            replayed: true,
        })
    }

    /// The claim `id` as it was first recorded: the body of its `claim.submitted` audit event.
    fn first_answer(&self, id: &str) -> Result<Option<ClaimRecord>, HouseError> {
        let subject = format!("claim:{id}");
        // The submission's own events come first about its subject: the claim's, then its
        // case's if it was held.
        let rows = self.store.audit(0, Some(&subject), FIRST_EVENTS_READ)?;
        let Some(row) = rows.iter().find(|r| r.action == SUBMITTED_ACTION) else {
            return Ok(None);
        };
        let body: SubmittedEvent<'_> =
            serde_json::from_str(&row.body).map_err(|e| HouseError::Corrupt {
                kind: "audit".into(),
                id: row.seq.to_string(),
                message: e.to_string(),
            })?;
        Ok(Some(body.claim.into_owned()))
    }

    /// One attempt; `None` when another writer got in between (read again and retry).
    fn try_submit(
        &self,
        actor: &str,
        s: &ClaimSubmission,
        request_hash: &str,
        key_id: &str,
    ) -> Result<Option<ClaimOutcome>, HouseError> {
        let invoice_keys = invoice_keys(s);
        // Everything this attempt starts from, read together in one snapshot: the key's first
        // answer, the claim, both parties, their activity (read before the history the
        // monitoring rules see: a claim about either party that commits meanwhile changes
        // these versions, and this attempt is then checked again) and who took each invoice
        // key first (the duplicate check reads them; a key nobody holds yet is taken by this
        // claim, expected absent when the change commits), and the lists in force (`in_force`).
        // The parties' records kept from an earlier submission are not read again: the change
        // expects them at the versions checked, so one changed since fails the commit, and the
        // next attempt reads both (`kept`).
        let parties = [&s.creditor, &s.debtor];
        let kept = parties.map(|p| self.participants.get(p));
        let mut keys = vec![
            (kind::IDEMPOTENCY, key_id),
            (kind::CLAIM, s.id.as_str()),
            (kind::ACTIVITY, s.creditor.as_str()),
            (kind::ACTIVITY, s.debtor.as_str()),
            (invoice_keys[0].0, invoice_keys[0].1.as_str()),
            (invoice_keys[1].0, invoice_keys[1].1.as_str()),
            (kind::LISTS_IN_FORCE, crate::LISTS_IN_FORCE_ID),
        ];
        let read_parties_at = keys.len();
        keys.extend(
            parties
                .iter()
                .zip(&kept)
                .filter(|(_, k)| k.is_none())
                .map(|(p, _)| (kind::PARTICIPANT, p.as_str())),
        );
        let read = self.store.records_by_key(&keys)?;
        if let Some(first) = versioned::<Idempotency>(read[0].as_ref())? {
            return self
                .replay(first, key_id, &s.idempotency_key, request_hash)
                .map(Some);
        }
        if read[1].is_some() {
            return Err(HouseError::invalid(
                "id",
                format!(
                    "claim {} exists (submitted under another idempotency key)",
                    s.id
                ),
            ));
        }
        let mut read_parties = read[read_parties_at..].iter();
        let mut party = |kept: Option<Kept<ParticipantRecord>>, id: &str, field: &str| {
            if let Some(kept) = kept {
                return Ok(kept);
            }
            let record = read_parties.next().and_then(Option::as_ref);
            let found = versioned::<ParticipantRecord>(record)?
                .map(Arc::new)
                .ok_or_else(|| HouseError::invalid(field, format!("no participant {id}")))?;
            self.participants.keep(id, &found);
            Ok::<_, HouseError>(found)
        };
        let [kept_creditor, kept_debtor] = kept;
        let creditor = party(kept_creditor, &s.creditor, "creditor")?;
        let debtor = party(kept_debtor, &s.debtor, "debtor")?;
        let activity = [
            versioned::<Activity>(read[2].as_ref())?,
            versioned::<Activity>(read[3].as_ref())?,
        ];
        let activity_versions = activity
            .each_ref()
            .map(|seen| seen.as_ref().map_or(0, |v| v.version));
        if [&s.creditor, &s.debtor]
            .into_iter()
            .zip(activity_versions)
            .any(|(party, version)| self.histories.is_stale(party, version))
        {
            // Read before a claim about a party committed here: this attempt would not commit.
            return Ok(None);
        }
        let clearing_amount_minor = self.to_clearing(s.amount)?;
        // One version of the lists for every check of this claim, and the one recorded: the
        // version in force, expected still in force when the claim commits.
        let Some(in_force) = self.lists_for(read[6].as_ref())? else {
            return Ok(None);
        };
        let lists = in_force.lists;
        let now = self.now();
        // The oldest submission time any monitoring rule looks at.
        let from = now.saturating_sub(monitoring::history_window_ns(
            &self.config.config.monitoring,
        ));
        check_due_date(s.due_date, now)?;
        let subject = format!("claim:{}", s.id);
        let mut checks = Vec::new();
        let mut alerts = Vec::new();
        let mut all_humanitarian = None;
        check_parties(&creditor.value, &debtor.value, &mut checks);
        let key_owners = [
            versioned::<KeyOwner>(read[4].as_ref())?,
            versioned::<KeyOwner>(read[5].as_ref())?,
        ];
        if !rejected(&checks) {
            self.check_duplicates(s, &key_owners, &subject, now, &mut checks, &mut alerts)?;
            self.check_counterparty(&lists, s, &subject, now, &mut checks, &mut alerts)?;
            let humanitarian = self.check_goods(
                s,
                &creditor.value,
                &debtor.value,
                &subject,
                now,
                &mut checks,
                &mut alerts,
            )?;
            let histories = [
                self.history(&s.creditor, activity_versions[0], from)?,
                self.history(&s.debtor, activity_versions[1], from)?,
            ];
            self.check_monitoring(
                s,
                clearing_amount_minor,
                now,
                &histories,
                &subject,
                &mut checks,
                &mut alerts,
            )?;
            all_humanitarian = Some(humanitarian);
        }
        // A claim refused at the parties had its lines not checked: look the rules up alone.
        let humanitarian = all_humanitarian.unwrap_or_else(|| self.is_humanitarian(s));
        let priority = u32::from(!humanitarian);
        let worst = checks
            .iter()
            .map(|c| c.outcome)
            .max()
            .unwrap_or(Outcome::Pass);
        let status = match worst {
            // Reserved at once, cleared once its debtor accepts it (`lifecycle`).
            Outcome::Pass | Outcome::NotChecked => ClaimStatus::AwaitingAcceptance,
            Outcome::Hold => ClaimStatus::Held,
            Outcome::Reject => ClaimStatus::Rejected,
        };
        if status != ClaimStatus::Held {
            alerts.clear();
        }
        let mut claim = ClaimRecord {
            submission: s.clone(),
            request_hash: request_hash.to_owned(),
            submitted_by: actor.to_owned(),
            submitted_at: now,
            creditor_zone: creditor.value.participant.zone().to_string(),
            debtor_zone: debtor.value.participant.zone().to_string(),
            clearing_amount_minor,
            priority,
            status,
            checks,
            alerts: alerts.iter().map(|a: &Alert| a.id.clone()).collect(),
            case: None,
            reserve_transfer: None,
            cleared_minor: 0,
            settlements: Vec::new(),
            rejection: None,
            acceptance_required: true,
            acceptance: None,
            dispute: None,
            withdrawal: None,
        };
        let mut change = Change {
            expect: vec![
                expect(kind::IDEMPOTENCY, key_id, None),
                expect(kind::CLAIM, &s.id, None),
                expect(kind::PARTICIPANT, &s.creditor, Some(creditor.version)),
                expect(kind::PARTICIPANT, &s.debtor, Some(debtor.version)),
                in_force.expect,
            ],
            ..Change::default()
        };
        for (party, seen) in [&s.creditor, &s.debtor].into_iter().zip(&activity) {
            put_activity(&mut change, party, seen.as_ref(), 1, now)?;
        }
        for ((key_kind, key), owner) in invoice_keys.iter().zip(&key_owners) {
            // The first claim of an invoice keeps its key and a later one only reads it, unless
            // the holder is out of clearing (refused, disputed, withdrawn): then this claim takes
            // the key over, so that a third claim on the invoice is held as a double claim of
            // this one.
            let version = match owner {
                None => None,
                Some(held) if self.key_holder_closed(&held.value.owner, &s.id)? => {
                    Some(held.version)
                }
                Some(_) => continue,
            };
            change.expect.push(expect(key_kind, key, version));
            change.put.push(record(
                key_kind,
                key,
                version.map_or(1, |v| v + 1),
                "taken",
                (&s.creditor, &s.debtor),
                now,
                &KeyOwner {
                    owner: s.id.clone(),
                },
            )?);
        }
        match status {
            ClaimStatus::AwaitingAcceptance => {
                let transfer = self.reserve_transfer(&claim);
                claim.reserve_transfer = Some(transfer.id);
                change.transfers.push(transfer);
            }
            ClaimStatus::Held => {
                let case =
                    self.open_case(&mut change, &subject, &s.creditor, &mut alerts, now, None)?;
                claim.case = Some(case);
            }
            _ => {
                claim.rejection = Some(
                    claim
                        .checks
                        .iter()
                        .filter(|c| c.outcome == Outcome::Reject)
                        .flat_map(|c| c.findings.iter().cloned())
                        .collect::<Vec<_>>()
                        .join("; "),
                );
            }
        }
        let outcome = ClaimOutcome {
            claim,
            replayed: false,
        };
        change.put.push(claim_record(&outcome.claim, 1)?);
        let idempotency = Idempotency {
            request_hash: request_hash.to_owned(),
            claim: Some(s.id.clone()),
            response: None,
        };
        change.put.push(record(
            kind::IDEMPOTENCY,
            key_id,
            1,
            "used",
            (&s.creditor, ""),
            now,
            &idempotency,
        )?);
        // The claim as recorded is the event's body: what the auditor reads, and the first
        // answer a repeat of the request gets.
        change.audit.push(audit(
            actor,
            SUBMITTED_ACTION,
            subject,
            &SubmittedEvent {
                claim: Cow::Borrowed(&outcome.claim),
                lists_version: Cow::Borrowed(&lists.version),
                alerts: Cow::Borrowed(&alerts),
            },
        )?);
        let committing = self.histories.committing([
            (&s.creditor, activity_versions[0]),
            (&s.debtor, activity_versions[1]),
        ]);
        Ok(match self.commit(change, "the claim's reservation")? {
            Commit::Done => {
                let this = (status != ClaimStatus::Rejected).then(|| past(&outcome.claim));
                committing.committed(this.as_ref(), from);
                Some(outcome)
            }
            Commit::Raced(_) => {
                // Perhaps a party's record changed since it was kept: read both again.
                self.participants.forget(&[&s.creditor, &s.debtor]);
                None
            }
        })
    }

    /// The invoiced amount in the clearing currency: as is, or converted at a zone's agreed
    /// rate, rounded half to even to the minor unit.
    pub(crate) fn to_clearing(&self, amount: Money) -> Result<i64, HouseError> {
        if amount.currency() == self.config.clearing_currency {
            return self.within_claim_limit(amount, amount.amount_minor());
        }
        let zone = self
            .config
            .zones
            .iter()
            .find(|z| z.currency == amount.currency())
            .ok_or_else(|| {
                HouseError::invalid(
                    "amount",
                    format!(
                        "{} is neither the clearing currency nor a zone's currency",
                        amount.currency().code()
                    ),
                )
            })?;
        let a = i128::from(amount.amount_minor());
        let r = i128::from(zone.minor_rate);
        let (q, rem) = (a / r, a % r);
        let rounded = match (2 * rem).cmp(&r) {
            std::cmp::Ordering::Less => q,
            std::cmp::Ordering::Greater => q + 1,
            std::cmp::Ordering::Equal => q + (q & 1),
        };
        let minor = i64::try_from(rounded).unwrap_or(0);
        if minor <= 0 {
            return Err(HouseError::invalid(
                "amount",
                format!("{amount} is less than one minor unit of the clearing currency"),
            ));
        }
        self.within_claim_limit(amount, minor)
    }

    /// Refuses a claim larger than a cycle could convert into every zone's currency and add up.
    fn within_claim_limit(&self, amount: Money, minor: i64) -> Result<i64, HouseError> {
        let max = self.config.claim_minor_max();
        if minor > max {
            let currency = self.config.clearing_currency;
            let limit = Money::new(max, currency)
                .map(|m| m.to_string())
                .unwrap_or_else(|_| format!("{max} minor units"));
            return Err(HouseError::invalid(
                "amount",
                format!(
                    "{amount} is more than the {limit} one claim may be in this house (a cycle must be able to add up {} such claims in every zone's currency)",
                    crate::config::CYCLE_CLAIMS_AT_MAX
                ),
            ));
        }
        Ok(minor)
    }

    /// A claim on an invoice the house has seen (same parties and invoice number, or same
    /// parties, amount and due date under another number) is held as a possible double claim,
    /// unless the earlier claim was rejected.
    fn check_duplicates(
        &self,
        s: &ClaimSubmission,
        key_owners: &[Option<Versioned<KeyOwner>>; 2],
        subject: &str,
        now: u64,
        checks: &mut Vec<Check>,
        alerts: &mut Vec<Alert>,
    ) -> Result<(), HouseError> {
        let mut findings = Vec::new();
        let mut earlier = Vec::new();
        for (first, how) in key_owners.iter().zip([
            "the same invoice number",
            "the same amount and due date under another invoice number",
        ]) {
            let Some(first) = first else {
                continue;
            };
            let owner = first.value.owner.clone();
            if owner == s.id || earlier.contains(&owner) {
                continue;
            }
            let Some(claim) = self.load::<ClaimRecord>(kind::CLAIM, &owner)? else {
                continue;
            };
            // A claim refused, disputed by its debtor or withdrawn by its creditor clears
            // nothing: the invoice may be claimed again (corrected) without a double claim.
            if is_closed(claim.value.status) {
                continue;
            }
            findings.push(format!(
                "possible double claim: claim {owner} ({}, invoice {}, {}) was submitted by {} on {} with {how}",
                claim.value.status.as_str(),
                claim.value.submission.invoice_number,
                claim.value.submission.amount,
                claim.value.submission.creditor,
                claim.value.submission.debtor,
            ));
            earlier.push(owner);
        }
        for (finding, owner) in findings.iter().zip(&earlier) {
            alerts.push(Alert {
                id: alert_id(&[subject, "duplicate", owner]),
                subject: subject.to_owned(),
                participant: s.creditor.clone(),
                category: "duplicate".into(),
                code: "possible_double_claim".into(),
                explanation: finding.clone(),
                inputs: serde_json::json!({ "earlier_claim": owner, "invoice_number": s.invoice_number }),
                status: AlertStatus::Open,
                case: String::new(),
                created_at: now,
            });
        }
        checks.push(Check {
            step: "duplicates".into(),
            subject: format!("invoice {}", s.invoice_number),
            outcome: if findings.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Hold
            },
            findings,
            inputs: serde_json::json!({ "earlier_claims": earlier }),
        });
        Ok(())
    }

    fn check_counterparty(
        &self,
        lists: &Lists,
        s: &ClaimSubmission,
        subject: &str,
        now: u64,
        checks: &mut Vec<Check>,
        alerts: &mut Vec<Alert>,
    ) -> Result<(), HouseError> {
        let party = &s.invoice_counterparty;
        let screened = self.screen_counterparty(lists, party)?;
        let found = screening_alerts(
            subject,
            &s.creditor,
            std::slice::from_ref(&screened),
            &lists.version,
            now,
        );
        checks.push(Check {
            step: "counterparty".into(),
            subject: format!("invoice counterparty {:?}", party.name),
            outcome: if found.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Hold
            },
            findings: found.iter().map(|a| a.explanation.clone()).collect(),
            inputs: serde_json::json!({
                "name": party.name, "country": party.country, "hits": screened.hits,
                "lists_version": lists.version,
                "threshold": self.config.config.screening_threshold,
            }),
        });
        alerts.extend(found);
        Ok(())
    }

    /// The goods policy and the price bands, line by line; returns whether every line is
    /// humanitarian.
    #[allow(clippy::too_many_arguments)]
    fn check_goods(
        &self,
        s: &ClaimSubmission,
        creditor: &ParticipantRecord,
        debtor: &ParticipantRecord,
        subject: &str,
        now: u64,
        checks: &mut Vec<Check>,
        alerts: &mut Vec<Alert>,
    ) -> Result<bool, HouseError> {
        let origin = creditor.participant.country().as_str().to_owned();
        let destination = debtor.participant.country().as_str().to_owned();
        let mut price_checks = Vec::new();
        let mut all_humanitarian = true;
        let checker = self.checker();
        for (i, gl) in s.goods_lines.iter().enumerate() {
            let line = self.goods_line(i, gl, &origin, &destination)?;
            let decision = checker.check(&line);
            let reasons = checker.reasons(&line, &decision);
            all_humanitarian &= self.line_is_humanitarian(&line);
            let mut goods = (Outcome::Pass, Vec::new(), Vec::new());
            let mut price = (Outcome::Pass, Vec::new(), Vec::new());
            for (finding, reason) in decision.findings().iter().zip(&reasons) {
                let outcome = match reason.verdict {
                    GoodsVerdict::Allow => continue,
                    GoodsVerdict::Hold => Outcome::Hold,
                    GoodsVerdict::Block => Outcome::Reject,
                };
                let target = if matches!(finding, Finding::Price) {
                    &mut price
                } else {
                    &mut goods
                };
                target.0 = target.0.max(outcome);
                target.1.push(reason.message.clone());
                target
                    .2
                    .push((reason.code.to_owned(), reason.basis.to_owned(), outcome));
            }
            let inputs = serde_json::json!({
                "hs_code": gl.hs_code().to_string(), "description": gl.description(),
                "quantity": gl.quantity().to_string(), "value": gl.value().to_string(),
                "origin": origin, "destination": destination,
                "reasons": reasons.iter().map(|r| serde_json::json!({
                    "verdict": r.verdict.as_str(), "code": r.code, "message": r.message, "basis": r.basis,
                })).collect::<Vec<_>>(),
            });
            checks.push(Check {
                step: "goods".into(),
                subject: format!("line {} ({})", i + 1, gl.hs_code()),
                outcome: goods.0,
                findings: goods.1.clone(),
                inputs: inputs.clone(),
            });
            if !decision.price.was_compared() && price.0 == Outcome::Pass {
                // No band to compare with is not a pass: say so, and hold if the house says.
                let hold = self.config.config.hold_without_price_reference;
                let message = format!(
                    "no reference price for {} from {origin} to {destination} in {} ({}): the unit price was not checked",
                    gl.hs_code(),
                    gl.value().currency().code(),
                    decision.price.status()
                );
                price.0 = if hold {
                    Outcome::Hold
                } else {
                    Outcome::NotChecked
                };
                price.1.push(message);
                price.2.push((
                    "no_price_reference".into(),
                    "house setting hold_without_price_reference".into(),
                    price.0,
                ));
            }
            price_checks.push(Check {
                step: "prices".into(),
                subject: format!("line {} ({})", i + 1, gl.hs_code()),
                outcome: price.0,
                findings: price.1.clone(),
                inputs: serde_json::json!({
                    "price": goods::PriceReport::of(&line, decision.price),
                    "value": gl.value().to_string(), "quantity": gl.quantity().to_string(),
                    "hold_without_price_reference": self.config.config.hold_without_price_reference,
                }),
            });
            for (category, (outcome, messages, codes)) in [("goods", goods), ("prices", price)] {
                if outcome != Outcome::Hold {
                    continue;
                }
                for (message, (code, basis, _)) in messages.iter().zip(&codes) {
                    alerts.push(Alert {
                        id: alert_id(&[subject, category, &i.to_string(), code]),
                        subject: subject.to_owned(),
                        participant: s.creditor.clone(),
                        category: category.into(),
                        code: code.clone(),
                        explanation: format!("line {} ({}): {message}", i + 1, gl.hs_code()),
                        inputs: serde_json::json!({ "line": i + 1, "basis": basis, "check": inputs }),
                        status: AlertStatus::Open,
                        case: String::new(),
                        created_at: now,
                    });
                }
            }
        }
        checks.extend(price_checks);
        Ok(all_humanitarian)
    }

    fn goods_line(
        &self,
        i: usize,
        gl: &model::GoodsLine,
        origin: &str,
        destination: &str,
    ) -> Result<Line, HouseError> {
        let hs = gl.hs_code().to_string();
        let quantity = gl.quantity().value().to_string();
        let value = gl.value().to_decimal().to_string();
        let id = (i + 1).to_string();
        let fields = LineFields {
            id: &id,
            hs_code: &hs,
            description: gl.description(),
            quantity: &quantity,
            unit: gl.quantity().unit().code(),
            value: &value,
            currency: gl.value().currency().code(),
            origin,
            destination,
        };
        Line::parse(&fields, self.checker().nomenclature()).map_err(|(field, message)| {
            HouseError::invalid(format!("goods_lines[{i}].{field}"), message)
        })
    }

    /// Goods lines checked against the export-control policy and the price bands, as a claim's
    /// would be, without a claim: for a firm to ask before it submits.
    pub fn check_goods_lines(
        &self,
        lines: &[model::GoodsLine],
        origin: &str,
        destination: &str,
    ) -> Result<Vec<serde_json::Value>, HouseError> {
        if lines.is_empty() || lines.len() > GOODS_LINES_MAX {
            return Err(HouseError::invalid(
                "goods_lines",
                format!("{} lines: 1 to {GOODS_LINES_MAX}", lines.len()),
            ));
        }
        let checker = self.checker();
        lines
            .iter()
            .enumerate()
            .map(|(i, gl)| {
                let line = self.goods_line(i, gl, origin, destination)?;
                let decision = checker.check(&line);
                let reasons: Vec<serde_json::Value> = checker
                    .reasons(&line, &decision)
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "verdict": format!("{:?}", r.verdict).to_lowercase(),
                            "code": r.code, "message": r.message, "basis": r.basis,
                        })
                    })
                    .collect();
                Ok(serde_json::json!({
                    "line": i + 1,
                    "hs_code": gl.hs_code().to_string(),
                    "verdict": format!("{:?}", decision.verdict).to_lowercase(),
                    "humanitarian": self.line_is_humanitarian(&line),
                    "reasons": reasons,
                }))
            })
            .collect()
    }

    /// Whether the policy rule for the line's subheading is the humanitarian whitelist.
    fn line_is_humanitarian(&self, line: &Line) -> bool {
        let checker = self.checker();
        let policy = checker.policy();
        policy.ruling(policy.entry(line.subheading).rule).code == HUMANITARIAN_CODE
    }

    /// Whether every line falls under the humanitarian whitelist.
    fn is_humanitarian(&self, s: &ClaimSubmission) -> bool {
        s.goods_lines.iter().enumerate().all(|(i, gl)| {
            self.goods_line(i, gl, "", "")
                .is_ok_and(|line| self.line_is_humanitarian(&line))
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn check_monitoring(
        &self,
        s: &ClaimSubmission,
        amount_minor: i64,
        now: u64,
        histories: &[History; 2],
        subject: &str,
        checks: &mut Vec<Check>,
        alerts: &mut Vec<Alert>,
    ) -> Result<(), HouseError> {
        let settings = &self.config.config.monitoring;
        // A claim between the two parties is in both histories: taken from the creditor's.
        // Each read newest first, the rules' order: two runs for their sort to merge.
        let involves_creditor = |p: &Past| *p.creditor == *s.creditor || *p.debtor == *s.creditor;
        let history = || {
            histories[0]
                .iter()
                .rev()
                .chain(histories[1].iter().rev().filter(|p| !involves_creditor(p)))
        };
        let candidate = Candidate {
            claim_id: &s.id,
            submitted_at_ns: now,
            creditor: &s.creditor,
            debtor: &s.debtor,
            amount_minor,
            currency: self.config.clearing_currency,
        };
        let findings = monitoring::evaluate(settings, &candidate, history());
        checks.push(Check {
            step: "monitoring".into(),
            subject: format!("{} → {}", s.debtor, s.creditor),
            outcome: if findings.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Hold
            },
            findings: findings.iter().map(|f| f.explanation.clone()).collect(),
            inputs: serde_json::json!({
                "amount_minor": amount_minor, "history_claims": history().count(),
                "settings": settings, "findings": findings,
            }),
        });
        for f in findings {
            let code = serde_json::to_value(f.rule)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            alerts.push(Alert {
                id: alert_id(&[subject, "monitoring", &code]),
                subject: subject.to_owned(),
                participant: s.creditor.clone(),
                category: "monitoring".into(),
                code,
                explanation: f.explanation,
                inputs: f.inputs,
                status: AlertStatus::Open,
                case: String::new(),
                created_at: now,
            });
        }
        Ok(())
    }
}

/// Whether a claim in this state is out of clearing for good without having cleared anything.
fn is_closed(status: ClaimStatus) -> bool {
    matches!(
        status,
        ClaimStatus::Rejected | ClaimStatus::Disputed | ClaimStatus::Withdrawn
    )
}

impl House {
    /// Whether the claim holding an invoice key (not `this` one) is out of clearing.
    fn key_holder_closed(&self, holder: &str, this: &str) -> Result<bool, HouseError> {
        if holder == this {
            return Ok(false);
        }
        Ok(self
            .load::<ClaimRecord>(kind::CLAIM, holder)?
            .is_some_and(|c| is_closed(c.value.status)))
    }
}

/// Both parties must be active: a participant with an open hit can neither submit nor receive.
fn check_parties(
    creditor: &ParticipantRecord,
    debtor: &ParticipantRecord,
    checks: &mut Vec<Check>,
) {
    let mut findings = Vec::new();
    for (role, p) in [("creditor", creditor), ("debtor", debtor)] {
        if p.status != ParticipantStatus::Active {
            findings.push(format!(
                "{role} {} is {} (open alerts: {}): it can neither submit nor receive claims",
                p.participant.id(),
                p.status.as_str(),
                if p.open_alerts.is_empty() {
                    "none".to_owned()
                } else {
                    p.open_alerts.join(", ")
                }
            ));
        }
    }
    checks.push(Check {
        step: "parties".into(),
        subject: format!("creditor {}, debtor {}", creditor.participant.id(), debtor.participant.id()),
        outcome: if findings.is_empty() { Outcome::Pass } else { Outcome::Reject },
        findings,
        inputs: serde_json::json!({
            "creditor": { "id": creditor.participant.id(), "status": creditor.status, "open_alerts": creditor.open_alerts, "lists_version": creditor.lists_version },
            "debtor": { "id": debtor.participant.id(), "status": debtor.status, "open_alerts": debtor.open_alerts, "lists_version": debtor.lists_version },
        }),
    });
}

fn rejected(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.outcome == Outcome::Reject)
}

/// Field checks that need no stored data; errors name the field.
fn validate(s: &ClaimSubmission) -> Result<(), HouseError> {
    let key = s.idempotency_key.trim();
    if key.is_empty() || key.len() > IDEMPOTENCY_KEY_BYTES_MAX || key != s.idempotency_key {
        return Err(HouseError::invalid(
            "idempotency_key",
            format!("1 to {IDEMPOTENCY_KEY_BYTES_MAX} bytes without surrounding spaces"),
        ));
    }
    s.id.parse::<ClaimId>()
        .map_err(|e| HouseError::invalid("id", e.to_string()))?;
    s.creditor
        .parse::<ParticipantId>()
        .map_err(|e| HouseError::invalid("creditor", e.to_string()))?;
    s.debtor
        .parse::<ParticipantId>()
        .map_err(|e| HouseError::invalid("debtor", e.to_string()))?;
    if s.creditor == s.debtor {
        return Err(HouseError::invalid(
            "debtor",
            "must differ from the creditor",
        ));
    }
    for (field, text) in [
        ("invoice_number", &s.invoice_number),
        ("invoice_counterparty.name", &s.invoice_counterparty.name),
    ] {
        if text.trim().is_empty() || text.len() > INVOICE_TEXT_BYTES_MAX {
            return Err(HouseError::invalid(
                field,
                format!("1 to {INVOICE_TEXT_BYTES_MAX} bytes required"),
            ));
        }
        model::clean_text(text, INVOICE_TEXT_BYTES_MAX)
            .map_err(|e| HouseError::invalid(field, e.to_string()))?;
    }
    if let Some(country) = &s.invoice_counterparty.country {
        country
            .parse::<model::CountryCode>()
            .map_err(|e| HouseError::invalid("invoice_counterparty.country", e.to_string()))?;
    }
    if !INCOTERMS.contains(&s.incoterms.as_str()) {
        return Err(HouseError::invalid(
            "incoterms",
            format!(
                "{:?} is not an Incoterms 2020 rule ({})",
                s.incoterms,
                INCOTERMS.join(", ")
            ),
        ));
    }
    if !s.amount.is_positive() {
        return Err(HouseError::invalid("amount", "must be positive"));
    }
    if s.goods_lines.is_empty() || s.goods_lines.len() > GOODS_LINES_MAX {
        return Err(HouseError::invalid(
            "goods_lines",
            format!("1 to {GOODS_LINES_MAX} lines required"),
        ));
    }
    for (i, line) in s.goods_lines.iter().enumerate() {
        if line.value().currency() != s.amount.currency() {
            return Err(HouseError::invalid(
                format!("goods_lines[{i}].value"),
                format!(
                    "in {}, not the claim's {}",
                    line.value().currency().code(),
                    s.amount.currency().code()
                ),
            ));
        }
    }
    let sum = Money::checked_sum(s.amount.currency(), s.goods_lines.iter().map(|l| l.value()))
        .map_err(|e| HouseError::invalid("goods_lines", e.to_string()))?;
    if sum != s.amount {
        return Err(HouseError::invalid(
            "amount",
            format!("{} but the goods lines sum to {sum}", s.amount),
        ));
    }
    Ok(())
}

/// A due date within [`DUE_DATE_PAST_DAYS_MAX`] before and [`DUE_DATE_AHEAD_DAYS_MAX`] after
/// the submission.
fn check_due_date(due: model::Date, now: u64) -> Result<(), HouseError> {
    const DAY_NS: u64 = 86_400 * 1_000_000_000;
    let today = model::calendar::utc_date(now);
    let earliest = model::calendar::utc_date(now.saturating_sub(DUE_DATE_PAST_DAYS_MAX * DAY_NS));
    let latest = now
        .checked_add(DUE_DATE_AHEAD_DAYS_MAX * DAY_NS)
        .map(model::calendar::utc_date);
    if due < earliest {
        return Err(HouseError::invalid(
            "due_date",
            format!(
                "{due} is more than {DUE_DATE_PAST_DAYS_MAX} days before today ({today}): not a claim the house clears"
            ),
        ));
    }
    if latest.is_some_and(|latest| due > latest) {
        return Err(HouseError::invalid(
            "due_date",
            format!("{due} is more than {DUE_DATE_AHEAD_DAYS_MAX} days after today ({today})"),
        ));
    }
    Ok(())
}

/// The keys under which an invoice is recognised again: the parties and the invoice number
/// (letters and digits only, upper case: `INV-1`, `inv 1` and `INV1` are one number), and the
/// parties, the amount and the due date.
fn invoice_keys(s: &ClaimSubmission) -> [(&'static str, String); 2] {
    let number: String = s
        .invoice_number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    let digest = |parts: &[&str]| {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hex::encode(&hasher.finalize()[..16])
    };
    let amount = s.amount.to_string();
    let due = s.due_date.to_string();
    [
        (kind::INVOICE, digest(&[&s.creditor, &s.debtor, &number])),
        (
            kind::INVOICE_AMOUNT,
            digest(&[&s.creditor, &s.debtor, &amount, &due]),
        ),
    ]
}

/// SHA-256 of the request's canonical JSON.
fn request_hash(s: &ClaimSubmission) -> Result<String, HouseError> {
    Ok(hex::encode(Sha256::digest(crate::json(s)?.as_bytes())))
}

/// Most goods lines of past claims the price bands learn from (the most recent).
pub const PRICE_LINES_LEARNED_MAX: usize = 200_000;

impl House {
    /// Rebuilds the price bands from `reference` observations (a reference file, possibly
    /// empty) and the goods lines of the claims the house accepted (queued, partly or fully
    /// cleared; at most [`PRICE_LINES_LEARNED_MAX`], the most recent), so that the bands follow
    /// what the house itself clears. Returns how many lines were learned.
    pub fn learn_prices(&self, mut reference: goods::PriceHistory) -> Result<usize, HouseError> {
        let countries: std::collections::HashMap<String, String> = self
            .participants(None)?
            .into_iter()
            .map(|p| {
                let country = p.participant.country().as_str().to_owned();
                (p.participant.id().to_string(), country)
            })
            .collect();
        let mut learned = 0;
        for status in [
            ClaimStatus::Queued,
            ClaimStatus::PartiallyCleared,
            ClaimStatus::Cleared,
        ] {
            let query = RecordQuery {
                kind: kind::CLAIM.into(),
                status: Some(status.as_str().into()),
                newest_first: true,
                ..RecordQuery::default()
            };
            for claim in self.list::<ClaimRecord>(query, PRICE_LINES_LEARNED_MAX - learned)? {
                let s = &claim.value.submission;
                let origin = countries.get(&s.creditor).map_or("", String::as_str);
                let destination = countries.get(&s.debtor).map_or("", String::as_str);
                for (i, gl) in s.goods_lines.iter().enumerate() {
                    if learned >= PRICE_LINES_LEARNED_MAX {
                        break;
                    }
                    // A line the nomenclature or the unit table no longer takes teaches nothing.
                    let Ok(line) = self.goods_line(i, gl, origin, destination) else {
                        continue;
                    };
                    if reference.add_line(&line).is_ok() {
                        learned += 1;
                    }
                }
            }
        }
        let current = self.checker();
        let policy = current.policy().clone();
        let bands = reference.bands(policy.band_settings());
        let checker = goods::Checker::new(current.nomenclature().clone(), policy, Some(bands))
            .map_err(|e| HouseError::Clearing(e.to_string()))?;
        self.set_checker(Arc::new(checker));
        Ok(learned)
    }
}
