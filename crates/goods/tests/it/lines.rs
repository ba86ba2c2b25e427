//! The CSV of goods lines: columns by name, every bad field named with its line, and the
//! reader stops at the first error, after the lines before it.

use goods::{CsvError, Line, LineReader, RECORD_BYTES_MAX};

use crate::support::nomenclature;

const HEADER: &str = "id,hs_code,description,quantity,unit,value,currency,origin,destination\n";

fn read(text: &str) -> Vec<Result<Line, CsvError>> {
    match LineReader::new(text.as_bytes(), nomenclature()) {
        Ok(reader) => reader.collect(),
        Err(e) => vec![Err(e)],
    }
}

fn first_error(rows: &str) -> String {
    let results = read(&format!("{HEADER}{rows}"));
    let err = results.iter().find_map(|r| r.as_ref().err()).expect(rows);
    err.to_string()
}

#[test]
fn reads_lines() {
    let text = format!(
        "{HEADER}L1,100199,Wheat,\"1,000\",kg,1200.00,EUR,DE,IR\nL2,3004.90,\"Paracetamol, 500 mg\",12.5,KGM,99.9,EUR,,\n"
    );
    let results = read(&text);
    assert_eq!(results.len(), 1, "the reader stops at the first error");
    assert!(results[0].is_err(), "1,000 is not a number");
    let text = format!(
        "{HEADER}L1,100199,Wheat,1000,kg,1200.00,EUR,DE,IR\nL2,3004.90,\"Paracetamol, 500 mg\",12.5,KGM,99.9,EUR,,\n"
    );
    let lines: Vec<Line> = read(&text).into_iter().map(Result::unwrap).collect();
    assert_eq!(lines[0].id, "L1");
    assert_eq!(lines[0].goods.hs_code().to_string(), "1001.99");
    assert_eq!(lines[0].goods.value().amount_minor(), 120_000);
    assert_eq!(lines[0].origin.unwrap().as_str(), "DE");
    assert_eq!(lines[1].goods.description(), "Paracetamol, 500 mg");
    assert_eq!(lines[1].goods.value().to_string(), "EUR 99.90");
    assert_eq!(lines[1].origin, None);
}

#[test]
fn optional_columns_in_any_order_and_a_bom() {
    let text = "\u{feff}currency,value,unit,quantity,description,hs_code,id\nJPY,1200,u,3,Syringes,9018.31,a\n";
    let lines: Vec<Line> = read(text).into_iter().map(Result::unwrap).collect();
    assert_eq!(lines[0].goods.value().to_string(), "JPY 1200");
    assert_eq!(lines[0].destination, None);
}

#[test]
fn header_errors() {
    let err = first_error_of("id,hs_code,description,quantity,unit,value\n");
    assert_eq!(
        err,
        "lines line 1: header: missing column currency (the columns are id,hs_code,description,quantity,unit,value,currency,origin,destination)"
    );
    let err = first_error_of("id,hs,description,quantity,unit,value,currency\n");
    assert!(
        err.starts_with("lines line 1: header: unknown column \"hs\""),
        "{err}"
    );
    let err = first_error_of("id,id,hs_code,description,quantity,unit,value,currency\n");
    assert_eq!(err, "lines line 1: header: column id appears twice");
}

fn first_error_of(text: &str) -> String {
    read(text)
        .into_iter()
        .find_map(Result::err)
        .expect(text)
        .to_string()
}

#[test]
fn field_errors_name_line_and_field() {
    let good = "ok,100199,Wheat,1,kg,1.00,EUR,,\n";
    let cases = [
        (
            ",100199,Wheat,1,kg,1.00,EUR,,",
            "field id: must have 1 to 64 characters",
        ),
        (
            "x,10019,Wheat,1,kg,1.00,EUR,,",
            "field hs_code: invalid HS code \"10019\"",
        ),
        (
            "x,9801.00,Wheat,1,kg,1.00,EUR,,",
            "field hs_code: invalid HS code \"9801.00\": chapter 98 does not exist",
        ),
        (
            "x,854299,Chips,1,u,1.00,EUR,,",
            "field hs_code: HS code 8542.99 is not a subheading of HS 2022; heading 8542 has",
        ),
        (
            "x,100199,,1,kg,1.00,EUR,,",
            "field description: must not be empty",
        ),
        (
            "x,100199,Wheat,0,kg,1.00,EUR,,",
            "field quantity: invalid quantity 0: must be positive",
        ),
        (
            "x,100199,Wheat,1e3,kg,1.00,EUR,,",
            "field quantity: invalid quantity \"1e3\"",
        ),
        (
            "x,100199,Wheat,1,kilo,1.00,EUR,,",
            "field unit: unknown unit of measure \"kilo\"",
        ),
        (
            "x,100199,Wheat,1,kg,1.001,EUR,,",
            "field value: invalid amount \"1.001\": too many decimals for EUR",
        ),
        ("x,100199,Wheat,1,kg,0.00,EUR,,", "field value:"),
        ("x,100199,Wheat,1,kg,1.00,XYZ,,", "field currency:"),
        (
            "x,100199,Wheat,1,kg,1.00,EUR,DEU,IR",
            "field origin: invalid country code \"DEU\"",
        ),
        (
            "x,100199,Wheat,1,kg,1.00,EUR,DE,",
            "field destination: origin and destination are both given or both empty",
        ),
        (
            "x,100199,Wheat,1,kg,1.00,EUR",
            "7 fields, but the header has 9",
        ),
    ];
    for (row, expected) in cases {
        let err = first_error(&format!("{good}{row}\n{good}"));
        assert!(err.starts_with("lines line 3"), "{err}");
        assert!(err.contains(expected), "{err}\nexpected {expected}");
    }
}

#[test]
fn stops_after_the_first_error_keeping_what_came_before() {
    let text = format!(
        "{HEADER}a,100199,Wheat,1,kg,1.00,EUR,,\nb,bad,Wheat,1,kg,1.00,EUR,,\nc,100199,Wheat,1,kg,1.00,EUR,,\n"
    );
    let results = read(&text);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id, "a");
    let err = results[1].as_ref().unwrap_err();
    assert_eq!((err.line, err.field), (Some(3), Some("hs_code")));
}

#[test]
fn not_utf8_and_oversized_records() {
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"a,100199,Wh\xffeat,1,kg,1.00,EUR,,\n");
    let reader = LineReader::new(&bytes[..], nomenclature()).unwrap();
    let err = reader.into_iter().find_map(Result::err).unwrap();
    assert_eq!(err.to_string(), "lines line 2: field 3 is not valid UTF-8");
    let long = format!(
        "{HEADER}a,100199,{},1,kg,1.00,EUR,,\n",
        "w".repeat(3 * RECORD_BYTES_MAX as usize)
    );
    let err = first_error_of(&long);
    assert!(
        err.contains(&format!("a record is longer than {RECORD_BYTES_MAX} bytes")),
        "{err}"
    );
    let long_description = format!("{HEADER}a,100199,{},1,kg,1.00,EUR,,\n", "w".repeat(600));
    let err = first_error_of(&long_description);
    assert!(
        err.contains("field description: has 600 characters, more than the 512 allowed"),
        "{err}"
    );
}
