//! Harmonized System (HS) codes at the six-digit subheading level.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::echo;

/// A six-digit Harmonized System subheading, such as 8703.21 (small passenger cars).
///
/// Input forms: `"870321"`, `"8703.21"` and `"8703 21"`; `Display` and serde print `"8703.21"`.
/// The chapter (first two digits) must exist: 01 to 97 except 77, which the HS reserves.
/// Chapters 98 and 99 are national and not accepted. Whether the heading and subheading exist
/// in a given HS edition is the nomenclature's question (the `goods` crate), not this type's.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HsCode(u32);

/// Why a text or number is not an HS subheading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HsCodeError {
    /// Not six digits in one of the accepted forms.
    #[error(
        r#"invalid HS code {input:?}: expected six digits as "870321", "8703.21" or "8703 21""#
    )]
    Format {
        /// The rejected text (shortened if long).
        input: String,
    },
    /// The chapter does not exist in the HS.
    #[error(
        "invalid HS code {input:?}: chapter {chapter:02} does not exist (chapters are 01 to 97, except 77)"
    )]
    Chapter {
        /// The rejected code.
        input: String,
        /// Its first two digits.
        chapter: u32,
    },
}

impl HsCode {
    /// The subheading with the six digits of `digits` (870321, or 10121 for 0101.21).
    pub fn new(digits: u32) -> Result<HsCode, HsCodeError> {
        let input = || format!("{digits:06}");
        if digits > 999_999 {
            return Err(HsCodeError::Format { input: input() });
        }
        let chapter = digits / 10_000;
        if chapter == 0 || chapter == 77 || chapter > 97 {
            return Err(HsCodeError::Chapter {
                input: input(),
                chapter,
            });
        }
        Ok(HsCode(digits))
    }

    /// The chapter: the first two digits (87 for 8703.21).
    pub fn chapter(&self) -> u8 {
        // At most 97 by construction.
        u8::try_from(self.0 / 10_000).unwrap_or(u8::MAX)
    }

    /// The heading: the first four digits (8703 for 8703.21).
    pub fn heading(&self) -> u16 {
        // At most 9799 by construction.
        u16::try_from(self.0 / 100).unwrap_or(u16::MAX)
    }

    /// The subheading: all six digits (870321 for 8703.21).
    pub fn subheading(&self) -> u32 {
        self.0
    }
}

impl fmt::Debug for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HsCode({self})")
    }
}

impl fmt::Display for HsCode {
    /// `"8703.21"`: heading, a dot, the last two digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{:04}.{:02}", self.heading(), self.0 % 100))
    }
}

impl FromStr for HsCode {
    type Err = HsCodeError;

    /// Parses `"870321"`, `"8703.21"` or `"8703 21"`.
    fn from_str(s: &str) -> Result<HsCode, HsCodeError> {
        let format_error = || HsCodeError::Format { input: echo(s) };
        let (heading, rest) = match s.len() {
            6 => s.split_at_checked(4),
            7 => s
                .split_at_checked(4)
                .and_then(|(heading, rest)| Some((heading, rest.strip_prefix(['.', ' '])?))),
            _ => None,
        }
        .ok_or_else(format_error)?;
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(heading) && all_digits(rest)) {
            return Err(format_error());
        }
        let digits = format!("{heading}{rest}")
            .parse()
            .map_err(|_| format_error())?;
        HsCode::new(digits).map_err(|err| match err {
            HsCodeError::Chapter { chapter, .. } => HsCodeError::Chapter {
                input: echo(s),
                chapter,
            },
            other => other,
        })
    }
}

impl TryFrom<String> for HsCode {
    type Error = HsCodeError;

    fn try_from(value: String) -> Result<HsCode, HsCodeError> {
        value.parse()
    }
}

impl From<HsCode> for String {
    fn from(code: HsCode) -> String {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_forms() {
        for form in ["870321", "8703.21", "8703 21"] {
            let code: HsCode = form.parse().unwrap();
            assert_eq!(code.subheading(), 870_321);
            assert_eq!(code.heading(), 8703);
            assert_eq!(code.chapter(), 87);
            assert_eq!(code.to_string(), "8703.21");
        }
        let live_horses: HsCode = "010121".parse().unwrap();
        assert_eq!(live_horses.to_string(), "0101.21");
        assert_eq!(live_horses.chapter(), 1);
        assert_eq!(HsCode::new(10_121), Ok(live_horses));
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "87032",
            "8703211",
            "8703-21",
            "870.321",
            "8703.2",
            "8703..21",
            "87032a",
            "+87032",
            "8703 2 ",
            "８７０３２１",
            "870321 ",
            " 870321",
            "87.03.21",
        ] {
            assert!(
                matches!(bad.parse::<HsCode>(), Err(HsCodeError::Format { .. })),
                "{bad:?}"
            );
        }
        for (bad, chapter) in [
            ("000000", 0),
            ("7701.10", 77),
            ("9801.00", 98),
            ("999999", 99),
        ] {
            let err = bad.parse::<HsCode>().unwrap_err();
            assert_eq!(
                err,
                HsCodeError::Chapter {
                    input: bad.to_owned(),
                    chapter
                }
            );
        }
        assert_eq!(
            "7701.10".parse::<HsCode>().unwrap_err().to_string(),
            r#"invalid HS code "7701.10": chapter 77 does not exist (chapters are 01 to 97, except 77)"#
        );
        assert!(HsCode::new(1_000_000).is_err());
        assert!(HsCode::new(970_000).is_ok());
    }

    #[test]
    fn serde_as_string() {
        let code: HsCode = "300490".parse().unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), r#""3004.90""#);
        assert_eq!(serde_json::from_str::<HsCode>(r#""300490""#).unwrap(), code);
        assert!(serde_json::from_str::<HsCode>("300490").is_err());
    }
}
