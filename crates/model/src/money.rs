//! Money: a signed count of minor units (cents, fils, yen) in one ISO 4217 currency.
//!
//! Amounts are never floats. The text form of an amount has exactly as many decimals as the
//! currency's minor unit (EUR 2, JPY 0, BHD 3): `123450` EUR is `"1234.50"`. Parsing accepts
//! fewer decimals (`"1234.5"`), never more (`"1.234"` EUR is an error, not a rounding), and
//! follows the strict grammar of [`DecimalSyntaxError`]. All arithmetic is checked: an overflow
//! is [`MoneyError::Overflow`], mixing currencies is [`MoneyError::CurrencyMismatch`].
//!
//! Pro-rata shares and FX conversions are computed in [`Decimal`] (see [`Money::to_decimal`])
//! and brought back with [`Money::from_decimal`], which makes the caller choose a [`Rounding`].

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::currency::{self, Currency, CurrencyError};
use crate::decimal::{self, DecimalSyntaxError};
use crate::text::echo;

/// An amount of money: `amount_minor` minor units of `currency`.
///
/// Only currencies with a minor unit can hold money (see [`currency::minor_unit_exponent`]).
/// `Display` prints `"EUR 1234.50"`, which `FromStr` parses; [`Money::display_amount`] prints
/// the amount alone. Serde uses `{"amount": "1234.50", "currency": "EUR"}`, the amount always a
/// string.
///
/// There is no `Ord`: amounts in different currencies do not compare. Compare
/// [`Money::amount_minor`] after checking the currencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MoneyRepr", into = "MoneyRepr")]
pub struct Money {
    amount_minor: i64,
    currency: Currency,
    /// `currency`'s minor-unit exponent, at most [`currency::EXPONENT_MAX`]; kept so that no
    /// method has to look it up (and handle its absence) again.
    exponent: u8,
}

/// Why money could not be built, parsed or computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The currency is unknown or cannot hold money.
    #[error(transparent)]
    Currency(#[from] CurrencyError),
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {} and {}", .left.code(), .right.code())]
    CurrencyMismatch {
        /// Currency of the left operand (the running total, for sums).
        left: Currency,
        /// Currency of the right operand.
        right: Currency,
    },
    /// The result does not fit in 64-bit minor units.
    #[error("amount overflows the range of 64-bit minor units")]
    Overflow,
    /// The amount text is not a decimal number.
    #[error("invalid amount {input:?}: {reason}")]
    Syntax {
        /// The rejected text (shortened if long).
        input: String,
        /// What is wrong with it.
        reason: DecimalSyntaxError,
    },
    /// The amount text has more decimals than the currency's minor unit.
    #[error(
        "invalid amount {input:?}: too many decimals for {} ({decimals}; at most {max})",
        .currency.code()
    )]
    TooManyDecimals {
        /// The rejected text (shortened if long).
        input: String,
        /// The currency.
        currency: Currency,
        /// Number of decimals in the text.
        decimals: usize,
        /// The currency's minor-unit exponent.
        max: u8,
    },
    /// The amount text is a number too large for 64-bit minor units of the currency.
    #[error("invalid amount {input:?}: out of range for {} in 64-bit minor units", .currency.code())]
    OutOfRange {
        /// The rejected text (shortened if long).
        input: String,
        /// The currency.
        currency: Currency,
    },
    /// A money text is not a currency code, one space and an amount.
    #[error(r#"invalid money {input:?}: expected a currency code, one space and an amount, such as "EUR 1234.50""#)]
    Format {
        /// The rejected text (shortened if long).
        input: String,
    },
}

/// How [`Money::from_decimal`] rounds a value that falls between two minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rounding {
    /// To the nearest minor unit; ties to the even one (banker's rounding): 0.125 → 0.12,
    /// 0.135 → 0.14. Unbiased over many roundings.
    HalfEven,
    /// To the nearest minor unit; ties away from zero (commercial rounding, Java `HALF_UP`):
    /// 0.125 → 0.13, -0.125 → -0.13.
    HalfUp,
    /// Toward zero (truncation): 0.129 → 0.12, -0.129 → -0.12. Never pays out more than owed.
    Down,
}

impl Rounding {
    fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::Down => RoundingStrategy::ToZero,
        }
    }
}

impl Money {
    /// Money of `amount_minor` minor units of `currency` (`12345`, EUR is EUR 123.45).
    ///
    /// Fails only if the currency cannot hold money (no minor unit, such as XAU).
    pub fn new(amount_minor: i64, currency: Currency) -> Result<Money, MoneyError> {
        let exponent = currency::minor_unit_exponent(currency)?;
        Ok(Money {
            amount_minor,
            currency,
            exponent,
        })
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Result<Money, MoneyError> {
        Money::new(0, currency)
    }

    /// Parses a decimal amount in the currency with alphabetic code `currency_code`:
    /// `Money::parse("1234.5", "EUR")` is 123450 minor units.
    pub fn parse(amount: &str, currency_code: &str) -> Result<Money, MoneyError> {
        Money::parse_in(amount, currency::from_code(currency_code)?)
    }

    /// Parses a decimal amount in `currency`; see the module documentation for the grammar.
    pub fn parse_in(amount: &str, currency: Currency) -> Result<Money, MoneyError> {
        let zero = Money::zero(currency)?;
        let amount_minor = parse_minor(amount, currency, zero.exponent)?;
        Ok(Money {
            amount_minor,
            ..zero
        })
    }

    /// The amount in minor units.
    pub fn amount_minor(&self) -> i64 {
        self.amount_minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The currency's minor-unit exponent: the number of decimals in the text form.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount_minor == 0
    }

    /// Whether the amount is greater than zero.
    pub fn is_positive(&self) -> bool {
        self.amount_minor > 0
    }

    /// Whether the amount is less than zero.
    pub fn is_negative(&self) -> bool {
        self.amount_minor < 0
    }

    /// `self + rhs`; fails on different currencies or overflow.
    pub fn checked_add(self, rhs: Money) -> Result<Money, MoneyError> {
        self.same_currency(rhs)?;
        let sum = self.amount_minor.checked_add(rhs.amount_minor);
        self.with_amount(sum)
    }

    /// `self - rhs`; fails on different currencies or overflow.
    pub fn checked_sub(self, rhs: Money) -> Result<Money, MoneyError> {
        self.same_currency(rhs)?;
        let difference = self.amount_minor.checked_sub(rhs.amount_minor);
        self.with_amount(difference)
    }

    /// `-self`; fails only for the most negative amount, whose negation does not fit.
    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        self.with_amount(self.amount_minor.checked_neg())
    }

    /// `self × factor` for an integer factor (a quantity of identical items, say); fails on
    /// overflow. For fractional factors, go through [`Money::to_decimal`].
    pub fn checked_mul_int(self, factor: i64) -> Result<Money, MoneyError> {
        self.with_amount(self.amount_minor.checked_mul(factor))
    }

    /// The sum of `items`, all of which must be in `currency`; an empty sequence sums to zero.
    ///
    /// The running total is kept in 128 bits, so the result depends only on the items, not on
    /// their order: only a final total outside 64-bit minor units is an [`MoneyError::Overflow`].
    pub fn checked_sum<I>(currency: Currency, items: I) -> Result<Money, MoneyError>
    where
        I: IntoIterator<Item = Money>,
    {
        let zero = Money::zero(currency)?;
        let mut total: i128 = 0;
        for item in items {
            zero.same_currency(item)?;
            // Cannot overflow before 2^64 items; checked all the same.
            total = total
                .checked_add(i128::from(item.amount_minor))
                .ok_or(MoneyError::Overflow)?;
        }
        zero.with_amount(i64::try_from(total).ok())
    }

    /// The amount as a decimal number in major units: EUR 1234.50 is `1234.50`.
    pub fn to_decimal(&self) -> Decimal {
        // `Decimal::new` panics only for a scale above 28; the exponent is at most 4.
        Decimal::new(self.amount_minor, u32::from(self.exponent))
    }

    /// Money from a decimal amount in major units, rounded to the currency's minor unit as
    /// `rounding` says: `from_decimal(dec!(10.005), EUR, HalfUp)` is EUR 10.01.
    ///
    /// Fails if the currency cannot hold money or the rounded amount does not fit in 64 bits.
    pub fn from_decimal(
        value: Decimal,
        currency: Currency,
        rounding: Rounding,
    ) -> Result<Money, MoneyError> {
        let zero = Money::zero(currency)?;
        let exponent = u32::from(zero.exponent);
        let rounded = value.round_dp_with_strategy(exponent, rounding.strategy());
        // After rounding, the scale is at most `exponent`; scale the mantissa up to it. The
        // mantissa has at most 96 bits, so times 10^4 it fits in an i128.
        let minor = exponent
            .checked_sub(rounded.scale())
            .and_then(|shift| 10_i128.checked_pow(shift))
            .and_then(|factor| rounded.mantissa().checked_mul(factor))
            .and_then(|minor| i64::try_from(minor).ok());
        zero.with_amount(minor)
    }

    /// The amount alone, without the currency, for `Display`: EUR 1234.50 shows as `1234.50`.
    pub fn display_amount(&self) -> DisplayAmount {
        DisplayAmount {
            amount_minor: self.amount_minor,
            exponent: self.exponent,
        }
    }

    fn same_currency(self, rhs: Money) -> Result<(), MoneyError> {
        if self.currency == rhs.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: rhs.currency,
            })
        }
    }

    /// `self` with another amount, or an overflow error if there is none.
    fn with_amount(self, amount_minor: Option<i64>) -> Result<Money, MoneyError> {
        let amount_minor = amount_minor.ok_or(MoneyError::Overflow)?;
        Ok(Money {
            amount_minor,
            ..self
        })
    }
}

/// Parses `input` into minor units of a currency with `exponent` decimals.
fn parse_minor(input: &str, currency: Currency, exponent: u8) -> Result<i64, MoneyError> {
    let parts = decimal::split(input).map_err(|reason| MoneyError::Syntax {
        input: echo(input),
        reason,
    })?;
    let exponent_len = usize::from(exponent);
    if parts.fraction.len() > exponent_len {
        return Err(MoneyError::TooManyDecimals {
            input: echo(input),
            currency,
            decimals: parts.fraction.len(),
            max: exponent,
        });
    }
    let out_of_range = || MoneyError::OutOfRange {
        input: echo(input),
        currency,
    };
    // Digits of the amount in minor units: integer digits, fraction digits, padding zeros.
    let padding = std::iter::repeat_n(b'0', exponent_len - parts.fraction.len());
    let digits = parts
        .integer
        .bytes()
        .chain(parts.fraction.bytes())
        .chain(padding);
    let mut magnitude: i128 = 0;
    for digit in digits {
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(digit - b'0')))
            .ok_or_else(out_of_range)?;
    }
    // `magnitude` is non-negative, so its negation cannot overflow.
    let signed = if parts.negative {
        -magnitude
    } else {
        magnitude
    };
    i64::try_from(signed).map_err(|_| out_of_range())
}

impl fmt::Display for Money {
    /// `"EUR 1234.50"`: the currency code, one space, the amount with exactly
    /// [`Money::exponent`] decimals. Width and alignment apply to the whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!(
            "{} {}",
            self.currency.code(),
            self.display_amount()
        ))
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Parses `"EUR 1234.50"`: an ISO 4217 code, exactly one space, an amount.
    fn from_str(s: &str) -> Result<Money, MoneyError> {
        let (code, amount) = s
            .split_once(' ')
            .ok_or_else(|| MoneyError::Format { input: echo(s) })?;
        Money::parse(amount, code)
    }
}

/// The amount of a [`Money`] without its currency, as returned by [`Money::display_amount`]:
/// exactly as many decimals as the currency's minor unit (`"1234.50"`, `"-0.05"`, `"12"` for JPY).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisplayAmount {
    amount_minor: i64,
    exponent: u8,
}

impl fmt::Display for DisplayAmount {
    /// Width and alignment flags apply, so amounts line up in columns.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        // `unsigned_abs` is exact for i64::MIN, whose magnitude has no i64.
        let magnitude = self.amount_minor.unsigned_abs();
        let text = if self.exponent == 0 {
            format!("{sign}{magnitude}")
        } else {
            let scale = 10_u64.pow(u32::from(self.exponent));
            let (units, minor) = (magnitude / scale, magnitude % scale);
            let width = usize::from(self.exponent);
            format!("{sign}{units}.{minor:0width$}")
        };
        f.pad(&text)
    }
}

/// The serde form of [`Money`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyRepr {
    amount: String,
    currency: String,
}

impl From<Money> for MoneyRepr {
    fn from(money: Money) -> MoneyRepr {
        MoneyRepr {
            amount: money.display_amount().to_string(),
            currency: money.currency.code().to_owned(),
        }
    }
}

impl TryFrom<MoneyRepr> for Money {
    type Error = MoneyError;

    fn try_from(repr: MoneyRepr) -> Result<Money, MoneyError> {
        Money::parse(&repr.amount, &repr.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Currency::{BHD, EUR, JPY, KWD, USD, XAU};

    fn money(amount_minor: i64, currency: Currency) -> Money {
        Money::new(amount_minor, currency).unwrap()
    }

    #[test]
    fn parse_table() {
        let ok = [
            ("1234.5", EUR, 123_450),
            ("1234.50", EUR, 123_450),
            ("-3", EUR, -300),
            ("0", EUR, 0),
            ("-0", EUR, 0),
            ("-0.05", EUR, -5),
            ("0001.10", EUR, 110),
            ("12", JPY, 12),
            ("1.234", BHD, 1234),
            ("1.2", KWD, 1200),
            ("92233720368547758.07", EUR, i64::MAX),
            ("-92233720368547758.08", EUR, i64::MIN),
            ("9223372036854775807", JPY, i64::MAX),
        ];
        for (input, currency, expected) in ok {
            assert_eq!(
                Money::parse_in(input, currency),
                Ok(money(expected, currency)),
                "{input:?} {currency:?}"
            );
        }
    }

    #[test]
    fn parse_rejects() {
        let bad = [
            ("", EUR),
            ("+-", EUR),
            ("+1", EUR),
            ("1e5", EUR),
            ("1,5", EUR),
            (" 1", EUR),
            ("1 000", EUR),
            (".5", EUR),
            ("5.", EUR),
            ("1.2.3", EUR),
            ("1.234", EUR),
            ("12.5", JPY),
            ("1.2345", BHD),
            ("92233720368547758.08", EUR),
            ("-92233720368547758.09", EUR),
            ("9223372036854775808", JPY),
            ("99999999999999999999999999999999999999999", EUR),
        ];
        for (input, currency) in bad {
            assert!(
                Money::parse_in(input, currency).is_err(),
                "{input:?} {currency:?}"
            );
        }
    }

    #[test]
    fn parse_errors_name_the_problem() {
        let message = |input, currency| Money::parse_in(input, currency).unwrap_err().to_string();
        assert_eq!(
            message("1.234", EUR),
            r#"invalid amount "1.234": too many decimals for EUR (3; at most 2)"#
        );
        assert_eq!(
            message("12.5", JPY),
            r#"invalid amount "12.5": too many decimals for JPY (1; at most 0)"#
        );
        assert_eq!(
            message("1,5", EUR),
            r#"invalid amount "1,5": unexpected ',' at byte 1; expected digits with an optional leading '-' and one optional '.'"#
        );
        assert_eq!(
            message("92233720368547758.08", EUR),
            r#"invalid amount "92233720368547758.08": out of range for EUR in 64-bit minor units"#
        );
        assert_eq!(
            Money::parse("1", "XAU").unwrap_err().to_string(),
            "currency XAU has no minor unit in ISO 4217 and cannot hold money"
        );
        assert_eq!(
            Money::parse("1", "EURO").unwrap_err().to_string(),
            r#"unknown ISO 4217 currency code "EURO""#
        );
    }

    #[test]
    fn display() {
        let cases = [
            (123_450, EUR, "1234.50"),
            (-5, EUR, "-0.05"),
            (0, EUR, "0.00"),
            (7, JPY, "7"),
            (-7, JPY, "-7"),
            (1, BHD, "0.001"),
            (i64::MAX, EUR, "92233720368547758.07"),
            (i64::MIN, EUR, "-92233720368547758.08"),
            (i64::MIN, JPY, "-9223372036854775808"),
            (i64::MIN, BHD, "-9223372036854775.808"),
        ];
        for (amount_minor, currency, expected) in cases {
            let m = money(amount_minor, currency);
            assert_eq!(m.display_amount().to_string(), expected);
            assert_eq!(m.to_string(), format!("{} {expected}", currency.code()));
            assert_eq!(Money::parse_in(expected, currency), Ok(m), "round trip");
            assert_eq!(m.to_string().parse::<Money>(), Ok(m), "round trip");
        }
        assert_eq!(
            format!("{:>10}", money(-5, EUR).display_amount()),
            "     -0.05"
        );
    }

    #[test]
    fn from_str_needs_code_space_amount() {
        assert_eq!("EUR 1234.50".parse(), Ok(money(123_450, EUR)));
        for bad in ["EUR1234.50", "1234.50", "EUR  1", "eur 1", "EUR 1 ", "EUR"] {
            assert!(bad.parse::<Money>().is_err(), "{bad:?}");
        }
        assert_eq!(
            "1234.50".parse::<Money>().unwrap_err().to_string(),
            r#"invalid money "1234.50": expected a currency code, one space and an amount, such as "EUR 1234.50""#
        );
    }

    #[test]
    fn currency_without_minor_unit_cannot_hold_money() {
        assert!(matches!(
            Money::new(1, XAU),
            Err(MoneyError::Currency(CurrencyError::NoMinorUnit {
                currency: XAU
            }))
        ));
    }

    #[test]
    fn checked_arithmetic() {
        let eur = |a| money(a, EUR);
        assert_eq!(eur(150).checked_add(eur(-50)), Ok(eur(100)));
        assert_eq!(eur(150).checked_sub(eur(200)), Ok(eur(-50)));
        assert_eq!(eur(150).checked_neg(), Ok(eur(-150)));
        assert_eq!(eur(150).checked_mul_int(-3), Ok(eur(-450)));
        assert_eq!(eur(i64::MAX).checked_add(eur(1)), Err(MoneyError::Overflow));
        assert_eq!(eur(i64::MIN).checked_sub(eur(1)), Err(MoneyError::Overflow));
        assert_eq!(eur(i64::MIN).checked_neg(), Err(MoneyError::Overflow));
        assert_eq!(eur(i64::MIN + 1).checked_neg(), Ok(eur(i64::MAX)));
        assert_eq!(eur(i64::MAX).checked_mul_int(2), Err(MoneyError::Overflow));
        assert_eq!(eur(i64::MIN).checked_mul_int(-1), Err(MoneyError::Overflow));
        let mismatch = eur(1).checked_add(money(1, USD));
        assert_eq!(
            mismatch,
            Err(MoneyError::CurrencyMismatch {
                left: EUR,
                right: USD
            })
        );
        assert_eq!(
            mismatch.unwrap_err().to_string(),
            "currency mismatch: EUR and USD"
        );
        assert!(eur(1).checked_sub(money(1, USD)).is_err());
    }

    #[test]
    fn checked_sum() {
        let eur = |a| money(a, EUR);
        assert_eq!(Money::checked_sum(EUR, []), Ok(eur(0)));
        assert_eq!(
            Money::checked_sum(EUR, [eur(1), eur(2), eur(-4)]),
            Ok(eur(-1))
        );
        // Partial sums may leave the 64-bit range as long as the total does not.
        assert_eq!(
            Money::checked_sum(EUR, [eur(i64::MAX), eur(1), eur(-2)]),
            Ok(eur(i64::MAX - 1))
        );
        assert_eq!(
            Money::checked_sum(EUR, [eur(i64::MAX), eur(1)]),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::checked_sum(EUR, [eur(1), money(1, USD)]),
            Err(MoneyError::CurrencyMismatch {
                left: EUR,
                right: USD
            })
        );
    }

    #[test]
    fn decimal_round_trip_and_rounding() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(money(123_450, EUR).to_decimal(), d("1234.50"));
        assert_eq!(
            money(i64::MIN, BHD).to_decimal(),
            d("-9223372036854775.808")
        );
        assert_eq!(money(7, JPY).to_decimal(), d("7"));

        let cases = [
            ("10.005", Rounding::HalfEven, 1000),
            ("10.015", Rounding::HalfEven, 1002),
            ("10.005", Rounding::HalfUp, 1001),
            ("-10.005", Rounding::HalfUp, -1001),
            ("10.009", Rounding::Down, 1000),
            ("-10.009", Rounding::Down, -1000),
            ("10", Rounding::Down, 1000),
            ("10.1", Rounding::Down, 1010),
            ("0.004", Rounding::HalfUp, 0),
        ];
        for (value, rounding, expected) in cases {
            assert_eq!(
                Money::from_decimal(d(value), EUR, rounding),
                Ok(money(expected, EUR)),
                "{value} {rounding:?}"
            );
        }
        assert_eq!(
            Money::from_decimal(d("12.5"), JPY, Rounding::HalfEven),
            Ok(money(12, JPY))
        );
        assert_eq!(
            Money::from_decimal(d("92233720368547758.07"), EUR, Rounding::Down),
            Ok(money(i64::MAX, EUR))
        );
        assert_eq!(
            Money::from_decimal(d("92233720368547758.08"), EUR, Rounding::Down),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::from_decimal(Decimal::MAX, BHD, Rounding::Down),
            Err(MoneyError::Overflow)
        );
        assert!(Money::from_decimal(d("1"), XAU, Rounding::Down).is_err());
    }

    #[test]
    fn serde_shape() {
        let m = money(123_450, EUR);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"1234.50","currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        let lenient = r#"{"amount":"1234.5","currency":"EUR"}"#;
        assert_eq!(serde_json::from_str::<Money>(lenient).unwrap(), m);
        for bad in [
            r#"{"amount":1234.5,"currency":"EUR"}"#,
            r#"{"amount":"1.234","currency":"EUR"}"#,
            r#"{"amount":"1","currency":"XAU"}"#,
            r#"{"amount":"1","currency":"EUR","extra":1}"#,
            r#"{"amount":"1"}"#,
        ] {
            assert!(serde_json::from_str::<Money>(bad).is_err(), "{bad}");
        }
        let err = serde_json::from_str::<Money>(r#"{"amount":"1.234","currency":"EUR"}"#);
        assert!(
            err.unwrap_err()
                .to_string()
                .starts_with(r#"invalid amount "1.234": too many decimals"#)
        );
    }
}
