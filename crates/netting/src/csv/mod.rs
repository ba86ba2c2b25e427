//! Readers and writers of the clearing files: obligations for set-off and claims for INSTEX.
//!
//! Readers take `impl Read`, writers `impl Write`; nothing here opens a file. Every error names
//! the line and the field. Plain CSV with a header row; no quoting (ids, codes and integers never
//! need it); `\n` or `\r\n` line ends; blank lines are skipped.

mod instex;
mod intern;
mod lines;
mod setoff;

pub use instex::{CLAIMS_HEADER, ClaimFile, read_claims, write_claim_results, write_payments};
pub(crate) use intern::Interner;
pub use intern::Strings;
pub use lines::LINE_BYTES_MAX;
pub(crate) use lines::{LineError, Lines, echo, fields, is_blank};
pub use setoff::{OBLIGATIONS_HEADER, ObligationFile, read_obligations, write_cleared};

use std::io;

/// Why a clearing file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Reading failed.
    #[error("reading the input: {0}")]
    Io(#[from] io::Error),
    /// A line is wrong.
    #[error("line {line}: {problem}")]
    Line {
        /// The line number, from 1 (the header is line 1).
        line: u64,
        /// What is wrong with it.
        problem: LineProblem,
    },
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineProblem {
    /// The input is empty: not even a header.
    #[error("the input is empty; expected the header {expected:?}")]
    Empty {
        /// The header expected.
        expected: &'static str,
    },
    /// The first line is not the expected header.
    #[error("expected the header {expected:?}, found {found:?}")]
    Header {
        /// The header expected.
        expected: &'static str,
        /// What was found (shortened).
        found: String,
    },
    /// Longer than [`LINE_BYTES_MAX`].
    #[error("longer than {LINE_BYTES_MAX} bytes")]
    TooLong,
    /// Not the right number of comma-separated fields.
    #[error("malformed row: expected {expected} comma-separated fields ({header})")]
    FieldCount {
        /// How many fields.
        expected: usize,
        /// The header, naming them.
        header: &'static str,
    },
    /// A field is not valid.
    #[error("field {field}: {reason}")]
    Field {
        /// The field name.
        field: &'static str,
        /// Why (with the value).
        reason: String,
    },
    /// The amount is zero or negative.
    #[error("field amount: {value:?} is not positive")]
    NonPositiveAmount {
        /// The value (shortened).
        value: String,
    },
    /// Debtor and creditor are the same.
    #[error("debtor and creditor are the same ({party:?})")]
    SameParty {
        /// The party.
        party: String,
    },
    /// The id was used before.
    #[error("duplicate id {id:?}, first used on line {first_line}")]
    DuplicateId {
        /// The id.
        id: String,
        /// Where it was first used.
        first_line: u64,
    },
    /// More rows than the limit.
    #[error("more than {max} rows")]
    TooManyRows {
        /// The limit.
        max: usize,
    },
    /// The ids together are longer than the arena can index (4 GiB).
    #[error("the ids take more than 4 GiB")]
    IdsTooLarge,
}

impl ReadError {
    pub(crate) fn line(line: u64, problem: LineProblem) -> ReadError {
        ReadError::Line { line, problem }
    }

    pub(crate) fn from_line_error(e: LineError) -> ReadError {
        match e {
            LineError::Io(e) => ReadError::Io(e),
            LineError::TooLong(line) => ReadError::line(line, LineProblem::TooLong),
        }
    }
}

/// Checks `field` against the id rule of the model crate (see `model::ParticipantId`): 1 to
/// `model::ID_LEN_MAX` ASCII letters, digits and `. _ : -`, not starting or ending with a
/// separator. Done on bytes, without allocating, because set-off files have millions of ids.
pub(crate) fn check_id(field_name: &'static str, field: &[u8]) -> Result<(), LineProblem> {
    let reason = |why: &str| LineProblem::Field {
        field: field_name,
        reason: format!("{:?} {why}", echo(field)),
    };
    let separator = |b: &u8| matches!(b, b'.' | b'_' | b':' | b'-');
    if field.is_empty() {
        return Err(reason("is empty"));
    }
    if field.len() > model::ID_LEN_MAX {
        return Err(reason(&format!(
            "is longer than {} characters",
            model::ID_LEN_MAX
        )));
    }
    if !field
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || separator(b))
    {
        return Err(reason("has a character outside A-Z a-z 0-9 . _ : -"));
    }
    if field.first().is_some_and(separator) || field.last().is_some_and(separator) {
        return Err(reason("starts or ends with a separator (. _ : -)"));
    }
    Ok(())
}

/// Parses a positive amount in minor units: digits only, 1 to `i64::MAX`.
pub(crate) fn parse_amount(field: &[u8]) -> Result<u64, LineProblem> {
    // The fast path allocates nothing; messages are built only for errors.
    if let Some(n) = parse_u64(field).filter(|&n| (1..=crate::AMOUNT_MAX).contains(&n)) {
        return Ok(n);
    }
    let value = echo(field);
    let negative = field
        .strip_prefix(b"-")
        .is_some_and(|rest| !rest.is_empty() && rest.iter().all(u8::is_ascii_digit));
    if negative || parse_u64(field) == Some(0) {
        return Err(LineProblem::NonPositiveAmount { value });
    }
    let reason = if parse_u64(field).is_some() || field.iter().all(u8::is_ascii_digit) {
        format!("{value} is larger than {}", crate::AMOUNT_MAX)
    } else {
        format!("{value:?} is not an integer amount in minor units")
    };
    Err(LineProblem::Field {
        field: "amount",
        reason,
    })
}

/// Digits only, at most `u64::MAX`.
pub(crate) fn parse_u64(field: &[u8]) -> Option<u64> {
    if field.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &b in field {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

/// Appends the decimal digits of `n`.
pub(crate) fn push_decimal(out: &mut Vec<u8>, n: u128) {
    let mut digits = [0u8; 40];
    let mut i = digits.len();
    // u128 division is a library call: use u64 while the value fits, as it almost always does.
    let mut wide = n;
    while wide > u128::from(u64::MAX) {
        i -= 1;
        digits[i] = b'0' + (wide % 10) as u8;
        wide /= 10;
    }
    let mut n = wide as u64;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}
