//! What every list parser promises, checked by each `lists_*` target: an error names its file;
//! a list has entities, each with an id under the list's source and a primary name first.

use screening::lists::{ParseError, ParsedList};

pub fn check(result: Result<ParsedList, ParseError>, file: &str) {
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
