//! Sanctions-list parsers: every official format into the one entity model of [`crate::entity`].
//!
//! Each parser reads an [`std::io::Read`], does no I/O of its own and never panics. A list is
//! all or nothing: a truncated or malformed file is a [`ParseError`] naming the file and the line
//! (text formats) or byte offset (XML), never a shorter list, because an update that silently
//! drops entries would let listed parties through.
//!
//! What truncation can be seen, per format:
//! - XML (UN, EU): always; the root element must be closed.
//! - OFAC legacy CSV: the main file (sdn.csv, cons_prim.csv) and alt/add files must end with
//!   OFAC's 0x1A end-of-file marker, so any cut is seen; sdn_comments.csv copies are seen
//!   without it, so there a cut exactly between two rows is not seen.
//! - The other CSV/TSV layouts (UK, CSL, DPL): a cut inside a row is seen (field count, open
//!   quote, or a last row without its newline whose last field is unquoted); a cut exactly
//!   between two rows cannot be told from a shorter file.
//! - FollowTheMoney JSON lines: a cut inside a line is seen; one between lines is not.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read};

use crate::entity::Entity;

mod common;
pub mod countries;
pub mod csl;
mod delimited;
pub mod dpl;
pub mod eu;
pub mod ftm;
pub mod ofac;
mod ofac_remarks;
pub mod uk;
pub mod un;
mod xml;

/// Largest list file accepted. The biggest official file today is the UK list CSV (~50 MB);
/// four times that leaves room to grow while a runaway download is still stopped.
pub const FILE_BYTES_MAX: u64 = 256 * 1024 * 1024;
/// Most entities in one list: the largest official list has ~20,000.
pub const ENTITIES_MAX: usize = 1_000_000;
/// Longest single name accepted from a list, in characters (the longest listed today is ~300).
pub const NAME_CHARS_MAX: usize = 1_000;
/// Most names of one entity (OFAC's most aliased entries have ~100).
pub const NAMES_PER_ENTITY_MAX: usize = 5_000;
/// Largest single CSV field or XML text, in bytes: bounds memory on a file without delimiters.
pub const FIELD_BYTES_MAX: usize = 1024 * 1024;
/// Most files in one [`parse_files`] call.
pub const FILES_MAX: usize = 256;

/// The list formats understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListFormat {
    /// OFAC Specially Designated Nationals, legacy CSV set (sdn/alt/add/sdn_comments).
    OfacSdn,
    /// OFAC consolidated non-SDN lists, legacy CSV set (cons_prim/alt/add/comments).
    OfacCons,
    /// UN Security Council consolidated list XML.
    UnSc,
    /// EU Financial Sanctions Files XML 1.1.
    EuFsf,
    /// UK: the FCDO "UK Sanctions List" CSV or the OFSI Consolidated List CSV.
    UkHmt,
    /// US trade.gov Consolidated Screening List CSV.
    UsCsl,
    /// US BIS Denied Persons List, tab-separated.
    UsBisDpl,
    /// FollowTheMoney entities, one JSON object a line (OpenSanctions exports).
    FollowTheMoney,
}

impl ListFormat {
    /// The source name, the part of every entity id before the colon. For FollowTheMoney the
    /// dataset name is only known from the file: [`ParsedList::source`] has it; this is the
    /// fallback.
    pub fn source(self) -> &'static str {
        match self {
            ListFormat::OfacSdn => "us_ofac_sdn",
            ListFormat::OfacCons => "us_ofac_cons",
            ListFormat::UnSc => "un_sc",
            ListFormat::EuFsf => "eu_fsf",
            ListFormat::UkHmt => "uk_hmt",
            ListFormat::UsCsl => "us_csl",
            ListFormat::UsBisDpl => "us_bis_dpl",
            ListFormat::FollowTheMoney => "ftm",
        }
    }
}

/// One parsed list.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedList {
    pub format: ListFormat,
    /// The source name, the prefix of every entity id (`us_ofac_sdn`, or an FtM dataset name).
    pub source: String,
    /// The list's date, ISO `YYYY-MM-DD`, when the file says it (or the caller supplied it).
    pub date: Option<String>,
    pub entities: Vec<Entity>,
    /// The names of the files it was parsed from (set by [`parse_files`]; an OFAC list has its
    /// companions too).
    pub files: Vec<String>,
}

/// Where in a file a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// 1-based line number (text formats).
    Line(u64),
    /// 0-based byte offset (XML).
    Byte(u64),
    /// The file as a whole (for example: it holds no entity at all).
    Unknown,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(line) => write!(f, " line {line}"),
            Position::Byte(byte) => write!(f, " byte {byte}"),
            Position::Unknown => Ok(()),
        }
    }
}

/// A list file that cannot be used, and where it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{position}: {message}")]
pub struct ParseError {
    /// The file name as given by the caller.
    pub file: String,
    pub position: Position,
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(file: &str, position: Position, message: impl Into<String>) -> Self {
        ParseError {
            file: file.to_owned(),
            position,
            message: message.into(),
        }
    }
}

/// One file handed to [`parse_files`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The file name (a path is fine): used to recognise OFAC companion files and in errors.
    pub name: String,
    pub bytes: Vec<u8>,
}

impl InputFile {
    /// Reads a list file from `reader` (a file, a download), stopping with an error naming the
    /// file as soon as more than [`FILE_BYTES_MAX`] bytes came through: `/dev/zero` or a runaway
    /// download is refused after the limit, never buffered until memory runs out.
    pub fn read(name: &str, reader: impl Read) -> Result<InputFile, ParseError> {
        Self::read_at_most(name, reader, FILE_BYTES_MAX)
    }

    fn read_at_most(name: &str, reader: impl Read, limit: u64) -> Result<InputFile, ParseError> {
        let mut bytes = Vec::new();
        reader
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| ParseError::new(name, Position::Unknown, format!("reading: {e}")))?;
        let input = InputFile {
            name: name.to_owned(),
            bytes,
        };
        input.check_size(limit)?;
        Ok(input)
    }

    /// The file is within `limit` bytes.
    fn check_size(&self, limit: u64) -> Result<(), ParseError> {
        if self.bytes.len() as u64 > limit {
            return Err(ParseError::new(
                &self.name,
                Position::Unknown,
                format!("{TOO_LARGE} of {limit} bytes"),
            ));
        }
        Ok(())
    }
}

/// A named reader, for the OFAC set whose four files each need a name in errors.
pub struct Input<'a> {
    pub name: &'a str,
    pub reader: Box<dyn Read + 'a>,
}

impl<'a> Input<'a> {
    pub fn new(name: &'a str, reader: impl Read + 'a) -> Self {
        Input {
            name,
            reader: Box::new(reader),
        }
    }
}

impl fmt::Debug for Input<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Input")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Recognises a list file by its content (`head`: its first few KB), and by its name where the
/// content cannot tell (OFAC SDN and non-SDN files share one layout).
pub fn detect(file_name: &str, head: &[u8]) -> Option<ListFormat> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        if text.contains("CONSOLIDATED_LIST") {
            return Some(ListFormat::UnSc);
        }
        if text.contains("fpi/fsd/export") || text.contains("<export") || text.contains(":export") {
            return Some(ListFormat::EuFsf);
        }
        return None;
    }
    if text.starts_with('{') {
        return Some(ListFormat::FollowTheMoney);
    }
    let first_line = text.lines().next().unwrap_or("");
    if first_line.starts_with("_id,source,entity_number") {
        return Some(ListFormat::UsCsl);
    }
    if first_line.contains("Street_Address") && first_line.contains('\t') {
        return Some(ListFormat::UsBisDpl);
    }
    if uk::looks_like(text) {
        return Some(ListFormat::UkHmt);
    }
    ofac::classify(file_name, head).map(|(kind, _)| kind.format())
}

/// Parses a batch of files: OFAC main files with their alt/add/comments companions (matched by
/// name, see [`ofac::group_key`]), every other file alone. An OFAC list date is taken from a
/// `YYYY-MM-DD` in the main file's name, since the legacy CSV does not carry one.
pub fn parse_files(files: Vec<InputFile>) -> Result<Vec<ParsedList>, ParseError> {
    if files.len() > FILES_MAX {
        return Err(ParseError::new(
            "(files)",
            Position::Unknown,
            format!(
                "{} files given; at most {FILES_MAX} are accepted at once",
                files.len()
            ),
        ));
    }
    for file in &files {
        file.check_size(FILE_BYTES_MAX)?;
    }
    let mut lists = Vec::new();
    let mut ofac_sets: HashMap<(ofac::OfacKind, String), ofac::SetFiles> = HashMap::new();
    let mut ofac_order = Vec::new();
    for file in &files {
        match detect(&file.name, head(&file.bytes)) {
            Some(ListFormat::OfacSdn | ListFormat::OfacCons) => {
                let Some((kind, part)) = ofac::classify(&file.name, head(&file.bytes)) else {
                    continue;
                };
                let key = (kind, ofac::group_key(&file.name, kind, part));
                let set = ofac_sets.entry(key.clone()).or_insert_with(|| {
                    ofac_order.push(key);
                    ofac::SetFiles::default()
                });
                set.add(part, file)?;
            }
            Some(format) => {
                let mut list = parse_one(format, file)?;
                list.files = vec![file.name.clone()];
                lists.push(list);
            }
            None => {
                return Err(ParseError::new(
                    &file.name,
                    Position::Unknown,
                    "not a recognised sanctions-list format",
                ));
            }
        }
    }
    for key in ofac_order {
        if let Some(set) = ofac_sets.remove(&key) {
            let names = set.names();
            let mut list = set.parse(key.0)?;
            list.files = names;
            lists.push(list);
        }
    }
    Ok(lists)
}

/// The first bytes of a file, enough for [`detect`].
fn head(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len().min(8 * 1024)]
}

fn parse_one(format: ListFormat, file: &InputFile) -> Result<ParsedList, ParseError> {
    let name = file.name.as_str();
    let bytes = file.bytes.as_slice();
    match format {
        ListFormat::UnSc => un::parse(name, bytes),
        ListFormat::EuFsf => eu::parse(name, bytes),
        ListFormat::UkHmt => uk::parse(name, bytes),
        ListFormat::UsCsl => csl::parse(name, bytes),
        ListFormat::UsBisDpl => dpl::parse(name, bytes),
        ListFormat::FollowTheMoney => ftm::parse(name, bytes),
        ListFormat::OfacSdn | ListFormat::OfacCons => Err(ParseError::new(
            name,
            Position::Unknown,
            "an OFAC file is parsed with its set",
        )),
    }
}

/// The list date in a file name (`ofac_sdn_2024-05-03.csv` → `2024-05-03`), if any.
pub(crate) fn date_in_name(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|start| {
        let candidate = name.get(start..start + 10)?;
        let shape = candidate.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
        let date = common::iso_date(candidate).filter(|_| shape)?;
        date.day.map(|_| candidate.to_owned())
    })
}

/// The lists shipped with the product, byte for byte (see data/lists/SOURCES.md): name and
/// content, for `lists status` (sha256, sizes) and [`bundled`].
pub fn bundled_files() -> Vec<(&'static str, &'static [u8])> {
    macro_rules! file {
        ($name:literal) => {
            (
                $name,
                include_bytes!(concat!("../../data/lists/", $name)).as_slice(),
            )
        };
    }
    vec![
        file!("ofac_sdn_2024-05-03.csv"),
        file!("ofac_cons_prim.csv"),
        file!("ofac_cons_alt.csv"),
        file!("ofac_cons_add.csv"),
        file!("ofac_cons_comments.csv"),
        file!("UN_consolidated.xml"),
        file!("eu_fsf_sample.xml"),
        file!("us_csl_2023.csv"),
        file!("us_bis_dpl_2023.txt"),
    ]
}

/// The bundled CSL snapshot was cut off upstream in the middle of its last row (a row for OFAC
/// 11476, which the SDN list has anyway). The strict parser rightly refuses the file as it is, so
/// the bundle loads it up to its last complete row; an imported copy gets no such allowance.
const CSL_BUNDLED_TRUNCATED: &str = "us_csl_2023.csv";

/// Parses every bundled list (offline default).
pub fn bundled() -> Result<Vec<ParsedList>, ParseError> {
    parse_files(bundled_inputs())
}

/// The bundled files as [`parse_files`] takes them (the cut-off CSL snapshot up to its last
/// complete row): what a new list version starts from when nothing was imported yet.
pub fn bundled_inputs() -> Vec<InputFile> {
    bundled_files()
        .into_iter()
        .map(|(name, bytes)| {
            let bytes = if name == CSL_BUNDLED_TRUNCATED {
                up_to_last_newline(bytes)
            } else {
                bytes
            };
            InputFile {
                name: name.to_owned(),
                bytes: bytes.to_vec(),
            }
        })
        .collect()
}

fn up_to_last_newline(bytes: &[u8]) -> &[u8] {
    match bytes.iter().rposition(|&b| b == b'\n') {
        Some(end) => &bytes[..=end],
        None => bytes,
    }
}

/// A reader that fails once more than [`FILE_BYTES_MAX`] bytes have come through, so that no
/// parser buffers an endless stream.
pub(crate) struct Capped<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Capped<R> {
    pub(crate) fn new(inner: R) -> Self {
        Capped {
            inner,
            remaining: FILE_BYTES_MAX,
        }
    }
}

pub(crate) const TOO_LARGE: &str = "the file is larger than the limit";

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(format!(
                    "{TOO_LARGE} of {FILE_BYTES_MAX} bytes"
                ))),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let read = self.inner.read(&mut buf[..want])?;
        self.remaining -= read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_stream_stops_at_the_limit_naming_the_file() {
        let error = InputFile::read_at_most("zero", io::repeat(0), 4096).unwrap_err();
        assert_eq!(error.file, "zero");
        assert!(
            error
                .message
                .contains("larger than the limit of 4096 bytes")
        );
        let ok = InputFile::read_at_most("small", &b"abc"[..], 3).unwrap();
        assert_eq!(ok.bytes, b"abc");
    }

    #[test]
    fn parse_files_refuses_a_file_over_the_limit() {
        let file = InputFile {
            name: "huge.csv".into(),
            bytes: Vec::new(),
        };
        assert!(file.check_size(FILE_BYTES_MAX).is_ok());
        let error = InputFile {
            name: "huge.csv".into(),
            bytes: vec![b'a'; 11],
        }
        .check_size(10)
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "huge.csv: the file is larger than the limit of 10 bytes"
        );
    }
}
