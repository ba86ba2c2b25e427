//! ISO 4217 currencies: lookup by alphabetic and numeric code, and the minor-unit exponent.
//!
//! [`Currency`] is `iso_currency::Currency`, re-exported so callers need not depend on that
//! crate. Beware its `Display`, which prints the English name ("Euro"); use
//! [`Currency::code`] for "EUR". Everything in this crate prints codes.
//!
//! A currency can hold [`Money`](crate::Money) only if ISO 4217 gives it a minor unit: gold
//! (XAU), SDR (XDR), "no currency" (XXX) and the other exponent-less codes are rejected with
//! [`CurrencyError::NoMinorUnit`] rather than guessed at.

pub use iso_currency::Currency;

use crate::text::echo;

/// The largest minor-unit exponent accepted: 4, the largest in ISO 4217 (CLF, UYW).
///
/// A currency with a larger exponent would still fit the arithmetic, but none exists; should the
/// standard add one, it is refused with [`CurrencyError::ExponentTooLarge`] instead of being
/// handled by code that was never tested for it.
pub const EXPONENT_MAX: u8 = 4;

/// Why a currency code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CurrencyError {
    /// Not an ISO 4217 alphabetic code (codes are case-sensitive: "EUR", not "eur").
    #[error("unknown ISO 4217 currency code {input:?}")]
    UnknownCode {
        /// The rejected input (shortened if long).
        input: String,
    },
    /// Not an ISO 4217 numeric code.
    #[error("unknown ISO 4217 numeric currency code {code:03}")]
    UnknownNumeric {
        /// The rejected numeric code.
        code: u16,
    },
    /// ISO 4217 gives the currency no minor unit (XAU, XDR, XXX …), so money in it has no scale.
    #[error("currency {} has no minor unit in ISO 4217 and cannot hold money", .currency.code())]
    NoMinorUnit {
        /// The currency without a minor unit.
        currency: Currency,
    },
    /// The minor-unit exponent is larger than [`EXPONENT_MAX`].
    #[error(
        "currency {} has minor-unit exponent {exponent}, more than the {EXPONENT_MAX} supported",
        .currency.code()
    )]
    ExponentTooLarge {
        /// The currency.
        currency: Currency,
        /// Its ISO 4217 exponent.
        exponent: u16,
    },
}

/// Looks up a currency by its ISO 4217 alphabetic code, such as "EUR" (exact, upper case).
pub fn from_code(code: &str) -> Result<Currency, CurrencyError> {
    Currency::from_code(code).ok_or_else(|| CurrencyError::UnknownCode { input: echo(code) })
}

/// The ISO 4217 numeric code of a currency: EUR = 978, IRR = 364, USD = 840.
///
/// The ledger uses it as the "ledger" number that keeps accounts of different currencies apart.
pub fn numeric_code(currency: Currency) -> u16 {
    currency.numeric()
}

/// Looks up a currency by its ISO 4217 numeric code, the inverse of [`numeric_code`].
pub fn from_numeric_code(code: u16) -> Result<Currency, CurrencyError> {
    Currency::from_numeric(code).ok_or(CurrencyError::UnknownNumeric { code })
}

/// The number of decimal digits of the currency's minor unit: EUR 2, JPY 0, BHD and KWD 3.
///
/// Fails for currencies without a minor unit and for exponents above [`EXPONENT_MAX`].
pub fn minor_unit_exponent(currency: Currency) -> Result<u8, CurrencyError> {
    let exponent = currency
        .exponent()
        .ok_or(CurrencyError::NoMinorUnit { currency })?;
    match u8::try_from(exponent) {
        Ok(small) if small <= EXPONENT_MAX => Ok(small),
        _ => Err(CurrencyError::ExponentTooLarge { currency, exponent }),
    }
}

/// Serde for a [`Currency`] as its alphabetic code string, such as `"EUR"`.
pub(crate) mod serde_code {
    use super::Currency;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(crate) fn serialize<S: Serializer>(
        currency: &Currency,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(currency.code())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Currency, D::Error> {
        let code = String::deserialize(deserializer)?;
        super::from_code(&code).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_codes_round_trip() {
        assert_eq!(numeric_code(Currency::EUR), 978);
        assert_eq!(numeric_code(Currency::IRR), 364);
        assert_eq!(numeric_code(Currency::BHD), 48);
        assert_eq!(from_numeric_code(978), Ok(Currency::EUR));
        assert_eq!(from_numeric_code(364), Ok(Currency::IRR));
        assert_eq!(
            from_numeric_code(1),
            Err(CurrencyError::UnknownNumeric { code: 1 })
        );
        assert_eq!(
            from_numeric_code(1).unwrap_err().to_string(),
            "unknown ISO 4217 numeric currency code 001"
        );
    }

    #[test]
    fn alphabetic_codes_are_exact() {
        assert_eq!(from_code("EUR"), Ok(Currency::EUR));
        for bad in ["eur", "EURO", "", " EUR", "XYZ"] {
            assert!(from_code(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            from_code("eur").unwrap_err().to_string(),
            r#"unknown ISO 4217 currency code "eur""#
        );
    }

    #[test]
    fn exponents() {
        assert_eq!(minor_unit_exponent(Currency::EUR), Ok(2));
        assert_eq!(minor_unit_exponent(Currency::JPY), Ok(0));
        assert_eq!(minor_unit_exponent(Currency::BHD), Ok(3));
        assert_eq!(minor_unit_exponent(Currency::KWD), Ok(3));
        assert_eq!(minor_unit_exponent(Currency::CLF), Ok(4));
        let err = minor_unit_exponent(Currency::XAU).unwrap_err();
        assert_eq!(
            err.to_string(),
            "currency XAU has no minor unit in ISO 4217 and cannot hold money"
        );
    }
}
