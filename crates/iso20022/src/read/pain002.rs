//! pain.002 customer payment status reports: the status of the group, of each payment
//! information block and of each payment.

use model::Currency;

use super::fields::{self, Accepted, once, room, text};
use super::xml::{Cursor, Element};
use super::{
    ENTRIES_READ_MAX, LIST_LEN_MAX, PaymentStatus, PaymentStatusReport, ReadError, StatusReason,
};

const ACCEPTED: [Accepted<()>; 1] = [Accepted {
    message: "pain.002",
    versions: 3..=12,
    body: "CstmrPmtStsRpt",
    kind: (),
}];

pub(super) fn read(bytes: &[u8]) -> Result<PaymentStatusReport, ReadError> {
    let fields::Opened {
        mut cursor,
        root,
        body,
        namespace,
        ..
    } = fields::open_message(
        bytes,
        &ACCEPTED,
        "a pain.002 payment status report of versions .001.03 to .001.12",
    )?;
    let (mut header, mut group) = (None, None);
    let mut payments = Vec::new();
    while let Some(child) = cursor.child(&body)? {
        match child.name() {
            "GrpHdr" => once(&mut cursor, &child, &mut header, fields::group_header)?,
            "OrgnlGrpInfAndSts" => once(&mut cursor, &child, &mut group, original_group)?,
            "OrgnlPmtInfAndSts" => payment_block(&mut cursor, &child, &mut payments)?,
            _ => cursor.skip(&child)?,
        }
    }
    let header = header.ok_or_else(|| cursor.missing(&body, "GrpHdr"))?;
    let group = group.ok_or_else(|| cursor.missing(&body, "OrgnlGrpInfAndSts"))?;
    cursor.finish(&root)?;
    Ok(PaymentStatusReport {
        namespace,
        message_id: header.message_id,
        created_at_ns: header.created_at_ns,
        original_message_id: group.message_id,
        original_message_name: group.message_name,
        group_status: group.status,
        group_reasons: group.reasons,
        payments,
    })
}

/// `OrgnlGrpInfAndSts`.
#[derive(Debug)]
struct OriginalGroup {
    message_id: String,
    message_name: String,
    status: Option<String>,
    reasons: Vec<StatusReason>,
}

fn original_group<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<OriginalGroup, ReadError> {
    let (mut message_id, mut message_name, mut status) = (None, None, None);
    let mut reasons = Vec::new();
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "OrgnlMsgId" => once(cursor, &child, &mut message_id, text)?,
            "OrgnlMsgNmId" => once(cursor, &child, &mut message_name, text)?,
            "GrpSts" => once(cursor, &child, &mut status, text)?,
            "StsRsnInf" => {
                room(cursor, &child, reasons.len(), LIST_LEN_MAX)?;
                reasons.push(status_reason(cursor, &child)?);
            }
            _ => cursor.skip(&child)?,
        }
    }
    Ok(OriginalGroup {
        message_id: message_id.ok_or_else(|| cursor.missing(element, "OrgnlMsgId"))?,
        message_name: message_name.ok_or_else(|| cursor.missing(element, "OrgnlMsgNmId"))?,
        status,
        reasons,
    })
}

/// `StsRsnInf`: `Rsn/Cd` (or `Rsn/Prtry`) and `AddtlInf`.
fn status_reason<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<StatusReason, ReadError> {
    let mut code = None;
    let mut additional = Vec::new();
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "Rsn" => once(cursor, &child, &mut code, |c, e| {
                Ok(fields::code_or_choice(c, e)?.0)
            })?,
            "AddtlInf" => {
                room(cursor, &child, additional.len(), LIST_LEN_MAX)?;
                additional.push(text(cursor, &child)?);
            }
            _ => cursor.skip(&child)?,
        }
    }
    Ok(StatusReason { code, additional })
}

/// One `OrgnlPmtInfAndSts`: its payments are appended to `payments`, with the block's id and
/// status; a block with a `PmtInfSts` and no payment becomes one status of its own.
fn payment_block<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
    payments: &mut Vec<PaymentStatus>,
) -> Result<(), ReadError> {
    // Counted now, before the children, so that lines are asked in file order.
    let line = cursor.line(element);
    let first = payments.len();
    let (mut id, mut status) = (None, None);
    let mut reasons = Vec::new();
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "OrgnlPmtInfId" => once(cursor, &child, &mut id, text)?,
            "PmtInfSts" => once(cursor, &child, &mut status, text)?,
            "StsRsnInf" => {
                room(cursor, &child, reasons.len(), LIST_LEN_MAX)?;
                reasons.push(status_reason(cursor, &child)?);
            }
            "TxInfAndSts" => {
                room(cursor, &child, payments.len(), ENTRIES_READ_MAX)?;
                payments.push(transaction_status(cursor, &child)?);
            }
            _ => cursor.skip(&child)?,
        }
    }
    if payments.len() == first {
        if status.is_some() {
            room(cursor, element, payments.len(), ENTRIES_READ_MAX)?;
            payments.push(PaymentStatus {
                line,
                original_payment_information_id: id,
                original_end_to_end_id: None,
                original_instruction_id: None,
                status: None,
                payment_information_status: status,
                reasons,
                amount_minor: None,
                currency: None,
            });
        }
        return Ok(());
    }
    for payment in &mut payments[first..] {
        payment.original_payment_information_id.clone_from(&id);
        payment.payment_information_status.clone_from(&status);
        if payment.status.is_none() && payment.reasons.is_empty() {
            payment.reasons.clone_from(&reasons);
        }
    }
    Ok(())
}

/// `TxInfAndSts`; the block's id and status are filled in by [`payment_block`].
fn transaction_status<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<PaymentStatus, ReadError> {
    // Counted now, before the children, so that lines are asked in file order.
    let line = cursor.line(element);
    let (mut instruction, mut end_to_end, mut status, mut amount) = (None, None, None, None);
    let mut reasons = Vec::new();
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "OrgnlInstrId" => once(cursor, &child, &mut instruction, text)?,
            "OrgnlEndToEndId" => once(cursor, &child, &mut end_to_end, text)?,
            "TxSts" => once(cursor, &child, &mut status, text)?,
            "StsRsnInf" => {
                room(cursor, &child, reasons.len(), LIST_LEN_MAX)?;
                reasons.push(status_reason(cursor, &child)?);
            }
            "OrgnlTxRef" => once(cursor, &child, &mut amount, original_amount)?,
            _ => cursor.skip(&child)?,
        }
    }
    let amount = amount.flatten();
    Ok(PaymentStatus {
        line,
        original_payment_information_id: None,
        original_end_to_end_id: end_to_end,
        original_instruction_id: instruction,
        status,
        payment_information_status: None,
        reasons,
        amount_minor: amount.map(|(minor, _)| minor),
        currency: amount.map(|(_, currency)| currency),
    })
}

/// `OrgnlTxRef/Amt`: `InstdAmt`, or else `EqvtAmt/Amt`.
fn original_amount<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<Option<(i64, Currency)>, ReadError> {
    let mut amount = None;
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "Amt" => once(cursor, &child, &mut amount, amount_choice)?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(amount)
}

/// `AmountType4Choice` (`AmountType3Choice` in older versions).
fn amount_choice<'a>(
    cursor: &mut Cursor<'a>,
    element: &Element<'a>,
) -> Result<(i64, Currency), ReadError> {
    let mut amount = None;
    while let Some(child) = cursor.child(element)? {
        match child.name() {
            "InstdAmt" => once(cursor, &child, &mut amount, fields::amount)?,
            "EqvtAmt" => once(cursor, &child, &mut amount, |c, e| {
                let mut inner = None;
                while let Some(grandchild) = c.child(e)? {
                    match grandchild.name() {
                        "Amt" => once(c, &grandchild, &mut inner, fields::amount)?,
                        _ => c.skip(&grandchild)?,
                    }
                }
                inner.ok_or_else(|| c.missing(e, "Amt"))
            })?,
            _ => cursor.skip(&child)?,
        }
    }
    amount.ok_or_else(|| cursor.missing(element, "InstdAmt"))
}
