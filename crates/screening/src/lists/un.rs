//! UN Security Council consolidated list XML (`CONSOLIDATED_LIST` with `INDIVIDUALS/INDIVIDUAL`
//! and `ENTITIES/ENTITY`). Ids are `un_sc:<REFERENCE_NUMBER>` (`un_sc:QDi.001`).
//!
//! The UN gives name parts FIRST..FOURTH_NAME without saying which is the family name (their
//! order follows each culture), so the full name is the parts joined and given/family stay
//! empty. Alias quality "Low" is a weak alias; "Good", "a.k.a." and "f.k.a." are strong.

use std::io::Read;

use crate::entity::{NameStrength, Schema};

use super::common::{self, Draft};
use super::xml::{Element, Layout, read_list};
use super::{ListFormat, ParseError, ParsedList};

const SOURCE: &str = "un_sc";
const NAME_PARTS: [&str; 4] = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"];

const LAYOUT: Layout = Layout {
    root: "CONSOLIDATED_LIST",
    date_attribute: "dateGenerated",
    record_depth: 3,
    records: &["INDIVIDUAL", "ENTITY"],
};

/// Parses a UN consolidated list; `file` names it in errors.
pub fn parse(file: &str, reader: impl Read) -> Result<ParsedList, ParseError> {
    let (date, entities) = read_list(file, reader, &LAYOUT, record)?;
    Ok(ParsedList {
        files: Vec::new(),
        format: ListFormat::UnSc,
        source: SOURCE.to_owned(),
        date,
        entities,
    })
}

/// One `INDIVIDUAL` or `ENTITY` as an entity.
fn record(element: &Element) -> Result<crate::entity::Entity, String> {
    let reference = element.child_text("REFERENCE_NUMBER");
    if reference.is_empty() {
        return Err(format!("<{}> without a REFERENCE_NUMBER", element.name));
    }
    let schema = if element.name == "INDIVIDUAL" {
        Schema::Person
    } else {
        Schema::Organization
    };
    let mut draft = Draft::new(SOURCE, reference, schema);
    let parts: Vec<&str> = NAME_PARTS
        .iter()
        .map(|tag| element.child_text(tag))
        .filter(|p| !p.is_empty())
        .collect();
    draft.add_name(&parts.join(" "), None, None, NameStrength::Strong, true)?;
    let original = element.child_text("NAME_ORIGINAL_SCRIPT");
    draft.add_name(original, None, None, NameStrength::Strong, false)?;
    for child in &element.children {
        match child.name.as_str() {
            "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => alias(&mut draft, child)?,
            "UN_LIST_TYPE" => draft.add_program(&child.text),
            "NATIONALITY" => child
                .children_named("VALUE")
                .for_each(|v| draft.add_country_name(&v.text)),
            "INDIVIDUAL_DATE_OF_BIRTH" => birth_date(&mut draft, child),
            "INDIVIDUAL_DOCUMENT" => document(&mut draft, child),
            "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" | "INDIVIDUAL_PLACE_OF_BIRTH" => {
                draft.add_country_name(child.child_text("COUNTRY"));
            }
            _ => {}
        }
    }
    draft.finish()
}

fn alias(draft: &mut Draft, alias: &Element) -> Result<(), String> {
    let strength = match alias.child_text("QUALITY") {
        "Low" | "low" => NameStrength::Weak,
        _ => NameStrength::Strong,
    };
    draft.add_name(alias.child_text("ALIAS_NAME"), None, None, strength, false)
}

fn birth_date(draft: &mut Draft, dob: &Element) {
    if let Some(date) = common::iso_date(dob.child_text("DATE")) {
        draft.add_birth_date(date);
    }
    if let Some(year) = common::iso_date(dob.child_text("YEAR")) {
        draft.add_birth_date(year);
    }
    let from = common::iso_date(dob.child_text("FROM_YEAR"));
    let to = common::iso_date(dob.child_text("TO_YEAR"));
    if let (Some(from), Some(to)) = (from, to) {
        common::year_range(from, to)
            .into_iter()
            .for_each(|d| draft.add_birth_date(d));
    }
}

fn document(draft: &mut Draft, document: &Element) {
    let kind = document.child_text("TYPE_OF_DOCUMENT");
    let kind = if is_passport(kind) { "Passport" } else { kind };
    let country = [
        document.child_text("ISSUING_COUNTRY"),
        document.child_text("COUNTRY_OF_ISSUE"),
    ]
    .into_iter()
    .find_map(super::countries::to_iso2);
    let kind = if kind.is_empty() { "Document" } else { kind };
    draft.add_identifier(kind, document.child_text("NUMBER"), country);
}

/// The UN writes the passport kind in the language of the designation.
pub(crate) fn is_passport(kind: &str) -> bool {
    let kind = kind.to_lowercase();
    ["passport", "pasaporte", "passeport"]
        .iter()
        .any(|word| kind.contains(word))
}
