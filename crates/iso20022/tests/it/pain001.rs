//! pain.001.001.09 against the official schema.

use iso20022::{
    Account, CreditTransfer, PaymentInitiation, Remittance, creditor_reference, write_pain001,
};
use model::Currency;

use crate::support::*;

fn write(p: &PaymentInitiation<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    write_pain001(p, &mut out).expect("pain.001 written");
    out
}

#[test]
fn realistic_initiation_is_valid() {
    let long = long_name();
    let many = invoice_numbers(120);
    let many = invoices(&many);
    let few = invoice_numbers(3);
    let few = invoices(&few);
    let reference = creditor_reference("INV2026X17").expect("reference");
    let longest_reference = creditor_reference(&"Z9".repeat(10)).expect("reference");
    let text = "ü".repeat(300);
    let transfers = [
        CreditTransfer {
            end_to_end_id: ID_35,
            creditor: Account {
                name: &long,
                ..MUELLER
            },
            amount_minor: 999_999_999_999_999_000,
            remittance: Remittance {
                creditor_reference: Some(&longest_reference),
                documents: &many,
                text: Some(&text),
            },
        },
        CreditTransfer {
            end_to_end_id: "c-18",
            creditor: tehran(),
            amount_minor: 1,
            remittance: Remittance {
                creditor_reference: Some(&reference),
                documents: &few,
                text: Some("پرداخت فاکتورها & <cycle 3>"),
            },
        },
        CreditTransfer {
            end_to_end_id: "c-19",
            creditor: LYON,
            amount_minor: 500,
            remittance: Remittance::default(),
        },
    ];
    let receipt = format!(
        "audit:12:{} ledger:7:{}",
        "0f".repeat(200),
        "a1".repeat(200)
    );
    let p = PaymentInitiation {
        message_id: ID_35,
        created_at_ns: NOV_24_2026_NS + 10 * HOUR_NS,
        execution_date: date(2026, 11, 25),
        currency: Currency::EUR,
        debtor: HOUSE,
        initiating_party: &long,
        transfers: &transfers,
        receipt: Some(&receipt),
    };
    let xml = write(&p);
    assert_valid(&xml, "pain.001.001.09");
    let text = String::from_utf8(xml).expect("UTF-8");
    assert!(text.contains("and 20 more invoices"));
    assert!(text.contains("<CtrlSum>9999999999999995.01</CtrlSum>"));
}

#[test]
fn every_currency_exponent_is_valid() {
    for currency in [Currency::JPY, Currency::IRR, Currency::KWD, Currency::CLF] {
        let transfers = [CreditTransfer {
            end_to_end_id: "c-1",
            creditor: LYON,
            amount_minor: 123_456_789,
            remittance: Remittance {
                creditor_reference: Some("RF18 5390 0754 7034"),
                documents: &[],
                text: None,
            },
        }];
        let p = PaymentInitiation {
            message_id: "m-1",
            created_at_ns: NOV_24_2026_NS,
            execution_date: date(2026, 11, 24),
            currency,
            debtor: HOUSE,
            initiating_party: "Clearhouse",
            transfers: &transfers,
            receipt: None,
        };
        assert_valid(&write(&p), "pain.001.001.09");
    }
}

#[test]
fn the_validator_refuses_what_the_schema_forbids() {
    let transfers = [CreditTransfer {
        end_to_end_id: "c-1",
        creditor: LYON,
        amount_minor: 100,
        remittance: Remittance::default(),
    }];
    let p = PaymentInitiation {
        message_id: "m-1",
        created_at_ns: NOV_24_2026_NS,
        execution_date: date(2026, 11, 24),
        currency: Currency::EUR,
        debtor: HOUSE,
        initiating_party: "Clearhouse",
        transfers: &transfers,
        receipt: None,
    };
    let xml = String::from_utf8(write(&p)).expect("UTF-8");
    assert_valid(xml.as_bytes(), "pain.001.001.09");
    // A wrong code, and two elements out of the schema's order.
    assert_invalid(
        xml.replace("<PmtMtd>TRF</PmtMtd>", "<PmtMtd>XXX</PmtMtd>")
            .as_bytes(),
        "pain.001.001.09",
    );
    let swapped = xml.replacen("<ChrgBr>SLEV</ChrgBr>", "", 1).replacen(
        "<PmtInfId>",
        "<ChrgBr>SLEV</ChrgBr><PmtInfId>",
        1,
    );
    assert_invalid(swapped.as_bytes(), "pain.001.001.09");
}
