//! A listed entity as a FollowTheMoney entity: the property map yente returns.

use std::collections::BTreeMap;

use super::EntityResponse;
use super::datasets::{dataset_name, topics};
use crate::entity::{Entity, NameStrength};
use crate::score::format_date;

/// The FollowTheMoney property an identifier of this kind is written under (the kinds are the
/// ones the list parsers give; anything else is an `idNumber`).
pub(crate) fn identifier_property(kind: &str) -> &'static str {
    match kind {
        "Passport" => "passportNumber",
        "Registration Number"
        | "Government Gazette Number"
        | "Economic Register Number (CBLS)"
        | "USCC"
        | "IMO Company Number"
        | "Aircraft Tail Number" => "registrationNumber",
        "Tax ID No." | "NIT #" | "RUC #" | "RIF #" | "C.U.I.T." | "C.U.I." | "RTN" | "R.F.C."
        | "US FEIN" => "taxNumber",
        "V.A.T. Number" => "vatCode",
        "LEI" => "leiCode",
        "INN" => "innCode",
        "OGRN" => "ogrnCode",
        "D-U-N-S Number" => "dunsCode",
        "SWIFT/BIC" => "swiftBic",
        "IMO" => "imoNumber",
        "MMSI" => "mmsi",
        "Call Sign" => "callSign",
        "Aircraft MSN" => "serialNumber",
        _ => "idNumber",
    }
}

/// The entity as yente returns it: FtM schema and properties, its dataset, no dates (the lists
/// give none per entry; the list's date is in the catalog).
pub(crate) fn entity_response(entity: &Entity) -> EntityResponse {
    EntityResponse {
        id: entity.id.clone(),
        caption: entity.caption.clone(),
        schema: entity.schema.ftm_name().to_owned(),
        properties: properties(entity),
        datasets: vec![dataset_name(&entity.source).to_owned()],
        referents: Vec::new(),
        target: true,
        first_seen: None,
        last_seen: None,
        last_change: None,
    }
}

fn properties(entity: &Entity) -> BTreeMap<String, Vec<String>> {
    let mut properties: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |name: &str, value: String| {
        let values = properties.entry(name.to_owned()).or_default();
        if !values.contains(&value) {
            values.push(value);
        }
    };
    for name in &entity.names {
        let property = match (name.primary, name.strength) {
            (true, _) => "name",
            (false, NameStrength::Strong) => "alias",
            (false, NameStrength::Weak) => "weakAlias",
        };
        add(property, name.full.clone());
        if name.primary {
            if let Some(given) = &name.given {
                add("firstName", given.clone());
            }
            if let Some(family) = &name.family {
                add("lastName", family.clone());
            }
        }
    }
    if entity.names.iter().all(|n| !n.primary) {
        add("name", entity.caption.clone());
    }
    for date in &entity.birth_dates {
        add("birthDate", format_date(date));
    }
    for country in &entity.countries {
        add("country", country.to_ascii_lowercase());
    }
    for identifier in &entity.identifiers {
        add(
            identifier_property(&identifier.kind),
            identifier.value.clone(),
        );
    }
    for program in &entity.programs {
        add("programId", program.clone());
    }
    for topic in topics(entity) {
        add("topics", topic.to_owned());
    }
    properties
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::{Identifier, Name, PartialDate, Schema};

    #[test]
    fn an_entity_as_followthemoney_properties() {
        let name = |full: &str, primary: bool, strength| Name {
            full: full.into(),
            given: primary.then(|| "Saeid".into()),
            family: primary.then(|| "HASHEMI MOGHADAM".into()),
            strength,
            primary,
        };
        let entity = Entity {
            id: "un_sc:IRi.001".into(),
            schema: Schema::Person,
            caption: "Saeid HASHEMI MOGHADAM".into(),
            names: vec![
                name("Saeid HASHEMI MOGHADAM", true, NameStrength::Strong),
                name("Saeed Hashemi", false, NameStrength::Strong),
                name("Abu Saeed", false, NameStrength::Weak),
            ],
            birth_dates: vec![PartialDate {
                year: 1962,
                month: Some(8),
                day: Some(6),
            }],
            countries: vec!["IR".into()],
            identifiers: vec![
                Identifier {
                    kind: "Passport".into(),
                    value: "A1234".into(),
                    country: None,
                },
                Identifier {
                    kind: "Cedula No.".into(),
                    value: "99".into(),
                    country: None,
                },
            ],
            programs: vec!["IRAN".into()],
            source: "un_sc".into(),
        };
        let response = entity_response(&entity);
        assert_eq!(response.schema, "Person");
        assert_eq!(response.datasets, ["un_sc_sanctions"]);
        let p = &response.properties;
        assert_eq!(p["name"], ["Saeid HASHEMI MOGHADAM"]);
        assert_eq!(p["alias"], ["Saeed Hashemi"]);
        assert_eq!(p["weakAlias"], ["Abu Saeed"]);
        assert_eq!(p["firstName"], ["Saeid"]);
        assert_eq!(p["lastName"], ["HASHEMI MOGHADAM"]);
        assert_eq!(p["birthDate"], ["1962-08-06"]);
        assert_eq!(p["country"], ["ir"]);
        assert_eq!(p["passportNumber"], ["A1234"]);
        assert_eq!(p["idNumber"], ["99"]);
        assert_eq!(p["programId"], ["IRAN"]);
        assert_eq!(p["topics"], ["sanction"]);
    }

    #[test]
    fn aircraft_are_airplanes() {
        let entity = Entity {
            id: "us_ofac_sdn:1".into(),
            schema: Schema::Aircraft,
            caption: "EP-ABC".into(),
            names: Vec::new(),
            birth_dates: Vec::new(),
            countries: Vec::new(),
            identifiers: vec![Identifier {
                kind: "Aircraft MSN".into(),
                value: "1234".into(),
                country: None,
            }],
            programs: Vec::new(),
            source: "us_ofac_sdn".into(),
        };
        let response = entity_response(&entity);
        assert_eq!(response.schema, "Airplane");
        assert_eq!(response.properties["name"], ["EP-ABC"]);
        assert_eq!(response.properties["serialNumber"], ["1234"]);
    }
}
