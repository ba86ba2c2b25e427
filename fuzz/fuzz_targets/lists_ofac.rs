//! OFAC legacy CSV sets: any bytes as the main file and as an alt.csv companion; an error or a list, never a panic.
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
    let _ = detect("sdn.csv", data);
    let (main, alt) = data.split_at(data.len() / 2);
    let input = |name, bytes| screening::lists::Input::new(name, bytes);
    let kind = screening::lists::ofac::OfacKind::Sdn;
    check(
        screening::lists::ofac::parse(kind, input("sdn.csv", data), None, None, None),
        "sdn.csv",
    );
    let result = screening::lists::ofac::parse(
        kind,
        input("sdn.csv", main),
        Some(input("sdn.csv", alt)),
        None,
        None,
    );
    check(result, "sdn.csv");
});
