//! US BIS Denied Persons List, tab-separated with quoted fields (header `Name Street_Address City
//! State Country Postal_Code Effective_Date Expiration_Date Standard_Order Last_Update Action
//! FR_Citation`). The DPL has no ids, so an entity is `us_bis_dpl:<n>` for the n-th data row
//! (1-based); a person with several addresses has several rows. Persons and firms are mixed with
//! nothing to tell them apart, so the schema is [`Schema::LegalEntity`]. The list date is the
//! latest `Last_Update` or `Effective_Date`, typos (a year 3033) left out.

use std::collections::HashMap;
use std::io::Read;

use crate::entity::{NameStrength, Schema};

use super::common::{self, Draft};
use super::delimited::{Encoding, EofMarker, Options, Records};
use super::{ENTITIES_MAX, ListFormat, ParseError, ParsedList, Position};

const SOURCE: &str = "us_bis_dpl";
const REQUIRED: [&str; 4] = ["Name", "Country", "Effective_Date", "Last_Update"];

/// Parses a Denied Persons List file; `file` names it in errors.
pub fn parse(file: &str, reader: impl Read) -> Result<ParsedList, ParseError> {
    let options = Options {
        delimiter: b'\t',
        encoding: Encoding::Utf8,
        eof_marker: EofMarker::Optional,
    };
    let mut records = Records::new(file, reader, options);
    let header = records.header()?;
    let column: HashMap<&str, usize> = header
        .fields
        .iter()
        .enumerate()
        .map(|(i, name)| (name.trim(), i))
        .collect();
    if let Some(missing) = REQUIRED.iter().find(|name| !column.contains_key(**name)) {
        return Err(records.error(
            header.line,
            format!("no {missing:?} column: not a DPL header"),
        ));
    }
    let get = |record: &super::delimited::Record, name: &str| {
        column
            .get(name)
            .map_or("", |&i| record.field(i).trim())
            .to_owned()
    };
    let mut entities = Vec::new();
    let mut dates = Vec::new();
    while let Some(record) = records.next_record()? {
        if record.fields.len() != header.fields.len() {
            let (want, found) = (header.fields.len(), record.fields.len());
            return Err(records.error(
                record.line,
                format!("expected {want} fields, found {found}"),
            ));
        }
        if entities.len() >= ENTITIES_MAX {
            return Err(records.error(record.line, format!("more than {ENTITIES_MAX} entities")));
        }
        let mut draft = Draft::new(
            SOURCE,
            &(entities.len() + 1).to_string(),
            Schema::LegalEntity,
        );
        let at = |m| records.error(record.line, m);
        draft
            .add_name(
                &get(&record, "Name"),
                None,
                None,
                NameStrength::Strong,
                true,
            )
            .map_err(at)?;
        draft.add_country_name(&get(&record, "Country"));
        draft.add_program("DPL");
        entities.push(draft.finish().map_err(at)?);
        dates.extend(common::iso_date(&get(&record, "Last_Update")));
        dates.extend(common::slash_date(&get(&record, "Effective_Date"), true));
    }
    if entities.is_empty() {
        return Err(ParseError::new(file, Position::Unknown, "no rows at all"));
    }
    let date = common::latest_plausible(dates).filter(|d| d.len() == 10);
    Ok(ParsedList {
        files: Vec::new(),
        format: ListFormat::UsBisDpl,
        source: SOURCE.to_owned(),
        date,
        entities,
    })
}
