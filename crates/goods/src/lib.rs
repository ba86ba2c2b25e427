//! Goods checks of Clearhouse: for each goods line of a claim, allow, hold for review, or
//! block, and always say why.
//!
//! - [`Nomenclature`]: the HS 2022 nomenclature (bundled), to validate codes and describe them.
//! - [`Policy`]: the export-control policy, a TOML file (a default is bundled) of rules by
//!   chapter, heading or subheading, with the humanitarian whitelist, arms and military goods,
//!   the Common High Priority List ([`Chpl`]), likely dual-use goods with their EU Annex I
//!   category, words that betray a mis-declared description, and the settings of the unit and
//!   price checks.
//! - [`PriceHistory`] and [`PriceBands`]: reference unit values and interquartile bands per
//!   (subheading, corridor), to flag over- and under-invoicing (trade-based money laundering).
//! - [`Checker`]: all of it applied to a [`Line`], giving a [`Decision`] and its [`Reason`]s.
//!
//! ```
//! use goods::{Checker, LineFields, Line, Nomenclature, Policy, Verdict};
//!
//! let nomenclature = Nomenclature::bundled()?;
//! let policy = Policy::bundled(&nomenclature)?;
//! let checker = Checker::new(nomenclature, policy, None)?;
//! let fields = LineFields {
//!     id: "1", hs_code: "8542.31", description: "Microcontrollers", quantity: "1000",
//!     unit: "u", value: "2500.00", currency: "EUR", ..LineFields::default()
//! };
//! let line = Line::parse(&fields, checker.nomenclature()).map_err(|(_, m)| m)?;
//! let decision = checker.check(&line);
//! assert_eq!(decision.verdict, Verdict::Hold);
//! let codes: Vec<String> = checker.reasons(&line, &decision).iter().map(|r| r.code.to_owned()).collect();
//! assert_eq!(codes, ["dual_use", "chpl"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The crate is pure: no I/O except parsers that take `impl Read`, no clock, no global state.
//! Bundled data comes in through `include_str!`.

mod check;
mod chpl;
mod csv_util;
mod error;
mod lines;
mod nomenclature;
mod policy;
mod prices;
mod units;
mod words;

pub use check::{Checker, Decision, Finding, Reason, WORDS_REPORTED_MAX, format_major};
pub use chpl::{CHPL_ENTRIES_MAX, Chpl, Tier};
pub use csv_util::RECORD_BYTES_MAX;
pub use error::{CsvError, MismatchError, NomenclatureError, PolicyError};
pub use lines::{FieldError, Line, LineFields, LineReader};
pub use nomenclature::{
    Classification, CodeQuery, DESCRIPTION_BYTES_MAX, Described, Level, Nomenclature, SECTIONS_MAX,
    SUBHEADINGS_MAX, Subheading,
};
pub use policy::{
    CODES_PER_RULE_MAX, CodeEntry, POLICY_BYTES_MAX, POLICY_VERSION, Policy, PriceCheck,
    REASON_CODE_LEN_MAX, RULES_MAX, Rule, Ruling, TEXT_LEN_MAX, Verdict,
};
pub use prices::{
    Band, BandBasis, BandReport, BandSettings, Direction, IQR_FACTOR_DEFAULT, MIN_SAMPLES_DEFAULT,
    OBSERVATIONS_MAX, Observation, ObservationError, PriceBands, PriceHistory, PriceOutcome,
    PriceReport, UNIT_VALUE_MINOR_MAX, base_quantity, quantile, unit_value_minor,
};
pub use units::{BaseUnit, UnitKinds, expected_kinds, parse_unit};
pub use words::{WORD_BYTES_MAX, WORDS_MAX, WordMatch, WordMatcher};

/// At most this many characters of a rejected input are repeated in an error message.
const ECHO_CHARS_MAX: usize = 64;

/// A copy of `input` short enough to repeat in an error message.
pub(crate) fn echo(input: &str) -> String {
    match input.char_indices().nth(ECHO_CHARS_MAX) {
        None => input.to_owned(),
        Some((cut, _)) => format!("{}…", &input[..cut]),
    }
}
