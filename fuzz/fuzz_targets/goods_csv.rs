//! The CSV readers of goods lines and reference prices: every record read, checked and
//! priced, or refused with an error naming the line; never a panic.
#![no_main]

use std::sync::OnceLock;

use goods::{BandSettings, Checker, LineReader, Nomenclature, Policy, PriceHistory};
use libfuzzer_sys::fuzz_target;

fn checker() -> &'static Checker {
    static C: OnceLock<Checker> = OnceLock::new();
    C.get_or_init(|| {
        let nomenclature = Nomenclature::bundled().expect("bundled nomenclature");
        let policy = Policy::bundled(&nomenclature).expect("bundled policy");
        Checker::new(nomenclature, policy, None).expect("same nomenclature")
    })
}

const LINES_HEADER: &[u8] =
    b"id,hs_code,description,quantity,unit,value,currency,origin,destination\n";
const PRICES_HEADER: &[u8] = b"hs6,origin,destination,unit,unit_value_minor,currency,date\n";

fuzz_target!(|data: &[u8]| {
    let checker = checker();
    // As given, and behind a valid header so that the field checks are reached.
    for input in [data.to_vec(), [LINES_HEADER, data].concat()] {
        if let Ok(reader) = LineReader::new(&input[..], checker.nomenclature()) {
            let mut history = PriceHistory::new();
            for line in reader.flatten() {
                let decision = checker.check(&line);
                let _ = checker.reasons(&line, &decision);
                let _ = history.add_line(&line);
            }
            let _ = history.bands(BandSettings::default());
        }
    }
    let mut history = PriceHistory::new();
    if let Err(e) = history.read_csv(&[PRICES_HEADER, data].concat()[..], checker.nomenclature()) {
        assert!(!e.message.is_empty());
    }
    let _ = history.bands(BandSettings::default());
});
