//! How a clearing instrument is set up: its zones, the clearing currency and the agreed rates,
//! the zone house accounts, the compliance officers, and the thresholds of every check.
//!
//! Written once (`House::init`) and kept in the store with the audit trail of who set it.

use model::{BankAccount, BankAccountInput, Currency, ZoneCode};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::HouseError;

/// Most zones an instrument may have.
pub const ZONES_MAX: usize = 16;
/// Most officers.
pub const OFFICERS_MAX: usize = 256;
/// Fewest officers a house can run with: a release needs two different ones.
pub const OFFICERS_MIN: usize = 2;
/// Default score at or above which a screened name is a hit.
pub const SCREENING_THRESHOLD_DEFAULT: f64 = screening::DEFAULT_THRESHOLD;

/// The set-up of a clearing instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseConfig {
    /// The instrument's name, as on settlement files.
    pub name: String,
    /// The currency claims are cleared in (ISO 4217), for example `EUR`.
    pub clearing_currency: String,
    /// The zones, at least one.
    pub zones: Vec<ZoneConfig>,
    /// The compliance officers and supervisors.
    pub officers: Vec<Officer>,
    /// Screening: the score at or above which a name is a hit.
    #[serde(default = "default_threshold")]
    pub screening_threshold: f64,
    /// Transaction monitoring thresholds.
    #[serde(default)]
    pub monitoring: monitoring::Settings,
    /// Run domestic set-off before the INSTEX selection in every cycle.
    #[serde(default)]
    pub set_off_domestic: bool,
    /// Hold a claim whose goods line has no reference price band to check it against (default:
    /// let it through, recorded as `not_checked`).
    #[serde(default)]
    pub hold_without_price_reference: bool,
    /// How cycles settle: the pay-in deadline, when pay-outs go, what happens to a pay-in a
    /// recomputed cycle no longer needs.
    #[serde(default)]
    pub settlement: SettlementSettings,
    /// When a claim's debtor is taken to have accepted it without saying so.
    #[serde(default)]
    pub acceptance: AcceptanceSettings,
}

/// Most days a house may let a claim wait for its debtor before deeming it accepted.
pub const DEEMED_AFTER_DAYS_MAX: u32 = 365;

/// A claim's debtor acceptance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceSettings {
    /// A claim awaiting its debtor's acceptance this many days (1 to [`DEEMED_AFTER_DAYS_MAX`])
    /// without a dispute is deemed accepted; off (`None`, the default): only the debtor accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deemed_after_days: Option<u32>,
}

/// Most hours a payer may be given to pay in: a cycle's claims wait that long at most.
pub const PAY_IN_HOURS_MAX: u32 = 24 * 30;

/// How cycles settle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementSettings {
    /// Hours a payer has, from the cycle's run, to pay in (1 to [`PAY_IN_HOURS_MAX`]).
    #[serde(default = "default_pay_in_hours")]
    pub pay_in_hours: u32,
    /// When pay-outs go.
    #[serde(default)]
    pub payout_release: PayoutRelease,
    /// What becomes of a pay-in an unwound cycle no longer needs.
    #[serde(default)]
    pub unneeded_pay_in: UnneededPayIn,
}

impl Default for SettlementSettings {
    fn default() -> SettlementSettings {
        SettlementSettings {
            pay_in_hours: default_pay_in_hours(),
            payout_release: PayoutRelease::default(),
            unneeded_pay_in: UnneededPayIn::default(),
        }
    }
}

fn default_pay_in_hours() -> u32 {
    24
}

/// When a cycle's pay-outs go. Either way a payee is paid only out of pay-ins that arrived, and
/// only once no payer whose default could change its amount is still to pay: every payer of its
/// part of the cycle (the claims linked to it through common parties, and every cross-border
/// claim of the currency, since they balance each other across the zones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutRelease {
    /// A zone's payees are paid together, once every pay-in any of them depends on arrived.
    #[default]
    Zone,
    /// Each payee is paid as soon as the pay-ins it depends on arrived.
    Payee,
}

/// What becomes of a pay-in that a cycle recomputed after an unwind no longer needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnneededPayIn {
    /// Held in suspense for a refund, with a `refund_due` alert: the operator's
    /// `settlement refund` writes the payment back to the payer's account.
    #[default]
    Refund,
    /// Kept in suspense for the payer's next pay-in.
    Keep,
}

fn default_threshold() -> f64 {
    SCREENING_THRESHOLD_DEFAULT
}

/// One economic zone of the instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneConfig {
    /// Its code, for example `EU`.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The currency its participants are paid and pay in.
    pub currency: String,
    /// The agreed rate: units of the zone's currency for one unit of the clearing currency.
    /// It must turn one minor unit of the clearing currency into a whole number of minor units
    /// of the zone's currency, so that conversions of settlement amounts are exact.
    pub rate: Decimal,
    /// The zone house account that collects and pays out in the zone.
    pub house_account: HouseAccount,
    /// The countries whose firms belong to this zone (ISO 3166 alpha-2).
    #[serde(default)]
    pub countries: Vec<String>,
    /// A sponsor's or a bank's credit line: cycles may clear up to its limit beyond the
    /// counter-flow, the provider paying the zone's exporters, repaid first from later
    /// counter-flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liquidity_provider: Option<LiquidityProvider>,
}

/// A zone's liquidity provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidityProvider {
    /// Its name, as on payment files.
    pub name: String,
    /// The account it pays from and is repaid to.
    pub iban: String,
    pub bic: String,
    /// The most it lends at once, in the zone's currency (`250000.00`).
    pub limit: Decimal,
}

/// A zone house account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseAccount {
    /// The holder's name.
    pub name: String,
    /// IBAN.
    pub iban: String,
    /// BIC of the bank that keeps it.
    pub bic: String,
    /// The bank's name, screened with its BIC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
}

/// What an officer may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Decides cases.
    Officer,
    /// Decides cases and reassigns them.
    Supervisor,
}

/// A compliance officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Officer {
    /// The officer's name, as in the audit journal.
    pub name: String,
    /// What the officer may do.
    pub role: Role,
}

/// A zone, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub code: ZoneCode,
    pub name: String,
    pub currency: Currency,
    /// Minor units of the zone currency per minor unit of the clearing currency, exact.
    pub minor_rate: i64,
    pub rate: Decimal,
    pub account: BankAccount,
    pub account_name: String,
    pub countries: Vec<String>,
    pub provider: Option<Provider>,
}

/// A zone's liquidity provider, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub name: String,
    pub account: BankAccount,
    /// Its limit in minor units of the clearing currency (rounded down at the agreed rate).
    pub limit_minor: i64,
}

/// A configuration, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub config: HouseConfig,
    pub clearing_currency: Currency,
    pub zones: Vec<Zone>,
}

impl HouseConfig {
    /// Checks everything; errors name the field (`zones[1].rate`).
    pub fn check(self) -> Result<Checked, HouseError> {
        let invalid = |field: String, message: String| HouseError::Invalid { field, message };
        model::clean_text(&self.name, model::LEGAL_NAME_LEN_MAX)
            .map_err(|e| invalid("name".into(), e.to_string()))?;
        let clearing = model::currency::from_code(&self.clearing_currency)
            .map_err(|e| invalid("clearing_currency".into(), e.to_string()))?;
        let clearing_exp = exponent(clearing);
        if self.zones.is_empty() || self.zones.len() > ZONES_MAX {
            return Err(invalid(
                "zones".into(),
                format!("has {} zones; 1 to {ZONES_MAX} allowed", self.zones.len()),
            ));
        }
        let mut zones = Vec::with_capacity(self.zones.len());
        for (i, z) in self.zones.iter().enumerate() {
            let field = |name: &str| format!("zones[{i}].{name}");
            let code: ZoneCode = z
                .code
                .parse()
                .map_err(|e: model::IdError| invalid(field("code"), e.to_string()))?;
            if zones.iter().any(|other: &Zone| other.code == code) {
                return Err(invalid(field("code"), format!("duplicate zone {code}")));
            }
            let currency = model::currency::from_code(&z.currency)
                .map_err(|e| invalid(field("currency"), e.to_string()))?;
            let minor_rate = minor_rate(z.rate, clearing_exp, exponent(currency))
                .ok_or_else(|| {
                    invalid(
                        field("rate"),
                        format!(
                            "{} {} per {}: must be positive and turn one minor unit of {} into a whole number of minor units of {}",
                            z.rate, z.currency, self.clearing_currency, self.clearing_currency, z.currency
                        ),
                    )
                })?;
            let account = BankAccount::new(BankAccountInput {
                iban: z
                    .house_account
                    .iban
                    .parse()
                    .map_err(|e: model::IbanError| {
                        invalid(field("house_account.iban"), e.to_string())
                    })?,
                bic: z.house_account.bic.parse().map_err(|e: model::BicError| {
                    invalid(field("house_account.bic"), e.to_string())
                })?,
            })
            .map_err(|e| invalid(field("house_account"), e.to_string()))?;
            model::clean_text(&z.name, model::ZONE_NAME_LEN_MAX)
                .map_err(|e| invalid(field("name"), e.to_string()))?;
            model::clean_text(&z.house_account.name, model::LEGAL_NAME_LEN_MAX)
                .map_err(|e| invalid(field("house_account.name"), e.to_string()))?;
            let mut countries: Vec<String> = Vec::with_capacity(z.countries.len());
            for (k, c) in z.countries.iter().enumerate() {
                let code: model::CountryCode =
                    c.parse().map_err(|e: model::CountryCodeError| {
                        invalid(field(&format!("countries[{k}]")), e.to_string())
                    })?;
                let code = code.as_str().to_owned();
                if let Some(other) = zones.iter().find(|o: &&Zone| o.countries.contains(&code)) {
                    return Err(invalid(
                        field(&format!("countries[{k}]")),
                        format!(
                            "{code} is in zone {} already: a country belongs to one zone",
                            other.code
                        ),
                    ));
                }
                if countries.contains(&code) {
                    return Err(invalid(
                        field(&format!("countries[{k}]")),
                        format!("{code} twice"),
                    ));
                }
                countries.push(code);
            }
            let provider = match &z.liquidity_provider {
                None => None,
                Some(lp) => Some(check_provider(lp, &field, currency, minor_rate)?),
            };
            zones.push(Zone {
                code,
                name: z.name.clone(),
                currency,
                minor_rate,
                rate: z.rate,
                account,
                account_name: z.house_account.name.clone(),
                countries,
                provider,
            });
        }
        if self.officers.len() > OFFICERS_MAX {
            return Err(invalid(
                "officers".into(),
                format!("more than {OFFICERS_MAX}"),
            ));
        }
        for (i, o) in self.officers.iter().enumerate() {
            crate::check_actor(&format!("officers[{i}].name"), &o.name)?;
            if self.officers[..i].iter().any(|p| p.name == o.name) {
                return Err(invalid(
                    format!("officers[{i}].name"),
                    format!("duplicate: {:?}", o.name),
                ));
            }
        }
        // Releasing a case needs two different officers: fewer would make four-eyes impossible.
        if self.officers.len() < OFFICERS_MIN {
            return Err(invalid(
                "officers".into(),
                format!(
                    "has {} officer(s); four-eyes review needs at least {OFFICERS_MIN}",
                    self.officers.len()
                ),
            ));
        }
        if !self.officers.iter().any(|o| o.role == Role::Supervisor) {
            return Err(invalid(
                "officers".into(),
                "has no supervisor: nobody could reassign a case".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.screening_threshold) || self.screening_threshold == 0.0 {
            return Err(invalid(
                "screening_threshold".into(),
                format!("{} is not in (0, 1]", self.screening_threshold),
            ));
        }
        let hours = self.settlement.pay_in_hours;
        if !(1..=PAY_IN_HOURS_MAX).contains(&hours) {
            return Err(invalid(
                "settlement.pay_in_hours".into(),
                format!("{hours} is not in 1 to {PAY_IN_HOURS_MAX}"),
            ));
        }
        if let Some(days) = self.acceptance.deemed_after_days
            && !(1..=DEEMED_AFTER_DAYS_MAX).contains(&days)
        {
            return Err(invalid(
                "acceptance.deemed_after_days".into(),
                format!("{days} is not in 1 to {DEEMED_AFTER_DAYS_MAX}"),
            ));
        }
        self.monitoring
            .validate()
            .map_err(|e| invalid("monitoring".into(), e.to_string()))?;
        Ok(Checked {
            clearing_currency: clearing,
            zones,
            config: self,
        })
    }
}

/// How many claims of the largest amount one cycle must be able to add up in every zone's
/// currency: the per-claim limit is the cycle's limit divided by this.
pub const CYCLE_CLAIMS_AT_MAX: i64 = 1_000;

impl Checked {
    /// The most, in minor units of the clearing currency, that one cycle may clear in total: the
    /// sum converted into any zone's currency still fits a signed 64-bit integer.
    pub fn cycle_total_minor_max(&self) -> i64 {
        let rate = self
            .zones
            .iter()
            .map(|z| z.minor_rate)
            .max()
            .unwrap_or(1)
            .max(1);
        i64::MAX / rate
    }

    /// The largest claim, in minor units of the clearing currency, the house accepts: a cycle can
    /// sum [`CYCLE_CLAIMS_AT_MAX`] of them in every zone's currency.
    pub fn claim_minor_max(&self) -> i64 {
        self.cycle_total_minor_max() / CYCLE_CLAIMS_AT_MAX
    }

    /// The zone with this code.
    pub fn zone(&self, code: &ZoneCode) -> Option<&Zone> {
        self.zones.iter().find(|z| &z.code == code)
    }

    /// The officer with this name.
    pub fn officer(&self, name: &str) -> Option<&Officer> {
        self.config.officers.iter().find(|o| o.name == name)
    }
}

/// The exponent of a currency (ISO 4217 minor units).
pub fn exponent(currency: Currency) -> u8 {
    model::currency::minor_unit_exponent(currency).unwrap_or(0)
}

/// `rate` in minor units per minor unit, if positive and a whole number.
fn minor_rate(rate: Decimal, from_exp: u8, to_exp: u8) -> Option<i64> {
    if rate <= Decimal::ZERO {
        return None;
    }
    let mut scaled = rate;
    for _ in from_exp..to_exp {
        scaled = scaled.checked_mul(Decimal::TEN)?;
    }
    for _ in to_exp..from_exp {
        scaled = scaled.checked_div(Decimal::TEN)?;
    }
    let whole = scaled.normalize();
    if whole.scale() != 0 {
        return None;
    }
    i64::try_from(whole.mantissa()).ok().filter(|&r| r > 0)
}

/// Checks a zone's liquidity provider; errors name `zones[i].liquidity_provider.…`.
fn check_provider(
    lp: &LiquidityProvider,
    field: &dyn Fn(&str) -> String,
    currency: Currency,
    minor_rate: i64,
) -> Result<Provider, HouseError> {
    let at = |name: &str| field(&format!("liquidity_provider.{name}"));
    model::clean_text(&lp.name, model::LEGAL_NAME_LEN_MAX)
        .map_err(|e| HouseError::invalid(at("name"), e.to_string()))?;
    let account = BankAccount::new(BankAccountInput {
        iban: lp
            .iban
            .parse()
            .map_err(|e: model::IbanError| HouseError::invalid(at("iban"), e.to_string()))?,
        bic: lp
            .bic
            .parse()
            .map_err(|e: model::BicError| HouseError::invalid(at("bic"), e.to_string()))?,
    })
    .map_err(|e| HouseError::invalid(at("iban"), e.to_string()))?;
    let limit = model::Money::from_decimal(lp.limit, currency, model::Rounding::Down)
        .ok()
        .filter(|m| !m.is_negative())
        .ok_or_else(|| {
            HouseError::invalid(
                at("limit"),
                format!("{} is not an amount of {}", lp.limit, currency.code()),
            )
        })?;
    Ok(Provider {
        name: lp.name.clone(),
        account,
        limit_minor: limit.amount_minor() / minor_rate,
    })
}

/// The example set-up of the demo: the EU and Iran, cleared in euros.
pub fn example() -> HouseConfig {
    HouseConfig {
        name: "Clearhouse INSTEX-style instrument (demo)".into(),
        clearing_currency: "EUR".into(),
        zones: vec![
            ZoneConfig {
                code: "EU".into(),
                name: "European Union".into(),
                currency: "EUR".into(),
                rate: Decimal::ONE,
                house_account: HouseAccount {
                    name: "Clearhouse EU zone account".into(),
                    iban: "FR7630006000011234567890189".into(),
                    bic: "AGRIFRPP".into(),
                    bank_name: None,
                },
                countries: ["DE", "FR", "IT", "NL", "ES", "AT", "BE", "SE", "PL", "DK"]
                    .map(String::from)
                    .to_vec(),
                liquidity_provider: None,
            },
            ZoneConfig {
                code: "IR".into(),
                name: "Islamic Republic of Iran".into(),
                currency: "IRR".into(),
                // The agreed conversion for the demo: 480,000 rials to the euro.
                rate: Decimal::from(480_000),
                house_account: HouseAccount {
                    name: "Clearhouse IR zone account".into(),
                    iban: "IR062960000000100324200001".into(),
                    bic: "KESHIRTH".into(),
                    bank_name: None,
                },
                countries: vec!["IR".into()],
                liquidity_provider: None,
            },
        ],
        officers: vec![
            Officer {
                name: "a.novak".into(),
                role: Role::Officer,
            },
            Officer {
                name: "b.laurent".into(),
                role: Role::Officer,
            },
            Officer {
                name: "c.weber".into(),
                role: Role::Supervisor,
            },
        ],
        screening_threshold: SCREENING_THRESHOLD_DEFAULT,
        monitoring: monitoring::Settings::default(),
        set_off_domestic: true,
        hold_without_price_reference: false,
        settlement: SettlementSettings::default(),
        acceptance: AcceptanceSettings::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_rates_must_be_exact() {
        assert_eq!(minor_rate(Decimal::from(480_000), 2, 2), Some(480_000));
        assert_eq!(minor_rate("1.5".parse().unwrap(), 2, 0), None);
        assert_eq!(minor_rate("150".parse().unwrap(), 2, 0), None);
        assert_eq!(minor_rate("1500".parse().unwrap(), 2, 0), Some(15));
        assert_eq!(minor_rate("0.5".parse().unwrap(), 2, 2), None);
        assert_eq!(minor_rate(Decimal::ZERO, 2, 2), None);
    }

    #[test]
    fn the_example_checks_and_errors_name_the_field() {
        let checked = example().check().unwrap();
        assert_eq!(checked.zones[1].minor_rate, 480_000);
        let mut bad = example();
        bad.zones[1].rate = "0.333".parse().unwrap();
        let err = bad.check().unwrap_err().to_string();
        assert!(err.contains("zones[1].rate"), "{err}");
        let mut bad = example();
        bad.zones[0].house_account.iban = "FR7630006000011234567890188".into();
        let err = bad.check().unwrap_err().to_string();
        assert!(err.contains("zones[0].house_account.iban"), "{err}");
    }
}
