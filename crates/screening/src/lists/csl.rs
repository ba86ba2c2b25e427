//! US Consolidated Screening List CSV (trade.gov): one row per listing of 11 US lists, with a
//! header (`_id,source,entity_number,type,programs,name,…,alt_names,citizenships,dates_of_birth,
//! nationalities,places_of_birth,source_information_url,ids`); multi-valued cells are
//! "; "-separated. Ids are `us_csl:<_id>`.
//!
//! Rows sharing an `_id` are one entity listed on two sub-lists (OFAC's SSI and NS-MBS lists
//! share entity numbers), so they are merged. The sub-list (the abbreviation in `source`, e.g.
//! "EL" for the Entity List) is kept as a programme beside the row's own programmes. A copy of
//! the header line inside the file (the published file has one) is skipped. The list date is the
//! latest `start_date`, a lower bound of the snapshot's date.

use std::collections::HashMap;
use std::io::Read;

use crate::entity::{NameStrength, Schema};

use super::common::{self, Draft, DraftsById};
use super::delimited::{Encoding, EofMarker, Options, Record, Records};
use super::ofac_remarks::{identifier_kind, place_country, split_last_first};
use super::{ListFormat, ParseError, ParsedList, Position};

const SOURCE: &str = "us_csl";
const REQUIRED: [&str; 8] = [
    "_id",
    "source",
    "type",
    "programs",
    "name",
    "alt_names",
    "dates_of_birth",
    "ids",
];

/// Column positions, found by name.
struct Columns {
    width: usize,
    by_name: HashMap<String, usize>,
}

impl Columns {
    fn get<'r>(&self, record: &'r Record, name: &str) -> &'r str {
        self.by_name
            .get(name)
            .map_or("", |&index| record.field(index).trim())
    }
}

/// Parses a Consolidated Screening List CSV; `file` names it in errors.
pub fn parse(file: &str, reader: impl Read) -> Result<ParsedList, ParseError> {
    let options = Options {
        delimiter: b',',
        encoding: Encoding::Utf8,
        eof_marker: EofMarker::Optional,
    };
    let mut records = Records::new(file, reader, options);
    let header = records.header()?;
    let columns = columns(&records, &header)?;
    let mut drafts = DraftsById::default();
    let mut start_dates = Vec::new();
    while let Some(record) = records.next_record()? {
        if record.fields == header.fields {
            continue;
        }
        if record.fields.len() != columns.width {
            let (want, found) = (columns.width, record.fields.len());
            return Err(records.error(
                record.line,
                format!("expected {want} fields, found {found}"),
            ));
        }
        let id = columns.get(&record, "_id");
        if id.is_empty() {
            return Err(records.error(record.line, "a row without an _id"));
        }
        let draft = drafts
            .get_or_create(SOURCE, id, || Schema::LegalEntity)
            .map_err(|m| records.error(record.line, m))?;
        row(draft, &columns, &record).map_err(|m| records.error(record.line, m))?;
        start_dates.extend(common::iso_date(columns.get(&record, "start_date")));
    }
    let entities = drafts
        .drafts
        .into_iter()
        .map(|draft| {
            draft
                .finish()
                .map_err(|m| ParseError::new(file, Position::Unknown, m))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if entities.is_empty() {
        return Err(ParseError::new(file, Position::Unknown, "no rows at all"));
    }
    let date = common::latest_plausible(start_dates).filter(|d| d.len() == 10);
    Ok(ParsedList {
        files: Vec::new(),
        format: ListFormat::UsCsl,
        source: SOURCE.to_owned(),
        date,
        entities,
    })
}

fn columns<R: Read>(records: &Records<R>, header: &Record) -> Result<Columns, ParseError> {
    let by_name: HashMap<String, usize> = header
        .fields
        .iter()
        .enumerate()
        .map(|(i, name)| (name.trim().to_owned(), i))
        .collect();
    if let Some(missing) = REQUIRED.iter().find(|name| !by_name.contains_key(**name)) {
        return Err(records.error(
            header.line,
            format!("no {missing:?} column: not a CSL header"),
        ));
    }
    Ok(Columns {
        width: header.fields.len(),
        by_name,
    })
}

/// Multi-valued cells.
fn values(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|v| !v.is_empty())
}

fn row(draft: &mut Draft, columns: &Columns, record: &Record) -> Result<(), String> {
    let schema = match columns.get(record, "type") {
        "Individual" => Schema::Person,
        "Entity" => Schema::Organization,
        "Vessel" => Schema::Vessel,
        "Aircraft" => Schema::Aircraft,
        _ => Schema::LegalEntity,
    };
    if draft.schema() == Schema::LegalEntity {
        draft.set_schema(schema);
    }
    let person = draft.schema() == Schema::Person;
    let split = |name| {
        if person {
            split_last_first(name)
        } else {
            (None, None)
        }
    };
    let name = columns.get(record, "name");
    let (given, family) = split(name);
    draft.add_name(name, given, family, NameStrength::Strong, true)?;
    for alias in values(columns.get(record, "alt_names")) {
        let (given, family) = split(alias);
        draft.add_name(alias, given, family, NameStrength::Strong, false)?;
    }
    values(columns.get(record, "programs")).for_each(|p| draft.add_program(p));
    if let Some(list) = sub_list(columns.get(record, "source")) {
        draft.add_program(list);
    }
    for date in values(columns.get(record, "dates_of_birth")) {
        let date = common::iso_date(date).or_else(|| common::day_month_year(date));
        date.into_iter().for_each(|d| draft.add_birth_date(d));
    }
    for column in ["citizenships", "nationalities"] {
        values(columns.get(record, column)).for_each(|c| draft.add_country_name(c));
    }
    for column in ["addresses", "places_of_birth"] {
        for place in values(columns.get(record, column)) {
            draft.add_country_name(place_country(place));
        }
    }
    values(columns.get(record, "ids")).for_each(|id| identifier(draft, id));
    Ok(())
}

/// "Entity List (EL) - Bureau of Industry and Security" → "EL".
fn sub_list(source: &str) -> Option<&str> {
    let name = source.split(" - ").next()?;
    let open = name.rfind('(')?;
    name[open + 1..]
        .strip_suffix(')')
        .filter(|code| !code.is_empty())
}

/// "Passport, U00242309, TR": kind, number, issuing country. Other labels ("Website",
/// "Target Type", dates) are not identifiers and are dropped.
fn identifier(draft: &mut Draft, cell: &str) {
    let mut parts = cell.splitn(3, ", ");
    let (Some(label), Some(number)) = (parts.next(), parts.next()) else {
        return;
    };
    let Some(kind) = identifier_kind(label) else {
        return;
    };
    let country = parts.next().and_then(super::countries::to_iso2);
    draft.add_identifier(kind, number, country);
}
