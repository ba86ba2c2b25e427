//! Checking a goods line: the policy rule for its code, the CHPL, mis-declared words, the
//! unit and the price band, combined into one verdict with every reason.
//!
//! [`Checker::check`] is the hot path: a table read for the code, one automaton pass over
//! the description, up to three hash lookups and two decimal multiplications for the price,
//! and no allocation. The reasons are rendered into text only when asked for
//! ([`Checker::reasons`]).

use model::currency;
use rust_decimal::Decimal;

use crate::chpl::Tier;
use crate::error::MismatchError;
use crate::lines::Line;
use crate::nomenclature::Nomenclature;
use crate::policy::{Policy, Ruling, Verdict};
use crate::prices::{self, Band, BandBasis, Direction, PriceBands, PriceOutcome};
use crate::units::UnitKinds;
use crate::words::WordMatch;

/// Most mis-declared words reported per line.
pub const WORDS_REPORTED_MAX: usize = 4;
/// Most findings per line: the rule, the CHPL, the words, the unit and the price.
const FINDINGS_MAX: usize = 4 + WORDS_REPORTED_MAX;

/// One thing the checks found about a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// The policy rule for the code (`None`: the default).
    Rule(Option<u16>),
    /// The code is on the CHPL.
    Chpl(Tier),
    /// The description has a listed word.
    Misdeclared(WordMatch),
    /// The unit is of a kind that does not fit the code.
    Unit {
        /// The kinds that fit.
        expected: UnitKinds,
    },
    /// The unit value is outside its band.
    Price,
}

/// The outcome of checking one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'a> {
    /// The most severe verdict of all findings.
    pub verdict: Verdict,
    findings: [Finding; FINDINGS_MAX],
    len: u8,
    /// The price check.
    pub price: PriceOutcome<'a>,
}

impl Decision<'_> {
    /// What was found, the policy rule first.
    pub fn findings(&self) -> &[Finding] {
        &self.findings[..usize::from(self.len)]
    }

    fn push(&mut self, finding: Finding, verdict: Verdict) {
        if let Some(slot) = self.findings.get_mut(usize::from(self.len)) {
            *slot = finding;
            self.len += 1;
            self.verdict = self.verdict.max(verdict);
        }
    }
}

/// A reason for a verdict, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason<'a> {
    /// The verdict this reason calls for.
    pub verdict: Verdict,
    /// A code for machines: the rule's code, `chpl`, `misdeclaration`, `unit_mismatch`,
    /// `over_invoicing`, `under_invoicing` (or what the policy named them).
    pub code: &'a str,
    /// What was found, for people.
    pub message: String,
    /// The legal basis.
    pub basis: &'a str,
}

/// Everything needed to check lines: the nomenclature, the compiled policy, the price bands.
#[derive(Debug, Clone)]
pub struct Checker {
    nomenclature: Nomenclature,
    policy: Policy,
    bands: Option<PriceBands>,
}

impl Checker {
    /// Combines the parts; fails if the policy was compiled over another nomenclature.
    pub fn new(
        nomenclature: Nomenclature,
        policy: Policy,
        bands: Option<PriceBands>,
    ) -> Result<Checker, MismatchError> {
        if policy.subheading_count() != nomenclature.subheading_count() {
            return Err(MismatchError {
                policy: policy.subheading_count(),
                checker: nomenclature.subheading_count(),
            });
        }
        Ok(Checker {
            nomenclature,
            policy,
            bands,
        })
    }

    /// The nomenclature.
    pub fn nomenclature(&self) -> &Nomenclature {
        &self.nomenclature
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Checks one line; see the module documentation.
    #[inline]
    pub fn check(&self, line: &Line) -> Decision<'_> {
        let policy = &self.policy;
        let entry = policy.entry(line.subheading);
        let mut decision = Decision {
            verdict: Verdict::Allow,
            findings: [Finding::Price; FINDINGS_MAX],
            len: 0,
            price: PriceOutcome::NotChecked,
        };
        decision.push(Finding::Rule(entry.rule), policy.ruling(entry.rule).verdict);
        if let (Some(tier), Some(ruling)) = (entry.chpl, policy.chpl()) {
            decision.push(Finding::Chpl(tier), ruling.verdict);
        }
        if let Some((ruling, matcher)) = policy.misdeclaration() {
            matcher.find(line.goods.description(), WORDS_REPORTED_MAX, |found| {
                decision.push(Finding::Misdeclared(found), ruling.verdict);
            });
        }
        let unit = UnitKinds::of(line.goods.quantity().unit());
        if let Some(ruling) = policy.units().filter(|_| !entry.units.contains(unit)) {
            decision.push(
                Finding::Unit {
                    expected: entry.units,
                },
                ruling.verdict,
            );
        }
        if let (Some(bands), Some(check)) = (&self.bands, policy.prices()) {
            decision.price = bands.check(line);
            if matches!(decision.price, PriceOutcome::Outside { .. }) {
                decision.push(Finding::Price, check.ruling.verdict);
            }
        }
        decision
    }

    /// The reasons of a decision, in words, in the order found.
    pub fn reasons(&self, line: &Line, decision: &Decision<'_>) -> Vec<Reason<'_>> {
        decision
            .findings()
            .iter()
            .map(|finding| self.reason(line, decision, *finding))
            .collect()
    }

    fn reason(&self, line: &Line, decision: &Decision<'_>, finding: Finding) -> Reason<'_> {
        let policy = &self.policy;
        match finding {
            Finding::Rule(rule) => {
                let ruling = policy.ruling(rule);
                let scope = match rule.and_then(|r| policy.rules().get(usize::from(r))) {
                    Some(rule) => format!(" (rule for {})", rule.codes.join(", ")),
                    None => String::new(),
                };
                reason(ruling, format!("{}{scope}", ruling.reason))
            }
            Finding::Chpl(tier) => {
                let ruling = policy.chpl().unwrap_or(policy.default_ruling());
                let message = format!(
                    "{}: {} is on the Common High Priority List, {} ({}): {}",
                    ruling.reason,
                    line.goods.hs_code(),
                    tier.name(),
                    tier.code(),
                    self.nomenclature.description(line.subheading)
                );
                reason(ruling, message)
            }
            Finding::Misdeclared(found) => self.word_reason(line, found),
            Finding::Unit { expected } => {
                let ruling = policy.units().unwrap_or(policy.default_ruling());
                let unit = line.goods.quantity().unit();
                let message = format!(
                    "{}: quantity in {} ({}), but {} is traded by {}",
                    ruling.reason,
                    unit.code(),
                    UnitKinds::of(unit).describe(),
                    line.goods.hs_code(),
                    expected.describe()
                );
                reason(ruling, message)
            }
            Finding::Price => self.price_reason(line, decision.price),
        }
    }

    fn word_reason(&self, line: &Line, found: WordMatch) -> Reason<'_> {
        let Some((ruling, matcher)) = self.policy.misdeclaration() else {
            return reason(self.policy.default_ruling(), String::new());
        };
        let description = line.goods.description();
        let text = description
            .get(usize::from(found.start)..usize::from(found.end))
            .unwrap_or("");
        let message = format!(
            "{}: the description says {text:?} (listed word {:?}) but the code is {} ({})",
            ruling.reason,
            matcher.word(found.word),
            line.goods.hs_code(),
            self.nomenclature.description(line.subheading)
        );
        reason(ruling, message)
    }

    fn price_reason(&self, line: &Line, price: PriceOutcome<'_>) -> Reason<'_> {
        let Some(check) = self.policy.prices() else {
            return reason(self.policy.default_ruling(), String::new());
        };
        let PriceOutcome::Outside {
            band,
            direction,
            value_moved_minor,
        } = price
        else {
            return reason(&check.ruling, check.ruling.reason.clone());
        };
        let exponent = currency::minor_unit_exponent(line.goods.value().currency()).unwrap_or(0);
        let money = |minor: Decimal| format_major(minor, exponent);
        let unit_value = prices::unit_value_minor(line).unwrap_or_default();
        let side = match direction {
            Direction::OverInvoicing => "above",
            Direction::UnderInvoicing => "below",
        };
        let message = format!(
            "{}: unit value {} {cur}/{unit} is {side} the band {} to {} {cur}/{unit} \
             ({} of {} observations{}); {}: estimated value moved {cur} {}",
            check.ruling.reason,
            money(unit_value),
            money(band.low),
            money(band.high),
            band.basis.as_str(),
            band.samples,
            corridor_text(line, band),
            direction.as_str().replace('_', "-"),
            money(Decimal::from(value_moved_minor)),
            cur = line.goods.value().currency().code(),
            unit = band.unit.code(),
        );
        Reason {
            verdict: check.ruling.verdict,
            code: direction.as_str(),
            message,
            basis: &check.ruling.basis,
        }
    }
}

fn reason(ruling: &Ruling, message: String) -> Reason<'_> {
    Reason {
        verdict: ruling.verdict,
        code: &ruling.code,
        message,
        basis: &ruling.basis,
    }
}

fn corridor_text(line: &Line, band: &Band) -> String {
    match (band.basis, line.origin, line.destination) {
        (BandBasis::Corridor, Some(origin), Some(destination)) => {
            format!(", {origin} to {destination}")
        }
        _ => String::new(),
    }
}

/// Minor units as a major-unit amount with the currency's decimals (2 places for EUR), for
/// messages; sub-minor fractions are rounded half to even.
pub fn format_major(minor: Decimal, exponent: u8) -> String {
    let mut major = minor;
    major.set_scale(minor.scale() + u32::from(exponent)).ok();
    if major.scale() != minor.scale() + u32::from(exponent) {
        return minor.to_string();
    }
    let mut rounded = major.round_dp(u32::from(exponent));
    rounded.rescale(u32::from(exponent));
    rounded.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_units() {
        assert_eq!(format_major(Decimal::from(123_450), 2), "1234.50");
        assert_eq!(format_major(Decimal::new(12_345, 1), 2), "12.34");
        assert_eq!(format_major(Decimal::from(7), 0), "7");
        assert_eq!(format_major(Decimal::from(-5), 2), "-0.05");
    }
}
