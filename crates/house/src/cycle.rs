//! Clearing cycles: the queued claims up to a cut-off, the INSTEX selection, the ledger
//! postings, and per zone the pain.001 payment file and a camt.053 and CSV statement per
//! participant.
//!
//! A cycle is one change: every claim's new state, every posting and the cycle record commit
//! together or not at all. The files are written to a temporary directory first, their hashes
//! go into the cycle record, and the directory is renamed into place once the change committed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ledger::{NewTransfer, TransferFlags};
use netting::instex::{self, ClaimBook, Direction, Options, SubmittedAt};
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::{Change, RecordQuery};

use crate::error::HouseError;
use crate::review::claim_record;
use crate::types::*;
use crate::{Commit, House, Versioned, audit, expect, ids, record};
use iso20022::{self, Account, CreditTransfer, Entry, PaymentInitiation};

/// Most claims one cycle takes (the rest, lowest ranked, wait for the next): each takes up to
/// two ledger transfers, and a cycle's transfers must fit one ledger batch with the payments.
pub const CYCLE_CLAIMS_MAX: usize = 2_000;
const DAY_NS: u64 = 86_400 * 1_000_000_000;

/// How to run a cycle.
#[derive(Debug, Clone, Default)]
pub struct CycleOptions {
    /// Take claims submitted up to this time (UTC nanoseconds); default now.
    pub cutoff: Option<u64>,
    /// Where the settlement files go (a directory `cycle-<n>` is made in it).
    pub out_dir: PathBuf,
    /// Run domestic set-off before the INSTEX selection; default as configured.
    pub set_off_domestic: Option<bool>,
}

/// What a cycle did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleReport {
    pub cycle: Cycle,
    /// The directory holding its files.
    pub directory: String,
    /// Claims that stayed queued because a party is suspended or under review.
    pub skipped: Vec<String>,
}

/// One line of a participant's statement for a cycle, in the zone's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub reference: String,
    /// `true`: the house owes the participant more (a claim cleared as creditor, a pay-in).
    pub credit: bool,
    pub amount_minor: i64,
    pub counterparty: Option<String>,
    pub description: String,
}

/// A participant's statement for one cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub participant: String,
    pub cycle: u64,
    pub zone: String,
    pub currency: String,
    pub opening_minor: i64,
    pub closing_minor: i64,
    pub lines: Vec<StatementLine>,
}

/// Every participant by id, with the version read.
type Participants = HashMap<String, Versioned<ParticipantRecord>>;

/// The record id of cycle `n`.
pub(crate) fn cycle_id(n: u64) -> String {
    format!("{n:010}")
}

impl House {
    /// Runs a clearing cycle.
    pub fn run_cycle(
        &self,
        actor: &str,
        options: &CycleOptions,
    ) -> Result<CycleReport, HouseError> {
        crate::check_actor("actor", actor)?;
        for _ in 0..crate::ATTEMPTS_MAX {
            if let Some(report) = self.try_cycle(actor, options)? {
                return Ok(report);
            }
        }
        Err(HouseError::Contention {
            what: "the queued claims".into(),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    fn try_cycle(
        &self,
        actor: &str,
        options: &CycleOptions,
    ) -> Result<Option<CycleReport>, HouseError> {
        let now = self.now();
        let cutoff = options.cutoff.unwrap_or(now);
        let number = self.cycles_last()? + 1;
        // Every participant, read once: their states decide which claims are taken, and the
        // versions read are expected unchanged when the cycle commits (a participant suspended
        // meanwhile makes the cycle start again without its claims).
        let participants: Participants = self
            .list::<ParticipantRecord>(
                RecordQuery {
                    kind: kind::PARTICIPANT.into(),
                    ..RecordQuery::default()
                },
                usize::MAX,
            )?
            .into_iter()
            .map(|v| (v.value.participant.id().to_string(), v))
            .collect();
        let mut taken: Vec<Versioned<ClaimRecord>> = Vec::new();
        let mut skipped = Vec::new();
        let clearable = [ClaimStatus::Queued, ClaimStatus::PartiallyCleared];
        let up_to_cutoff = RecordQuery {
            at_to: Some(cutoff),
            ..RecordQuery::default()
        };
        for claim in self.claims_in(&clearable, up_to_cutoff)? {
            let mut active = true;
            for p in [
                &claim.value.submission.creditor,
                &claim.value.submission.debtor,
            ] {
                let status = participants.get(p).map(|v| v.value.status);
                active &= status == Some(ParticipantStatus::Active);
            }
            if active {
                taken.push(claim);
            } else {
                skipped.push(claim.value.submission.id.clone());
            }
        }
        taken.sort_by(|a, b| {
            let key = |c: &ClaimRecord| (c.priority, c.submitted_at, c.submission.id.clone());
            key(&a.value).cmp(&key(&b.value))
        });
        let (taken, engine_claims) = self.within_limits(actor, taken, &mut skipped)?;
        let book =
            ClaimBook::new(engine_claims).map_err(|e| HouseError::Clearing(e.to_string()))?;
        let set_off_domestic = options
            .set_off_domestic
            .unwrap_or(self.config.config.set_off_domestic);
        let settlement = instex::settle(&book, Options { set_off_domestic })
            .map_err(|e| HouseError::Clearing(e.to_string()))?;
        let violations = instex::check_settlement(&book, &settlement);
        if !violations.is_empty() {
            let violations: Vec<String> = violations.iter().map(ToString::to_string).collect();
            return Err(HouseError::Clearing(format!(
                "the settlement breaks its invariants: {}",
                violations.join("; ")
            )));
        }
        let mut change = Change::default();
        let mut cycle = Cycle {
            number,
            cutoff,
            run_at: now,
            run_by: actor.to_owned(),
            set_off_domestic,
            clearing_currency: self.config.clearing_currency.code().to_owned(),
            claims: Vec::new(),
            payments: Vec::new(),
            zones: Vec::new(),
            files: Vec::new(),
            // The history so far, as a receipt every file of the cycle carries: whoever keeps a
            // file can later check that the house's journals still hold it.
            receipt: Some(self.store.heads()?.to_string()),
        };
        self.settle_claims(&mut change, &mut cycle, taken, &settlement)?;
        self.plan_payments(&mut change, &mut cycle, &settlement)?;
        cycle.zones = self.zone_totals(&cycle, &participants);
        let mut involved = BTreeSet::new();
        for c in &cycle.claims {
            involved.extend([c.creditor.as_str(), c.debtor.as_str()]);
        }
        for id in involved {
            let version = participants.get(id).map(|v| v.version);
            change.expect.push(expect(kind::PARTICIPANT, id, version));
        }
        let out_dir = settlement_dir(&options.out_dir)?;
        remove_stale_partials(&out_dir);
        let final_dir = out_dir.join(format!("cycle-{number}"));
        // Unique to this attempt: another cycle run at the same time (a thread or a process
        // computing the same number) must not write into, rename or delete these files.
        static ATTEMPTS: AtomicU64 = AtomicU64::new(0);
        let temp_dir = out_dir.join(format!(
            ".cycle-{number}.partial-{}-{}",
            std::process::id(),
            ATTEMPTS.fetch_add(1, Ordering::Relaxed)
        ));
        cycle.files = match self.write_files(&cycle, &temp_dir, &participants) {
            Ok(files) => files,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&temp_dir);
                return Err(e);
            }
        };
        change
            .expect
            .push(expect(kind::CYCLE, &cycle_id(number), None));
        change.put.push(record(
            kind::CYCLE,
            &cycle_id(number),
            1,
            "done",
            ("", ""),
            now,
            &cycle,
        )?);
        change.audit.push(audit(
            actor,
            "cycle.run",
            format!("cycle:{number}"),
            &serde_json::json!({
                "cutoff": cutoff, "set_off_domestic": set_off_domestic,
                "claims": cycle.claims, "payments": cycle.payments, "zones": cycle.zones,
                "files": cycle.files, "skipped": skipped,
            }),
        )?);
        match self.commit(change, "the cycle's postings")? {
            Commit::Done => {}
            Commit::Raced(_) => {
                let _ = std::fs::remove_dir_all(&temp_dir);
                return Ok(None);
            }
        }
        if final_dir.exists() {
            // A directory left by a cycle of another database: keep it beside.
            let aside = out_dir.join(format!("cycle-{number}.replaced-{now}"));
            rename(&final_dir, &aside)?;
        }
        rename(&temp_dir, &final_dir)?;
        Ok(Some(CycleReport {
            cycle,
            // As the operator named it.
            directory: options
                .out_dir
                .join(format!("cycle-{number}"))
                .display()
                .to_string(),
            skipped,
        }))
    }

    /// The claims one cycle can take, in rank order: at most [`CYCLE_CLAIMS_MAX`], and no more
    /// in total than every zone's currency can sum ([`crate::config::Checked::cycle_total_minor_max`]);
    /// the others wait for the next cycle (`skipped`). A claim that no cycle could take (an
    /// amount beyond the per-claim limit, or a record the engine cannot read) is set aside:
    /// held with an alert for the officers, so that it never blocks the others.
    fn within_limits(
        &self,
        actor: &str,
        ranked: Vec<Versioned<ClaimRecord>>,
        skipped: &mut Vec<String>,
    ) -> Result<(Vec<Versioned<ClaimRecord>>, Vec<instex::Claim>), HouseError> {
        let claim_max = self.config.claim_minor_max();
        let total_max = self.config.cycle_total_minor_max();
        let mut total: i64 = 0;
        let mut taken = Vec::with_capacity(ranked.len().min(CYCLE_CLAIMS_MAX));
        let mut engine_claims = Vec::with_capacity(taken.capacity());
        for claim in ranked {
            let remaining = claim.value.remaining_minor();
            // Each claim is read for the engine once, and checked alone as the engine would.
            let engine = self.engine_claim(&claim.value).and_then(|e| {
                ClaimBook::new(vec![e.clone()])
                    .map(|_| e)
                    .map_err(|e| HouseError::Clearing(e.to_string()))
            });
            let engine = match engine {
                Ok(engine) if remaining > 0 && remaining <= claim_max => engine,
                Ok(_) => {
                    let why = format!(
                        "{remaining} minor units still owed, outside 1 to {claim_max}, the most one claim may clear"
                    );
                    self.set_aside(actor, claim, &why)?;
                    continue;
                }
                Err(e) => {
                    let why = format!("the clearing engine cannot take it: {e}");
                    self.set_aside(actor, claim, &why)?;
                    continue;
                }
            };
            match total.checked_add(remaining) {
                Some(sum) if sum <= total_max && taken.len() < CYCLE_CLAIMS_MAX => {
                    total = sum;
                    taken.push(claim);
                    engine_claims.push(engine);
                }
                _ => skipped.push(claim.value.submission.id.clone()),
            }
        }
        Ok((taken, engine_claims))
    }

    /// Holds a claim no cycle can take, with an alert and a case; its reservation stays, so
    /// that a release puts it back in the queue as it was.
    fn set_aside(
        &self,
        actor: &str,
        claim: Versioned<ClaimRecord>,
        why: &str,
    ) -> Result<(), HouseError> {
        let Versioned {
            value: mut c,
            version,
        } = claim;
        let id = c.submission.id.clone();
        let subject = format!("claim:{id}");
        let now = self.now();
        let mut alerts = vec![Alert {
            id: crate::onboarding::alert_id(&[
                &subject,
                "clearing",
                "set_aside",
                &version.to_string(),
            ]),
            subject: subject.clone(),
            participant: c.submission.creditor.clone(),
            category: "clearing".into(),
            code: "set_aside".into(),
            explanation: format!("claim {id} was set aside by the clearing cycle: {why}"),
            inputs: serde_json::json!({
                "remaining_minor": c.remaining_minor(),
                "claim_minor_max": self.config.claim_minor_max(),
                "cycle_total_minor_max": self.config.cycle_total_minor_max(),
            }),
            status: AlertStatus::Open,
            case: String::new(),
            created_at: now,
        }];
        let mut change = self.hold_claim(&mut c, version, &mut alerts, now)?;
        change.put.push(claim_record(&c, version + 1)?);
        change.audit.push(audit(
            actor,
            "claim.set_aside",
            subject,
            &serde_json::json!({ "why": why, "alerts": alerts }),
        )?);
        // Lost a race (a decision moved the claim meanwhile): the next cycle looks again.
        self.commit(change, "nothing")?;
        Ok(())
    }

    /// The number of the last cycle (0 if none).
    fn cycles_last(&self) -> Result<u64, HouseError> {
        let query = RecordQuery {
            kind: kind::CYCLE.into(),
            newest_first: true,
            limit: 1,
            ..RecordQuery::default()
        };
        let last = self.store.records(&query)?;
        last.first().map_or(Ok(0), |r| {
            r.id.parse::<u64>().map_err(|e| HouseError::Corrupt {
                kind: r.kind.clone(),
                id: r.id.clone(),
                message: e.to_string(),
            })
        })
    }

    /// A claim as the clearing engine takes it: what it still owes, its parties and zones.
    fn engine_claim(&self, c: &ClaimRecord) -> Result<instex::Claim, HouseError> {
        let parse = |text: &str, what: &str| HouseError::Corrupt {
            kind: kind::CLAIM.into(),
            id: c.submission.id.clone(),
            message: format!("{what} {text:?}"),
        };
        let submitted_at = SubmittedAt::new(
            model::calendar::utc_date(c.submitted_at),
            c.submitted_at % DAY_NS,
        )
        .ok_or_else(|| parse("", "submitted_at"))?;
        Ok(instex::Claim {
            id: c
                .submission
                .id
                .parse()
                .map_err(|_| parse(&c.submission.id, "id"))?,
            debtor: c
                .submission
                .debtor
                .parse()
                .map_err(|_| parse(&c.submission.debtor, "debtor"))?,
            debtor_zone: c
                .debtor_zone
                .parse()
                .map_err(|_| parse(&c.debtor_zone, "zone"))?,
            creditor: c
                .submission
                .creditor
                .parse()
                .map_err(|_| parse(&c.submission.creditor, "creditor"))?,
            creditor_zone: c
                .creditor_zone
                .parse()
                .map_err(|_| parse(&c.creditor_zone, "zone"))?,
            amount: c.remaining_minor(),
            currency: self.config.clearing_currency,
            priority: c.priority,
            submitted_at,
        })
    }

    /// Posts each claim's cleared part, reserves the rest again, and updates its record.
    fn settle_claims(
        &self,
        change: &mut Change,
        cycle: &mut Cycle,
        taken: Vec<Versioned<ClaimRecord>>,
        settlement: &instex::Settlement,
    ) -> Result<(), HouseError> {
        let n = cycle.number;
        for (
            i,
            Versioned {
                value: mut c,
                version,
            },
        ) in taken.into_iter().enumerate()
        {
            let owed = c.remaining_minor();
            let cleared = settlement.cleared[i];
            let id = c.submission.id.clone();
            if cleared > 0 {
                let pending = c.reserve_transfer.ok_or_else(|| HouseError::Corrupt {
                    kind: kind::CLAIM.into(),
                    id: id.clone(),
                    message: "queued without a reservation".into(),
                })?;
                let post = NewTransfer {
                    id: ids::settle(&id, n),
                    pending_id: pending,
                    amount: cleared as u64,
                    user_data_64: n,
                    flags: TransferFlags::POST_PENDING,
                    ..NewTransfer::default()
                };
                change.transfers.push(post);
                c.cleared_minor += cleared;
                c.settlements.push(Settled {
                    cycle: n,
                    amount_minor: cleared,
                    set_off_minor: settlement.set_off[i],
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
                change.put.push(claim_record(&c, version + 1)?);
            }
            cycle.claims.push(CycleClaim {
                claim: id,
                creditor: c.submission.creditor.clone(),
                debtor: c.submission.debtor.clone(),
                priority: c.priority,
                owed_minor: owed,
                cleared_minor: cleared,
                set_off_minor: settlement.set_off[i],
                status_after: c.status,
            });
        }
        Ok(())
    }

    /// One pay-in or pay-out transfer per participant and direction, through its zone house.
    fn plan_payments(
        &self,
        change: &mut Change,
        cycle: &mut Cycle,
        settlement: &instex::Settlement,
    ) -> Result<(), HouseError> {
        let n = cycle.number;
        let ledger = ids::ledger_of(&self.config);
        for p in &settlement.payments {
            let zone = self
                .config
                .zone(&p.zone)
                .ok_or_else(|| HouseError::Clearing(format!("no zone {}", p.zone)))?;
            let amount = i64::try_from(p.amount).map_err(|_| {
                HouseError::Clearing(format!("payment of {} does not fit", p.amount))
            })?;
            let zone_amount = amount.checked_mul(zone.minor_rate).ok_or_else(|| {
                HouseError::Clearing(format!("{amount} at {} overflows", zone.rate))
            })?;
            let participant = p.participant.to_string();
            let house = ids::zone_account(&self.config, &p.zone).id;
            let account = ids::participant_account(&self.config, &participant).id;
            let (direction, debit, credit, code) = match p.direction {
                Direction::PaysHouse => ("pay_in", house, account, ids::TRANSFER_PAY_IN),
                Direction::PaidByHouse => ("pay_out", account, house, ids::TRANSFER_PAY_OUT),
            };
            let id = ids::payment(n, &participant, direction);
            change.transfers.push(NewTransfer {
                id,
                debit_account_id: debit,
                credit_account_id: credit,
                amount: amount as u64,
                user_data_64: n,
                ledger,
                code,
                ..NewTransfer::default()
            });
            cycle.payments.push(CyclePayment {
                zone: p.zone.to_string(),
                participant,
                direction: direction.into(),
                amount_minor: amount,
                zone_amount_minor: zone_amount,
                zone_currency: zone.currency.code().into(),
                transfer_id: id,
            });
        }
        Ok(())
    }

    fn zone_totals(&self, cycle: &Cycle, participants: &Participants) -> Vec<CycleZone> {
        let zone_of = |id: &str| {
            participants
                .get(id)
                .map(|v| v.value.participant.zone().to_string())
        };
        self.config
            .zones
            .iter()
            .map(|z| {
                let code = z.code.to_string();
                let mut t = CycleZone {
                    zone: code.clone(),
                    currency: z.currency.code().into(),
                    paid_in_minor: 0,
                    paid_out_minor: 0,
                    domestic_minor: 0,
                    cross_border_in_minor: 0,
                    cross_border_out_minor: 0,
                };
                for p in cycle.payments.iter().filter(|p| p.zone == code) {
                    if p.direction == "pay_in" {
                        t.paid_in_minor += p.zone_amount_minor;
                    } else {
                        t.paid_out_minor += p.zone_amount_minor;
                    }
                }
                for c in &cycle.claims {
                    let cz = zone_of(&c.creditor);
                    let dz = zone_of(&c.debtor);
                    match (cz.as_deref() == Some(&code), dz.as_deref() == Some(&code)) {
                        (true, true) => t.domestic_minor += c.cleared_minor,
                        (true, false) => t.cross_border_in_minor += c.cleared_minor,
                        (false, true) => t.cross_border_out_minor += c.cleared_minor,
                        _ => {}
                    }
                }
                t
            })
            .collect()
    }

    /// A participant's statement for one cycle, in its zone's currency.
    pub fn statement(&self, participant: &str, number: u64) -> Result<Statement, HouseError> {
        let cycle = self.cycle(number)?;
        let p: ParticipantRecord = self.get(kind::PARTICIPANT, participant)?.value;
        statement_of(&self.config, &cycle, &p)
    }

    /// The pain.001 of each zone and the statements of each participant of the cycle.
    fn write_files(
        &self,
        cycle: &Cycle,
        dir: &Path,
        participants: &Participants,
    ) -> Result<Vec<CycleFile>, HouseError> {
        let get = |id: &str| -> Result<ParticipantRecord, HouseError> {
            participants
                .get(id)
                .map(|v| v.value.clone())
                .ok_or_else(|| HouseError::NotFound {
                    kind: kind::PARTICIPANT,
                    id: id.to_owned(),
                })
        };
        let _ = std::fs::remove_dir_all(dir);
        create_dir(dir)?;
        let mut files = Vec::new();
        let mut by_zone: BTreeMap<String, Vec<&CyclePayment>> = BTreeMap::new();
        for p in &cycle.payments {
            by_zone.entry(p.zone.clone()).or_default().push(p);
        }
        for zone in &self.config.zones {
            let code = zone.code.to_string();
            let zone_dir = dir.join(&code);
            create_dir(&zone_dir)?;
            let payees: Vec<(&CyclePayment, ParticipantRecord)> = by_zone
                .get(&code)
                .into_iter()
                .flatten()
                .filter(|p| p.direction == "pay_out")
                .map(|p| Ok((*p, get(&p.participant)?)))
                .collect::<Result<_, HouseError>>()?;
            if !payees.is_empty() {
                let path = zone_dir.join(format!("pain001-cycle-{}-{code}.xml", cycle.number));
                let bytes = self.pain001(cycle, zone, &payees)?;
                files.push(write_file(dir, &path, &bytes)?);
            }
            let mut involved = BTreeSet::new();
            for c in cycle.claims.iter().filter(|c| c.cleared_minor > 0) {
                involved.extend([c.creditor.as_str(), c.debtor.as_str()]);
            }
            for id in involved {
                let p = get(id)?;
                if p.participant.zone() != &zone.code {
                    continue;
                }
                let statement = statement_of(&self.config, cycle, &p)?;
                let (xml, csv) = statement_files(&self.config, cycle, &p, &statement)?;
                let stem = format!("statement-cycle-{}-{id}", cycle.number);
                files.push(write_file(
                    dir,
                    &zone_dir.join(format!("{stem}.camt053.xml")),
                    &xml,
                )?);
                files.push(write_file(
                    dir,
                    &zone_dir.join(format!("{stem}.csv")),
                    &csv,
                )?);
            }
        }
        Ok(files)
    }

    fn pain001(
        &self,
        cycle: &Cycle,
        zone: &crate::config::Zone,
        payees: &[(&CyclePayment, ParticipantRecord)],
    ) -> Result<Vec<u8>, HouseError> {
        let ends: Vec<String> = payees
            .iter()
            .map(|(p, _)| {
                format!(
                    "C{}-{:x}",
                    cycle.number,
                    ids::derive(&[&p.participant]) >> 8
                )
            })
            .collect();
        let remittance = format!("{} cycle {}", self.config.config.name, cycle.number);
        let ibans: Vec<(String, String)> = payees
            .iter()
            .map(|(_, r)| {
                let account = r.participant.bank_account();
                (
                    account.map(|a| a.iban().to_string()).unwrap_or_default(),
                    account.map(|a| a.bic().to_string()).unwrap_or_default(),
                )
            })
            .collect();
        let transfers: Vec<CreditTransfer<'_>> = payees
            .iter()
            .zip(&ends)
            .zip(&ibans)
            .map(|(((p, r), end), (iban, bic))| CreditTransfer {
                end_to_end_id: end,
                creditor: Account {
                    name: r.participant.legal_name(),
                    iban,
                    bic,
                },
                amount_minor: p.zone_amount_minor,
                remittance: &remittance,
            })
            .collect();
        let house_iban = zone.account.iban().to_string();
        let house_bic = zone.account.bic().to_string();
        let message_id = format!("CH-C{}-{}", cycle.number, zone.code);
        let initiation = PaymentInitiation {
            message_id: &message_id,
            created_at_ns: cycle.run_at,
            execution_date: model::calendar::utc_date(cycle.run_at),
            currency: zone.currency,
            debtor: Account {
                name: &zone.account_name,
                iban: &house_iban,
                bic: &house_bic,
            },
            initiating_party: &self.config.config.name,
            transfers: &transfers,
            receipt: cycle.receipt.as_deref(),
        };
        let mut bytes = Vec::new();
        iso20022::write_pain001(&initiation, &mut bytes).map_err(|e| HouseError::File {
            path: format!("pain.001 of zone {}", zone.code),
            message: e.to_string(),
        })?;
        Ok(bytes)
    }
}

/// The statement lines of a participant in a cycle: its cleared claims and its payments.
pub(crate) fn statement_of(
    config: &crate::config::Checked,
    cycle: &Cycle,
    p: &ParticipantRecord,
) -> Result<Statement, HouseError> {
    let id = p.participant.id().to_string();
    let zone = config
        .zone(p.participant.zone())
        .ok_or_else(|| HouseError::Clearing(format!("no zone {}", p.participant.zone())))?;
    let convert = |minor: i64| {
        minor
            .checked_mul(zone.minor_rate)
            .ok_or_else(|| HouseError::Clearing(format!("{minor} at {} overflows", zone.rate)))
    };
    let mut lines = Vec::new();
    for c in cycle.claims.iter().filter(|c| c.cleared_minor > 0) {
        let (credit, other) = if c.creditor == id {
            (true, &c.debtor)
        } else if c.debtor == id {
            (false, &c.creditor)
        } else {
            continue;
        };
        let mut description = format!(
            "claim {} cleared in cycle {} ({} of {} owed",
            c.claim, cycle.number, c.cleared_minor, c.owed_minor
        );
        if c.set_off_minor > 0 {
            description.push_str(&format!(", {} by set-off", c.set_off_minor));
        }
        description.push_str(&format!(" {} minor units)", cycle.clearing_currency));
        lines.push(StatementLine {
            reference: format!("C{}-{}", cycle.number, c.claim),
            credit,
            amount_minor: convert(c.cleared_minor)?,
            counterparty: Some(other.clone()),
            description,
        });
    }
    for pay in cycle.payments.iter().filter(|x| x.participant == id) {
        let pay_in = pay.direction == "pay_in";
        lines.push(StatementLine {
            reference: format!("C{}-{}", cycle.number, pay.direction),
            credit: pay_in,
            amount_minor: pay.zone_amount_minor,
            counterparty: Some(zone.account_name.clone()),
            description: if pay_in {
                format!("paid in to the {} zone house account", zone.code)
            } else {
                format!("paid out from the {} zone house account", zone.code)
            },
        });
    }
    let closing = lines.iter().try_fold(0i64, |sum, l| {
        let signed = if l.credit {
            l.amount_minor
        } else {
            -l.amount_minor
        };
        sum.checked_add(signed)
    });
    Ok(Statement {
        participant: id,
        cycle: cycle.number,
        zone: zone.code.to_string(),
        currency: zone.currency.code().into(),
        opening_minor: 0,
        closing_minor: closing.ok_or_else(|| HouseError::Clearing("statement overflows".into()))?,
        lines,
    })
}

/// A statement as camt.053 XML and as CSV.
fn statement_files(
    config: &crate::config::Checked,
    cycle: &Cycle,
    p: &ParticipantRecord,
    s: &Statement,
) -> Result<(Vec<u8>, Vec<u8>), HouseError> {
    let zone = config
        .zone(p.participant.zone())
        .ok_or_else(|| HouseError::Clearing(format!("no zone {}", p.participant.zone())))?;
    let entries: Vec<Entry<'_>> = s
        .lines
        .iter()
        .map(|l| Entry {
            reference: &l.reference,
            booked_at_ns: cycle.run_at,
            amount_minor: l.amount_minor,
            credit: l.credit,
            counterparty: l.counterparty.as_deref(),
            description: &l.description,
        })
        .collect();
    let account = p.participant.bank_account();
    let iban = account.map(|a| a.iban().to_string()).unwrap_or_default();
    let bic = account.map(|a| a.bic().to_string()).unwrap_or_default();
    let house_bic = zone.account.bic().to_string();
    let short = format!(
        "C{}-{:x}",
        cycle.number,
        ids::derive(&[&s.participant]) >> 8
    );
    let statement = iso20022::Statement {
        message_id: &short,
        statement_id: &short,
        created_at_ns: cycle.run_at,
        sequence: cycle.number,
        from_ns: cycle.run_at,
        to_ns: cycle.run_at,
        currency: zone.currency,
        account: Account {
            name: p.participant.legal_name(),
            iban: &iban,
            bic: &bic,
        },
        servicer_bic: &house_bic,
        opening_balance_minor: s.opening_minor,
        entries: &entries,
        receipt: cycle.receipt.as_deref(),
    };
    let error = |e: iso20022::Iso20022Error| HouseError::File {
        path: format!("statement of {}", s.participant),
        message: e.to_string(),
    };
    let mut xml = Vec::new();
    iso20022::write_camt053(&statement, &mut xml).map_err(error)?;
    let mut csv = Vec::new();
    iso20022::write_statement_csv(&statement, &mut csv).map_err(error)?;
    Ok((xml, csv))
}

/// Makes `dir` in a parent that exists: never a directory outside the one the operator gave.
fn create_dir(dir: &Path) -> Result<(), HouseError> {
    std::fs::create_dir(dir).map_err(|e| HouseError::File {
        path: dir.display().to_string(),
        message: e.to_string(),
    })
}

/// Directories a cycle never writes into, nor anywhere below them: the operating system's
/// (checked after symbolic links are resolved, so `/bin` is also `/usr/bin`).
pub const OUT_DIR_SYSTEM_TREES: &[&str] = &[
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin",
    "/sys", "/usr",
];

/// Directories a cycle never writes into themselves, though a directory below one may be an
/// operator's (`/var/lib/clearhouse`, `/home/ops/settlement`).
pub const OUT_DIR_SYSTEM_DIRS: &[&str] = &[
    "/",
    "/home",
    "/opt",
    "/root",
    "/run",
    "/srv",
    "/tmp",
    "/var",
    "/var/cache",
    "/var/lib",
    "/var/log",
    "/var/spool",
    "/var/tmp",
];

/// The directory the settlement files go into, checked and, if need be, made: `out_dir` must
/// not contain `..`, must not be (or, once symbolic links are resolved, lead to) a system
/// directory, and only `out_dir` itself is made, in a parent that exists. Returned with its
/// links resolved, so that what is written later stays where it was checked.
pub(crate) fn settlement_dir(out_dir: &Path) -> Result<PathBuf, HouseError> {
    let refused = |why: String| HouseError::File {
        path: out_dir.display().to_string(),
        message: format!("refused as the settlement directory: {why}"),
    };
    let failed = |e: std::io::Error| HouseError::File {
        path: out_dir.display().to_string(),
        message: e.to_string(),
    };
    if out_dir.as_os_str().is_empty() {
        return Err(refused("no directory given".into()));
    }
    if out_dir.components().any(|c| c == Component::ParentDir) {
        return Err(refused(
            "it contains `..`; name the directory itself".into(),
        ));
    }
    match std::fs::symlink_metadata(out_dir) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = out_dir
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let parent = parent.canonicalize().map_err(|e| {
                refused(format!(
                    "its parent {} cannot be used ({e}); only the directory itself is made",
                    parent.display()
                ))
            })?;
            let name = out_dir
                .file_name()
                .ok_or_else(|| refused("no name".into()))?;
            check_not_system(&parent.join(name)).map_err(refused)?;
            match std::fs::create_dir(out_dir) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(failed(e)),
                _ => {}
            }
        }
        Err(e) => return Err(failed(e)),
    }
    let real = out_dir.canonicalize().map_err(failed)?;
    if !real.is_dir() {
        return Err(refused("not a directory".into()));
    }
    check_not_system(&real).map_err(refused)?;
    Ok(real)
}

/// `Err(why)` if `real` (links resolved) is a system directory or lies in a system tree.
fn check_not_system(real: &Path) -> Result<(), String> {
    if let Some(tree) = OUT_DIR_SYSTEM_TREES
        .iter()
        .find(|tree| real.starts_with(tree))
    {
        let is = if real == Path::new(tree) {
            "is"
        } else {
            "is in"
        };
        return Err(format!(
            "{} {is} the system directory {tree}",
            real.display()
        ));
    }
    if OUT_DIR_SYSTEM_DIRS.iter().any(|d| real == Path::new(d)) {
        return Err(format!(
            "{} is a system directory; give a directory of its own, such as {}",
            real.display(),
            real.join("clearhouse-settlement").display()
        ));
    }
    Ok(())
}

/// Removes what cycles of processes no longer running left in `dir`: their temporary
/// directories `.cycle-N.partial-PID-K` (a run killed before the rename). Those of this process
/// and of running processes are another cycle's, still being written, and stay.
fn remove_stale_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(partial_pid) else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir || pid == std::process::id() || process_running(pid) {
            continue;
        }
        if let Err(e) = std::fs::remove_dir_all(entry.path()) {
            tracing::warn!(path = %entry.path().display(), error = %e, "left in place");
        }
    }
}

/// The process id in the name of a cycle's temporary directory, `.cycle-N.partial-PID-K`.
fn partial_pid(name: &str) -> Option<u32> {
    let (number, rest) = name.strip_prefix(".cycle-")?.split_once(".partial-")?;
    let (pid, attempt) = rest.split_once('-')?;
    number.parse::<u64>().ok()?;
    attempt.parse::<u64>().ok()?;
    pid.parse().ok()
}

/// Whether process `pid` runs. Where there is no `/proc` to ask, every process is taken as
/// running: nothing is removed that may still be written.
fn process_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

fn rename(from: &Path, to: &Path) -> Result<(), HouseError> {
    std::fs::rename(from, to).map_err(|e| HouseError::File {
        path: to.display().to_string(),
        message: e.to_string(),
    })
}

/// Writes a file and returns its path relative to the cycle directory, with its SHA-256.
fn write_file(root: &Path, path: &Path, bytes: &[u8]) -> Result<CycleFile, HouseError> {
    std::fs::write(path, bytes).map_err(|e| HouseError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let relative = path.strip_prefix(root).unwrap_or(path);
    Ok(CycleFile {
        path: relative.display().to_string(),
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_directories_are_known_by_their_name() {
        assert_eq!(partial_pid(".cycle-12.partial-4711-3"), Some(4711));
        for other in [
            "cycle-12",
            ".cycle-12.partial-4711",
            ".cycle-x.partial-4711-3",
            ".cycle-12.partial-4711-x",
            ".cycle-12.partial--3",
            "cycle-12.replaced-1767225600000000000",
        ] {
            assert_eq!(partial_pid(other), None, "{other}");
        }
    }

    #[test]
    fn system_directories_are_refused_operators_own_below_them_are_not() {
        for refused in [
            "/",
            "/etc",
            "/etc/x",
            "/usr/local/share",
            "/var/lib",
            "/tmp",
            "/lib64",
        ] {
            assert!(check_not_system(Path::new(refused)).is_err(), "{refused}");
        }
        for allowed in [
            "/var/lib/clearhouse",
            "/home/ops/settlement",
            "/tmp/x",
            "/srv/ch",
        ] {
            assert_eq!(check_not_system(Path::new(allowed)), Ok(()), "{allowed}");
        }
    }
}
