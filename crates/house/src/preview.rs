//! A cycle's preview: what a run would clear right now, and nothing written.
//!
//! [`House::preview_cycle`] makes the decision [`House::run_cycle`] makes, by the same code
//! (`House::select_now`: the same claims in clearing up to the cut-off, the same parties
//! checked, the same rank, limits, INSTEX selection, allowances, positions and zone totals), and
//! stops where the run starts writing: no claim deemed accepted, no claim set aside, no cycle
//! record, no ledger transfer, no audit event, no file. What a run would write on the way is
//! shown instead: the claims it would deem accepted first, and those it would set aside.
//!
//! A run made later may decide otherwise if anything changed in between (a claim accepted, a
//! participant suspended, a cycle settled, the clock past a deemed-acceptance date).

use serde::Serialize;

use crate::cycle::{Selection, rank_key_of, staying as staying_claim};
use crate::error::HouseError;
use crate::types::*;
use crate::{CycleOptions, House};

/// Who deems claims accepted in a preview (never recorded: a preview writes nothing).
const PREVIEW_ACTOR: &str = "preview";

/// What to preview: a run's options, less those only a run uses (the files' directory and the
/// pay-in deadline, which change nothing of what clears).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviewOptions {
    /// Take claims submitted up to this time (UTC nanoseconds); default now.
    pub cutoff: Option<u64>,
    /// Run domestic set-off before the INSTEX selection; default as configured.
    pub set_off_domestic: Option<bool>,
}

impl From<&CycleOptions> for PreviewOptions {
    /// The preview of the run `options` describe.
    fn from(options: &CycleOptions) -> PreviewOptions {
        PreviewOptions {
            cutoff: options.cutoff,
            set_off_domestic: options.set_off_domestic,
        }
    }
}

/// What a cycle run now would clear, and what would stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct CyclePreview {
    /// The number the cycle would get.
    pub number: u64,
    /// When the preview was made (UTC nanoseconds): the time a run would take as its own.
    pub at: u64,
    /// Claims submitted up to this time are taken (UTC nanoseconds).
    pub cutoff: u64,
    /// Whether domestic set-off would run before the INSTEX selection.
    pub set_off_domestic: bool,
    /// The currency claims are cleared in (ISO 4217).
    pub clearing_currency: String,
    /// Claims awaiting acceptance that a run would deem accepted before it selects
    /// (`acceptance.deemed_after_days`): they are taken below as queued.
    pub deemed_accepted: Vec<String>,
    /// The claims that would clear, whole or in part, in rank order (priority, then age).
    pub clearing: Vec<PreviewClaim>,
    /// The claims in clearing that would clear nothing, in rank order, and why. The rest of
    /// a claim that clears in part stays too; it is in `clearing`, not here.
    pub staying: Vec<StayingClaim>,
    /// One net position per participant of the cycle (and per zone whose liquidity provider
    /// would lend or be repaid), by participant id: who would pay in, be paid out, or be flat.
    pub positions: Vec<PreviewPosition>,
    /// Each zone's totals, in the configuration's order, as the cycle would record them.
    pub zones: Vec<CycleZone>,
    /// Per zone, what its cross-border claims would clear beyond the counter-flow (the
    /// imbalance the selection leaves), and how held money and the zone's liquidity provider
    /// would cover it or be repaid, as the cycle would record it.
    pub liquidity: Vec<LiquidityMove>,
    /// Everything that would clear, clearing-currency minor units.
    pub cleared_minor: i64,
}

/// A claim that would clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct PreviewClaim {
    /// The claim's id.
    pub claim: String,
    /// Who is owed (the exporter).
    pub creditor: String,
    /// Who owes (the importer).
    pub debtor: String,
    /// The creditor's zone.
    pub creditor_zone: String,
    /// The debtor's zone.
    pub debtor_zone: String,
    /// Its priority: 0 (humanitarian) clears first.
    pub priority: u32,
    /// When it was submitted (UTC nanoseconds).
    pub submitted_at: u64,
    /// What it still owes before the cycle, clearing-currency minor units.
    pub owed_minor: i64,
    /// What the cycle would clear of it, clearing-currency minor units.
    pub cleared_minor: i64,
    /// How much of `cleared_minor` by domestic set-off, without any payment.
    pub set_off_minor: i64,
    /// Whether it would clear whole or in part.
    pub extent: ClearedExtent,
}

/// How much of a claim would clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClearedExtent {
    /// All it still owes: it would be `cleared` once the cycle settles.
    Whole,
    /// Part of it: the rest stays queued, and it would be `partially_cleared`.
    Partial,
}

/// A claim in clearing that would clear nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct StayingClaim {
    /// The claim's id.
    pub claim: String,
    /// Who is owed.
    pub creditor: String,
    /// Who owes.
    pub debtor: String,
    /// Its priority: 0 (humanitarian) clears first.
    pub priority: u32,
    /// When it was submitted (UTC nanoseconds).
    pub submitted_at: u64,
    /// What it still owes, clearing-currency minor units.
    pub owed_minor: i64,
    /// Why it stays.
    pub reason: StayReason,
    /// The same in words, with what it concerns (the party, the cycle, the limit).
    pub why: String,
}

/// Why a claim in clearing would clear nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StayReason {
    /// The cycle would take it, but the selection clears none of it: a cross-border claim
    /// waits for claims the other way to balance it. It stays queued.
    NotSelected,
    /// Its creditor or debtor is not active (under review, suspended or rejected). It stays
    /// queued.
    PartyNotActive,
    /// A cycle still settling holds it; it waits for that cycle.
    HeldByOpenCycle,
    /// Beyond what one cycle takes (its claim count or the total every zone's currency can
    /// sum): a later cycle takes it.
    BeyondCycleLimits,
    /// No cycle can take it (an amount beyond the per-claim limit, or a record the clearing
    /// engine cannot read): a run would set it aside, held with an alert for the officers.
    SetAside,
}

/// A participant's net position in the cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct PreviewPosition {
    /// The participant, or `liquidity:<ZONE>` for a zone's liquidity provider.
    pub participant: String,
    /// Its zone: every payment stays inside it.
    pub zone: String,
    /// The zone's currency (ISO 4217).
    pub currency: String,
    /// Whether it would pay in, be paid out, or neither.
    pub side: PositionSide,
    /// Clearing-currency minor units: negative, it would pay the house; positive, the house
    /// would pay it.
    pub net_minor: i64,
    /// What it would pay in or be paid out, in the zone's currency's minor units (exact at the
    /// agreed rate).
    pub due_minor: i64,
}

/// Which way a position's payment would go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionSide {
    /// It would be asked to pay in (pain.013) by the deadline.
    PayIn,
    /// It would be paid out (pain.001) once the pay-ins it depends on arrive.
    PayOut,
    /// Its claims net to zero: they would clear without any payment.
    Flat,
}

impl House {
    /// What a cycle run now with `options` would clear and what would stay, computed as
    /// [`House::run_cycle`] computes it, writing nothing (see the module's documentation).
    pub fn preview_cycle(&self, options: &PreviewOptions) -> Result<CyclePreview, HouseError> {
        let now = self.now();
        // A run deems these accepted before it reads the queue.
        let deemed = self.due_for_deeming(PREVIEW_ACTOR, now)?;
        let deemed_accepted: Vec<String> = deemed
            .iter()
            .map(|c| c.value.submission.id.clone())
            .collect();
        let selection = self.select_now(now, options.cutoff, options.set_off_domestic, deemed)?;
        Ok(preview_of(selection, now, deemed_accepted))
    }
}

/// The preview of a selection made at `at`.
fn preview_of(selection: Selection, at: u64, deemed_accepted: Vec<String>) -> CyclePreview {
    let Selection {
        cycle,
        left,
        set_aside,
        ..
    } = selection;
    let mut clearing = Vec::new();
    let mut staying = left;
    for c in &cycle.claims {
        if c.cleared_minor > 0 {
            clearing.push(preview_claim(c));
        } else {
            staying.push(not_selected(c));
        }
    }
    staying.extend(
        set_aside
            .into_iter()
            .map(|(claim, why)| staying_claim(&claim.value, StayReason::SetAside, why)),
    );
    staying.sort_by(|a, b| rank_key_of(a).cmp(&rank_key_of(b)));
    let cleared_minor = clearing.iter().map(|c| c.cleared_minor).sum();
    CyclePreview {
        number: cycle.number,
        at,
        cutoff: cycle.cutoff,
        set_off_domestic: cycle.set_off_domestic,
        clearing_currency: cycle.clearing_currency,
        deemed_accepted,
        clearing,
        staying,
        positions: cycle.positions.iter().map(preview_position).collect(),
        zones: cycle.zones,
        liquidity: cycle.liquidity,
        cleared_minor,
    }
}

/// A claim of the selection that clears something.
fn preview_claim(c: &CycleClaim) -> PreviewClaim {
    PreviewClaim {
        claim: c.claim.clone(),
        creditor: c.creditor.clone(),
        debtor: c.debtor.clone(),
        creditor_zone: c.creditor_zone.clone(),
        debtor_zone: c.debtor_zone.clone(),
        priority: c.priority,
        submitted_at: c.submitted_at,
        owed_minor: c.owed_minor,
        cleared_minor: c.cleared_minor,
        set_off_minor: c.set_off_minor,
        extent: if c.status_after == ClaimStatus::Cleared {
            ClearedExtent::Whole
        } else {
            ClearedExtent::Partial
        },
    }
}

/// A claim of the selection that clears nothing.
fn not_selected(c: &CycleClaim) -> StayingClaim {
    let why = if c.creditor_zone == c.debtor_zone {
        "the selection clears none of it".to_owned()
    } else {
        format!(
            "the selection clears none of it: what {} owes {} waits for claims the other way",
            c.debtor_zone, c.creditor_zone
        )
    };
    StayingClaim {
        claim: c.claim.clone(),
        creditor: c.creditor.clone(),
        debtor: c.debtor.clone(),
        priority: c.priority,
        submitted_at: c.submitted_at,
        owed_minor: c.owed_minor,
        reason: StayReason::NotSelected,
        why,
    }
}

/// A position of the selection.
fn preview_position(p: &Position) -> PreviewPosition {
    PreviewPosition {
        participant: p.participant.clone(),
        zone: p.zone.clone(),
        currency: p.currency.clone(),
        side: match p.net_minor.signum() {
            -1 => PositionSide::PayIn,
            1 => PositionSide::PayOut,
            _ => PositionSide::Flat,
        },
        net_minor: p.net_minor,
        due_minor: p.due_minor,
    }
}
