//! US Consolidated Screening List CSV and BIS Denied Persons TSV: an error or a list, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use screening::lists::{ParseError, ParsedList, detect};

/// What every parser promises: an error names its file, a list has named entities under its source.
fn check(result: Result<ParsedList, ParseError>, file: &str) {
    match result {
        Err(error) => assert_eq!(error.file, file),
        Ok(list) => {
            assert!(!list.entities.is_empty());
            for entity in &list.entities {
                assert!(entity.id.starts_with(&format!("{}:", list.source)));
                assert!(!entity.names.is_empty() && entity.names[0].primary);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = detect("list", data);
    check(screening::lists::csl::parse("csl.csv", data), "csl.csv");
    check(screening::lists::dpl::parse("dpl.txt", data), "dpl.txt");
});
