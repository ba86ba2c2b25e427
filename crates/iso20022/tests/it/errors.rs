//! Refused inputs, through the public interface: a clear error naming the field, nothing
//! written.

use iso20022::{
    Account, ActivationRequest, CreditTransfer, Entry, FieldProblem, Iso20022Error, Notification,
    NotifiedEntry, Party, PaymentInitiation, PaymentRequest, ReferredDocument, Remittance,
    Statement, StatementAccount, StatusReport, TransactionStatus, write_camt053, write_camt054,
    write_pain001, write_pain002, write_pain013, write_request_csv, write_statement_csv,
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

/// Checks that `write` refuses the message with an error naming `field` and writes nothing.
fn refused<M>(
    message: &M,
    write: impl Fn(&M, &mut Vec<u8>) -> Result<(), Iso20022Error>,
    field: &str,
) {
    let mut out = Vec::new();
    let (got, problem) = field_of(write(message, &mut out).unwrap_err());
    assert_eq!(got, field, "{problem}");
    assert!(out.is_empty(), "{field}: nothing written");
}

/// An identifier one character too long.
const TOO_LONG: &str = "an-identifier-of-thirty-six-chars-x6";

type Edit<'e, T> = &'e dyn Fn(&mut T);

#[test]
fn every_required_field_of_an_activation_request() {
    let requests = [PaymentRequest {
        payment_information_id: "p-1",
        end_to_end_id: "e-1",
        debtor: MUELLER,
        amount_minor: 100,
        requested_execution_date: date(2026, 11, 25),
        expiry_ns: NOV_24_2026_NS + 48 * HOUR_NS,
        remittance: Remittance {
            creditor_reference: Some("RF18539007547034"),
            documents: &[],
            text: None,
        },
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
    write_pain013(&r, &mut Vec::new()).expect("the unedited request is written");
    let write = |r: &ActivationRequest<'_>, out: &mut Vec<u8>| write_pain013(r, out);
    let header: [(Edit<'_, ActivationRequest<'_>>, &str); 7] = [
        (&|r| r.message_id = "", "message_id"),
        (&|r| r.message_id = TOO_LONG, "message_id"),
        (&|r| r.initiating_party = "\t", "initiating_party"),
        (&|r| r.creditor.name = "", "creditor.name"),
        (&|r| r.creditor.iban = "", "creditor.iban"),
        (&|r| r.creditor.bic = "", "creditor.bic"),
        (&|r| r.requests = &[], "requests"),
    ];
    for (edit, field) in header {
        let mut edited = r;
        edit(&mut edited);
        refused(&edited, write, field);
    }
    let fields: [(Edit<'_, PaymentRequest<'_>>, &str); 10] = [
        (&|q| q.payment_information_id = "", "payment_information_id"),
        (
            &|q| q.payment_information_id = TOO_LONG,
            "payment_information_id",
        ),
        (&|q| q.end_to_end_id = "", "end_to_end_id"),
        (&|q| q.end_to_end_id = TOO_LONG, "end_to_end_id"),
        (&|q| q.debtor.name = " ", "debtor.name"),
        (&|q| q.debtor.iban = "", "debtor.iban"),
        (&|q| q.debtor.bic = "", "debtor.bic"),
        (&|q| q.amount_minor = -1, "amount_minor"),
        (
            &|q| q.remittance.creditor_reference = None,
            "remittance.creditor_reference",
        ),
        (
            &|q| q.remittance.creditor_reference = Some(""),
            "remittance.creditor_reference",
        ),
    ];
    for (edit, field) in fields {
        let mut one = requests;
        edit(&mut one[0]);
        let edited = ActivationRequest {
            requests: &one,
            ..r
        };
        refused(&edited, write, &format!("requests[0].{field}"));
    }
}

#[test]
fn every_required_field_of_a_statement() {
    let entries = [Entry {
        reference: "e-1",
        booked_at_ns: NOV_24_2026_NS,
        amount_minor: 1,
        credit: true,
        debtor: Some(party(MUELLER)),
        creditor: None,
        end_to_end_id: Some("c-1"),
        remittance: Remittance::default(),
        description: "",
    }];
    let s = Statement {
        message_id: "m-1",
        statement_id: "s-1",
        created_at_ns: NOV_24_2026_NS,
        sequence: 1,
        from_ns: NOV_24_2026_NS,
        to_ns: NOV_24_2026_NS,
        currency: Currency::EUR,
        account: StatementAccount {
            iban: None,
            other_id: Some("P7"),
            name: "P7",
            owner: "Müller",
            servicer_bic: None,
            servicer_name: None,
        },
        related_account: None,
        opening_balance_minor: 0,
        entries: &entries,
        receipt: None,
    };
    write_camt053(&s, &mut Vec::new()).expect("the unedited statement is written");
    let write = |s: &Statement<'_>, out: &mut Vec<u8>| write_camt053(s, out);
    let csv = |s: &Statement<'_>, out: &mut Vec<u8>| write_statement_csv(s, out);
    let header: [(Edit<'_, Statement<'_>>, &str); 9] = [
        (&|s| s.message_id = "", "message_id"),
        (&|s| s.statement_id = TOO_LONG, "statement_id"),
        (&|s| s.account.other_id = None, "account.iban"),
        (&|s| s.account.other_id = Some(""), "account.other_id"),
        (&|s| s.account.name = "", "account.name"),
        (&|s| s.account.owner = "", "account.owner"),
        (
            &|s| s.related_account = Some(Account { name: "", ..LYON }),
            "related_account.name",
        ),
        (
            &|s| s.opening_balance_minor = -1_000_000_000_000_000_000,
            "opening_balance_minor",
        ),
        (&|s| s.currency = Currency::XDR, "currency"),
    ];
    for (edit, field) in header {
        let mut edited = s;
        edit(&mut edited);
        refused(&edited, write, field);
        refused(&edited, csv, field);
    }
    let fields: [(Edit<'_, Entry<'_>>, &str); 6] = [
        (&|e| e.reference = "", "reference"),
        (&|e| e.amount_minor = 0, "amount_minor"),
        (
            &|e| e.amount_minor = 1_000_000_000_000_000_000,
            "amount_minor",
        ),
        (&|e| e.end_to_end_id = Some(""), "end_to_end_id"),
        (
            &|e| {
                e.debtor = Some(Party {
                    name: "",
                    ..party(MUELLER)
                })
            },
            "debtor.name",
        ),
        (
            &|e| {
                e.creditor = Some(Party {
                    iban: Some("XX"),
                    ..party(LYON)
                })
            },
            "creditor.iban",
        ),
    ];
    for (edit, field) in fields {
        let mut one = entries;
        edit(&mut one[0]);
        let edited = Statement { entries: &one, ..s };
        refused(&edited, write, &format!("entries[0].{field}"));
    }
}

#[test]
fn every_required_field_of_a_notification_and_a_status_report() {
    let entries = [NotifiedEntry {
        account_servicer_reference: "BK-1",
        booked_at_ns: NOV_24_2026_NS,
        amount_minor: 1,
        credit: true,
        end_to_end_id: None,
        counterparty: None,
        remittance: Remittance::default(),
    }];
    let n = Notification {
        message_id: "m-1",
        notification_id: "n-1",
        created_at_ns: NOV_24_2026_NS,
        currency: Currency::EUR,
        account: HOUSE,
        entries: &entries,
    };
    write_camt054(&n, &mut Vec::new()).expect("the unedited notification is written");
    let write = |n: &Notification<'_>, out: &mut Vec<u8>| write_camt054(n, out);
    let cases: [(Edit<'_, Notification<'_>>, &str); 6] = [
        (&|n| n.message_id = TOO_LONG, "message_id"),
        (&|n| n.notification_id = "", "notification_id"),
        (&|n| n.account.name = "", "account.name"),
        (
            &|n| n.account.iban = "DE89370400440532013001",
            "account.iban",
        ),
        (&|n| n.account.bic = "HOUS", "account.bic"),
        (&|n| n.entries = &[], "entries"),
    ];
    for (edit, field) in cases {
        let mut edited = n;
        edit(&mut edited);
        refused(&edited, write, field);
    }

    let transactions = [TransactionStatus {
        original_end_to_end_id: "c-1",
        status: "ACSC",
        reason: None,
        additional_info: None,
    }];
    let r = StatusReport {
        message_id: "m-1",
        created_at_ns: NOV_24_2026_NS,
        original_message_id: "EU-3",
        original_message_name: "pain.001.001.09",
        original_payment_information_id: "EU-3",
        transactions: &transactions,
    };
    write_pain002(&r, &mut Vec::new()).expect("the unedited report is written");
    let write = |r: &StatusReport<'_>, out: &mut Vec<u8>| write_pain002(r, out);
    let cases: [(Edit<'_, StatusReport<'_>>, &str); 5] = [
        (&|r| r.message_id = "", "message_id"),
        (&|r| r.original_message_id = "", "original_message_id"),
        (
            &|r| r.original_message_name = TOO_LONG,
            "original_message_name",
        ),
        (
            &|r| r.original_payment_information_id = "",
            "original_payment_information_id",
        ),
        (&|r| r.transactions = &[], "transactions"),
    ];
    for (edit, field) in cases {
        let mut edited = r;
        edit(&mut edited);
        refused(&edited, write, field);
    }
}
