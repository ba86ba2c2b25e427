//! Typed ids: one newtype per kind of thing, all with the same validated string form.
//!
//! The rule for every id: 1 to [`ID_LEN_MAX`] characters, each an ASCII letter, an ASCII digit
//! or one of the separators `.` `_` `:` `-`; the first and last character are not separators.
//! Ids are case-sensitive and compared as given (`"EU"` and `"eu"` are different zones).
//! Examples: `"EU"`, `"acme-gmbh"`, `"us_ofac_sdn:12111"`, `"claim.2026.000017"`.

use std::fmt;

use crate::text::echo;

/// The longest id, in characters.
pub const ID_LEN_MAX: usize = 64;

/// Why a text is not a valid id; `kind` names the id type ("participant id", "zone code" …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The text is empty.
    #[error("invalid {kind}: must not be empty")]
    Empty {
        /// The kind of id.
        kind: &'static str,
    },
    /// A character outside `A-Z a-z 0-9 . _ : -`.
    #[error(
        "invalid {kind} {input:?}: character {ch:?} at position {index} is not allowed (allowed: A-Z a-z 0-9 . _ : -)"
    )]
    InvalidCharacter {
        /// The kind of id.
        kind: &'static str,
        /// The rejected text (shortened if long).
        input: String,
        /// The offending character.
        ch: char,
        /// Its byte offset in the text.
        index: usize,
    },
    /// Longer than [`ID_LEN_MAX`].
    #[error("invalid {kind} {input:?}: {len} characters, more than the {max} allowed")]
    TooLong {
        /// The kind of id.
        kind: &'static str,
        /// The rejected text (shortened).
        input: String,
        /// Its length in characters.
        len: usize,
        /// Largest length allowed.
        max: usize,
    },
    /// Starts or ends with one of `.` `_` `:` `-`.
    #[error("invalid {kind} {input:?}: must not start or end with a separator (. _ : -)")]
    EdgeSeparator {
        /// The kind of id.
        kind: &'static str,
        /// The rejected text.
        input: String,
    },
}

fn is_separator(ch: char) -> bool {
    matches!(ch, '.' | '_' | ':' | '-')
}

/// Checks `input` against the id rule of the module documentation.
fn validate(kind: &'static str, input: &str) -> Result<(), IdError> {
    if input.is_empty() {
        return Err(IdError::Empty { kind });
    }
    // Characters first: once all are ASCII, the byte length is the character length.
    if let Some((index, ch)) = input
        .char_indices()
        .find(|&(_, ch)| !(ch.is_ascii_alphanumeric() || is_separator(ch)))
    {
        let input = echo(input);
        return Err(IdError::InvalidCharacter {
            kind,
            input,
            ch,
            index,
        });
    }
    if input.len() > ID_LEN_MAX {
        return Err(IdError::TooLong {
            kind,
            input: echo(input),
            len: input.len(),
            max: ID_LEN_MAX,
        });
    }
    if input.starts_with(is_separator) || input.ends_with(is_separator) {
        let input = input.to_owned();
        return Err(IdError::EdgeSeparator { kind, input });
    }
    Ok(())
}

/// Defines an id newtype with the shared rule, text form and serde.
macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        ///
        /// A validated id: see [the id rule](crate::ParticipantId#the-id-rule). `Display`,
        /// `FromStr` and serde use the plain string.
        #[derive(
            Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// What this id is called in error messages.
            pub const KIND: &'static str = $kind;

            #[doc = concat!("Validates `value` as a ", $kind, ".")]
            pub fn new(value: impl Into<String>) -> Result<$name, IdError> {
                let value = value.into();
                validate($kind, &value)?;
                Ok($name(value))
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<$name, IdError> {
                $name::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(value: String) -> Result<$name, IdError> {
                $name::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;

            fn try_from(value: &str) -> Result<$name, IdError> {
                $name::new(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

typed_id!(
    /// The id of a participant: a firm admitted to the clearing house.
    ///
    /// # The id rule
    ///
    /// Every id type of this crate follows one rule: 1 to [`ID_LEN_MAX`] characters, each an
    /// ASCII letter, an ASCII digit or one of `.` `_` `:` `-`, the first and the last not a
    /// separator. Ids are case-sensitive.
    ParticipantId,
    "participant id"
);
typed_id!(
    /// The id of a claim, chosen by the submitting participant.
    ClaimId,
    "claim id"
);
typed_id!(
    /// The id of a party to be screened: a participant's beneficial owner, say.
    PartyId,
    "party id"
);
typed_id!(
    /// The code of an economic zone, such as `"EU"` or `"IR"`.
    ZoneCode,
    "zone code"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_rule() {
        let max = "a".repeat(ID_LEN_MAX);
        for ok in [
            "a",
            "EU",
            "acme-gmbh",
            "us_ofac_sdn:12111",
            "a.b",
            "a--b",
            &max,
        ] {
            assert_eq!(ParticipantId::new(ok).map(String::from), Ok(ok.to_owned()));
        }
    }

    #[test]
    fn rejects_with_named_kind_and_value() {
        let message = |input: &str| ZoneCode::new(input).unwrap_err().to_string();
        assert_eq!(message(""), "invalid zone code: must not be empty");
        assert_eq!(
            message("a b"),
            r#"invalid zone code "a b": character ' ' at position 1 is not allowed (allowed: A-Z a-z 0-9 . _ : -)"#
        );
        assert_eq!(
            message("-EU"),
            r#"invalid zone code "-EU": must not start or end with a separator (. _ : -)"#
        );
        assert_eq!(
            message(&"a".repeat(ID_LEN_MAX + 1)),
            format!(
                r#"invalid zone code "{}…": 65 characters, more than the 64 allowed"#,
                "a".repeat(crate::ERROR_INPUT_ECHO_MAX)
            )
        );
        for bad in ["EU.", ":x", "_", "é", "a/b", "a\0b", "Ｅ", "a\nb"] {
            assert!(ZoneCode::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn text_and_serde_forms() {
        let id: ClaimId = "claim-1".parse().unwrap();
        assert_eq!(id.to_string(), "claim-1");
        assert_eq!(id.as_str(), "claim-1");
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""claim-1""#);
        assert_eq!(serde_json::from_str::<ClaimId>(r#""claim-1""#).unwrap(), id);
        let err = serde_json::from_str::<ClaimId>(r#""claim 1""#).unwrap_err();
        assert!(err.to_string().starts_with(r#"invalid claim id "claim 1""#));
        assert!(serde_json::from_str::<ClaimId>("17").is_err());
    }
}
