//! The demo's population, one source for every program and test that shows the house: the
//! configuration (two zones, the EU in euros and Iran in rials at an agreed rate), the
//! participants, the claims and the reference prices.
//!
//! The data is compiled in (`include_str!` of the files under `crates/house/fixtures/demo`,
//! described with their sources in its `README.md`), so the binary runs the demo without files
//! beside it; `clearhouse demo` tells its story over this population, and a server can load the
//! same one. Nothing here reads a clock or a file: the caller gives the time the claims fall due
//! from.
//!
//! The participants and the claims are in the JSON forms `participant add --file` and
//! `claim submit --file` take; the reference prices in the CSV form of
//! `goods::PriceHistory::read_csv`.

use serde::Deserialize;

use crate::{ClaimSubmission, HouseConfig, HouseError, OnboardingInput};

/// The reference unit values the price check learns its bands from: twelve observations per
/// subheading around a centre, in euro cents per kilogram or per article.
pub const REFERENCE_PRICES_CSV: &str = include_str!("../fixtures/demo/reference-prices.csv");
/// The participants, as `participant add --file` reads them.
const PARTICIPANTS_JSON: &str = include_str!("../fixtures/demo/participants.json");
/// The claims, each with a label and how many days after submission it falls due.
const CLAIMS_JSON: &str = include_str!("../fixtures/demo/claims.json");

/// The participants screening holds for review: a listed beneficial owner (`eu-alpen`), a
/// listed director (`ir-pars-machinery`), an account at a listed bank (`ir-saffron`). Every
/// other participant comes out active.
pub const HELD_FOR_REVIEW: [&str; 3] = ["eu-alpen", "ir-pars-machinery", "ir-saffron"];

/// Most participants, and most claims, the fixture may hold: the demo prints every one, and
/// loading it stays bounded.
pub const ENTRIES_MAX: usize = 64;

/// One day in nanoseconds.
const DAY_NS: u64 = 86_400 * 1_000_000_000;

/// A claim of the demo: what the story calls it, and the claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoClaim {
    /// What the demo calls it (`medicines`, `dual-use mis-declared`, …).
    pub label: String,
    /// The claim as its creditor submits it.
    pub submission: ClaimSubmission,
}

/// A claim as the fixture holds it: the due date is relative, so the demo's claims are trade
/// credit due in the future whatever day it runs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimEntry {
    label: String,
    due_in_days: u32,
    /// A `ClaimSubmission` without its `due_date`.
    claim: serde_json::Map<String, serde_json::Value>,
}

/// The demo's configuration: the example instrument (zones EU and IR, officers `a.novak`,
/// `b.laurent` and the supervisor `c.weber`).
pub fn config() -> HouseConfig {
    crate::config::example()
}

/// The demo's participants, in the order the demo onboards them.
pub fn participants() -> Result<Vec<OnboardingInput>, HouseError> {
    let participants: Vec<OnboardingInput> =
        serde_json::from_str(PARTICIPANTS_JSON).map_err(|e| unreadable("participants.json", &e))?;
    bounded("participants.json", participants.len())?;
    Ok(participants)
}

/// The demo's claims, in the order the demo submits them, each due its fixture's number of days
/// after `now_ns` (UTC nanoseconds: the house's clock when the demo runs).
pub fn claims(now_ns: u64) -> Result<Vec<DemoClaim>, HouseError> {
    let entries: Vec<ClaimEntry> =
        serde_json::from_str(CLAIMS_JSON).map_err(|e| unreadable("claims.json", &e))?;
    bounded("claims.json", entries.len())?;
    entries
        .into_iter()
        .map(|entry| demo_claim(entry, now_ns))
        .collect()
}

/// The claim of `entry`, due `entry.due_in_days` after `now_ns` (a due date too far out is the
/// house's to refuse when the claim is submitted, naming `due_date`).
fn demo_claim(entry: ClaimEntry, now_ns: u64) -> Result<DemoClaim, HouseError> {
    let due_ns = now_ns.saturating_add(u64::from(entry.due_in_days) * DAY_NS);
    let mut claim = entry.claim;
    let due_date = model::calendar::utc_date(due_ns).to_string();
    claim.insert("due_date".into(), serde_json::Value::String(due_date));
    let submission = serde_json::from_value(serde_json::Value::Object(claim))
        .map_err(|e| unreadable("claims.json", &format!("{}: {e}", entry.label)))?;
    Ok(DemoClaim {
        label: entry.label,
        submission,
    })
}

/// The reference prices, read over `nomenclature` (the one the goods checker uses).
pub fn price_history(
    nomenclature: &goods::Nomenclature,
) -> Result<goods::PriceHistory, HouseError> {
    let mut history = goods::PriceHistory::new();
    history
        .read_csv(REFERENCE_PRICES_CSV.as_bytes(), nomenclature)
        .map_err(|e| unreadable("reference-prices.csv", &e))?;
    Ok(history)
}

/// A fixture that does not read: the build is broken, not the input.
fn unreadable(file: &str, error: &dyn std::fmt::Display) -> HouseError {
    HouseError::Corrupt {
        kind: "demo fixture".into(),
        id: file.into(),
        message: error.to_string(),
    }
}

/// Refuses a fixture of more than [`ENTRIES_MAX`] entries.
fn bounded(file: &str, entries: usize) -> Result<(), HouseError> {
    if entries > ENTRIES_MAX {
        return Err(unreadable(
            file,
            &format!("{entries} entries, at most {ENTRIES_MAX}"),
        ));
    }
    Ok(())
}
