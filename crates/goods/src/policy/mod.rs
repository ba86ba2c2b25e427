//! The export-control policy: a TOML file of rules by HS code, plus the settings of the
//! other checks (CHPL, mis-declaration, units, prices), compiled into one table with an entry
//! per subheading so that checking a line is an array read.
//!
//! # The file
//!
//! ```toml
//! version = 1
//!
//! [default]                      # for codes no rule covers
//! verdict = "hold"
//! code = "not_whitelisted"
//! reason = "Not on the humanitarian whitelist: review before clearing"
//! basis = "Clearhouse policy"
//!
//! [[rules]]
//! codes = ["01-24", "3006", "9018-9022", "8419.20"]
//! verdict = "allow"              # allow, hold or block
//! code = "humanitarian"          # optional, a reason code for machines
//! reason = "Humanitarian whitelist: food, medicine, medical devices"
//! basis = "31 CFR 560.530"
//!
//! [chpl]                         # optional: hold Common High Priority List items
//! verdict = "hold"
//! basis = "..."
//!
//! [misdeclaration]               # optional: words that contradict any code
//! verdict = "hold"
//! basis = "..."
//! words = ["missile", "warhead", "UAV"]
//!
//! [units]                        # optional: a unit of the wrong kind for the code
//! verdict = "hold"
//! basis = "..."
//!
//! [prices]                       # optional: unit value outside its reference band
//! verdict = "hold"
//! basis = "..."
//! iqr_factor = 1.5               # k in [Q1 − k·IQR, Q3 + k·IQR]; a number or a decimal string
//! min_samples = 5                # a band needs at least this many observations
//! ```
//!
//! A code is a chapter (`"93"`), a heading (`"8710"`, `"87.10"`) or a subheading (`"890610"`,
//! `"8906.10"`); a range joins two codes of one level (`"9018-9022"`, `"01-24"`), both ends
//! included. Every code and range end must exist in the nomenclature.
//!
//! # Precedence
//!
//! Among the rules, the most specific wins: a subheading rule over a heading rule over a
//! chapter rule over the default. Two rules of the same level may not cover the same code
//! (the file is rejected, naming both), so the outcome never depends on rule order. The other
//! checks do not replace the rule: each adds its own reason (CHPL tier, mis-declared word,
//! unit, price band), and the line's verdict is the most severe of all its reasons
//! (block > hold > allow). A CHPL item in an allowed chapter is therefore held, and a blocked
//! code stays blocked whatever else is found.

mod locate;

use std::ops::Range;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

use crate::chpl::{Chpl, Tier};
use crate::error::PolicyError;
use crate::nomenclature::{CodeQuery, Level, Nomenclature, Subheading};
use crate::prices::BandSettings;
use crate::units::{self, UnitKinds};
use crate::words::WordMatcher;

/// Largest policy file, in bytes.
pub const POLICY_BYTES_MAX: usize = 1024 * 1024;
/// Most rules in a policy; rule numbers are `u16`.
pub const RULES_MAX: usize = 10_000;
/// Most codes and ranges in one rule.
pub const CODES_PER_RULE_MAX: usize = 1_000;
/// Longest reason or basis text, in characters.
pub const TEXT_LEN_MAX: usize = 1_000;
/// Longest reason code, in bytes.
pub const REASON_CODE_LEN_MAX: usize = 64;
/// The only policy file version there is.
pub const POLICY_VERSION: u32 = 1;
/// Largest IQR factor accepted.
const IQR_FACTOR_MAX: Decimal = Decimal::ONE_HUNDRED;

const BUNDLED_POLICY: &str = include_str!("../../data/default_policy.toml");

/// Marks "no rule" in the compiled tables: the default applies.
const NO_RULE: u16 = u16::MAX;

/// What to do with a goods line, from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Clear it.
    #[default]
    Allow,
    /// Stop it for review by a compliance officer.
    Hold,
    /// Refuse it.
    Block,
}

impl Verdict {
    /// `allow`, `hold` or `block`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Hold => "hold",
            Verdict::Block => "block",
        }
    }
}

/// A verdict with the words that justify it: a rule, the default, or a check's setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruling {
    /// The verdict.
    pub verdict: Verdict,
    /// A reason code for machines, such as `dual_use`.
    pub code: String,
    /// Why, for people (for checks, the check adds the particulars).
    pub reason: String,
    /// The legal basis.
    pub basis: String,
}

/// A rule of the policy, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The codes and ranges as written.
    pub codes: Vec<String>,
    /// What the rule decides.
    pub ruling: Ruling,
}

/// What the policy says about one subheading, looked up per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeEntry {
    /// The rule that applies, or `None` for the default.
    pub rule: Option<u16>,
    /// The CHPL tier, if the CHPL check is on and the code is listed.
    pub chpl: Option<Tier>,
    /// The unit kinds that fit the code.
    pub units: UnitKinds,
}

/// The settings of the price check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceCheck {
    /// Verdict and basis for a line outside its band.
    pub ruling: Ruling,
    /// How bands are built.
    pub bands: BandSettings,
}

/// A compiled policy; see the module documentation.
#[derive(Debug, Clone)]
pub struct Policy {
    default: Ruling,
    rules: Vec<Rule>,
    chpl: Option<Ruling>,
    misdeclaration: Option<(Ruling, WordMatcher)>,
    units: Option<Ruling>,
    prices: Option<PriceCheck>,
    /// One entry per subheading of the nomenclature, by [`Subheading::index`].
    table: Vec<CodeEntry>,
}

impl Policy {
    /// The bundled default policy (`data/default_policy.toml`) with the bundled CHPL.
    pub fn bundled(nomenclature: &Nomenclature) -> Result<Policy, PolicyError> {
        Policy::parse(BUNDLED_POLICY, nomenclature)
    }

    /// The text of the bundled default policy, to start a custom one from.
    pub fn bundled_text() -> &'static str {
        BUNDLED_POLICY
    }

    /// Parses and compiles a policy over `nomenclature`, with the bundled CHPL.
    pub fn parse(text: &str, nomenclature: &Nomenclature) -> Result<Policy, PolicyError> {
        let chpl = Chpl::bundled(nomenclature).map_err(|e| PolicyError {
            line: None,
            column: None,
            key: None,
            message: format!("the bundled CHPL: {e}"),
        })?;
        Policy::parse_with_chpl(text, nomenclature, &chpl)
    }

    /// Parses and compiles a policy over `nomenclature`, with a CHPL of the caller's.
    pub fn parse_with_chpl(
        text: &str,
        nomenclature: &Nomenclature,
        chpl: &Chpl,
    ) -> Result<Policy, PolicyError> {
        if text.len() > POLICY_BYTES_MAX {
            return Err(locate::error_at(
                text,
                None,
                None,
                format!(
                    "the policy has {} bytes, more than the {POLICY_BYTES_MAX} allowed",
                    text.len()
                ),
            ));
        }
        let document = DeTable::parse(text)
            .map_err(|e| locate::error_at(text, None, e.span(), e.message()))?;
        let raw = RawPolicy::deserialize(toml::de::Deserializer::from(document.clone()))
            .map_err(|e| locate::error_at(text, Some(&document), e.span(), e.message()))?;
        let at = |span: Range<usize>, message: String| {
            locate::error_at(text, Some(&document), Some(span), message)
        };
        compile(raw, nomenclature, chpl, &at)
    }

    /// What the policy says about a subheading. One array read.
    #[inline]
    pub fn entry(&self, subheading: Subheading) -> CodeEntry {
        self.table
            .get(subheading.index())
            .copied()
            .unwrap_or(CodeEntry {
                rule: None,
                chpl: None,
                units: UnitKinds::ANY,
            })
    }

    /// The ruling of a rule, or the default for `None`.
    pub fn ruling(&self, rule: Option<u16>) -> &Ruling {
        rule.and_then(|r| self.rules.get(usize::from(r)))
            .map_or(&self.default, |rule| &rule.ruling)
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The default ruling.
    pub fn default_ruling(&self) -> &Ruling {
        &self.default
    }

    /// The CHPL check's ruling, if it is on.
    pub fn chpl(&self) -> Option<&Ruling> {
        self.chpl.as_ref()
    }

    /// The mis-declaration check, if it is on.
    pub fn misdeclaration(&self) -> Option<(&Ruling, &WordMatcher)> {
        self.misdeclaration.as_ref().map(|(r, m)| (r, m))
    }

    /// The unit check's ruling, if it is on.
    pub fn units(&self) -> Option<&Ruling> {
        self.units.as_ref()
    }

    /// The price check, if it is on.
    pub fn prices(&self) -> Option<&PriceCheck> {
        self.prices.as_ref()
    }

    /// The band settings: the price check's, or the defaults.
    pub fn band_settings(&self) -> BandSettings {
        self.prices
            .as_ref()
            .map_or_else(BandSettings::default, |p| p.bands)
    }

    /// How many subheadings the compiled table covers.
    pub(crate) fn subheading_count(&self) -> usize {
        self.table.len()
    }
}

// ---------------------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    version: Spanned<u32>,
    default: RawRuling,
    #[serde(default)]
    rules: Vec<RawRule>,
    chpl: Option<RawRuling>,
    misdeclaration: Option<RawWords>,
    units: Option<RawRuling>,
    prices: Option<RawPrices>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuling {
    verdict: Verdict,
    code: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    basis: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    codes: Spanned<Vec<Spanned<String>>>,
    verdict: Verdict,
    code: Option<Spanned<String>>,
    reason: Spanned<String>,
    basis: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWords {
    verdict: Verdict,
    code: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    basis: Spanned<String>,
    words: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrices {
    verdict: Verdict,
    code: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    basis: Spanned<String>,
    iqr_factor: Option<Spanned<RawNumber>>,
    min_samples: Option<Spanned<u32>>,
}

/// A number as TOML may write it; decimal strings keep a factor exact.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawNumber {
    Integer(i64),
    Float(f64),
    Text(String),
}

// ---------------------------------------------------------------------------------------
// Compiling.

type At<'a> = dyn Fn(Range<usize>, String) -> PolicyError + 'a;

fn compile(
    raw: RawPolicy,
    nomenclature: &Nomenclature,
    chpl: &Chpl,
    at: &At<'_>,
) -> Result<Policy, PolicyError> {
    if *raw.version.get_ref() != POLICY_VERSION {
        return Err(at(
            raw.version.span(),
            format!(
                "unsupported version {}: expected {POLICY_VERSION}",
                raw.version.get_ref()
            ),
        ));
    }
    if raw.rules.len() > RULES_MAX {
        return Err(at(0..0, format!("more than {RULES_MAX} rules")));
    }
    let default = ruling(&raw.default, "default", "no rule covers this code", at)?;
    let rules = raw
        .rules
        .iter()
        .map(|rule| compile_rule(rule, at))
        .collect::<Result<Vec<_>, _>>()?;
    let misdeclaration = raw
        .misdeclaration
        .as_ref()
        .map(|words| compile_words(words, at))
        .transpose()?;
    let prices = raw
        .prices
        .as_ref()
        .map(|prices| compile_prices(prices, at))
        .transpose()?;
    let chpl_ruling = raw
        .chpl
        .as_ref()
        .map(|r| ruling(r, "chpl", "Common High Priority List item", at))
        .transpose()?;
    let units = raw
        .units
        .as_ref()
        .map(|r| ruling(r, "unit_mismatch", "unit does not fit the code", at))
        .transpose()?;
    let rule_of = assign_rules(&raw.rules, nomenclature, at)?;
    let table = build_table(
        nomenclature,
        &rule_of,
        chpl_ruling.is_some().then_some(chpl),
    );
    Ok(Policy {
        default,
        rules,
        chpl: chpl_ruling,
        misdeclaration,
        units,
        prices,
        table,
    })
}

fn ruling(
    raw: &RawRuling,
    default_code: &str,
    default_reason: &str,
    at: &At<'_>,
) -> Result<Ruling, PolicyError> {
    Ok(Ruling {
        verdict: raw.verdict,
        code: reason_code(raw.code.as_ref(), default_code, at)?,
        reason: optional_text(raw.reason.as_ref(), default_reason, at)?,
        basis: text(&raw.basis, at)?,
    })
}

fn compile_rule(raw: &RawRule, at: &At<'_>) -> Result<Rule, PolicyError> {
    Ok(Rule {
        codes: raw
            .codes
            .get_ref()
            .iter()
            .map(|c| c.get_ref().clone())
            .collect(),
        ruling: Ruling {
            verdict: raw.verdict,
            code: reason_code(raw.code.as_ref(), "policy", at)?,
            reason: text(&raw.reason, at)?,
            basis: text(&raw.basis, at)?,
        },
    })
}

fn compile_words(raw: &RawWords, at: &At<'_>) -> Result<(Ruling, WordMatcher), PolicyError> {
    let ruling = Ruling {
        verdict: raw.verdict,
        code: reason_code(raw.code.as_ref(), "misdeclaration", at)?,
        reason: optional_text(
            raw.reason.as_ref(),
            "the description names goods that contradict the code",
            at,
        )?,
        basis: text(&raw.basis, at)?,
    };
    let words: Vec<String> = raw
        .words
        .get_ref()
        .iter()
        .map(|w| w.get_ref().clone())
        .collect();
    let matcher = WordMatcher::new(&words).map_err(|e| {
        let span = raw
            .words
            .get_ref()
            .get(e.index)
            .map_or_else(|| raw.words.span(), Spanned::span);
        at(span, e.message)
    })?;
    Ok((ruling, matcher))
}

fn compile_prices(raw: &RawPrices, at: &At<'_>) -> Result<PriceCheck, PolicyError> {
    let ruling = Ruling {
        verdict: raw.verdict,
        code: reason_code(raw.code.as_ref(), "price", at)?,
        reason: optional_text(
            raw.reason.as_ref(),
            "unit value outside its reference band",
            at,
        )?,
        basis: text(&raw.basis, at)?,
    };
    let mut bands = BandSettings::default();
    if let Some(factor) = &raw.iqr_factor {
        bands.iqr_factor = iqr_factor(factor.get_ref()).ok_or_else(|| {
            at(
                factor.span(),
                format!("expected a number from 0 to {IQR_FACTOR_MAX}, such as 1.5 or \"1.5\""),
            )
        })?;
    }
    if let Some(min) = &raw.min_samples {
        if *min.get_ref() == 0 {
            return Err(at(min.span(), "must be at least 1".to_owned()));
        }
        bands.min_samples = *min.get_ref();
    }
    Ok(PriceCheck { ruling, bands })
}

fn iqr_factor(raw: &RawNumber) -> Option<Decimal> {
    let value = match raw {
        RawNumber::Integer(i) => Decimal::from(*i),
        // The shortest text that reads back as the same float is what the file said.
        RawNumber::Float(f) => f.to_string().parse().ok()?,
        RawNumber::Text(t) => t.trim().parse().ok()?,
    };
    (Decimal::ZERO <= value && value <= IQR_FACTOR_MAX).then_some(value)
}

fn reason_code(
    raw: Option<&Spanned<String>>,
    default: &str,
    at: &At<'_>,
) -> Result<String, PolicyError> {
    let Some(raw) = raw else {
        return Ok(default.to_owned());
    };
    let code = raw.get_ref();
    let ok = !code.is_empty()
        && code.len() <= REASON_CODE_LEN_MAX
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(code.clone())
    } else {
        Err(at(
            raw.span(),
            format!(
                "a reason code has 1 to {REASON_CODE_LEN_MAX} lower-case ASCII letters, digits or underscores"
            ),
        ))
    }
}

fn optional_text(
    raw: Option<&Spanned<String>>,
    default: &str,
    at: &At<'_>,
) -> Result<String, PolicyError> {
    raw.map_or_else(|| Ok(default.to_owned()), |raw| text(raw, at))
}

fn text(raw: &Spanned<String>, at: &At<'_>) -> Result<String, PolicyError> {
    let value = raw.get_ref().trim();
    let len = value.chars().count();
    if len == 0 || len > TEXT_LEN_MAX {
        return Err(at(
            raw.span(),
            format!("must have 1 to {TEXT_LEN_MAX} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(at(
            raw.span(),
            "must not contain control characters".to_owned(),
        ));
    }
    Ok(value.to_owned())
}

/// A code or range of one rule, parsed.
#[derive(Debug, Clone, Copy)]
struct Selector {
    level: Level,
    low: u32,
    high: u32,
}

/// Parses `"8542"`, `"8542.31"` or a range `"9018-9022"`, checking that the codes exist.
fn selector(text: &str, nomenclature: &Nomenclature) -> Result<Selector, String> {
    let (low_text, high_text) = match text.split_once('-') {
        Some((low, high)) => (low.trim(), high.trim()),
        None => (text.trim(), text.trim()),
    };
    let low = CodeQuery::parse(low_text).map_err(|e| e.to_string())?;
    let high = CodeQuery::parse(high_text).map_err(|e| e.to_string())?;
    if low.level() != high.level() {
        return Err(format!(
            "a range joins two codes of one level, such as \"9018-9022\"; {low} is a {} and {high} a {}",
            low.level().name(),
            high.level().name()
        ));
    }
    if low.number() > high.number() {
        return Err(format!(
            "the range {low}-{high} is empty: {low} comes after {high}"
        ));
    }
    for end in [low, high] {
        if !nomenclature.contains(end) {
            return Err(format!("{end} is not a {} of HS 2022", end.level().name()));
        }
    }
    Ok(Selector {
        level: low.level(),
        low: low.number(),
        high: high.number(),
    })
}

/// Which rule covers each code, per level.
struct RuleOf {
    chapter: Vec<u16>,
    heading: Vec<u16>,
    subheading: Vec<u16>,
}

fn assign_rules(
    rules: &[RawRule],
    nomenclature: &Nomenclature,
    at: &At<'_>,
) -> Result<RuleOf, PolicyError> {
    let mut rule_of = RuleOf {
        chapter: vec![NO_RULE; 100],
        heading: vec![NO_RULE; 10_000],
        subheading: vec![NO_RULE; nomenclature.subheading_count()],
    };
    for (index, rule) in rules.iter().enumerate() {
        let number = u16::try_from(index).unwrap_or(NO_RULE);
        if rule.codes.get_ref().is_empty() || rule.codes.get_ref().len() > CODES_PER_RULE_MAX {
            return Err(at(
                rule.codes.span(),
                format!("a rule lists 1 to {CODES_PER_RULE_MAX} codes"),
            ));
        }
        for code in rule.codes.get_ref() {
            let selector =
                selector(code.get_ref(), nomenclature).map_err(|m| at(code.span(), m))?;
            assign(&mut rule_of, selector, number, nomenclature).map_err(|m| at(code.span(), m))?;
        }
    }
    Ok(rule_of)
}

/// Marks every code of `selector` as covered by `rule`; fails if another rule of the same
/// level already covers one.
fn assign(
    rule_of: &mut RuleOf,
    selector: Selector,
    rule: u16,
    nomenclature: &Nomenclature,
) -> Result<(), String> {
    let conflict = |code: String, other: u16| {
        format!(
            "{code} is covered by rules[{other}] and rules[{rule}], both at the {} level; \
             the most specific rule wins, so rules of one level must not overlap",
            selector.level.name()
        )
    };
    let claim = |slot: &mut u16, code: &dyn Fn() -> String| {
        if *slot != NO_RULE && *slot != rule {
            return Err(conflict(code(), *slot));
        }
        *slot = rule;
        Ok(())
    };
    match selector.level {
        Level::Chapter | Level::Heading => {
            let (slots, level) = match selector.level {
                Level::Chapter => (&mut rule_of.chapter, Level::Chapter),
                _ => (&mut rule_of.heading, Level::Heading),
            };
            for number in selector.low..=selector.high {
                let query = CodeQuery::new(level, number);
                let slot = slots.get_mut(number as usize);
                if let Some(slot) = slot.filter(|_| nomenclature.contains(query)) {
                    claim(slot, &|| query.to_string())?;
                }
            }
        }
        Level::Subheading => {
            for subheading in nomenclature.subheadings_between(selector.low, selector.high) {
                if let Some(slot) = rule_of.subheading.get_mut(subheading.index()) {
                    claim(slot, &|| subheading.code().to_string())?;
                }
            }
        }
    }
    Ok(())
}

fn build_table(
    nomenclature: &Nomenclature,
    rule_of: &RuleOf,
    chpl: Option<&Chpl>,
) -> Vec<CodeEntry> {
    let empty = CodeEntry {
        rule: None,
        chpl: None,
        units: UnitKinds::ANY,
    };
    let mut table = vec![empty; nomenclature.subheading_count()];
    for subheading in nomenclature.subheadings() {
        let code = subheading.code();
        let rule = [
            rule_of.subheading.get(subheading.index()),
            rule_of.heading.get(usize::from(code.heading())),
            rule_of.chapter.get(usize::from(code.chapter())),
        ]
        .into_iter()
        .flatten()
        .copied()
        .find(|&rule| rule != NO_RULE);
        let units = units::expected_kinds(code.subheading(), nomenclature.description(subheading));
        if let Some(entry) = table.get_mut(subheading.index()) {
            *entry = CodeEntry {
                rule,
                chpl: None,
                units,
            };
        }
    }
    for (subheading, tier) in chpl.map_or(&[][..], Chpl::entries) {
        if let Some(entry) = table.get_mut(subheading.index()) {
            entry.chpl = Some(*tier);
        }
    }
    table
}
