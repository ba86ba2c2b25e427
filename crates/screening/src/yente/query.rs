//! One `/match` query read into what the screener uses: the names to screen (FtM `name`,
//! `alias`, `weakAlias`, `previousName`, and names put together from `firstName` … `lastName`),
//! birth dates, countries and identifiers; every other property is accepted and ignored, as
//! yente does with what its algorithm does not use, and named in the echo.

use std::collections::BTreeMap;

use super::{EntityQuery, QueryEcho, YenteError};
use crate::entity::{PartialDate, Schema, parse_schema_or_any};
use crate::lists::countries::to_iso2;
use crate::screener::parse_partial_date;

/// Most names screened for one query (each is one screening).
pub const NAMES_PER_QUERY_MAX: usize = 50;
/// Most birth dates of one query (each name is screened once with each).
pub const BIRTH_DATES_PER_QUERY_MAX: usize = 5;
/// Most screenings for one query: names × birth dates.
pub const SCREENS_PER_QUERY_MAX: usize = 100;

/// Whole names.
const NAME_PROPERTIES: &[&str] = &["name", "alias", "weakAlias", "previousName"];
/// Parts of a person's name, in the order they are put together.
const NAME_PART_PROPERTIES: &[&str] = &[
    "firstName",
    "secondName",
    "middleName",
    "fatherName",
    "lastName",
];
const BIRTH_DATE_PROPERTY: &str = "birthDate";
/// Countries: our listed entities keep nationality, citizenship, residence and address
/// countries together, so any of these is compared with all of them.
const COUNTRY_PROPERTIES: &[&str] = &[
    "nationality",
    "citizenship",
    "country",
    "jurisdiction",
    "birthCountry",
    "mainCountry",
];
/// Identifiers: a listed entity with the same number is a match whatever the name scored.
const IDENTIFIER_PROPERTIES: &[&str] = &[
    "idNumber",
    "passportNumber",
    "registrationNumber",
    "taxNumber",
    "vatCode",
    "innCode",
    "ogrnCode",
    "okpoCode",
    "leiCode",
    "dunsCode",
    "swiftBic",
    "bicCode",
    "imoNumber",
    "mmsi",
    "callSign",
    "serialNumber",
];

/// A query ready to screen.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    /// The field each name came from (for errors) and the name.
    pub names: Vec<(String, String)>,
    /// The schema given to the screener (`None`: any).
    pub schema: Option<Schema>,
    /// Result schemas kept, when narrower than what the screener's schema lets through
    /// (FtM `Vehicle`: vessels and aircraft).
    pub only: Option<&'static [Schema]>,
    pub birth_dates: Vec<PartialDate>,
    /// ISO alpha-2, upper case.
    pub countries: Vec<String>,
    pub identifiers: Vec<String>,
    pub echo: QueryEcho,
}

/// Reads one query; every error names its field (`queries.<key>.…`).
pub(crate) fn prepare(key: &str, query: &EntityQuery) -> Result<Prepared, YenteError> {
    let at = format!("queries.{key}");
    let (schema, only) = query_schema(&format!("{at}.schema"), &query.schema)?;
    let names = names(&at, &query.properties)?;
    let birth_dates = birth_dates(&at, &query.properties)?;
    let screens = names.len() * birth_dates.len().max(1);
    if screens > SCREENS_PER_QUERY_MAX {
        return Err(YenteError::invalid(
            format!("{at}.properties.{BIRTH_DATE_PROPERTY}"),
            format!(
                "{} names × {} birth dates; at most {SCREENS_PER_QUERY_MAX} combinations are \
                 screened for one query",
                names.len(),
                birth_dates.len()
            ),
        ));
    }
    Ok(Prepared {
        names,
        schema,
        only,
        birth_dates,
        countries: countries(&at, &query.properties)?,
        identifiers: identifiers(&query.properties),
        echo: echo(query),
    })
}

/// The schema of a query: ours or FollowTheMoney's, `Thing` for any, `Vehicle` for vessels and
/// aircraft.
fn query_schema(
    field: &str,
    text: &str,
) -> Result<(Option<Schema>, Option<&'static [Schema]>), YenteError> {
    if text.trim() == "Vehicle" {
        return Ok((None, Some(&[Schema::Vessel, Schema::Aircraft])));
    }
    parse_schema_or_any(text)
        .map(|schema| (schema, None))
        .map_err(|e| YenteError::invalid(field, format!("{e}, Thing or Vehicle")))
}

fn names(
    at: &str,
    properties: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<(String, String)>, YenteError> {
    let mut names: Vec<(String, String)> = Vec::new();
    let mut push = |field: String, name: String| {
        let folded = name.to_lowercase();
        if !names.iter().any(|(_, n)| n.to_lowercase() == folded) {
            names.push((field, name));
        }
    };
    for property in NAME_PROPERTIES {
        for (i, name) in properties.get(*property).into_iter().flatten().enumerate() {
            push(format!("{at}.properties.{property}[{i}]"), name.clone());
        }
    }
    if let Some((field, composed)) = composed_names(at, properties) {
        for name in composed {
            push(field.clone(), name);
        }
    }
    if names.is_empty() {
        return Err(YenteError::invalid(
            format!("{at}.properties.name"),
            "no name to screen: give name, alias, weakAlias, previousName or firstName and \
             lastName (a query by identifiers alone is not supported)",
        ));
    }
    if names.len() > NAMES_PER_QUERY_MAX {
        return Err(YenteError::invalid(
            format!("{at}.properties.name"),
            format!(
                "{} distinct names; at most {NAMES_PER_QUERY_MAX} are screened for one query",
                names.len()
            ),
        ));
    }
    Ok(names)
}

/// Names put together from their parts: each first name with each last name, with the first
/// value of the parts between (`firstName` Arkadii, `fatherName` Romanovich, `lastName`
/// Rotenberg and Ротенберг → two names). The field names the parts used.
fn composed_names(
    at: &str,
    properties: &BTreeMap<String, Vec<String>>,
) -> Option<(String, Vec<String>)> {
    let given: Vec<&str> = NAME_PART_PROPERTIES
        .iter()
        .copied()
        .filter(|p| properties.contains_key(*p))
        .collect();
    if given.is_empty() {
        return None;
    }
    let values = |p: &str| -> Vec<&str> {
        properties
            .get(p)
            .map_or_else(|| vec![""], |v| v.iter().map(String::as_str).collect())
    };
    let first_of = |p: &str| values(p)[0];
    let middle = [
        first_of("secondName"),
        first_of("middleName"),
        first_of("fatherName"),
    ];
    let mut names = Vec::new();
    for first in values("firstName") {
        for last in values("lastName") {
            let parts = std::iter::once(first).chain(middle).chain([last]);
            let name = parts
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            names.push(name);
        }
    }
    Some((format!("{at}.properties.{}", given.join("+")), names))
}

/// Birth dates: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (a time after the date is ignored); a date the
/// calendar does not have is an error.
fn birth_dates(
    at: &str,
    properties: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<PartialDate>, YenteError> {
    let mut dates = Vec::new();
    for (i, text) in properties
        .get(BIRTH_DATE_PROPERTY)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let field = || format!("{at}.properties.{BIRTH_DATE_PROPERTY}[{i}]");
        let day = text.split('T').next().unwrap_or(text);
        let date = parse_partial_date(day).ok_or_else(|| {
            YenteError::invalid(
                field(),
                format!("{text:?}: expected a real date, YYYY, YYYY-MM or YYYY-MM-DD"),
            )
        })?;
        if !dates.contains(&date) {
            dates.push(date);
        }
    }
    if dates.len() > BIRTH_DATES_PER_QUERY_MAX {
        return Err(YenteError::invalid(
            format!("{at}.properties.{BIRTH_DATE_PROPERTY}"),
            format!(
                "{} birth dates; at most {BIRTH_DATES_PER_QUERY_MAX} are accepted",
                dates.len()
            ),
        ));
    }
    Ok(dates)
}

/// Countries as ISO alpha-2 codes (FtM writes them in lower case) or names (`Russia`).
fn countries(
    at: &str,
    properties: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<String>, YenteError> {
    let mut codes = Vec::new();
    for property in COUNTRY_PROPERTIES {
        for (i, text) in properties.get(*property).into_iter().flatten().enumerate() {
            let code = country_code(text).ok_or_else(|| {
                YenteError::invalid(
                    format!("{at}.properties.{property}[{i}]"),
                    format!("{text:?}: not an ISO 3166 country code or a known country name"),
                )
            })?;
            if !codes.iter().any(|c| c == code) {
                codes.push(code.to_owned());
            }
        }
    }
    Ok(codes)
}

fn country_code(text: &str) -> Option<&'static str> {
    let text = text.trim();
    if text.len() == 2 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
        return to_iso2(&text.to_ascii_uppercase());
    }
    to_iso2(text)
}

fn identifiers(properties: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut identifiers: Vec<String> = Vec::new();
    for property in IDENTIFIER_PROPERTIES {
        for value in properties.get(*property).into_iter().flatten() {
            if !identifiers.contains(value) {
                identifiers.push(value.clone());
            }
        }
    }
    identifiers
}

/// The query as given, and which of its properties the screener does not use.
fn echo(query: &EntityQuery) -> QueryEcho {
    let used = |p: &str| {
        NAME_PROPERTIES.contains(&p)
            || NAME_PART_PROPERTIES.contains(&p)
            || p == BIRTH_DATE_PROPERTY
            || COUNTRY_PROPERTIES.contains(&p)
            || IDENTIFIER_PROPERTIES.contains(&p)
    };
    QueryEcho {
        id: query.id.clone(),
        schema: query.schema.clone(),
        properties: query.properties.clone(),
        ignored_properties: query
            .properties
            .keys()
            .filter(|p| !used(p))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(schema: &str, properties: &[(&str, &[&str])]) -> EntityQuery {
        EntityQuery {
            id: None,
            schema: schema.into(),
            properties: properties
                .iter()
                .map(|(p, v)| ((*p).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
                .collect(),
        }
    }

    fn field(error: YenteError) -> String {
        match error {
            YenteError::InvalidField { field, .. } => field,
            other => panic!("not a field error: {other}"),
        }
    }

    #[test]
    fn names_from_parts_as_opensanctions_documents_them() {
        let q = query(
            "Person",
            &[
                ("firstName", &["Arkadii"]),
                ("fatherName", &["Romanovich"]),
                ("lastName", &["Rotenberg", "Ротенберг"]),
                ("birthDate", &["1951"]),
                ("nationality", &["Russia"]),
                ("gender", &["male"]),
            ],
        );
        let prepared = prepare("q", &q).unwrap();
        let names: Vec<&str> = prepared.names.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "Arkadii Romanovich Rotenberg",
                "Arkadii Romanovich Ротенберг"
            ]
        );
        assert_eq!(
            prepared.names[0].0,
            "queries.q.properties.firstName+fatherName+lastName"
        );
        assert_eq!(prepared.birth_dates[0].year, 1951);
        assert_eq!(prepared.countries, ["RU"]);
        assert_eq!(prepared.schema, Some(Schema::Person));
        assert_eq!(prepared.echo.ignored_properties, ["gender"]);
    }

    #[test]
    fn countries_codes_in_any_case_and_names_identifiers_all() {
        let q = query(
            "Company",
            &[
                (
                    "name",
                    &["Brilliant Amazing Limited", "brilliant amazing limited"],
                ),
                ("jurisdiction", &["hk"]),
                ("country", &["HK", "United Kingdom"]),
                ("registrationNumber", &["84BA99810"]),
                ("innCode", &["7701234567"]),
            ],
        );
        let prepared = prepare("c", &q).unwrap();
        assert_eq!(
            prepared.names.len(),
            1,
            "the same name twice is screened once"
        );
        assert_eq!(prepared.countries, ["HK", "GB"]);
        assert_eq!(prepared.identifiers, ["84BA99810", "7701234567"]);
        assert_eq!(prepared.schema, Some(Schema::Organization));
        assert!(prepared.echo.ignored_properties.is_empty());
    }

    #[test]
    fn schemas_thing_vehicle_and_unknown() {
        let name: &[(&str, &[&str])] = &[("name", &["X Y"])];
        assert_eq!(prepare("q", &query("Thing", name)).unwrap().schema, None);
        let vehicle = prepare("q", &query("Vehicle", name)).unwrap();
        assert_eq!(vehicle.only, Some(&[Schema::Vessel, Schema::Aircraft][..]));
        assert_eq!(
            prepare("q", &query("Airplane", name)).unwrap().schema,
            Some(Schema::Aircraft)
        );
        let error = prepare("q1", &query("Address", name)).unwrap_err();
        assert_eq!(
            error.to_string().split(':').next(),
            Some("queries.q1.schema")
        );
        assert!(error.to_string().contains("Thing or Vehicle"), "{error}");
    }

    #[test]
    fn bad_values_name_their_field() {
        let bad = |properties: &[(&str, &[&str])]| {
            field(prepare("q", &query("Person", properties)).unwrap_err())
        };
        assert_eq!(
            bad(&[("name", &["A B"]), ("birthDate", &["1962", "1962-02-30"])]),
            "queries.q.properties.birthDate[1]"
        );
        assert_eq!(
            bad(&[("name", &["A B"]), ("nationality", &["Narnia"])]),
            "queries.q.properties.nationality[0]"
        );
        assert_eq!(
            bad(&[("idNumber", &["123456"])]),
            "queries.q.properties.name"
        );
        let many: Vec<String> = (0..=NAMES_PER_QUERY_MAX)
            .map(|i| format!("Name {i}"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(bad(&[("alias", &many)]), "queries.q.properties.name");
        let dates = ["1960", "1961", "1962", "1963", "1964", "1965"];
        assert_eq!(
            bad(&[("name", &["A B"]), ("birthDate", &dates)]),
            "queries.q.properties.birthDate"
        );
        let names: Vec<String> = (0..30).map(|i| format!("Name {i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(
            bad(&[("name", &names), ("birthDate", &dates[..4])]),
            "queries.q.properties.birthDate"
        );
        // A time after the date is the date.
        let prepared = prepare(
            "q",
            &query(
                "Person",
                &[("name", &["A B"]), ("birthDate", &["1962-08-06T00:00:00"])],
            ),
        )
        .unwrap();
        assert_eq!(prepared.birth_dates[0].day, Some(6));
    }
}
