//! Clearing cycles: the queued claims up to a cut-off, the INSTEX selection, one net position
//! per participant, and per zone the payment requests (pain.013 and CSV) to its payers.
//!
//! A cycle pays nobody when it runs. It fixes the selection (the claims stay reserved on the
//! ledger by their pending transfers), and asks every payer for its net pay-in by a deadline.
//! `crate::settlement` takes it from there: bank files are matched to the requests, a payer who
//! misses the deadline is unwound, and pay-outs go only once the pay-ins they depend on arrived.
//!
//! Running a cycle is one change: the cycle record, the parts of its selection and the audit
//! event commit together or not at all. The files are written to a temporary directory first,
//! their hashes go into the cycle record, and the directory is renamed into place once the
//! change committed; any way out before that removes it (`PartialDir`). One a killed run left is
//! tidied by the next run into the same directory.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use netting::instex::{self, ClaimBook, Options, SubmittedAt};
use serde::Serialize;
use store::{Change, RecordQuery};

use crate::error::HouseError;
use crate::preview::{StayReason, StayingClaim};
use crate::review::claim_record;
use crate::settlement::files::{OnDisk, PartialDir, files_in_force, on_disk};
use crate::types::*;
use crate::{Commit, House, Versioned, audit, expect, record};

/// Most claims one cycle takes (the rest, lowest ranked, wait for the next): a bound on the
/// memory one cycle holds, far above what a day of trade brings.
pub const CYCLE_CLAIMS_MAX: usize = 1_000_000;
/// Most claims in one stored part of a cycle's selection (each part stays well under the
/// store's largest record).
pub const CYCLE_PART_CLAIMS_MAX: usize = 5_000;
const DAY_NS: u64 = model::calendar::DAY_NS;
const HOUR_NS: u64 = 3_600 * model::calendar::SECOND_NS;

/// How to run a cycle.
#[derive(Debug, Clone, Default)]
pub struct CycleOptions {
    /// Take claims submitted up to this time (UTC nanoseconds); default now.
    pub cutoff: Option<u64>,
    /// Where the settlement files go (a directory `cycle-<n>` is made in it).
    pub out_dir: PathBuf,
    /// Run domestic set-off before the INSTEX selection; default as configured.
    pub set_off_domestic: Option<bool>,
    /// Pay-ins are due by then (UTC nanoseconds); default the run plus the configured hours.
    pub deadline: Option<u64>,
    /// The caller's idempotency key (scoped to the caller) and the hash of its request: a run
    /// under a key used before answers that cycle again, and another request under it is
    /// refused. The key is taken in the cycle's own commit, so two servers given the same
    /// request at once run one cycle.
    pub idempotency: Option<(String, String)>,
}

/// What a cycle did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleReport {
    pub cycle: Cycle,
    /// The directory holding its files.
    pub directory: String,
    /// Claims that stayed queued because a party is suspended or under review, or because a
    /// cycle still settling holds them.
    pub skipped: Vec<String>,
}

/// Every participant by id, with the version read.
pub(crate) type Participants = HashMap<String, Versioned<ParticipantRecord>>;

/// What a cycle takes and clears at one moment ([`House::select_now`]): the one decision
/// behind a run, which writes it, and a preview, which shows it.
pub(crate) struct Selection {
    /// The cycle as a run records it: number, cut-off, time, set-off setting and clearing
    /// currency; every claim taken, in rank order, those that clear nothing too; the liquidity
    /// moves, one position per participant (and per drawing or repaid provider) and the zone
    /// totals. What only a run sets (who ran it, the deadline, the receipt, the files) is empty.
    pub cycle: Cycle,
    /// Every participant, by id, with the version read.
    pub participants: Participants,
    /// The claims taken, in the order of `cycle.claims`, with the versions read.
    pub taken: Vec<Versioned<ClaimRecord>>,
    /// Claims in clearing the cycle does not take, in rank order, and why: they stay queued.
    pub left: Vec<StayingClaim>,
    /// Claims no cycle can take, in rank order, and why: a run holds them with an alert.
    pub set_aside: Vec<(Versioned<ClaimRecord>, String)>,
}

/// What [`House::within_limits`] makes of the ranked claims.
struct Limited {
    /// Taken, in rank order.
    taken: Vec<Versioned<ClaimRecord>>,
    /// The same, as the engine takes them.
    engine_claims: Vec<instex::Claim>,
    /// Beyond the cycle's limits: the next cycle takes them.
    beyond: Vec<StayingClaim>,
    /// No cycle can take them, and why.
    set_aside: Vec<(Versioned<ClaimRecord>, String)>,
}

/// A claim's rank in the selection: priority (humanitarian first), then submission time (oldest
/// first), then id.
fn rank_key(c: &ClaimRecord) -> (u32, u64, &str) {
    (c.priority, c.submitted_at, c.submission.id.as_str())
}

/// The rank of a claim that stays, as [`rank_key`] gives it.
pub(crate) fn rank_key_of(s: &StayingClaim) -> (u32, u64, &str) {
    (s.priority, s.submitted_at, s.claim.as_str())
}

/// A claim that stays queued, and why.
pub(crate) fn staying(c: &ClaimRecord, reason: StayReason, why: String) -> StayingClaim {
    StayingClaim {
        claim: c.submission.id.clone(),
        creditor: c.submission.creditor.clone(),
        debtor: c.submission.debtor.clone(),
        priority: c.priority,
        submitted_at: c.submitted_at,
        owed_minor: c.remaining_minor(),
        reason,
        why,
    }
}

/// The record id of cycle `n`.
pub(crate) fn cycle_id(n: u64) -> String {
    format!("{n:010}")
}

/// The record id of part `k` of cycle `n`'s selection.
pub(crate) fn part_id(n: u64, k: u32) -> String {
    format!("{n:010}-{k:05}")
}

impl House {
    /// Runs a clearing cycle: fixes the selection and requests the pay-ins.
    pub fn run_cycle(
        &self,
        actor: &str,
        options: &CycleOptions,
    ) -> Result<CycleReport, HouseError> {
        crate::check_actor("actor", actor)?;
        if let Some(report) = self.cycle_of_key(options)? {
            return Ok(report);
        }
        // Claims whose debtor let the house's acceptance period pass enter this cycle.
        self.deem_accepted(actor)?;
        for _ in 0..crate::ATTEMPTS_MAX {
            if let Some(report) = self.cycle_of_key(options)? {
                return Ok(report);
            }
            if let Some(mut report) = self.try_cycle(actor, options)? {
                // A cycle with nothing to pay in (everything set off) settles at once.
                self.advance(actor, report.cycle.number)?;
                report.cycle = self.cycle(report.cycle.number)?;
                return Ok(report);
            }
        }
        Err(HouseError::Contention {
            what: "the queued claims".into(),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// The cycle a run under this key made before, if any; another request under the key is
    /// a conflict.
    fn cycle_of_key(&self, options: &CycleOptions) -> Result<Option<CycleReport>, HouseError> {
        let Some((key, request_hash)) = &options.idempotency else {
            return Ok(None);
        };
        let Some(first) = self.load::<CycleKey>(kind::CYCLE_KEY, key)? else {
            return Ok(None);
        };
        if first.value.request_hash != *request_hash {
            return Err(HouseError::IdempotencyConflict {
                key: key.clone(),
                first: first.value.request_hash,
                this: request_hash.clone(),
            });
        }
        let cycle = self.cycle(first.value.cycle)?;
        Ok(Some(CycleReport {
            directory: cycle.directory.clone(),
            cycle,
            skipped: Vec::new(),
        }))
    }

    /// Every participant, read once, by id.
    pub(crate) fn participants_by_id(&self) -> Result<Participants, HouseError> {
        Ok(self
            .list::<ParticipantRecord>(
                RecordQuery {
                    kind: kind::PARTICIPANT.into(),
                    ..RecordQuery::default()
                },
                usize::MAX,
            )?
            .into_iter()
            .map(|v| (v.value.participant.id().to_string(), v))
            .collect())
    }

    fn try_cycle(
        &self,
        actor: &str,
        options: &CycleOptions,
    ) -> Result<Option<CycleReport>, HouseError> {
        let now = self.now();
        let deadline = self.deadline(options.deadline, now)?;
        // What clears is decided as a preview decides it ([`House::select_now`]); the run only
        // writes it down.
        let Selection {
            mut cycle,
            participants,
            taken,
            left,
            set_aside,
        } = self.select_now(now, options.cutoff, options.set_off_domestic, Vec::new())?;
        // A claim no cycle could take is held for the officers, so that it never blocks the
        // others.
        for (claim, why) in set_aside {
            self.set_aside(actor, claim, &why)?;
        }
        let number = cycle.number;
        cycle.run_by = actor.to_owned();
        cycle.deadline = deadline;
        // The history so far, as a receipt every file of the cycle carries: whoever keeps a
        // file can later check that the house's journals still hold it.
        cycle.receipt = Some(self.store.heads()?.to_string());
        let skipped: Vec<String> = left.into_iter().map(|s| s.claim).collect();
        let mut change = Change::default();
        for claim in &taken {
            change.expect.push(expect(
                kind::CLAIM,
                &claim.value.submission.id,
                Some(claim.version),
            ));
        }
        let mut involved: Vec<&str> = cycle
            .positions
            .iter()
            .map(|p| p.participant.as_str())
            .filter(|p| provider_zone(p).is_none())
            .collect();
        involved.sort_unstable();
        for id in involved {
            let version = participants.get(id).map(|v| v.version);
            change.expect.push(expect(kind::PARTICIPANT, id, version));
        }
        let out_dir = settlement_dir(&options.out_dir)?;
        self.tidy_partials(&out_dir);
        let final_dir = out_dir.join(format!("cycle-{number}"));
        cycle.directory = final_dir.display().to_string();
        // Unique to this attempt: another cycle run at the same time (a thread or a process
        // computing the same number) must not write into, rename or delete these files. Every
        // way out before the commit removes it.
        let partial = PartialDir::new(&out_dir, number);
        cycle.files = self.write_requests(&cycle, partial.path(), &participants)?;
        change
            .expect
            .push(expect(kind::CYCLE, &cycle_id(number), None));
        if let Some((key, request_hash)) = &options.idempotency {
            change.expect.push(expect(kind::CYCLE_KEY, key, None));
            change.put.push(record(
                kind::CYCLE_KEY,
                key,
                1,
                "used",
                ("", ""),
                now,
                &CycleKey {
                    request_hash: request_hash.clone(),
                    cycle: number,
                },
            )?);
        }
        self.put_cycle(&mut change, &mut cycle, None, None)?;
        change.audit.push(audit(
            actor,
            "cycle.run",
            format!("cycle:{number}"),
            &serde_json::json!({
                "cutoff": cycle.cutoff, "deadline": deadline,
                "set_off_domestic": cycle.set_off_domestic,
                "claims": cycle.claims.len(), "positions": cycle.positions, "zones": cycle.zones,
                "files": cycle.files, "skipped": skipped.len(),
            }),
        )?);
        // Nothing of a cycle that did not commit stays: its temporary directory goes with
        // `partial` on every way out before `place`.
        match self.commit(change, "the cycle")? {
            Commit::Done => {}
            Commit::Raced(_) => return Ok(None),
        }
        // A directory left by a cycle of another database is kept beside.
        let aside = out_dir.join(format!("cycle-{number}.replaced-{now}"));
        partial.place(&final_dir, &aside)?;
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

    /// When pay-ins are due: `asked`, which must be after `now`, or by default `now` plus the
    /// house's `settlement.pay_in_hours`.
    fn deadline(&self, asked: Option<u64>, now: u64) -> Result<u64, HouseError> {
        match asked {
            Some(d) if d <= now => Err(HouseError::invalid(
                "deadline",
                format!(
                    "{} is not after now ({})",
                    model::calendar::utc_timestamp(d),
                    model::calendar::utc_timestamp(now)
                ),
            )),
            Some(d) => Ok(d),
            None => Ok(
                now.saturating_add(u64::from(self.config.config.settlement.pay_in_hours) * HOUR_NS)
            ),
        }
    }

    /// What a cycle run at `now` takes and clears: the claims in clearing submitted up to the
    /// cut-off (`cutoff`, default `now`) whose parties are both active and that no open cycle
    /// holds, with `deemed` (claims a run deems accepted before it reads, as it makes them),
    /// ranked and within the cycle's limits; the INSTEX selection of them within the zones'
    /// allowances (with domestic set-off first if `set_off_domestic`, default as configured);
    /// the liquidity moves, positions and zone totals that follow.
    ///
    /// Reads only, and the one place that decides what clears: [`House::run_cycle`] writes what
    /// it decides, [`House::preview_cycle`] shows it.
    pub(crate) fn select_now(
        &self,
        now: u64,
        cutoff: Option<u64>,
        set_off_domestic: Option<bool>,
        deemed: Vec<Versioned<ClaimRecord>>,
    ) -> Result<Selection, HouseError> {
        let cutoff = cutoff.unwrap_or(now);
        let set_off_domestic = set_off_domestic.unwrap_or(self.config.config.set_off_domestic);
        let number = self.cycles_last()? + 1;
        // Every participant, read once: their states decide which claims are taken, and the
        // versions read are expected unchanged when a run commits (a participant suspended
        // meanwhile makes the run start again without its claims).
        let participants = self.participants_by_id()?;
        let open = self.open_cycles()?;
        let budgets = self.budgets(&open)?;
        let (ranked, mut left) = self.candidates(cutoff, &open, &participants, deemed)?;
        let limited = self.within_limits(ranked);
        left.extend(limited.beyond);
        left.sort_by(|a, b| rank_key_of(a).cmp(&rank_key_of(b)));
        let allowances = self.allowances(&budgets)?;
        let cleared = select(limited.engine_claims, set_off_domestic, &allowances)?;
        let mut cycle = Cycle {
            number,
            cutoff,
            run_at: now,
            set_off_domestic,
            clearing_currency: self.config.clearing_currency.code().to_owned(),
            // Every claim taken is kept, those that clear nothing too: what waits is part of
            // the cycle's record (the imbalance reads it).
            claims: limited
                .taken
                .iter()
                .zip(cleared)
                .map(|(claim, (cleared, set_off))| cycle_claim(&claim.value, cleared, set_off))
                .collect(),
            status: CycleStatus::AwaitingPayIns,
            // What only a run sets (the deadline, the receipt, the files) stays empty here.
            ..Cycle::default()
        };
        cycle.liquidity = crate::settlement::liquidity::moves(&cycle.claims, &budgets);
        cycle.positions = self.positions(&cycle, &participants, None)?;
        let providers = self.provider_positions(&cycle, None)?;
        cycle.positions.extend(providers);
        cycle.zones = self.zone_totals(&cycle);
        Ok(Selection {
            cycle,
            participants,
            taken: limited.taken,
            left,
            set_aside: limited.set_aside,
        })
    }

    /// The claims a cycle may take at `cutoff`, ranked ([`rank_key`]), and those it leaves
    /// queued: held by a cycle still settling (`open`), or with a party not active. `deemed`
    /// join those read unless read already.
    fn candidates(
        &self,
        cutoff: u64,
        open: &[Versioned<Cycle>],
        participants: &Participants,
        deemed: Vec<Versioned<ClaimRecord>>,
    ) -> Result<(Vec<Versioned<ClaimRecord>>, Vec<StayingClaim>), HouseError> {
        let mut held_by_open = HashMap::new();
        for c in open {
            for x in &c.value.claims {
                held_by_open.insert(x.claim.as_str(), c.value.number);
            }
        }
        let clearable = [ClaimStatus::Queued, ClaimStatus::PartiallyCleared];
        let up_to_cutoff = RecordQuery {
            at_to: Some(cutoff),
            ..RecordQuery::default()
        };
        let mut claims = self.claims_in(&clearable, up_to_cutoff)?;
        let read: HashSet<String> = claims
            .iter()
            .map(|c| c.value.submission.id.clone())
            .collect();
        claims.extend(
            deemed.into_iter().filter(|c| {
                c.value.submitted_at <= cutoff && !read.contains(&c.value.submission.id)
            }),
        );
        let mut taken = Vec::new();
        let mut left = Vec::new();
        for claim in claims {
            let c = &claim.value;
            if let Some(n) = held_by_open.get(c.submission.id.as_str()) {
                let why = format!("cycle {n}, still settling, holds it");
                left.push(staying(c, StayReason::HeldByOpenCycle, why));
                continue;
            }
            let inactive: Vec<String> = [
                ("creditor", &c.submission.creditor),
                ("debtor", &c.submission.debtor),
            ]
            .into_iter()
            .filter_map(|(side, p)| {
                let status = participants.get(p).map(|v| v.value.status);
                (status != Some(ParticipantStatus::Active)).then(|| {
                    let status = status.map_or("unknown", ParticipantStatus::as_str);
                    format!("its {side} {p} is {status}")
                })
            })
            .collect();
            if inactive.is_empty() {
                taken.push(claim);
            } else {
                left.push(staying(c, StayReason::PartyNotActive, inactive.join("; ")));
            }
        }
        taken.sort_by(|a, b| rank_key(&a.value).cmp(&rank_key(&b.value)));
        Ok((taken, left))
    }

    /// Writes the cycle record (its selection in parts) into `change`: `version` is the
    /// record's version read (`None`: a new cycle), `parts_before` how many parts it had.
    pub(crate) fn put_cycle(
        &self,
        change: &mut Change,
        cycle: &mut Cycle,
        version: Option<u64>,
        parts_before: Option<u32>,
    ) -> Result<(), HouseError> {
        let n = cycle.number;
        let claims = std::mem::take(&mut cycle.claims);
        let chunks: Vec<&[CycleClaim]> = claims.chunks(CYCLE_PART_CLAIMS_MAX).collect();
        let parts = u32::try_from(chunks.len())
            .map_err(|_| HouseError::Clearing("too many parts".into()))?;
        let before = parts_before.unwrap_or(0);
        // Parts no longer needed are written empty: records are never deleted.
        for k in 0..parts.max(before) {
            let part = CycleClaims {
                cycle: n,
                part: k,
                claims: chunks
                    .get(k as usize)
                    .map(|c| c.to_vec())
                    .unwrap_or_default(),
            };
            let id = part_id(n, k);
            let version = self
                .store
                .record(kind::CYCLE_CLAIMS, &id)?
                .map(|r| r.version);
            change.expect.push(expect(kind::CYCLE_CLAIMS, &id, version));
            change.put.push(record(
                kind::CYCLE_CLAIMS,
                &id,
                version.unwrap_or(0) + 1,
                "",
                ("", ""),
                cycle.run_at,
                &part,
            )?);
        }
        cycle.claim_parts = parts.max(before);
        let stored = record(
            kind::CYCLE,
            &cycle_id(n),
            version.unwrap_or(0) + 1,
            cycle.status.as_str(),
            ("", ""),
            cycle.run_at,
            &*cycle,
        );
        cycle.claims = claims;
        if let Some(v) = version {
            change
                .expect
                .push(expect(kind::CYCLE, &cycle_id(n), Some(v)));
        }
        change.put.push(stored?);
        Ok(())
    }

    /// Writes only the cycle record (its selection unchanged).
    /// The selection is set aside while the record is written, never copied: a cycle may hold
    /// a million claims.
    pub(crate) fn put_cycle_header(
        &self,
        change: &mut Change,
        cycle: &mut Cycle,
        version: u64,
    ) -> Result<(), HouseError> {
        let claims = std::mem::take(&mut cycle.claims);
        let header = record(
            kind::CYCLE,
            &cycle_id(cycle.number),
            version + 1,
            cycle.status.as_str(),
            ("", ""),
            cycle.run_at,
            &*cycle,
        );
        cycle.claims = claims;
        change
            .expect
            .push(expect(kind::CYCLE, &cycle_id(cycle.number), Some(version)));
        change.put.push(header?);
        Ok(())
    }

    /// Cycles not settled yet, with their selection.
    pub(crate) fn open_cycles(&self) -> Result<Vec<Versioned<Cycle>>, HouseError> {
        let mut open = Vec::new();
        for status in [CycleStatus::AwaitingPayIns, CycleStatus::PayingOut] {
            let query = RecordQuery {
                kind: kind::CYCLE.into(),
                status: Some(status.as_str().into()),
                ..RecordQuery::default()
            };
            for header in self.list::<Cycle>(query, usize::MAX)? {
                open.push(self.with_claims(header)?);
            }
        }
        open.sort_by_key(|c| c.value.number);
        Ok(open)
    }

    /// A cycle record with its selection read from its parts.
    pub(crate) fn with_claims(
        &self,
        mut header: Versioned<Cycle>,
    ) -> Result<Versioned<Cycle>, HouseError> {
        let n = header.value.number;
        if header.value.claims.is_empty() {
            for k in 0..header.value.claim_parts {
                let part: CycleClaims = self.get(kind::CYCLE_CLAIMS, &part_id(n, k))?.value;
                header.value.claims.extend(part.claims);
            }
        }
        Ok(header)
    }

    /// Cycle `n` with its selection, and the version of its record.
    pub(crate) fn cycle_versioned(&self, n: u64) -> Result<Versioned<Cycle>, HouseError> {
        match self.get::<Cycle>(kind::CYCLE, &cycle_id(n)) {
            Ok(header) => self.with_claims(header),
            Err(HouseError::NotFound { kind, .. }) => Err(HouseError::NotFound {
                kind,
                id: n.to_string(),
            }),
            Err(e) => Err(e),
        }
    }

    /// The claims one cycle takes of `ranked` (in rank order): at most [`CYCLE_CLAIMS_MAX`],
    /// and no more in total than every zone's currency can sum
    /// ([`crate::config::Checked::cycle_total_minor_max`]); the others wait for the next cycle
    /// (`beyond`). A claim that no cycle could take (an amount beyond the per-claim limit, or a
    /// record the engine cannot read) goes to `set_aside`, with why: a run holds it with an
    /// alert for the officers, so that it never blocks the others. Writes nothing.
    fn within_limits(&self, ranked: Vec<Versioned<ClaimRecord>>) -> Limited {
        let claim_max = self.config.claim_minor_max();
        let total_max = self.config.cycle_total_minor_max();
        let mut total: i64 = 0;
        let mut out = Limited {
            taken: Vec::with_capacity(ranked.len().min(CYCLE_CLAIMS_MAX)),
            engine_claims: Vec::with_capacity(ranked.len().min(CYCLE_CLAIMS_MAX)),
            beyond: Vec::new(),
            set_aside: Vec::new(),
        };
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
                    out.set_aside.push((claim, why));
                    continue;
                }
                Err(e) => {
                    let why = format!("the clearing engine cannot take it: {e}");
                    out.set_aside.push((claim, why));
                    continue;
                }
            };
            match total.checked_add(remaining) {
                Some(sum) if sum <= total_max && out.taken.len() < CYCLE_CLAIMS_MAX => {
                    total = sum;
                    out.taken.push(claim);
                    out.engine_claims.push(engine);
                }
                _ => {
                    let why = format!(
                        "beyond what one cycle takes: at most {CYCLE_CLAIMS_MAX} claims and {total_max} minor units in all"
                    );
                    out.beyond
                        .push(staying(&claim.value, StayReason::BeyondCycleLimits, why));
                }
            }
        }
        out
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
    pub(crate) fn cycles_last(&self) -> Result<u64, HouseError> {
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

    /// The net position of every participant of the selection: positive, the house pays it out
    /// of its zone's pay-ins; negative, it pays in. `before` carries over what an earlier
    /// revision of the cycle recorded (references, what was received, pay-outs made).
    pub(crate) fn positions(
        &self,
        cycle: &Cycle,
        participants: &Participants,
        before: Option<&[Position]>,
    ) -> Result<Vec<Position>, HouseError> {
        let mut net: BTreeMap<&str, i64> = BTreeMap::new();
        for c in cycle.claims.iter().filter(|c| c.cleared_minor > 0) {
            let overflow =
                || HouseError::Clearing(format!("net position overflows at {}", c.claim));
            let e = net.entry(c.creditor.as_str()).or_default();
            *e = e.checked_add(c.cleared_minor).ok_or_else(overflow)?;
            let e = net.entry(c.debtor.as_str()).or_default();
            *e = e.checked_sub(c.cleared_minor).ok_or_else(overflow)?;
        }
        let mut positions = Vec::with_capacity(net.len());
        for (id, net_minor) in net {
            let p = participants.get(id).ok_or_else(|| HouseError::NotFound {
                kind: kind::PARTICIPANT,
                id: id.to_owned(),
            })?;
            let zone = self
                .config
                .zone(p.value.participant.zone())
                .ok_or_else(|| {
                    HouseError::Clearing(format!("no zone {}", p.value.participant.zone()))
                })?;
            let earlier = before.and_then(|b| b.iter().find(|x| x.participant == id));
            positions.push(position(cycle.number, id, zone, net_minor, earlier)?);
        }
        Ok(positions)
    }

    /// The cycle's totals per zone, in the zone's currency for payments and in the clearing
    /// currency for claims.
    pub(crate) fn zone_totals(&self, cycle: &Cycle) -> Vec<CycleZone> {
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
                for p in cycle.positions.iter().filter(|p| p.zone == code) {
                    if p.net_minor < 0 {
                        t.paid_in_minor += p.due_minor;
                    } else {
                        t.paid_out_minor += p.due_minor;
                    }
                }
                for c in &cycle.claims {
                    match (c.creditor_zone == code, c.debtor_zone == code) {
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
}

/// The position `id` (a participant or a zone's provider) holds in cycle `n`: `net_minor`
/// in the clearing currency, due in `zone`'s currency at the agreed rate. What an `earlier`
/// revision of the cycle recorded carries over: what was received, the reference and end-to-end
/// id the payer was given, the pay-out made, the bookings.
pub(crate) fn position(
    n: u64,
    id: &str,
    zone: &crate::config::Zone,
    net_minor: i64,
    earlier: Option<&Position>,
) -> Result<Position, HouseError> {
    let due_minor = net_minor
        .checked_abs()
        .and_then(|a| a.checked_mul(zone.minor_rate))
        .ok_or_else(|| HouseError::Clearing(format!("{net_minor} at {} overflows", zone.rate)))?;
    let received_minor = earlier.map_or(0, |e| e.received_minor);
    let status = match net_minor.signum() {
        0 => PositionStatus::Flat,
        -1 if received_minor >= due_minor => PositionStatus::Paid,
        -1 => PositionStatus::Requested,
        _ => earlier
            .filter(|e| e.payout.is_some())
            .map_or(PositionStatus::Waiting, |e| e.status),
    };
    Ok(Position {
        participant: id.to_owned(),
        zone: zone.code.to_string(),
        currency: zone.currency.code().to_owned(),
        net_minor,
        due_minor,
        received_minor,
        status,
        reference: earlier.map_or_else(|| payment_reference(n, id), |e| e.reference.clone()),
        end_to_end_id: earlier.map_or_else(|| end_to_end_id(n, id), |e| e.end_to_end_id.clone()),
        credits: earlier.map(|e| e.credits.clone()).unwrap_or_default(),
        payout: earlier.and_then(|e| e.payout.clone()),
        booked: earlier.map(|e| e.booked.clone()).unwrap_or_default(),
    })
}

/// A claim's part in a cycle.
pub(crate) fn cycle_claim(c: &ClaimRecord, cleared: i64, set_off: i64) -> CycleClaim {
    let owed = c.remaining_minor();
    CycleClaim {
        claim: c.submission.id.clone(),
        creditor: c.submission.creditor.clone(),
        debtor: c.submission.debtor.clone(),
        priority: c.priority,
        owed_minor: owed,
        cleared_minor: cleared,
        set_off_minor: set_off,
        status_after: status_after(c, cleared),
        invoice_number: c.submission.invoice_number.clone(),
        due_date: c.submission.due_date.to_string(),
        creditor_zone: c.creditor_zone.clone(),
        debtor_zone: c.debtor_zone.clone(),
        submitted_at: c.submitted_at,
        posted: false,
        partly_cleared_before: c.cleared_minor > 0,
    }
}

/// A claim's state once its cycle settles, clearing `cleared` of what it owes.
pub(crate) fn status_after(c: &ClaimRecord, cleared: i64) -> ClaimStatus {
    if cleared >= c.remaining_minor() {
        ClaimStatus::Cleared
    } else if cleared > 0 || c.cleared_minor > 0 {
        ClaimStatus::PartiallyCleared
    } else {
        ClaimStatus::Queued
    }
}

/// The INSTEX selection of `claims` (in rank order), each zone allowed to pay out up to its
/// allowance more than it collects: for each claim, what it clears and how much of that by
/// set-off. Its invariants (the lexicographic maximum in rank order, the allowances) are
/// checked before anything is written.
pub(crate) fn select(
    claims: Vec<instex::Claim>,
    set_off_domestic: bool,
    allowances: &[instex::Allowance],
) -> Result<Vec<(i64, i64)>, HouseError> {
    let book = ClaimBook::new(claims).map_err(|e| HouseError::Clearing(e.to_string()))?;
    let settlement =
        instex::settle_with_allowances(&book, Options { set_off_domestic }, allowances)
            .map_err(|e| HouseError::Clearing(e.to_string()))?;
    let violations = instex::check_settlement_with_allowances(&book, &settlement, allowances);
    if !violations.is_empty() {
        let violations: Vec<String> = violations.iter().map(ToString::to_string).collect();
        return Err(HouseError::Clearing(format!(
            "the settlement breaks its invariants: {}",
            violations.join("; ")
        )));
    }
    Ok(settlement
        .cleared
        .into_iter()
        .zip(settlement.set_off)
        .collect())
}

/// A cycle's claim as the engine takes it again when the cycle is recomputed: what the cycle
/// cleared of it so far is the most it may clear now.
pub(crate) fn engine_claim_of(
    c: &CycleClaim,
    currency: model::Currency,
) -> Result<instex::Claim, HouseError> {
    let parse = |what: &str| HouseError::Corrupt {
        kind: kind::CYCLE_CLAIMS.into(),
        id: c.claim.clone(),
        message: format!("{what} cannot be read"),
    };
    let submitted_at = SubmittedAt::new(
        model::calendar::utc_date(c.submitted_at),
        c.submitted_at % DAY_NS,
    )
    .ok_or_else(|| parse("submitted_at"))?;
    Ok(instex::Claim {
        id: c.claim.parse().map_err(|_| parse("id"))?,
        debtor: c.debtor.parse().map_err(|_| parse("debtor"))?,
        debtor_zone: c.debtor_zone.parse().map_err(|_| parse("debtor_zone"))?,
        creditor: c.creditor.parse().map_err(|_| parse("creditor"))?,
        creditor_zone: c
            .creditor_zone
            .parse()
            .map_err(|_| parse("creditor_zone"))?,
        amount: c.cleared_minor,
        currency,
        priority: c.priority,
        submitted_at,
    })
}

/// The ISO 11649 creditor reference of a payer's pay-in in cycle `n`: `RF`, two check digits,
/// then `C<n>P` and 12 base-36 characters derived from the cycle and the participant (at most
/// 21 characters after `RF..` for any cycle below 10⁶; beyond, the derived part is shortened).
pub(crate) fn payment_reference(n: u64, participant: &str) -> String {
    let mut hash = crate::ids::derive(&["pay-in", &n.to_string(), participant]);
    let mut base = format!("C{n}P");
    let room = 21usize.saturating_sub(base.len()).clamp(4, 12);
    for _ in 0..room {
        let digit = (hash % 36) as u8;
        base.push(char::from(if digit < 10 {
            b'0' + digit
        } else {
            b'A' + digit - 10
        }));
        hash /= 36;
    }
    base.truncate(21);
    iso20022::creditor_reference(&base).unwrap_or(base)
}

/// The end-to-end id of a position's payments in cycle `n`: `C<n>-` and a hash of the position
/// (pay-outs add `-P<attempt>`).
pub(crate) fn end_to_end_id(n: u64, position: &str) -> String {
    format!("C{n}-{:x}", crate::ids::derive(&[position]) >> 8)
}

/// The cycle a message or end-to-end id of the house names: `<prefix><n>-…`, as
/// [`end_to_end_id`] (prefix `C`) and the pay-out files' message ids (`CH-C`) write it.
pub(crate) fn named_cycle(id: &str, prefix: &str) -> Option<u64> {
    id.strip_prefix(prefix)?.split('-').next()?.parse().ok()
}

/// The cycle number a reference of [`payment_reference`] names.
pub(crate) fn reference_cycle(reference: &str) -> Option<u64> {
    let normal = iso20022::normalize_reference(reference);
    let rest = normal.strip_prefix("RF")?.get(2..)?.strip_prefix('C')?;
    let digits = rest.split('P').next()?;
    digits.parse().ok()
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

impl House {
    /// Tidies what runs of processes no longer running left in `out_dir`: their temporary
    /// directories `.cycle-N.partial-PID-K`. One that holds the files of cycle N as recorded,
    /// whose own directory is missing, is that cycle's (its run was killed between its commit
    /// and the rename): it is renamed into place. Any other is removed. Those of this process and
    /// of running processes are runs still writing, and stay.
    fn tidy_partials(&self, out_dir: &Path) {
        for (path, number) in stale_partials(out_dir) {
            let target = out_dir.join(format!("cycle-{number}"));
            let placed = match self.is_recorded_files_of(number, &target, &path) {
                Ok(true) => std::fs::rename(&path, &target),
                Ok(false) => std::fs::remove_dir_all(&path),
                Err(e) => {
                    // Without the record to compare with, the files may be all there is of it.
                    tracing::warn!(path = %path.display(), error = %e, "left in place");
                    continue;
                }
            };
            if let Err(e) = placed {
                tracing::warn!(path = %path.display(), error = %e, "left in place");
            }
        }
    }

    /// Whether `partial` holds every file cycle `number` recorded, as recorded, while the
    /// cycle's directory `target` is missing: the files of its run, not yet renamed into place.
    fn is_recorded_files_of(
        &self,
        number: u64,
        target: &Path,
        partial: &Path,
    ) -> Result<bool, HouseError> {
        let Some(cycle) = self.load::<Cycle>(kind::CYCLE, &cycle_id(number))? else {
            return Ok(false);
        };
        let cycle = cycle.value;
        Ok(Path::new(&cycle.directory) == target
            && !target.exists()
            && files_in_force(&cycle)
                .into_iter()
                .all(|f| matches!(on_disk(partial, f), OnDisk::Same)))
    }
}

/// The temporary directories `.cycle-N.partial-PID-K` in `dir` of processes no longer running,
/// with their cycle's number.
fn stale_partials(dir: &Path) -> Vec<(PathBuf, u64)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let (number, pid) = entry.file_name().to_str().and_then(partial_name)?;
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let stale = is_dir && pid != std::process::id() && !process_running(pid);
            stale.then(|| (entry.path(), number))
        })
        .collect()
}

/// The cycle's number and the process id in the name of a cycle's temporary directory,
/// `.cycle-N.partial-PID-K`.
fn partial_name(name: &str) -> Option<(u64, u32)> {
    let (number, rest) = name.strip_prefix(".cycle-")?.split_once(".partial-")?;
    let (pid, attempt) = rest.split_once('-')?;
    attempt.parse::<u64>().ok()?;
    Some((number.parse().ok()?, pid.parse().ok()?))
}

/// Whether process `pid` runs. Where there is no `/proc` to ask, every process is taken as
/// running: nothing is removed that may still be written.
fn process_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_directories_are_known_by_their_name() {
        assert_eq!(partial_name(".cycle-12.partial-4711-3"), Some((12, 4711)));
        for other in [
            "cycle-12",
            ".cycle-12.partial-4711",
            ".cycle-x.partial-4711-3",
            ".cycle-12.partial-4711-x",
            ".cycle-12.partial--3",
            "cycle-12.replaced-1767225600000000000",
        ] {
            assert_eq!(partial_name(other), None, "{other}");
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
