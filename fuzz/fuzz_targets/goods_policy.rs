//! Policy files: parsed and compiled or refused with an error, never a panic; an error with a
//! line also has a column.
#![no_main]

use std::sync::OnceLock;

use goods::{Nomenclature, Policy};
use libfuzzer_sys::fuzz_target;

fn nomenclature() -> &'static Nomenclature {
    static N: OnceLock<Nomenclature> = OnceLock::new();
    N.get_or_init(|| Nomenclature::bundled().expect("bundled nomenclature"))
}

fuzz_target!(|text: &str| {
    match Policy::parse(text, nomenclature()) {
        Ok(policy) => {
            for subheading in nomenclature().subheadings().take(64) {
                let _ = policy.ruling(policy.entry(subheading).rule);
            }
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            assert_eq!(e.line.is_some(), e.column.is_some());
        }
    }
});
