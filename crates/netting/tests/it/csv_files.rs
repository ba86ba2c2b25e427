//! The CSV readers: errors name the line and the field; ids follow the model's rule.

use netting::csv::{ReadError, read_claims, read_obligations, write_cleared};
use proptest::prelude::*;

fn obligations_error(text: &str) -> String {
    match read_obligations(text.as_bytes()) {
        Ok(_) => panic!("{text:?} should be rejected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_obligation_rows_name_their_line() {
    let h = "id,debtor,creditor,amount\n";
    let cases = [
        ("1,a,b,0\n", "line 2: field amount: \"0\" is not positive"),
        ("1,a,b,-4\n", "line 2: field amount: \"-4\" is not positive"),
        (
            "1,a,b,5\n2,c,c,5\n",
            "line 3: debtor and creditor are the same",
        ),
        (
            "1,a,b,5\n\n1,c,d,5\n",
            "line 4: duplicate id \"1\", first used on line 2",
        ),
        ("1,a,b\n", "line 2: malformed row"),
        ("1,a,b,5,6\n", "line 2: malformed row"),
        ("1,a b,c,5\n", "line 2: field debtor"),
        ("1,a,b,x\n", "line 2: field amount"),
        ("1,a,b,9223372036854775808\n", "line 2: field amount"),
    ];
    for (rows, expected) in cases {
        let message = obligations_error(&format!("{h}{rows}"));
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
    assert!(obligations_error("").contains("line 1: the input is empty"));
    assert!(obligations_error("id,from,to,amount\n").contains("line 1: expected the header"));
    let long = format!("{h}1,a,b,{}\n", "9".repeat(10_000));
    assert!(obligations_error(&long).contains("line 2: longer than"));
}

#[test]
fn blank_lines_and_crlf_are_accepted_and_lines_stay_right() {
    let text = "id,debtor,creditor,amount\r\n1,a,b,5\r\n\r\n2,b,a,3\r\n";
    let file = read_obligations(text.as_bytes()).unwrap();
    assert_eq!(file.network.obligations().len(), 2);
    assert_eq!(file.line_of(0), 2);
    assert_eq!(file.line_of(1), 4);
    let mut out = Vec::new();
    write_cleared(&mut out, &file, &[3, 3]).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "id,cleared\n1,3\n2,3\n");
}

#[test]
fn bad_claims_name_their_line_and_field() {
    let h = "id,debtor,debtor_zone,creditor,creditor_zone,amount,currency,priority,submitted_at\n";
    let ok = "c1,a,EU,b,IR,5,EUR,1,2026-01-01\n";
    let cases = [
        ("c2,a,EU,b,IR,0,EUR,1,2026-01-01\n", "line 3: field amount"),
        (
            "c2,a,EU,a,EU,5,EUR,1,2026-01-01\n",
            "line 3: debtor and creditor are the same",
        ),
        (
            "c2,a,EU,b,IR,5,EUX,1,2026-01-01\n",
            "line 3: field currency",
        ),
        (
            "c2,a,EU,b,IR,5,XAU,1,2026-01-01\n",
            "line 3: field currency",
        ),
        (
            "c2,a,E U,b,IR,5,EUR,1,2026-01-01\n",
            "line 3: field debtor_zone",
        ),
        (
            "c2,a,EU,b,IR,5,EUR,1,2026-13-01\n",
            "line 3: field submitted_at",
        ),
        (
            "c2,a,EU,b,IR,5,EUR,x,2026-01-01\n",
            "line 3: field priority",
        ),
        (
            "c1,a,EU,b,IR,5,EUR,1,2026-01-01\n",
            "line 3: duplicate id \"c1\", first used on line 2",
        ),
        ("c2,a,IR,b,IR,5,EUR,1,2026-01-01\n", "line 3: field claim"),
        ("c2,a,EU,b,IR,5,EUR\n", "line 3: malformed row"),
    ];
    for (row, expected) in cases {
        let text = format!("{h}{ok}{row}");
        let message = match read_claims(text.as_bytes(), None) {
            Ok(_) => panic!("{row:?} should be rejected"),
            Err(e) => e.to_string(),
        };
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
    let zones = ["EU".parse().unwrap()];
    let text = format!("{h}{ok}");
    let e = read_claims(text.as_bytes(), Some(&zones)).unwrap_err();
    assert!(
        e.to_string()
            .contains("line 2: field creditor_zone: \"IR\" is an unknown zone")
    );
    assert!(matches!(e, ReadError::Line { line: 2, .. }));
}

proptest! {
    /// The reader's byte-level id check accepts exactly what the model's id rule accepts.
    #[test]
    fn ids_follow_the_model_rule(id in "[a-zA-Z0-9._:\\- ,é]{0,70}") {
        let text = format!("id,debtor,creditor,amount\n{id},x,y,1\n");
        let model_ok = model::ParticipantId::new(id.clone()).is_ok() && !id.contains(',');
        let ours = read_obligations(text.as_bytes()).is_ok();
        prop_assert_eq!(ours, model_ok, "id {:?}", id);
    }

    /// No input makes a reader panic.
    #[test]
    fn readers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut text = b"id,debtor,creditor,amount\n".to_vec();
        text.extend_from_slice(&bytes);
        let _ = read_obligations(text.as_slice());
        let _ = read_claims(bytes.as_slice(), None);
    }
}

#[test]
fn numeric_and_other_ids_are_told_apart() {
    let text = "id,debtor,creditor,amount\n1,01,1,5\n01,1,x,5\n001,x,01,5\n1,a,b,5\n";
    let message = obligations_error(text);
    assert!(
        message.contains("line 5: duplicate id \"1\", first used on line 2"),
        "{message}"
    );
    let file = read_obligations(&text.as_bytes()[..text.len() - 8]).unwrap();
    // Firms "01", "1" and "x" are three firms.
    assert_eq!(file.network.firms(), 3);
}
