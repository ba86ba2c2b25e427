//! camt.053 statements and camt.054 notifications: accounts, entries and their transactions.

use model::Currency;

use super::fields::{self, Accepted, CashAccount, once, room, text};
use super::xml::{Cursor, Element};
use super::{
    AccountReport, BankEntry, BankReport, BankTransaction, ENTRIES_READ_MAX, EntryStatus,
    LIST_LEN_MAX, MessageKind, ReadError, ReadParty,
};

const ACCEPTED: [Accepted<MessageKind>; 2] = [
    Accepted {
        message: "camt.053",
        versions: 2..=10,
        body: "BkToCstmrStmt",
        kind: MessageKind::Camt053,
    },
    Accepted {
        message: "camt.054",
        versions: 2..=10,
        body: "BkToCstmrDbtCdtNtfctn",
        kind: MessageKind::Camt054,
    },
];

/// Entries and transactions read so far in the file, against [`ENTRIES_READ_MAX`].
#[derive(Debug, Default)]
struct Counts {
    entries: usize,
    transactions: usize,
}

pub(super) fn read(bytes: &[u8]) -> Result<BankReport, ReadError> {
    let fields::Opened {
        mut cursor,
        root,
        body,
        kind,
        namespace,
    } = fields::open_message(
        bytes,
        &ACCEPTED,
        "a camt.053 statement or camt.054 notification of versions .001.02 to .001.10",
    )?;
    let account_element = match kind {
        MessageKind::Camt053 => "Stmt",
        MessageKind::Camt054 => "Ntfctn",
    };
    let mut header = None;
    let mut accounts = Vec::new();
    let mut counts = Counts::default();
    while let Some(child) = cursor.child(&body)? {
        match child.name() {
            "GrpHdr" => once(&mut cursor, &child, &mut header, fields::group_header)?,
            name if name == account_element => {
                room(&cursor, &child, accounts.len(), ENTRIES_READ_MAX)?;
                accounts.push(account(&mut cursor, &child, &mut counts)?);
            }
            _ => cursor.skip(&child)?,
        }
    }
    let header = header.ok_or_else(|| cursor.missing(&body, "GrpHdr"))?;
    if accounts.is_empty() {
        return Err(cursor.missing(&body, account_element));
    }
    cursor.finish(&root)?;
    Ok(BankReport {
        kind,
        namespace,
        message_id: header.message_id,
        created_at_ns: header.created_at_ns,
        accounts,
    })
}

/// A `Stmt` or `Ntfctn`.
fn account<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
    counts: &mut Counts,
) -> Result<AccountReport, ReadError> {
    // Counted now, before the children, so that lines are asked in file order.
    let line = cursor.line(element);
    let (mut id, mut account) = (None, None);
    let mut entries = Vec::new();
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "Id" => once(cursor, &child, &mut id, text)?,
            "Acct" => once(cursor, &child, &mut account, fields::cash_account)?,
            "Ntry" => {
                room(cursor, &child, counts.entries, ENTRIES_READ_MAX)?;
                counts.entries += 1;
                entries.push(entry(cursor, &child, counts)?);
            }
            _ => cursor.skip(&child)?,
        }
    }
    let id = id.ok_or_else(|| cursor.missing(element, "Id"))?;
    let account = account.ok_or_else(|| cursor.missing(element, "Acct"))?;
    Ok(AccountReport {
        line,
        id,
        iban: account.iban,
        other_id: account.other_id,
        currency: account.currency,
        entries,
    })
}

/// The elements of an `Ntry`, each at most once.
#[derive(Debug, Default)]
struct EntryDraft {
    reference: Option<String>,
    amount: Option<(i64, Currency)>,
    credit: Option<bool>,
    reversal: Option<bool>,
    status: Option<EntryStatus>,
    booking_date: Option<model::Date>,
    value_date: Option<model::Date>,
    servicer_reference: Option<String>,
}

fn entry<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
    counts: &mut Counts,
) -> Result<BankEntry, ReadError> {
    // Counted now, before the children, so that lines are asked in file order.
    let line = cursor.line(element);
    let mut draft = EntryDraft::default();
    let mut transactions = Vec::new();
    while let Some(child) = cursor.child(element)? {
        let d = &mut draft;
        match child.name() {
            "NtryRef" => once(cursor, &child, &mut d.reference, text)?,
            "Amt" => once(cursor, &child, &mut d.amount, fields::amount)?,
            "CdtDbtInd" => once(cursor, &child, &mut d.credit, fields::credit_debit)?,
            "RvslInd" => once(cursor, &child, &mut d.reversal, fields::boolean)?,
            "Sts" => once(cursor, &child, &mut d.status, entry_status)?,
            "BookgDt" => once(cursor, &child, &mut d.booking_date, fields::date_choice)?,
            "ValDt" => once(cursor, &child, &mut d.value_date, fields::date_choice)?,
            "AcctSvcrRef" => once(cursor, &child, &mut d.servicer_reference, text)?,
            "NtryDtls" => entry_details(cursor, &child, &mut transactions, counts)?,
            _ => cursor.skip(&child)?,
        }
    }
    let (amount_minor, currency) = draft.amount.ok_or_else(|| cursor.missing(element, "Amt"))?;
    Ok(BankEntry {
        line,
        entry_reference: draft.reference,
        account_servicer_reference: draft.servicer_reference,
        amount_minor,
        currency,
        credit: draft
            .credit
            .ok_or_else(|| cursor.missing(element, "CdtDbtInd"))?,
        reversal: draft.reversal.unwrap_or(false),
        status: draft.status.ok_or_else(|| cursor.missing(element, "Sts"))?,
        booking_date: draft.booking_date,
        value_date: draft.value_date,
        transactions,
    })
}

/// `Sts`: `<Cd>BOOK</Cd>` (or `<Prtry>`) from version .001.08, the text `BOOK` before.
fn entry_status<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<EntryStatus, ReadError> {
    let (code, proprietary) = fields::code_or_choice(cursor, element)?;
    Ok(match code.as_str() {
        _ if proprietary => EntryStatus::Other(code),
        "BOOK" => EntryStatus::Booked,
        "PDNG" => EntryStatus::Pending,
        "INFO" => EntryStatus::Info,
        _ => EntryStatus::Other(code),
    })
}

/// `NtryDtls`: its `TxDtls` (the batch summary `Btch` is not read).
fn entry_details<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
    transactions: &mut Vec<BankTransaction>,
    counts: &mut Counts,
) -> Result<(), ReadError> {
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "TxDtls" => {
                room(cursor, &child, counts.transactions, ENTRIES_READ_MAX)?;
                counts.transactions += 1;
                transactions.push(transaction(cursor, &child)?);
            }
            _ => cursor.skip(&child)?,
        }
    }
    Ok(())
}

/// The elements of a `TxDtls`, each at most once.
#[derive(Debug, Default)]
struct TransactionDraft {
    references: Option<References>,
    amount: Option<(i64, Currency)>,
    /// `AmtDtls/TxAmt/Amt`, if given.
    amount_details: Option<Option<(i64, Currency)>>,
    parties: Option<Parties>,
    agents: Option<Agents>,
    remittance: Option<Remittance>,
}

fn transaction<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<BankTransaction, ReadError> {
    // Counted now, before the children, so that lines are asked in file order.
    let line = cursor.line(element);
    let mut draft = TransactionDraft::default();
    while let Some(child) = cursor.child(element)? {
        let d = &mut draft;
        match child.name() {
            "Refs" => once(cursor, &child, &mut d.references, references)?,
            "Amt" => once(cursor, &child, &mut d.amount, fields::amount)?,
            "AmtDtls" => once(cursor, &child, &mut d.amount_details, amount_details)?,
            "RltdPties" => once(cursor, &child, &mut d.parties, parties)?,
            "RltdAgts" => once(cursor, &child, &mut d.agents, agents)?,
            "RmtInf" => once(cursor, &child, &mut d.remittance, remittance)?,
            _ => cursor.skip(&child)?,
        }
    }
    let amount = draft.amount.or(draft.amount_details.flatten());
    let references = draft.references.unwrap_or_default();
    let parties = draft.parties.unwrap_or_default();
    let agents = draft.agents.unwrap_or_default();
    let remittance = draft.remittance.unwrap_or_default();
    Ok(BankTransaction {
        line,
        amount_minor: amount.map(|(minor, _)| minor),
        currency: amount.map(|(_, currency)| currency),
        account_servicer_reference: references.servicer,
        end_to_end_id: references.end_to_end,
        instruction_id: references.instruction,
        creditor_reference: remittance.creditor_reference,
        documents: remittance.documents,
        unstructured: remittance.unstructured,
        debtor: party(
            parties.debtor_name,
            parties.debtor_account,
            agents.debtor_bic,
        ),
        creditor: party(
            parties.creditor_name,
            parties.creditor_account,
            agents.creditor_bic,
        ),
    })
}

/// A party, if anything is known of it.
fn party(
    name: Option<Option<String>>,
    account: Option<CashAccount>,
    bic: Option<Option<String>>,
) -> Option<ReadParty> {
    let account = account.unwrap_or_default();
    let party = ReadParty {
        name: name.flatten(),
        iban: account.iban,
        other_account: account.other_id,
        bic: bic.flatten(),
    };
    (party != ReadParty::default()).then_some(party)
}

/// `Refs`.
#[derive(Debug, Default)]
struct References {
    servicer: Option<String>,
    end_to_end: Option<String>,
    instruction: Option<String>,
}

fn references<'a>(cursor: &mut Cursor<'a>, element: &Element<'a>) -> Result<References, ReadError> {
    let mut r = References::default();
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "AcctSvcrRef" => once(cursor, &child, &mut r.servicer, text)?,
            "EndToEndId" => once(cursor, &child, &mut r.end_to_end, text)?,
            "InstrId" => once(cursor, &child, &mut r.instruction, text)?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(r)
}

/// `AmtDtls/TxAmt/Amt`, the amount of a transaction in versions without `TxDtls/Amt`.
fn amount_details<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<Option<(i64, Currency)>, ReadError> {
    let mut amount = None;
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "TxAmt" => once(cursor, &child, &mut amount, |c, e| {
                let mut inner = None;
                while let Some(grandchild) = c.child(e)? {
                    match grandchild.name() {
                        "Amt" => once(c, &grandchild, &mut inner, fields::amount)?,
                        _ => c.skip(&grandchild)?,
                    }
                }
                Ok(inner)
            })?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(amount.flatten())
}

/// `RltdPties`: the debtor and creditor with their accounts.
#[derive(Debug, Default)]
struct Parties {
    debtor_name: Option<Option<String>>,
    debtor_account: Option<CashAccount>,
    creditor_name: Option<Option<String>>,
    creditor_account: Option<CashAccount>,
}

fn parties<'a>(cursor: &mut Cursor<'a>, element: &Element<'a>) -> Result<Parties, ReadError> {
    let mut p = Parties::default();
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "Dbtr" => once(cursor, &child, &mut p.debtor_name, party_name)?,
            "DbtrAcct" => once(cursor, &child, &mut p.debtor_account, fields::cash_account)?,
            "Cdtr" => once(cursor, &child, &mut p.creditor_name, party_name)?,
            "CdtrAcct" => once(
                cursor,
                &child,
                &mut p.creditor_account,
                fields::cash_account,
            )?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(p)
}

/// The name of a `Dbtr` or `Cdtr`: `Pty/Nm` from version .001.08, `Nm` before. A party given
/// as an agent (`Agt`) has no name read here.
fn party_name<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<Option<String>, ReadError> {
    let (mut name, mut party) = (None, None);
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "Nm" => once(cursor, &child, &mut name, text)?,
            "Pty" => once(cursor, &child, &mut party, party_name)?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(party.flatten().or(name))
}

/// `RltdAgts`: the BICs of the debtor's and creditor's banks.
#[derive(Debug, Default)]
struct Agents {
    debtor_bic: Option<Option<String>>,
    creditor_bic: Option<Option<String>>,
}

fn agents<'a>(cursor: &mut Cursor<'a>, element: &Element<'a>) -> Result<Agents, ReadError> {
    let mut a = Agents::default();
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "DbtrAgt" => once(cursor, &child, &mut a.debtor_bic, agent_bic)?,
            "CdtrAgt" => once(cursor, &child, &mut a.creditor_bic, agent_bic)?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(a)
}

/// `FinInstnId/BICFI` (`FinInstnId/BIC` in old versions) of an agent.
fn agent_bic<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<Option<String>, ReadError> {
    let mut bic = None;
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "FinInstnId" => once(cursor, &child, &mut bic, |c, e| {
                let mut inner = None;
                while let Some(grandchild) = c.child(e)? {
                    match grandchild.name() {
                        "BICFI" | "BIC" => once(c, &grandchild, &mut inner, text)?,
                        _ => c.skip(&grandchild)?,
                    }
                }
                Ok(inner)
            })?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(bic.flatten())
}

/// `RmtInf`.
#[derive(Debug, Default)]
struct Remittance {
    creditor_reference: Option<String>,
    documents: Vec<String>,
    unstructured: Vec<String>,
}

fn remittance<'a>(cursor: &mut Cursor<'a>, element: &Element<'a>) -> Result<Remittance, ReadError> {
    let mut r = Remittance::default();
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "Ustrd" => {
                room(cursor, &child, r.unstructured.len(), LIST_LEN_MAX)?;
                r.unstructured.push(text(cursor, &child)?);
            }
            "Strd" => structured(cursor, &child, &mut r)?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(r)
}

/// One `Strd`: its documents' numbers, and its creditor reference unless an earlier `Strd`
/// gave one.
fn structured<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
    r: &mut Remittance,
) -> Result<(), ReadError> {
    let mut reference = None;
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "RfrdDocInf" => {
                room(cursor, &child, r.documents.len(), LIST_LEN_MAX)?;
                if let Some(number) = only_child(cursor, &child, "Nb")? {
                    r.documents.push(number);
                }
            }
            "CdtrRefInf" => once(cursor, &child, &mut reference, |c, e| {
                only_child(c, e, "Ref")
            })?,
            _ => cursor.skip(&child)?,
        }
    }
    if r.creditor_reference.is_none() {
        r.creditor_reference = reference.flatten();
    }
    Ok(())
}

/// The text of the one child `name` of `element`, if present; other children are skipped.
fn only_child<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
    name: &str,
) -> Result<Option<String>, ReadError> {
    let mut found = None;
    while let Some(child) = cursor.child(element)? {
        if child.name() == name {
            once(cursor, &child, &mut found, text)?;
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(found)
}
