//! Refused inputs, through the public interface: a clear error naming the field, nothing
//! written.

use iso20022::{
    ActivationRequest, CreditTransfer, FieldProblem, Iso20022Error, PaymentInitiation,
    PaymentRequest, ReferredDocument, Remittance, write_pain001, write_pain013, write_request_csv,
};
use model::Currency;

use crate::support::*;

fn field_of(error: Iso20022Error) -> (String, FieldProblem) {
    match error {
        Iso20022Error::Field { field, problem } => (field, problem),
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn transfer(end_to_end_id: &str, amount_minor: i64) -> CreditTransfer<'_> {
    CreditTransfer {
        end_to_end_id,
        creditor: LYON,
        amount_minor,
        remittance: Remittance::default(),
    }
}

fn pain001_error(transfers: &[CreditTransfer<'_>]) -> Iso20022Error {
    let p = PaymentInitiation {
        message_id: "m-1",
        created_at_ns: NOV_24_2026_NS,
        execution_date: date(2026, 11, 24),
        currency: Currency::EUR,
        debtor: HOUSE,
        initiating_party: "Clearhouse",
        transfers,
        receipt: None,
    };
    let mut out = Vec::new();
    let error = write_pain001(&p, &mut out).unwrap_err();
    assert!(out.is_empty(), "nothing written");
    error
}

#[test]
fn payment_initiation_errors_name_the_field() {
    let (field, problem) = field_of(pain001_error(&[transfer("a", 1), transfer("a", 2)]));
    assert_eq!(field, "transfers[1].end_to_end_id");
    assert_eq!(problem, FieldProblem::Duplicate { first_index: 0 });
    let error = pain001_error(&[transfer("a", 1), transfer("b", 0)]);
    assert_eq!(
        error.to_string(),
        "invalid transfers[1].amount_minor: must be positive, got 0"
    );
    let error = pain001_error(&[transfer("a", 1_000_000_000_000_000_000)]);
    assert_eq!(
        error.to_string(),
        "invalid transfers[0].amount_minor: has more than 18 digits"
    );
    let error = pain001_error(&[
        transfer("a", 999_999_999_999_999_999),
        transfer("b", 999_999_999_999_999_999),
    ]);
    assert_eq!(
        error.to_string(),
        "the control sum does not fit in 18 digits"
    );
    let documents = [ReferredDocument {
        number: "INV-1",
        date: None,
        amount_minor: Some(-1),
    }];
    let mut bad = transfer("a", 1);
    bad.remittance.documents = &documents;
    let (field, _) = field_of(pain001_error(&[bad]));
    assert_eq!(field, "transfers[0].remittance.documents[0].amount_minor");
}

#[test]
fn a_request_without_creditor_reference_is_refused_in_both_forms() {
    let requests = [PaymentRequest {
        payment_information_id: "p-1",
        end_to_end_id: "e-1",
        debtor: MUELLER,
        amount_minor: 100,
        requested_execution_date: date(2026, 11, 25),
        expiry_ns: NOV_24_2026_NS + 48 * HOUR_NS,
        remittance: Remittance::default(),
    }];
    let r = ActivationRequest {
        message_id: "m-1",
        created_at_ns: NOV_24_2026_NS,
        initiating_party: "Clearhouse",
        currency: Currency::EUR,
        creditor: HOUSE,
        requests: &requests,
        receipt: None,
    };
    let mut out = Vec::new();
    let error = write_pain013(&r, &mut out).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid requests[0].remittance.creditor_reference: is required here"
    );
    let error = write_request_csv(&r, &mut out).unwrap_err();
    assert!(matches!(error, Iso20022Error::Field { .. }));
    assert!(out.is_empty(), "nothing written");
}
