//! No panic on any input: the CSV readers, the policy parser, code queries, the word matcher.

use goods::{CodeQuery, LineReader, Policy, PriceHistory};
use proptest::prelude::*;

use crate::support::{default_checker, nomenclature};

/// Bytes that look like CSV of goods lines often enough to reach the field checks.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let header =
        b"id,hs_code,description,quantity,unit,value,currency,origin,destination\n".to_vec();
    let field = prop_oneof![
        Just("100199".to_owned()),
        Just("8542.31".to_owned()),
        Just("kg".to_owned()),
        Just("EUR".to_owned()),
        Just("DE".to_owned()),
        "[0-9.]{0,8}",
        "[ -~]{0,12}",
        ".{0,6}",
    ];
    let row = prop::collection::vec(field, 0..11).prop_map(|fields| fields.join(","));
    (
        any::<bool>(),
        prop::collection::vec(row, 0..8),
        prop::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(move |(with_header, rows, noise)| {
            let mut bytes = if with_header {
                header.clone()
            } else {
                Vec::new()
            };
            bytes.extend(rows.join("\n").into_bytes());
            bytes.extend(noise);
            bytes
        })
}

/// The default policy with a few bytes replaced, cut or inserted.
fn mutated_policy() -> impl Strategy<Value = String> {
    let text = Policy::bundled_text().as_bytes().to_vec();
    let len = text.len();
    (
        prop::collection::vec((0..len, any::<u8>(), 0..3_u8), 1..6),
        0..=len,
    )
        .prop_map(move |(edits, cut)| {
            let mut bytes = text.clone();
            for (at, byte, kind) in edits {
                let at = at.min(bytes.len().saturating_sub(1));
                match kind {
                    0 => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            bytes.truncate(cut.max(len / 2));
            String::from_utf8_lossy(&bytes).into_owned()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn line_reader_never_panics(bytes in csv_like()) {
        if let Ok(reader) = LineReader::new(&bytes[..], nomenclature()) {
            for line in reader.flatten() {
                let checker = default_checker();
                let decision = checker.check(&line);
                let _ = checker.reasons(&line, &decision);
            }
        }
    }

    #[test]
    fn price_reader_never_panics(bytes in csv_like()) {
        let mut history = PriceHistory::new();
        let text = String::from_utf8_lossy(&bytes)
            .replacen("id,hs_code,description,quantity,unit,value,currency,origin,destination",
                      "hs6,origin,destination,unit,unit_value_minor,currency,date", 1);
        let _ = history.read_csv(text.as_bytes(), nomenclature());
        let _ = history.bands(goods::BandSettings::default());
    }

    #[test]
    fn policy_parser_never_panics(text in ".{0,200}") {
        let _ = Policy::parse(&text, nomenclature());
    }

    #[test]
    fn mutated_policy_never_panics(text in mutated_policy()) {
        if let Err(e) = Policy::parse(&text, nomenclature()) {
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn code_queries_never_panic(text in "[0-9. ]{0,9}|.{0,9}") {
        if let Ok(query) = CodeQuery::parse(&text) {
            let _ = nomenclature().classify(query);
        }
    }
}
