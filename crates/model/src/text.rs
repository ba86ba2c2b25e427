//! Free-text fields (names, descriptions) and the echo of bad input in error messages.

/// At most this many characters of a rejected input are repeated in an error message, so a
/// megabyte of garbage does not become a megabyte of log line.
pub const ERROR_INPUT_ECHO_MAX: usize = 64;

/// Why a free-text field (a name, a description) was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// Nothing but whitespace.
    #[error("must not be empty")]
    Empty,
    /// Longer than the field allows, counted in Unicode scalar values after trimming.
    #[error("has {len} characters, more than the {max} allowed")]
    TooLong {
        /// Length of the trimmed text in characters.
        len: usize,
        /// Largest length allowed.
        max: usize,
    },
    /// Contains a control character (line breaks and tabs included).
    #[error("contains control character {ch:?} at character {index}")]
    ControlCharacter {
        /// The offending character.
        ch: char,
        /// Its position in the trimmed text, counted in characters from 0.
        index: usize,
    },
    /// Contains a character that reorders or hides text (a bidirectional override, embedding or
    /// isolate such as U+202E, or a byte-order mark), which can make a name read differently
    /// from what is stored.
    #[error("contains the invisible formatting character U+{code:04X} at character {index}")]
    FormattingCharacter {
        /// The offending character's code point.
        code: u32,
        /// Its position in the trimmed text, counted in characters from 0.
        index: usize,
    },
}

/// Whether a character reorders or hides the text around it: the bidirectional embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the byte-order mark. Zero-width
/// (non-)joiners are kept: Persian and Indic names need them.
pub fn is_formatting_trap(ch: char) -> bool {
    matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Checks a free-text field and returns it trimmed.
///
/// The rule: leading and trailing whitespace is removed; the rest must be non-empty, at most
/// `len_max` characters and free of control characters and of the characters that reorder or
/// hide text ([`is_formatting_trap`]).
pub fn clean(input: &str, len_max: usize) -> Result<String, TextError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    let mut len = 0;
    for (index, ch) in trimmed.chars().enumerate() {
        if ch.is_control() {
            return Err(TextError::ControlCharacter { ch, index });
        }
        if is_formatting_trap(ch) {
            return Err(TextError::FormattingCharacter {
                code: u32::from(ch),
                index,
            });
        }
        len += 1;
    }
    if len > len_max {
        return Err(TextError::TooLong { len, max: len_max });
    }
    Ok(trimmed.to_owned())
}

/// A copy of `input` short enough to repeat in an error message (see [`ERROR_INPUT_ECHO_MAX`]).
pub fn echo(input: &str) -> String {
    match input.char_indices().nth(ERROR_INPUT_ECHO_MAX) {
        None => input.to_owned(),
        Some((cut, _)) => format!("{}…", &input[..cut]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_trims_and_validates() {
        assert_eq!(clean("  Acme GmbH \t", 10), Ok("Acme GmbH".to_owned()));
        assert_eq!(clean(" \n ", 10), Err(TextError::Empty));
        assert_eq!(clean("", 10), Err(TextError::Empty));
        assert_eq!(
            clean("abcdef", 5),
            Err(TextError::TooLong { len: 6, max: 5 })
        );
        // Length is counted in characters, not bytes.
        assert_eq!(clean("شرکت", 4), Ok("شرکت".to_owned()));
        assert_eq!(
            clean("a\nb", 10),
            Err(TextError::ControlCharacter { ch: '\n', index: 1 })
        );
        assert_eq!(
            clean("Acme\u{202E}HbmG", 20),
            Err(TextError::FormattingCharacter {
                code: 0x202E,
                index: 4
            })
        );
        // Persian names keep their zero-width non-joiner.
        assert!(clean("می\u{200C}خواهم", 20).is_ok());
    }

    #[test]
    fn echo_truncates_on_a_char_boundary() {
        assert_eq!(echo("short"), "short");
        let long = "é".repeat(ERROR_INPUT_ECHO_MAX + 10);
        let echoed = echo(&long);
        assert_eq!(echoed.chars().count(), ERROR_INPUT_ECHO_MAX + 1);
        assert!(echoed.ends_with('…'));
    }
}
