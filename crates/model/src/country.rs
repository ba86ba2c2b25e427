//! Country codes (ISO 3166-1 alpha-2).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::echo;

/// A country as an ISO 3166-1 alpha-2 code, such as `"DE"` or `"IR"`.
///
/// Validated as two ASCII capital letters; whether the code is currently assigned is not
/// checked (user-assigned codes such as `"XK"` for Kosovo are in common use). `Display`,
/// `FromStr` and serde use the two-letter string.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

/// A text that is not two ASCII capital letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(r#"invalid country code {input:?}: expected two ASCII capital letters (ISO 3166-1 alpha-2), such as "DE""#)]
#[non_exhaustive]
pub struct CountryCodeError {
    /// The rejected text (shortened if long).
    pub input: String,
}

impl CountryCode {
    /// Validates `code` as two ASCII capital letters.
    pub fn new(code: &str) -> Result<CountryCode, CountryCodeError> {
        match code.as_bytes() {
            &[a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok(CountryCode([a, b])),
            _ => Err(CountryCodeError { input: echo(code) }),
        }
    }

    /// The code as a string slice, such as `"DE"`.
    pub fn as_str(&self) -> &str {
        // Always valid UTF-8: both bytes are ASCII capital letters.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({:?})", self.as_str())
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for CountryCode {
    type Err = CountryCodeError;

    fn from_str(s: &str) -> Result<CountryCode, CountryCodeError> {
        CountryCode::new(s)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = CountryCodeError;

    fn try_from(value: String) -> Result<CountryCode, CountryCodeError> {
        CountryCode::new(&value)
    }
}

impl From<CountryCode> for String {
    fn from(code: CountryCode) -> String {
        code.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_capital_letters() {
        assert_eq!(CountryCode::new("DE").unwrap().as_str(), "DE");
        assert_eq!(
            format!("{:?}", CountryCode::new("IR").unwrap()),
            r#"CountryCode("IR")"#
        );
        for bad in ["", "D", "de", "DEU", "D1", "ÄB", " DE", "É"] {
            assert!(CountryCode::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            CountryCode::new("deu").unwrap_err().to_string(),
            r#"invalid country code "deu": expected two ASCII capital letters (ISO 3166-1 alpha-2), such as "DE""#
        );
    }

    #[test]
    fn serde_as_string() {
        let de = CountryCode::new("DE").unwrap();
        assert_eq!(serde_json::to_string(&de).unwrap(), r#""DE""#);
        assert_eq!(serde_json::from_str::<CountryCode>(r#""DE""#).unwrap(), de);
        assert!(serde_json::from_str::<CountryCode>(r#""de""#).is_err());
    }
}
