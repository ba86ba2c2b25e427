//! camt.053.001.08, bank-to-customer statement: one account, one period, its balances and
//! entries. The account is a participant's account at the house (the house is the servicer),
//! or the house's own account at its bank for the operator.

use std::borrow::Cow;
use std::io::Write;

use model::Currency;
use model::calendar::{utc_date, utc_timestamp};

use crate::{
    ACCOUNT_NAME_LEN_MAX, AMOUNT_DIGITS_MAX, Account, AccountId, BANK_TRANSACTION_CODE,
    CAMT053_NAMESPACE, CleanAccount, CleanParty, CleanRemittance, ENTRIES_MAX, ENTRY_INFO_LEN_MAX,
    FieldProblem, HOUSE_ACCOUNT_SCHEME, Iso20022Error, NAME_LEN_MAX, Party, RECEIPT_LEN_MAX,
    RECEIPT_PLACE, Remittance, SEQUENCE_MAX, Unique, Xml, account_id, add, check_amount, check_bic,
    check_count, check_id, check_total, clean_text, credit_debit, currency_exponent, field_error,
    format_minor, optional_text, required_text,
};

/// The account a statement is about.
///
/// Identified by IBAN (`Acct/Id/IBAN`) or, when it has none, such as a participant's account at
/// the house, by `other_id` (`Acct/Id/Othr/Id` in the scheme [`HOUSE_ACCOUNT_SCHEME`]); one of
/// the two is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementAccount<'a> {
    /// The account's IBAN, if it has one.
    pub iban: Option<&'a str>,
    /// The account's identifier at the house, at most
    /// [`ACCOUNT_ID_LEN_MAX`](crate::ACCOUNT_ID_LEN_MAX) characters; written when there is no
    /// IBAN.
    pub other_id: Option<&'a str>,
    /// The account's name, cut to [`ACCOUNT_NAME_LEN_MAX`] characters (`Acct/Nm`).
    pub name: &'a str,
    /// The account owner's legal name (`Acct/Ownr/Nm`).
    pub owner: &'a str,
    /// The BIC of the account servicer (the house, or the house's bank), if it has one.
    pub servicer_bic: Option<&'a str>,
    /// The account servicer's name, if given.
    pub servicer_name: Option<&'a str>,
}

/// One booked entry on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The account servicer's reference, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters,
    /// unique in the statement.
    pub reference: &'a str,
    /// When the entry was booked, in UTC nanoseconds since the Unix epoch.
    pub booked_at_ns: u64,
    /// The amount, positive, in minor units of the statement currency.
    pub amount_minor: i64,
    /// From the account holder's view: a credit (`CRDT`, true) or a debit (`DBIT`, false).
    pub credit: bool,
    /// Who paid, if known.
    pub debtor: Option<Party<'a>>,
    /// Who was paid, if known.
    pub creditor: Option<Party<'a>>,
    /// The end-to-end id of the payment, if any.
    pub end_to_end_id: Option<&'a str>,
    /// What the entry settles: invoices, creditor reference, text.
    pub remittance: Remittance<'a>,
    /// What the entry is, such as "claim c-17 cleared in cycle 3" (`AddtlNtryInf`, cut to
    /// [`ENTRY_INFO_LEN_MAX`] characters; omitted when empty).
    pub description: &'a str,
}

/// A statement of one account for one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement<'a> {
    /// The message id, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters.
    pub message_id: &'a str,
    /// The statement id, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters.
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
    pub account: StatementAccount<'a>,
    /// A related account, such as the participant's own account at its bank (`RltdAcct`: its
    /// IBAN and name; the BIC is checked but the schema has no place for it there).
    pub related_account: Option<Account<'a>>,
    /// The balance at the start of the period in minor units: positive is a credit balance.
    pub opening_balance_minor: i64,
    /// The entries of the period, at most [`ENTRIES_MAX`], in booking order.
    pub entries: &'a [Entry<'a>],
    /// The journal heads the statement was written at, as additional statement information
    /// (camt.053) or a last `receipt` row (CSV).
    pub receipt: Option<&'a str>,
}

/// The statement's account checked and cleaned.
#[derive(Debug)]
struct CleanStatementAccount<'a> {
    id: AccountId<'a>,
    name: Cow<'a, str>,
    owner: Cow<'a, str>,
    servicer_bic: Option<model::Bic>,
    servicer_name: Option<Cow<'a, str>>,
}

impl<'a> CleanStatementAccount<'a> {
    fn new(a: &StatementAccount<'a>) -> Result<Self, Iso20022Error> {
        let at = |name: &str| format!("account.{name}");
        let Some(id) = account_id(a.iban, a.other_id, &at, "iban", "other_id")? else {
            return Err(field_error(at("iban"), FieldProblem::Required));
        };
        Ok(CleanStatementAccount {
            id,
            name: required_text(a.name, ACCOUNT_NAME_LEN_MAX)
                .map_err(|e| field_error(at("name"), e))?,
            owner: required_text(a.owner, NAME_LEN_MAX).map_err(|e| field_error(at("owner"), e))?,
            servicer_bic: a
                .servicer_bic
                .map(check_bic)
                .transpose()
                .map_err(|e| field_error(at("servicer_bic"), e))?,
            servicer_name: a.servicer_name.and_then(|n| optional_text(n, NAME_LEN_MAX)),
        })
    }
}

/// One entry checked and cleaned.
#[derive(Debug)]
pub(crate) struct CleanEntry<'a> {
    pub(crate) entry: &'a Entry<'a>,
    pub(crate) debtor: Option<CleanParty<'a>>,
    pub(crate) creditor: Option<CleanParty<'a>>,
    pub(crate) end_to_end_id: Option<&'a str>,
    pub(crate) remittance: CleanRemittance<'a>,
    pub(crate) description: Option<Cow<'a, str>>,
}

impl CleanEntry<'_> {
    /// The other side: the debtor of a credit, the creditor of a debit.
    pub(crate) fn counterparty(&self) -> Option<&CleanParty<'_>> {
        if self.entry.credit {
            self.debtor.as_ref()
        } else {
            self.creditor.as_ref()
        }
    }
}

fn clean_entry<'a>(entry: &'a Entry<'a>, i: usize) -> Result<CleanEntry<'a>, Iso20022Error> {
    let at = |name: &str| format!("entries[{i}].{name}");
    check_id(entry.reference).map_err(|e| field_error(at("reference"), e))?;
    check_amount(entry.amount_minor).map_err(|e| field_error(at("amount_minor"), e))?;
    let end_to_end_id = entry
        .end_to_end_id
        .map(check_id)
        .transpose()
        .map_err(|e| field_error(at("end_to_end_id"), e))?;
    Ok(CleanEntry {
        entry,
        debtor: CleanParty::optional(entry.debtor.as_ref(), &at, "debtor")?,
        creditor: CleanParty::optional(entry.creditor.as_ref(), &at, "creditor")?,
        end_to_end_id,
        remittance: CleanRemittance::new(&entry.remittance, &|name| {
            at(&format!("remittance.{name}"))
        })?,
        description: optional_text(entry.description, ENTRY_INFO_LEN_MAX),
    })
}

/// A statement checked, with its totals.
#[derive(Debug)]
pub(crate) struct StatementPlan<'a> {
    pub(crate) s: &'a Statement<'a>,
    exponent: u8,
    account: CleanStatementAccount<'a>,
    related_account: Option<CleanAccount<'a>>,
    credit_count: usize,
    credit_sum_minor: i128,
    debit_count: usize,
    debit_sum_minor: i128,
    /// The sum of all entry amounts, credits and debits alike.
    sum_minor: i128,
    /// Credits minus debits.
    net_minor: i128,
    pub(crate) closing_minor: i128,
}

impl<'a> StatementPlan<'a> {
    pub(crate) fn new(s: &'a Statement<'a>) -> Result<Self, Iso20022Error> {
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
        let account = CleanStatementAccount::new(&s.account)?;
        let related_account = s
            .related_account
            .as_ref()
            .map(|a| {
                let at = |name: &str| format!("related_account.{name}");
                CleanAccount::new(a, &at, ACCOUNT_NAME_LEN_MAX)
            })
            .transpose()?;
        if s.opening_balance_minor.unsigned_abs() > AMOUNT_MINOR_MAX_U64 {
            let max = AMOUNT_DIGITS_MAX;
            let problem = FieldProblem::TooManyDigits { max };
            return Err(field_error("opening_balance_minor", problem));
        }
        check_count("entries", s.entries.len(), ENTRIES_MAX, false)?;
        let mut plan = StatementPlan {
            s,
            exponent,
            account,
            related_account,
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

    /// Checks every entry and accumulates the totals and the closing balance.
    fn add_entries(&mut self) -> Result<(), Iso20022Error> {
        let s = self.s;
        let mut unique = Unique::with_capacity(s.entries.len());
        for (i, entry) in s.entries.iter().enumerate() {
            clean_entry(entry, i)?;
            unique
                .check(entry.reference, i)
                .map_err(|e| field_error(format!("entries[{i}].reference"), e))?;
            let amount_minor = i128::from(entry.amount_minor);
            let (sum_minor, delta_minor) = if entry.credit {
                self.credit_count += 1;
                (&mut self.credit_sum_minor, amount_minor)
            } else {
                self.debit_count += 1;
                (&mut self.debit_sum_minor, -amount_minor)
            };
            *sum_minor = add(*sum_minor, amount_minor, "sum of entries")?;
            self.closing_minor = add(self.closing_minor, delta_minor, "running balance")?;
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

    pub(crate) fn amount(&self, value_minor: i128) -> String {
        format_minor(value_minor, self.exponent)
    }

    /// Cleans the entries again, in order, and hands each to `f` with the balance after it.
    pub(crate) fn for_each_entry(
        &self,
        mut f: impl FnMut(&CleanEntry<'_>, i128) -> Result<(), Iso20022Error>,
    ) -> Result<(), Iso20022Error> {
        let mut balance_minor = i128::from(self.s.opening_balance_minor);
        for (i, entry) in self.s.entries.iter().enumerate() {
            let clean = clean_entry(entry, i)?;
            let amount_minor = i128::from(entry.amount_minor);
            let delta_minor = if entry.credit {
                amount_minor
            } else {
                -amount_minor
            };
            balance_minor = add(balance_minor, delta_minor, "running balance")?;
            f(&clean, balance_minor)?;
        }
        Ok(())
    }
}

/// [`AMOUNT_MINOR_MAX`](crate::AMOUNT_MINOR_MAX) as a magnitude.
const AMOUNT_MINOR_MAX_U64: u64 = crate::AMOUNT_MINOR_MAX.unsigned_abs();

/// Writes `<Bal>` with the balance type code, the absolute amount and its side.
fn write_balance<W: Write>(
    xml: &mut Xml<W>,
    plan: &StatementPlan<'_>,
    code: &str,
    balance_minor: i128,
    at_ns: u64,
) -> Result<(), Iso20022Error> {
    xml.open("Bal")?;
    xml.path(&["Tp", "CdOrPrtry", "Cd"], code)?;
    let amount = plan.amount(balance_minor.abs());
    xml.amount("Amt", &amount, plan.s.currency)?;
    xml.text("CdtDbtInd", credit_debit(balance_minor >= 0))?;
    xml.path(&["Dt", "DtTm"], &utc_timestamp(at_ns))?;
    xml.close("Bal")?;
    Ok(())
}

/// Writes `<TxsSummry>`: all entries (count, sum of amounts, net amount and side), then the
/// credits and the debits (count and sum).
fn write_summary<W: Write>(
    xml: &mut Xml<W>,
    plan: &StatementPlan<'_>,
) -> Result<(), Iso20022Error> {
    xml.open("TxsSummry")?;
    xml.open("TtlNtries")?;
    xml.text("NbOfNtries", &plan.s.entries.len().to_string())?;
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
    xml.close("TxsSummry")?;
    Ok(())
}

/// Writes one `<Ntry>` with its transaction details.
fn write_entry<W: Write>(
    xml: &mut Xml<W>,
    plan: &StatementPlan<'_>,
    e: &CleanEntry<'_>,
) -> Result<(), Iso20022Error> {
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
    xml.open("Refs")?;
    xml.text("AcctSvcrRef", entry.reference)?;
    if let Some(end_to_end_id) = e.end_to_end_id {
        xml.text("EndToEndId", end_to_end_id)?;
    }
    xml.close("Refs")?;
    xml.related_parties(e.debtor.as_ref(), e.creditor.as_ref())?;
    xml.remittance(&e.remittance, plan.s.currency, plan.exponent)?;
    xml.close("TxDtls")?;
    xml.close("NtryDtls")?;
    if let Some(description) = &e.description {
        xml.text("AddtlNtryInf", description)?;
    }
    xml.close("Ntry")?;
    Ok(())
}

/// Writes `<Acct>` (identifier, currency, name, owner, servicer) and `<RltdAcct>`.
fn write_accounts<W: Write>(
    xml: &mut Xml<W>,
    plan: &StatementPlan<'_>,
) -> Result<(), Iso20022Error> {
    let a = &plan.account;
    xml.open("Acct")?;
    xml.account_id(&a.id, Some(HOUSE_ACCOUNT_SCHEME))?;
    xml.text("Ccy", plan.s.currency.code())?;
    xml.text("Nm", &a.name)?;
    xml.path(&["Ownr", "Nm"], &a.owner)?;
    if a.servicer_bic.is_some() || a.servicer_name.is_some() {
        xml.open("Svcr")?;
        xml.open("FinInstnId")?;
        if let Some(bic) = &a.servicer_bic {
            xml.text("BICFI", bic.as_str())?;
        }
        if let Some(name) = &a.servicer_name {
            xml.text("Nm", name)?;
        }
        xml.close("FinInstnId")?;
        xml.close("Svcr")?;
    }
    xml.close("Acct")?;
    if let Some(related) = &plan.related_account {
        xml.open("RltdAcct")?;
        xml.account_id(&AccountId::Iban(related.iban), None)?;
        xml.text("Nm", &related.name)?;
        xml.close("RltdAcct")?;
    }
    Ok(())
}

fn write_statement_xml<W: Write>(
    xml: &mut Xml<W>,
    plan: &StatementPlan<'_>,
) -> Result<(), Iso20022Error> {
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
    write_accounts(xml, plan)?;
    let opening_minor = s.opening_balance_minor.into();
    write_balance(xml, plan, "OPBD", opening_minor, s.from_ns)?;
    write_balance(xml, plan, "CLBD", plan.closing_minor, s.to_ns)?;
    write_summary(xml, plan)?;
    plan.for_each_entry(|entry, _| write_entry(xml, plan, entry))?;
    if let Some(receipt) = s.receipt {
        let text = format!("{RECEIPT_PLACE}: {receipt}");
        xml.text("AddtlStmtInf", &clean_text(&text, RECEIPT_LEN_MAX))?;
    }
    xml.close("Stmt")?;
    xml.close("BkToCstmrStmt")?;
    Ok(())
}

/// Writes a camt.053.001.08 bank-to-customer statement of `s.account` for the period
/// `s.from_ns..=s.to_ns`.
///
/// The account is identified by IBAN or by its identifier at the house, named, owned and
/// serviced as [`StatementAccount`] says; the related account, if any, follows. The opening
/// (`OPBD`) and closing (`CLBD`) balances are shown as an absolute amount with its side (`CRDT`
/// for a credit balance or zero, `DBIT` for a debit balance); the closing balance is the opening
/// balance plus the credits minus the debits, in checked `i128`. The transaction summary gives
/// the number of entries, the sum of their amounts and the net amount with its side, then the
/// credits and the debits. Each entry is booked (`BOOK`) with the bank transaction code
/// [`BANK_TRANSACTION_CODE`]; its reference is the entry reference and the account servicer's
/// reference; its transaction details give the end-to-end id, the debtor and creditor with their
/// accounts and banks, and the remittance information; its description is the additional entry
/// information.
pub fn write_camt053(s: &Statement<'_>, out: impl Write) -> Result<(), Iso20022Error> {
    let plan = StatementPlan::new(s)?;
    let mut xml = Xml::start(out, CAMT053_NAMESPACE)?;
    write_statement_xml(&mut xml, &plan)?;
    xml.finish()?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testing::*;
    use crate::{AMOUNT_MINOR_MAX, ReferredDocument};

    pub(crate) const INVOICES: [ReferredDocument<'static>; 2] = [
        ReferredDocument {
            number: "INV-17",
            date: None,
            amount_minor: Some(30_000),
        },
        ReferredDocument {
            number: "INV-18",
            date: None,
            amount_minor: Some(20_000),
        },
    ];

    pub(crate) const TEHRAN: Party<'static> = Party {
        name: "Tehran Pharma Co.",
        iban: Some("IR062960000000100324200001"),
        other_account: None,
        bic: Some("BKMTIRTH"),
    };

    pub(crate) const MUELLER: Party<'static> = Party {
        name: "Müller, \"Söhne\" & Co",
        iban: None,
        other_account: Some("P9"),
        bic: None,
    };

    pub(crate) fn entries() -> [Entry<'static>; 3] {
        [
            Entry {
                reference: "e-1",
                booked_at_ns: ns(NOV_24_2026_S + 3_600),
                amount_minor: 50_000,
                credit: true,
                debtor: Some(TEHRAN),
                creditor: None,
                end_to_end_id: Some("c-17"),
                remittance: Remittance {
                    creditor_reference: Some("RF18539007547034"),
                    documents: &INVOICES,
                    text: None,
                },
                description: "claim c-17 cleared in cycle 3",
            },
            Entry {
                reference: "e-2",
                booked_at_ns: ns(NOV_24_2026_S + 7_200),
                amount_minor: 20_025,
                credit: false,
                debtor: None,
                creditor: Some(MUELLER),
                end_to_end_id: Some("c-18"),
                remittance: Remittance::default(),
                description: "claim c-18 cleared in cycle 3",
            },
            Entry {
                reference: "e-3",
                booked_at_ns: ns(NOV_24_2026_S + 10_800),
                amount_minor: 5,
                credit: true,
                debtor: None,
                creditor: None,
                end_to_end_id: None,
                remittance: Remittance::default(),
                description: "",
            },
        ]
    }

    pub(crate) fn statement<'a>(opening_minor: i64, entries: &'a [Entry<'a>]) -> Statement<'a> {
        Statement {
            message_id: "STMT-EU-3-P7",
            statement_id: "P7-3",
            created_at_ns: ns(NOV_24_2026_S + 86_399),
            sequence: 3,
            from_ns: ns(NOV_24_2026_S),
            to_ns: ns(NOV_24_2026_S + 86_399),
            currency: Currency::EUR,
            account: StatementAccount {
                iban: None,
                other_id: Some("EU-P7"),
                name: "P7 at Clearhouse EU",
                owner: "Tehran Pharma Co.",
                servicer_bic: Some("HOUSDEFFXXX"),
                servicer_name: Some("Clearhouse EU"),
            },
            related_account: Some(Account {
                name: "Tehran Pharma Co.",
                iban: "DE44500105175407324931",
                bic: "BYLADEM1001",
            }),
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
    fn account_at_the_house_and_related_account() {
        let entries = entries();
        let elements = camt(&statement(0, &entries));
        let at = |p: &str| text(&elements, &format!("{STMT}/{p}"));
        assert_eq!(at("Acct/Id/Othr/Id"), "EU-P7");
        assert_eq!(at("Acct/Id/Othr/SchmeNm/Prtry"), "CLEARHOUSE");
        assert!(texts(&elements, &format!("{STMT}/Acct/Id/IBAN")).is_empty());
        assert_eq!(at("Acct/Ccy"), "EUR");
        assert_eq!(at("Acct/Nm"), "P7 at Clearhouse EU");
        assert_eq!(at("Acct/Ownr/Nm"), "Tehran Pharma Co.");
        assert_eq!(at("Acct/Svcr/FinInstnId/BICFI"), "HOUSDEFFXXX");
        assert_eq!(at("Acct/Svcr/FinInstnId/Nm"), "Clearhouse EU");
        assert_eq!(at("RltdAcct/Id/IBAN"), "DE44500105175407324931");
        assert_eq!(at("RltdAcct/Nm"), "Tehran Pharma Co.");
        let order: Vec<&str> = paths_under(&elements, STMT)
            .into_iter()
            .filter(|p| p.matches('/').count() == 1)
            .take(9)
            .collect();
        assert_eq!(
            order,
            [
                "/Id",
                "/ElctrncSeqNb",
                "/CreDtTm",
                "/FrToDt",
                "/Acct",
                "/RltdAcct",
                "/Bal",
                "/Bal",
                "/TxsSummry"
            ]
        );

        // The operator's statement of the house account at its bank: IBAN, bank BIC only.
        let mut s = statement(0, &entries);
        s.account = StatementAccount {
            iban: Some("DE89370400440532013000"),
            other_id: None,
            name: "INSTEX Zone EU House",
            owner: "Clearhouse EU",
            servicer_bic: Some("COBADEFFXXX"),
            servicer_name: None,
        };
        s.related_account = None;
        let elements = camt(&s);
        let at = |p: &str| text(&elements, &format!("{STMT}/{p}"));
        assert_eq!(at("Acct/Id/IBAN"), "DE89370400440532013000");
        assert_eq!(at("Acct/Svcr/FinInstnId/BICFI"), "COBADEFFXXX");
        assert!(texts(&elements, &format!("{STMT}/Acct/Svcr/FinInstnId/Nm")).is_empty());
        assert!(texts(&elements, &format!("{STMT}/RltdAcct")).is_empty());
    }

    #[test]
    fn balances_and_summary() {
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
        assert_eq!(
            at("AddtlStmtInf"),
            "Clearhouse journal heads: audit:12:0f0e ledger:7:a1b2"
        );
    }

    #[test]
    fn negative_opening_balance() {
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
    fn entries_with_parties_and_remittance() {
        let entries = entries();
        let elements = camt(&statement(0, &entries));
        let ntry = format!("{STMT}/Ntry");
        let all = |p: &str| texts(&elements, &format!("{ntry}/{p}"));
        let first: Vec<&str> = paths_under(&elements, &ntry).into_iter().take(32).collect();
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
                "/NtryDtls/TxDtls/Refs/AcctSvcrRef",
                "/NtryDtls/TxDtls/Refs/EndToEndId",
                "/NtryDtls/TxDtls/RltdPties",
                "/NtryDtls/TxDtls/RltdPties/Dbtr",
                "/NtryDtls/TxDtls/RltdPties/Dbtr/Pty",
                "/NtryDtls/TxDtls/RltdPties/Dbtr/Pty/Nm",
                "/NtryDtls/TxDtls/RltdPties/DbtrAcct",
                "/NtryDtls/TxDtls/RltdPties/DbtrAcct/Id",
                "/NtryDtls/TxDtls/RltdPties/DbtrAcct/Id/IBAN",
                "/NtryDtls/TxDtls/RltdAgts",
                "/NtryDtls/TxDtls/RltdAgts/DbtrAgt",
                "/NtryDtls/TxDtls/RltdAgts/DbtrAgt/FinInstnId",
                "/NtryDtls/TxDtls/RltdAgts/DbtrAgt/FinInstnId/BICFI",
                "/NtryDtls/TxDtls/RmtInf",
                "/NtryDtls/TxDtls/RmtInf/Strd",
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
        let tx = |p: &str| all(&format!("NtryDtls/TxDtls/{p}"));
        assert_eq!(tx("Refs/AcctSvcrRef"), ["e-1", "e-2", "e-3"]);
        assert_eq!(tx("Refs/EndToEndId"), ["c-17", "c-18"]);
        assert_eq!(tx("RltdPties/Dbtr/Pty/Nm"), ["Tehran Pharma Co."]);
        assert_eq!(
            tx("RltdPties/DbtrAcct/Id/IBAN"),
            ["IR062960000000100324200001"]
        );
        assert_eq!(tx("RltdPties/Cdtr/Pty/Nm"), ["Müller, \"Söhne\" & Co"]);
        assert_eq!(tx("RltdPties/CdtrAcct/Id/Othr/Id"), ["P9"]);
        assert_eq!(tx("RltdAgts/DbtrAgt/FinInstnId/BICFI"), ["BKMTIRTH"]);
        assert!(tx("RltdAgts/CdtrAgt/FinInstnId/BICFI").is_empty());
        assert_eq!(tx("RmtInf/Strd/RfrdDocInf/Nb"), ["INV-17", "INV-18"]);
        assert_eq!(tx("RmtInf/Strd/RfrdDocAmt/RmtdAmt"), ["300.00", "200.00"]);
        assert_eq!(tx("RmtInf/Strd/CdtrRefInf/Ref"), ["RF18539007547034"]);
        assert_eq!(
            all("AddtlNtryInf"),
            [
                "claim c-17 cleared in cycle 3",
                "claim c-18 cleared in cycle 3"
            ]
        );
    }

    fn fails(s: &Statement<'_>) -> Iso20022Error {
        let mut out = Vec::new();
        let error = write_camt053(s, &mut out).unwrap_err();
        assert!(out.is_empty(), "nothing is written on a check error");
        error
    }

    #[test]
    fn field_errors() {
        let entries = entries();
        let check = |edit: &dyn Fn(&mut [Entry<'static>; 3]), field: &str| {
            let mut bad = entries;
            edit(&mut bad);
            let (got, problem) = field_of(fails(&statement(0, &bad)));
            assert_eq!(got, field, "{problem}");
            problem
        };
        check(&|e| e[2].amount_minor = -3, "entries[2].amount_minor");
        let p = check(&|e| e[2].reference = "e-1", "entries[2].reference");
        assert_eq!(p, FieldProblem::Duplicate { first_index: 0 });
        check(&|e| e[2].reference = "", "entries[2].reference");
        check(
            &|e| {
                e[1].creditor = Some(Party {
                    name: "",
                    ..MUELLER
                })
            },
            "entries[1].creditor.name",
        );
        check(
            &|e| {
                e[0].debtor = Some(Party {
                    bic: Some("X"),
                    ..TEHRAN
                })
            },
            "entries[0].debtor.bic",
        );
        check(
            &|e| {
                e[0].debtor = Some(Party {
                    iban: Some("IR06"),
                    ..TEHRAN
                })
            },
            "entries[0].debtor.iban",
        );
        check(
            &|e| e[0].end_to_end_id = Some("an-identifier-of-thirty-six-chars-xx"),
            "entries[0].end_to_end_id",
        );
        check(
            &|e| e[0].remittance.creditor_reference = Some("RF00"),
            "entries[0].remittance.creditor_reference",
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
        let mut s = statement(0, &entries);
        s.account.other_id = None;
        let (field, problem) = field_of(fails(&s));
        assert_eq!(
            (field.as_str(), problem),
            ("account.iban", FieldProblem::Required)
        );
        let mut s = statement(0, &entries);
        s.account.owner = " ";
        assert_eq!(field_of(fails(&s)).0, "account.owner");
        let mut s = statement(0, &entries);
        s.account.name = "";
        assert_eq!(field_of(fails(&s)).0, "account.name");
        let mut s = statement(0, &entries);
        s.account.servicer_bic = Some("HOUSDEFF1");
        assert_eq!(field_of(fails(&s)).0, "account.servicer_bic");
        let mut s = statement(0, &entries);
        s.related_account = Some(Account {
            iban: "DE00",
            ..HOUSE
        });
        assert_eq!(field_of(fails(&s)).0, "related_account.iban");
    }

    #[test]
    fn totals_overflow() {
        let entries = entries();
        // The sum leaves 18 digits although every input fits.
        let mut big = entries;
        big[0].amount_minor = AMOUNT_MINOR_MAX;
        big[1].credit = true;
        big[1].amount_minor = 1;
        match fails(&statement(0, &big[..2])) {
            Iso20022Error::Overflow { total } => assert_eq!(total, "sum of credit entries"),
            other => panic!("expected Overflow, got {other:?}"),
        }
        match fails(&statement(AMOUNT_MINOR_MAX, &big[..1])) {
            Iso20022Error::Overflow { total } => assert_eq!(total, "closing balance"),
            other => panic!("expected Overflow, got {other:?}"),
        }
        let many = vec![entries[2]; ENTRIES_MAX + 1];
        assert!(matches!(
            fails(&statement(0, &many)),
            Iso20022Error::TooMany { field: "entries", count, .. } if count == ENTRIES_MAX + 1
        ));
    }
}
