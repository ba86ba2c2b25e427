//! Text a user types for money, HS codes, dates and ids: parsed or refused, never a panic, and
//! what parses prints back to text that parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::{Date, HsCode, Money, ParticipantId};

fuzz_target!(|text: &str| {
    for currency in ["EUR", "JPY", "BHD"] {
        if let Ok(m) = Money::parse(text, currency) {
            assert_eq!(
                Money::parse(&m.display_amount().to_string(), currency).ok(),
                Some(m)
            );
        }
    }
    if let Ok(m) = text.parse::<Money>() {
        assert_eq!(m.to_string().parse::<Money>().ok(), Some(m));
    }
    if let Ok(h) = text.parse::<HsCode>() {
        assert_eq!(h.to_string().parse::<HsCode>().ok(), Some(h));
    }
    if let Ok(d) = text.parse::<Date>() {
        assert_eq!(d.to_string().parse::<Date>().ok(), Some(d));
    }
    let _ = text.parse::<ParticipantId>();
});
