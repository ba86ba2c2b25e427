//! Helpers of the reader tests: schema validation with xmllint, lines.

use std::fmt::Debug;
use std::io::{ErrorKind, Write};
use std::process::{Command, Stdio};

use iso20022::read::ReadError;
use model::{Currency, Date};

/// Validates `xml` against the shared data's `iso20022/<schema>` with xmllint; fails (never
/// skips) when the schema is missing or xmllint is not installed.
pub fn assert_schema_valid(xml: &str, schema: &str) {
    let xsd = test_support::shared_data(format!("iso20022/{schema}"));
    let spawned = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "xmllint is missing: install libxml2-utils (apt-get install libxml2-utils) so that \
             the fixtures can be validated against their schemas"
        ),
        Err(e) => panic!("xmllint did not start: {e}"),
    };
    child
        .stdin
        .take()
        .expect("xmllint stdin")
        .write_all(xml.as_bytes())
        .expect("write to xmllint");
    let output = child.wait_with_output().expect("xmllint output");
    assert!(
        output.status.success(),
        "the fixture is not valid against {schema}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The line (from 1) of the `n`-th (from 0) occurrence of `needle` in `text`.
pub fn line_of(text: &str, needle: &str, n: usize) -> u64 {
    let (offset, _) = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("{needle:?} occurs fewer than {} times", n + 1));
    1 + text[..offset].matches('\n').count() as u64
}

/// The error of a result that must be one.
pub fn error_of<T: Debug>(result: Result<T, ReadError>) -> ReadError {
    match result {
        Ok(report) => panic!("expected an error, read {report:?}"),
        Err(error) => error,
    }
}

pub fn currency(code: &str) -> Currency {
    model::currency::from_code(code).expect("currency")
}

pub fn date(text: &str) -> Date {
    text.parse().expect("date")
}

pub fn utc(text: &str) -> u64 {
    model::calendar::parse_utc(text).expect("UTC instant")
}

pub fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

pub fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
