//! camt.053.001.08 against the official schema, and its CSV twin.

use iso20022::{
    Account, Entry, Party, Remittance, STATEMENT_CSV_HEADER, Statement, StatementAccount,
    write_camt053, write_statement_csv,
};
use model::Currency;

use crate::support::*;

fn write(s: &Statement<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    write_camt053(s, &mut out).expect("camt.053 written");
    out
}

#[test]
fn participant_statement_is_valid() {
    let long = long_name();
    let description = "claim c-17 cleared in cycle 3; ".repeat(20);
    let many = invoice_numbers(150);
    let many = invoices(&many);
    let two = invoice_numbers(2);
    let two = invoices(&two);
    let house_party = Party {
        name: "Clearhouse EU",
        iban: None,
        other_account: Some("EU-HOUSE-0000000000000000000000001"),
        bic: Some("HOUSDEFFXXX"),
    };
    let entries = [
        Entry {
            reference: ID_35,
            booked_at_ns: NOV_24_2026_NS + HOUR_NS,
            amount_minor: 50_000,
            credit: true,
            debtor: Some(party(MUELLER)),
            creditor: Some(house_party),
            end_to_end_id: Some(ID_35),
            remittance: Remittance {
                creditor_reference: Some("RF18 5390 0754 7034"),
                documents: &many,
                text: Some(&long),
            },
            description: &description,
        },
        Entry {
            reference: "e-2",
            booked_at_ns: NOV_24_2026_NS + 2 * HOUR_NS,
            amount_minor: 20_025,
            credit: false,
            debtor: Some(house_party),
            creditor: Some(Party {
                name: PERSIAN_NAME,
                iban: None,
                other_account: Some("0123456789"),
                bic: None,
            }),
            end_to_end_id: None,
            remittance: Remittance {
                creditor_reference: None,
                documents: &two,
                text: None,
            },
            description: "claim c-18 cleared in cycle 3",
        },
        Entry {
            reference: "e-3",
            booked_at_ns: NOV_24_2026_NS + 3 * HOUR_NS,
            amount_minor: 5,
            credit: true,
            debtor: None,
            creditor: None,
            end_to_end_id: None,
            remittance: Remittance::default(),
            description: "",
        },
    ];
    let receipt = "x".repeat(600);
    let s = Statement {
        message_id: ID_35,
        statement_id: ID_35,
        created_at_ns: NOV_24_2026_NS + 24 * HOUR_NS - 1,
        sequence: 999_999_999_999_999_999,
        from_ns: NOV_24_2026_NS,
        to_ns: NOV_24_2026_NS + 24 * HOUR_NS - 1,
        currency: Currency::EUR,
        account: StatementAccount {
            iban: None,
            other_id: Some("EU-P7-0000000000000000000000000001"),
            name: &long,
            owner: PERSIAN_NAME,
            servicer_bic: Some("HOUSDEFFXXX"),
            servicer_name: Some(&long),
        },
        related_account: Some(Account {
            name: &long,
            ..tehran()
        }),
        opening_balance_minor: -123_456,
        entries: &entries,
        receipt: Some(&receipt),
    };
    assert_valid(&write(&s), "camt.053.001.08");

    let mut csv = Vec::new();
    write_statement_csv(&s, &mut csv).expect("CSV written");
    let csv = String::from_utf8(csv).expect("UTF-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], STATEMENT_CSV_HEADER);
    assert_eq!(lines.len(), 1 + 1 + entries.len() + 1);
    assert!(
        lines[2].contains(
            ",credit,500.00,EUR,\"Müller & Söhne <Pharma> \"\"GmbH\"\"\",INV-2026-00001;"
        )
    );
    assert!(lines[3].contains(&format!(
        ",debit,200.25,EUR,{PERSIAN_NAME},INV-2026-00001;INV-2026-00002,"
    )));
}

#[test]
fn operator_statement_of_the_house_account_is_valid() {
    let entries = [Entry {
        reference: "BK-1",
        booked_at_ns: NOV_24_2026_NS + HOUR_NS,
        amount_minor: 1,
        credit: false,
        debtor: None,
        creditor: Some(party(LYON)),
        end_to_end_id: Some("c-19"),
        remittance: Remittance::default(),
        description: "payout",
    }];
    let s = Statement {
        message_id: "OPS-1",
        statement_id: "OPS-1",
        created_at_ns: NOV_24_2026_NS,
        sequence: 0,
        from_ns: NOV_24_2026_NS,
        to_ns: NOV_24_2026_NS,
        currency: Currency::JPY,
        account: StatementAccount {
            iban: Some("DE89 3704 0044 0532 0130 00"),
            other_id: None,
            name: "INSTEX Zone EU House",
            owner: "Clearhouse EU",
            servicer_bic: Some("COBADEFFXXX"),
            servicer_name: None,
        },
        related_account: None,
        opening_balance_minor: 0,
        entries: &entries,
        receipt: None,
    };
    assert_valid(&write(&s), "camt.053.001.08");
    // No entries at all is a valid statement too.
    let empty = Statement { entries: &[], ..s };
    assert_valid(&write(&empty), "camt.053.001.08");
}
