//! FollowTheMoney entities as JSON lines (OpenSanctions exports: `entities.ftm.json`,
//! `targets.nested.json`), one `{"id", "schema", "caption", "properties": {…}, "datasets": […]}`
//! object a line. Person, Organization, Company, PublicBody, LegalEntity, Vessel and Airplane are
//! kept; other schemas (Address, Sanction, Ownership, …) are skipped.
//!
//! Ids: every entity id is `<source>:<FtM id>`, where the source is the one dataset all kept
//! entities belong to (`us_ofac_sdn` for OpenSanctions' export of that dataset) or `ftm` for a
//! collection mixing datasets. An FtM id is kept whole, even if it holds a colon: the source is
//! what comes before the first colon. The list date is the latest `last_change`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use serde::Deserialize;
use serde_json::Value;

use crate::entity::{NameStrength, Schema, parse_schema};

use super::common::{self, Draft};
use super::{
    Capped, ENTITIES_MAX, FIELD_BYTES_MAX, ListFormat, ParseError, ParsedList, Position, countries,
};

/// Longest line accepted: a nested entity with all its sanctions and addresses is a few KB.
const LINE_BYTES_MAX: u64 = 16 * FIELD_BYTES_MAX as u64;
const FALLBACK_SOURCE: &str = "ftm";

#[derive(Debug, Deserialize)]
struct Line {
    id: String,
    schema: String,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    properties: HashMap<String, Vec<Value>>,
    #[serde(default)]
    datasets: Vec<String>,
    #[serde(default)]
    last_change: Option<String>,
}

/// Identifier properties and the kind kept.
const IDENTIFIERS: &[(&str, &str)] = &[
    ("passportNumber", "Passport"),
    ("idNumber", "National ID No."),
    ("registrationNumber", "Registration Number"),
    ("taxNumber", "Tax ID No."),
    ("imoNumber", "IMO"),
    ("mmsi", "MMSI"),
    ("swiftBic", "SWIFT/BIC"),
    ("leiCode", "LEI"),
    ("innCode", "INN"),
    ("ogrnCode", "OGRN"),
    ("callSign", "Call Sign"),
];

/// Parses FollowTheMoney JSON lines; `file` names it in errors.
pub fn parse(file: &str, reader: impl Read) -> Result<ParsedList, ParseError> {
    let mut reader = BufReader::with_capacity(64 * 1024, Capped::new(reader));
    let mut buf = Vec::new();
    let mut line_number = 0u64;
    let mut drafts = Vec::new();
    let mut datasets: Option<Vec<String>> = None;
    let mut changes = Vec::new();
    loop {
        buf.clear();
        let at = |line, message: String| ParseError::new(file, Position::Line(line), message);
        let read = (&mut reader)
            .take(LINE_BYTES_MAX)
            .read_until(b'\n', &mut buf)
            .map_err(|e| at(line_number + 1, format!("cannot read: {e}")))?;
        if read == 0 {
            break;
        }
        line_number += 1;
        if buf.last() != Some(&b'\n') && read as u64 == LINE_BYTES_MAX {
            return Err(at(
                line_number,
                format!("a line longer than {LINE_BYTES_MAX} bytes"),
            ));
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line: Line = serde_json::from_slice(&buf)
            .map_err(|e| at(line_number, format!("not an FtM entity: {e}")))?;
        changes.extend(line.last_change.as_deref().and_then(common::iso_date));
        // Other schemas (Address, Sanction, Ownership, …) are not listed parties.
        let Ok(schema) = parse_schema(&line.schema) else {
            continue;
        };
        if drafts.len() >= ENTITIES_MAX {
            return Err(at(
                line_number,
                format!("more than {ENTITIES_MAX} entities"),
            ));
        }
        match &datasets {
            None => datasets = Some(line.datasets.clone()),
            Some(known) if *known != line.datasets => datasets = Some(Vec::new()),
            Some(_) => {}
        }
        if let Some(draft) = entity(&line, schema).map_err(|m| at(line_number, m))? {
            drafts.push(draft);
        }
    }
    let source = source_name(datasets.unwrap_or_default());
    let entities: Vec<_> = drafts
        .into_iter()
        .map(|(id, draft)| retarget(draft, &source, &id))
        .collect::<Result<_, _>>()
        .map_err(|m| ParseError::new(file, Position::Unknown, m))?;
    if entities.is_empty() {
        return Err(ParseError::new(
            file,
            Position::Unknown,
            "no Person, Organization, Vessel or Airplane at all",
        ));
    }
    let date = common::latest_plausible(changes).filter(|d| d.len() == 10);
    Ok(ParsedList {
        files: Vec::new(),
        format: ListFormat::FollowTheMoney,
        source,
        date,
        entities,
    })
}

/// The one dataset of every entity, if it is a plain name; `ftm` otherwise.
fn source_name(datasets: Vec<String>) -> String {
    match datasets.as_slice() {
        [one]
            if !one.is_empty()
                && one.len() <= 64
                && one
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
        {
            one.clone()
        }
        _ => FALLBACK_SOURCE.to_owned(),
    }
}

/// The string values of a property (nested entities are objects and are skipped here).
fn strings<'a>(line: &'a Line, property: &str) -> impl Iterator<Item = &'a str> {
    line.properties
        .get(property)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// A draft under a temporary id, with the FtM id to finish it under once the source is known.
fn entity(line: &Line, schema: Schema) -> Result<Option<(String, Draft)>, String> {
    let id = line.id.trim();
    if id.is_empty() {
        return Err("an entity without an id".to_owned());
    }
    let mut draft = Draft::new(FALLBACK_SOURCE, id, schema);
    names(&mut draft, line)?;
    if !draft.has_names() {
        // FtM allows nameless entities (a vessel known by its IMO number only): nothing to screen.
        return Ok(None);
    }
    strings(line, "birthDate")
        .filter_map(common::iso_date)
        .for_each(|d| draft.add_birth_date(d));
    for property in [
        "nationality",
        "citizenship",
        "country",
        "jurisdiction",
        "flag",
    ] {
        strings(line, property)
            .filter_map(country)
            .for_each(|c| draft.add_country_code(c));
    }
    for (property, kind) in IDENTIFIERS {
        strings(line, property).for_each(|value| draft.add_identifier(kind, value, None));
    }
    programs(&mut draft, line);
    Ok(Some((id.to_owned(), draft)))
}

fn names(draft: &mut Draft, line: &Line) -> Result<(), String> {
    let first: Vec<&str> = strings(line, "firstName").collect();
    let last: Vec<&str> = strings(line, "lastName").collect();
    // Given and family name are only certain for a name made of the one first and last name.
    let parts = |name: &str| -> (Option<String>, Option<String>) {
        match (first.as_slice(), last.as_slice()) {
            ([given], [family]) => {
                let lower = name.to_lowercase();
                let (g, f) = (given.to_lowercase(), family.to_lowercase());
                if lower.contains(&g) && lower.contains(&f) {
                    return (Some((*given).to_owned()), Some((*family).to_owned()));
                }
                (None, None)
            }
            _ => (None, None),
        }
    };
    let mut add = |name: &str, strength, primary| {
        let (given, family) = parts(name);
        draft.add_name(name, given.as_deref(), family.as_deref(), strength, primary)
    };
    if let Some(caption) = line.caption.as_deref()
        && strings(line, "name").any(|n| n == caption)
    {
        add(caption, NameStrength::Strong, true)?;
    }
    for name in strings(line, "name") {
        add(name, NameStrength::Strong, true)?;
    }
    for property in ["alias", "previousName"] {
        for name in strings(line, property) {
            add(name, NameStrength::Strong, false)?;
        }
    }
    for name in strings(line, "weakAlias") {
        add(name, NameStrength::Weak, false)?;
    }
    Ok(())
}

/// FtM countries are lower-case ISO codes ("ir"); some are not ISO ("suhh"), which are dropped.
fn country(code: &str) -> Option<&'static str> {
    countries::to_iso2(&code.to_ascii_uppercase()).or_else(|| countries::to_iso2(code))
}

/// Programmes on the entity, and on the Sanction entities nested in a `targets.nested.json`.
fn programs(draft: &mut Draft, line: &Line) {
    for property in ["programId", "program"] {
        strings(line, property).for_each(|p| draft.add_program(p));
    }
    let nested = line.properties.get("sanctions").into_iter().flatten();
    for sanction in nested.filter_map(|s| s.get("properties")) {
        for property in ["programId", "program"] {
            let values = sanction
                .get(property)
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            values
                .filter_map(Value::as_str)
                .for_each(|p| draft.add_program(p));
        }
    }
}

/// Finishes a draft under its final id `<source>:<FtM id>`.
fn retarget(draft: Draft, source: &str, id: &str) -> Result<crate::entity::Entity, String> {
    let mut entity = draft.finish()?;
    entity.id = format!("{source}:{id}");
    entity.source = source.to_owned();
    Ok(entity)
}
