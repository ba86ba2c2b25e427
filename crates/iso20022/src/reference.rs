//! ISO 11649 structured creditor references: `RF`, two check digits, and a base of 1 to 21
//! letters or digits chosen by the creditor, such as `RF18 5390 0754 7034`.
//!
//! The check digits follow ISO 7064 MOD 97-10, as for IBANs: the base followed by `RF00` is
//! read as a number (letters as two digits, A = 10 … Z = 35); the check is 98 minus its remainder
//! modulo 97. A reference is valid when its base followed by `RF` and its check digits leaves
//! the remainder 1.
//!
//! What the check catches: every digit typed as another digit, every letter typed as another
//! letter, every swap of two adjacent digits or two adjacent letters, and every error in `RF` or
//! the check digits' form. What it can miss: a digit typed as a letter or the reverse, and the
//! swap of a digit and a letter, change the number's length, and about one in 97 of them keeps
//! the remainder: `RF18 5390 0754 K034` (a `7` typed as `K`) passes like the standard's own
//! example `RF18 5390 0754 7034`. So a numeric reference typed on a numeric keypad is protected
//! against every single wrong digit and every adjacent swap.

use crate::{FieldProblem, Iso20022Error, field_error};

/// The longest base of a creditor reference, in characters (25 in all with `RF` and the check).
pub const REFERENCE_BASE_LEN_MAX: usize = 21;

/// What a creditor reference must look like, for error messages.
pub(crate) const CREDITOR_REFERENCE_FORM: &str =
    "an ISO 11649 creditor reference (RF, two check digits, 1 to 21 letters or digits)";

/// The value of a letter or digit in MOD 97-10: 0-9 for digits, 10-35 for letters A-Z.
fn value(byte: u8) -> Option<u32> {
    match byte {
        b'0'..=b'9' => Some(u32::from(byte - b'0')),
        b'A'..=b'Z' => Some(u32::from(byte - b'A') + 10),
        _ => None,
    }
}

/// The remainder modulo 97 of the number the characters spell (letters as two digits).
///
/// `None` if a character is not a digit or a capital letter.
fn mod97(bytes: impl IntoIterator<Item = u8>) -> Option<u32> {
    let mut remainder = 0_u32;
    for byte in bytes {
        let v = value(byte)?;
        let shift = if v < 10 { 10 } else { 100 };
        remainder = (remainder * shift + v) % 97;
    }
    Some(remainder)
}

/// Makes the creditor reference of `base`: `RF`, two check digits, then the base, in electronic
/// form (no spaces), such as `creditor_reference("539007547034")` = `"RF18539007547034"`.
///
/// The base has 1 to [`REFERENCE_BASE_LEN_MAX`] letters A-Z or digits; lower case is folded to
/// upper case. Anything else is an error naming the field `base` and the first bad character.
pub fn creditor_reference(base: &str) -> Result<String, Iso20022Error> {
    let error = |problem| field_error("base", problem);
    if base.is_empty() {
        return Err(error(FieldProblem::Empty));
    }
    let mut upper = String::with_capacity(base.len() + 4);
    for (index, ch) in base.chars().enumerate() {
        if !ch.is_ascii_alphanumeric() {
            let expected = "a letter A-Z or a digit 0-9";
            return Err(error(FieldProblem::Character {
                ch,
                index,
                expected,
            }));
        }
        upper.push(ch.to_ascii_uppercase());
    }
    let len = upper.len();
    if len > REFERENCE_BASE_LEN_MAX {
        let max = REFERENCE_BASE_LEN_MAX;
        return Err(error(FieldProblem::TooLong { len, max }));
    }
    let remainder = mod97(upper.bytes().chain(*b"RF00")).unwrap_or_default();
    let check = 98 - remainder;
    Ok(format!("RF{check:02}{upper}"))
}

/// Drops white space and folds ASCII letters to upper case: the print form
/// `rf18 5390 0754 7034` becomes the electronic form `RF18539007547034`.
pub fn normalize_reference(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether `text`, once normalized ([`normalize_reference`]), is a valid ISO 11649 creditor
/// reference: `RF`, two check digits 02 to 98, a base of 1 to [`REFERENCE_BASE_LEN_MAX`]
/// letters or digits, and the MOD 97-10 check holds.
pub fn is_creditor_reference(text: &str) -> bool {
    checked_reference(text).is_some()
}

/// The creditor reference in electronic form if `text` is a valid one (see
/// [`is_creditor_reference`]).
pub(crate) fn checked_reference(text: &str) -> Option<String> {
    let reference = normalize_reference(text);
    let bytes = reference.as_bytes();
    let (head, base) = (bytes.get(..4)?, bytes.get(4..)?);
    let check = &head[2..];
    let well_formed = head.starts_with(b"RF")
        && check.iter().all(u8::is_ascii_digit)
        && !matches!(check, b"00" | b"01" | b"99")
        && (1..=REFERENCE_BASE_LEN_MAX).contains(&base.len());
    let valid = well_formed && mod97(base.iter().chain(head).copied()) == Some(1);
    valid.then_some(reference)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::field_of;
    use proptest::prelude::*;

    #[test]
    fn the_standard_example() {
        assert_eq!(
            creditor_reference("539007547034").expect("reference"),
            "RF18539007547034"
        );
        assert!(is_creditor_reference("RF18 5390 0754 7034"));
        assert!(is_creditor_reference("RF18539007547034"));
        assert!(is_creditor_reference(" rf18 5390 0754 7034 "));
        assert_eq!(
            normalize_reference("rf18 5390\t0754 7034"),
            "RF18539007547034"
        );
    }

    #[test]
    fn letters_lower_case_and_limits() {
        let reference = creditor_reference("inv2026x17").expect("reference");
        assert!(reference.starts_with("RF"));
        assert!(reference.ends_with("INV2026X17"));
        assert!(is_creditor_reference(&reference));
        assert!(is_creditor_reference(&reference.to_lowercase()));
        let longest = creditor_reference(&"Z".repeat(21)).expect("21 characters");
        assert_eq!(longest.len(), 25);
        assert!(is_creditor_reference(&longest));
        assert!(creditor_reference("0").is_ok());

        let (field, problem) = field_of(creditor_reference("").unwrap_err());
        assert_eq!((field.as_str(), problem), ("base", FieldProblem::Empty));
        let (_, problem) = field_of(creditor_reference(&"1".repeat(22)).unwrap_err());
        assert_eq!(problem, FieldProblem::TooLong { len: 22, max: 21 });
        for (base, ch, index) in [("INV 7", ' ', 3), ("INV-7", '-', 3), ("Äpfel", 'Ä', 0)] {
            let (field, problem) = field_of(creditor_reference(base).unwrap_err());
            assert_eq!(field, "base");
            let expected = "a letter A-Z or a digit 0-9";
            assert_eq!(
                problem,
                FieldProblem::Character {
                    ch,
                    index,
                    expected
                }
            );
        }
    }

    #[test]
    fn malformed_references_are_refused() {
        for text in [
            "",
            "RF",
            "RF18",
            "RF1",
            "XX18539007547034",
            "RF1853900754703-",
            "RF18539007547035",
            "RFAB539007547034",
            "RF185390075470341234567890",
            "RF18 5390 0754 7034 Ä",
        ] {
            assert!(!is_creditor_reference(text), "{text}");
        }
        // 99 and 01 pass MOD 97 where 02 and 98 would, but no base yields them.
        let reference = creditor_reference("5").expect("reference");
        let check: u32 = reference[2..4].parse().expect("digits");
        let alias = match check {
            2 => Some(format!("RF99{}", &reference[4..])),
            98 => Some(format!("RF01{}", &reference[4..])),
            _ => None,
        };
        if let Some(alias) = alias {
            assert!(!is_creditor_reference(&alias));
        }
    }

    /// The characters a base may hold.
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// Whether a change of `a` into `b` (or a swap of the two) keeps the length of the number
    /// the check reads: both digits or both letters.
    fn same_class(a: u8, b: u8) -> bool {
        a.is_ascii_digit() == b.is_ascii_digit()
    }

    /// Every single substitution and adjacent transposition of the reference of `base` that
    /// keeps the number's length, and every one that touches `RF` or the check digits, is
    /// refused.
    fn assert_detects_errors(base: &str) {
        let reference = creditor_reference(base).expect("valid base");
        assert!(is_creditor_reference(&reference), "{reference}");
        let bytes = reference.as_bytes();
        let refused = |changed: Vec<u8>| {
            let changed = String::from_utf8(changed).expect("ASCII");
            assert!(!is_creditor_reference(&changed), "{reference} -> {changed}");
        };
        for i in 0..bytes.len() {
            for &replacement in ALPHABET.iter() {
                if replacement != bytes[i] && (i < 4 || same_class(replacement, bytes[i])) {
                    let mut changed = bytes.to_vec();
                    changed[i] = replacement;
                    refused(changed);
                }
            }
            let Some(&next) = bytes.get(i + 1) else {
                continue;
            };
            if next != bytes[i] && (i < 4 || same_class(next, bytes[i])) {
                let mut swapped = bytes.to_vec();
                swapped.swap(i, i + 1);
                refused(swapped);
            }
        }
    }

    #[test]
    fn every_single_error_in_a_numeric_reference_is_detected() {
        // In a numeric reference every wrong digit and every adjacent swap is refused; in any
        // reference, every change within the letters or within the digits.
        assert_detects_errors("539007547034");
        assert_detects_errors("7");
        assert_detects_errors("123456789012345678901");
        assert_detects_errors("A");
        assert_detects_errors("INV202611240017XYZ99");
    }

    #[test]
    fn letter_digit_confusions_can_escape_the_check() {
        // The limit of ISO 7064 MOD 97-10 over letters and digits, on the standard's example:
        // a `7` typed as `K` keeps the remainder.
        assert!(is_creditor_reference("RF18 5390 0754 K034"));
        // And a digit swapped with the letter next to it.
        let reference = creditor_reference("INV1B").expect("reference");
        assert!(is_creditor_reference(&reference.replace("1B", "B1")));
    }

    proptest! {
        #[test]
        fn single_errors_of_the_same_class_are_detected(base in "[0-9A-Z]{1,21}") {
            assert_detects_errors(&base);
        }

        #[test]
        fn single_errors_of_numeric_references_are_detected(base in "[0-9]{1,21}") {
            assert_detects_errors(&base);
        }

        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = is_creditor_reference(&text);
            let _ = creditor_reference(&text);
        }
    }
}
