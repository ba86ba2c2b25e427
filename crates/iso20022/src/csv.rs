//! The CSV forms of a statement and of an activation request, for people and spreadsheets.
//!
//! Fields are quoted as RFC 4180 says when they hold a comma, a quote or a line break (quotes
//! doubled); lines end with `\n`. Amounts are decimals in major units with the currency's
//! exponent, instants RFC 3339 UTC. Each CSV is checked exactly as its XML twin, so a message is
//! written in both forms or in neither.

use std::io::{BufWriter, Write};

use model::calendar::utc_timestamp;

use crate::camt053::StatementPlan;
use crate::pain013::RequestPlan;
use crate::{
    ActivationRequest, Iso20022Error, RECEIPT_LEN_MAX, Statement, clean_text, format_minor,
};

/// The header line of [`write_statement_csv`].
pub const STATEMENT_CSV_HEADER: &str =
    "booked_at,reference,direction,amount,currency,counterparty,invoices,description,balance";

/// The header line of [`write_request_csv`].
pub const REQUEST_CSV_HEADER: &str =
    "end_to_end_id,payer,iban,bic,amount,currency,reference,deadline,invoices";

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

/// Replaces `line` with the fields as one CSV row, line break included.
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

/// Writes one row.
fn write_row(out: &mut impl Write, line: &mut String, fields: &[&str]) -> std::io::Result<()> {
    push_csv_row(line, fields);
    out.write_all(line.as_bytes())
}

/// Writes the statement as CSV: the header [`STATEMENT_CSV_HEADER`], the opening balance, one
/// row per entry, and the receipt, if any.
///
/// `booked_at` is RFC 3339 UTC; `direction` is `credit` or `debit`; `amount` is the absolute
/// amount in major units; `counterparty` is the other side's legal name (the debtor of a credit,
/// the creditor of a debit); `invoices` are the invoice numbers paid, all of them, joined by `;`;
/// `balance` is the signed balance after the row in major units (negative is a debit balance).
/// The first row has the reference `opening`, the start of the period, no direction nor amount,
/// and the opening balance; the last row, `receipt`, carries the journal heads as its
/// description and the closing balance of [`write_camt053`](crate::write_camt053). Texts are
/// cleaned as in the camt.053 (control characters dropped, cut to the same lengths). The same
/// checks as [`write_camt053`](crate::write_camt053) apply.
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
        "",
        "opening balance",
        opening.as_str(),
    ];
    write_row(&mut out, &mut line, &opening_row)?;
    plan.for_each_entry(|e, balance_minor| {
        let entry = e.entry;
        let booked_at = utc_timestamp(entry.booked_at_ns);
        let direction = if entry.credit { "credit" } else { "debit" };
        let amount = plan.amount(entry.amount_minor.into());
        let balance = plan.amount(balance_minor);
        let invoices = e.remittance.invoice_numbers();
        let row = [
            booked_at.as_str(),
            entry.reference,
            direction,
            amount.as_str(),
            currency,
            e.counterparty().map(|p| p.name.as_ref()).unwrap_or(""),
            invoices.as_str(),
            e.description.as_deref().unwrap_or(""),
            balance.as_str(),
        ];
        write_row(&mut out, &mut line, &row)?;
        Ok(())
    })?;
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
            "",
            receipt.as_ref(),
            closing.as_str(),
        ];
        write_row(&mut out, &mut line, &row)?;
    }
    out.flush()?;
    Ok(())
}

/// Writes the activation request as CSV: the header [`REQUEST_CSV_HEADER`], one row per request,
/// and the receipt, if any.
///
/// `payer`, `iban` and `bic` are the debtor's (IBAN in electronic form); `amount` is the amount
/// due in major units; `reference` is the creditor reference in electronic form; `deadline` is
/// the expiry, RFC 3339 UTC; `invoices` are the invoice numbers, all of them, joined by `;`. The
/// last row, with `receipt` as its end-to-end id and the message's currency, carries the journal
/// heads in the `invoices` column. The same checks as [`write_pain013`](crate::write_pain013)
/// apply.
pub fn write_request_csv(r: &ActivationRequest<'_>, out: impl Write) -> Result<(), Iso20022Error> {
    let plan = RequestPlan::new(r)?;
    let currency = r.currency.code();
    let mut out = BufWriter::new(out);
    let mut line = String::new();
    out.write_all(REQUEST_CSV_HEADER.as_bytes())?;
    out.write_all(b"\n")?;
    for (q, clean) in r.requests.iter().zip(plan.requests()) {
        let c = clean?;
        let amount = format_minor(c.amount_minor.into(), plan.exponent);
        let deadline = utc_timestamp(q.expiry_ns);
        let invoices = c.remittance.invoice_numbers();
        let row = [
            c.end_to_end_id,
            c.debtor.name.as_ref(),
            c.debtor.iban.as_str(),
            c.debtor.bic.as_str(),
            amount.as_str(),
            currency,
            c.reference.as_str(),
            deadline.as_str(),
            invoices.as_str(),
        ];
        write_row(&mut out, &mut line, &row)?;
    }
    if let Some(receipt) = r.receipt {
        let receipt = clean_text(receipt, RECEIPT_LEN_MAX);
        let row = [
            "receipt",
            "",
            "",
            "",
            "",
            currency,
            "",
            "",
            receipt.as_ref(),
        ];
        write_row(&mut out, &mut line, &row)?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camt053::tests::{entries, statement};
    use crate::pain013::tests::{activation, requests};

    #[test]
    fn statement_csv() {
        let entries = entries();
        let mut out = Vec::new();
        write_statement_csv(&statement(-100_000, &entries), &mut out).expect("CSV written");
        let csv = String::from_utf8(out).expect("UTF-8");
        let expected = "\
booked_at,reference,direction,amount,currency,counterparty,invoices,description,balance
2026-11-24T00:00:00Z,opening,,,EUR,,,opening balance,-1000.00
2026-11-24T01:00:00Z,e-1,credit,500.00,EUR,Tehran Pharma Co.,INV-17;INV-18,claim c-17 cleared in cycle 3,-500.00
2026-11-24T02:00:00Z,e-2,debit,200.25,EUR,\"Müller, \"\"Söhne\"\" & Co\",,claim c-18 cleared in cycle 3,-700.25
2026-11-24T03:00:00Z,e-3,credit,0.05,EUR,,,,-700.20
2026-11-24T23:59:59Z,receipt,,,EUR,,,audit:12:0f0e ledger:7:a1b2,-700.20
";
        assert_eq!(csv, expected);

        let mut line = String::new();
        push_csv_row(&mut line, &["a\nb", "c\rd", "plain", "", "\""]);
        assert_eq!(line, "\"a\nb\",\"c\rd\",plain,,\"\"\"\"\n");
    }

    #[test]
    fn request_csv() {
        let requests = requests();
        let mut out = Vec::new();
        write_request_csv(&activation(&requests), &mut out).expect("CSV written");
        let csv = String::from_utf8(out).expect("UTF-8");
        let expected = "\
end_to_end_id,payer,iban,bic,amount,currency,reference,deadline,invoices
rtp-c-17,\"Müller & Söhne <Pharma> \"\"GmbH\"\"\",DE02120300000000202051,BYLADEM1001,1234.50,EUR,RF18539007547034,2026-11-26T23:59:59Z,\"INV-2026-0017;INV;2026,0018\"
rtp-c-18,Lyon Médical SA,FR1420041010050500013M02606,PSSTFRPPLYO,0.05,EUR,RF18123456789,2026-11-25T00:00:00Z,
receipt,,,,,EUR,,,audit:12:0f0e ledger:7:a1b2
";
        assert_eq!(csv, expected);

        // The same checks as the pain.013: a request without a reference writes nothing.
        let mut bad = requests;
        bad[0].remittance.creditor_reference = None;
        let mut out = Vec::new();
        assert!(write_request_csv(&activation(&bad), &mut out).is_err());
        assert!(out.is_empty());
    }
}
