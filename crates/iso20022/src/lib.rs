//! The settlement files of a clearing cycle: ISO 20022 payment initiations and statements.
//!
//! - [`write_pain001`] writes a customer credit transfer initiation (pain.001.001.09): the zone's
//!   house account pays every payee of a cycle, one transaction per payee, in one payment
//!   information block;
//! - [`write_camt053`] writes a bank-to-customer statement (camt.053.001.08) of one participant's
//!   account for one cycle: opening and closing balance, totals, one entry per booking;
//! - [`write_statement_csv`] writes the same statement as CSV, for people and spreadsheets.
//!
//! The writers are pure: they read no clock (instants come in as UTC nanoseconds since the Unix
//! epoch, printed by [`utc_timestamp`] and [`utc_date`]), hold no state and do no I/O beyond the
//! `impl Write` they are given. The same input gives the same bytes.
//!
//! Every input is checked before the first byte is written, so an error other than
//! [`Iso20022Error::Io`] leaves the output untouched. The rules:
//!
//! - identifiers (message, statement and end-to-end ids, entry references) have 1 to
//!   [`ID_LEN_MAX`] characters and no control character (ISO `Max35Text`); an identifier is never
//!   shortened, since two shortened ids could collide;
//! - names and texts lose their control characters and surrounding whitespace, then are cut to
//!   [`NAME_LEN_MAX`] characters ([`ACCOUNT_NAME_LEN_MAX`] for the statement's account name, which
//!   is a `Max70Text`), on a character boundary; a name left empty is an error, a remittance or
//!   description left empty is omitted;
//! - amounts are integers in minor units, printed with the currency's ISO 4217 exponent (never
//!   through a float) and at most [`AMOUNT_DIGITS_MAX`] digits, the `totalDigits` of the schemas;
//!   totals are summed in checked `i128` and must fit the same limit;
//! - all text is XML-escaped by quick-xml, so `&`, `<` and quotes in names are safe.
//!
//! IBANs and BICs are taken as the caller validated them; they are only escaped and freed of
//! control characters.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, BufWriter, Write};

use model::calendar::{utc_date, utc_timestamp};
use model::currency::{CurrencyError, minor_unit_exponent};
use model::{Currency, Date};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

pub mod read;

/// The most credit transfers in one payment initiation.
pub const TRANSFERS_MAX: usize = 100_000;
/// The most entries in one statement.
pub const ENTRIES_MAX: usize = 100_000;
/// The longest identifier, in characters (ISO `Max35Text`).
pub const ID_LEN_MAX: usize = 35;
/// Names and unstructured remittance texts are cut to this many characters (ISO `Max140Text`).
pub const NAME_LEN_MAX: usize = 140;
/// The statement's account name is cut to this many characters (`Acct/Nm` is a `Max70Text`).
pub const ACCOUNT_NAME_LEN_MAX: usize = 70;
/// The most digits of an amount or total (the `totalDigits` of the schemas' amounts).
pub const AMOUNT_DIGITS_MAX: usize = 18;
/// The largest amount or total magnitude in minor units: [`AMOUNT_DIGITS_MAX`] nines.
pub const AMOUNT_MINOR_MAX: i64 = 999_999_999_999_999_999;
/// The largest electronic sequence number (`ElctrncSeqNb` has at most 18 digits).
pub const SEQUENCE_MAX: u64 = 999_999_999_999_999_999;
/// The XML namespace of pain.001.001.09.
pub const PAIN001_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";
/// The XML namespace of camt.053.001.08.
pub const CAMT053_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08";
/// The proprietary bank transaction code of every statement entry (`BkTxCd/Prtry/Cd`).
pub const BANK_TRANSACTION_CODE: &str = "CLEARING";
/// The header line of [`write_statement_csv`].
pub const STATEMENT_CSV_HEADER: &str =
    "booked_at,reference,direction,amount,currency,counterparty,description,balance";

/// What the journal heads carried in a file are called there.
pub const RECEIPT_PLACE: &str = "Clearhouse journal heads";
/// Longest receipt text carried (camt.053 `AddtlStmtInf` takes 500 characters).
pub const RECEIPT_LEN_MAX: usize = 450;

/// An account at a bank, already validated by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account<'a> {
    /// The account holder's name.
    pub name: &'a str,
    /// The account's IBAN.
    pub iban: &'a str,
    /// The BIC of the bank that keeps the account.
    pub bic: &'a str,
}

/// One credit transfer: one payment per payee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditTransfer<'a> {
    /// The end-to-end id, at most [`ID_LEN_MAX`] characters, unique in the initiation.
    pub end_to_end_id: &'a str,
    /// The payee.
    pub creditor: Account<'a>,
    /// The amount, positive, in minor units of the batch currency.
    pub amount_minor: i64,
    /// Unstructured remittance information, cut to [`NAME_LEN_MAX`] characters.
    pub remittance: &'a str,
}

/// A payment initiation: the zone's house account pays every payee of a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentInitiation<'a> {
    /// The message id, at most [`ID_LEN_MAX`] characters; also the payment information id.
    pub message_id: &'a str,
    /// When the message was created, in UTC nanoseconds since the Unix epoch.
    pub created_at_ns: u64,
    /// The requested execution date.
    pub execution_date: Date,
    /// The currency of every transfer.
    pub currency: Currency,
    /// The paying account: the zone house account.
    pub debtor: Account<'a>,
    /// The name of the party that initiates the payments.
    pub initiating_party: &'a str,
    /// The transfers, 1 to [`TRANSFERS_MAX`].
    pub transfers: &'a [CreditTransfer<'a>],
    /// The journal heads the file was written at (`audit:SEQ:HASH ledger:SEQ:HASH`), carried
    /// as supplementary data so that whoever keeps the file keeps a receipt of the history.
    pub receipt: Option<&'a str>,
}

/// One booked entry on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The account servicer's reference, at most [`ID_LEN_MAX`] characters, unique in the
    /// statement.
    pub reference: &'a str,
    /// When the entry was booked, in UTC nanoseconds since the Unix epoch.
    pub booked_at_ns: u64,
    /// The amount, positive, in minor units of the statement currency.
    pub amount_minor: i64,
    /// From the account holder's view: a credit (`CRDT`, true) or a debit (`DBIT`, false).
    pub credit: bool,
    /// The name of the other side, if any: the debtor of a credit, the creditor of a debit.
    pub counterparty: Option<&'a str>,
    /// What the entry is, such as "claim c-17 cleared in cycle 3".
    pub description: &'a str,
}

/// A statement of one participant's account for one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement<'a> {
    /// The message id, at most [`ID_LEN_MAX`] characters.
    pub message_id: &'a str,
    /// The statement id, at most [`ID_LEN_MAX`] characters.
    pub statement_id: &'a str,
    /// When the statement was created, in UTC nanoseconds since the Unix epoch.
    pub created_at_ns: u64,
    /// The electronic sequence number, at most [`SEQUENCE_MAX`].
    pub sequence: u64,
    /// The start of the period, in UTC nanoseconds since the Unix epoch.
    pub from_ns: u64,
    /// The end of the period, not before its start.
    pub to_ns: u64,
    /// The account currency.
    pub currency: Currency,
    /// The account reported on.
    pub account: Account<'a>,
    /// The BIC of the account servicer: the zone house.
    pub servicer_bic: &'a str,
    /// The balance at the start of the period in minor units: positive is a credit balance.
    pub opening_balance_minor: i64,
    /// The entries of the period, at most [`ENTRIES_MAX`], in booking order.
    pub entries: &'a [Entry<'a>],
    /// The journal heads the statement was written at, as additional statement information
    /// (camt.053) or a last `receipt` row (CSV).
    pub receipt: Option<&'a str>,
}

/// Why a settlement file was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Iso20022Error {
    /// Writing to the output failed; part of the file may have been written.
    #[error("writing the settlement file failed: {source}")]
    Io {
        /// The error of the output.
        #[from]
        source: io::Error,
    },
    /// An input field was rejected; nothing was written.
    #[error("invalid {field}: {problem}")]
    Field {
        /// The path of the field, such as `transfers[3].amount_minor`.
        field: String,
        /// What is wrong with it.
        problem: FieldProblem,
    },
    /// The payment initiation has more than [`TRANSFERS_MAX`] transfers; nothing was written.
    #[error("{count} transfers in one payment initiation, more than the {TRANSFERS_MAX} allowed")]
    TooManyTransfers {
        /// The number of transfers given.
        count: usize,
    },
    /// The statement has more than [`ENTRIES_MAX`] entries; nothing was written.
    #[error("{count} entries in one statement, more than the {ENTRIES_MAX} allowed")]
    TooManyEntries {
        /// The number of entries given.
        count: usize,
    },
    /// A computed total does not fit in [`AMOUNT_DIGITS_MAX`] digits; nothing was written.
    #[error("the {total} does not fit in {AMOUNT_DIGITS_MAX} digits")]
    Overflow {
        /// The total, such as "closing balance".
        total: String,
    },
}

/// What is wrong with an input field (see [`Iso20022Error::Field`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldProblem {
    /// Empty, or nothing left once control characters and surrounding whitespace are removed.
    #[error("must not be empty")]
    Empty,
    /// An identifier longer than allowed, counted in characters.
    #[error("has {len} characters, more than the {max} allowed")]
    TooLong {
        /// The length in characters.
        len: usize,
        /// The largest length allowed.
        max: usize,
    },
    /// An identifier with a control character.
    #[error("contains a control character at character {index}")]
    ControlCharacter {
        /// Its position, counted in characters from 0.
        index: usize,
    },
    /// An amount that is zero or negative.
    #[error("must be positive, got {amount_minor}")]
    NotPositive {
        /// The rejected amount in minor units.
        amount_minor: i64,
    },
    /// A number with more digits than the schema allows.
    #[error("has more than {max} digits")]
    TooManyDigits {
        /// The most digits allowed.
        max: usize,
    },
    /// An identifier that an earlier item already uses.
    #[error("repeats the one at index {first_index}")]
    Duplicate {
        /// The index of the first item with that identifier.
        first_index: usize,
    },
    /// An instant before the start it must follow.
    #[error("is before {start_field}")]
    BeforeStart {
        /// The field holding the start.
        start_field: &'static str,
    },
    /// A currency that cannot hold money.
    #[error("{0}")]
    Currency(CurrencyError),
}

fn field_error(field: impl Into<String>, problem: FieldProblem) -> Iso20022Error {
    Iso20022Error::Field {
        field: field.into(),
        problem,
    }
}

fn overflow(total: impl Into<String>) -> Iso20022Error {
    Iso20022Error::Overflow {
        total: total.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Checking and cleaning

/// Checks an identifier: 1 to [`ID_LEN_MAX`] characters, none of them a control character.
fn check_id(value: &str) -> Result<&str, FieldProblem> {
    if value.is_empty() {
        return Err(FieldProblem::Empty);
    }
    if let Some(index) = value.chars().position(char::is_control) {
        return Err(FieldProblem::ControlCharacter { index });
    }
    let len = value.chars().count();
    if len > ID_LEN_MAX {
        return Err(FieldProblem::TooLong {
            len,
            max: ID_LEN_MAX,
        });
    }
    Ok(value)
}

/// Drops control characters, trims whitespace and cuts to `len_max` characters.
///
/// Borrows when there is no control character to drop.
fn clean_text(value: &str, len_max: usize) -> Cow<'_, str> {
    if value.chars().any(char::is_control) {
        let kept: String = value.chars().filter(|c| !c.is_control()).collect();
        Cow::Owned(trim_and_cut(&kept, len_max).to_owned())
    } else {
        Cow::Borrowed(trim_and_cut(value, len_max))
    }
}

/// Trims whitespace and cuts to `len_max` characters (on a character boundary), then trims the
/// whitespace the cut may have left at the end.
fn trim_and_cut(text: &str, len_max: usize) -> &str {
    let trimmed = text.trim();
    match trimmed.char_indices().nth(len_max) {
        Some((end, _)) => trimmed[..end].trim_end(),
        None => trimmed,
    }
}

/// A cleaned name (see [`clean_text`]) that must not be empty.
fn required_text(value: &str, len_max: usize) -> Result<Cow<'_, str>, FieldProblem> {
    let text = clean_text(value, len_max);
    if text.is_empty() {
        return Err(FieldProblem::Empty);
    }
    Ok(text)
}

/// A cleaned free text (see [`clean_text`]), `None` when nothing is left.
fn optional_text(value: &str, len_max: usize) -> Option<Cow<'_, str>> {
    Some(clean_text(value, len_max)).filter(|text| !text.is_empty())
}

/// Checks the amount of one transfer or entry: positive and at most [`AMOUNT_MINOR_MAX`].
fn check_amount(amount_minor: i64) -> Result<i64, FieldProblem> {
    if amount_minor <= 0 {
        return Err(FieldProblem::NotPositive { amount_minor });
    }
    if amount_minor > AMOUNT_MINOR_MAX {
        return Err(FieldProblem::TooManyDigits {
            max: AMOUNT_DIGITS_MAX,
        });
    }
    Ok(amount_minor)
}

/// Checks that a total fits in [`AMOUNT_DIGITS_MAX`] digits.
fn check_total(value_minor: i128, total: &str) -> Result<i128, Iso20022Error> {
    if value_minor.unsigned_abs() > AMOUNT_MINOR_MAX.unsigned_abs().into() {
        return Err(overflow(total));
    }
    Ok(value_minor)
}

fn add(a_minor: i128, b_minor: i128, total: &str) -> Result<i128, Iso20022Error> {
    a_minor.checked_add(b_minor).ok_or_else(|| overflow(total))
}

fn currency_exponent(currency: Currency) -> Result<u8, Iso20022Error> {
    minor_unit_exponent(currency).map_err(|e| field_error("currency", FieldProblem::Currency(e)))
}

/// Prints minor units in major units: 123450 with exponent 2 is `1234.50`, with 0 `123450`.
///
/// Negative values get a leading `-`. The exponent is at most 4 (ISO 4217), so `10^exponent`
/// fits easily.
fn format_minor(value_minor: i128, exponent: u8) -> String {
    let sign = if value_minor < 0 { "-" } else { "" };
    let magnitude = value_minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{magnitude}");
    }
    let scale = 10u128.pow(u32::from(exponent));
    let width = usize::from(exponent);
    let whole = magnitude / scale;
    let fraction = magnitude % scale;
    format!("{sign}{whole}.{fraction:0width$}")
}

/// An account with its texts cleaned.
#[derive(Debug)]
struct CleanAccount<'a> {
    name: Cow<'a, str>,
    iban: Cow<'a, str>,
    bic: Cow<'a, str>,
}

impl<'a> CleanAccount<'a> {
    fn new(account: &Account<'a>, field: &str, name_len_max: usize) -> Result<Self, Iso20022Error> {
        let part = |name: &str, value: &'a str, len_max: usize| {
            required_text(value, len_max).map_err(|p| field_error(format!("{field}.{name}"), p))
        };
        Ok(CleanAccount {
            name: part("name", account.name, name_len_max)?,
            iban: part("iban", account.iban, usize::MAX)?,
            bic: part("bic", account.bic, usize::MAX)?,
        })
    }
}

/// Remembers the identifiers seen so far and refuses a repeat.
#[derive(Debug, Default)]
struct Unique<'a> {
    seen: HashMap<&'a str, usize>,
}

impl<'a> Unique<'a> {
    fn check(&mut self, id: &'a str, index: usize) -> Result<(), FieldProblem> {
        match self.seen.insert(id, index) {
            Some(first_index) => Err(FieldProblem::Duplicate { first_index }),
            None => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// XML

/// A thin layer over quick-xml's writer: elements, text, amounts, all escaped by quick-xml.
struct Xml<W: Write> {
    writer: Writer<BufWriter<W>>,
}

impl<W: Write> Xml<W> {
    /// Starts a document: the XML declaration and `<Document xmlns="namespace">`.
    fn start(out: W, namespace: &str) -> io::Result<Self> {
        let mut writer = Writer::new_with_indent(BufWriter::new(out), b' ', 2);
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let root = BytesStart::new("Document").with_attributes([("xmlns", namespace)]);
        writer.write_event(Event::Start(root))?;
        Ok(Xml { writer })
    }

    /// Closes `</Document>`, ends the file with a line break and flushes.
    fn finish(mut self) -> io::Result<()> {
        self.close("Document")?;
        let mut out = self.writer.into_inner();
        out.write_all(b"\n")?;
        out.flush()
    }

    fn open(&mut self, name: &str) -> io::Result<()> {
        self.writer.write_event(Event::Start(BytesStart::new(name)))
    }

    fn close(&mut self, name: &str) -> io::Result<()> {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// `<name>text</name>`.
    fn text(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.writer
            .create_element(name)
            .write_text_content(BytesText::new(text))?;
        Ok(())
    }

    /// `<a><b><c>text</c></b></a>` for the path `[a, b, c]`.
    fn path(&mut self, path: &[&str], text: &str) -> io::Result<()> {
        let Some((leaf, parents)) = path.split_last() else {
            return Ok(());
        };
        for parent in parents {
            self.open(parent)?;
        }
        self.text(leaf, text)?;
        for parent in parents.iter().rev() {
            self.close(parent)?;
        }
        Ok(())
    }

    /// `<name Ccy="EUR">1234.50</name>`.
    fn amount(&mut self, name: &str, amount: &str, currency: Currency) -> io::Result<()> {
        self.writer
            .create_element(name)
            .with_attribute(("Ccy", currency.code()))
            .write_text_content(BytesText::new(amount))?;
        Ok(())
    }
}

fn credit_debit(credit: bool) -> &'static str {
    if credit { "CRDT" } else { "DBIT" }
}

// ---------------------------------------------------------------------------------------------
// pain.001

/// A payment initiation checked and cleaned, ready to print.
#[derive(Debug)]
struct PainPlan<'a> {
    p: &'a PaymentInitiation<'a>,
    exponent: u8,
    control_sum: String,
    initiating_party: Cow<'a, str>,
    debtor: CleanAccount<'a>,
    transfers: Vec<PainTransfer<'a>>,
}

#[derive(Debug)]
struct PainTransfer<'a> {
    end_to_end_id: &'a str,
    creditor: CleanAccount<'a>,
    amount_minor: i64,
    remittance: Option<Cow<'a, str>>,
}

impl<'a> PainPlan<'a> {
    fn new(p: &'a PaymentInitiation<'a>) -> Result<Self, Iso20022Error> {
        check_id(p.message_id).map_err(|e| field_error("message_id", e))?;
        let exponent = currency_exponent(p.currency)?;
        let initiating_party = required_text(p.initiating_party, NAME_LEN_MAX)
            .map_err(|e| field_error("initiating_party", e))?;
        let debtor = CleanAccount::new(&p.debtor, "debtor", NAME_LEN_MAX)?;
        if p.transfers.len() > TRANSFERS_MAX {
            return Err(Iso20022Error::TooManyTransfers {
                count: p.transfers.len(),
            });
        }
        if p.transfers.is_empty() {
            return Err(field_error("transfers", FieldProblem::Empty));
        }
        let mut unique = Unique::default();
        let mut sum_minor: i128 = 0;
        let mut transfers = Vec::with_capacity(p.transfers.len());
        for (i, t) in p.transfers.iter().enumerate() {
            let at = |name: &str| format!("transfers[{i}].{name}");
            let end_to_end_id = check_id(t.end_to_end_id)
                .and_then(|id| unique.check(id, i).map(|()| id))
                .map_err(|e| field_error(at("end_to_end_id"), e))?;
            let creditor = CleanAccount::new(&t.creditor, &at("creditor"), NAME_LEN_MAX)?;
            let amount_minor =
                check_amount(t.amount_minor).map_err(|e| field_error(at("amount_minor"), e))?;
            sum_minor = add(sum_minor, amount_minor.into(), "control sum")?;
            transfers.push(PainTransfer {
                end_to_end_id,
                creditor,
                amount_minor,
                remittance: optional_text(t.remittance, NAME_LEN_MAX),
            });
        }
        let control_sum = format_minor(check_total(sum_minor, "control sum")?, exponent);
        Ok(PainPlan {
            p,
            exponent,
            control_sum,
            initiating_party,
            debtor,
            transfers,
        })
    }

    fn write<W: Write>(&self, xml: &mut Xml<W>) -> io::Result<()> {
        let count = self.transfers.len().to_string();
        xml.open("CstmrCdtTrfInitn")?;
        xml.open("GrpHdr")?;
        xml.text("MsgId", self.p.message_id)?;
        xml.text("CreDtTm", &utc_timestamp(self.p.created_at_ns))?;
        xml.text("NbOfTxs", &count)?;
        xml.text("CtrlSum", &self.control_sum)?;
        xml.path(&["InitgPty", "Nm"], &self.initiating_party)?;
        xml.close("GrpHdr")?;
        xml.open("PmtInf")?;
        xml.text("PmtInfId", self.p.message_id)?;
        xml.text("PmtMtd", "TRF")?;
        xml.text("NbOfTxs", &count)?;
        xml.text("CtrlSum", &self.control_sum)?;
        xml.path(&["ReqdExctnDt", "Dt"], &self.p.execution_date.to_string())?;
        xml.path(&["Dbtr", "Nm"], &self.debtor.name)?;
        xml.path(&["DbtrAcct", "Id", "IBAN"], &self.debtor.iban)?;
        xml.path(&["DbtrAgt", "FinInstnId", "BICFI"], &self.debtor.bic)?;
        xml.text("ChrgBr", "SLEV")?;
        for transfer in &self.transfers {
            self.write_transfer(xml, transfer)?;
        }
        xml.close("PmtInf")?;
        if let Some(receipt) = self.p.receipt {
            xml.open("SplmtryData")?;
            xml.text("PlcAndNm", RECEIPT_PLACE)?;
            xml.path(&["Envlp", "JrnlHds"], &clean_text(receipt, RECEIPT_LEN_MAX))?;
            xml.close("SplmtryData")?;
        }
        xml.close("CstmrCdtTrfInitn")
    }

    fn write_transfer<W: Write>(&self, xml: &mut Xml<W>, t: &PainTransfer<'_>) -> io::Result<()> {
        xml.open("CdtTrfTxInf")?;
        xml.path(&["PmtId", "EndToEndId"], t.end_to_end_id)?;
        xml.open("Amt")?;
        let amount = format_minor(t.amount_minor.into(), self.exponent);
        xml.amount("InstdAmt", &amount, self.p.currency)?;
        xml.close("Amt")?;
        xml.path(&["CdtrAgt", "FinInstnId", "BICFI"], &t.creditor.bic)?;
        xml.path(&["Cdtr", "Nm"], &t.creditor.name)?;
        xml.path(&["CdtrAcct", "Id", "IBAN"], &t.creditor.iban)?;
        if let Some(remittance) = &t.remittance {
            xml.path(&["RmtInf", "Ustrd"], remittance)?;
        }
        xml.close("CdtTrfTxInf")
    }
}

/// Writes a pain.001.001.09 customer credit transfer initiation: one payment information block
/// in which `p.debtor` pays each transfer's creditor.
///
/// The group header and the payment information carry the number of transactions and the
/// control sum (the sum of the amounts in major units); charges are shared (`SLEV`). The input is
/// checked before anything is written (see the [module](self) documentation); errors name the
/// field, such as `transfers[3].amount_minor`.
pub fn write_pain001(p: &PaymentInitiation<'_>, out: impl Write) -> Result<(), Iso20022Error> {
    let plan = PainPlan::new(p)?;
    let mut xml = Xml::start(out, PAIN001_NAMESPACE)?;
    plan.write(&mut xml)?;
    xml.finish()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Statements

/// A statement checked and cleaned, with its totals and running balances.
#[derive(Debug)]
struct StatementPlan<'a> {
    s: &'a Statement<'a>,
    exponent: u8,
    account: CleanAccount<'a>,
    servicer_bic: Cow<'a, str>,
    entries: Vec<StatementEntry<'a>>,
    credit_count: usize,
    credit_sum_minor: i128,
    debit_count: usize,
    debit_sum_minor: i128,
    /// The sum of all entry amounts, credits and debits alike.
    sum_minor: i128,
    /// Credits minus debits.
    net_minor: i128,
    closing_minor: i128,
}

#[derive(Debug)]
struct StatementEntry<'a> {
    entry: &'a Entry<'a>,
    counterparty: Option<Cow<'a, str>>,
    description: Option<Cow<'a, str>>,
    /// The balance after this entry.
    balance_minor: i128,
}

impl<'a> StatementPlan<'a> {
    fn new(s: &'a Statement<'a>) -> Result<Self, Iso20022Error> {
        check_id(s.message_id).map_err(|e| field_error("message_id", e))?;
        check_id(s.statement_id).map_err(|e| field_error("statement_id", e))?;
        if s.sequence > SEQUENCE_MAX {
            let max = AMOUNT_DIGITS_MAX;
            return Err(field_error("sequence", FieldProblem::TooManyDigits { max }));
        }
        if s.to_ns < s.from_ns {
            let start_field = "from_ns";
            return Err(field_error(
                "to_ns",
                FieldProblem::BeforeStart { start_field },
            ));
        }
        let exponent = currency_exponent(s.currency)?;
        let account = CleanAccount::new(&s.account, "account", ACCOUNT_NAME_LEN_MAX)?;
        let servicer_bic = required_text(s.servicer_bic, usize::MAX)
            .map_err(|e| field_error("servicer_bic", e))?;
        if s.opening_balance_minor.unsigned_abs() > AMOUNT_MINOR_MAX.unsigned_abs() {
            let max = AMOUNT_DIGITS_MAX;
            let problem = FieldProblem::TooManyDigits { max };
            return Err(field_error("opening_balance_minor", problem));
        }
        if s.entries.len() > ENTRIES_MAX {
            let count = s.entries.len();
            return Err(Iso20022Error::TooManyEntries { count });
        }
        let mut plan = StatementPlan {
            s,
            exponent,
            account,
            servicer_bic,
            entries: Vec::with_capacity(s.entries.len()),
            credit_count: 0,
            credit_sum_minor: 0,
            debit_count: 0,
            debit_sum_minor: 0,
            sum_minor: 0,
            net_minor: 0,
            closing_minor: s.opening_balance_minor.into(),
        };
        plan.add_entries()?;
        plan.add_totals()?;
        Ok(plan)
    }

    /// Checks every entry and accumulates the totals and the running balance.
    fn add_entries(&mut self) -> Result<(), Iso20022Error> {
        let s = self.s;
        let mut unique = Unique::default();
        for (i, entry) in s.entries.iter().enumerate() {
            let at = |name: &str| format!("entries[{i}].{name}");
            check_id(entry.reference)
                .and_then(|id| unique.check(id, i))
                .map_err(|e| field_error(at("reference"), e))?;
            let amount_minor = i128::from(
                check_amount(entry.amount_minor).map_err(|e| field_error(at("amount_minor"), e))?,
            );
            let counterparty = entry
                .counterparty
                .map(|name| required_text(name, NAME_LEN_MAX))
                .transpose()
                .map_err(|e| field_error(at("counterparty"), e))?;
            let (sum_minor, delta_minor) = if entry.credit {
                self.credit_count += 1;
                (&mut self.credit_sum_minor, amount_minor)
            } else {
                self.debit_count += 1;
                (&mut self.debit_sum_minor, -amount_minor)
            };
            *sum_minor = add(*sum_minor, amount_minor, "sum of entries")?;
            self.closing_minor = add(self.closing_minor, delta_minor, "running balance")?;
            self.entries.push(StatementEntry {
                entry,
                counterparty,
                description: optional_text(entry.description, NAME_LEN_MAX),
                balance_minor: self.closing_minor,
            });
        }
        Ok(())
    }

    /// Computes the sum and the net of the entries and checks that every total the camt.053
    /// shows fits the schema's digits.
    fn add_totals(&mut self) -> Result<(), Iso20022Error> {
        let (credits, debits) = (self.credit_sum_minor, self.debit_sum_minor);
        check_total(credits, "sum of credit entries")?;
        check_total(debits, "sum of debit entries")?;
        self.sum_minor = check_total(add(credits, debits, "sum of entries")?, "sum of entries")?;
        let net_minor = add(credits, -debits, "net sum of entries")?;
        self.net_minor = check_total(net_minor, "net sum of entries")?;
        check_total(self.closing_minor, "closing balance")?;
        Ok(())
    }

    fn amount(&self, value_minor: i128) -> String {
        format_minor(value_minor, self.exponent)
    }
}

/// Writes `<Bal>` with the balance type code, the absolute amount and its side.
fn write_balance<W: Write>(
    xml: &mut Xml<W>,
    plan: &StatementPlan<'_>,
    code: &str,
    balance_minor: i128,
    at_ns: u64,
) -> io::Result<()> {
    xml.open("Bal")?;
    xml.path(&["Tp", "CdOrPrtry", "Cd"], code)?;
    let amount = plan.amount(balance_minor.abs());
    xml.amount("Amt", &amount, plan.s.currency)?;
    xml.text("CdtDbtInd", credit_debit(balance_minor >= 0))?;
    xml.path(&["Dt", "DtTm"], &utc_timestamp(at_ns))?;
    xml.close("Bal")
}

/// Writes `<TxsSummry>`: all entries (count, sum of amounts, net amount and side), then the
/// credits and the debits (count and sum).
fn write_summary<W: Write>(xml: &mut Xml<W>, plan: &StatementPlan<'_>) -> io::Result<()> {
    xml.open("TxsSummry")?;
    xml.open("TtlNtries")?;
    xml.text("NbOfNtries", &plan.entries.len().to_string())?;
    xml.text("Sum", &plan.amount(plan.sum_minor))?;
    xml.open("TtlNetNtry")?;
    xml.text("Amt", &plan.amount(plan.net_minor.abs()))?;
    xml.text("CdtDbtInd", credit_debit(plan.net_minor >= 0))?;
    xml.close("TtlNetNtry")?;
    xml.close("TtlNtries")?;
    for (name, count, sum_minor) in [
        ("TtlCdtNtries", plan.credit_count, plan.credit_sum_minor),
        ("TtlDbtNtries", plan.debit_count, plan.debit_sum_minor),
    ] {
        xml.open(name)?;
        xml.text("NbOfNtries", &count.to_string())?;
        xml.text("Sum", &plan.amount(sum_minor))?;
        xml.close(name)?;
    }
    xml.close("TxsSummry")
}

/// Writes one `<Ntry>` with its transaction details.
fn write_entry<W: Write>(
    xml: &mut Xml<W>,
    plan: &StatementPlan<'_>,
    e: &StatementEntry<'_>,
) -> io::Result<()> {
    let entry = e.entry;
    xml.open("Ntry")?;
    xml.text("NtryRef", entry.reference)?;
    let amount = plan.amount(entry.amount_minor.into());
    xml.amount("Amt", &amount, plan.s.currency)?;
    xml.text("CdtDbtInd", credit_debit(entry.credit))?;
    xml.path(&["Sts", "Cd"], "BOOK")?;
    xml.path(&["BookgDt", "DtTm"], &utc_timestamp(entry.booked_at_ns))?;
    xml.path(&["ValDt", "Dt"], &utc_date(entry.booked_at_ns).to_string())?;
    xml.text("AcctSvcrRef", entry.reference)?;
    xml.path(&["BkTxCd", "Prtry", "Cd"], BANK_TRANSACTION_CODE)?;
    xml.open("NtryDtls")?;
    xml.open("TxDtls")?;
    xml.path(&["Refs", "EndToEndId"], entry.reference)?;
    if let Some(counterparty) = &e.counterparty {
        // The other side of a credit paid it (the debtor); of a debit, it was paid (the creditor).
        let role = if entry.credit { "Dbtr" } else { "Cdtr" };
        xml.path(&["RltdPties", role, "Pty", "Nm"], counterparty)?;
    }
    if let Some(description) = &e.description {
        xml.path(&["RmtInf", "Ustrd"], description)?;
    }
    xml.close("TxDtls")?;
    xml.close("NtryDtls")?;
    xml.close("Ntry")
}

fn write_statement_xml<W: Write>(xml: &mut Xml<W>, plan: &StatementPlan<'_>) -> io::Result<()> {
    let s = plan.s;
    xml.open("BkToCstmrStmt")?;
    xml.open("GrpHdr")?;
    xml.text("MsgId", s.message_id)?;
    xml.text("CreDtTm", &utc_timestamp(s.created_at_ns))?;
    xml.close("GrpHdr")?;
    xml.open("Stmt")?;
    xml.text("Id", s.statement_id)?;
    xml.text("ElctrncSeqNb", &s.sequence.to_string())?;
    xml.text("CreDtTm", &utc_timestamp(s.created_at_ns))?;
    xml.open("FrToDt")?;
    xml.text("FrDtTm", &utc_timestamp(s.from_ns))?;
    xml.text("ToDtTm", &utc_timestamp(s.to_ns))?;
    xml.close("FrToDt")?;
    xml.open("Acct")?;
    xml.path(&["Id", "IBAN"], &plan.account.iban)?;
    xml.text("Ccy", s.currency.code())?;
    xml.text("Nm", &plan.account.name)?;
    xml.path(&["Svcr", "FinInstnId", "BICFI"], &plan.servicer_bic)?;
    xml.close("Acct")?;
    let opening_minor = s.opening_balance_minor.into();
    write_balance(xml, plan, "OPBD", opening_minor, s.from_ns)?;
    write_balance(xml, plan, "CLBD", plan.closing_minor, s.to_ns)?;
    write_summary(xml, plan)?;
    for entry in &plan.entries {
        write_entry(xml, plan, entry)?;
    }
    if let Some(receipt) = s.receipt {
        let text = format!("{RECEIPT_PLACE}: {receipt}");
        xml.text("AddtlStmtInf", &clean_text(&text, RECEIPT_LEN_MAX))?;
    }
    xml.close("Stmt")?;
    xml.close("BkToCstmrStmt")
}

/// Writes a camt.053.001.08 bank-to-customer statement of `s.account` for the period
/// `s.from_ns..=s.to_ns`.
///
/// The opening (`OPBD`) and closing (`CLBD`) balances are shown as an absolute amount with its
/// side (`CRDT` for a credit balance or zero, `DBIT` for a debit balance); the closing balance is
/// the opening balance plus the credits minus the debits, in checked `i128`. The transaction
/// summary gives the number of entries, the sum of their amounts and the net amount with its side,
/// then the credits and the debits. Each entry is booked (`BOOK`) with the bank transaction code
/// [`BANK_TRANSACTION_CODE`]; its reference is the entry reference, the account servicer's
/// reference and the end-to-end id, and its counterparty, if any, is the debtor of a credit or
/// the creditor of a debit.
pub fn write_camt053(s: &Statement<'_>, out: impl Write) -> Result<(), Iso20022Error> {
    let plan = StatementPlan::new(s)?;
    let mut xml = Xml::start(out, CAMT053_NAMESPACE)?;
    write_statement_xml(&mut xml, &plan)?;
    xml.finish()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Appends one CSV field, quoted as RFC 4180 says when it holds a comma, a quote or a line
/// break (quotes doubled).
fn push_csv_field(line: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&value.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(value);
    }
}

fn push_csv_row(line: &mut String, fields: &[&str]) {
    line.clear();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_csv_field(line, field);
    }
    line.push('\n');
}

/// Writes the statement as CSV: the header [`STATEMENT_CSV_HEADER`], the opening balance, then
/// one row per entry.
///
/// `booked_at` is RFC 3339 UTC; `direction` is `credit` or `debit`; `amount` is the absolute
/// amount in major units; `balance` is the signed balance after the row in major units (negative
/// is a debit balance). The first row has the reference `opening`, the start of the period, no
/// direction nor amount, and the opening balance; the last row's balance is the closing balance
/// of [`write_camt053`]. Texts are cleaned as in the camt.053 (control characters dropped, cut to
/// [`NAME_LEN_MAX`] characters) and quoted as RFC 4180 says; lines end with `\n`. The same checks
/// as [`write_camt053`] apply, so a statement is written in both forms or in neither.
pub fn write_statement_csv(s: &Statement<'_>, out: impl Write) -> Result<(), Iso20022Error> {
    let plan = StatementPlan::new(s)?;
    let currency = s.currency.code();
    let mut out = BufWriter::new(out);
    let mut line = String::new();
    out.write_all(STATEMENT_CSV_HEADER.as_bytes())?;
    out.write_all(b"\n")?;
    let opening = plan.amount(s.opening_balance_minor.into());
    let from = utc_timestamp(s.from_ns);
    let opening_row = [
        from.as_str(),
        "opening",
        "",
        "",
        currency,
        "",
        "opening balance",
        opening.as_str(),
    ];
    push_csv_row(&mut line, &opening_row);
    out.write_all(line.as_bytes())?;
    for e in &plan.entries {
        let entry = e.entry;
        let booked_at = utc_timestamp(entry.booked_at_ns);
        let direction = if entry.credit { "credit" } else { "debit" };
        let amount = plan.amount(entry.amount_minor.into());
        let balance = plan.amount(e.balance_minor);
        let row = [
            booked_at.as_str(),
            entry.reference,
            direction,
            amount.as_str(),
            currency,
            e.counterparty.as_deref().unwrap_or(""),
            e.description.as_deref().unwrap_or(""),
            balance.as_str(),
        ];
        push_csv_row(&mut line, &row);
        out.write_all(line.as_bytes())?;
    }
    if let Some(receipt) = s.receipt {
        let to = utc_timestamp(s.to_ns);
        let closing = plan.amount(plan.closing_minor);
        let receipt = clean_text(receipt, RECEIPT_LEN_MAX);
        let row = [
            to.as_str(),
            "receipt",
            "",
            "",
            currency,
            "",
            receipt.as_ref(),
            closing.as_str(),
        ];
        push_csv_row(&mut line, &row);
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use quick_xml::escape::resolve_predefined_entity;
    use quick_xml::{Reader, XmlVersion};

    /// One element of a parsed document: its path from the root, its attributes and its text
    /// (entities resolved).
    #[derive(Debug)]
    struct Element {
        path: String,
        attributes: Vec<(String, String)>,
        text: String,
    }

    /// Parses XML back with quick-xml's reader, in document order.
    fn parse(xml: &str) -> Vec<Element> {
        let mut reader = Reader::from_str(xml);
        let mut elements: Vec<Element> = Vec::new();
        let mut stack: Vec<(String, usize)> = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(start) | Event::Empty(start) => {
                    let name = start.name().as_ref().to_owned();
                    let path = match stack.last() {
                        Some((parent, _)) => format!("{parent}/{name}"),
                        None => name,
                    };
                    let attributes = start
                        .attributes()
                        .map(|a| {
                            let a = a.expect("attribute");
                            let value = a.normalized_value(XmlVersion::Explicit1_0).expect("value");
                            (a.key.as_ref().to_owned(), value.into_owned())
                        })
                        .collect();
                    stack.push((path.clone(), elements.len()));
                    elements.push(Element {
                        path,
                        attributes,
                        text: String::new(),
                    });
                }
                Event::End(_) => {
                    stack.pop();
                }
                Event::Text(text) => {
                    if let Some((_, index)) = stack.last() {
                        elements[*index].text.push_str(&text.xml10_content());
                    }
                }
                Event::GeneralRef(reference) => {
                    let name = reference.xml10_content();
                    let resolved = match reference.resolve_char_ref().expect("char ref") {
                        Some(c) => c.to_string(),
                        None => resolve_predefined_entity(&name)
                            .expect("predefined entity")
                            .to_owned(),
                    };
                    if let Some((_, index)) = stack.last() {
                        elements[*index].text.push_str(&resolved);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(stack.is_empty(), "unclosed elements");
        // Only leaves keep their text; the rest is indentation.
        for e in &mut elements {
            if e.text.trim().is_empty() {
                e.text.clear();
            }
        }
        elements
    }

    /// The texts of the elements at `path`, in document order.
    fn texts(elements: &[Element], path: &str) -> Vec<String> {
        elements
            .iter()
            .filter(|e| e.path == path)
            .map(|e| e.text.clone())
            .collect()
    }

    fn text(elements: &[Element], path: &str) -> String {
        let all = texts(elements, path);
        assert_eq!(all.len(), 1, "{path}: {all:?}");
        all.into_iter().next().unwrap_or_default()
    }

    fn attribute(elements: &[Element], path: &str, name: &str) -> Vec<String> {
        elements
            .iter()
            .filter(|e| e.path == path)
            .map(|e| {
                let found = e.attributes.iter().find(|(key, _)| key == name);
                found.map(|(_, value)| value.clone()).unwrap_or_default()
            })
            .collect()
    }

    fn ns(seconds: u64) -> u64 {
        seconds * model::calendar::SECOND_NS
    }

    /// 2026-11-24T00:00:00Z.
    const NOV_24_2026_S: u64 = 1_795_478_400;

    const HOUSE: Account<'static> = Account {
        name: "INSTEX Zone EU House",
        iban: "DE89370400440532013000",
        bic: "HOUSDEFFXXX",
    };

    fn transfers() -> [CreditTransfer<'static>; 2] {
        [
            CreditTransfer {
                end_to_end_id: "c-17",
                creditor: Account {
                    name: "Müller & Söhne <Pharma> \"GmbH\"",
                    iban: "DE02120300000000202051",
                    bic: "BYLADEM1001",
                },
                amount_minor: 123_450,
                remittance: "claim c-17, cycle 3",
            },
            CreditTransfer {
                end_to_end_id: "c-18",
                creditor: Account {
                    name: "Lyon Médical SA",
                    iban: "FR1420041010050500013M02606",
                    bic: "PSSTFRPPLYO",
                },
                amount_minor: 9_999,
                remittance: "",
            },
        ]
    }

    fn initiation<'a>(
        currency: Currency,
        transfers: &'a [CreditTransfer<'a>],
    ) -> PaymentInitiation<'a> {
        PaymentInitiation {
            message_id: "EU-cycle-3",
            created_at_ns: ns(NOV_24_2026_S + 36_930) + 999_999_999,
            execution_date: Date::new(2026, 11, 25).expect("date"),
            currency,
            debtor: HOUSE,
            initiating_party: "Clearhouse EU",
            transfers,
            receipt: Some("audit:12:0f0e ledger:7:a1b2"),
        }
    }

    fn pain(p: &PaymentInitiation<'_>) -> String {
        let mut out = Vec::new();
        write_pain001(p, &mut out).expect("pain.001 written");
        String::from_utf8(out).expect("UTF-8")
    }

    fn field_of(error: Iso20022Error) -> (String, FieldProblem) {
        match error {
            Iso20022Error::Field { field, problem } => (field, problem),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn pain001_two_eur_transfers() {
        let transfers = transfers();
        let xml = pain(&initiation(Currency::EUR, &transfers));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">"));
        let elements = parse(&xml);
        let paths: Vec<&str> = elements.iter().map(|e| e.path.as_str()).collect();
        let head = [
            "",
            "/GrpHdr",
            "/GrpHdr/MsgId",
            "/GrpHdr/CreDtTm",
            "/GrpHdr/NbOfTxs",
            "/GrpHdr/CtrlSum",
            "/GrpHdr/InitgPty",
            "/GrpHdr/InitgPty/Nm",
            "/PmtInf",
            "/PmtInf/PmtInfId",
            "/PmtInf/PmtMtd",
            "/PmtInf/NbOfTxs",
            "/PmtInf/CtrlSum",
            "/PmtInf/ReqdExctnDt",
            "/PmtInf/ReqdExctnDt/Dt",
            "/PmtInf/Dbtr",
            "/PmtInf/Dbtr/Nm",
            "/PmtInf/DbtrAcct",
            "/PmtInf/DbtrAcct/Id",
            "/PmtInf/DbtrAcct/Id/IBAN",
            "/PmtInf/DbtrAgt",
            "/PmtInf/DbtrAgt/FinInstnId",
            "/PmtInf/DbtrAgt/FinInstnId/BICFI",
            "/PmtInf/ChrgBr",
        ];
        let transfer = [
            "",
            "/PmtId",
            "/PmtId/EndToEndId",
            "/Amt",
            "/Amt/InstdAmt",
            "/CdtrAgt",
            "/CdtrAgt/FinInstnId",
            "/CdtrAgt/FinInstnId/BICFI",
            "/Cdtr",
            "/Cdtr/Nm",
            "/CdtrAcct",
            "/CdtrAcct/Id",
            "/CdtrAcct/Id/IBAN",
        ];
        let root = "Document/CstmrCdtTrfInitn";
        let tx = format!("{root}/PmtInf/CdtTrfTxInf");
        let mut expected = vec!["Document".to_owned()];
        expected.extend(head.iter().map(|p| format!("{root}{p}")));
        expected.extend(transfer.iter().map(|p| format!("{tx}{p}")));
        expected.push(format!("{tx}/RmtInf"));
        expected.push(format!("{tx}/RmtInf/Ustrd"));
        // The second transfer has no remittance information.
        expected.extend(transfer.iter().map(|p| format!("{tx}{p}")));
        // The journal heads, as supplementary data.
        for p in ["", "/PlcAndNm", "/Envlp", "/Envlp/JrnlHds"] {
            expected.push(format!("{root}/SplmtryData{p}"));
        }
        assert_eq!(paths, expected);
        assert_eq!(
            text(&elements, &format!("{root}/SplmtryData/Envlp/JrnlHds")),
            "audit:12:0f0e ledger:7:a1b2"
        );

        let at = |p: &str| text(&elements, &format!("{root}/{p}"));
        assert_eq!(at("GrpHdr/MsgId"), "EU-cycle-3");
        assert_eq!(at("GrpHdr/CreDtTm"), "2026-11-24T10:15:30Z");
        assert_eq!(at("GrpHdr/NbOfTxs"), "2");
        assert_eq!(at("GrpHdr/CtrlSum"), "1334.49");
        assert_eq!(at("GrpHdr/InitgPty/Nm"), "Clearhouse EU");
        assert_eq!(at("PmtInf/PmtInfId"), "EU-cycle-3");
        assert_eq!(at("PmtInf/PmtMtd"), "TRF");
        assert_eq!(at("PmtInf/NbOfTxs"), "2");
        assert_eq!(at("PmtInf/CtrlSum"), "1334.49");
        assert_eq!(at("PmtInf/ReqdExctnDt/Dt"), "2026-11-25");
        assert_eq!(at("PmtInf/Dbtr/Nm"), "INSTEX Zone EU House");
        assert_eq!(at("PmtInf/DbtrAcct/Id/IBAN"), "DE89370400440532013000");
        assert_eq!(at("PmtInf/DbtrAgt/FinInstnId/BICFI"), "HOUSDEFFXXX");
        assert_eq!(at("PmtInf/ChrgBr"), "SLEV");
        let amounts = format!("{tx}/Amt/InstdAmt");
        assert_eq!(texts(&elements, &amounts), ["1234.50", "99.99"]);
        assert_eq!(attribute(&elements, &amounts, "Ccy"), ["EUR", "EUR"]);
        assert_eq!(
            texts(&elements, &format!("{tx}/PmtId/EndToEndId")),
            ["c-17", "c-18"]
        );
        assert_eq!(
            texts(&elements, &format!("{tx}/Cdtr/Nm")),
            ["Müller & Söhne <Pharma> \"GmbH\"", "Lyon Médical SA"]
        );
        assert_eq!(
            texts(&elements, &format!("{tx}/RmtInf/Ustrd")),
            ["claim c-17, cycle 3"]
        );
        // Escaped on the wire, not merely parsed back.
        assert!(xml.contains("<Nm>Müller &amp; Söhne &lt;Pharma&gt; &quot;GmbH&quot;</Nm>"));
    }

    #[test]
    fn pain001_is_deterministic() {
        let transfers = transfers();
        let p = initiation(Currency::EUR, &transfers);
        assert_eq!(pain(&p), pain(&p));
    }

    #[test]
    fn pain001_irr_and_zero_exponent_amounts() {
        // ISO 4217 gives the rial two decimals (IRR 364, exponent 2).
        let mut irr = transfers();
        irr[0].amount_minor = 1_500_000_000_000; // 15 000 000 000.00 rials
        irr[1].amount_minor = 5;
        let xml = pain(&initiation(Currency::IRR, &irr));
        let elements = parse(&xml);
        let tx = "Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Amt/InstdAmt";
        assert_eq!(texts(&elements, tx), ["15000000000.00", "0.05"]);
        assert_eq!(attribute(&elements, tx, "Ccy"), ["IRR", "IRR"]);
        let sum = "Document/CstmrCdtTrfInitn/GrpHdr/CtrlSum";
        assert_eq!(text(&elements, sum), "15000000000.05");

        // A currency without minor unit digits prints no decimals.
        let xml = pain(&initiation(Currency::JPY, &transfers()));
        let elements = parse(&xml);
        assert_eq!(texts(&elements, tx), ["123450", "9999"]);
        assert_eq!(text(&elements, sum), "133449");
    }

    #[test]
    fn pain001_field_errors() {
        let check = |edit: &dyn Fn(&mut [CreditTransfer<'static>; 2]), field: &str| {
            let mut ts = transfers();
            edit(&mut ts);
            let p = initiation(Currency::EUR, &ts);
            let mut out = Vec::new();
            let (got, problem) = field_of(write_pain001(&p, &mut out).unwrap_err());
            assert_eq!(got, field, "{problem}");
            assert!(out.is_empty(), "nothing is written on a field error");
            problem
        };
        let p = check(&|t| t[1].amount_minor = 0, "transfers[1].amount_minor");
        assert_eq!(p, FieldProblem::NotPositive { amount_minor: 0 });
        check(&|t| t[0].amount_minor = -5, "transfers[0].amount_minor");
        let p = check(
            &|t| t[1].amount_minor = i64::MAX,
            "transfers[1].amount_minor",
        );
        assert_eq!(p, FieldProblem::TooManyDigits { max: 18 });
        let id_36 = "abcdefghijklmnopqrstuvwxyz0123456789";
        let p = check(
            &|t| t[1].end_to_end_id = id_36,
            "transfers[1].end_to_end_id",
        );
        assert_eq!(p, FieldProblem::TooLong { len: 36, max: 35 });
        let p = check(
            &|t| t[1].end_to_end_id = "c-17",
            "transfers[1].end_to_end_id",
        );
        assert_eq!(p, FieldProblem::Duplicate { first_index: 0 });
        let p = check(
            &|t| t[0].end_to_end_id = "c\n17",
            "transfers[0].end_to_end_id",
        );
        assert_eq!(p, FieldProblem::ControlCharacter { index: 1 });
        let p = check(
            &|t| t[0].creditor.name = " \u{7}\t ",
            "transfers[0].creditor.name",
        );
        assert_eq!(p, FieldProblem::Empty);
        check(&|t| t[1].creditor.iban = "", "transfers[1].creditor.iban");

        let ts = transfers();
        let mut p = initiation(Currency::EUR, &ts);
        p.message_id = "";
        assert_eq!(
            field_of(write_pain001(&p, io::sink()).unwrap_err()).0,
            "message_id"
        );
        let mut p = initiation(Currency::XAU, &ts);
        let (field, _) = field_of(write_pain001(&p, io::sink()).unwrap_err());
        assert_eq!(field, "currency");
        p.currency = Currency::EUR;
        p.transfers = &[];
        let (field, problem) = field_of(write_pain001(&p, io::sink()).unwrap_err());
        assert_eq!(
            (field.as_str(), problem),
            ("transfers", FieldProblem::Empty)
        );
        let error = field_error(
            "transfers[3].amount_minor",
            FieldProblem::NotPositive { amount_minor: -1 },
        );
        assert_eq!(
            error.to_string(),
            "invalid transfers[3].amount_minor: must be positive, got -1"
        );
    }

    #[test]
    fn pain001_limits() {
        let one = transfers()[1];
        let many = vec![one; TRANSFERS_MAX + 1];
        let p = initiation(Currency::EUR, &many);
        match write_pain001(&p, io::sink()) {
            Err(Iso20022Error::TooManyTransfers { count }) => assert_eq!(count, TRANSFERS_MAX + 1),
            other => panic!("expected TooManyTransfers, got {other:?}"),
        }
        // Two transfers whose sum has 19 digits: the control sum overflows.
        let mut ts = transfers();
        ts[0].amount_minor = AMOUNT_MINOR_MAX;
        ts[1].amount_minor = 1;
        let p = initiation(Currency::EUR, &ts);
        match write_pain001(&p, io::sink()) {
            Err(Iso20022Error::Overflow { total }) => assert_eq!(total, "control sum"),
            other => panic!("expected Overflow, got {other:?}"),
        }
    }

    #[test]
    fn names_are_cleaned_and_cut_on_char_boundaries() {
        let long = format!("\u{1}{}é tail", "ä".repeat(139));
        assert_eq!(clean_text(&long, 140), format!("{}é", "ä".repeat(139)));
        assert_eq!(clean_text("  a\u{0}b\r\nc  ", 140), "abc");
        assert_eq!(clean_text("abc  def", 4), "abc");
        assert!(matches!(clean_text("plain", 140), Cow::Borrowed("plain")));
        assert_eq!(clean_text("\u{85}\u{9f}", 140), "");
    }

    fn entries() -> [Entry<'static>; 3] {
        [
            Entry {
                reference: "e-1",
                booked_at_ns: ns(NOV_24_2026_S + 3_600),
                amount_minor: 50_000,
                credit: true,
                counterparty: Some("Tehran Pharma Co."),
                description: "claim c-17 cleared in cycle 3",
            },
            Entry {
                reference: "e-2",
                booked_at_ns: ns(NOV_24_2026_S + 7_200),
                amount_minor: 20_025,
                credit: false,
                counterparty: Some("Müller, \"Söhne\" & Co"),
                description: "claim c-18 cleared in cycle 3",
            },
            Entry {
                reference: "e-3",
                booked_at_ns: ns(NOV_24_2026_S + 10_800),
                amount_minor: 5,
                credit: true,
                counterparty: None,
                description: "",
            },
        ]
    }

    fn statement<'a>(opening_minor: i64, entries: &'a [Entry<'a>]) -> Statement<'a> {
        Statement {
            message_id: "STMT-EU-3-P7",
            statement_id: "P7-3",
            created_at_ns: ns(NOV_24_2026_S + 86_399),
            sequence: 3,
            from_ns: ns(NOV_24_2026_S),
            to_ns: ns(NOV_24_2026_S + 86_399),
            currency: Currency::EUR,
            account: Account {
                name: "Tehran Pharma Co.",
                iban: "DE44500105175407324931",
                bic: "HOUSDEFFXXX",
            },
            servicer_bic: "HOUSDEFFXXX",
            opening_balance_minor: opening_minor,
            entries,
            receipt: Some("audit:12:0f0e ledger:7:a1b2"),
        }
    }

    fn camt(s: &Statement<'_>) -> Vec<Element> {
        let mut out = Vec::new();
        write_camt053(s, &mut out).expect("camt.053 written");
        let xml = String::from_utf8(out).expect("UTF-8");
        assert!(
            xml.contains("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">")
        );
        parse(&xml)
    }

    const STMT: &str = "Document/BkToCstmrStmt/Stmt";

    /// (code, amount, side, date-time) of each balance.
    fn balances(elements: &[Element]) -> Vec<(String, String, String, String)> {
        let codes = texts(elements, &format!("{STMT}/Bal/Tp/CdOrPrtry/Cd"));
        let amounts = texts(elements, &format!("{STMT}/Bal/Amt"));
        let sides = texts(elements, &format!("{STMT}/Bal/CdtDbtInd"));
        let at = texts(elements, &format!("{STMT}/Bal/Dt/DtTm"));
        assert_eq!(codes.len(), at.len());
        let rows = codes.into_iter().zip(amounts).zip(sides).zip(at);
        rows.map(|(((code, amount), side), at)| (code, amount, side, at))
            .collect()
    }

    #[test]
    fn camt053_balances_and_summary() {
        let entries = entries();
        let elements = camt(&statement(12_345, &entries));
        let at = |p: &str| text(&elements, &format!("{STMT}/{p}"));
        assert_eq!(
            text(&elements, "Document/BkToCstmrStmt/GrpHdr/MsgId"),
            "STMT-EU-3-P7"
        );
        assert_eq!(at("Id"), "P7-3");
        assert_eq!(at("ElctrncSeqNb"), "3");
        assert_eq!(at("CreDtTm"), "2026-11-24T23:59:59Z");
        assert_eq!(at("FrToDt/FrDtTm"), "2026-11-24T00:00:00Z");
        assert_eq!(at("FrToDt/ToDtTm"), "2026-11-24T23:59:59Z");
        assert_eq!(at("Acct/Id/IBAN"), "DE44500105175407324931");
        assert_eq!(at("Acct/Ccy"), "EUR");
        assert_eq!(at("Acct/Svcr/FinInstnId/BICFI"), "HOUSDEFFXXX");
        // 123.45 + 500.00 - 200.25 + 0.05 = 423.25
        let expected = [
            ("OPBD", "123.45", "CRDT", "2026-11-24T00:00:00Z"),
            ("CLBD", "423.25", "CRDT", "2026-11-24T23:59:59Z"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
            .collect();
        assert_eq!(balances(&elements), expected);
        assert_eq!(
            attribute(&elements, &format!("{STMT}/Bal/Amt"), "Ccy"),
            ["EUR", "EUR"]
        );
        assert_eq!(at("TxsSummry/TtlNtries/NbOfNtries"), "3");
        assert_eq!(at("TxsSummry/TtlNtries/Sum"), "700.30");
        assert_eq!(at("TxsSummry/TtlNtries/TtlNetNtry/Amt"), "299.80");
        assert_eq!(at("TxsSummry/TtlNtries/TtlNetNtry/CdtDbtInd"), "CRDT");
        assert_eq!(at("TxsSummry/TtlCdtNtries/NbOfNtries"), "2");
        assert_eq!(at("TxsSummry/TtlCdtNtries/Sum"), "500.05");
        assert_eq!(at("TxsSummry/TtlDbtNtries/NbOfNtries"), "1");
        assert_eq!(at("TxsSummry/TtlDbtNtries/Sum"), "200.25");
    }

    #[test]
    fn camt053_negative_opening_balance() {
        let entries = entries();
        // -1000.00 + 500.00 - 200.25 + 0.05 = -700.20
        let elements = camt(&statement(-100_000, &entries));
        let rows = balances(&elements);
        assert_eq!(
            (rows[0].1.as_str(), rows[0].2.as_str()),
            ("1000.00", "DBIT")
        );
        assert_eq!((rows[1].1.as_str(), rows[1].2.as_str()), ("700.20", "DBIT"));

        // Only debits: the net entry is a debit too. No entries: zero sums, balances unchanged.
        let debit = [entries[1]];
        let elements = camt(&statement(-1, &debit));
        let at = |p: &str| text(&elements, &format!("{STMT}/{p}"));
        assert_eq!(at("TxsSummry/TtlNtries/TtlNetNtry/Amt"), "200.25");
        assert_eq!(at("TxsSummry/TtlNtries/TtlNetNtry/CdtDbtInd"), "DBIT");
        assert_eq!(balances(&elements)[1].1, "200.26");
        let elements = camt(&statement(0, &[]));
        let rows = balances(&elements);
        assert_eq!((rows[1].1.as_str(), rows[1].2.as_str()), ("0.00", "CRDT"));
        let at = |p: &str| text(&elements, &format!("{STMT}/{p}"));
        assert_eq!(at("TxsSummry/TtlNtries/NbOfNtries"), "0");
        assert_eq!(at("TxsSummry/TtlNtries/Sum"), "0.00");
    }

    #[test]
    fn camt053_entries() {
        let entries = entries();
        let elements = camt(&statement(0, &entries));
        let ntry = format!("{STMT}/Ntry");
        let all = |p: &str| texts(&elements, &format!("{ntry}/{p}"));
        let first: Vec<&str> = elements
            .iter()
            .filter(|e| e.path.starts_with(&ntry))
            .map(|e| &e.path[ntry.len()..])
            .take(27)
            .collect();
        assert_eq!(
            first,
            [
                "",
                "/NtryRef",
                "/Amt",
                "/CdtDbtInd",
                "/Sts",
                "/Sts/Cd",
                "/BookgDt",
                "/BookgDt/DtTm",
                "/ValDt",
                "/ValDt/Dt",
                "/AcctSvcrRef",
                "/BkTxCd",
                "/BkTxCd/Prtry",
                "/BkTxCd/Prtry/Cd",
                "/NtryDtls",
                "/NtryDtls/TxDtls",
                "/NtryDtls/TxDtls/Refs",
                "/NtryDtls/TxDtls/Refs/EndToEndId",
                "/NtryDtls/TxDtls/RltdPties",
                "/NtryDtls/TxDtls/RltdPties/Dbtr",
                "/NtryDtls/TxDtls/RltdPties/Dbtr/Pty",
                "/NtryDtls/TxDtls/RltdPties/Dbtr/Pty/Nm",
                "/NtryDtls/TxDtls/RmtInf",
                "/NtryDtls/TxDtls/RmtInf/Ustrd",
                "",
                "/NtryRef",
                "/Amt",
            ]
        );
        assert_eq!(all("NtryRef"), ["e-1", "e-2", "e-3"]);
        assert_eq!(all("AcctSvcrRef"), ["e-1", "e-2", "e-3"]);
        assert_eq!(all("Amt"), ["500.00", "200.25", "0.05"]);
        assert_eq!(all("CdtDbtInd"), ["CRDT", "DBIT", "CRDT"]);
        assert_eq!(all("Sts/Cd"), ["BOOK"; 3]);
        assert_eq!(all("BookgDt/DtTm")[1], "2026-11-24T02:00:00Z");
        assert_eq!(all("ValDt/Dt"), ["2026-11-24"; 3]);
        assert_eq!(all("BkTxCd/Prtry/Cd"), ["CLEARING"; 3]);
        assert_eq!(
            all("NtryDtls/TxDtls/Refs/EndToEndId"),
            ["e-1", "e-2", "e-3"]
        );
        assert_eq!(
            all("NtryDtls/TxDtls/RltdPties/Dbtr/Pty/Nm"),
            ["Tehran Pharma Co."]
        );
        assert_eq!(
            all("NtryDtls/TxDtls/RltdPties/Cdtr/Pty/Nm"),
            ["Müller, \"Söhne\" & Co"]
        );
        assert_eq!(all("NtryDtls/TxDtls/RmtInf/Ustrd").len(), 2);
    }

    #[test]
    fn camt053_errors() {
        let entries = entries();
        let fails = |s: &Statement<'_>| {
            let mut out = Vec::new();
            let error = write_camt053(s, &mut out).unwrap_err();
            assert!(out.is_empty(), "nothing is written on a check error");
            error
        };
        let mut bad = entries;
        bad[2].amount_minor = -3;
        let (field, _) = field_of(fails(&statement(0, &bad)));
        assert_eq!(field, "entries[2].amount_minor");
        let mut bad = entries;
        bad[2].reference = "e-1";
        let (field, problem) = field_of(fails(&statement(0, &bad)));
        assert_eq!(field, "entries[2].reference");
        assert_eq!(problem, FieldProblem::Duplicate { first_index: 0 });
        let mut bad = entries;
        bad[1].counterparty = Some("");
        assert_eq!(
            field_of(fails(&statement(0, &bad))).0,
            "entries[1].counterparty"
        );
        let mut s = statement(0, &entries);
        s.to_ns = s.from_ns - 1;
        assert_eq!(field_of(fails(&s)).0, "to_ns");
        let mut s = statement(0, &entries);
        s.sequence = SEQUENCE_MAX + 1;
        assert_eq!(field_of(fails(&s)).0, "sequence");
        let s = statement(i64::MIN, &entries);
        assert_eq!(field_of(fails(&s)).0, "opening_balance_minor");
        let mut s = statement(0, &entries);
        s.statement_id = "an-identifier-of-thirty-six-chars-xx";
        assert_eq!(field_of(fails(&s)).0, "statement_id");

        // The closing balance leaves 18 digits although every input fits.
        let mut big = entries;
        big[0].amount_minor = AMOUNT_MINOR_MAX;
        big[1].credit = true;
        big[1].amount_minor = 1;
        let huge = statement(0, &big[..2]);
        match fails(&huge) {
            Iso20022Error::Overflow { total } => assert_eq!(total, "sum of credit entries"),
            other => panic!("expected Overflow, got {other:?}"),
        }
        let huge = statement(AMOUNT_MINOR_MAX, &big[..1]);
        match fails(&huge) {
            Iso20022Error::Overflow { total } => assert_eq!(total, "closing balance"),
            other => panic!("expected Overflow, got {other:?}"),
        }
        let many = vec![entries[2]; ENTRIES_MAX + 1];
        assert!(matches!(
            fails(&statement(0, &many)),
            Iso20022Error::TooManyEntries { count } if count == ENTRIES_MAX + 1
        ));
    }

    #[test]
    fn statement_csv() {
        let entries = entries();
        let mut out = Vec::new();
        write_statement_csv(&statement(-100_000, &entries), &mut out).expect("CSV written");
        let csv = String::from_utf8(out).expect("UTF-8");
        let expected = "\
booked_at,reference,direction,amount,currency,counterparty,description,balance
2026-11-24T00:00:00Z,opening,,,EUR,,opening balance,-1000.00
2026-11-24T01:00:00Z,e-1,credit,500.00,EUR,Tehran Pharma Co.,claim c-17 cleared in cycle 3,-500.00
2026-11-24T02:00:00Z,e-2,debit,200.25,EUR,\"Müller, \"\"Söhne\"\" & Co\",claim c-18 cleared in cycle 3,-700.25
2026-11-24T03:00:00Z,e-3,credit,0.05,EUR,,,-700.20
2026-11-24T23:59:59Z,receipt,,,EUR,,audit:12:0f0e ledger:7:a1b2,-700.20
";
        assert_eq!(csv, expected);

        let mut line = String::new();
        push_csv_row(&mut line, &["a\nb", "c\rd", "plain", "", "\""]);
        assert_eq!(line, "\"a\nb\",\"c\rd\",plain,,\"\"\"\"\n");
    }
}
