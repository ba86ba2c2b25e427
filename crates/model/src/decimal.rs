//! The one decimal-number grammar of the crate, shared by money amounts and quantities.
//!
//! Grammar: `-?[0-9]+(\.[0-9]+)?`, at most [`DECIMAL_TEXT_LEN_MAX`] bytes. Deliberately narrow:
//! no `+` sign, no exponent (`1e5`), no digit grouping (`1,000`, `1_000`), no decimal comma
//! (`1,5`), no surrounding whitespace, no bare dot (`.5`, `5.`). Leading zeros are accepted.

/// The longest decimal text accepted, in bytes. The longest amount that fits in 64-bit minor
/// units is 21 characters (`-922337203685477.5808`), so this leaves room for leading zeros.
pub const DECIMAL_TEXT_LEN_MAX: usize = 40;

/// Why a text is not a decimal number in the crate's grammar (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecimalSyntaxError {
    /// The text is empty.
    #[error("empty")]
    Empty,
    /// The text is longer than [`DECIMAL_TEXT_LEN_MAX`].
    #[error("{len} bytes long, more than the {max} allowed")]
    TooLong {
        /// Length in bytes.
        len: usize,
        /// Largest length allowed.
        max: usize,
    },
    /// A character other than a digit, one leading `-` and one `.`.
    #[error(
        "unexpected {ch:?} at byte {index}; expected digits with an optional leading '-' and one optional '.'"
    )]
    UnexpectedCharacter {
        /// The offending character.
        ch: char,
        /// Its byte offset in the text.
        index: usize,
    },
    /// No digit before the decimal point (`.5`, `-`).
    #[error("no digit before the decimal point")]
    MissingIntegerDigits,
    /// A decimal point without a digit after it (`5.`).
    #[error("no digit after the decimal point")]
    MissingFractionDigits,
}

/// A decimal text split into its parts; both digit strings are non-empty ASCII digits except
/// `fraction`, which is empty when there is no decimal point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DecimalParts<'a> {
    pub(crate) negative: bool,
    pub(crate) integer: &'a str,
    pub(crate) fraction: &'a str,
}

/// Splits `input` into sign, integer digits and fraction digits, or says why it cannot.
pub(crate) fn split(input: &str) -> Result<DecimalParts<'_>, DecimalSyntaxError> {
    if input.is_empty() {
        return Err(DecimalSyntaxError::Empty);
    }
    if input.len() > DECIMAL_TEXT_LEN_MAX {
        return Err(DecimalSyntaxError::TooLong {
            len: input.len(),
            max: DECIMAL_TEXT_LEN_MAX,
        });
    }
    let (negative, body, offset) = match input.strip_prefix('-') {
        Some(rest) => (true, rest, 1),
        None => (false, input, 0),
    };
    let mut dot = None;
    for (index, ch) in body.char_indices() {
        match ch {
            '0'..='9' => {}
            '.' if dot.is_none() => dot = Some(index),
            _ => {
                let index = index + offset;
                return Err(DecimalSyntaxError::UnexpectedCharacter { ch, index });
            }
        }
    }
    let (integer, fraction) = match dot {
        Some(index) => (&body[..index], &body[index + 1..]),
        None => (body, ""),
    };
    if integer.is_empty() {
        return Err(DecimalSyntaxError::MissingIntegerDigits);
    }
    if dot.is_some() && fraction.is_empty() {
        return Err(DecimalSyntaxError::MissingFractionDigits);
    }
    Ok(DecimalParts {
        negative,
        integer,
        fraction,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use DecimalSyntaxError::*;

    fn parts(input: &str) -> Result<(bool, &str, &str), DecimalSyntaxError> {
        split(input).map(|p| (p.negative, p.integer, p.fraction))
    }

    #[test]
    fn accepts_the_grammar() {
        assert_eq!(parts("0"), Ok((false, "0", "")));
        assert_eq!(parts("1234.50"), Ok((false, "1234", "50")));
        assert_eq!(parts("-3"), Ok((true, "3", "")));
        assert_eq!(parts("007.1"), Ok((false, "007", "1")));
        assert_eq!(parts("-0.05"), Ok((true, "0", "05")));
    }

    #[test]
    fn rejects_everything_else() {
        let unexpected = |ch, index| UnexpectedCharacter { ch, index };
        let cases = [
            ("", Empty),
            ("-", MissingIntegerDigits),
            (".5", MissingIntegerDigits),
            ("-.5", MissingIntegerDigits),
            ("5.", MissingFractionDigits),
            ("+5", unexpected('+', 0)),
            ("+-1", unexpected('+', 0)),
            ("--1", unexpected('-', 1)),
            ("1e5", unexpected('e', 1)),
            ("1,5", unexpected(',', 1)),
            ("1_000", unexpected('_', 1)),
            (" 1", unexpected(' ', 0)),
            ("1 ", unexpected(' ', 1)),
            ("1.2.3", unexpected('.', 3)),
            ("1..2", unexpected('.', 2)),
            ("١٢", unexpected('١', 0)),
            ("NaN", unexpected('N', 0)),
        ];
        for (input, expected) in cases {
            assert_eq!(split(input), Err(expected), "{input:?}");
        }
        let long = "1".repeat(DECIMAL_TEXT_LEN_MAX + 1);
        assert_eq!(
            split(&long),
            Err(TooLong {
                len: DECIMAL_TEXT_LEN_MAX + 1,
                max: DECIMAL_TEXT_LEN_MAX
            })
        );
    }
}
