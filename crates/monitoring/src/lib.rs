//! Transaction monitoring: the anti-money-laundering rules the clearing house runs over the
//! recent claims of a new claim's parties when the claim is submitted.
//!
//! Five rules, each of which holds the claim for review and none of which rejects it outright:
//! a rule sees a pattern, a person decides what it means.
//!
//! - [`Rule::LargeValue`]: the amount is at or above the review threshold.
//! - [`Rule::Velocity`]: the creditor claims, or the debtor owes, too many claims or too much in
//!   a short window.
//! - [`Rule::Structuring`]: the creditor keeps its amounts just under the review threshold.
//! - [`Rule::RoundTrip`]: the claim sends value back where it came from (A→B after B→A, or
//!   closes a loop A→B, B→C, C→A) for about the same amount.
//! - [`Rule::Concentration`]: most of what the creditor claims is owed by this one debtor.
//!
//! [`evaluate`] is pure: time comes in as UTC nanoseconds on the claims, there is no clock, no
//! I/O and no global state, so the same inputs give the same findings, in the same order, also
//! when the history is given in another order. The crate as a whole is pure: the house loads
//! the history from its store and records the findings; this crate only decides.
//!
//! **Windows.** A window of length `w` ends at the candidate's submission time `t` and is
//! half-open, `(t − w, t]`: a claim submitted exactly `w` before the candidate is outside it, a
//! claim submitted at the same nanosecond as the candidate is inside it, and a claim submitted
//! after the candidate is ignored (it was not on record when the candidate came in).
//!
//! **Arithmetic.** Amounts are `i64` minor units of the clearing currency; every sum, ratio and
//! band is computed exactly in `i128` integers (no floats, no rounding, no overflow even for
//! [`HISTORY_MAX`] amounts near `i64::MAX`).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Most past claims [`evaluate`] examines. When more are given the most recent win (ties broken
/// by claim id, so the choice does not depend on the order of the slice): bounds the work of one
/// submission, whatever the caller loads.
pub const HISTORY_MAX: usize = 100_000;
/// Most claim ids a list in [`Finding::inputs`] names: enough for a reviewer to start from,
/// small enough to keep a finding readable and its stored record small. Counts are always whole.
pub const IDS_LISTED_MAX: usize = 20;
/// Most past claims (the most recent in the window) [`Rule::RoundTrip`] examines for the
/// two- and three-party loops: bounds the loop search on a very busy pair.
pub const ROUND_TRIP_SCAN_MAX: usize = 10_000;
/// Longest window a setting may have (366 days): the caller loads the history of the longest
/// window for every submission, so it must stay bounded.
pub const WINDOW_NS_MAX: u64 = 366 * DAY_NS;

/// One hour in nanoseconds.
const HOUR_NS: u64 = 3_600 * SECOND_NS;
/// One day in nanoseconds.
const DAY_NS: u64 = 24 * HOUR_NS;
/// One second in nanoseconds.
const SECOND_NS: u64 = 1_000_000_000;
/// The denominator of every `*_permille` setting.
const PERMILLE: i128 = 1_000;

/// Default [`Settings::review_threshold_minor`]: 100,000.00 in a currency with two decimals.
pub const REVIEW_THRESHOLD_MINOR_DEFAULT: i64 = 10_000_000;
/// Default [`Settings::velocity_window_ns`]: 24 hours.
pub const VELOCITY_WINDOW_NS_DEFAULT: u64 = DAY_NS;
/// Default [`Settings::velocity_count_max`]: 20 claims.
pub const VELOCITY_COUNT_MAX_DEFAULT: u32 = 20;
/// Default [`Settings::velocity_amount_max_minor`]: 500,000.00 in a currency with two decimals.
pub const VELOCITY_AMOUNT_MAX_MINOR_DEFAULT: i64 = 50_000_000;
/// Default [`Settings::structuring_band_permille`]: 10 % under the review threshold.
pub const STRUCTURING_BAND_PERMILLE_DEFAULT: u32 = 100;
/// Default [`Settings::structuring_window_ns`]: 7 days.
pub const STRUCTURING_WINDOW_NS_DEFAULT: u64 = 7 * DAY_NS;
/// Default [`Settings::structuring_count_min`]: 3 claims, the candidate included.
pub const STRUCTURING_COUNT_MIN_DEFAULT: u32 = 3;
/// Default [`Settings::round_trip_window_ns`]: 30 days.
pub const ROUND_TRIP_WINDOW_NS_DEFAULT: u64 = 30 * DAY_NS;
/// Default [`Settings::round_trip_tolerance_permille`]: amounts within 10 % of each other.
pub const ROUND_TRIP_TOLERANCE_PERMILLE_DEFAULT: u32 = 100;
/// Default [`Settings::concentration_window_ns`]: 90 days.
pub const CONCENTRATION_WINDOW_NS_DEFAULT: u64 = 90 * DAY_NS;
/// Default [`Settings::concentration_claims_min`]: 10 claims, the candidate included.
pub const CONCENTRATION_CLAIMS_MIN_DEFAULT: u32 = 10;
/// Default [`Settings::concentration_share_permille`]: 80 % of the creditor's amount.
pub const CONCENTRATION_SHARE_PERMILLE_DEFAULT: u32 = 800;

/// One claim already on record (accepted, held or cleared: whatever the caller passes in).
/// Its names are shared (`Arc<str>`): a caller that keeps a participant's history in memory
/// between submissions hands it to [`evaluate`] without copying a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Past {
    /// The claim's id; a claim given twice counts once (its most recent record).
    pub claim_id: Arc<str>,
    /// When the claim was submitted, UTC nanoseconds since the Unix epoch.
    pub submitted_at_ns: u64,
    /// The participant owed the amount (the seller).
    pub creditor: Arc<str>,
    /// The participant owing the amount (the buyer).
    pub debtor: Arc<str>,
    /// The amount in minor units of the clearing currency, > 0; a claim with another amount is
    /// not a claim and is ignored.
    pub amount_minor: i64,
}

/// The claim being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    /// The claim's id; a past claim with the same id is the candidate itself and is ignored.
    pub claim_id: &'a str,
    /// When the claim is submitted, UTC nanoseconds since the Unix epoch: the end of every window.
    pub submitted_at_ns: u64,
    /// The participant owed the amount (the seller).
    pub creditor: &'a str,
    /// The participant owing the amount (the buyer).
    pub debtor: &'a str,
    /// The amount in minor units of the clearing currency, > 0 (a candidate with another amount
    /// is not a claim: [`evaluate`] finds nothing).
    pub amount_minor: i64,
    /// The clearing currency, for amounts in the explanations.
    pub currency: model::Currency,
}

/// An amount in minor units of `currency` as people read it (`EUR 1250.00`, as the house
/// prints money); a sum beyond `i64`, or a currency without a minor unit, is printed as minor
/// units.
fn money(minor: impl TryInto<i64> + Copy + std::fmt::Display, currency: model::Currency) -> String {
    minor
        .try_into()
        .ok()
        .and_then(|m| model::Money::new(m, currency).ok())
        .map_or_else(
            || format!("{} {minor} (minor units)", currency.code()),
            |m| m.to_string(),
        )
}

/// Every threshold of the rules. `Default` gives the `*_DEFAULT` constants; a missing field
/// deserialises to its default and an unknown field is refused (a misspelt threshold must not
/// silently fall back to its default). Call [`Settings::validate`] after deserialising.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// [`Rule::LargeValue`] fires at this amount and above; [`Rule::Structuring`] looks just
    /// under it. Minor units, > 0.
    pub review_threshold_minor: i64,
    /// The window of [`Rule::Velocity`], 1 ns to [`WINDOW_NS_MAX`].
    pub velocity_window_ns: u64,
    /// [`Rule::Velocity`] fires when a party has more claims than this in its window, the
    /// candidate included; ≥ 1.
    pub velocity_count_max: u32,
    /// [`Rule::Velocity`] fires when a party's claims in its window sum to more than this, the
    /// candidate included. Minor units, > 0.
    pub velocity_amount_max_minor: i64,
    /// The width of the band just under the review threshold, in thousandths of the threshold:
    /// the band is `[threshold · (1000 − band) / 1000, threshold)`. 1 to 1000.
    pub structuring_band_permille: u32,
    /// The window of [`Rule::Structuring`], 1 ns to [`WINDOW_NS_MAX`].
    pub structuring_window_ns: u64,
    /// [`Rule::Structuring`] fires when the creditor has this many claims in the band in its
    /// window, the candidate included; ≥ 2, since one claim just under the threshold is not yet
    /// a pattern.
    pub structuring_count_min: u32,
    /// The window of [`Rule::RoundTrip`], 1 ns to [`WINDOW_NS_MAX`].
    pub round_trip_window_ns: u64,
    /// How far, in thousandths of the candidate's amount, a past claim's amount may be from it
    /// and still close a loop (inclusive). 0 (exact) to 1000.
    pub round_trip_tolerance_permille: u32,
    /// The window of [`Rule::Concentration`], 1 ns to [`WINDOW_NS_MAX`].
    pub concentration_window_ns: u64,
    /// [`Rule::Concentration`] looks at a creditor only once it has this many claims in its
    /// window, the candidate included; ≥ 2, since a single claim is always owed by one debtor.
    pub concentration_claims_min: u32,
    /// [`Rule::Concentration`] fires when the candidate's debtor owes at least this share of the
    /// creditor's amount in the window, in thousandths. 1 to 1000.
    pub concentration_share_permille: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            review_threshold_minor: REVIEW_THRESHOLD_MINOR_DEFAULT,
            velocity_window_ns: VELOCITY_WINDOW_NS_DEFAULT,
            velocity_count_max: VELOCITY_COUNT_MAX_DEFAULT,
            velocity_amount_max_minor: VELOCITY_AMOUNT_MAX_MINOR_DEFAULT,
            structuring_band_permille: STRUCTURING_BAND_PERMILLE_DEFAULT,
            structuring_window_ns: STRUCTURING_WINDOW_NS_DEFAULT,
            structuring_count_min: STRUCTURING_COUNT_MIN_DEFAULT,
            round_trip_window_ns: ROUND_TRIP_WINDOW_NS_DEFAULT,
            round_trip_tolerance_permille: ROUND_TRIP_TOLERANCE_PERMILLE_DEFAULT,
            concentration_window_ns: CONCENTRATION_WINDOW_NS_DEFAULT,
            concentration_claims_min: CONCENTRATION_CLAIMS_MIN_DEFAULT,
            concentration_share_permille: CONCENTRATION_SHARE_PERMILLE_DEFAULT,
        }
    }
}

/// A setting is out of its range.
///
/// Displays as `monitoring setting velocity_window_ns = 0: must be 1 ns to 366 days`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("monitoring setting {field} = {value}: {requirement}")]
pub struct SettingsError {
    /// The field of [`Settings`], as spelt in its serde form.
    pub field: &'static str,
    /// The rejected value (`i128` holds every field's type).
    pub value: i128,
    /// The range the field must be in.
    pub requirement: &'static str,
}

impl Settings {
    /// Checks every field against its documented range, in declaration order, and names the
    /// first one out of range. [`evaluate`] does not panic on settings that fail this check, but
    /// its findings then mean nothing (a zero window sees no history, a zero share fires always).
    ///
    /// # Errors
    ///
    /// [`SettingsError`] naming the first field out of its range, its value and the range.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let s = self;
        positive("review_threshold_minor", s.review_threshold_minor)?;
        window("velocity_window_ns", s.velocity_window_ns)?;
        count(
            "velocity_count_max",
            s.velocity_count_max,
            1,
            "must be at least 1",
        )?;
        positive("velocity_amount_max_minor", s.velocity_amount_max_minor)?;
        permille("structuring_band_permille", s.structuring_band_permille, 1)?;
        window("structuring_window_ns", s.structuring_window_ns)?;
        count(
            "structuring_count_min",
            s.structuring_count_min,
            2,
            "must be at least 2 (one claim is not a pattern)",
        )?;
        window("round_trip_window_ns", s.round_trip_window_ns)?;
        permille(
            "round_trip_tolerance_permille",
            s.round_trip_tolerance_permille,
            0,
        )?;
        window("concentration_window_ns", s.concentration_window_ns)?;
        count(
            "concentration_claims_min",
            s.concentration_claims_min,
            2,
            "must be at least 2 (one claim always has one debtor)",
        )?;
        permille(
            "concentration_share_permille",
            s.concentration_share_permille,
            1,
        )
    }
}

/// `Ok` when `ok`, else the error naming `field`, its value and `requirement`.
fn require(
    field: &'static str,
    value: impl Into<i128>,
    ok: bool,
    requirement: &'static str,
) -> Result<(), SettingsError> {
    if ok {
        return Ok(());
    }
    let value = value.into();
    Err(SettingsError {
        field,
        value,
        requirement,
    })
}

/// An amount setting must be positive.
fn positive(field: &'static str, value_minor: i64) -> Result<(), SettingsError> {
    require(field, value_minor, value_minor > 0, "must be positive")
}

/// A window must be 1 ns to [`WINDOW_NS_MAX`].
fn window(field: &'static str, value_ns: u64) -> Result<(), SettingsError> {
    let ok = (1..=WINDOW_NS_MAX).contains(&value_ns);
    require(field, value_ns, ok, "must be 1 ns to 366 days")
}

/// A count must be at least `min`.
fn count(
    field: &'static str,
    value: u32,
    min: u32,
    requirement: &'static str,
) -> Result<(), SettingsError> {
    require(field, value, value >= min, requirement)
}

/// A share must be `min` (0 or 1) to 1000 thousandths.
fn permille(field: &'static str, value: u32, min: u32) -> Result<(), SettingsError> {
    debug_assert!(min <= 1);
    let requirement = if min == 0 {
        "must be 0 to 1000 (thousandths)"
    } else {
        "must be 1 to 1000 (thousandths)"
    };
    require(field, value, (min..=1_000).contains(&value), requirement)
}

/// A monitoring rule. The order of the variants is the order of [`evaluate`]'s findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The amount is at or above the review threshold.
    LargeValue,
    /// A party has too many claims, or too much, in a short window.
    Velocity,
    /// The creditor keeps its amounts just under the review threshold.
    Structuring,
    /// The claim sends value back to where it came from (two or three parties).
    RoundTrip,
    /// Most of what the creditor claims is owed by the candidate's debtor.
    Concentration,
}

impl Rule {
    /// Every rule, in the order of the findings.
    pub const ALL: [Rule; 5] = [
        Rule::LargeValue,
        Rule::Velocity,
        Rule::Structuring,
        Rule::RoundTrip,
        Rule::Concentration,
    ];

    /// The rule's name as serialised: `large_value`, `velocity`, `structuring`, `round_trip`,
    /// `concentration`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::LargeValue => "large_value",
            Rule::Velocity => "velocity",
            Rule::Structuring => "structuring",
            Rule::RoundTrip => "round_trip",
            Rule::Concentration => "concentration",
        }
    }
}

/// A rule that fired: the claim is held for review, and this says why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule that fired.
    pub rule: Rule,
    /// One or two sentences for the reviewer, with the figures, the limits and the parties.
    pub explanation: String,
    /// The figures the rule saw, as a JSON object: the window, counts, sums, the thresholds
    /// applied and the past claim ids involved (most recent first, at most [`IDS_LISTED_MAX`]
    /// per list; the counts stay whole). Amounts and sums are numbers of minor units when they
    /// fit in `i64`, else strings of decimal digits (a sum of many large amounts may not).
    pub inputs: Value,
}

/// The window of history the caller must load for a candidate submitted at `t`: the claims in
/// which the candidate's creditor or debtor is a party, submitted in `(t − window, t]`. It is the
/// longest window of the settings.
pub fn history_window_ns(settings: &Settings) -> u64 {
    [
        settings.velocity_window_ns,
        settings.structuring_window_ns,
        settings.round_trip_window_ns,
        settings.concentration_window_ns,
    ]
    .into_iter()
    .max()
    .unwrap_or(0)
}

/// Runs every rule on `candidate` and returns the findings, at most one per rule, in the order
/// of [`Rule`]. An empty result means nothing to review.
///
/// `history` should be the claims in which the candidate's creditor or debtor is a party,
/// within [`history_window_ns`]; its order does not matter. Claims after the candidate's time,
/// older than every window, without either party, with a non-positive amount or with the
/// candidate's id are ignored; of the rest, the [`HISTORY_MAX`] most recent are examined. Taken
/// as references, so that a caller holding the two parties' histories apart need not copy them
/// into one list.
pub fn evaluate<'h>(
    settings: &Settings,
    candidate: &Candidate<'_>,
    history: impl IntoIterator<Item = &'h Past>,
) -> Vec<Finding> {
    if candidate.amount_minor <= 0 {
        return Vec::new();
    }
    let recent = recent_history(candidate, history, history_window_ns(settings));
    let findings: Vec<Finding> = [
        large_value(settings, candidate),
        velocity(settings, candidate, &recent),
        structuring(settings, candidate, &recent),
        round_trip(settings, candidate, &recent),
        concentration(settings, candidate, &recent),
    ]
    .into_iter()
    .flatten()
    .collect();
    debug_assert!(findings.windows(2).all(|pair| pair[0].rule < pair[1].rule));
    findings
}

/// The past claims the rules may look at, most recent first, each claim id once, at most
/// [`HISTORY_MAX`]. Sorting on every field makes the result independent of the slice's order.
fn recent_history<'h>(
    candidate: &Candidate<'_>,
    history: impl IntoIterator<Item = &'h Past>,
    horizon_ns: u64,
) -> Vec<&'h Past> {
    let mut recent: Vec<&Past> = history
        .into_iter()
        .filter(|past| is_relevant(candidate, past, horizon_ns))
        .collect();
    // A stable sort, for the runs it finds: a history kept per party arrives as a few runs
    // already in order, which this merges in about one pass (the order is total, so stable or
    // not gives the same result).
    recent.sort_by(|a, b| recency_order(a, b));
    let mut seen: HashSet<&str, foldhash::fast::RandomState> =
        HashSet::with_capacity_and_hasher(recent.len().min(HISTORY_MAX), Default::default());
    recent.retain(|past| seen.insert(&*past.claim_id));
    recent.truncate(HISTORY_MAX);
    recent
}

/// Whether a past claim can matter to any rule: on record before the candidate, within the
/// longest window, a real amount, not the candidate itself, and one of the candidate's parties
/// in it (every rule follows the creditor or the debtor).
fn is_relevant(candidate: &Candidate<'_>, past: &Past, horizon_ns: u64) -> bool {
    let parties = [candidate.creditor, candidate.debtor];
    past.amount_minor > 0
        && past.submitted_at_ns <= candidate.submitted_at_ns
        && candidate.submitted_at_ns - past.submitted_at_ns < horizon_ns
        && *past.claim_id != *candidate.claim_id
        && (parties.contains(&&*past.creditor) || parties.contains(&&*past.debtor))
}

/// Most recent first, then by claim id and every other field: a total order, so that equal
/// keys are equal claims and an unstable sort is deterministic.
fn recency_order(a: &Past, b: &Past) -> Ordering {
    b.submitted_at_ns
        .cmp(&a.submitted_at_ns)
        .then_with(|| a.claim_id.cmp(&b.claim_id))
        .then_with(|| a.creditor.cmp(&b.creditor))
        .then_with(|| a.debtor.cmp(&b.debtor))
        .then_with(|| a.amount_minor.cmp(&b.amount_minor))
}

/// The prefix of `recent` (most recent first) inside the window `(t − window_ns, t]`.
fn in_window<'r, 'h>(
    candidate: &Candidate<'_>,
    recent: &'r [&'h Past],
    window_ns: u64,
) -> &'r [&'h Past] {
    let end = recent.partition_point(|past| {
        debug_assert!(past.submitted_at_ns <= candidate.submitted_at_ns);
        candidate.submitted_at_ns - past.submitted_at_ns < window_ns
    });
    &recent[..end]
}

/// Some claims counted together with the candidate.
#[derive(Debug)]
struct Tally<'h> {
    /// How many, the candidate included.
    count: u64,
    /// Their amounts summed, the candidate's included; `i128` so that it cannot wrap.
    sum_minor: i128,
    /// The past claims' ids, most recent first, at most [`IDS_LISTED_MAX`].
    claim_ids: Vec<&'h str>,
}

impl<'h> Tally<'h> {
    /// Counts the candidate's amount and every claim of `past`.
    fn of(candidate_amount_minor: i64, past: impl Iterator<Item = &'h Past>) -> Self {
        let mut tally = Tally {
            count: 1,
            sum_minor: i128::from(candidate_amount_minor),
            claim_ids: Vec::new(),
        };
        for claim in past {
            tally.count += 1;
            tally.sum_minor += i128::from(claim.amount_minor);
            if tally.claim_ids.len() < IDS_LISTED_MAX {
                tally.claim_ids.push(&claim.claim_id);
            }
        }
        tally
    }
}

/// [`Rule::LargeValue`]: the amount alone is large enough for a person to look at.
fn large_value(settings: &Settings, candidate: &Candidate<'_>) -> Option<Finding> {
    let threshold_minor = settings.review_threshold_minor;
    if candidate.amount_minor < threshold_minor {
        return None;
    }
    Some(Finding {
        rule: Rule::LargeValue,
        explanation: format!(
            "the amount {} is at or above the review threshold of {}",
            money(candidate.amount_minor, candidate.currency),
            money(threshold_minor, candidate.currency)
        ),
        inputs: json!({
            "amount_minor": candidate.amount_minor,
            "review_threshold_minor": threshold_minor,
        }),
    })
}

/// [`Rule::Velocity`]: the creditor as creditor, or the debtor as debtor, has more claims or a
/// larger sum in the window than the limits allow; sudden bursts are how funds are moved
/// before anyone looks.
fn velocity(settings: &Settings, candidate: &Candidate<'_>, recent: &[&Past]) -> Option<Finding> {
    let window_ns = settings.velocity_window_ns;
    let window = in_window(candidate, recent, window_ns).iter().copied();
    let amount_minor = candidate.amount_minor;
    let as_creditor = window
        .clone()
        .filter(|p| *p.creditor == *candidate.creditor);
    let as_debtor = window.filter(|p| *p.debtor == *candidate.debtor);
    let mut sentences = Vec::new();
    let parties = [
        velocity_party(
            settings,
            candidate.currency,
            ("creditor", candidate.creditor),
            &Tally::of(amount_minor, as_creditor),
            &mut sentences,
        ),
        velocity_party(
            settings,
            candidate.currency,
            ("debtor", candidate.debtor),
            &Tally::of(amount_minor, as_debtor),
            &mut sentences,
        ),
    ];
    if sentences.is_empty() {
        return None;
    }
    Some(Finding {
        rule: Rule::Velocity,
        explanation: sentences.join("; "),
        inputs: json!({
            "window_ns": window_ns,
            "count_max": settings.velocity_count_max,
            "amount_max_minor": settings.velocity_amount_max_minor,
            "parties": parties,
        }),
    })
}

/// One party's part of [`Rule::Velocity`]: adds a sentence per limit exceeded to `sentences`
/// and returns the figures. `party` is the role (`creditor` or `debtor`) and the participant.
fn velocity_party(
    settings: &Settings,
    currency: model::Currency,
    party: (&str, &str),
    tally: &Tally<'_>,
    sentences: &mut Vec<String>,
) -> Value {
    let (role, participant) = party;
    let window = duration_text(settings.velocity_window_ns);
    let count_max = settings.velocity_count_max;
    let amount_max_minor = settings.velocity_amount_max_minor;
    let count_exceeded = tally.count > u64::from(count_max);
    let amount_exceeded = tally.sum_minor > i128::from(amount_max_minor);
    if count_exceeded {
        sentences.push(format!(
            "{role} {participant:?} is {role} of {} claims within {window} (this one included), \
             more than the limit of {count_max}",
            tally.count,
        ));
    }
    if amount_exceeded {
        let verb = if role == "creditor" {
            "is owed"
        } else {
            "owes"
        };
        sentences.push(format!(
            "{role} {participant:?} {verb} {} within {window} (this claim \
             included), more than the limit of {}",
            money(tally.sum_minor, currency),
            money(amount_max_minor, currency),
        ));
    }
    let exceeded: Vec<&str> = [(count_exceeded, "count"), (amount_exceeded, "amount")]
        .into_iter()
        .filter_map(|(hit, limit)| hit.then_some(limit))
        .collect();
    json!({
        "role": role,
        "participant": participant,
        "count": tally.count,
        "sum_minor": integer_json(tally.sum_minor),
        "exceeded": exceeded,
        "claim_ids": tally.claim_ids,
    })
}

/// The band just under the review threshold, `[low, high)` in minor units.
#[derive(Debug, Clone, Copy)]
struct Band {
    /// The lowest amount in the band: `⌈threshold · (1000 − band) / 1000⌉`, which for an
    /// integer amount is the same test as `amount · 1000 ≥ threshold · (1000 − band)`.
    low_minor: i128,
    /// The review threshold, just outside the band.
    high_minor: i128,
}

impl Band {
    /// The band of the settings.
    fn of(settings: &Settings) -> Self {
        let high_minor = i128::from(settings.review_threshold_minor);
        let numerator = high_minor * (PERMILLE - i128::from(settings.structuring_band_permille));
        Band {
            low_minor: div_ceil(numerator, PERMILLE),
            high_minor,
        }
    }

    /// Whether `amount_minor` is in the band.
    fn contains(self, amount_minor: i64) -> bool {
        (self.low_minor..self.high_minor).contains(&i128::from(amount_minor))
    }
}

/// [`Rule::Structuring`]: the candidate is just under the review threshold and so were enough
/// of the creditor's recent claims (to any debtor), or together they reach the threshold: one
/// large amount split into pieces that each stay under it.
///
/// With a band narrower than half the threshold any two amounts in it sum to at least the
/// threshold, so the sum test fires as soon as the candidate has one earlier claim in the band;
/// `structuring_count_min` only matters with a wider band.
fn structuring(
    settings: &Settings,
    candidate: &Candidate<'_>,
    recent: &[&Past],
) -> Option<Finding> {
    let band = Band::of(settings);
    if !band.contains(candidate.amount_minor) {
        return None;
    }
    let window_ns = settings.structuring_window_ns;
    let in_band = in_window(candidate, recent, window_ns)
        .iter()
        .copied()
        .filter(|p| *p.creditor == *candidate.creditor && band.contains(p.amount_minor));
    let tally = Tally::of(candidate.amount_minor, in_band);
    let count_min = settings.structuring_count_min;
    let threshold_minor = settings.review_threshold_minor;
    let count_reached = tally.count >= u64::from(count_min);
    let sum_reached = tally.sum_minor >= i128::from(threshold_minor);
    if !count_reached && !sum_reached {
        return None;
    }
    let mut reasons = Vec::new();
    if count_reached {
        reasons.push(format!(
            "{} claims reach the count of {count_min}",
            tally.count
        ));
    }
    if sum_reached {
        reasons.push(format!(
            "together {} reach the threshold",
            money(tally.sum_minor, candidate.currency)
        ));
    }
    Some(Finding {
        rule: Rule::Structuring,
        explanation: format!(
            "creditor {:?} has {} claims within {} (this one included) between {} and {}, \
             just under the review threshold of {}: {}",
            candidate.creditor,
            tally.count,
            duration_text(window_ns),
            money(band.low_minor, candidate.currency),
            money(band.high_minor - 1, candidate.currency),
            money(threshold_minor, candidate.currency),
            reasons.join(", and "),
        ),
        inputs: json!({
            "window_ns": window_ns,
            "review_threshold_minor": threshold_minor,
            "band_permille": settings.structuring_band_permille,
            "band_low_minor": integer_json(band.low_minor),
            "count": tally.count,
            "count_min": count_min,
            "sum_minor": integer_json(tally.sum_minor),
            "count_reached": count_reached,
            "sum_reached": sum_reached,
            "claim_ids": tally.claim_ids,
        }),
    })
}

/// The loops a candidate A→B (A the creditor, B the debtor) closes.
#[derive(Debug, Default)]
struct Loops<'h> {
    /// Past claims B→A (B creditor, A debtor) of a close amount, most recent first.
    direct: Vec<&'h Past>,
    /// Per third party C, the most recent close B→C and C→A claims; only the C with both legs
    /// form a loop.
    out_legs: BTreeMap<&'h str, &'h Past>,
    /// See `out_legs`.
    back_legs: BTreeMap<&'h str, &'h Past>,
}

impl<'h> Loops<'h> {
    /// Sorts each of `scanned` into the loops it can be a leg of.
    fn find(settings: &Settings, candidate: &Candidate<'_>, scanned: &[&'h Past]) -> Self {
        let (a, b) = (candidate.creditor, candidate.debtor);
        let mut loops = Loops::default();
        for &past in scanned {
            let close = within_tolerance(
                past.amount_minor,
                candidate.amount_minor,
                settings.round_trip_tolerance_permille,
            );
            if !close {
                continue;
            }
            let (creditor, debtor) = (&*past.creditor, &*past.debtor);
            // A third party C is neither A (out legs B→C exclude it) nor B (back legs C→A
            // exclude it), so a key in both maps is a true third party.
            if creditor == b && debtor == a {
                loops.direct.push(past);
            } else if creditor == b && debtor != a {
                loops.out_legs.entry(debtor).or_insert(past);
            } else if debtor == a && creditor != b {
                loops.back_legs.entry(creditor).or_insert(past);
            }
        }
        loops
    }

    /// The sentences of a finding, the first [`IDS_LISTED_MAX`] ids of the direct loops given.
    fn explain(
        &self,
        settings: &Settings,
        candidate: &Candidate<'_>,
        direct_ids: &[&str],
    ) -> String {
        let window = duration_text(settings.round_trip_window_ns);
        let tolerance_permille = settings.round_trip_tolerance_permille;
        let (a, b) = (candidate.creditor, candidate.debtor);
        let mut sentences = Vec::new();
        if !self.direct.is_empty() {
            sentences.push(format!(
                "debtor {b:?} was creditor of {a:?} in {} claims within {window} for amounts \
                 within {tolerance_permille} ‰ of this claim's {}: {}",
                self.direct.len(),
                money(candidate.amount_minor, candidate.currency),
                direct_ids.join(", "),
            ));
        }
        let vias: Vec<String> = self
            .three_party()
            .take(IDS_LISTED_MAX / 2)
            .map(|(third, out, back)| format!("{third:?} ({}, {})", out.claim_id, back.claim_id))
            .collect();
        if !vias.is_empty() {
            sentences.push(format!(
                "{} loops {a:?} → {b:?} → third party → {a:?} within {window} for amounts within \
                 {tolerance_permille} ‰ of this claim's {}, through {}",
                self.three_party().count(),
                money(candidate.amount_minor, candidate.currency),
                vias.join(", "),
            ));
        }
        sentences.join("; ")
    }

    /// The three-party loops, by third party: `(C, B→C, C→A)`.
    fn three_party(&self) -> impl Iterator<Item = (&'h str, &'h Past, &'h Past)> + '_ {
        self.out_legs
            .iter()
            .filter_map(|(third, out)| self.back_legs.get(third).map(|back| (*third, *out, *back)))
    }
}

/// Whether `amount_minor` is within `tolerance_permille` thousandths of `reference_minor`,
/// inclusive.
fn within_tolerance(amount_minor: i64, reference_minor: i64, tolerance_permille: u32) -> bool {
    let difference = (i128::from(amount_minor) - i128::from(reference_minor)).abs();
    difference * PERMILLE <= i128::from(tolerance_permille) * i128::from(reference_minor)
}

/// [`Rule::RoundTrip`]: the candidate A→B sends about the same value back along a path it came
/// by, B→A or B→C→A, within the window: goods (or only invoices) going round in a circle
/// move money without moving anything of value.
fn round_trip(settings: &Settings, candidate: &Candidate<'_>, recent: &[&Past]) -> Option<Finding> {
    let window_ns = settings.round_trip_window_ns;
    let window = in_window(candidate, recent, window_ns);
    let scanned = &window[..window.len().min(ROUND_TRIP_SCAN_MAX)];
    let loops = Loops::find(settings, candidate, scanned);
    let three_party_count = loops.three_party().count();
    if loops.direct.is_empty() && three_party_count == 0 {
        return None;
    }
    let direct_ids: Vec<&str> = loops
        .direct
        .iter()
        .take(IDS_LISTED_MAX)
        .map(|p| &*p.claim_id)
        .collect();
    let three_party: Vec<Value> = loops
        .three_party()
        .take(IDS_LISTED_MAX / 2)
        .map(|(third, out, back)| {
            let claim_ids = [&*out.claim_id, &*back.claim_id];
            json!({ "via": third, "claim_ids": claim_ids })
        })
        .collect();
    let tolerance_permille = settings.round_trip_tolerance_permille;
    Some(Finding {
        rule: Rule::RoundTrip,
        explanation: loops.explain(settings, candidate, &direct_ids),
        inputs: json!({
            "window_ns": window_ns,
            "tolerance_permille": tolerance_permille,
            "amount_minor": candidate.amount_minor,
            "scanned": scanned.len(),
            "scan_truncated": scanned.len() < window.len(),
            "direct_count": loops.direct.len(),
            "direct_claim_ids": direct_ids,
            "three_party_count": three_party_count,
            "three_party": three_party,
        }),
    })
}

/// [`Rule::Concentration`]: once the creditor has enough claims in the window, the candidate's
/// debtor owes at least the review share of their total; a creditor living off one
/// counterparty may be a front for it.
fn concentration(
    settings: &Settings,
    candidate: &Candidate<'_>,
    recent: &[&Past],
) -> Option<Finding> {
    let window_ns = settings.concentration_window_ns;
    let window = in_window(candidate, recent, window_ns);
    let as_creditor = window
        .iter()
        .copied()
        .filter(|p| *p.creditor == *candidate.creditor);
    let all = Tally::of(candidate.amount_minor, as_creditor.clone());
    let claims_min = settings.concentration_claims_min;
    if all.count < u64::from(claims_min) {
        return None;
    }
    let to_debtor = Tally::of(
        candidate.amount_minor,
        as_creditor.filter(|p| *p.debtor == *candidate.debtor),
    );
    let share_min_permille = settings.concentration_share_permille;
    if to_debtor.sum_minor * PERMILLE < i128::from(share_min_permille) * all.sum_minor {
        return None;
    }
    // The candidate's amount is positive, so the total is too.
    let share_permille = to_debtor.sum_minor * PERMILLE / all.sum_minor;
    Some(Finding {
        rule: Rule::Concentration,
        explanation: format!(
            "{} of creditor {:?}'s {} claims within {} (this one included), {share_permille} ‰ \
             of their {}, are owed by debtor {:?}: at or above the review share of \
             {share_min_permille} ‰",
            to_debtor.count,
            candidate.creditor,
            all.count,
            duration_text(window_ns),
            money(all.sum_minor, candidate.currency),
            candidate.debtor,
        ),
        inputs: json!({
            "window_ns": window_ns,
            "claims_min": claims_min,
            "count": all.count,
            "sum_minor": integer_json(all.sum_minor),
            "debtor_count": to_debtor.count,
            "debtor_sum_minor": integer_json(to_debtor.sum_minor),
            "share_permille": integer_json(share_permille),
            "share_min_permille": share_min_permille,
            "claim_ids": to_debtor.claim_ids,
        }),
    })
}

/// `numerator / denominator` rounded up, for `denominator > 0`.
fn div_ceil(numerator: i128, denominator: i128) -> i128 {
    debug_assert!(denominator > 0);
    let quotient = numerator / denominator;
    // Division truncates towards zero, which already rounds a negative quotient up.
    if numerator % denominator > 0 {
        quotient + 1
    } else {
        quotient
    }
}

/// An exact integer (a sum of minor units, a share) as JSON: a number when it fits in `i64`,
/// else its decimal digits as a string, since a JSON number beyond `i64` is read inexactly or
/// not at all by most readers.
fn integer_json(value_minor: i128) -> Value {
    match i64::try_from(value_minor) {
        Ok(value) => Value::from(value),
        Err(_) => Value::String(value_minor.to_string()),
    }
}

/// A window for a sentence: in the largest unit that divides it (`24 h`, `7 d`, `90 s`), days
/// only from two days on.
fn duration_text(duration_ns: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (DAY_NS, "d"),
        (HOUR_NS, "h"),
        (60 * SECOND_NS, "min"),
        (SECOND_NS, "s"),
        (1_000_000, "ms"),
    ];
    UNITS
        .iter()
        // Days from two on: "24 h" reads better than "1 d".
        .find(|(unit_ns, _)| {
            let whole = duration_ns.is_multiple_of(*unit_ns);
            whole && duration_ns / unit_ns >= if *unit_ns == DAY_NS { 2 } else { 1 }
        })
        .map_or_else(
            || format!("{duration_ns} ns"),
            |(unit_ns, unit)| format!("{} {unit}", duration_ns / unit_ns),
        )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The candidate's submission time in the tests: far enough from 0 for every window.
    const T_NS: u64 = 1_000 * DAY_NS;
    /// One nanosecond, the smallest step of time.
    const NS: u64 = 1;

    /// A past claim submitted `age_ns` before the candidate.
    fn past(claim_id: &str, age_ns: u64, creditor: &str, debtor: &str, amount_minor: i64) -> Past {
        Past {
            claim_id: claim_id.into(),
            submitted_at_ns: T_NS - age_ns,
            creditor: creditor.into(),
            debtor: debtor.into(),
            amount_minor,
        }
    }

    /// `count` past claims `creditor`→`debtor` of `amount_minor`, one hour old, ids `prefix-i`.
    fn many(
        prefix: &str,
        count: usize,
        creditor: &str,
        debtor: &str,
        amount_minor: i64,
    ) -> Vec<Past> {
        (0..count)
            .map(|i| {
                past(
                    &format!("{prefix}-{i}"),
                    HOUR_NS,
                    creditor,
                    debtor,
                    amount_minor,
                )
            })
            .collect()
    }

    /// The candidate `creditor`→`debtor`, submitted at [`T_NS`].
    fn candidate<'a>(creditor: &'a str, debtor: &'a str, amount_minor: i64) -> Candidate<'a> {
        Candidate {
            claim_id: "new",
            submitted_at_ns: T_NS,
            creditor,
            debtor,
            amount_minor,
            currency: model::Currency::EUR,
        }
    }

    /// The finding of `rule`, if it fired.
    fn finding(
        settings: &Settings,
        candidate: &Candidate<'_>,
        history: &[Past],
        rule: Rule,
    ) -> Option<Finding> {
        evaluate(settings, candidate, history)
            .into_iter()
            .find(|f| f.rule == rule)
    }

    /// Whether `rule` fired with the default settings.
    fn fires(candidate: &Candidate<'_>, history: &[Past], rule: Rule) -> bool {
        finding(&Settings::default(), candidate, history, rule).is_some()
    }

    /// The rules that fired, in order.
    fn rules(findings: &[Finding]) -> Vec<Rule> {
        findings.iter().map(|f| f.rule).collect()
    }

    // Large value.

    #[test]
    fn large_value_fires_at_the_threshold_and_not_one_below() {
        let at = candidate("A", "B", REVIEW_THRESHOLD_MINOR_DEFAULT);
        let found = finding(&Settings::default(), &at, &[], Rule::LargeValue).unwrap();
        assert_eq!(
            found.inputs,
            json!({ "amount_minor": 10_000_000, "review_threshold_minor": 10_000_000 })
        );
        assert!(
            found.explanation.contains("EUR 100000.00"),
            "{}",
            found.explanation
        );
        assert!(!fires(
            &candidate("A", "B", REVIEW_THRESHOLD_MINOR_DEFAULT - 1),
            &[],
            Rule::LargeValue
        ));
        assert!(evaluate(&Settings::default(), &candidate("A", "B", 9_999_999), &[]).is_empty());
    }

    // Velocity.

    #[test]
    fn velocity_fires_when_the_creditor_count_exceeds_the_limit() {
        let c = candidate("A", "B", 100);
        // 20 earlier and the candidate: 21 > 20.
        let history = many("a", 20, "A", "X", 100);
        let found = finding(&Settings::default(), &c, &history, Rule::Velocity).unwrap();
        assert!(
            found
                .explanation
                .contains(r#"creditor "A" is creditor of 21 claims within 24 h"#),
            "{}",
            found.explanation
        );
        assert!(
            found.explanation.contains("limit of 20"),
            "{}",
            found.explanation
        );
        let creditor = &found.inputs["parties"][0];
        assert_eq!(creditor["role"], "creditor");
        assert_eq!(creditor["count"], 21);
        assert_eq!(creditor["exceeded"], json!(["count"]));
        assert_eq!(found.inputs["parties"][1]["exceeded"], json!([]));
        // 19 earlier and the candidate: 20, not more than 20.
        assert!(!fires(&c, &history[..19], Rule::Velocity));
    }

    #[test]
    fn velocity_fires_when_the_debtor_count_exceeds_the_limit() {
        let c = candidate("A", "B", 100);
        let history = many("b", 20, "X", "B", 100);
        let found = finding(&Settings::default(), &c, &history, Rule::Velocity).unwrap();
        assert!(
            found
                .explanation
                .starts_with(r#"debtor "B" is debtor of 21 claims"#),
            "{}",
            found.explanation
        );
        assert_eq!(found.inputs["parties"][1]["exceeded"], json!(["count"]));
        assert!(!fires(&c, &history[..19], Rule::Velocity));
        // B as creditor does not count for B as debtor.
        assert!(!fires(&c, &many("b", 20, "B", "X", 100), Rule::Velocity));
    }

    #[test]
    fn velocity_fires_when_the_sum_exceeds_the_limit() {
        let history = vec![past("a", HOUR_NS, "A", "X", 40_000_000)];
        // 40,000,000 + 10,000,000 = the limit: not more.
        assert!(!fires(
            &candidate("A", "B", 10_000_000),
            &history,
            Rule::Velocity
        ));
        let c = candidate("A", "B", 10_000_001);
        let found = finding(&Settings::default(), &c, &history, Rule::Velocity).unwrap();
        assert!(
            found
                .explanation
                .contains(r#"creditor "A" is owed EUR 500000.01 within 24 h"#),
            "{}",
            found.explanation
        );
        assert_eq!(found.inputs["parties"][0]["exceeded"], json!(["amount"]));
        assert_eq!(found.inputs["parties"][0]["sum_minor"], 50_000_001);
        assert_eq!(found.inputs["parties"][0]["claim_ids"], json!(["a"]));
        let debtor_history = vec![past("b", HOUR_NS, "X", "B", 40_000_000)];
        let found = finding(&Settings::default(), &c, &debtor_history, Rule::Velocity).unwrap();
        assert!(
            found
                .explanation
                .contains(r#"debtor "B" owes EUR 500000.01"#),
            "{}",
            found.explanation
        );
    }

    #[test]
    fn velocity_window_includes_its_last_nanosecond_and_excludes_its_edge() {
        let c = candidate("A", "B", 100);
        let mut history = many("a", 19, "A", "X", 100);
        history.push(past("edge", VELOCITY_WINDOW_NS_DEFAULT, "A", "X", 100));
        assert!(!fires(&c, &history, Rule::Velocity));
        history.last_mut().unwrap().submitted_at_ns += NS;
        assert!(fires(&c, &history, Rule::Velocity));
        // At the candidate's own nanosecond: inside.
        history.last_mut().unwrap().submitted_at_ns = T_NS;
        assert!(fires(&c, &history, Rule::Velocity));
    }

    // Structuring.

    #[test]
    fn structuring_band_starts_at_threshold_less_band_and_ends_below_the_threshold() {
        let earlier = vec![past("s1", DAY_NS, "A", "X", 9_000_000)];
        // Two amounts in the default band (9,000,000 to 9,999,999) reach the threshold together.
        let found = finding(
            &Settings::default(),
            &candidate("A", "B", 9_000_000),
            &earlier,
            Rule::Structuring,
        )
        .unwrap();
        assert_eq!(found.inputs["band_low_minor"], 9_000_000);
        assert_eq!(found.inputs["count"], 2);
        assert_eq!(found.inputs["sum_reached"], true);
        assert_eq!(found.inputs["count_reached"], false);
        assert_eq!(found.inputs["claim_ids"], json!(["s1"]));
        assert!(
            found
                .explanation
                .contains("between EUR 90000.00 and EUR 99999.99"),
            "{}",
            found.explanation
        );
        assert!(fires(
            &candidate("A", "B", 9_999_999),
            &earlier,
            Rule::Structuring
        ));
        assert!(!fires(
            &candidate("A", "B", 8_999_999),
            &earlier,
            Rule::Structuring
        ));
        assert!(!fires(
            &candidate("A", "B", 10_000_000),
            &earlier,
            Rule::Structuring
        ));
        // An earlier claim one below the band does not count.
        let below = vec![past("s1", DAY_NS, "A", "X", 8_999_999)];
        assert!(!fires(
            &candidate("A", "B", 9_000_000),
            &below,
            Rule::Structuring
        ));
        // The candidate alone is not a pattern.
        assert!(!fires(
            &candidate("A", "B", 9_999_999),
            &[],
            Rule::Structuring
        ));
    }

    #[test]
    fn structuring_band_low_end_is_rounded_up_exactly() {
        let settings = Settings {
            review_threshold_minor: 1_001,
            ..Settings::default()
        };
        // 1001 · 900 / 1000 = 900.9: 901 is in the band, 900 is not.
        let band = Band::of(&settings);
        assert_eq!((band.low_minor, band.high_minor), (901, 1_001));
        assert!(band.contains(901) && band.contains(1_000));
        assert!(!band.contains(900) && !band.contains(1_001));
        // 1999 · 999 / 1000 = 1997.001: the smallest remainder still rounds up.
        let narrow = Band::of(&Settings {
            review_threshold_minor: 1_999,
            structuring_band_permille: 1,
            ..settings
        });
        assert_eq!(narrow.low_minor, 1_998);
        let wide = Band::of(&Settings {
            structuring_band_permille: 1_000,
            ..settings
        });
        assert!(wide.contains(0) && wide.contains(1));
    }

    #[test]
    fn structuring_fires_at_the_count_and_not_one_below() {
        // A band of 70 %: three amounts at its low end stay under the threshold together.
        let settings = Settings {
            structuring_band_permille: 700,
            ..Settings::default()
        };
        let c = candidate("A", "B", 3_000_000);
        let history = vec![
            past("s1", DAY_NS, "A", "X", 3_000_000),
            past("s2", 2 * DAY_NS, "A", "Y", 3_000_000),
        ];
        let found = finding(&settings, &c, &history, Rule::Structuring).unwrap();
        assert_eq!(found.inputs["count"], 3);
        assert_eq!(found.inputs["count_reached"], true);
        assert_eq!(found.inputs["sum_reached"], false);
        assert_eq!(found.inputs["claim_ids"], json!(["s1", "s2"]));
        assert!(
            found.explanation.contains("3 claims reach the count of 3"),
            "{}",
            found.explanation
        );
        assert!(finding(&settings, &c, &history[..1], Rule::Structuring).is_none());
    }

    #[test]
    fn structuring_fires_when_the_sum_reaches_the_threshold_and_not_one_below() {
        let settings = Settings {
            structuring_band_permille: 700,
            structuring_count_min: 10,
            ..Settings::default()
        };
        let history = vec![
            past("s1", DAY_NS, "A", "X", 3_000_000),
            past("s2", DAY_NS, "A", "X", 3_000_000),
        ];
        let found = finding(
            &settings,
            &candidate("A", "B", 4_000_000),
            &history,
            Rule::Structuring,
        )
        .unwrap();
        assert_eq!(found.inputs["sum_minor"], 10_000_000);
        assert_eq!(found.inputs["count_reached"], false);
        assert!(
            found
                .explanation
                .contains("together EUR 100000.00 reach the threshold")
        );
        assert!(
            finding(
                &settings,
                &candidate("A", "B", 3_999_999),
                &history,
                Rule::Structuring
            )
            .is_none()
        );
    }

    #[test]
    fn structuring_follows_the_creditor_within_its_window() {
        let c = candidate("A", "B", 9_500_000);
        let in_band = |id: &str, age_ns: u64, creditor: &str, debtor: &str| {
            past(id, age_ns, creditor, debtor, 9_500_000)
        };
        assert!(!fires(
            &c,
            &[in_band("s", STRUCTURING_WINDOW_NS_DEFAULT, "A", "X")],
            Rule::Structuring
        ));
        assert!(fires(
            &c,
            &[in_band("s", STRUCTURING_WINDOW_NS_DEFAULT - NS, "A", "X")],
            Rule::Structuring
        ));
        // Another creditor's claims, or the creditor's claims as debtor, do not count.
        assert!(!fires(
            &c,
            &[in_band("s", DAY_NS, "X", "B")],
            Rule::Structuring
        ));
        assert!(!fires(
            &c,
            &[in_band("s", DAY_NS, "X", "A")],
            Rule::Structuring
        ));
    }

    // Round trip.

    #[test]
    fn round_trip_fires_on_a_claim_back_within_tolerance_inclusive() {
        let c = candidate("A", "B", 1_000_000);
        for (amount_minor, expected) in [
            (1_100_000, true),
            (1_100_001, false),
            (900_000, true),
            (899_999, false),
        ] {
            let history = [past("back", DAY_NS, "B", "A", amount_minor)];
            assert_eq!(
                fires(&c, &history, Rule::RoundTrip),
                expected,
                "{amount_minor}"
            );
        }
        let history = [past("back", DAY_NS, "B", "A", 1_000_000)];
        let found = finding(&Settings::default(), &c, &history, Rule::RoundTrip).unwrap();
        assert_eq!(found.inputs["direct_count"], 1);
        assert_eq!(found.inputs["direct_claim_ids"], json!(["back"]));
        assert_eq!(found.inputs["three_party_count"], 0);
        assert!(
            found
                .explanation
                .contains(r#"debtor "B" was creditor of "A" in 1 claims within 30 d"#),
            "{}",
            found.explanation
        );
        // The same direction again is not a round trip.
        assert!(!fires(
            &c,
            &[past("again", DAY_NS, "A", "B", 1_000_000)],
            Rule::RoundTrip
        ));
        let exact = Settings {
            round_trip_tolerance_permille: 0,
            ..Settings::default()
        };
        assert!(finding(&exact, &c, &history, Rule::RoundTrip).is_some());
        assert!(
            finding(
                &exact,
                &c,
                &[past("back", DAY_NS, "B", "A", 1_000_001)],
                Rule::RoundTrip
            )
            .is_none()
        );
    }

    #[test]
    fn round_trip_window_excludes_its_edge() {
        let c = candidate("A", "B", 1_000_000);
        assert!(!fires(
            &c,
            &[past(
                "back",
                ROUND_TRIP_WINDOW_NS_DEFAULT,
                "B",
                "A",
                1_000_000
            )],
            Rule::RoundTrip
        ));
        assert!(fires(
            &c,
            &[past(
                "back",
                ROUND_TRIP_WINDOW_NS_DEFAULT - NS,
                "B",
                "A",
                1_000_000
            )],
            Rule::RoundTrip
        ));
    }

    #[test]
    fn round_trip_finds_a_three_party_loop() {
        let c = candidate("A", "B", 1_000_000);
        let out = past("b-to-c", 2 * DAY_NS, "B", "C", 1_050_000);
        let back = past("c-to-a", DAY_NS, "C", "A", 960_000);
        let found = finding(
            &Settings::default(),
            &c,
            &[out.clone(), back.clone()],
            Rule::RoundTrip,
        )
        .unwrap();
        assert_eq!(found.inputs["three_party_count"], 1);
        assert_eq!(
            found.inputs["three_party"],
            json!([{ "via": "C", "claim_ids": ["b-to-c", "c-to-a"] }])
        );
        assert_eq!(found.inputs["direct_count"], 0);
        assert!(
            found
                .explanation
                .contains(r#"1 loops "A" → "B" → third party → "A""#),
            "{}",
            found.explanation
        );
        assert!(
            found.explanation.contains(r#""C" (b-to-c, c-to-a)"#),
            "{}",
            found.explanation
        );
        // One leg alone, a leg through another third party, or a leg out of tolerance: no loop.
        assert!(!fires(&c, std::slice::from_ref(&out), Rule::RoundTrip));
        assert!(!fires(&c, std::slice::from_ref(&back), Rule::RoundTrip));
        let elsewhere = past("d-to-a", DAY_NS, "D", "A", 1_000_000);
        assert!(!fires(&c, &[out.clone(), elsewhere], Rule::RoundTrip));
        let far = past("c-to-a", DAY_NS, "C", "A", 1_100_001);
        assert!(!fires(&c, &[out, far], Rule::RoundTrip));
    }

    #[test]
    fn round_trip_examines_at_most_the_scan_limit() {
        let c = candidate("A", "B", 1_000_000);
        // Recent claims of the creditor that match nothing, then an older claim back.
        let mut history = many("filler", ROUND_TRIP_SCAN_MAX, "A", "X", 1);
        history.push(past("back", DAY_NS, "B", "A", 1_000_000));
        assert!(!fires(&c, &history, Rule::RoundTrip));
        history.remove(0);
        let found = finding(&Settings::default(), &c, &history, Rule::RoundTrip).unwrap();
        assert_eq!(found.inputs["scanned"], ROUND_TRIP_SCAN_MAX);
        assert_eq!(found.inputs["scan_truncated"], false);
    }

    #[test]
    fn round_trip_lists_at_most_the_id_limit_most_recent_first() {
        let c = candidate("A", "B", 1_000_000);
        let history: Vec<Past> = (0..25u64)
            .map(|i| {
                past(
                    &format!("back-{i:02}"),
                    (i + 1) * HOUR_NS,
                    "B",
                    "A",
                    1_000_000,
                )
            })
            .collect();
        let found = finding(&Settings::default(), &c, &history, Rule::RoundTrip).unwrap();
        assert_eq!(found.inputs["direct_count"], 25);
        let ids = found.inputs["direct_claim_ids"].as_array().unwrap();
        assert_eq!(ids.len(), IDS_LISTED_MAX);
        assert_eq!(ids[0], "back-00");
        assert_eq!(ids[IDS_LISTED_MAX - 1], "back-19");
    }

    // Concentration.

    #[test]
    fn concentration_waits_for_the_minimum_number_of_claims() {
        let c = candidate("A", "B", 100);
        let history = many("c", 9, "A", "B", 100);
        let found = finding(&Settings::default(), &c, &history, Rule::Concentration).unwrap();
        assert_eq!(found.inputs["count"], 10);
        assert_eq!(found.inputs["share_permille"], 1_000);
        assert!(
            found
                .explanation
                .starts_with(r#"10 of creditor "A"'s 10 claims within 90 d"#),
            "{}",
            found.explanation
        );
        assert!(!fires(&c, &history[..8], Rule::Concentration));
    }

    #[test]
    fn concentration_fires_at_the_share_and_not_one_below() {
        let c = candidate("A", "B", 700);
        let mut history = vec![past("to-b", DAY_NS, "A", "B", 100)];
        history.extend(many("to-x", 8, "A", "X", 25));
        // 800 of 1000: 800 ‰.
        let found = finding(&Settings::default(), &c, &history, Rule::Concentration).unwrap();
        assert_eq!(found.inputs["sum_minor"], 1_000);
        assert_eq!(found.inputs["debtor_sum_minor"], 800);
        assert_eq!(found.inputs["debtor_count"], 2);
        assert_eq!(found.inputs["claim_ids"], json!(["to-b"]));
        // 800 of 1001: just under 800 ‰.
        history[1].amount_minor = 26;
        assert!(!fires(&c, &history, Rule::Concentration));
    }

    #[test]
    fn concentration_window_excludes_its_edge() {
        let c = candidate("A", "B", 100);
        let mut history = many("c", 8, "A", "B", 100);
        history.push(past("edge", CONCENTRATION_WINDOW_NS_DEFAULT, "A", "B", 100));
        assert!(!fires(&c, &history, Rule::Concentration));
        history.last_mut().unwrap().submitted_at_ns += NS;
        assert!(fires(&c, &history, Rule::Concentration));
    }

    // Every rule together.

    /// A history on which velocity, structuring, round trip and concentration fire for A→B.
    fn busy_history() -> Vec<Past> {
        let mut history = many("ab", 9, "A", "B", 9_500_000);
        history.push(past("ba", 2 * HOUR_NS, "B", "A", 9_600_000));
        history.push(past("bc", 3 * DAY_NS, "B", "C", 9_400_000));
        history.push(past("ca", 4 * DAY_NS, "C", "A", 9_450_000));
        history
    }

    #[test]
    fn findings_come_in_rule_order_whatever_the_history_order() {
        let c = candidate("A", "B", 9_500_000);
        let mut history = busy_history();
        let findings = evaluate(&Settings::default(), &c, &history);
        assert_eq!(
            rules(&findings),
            [
                Rule::Velocity,
                Rule::Structuring,
                Rule::RoundTrip,
                Rule::Concentration
            ]
        );
        assert_eq!(findings[2].inputs["direct_claim_ids"], json!(["ba"]));
        assert_eq!(findings[2].inputs["three_party_count"], 1);
        history.reverse();
        assert_eq!(evaluate(&Settings::default(), &c, &history), findings);
        history.rotate_left(5);
        assert_eq!(evaluate(&Settings::default(), &c, &history), findings);
        let large = candidate("A", "B", 10_000_000);
        let rules_large = rules(&evaluate(&Settings::default(), &large, &history));
        assert_eq!(
            rules_large,
            [
                Rule::LargeValue,
                Rule::Velocity,
                Rule::RoundTrip,
                Rule::Concentration
            ]
        );
    }

    #[test]
    fn claims_after_the_candidate_are_ignored() {
        let c = candidate("A", "B", 9_500_000);
        let mut history = busy_history();
        for claim in &mut history {
            claim.submitted_at_ns = T_NS + NS;
        }
        assert!(evaluate(&Settings::default(), &c, &history).is_empty());
    }

    #[test]
    fn the_candidate_itself_duplicates_and_non_claims_count_once_or_not_at_all() {
        let c = candidate("A", "B", 100);
        let mut history = many("a", 19, "A", "X", 100);
        // The candidate's own record, a duplicate id and a claim without an amount.
        history.push(past("new", 0, "A", "B", 100));
        history.push(past("a-0", 2 * HOUR_NS, "A", "X", 100));
        history.push(past("zero", HOUR_NS, "A", "X", 0));
        history.push(past("negative", HOUR_NS, "A", "X", -5));
        assert!(!fires(&c, &history, Rule::Velocity));
        history.push(past("twentieth", HOUR_NS, "A", "X", 100));
        assert!(fires(&c, &history, Rule::Velocity));
        // A candidate without a positive amount is not a claim.
        assert!(evaluate(&Settings::default(), &candidate("A", "B", 0), &history).is_empty());
        assert!(
            evaluate(
                &Settings::default(),
                &candidate("A", "B", i64::MIN),
                &history
            )
            .is_empty()
        );
    }

    #[test]
    fn at_most_history_max_claims_are_examined_the_most_recent_winning() {
        let c = candidate("A", "B", 100);
        // Nine older claims A→B that make the creditor concentrated...
        let mut history: Vec<Past> = (0..9)
            .map(|i| past(&format!("old-{i}"), 10 * DAY_NS, "A", "B", 100))
            .collect();
        // ...behind claims of the debtor that are more recent.
        history.extend(many("recent", HISTORY_MAX - 9, "X", "B", 1));
        assert!(fires(&c, &history, Rule::Concentration));
        history.push(past("one-more", HOUR_NS, "Y", "B", 1));
        assert!(!fires(&c, &history, Rule::Concentration));
        history.reverse();
        assert!(!fires(&c, &history, Rule::Concentration));
    }

    #[test]
    fn amounts_near_i64_max_do_not_overflow() {
        let settings = Settings {
            review_threshold_minor: i64::MAX,
            velocity_amount_max_minor: i64::MAX,
            ..Settings::default()
        };
        let big = i64::MAX - 1;
        let c = candidate("A", "B", big);
        let mut history = many("ab", 30, "A", "B", big);
        history.push(past("ba", HOUR_NS, "B", "A", i64::MAX));
        let findings = evaluate(&settings, &c, &history);
        assert_eq!(
            rules(&findings),
            [
                Rule::Velocity,
                Rule::Structuring,
                Rule::RoundTrip,
                Rule::Concentration
            ]
        );
        let sum = (i128::from(big) * 31).to_string();
        assert_eq!(
            findings[0].inputs["parties"][0]["sum_minor"],
            Value::String(sum.clone())
        );
        assert_eq!(findings[1].inputs["sum_minor"], Value::String(sum));
        assert_eq!(findings[3].inputs["share_permille"], 1_000);
        let max = candidate("A", "B", i64::MAX);
        let rules_max = rules(&evaluate(&Settings::default(), &max, &history));
        assert_eq!(
            rules_max,
            [
                Rule::LargeValue,
                Rule::Velocity,
                Rule::RoundTrip,
                Rule::Concentration
            ]
        );
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let at = |claim_id: &str, submitted_at_ns: u64| Past {
            claim_id: claim_id.into(),
            submitted_at_ns,
            creditor: "B".into(),
            debtor: "A".into(),
            amount_minor: 1_000,
        };
        let history = [at("zero", 0), at("max", u64::MAX)];
        let first = Candidate {
            submitted_at_ns: 0,
            ..candidate("A", "B", 1_000)
        };
        assert_eq!(
            rules(&evaluate(&Settings::default(), &first, &history)),
            [Rule::RoundTrip]
        );
        let last = Candidate {
            submitted_at_ns: u64::MAX,
            ..first
        };
        assert_eq!(
            rules(&evaluate(&Settings::default(), &last, &history)),
            [Rule::RoundTrip]
        );
        let found = finding(&Settings::default(), &last, &history, Rule::RoundTrip).unwrap();
        assert_eq!(found.inputs["direct_claim_ids"], json!(["max"]));
    }

    // Settings, rules and findings.

    #[test]
    fn default_settings_are_valid_and_documented() {
        let settings = Settings::default();
        assert_eq!(settings.validate(), Ok(()));
        assert_eq!(settings.velocity_window_ns, 24 * 3_600 * 1_000_000_000);
        assert_eq!(history_window_ns(&settings), 90 * DAY_NS);
        let longer = Settings {
            velocity_window_ns: 100 * DAY_NS,
            ..settings
        };
        assert_eq!(history_window_ns(&longer), 100 * DAY_NS);
    }

    #[test]
    fn validate_names_the_field_out_of_range() {
        /// Spoils one field of the settings.
        type Spoil = fn(&mut Settings);
        let cases: [(Spoil, &str, i128); 14] = [
            (
                |s| s.review_threshold_minor = 0,
                "review_threshold_minor",
                0,
            ),
            (|s| s.velocity_window_ns = 0, "velocity_window_ns", 0),
            (|s| s.velocity_count_max = 0, "velocity_count_max", 0),
            (
                |s| s.velocity_amount_max_minor = -1,
                "velocity_amount_max_minor",
                -1,
            ),
            (
                |s| s.structuring_band_permille = 0,
                "structuring_band_permille",
                0,
            ),
            (
                |s| s.structuring_band_permille = 1_001,
                "structuring_band_permille",
                1_001,
            ),
            (
                |s| s.structuring_window_ns = WINDOW_NS_MAX + 1,
                "structuring_window_ns",
                i128::from(WINDOW_NS_MAX) + 1,
            ),
            (|s| s.structuring_count_min = 1, "structuring_count_min", 1),
            (|s| s.round_trip_window_ns = 0, "round_trip_window_ns", 0),
            (
                |s| s.round_trip_tolerance_permille = 1_001,
                "round_trip_tolerance_permille",
                1_001,
            ),
            (
                |s| s.concentration_window_ns = 0,
                "concentration_window_ns",
                0,
            ),
            (
                |s| s.concentration_claims_min = 1,
                "concentration_claims_min",
                1,
            ),
            (
                |s| s.concentration_share_permille = 0,
                "concentration_share_permille",
                0,
            ),
            (
                |s| s.concentration_share_permille = 1_001,
                "concentration_share_permille",
                1_001,
            ),
        ];
        for (spoil, field, value) in cases {
            let mut settings = Settings::default();
            spoil(&mut settings);
            let error = settings.validate().unwrap_err();
            assert_eq!((error.field, error.value), (field, value));
        }
        let edges = Settings {
            velocity_window_ns: WINDOW_NS_MAX,
            structuring_band_permille: 1_000,
            round_trip_tolerance_permille: 0,
            concentration_share_permille: 1_000,
            ..Settings::default()
        };
        assert_eq!(edges.validate(), Ok(()));
        let error = Settings {
            velocity_window_ns: 0,
            ..Settings::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "monitoring setting velocity_window_ns = 0: must be 1 ns to 366 days"
        );
    }

    #[test]
    fn settings_deserialise_with_defaults_and_refuse_unknown_fields() {
        let empty: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, Settings::default());
        let some: Settings = serde_json::from_str(r#"{"velocity_count_max": 5}"#).unwrap();
        assert_eq!(
            some,
            Settings {
                velocity_count_max: 5,
                ..Settings::default()
            }
        );
        let error = serde_json::from_str::<Settings>(r#"{"velocity_count_mx": 5}"#).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("unknown field `velocity_count_mx`"),
            "{error}"
        );
        let text = serde_json::to_string(&Settings::default()).unwrap();
        assert_eq!(
            serde_json::from_str::<Settings>(&text).unwrap(),
            Settings::default()
        );
    }

    #[test]
    fn rules_and_findings_serialise_in_snake_case() {
        for rule in Rule::ALL {
            assert_eq!(serde_json::to_value(rule).unwrap(), rule.name());
            assert_eq!(
                serde_json::from_value::<Rule>(json!(rule.name())).unwrap(),
                rule
            );
        }
        let found = finding(
            &Settings::default(),
            &candidate("A", "B", 10_000_000),
            &[],
            Rule::LargeValue,
        )
        .unwrap();
        let value = serde_json::to_value(&found).unwrap();
        assert_eq!(value["rule"], "large_value");
        assert_eq!(value["inputs"]["amount_minor"], 10_000_000);
    }

    #[test]
    fn durations_read_in_the_largest_whole_unit() {
        assert_eq!(duration_text(DAY_NS), "24 h");
        assert_eq!(duration_text(7 * DAY_NS), "7 d");
        assert_eq!(duration_text(90 * SECOND_NS), "90 s");
        assert_eq!(duration_text(30 * 60 * SECOND_NS), "30 min");
        assert_eq!(duration_text(1_500_000), "1500000 ns");
        assert_eq!(duration_text(0), "0 ns");
    }

    // Properties.

    /// Any setting, valid or not, with the edges of every range.
    fn any_settings() -> impl Strategy<Value = Settings> {
        let window = || prop_oneof![Just(0), Just(1), 1..=WINDOW_NS_MAX, Just(u64::MAX)];
        let amount = || prop_oneof![Just(i64::MIN), Just(0), 1..=60_000_000i64, Just(i64::MAX)];
        let small = || prop_oneof![0..=1_200u32, Just(u32::MAX)];
        (
            amount(),
            window(),
            small(),
            amount(),
            small(),
            window(),
            small(),
            window(),
            small(),
            window(),
            small(),
            small(),
        )
            .prop_map(|(a, b, c, d, e, f, g, h, i, j, k, l)| Settings {
                review_threshold_minor: a,
                velocity_window_ns: b,
                velocity_count_max: c,
                velocity_amount_max_minor: d,
                structuring_band_permille: e,
                structuring_window_ns: f,
                structuring_count_min: g,
                round_trip_window_ns: h,
                round_trip_tolerance_permille: i,
                concentration_window_ns: j,
                concentration_claims_min: k,
                concentration_share_permille: l,
            })
    }

    /// Valid settings around the defaults, small enough to fire on short histories.
    fn valid_settings() -> impl Strategy<Value = Settings> {
        (
            1..=20_000_000i64,
            1..=30u32,
            1..=1_000u32,
            2..=5u32,
            0..=1_000u32,
            2..=12u32,
            1..=1_000u32,
        )
            .prop_map(
                |(threshold, count_max, band, count_min, tolerance, claims_min, share)| Settings {
                    review_threshold_minor: threshold,
                    velocity_count_max: count_max,
                    structuring_band_permille: band,
                    structuring_count_min: count_min,
                    round_trip_tolerance_permille: tolerance,
                    concentration_claims_min: claims_min,
                    concentration_share_permille: share,
                    ..Settings::default()
                },
            )
    }

    /// An amount: ordinary, near the default threshold, near `i64::MAX`, or not a claim.
    fn any_amount() -> impl Strategy<Value = i64> {
        prop_oneof![
            1..=20_000_000i64,
            8_000_000..=10_000_001i64,
            (i64::MAX - 1_000)..=i64::MAX,
            i64::MIN..=0,
        ]
    }

    /// Past claims among `parties`, from 100 days before the candidate to 2 days after, ids
    /// drawn from a small set so that some repeat.
    fn any_history(parties: &'static [&'static str]) -> impl Strategy<Value = Vec<Past>> {
        let party = move || prop::sample::select(parties);
        let claim = (0..40u32, 0..=102 * DAY_NS, party(), party(), any_amount()).prop_map(
            |(id, offset_ns, creditor, debtor, amount_minor)| Past {
                claim_id: format!("p{id}").into(),
                submitted_at_ns: T_NS - 100 * DAY_NS + offset_ns,
                creditor: creditor.into(),
                debtor: debtor.into(),
                amount_minor,
            },
        );
        prop::collection::vec(claim, 0..64)
    }

    proptest! {
        #[test]
        fn evaluate_never_panics_and_is_ordered_and_deterministic(
            settings in any_settings(),
            amount_minor in any_amount(),
            creditor in prop::sample::select(&["A", "B", "C"][..]),
            mut history in any_history(&["A", "B", "C", "D"]),
        ) {
            let c = candidate(creditor, "B", amount_minor);
            let findings = evaluate(&settings, &c, &history);
            prop_assert!(findings.windows(2).all(|pair| pair[0].rule < pair[1].rule));
            prop_assert!(findings.iter().all(|f| !f.explanation.is_empty() && f.inputs.is_object()));
            history.reverse();
            prop_assert_eq!(evaluate(&settings, &c, &history), findings);
        }

        #[test]
        fn unrelated_history_changes_nothing(
            settings in valid_settings(),
            amount_minor in 1..=i64::MAX,
            history in any_history(&["C", "D", "E"]),
        ) {
            let c = candidate("A", "B", amount_minor);
            let findings = evaluate(&settings, &c, &history);
            prop_assert_eq!(&findings, &evaluate(&settings, &c, &[]));
            let related = [Rule::Velocity, Rule::Structuring, Rule::RoundTrip, Rule::Concentration];
            let fired = |rule: Rule| findings.iter().any(|f| f.rule == rule);
            prop_assert!(!fired(Rule::Structuring) && !fired(Rule::RoundTrip) && !fired(Rule::Concentration));
            if amount_minor <= settings.velocity_amount_max_minor {
                prop_assert!(!related.into_iter().any(fired));
            }
        }
    }
}
