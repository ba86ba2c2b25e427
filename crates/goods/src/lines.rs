//! Goods lines to check, read from CSV:
//! `id,hs_code,description,quantity,unit,value,currency[,origin,destination]`.
//!
//! `value` is the line's total invoice value as a decimal string in `currency` (at most the
//! currency's decimals); `unit` is a UN/CEFACT code or a WCO short form (see
//! [`crate::units::parse_unit`]); `origin` and `destination` are ISO 3166 alpha-2 codes, both
//! given or both empty. Each bad field is an error naming the line of the file and the field;
//! the reader stops at the first one.

use std::io::Read;

use model::{CountryCode, GoodsLine, GoodsLineInput, HsCode, ID_LEN_MAX, Money, Quantity};

use crate::csv_util::{Bounded, Columns, RecordStart, describe_csv_error};
use crate::error::CsvError;
use crate::nomenclature::{Nomenclature, Subheading};
use crate::units::parse_unit;

/// The columns, required first.
const REQUIRED: [&str; 7] = [
    "id",
    "hs_code",
    "description",
    "quantity",
    "unit",
    "value",
    "currency",
];
const OPTIONAL: [&str; 2] = ["origin", "destination"];

/// One goods line, checked field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The caller's id for the line: 1 to [`ID_LEN_MAX`] characters, no control characters.
    pub id: String,
    /// The subheading, known to the nomenclature the line was read with.
    pub subheading: Subheading,
    /// Code, description, quantity and value, validated by the model.
    pub goods: GoodsLine,
    /// Country of origin, if given.
    pub origin: Option<CountryCode>,
    /// Country of destination, if given.
    pub destination: Option<CountryCode>,
}

/// The text fields of a line, before checking.
#[derive(Debug, Clone, Copy, Default)]
pub struct LineFields<'a> {
    /// `id`.
    pub id: &'a str,
    /// `hs_code`: `854231`, `8542.31` or `8542 31`.
    pub hs_code: &'a str,
    /// `description`.
    pub description: &'a str,
    /// `quantity`: a positive decimal.
    pub quantity: &'a str,
    /// `unit`.
    pub unit: &'a str,
    /// `value`: the total, a decimal.
    pub value: &'a str,
    /// `currency`: ISO 4217.
    pub currency: &'a str,
    /// `origin`, possibly empty.
    pub origin: &'a str,
    /// `destination`, possibly empty.
    pub destination: &'a str,
}

/// A bad field: its name and what is wrong.
pub type FieldError = (&'static str, String);

impl Line {
    /// Checks the fields of one line against `nomenclature`.
    pub fn parse(fields: &LineFields<'_>, nomenclature: &Nomenclature) -> Result<Line, FieldError> {
        let id = check_id(fields.id).map_err(|m| ("id", m))?;
        let code = parse_code(fields.hs_code.trim()).map_err(|e| ("hs_code", e.to_string()))?;
        let subheading = nomenclature
            .subheading(code)
            .map_err(|e| ("hs_code", e.to_string()))?;
        let unit = parse_unit(fields.unit.trim()).map_err(|e| ("unit", e.to_string()))?;
        let quantity = Quantity::parse(fields.quantity.trim(), unit.code())
            .map_err(|e| ("quantity", e.to_string()))?;
        let currency = model::currency::from_code(fields.currency.trim())
            .map_err(|e| ("currency", e.to_string()))?;
        let value =
            Money::parse_in(fields.value.trim(), currency).map_err(|e| ("value", e.to_string()))?;
        let goods = GoodsLine::new(GoodsLineInput {
            hs_code: code,
            description: fields.description.to_owned(),
            quantity,
            value,
        })
        .map_err(|e| (goods_field(e.field()), e.violation().to_string()))?;
        let origin = country(fields.origin).map_err(|m| ("origin", m))?;
        let destination = country(fields.destination).map_err(|m| ("destination", m))?;
        if origin.is_some() != destination.is_some() {
            let field = if origin.is_some() {
                "destination"
            } else {
                "origin"
            };
            return Err((
                field,
                "origin and destination are both given or both empty".to_owned(),
            ));
        }
        Ok(Line {
            id,
            subheading,
            goods,
            origin,
            destination,
        })
    }
}

/// Parses a six-digit code without allocating for the common forms (`854231`, `8542.31`);
/// anything else goes through [`HsCode`]'s parser, for its error message.
fn parse_code(text: &str) -> Result<HsCode, model::HsCodeError> {
    let bytes = text.as_bytes();
    let mut digits = [0_u8; 6];
    let plain = match bytes.len() {
        6 => {
            digits.copy_from_slice(bytes);
            true
        }
        7 if bytes[4] == b'.' || bytes[4] == b' ' => {
            digits[..4].copy_from_slice(&bytes[..4]);
            digits[4..].copy_from_slice(&bytes[5..]);
            true
        }
        _ => false,
    };
    if !plain || !digits.iter().all(u8::is_ascii_digit) {
        return text.parse();
    }
    let number = digits
        .iter()
        .fold(0_u32, |n, &b| n * 10 + u32::from(b - b'0'));
    HsCode::new(number).or_else(|_| text.parse())
}

/// The CSV column for a field the model rejected.
fn goods_field(model_field: &str) -> &'static str {
    match model_field {
        "description" => "description",
        "quantity" => "quantity",
        "hs_code" => "hs_code",
        _ => "value",
    }
}

fn check_id(text: &str) -> Result<String, String> {
    let id = text.trim();
    let len = id.chars().count();
    if len == 0 || len > ID_LEN_MAX {
        return Err(format!("must have 1 to {ID_LEN_MAX} characters"));
    }
    if id.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(id.to_owned())
}

fn country(text: &str) -> Result<Option<CountryCode>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    CountryCode::new(text).map(Some).map_err(|e| e.to_string())
}

/// Reads goods lines from CSV; an iterator of lines or errors that ends after the first error.
#[derive(Debug)]
pub struct LineReader<'n, R: Read> {
    reader: csv::Reader<Bounded<R>>,
    record_start: RecordStart,
    /// Position of each column of [`REQUIRED`] then [`OPTIONAL`], if present.
    positions: [Option<usize>; 9],
    nomenclature: &'n Nomenclature,
    record: csv::StringRecord,
    failed: bool,
}

impl<'n, R: Read> LineReader<'n, R> {
    /// Reads the header; fails if a column is missing, unknown or repeated.
    pub fn new(input: R, nomenclature: &'n Nomenclature) -> Result<LineReader<'n, R>, CsvError> {
        let (bounded, record_start) = Bounded::new(input);
        let mut reader = csv::ReaderBuilder::new().from_reader(bounded);
        let header = reader
            .headers()
            .map_err(|e| describe_csv_error("lines", &e))?;
        let columns = Columns::new("lines", header, &REQUIRED, &OPTIONAL)?;
        let mut positions = [None; 9];
        for (slot, name) in positions.iter_mut().zip(REQUIRED.iter().chain(&OPTIONAL)) {
            *slot = columns.position(name);
        }
        Ok(LineReader {
            reader,
            record_start,
            positions,
            nomenclature,
            record: csv::StringRecord::new(),
            failed: false,
        })
    }

    /// The next line, `None` at the end of the input or after an error.
    pub fn next_line(&mut self) -> Option<Result<Line, CsvError>> {
        if self.failed {
            return None;
        }
        let result = self.read_one();
        self.failed = matches!(result, Some(Err(_)));
        result
    }

    fn read_one(&mut self) -> Option<Result<Line, CsvError>> {
        self.record_start.set(self.reader.position().byte());
        match self.reader.read_record(&mut self.record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => return Some(Err(describe_csv_error("lines", &e))),
        }
        let field = |i: usize| {
            self.positions[i]
                .and_then(|p| self.record.get(p))
                .unwrap_or("")
        };
        let fields = LineFields {
            id: field(0),
            hs_code: field(1),
            description: field(2),
            quantity: field(3),
            unit: field(4),
            value: field(5),
            currency: field(6),
            origin: field(7),
            destination: field(8),
        };
        let line = self.record.position().map(csv::Position::line);
        Some(
            Line::parse(&fields, self.nomenclature).map_err(|(field, message)| CsvError {
                file: "lines",
                line,
                field: Some(field),
                message,
            }),
        )
    }
}

impl<R: Read> Iterator for LineReader<'_, R> {
    type Item = Result<Line, CsvError>;

    fn next(&mut self) -> Option<Result<Line, CsvError>> {
        self.next_line()
    }
}
