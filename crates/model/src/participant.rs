//! Participants: the firms admitted to the clearing house.

use serde::{Deserialize, Deserializer, Serialize};

use crate::bank::{self, BankAccount};
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
/// The most directors a participant may declare.
pub const DIRECTORS_MAX: usize = 64;

/// A firm admitted to the clearing house, in one zone, with its beneficial owners, its
/// directors and the bank account it is paid on.
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
    directors: Vec<Party>,
    bank_account: Option<BankAccount>,
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
    /// The directors, at most [`DIRECTORS_MAX`], no two with the same id (a director may also
    /// be a beneficial owner).
    #[serde(default)]
    pub directors: Vec<Party>,
    /// The bank account the participant is paid on, if given. In serde, a bad IBAN or BIC is
    /// reported as this participant's field `"bank_account.iban"` or `"bank_account.bic"`.
    #[serde(default, deserialize_with = "deserialize_bank_account")]
    pub bank_account: Option<BankAccount>,
}

/// Deserializes [`ParticipantInput::bank_account`], with errors naming `bank_account.iban` or
/// `bank_account.bic`.
fn deserialize_bank_account<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<BankAccount>, D::Error> {
    bank::deserialize_nested(deserializer, Entity::Participant, "bank_account")
}

impl Participant {
    /// Validates `input`: the legal name, the identifiers, the lists of owners and directors.
    pub fn new(input: ParticipantInput) -> Result<Participant, ValidationError> {
        let error = |field: String, violation: Violation| {
            ValidationError::new(Entity::Participant, field, violation)
        };
        let legal_name = text::clean(&input.legal_name, LEGAL_NAME_LEN_MAX)
            .map_err(|e| error("legal_name".into(), e.into()))?;
        check_identifiers(Entity::Participant, &input.identifiers)?;
        check_parties(
            "beneficial_owners",
            &input.beneficial_owners,
            BENEFICIAL_OWNERS_MAX,
        )?;
        check_parties("directors", &input.directors, DIRECTORS_MAX)?;
        Ok(Participant {
            id: input.id,
            legal_name,
            zone: input.zone,
            country: input.country,
            lei: input.lei,
            identifiers: input.identifiers,
            beneficial_owners: input.beneficial_owners,
            directors: input.directors,
            bank_account: input.bank_account,
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

    /// The directors.
    pub fn directors(&self) -> &[Party] {
        &self.directors
    }

    /// The bank account the participant is paid on, if given.
    pub fn bank_account(&self) -> Option<&BankAccount> {
        self.bank_account.as_ref()
    }
}

/// Checks a list of parties of a participant (owners, directors): at most `max`, no id twice.
/// `field` is the list's serde name, used in error paths such as `"directors[3].id"`.
fn check_parties(field: &str, parties: &[Party], max: usize) -> Result<(), ValidationError> {
    let error =
        |field: String, violation| ValidationError::new(Entity::Participant, field, violation);
    check_count(parties.len(), 0, max).map_err(|v| error(field.to_owned(), v))?;
    for (index, party) in parties.iter().enumerate() {
        // Quadratic, but over at most `max` entries (checked above).
        let earlier = parties.get(..index).unwrap_or_default();
        if earlier.iter().any(|other| other.id() == party.id()) {
            let value = party.id().to_string();
            let field = format!("{field}[{index}].id");
            return Err(error(field, Violation::Duplicate { value }));
        }
    }
    Ok(())
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
            directors: participant.directors,
            bank_account: participant.bank_account,
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
            directors: vec![owner("o-1"), owner("d-1")],
            bank_account: Some(
                BankAccount::parse("DE89 3704 0044 0532 0130 00", "COBADEFFXXX").unwrap(),
            ),
        }
    }

    #[test]
    fn valid_participant() {
        let participant = Participant::new(input()).unwrap();
        assert_eq!(participant.legal_name(), "Acme Medizintechnik GmbH");
        assert_eq!(participant.beneficial_owners().len(), 2);
        assert_eq!(participant.country().as_str(), "DE");
        assert_eq!(participant.directors().len(), 2);
        let account = participant.bank_account().unwrap();
        assert_eq!(account.iban().as_str(), "DE89370400440532013000");
        assert_eq!(account.bic().as_str(), "COBADEFFXXX");
    }

    #[test]
    fn directors_and_bank_account_are_optional() {
        let minimal = ParticipantInput {
            directors: vec![],
            bank_account: None,
            ..input()
        };
        let participant = Participant::new(minimal).unwrap();
        assert!(participant.directors().is_empty());
        assert_eq!(participant.bank_account(), None);
        let json = r#"{"id":"p","legal_name":"Acme","zone":"EU","country":"DE"}"#;
        let participant = serde_json::from_str::<Participant>(json).unwrap();
        assert!(participant.directors().is_empty());
        assert!(participant.bank_account().is_none());
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
        let directors_twice = ParticipantInput {
            directors: vec![owner("d-1"), owner("d-1")],
            ..input()
        };
        assert_eq!(
            message(directors_twice),
            r#"invalid participant: field "directors[1].id": duplicate "d-1""#
        );
        let many_directors = ParticipantInput {
            directors: (0..=DIRECTORS_MAX)
                .map(|i| owner(&format!("d-{i}")))
                .collect(),
            ..input()
        };
        assert_eq!(
            message(many_directors),
            r#"invalid participant: field "directors": has 65 entries; 0 to 64 allowed"#
        );
    }

    #[test]
    fn bank_account_errors_in_json_name_the_nested_field() {
        let json = |iban: &str, bic: &str| {
            format!(
                r#"{{"id":"p","legal_name":"Acme","zone":"EU","country":"DE","bank_account":{{"iban":"{iban}","bic":"{bic}"}}}}"#
            )
        };
        let message = |iban, bic| {
            serde_json::from_str::<Participant>(&json(iban, bic))
                .unwrap_err()
                .to_string()
        };
        assert!(
            serde_json::from_str::<Participant>(&json("de89 3704 0044 0532 0130 00", "COBADEFF"))
                .is_ok()
        );
        let err = message("DE89 3704 0044 0532 0130 01", "COBADEFF");
        assert!(
            err.starts_with(
                r#"invalid participant: field "bank_account.iban": invalid IBAN "DE89 3704 0044 0532 0130 01": check digits do not match (ISO 7064 MOD 97-10)"#
            ),
            "{err}"
        );
        let err = message("XX89 3704", "COBADEFF");
        assert!(
            err.starts_with(
                r#"invalid participant: field "bank_account.iban": invalid IBAN "XX89 3704": unknown IBAN country "XX""#
            ),
            "{err}"
        );
        let err = message("DE89370400440532013000", "COBA");
        assert!(
            err.starts_with(
                r#"invalid participant: field "bank_account.bic": invalid BIC "COBA": 4 characters, expected 8 or 11"#
            ),
            "{err}"
        );
        let err = message("DE89370400440532013000", "BNPAFRPP");
        assert!(
            err.starts_with(
                r#"invalid participant: field "bank_account.bic": BIC country "FR" does not match IBAN country "DE""#
            ),
            "{err}"
        );
        let null =
            r#"{"id":"p","legal_name":"Acme","zone":"EU","country":"DE","bank_account":null}"#;
        let participant = serde_json::from_str::<Participant>(null).unwrap();
        assert_eq!(participant.bank_account(), None);
    }

    #[test]
    fn serde_round_trip() {
        let participant = Participant::new(input()).unwrap();
        let json = serde_json::to_string(&participant).unwrap();
        assert_eq!(
            serde_json::from_str::<Participant>(&json).unwrap(),
            participant
        );
        assert!(
            json.contains(
                r#""bank_account":{"iban":"DE89370400440532013000","bic":"COBADEFFXXX"}"#
            ),
            "{json}"
        );
        assert!(json.contains(r#""directors":[{"id":"o-1""#), "{json}");
        let bad_lei = json.replace("5493001KJTIIGC8Y1R12", "5493001KJTIIGC8Y1R13");
        let err = serde_json::from_str::<Participant>(&bad_lei).unwrap_err();
        assert!(
            err.to_string().contains("check digits do not match"),
            "{err}"
        );
        let bad_iban = json.replace("DE89370400440532013000", "DE89370400440532013001");
        let err = serde_json::from_str::<Participant>(&bad_iban).unwrap_err();
        assert!(
            err.to_string().starts_with(
                r#"invalid participant: field "bank_account.iban": invalid IBAN "DE89370400440532013001": check digits do not match"#
            ),
            "{err}"
        );
        let extra = json.replace(r#""bic":"#, r#""holder":"Acme","bic":"#);
        let err = serde_json::from_str::<Participant>(&extra).unwrap_err();
        assert!(err.to_string().contains("unknown field `holder`"), "{err}");
    }
}
