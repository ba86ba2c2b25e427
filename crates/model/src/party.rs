//! Parties to be screened: persons and organizations, such as beneficial owners.

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::date::Date;
use crate::error::{Entity, ValidationError, Violation, check_count};
use crate::id::PartyId;
use crate::text;

/// The longest party name, in characters.
pub const PARTY_NAME_LEN_MAX: usize = 256;
/// The most identifiers a party or participant may carry.
pub const IDENTIFIERS_MAX: usize = 32;
/// The longest identifier scheme, in characters.
pub const IDENTIFIER_SCHEME_LEN_MAX: usize = 32;
/// The longest identifier value, in characters.
pub const IDENTIFIER_VALUE_LEN_MAX: usize = 128;

/// Whether a party is a natural person or an organization (FollowTheMoney schema names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PartyKind {
    /// A natural person.
    Person,
    /// A company, association, public body or other organization.
    Organization,
}

/// An identifier in some scheme: a passport number, a company register number, a tax id.
///
/// Both parts are trimmed free text (no control characters): the scheme 1 to
/// [`IDENTIFIER_SCHEME_LEN_MAX`] characters, such as `"passport"`, `"vat"` or
/// `"de_handelsregister"`; the value 1 to [`IDENTIFIER_VALUE_LEN_MAX`] characters. Serde form:
/// `{"scheme": "passport", "value": "X1234567"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "IdentifierRepr", into = "IdentifierRepr")]
pub struct Identifier {
    scheme: String,
    value: String,
}

/// The serde form of [`Identifier`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentifierRepr {
    scheme: String,
    value: String,
}

impl Identifier {
    /// Validates and trims `scheme` and `value`.
    pub fn new(scheme: &str, value: &str) -> Result<Identifier, ValidationError> {
        let error =
            |field, e: text::TextError| ValidationError::new(Entity::Identifier, field, e.into());
        Ok(Identifier {
            scheme: text::clean(scheme, IDENTIFIER_SCHEME_LEN_MAX)
                .map_err(|e| error("scheme", e))?,
            value: text::clean(value, IDENTIFIER_VALUE_LEN_MAX).map_err(|e| error("value", e))?,
        })
    }

    /// The scheme, such as `"passport"`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The value in that scheme.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl TryFrom<IdentifierRepr> for Identifier {
    type Error = ValidationError;

    fn try_from(repr: IdentifierRepr) -> Result<Identifier, ValidationError> {
        Identifier::new(&repr.scheme, &repr.value)
    }
}

impl From<Identifier> for IdentifierRepr {
    fn from(identifier: Identifier) -> IdentifierRepr {
        IdentifierRepr {
            scheme: identifier.scheme,
            value: identifier.value,
        }
    }
}

/// Checks a list of identifiers: at most [`IDENTIFIERS_MAX`], no (scheme, value) twice.
pub(crate) fn check_identifiers(
    entity: Entity,
    identifiers: &[Identifier],
) -> Result<(), ValidationError> {
    check_count(identifiers.len(), 0, IDENTIFIERS_MAX)
        .map_err(|v| ValidationError::new(entity, "identifiers", v))?;
    for (index, identifier) in identifiers.iter().enumerate() {
        // Quadratic, but over at most IDENTIFIERS_MAX entries.
        if identifiers[..index].contains(identifier) {
            let value = format!("{} {}", identifier.scheme, identifier.value);
            let field = format!("identifiers[{index}]");
            return Err(ValidationError::new(
                entity,
                field,
                Violation::Duplicate { value },
            ));
        }
    }
    Ok(())
}

/// A person or organization to be screened against sanctions lists.
///
/// Build it with [`Party::new`]; the serde form is [`PartyInput`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PartyInput", into = "PartyInput")]
pub struct Party {
    id: PartyId,
    kind: PartyKind,
    name: String,
    birth_date: Option<Date>,
    country: Option<CountryCode>,
    identifiers: Vec<Identifier>,
}

/// The parts of a [`Party`], unchecked; also its serde form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    /// The party's id.
    pub id: PartyId,
    /// Person or organization.
    pub kind: PartyKind,
    /// The full name: trimmed, 1 to [`PARTY_NAME_LEN_MAX`] characters, any script.
    pub name: String,
    /// The birth date; persons only.
    #[serde(default)]
    pub birth_date: Option<Date>,
    /// The country of nationality (persons) or registration (organizations).
    #[serde(default)]
    pub country: Option<CountryCode>,
    /// Identifiers, at most [`IDENTIFIERS_MAX`], no two equal.
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
}

impl Party {
    /// Validates `input`: the name, that only a person has a birth date, the identifiers.
    pub fn new(input: PartyInput) -> Result<Party, ValidationError> {
        let error =
            |field, violation: Violation| ValidationError::new(Entity::Party, field, violation);
        let name =
            text::clean(&input.name, PARTY_NAME_LEN_MAX).map_err(|e| error("name", e.into()))?;
        if input.kind == PartyKind::Organization && input.birth_date.is_some() {
            return Err(error("birth_date", Violation::BirthDateOfOrganization));
        }
        check_identifiers(Entity::Party, &input.identifiers)?;
        Ok(Party {
            id: input.id,
            kind: input.kind,
            name,
            birth_date: input.birth_date,
            country: input.country,
            identifiers: input.identifiers,
        })
    }

    /// The party's id.
    pub fn id(&self) -> &PartyId {
        &self.id
    }

    /// Person or organization.
    pub fn kind(&self) -> PartyKind {
        self.kind
    }

    /// The full name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The birth date, if known (never for an organization).
    pub fn birth_date(&self) -> Option<Date> {
        self.birth_date
    }

    /// The country of nationality or registration, if known.
    pub fn country(&self) -> Option<CountryCode> {
        self.country
    }

    /// The identifiers.
    pub fn identifiers(&self) -> &[Identifier] {
        &self.identifiers
    }
}

impl TryFrom<PartyInput> for Party {
    type Error = ValidationError;

    fn try_from(input: PartyInput) -> Result<Party, ValidationError> {
        Party::new(input)
    }
}

impl From<Party> for PartyInput {
    fn from(party: Party) -> PartyInput {
        PartyInput {
            id: party.id,
            kind: party.kind,
            name: party.name,
            birth_date: party.birth_date,
            country: party.country,
            identifiers: party.identifiers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> PartyInput {
        PartyInput {
            id: "owner-1".parse().unwrap(),
            kind: PartyKind::Person,
            name: "  Jane Q. Example ".to_owned(),
            birth_date: Some("1971-12-22".parse().unwrap()),
            country: Some("IR".parse().unwrap()),
            identifiers: vec![Identifier::new("passport", "X1234567").unwrap()],
        }
    }

    #[test]
    fn valid_person() {
        let party = Party::new(person()).unwrap();
        assert_eq!(party.name(), "Jane Q. Example");
        assert_eq!(party.kind(), PartyKind::Person);
        assert_eq!(party.identifiers()[0].scheme(), "passport");
    }

    #[test]
    fn rejections_name_the_field() {
        let message = |input| Party::new(input).unwrap_err().to_string();
        let org = PartyInput {
            kind: PartyKind::Organization,
            ..person()
        };
        assert_eq!(
            message(org),
            r#"invalid party: field "birth_date": only a person has a birth date, not an organization"#
        );
        let mut twice = person();
        twice.identifiers.push(twice.identifiers[0].clone());
        assert_eq!(
            message(twice),
            r#"invalid party: field "identifiers[1]": duplicate "passport X1234567""#
        );
        let long = PartyInput {
            name: "x".repeat(PARTY_NAME_LEN_MAX + 1),
            ..person()
        };
        assert_eq!(
            message(long),
            r#"invalid party: field "name": has 257 characters, more than the 256 allowed"#
        );
        let many = PartyInput {
            identifiers: (0..=IDENTIFIERS_MAX)
                .map(|i| Identifier::new("tax", &i.to_string()).unwrap())
                .collect(),
            ..person()
        };
        assert_eq!(
            message(many),
            r#"invalid party: field "identifiers": has 33 entries; 0 to 32 allowed"#
        );
        assert_eq!(
            Identifier::new(" ", "1").unwrap_err().to_string(),
            r#"invalid identifier: field "scheme": must not be empty"#
        );
    }

    #[test]
    fn serde_round_trip() {
        let party = Party::new(person()).unwrap();
        let json = serde_json::to_string(&party).unwrap();
        assert_eq!(
            json,
            r#"{"id":"owner-1","kind":"Person","name":"Jane Q. Example","birth_date":"1971-12-22","country":"IR","identifiers":[{"scheme":"passport","value":"X1234567"}]}"#
        );
        assert_eq!(serde_json::from_str::<Party>(&json).unwrap(), party);
        let minimal = r#"{"id":"o","kind":"Organization","name":"Acme"}"#;
        let org = serde_json::from_str::<Party>(minimal).unwrap();
        assert_eq!(org.birth_date(), None);
        assert!(org.identifiers().is_empty());
        let bad = r#"{"id":"o","kind":"Organization","name":"Acme","birth_date":"2000-01-01"}"#;
        let err = serde_json::from_str::<Party>(bad).unwrap_err().to_string();
        assert!(
            err.starts_with(r#"invalid party: field "birth_date""#),
            "{err}"
        );
    }
}
