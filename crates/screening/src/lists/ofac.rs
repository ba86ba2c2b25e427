//! OFAC legacy CSV sets: the main file (sdn.csv or cons_prim.csv: ent_num, name, type, programs,
//! title, call_sign, vess_type, tonnage, grt, vess_flag, vess_owner, remarks) with its companions
//! alt.csv (ent_num, alt_num, alt_type, alt_name, alt_remarks), add.csv (ent_num, add_num,
//! address, city/state/zip, country, add_remarks) and sdn_comments.csv (ent_num, the rest of a
//! Remarks text cut at OFAC's field length). No header; `-0-` (often with a trailing space) is
//! empty; ISO-8859-1; a 0x1A byte ends each file. Ids are `us_ofac_sdn:<ent_num>` or
//! `us_ofac_cons:<ent_num>`.
//!
//! The set is checked as a whole: a companion row naming an ent_num the main file lacks means the
//! files are from different days, which is an error rather than a silent mix.

use std::collections::HashMap;
use std::io::Read;

use crate::entity::{NameStrength, Schema};

use super::common::Draft;
use super::delimited::{Encoding, EofMarker, Options, Record, Records};
use super::ofac_remarks::{self, split_last_first};
use super::{ENTITIES_MAX, Input, InputFile, ListFormat, ParseError, ParsedList, Position};

/// SDN or non-SDN consolidated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfacKind {
    Sdn,
    Cons,
}

impl OfacKind {
    pub fn format(self) -> ListFormat {
        match self {
            OfacKind::Sdn => ListFormat::OfacSdn,
            OfacKind::Cons => ListFormat::OfacCons,
        }
    }
}

/// Which file of a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfacPart {
    /// sdn.csv / cons_prim.csv
    Main,
    /// alt.csv / cons_alt.csv
    Alt,
    /// add.csv / cons_add.csv
    Add,
    /// sdn_comments.csv / cons_comments.csv
    Comments,
}

impl OfacPart {
    fn fields(self) -> usize {
        match self {
            OfacPart::Main => 12,
            OfacPart::Alt => 5,
            OfacPart::Add => 6,
            OfacPart::Comments => 2,
        }
    }

    /// Every published file ends with 0x1A; copies of sdn_comments.csv have been seen without.
    fn eof_marker(self) -> EofMarker {
        match self {
            OfacPart::Comments => EofMarker::Optional,
            _ => EofMarker::Required,
        }
    }

    /// The words in file names that mark the part, longest first.
    fn name_tokens(self, kind: OfacKind) -> &'static [&'static str] {
        match (kind, self) {
            (OfacKind::Sdn, OfacPart::Main) => &["sdn"],
            (OfacKind::Sdn, OfacPart::Alt) => &["alt"],
            (OfacKind::Sdn, OfacPart::Add) => &["add"],
            (OfacKind::Sdn, OfacPart::Comments) => &["sdn_comments", "comments"],
            (OfacKind::Cons, OfacPart::Main) => &["cons_prim", "prim"],
            (OfacKind::Cons, OfacPart::Alt) => &["cons_alt", "alt"],
            (OfacKind::Cons, OfacPart::Add) => &["cons_add", "add"],
            (OfacKind::Cons, OfacPart::Comments) => &["cons_comments", "comments"],
        }
    }
}

/// Tells an OFAC file's kind (by name: "cons" marks the non-SDN set) and part (by the number of
/// fields in its first row, else by name). `None` when it does not look like an OFAC file.
pub fn classify(file_name: &str, head: &[u8]) -> Option<(OfacKind, OfacPart)> {
    let base = base_name(file_name).to_ascii_lowercase();
    let kind = if base.contains("cons") {
        OfacKind::Cons
    } else {
        OfacKind::Sdn
    };
    let part = match first_row_fields(head)? {
        12 => OfacPart::Main,
        5 => OfacPart::Alt,
        6 => OfacPart::Add,
        2 => OfacPart::Comments,
        _ => return None,
    };
    Some((kind, part))
}

/// The number of fields of the first row, if it starts with an ent_num.
fn first_row_fields(head: &[u8]) -> Option<usize> {
    let digits = head.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || head.get(digits) != Some(&b',') {
        return None;
    }
    let mut fields = 1;
    let mut quoted = false;
    for &byte in head {
        match byte {
            b'"' => quoted = !quoted,
            b',' if !quoted => fields += 1,
            b'\n' if !quoted => return Some(fields),
            _ => {}
        }
    }
    None
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The name shared by the files of one set: the file name with the part's word taken out
/// (`ofac_sdn_2021.csv`, `ofac_alt_2021.csv` → `ofac__2021.csv`; `sdn.csv`, `alt.csv` → `.csv`).
pub fn group_key(file_name: &str, kind: OfacKind, part: OfacPart) -> String {
    let base = base_name(file_name);
    let dir = &file_name[..file_name.len() - base.len()];
    let lower = base.to_ascii_lowercase();
    let stripped = part
        .name_tokens(kind)
        .iter()
        .find_map(|token| {
            lower
                .find(token)
                .map(|at| format!("{}{}", &lower[..at], &lower[at + token.len()..]))
        })
        .unwrap_or(lower);
    format!("{dir}{stripped}")
}

/// The files of one set met by [`super::parse_files`].
#[derive(Debug, Default)]
pub(crate) struct SetFiles<'a> {
    main: Option<&'a InputFile>,
    alt: Option<&'a InputFile>,
    add: Option<&'a InputFile>,
    comments: Option<&'a InputFile>,
}

impl<'a> SetFiles<'a> {
    /// The names of the files in the set, main file first.
    pub(crate) fn names(&self) -> Vec<String> {
        [&self.main, &self.alt, &self.add, &self.comments]
            .into_iter()
            .flatten()
            .map(|f| f.name.clone())
            .collect()
    }

    pub(crate) fn add(&mut self, part: OfacPart, file: &'a InputFile) -> Result<(), ParseError> {
        let slot = match part {
            OfacPart::Main => &mut self.main,
            OfacPart::Alt => &mut self.alt,
            OfacPart::Add => &mut self.add,
            OfacPart::Comments => &mut self.comments,
        };
        if let Some(other) = slot {
            let message = format!(
                "two OFAC {part:?} files for one set (the other is {})",
                other.name
            );
            return Err(ParseError::new(&file.name, Position::Unknown, message));
        }
        *slot = Some(file);
        Ok(())
    }

    pub(crate) fn parse(self, kind: OfacKind) -> Result<ParsedList, ParseError> {
        let input = |file: &'a InputFile| Input::new(&file.name, file.bytes.as_slice());
        let Some(main) = self.main else {
            let orphan = [self.alt, self.add, self.comments]
                .into_iter()
                .flatten()
                .next();
            let name = orphan.map_or("(OFAC)", |f| f.name.as_str());
            let message = "an OFAC companion file without its main file (sdn.csv or cons_prim.csv)";
            return Err(ParseError::new(name, Position::Unknown, message));
        };
        let mut list = parse(
            kind,
            input(main),
            self.alt.map(input),
            self.add.map(input),
            self.comments.map(input),
        )?;
        list.date = super::date_in_name(&main.name);
        Ok(list)
    }
}

/// One main-file row while its companions are read.
struct Row {
    draft: Draft,
    remarks: String,
    individual: bool,
    line: u64,
}

/// Parses an OFAC set. The legacy CSV carries no list date: set [`ParsedList::date`] yourself.
pub fn parse(
    kind: OfacKind,
    main: Input<'_>,
    alt: Option<Input<'_>>,
    add: Option<Input<'_>>,
    comments: Option<Input<'_>>,
) -> Result<ParsedList, ParseError> {
    let source = kind.format().source();
    let main_name = main.name.to_owned();
    let (mut rows, index) = read_main(source, main)?;
    if let Some(comments) = comments {
        each_companion(comments, OfacPart::Comments, &index, |row, record| {
            rows[row].remarks.push_str(record.field(1));
            Ok(())
        })?;
    }
    if let Some(alt) = alt {
        each_companion(alt, OfacPart::Alt, &index, |row, record| {
            alias(&mut rows[row], record)
        })?;
    }
    if let Some(add) = add {
        each_companion(add, OfacPart::Add, &index, |row, record| {
            rows[row].draft.add_country_name(value(record.field(4)));
            Ok(())
        })?;
    }
    let mut entities = Vec::with_capacity(rows.len());
    for mut row in rows {
        let at = |message| ParseError::new(&main_name, Position::Line(row.line), message);
        ofac_remarks::apply(&mut row.draft, &row.remarks, row.individual).map_err(at)?;
        entities.push(row.draft.finish().map_err(at)?);
    }
    Ok(ParsedList {
        files: Vec::new(),
        format: kind.format(),
        source: source.to_owned(),
        date: None,
        entities,
    })
}

fn records(input: Input<'_>, part: OfacPart) -> Records<Box<dyn Read + '_>> {
    let options = Options {
        delimiter: b',',
        encoding: Encoding::Latin1,
        eof_marker: part.eof_marker(),
    };
    Records::new(input.name, input.reader, options)
}

/// OFAC's empty value.
fn value(field: &str) -> &str {
    let field = field.trim();
    if field == "-0-" { "" } else { field }
}

fn check_fields<R: Read>(
    records: &Records<R>,
    record: &Record,
    part: OfacPart,
) -> Result<(), ParseError> {
    let (want, found) = (part.fields(), record.fields.len());
    if found == want {
        return Ok(());
    }
    Err(records.error(
        record.line,
        format!("expected {want} fields, found {found}"),
    ))
}

fn ent_num<R: Read>(records: &Records<R>, record: &Record) -> Result<u64, ParseError> {
    let field = record.field(0).trim();
    field
        .parse()
        .map_err(|_| records.error(record.line, format!("ent_num {field:?} is not a number")))
}

fn read_main(source: &str, main: Input<'_>) -> Result<(Vec<Row>, HashMap<u64, usize>), ParseError> {
    let mut records = records(main, OfacPart::Main);
    let mut rows = Vec::new();
    let mut index = HashMap::new();
    while let Some(record) = records.next_record()? {
        check_fields(&records, &record, OfacPart::Main)?;
        let number = ent_num(&records, &record)?;
        if index.insert(number, rows.len()).is_some() {
            return Err(records.error(record.line, format!("ent_num {number} is listed twice")));
        }
        if rows.len() >= ENTITIES_MAX {
            return Err(records.error(record.line, format!("more than {ENTITIES_MAX} entries")));
        }
        let row = main_row(source, number, &record).map_err(|m| records.error(record.line, m))?;
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(ParseError::new(
            records.file(),
            Position::Unknown,
            "no entries at all",
        ));
    }
    Ok((rows, index))
}

fn main_row(source: &str, number: u64, record: &Record) -> Result<Row, String> {
    let (schema, individual) = match value(record.field(2)) {
        "individual" => (Schema::Person, true),
        "vessel" => (Schema::Vessel, false),
        "aircraft" => (Schema::Aircraft, false),
        "" => (Schema::Organization, false),
        _ => (Schema::LegalEntity, false),
    };
    let mut draft = Draft::new(source, &number.to_string(), schema);
    let name = value(record.field(1));
    let (given, family) = if individual {
        split_last_first(name)
    } else {
        (None, None)
    };
    draft.add_name(name, given, family, NameStrength::Strong, true)?;
    for program in value(record.field(3)).split("] [") {
        draft.add_program(program.trim_matches(['[', ']', ' ']));
    }
    draft.add_identifier("Call Sign", value(record.field(5)), None);
    draft.add_country_name(value(record.field(9)));
    let remarks = value(record.field(11)).to_owned();
    Ok(Row {
        draft,
        remarks,
        individual,
        line: record.line,
    })
}

/// Reads a companion file, handing each row to `apply` with the index of its main row.
fn each_companion(
    input: Input<'_>,
    part: OfacPart,
    index: &HashMap<u64, usize>,
    mut apply: impl FnMut(usize, &Record) -> Result<(), String>,
) -> Result<(), ParseError> {
    let mut records = records(input, part);
    while let Some(record) = records.next_record()? {
        check_fields(&records, &record, part)?;
        let number = ent_num(&records, &record)?;
        let Some(&row) = index.get(&number) else {
            let message =
                format!("ent_num {number} is not in the main file: the files are not one set");
            return Err(records.error(record.line, message));
        };
        apply(row, &record).map_err(|m| records.error(record.line, m))?;
    }
    Ok(())
}

/// An alt.csv row: a strong alias ("aka", "fka" former name, "nka" new name).
fn alias(row: &mut Row, record: &Record) -> Result<(), String> {
    let name = value(record.field(3));
    let (given, family) = if row.individual {
        split_last_first(name)
    } else {
        (None, None)
    };
    let strength = if value(record.field(4)).to_ascii_lowercase().contains("weak") {
        NameStrength::Weak
    } else {
        NameStrength::Strong
    };
    row.draft.add_name(name, given, family, strength, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_and_group() {
        let main = b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
        let alt = b"36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n";
        assert_eq!(
            classify("ofac_sdn_2021.csv", main),
            Some((OfacKind::Sdn, OfacPart::Main))
        );
        assert_eq!(
            classify("cons_alt.csv", alt),
            Some((OfacKind::Cons, OfacPart::Alt))
        );
        assert_eq!(classify("x.csv", b"name,country\n"), None);
        let key = |name, part| group_key(name, OfacKind::Sdn, part);
        assert_eq!(
            key("d/ofac_sdn_2021.csv", OfacPart::Main),
            "d/ofac__2021.csv"
        );
        assert_eq!(
            key("d/ofac_sdn_comments_2021.csv", OfacPart::Comments),
            "d/ofac__2021.csv"
        );
        assert_eq!(
            key("SDN.CSV", OfacPart::Main),
            key("alt.csv", OfacPart::Alt)
        );
    }
}
