//! Typed reads of the elements both readers share: the message envelope, texts, amounts,
//! datetimes, accounts and the group header; and the bookkeeping of "at most once" and of list
//! limits.

use std::ops::RangeInclusive;

use model::{Currency, Date};

use super::xml::{Cursor, Element, Leaf, echo};
use super::{ReadError, ReadErrorKind, value};

/// A message a reader accepts.
#[derive(Debug)]
pub(super) struct Accepted<K> {
    /// The message name in the namespace, such as `camt.054`.
    pub(super) message: &'static str,
    /// The versions read (`8` for `.001.08`).
    pub(super) versions: RangeInclusive<u8>,
    /// The element under `Document`, such as `BkToCstmrDbtCdtNtfctn`.
    pub(super) body: &'static str,
    pub(super) kind: K,
}

/// A document opened down to its message element.
pub(super) struct Opened<'a, K> {
    pub(super) cursor: Cursor<'a>,
    pub(super) root: Element<'a>,
    pub(super) body: Element<'a>,
    pub(super) kind: K,
    pub(super) namespace: String,
}

/// Opens a document whose namespace is one of `accepted` and enters its message element;
/// `wanted` says what was expected, for the error.
pub(super) fn open_message<'a, K: Copy>(
    bytes: &'a [u8],
    accepted: &[Accepted<K>],
    wanted: &str,
) -> Result<Opened<'a, K>, ReadError> {
    let (mut cursor, root) = Cursor::open(bytes)?;
    let namespace = cursor.namespace().to_owned();
    let found = value::iso_message(&namespace);
    let Some(accepted) = accepted.iter().find(|a| {
        found
            .is_some_and(|(message, version)| message == a.message && a.versions.contains(&version))
    }) else {
        let message = format!("{} is not {wanted}", value::describe_namespace(&namespace));
        return Err(cursor.error(&root, ReadErrorKind::UnknownMessage, message));
    };
    let body = match cursor.child(&root)? {
        Some(body) if body.name() == accepted.body => body,
        Some(other) => {
            let message = format!(
                "Document of {} holds {}, not {}",
                value::describe_namespace(&namespace),
                echo(other.local_name()),
                accepted.body
            );
            return Err(cursor.error(&other, ReadErrorKind::UnknownMessage, message));
        }
        None => return Err(cursor.missing(&root, accepted.body)),
    };
    Ok(Opened {
        cursor,
        root,
        body,
        kind: accepted.kind,
        namespace,
    })
}

/// Reads `element` into `slot` with `read`; a second occurrence (or a second element of the
/// same choice, such as `DtTm` after `Dt`) is an error.
pub(super) fn once<'a, T>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
    slot: &mut Option<T>,
    read: impl FnOnce(&mut Cursor<'a>, &Element<'a>) -> Result<T, ReadError>,
) -> Result<(), ReadError> {
    if slot.is_some() {
        let message = format!(
            "{} where one value is allowed and one was already read",
            element.name()
        );
        return Err(cursor.error(element, ReadErrorKind::Invalid, message));
    }
    *slot = Some(read(cursor, element)?);
    Ok(())
}

/// Refuses a list item beyond `max` (checked before the item is read).
pub(super) fn room(
    cursor: &Cursor<'_>,
    element: &Element<'_>,
    len: usize,
    max: usize,
) -> Result<(), ReadError> {
    if len >= max {
        let message = format!("more than {max} {} read here", element.name());
        return Err(cursor.error(element, ReadErrorKind::TooMany, message));
    }
    Ok(())
}

/// The text of `element`: not empty, without control characters (tab and line ends aside).
pub(super) fn text<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<String, ReadError> {
    let text = cursor.text(element)?;
    checked(cursor, element, &text)?;
    Ok(text.into_owned())
}

fn checked(cursor: &Cursor<'_>, element: &Element<'_>, text: &str) -> Result<(), ReadError> {
    if text.is_empty() {
        let message = format!("{} is empty", element.name());
        return Err(cursor.error(element, ReadErrorKind::Missing, message));
    }
    // Printable ASCII, the usual case, needs no decoding.
    let printable = |b: &u8| (0x20..0x7F).contains(b);
    if text.as_bytes().iter().all(printable) {
        return Ok(());
    }
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        let message = format!("control character U+{:04X} in {}", u32::from(c), echo(text));
        return Err(cursor.error(element, ReadErrorKind::Invalid, message));
    }
    Ok(())
}

/// The text of `element` converted by `parse`; its message becomes an [`ReadErrorKind::Invalid`]
/// error at the element.
fn parsed<'a, T>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, ReadError> {
    let text = cursor.text(element)?;
    checked(cursor, element, &text)?;
    parse(&text).map_err(|message| cursor.error(element, ReadErrorKind::Invalid, message))
}

/// An amount with its `Ccy` attribute (`ActiveOrHistoricCurrencyAndAmount`), in minor units.
pub(super) fn amount<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<(i64, Currency), ReadError> {
    let invalid =
        |cursor: &Cursor<'_>, message| cursor.error(element, ReadErrorKind::Invalid, message);
    let currency = match element.attribute("Ccy") {
        Ok(Some(code)) => value::currency(&code).map_err(|m| invalid(cursor, m))?,
        Ok(None) => {
            let message = format!("{} has no Ccy attribute", element.name());
            return Err(cursor.error(element, ReadErrorKind::Missing, message));
        }
        Err(message) => return Err(invalid(cursor, message)),
    };
    let minor = parsed(cursor, element, |text| value::amount_minor(text, currency))?;
    Ok((minor, currency))
}

/// An `ISODateTime` in UTC nanoseconds.
pub(super) fn datetime<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<u64, ReadError> {
    parsed(cursor, element, value::datetime_ns)
}

/// A `DateAndDateTime2Choice`: `Dt`, or the UTC date of `DtTm`.
pub(super) fn date_choice<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<Date, ReadError> {
    let mut date = None;
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "Dt" => once(cursor, &child, &mut date, |c, e| parsed(c, e, value::date))?,
            "DtTm" => once(cursor, &child, &mut date, |c, e| {
                parsed(c, e, value::datetime_date)
            })?,
            _ => cursor.skip(&child)?,
        }
    }
    date.ok_or_else(|| cursor.missing(element, "Dt"))
}

/// `CdtDbtInd`: true for `CRDT`.
pub(super) fn credit_debit<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<bool, ReadError> {
    parsed(cursor, element, value::credit_debit)
}

/// An `xs:boolean`.
pub(super) fn boolean<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<bool, ReadError> {
    parsed(cursor, element, value::boolean)
}

/// A currency code element (`Ccy`).
fn currency<'a>(cursor: &mut Cursor<'a>, element: &Element<'a>) -> Result<Currency, ReadError> {
    parsed(cursor, element, value::currency)
}

/// A code that is text in some versions and `Cd`/`Prtry` in others (an entry's `Sts`, a
/// reason's `Rsn`): the text, the code, or the proprietary value, with whether it was
/// proprietary.
pub(super) fn code_or_choice<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<(String, bool), ReadError> {
    let mut next = match cursor.text_or_child(element)? {
        Leaf::Text(text) => {
            checked(cursor, element, &text)?;
            return Ok((text.into_owned(), false));
        }
        Leaf::Child(first) => Some(first),
    };
    let mut code = None;
    while let Some(child) = next {
        match child.name() {
            "Cd" => once(cursor, &child, &mut code, |c, e| Ok((text(c, e)?, false)))?,
            "Prtry" => once(cursor, &child, &mut code, |c, e| Ok((text(c, e)?, true)))?,
            _ => cursor.skip(&child)?,
        }
        next = cursor.child(element)?;
    }
    code.ok_or_else(|| cursor.missing(element, "Cd"))
}

/// `GrpHdr/MsgId` and `GrpHdr/CreDtTm`.
#[derive(Debug)]
pub(super) struct GroupHeader {
    pub(super) message_id: String,
    pub(super) created_at_ns: Option<u64>,
}

pub(super) fn group_header<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<GroupHeader, ReadError> {
    let (mut message_id, mut created_at_ns) = (None, None);
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "MsgId" => once(cursor, &child, &mut message_id, text)?,
            "CreDtTm" => once(cursor, &child, &mut created_at_ns, datetime)?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(GroupHeader {
        message_id: message_id.ok_or_else(|| cursor.missing(element, "MsgId"))?,
        created_at_ns,
    })
}

/// What is read of a cash account (`Acct`, `DbtrAcct`, `CdtrAcct`).
#[derive(Debug, Default)]
pub(super) struct CashAccount {
    pub(super) iban: Option<String>,
    pub(super) other_id: Option<String>,
    pub(super) currency: Option<Currency>,
}

pub(super) fn cash_account<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<CashAccount, ReadError> {
    let mut account = CashAccount::default();
    let mut id = None;
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "Id" => once(cursor, &child, &mut id, |c, e| {
                account_id(c, e, &mut account)
            })?,
            "Ccy" => once(cursor, &child, &mut account.currency, currency)?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(account)
}

/// `Id`: `IBAN`, or `Othr/Id`.
fn account_id<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
    account: &mut CashAccount,
) -> Result<(), ReadError> {
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "IBAN" => once(cursor, &child, &mut account.iban, text)?,
            "Othr" => once(cursor, &child, &mut account.other_id, |c, e| {
                let mut id = None;
                while let Some(inner) = c.child(e)? {
                    match inner.name() {
                        "Id" => once(c, &inner, &mut id, text)?,
                        _ => c.skip(&inner)?,
                    }
                }
                id.ok_or_else(|| c.missing(e, "Id"))
            })?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(())
}
