//! The error of composite types: which entity, which field, what is wrong.

use std::fmt;

use crate::bank::{BicError, IbanError};
use crate::currency::{Currency, CurrencyError};
use crate::id::ParticipantId;
use crate::money::{Money, MoneyError};
use crate::text::TextError;

/// A composite value (a claim, a participant …) was rejected because of one field.
///
/// Displays as `invalid claim: field "goods_lines[2].value": currency USD differs from claim
/// currency EUR`. Field paths use the serde field names, with `[i]` for list positions, so a
/// message points into the JSON a client sent. The [`Violation`] is part of the message, not a
/// separate `source`, so error chains print it once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {entity}: field {field:?}: {violation}")]
pub struct ValidationError {
    entity: Entity,
    field: String,
    violation: Violation,
}

impl ValidationError {
    pub(crate) fn new(
        entity: Entity,
        field: impl Into<String>,
        violation: Violation,
    ) -> ValidationError {
        ValidationError {
            entity,
            field: field.into(),
            violation,
        }
    }

    /// The kind of value that was rejected.
    pub fn entity(&self) -> Entity {
        self.entity
    }

    /// The path of the offending field, such as `"goods_lines[2].value"`.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong with the field.
    pub fn violation(&self) -> &Violation {
        &self.violation
    }
}

/// The kinds of composite value, as named in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Entity {
    /// A [`Zone`](crate::Zone).
    Zone,
    /// An [`Identifier`](crate::Identifier).
    Identifier,
    /// A [`Party`](crate::Party).
    Party,
    /// A [`Participant`](crate::Participant).
    Participant,
    /// A [`BankAccount`](crate::BankAccount).
    BankAccount,
    /// A [`GoodsLine`](crate::GoodsLine).
    GoodsLine,
    /// A [`Claim`](crate::Claim).
    Claim,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::Zone => "zone",
            Entity::Identifier => "identifier",
            Entity::Party => "party",
            Entity::Participant => "participant",
            Entity::BankAccount => "bank account",
            Entity::GoodsLine => "goods line",
            Entity::Claim => "claim",
        })
    }
}

/// What is wrong with one field of a composite value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Violation {
    /// A free-text field is empty, too long or has control characters.
    #[error(transparent)]
    Text(#[from] TextError),
    /// An IBAN is malformed or its check digits do not match.
    #[error(transparent)]
    Iban(#[from] IbanError),
    /// A BIC is malformed.
    #[error(transparent)]
    Bic(#[from] BicError),
    /// An amount computation failed (a sum overflowed, say).
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// A currency cannot be used.
    #[error(transparent)]
    Currency(#[from] CurrencyError),
    /// An amount that must be positive is zero or negative.
    #[error("must be positive, not {value}")]
    NotPositive {
        /// The rejected amount.
        value: Money,
    },
    /// An amount is in another currency than the one it must match.
    #[error("currency {} differs from {of} currency {}", .found.code(), .expected.code())]
    CurrencyMismatch {
        /// The currency found.
        found: Currency,
        /// The currency required.
        expected: Currency,
        /// Whose currency is required.
        of: Entity,
    },
    /// Parts do not add up to their total.
    #[error("values sum to {sum}, not the {of} amount {expected}")]
    SumMismatch {
        /// The sum of the parts.
        sum: Money,
        /// The total they must equal.
        expected: Money,
        /// Whose amount is the total.
        of: Entity,
    },
    /// A list has too few or too many entries.
    #[error("has {len} entries; {min} to {max} allowed")]
    Count {
        /// Number of entries.
        len: usize,
        /// Fewest allowed.
        min: usize,
        /// Most allowed.
        max: usize,
    },
    /// The same value appears twice in a list that must not repeat.
    #[error("duplicate {value:?}")]
    Duplicate {
        /// The repeated value.
        value: String,
    },
    /// A claim's creditor and debtor are the same participant.
    #[error(r#"creditor and debtor are the same participant "{id}""#)]
    SameParticipant {
        /// The participant.
        id: ParticipantId,
    },
    /// A bank account's BIC is of another country than its IBAN (and not of a territory
    /// that country's IBANs cover).
    #[error("BIC country {bic_country:?} does not match IBAN country {iban_country:?}")]
    BankCountryMismatch {
        /// The BIC's country code.
        bic_country: String,
        /// The IBAN's country code.
        iban_country: String,
    },
    /// An organization was given a birth date.
    #[error("only a person has a birth date, not an organization")]
    BirthDateOfOrganization,
}

/// Checks that a list has `min..=max` entries.
pub(crate) fn check_count(len: usize, min: usize, max: usize) -> Result<(), Violation> {
    if (min..=max).contains(&len) {
        Ok(())
    } else {
        Err(Violation::Count { len, min, max })
    }
}
