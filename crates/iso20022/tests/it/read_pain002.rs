//! pain.002 fixtures: schema-valid, and read field by field.

use iso20022::read::{PaymentStatus, ReadErrorKind, StatusReason, read_pain002};

use crate::read_fixtures::{PAIN002_V03, PAIN002_V10};
use crate::read_support::{assert_schema_valid, currency, error_of, line_of, some, texts, utc};

const PAIN002_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10";

fn reason(code: Option<&str>, additional: &[&str]) -> StatusReason {
    StatusReason {
        code: code.map(str::to_owned),
        additional: texts(additional),
    }
}

#[test]
fn pain002_fixture_is_schema_valid() {
    assert_schema_valid(PAIN002_V10, "pain.002.001.10.xsd");
}

#[test]
fn pain002_group_block_and_payment_statuses() {
    let report = read_pain002(PAIN002_V10.as_bytes()).expect("read");
    assert_eq!(report.namespace, PAIN002_NAMESPACE);
    assert_eq!(report.message_id, "PSR-20261124-0007");
    assert_eq!(report.created_at_ns, Some(utc("2026-11-24T21:45:00Z")));
    assert_eq!(report.original_message_id, "CLR-PAY-20261124-01");
    assert_eq!(report.original_message_name, "pain.001.001.09");
    assert_eq!(report.group_status, some("PART"));
    assert_eq!(
        report.group_reasons,
        vec![reason(None, &["3 of 5 payments rejected"])]
    );

    let block_b = some("CLR-PAY-20261124-01-B");
    let expected = vec![
        // Block A: rejected as a whole, no TxInfAndSts.
        PaymentStatus {
            line: line_of(PAIN002_V10, "<OrgnlPmtInfAndSts>", 0),
            original_payment_information_id: some("CLR-PAY-20261124-01-A"),
            original_end_to_end_id: None,
            original_instruction_id: None,
            status: None,
            payment_information_status: some("RJCT"),
            reasons: vec![reason(
                Some("AC01"),
                &["Debtor account number invalid", "or missing"],
            )],
            amount_minor: None,
            currency: None,
        },
        PaymentStatus {
            line: line_of(PAIN002_V10, "<TxInfAndSts>", 0),
            original_payment_information_id: block_b.clone(),
            original_end_to_end_id: some("CLR-2026-000377"),
            original_instruction_id: some("CLR-C-2026-118"),
            status: some("ACSC"),
            payment_information_status: some("PART"),
            reasons: Vec::new(),
            amount_minor: Some(800_000),
            currency: Some(currency("EUR")),
        },
        PaymentStatus {
            line: line_of(PAIN002_V10, "<TxInfAndSts>", 1),
            original_payment_information_id: block_b.clone(),
            original_end_to_end_id: some("CLR-2026-000378"),
            original_instruction_id: some("CLR-C-2026-119"),
            status: some("RJCT"),
            payment_information_status: some("PART"),
            reasons: vec![reason(Some("AM04"), &["Insufficient funds"])],
            amount_minor: Some(25_000_000),
            currency: Some(currency("EUR")),
        },
        PaymentStatus {
            line: line_of(PAIN002_V10, "<TxInfAndSts>", 2),
            original_payment_information_id: block_b,
            original_end_to_end_id: some("CLR-2026-000379"),
            original_instruction_id: None,
            status: some("ACSC"),
            payment_information_status: some("PART"),
            reasons: Vec::new(),
            amount_minor: Some(163_020),
            currency: Some(currency("USD")),
        },
        // Block C: the payment has no TxSts, so the block's status and reason apply to it.
        PaymentStatus {
            line: line_of(PAIN002_V10, "<TxInfAndSts>", 3),
            original_payment_information_id: some("CLR-PAY-20261124-01-C"),
            original_end_to_end_id: some("CLR-2026-000380"),
            original_instruction_id: None,
            status: None,
            payment_information_status: some("RJCT"),
            reasons: vec![reason(Some("CUTOFF"), &[])],
            amount_minor: None,
            currency: None,
        },
    ];
    assert_eq!(report.payments, expected);
}

#[test]
fn pain002_old_version_rejecting_the_group() {
    let report = read_pain002(PAIN002_V03.as_bytes()).expect("read");
    assert_eq!(
        report.namespace,
        "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"
    );
    assert_eq!(report.message_id, "STS-OLD-1");
    assert_eq!(report.created_at_ns, Some(utc("2026-11-24T10:00:00Z")));
    assert_eq!(report.original_message_id, "CLR-PAY-20261123-02");
    assert_eq!(report.original_message_name, "pain.001.001.03");
    assert_eq!(report.group_status, some("RJCT"));
    assert_eq!(
        report.group_reasons,
        vec![reason(Some("FF01"), &["File format incomplete or invalid"])]
    );
    assert!(report.payments.is_empty());
}

#[test]
fn every_accepted_pain002_version_reads_the_same() {
    let reference = read_pain002(PAIN002_V10.as_bytes()).expect("read");
    for version in 3..=12 {
        let namespace = format!("urn:iso:std:iso:20022:tech:xsd:pain.002.001.{version:02}");
        let file = PAIN002_V10.replace(PAIN002_NAMESPACE, &namespace);
        let report = read_pain002(file.as_bytes()).expect("read");
        assert_eq!(report.payments, reference.payments, "version {version}");
    }
    for version in [2, 13] {
        let namespace = format!("urn:iso:std:iso:20022:tech:xsd:pain.002.001.{version:02}");
        let file = PAIN002_V10.replace(PAIN002_NAMESPACE, &namespace);
        let error = error_of(read_pain002(file.as_bytes()));
        assert_eq!(error.kind, ReadErrorKind::UnknownMessage, "{error}");
    }
}

#[test]
fn pain002_missing_original_message_id() {
    let file = PAIN002_V10.replace("<OrgnlMsgId>CLR-PAY-20261124-01</OrgnlMsgId>", "");
    let error = error_of(read_pain002(file.as_bytes()));
    assert_eq!(error.kind, ReadErrorKind::Missing, "{error}");
    assert_eq!(
        error.path,
        "Document/CstmrPmtStsRpt/OrgnlGrpInfAndSts/OrgnlMsgId"
    );
    assert_eq!(error.line, Some(line_of(&file, "<OrgnlGrpInfAndSts>", 0)));
}

#[test]
fn pain002_duplicate_status_is_invalid() {
    let file = PAIN002_V10.replace(
        "<TxSts>RJCT</TxSts>",
        "<TxSts>RJCT</TxSts><TxSts>ACSC</TxSts>",
    );
    let error = error_of(read_pain002(file.as_bytes()));
    assert_eq!(error.kind, ReadErrorKind::Invalid, "{error}");
    assert_eq!(
        error.path,
        "Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts/TxInfAndSts/TxSts"
    );
}
