//! The ISO 20022 messages of a clearing house, as bytes: written here, read in `read`.
//!
//! Writers, one module each, re-exported here:
//!
//! - [`write_pain001`]: a customer credit transfer initiation (pain.001.001.09): the zone's
//!   house account pays every payee of a cycle, naming the invoices paid;
//! - [`write_pain013`]: a creditor payment activation request (pain.013.001.08), a request to
//!   pay: the house asks each debtor for the amount due by a deadline, under an ISO 11649
//!   creditor reference; [`write_request_csv`] writes the same requests as CSV;
//! - [`write_camt053`]: a bank-to-customer statement (camt.053.001.08) of one account for one
//!   period: a participant's account at the house, or the house's own account at its bank;
//!   [`write_statement_csv`] writes the same statement as CSV;
//! - [`write_camt054`]: a bank-to-customer debit/credit notification (camt.054.001.08), the
//!   bank's side, for demonstrations, tests and benchmarks;
//! - [`write_pain002`]: a customer payment status report (pain.002.001.10), the bank's side;
//! - [`creditor_reference`], [`is_creditor_reference`] and [`normalize_reference`]: ISO 11649
//!   structured creditor references (`RF18539007547034`).
//!
//! The writers are pure: they read no clock (instants come in as UTC nanoseconds since the Unix
//! epoch, printed by `model::calendar`), hold no state and do no I/O beyond the `impl Write`
//! they are given. The same input gives the same bytes.
//!
//! Every input is checked before the first byte is written, so an error other than
//! [`Iso20022Error::Io`] leaves the output untouched. The rules:
//!
//! - identifiers (message, statement, payment information and end-to-end ids, references,
//!   invoice numbers) have 1 to [`ID_LEN_MAX`] characters and no control character (ISO
//!   `Max35Text`); an identifier is never shortened, since two shortened ids could collide;
//! - names and texts lose their control characters and surrounding whitespace, then are cut on
//!   a character boundary to what the schema allows ([`NAME_LEN_MAX`] for names and remittance
//!   texts, [`ACCOUNT_NAME_LEN_MAX`] for account names); a required name left empty is an error,
//!   an optional text left empty is omitted;
//! - IBANs and BICs are validated (ISO 13616 check digits, ISO 9362 form) and written in
//!   electronic form;
//! - amounts are integers in minor units, positive, printed with the currency's ISO 4217
//!   exponent (never through a float) in at most [`AMOUNT_DIGITS_MAX`] digits, the
//!   `totalDigits` of the schemas; totals are summed in checked `i128` and must fit the same
//!   limit;
//! - every list has a named maximum ([`TRANSFERS_MAX`], [`ENTRIES_MAX`] …);
//! - all text is XML-escaped, so `&`, `<` and quotes in names are safe.
//!
//! Remittance information ([`Remittance`]) is written the same way in every message: the free
//! text as `RmtInf/Ustrd`, then one `RmtInf/Strd` per invoice (`RfrdDocInf` with the code
//! `CINV`, and the amount paid as `RfrdDocAmt/RmtdAmt`, which the schemas allow once per
//! `Strd`); the creditor reference (`CdtrRefInf`, type `SCOR` issued by `ISO`) goes in the first
//! `Strd`. Past [`DOCUMENTS_PER_REMITTANCE_MAX`] invoices, the rest are counted in the last
//! `Strd`'s `AddtlRmtInf` ("and 3 more invoices").

mod camt053;
mod camt054;
mod csv;
mod pain001;
mod pain002;
mod pain013;
mod reference;
#[cfg(test)]
mod testing;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use model::currency::{CurrencyError, minor_unit_exponent};
use model::{Bic, BicError, Currency, Date, Iban, IbanError};

pub use camt053::{Entry, Statement, StatementAccount, write_camt053};
pub use camt054::{
    DOMESTIC_CREDIT_TRANSFER, ISSUED_CREDIT_TRANSFERS, Notification, NotifiedEntry,
    PAYMENTS_DOMAIN, RECEIVED_CREDIT_TRANSFERS, write_camt054,
};
pub use csv::{REQUEST_CSV_HEADER, STATEMENT_CSV_HEADER, write_request_csv, write_statement_csv};
pub use pain001::{CreditTransfer, PaymentInitiation, write_pain001};
pub use pain002::{
    PARTIALLY_ACCEPTED, REJECTED, STATUS_INFO_LEN_MAX, StatusReport, TransactionStatus,
    write_pain002,
};
pub use pain013::{ActivationRequest, PaymentRequest, write_pain013};
pub use reference::{
    REFERENCE_BASE_LEN_MAX, creditor_reference, is_creditor_reference, normalize_reference,
};

pub mod read;

/// The most credit transfers in one payment initiation (pain.001).
pub const TRANSFERS_MAX: usize = 100_000;
/// The most payment requests in one activation request (pain.013).
pub const REQUESTS_MAX: usize = 100_000;
/// The most entries in one statement (camt.053).
pub const ENTRIES_MAX: usize = 100_000;
/// The most entries in one notification (camt.054): bank files can be large.
pub const NOTIFIED_ENTRIES_MAX: usize = 1_000_000;
/// The most transaction statuses in one status report (pain.002).
pub const STATUSES_MAX: usize = 100_000;
/// The most invoices written one by one in a remittance; the rest are counted in a note.
pub const DOCUMENTS_PER_REMITTANCE_MAX: usize = 100;
/// The longest identifier, in characters (ISO `Max35Text`).
pub const ID_LEN_MAX: usize = 35;
/// The longest account identifier other than an IBAN (`Othr/Id` is a `Max34Text`).
pub const ACCOUNT_ID_LEN_MAX: usize = 34;
/// Names and unstructured remittance texts are cut to this many characters (ISO `Max140Text`).
pub const NAME_LEN_MAX: usize = 140;
/// Account names are cut to this many characters (`Acct/Nm` is a `Max70Text`).
pub const ACCOUNT_NAME_LEN_MAX: usize = 70;
/// Additional entry information is cut to this many characters (`AddtlNtryInf` is a
/// `Max500Text`).
pub const ENTRY_INFO_LEN_MAX: usize = 500;
/// The most digits of an amount or total (the `totalDigits` of the schemas' amounts).
pub const AMOUNT_DIGITS_MAX: usize = 18;
/// The largest amount or total magnitude in minor units: [`AMOUNT_DIGITS_MAX`] nines.
pub const AMOUNT_MINOR_MAX: i64 = 999_999_999_999_999_999;
/// The largest electronic sequence number (`ElctrncSeqNb` has at most 18 digits).
pub const SEQUENCE_MAX: u64 = 999_999_999_999_999_999;
/// The XML namespace of pain.001.001.09.
pub const PAIN001_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";
/// The XML namespace of pain.002.001.10.
pub const PAIN002_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10";
/// The XML namespace of pain.013.001.08.
pub const PAIN013_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.013.001.08";
/// The XML namespace of camt.053.001.08.
pub const CAMT053_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08";
/// The XML namespace of camt.054.001.08.
pub const CAMT054_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08";
/// The proprietary bank transaction code of every statement entry (`BkTxCd/Prtry/Cd`).
pub const BANK_TRANSACTION_CODE: &str = "CLEARING";
/// The proprietary scheme of an account at the house that has no IBAN (`Othr/SchmeNm/Prtry`).
pub const HOUSE_ACCOUNT_SCHEME: &str = "CLEARHOUSE";
/// The document type of a referred document: a commercial invoice (`RfrdDocInf/Tp`).
pub const INVOICE_TYPE_CODE: &str = "CINV";
/// The type of a creditor reference: a structured communication reference (`CdtrRefInf/Tp`).
pub const CREDITOR_REFERENCE_TYPE_CODE: &str = "SCOR";
/// The issuer of the creditor reference scheme: ISO (11649).
pub const CREDITOR_REFERENCE_ISSUER: &str = "ISO";

/// What the journal heads carried in a file are called there.
pub const RECEIPT_PLACE: &str = "Clearhouse journal heads";
/// Longest receipt text carried (camt.053 `AddtlStmtInf` takes 500 characters).
pub const RECEIPT_LEN_MAX: usize = 450;

/// An account at a bank: its holder, IBAN and the bank's BIC (the IBAN and BIC are validated
/// when written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account<'a> {
    /// The account holder's name.
    pub name: &'a str,
    /// The account's IBAN.
    pub iban: &'a str,
    /// The BIC of the bank that keeps the account.
    pub bic: &'a str,
}

/// A party to a transaction, as a statement or notification shows it.
///
/// The account is written as an IBAN when there is one, else as `other_account`; `bic` names
/// the party's agent (bank) when given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Party<'a> {
    /// The legal name.
    pub name: &'a str,
    /// The party's IBAN, if known.
    pub iban: Option<&'a str>,
    /// Another account identifier (such as the party's account at the house), at most
    /// [`ACCOUNT_ID_LEN_MAX`] characters; written only when there is no IBAN.
    pub other_account: Option<&'a str>,
    /// The BIC of the party's bank, if known.
    pub bic: Option<&'a str>,
}

/// An invoice a payment settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferredDocument<'a> {
    /// The invoice number, at most [`ID_LEN_MAX`] characters.
    pub number: &'a str,
    /// The invoice date, if known.
    pub date: Option<Date>,
    /// The amount paid on this invoice, positive, in minor units of the message currency.
    pub amount_minor: Option<i64>,
}

/// What a payment is for: a creditor reference, the invoices and a free text, each optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Remittance<'a> {
    /// An ISO 11649 creditor reference (`RF…`, print or electronic form).
    pub creditor_reference: Option<&'a str>,
    /// The invoices paid; past [`DOCUMENTS_PER_REMITTANCE_MAX`] they are counted, not listed.
    pub documents: &'a [ReferredDocument<'a>],
    /// A free text, cut to [`NAME_LEN_MAX`] characters.
    pub text: Option<&'a str>,
}

/// Why a message was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Iso20022Error {
    /// Writing to the output failed; part of the file may have been written.
    #[error("writing the file failed: {source}")]
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
    /// A list is longer than its maximum; nothing was written.
    #[error("{count} {field}, more than the {max} allowed")]
    TooMany {
        /// The list, such as `transfers` or `entries`.
        field: &'static str,
        /// The number of items given.
        count: usize,
        /// The most allowed.
        max: usize,
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
    /// Absent although this message needs it.
    #[error("is required here")]
    Required,
    /// An identifier longer than allowed, counted in characters.
    #[error("has {len} characters, more than the {max} allowed")]
    TooLong {
        /// The length in characters.
        len: usize,
        /// The largest length allowed.
        max: usize,
    },
    /// An identifier with a control character, or with one of the two characters XML cannot
    /// hold (U+FFFE, U+FFFF).
    #[error("contains a control character at character {index}")]
    ControlCharacter {
        /// Its position, counted in characters from 0.
        index: usize,
    },
    /// A character the field does not allow.
    #[error("character {ch:?} at character {index} is not allowed (expected {expected})")]
    Character {
        /// The character.
        ch: char,
        /// Its position, counted in characters from 0.
        index: usize,
        /// What the field allows.
        expected: &'static str,
    },
    /// A text that does not have the form the field needs.
    #[error("is not {expected}")]
    Format {
        /// The form needed, such as "an ISO 11649 creditor reference".
        expected: &'static str,
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
    /// A date after the end it must precede.
    #[error("is after {end_field}")]
    AfterEnd {
        /// The field holding the end.
        end_field: &'static str,
    },
    /// Not a valid IBAN.
    #[error("{0}")]
    Iban(IbanError),
    /// Not a valid BIC.
    #[error("{0}")]
    Bic(BicError),
    /// A currency that cannot hold money.
    #[error("{0}")]
    Currency(CurrencyError),
}

pub(crate) fn field_error(field: impl Into<String>, problem: FieldProblem) -> Iso20022Error {
    Iso20022Error::Field {
        field: field.into(),
        problem,
    }
}

pub(crate) fn overflow(total: impl Into<String>) -> Iso20022Error {
    Iso20022Error::Overflow {
        total: total.into(),
    }
}

/// Builds the path of a field inside an item, such as `entries[3].` + `amount_minor`; called
/// only when an error is reported, so the happy path allocates no path.
pub(crate) type At<'f> = &'f dyn Fn(&str) -> String;

// ---------------------------------------------------------------------------------------------
// Checking and cleaning

/// Checks an identifier: 1 to [`ID_LEN_MAX`] characters, none of them a control character.
pub(crate) fn check_id(value: &str) -> Result<&str, FieldProblem> {
    check_id_len(value, ID_LEN_MAX)
}

/// Checks an identifier of 1 to `len_max` characters without a control character.
pub(crate) fn check_id_len(value: &str, len_max: usize) -> Result<&str, FieldProblem> {
    if value.is_empty() {
        return Err(FieldProblem::Empty);
    }
    if let Some(index) = value.chars().position(is_unwritable) {
        return Err(FieldProblem::ControlCharacter { index });
    }
    let len = value.chars().count();
    if len > len_max {
        return Err(FieldProblem::TooLong { len, max: len_max });
    }
    Ok(value)
}

/// Checks a list's length: at most `max` items and, when `required`, at least one.
pub(crate) fn check_count(
    field: &'static str,
    count: usize,
    max: usize,
    required: bool,
) -> Result<(), Iso20022Error> {
    if count > max {
        return Err(Iso20022Error::TooMany { field, count, max });
    }
    if required && count == 0 {
        return Err(field_error(field, FieldProblem::Empty));
    }
    Ok(())
}

/// Whether a character cannot be written: a control character (C0, DEL, C1), which the
/// schemas' texts do not expect, or U+FFFE and U+FFFF, which XML 1.0 cannot hold.
pub(crate) fn is_unwritable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Drops control characters (and the two characters XML cannot hold), trims whitespace and cuts
/// to `len_max` characters.
///
/// Borrows when there is no character to drop.
pub(crate) fn clean_text(value: &str, len_max: usize) -> Cow<'_, str> {
    if value.chars().any(is_unwritable) {
        let kept: String = value.chars().filter(|&c| !is_unwritable(c)).collect();
        Cow::Owned(trim_and_cut(&kept, len_max).to_owned())
    } else {
        Cow::Borrowed(trim_and_cut(value, len_max))
    }
}

/// Trims whitespace and cuts to `len_max` characters (on a character boundary), then trims the
/// whitespace the cut may have left at the end.
pub(crate) fn trim_and_cut(text: &str, len_max: usize) -> &str {
    let trimmed = text.trim();
    match trimmed.char_indices().nth(len_max) {
        Some((end, _)) => trimmed[..end].trim_end(),
        None => trimmed,
    }
}

/// A cleaned name (see [`clean_text`]) that must not be empty.
pub(crate) fn required_text(value: &str, len_max: usize) -> Result<Cow<'_, str>, FieldProblem> {
    let text = clean_text(value, len_max);
    if text.is_empty() {
        return Err(FieldProblem::Empty);
    }
    Ok(text)
}

/// A cleaned free text (see [`clean_text`]), `None` when nothing is left.
pub(crate) fn optional_text(value: &str, len_max: usize) -> Option<Cow<'_, str>> {
    Some(clean_text(value, len_max)).filter(|text| !text.is_empty())
}

/// Checks the amount of one transfer, entry or invoice: positive and at most
/// [`AMOUNT_MINOR_MAX`].
pub(crate) fn check_amount(amount_minor: i64) -> Result<i64, FieldProblem> {
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
pub(crate) fn check_total(value_minor: i128, total: &str) -> Result<i128, Iso20022Error> {
    if value_minor.unsigned_abs() > AMOUNT_MINOR_MAX.unsigned_abs().into() {
        return Err(overflow(total));
    }
    Ok(value_minor)
}

pub(crate) fn add(a_minor: i128, b_minor: i128, total: &str) -> Result<i128, Iso20022Error> {
    a_minor.checked_add(b_minor).ok_or_else(|| overflow(total))
}

pub(crate) fn currency_exponent(currency: Currency) -> Result<u8, Iso20022Error> {
    minor_unit_exponent(currency).map_err(|e| field_error("currency", FieldProblem::Currency(e)))
}

/// Prints minor units in major units: 123450 with exponent 2 is `1234.50`, with 0 `123450`.
///
/// Negative values get a leading `-`. The exponent is at most 4 (ISO 4217), so `10^exponent`
/// fits easily.
pub(crate) fn format_minor(value_minor: i128, exponent: u8) -> String {
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

/// Prints an amount in minor units as a decimal in major units with the currency's ISO 4217
/// exponent: EUR 123450 is `"1234.50"`, JPY 1234 is `"1234"`, EUR -5 is `"-0.05"`.
///
/// Fails only for a currency without a minor unit (XAU, XDR …).
pub fn format_amount(amount_minor: i64, currency: Currency) -> Result<String, Iso20022Error> {
    let exponent = currency_exponent(currency)?;
    Ok(format_minor(amount_minor.into(), exponent))
}

/// Validates an IBAN; kept in electronic form.
pub(crate) fn check_iban(value: &str) -> Result<Iban, FieldProblem> {
    Iban::new(value).map_err(FieldProblem::Iban)
}

/// Validates a BIC; kept in upper case.
pub(crate) fn check_bic(value: &str) -> Result<Bic, FieldProblem> {
    Bic::new(value).map_err(FieldProblem::Bic)
}

/// An account with its texts cleaned and its IBAN and BIC validated.
#[derive(Debug)]
pub(crate) struct CleanAccount<'a> {
    pub(crate) name: Cow<'a, str>,
    pub(crate) iban: Iban,
    pub(crate) bic: Bic,
}

impl<'a> CleanAccount<'a> {
    pub(crate) fn new(
        account: &Account<'a>,
        at: At<'_>,
        name_len_max: usize,
    ) -> Result<Self, Iso20022Error> {
        Ok(CleanAccount {
            name: required_text(account.name, name_len_max)
                .map_err(|p| field_error(at("name"), p))?,
            iban: check_iban(account.iban).map_err(|p| field_error(at("iban"), p))?,
            bic: check_bic(account.bic).map_err(|p| field_error(at("bic"), p))?,
        })
    }
}

/// How an account is identified: by IBAN or by another identifier.
#[derive(Debug)]
pub(crate) enum AccountId<'a> {
    Iban(Iban),
    Other(&'a str),
}

impl AccountId<'_> {
    /// The identifier as text: the IBAN in electronic form or the other identifier.
    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        match self {
            AccountId::Iban(iban) => iban.as_str(),
            AccountId::Other(id) => id,
        }
    }
}

/// Validates an optional IBAN and an optional other account identifier; the IBAN wins.
pub(crate) fn account_id<'a>(
    iban: Option<&'a str>,
    other: Option<&'a str>,
    at: At<'_>,
    iban_field: &str,
    other_field: &str,
) -> Result<Option<AccountId<'a>>, Iso20022Error> {
    let iban = iban
        .map(check_iban)
        .transpose()
        .map_err(|p| field_error(at(iban_field), p))?;
    let other = other
        .map(|id| check_id_len(id, ACCOUNT_ID_LEN_MAX))
        .transpose()
        .map_err(|p| field_error(at(other_field), p))?;
    Ok(iban.map(AccountId::Iban).or(other.map(AccountId::Other)))
}

/// A party with its name cleaned and its account and BIC validated.
#[derive(Debug)]
pub(crate) struct CleanParty<'a> {
    pub(crate) name: Cow<'a, str>,
    pub(crate) account: Option<AccountId<'a>>,
    pub(crate) bic: Option<Bic>,
}

impl<'a> CleanParty<'a> {
    pub(crate) fn new(party: &Party<'a>, at: At<'_>) -> Result<Self, Iso20022Error> {
        let name =
            required_text(party.name, NAME_LEN_MAX).map_err(|p| field_error(at("name"), p))?;
        let account = account_id(party.iban, party.other_account, at, "iban", "other_account")?;
        let bic = party
            .bic
            .map(check_bic)
            .transpose()
            .map_err(|p| field_error(at("bic"), p))?;
        Ok(CleanParty { name, account, bic })
    }

    /// Cleans an optional party found at `field` of the item that `at` names.
    pub(crate) fn optional(
        party: Option<&Party<'a>>,
        at: At<'_>,
        field: &str,
    ) -> Result<Option<Self>, Iso20022Error> {
        party
            .map(|p| CleanParty::new(p, &|name| at(&format!("{field}.{name}"))))
            .transpose()
    }
}

/// A remittance with its reference normalized, its invoices checked and its text cleaned.
#[derive(Debug)]
pub(crate) struct CleanRemittance<'a> {
    pub(crate) creditor_reference: Option<String>,
    pub(crate) documents: &'a [ReferredDocument<'a>],
    pub(crate) text: Option<Cow<'a, str>>,
}

impl<'a> CleanRemittance<'a> {
    /// Checks a remittance; `at` names its fields (`creditor_reference`, `documents[2].number`,
    /// `text`).
    pub(crate) fn new(r: &Remittance<'a>, at: At<'_>) -> Result<Self, Iso20022Error> {
        let creditor_reference = match r.creditor_reference.map(reference::checked_reference) {
            Some(Some(reference)) => Some(reference),
            Some(None) => {
                let expected = reference::CREDITOR_REFERENCE_FORM;
                let problem = FieldProblem::Format { expected };
                return Err(field_error(at("creditor_reference"), problem));
            }
            None => None,
        };
        for (i, d) in r.documents.iter().enumerate() {
            check_id(d.number)
                .map_err(|p| field_error(at(&format!("documents[{i}].number")), p))?;
            if let Some(amount_minor) = d.amount_minor {
                check_amount(amount_minor)
                    .map_err(|p| field_error(at(&format!("documents[{i}].amount_minor")), p))?;
            }
        }
        Ok(CleanRemittance {
            creditor_reference,
            documents: r.documents,
            text: r.text.and_then(|text| optional_text(text, NAME_LEN_MAX)),
        })
    }

    /// Nothing to write.
    pub(crate) fn is_empty(&self) -> bool {
        self.creditor_reference.is_none() && self.documents.is_empty() && self.text.is_none()
    }

    /// The invoice numbers joined by `;`, for CSV.
    pub(crate) fn invoice_numbers(&self) -> String {
        let numbers: Vec<&str> = self.documents.iter().map(|d| d.number).collect();
        numbers.join(";")
    }
}

/// Remembers the identifiers seen so far and refuses a repeat.
#[derive(Debug, Default)]
pub(crate) struct Unique<'a> {
    seen: HashMap<&'a str, usize>,
}

impl<'a> Unique<'a> {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Unique {
            seen: HashMap::with_capacity(capacity),
        }
    }

    pub(crate) fn check(&mut self, id: &'a str, index: usize) -> Result<(), FieldProblem> {
        match self.seen.insert(id, index) {
            Some(first_index) => Err(FieldProblem::Duplicate { first_index }),
            None => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// XML

/// The spaces of the deepest indentation written; deeper elements are indented this far.
const INDENT: &[u8; 64] = &[b' '; 64];
/// The writer hands its buffer to the output once it holds this many bytes.
const XML_BUFFER_LEN: usize = 64 * 1024;

/// A small XML writer for ISO messages: elements, escaped text and amounts, indented by two
/// spaces, with text-only elements on one line.
///
/// Written by hand rather than through quick-xml's writer because bank files are large (a
/// million notified entries): every element is appended to one buffer, which goes to the output
/// in blocks of [`XML_BUFFER_LEN`] bytes; quick-xml escapes the text.
pub(crate) struct Xml<W: Write> {
    out: W,
    buffer: Vec<u8>,
    depth: usize,
}

impl<W: Write> Xml<W> {
    /// Starts a document: the XML declaration and `<Document xmlns="namespace">`.
    pub(crate) fn start(out: W, namespace: &str) -> io::Result<Self> {
        let mut buffer = Vec::with_capacity(XML_BUFFER_LEN + 1024);
        buffer.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"");
        buffer.extend_from_slice(quick_xml::escape::escape(namespace).as_bytes());
        buffer.extend_from_slice(b"\">");
        Ok(Xml {
            out,
            buffer,
            depth: 1,
        })
    }

    /// Closes `</Document>`, ends the file with a line break and flushes.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.close("Document")?;
        self.buffer.push(b'\n');
        self.out.write_all(&self.buffer)?;
        self.out.flush()
    }

    /// Hands the buffer to the output once it is full.
    fn spill(&mut self) -> io::Result<()> {
        if self.buffer.len() >= XML_BUFFER_LEN {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// A line break and the indentation of the current depth.
    fn indent(&mut self) {
        let width = (2 * self.depth).min(INDENT.len());
        self.buffer.push(b'\n');
        self.buffer.extend_from_slice(&INDENT[..width]);
    }

    /// `<name` + `rest`, on a new line.
    fn start_tag(&mut self, name: &str) {
        self.indent();
        self.buffer.push(b'<');
        self.buffer.extend_from_slice(name.as_bytes());
    }

    /// `</name>`.
    fn end_tag(&mut self, name: &str) {
        self.buffer.extend_from_slice(b"</");
        self.buffer.extend_from_slice(name.as_bytes());
        self.buffer.push(b'>');
    }

    pub(crate) fn open(&mut self, name: &str) -> io::Result<()> {
        self.start_tag(name);
        self.buffer.push(b'>');
        self.depth += 1;
        Ok(())
    }

    pub(crate) fn close(&mut self, name: &str) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.end_tag(name);
        self.spill()
    }

    /// `<name>text</name>`, the text escaped.
    pub(crate) fn text(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.start_tag(name);
        self.buffer.push(b'>');
        self.buffer
            .extend_from_slice(quick_xml::escape::escape(text).as_bytes());
        self.end_tag(name);
        self.spill()
    }

    /// `<a><b><c>text</c></b></a>` for the path `[a, b, c]`.
    pub(crate) fn path(&mut self, path: &[&str], text: &str) -> io::Result<()> {
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

    /// `<name Ccy="EUR">1234.50</name>`; the amount is digits, a point and a sign at most.
    pub(crate) fn amount(
        &mut self,
        name: &str,
        amount: &str,
        currency: Currency,
    ) -> io::Result<()> {
        self.start_tag(name);
        self.buffer.extend_from_slice(b" Ccy=\"");
        self.buffer.extend_from_slice(currency.code().as_bytes());
        self.buffer.extend_from_slice(b"\">");
        self.buffer.extend_from_slice(amount.as_bytes());
        self.end_tag(name);
        self.spill()
    }

    /// `<name><FinInstnId><BICFI>…</BICFI></FinInstnId></name>`: an agent known by its BIC.
    pub(crate) fn agent(&mut self, name: &str, bic: &Bic) -> io::Result<()> {
        self.path(&[name, "FinInstnId", "BICFI"], bic.as_str())
    }

    /// `<Id><IBAN>…</IBAN></Id>` or `<Id><Othr><Id>…</Id>[<SchmeNm><Prtry>…</Prtry></SchmeNm>]
    /// </Othr></Id>`.
    pub(crate) fn account_id(
        &mut self,
        id: &AccountId<'_>,
        scheme: Option<&str>,
    ) -> io::Result<()> {
        self.open("Id")?;
        match id {
            AccountId::Iban(iban) => self.text("IBAN", iban.as_str())?,
            AccountId::Other(other) => {
                self.open("Othr")?;
                self.text("Id", other)?;
                if let Some(scheme) = scheme {
                    self.path(&["SchmeNm", "Prtry"], scheme)?;
                }
                self.close("Othr")?;
            }
        }
        self.close("Id")
    }

    /// `<name><Id><IBAN>…</IBAN></Id></name>`: an account known by its IBAN.
    pub(crate) fn iban_account(&mut self, name: &str, iban: &Iban) -> io::Result<()> {
        self.path(&[name, "Id", "IBAN"], iban.as_str())
    }

    /// `<RltdPties>` (each party's name and account) and `<RltdAgts>` (each party's bank, if
    /// known) of a transaction; nothing for a transaction without parties.
    pub(crate) fn related_parties(
        &mut self,
        debtor: Option<&CleanParty<'_>>,
        creditor: Option<&CleanParty<'_>>,
    ) -> io::Result<()> {
        let parties = [("Dbtr", "DbtrAcct", debtor), ("Cdtr", "CdtrAcct", creditor)];
        if debtor.is_some() || creditor.is_some() {
            self.open("RltdPties")?;
            for (role, account_role, party) in parties {
                let Some(party) = party else { continue };
                self.path(&[role, "Pty", "Nm"], &party.name)?;
                if let Some(id) = &party.account {
                    self.open(account_role)?;
                    self.account_id(id, None)?;
                    self.close(account_role)?;
                }
            }
            self.close("RltdPties")?;
        }
        let agents = [
            ("DbtrAgt", debtor.and_then(|p| p.bic.as_ref())),
            ("CdtrAgt", creditor.and_then(|p| p.bic.as_ref())),
        ];
        if agents.iter().any(|(_, bic)| bic.is_some()) {
            self.open("RltdAgts")?;
            for (role, bic) in agents {
                if let Some(bic) = bic {
                    self.agent(role, bic)?;
                }
            }
            self.close("RltdAgts")?;
        }
        Ok(())
    }

    /// Supplementary data carrying the receipt (journal heads) of the file, if any.
    pub(crate) fn receipt(&mut self, receipt: Option<&str>) -> io::Result<()> {
        let Some(receipt) = receipt.and_then(|r| optional_text(r, RECEIPT_LEN_MAX)) else {
            return Ok(());
        };
        self.open("SplmtryData")?;
        self.text("PlcAndNm", RECEIPT_PLACE)?;
        self.path(&["Envlp", "JrnlHds"], &receipt)?;
        self.close("SplmtryData")
    }

    /// `<RmtInf>`: the free text, then one `<Strd>` per invoice (the first with the creditor
    /// reference, the last with the count of invoices not listed), or one `<Strd>` with only
    /// the creditor reference when there is no invoice. Nothing when the remittance is empty.
    pub(crate) fn remittance(
        &mut self,
        r: &CleanRemittance<'_>,
        currency: Currency,
        exponent: u8,
    ) -> io::Result<()> {
        if r.is_empty() {
            return Ok(());
        }
        self.open("RmtInf")?;
        if let Some(text) = &r.text {
            self.text("Ustrd", text)?;
        }
        let listed = &r.documents[..r.documents.len().min(DOCUMENTS_PER_REMITTANCE_MAX)];
        let more = r.documents.len() - listed.len();
        if let (true, Some(reference)) = (listed.is_empty(), &r.creditor_reference) {
            self.open("Strd")?;
            self.creditor_reference(reference)?;
            self.close("Strd")?;
        }
        for (i, document) in listed.iter().enumerate() {
            self.open("Strd")?;
            self.document(document, currency, exponent)?;
            if let (0, Some(reference)) = (i, &r.creditor_reference) {
                self.creditor_reference(reference)?;
            }
            if i + 1 == listed.len() && more > 0 {
                let noun = if more == 1 { "invoice" } else { "invoices" };
                self.text("AddtlRmtInf", &format!("and {more} more {noun}"))?;
            }
            self.close("Strd")?;
        }
        self.close("RmtInf")
    }

    /// `<RfrdDocInf>` of an invoice and, if it has one, its amount paid.
    fn document(
        &mut self,
        d: &ReferredDocument<'_>,
        currency: Currency,
        exponent: u8,
    ) -> io::Result<()> {
        self.open("RfrdDocInf")?;
        self.path(&["Tp", "CdOrPrtry", "Cd"], INVOICE_TYPE_CODE)?;
        self.text("Nb", d.number)?;
        if let Some(date) = d.date {
            self.text("RltdDt", &date.to_string())?;
        }
        self.close("RfrdDocInf")?;
        if let Some(amount_minor) = d.amount_minor {
            self.open("RfrdDocAmt")?;
            let amount = format_minor(amount_minor.into(), exponent);
            self.amount("RmtdAmt", &amount, currency)?;
            self.close("RfrdDocAmt")?;
        }
        Ok(())
    }

    fn creditor_reference(&mut self, reference: &str) -> io::Result<()> {
        self.open("CdtrRefInf")?;
        self.open("Tp")?;
        self.path(&["CdOrPrtry", "Cd"], CREDITOR_REFERENCE_TYPE_CODE)?;
        self.text("Issr", CREDITOR_REFERENCE_ISSUER)?;
        self.close("Tp")?;
        self.text("Ref", reference)?;
        self.close("CdtrRefInf")
    }
}

pub(crate) fn credit_debit(credit: bool) -> &'static str {
    if credit { "CRDT" } else { "DBIT" }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn names_are_cleaned_and_cut_on_char_boundaries() {
        let long = format!("\u{1}{}é tail", "ä".repeat(139));
        assert_eq!(clean_text(&long, 140), format!("{}é", "ä".repeat(139)));
        assert_eq!(clean_text("  a\u{0}b\r\nc  ", 140), "abc");
        assert_eq!(clean_text("abc  def", 4), "abc");
        assert!(matches!(clean_text("plain", 140), Cow::Borrowed("plain")));
        assert_eq!(clean_text("\u{85}\u{9f}", 140), "");
        assert_eq!(clean_text("a\u{FFFF}b\u{FFFE}", 140), "ab");
        assert_eq!(
            check_id("a\u{FFFE}"),
            Err(FieldProblem::ControlCharacter { index: 1 })
        );
    }

    #[test]
    fn amounts_are_formatted_with_the_currency_exponent() {
        let cases = [
            (123_450, Currency::EUR, "1234.50"),
            (1234, Currency::JPY, "1234"),
            (-5, Currency::EUR, "-0.05"),
            (0, Currency::EUR, "0.00"),
            (1, Currency::KWD, "0.001"),
            (i64::MIN, Currency::EUR, "-92233720368547758.08"),
            (i64::MAX, Currency::JPY, "9223372036854775807"),
        ];
        for (minor, currency, expected) in cases {
            assert_eq!(format_amount(minor, currency).expect("amount"), expected);
        }
        let (field, _) = field_of(format_amount(1, Currency::XAU).unwrap_err());
        assert_eq!(field, "currency");
    }

    #[test]
    fn identifiers_and_counts_are_checked() {
        assert_eq!(check_id(""), Err(FieldProblem::Empty));
        assert_eq!(check_id(&"x".repeat(35)), Ok("x".repeat(35).as_str()));
        assert_eq!(
            check_id(&"é".repeat(36)),
            Err(FieldProblem::TooLong { len: 36, max: 35 })
        );
        assert_eq!(
            check_id("a\tb"),
            Err(FieldProblem::ControlCharacter { index: 1 })
        );
        assert!(check_count("entries", 0, 3, false).is_ok());
        let error = check_count("entries", 4, 3, false).unwrap_err();
        assert_eq!(error.to_string(), "4 entries, more than the 3 allowed");
        let (field, problem) = field_of(check_count("entries", 0, 3, true).unwrap_err());
        assert_eq!((field.as_str(), problem), ("entries", FieldProblem::Empty));
    }

    #[test]
    fn parties_and_remittances_name_the_bad_field() {
        let at = |name: &str| format!("entries[2].debtor.{name}");
        let mut party = Party {
            name: "Tehran Pharma",
            iban: Some("DE44 5001 0517 5407 3249 31"),
            other_account: Some("P7"),
            bic: Some("bylADEM1001"),
        };
        let clean = CleanParty::new(&party, &at).expect("valid party");
        assert_eq!(
            clean.account.expect("account").as_str(),
            "DE44500105175407324931"
        );
        assert_eq!(clean.bic.expect("bic").as_str(), "BYLADEM1001");
        party.iban = Some("DE44500105175407324932");
        let (field, problem) = field_of(CleanParty::new(&party, &at).unwrap_err());
        assert_eq!(field, "entries[2].debtor.iban");
        assert!(matches!(problem, FieldProblem::Iban(_)));
        party.iban = None;
        let nines = "9".repeat(35);
        party.other_account = Some(&nines);
        let (field, _) = field_of(CleanParty::new(&party, &at).unwrap_err());
        assert_eq!(field, "entries[2].debtor.other_account");
        party.other_account = Some("P7");
        party.bic = Some("BYLADEM");
        let (field, _) = field_of(CleanParty::new(&party, &at).unwrap_err());
        assert_eq!(field, "entries[2].debtor.bic");

        let at = |name: &str| format!("remittance.{name}");
        let documents = [
            ReferredDocument {
                number: "INV-1",
                date: None,
                amount_minor: Some(5),
            },
            ReferredDocument {
                number: "INV-2",
                date: None,
                amount_minor: Some(0),
            },
        ];
        let r = Remittance {
            creditor_reference: Some("rf18 5390 0754 7034"),
            documents: &documents[..1],
            text: Some(" \u{7} "),
        };
        let clean = CleanRemittance::new(&r, &at).expect("valid remittance");
        assert_eq!(
            clean.creditor_reference.as_deref(),
            Some("RF18539007547034")
        );
        assert_eq!(clean.text, None);
        let bad = Remittance {
            creditor_reference: Some("RF19539007547034"),
            ..r
        };
        let (field, _) = field_of(CleanRemittance::new(&bad, &at).unwrap_err());
        assert_eq!(field, "remittance.creditor_reference");
        let bad = Remittance {
            documents: &documents,
            ..r
        };
        let (field, problem) = field_of(CleanRemittance::new(&bad, &at).unwrap_err());
        assert_eq!(field, "remittance.documents[1].amount_minor");
        assert_eq!(problem, FieldProblem::NotPositive { amount_minor: 0 });
    }

    fn remittance_xml(r: &Remittance<'_>) -> Vec<Element> {
        let clean = CleanRemittance::new(r, &|name| name.to_owned()).expect("valid");
        let mut out = Vec::new();
        let mut xml = Xml::start(&mut out, "urn:test").expect("start");
        xml.remittance(&clean, Currency::EUR, 2)
            .expect("remittance");
        xml.finish().expect("finish");
        parse(&String::from_utf8(out).expect("UTF-8"))
    }

    #[test]
    fn remittance_lists_invoices_then_counts_the_rest() {
        let numbers: Vec<String> = (1..=103).map(|n| format!("INV-{n}")).collect();
        let documents: Vec<ReferredDocument<'_>> = numbers
            .iter()
            .enumerate()
            .map(|(i, number)| ReferredDocument {
                number,
                date: Date::new(2026, 11, 1).ok(),
                amount_minor: (i % 2 == 0).then_some(1_000),
            })
            .collect();
        let r = Remittance {
            creditor_reference: Some("RF18539007547034"),
            documents: &documents,
            text: Some("cycle 3 & <all>"),
        };
        let elements = remittance_xml(&r);
        let strd = "Document/RmtInf/Strd";
        assert_eq!(text(&elements, "Document/RmtInf/Ustrd"), "cycle 3 & <all>");
        assert_eq!(texts(&elements, strd).len(), DOCUMENTS_PER_REMITTANCE_MAX);
        let listed = texts(&elements, &format!("{strd}/RfrdDocInf/Nb"));
        assert_eq!(listed.len(), 100);
        assert_eq!(
            (listed[0].as_str(), listed[99].as_str()),
            ("INV-1", "INV-100")
        );
        assert_eq!(
            texts(&elements, &format!("{strd}/RfrdDocInf/Tp/CdOrPrtry/Cd"))[0],
            "CINV"
        );
        assert_eq!(
            texts(&elements, &format!("{strd}/RfrdDocInf/RltdDt"))[0],
            "2026-11-01"
        );
        assert_eq!(
            texts(&elements, &format!("{strd}/RfrdDocAmt/RmtdAmt")).len(),
            50
        );
        assert_eq!(
            texts(&elements, &format!("{strd}/CdtrRefInf/Ref")),
            ["RF18539007547034"]
        );
        assert_eq!(
            texts(&elements, &format!("{strd}/AddtlRmtInf")),
            ["and 3 more invoices"]
        );
        // Within a Strd the schema's order: documents, amount, reference, note.
        let first: Vec<&str> = elements
            .iter()
            .filter(|e| e.path.starts_with(strd))
            .map(|e| &e.path[strd.len()..])
            .take(16)
            .collect();
        assert_eq!(
            first,
            [
                "",
                "/RfrdDocInf",
                "/RfrdDocInf/Tp",
                "/RfrdDocInf/Tp/CdOrPrtry",
                "/RfrdDocInf/Tp/CdOrPrtry/Cd",
                "/RfrdDocInf/Nb",
                "/RfrdDocInf/RltdDt",
                "/RfrdDocAmt",
                "/RfrdDocAmt/RmtdAmt",
                "/CdtrRefInf",
                "/CdtrRefInf/Tp",
                "/CdtrRefInf/Tp/CdOrPrtry",
                "/CdtrRefInf/Tp/CdOrPrtry/Cd",
                "/CdtrRefInf/Tp/Issr",
                "/CdtrRefInf/Ref",
                "",
            ]
        );

        let one_more = Remittance {
            documents: &documents[..101],
            ..r
        };
        let elements = remittance_xml(&one_more);
        assert_eq!(
            texts(&elements, &format!("{strd}/AddtlRmtInf")),
            ["and 1 more invoice"]
        );
        let only_reference = Remittance {
            documents: &[],
            text: None,
            ..r
        };
        let elements = remittance_xml(&only_reference);
        assert_eq!(
            text(&elements, &format!("{strd}/CdtrRefInf/Ref")),
            "RF18539007547034"
        );
        assert_eq!(
            text(&elements, &format!("{strd}/CdtrRefInf/Tp/Issr")),
            "ISO"
        );
        let elements = remittance_xml(&Remittance::default());
        assert!(texts(&elements, "Document/RmtInf").is_empty());
    }

    #[test]
    fn xml_escapes_text_and_indents() {
        let mut out = Vec::new();
        let mut xml = Xml::start(&mut out, "urn:x").expect("start");
        xml.open("A").expect("open");
        xml.text("B", "x & <y> \"z\" 'w'").expect("text");
        xml.close("A").expect("close");
        xml.finish().expect("finish");
        let xml = String::from_utf8(out).expect("UTF-8");
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:x\">\n  <A>\n    \
             <B>x &amp; &lt;y&gt; &quot;z&quot; &apos;w&apos;</B>\n  </A>\n</Document>\n"
        );
    }
}
