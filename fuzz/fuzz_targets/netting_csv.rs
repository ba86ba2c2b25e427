//! The clearing-file readers on arbitrary bytes: no panic, and whatever parses also solves and
//! checks (set-off with its optimality certificate, INSTEX with every invariant).
#![no_main]

use libfuzzer_sys::fuzz_target;
use netting::check::check_set_off;
use netting::csv::{read_claims, read_obligations};

fuzz_target!(|data: &[u8]| {
    let mut obligations = b"id,debtor,creditor,amount\n".to_vec();
    obligations.extend_from_slice(data);
    if let Ok(file) = read_obligations(obligations.as_slice()) {
        let result = netting::setoff::set_off(&file.network).expect("solve");
        let verdict = check_set_off(&file.network, &result.cleared, Some(&result.potentials));
        assert!(
            verdict.is_ok() && verdict.optimal,
            "{:?}",
            verdict.violations
        );
    }
    let mut claims =
        b"id,debtor,debtor_zone,creditor,creditor_zone,amount,currency,priority,submitted_at\n"
            .to_vec();
    claims.extend_from_slice(data);
    if let Ok(file) = read_claims(claims.as_slice(), None) {
        for set_off_domestic in [false, true] {
            let options = netting::instex::Options { set_off_domestic };
            let settlement = netting::instex::settle(&file.book, options).expect("settle");
            let violations = netting::instex::check_settlement(&file.book, &settlement);
            assert!(violations.is_empty(), "{violations:?}");
        }
    }
});
