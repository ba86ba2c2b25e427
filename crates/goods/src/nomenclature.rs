//! The HS 2022 nomenclature: sections, chapters, headings and subheadings with their
//! descriptions, and the lookups the checks need.
//!
//! The bundled copy (`data/harmonized-system.csv`, `data/sections.csv`) comes from UN Comtrade
//! through DataHub (public domain, see `data/NOTICE.md`). Chapters 98 and 99 (national use and
//! "not specified") are left out: [`HsCode`] does not accept them, and no goods line may use them.
//!
//! Subheadings get a dense index ([`Subheading`]) so that tables built over the nomenclature
//! (the compiled policy) are plain vectors, and finding the index of a six-digit code is two
//! array reads (heading → block of 100 → index), never a search.

use std::fmt;
use std::io::Read;

use model::HsCode;

use crate::error::NomenclatureError;

/// Largest number of subheadings a nomenclature may have (HS 2022 has 5,612 outside chapter 99);
/// the dense index is a `u16`, and the last value marks "none".
pub const SUBHEADINGS_MAX: usize = 60_000;
/// Largest number of sections (HS 2022 has 21).
pub const SECTIONS_MAX: usize = 64;
/// Longest description kept, in bytes (HS 2022's longest is 255).
pub const DESCRIPTION_BYTES_MAX: usize = 1024;
/// Most siblings listed in an "unknown subheading" error, to keep it one readable line.
const SIBLINGS_SHOWN_MAX: usize = 12;

/// Marks an empty slot in the heading and subheading index tables.
const NONE: u16 = u16::MAX;
/// Number of four-digit headings (0000–9999): the size of the heading index tables.
const HEADING_SLOTS: usize = 10_000;

const BUNDLED_HS: &str = include_str!("../data/harmonized-system.csv");
const BUNDLED_SECTIONS: &str = include_str!("../data/sections.csv");

/// A subheading known to a [`Nomenclature`]: its six-digit code and its dense index there.
///
/// Only [`Nomenclature`] makes them, so holding one proves the code exists in that
/// nomenclature. Tables indexed by [`Subheading::index`] (the compiled policy) must be built
/// over the same nomenclature; [`crate::Checker::new`] checks that they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subheading {
    index: u16,
    code: HsCode,
}

impl Subheading {
    /// The dense index, 0 to [`Nomenclature::subheading_count`] − 1.
    pub fn index(self) -> usize {
        usize::from(self.index)
    }

    /// The six-digit code.
    pub fn code(self) -> HsCode {
        self.code
    }
}

/// The level of a code in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Two digits, such as 85.
    Chapter,
    /// Four digits, such as 8542.
    Heading,
    /// Six digits, such as 8542.31.
    Subheading,
}

impl Level {
    /// The number of digits of a code at this level.
    pub fn digits(self) -> usize {
        match self {
            Level::Chapter => 2,
            Level::Heading => 4,
            Level::Subheading => 6,
        }
    }

    /// The name, as used in messages and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Level::Chapter => "chapter",
            Level::Heading => "heading",
            Level::Subheading => "subheading",
        }
    }

    fn from_digits(digits: usize) -> Option<Level> {
        match digits {
            2 => Some(Level::Chapter),
            4 => Some(Level::Heading),
            6 => Some(Level::Subheading),
            _ => None,
        }
    }
}

/// A code of any level, as typed by a person: `85`, `8542`, `854231`, `8542.31`, `85.42`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeQuery {
    level: Level,
    number: u32,
}

impl CodeQuery {
    /// Parses a two-, four- or six-digit code. Dots or single spaces may separate the digits
    /// after the second and the fourth digit (`85.42.31`, `8542.31`, `8542 31`).
    pub fn parse(text: &str) -> Result<CodeQuery, NomenclatureError> {
        let format = || NomenclatureError::CodeFormat {
            input: crate::echo(text),
        };
        let mut number: u32 = 0;
        let mut digits = 0;
        let mut last_was_separator = true;
        for ch in text.chars() {
            match ch {
                '0'..='9' if digits < 6 => {
                    number = number * 10 + (u32::from(ch) - u32::from('0'));
                    digits += 1;
                    last_was_separator = false;
                }
                '.' | ' ' if !last_was_separator && (digits == 2 || digits == 4) => {
                    last_was_separator = true;
                }
                _ => return Err(format()),
            }
        }
        if last_was_separator {
            return Err(format());
        }
        let level = Level::from_digits(digits).ok_or_else(format)?;
        Ok(CodeQuery { level, number })
    }

    /// A query for exactly this subheading.
    pub fn subheading(code: HsCode) -> CodeQuery {
        CodeQuery {
            level: Level::Subheading,
            number: code.subheading(),
        }
    }

    /// The level: how many digits were given.
    pub fn level(self) -> Level {
        self.level
    }

    /// The code as a number of [`Level::digits`] digits (8542 for a heading).
    pub fn number(self) -> u32 {
        self.number
    }
}

impl fmt::Display for CodeQuery {
    /// The canonical form: `85`, `8542`, `8542.31`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self.level {
            Level::Chapter => format!("{:02}", self.number),
            Level::Heading => format!("{:04}", self.number),
            Level::Subheading => format!("{:04}.{:02}", self.number / 100, self.number % 100),
        };
        f.pad(&text)
    }
}

/// A code with its description, one rung of a [`Classification`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described<'a> {
    /// The code in canonical form (`XVI`, `85`, `8542`, `8542.31`).
    pub code: String,
    /// Its description in the nomenclature.
    pub description: &'a str,
}

/// Where a code sits: its section, chapter and, for longer codes, heading and subheading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification<'a> {
    /// The level of the code looked up.
    pub level: Level,
    /// The section (Roman numeral and title).
    pub section: Described<'a>,
    /// The chapter.
    pub chapter: Described<'a>,
    /// The heading, for four- and six-digit codes.
    pub heading: Option<Described<'a>>,
    /// The subheading, for six-digit codes.
    pub subheading: Option<Described<'a>>,
    /// The codes one level down (headings of a chapter, subheadings of a heading).
    pub children: Vec<Described<'a>>,
}

#[derive(Debug, Clone)]
struct Node {
    number: u32,
    description: Box<str>,
    /// Index into `Nomenclature::sections`.
    section: u8,
}

#[derive(Debug, Clone)]
struct Section {
    numeral: Box<str>,
    title: Box<str>,
}

/// The HS nomenclature; see the module documentation.
#[derive(Debug, Clone)]
pub struct Nomenclature {
    sections: Vec<Section>,
    /// Indexed by chapter number (0–99).
    chapters: Vec<Option<Node>>,
    headings: Vec<Node>,
    /// Heading number → index into `headings`, or [`NONE`].
    heading_index: Vec<u16>,
    subheadings: Vec<Node>,
    /// Heading number → index into `subheading_blocks`, or [`NONE`].
    heading_block: Vec<u16>,
    /// Per heading with subheadings: the last two digits → index into `subheadings`, or [`NONE`].
    subheading_blocks: Vec<[u16; 100]>,
}

/// One row of the nomenclature CSV, checked.
struct Row {
    line: u64,
    section: String,
    level: Level,
    number: u32,
    description: String,
}

impl Nomenclature {
    /// The bundled HS 2022 nomenclature.
    pub fn bundled() -> Result<Nomenclature, NomenclatureError> {
        Nomenclature::read(BUNDLED_HS.as_bytes(), BUNDLED_SECTIONS.as_bytes())
    }

    /// Reads a nomenclature from CSV: `hs` with the columns
    /// `section,hscode,description,parent,level` (the DataHub layout) and `sections` with
    /// `section,name`. Rows of level 5 and of chapters 98/99 are skipped; every other row must
    /// have a code of its level's length whose parent is listed before it.
    pub fn read(hs: impl Read, sections: impl Read) -> Result<Nomenclature, NomenclatureError> {
        let sections = read_sections(sections)?;
        let mut nomenclature = Nomenclature {
            sections,
            chapters: vec![None; 100],
            headings: Vec::new(),
            heading_index: vec![NONE; HEADING_SLOTS],
            subheadings: Vec::new(),
            heading_block: vec![NONE; HEADING_SLOTS],
            subheading_blocks: Vec::new(),
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(hs);
        let columns = crate::csv_util::Columns::new(
            "nomenclature",
            reader
                .headers()
                .map_err(|e| csv_error("nomenclature", &e))?,
            &["section", "hscode", "description", "level"],
            &["parent"],
        )
        .map_err(NomenclatureError::Csv)?;
        let mut record = csv::StringRecord::new();
        while reader
            .read_record(&mut record)
            .map_err(|e| csv_error("nomenclature", &e))?
        {
            if let Some(row) = parse_row(&columns, &record)? {
                nomenclature.insert(row)?;
            }
        }
        Ok(nomenclature)
    }

    fn insert(&mut self, row: Row) -> Result<(), NomenclatureError> {
        let bad = |reason: String| NomenclatureError::Row {
            line: row.line,
            reason,
        };
        let section = self
            .sections
            .iter()
            .position(|s| *s.numeral == *row.section)
            .ok_or_else(|| bad(format!("unknown section {:?}", row.section)))?;
        let node = Node {
            number: row.number,
            description: row.description.into_boxed_str(),
            section: u8::try_from(section).unwrap_or(u8::MAX),
        };
        match row.level {
            Level::Chapter => self.insert_chapter(node),
            Level::Heading => self.insert_heading(node),
            Level::Subheading => self.insert_subheading(node),
        }
        .map_err(bad)
    }

    fn insert_chapter(&mut self, node: Node) -> Result<(), String> {
        let slot = self
            .chapters
            .get_mut(node.number as usize)
            .ok_or("chapter out of range")?;
        if slot.is_some() {
            return Err(format!("chapter {:02} listed twice", node.number));
        }
        *slot = Some(node);
        Ok(())
    }

    fn insert_heading(&mut self, node: Node) -> Result<(), String> {
        let number = node.number as usize;
        if self.chapter_node(node.number / 100).is_none() {
            return Err(format!(
                "heading {:04}: its chapter is not listed before it",
                number
            ));
        }
        if self.heading_index.get(number) != Some(&NONE) {
            return Err(format!("heading {number:04} listed twice"));
        }
        self.heading_index[number] = to_u16(self.headings.len())?;
        self.headings.push(node);
        Ok(())
    }

    fn insert_subheading(&mut self, node: Node) -> Result<(), String> {
        let heading = (node.number / 100) as usize;
        if self.heading_index.get(heading).is_none_or(|&i| i == NONE) {
            return Err(format!(
                "subheading {}: its heading is not listed before it",
                CodeQuery::subheading_text(node.number)
            ));
        }
        if self.subheadings.len() >= SUBHEADINGS_MAX {
            return Err(format!("more than {SUBHEADINGS_MAX} subheadings"));
        }
        if self.heading_block[heading] == NONE {
            self.heading_block[heading] = to_u16(self.subheading_blocks.len())?;
            self.subheading_blocks.push([NONE; 100]);
        }
        let block = usize::from(self.heading_block[heading]);
        let slot = &mut self.subheading_blocks[block][(node.number % 100) as usize];
        if *slot != NONE {
            return Err(format!(
                "subheading {} listed twice",
                CodeQuery::subheading_text(node.number)
            ));
        }
        *slot = to_u16(self.subheadings.len())?;
        self.subheadings.push(node);
        Ok(())
    }

    /// The number of subheadings: the size of tables indexed by [`Subheading::index`].
    pub fn subheading_count(&self) -> usize {
        self.subheadings.len()
    }

    /// Every subheading, in the order of the source file.
    pub fn subheadings(&self) -> impl Iterator<Item = Subheading> + '_ {
        self.subheadings
            .iter()
            .enumerate()
            .filter_map(|(index, node)| self.make_subheading(index, node.number))
    }

    /// The subheading with this code, if the nomenclature has it. Two array reads.
    #[inline]
    pub fn find(&self, code: HsCode) -> Option<Subheading> {
        let number = code.subheading();
        let block = *self.heading_block.get((number / 100) as usize)?;
        let index = *self
            .subheading_blocks
            .get(usize::from(block))?
            .get((number % 100) as usize)?;
        (index != NONE).then_some(Subheading { index, code })
    }

    /// The subheading with this code, or an error that names the code and lists the
    /// subheadings its heading does have.
    pub fn subheading(&self, code: HsCode) -> Result<Subheading, NomenclatureError> {
        self.find(code)
            .ok_or_else(|| self.unknown(CodeQuery::subheading(code)))
    }

    /// Whether a code of any level exists.
    pub fn contains(&self, query: CodeQuery) -> bool {
        match query.level {
            Level::Chapter => self.chapter_node(query.number).is_some(),
            Level::Heading => self.heading_node(query.number).is_some(),
            Level::Subheading => HsCode::new(query.number)
                .ok()
                .and_then(|code| self.find(code))
                .is_some(),
        }
    }

    /// The description of a subheading.
    pub fn description(&self, subheading: Subheading) -> &str {
        self.subheadings
            .get(subheading.index())
            .map_or("", |node| &node.description)
    }

    /// Where a code of any level sits, with its descriptions and the codes one level down.
    pub fn classify(&self, query: CodeQuery) -> Result<Classification<'_>, NomenclatureError> {
        let chapter_number = match query.level {
            Level::Chapter => query.number,
            Level::Heading => query.number / 100,
            Level::Subheading => query.number / 10_000,
        };
        let chapter = self
            .chapter_node(chapter_number)
            .ok_or_else(|| self.unknown(query))?;
        let heading = match query.level {
            Level::Chapter => None,
            Level::Heading => Some(
                self.heading_node(query.number)
                    .ok_or_else(|| self.unknown(query))?,
            ),
            Level::Subheading => self.heading_node(query.number / 100),
        };
        let subheading = match query.level {
            Level::Subheading => Some(
                self.subheading_node(query.number)
                    .ok_or_else(|| self.unknown(query))?,
            ),
            _ => None,
        };
        let section = self.sections.get(usize::from(chapter.section));
        Ok(Classification {
            level: query.level,
            section: Described {
                code: section.map_or_else(String::new, |s| s.numeral.to_string()),
                description: section.map_or("", |s| &s.title),
            },
            chapter: describe(Level::Chapter, chapter),
            heading: heading.map(|node| describe(Level::Heading, node)),
            subheading: subheading.map(|node| describe(Level::Subheading, node)),
            children: self.children(query),
        })
    }

    /// The codes one level below `query`.
    pub fn children(&self, query: CodeQuery) -> Vec<Described<'_>> {
        match query.level {
            Level::Chapter => self
                .headings
                .iter()
                .filter(|node| node.number / 100 == query.number)
                .map(|node| describe(Level::Heading, node))
                .collect(),
            Level::Heading => self
                .subheadings
                .iter()
                .filter(|node| node.number / 100 == query.number)
                .map(|node| describe(Level::Subheading, node))
                .collect(),
            Level::Subheading => Vec::new(),
        }
    }

    /// The subheadings whose code lies in `low..=high` (both six digits).
    pub(crate) fn subheadings_between(
        &self,
        low: u32,
        high: u32,
    ) -> impl Iterator<Item = Subheading> + '_ {
        self.subheadings().filter(move |s| {
            let number = s.code().subheading();
            low <= number && number <= high
        })
    }

    fn unknown(&self, query: CodeQuery) -> NomenclatureError {
        let parent = match query.level {
            Level::Chapter => None,
            Level::Heading => Some(CodeQuery {
                level: Level::Chapter,
                number: query.number / 100,
            }),
            Level::Subheading => Some(CodeQuery {
                level: Level::Heading,
                number: query.number / 100,
            }),
        };
        let siblings = parent
            .filter(|&p| self.contains(p))
            .map(|p| {
                let children = self.children(p);
                let mut text: Vec<String> = children
                    .iter()
                    .take(SIBLINGS_SHOWN_MAX)
                    .map(|d| d.code.clone())
                    .collect();
                if children.len() > SIBLINGS_SHOWN_MAX {
                    text.push("…".to_owned());
                }
                format!("; {} {p} has {}", p.level.name(), text.join(", "))
            })
            .unwrap_or_default();
        NomenclatureError::Unknown {
            code: query.to_string(),
            level: query.level.name(),
            siblings,
        }
    }

    fn chapter_node(&self, number: u32) -> Option<&Node> {
        self.chapters.get(number as usize)?.as_ref()
    }

    fn heading_node(&self, number: u32) -> Option<&Node> {
        let index = *self.heading_index.get(number as usize)?;
        self.headings.get(usize::from(index))
    }

    fn subheading_node(&self, number: u32) -> Option<&Node> {
        let found = self.find(HsCode::new(number).ok()?)?;
        self.subheadings.get(found.index())
    }

    fn make_subheading(&self, index: usize, number: u32) -> Option<Subheading> {
        Some(Subheading {
            index: u16::try_from(index).ok()?,
            code: HsCode::new(number).ok()?,
        })
    }
}

impl CodeQuery {
    /// A query from a level and a number of that level's digits (not checked).
    pub(crate) fn new(level: Level, number: u32) -> CodeQuery {
        CodeQuery { level, number }
    }

    fn subheading_text(number: u32) -> String {
        CodeQuery {
            level: Level::Subheading,
            number,
        }
        .to_string()
    }
}

fn describe(level: Level, node: &Node) -> Described<'_> {
    Described {
        code: CodeQuery {
            level,
            number: node.number,
        }
        .to_string(),
        description: &node.description,
    }
}

fn to_u16(index: usize) -> Result<u16, String> {
    u16::try_from(index)
        .ok()
        .filter(|&i| i != NONE)
        .ok_or_else(|| "too many entries".to_owned())
}

fn csv_error(file: &'static str, error: &csv::Error) -> NomenclatureError {
    NomenclatureError::Csv(crate::csv_util::describe_csv_error(file, error))
}

/// Checks one nomenclature row; `None` for rows that are skipped (totals, chapters 98/99).
fn parse_row(
    columns: &crate::csv_util::Columns,
    record: &csv::StringRecord,
) -> Result<Option<Row>, NomenclatureError> {
    let line = record.position().map_or(0, csv::Position::line);
    let bad = |reason: String| NomenclatureError::Row { line, reason };
    let level_text = columns.get(record, "level");
    if level_text == "5" || columns.get(record, "hscode") == "TOTAL" {
        return Ok(None);
    }
    let code = columns.get(record, "hscode");
    let level = match level_text {
        "2" => Level::Chapter,
        "4" => Level::Heading,
        "6" => Level::Subheading,
        other => {
            return Err(bad(format!(
                "field level: {:?} is not 2, 4 or 6",
                crate::echo(other)
            )));
        }
    };
    if code.len() != level.digits() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!(
            "field hscode: {:?} is not a code of {} digits",
            crate::echo(code),
            level.digits()
        )));
    }
    let number: u32 = code
        .parse()
        .map_err(|_| bad("field hscode: not a number".to_owned()))?;
    let chapter = number / 10_u32.pow(level.digits() as u32 - 2);
    if chapter == 0 || chapter == 77 || chapter > 97 {
        return Ok(None);
    }
    let description = columns.get(record, "description").trim();
    if description.is_empty() || description.len() > DESCRIPTION_BYTES_MAX {
        return Err(bad(format!(
            "field description: must have 1 to {DESCRIPTION_BYTES_MAX} bytes"
        )));
    }
    Ok(Some(Row {
        line,
        section: columns.get(record, "section").trim().to_owned(),
        level,
        number,
        description: description.to_owned(),
    }))
}

fn read_sections(input: impl Read) -> Result<Vec<Section>, NomenclatureError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let columns = crate::csv_util::Columns::new(
        "sections",
        reader.headers().map_err(|e| csv_error("sections", &e))?,
        &["section", "name"],
        &[],
    )
    .map_err(NomenclatureError::Csv)?;
    let mut sections = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error("sections", &e))?
    {
        let line = record.position().map_or(0, csv::Position::line);
        let numeral = columns.get(&record, "section").trim();
        let title = columns.get(&record, "name").trim();
        if numeral.is_empty() || title.is_empty() || title.len() > DESCRIPTION_BYTES_MAX {
            return Err(NomenclatureError::Row {
                line,
                reason: "a section needs a numeral and a title".to_owned(),
            });
        }
        if sections.len() >= SECTIONS_MAX {
            return Err(NomenclatureError::Row {
                line,
                reason: format!("more than {SECTIONS_MAX} sections"),
            });
        }
        sections.push(Section {
            numeral: numeral.into(),
            title: title.into(),
        });
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_forms() {
        let parse = |s: &str| CodeQuery::parse(s).map(|q| (q.level(), q.number()));
        assert_eq!(parse("85").unwrap(), (Level::Chapter, 85));
        assert_eq!(parse("8542").unwrap(), (Level::Heading, 8542));
        assert_eq!(parse("85.42").unwrap(), (Level::Heading, 8542));
        assert_eq!(parse("854231").unwrap(), (Level::Subheading, 854_231));
        assert_eq!(parse("8542.31").unwrap(), (Level::Subheading, 854_231));
        assert_eq!(parse("8542 31").unwrap(), (Level::Subheading, 854_231));
        assert_eq!(parse("85.42.31").unwrap(), (Level::Subheading, 854_231));
        assert_eq!(parse("0101.21").unwrap(), (Level::Subheading, 10_121));
        for bad in [
            "",
            "8",
            "854",
            "85423",
            "8542311",
            "8542..31",
            ".8542",
            "8542.",
            "854.231",
            "85a2",
            "8542.31.00",
            "８５",
            " 85",
        ] {
            assert!(CodeQuery::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(CodeQuery::parse("010121").unwrap().to_string(), "0101.21");
        assert_eq!(CodeQuery::parse("01").unwrap().to_string(), "01");
    }
}
