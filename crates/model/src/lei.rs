//! Legal Entity Identifiers (ISO 17442).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::echo;

/// The length of an LEI in characters.
const LEI_LEN: usize = 20;

/// A Legal Entity Identifier (ISO 17442), such as `"5493001KJTIIGC8Y1R12"`.
///
/// Twenty characters: eighteen ASCII capital letters or digits, then two check digits that
/// satisfy ISO 7064 MOD 97-10 (letters count as 10 to 35; the whole, read as a number, is 1
/// modulo 97). Lower case is rejected rather than folded, so the stored form is the canonical
/// one. `Display`, `FromStr` and serde use the 20-character string.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Lei([u8; LEI_LEN]);

/// Why a text is not a valid LEI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LeiError {
    /// Not 20 characters long.
    #[error("invalid LEI {input:?}: {len} characters, expected 20")]
    Length {
        /// The rejected text (shortened if long).
        input: String,
        /// Its length in characters.
        len: usize,
    },
    /// A character that is not allowed at its position.
    #[error(
        "invalid LEI {input:?}: character {ch:?} at position {index} is not allowed (expected {expected})"
    )]
    Character {
        /// The rejected text.
        input: String,
        /// The offending character.
        ch: char,
        /// Its position, counted in characters from 0.
        index: usize,
        /// What the position allows.
        expected: &'static str,
    },
    /// The check digits do not match.
    #[error("invalid LEI {input:?}: check digits do not match (ISO 7064 MOD 97-10)")]
    CheckDigits {
        /// The rejected text.
        input: String,
    },
}

/// The ISO 7064 MOD 97-10 remainder of an LEI-alphabet string (digits and capital letters).
fn mod97(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0, |remainder, &byte| {
        let (value, shift) = match byte {
            b'0'..=b'9' => (u32::from(byte - b'0'), 10),
            _ => (u32::from(byte - b'A') + 10, 100),
        };
        (remainder * shift + value) % 97
    })
}

impl Lei {
    /// Validates `code` as an LEI, check digits included.
    pub fn new(code: &str) -> Result<Lei, LeiError> {
        let len = code.chars().count();
        if len != LEI_LEN {
            let input = echo(code);
            return Err(LeiError::Length { input, len });
        }
        let mut bytes = [0_u8; LEI_LEN];
        for (index, ch) in code.chars().enumerate() {
            let (allowed, expected) = if index < LEI_LEN - 2 {
                let ok = ch.is_ascii_digit() || ch.is_ascii_uppercase();
                (ok, "A-Z or 0-9")
            } else {
                (ch.is_ascii_digit(), "a check digit 0-9")
            };
            if !allowed {
                let input = code.to_owned();
                return Err(LeiError::Character {
                    input,
                    ch,
                    index,
                    expected,
                });
            }
            // ASCII by the check above.
            bytes[index] = ch as u8;
        }
        if mod97(&bytes) != 1 {
            let input = code.to_owned();
            return Err(LeiError::CheckDigits { input });
        }
        Ok(Lei(bytes))
    }

    /// The LEI as a string slice.
    pub fn as_str(&self) -> &str {
        // Always valid UTF-8: every byte is an ASCII digit or capital letter.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for Lei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lei({:?})", self.as_str())
    }
}

impl fmt::Display for Lei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Lei {
    type Err = LeiError;

    fn from_str(s: &str) -> Result<Lei, LeiError> {
        Lei::new(s)
    }
}

impl TryFrom<String> for Lei {
    type Error = LeiError;

    fn try_from(value: String) -> Result<Lei, LeiError> {
        Lei::new(&value)
    }
}

impl From<Lei> for String {
    fn from(lei: Lei) -> String {
        lei.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "5493001KJTIIGC8Y1R12";

    /// Check digits computed the way ISO 7064 MOD 97-10 issues them: 98 minus the remainder
    /// of the 18 characters followed by "00".
    fn check_digits(prefix: &str) -> String {
        let mut bytes = prefix.as_bytes().to_vec();
        bytes.extend_from_slice(b"00");
        format!("{:02}", 98 - mod97(&bytes))
    }

    #[test]
    fn accepts_real_leis() {
        assert_eq!(check_digits("5493001KJTIIGC8Y1R"), "12");
        // Other LEIs whose check digits were verified independently.
        for ok in [VALID, "506700GE1G29325QX363", "HWUPKR0MPOU8FGXBT394"] {
            assert_eq!(Lei::new(ok).map(|lei| lei.to_string()), Ok(ok.to_owned()));
        }
    }

    /// MOD 97-10 detects every substitution of a digit by a digit or a letter by a letter (a
    /// digit for a letter changes the length of the number, and may go undetected).
    #[test]
    fn rejects_any_single_substitution_within_a_class() {
        let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for index in 0..LEI_LEN {
            for &replacement in alphabet {
                let mut bytes = VALID.as_bytes().to_vec();
                let same_class = bytes[index].is_ascii_digit() == replacement.is_ascii_digit();
                if bytes[index] == replacement || !same_class {
                    continue;
                }
                bytes[index] = replacement;
                let text = String::from_utf8(bytes).unwrap();
                assert!(Lei::new(&text).is_err(), "{text}");
            }
        }
    }

    #[test]
    fn errors_name_the_problem() {
        let message = |input: &str| Lei::new(input).unwrap_err().to_string();
        assert_eq!(
            message("5493001KJTIIGC8Y1R1"),
            r#"invalid LEI "5493001KJTIIGC8Y1R1": 19 characters, expected 20"#
        );
        assert_eq!(
            message("5493001kjtiigc8y1r12"),
            r#"invalid LEI "5493001kjtiigc8y1r12": character 'k' at position 7 is not allowed (expected A-Z or 0-9)"#
        );
        assert_eq!(
            message("5493001KJTIIGC8Y1RA2"),
            r#"invalid LEI "5493001KJTIIGC8Y1RA2": character 'A' at position 18 is not allowed (expected a check digit 0-9)"#
        );
        assert_eq!(
            message("5493001KJTIIGC8Y1R13"),
            r#"invalid LEI "5493001KJTIIGC8Y1R13": check digits do not match (ISO 7064 MOD 97-10)"#
        );
        assert!(Lei::new("5493001KJTIIGC8Y1RÉ2").is_err());
    }

    #[test]
    fn serde_as_string() {
        let lei = Lei::new(VALID).unwrap();
        let json = serde_json::to_string(&lei).unwrap();
        assert_eq!(json, format!("\"{VALID}\""));
        assert_eq!(serde_json::from_str::<Lei>(&json).unwrap(), lei);
        assert!(serde_json::from_str::<Lei>(r#""5493001KJTIIGC8Y1R13""#).is_err());
    }
}
