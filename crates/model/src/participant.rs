//! Participants: the firms admitted to the clearing house.

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::error::{Entity, ValidationError, Violation, check_count};
use crate::id::{ParticipantId, ZoneCode};
use crate::lei::Lei;
use crate::party::{Identifier, Party, check_identifiers};
use crate::text;

/// The longest legal name, in characters.
pub const LEGAL_NAME_LEN_MAX: usize = 256;
/// The most beneficial owners a participant may declare.
pub const BENEFICIAL_OWNERS_MAX: usize = 64;

/// A firm admitted to the clearing house, in one zone, with its beneficial owners.
///
/// Build it with [`Participant::new`]; the serde form is [`ParticipantInput`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ParticipantInput", into = "ParticipantInput")]
pub struct Participant {
    id: ParticipantId,
    legal_name: String,
    zone: ZoneCode,
    country: CountryCode,
    lei: Option<Lei>,
    identifiers: Vec<Identifier>,
    beneficial_owners: Vec<Party>,
}

/// The parts of a [`Participant`], unchecked; also its serde form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    /// The participant's id.
    pub id: ParticipantId,
    /// The registered legal name: trimmed, 1 to [`LEGAL_NAME_LEN_MAX`] characters.
    pub legal_name: String,
    /// The zone the participant belongs to and is settled in.
    pub zone: ZoneCode,
    /// The country of registration.
    pub country: CountryCode,
    /// The Legal Entity Identifier, if the firm has one.
    #[serde(default)]
    pub lei: Option<Lei>,
    /// Other identifiers (register number, tax id), at most
    /// [`IDENTIFIERS_MAX`](crate::IDENTIFIERS_MAX), no two equal.
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// The beneficial owners, at most [`BENEFICIAL_OWNERS_MAX`], no two with the same id.
    #[serde(default)]
    pub beneficial_owners: Vec<Party>,
}

impl Participant {
    /// Validates `input`: the legal name, the identifiers and the list of owners.
    pub fn new(input: ParticipantInput) -> Result<Participant, ValidationError> {
        let error = |field: String, violation: Violation| {
            ValidationError::new(Entity::Participant, field, violation)
        };
        let legal_name = text::clean(&input.legal_name, LEGAL_NAME_LEN_MAX)
            .map_err(|e| error("legal_name".into(), e.into()))?;
        check_identifiers(Entity::Participant, &input.identifiers)?;
        let owners = &input.beneficial_owners;
        check_count(owners.len(), 0, BENEFICIAL_OWNERS_MAX)
            .map_err(|v| error("beneficial_owners".into(), v))?;
        for (index, owner) in owners.iter().enumerate() {
            // Quadratic, but over at most BENEFICIAL_OWNERS_MAX entries.
            if owners[..index]
                .iter()
                .any(|earlier| earlier.id() == owner.id())
            {
                let value = owner.id().to_string();
                let field = format!("beneficial_owners[{index}].id");
                return Err(error(field, Violation::Duplicate { value }));
            }
        }
        Ok(Participant {
            id: input.id,
            legal_name,
            zone: input.zone,
            country: input.country,
            lei: input.lei,
            identifiers: input.identifiers,
            beneficial_owners: input.beneficial_owners,
        })
    }

    /// The participant's id.
    pub fn id(&self) -> &ParticipantId {
        &self.id
    }

    /// The registered legal name.
    pub fn legal_name(&self) -> &str {
        &self.legal_name
    }

    /// The zone the participant belongs to.
    pub fn zone(&self) -> &ZoneCode {
        &self.zone
    }

    /// The country of registration.
    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// The Legal Entity Identifier, if any.
    pub fn lei(&self) -> Option<Lei> {
        self.lei
    }

    /// Other identifiers.
    pub fn identifiers(&self) -> &[Identifier] {
        &self.identifiers
    }

    /// The beneficial owners.
    pub fn beneficial_owners(&self) -> &[Party] {
        &self.beneficial_owners
    }
}

impl TryFrom<ParticipantInput> for Participant {
    type Error = ValidationError;

    fn try_from(input: ParticipantInput) -> Result<Participant, ValidationError> {
        Participant::new(input)
    }
}

impl From<Participant> for ParticipantInput {
    fn from(participant: Participant) -> ParticipantInput {
        ParticipantInput {
            id: participant.id,
            legal_name: participant.legal_name,
            zone: participant.zone,
            country: participant.country,
            lei: participant.lei,
            identifiers: participant.identifiers,
            beneficial_owners: participant.beneficial_owners,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::party::{PartyInput, PartyKind};

    fn owner(id: &str) -> Party {
        Party::new(PartyInput {
            id: id.parse().unwrap(),
            kind: PartyKind::Person,
            name: "Jane Q. Example".to_owned(),
            birth_date: None,
            country: None,
            identifiers: vec![],
        })
        .unwrap()
    }

    fn input() -> ParticipantInput {
        ParticipantInput {
            id: "acme-gmbh".parse().unwrap(),
            legal_name: "Acme Medizintechnik GmbH".to_owned(),
            zone: "EU".parse().unwrap(),
            country: "DE".parse().unwrap(),
            lei: Some("5493001KJTIIGC8Y1R12".parse().unwrap()),
            identifiers: vec![Identifier::new("de_hrb", "HRB 12345").unwrap()],
            beneficial_owners: vec![owner("o-1"), owner("o-2")],
        }
    }

    #[test]
    fn valid_participant() {
        let participant = Participant::new(input()).unwrap();
        assert_eq!(participant.legal_name(), "Acme Medizintechnik GmbH");
        assert_eq!(participant.beneficial_owners().len(), 2);
        assert_eq!(participant.country().as_str(), "DE");
    }

    #[test]
    fn rejections_name_the_field() {
        let message = |input| Participant::new(input).unwrap_err().to_string();
        let blank = ParticipantInput {
            legal_name: "\t".to_owned(),
            ..input()
        };
        assert_eq!(
            message(blank),
            r#"invalid participant: field "legal_name": must not be empty"#
        );
        let twice = ParticipantInput {
            beneficial_owners: vec![owner("o-1"), owner("o-2"), owner("o-1")],
            ..input()
        };
        assert_eq!(
            message(twice),
            r#"invalid participant: field "beneficial_owners[2].id": duplicate "o-1""#
        );
        let many = ParticipantInput {
            beneficial_owners: (0..=BENEFICIAL_OWNERS_MAX)
                .map(|i| owner(&format!("o-{i}")))
                .collect(),
            ..input()
        };
        assert_eq!(
            message(many),
            r#"invalid participant: field "beneficial_owners": has 65 entries; 0 to 64 allowed"#
        );
    }

    #[test]
    fn serde_round_trip() {
        let participant = Participant::new(input()).unwrap();
        let json = serde_json::to_string(&participant).unwrap();
        assert_eq!(
            serde_json::from_str::<Participant>(&json).unwrap(),
            participant
        );
        let bad_lei = json.replace("5493001KJTIIGC8Y1R12", "5493001KJTIIGC8Y1R13");
        let err = serde_json::from_str::<Participant>(&bad_lei).unwrap_err();
        assert!(
            err.to_string().contains("check digits do not match"),
            "{err}"
        );
    }
}
