//! camt.053 and camt.054 fixtures: schema-valid, and read field by field.

use iso20022::read::{
    BankEntry, BankTransaction, EntryStatus, MessageKind, ReadErrorKind, ReadParty,
    read_bank_report,
};

use crate::read_fixtures::{CAMT053_V08, CAMT054_V02, CAMT054_V08};
use crate::read_support::{
    assert_schema_valid, currency, date, error_of, line_of, some, texts, utc,
};

const CAMT054_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08";

/// A transaction with only its line and amount set; the tests fill in the rest.
fn transaction(line: u64, amount_minor: i64) -> BankTransaction {
    BankTransaction {
        line,
        amount_minor: Some(amount_minor),
        currency: Some(currency("EUR")),
        account_servicer_reference: None,
        end_to_end_id: None,
        instruction_id: None,
        creditor_reference: None,
        documents: Vec::new(),
        unstructured: Vec::new(),
        debtor: None,
        creditor: None,
    }
}

fn party(name: &str) -> ReadParty {
    ReadParty {
        name: some(name),
        ..ReadParty::default()
    }
}

#[test]
fn camt054_fixture_is_schema_valid() {
    assert_schema_valid(CAMT054_V08, "camt.054.001.08.xsd");
}

#[test]
fn camt053_fixture_is_schema_valid() {
    assert_schema_valid(CAMT053_V08, "camt.053.001.08.xsd");
}

#[test]
fn camt054_header_and_account() {
    let report = read_bank_report(CAMT054_V08.as_bytes()).expect("read");
    assert_eq!(report.kind, MessageKind::Camt054);
    assert_eq!(report.namespace, CAMT054_NAMESPACE);
    assert_eq!(report.message_id, "NTF-20261124-0042");
    assert_eq!(report.created_at_ns, Some(utc("2026-11-24T14:02:11.25Z")));
    assert_eq!(report.accounts.len(), 1);
    let account = &report.accounts[0];
    assert_eq!(account.line, line_of(CAMT054_V08, "<Ntfctn>", 0));
    assert_eq!(account.id, "NTF-20261124-0042-EUR");
    assert_eq!(account.iban, some("DE89370400440532013000"));
    assert_eq!(account.other_id, None);
    assert_eq!(account.currency, Some(currency("EUR")));
    assert_eq!(account.entries.len(), 6);
}

#[test]
fn camt054_credit_with_rf_reference() {
    let report = read_bank_report(CAMT054_V08.as_bytes()).expect("read");
    let entry = &report.accounts[0].entries[0];
    let expected = BankEntry {
        line: line_of(CAMT054_V08, "<Ntry>", 0),
        entry_reference: some("1"),
        account_servicer_reference: some("2026112400001234"),
        amount_minor: 1_250_000,
        currency: currency("EUR"),
        credit: true,
        reversal: false,
        status: EntryStatus::Booked,
        booking_date: Some(date("2026-11-24")),
        value_date: Some(date("2026-11-24")),
        transactions: vec![BankTransaction {
            account_servicer_reference: some("2026112400001234-1"),
            end_to_end_id: some("CLR-2026-000381"),
            instruction_id: some("HRI-2026-0917"),
            creditor_reference: some("RF18539007547034"),
            debtor: Some(ReadParty {
                iban: some("DE02100100100006820101"),
                bic: some("PBNKDEFFXXX"),
                ..party("Hamburger Reis Import GmbH")
            }),
            creditor: Some(party("Clearhouse GmbH")),
            ..transaction(line_of(CAMT054_V08, "<TxDtls>", 0), 1_250_000)
        }],
    };
    assert_eq!(entry, &expected);
}

#[test]
fn camt054_credit_without_rf_reference() {
    let report = read_bank_report(CAMT054_V08.as_bytes()).expect("read");
    let entry = &report.accounts[0].entries[1];
    let expected = BankEntry {
        line: line_of(CAMT054_V08, "<Ntry>", 1),
        entry_reference: some("2"),
        account_servicer_reference: some("2026112400001240"),
        amount_minor: 98_040,
        currency: currency("EUR"),
        credit: true,
        reversal: false,
        status: EntryStatus::Booked,
        // 2026-11-25T00:15:00+01:00 is 2026-11-24T23:15:00Z.
        booking_date: Some(date("2026-11-24")),
        value_date: Some(date("2026-11-25")),
        transactions: vec![BankTransaction {
            end_to_end_id: some("NOTPROVIDED"),
            documents: texts(&["INV-2026-117"]),
            unstructured: texts(&["Facture n° 2026-117, riz basmati", "lot 3 sur 4"]),
            debtor: Some(ReadParty {
                other_account: some("00012345678"),
                ..party("Lyon Pharma Distribution & Cie SA")
            }),
            ..transaction(line_of(CAMT054_V08, "<TxDtls>", 1), 98_040)
        }],
    };
    assert_eq!(entry, &expected);
}

#[test]
fn camt054_batch_entry_with_three_transactions() {
    let report = read_bank_report(CAMT054_V08.as_bytes()).expect("read");
    let entry = &report.accounts[0].entries[2];
    assert_eq!(entry.line, line_of(CAMT054_V08, "<Ntry>", 2));
    assert_eq!(entry.entry_reference, some("3"));
    assert_eq!(entry.account_servicer_reference, some("2026112400001251"));
    assert_eq!(
        (entry.amount_minor, entry.currency),
        (435_075, currency("EUR"))
    );
    assert!(entry.credit && !entry.reversal);
    assert_eq!(entry.status, EntryStatus::Booked);
    assert_eq!(entry.booking_date, Some(date("2026-11-24")));
    assert_eq!(entry.value_date, Some(date("2026-11-24")));
    let expected = vec![
        BankTransaction {
            end_to_end_id: some("CLR-2026-000390"),
            creditor_reference: some("RF712348231"),
            debtor: Some(ReadParty {
                iban: some("AT611904300234573201"),
                ..party("Wiener Teehaus Müller KG")
            }),
            ..transaction(line_of(CAMT054_V08, "<TxDtls>", 2), 120_000)
        },
        BankTransaction {
            end_to_end_id: some("CLR-2026-000391"),
            unstructured: texts(&["Ordine 5521 tessuti"]),
            debtor: Some(ReadParty {
                iban: some("IT60X0542811101000000123456"),
                bic: some("BPMOIT22XXX"),
                ..party("Milano Tessuti S.p.A.")
            }),
            ..transaction(line_of(CAMT054_V08, "<TxDtls>", 3), 300_050)
        },
        // No TxDtls/Amt: the amount is AmtDtls/TxAmt/Amt (EUR), not InstdAmt (USD).
        BankTransaction {
            end_to_end_id: some("CLR-2026-000392"),
            debtor: Some(party("Antwerp Diamond Tools BV")),
            ..transaction(line_of(CAMT054_V08, "<TxDtls>", 4), 15_025)
        },
    ];
    assert_eq!(entry.transactions, expected);
    let sum: i64 = entry
        .transactions
        .iter()
        .filter_map(|t| t.amount_minor)
        .sum();
    assert_eq!(sum, entry.amount_minor);
}

#[test]
fn camt054_debit_entry() {
    let report = read_bank_report(CAMT054_V08.as_bytes()).expect("read");
    let entry = &report.accounts[0].entries[3];
    let expected = BankEntry {
        line: line_of(CAMT054_V08, "<Ntry>", 3),
        entry_reference: some("4"),
        account_servicer_reference: some("2026112400001266"),
        amount_minor: 800_000,
        currency: currency("EUR"),
        credit: false,
        reversal: false,
        status: EntryStatus::Booked,
        booking_date: Some(date("2026-11-24")),
        value_date: Some(date("2026-11-24")),
        transactions: vec![BankTransaction {
            end_to_end_id: some("CLR-2026-000377"),
            instruction_id: some("CLR-C-2026-118"),
            unstructured: texts(&["Clearing cycle 2026-11-24 payout"]),
            debtor: Some(ReadParty {
                iban: some("DE89370400440532013000"),
                ..party("Clearhouse GmbH")
            }),
            creditor: Some(ReadParty {
                iban: some("NL91ABNA0417164300"),
                bic: some("ABNANL2AXXX"),
                ..party("Rotterdam Medical Supplies B.V.")
            }),
            ..transaction(line_of(CAMT054_V08, "<TxDtls>", 5), 800_000)
        }],
    };
    assert_eq!(entry, &expected);
}

#[test]
fn camt054_reversal_and_pending_entries() {
    let report = read_bank_report(CAMT054_V08.as_bytes()).expect("read");
    let reversal = &report.accounts[0].entries[4];
    let expected = BankEntry {
        line: line_of(CAMT054_V08, "<Ntry>", 4),
        entry_reference: some("5"),
        account_servicer_reference: some("2026112400001270"),
        amount_minor: 50_000,
        currency: currency("EUR"),
        credit: false,
        reversal: true,
        status: EntryStatus::Booked,
        booking_date: Some(date("2026-11-24")),
        value_date: Some(date("2026-11-23")),
        transactions: vec![BankTransaction {
            end_to_end_id: some("CLR-2026-000355"),
            unstructured: texts(&["Reversal of wrongly credited payment"]),
            ..transaction(line_of(CAMT054_V08, "<TxDtls>", 6), 50_000)
        }],
    };
    assert_eq!(reversal, &expected);
    let pending = &report.accounts[0].entries[5];
    let expected = BankEntry {
        line: line_of(CAMT054_V08, "<Ntry>", 5),
        entry_reference: some("6"),
        account_servicer_reference: None,
        amount_minor: 9_999,
        currency: currency("EUR"),
        credit: true,
        reversal: false,
        status: EntryStatus::Pending,
        booking_date: None,
        value_date: Some(date("2026-11-26")),
        transactions: Vec::new(),
    };
    assert_eq!(pending, &expected);
}

#[test]
fn camt053_statement_of_two_accounts() {
    let report = read_bank_report(CAMT053_V08.as_bytes()).expect("read");
    assert_eq!(report.kind, MessageKind::Camt053);
    assert_eq!(
        report.namespace,
        "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
    );
    assert_eq!(report.message_id, "STMT-20261124-0001");
    assert_eq!(report.created_at_ns, Some(utc("2026-11-25T06:00:00Z")));
    assert_eq!(report.accounts.len(), 2);

    let eur = &report.accounts[0];
    assert_eq!(eur.line, line_of(CAMT053_V08, "<Stmt>", 0));
    assert_eq!(eur.id, "STMT-20261124-EUR");
    assert_eq!(
        (eur.iban.clone(), eur.other_id.clone()),
        (None, some("CLR-EUR-0001"))
    );
    assert_eq!(eur.currency, Some(currency("EUR")));
    let expected = vec![
        BankEntry {
            line: line_of(CAMT053_V08, "<Ntry>", 0),
            entry_reference: some("STMT-328-1"),
            account_servicer_reference: some("2026112400001234"),
            amount_minor: 1_250_000,
            currency: currency("EUR"),
            credit: true,
            reversal: false,
            status: EntryStatus::Booked,
            booking_date: Some(date("2026-11-24")),
            value_date: Some(date("2026-11-24")),
            transactions: vec![BankTransaction {
                end_to_end_id: some("CLR-2026-000381"),
                creditor_reference: some("RF18539007547034"),
                debtor: Some(party("Hamburger Reis Import GmbH")),
                ..transaction(line_of(CAMT053_V08, "<TxDtls>", 0), 1_250_000)
            }],
        },
        BankEntry {
            line: line_of(CAMT053_V08, "<Ntry>", 1),
            entry_reference: None,
            account_servicer_reference: some("2026112400001266"),
            amount_minor: 800_000,
            currency: currency("EUR"),
            credit: false,
            reversal: false,
            status: EntryStatus::Booked,
            booking_date: Some(date("2026-11-24")),
            value_date: Some(date("2026-11-24")),
            transactions: Vec::new(),
        },
    ];
    assert_eq!(eur.entries, expected);

    let jpy = &report.accounts[1];
    assert_eq!(jpy.line, line_of(CAMT053_V08, "<Stmt>", 1));
    assert_eq!(jpy.id, "STMT-20261124-JPY");
    assert_eq!(
        (jpy.iban.clone(), jpy.other_id.clone()),
        (some("DE27100777770209299700"), None)
    );
    assert_eq!(jpy.currency, Some(currency("JPY")));
    let expected = vec![BankEntry {
        line: line_of(CAMT053_V08, "<Ntry>", 2),
        entry_reference: None,
        account_servicer_reference: None,
        amount_minor: 1_500_000,
        currency: currency("JPY"),
        credit: true,
        reversal: false,
        status: EntryStatus::Other("BOOKED-FX".to_owned()),
        booking_date: Some(date("2026-11-24")),
        value_date: None,
        transactions: Vec::new(),
    }];
    assert_eq!(jpy.entries, expected);
}

#[test]
fn camt054_old_layout_of_version_02() {
    let report = read_bank_report(CAMT054_V02.as_bytes()).expect("read");
    assert_eq!(report.kind, MessageKind::Camt054);
    assert_eq!(
        report.namespace,
        "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"
    );
    assert_eq!(report.message_id, "ZKB-NTF-20261124-9");
    assert_eq!(report.created_at_ns, Some(utc("2026-11-24T15:02:11Z")));
    let account = &report.accounts[0];
    assert_eq!(account.id, "ZKB-NTF-20261124-9-1");
    assert_eq!(account.iban, some("CH9300762011623852957"));
    assert_eq!(account.currency, Some(currency("CHF")));
    let expected = vec![BankEntry {
        line: line_of(CAMT054_V02, "<Ntry>", 0),
        entry_reference: None,
        account_servicer_reference: some("ZKB-55120"),
        amount_minor: 32_050,
        currency: currency("CHF"),
        credit: true,
        reversal: false,
        status: EntryStatus::Booked,
        booking_date: Some(date("2026-11-24")),
        value_date: Some(date("2026-11-24")),
        transactions: vec![BankTransaction {
            line: line_of(CAMT054_V02, "<TxDtls>", 0),
            amount_minor: Some(32_050),
            currency: Some(currency("CHF")),
            account_servicer_reference: some("ZKB-55120-1"),
            end_to_end_id: some("NOTPROVIDED"),
            instruction_id: None,
            creditor_reference: some("RF02300000000000000000000"),
            documents: Vec::new(),
            unstructured: Vec::new(),
            debtor: Some(ReadParty {
                name: some("Basel Chemicals AG"),
                iban: some("CH5604835012345678009"),
                other_account: None,
                bic: some("ZKBKCHZZ80A"),
            }),
            creditor: None,
        }],
    }];
    assert_eq!(account.entries, expected);
}

#[test]
fn every_accepted_version_reads_the_same() {
    let reference = read_bank_report(CAMT054_V08.as_bytes()).expect("read");
    for version in 2..=10 {
        let namespace = format!("urn:iso:std:iso:20022:tech:xsd:camt.054.001.{version:02}");
        let file = CAMT054_V08.replace(CAMT054_NAMESPACE, &namespace);
        let report = read_bank_report(file.as_bytes()).expect("read");
        assert_eq!(report.namespace, namespace);
        assert_eq!(report.accounts, reference.accounts, "version {version}");
    }
    for version in [1, 11, 99] {
        let namespace = format!("urn:iso:std:iso:20022:tech:xsd:camt.054.001.{version:02}");
        let file = CAMT054_V08.replace(CAMT054_NAMESPACE, &namespace);
        let error = error_of(read_bank_report(file.as_bytes()));
        assert_eq!(error.kind, ReadErrorKind::UnknownMessage, "{error}");
        assert!(
            error
                .message
                .contains(&format!("camt.054.001.{version:02}")),
            "{error}"
        );
    }
}

#[test]
fn a_prefixed_namespace_reads_the_same() {
    let prefixed = CAMT054_V08
        .replace("<Document xmlns=", "<Document xmlns:c=")
        .replace("</", "</c:")
        .replace('<', "<c:")
        .replace("<c:/c:", "</c:")
        .replace("<c:?xml", "<?xml")
        .replace("<c:!--", "<!--");
    assert!(prefixed.contains("<c:Ntry>") && prefixed.contains("</c:Document>"));
    let reference = read_bank_report(CAMT054_V08.as_bytes()).expect("read");
    let report = read_bank_report(prefixed.as_bytes()).expect("read prefixed");
    assert_eq!(report, reference);
}

#[test]
fn crlf_line_ends_and_a_byte_order_mark_read_the_same() {
    let reference = read_bank_report(CAMT054_V08.as_bytes()).expect("read");
    let windows = format!("\u{FEFF}{}", CAMT054_V08.replace('\n', "\r\n"));
    let report = read_bank_report(windows.as_bytes()).expect("read CRLF");
    assert_eq!(report, reference);
}

#[test]
fn elements_of_other_namespaces_are_skipped() {
    let file = CAMT054_V08.replace(
        "<NtryRef>1</NtryRef>",
        "<x:NtryRef xmlns:x=\"urn:example:bank\">ignored</x:NtryRef><NtryRef>1</NtryRef>\
         <x:Amt xmlns:x=\"urn:example:bank\" Ccy=\"EUR\">-1</x:Amt>",
    );
    let reference = read_bank_report(CAMT054_V08.as_bytes()).expect("read");
    assert_eq!(read_bank_report(file.as_bytes()).expect("read"), reference);
}
