//! Bank files (camt.053/054, pain.002) from any bytes: read or refused, never a panic; what is
//! read has amounts within 18 digits and lines within the file; and the file cut before its
//! last closing tag is a truncation, never a partial report.
#![no_main]

use iso20022::read::{ReadErrorKind, read_bank_report, read_pain002};
use libfuzzer_sys::fuzz_target;

const AMOUNT_MINOR_MAX: i64 = 999_999_999_999_999_999;

/// The file cut before its last `</`, which must not read.
fn assert_cut_is_truncated<T>(
    data: &[u8],
    read: impl Fn(&[u8]) -> Result<T, iso20022::read::ReadError>,
) {
    if let Some(cut) = data.windows(2).rposition(|w| w == b"</") {
        match read(&data[..cut]) {
            Ok(_) => panic!("the file cut at byte {cut} was read"),
            Err(error) => assert_eq!(error.kind, ReadErrorKind::Truncated, "{error}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let lines = 1 + data.iter().filter(|&&b| b == b'\n').count() as u64;
    if let Ok(report) = read_bank_report(data) {
        for account in &report.accounts {
            assert!((1..=lines).contains(&account.line));
            for entry in &account.entries {
                assert!((1..=lines).contains(&entry.line));
                assert!((0..=AMOUNT_MINOR_MAX).contains(&entry.amount_minor));
                for transaction in &entry.transactions {
                    assert!((1..=lines).contains(&transaction.line));
                    if let Some(minor) = transaction.amount_minor {
                        assert!((0..=AMOUNT_MINOR_MAX).contains(&minor));
                    }
                }
            }
        }
        assert_cut_is_truncated(data, read_bank_report);
    }
    if let Ok(report) = read_pain002(data) {
        for payment in &report.payments {
            assert!((1..=lines).contains(&payment.line));
            if let Some(minor) = payment.amount_minor {
                assert!((0..=AMOUNT_MINOR_MAX).contains(&minor));
            }
        }
        assert_cut_is_truncated(data, read_pain002);
    }
});
