//! Economic zones: the two (or more) sides of the border that payments do not cross.

use serde::{Deserialize, Serialize};

use crate::currency::{self, Currency};
use crate::error::{Entity, ValidationError, Violation};
use crate::id::ZoneCode;
use crate::text;

/// The longest zone name, in characters.
pub const ZONE_NAME_LEN_MAX: usize = 128;

/// An economic zone: firms in it are paid in its settlement currency, inside it.
///
/// Build it with [`Zone::new`]; the serde form is [`ZoneInput`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ZoneInput", into = "ZoneInput")]
pub struct Zone {
    code: ZoneCode,
    name: String,
    settlement_currency: Currency,
}

/// The parts of a [`Zone`], unchecked; also its serde form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneInput {
    /// The zone's code, such as `"EU"`.
    pub code: ZoneCode,
    /// Its name, such as `"European Union"`: trimmed, 1 to [`ZONE_NAME_LEN_MAX`] characters.
    pub name: String,
    /// The currency settlements inside the zone are made in; it must have a minor unit.
    /// Serialized as its ISO 4217 code.
    #[serde(with = "currency::serde_code")]
    pub settlement_currency: Currency,
}

impl Zone {
    /// Validates `input`: the name is trimmed free text and the currency can hold money.
    pub fn new(input: ZoneInput) -> Result<Zone, ValidationError> {
        let error =
            |field, violation: Violation| ValidationError::new(Entity::Zone, field, violation);
        let name =
            text::clean(&input.name, ZONE_NAME_LEN_MAX).map_err(|e| error("name", e.into()))?;
        currency::minor_unit_exponent(input.settlement_currency)
            .map_err(|e| error("settlement_currency", e.into()))?;
        Ok(Zone {
            code: input.code,
            name,
            settlement_currency: input.settlement_currency,
        })
    }

    /// The zone's code.
    pub fn code(&self) -> &ZoneCode {
        &self.code
    }

    /// The zone's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The currency settlements inside the zone are made in.
    pub fn settlement_currency(&self) -> Currency {
        self.settlement_currency
    }
}

impl TryFrom<ZoneInput> for Zone {
    type Error = ValidationError;

    fn try_from(input: ZoneInput) -> Result<Zone, ValidationError> {
        Zone::new(input)
    }
}

impl From<Zone> for ZoneInput {
    fn from(zone: Zone) -> ZoneInput {
        ZoneInput {
            code: zone.code,
            name: zone.name,
            settlement_currency: zone.settlement_currency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, settlement_currency: Currency) -> ZoneInput {
        ZoneInput {
            code: "EU".parse().unwrap(),
            name: name.to_owned(),
            settlement_currency,
        }
    }

    #[test]
    fn validates_name_and_currency() {
        let zone = Zone::new(input(" European Union ", Currency::EUR)).unwrap();
        assert_eq!(zone.name(), "European Union");
        assert_eq!(zone.code().as_str(), "EU");
        assert_eq!(zone.settlement_currency(), Currency::EUR);
        assert_eq!(
            Zone::new(input("", Currency::EUR)).unwrap_err().to_string(),
            r#"invalid zone: field "name": must not be empty"#
        );
        assert_eq!(
            Zone::new(input("Gold", Currency::XAU))
                .unwrap_err()
                .to_string(),
            r#"invalid zone: field "settlement_currency": currency XAU has no minor unit in ISO 4217 and cannot hold money"#
        );
    }

    #[test]
    fn serde_round_trip() {
        let zone = Zone::new(input("Iran", Currency::IRR)).unwrap();
        let json = serde_json::to_string(&zone).unwrap();
        assert_eq!(
            json,
            r#"{"code":"EU","name":"Iran","settlement_currency":"IRR"}"#
        );
        assert_eq!(serde_json::from_str::<Zone>(&json).unwrap(), zone);
        let bad = r#"{"code":"EU","name":"  ","settlement_currency":"EUR"}"#;
        assert!(serde_json::from_str::<Zone>(bad).is_err());
        let bad = r#"{"code":"EU","name":"x","settlement_currency":"eur"}"#;
        assert!(serde_json::from_str::<Zone>(bad).is_err());
    }
}
