//! Hostile and random inputs: no writer panics, an error writes nothing, and whatever a writer
//! accepts is valid against the official schema.
//!
//! The inputs mix realistic values (valid IBANs, BICs and creditor references, long and
//! Persian names) with arbitrary text and numbers, so that both sides of every check are taken.
//! Every accepted file of a message is validated in one `xmllint` run.

use std::cell::{Cell, RefCell};
use std::path::PathBuf;

use iso20022::{
    Account, ActivationRequest, CreditTransfer, Entry, Iso20022Error, Notification, NotifiedEntry,
    Party, PaymentInitiation, PaymentRequest, ReferredDocument, Remittance, Statement,
    StatementAccount, StatusReport, TransactionStatus, write_camt053, write_camt054, write_pain001,
    write_pain002, write_pain013, write_request_csv, write_statement_csv,
};
use model::{Currency, Date};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::support::*;

/// Cases per message; each accepted one becomes a file for xmllint.
const CASES: u32 = 256;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        30 => "[a-zA-Z\u{600}-\u{6ff}]\\PC{0,199}",
        3 => "[a-zA-Z0-9&<>\"'-][a-zA-Z0-9 &<>\"'-]{0,39}",
        3 => Just(PERSIAN_NAME.to_owned()),
        1 => any::<String>(),
        1 => Just(" \u{7}\u{FFFF} ".to_owned()),
    ]
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        40 => "[a-zA-Z0-9-]{1,35}",
        1 => "\\PC{30,40}",
        1 => any::<String>(),
    ]
}

fn iban() -> impl Strategy<Value = String> {
    prop_oneof![
        40 => prop::sample::select(vec![
            "DE89370400440532013000",
            "de89 3704 0044 0532 0130 00",
            "FR1420041010050500013M02606",
            "IR062960000000100324200001",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn bic() -> impl Strategy<Value = String> {
    prop_oneof![
        40 => prop::sample::select(vec!["BYLADEM1001", "bkmtirth", "PSSTFRPPLYO"])
            .prop_map(str::to_owned),
        1 => "[A-Za-z0-9 ]{0,12}",
    ]
}

fn reference() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        30 => "[0-9A-Za-z]{1,21}"
            .prop_map(|base| Some(iso20022::creditor_reference(&base).expect("valid base"))),
        10 => Just(Some("RF18 5390 0754 7034".to_owned())),
        1 => any::<String>().prop_map(Some),
        1 => Just(None),
    ]
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        40 => 1_i64..10_000_000,
        1 => any::<i64>(),
        1 => Just(999_999_999_999_999_999_i64),
    ]
}

fn date() -> impl Strategy<Value = Date> {
    (1_u16..=9999, 1_u8..=12, 1_u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).expect("date"))
}

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        30 => prop::sample::select(vec![
            Currency::EUR,
            Currency::IRR,
            Currency::JPY,
            Currency::KWD,
        ]),
        1 => Just(Currency::XAU),
    ]
}

/// An account, its texts owned.
#[derive(Debug, Clone)]
struct OwnedAccount {
    name: String,
    iban: String,
    bic: String,
}

impl OwnedAccount {
    fn get(&self) -> Account<'_> {
        Account {
            name: &self.name,
            iban: &self.iban,
            bic: &self.bic,
        }
    }
}

fn account() -> impl Strategy<Value = OwnedAccount> {
    (text(), iban(), bic()).prop_map(|(name, iban, bic)| OwnedAccount { name, iban, bic })
}

/// A party, its texts owned.
#[derive(Debug, Clone)]
struct OwnedParty {
    name: String,
    iban: Option<String>,
    other_account: Option<String>,
    bic: Option<String>,
}

impl OwnedParty {
    fn get(&self) -> Party<'_> {
        Party {
            name: &self.name,
            iban: self.iban.as_deref(),
            other_account: self.other_account.as_deref(),
            bic: self.bic.as_deref(),
        }
    }
}

fn party() -> impl Strategy<Value = OwnedParty> {
    (
        text(),
        prop::option::of(iban()),
        prop::option::of(id()),
        prop::option::of(bic()),
    )
        .prop_map(|(name, iban, other_account, bic)| OwnedParty {
            name,
            iban,
            other_account,
            bic,
        })
}

/// A remittance, its texts owned.
#[derive(Debug, Clone)]
struct OwnedRemittance {
    reference: Option<String>,
    documents: Vec<(String, Option<Date>, Option<i64>)>,
    text: Option<String>,
}

impl OwnedRemittance {
    fn documents(&self) -> Vec<ReferredDocument<'_>> {
        let documents = self.documents.iter();
        documents
            .map(|(number, date, amount_minor)| ReferredDocument {
                number,
                date: *date,
                amount_minor: *amount_minor,
            })
            .collect()
    }

    fn get<'a>(&'a self, documents: &'a [ReferredDocument<'a>]) -> Remittance<'a> {
        Remittance {
            creditor_reference: self.reference.as_deref(),
            documents,
            text: self.text.as_deref(),
        }
    }
}

fn remittance() -> impl Strategy<Value = OwnedRemittance> {
    let document = (id(), prop::option::of(date()), prop::option::of(amount()));
    (
        reference(),
        prop::collection::vec(document, 0..4),
        prop::option::of(text()),
    )
        .prop_map(|(reference, documents, text)| OwnedRemittance {
            reference,
            documents,
            text,
        })
}

/// Collects the accepted files of one message, then validates them in one xmllint run.
///
/// Shared through `&self` because proptest runs the cases in an `Fn` closure.
struct Accepted {
    dir: tempfile::TempDir,
    files: RefCell<Vec<PathBuf>>,
    refused: Cell<usize>,
}

impl Accepted {
    fn new() -> Self {
        Accepted {
            dir: tempfile::tempdir().expect("temporary folder"),
            files: RefCell::new(Vec::new()),
            refused: Cell::new(0),
        }
    }

    /// Keeps a written file, or checks that a refusal wrote nothing.
    fn add(&self, result: Result<(), Iso20022Error>, bytes: Vec<u8>) {
        match result {
            Ok(()) => {
                let mut files = self.files.borrow_mut();
                let file = self.dir.path().join(format!("{}.xml", files.len()));
                std::fs::write(&file, bytes).expect("file written");
                files.push(file);
            }
            Err(error) => {
                assert!(bytes.is_empty(), "{error} but something was written");
                assert!(!error.to_string().is_empty());
                self.refused.set(self.refused.get() + 1);
            }
        }
    }

    fn validate(&self, message: &str) {
        let files = self.files.borrow();
        let refused = self.refused.get();
        assert!(
            !files.is_empty() && refused > 0,
            "{message}: {} accepted, {refused} refused; the inputs should reach both sides",
            files.len(),
        );
        eprintln!("{message}: {} accepted, {refused} refused", files.len());
        let schema = schema(message);
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&schema)
            .args(files.iter())
            .output()
            .expect("xmllint runs (Debian package libxml2-utils)");
        assert!(
            out.status.success(),
            "an accepted {message} is not valid: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A runner with a fixed seed: the same cases on every run, so a failure is reproduced by
/// running the test again.
fn runner() -> TestRunner {
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

#[test]
fn pain001_accepts_only_valid_files() {
    let transfer = (id(), account(), amount(), remittance());
    let strategy = (
        id(),
        any::<u64>(),
        date(),
        currency(),
        account(),
        text(),
        prop::collection::vec(transfer, 0..4),
        prop::option::of(text()),
    );
    let accepted = Accepted::new();
    runner()
        .run(
            &strategy,
            |(message_id, at, day, currency, debtor, party, ts, receipt)| {
                let documents: Vec<_> = ts.iter().map(|t| t.3.documents()).collect();
                let transfers: Vec<CreditTransfer<'_>> = ts
                    .iter()
                    .zip(&documents)
                    .map(
                        |((end_to_end_id, creditor, amount_minor, r), documents)| CreditTransfer {
                            end_to_end_id,
                            creditor: creditor.get(),
                            amount_minor: *amount_minor,
                            remittance: r.get(documents),
                        },
                    )
                    .collect();
                let p = PaymentInitiation {
                    message_id: &message_id,
                    created_at_ns: at,
                    execution_date: day,
                    currency,
                    debtor: debtor.get(),
                    initiating_party: &party,
                    transfers: &transfers,
                    receipt: receipt.as_deref(),
                };
                let mut out = Vec::new();
                let result = write_pain001(&p, &mut out);
                accepted.add(result, out);
                Ok(())
            },
        )
        .expect("no case fails");
    accepted.validate("pain.001.001.09");
}

#[test]
fn pain013_accepts_only_valid_files() {
    // Requested dates before the expiry, expiries after the creation, mostly.
    let day = (1970_u16..=2116, 1_u8..=12, 1_u8..=28)
        .prop_map(|(y, m, d)| Date::new(y, m, d).expect("date"));
    let expiry = prop_oneof![4 => (1_u64 << 62)..u64::MAX, 1 => any::<u64>()];
    let request = (id(), id(), account(), amount(), day, expiry, remittance());
    let strategy = (
        id(),
        0_u64..1 << 62,
        text(),
        currency(),
        account(),
        prop::collection::vec(request, 0..4),
    );
    let accepted = Accepted::new();
    let csv_accepted = Cell::new(0_usize);
    runner()
        .run(
            &strategy,
            |(message_id, at, party, currency, creditor, qs)| {
                let documents: Vec<_> = qs.iter().map(|q| q.6.documents()).collect();
                let requests: Vec<PaymentRequest<'_>> = qs
                    .iter()
                    .zip(&documents)
                    .map(
                        |((pmt, e2e, debtor, amount_minor, day, expiry, r), documents)| {
                            PaymentRequest {
                                payment_information_id: pmt,
                                end_to_end_id: e2e,
                                debtor: debtor.get(),
                                amount_minor: *amount_minor,
                                requested_execution_date: *day,
                                expiry_ns: *expiry,
                                remittance: r.get(documents),
                            }
                        },
                    )
                    .collect();
                let r = ActivationRequest {
                    message_id: &message_id,
                    created_at_ns: at,
                    initiating_party: &party,
                    currency,
                    creditor: creditor.get(),
                    requests: &requests,
                    receipt: Some("audit:1:00"),
                };
                let mut out = Vec::new();
                let result = write_pain013(&r, &mut out);
                let ok = result.is_ok();
                accepted.add(result, out);
                // The CSV twin is written exactly when the XML is.
                let mut csv = Vec::new();
                assert_eq!(write_request_csv(&r, &mut csv).is_ok(), ok);
                csv_accepted.set(csv_accepted.get() + usize::from(ok));
                Ok(())
            },
        )
        .expect("no case fails");
    accepted.validate("pain.013.001.08");
    assert!(csv_accepted.get() > 0);
}

#[test]
fn camt053_accepts_only_valid_files() {
    let entry = (
        id(),
        any::<u64>(),
        amount(),
        any::<bool>(),
        prop::option::of(party()),
        prop::option::of(party()),
        prop::option::of(id()),
        remittance(),
        text(),
    );
    let statement_account = (
        prop::option::of(iban()),
        prop::option::of(id()),
        text(),
        text(),
        prop::option::of(bic()),
        prop::option::of(text()),
    );
    let strategy = (
        (
            id(),
            id(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
        ),
        currency(),
        statement_account,
        prop::option::of(account()),
        any::<i64>().prop_map(|v| v % 1_000_000_000_000),
        prop::collection::vec(entry, 0..4),
    );
    let accepted = Accepted::new();
    runner()
        .run(&strategy, |(head, currency, a, related, opening, es)| {
            let (message_id, statement_id, at, sequence, from, to) = head;
            let documents: Vec<_> = es.iter().map(|e| e.7.documents()).collect();
            let entries: Vec<Entry<'_>> = es
                .iter()
                .zip(&documents)
                .map(|(e, documents)| Entry {
                    reference: &e.0,
                    booked_at_ns: e.1,
                    amount_minor: e.2,
                    credit: e.3,
                    debtor: e.4.as_ref().map(OwnedParty::get),
                    creditor: e.5.as_ref().map(OwnedParty::get),
                    end_to_end_id: e.6.as_deref(),
                    remittance: e.7.get(documents),
                    description: &e.8,
                })
                .collect();
            let s = Statement {
                message_id: &message_id,
                statement_id: &statement_id,
                created_at_ns: at,
                sequence: sequence % 2_000_000_000_000_000_000,
                from_ns: from.min(to),
                to_ns: if from % 30 == 0 {
                    from.min(to) - 1
                } else {
                    from.max(to)
                },
                currency,
                account: StatementAccount {
                    iban: a.0.as_deref(),
                    other_id: a.1.as_deref(),
                    name: &a.2,
                    owner: &a.3,
                    servicer_bic: a.4.as_deref(),
                    servicer_name: a.5.as_deref(),
                },
                related_account: related.as_ref().map(OwnedAccount::get),
                opening_balance_minor: opening,
                entries: &entries,
                receipt: Some("audit:1:00"),
            };
            let mut out = Vec::new();
            let result = write_camt053(&s, &mut out);
            let ok = result.is_ok();
            accepted.add(result, out);
            let mut csv = Vec::new();
            assert_eq!(write_statement_csv(&s, &mut csv).is_ok(), ok);
            Ok(())
        })
        .expect("no case fails");
    accepted.validate("camt.053.001.08");
}

#[test]
fn camt054_accepts_only_valid_files() {
    let entry = (
        id(),
        any::<u64>(),
        amount(),
        any::<bool>(),
        prop::option::of(id()),
        prop::option::of(party()),
        remittance(),
    );
    let strategy = (
        id(),
        id(),
        any::<u64>(),
        currency(),
        account(),
        prop::collection::vec(entry, 0..4),
    );
    let accepted = Accepted::new();
    runner()
        .run(
            &strategy,
            |(message_id, notification_id, at, currency, account, es)| {
                let documents: Vec<_> = es.iter().map(|e| e.6.documents()).collect();
                let entries: Vec<NotifiedEntry<'_>> = es
                    .iter()
                    .zip(&documents)
                    .map(|(e, documents)| NotifiedEntry {
                        account_servicer_reference: &e.0,
                        booked_at_ns: e.1,
                        amount_minor: e.2,
                        credit: e.3,
                        end_to_end_id: e.4.as_deref(),
                        counterparty: e.5.as_ref().map(OwnedParty::get),
                        remittance: e.6.get(documents),
                    })
                    .collect();
                let n = Notification {
                    message_id: &message_id,
                    notification_id: &notification_id,
                    created_at_ns: at,
                    currency,
                    account: account.get(),
                    entries: &entries,
                };
                let mut out = Vec::new();
                let result = write_camt054(&n, &mut out);
                accepted.add(result, out);
                Ok(())
            },
        )
        .expect("no case fails");
    accepted.validate("camt.054.001.08");
}

#[test]
fn pain002_accepts_only_valid_files() {
    let code = || {
        prop_oneof![
            30 => prop::sample::select(vec!["ACCP", "ACSC", "RJCT", "AC01", "AM04", "PDNG"])
                .prop_map(str::to_owned),
            1 => "[A-Za-z0-9]{0,6}",
        ]
    };
    let status = (
        id(),
        code(),
        prop::option::of(code()),
        prop::option::of(text()),
    );
    let strategy = (
        id(),
        any::<u64>(),
        id(),
        id(),
        id(),
        prop::collection::vec(status, 0..4),
    );
    let accepted = Accepted::new();
    runner()
        .run(&strategy, |(message_id, at, original, name, pmt, ts)| {
            let transactions: Vec<TransactionStatus<'_>> = ts
                .iter()
                .map(|(e2e, status, reason, info)| TransactionStatus {
                    original_end_to_end_id: e2e,
                    status,
                    reason: reason.as_deref(),
                    additional_info: info.as_deref(),
                })
                .collect();
            let r = StatusReport {
                message_id: &message_id,
                created_at_ns: at,
                original_message_id: &original,
                original_message_name: &name,
                original_payment_information_id: &pmt,
                transactions: &transactions,
            };
            let mut out = Vec::new();
            let result = write_pain002(&r, &mut out);
            accepted.add(result, out);
            Ok(())
        })
        .expect("no case fails");
    accepted.validate("pain.002.001.10");
}
