//! One entity model for every list, close to FollowTheMoney: what a parser produces and what the
//! index and the scorer read.

use serde::{Deserialize, Serialize};

/// What kind of thing is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Schema {
    Person,
    Organization,
    Vessel,
    Aircraft,
    /// The list does not say (FtM `LegalEntity`, CSL rows without a type): matches both persons and
    /// organisations.
    LegalEntity,
}

impl Schema {
    /// Our name of the schema (`Aircraft`; FollowTheMoney's names are [`Schema::ftm_name`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Schema::Person => "Person",
            Schema::Organization => "Organization",
            Schema::Vessel => "Vessel",
            Schema::Aircraft => "Aircraft",
            Schema::LegalEntity => "LegalEntity",
        }
    }

    /// The FollowTheMoney schema name (`Airplane` for an aircraft).
    pub fn ftm_name(self) -> &'static str {
        match self {
            Schema::Aircraft => "Airplane",
            other => other.as_str(),
        }
    }

    /// Reads a schema name as a user or a FollowTheMoney file writes it, case-insensitively:
    /// ours (`person`, `organization`, `vessel`, `aircraft`) and FtM's (`Person`, `Company`,
    /// `Organization`, `PublicBody`, `LegalEntity`, `Vessel`, `Airplane`). `-`, `_` and spaces are
    /// ignored (`legal_entity`). `None` for anything else.
    pub fn parse(text: &str) -> Option<Schema> {
        let folded: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match folded.as_str() {
            "person" => Schema::Person,
            "organization" | "organisation" | "company" | "publicbody" => Schema::Organization,
            "legalentity" => Schema::LegalEntity,
            "vessel" => Schema::Vessel,
            "aircraft" | "airplane" => Schema::Aircraft,
            _ => return None,
        })
    }
}

/// The schema names [`parse_schema`] accepts, for messages.
pub const SCHEMA_NAMES: &str = "person, organization, legal-entity, vessel or aircraft, or the \
     FollowTheMoney names Person, Company, Organization, PublicBody, LegalEntity, Vessel, Airplane \
     (any case)";

/// A schema name that is neither ours nor a FollowTheMoney schema of something a list can hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("schema {text:?}: expected {SCHEMA_NAMES}")]
pub struct SchemaError {
    /// The name as given.
    pub text: String,
}

/// Reads a schema name, ours or FollowTheMoney's ([`Schema::parse`]); the error says what is
/// accepted. The one parser of schema names: the CLI, the house's inputs and the yente-shaped
/// API all go through it.
pub fn parse_schema(text: &str) -> Result<Schema, SchemaError> {
    Schema::parse(text.trim()).ok_or_else(|| SchemaError {
        text: text.to_owned(),
    })
}

/// As [`parse_schema`], and also `any` or FollowTheMoney's root schema `Thing` for no schema at
/// all (`None`: every listed entity is in scope).
pub fn parse_schema_or_any(text: &str) -> Result<Option<Schema>, SchemaError> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("any") || text.eq_ignore_ascii_case("thing") {
        return Ok(None);
    }
    parse_schema(text).map(Some)
}

impl std::str::FromStr for Schema {
    type Err = SchemaError;

    fn from_str(text: &str) -> Result<Schema, SchemaError> {
        parse_schema(text)
    }
}

/// How much a name says about the entity: OFAC's "weak a.k.a.", EU `strong="false"`, UN "Low"
/// quality aliases are weak; a hit on a weak alias alone is worth less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NameStrength {
    Strong,
    Weak,
}

/// One name of an entity, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// The whole name as the list writes it ("HASHEMI MOGHADAM, Saeid", "Saeid HASHEMI MOGHADAM").
    pub full: String,
    /// Given name(s), when the list separates them.
    pub given: Option<String>,
    /// Family name(s), when the list separates them.
    pub family: Option<String>,
    pub strength: NameStrength,
    /// Primary name (`true`) or an alias / a.k.a. / f.k.a. (`false`).
    pub primary: bool,
}

/// A possibly partial date (the lists give a year, a year and month, or a full date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

/// An identity document or registration number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    /// What the list calls it ("Passport", "National ID No.", "IMO", "SWIFT/BIC", …).
    pub kind: String,
    /// The number as listed.
    pub value: String,
    /// Issuing country, ISO 3166-1 alpha-2 upper case, when known.
    pub country: Option<String>,
}

/// One listed entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// `source:native_id`, for example `us_ofac_sdn:12111`, `un_sc:QDi.001`, `eu_fsf:13`.
    pub id: String,
    pub schema: Schema,
    /// The name to show (the primary name as listed).
    pub caption: String,
    /// Every name, the primary first.
    pub names: Vec<Name>,
    /// Birth dates (several when the list gives alternatives or a range's bounds).
    pub birth_dates: Vec<PartialDate>,
    /// Nationalities, citizenships and countries of residence/address, ISO alpha-2 upper case.
    pub countries: Vec<String>,
    pub identifiers: Vec<Identifier>,
    /// Sanctions programmes ("SDGT", "IRAN", "TERR", …).
    pub programs: Vec<String>,
    /// The list source, the part of `id` before the colon (`us_ofac_sdn`).
    pub source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_of_ours_and_of_followthemoney() {
        for (text, schema) in [
            ("person", Schema::Person),
            ("Person", Schema::Person),
            ("Company", Schema::Organization),
            ("ORGANIZATION", Schema::Organization),
            ("organisation", Schema::Organization),
            ("LegalEntity", Schema::LegalEntity),
            ("legal_entity", Schema::LegalEntity),
            ("Vessel", Schema::Vessel),
            ("Airplane", Schema::Aircraft),
            ("aircraft", Schema::Aircraft),
        ] {
            assert_eq!(Schema::parse(text), Some(schema), "{text}");
        }
        assert_eq!(Schema::parse("Address"), None);
        assert_eq!(Schema::parse(""), None);
    }

    #[test]
    fn parse_schema_says_what_is_accepted() {
        assert_eq!(parse_schema(" PublicBody "), Ok(Schema::Organization));
        assert_eq!("Airplane".parse::<Schema>(), Ok(Schema::Aircraft));
        assert_eq!(Schema::Aircraft.ftm_name(), "Airplane");
        assert_eq!(Schema::Person.ftm_name(), "Person");
        let error = parse_schema("Address").unwrap_err();
        assert_eq!(error.text, "Address");
        let message = error.to_string();
        assert!(
            message.starts_with("schema \"Address\": expected"),
            "{message}"
        );
        assert!(message.contains("Company"), "{message}");
        assert_eq!(parse_schema_or_any("Thing"), Ok(None));
        assert_eq!(parse_schema_or_any("ANY"), Ok(None));
        assert_eq!(parse_schema_or_any("Vessel"), Ok(Some(Schema::Vessel)));
        assert!(parse_schema_or_any("Sanction").is_err());
    }
}
