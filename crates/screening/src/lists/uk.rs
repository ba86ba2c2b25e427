//! UK lists, CSV. Two published layouts, both read by column name:
//!
//! - the FCDO "UK Sanctions List" CSV: a `Report Date: 13-Feb-2026` line, then the header
//!   `Last Updated,Unique ID,OFSI Group ID,UN Reference Number,Name 6,Name 1,…,Name 5,Name type,
//!   Alias strength,Title,Name non-latin script,…,Regime Name,Designation Type,…,Address Country,
//!   …,D.O.B,Nationality(/ies),National Identifier number,…,Passport number,…,Country of birth,…,
//!   IMO number,…`;
//! - the OFSI Consolidated List CSV (ConList.csv, closed in January 2026): a
//!   `Last Updated,dd/mm/yyyy` line, then `Name 6,Name 1,…,Name 5,Title,Name Non-Latin Script,…,
//!   DOB,Town of Birth,Country of Birth,Nationality,Passport Number,…,Country,…,Group Type,
//!   Alias Type,Alias Quality,Regime,Listed On,…,Group ID`.
//!
//! Each row is one name (or address) of a designation; rows of one designation share its OFSI
//! group id and are merged into one entity `uk_hmt:<group id>` (the FCDO `Unique ID` when a row
//! has no group id). `Name 6` is the family name of a person and the whole name of an entity or
//! ship; `Name 1`..`Name 5` are given names.

use std::collections::HashMap;
use std::io::Read;

use crate::entity::{NameStrength, Schema};

use super::common::{self, Draft, DraftsById};
use super::delimited::{Encoding, EofMarker, Options, Record, Records};
use super::{ListFormat, ParseError, ParsedList, Position};

const SOURCE: &str = "uk_hmt";
/// Lines before the header: the layouts have one.
const PREAMBLE_LINES_MAX: usize = 5;

/// Whether a file's first bytes look like one of the UK layouts.
pub(crate) fn looks_like(text: &str) -> bool {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("");
    first.starts_with("Report Date:")
        || first.starts_with("Last Updated,")
        || first.contains("Name 6,")
        || lines
            .next()
            .is_some_and(|second| second.contains("Name 6,"))
}

/// The columns read, each under every heading the two layouts use (compared in lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    GroupId,
    UniqueId,
    NameType,
    AliasStrength,
    NonLatin,
    Kind,
    Regime,
    BirthDate,
    Nationality,
    Passport,
    NationalId,
    Imo,
    Registration,
    Country,
    BirthCountry,
}

const HEADINGS: &[(&str, Column)] = &[
    ("ofsi group id", Column::GroupId),
    ("group id", Column::GroupId),
    ("unique id", Column::UniqueId),
    ("name type", Column::NameType),
    ("alias type", Column::NameType),
    ("alias strength", Column::AliasStrength),
    ("alias quality", Column::AliasStrength),
    ("name non-latin script", Column::NonLatin),
    ("designation type", Column::Kind),
    ("group type", Column::Kind),
    ("individual, entity, ship", Column::Kind),
    ("regime name", Column::Regime),
    ("regime", Column::Regime),
    ("d.o.b", Column::BirthDate),
    ("dob", Column::BirthDate),
    ("nationality(/ies)", Column::Nationality),
    ("nationality", Column::Nationality),
    ("passport number", Column::Passport),
    ("national identifier number", Column::NationalId),
    ("national identification number", Column::NationalId),
    ("imo number", Column::Imo),
    ("business registration number (s)", Column::Registration),
    ("address country", Column::Country),
    ("country", Column::Country),
    ("country of birth", Column::BirthCountry),
];

struct Layout {
    width: usize,
    columns: HashMap<Column, usize>,
    /// Positions of Name 1..Name 6.
    names: [Option<usize>; 6],
}

impl Layout {
    fn get<'r>(&self, record: &'r Record, column: Column) -> &'r str {
        self.columns
            .get(&column)
            .map_or("", |&i| record.field(i).trim())
    }

    fn name_part<'r>(&self, record: &'r Record, part: usize) -> &'r str {
        self.names[part].map_or("", |i| record.field(i).trim())
    }
}

/// Parses a UK list CSV (either layout); `file` names it in errors.
pub fn parse(file: &str, reader: impl Read) -> Result<ParsedList, ParseError> {
    let options = Options {
        delimiter: b',',
        encoding: Encoding::Utf8,
        eof_marker: EofMarker::Optional,
    };
    let mut records = Records::new(file, reader, options);
    let (layout, date) = header(&mut records)?;
    let mut drafts = DraftsById::default();
    while let Some(record) = records.next_record()? {
        if record.fields.len() != layout.width {
            let (want, found) = (layout.width, record.fields.len());
            return Err(records.error(
                record.line,
                format!("expected {want} fields, found {found}"),
            ));
        }
        let group = layout.get(&record, Column::GroupId);
        let id = if group.is_empty() {
            layout.get(&record, Column::UniqueId)
        } else {
            group
        };
        if id.is_empty() {
            return Err(records.error(record.line, "a row without a group id or unique id"));
        }
        let draft = drafts
            .get_or_create(SOURCE, id, || kind(layout.get(&record, Column::Kind)))
            .map_err(|m| records.error(record.line, m))?;
        row(draft, &layout, &record).map_err(|m| records.error(record.line, m))?;
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
        return Err(ParseError::new(
            file,
            Position::Unknown,
            "no designations at all",
        ));
    }
    Ok(ParsedList {
        files: Vec::new(),
        format: ListFormat::UkHmt,
        source: SOURCE.to_owned(),
        date,
        entities,
    })
}

/// Skips the preamble (taking the list date from it) and reads the header.
fn header<R: Read>(records: &mut Records<R>) -> Result<(Layout, Option<String>), ParseError> {
    let mut date = None;
    for _ in 0..=PREAMBLE_LINES_MAX {
        let Some(record) = records.next_record()? else {
            break;
        };
        if record.fields.iter().any(|f| f.trim() == "Name 6") {
            return layout(records, &record).map(|layout| (layout, date));
        }
        date = date.or_else(|| preamble_date(&record));
    }
    Err(records.error(
        records.line(),
        "no header with a \"Name 6\" column: not a UK list CSV",
    ))
}

fn layout<R: Read>(records: &Records<R>, header: &Record) -> Result<Layout, ParseError> {
    let mut columns = HashMap::new();
    let mut names = [None; 6];
    for (index, heading) in header.fields.iter().enumerate() {
        let heading = heading.trim().to_lowercase();
        let part = heading
            .strip_prefix("name ")
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(part) = part.filter(|p| (1..=6).contains(p)) {
            names[part - 1] = Some(index);
        }
        if let Some((_, column)) = HEADINGS.iter().find(|(h, _)| *h == heading) {
            columns.entry(*column).or_insert(index);
        }
    }
    if !columns.contains_key(&Column::GroupId) && !columns.contains_key(&Column::UniqueId) {
        return Err(records.error(header.line, "no \"Group ID\" or \"Unique ID\" column"));
    }
    Ok(Layout {
        width: header.fields.len(),
        columns,
        names,
    })
}

/// `Report Date: 13-Feb-2026` or `Last Updated,15/07/2026`.
fn preamble_date(record: &Record) -> Option<String> {
    let first = record.field(0).trim();
    let date = if let Some(text) = first.strip_prefix("Report Date:") {
        let parts: Vec<&str> = text.trim().split('-').collect();
        common::day_month_year(&parts.join(" "))
    } else if first.starts_with("Last Updated") {
        let text = record.fields.get(1).map_or(first, String::as_str);
        common::slash_date(
            text.trim_start_matches("Last Updated")
                .trim_start_matches([':', ',', ' ']),
            false,
        )
    } else {
        None
    }?;
    let (month, day) = (date.month?, date.day?);
    Some(format!("{:04}-{month:02}-{day:02}", date.year))
}

fn kind(text: &str) -> Schema {
    match text.to_lowercase().as_str() {
        "individual" => Schema::Person,
        "entity" => Schema::Organization,
        "ship" => Schema::Vessel,
        _ => Schema::LegalEntity,
    }
}

fn row(draft: &mut Draft, layout: &Layout, record: &Record) -> Result<(), String> {
    name(draft, layout, record)?;
    let non_latin = layout.get(record, Column::NonLatin);
    draft.add_name(non_latin, None, None, NameStrength::Strong, false)?;
    draft.add_program(layout.get(record, Column::Regime));
    for word in layout.get(record, Column::BirthDate).split_whitespace() {
        common::slash_date(word, false)
            .into_iter()
            .for_each(|d| draft.add_birth_date(d));
    }
    for column in [Column::Nationality, Column::Country, Column::BirthCountry] {
        numbered(layout.get(record, column)).for_each(|c| draft.add_country_name(c));
    }
    for (column, kind) in [
        (Column::Passport, "Passport"),
        (Column::NationalId, "National ID No."),
        (Column::Imo, "IMO"),
        (Column::Registration, "Registration Number"),
    ] {
        numbered(layout.get(record, column)).for_each(|v| draft.add_identifier(kind, v, None));
    }
    Ok(())
}

/// The row's name: Name 1..5 given, Name 6 family (persons) or the whole name.
fn name(draft: &mut Draft, layout: &Layout, record: &Record) -> Result<(), String> {
    let given: Vec<&str> = (0..5)
        .map(|i| layout.name_part(record, i))
        .filter(|p| !p.is_empty())
        .collect();
    let given = given.join(" ");
    let family = layout.name_part(record, 5);
    let full = common::clean(&format!("{given} {family}"));
    let name_type = layout.get(record, Column::NameType).to_lowercase();
    let primary = name_type == "primary name";
    let strength = layout.get(record, Column::AliasStrength).to_lowercase();
    let weak = !primary && (strength.contains("weak") || strength.contains("low"));
    let strength = if weak {
        NameStrength::Weak
    } else {
        NameStrength::Strong
    };
    let person = draft.schema() == Schema::Person;
    let (given, family) = if person {
        (Some(given.as_str()), Some(family))
    } else {
        (None, None)
    };
    draft.add_name(&full, given, family, strength, primary)
}

/// "(1) Iran (Islamic Republic of) (2) Iraq" → "Iran (Islamic Republic of)", "Iraq": only
/// numbered markers split; a plain value is itself.
fn numbered(cell: &str) -> impl Iterator<Item = &str> {
    let mut values = Vec::new();
    let mut value_start = 0;
    let bytes = cell.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let digits = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let marker = bytes[at] == b'(' && digits > 0 && bytes.get(at + 1 + digits) == Some(&b')');
        if marker {
            values.push(&cell[value_start..at]);
            at += digits + 2;
            value_start = at;
        } else {
            at += 1;
        }
    }
    values.push(&cell[value_start..]);
    values.into_iter().map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_values() {
        let values: Vec<&str> = numbered("(1) Iran (Islamic Republic of) (2) Iraq").collect();
        assert_eq!(values, vec!["Iran (Islamic Republic of)", "Iraq"]);
        assert_eq!(numbered("Iran").collect::<Vec<_>>(), vec!["Iran"]);
    }
}
