//! EU Financial Sanctions Files XML 1.1 (`export/sanctionEntity`, namespace
//! `http://eu.europa.ec/fpi/fsd/export`; prefixes do not matter). Ids are `eu_fsf:<logicalId>`.
//!
//! The EU does not mark a primary name: the first `nameAlias` is taken as it (the export lists
//! the name of the legal act first). `strong="false"` aliases are weak.

use std::io::Read;

use crate::entity::{NameStrength, PartialDate, Schema};

use super::common::{self, Draft};
use super::xml::{Element, Layout, read_list};
use super::{ListFormat, ParseError, ParsedList, countries};

const SOURCE: &str = "eu_fsf";

const LAYOUT: Layout = Layout {
    root: "export",
    date_attribute: "generationDate",
    record_depth: 2,
    records: &["sanctionEntity"],
};

/// Parses an EU FSF XML export; `file` names it in errors.
pub fn parse(file: &str, reader: impl Read) -> Result<ParsedList, ParseError> {
    let (date, entities) = read_list(file, reader, &LAYOUT, record)?;
    Ok(ParsedList {
        files: Vec::new(),
        format: ListFormat::EuFsf,
        source: SOURCE.to_owned(),
        date,
        entities,
    })
}

fn record(element: &Element) -> Result<crate::entity::Entity, String> {
    let id = element.attr("logicalId").trim();
    if id.is_empty() {
        return Err("<sanctionEntity> without a logicalId".to_owned());
    }
    let subject = element
        .children_named("subjectType")
        .next()
        .map_or("", |s| s.attr("code"));
    let schema = match subject {
        "person" => Schema::Person,
        "enterprise" => Schema::Organization,
        _ => Schema::LegalEntity,
    };
    let mut draft = Draft::new(SOURCE, id, schema);
    for child in &element.children {
        match child.name.as_str() {
            "nameAlias" => name_alias(&mut draft, child)?,
            "birthdate" => birth_date(&mut draft, child),
            "identification" => identification(&mut draft, child),
            "citizenship" | "address" => add_country(&mut draft, child),
            "regulation" => draft.add_program(child.attr("programme")),
            _ => {}
        }
    }
    draft.finish()
}

fn name_alias(draft: &mut Draft, alias: &Element) -> Result<(), String> {
    let (first, middle, last) = (
        alias.attr("firstName"),
        alias.attr("middleName"),
        alias.attr("lastName"),
    );
    let given = common::clean(&format!("{first} {middle}"));
    let whole = alias.attr("wholeName");
    let full = if whole.trim().is_empty() {
        format!("{given} {last}")
    } else {
        whole.to_owned()
    };
    let strength = if alias.attr("strong") == "false" {
        NameStrength::Weak
    } else {
        NameStrength::Strong
    };
    let primary = !draft.has_names();
    draft.add_name(&full, Some(&given), Some(last), strength, primary)
}

fn birth_date(draft: &mut Draft, birth: &Element) {
    let date = common::iso_date(birth.attr("birthdate")).or_else(|| {
        let year = birth.attr("year").trim().parse::<u16>().ok()?;
        let month = birth
            .attr("monthOfYear")
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|m| (1..=12).contains(m));
        let day = birth
            .attr("dayOfMonth")
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|d| (1..=31).contains(d));
        let day = month.and(day);
        (1000..=2999)
            .contains(&year)
            .then_some(PartialDate { year, month, day })
    });
    if let Some(date) = date {
        draft.add_birth_date(date);
    }
    add_country(draft, birth);
}

fn identification(draft: &mut Draft, id: &Element) {
    let kind = match id.attr("identificationTypeCode") {
        "passport" => "Passport",
        "id" => "National ID",
        "" => id.attr("identificationTypeDescription"),
        code => {
            let description = id.attr("identificationTypeDescription").trim();
            if description.is_empty() {
                code
            } else {
                description
            }
        }
    };
    let kind = if kind.trim().is_empty() {
        "Document"
    } else {
        kind
    };
    let country = country_of(id);
    draft.add_identifier(kind, id.attr("number"), country);
}

/// The country of an element: its ISO code (`00` means unknown), else its description.
fn country_of(element: &Element) -> Option<&'static str> {
    let code = element.attr("countryIso2Code").trim();
    countries::to_iso2(&code.to_ascii_uppercase())
        .or_else(|| countries::to_iso2(element.attr("countryDescription")))
}

fn add_country(draft: &mut Draft, element: &Element) {
    if let Some(code) = country_of(element) {
        draft.add_country_code(code);
    }
}
