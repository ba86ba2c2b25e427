//! The errors of the crate. Each names what a person needs to fix: the file, the line, the
//! field or key, and the offending value.

use std::fmt;

/// A CSV input (goods lines, reference prices, the nomenclature) is malformed.
///
/// Displays as `lines.csv line 7, field quantity: invalid quantity "-3": must be positive`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CsvError {
    /// Which input: `lines`, `prices`, `nomenclature`, `sections`, `chpl`.
    pub file: &'static str,
    /// The line of the file (1 is the header), when known.
    pub line: Option<u64>,
    /// The column, when one is at fault.
    pub field: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(field) = self.field {
            let separator = if self.line.is_some() { "," } else { "" };
            write!(f, "{separator} field {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A code is malformed or not in the nomenclature, or the nomenclature data is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NomenclatureError {
    /// Not two, four or six digits.
    #[error(
        r#"invalid HS code {input:?}: expected 2, 4 or 6 digits, such as "85", "8542", "854231" or "8542.31""#
    )]
    CodeFormat {
        /// The rejected text (shortened if long).
        input: String,
    },
    /// Well formed, but not in the nomenclature.
    #[error("HS code {code} is not a {level} of HS 2022{siblings}")]
    Unknown {
        /// The code in canonical form.
        code: String,
        /// `chapter`, `heading` or `subheading`.
        level: &'static str,
        /// The codes its parent does have (starts with "; "), or empty.
        siblings: String,
    },
    /// A row of the nomenclature data is malformed.
    #[error("nomenclature line {line}: {reason}")]
    Row {
        /// The line of the file.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The nomenclature data is not readable CSV.
    #[error(transparent)]
    Csv(#[from] CsvError),
}

/// A policy file is malformed or contradicts itself.
///
/// Displays as `line 14, column 11, key rules[3].verdict: unknown variant "hod", expected one of
/// allow, hold, block`; callers put the file name in front.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// The line (from 1), if the error has a place in the file.
    pub line: Option<usize>,
    /// The column (from 1, in characters).
    pub column: Option<usize>,
    /// The key path, such as `rules[3].verdict` (array positions from 0).
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(line) = self.line {
            place.push(format!("line {line}"));
        }
        if let Some(column) = self.column {
            place.push(format!("column {column}"));
        }
        if let Some(key) = &self.key {
            place.push(format!("key {key}"));
        }
        if !place.is_empty() {
            write!(f, "{}: ", place.join(", "))?;
        }
        f.write_str(&self.message)
    }
}

/// Parts built over different nomenclatures were combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the policy was compiled over a nomenclature of {policy} subheadings, the checker has {checker}"
)]
pub struct MismatchError {
    /// Subheadings in the policy's nomenclature.
    pub policy: usize,
    /// Subheadings in the checker's nomenclature.
    pub checker: usize,
}
