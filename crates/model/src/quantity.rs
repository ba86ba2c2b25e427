//! Quantities of goods: a positive decimal number with a unit of measure.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decimal::{self, DecimalSyntaxError};
use crate::text::echo;

/// The most decimals a quantity may have: 6, enough for a gram in tonnes.
pub const QUANTITY_SCALE_MAX: u32 = 6;

/// Defines [`Unit`] from one table of variant, UN/CEFACT code and name.
macro_rules! units {
    ($($variant:ident => $code:literal, $name:literal;)+) => {
        /// A unit of measure for goods, by its UN/CEFACT Recommendation 20 code.
        ///
        /// The units customs declarations use (the WCO standard units of quantity). `Display`,
        /// `FromStr` and serde use the code, which is case-sensitive (`"KGM"`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[non_exhaustive]
        pub enum Unit {
            $(
                #[doc = concat!($name, " (`", $code, "`).")]
                $variant,
            )+
        }

        impl Unit {
            /// Every unit, in declaration order.
            pub const ALL: &'static [Unit] = &[$(Unit::$variant),+];

            /// The UN/CEFACT Recommendation 20 code, such as `"KGM"`.
            pub fn code(self) -> &'static str {
                match self {
                    $(Unit::$variant => $code,)+
                }
            }

            /// The English name, such as `"kilogram"`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Unit::$variant => $name,)+
                }
            }

            /// The unit with UN/CEFACT code `code`.
            pub fn from_code(code: &str) -> Result<Unit, QuantityError> {
                match code {
                    $($code => Ok(Unit::$variant),)+
                    _ => Err(QuantityError::UnknownUnit { input: echo(code) }),
                }
            }
        }
    };
}

units! {
    Kilogram => "KGM", "kilogram";
    Gram => "GRM", "gram";
    Tonne => "TNE", "tonne (1000 kg)";
    Carat => "CTM", "metric carat (200 mg)";
    Litre => "LTR", "litre";
    Millilitre => "MLT", "millilitre";
    LitrePureAlcohol => "LPA", "litre of pure alcohol";
    Metre => "MTR", "metre";
    SquareMetre => "MTK", "square metre";
    CubicMetre => "MTQ", "cubic metre";
    KilowattHour => "KWH", "kilowatt hour";
    MegawattHour => "MWH", "megawatt hour";
    NumberOfArticles => "NAR", "number of articles";
    One => "C62", "one (unit count)";
    Piece => "H87", "piece";
    Pair => "PR", "pair";
    Dozen => "DZN", "dozen";
    Set => "SET", "set";
    GramFissileIsotopes => "GFI", "gram of fissile isotopes";
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

impl FromStr for Unit {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Unit, QuantityError> {
        Unit::from_code(s)
    }
}

impl TryFrom<String> for Unit {
    type Error = QuantityError;

    fn try_from(value: String) -> Result<Unit, QuantityError> {
        Unit::from_code(&value)
    }
}

impl From<Unit> for String {
    fn from(unit: Unit) -> String {
        unit.code().to_owned()
    }
}

/// A positive amount of goods in a [`Unit`], such as 12.5 KGM.
///
/// The value has at most [`QUANTITY_SCALE_MAX`] decimals. Equality is numeric (`1.50 KGM`
/// equals `1.5 KGM`); no unit conversion is done (`1 TNE` is not `1000 KGM`). `Display` and
/// `FromStr` use `"12.5 KGM"`; serde uses `{"value": "12.5", "unit": "KGM"}`, the value always
/// a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "QuantityRepr", into = "QuantityRepr")]
pub struct Quantity {
    value: Decimal,
    unit: Unit,
}

/// Why a quantity or unit was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuantityError {
    /// The value text is not a decimal number.
    #[error("invalid quantity {input:?}: {reason}")]
    Syntax {
        /// The rejected text (shortened if long).
        input: String,
        /// What is wrong with it.
        reason: DecimalSyntaxError,
    },
    /// The value is too large for a decimal number.
    #[error("invalid quantity {input:?}: out of range")]
    OutOfRange {
        /// The rejected text (shortened if long).
        input: String,
    },
    /// Zero or negative.
    #[error("invalid quantity {value}: must be positive")]
    NotPositive {
        /// The rejected value.
        value: Decimal,
    },
    /// More decimals than [`QUANTITY_SCALE_MAX`].
    #[error("invalid quantity {value}: {scale} decimals, more than the {max} allowed")]
    TooManyDecimals {
        /// The rejected value.
        value: Decimal,
        /// Its number of decimals.
        scale: u32,
        /// The most allowed.
        max: u32,
    },
    /// Not a known UN/CEFACT Recommendation 20 unit code.
    #[error(
        "unknown unit of measure {input:?}: expected a UN/CEFACT Recommendation 20 code such as KGM, TNE, LTR, MTQ, MTK, MTR, NAR, C62, PR or KWH"
    )]
    UnknownUnit {
        /// The rejected code (shortened if long).
        input: String,
    },
    /// A quantity text is not a value, one space and a unit.
    #[error(
        r#"invalid quantity {input:?}: expected a value, one space and a unit, such as "12.5 KGM""#
    )]
    Format {
        /// The rejected text (shortened if long).
        input: String,
    },
}

impl Quantity {
    /// `value` of `unit`; the value must be positive with at most [`QUANTITY_SCALE_MAX`]
    /// decimals. Trailing zeros count as decimals (`1.0000000` has 7).
    pub fn new(value: Decimal, unit: Unit) -> Result<Quantity, QuantityError> {
        if value <= Decimal::ZERO {
            return Err(QuantityError::NotPositive { value });
        }
        if value.scale() > QUANTITY_SCALE_MAX {
            return Err(QuantityError::TooManyDecimals {
                value,
                scale: value.scale(),
                max: QUANTITY_SCALE_MAX,
            });
        }
        Ok(Quantity { value, unit })
    }

    /// Parses a decimal `value` (the grammar of [`DecimalSyntaxError`]) and a unit `code`.
    pub fn parse(value: &str, code: &str) -> Result<Quantity, QuantityError> {
        let unit = Unit::from_code(code)?;
        Quantity::new(parse_value(value)?, unit)
    }

    /// The value.
    pub fn value(&self) -> Decimal {
        self.value
    }

    /// The unit.
    pub fn unit(&self) -> Unit {
        self.unit
    }
}

/// Parses a decimal in the crate's grammar into a [`Decimal`].
fn parse_value(input: &str) -> Result<Decimal, QuantityError> {
    decimal::split(input).map_err(|reason| QuantityError::Syntax {
        input: echo(input),
        reason,
    })?;
    // The grammar is a subset of what `Decimal` parses; what is left to fail is the range.
    Decimal::from_str_exact(input).map_err(|_| QuantityError::OutOfRange { input: echo(input) })
}

impl fmt::Display for Quantity {
    /// `"12.5 KGM"`: the value as given (trailing zeros kept), one space, the unit code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{} {}", self.value, self.unit))
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;

    /// Parses `"12.5 KGM"`: a value, exactly one space, a unit code.
    fn from_str(s: &str) -> Result<Quantity, QuantityError> {
        let (value, code) = s
            .split_once(' ')
            .ok_or_else(|| QuantityError::Format { input: echo(s) })?;
        Quantity::parse(value, code)
    }
}

/// The serde form of [`Quantity`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuantityRepr {
    value: String,
    unit: Unit,
}

impl From<Quantity> for QuantityRepr {
    fn from(quantity: Quantity) -> QuantityRepr {
        QuantityRepr {
            value: quantity.value.to_string(),
            unit: quantity.unit,
        }
    }
}

impl TryFrom<QuantityRepr> for Quantity {
    type Error = QuantityError;

    fn try_from(repr: QuantityRepr) -> Result<Quantity, QuantityError> {
        Quantity::new(parse_value(&repr.value)?, repr.unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_trip() {
        for &unit in Unit::ALL {
            assert_eq!(unit.code().parse::<Unit>(), Ok(unit));
            assert_eq!(unit.to_string(), unit.code());
        }
        assert_eq!("KGM".parse::<Unit>(), Ok(Unit::Kilogram));
        assert_eq!("C62".parse::<Unit>(), Ok(Unit::One));
        assert_eq!(Unit::Tonne.name(), "tonne (1000 kg)");
        let err = "kgm".parse::<Unit>().unwrap_err();
        assert!(
            err.to_string()
                .starts_with(r#"unknown unit of measure "kgm""#)
        );
    }

    #[test]
    fn parse_values() {
        let q = Quantity::parse("12.5", "KGM").unwrap();
        assert_eq!(q.value(), Decimal::new(125, 1));
        assert_eq!(q.unit(), Unit::Kilogram);
        assert_eq!(q.to_string(), "12.5 KGM");
        assert_eq!("12.5 KGM".parse(), Ok(q));
        assert_eq!(Quantity::parse("12.50", "KGM"), Ok(q), "numeric equality");
        assert_eq!(
            Quantity::parse("0.000001", "TNE").map(|q| q.to_string()),
            Ok("0.000001 TNE".to_owned())
        );
        let big = "79228162514264337593543950335";
        assert_eq!(
            Quantity::parse(big, "NAR").map(|q| q.value()),
            Ok(Decimal::MAX)
        );
    }

    #[test]
    fn parse_rejects() {
        let err = |value: &str, unit: &str| Quantity::parse(value, unit).unwrap_err();
        assert!(matches!(err("0", "KGM"), QuantityError::NotPositive { .. }));
        assert!(matches!(
            err("-1", "KGM"),
            QuantityError::NotPositive { .. }
        ));
        assert!(matches!(
            err("0.0000001", "KGM"),
            QuantityError::TooManyDecimals { .. }
        ));
        assert!(matches!(err("1e3", "KGM"), QuantityError::Syntax { .. }));
        assert!(matches!(err("1_000", "KGM"), QuantityError::Syntax { .. }));
        assert!(matches!(err("+1", "KGM"), QuantityError::Syntax { .. }));
        assert!(matches!(err("1", "KG"), QuantityError::UnknownUnit { .. }));
        assert!(matches!(
            err("79228162514264337593543950336", "KGM"),
            QuantityError::OutOfRange { .. }
        ));
        assert!(matches!(
            err("1.0000000000000000000000000001", "KGM"),
            QuantityError::OutOfRange { .. } | QuantityError::TooManyDecimals { .. }
        ));
        assert_eq!(
            err("0", "KGM").to_string(),
            "invalid quantity 0: must be positive"
        );
        for bad in ["12.5KGM", "12.5  KGM", "KGM 12.5", "12.5"] {
            assert!(bad.parse::<Quantity>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn serde_shape() {
        let q = Quantity::parse("12.50", "LTR").unwrap();
        let json = serde_json::to_string(&q).unwrap();
        assert_eq!(json, r#"{"value":"12.50","unit":"LTR"}"#);
        assert_eq!(serde_json::from_str::<Quantity>(&json).unwrap(), q);
        for bad in [
            r#"{"value":12.5,"unit":"LTR"}"#,
            r#"{"value":"0","unit":"LTR"}"#,
            r#"{"value":"1","unit":"LITRE"}"#,
            r#"{"value":"1","unit":"LTR","x":0}"#,
        ] {
            assert!(serde_json::from_str::<Quantity>(bad).is_err(), "{bad}");
        }
    }
}
