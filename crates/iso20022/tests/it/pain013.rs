//! pain.013.001.08 against the official schema, and its CSV twin.

use iso20022::{
    Account, ActivationRequest, PaymentRequest, REQUEST_CSV_HEADER, Remittance, creditor_reference,
    write_pain013, write_request_csv,
};
use model::Currency;

use crate::support::*;

#[test]
fn realistic_request_is_valid() {
    let long = long_name();
    let many = invoice_numbers(101);
    let many = invoices(&many);
    let two = invoice_numbers(2);
    let two = invoices(&two);
    let references: Vec<String> = ["CYCLE3P7", "CYCLE3P9", "CYCLE3P11"]
        .iter()
        .map(|base| creditor_reference(base).expect("reference"))
        .collect();
    let requests = [
        PaymentRequest {
            payment_information_id: ID_35,
            end_to_end_id: ID_35,
            debtor: tehran(),
            amount_minor: 1_500_000_000_000,
            requested_execution_date: date(2026, 11, 25),
            expiry_ns: NOV_24_2026_NS + 72 * HOUR_NS,
            remittance: Remittance {
                creditor_reference: Some(&references[0]),
                documents: &many,
                text: Some("تسویه چرخه ۳ & <EU>"),
            },
        },
        PaymentRequest {
            payment_information_id: "RTP-3-2",
            end_to_end_id: "rtp-3-2",
            debtor: Account {
                name: &long,
                ..MUELLER
            },
            amount_minor: 5,
            requested_execution_date: date(2026, 11, 24),
            expiry_ns: NOV_24_2026_NS + 24 * HOUR_NS,
            remittance: Remittance {
                creditor_reference: Some(&references[1]),
                documents: &two,
                text: None,
            },
        },
        PaymentRequest {
            payment_information_id: "RTP-3-3",
            end_to_end_id: "rtp-3-3",
            debtor: LYON,
            amount_minor: 77_777,
            requested_execution_date: date(2026, 11, 25),
            expiry_ns: NOV_24_2026_NS + 30 * HOUR_NS,
            remittance: Remittance {
                creditor_reference: Some(&references[2]),
                documents: &[],
                text: None,
            },
        },
    ];
    let receipt = "audit:12:0f0e ledger:7:a1b2";
    let r = ActivationRequest {
        message_id: "RTP-EU-3",
        created_at_ns: NOV_24_2026_NS + 10 * HOUR_NS,
        initiating_party: "Clearhouse EU",
        currency: Currency::IRR,
        creditor: HOUSE,
        requests: &requests,
        receipt: Some(receipt),
    };
    let mut xml = Vec::new();
    write_pain013(&r, &mut xml).expect("pain.013 written");
    assert_valid(&xml, "pain.013.001.08");
    let xml = String::from_utf8(xml).expect("UTF-8");
    assert!(xml.contains("<DtTm>2026-11-27T00:00:00Z</DtTm>"));
    assert!(xml.contains("and 1 more invoice<"));

    let mut csv = Vec::new();
    write_request_csv(&r, &mut csv).expect("CSV written");
    let csv = String::from_utf8(csv).expect("UTF-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], REQUEST_CSV_HEADER);
    assert_eq!(lines.len(), 1 + requests.len() + 1);
    assert!(lines[1].starts_with(&format!("{ID_35},{PERSIAN_NAME},IR062960000000100324200001,BKMTIRTH,15000000000.00,IRR,{},2026-11-27T00:00:00Z,INV-2026-00001;", references[0])));
    // All 101 invoices are listed in the CSV, not only the first hundred.
    assert!(lines[1].ends_with("INV-2026-00100;INV-2026-00101"));
    assert_eq!(lines[4], format!("receipt,,,,,IRR,,,{receipt}"));
}
