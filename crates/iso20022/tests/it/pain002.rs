//! pain.002.001.10 against the official schema.

use iso20022::{StatusReport, TransactionStatus, write_pain002};

use crate::support::*;

#[test]
fn realistic_status_report_is_valid() {
    let info = "Kontonummer ungültig & <geschlossen> — حساب بسته شده است ".repeat(5);
    let transactions = [
        TransactionStatus {
            original_end_to_end_id: ID_35,
            status: "ACSC",
            reason: None,
            additional_info: None,
        },
        TransactionStatus {
            original_end_to_end_id: "c-18",
            status: "RJCT",
            reason: Some("AC01"),
            additional_info: Some(&info),
        },
        TransactionStatus {
            original_end_to_end_id: "c-19",
            status: "RJCT",
            reason: Some("AM04"),
            additional_info: None,
        },
        TransactionStatus {
            original_end_to_end_id: "c-20",
            status: "PDNG",
            reason: None,
            additional_info: Some("awaiting funds"),
        },
    ];
    let report = StatusReport {
        message_id: ID_35,
        created_at_ns: NOV_24_2026_NS + 11 * HOUR_NS,
        original_message_id: ID_35,
        original_message_name: "pain.001.001.09",
        original_payment_information_id: ID_35,
        transactions: &transactions,
    };
    let mut xml = Vec::new();
    write_pain002(&report, &mut xml).expect("pain.002 written");
    assert_valid(&xml, "pain.002.001.10");
    let one = StatusReport {
        transactions: &transactions[..1],
        ..report
    };
    let mut xml = Vec::new();
    write_pain002(&one, &mut xml).expect("pain.002 written");
    assert_valid(&xml, "pain.002.001.10");
}
