//! pain.002.001.10, customer payment status report: the bank's answer to a payment initiation,
//! one status per transaction. Written from the bank's side, for demonstrations and tests.

use std::collections::HashMap;
use std::io::Write;

use model::calendar::utc_timestamp;

use crate::{
    FieldProblem, Iso20022Error, PAIN002_NAMESPACE, STATUSES_MAX, Unique, Xml, check_count,
    check_id, field_error, optional_text,
};

/// The longest additional status information, in characters (`AddtlInf` is a `Max105Text`).
pub const STATUS_INFO_LEN_MAX: usize = 105;
/// The group status when some transactions were rejected and others not: partially accepted.
pub const PARTIALLY_ACCEPTED: &str = "PART";
/// The status that rejects a transaction.
pub const REJECTED: &str = "RJCT";

/// The status of one transaction of the original message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionStatus<'a> {
    /// The end-to-end id of the transaction reported on, unique in the report.
    pub original_end_to_end_id: &'a str,
    /// The status, an `ExternalPaymentTransactionStatus1Code` of four capital letters or
    /// digits: `ACCP`, `ACSP`, `ACSC`, `PDNG`, `RJCT` …
    pub status: &'a str,
    /// The reason, an `ExternalStatusReason1Code` of four capital letters or digits, such as
    /// `AC01` (wrong account number) or `AM04` (insufficient funds).
    pub reason: Option<&'a str>,
    /// A free text about the status, cut to [`STATUS_INFO_LEN_MAX`] characters.
    pub additional_info: Option<&'a str>,
}

/// A status report on the transactions of one payment information block of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusReport<'a> {
    /// The message id, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters.
    pub message_id: &'a str,
    /// When the report was created, in UTC nanoseconds since the Unix epoch.
    pub created_at_ns: u64,
    /// The id of the message reported on.
    pub original_message_id: &'a str,
    /// The name of the message reported on, such as `pain.001.001.09`.
    pub original_message_name: &'a str,
    /// The payment information id reported on.
    pub original_payment_information_id: &'a str,
    /// The statuses, 1 to [`STATUSES_MAX`].
    pub transactions: &'a [TransactionStatus<'a>],
}

/// What a status or reason code must look like.
const CODE_FORM: &str = "a code of 4 capital letters or digits";

/// Checks an external code: exactly four capital letters or digits.
fn check_code(value: &str) -> Result<&str, FieldProblem> {
    if value.is_empty() {
        return Err(FieldProblem::Empty);
    }
    let expected = "a capital letter A-Z or a digit 0-9";
    let bad = value
        .chars()
        .enumerate()
        .find(|(_, ch)| !(ch.is_ascii_uppercase() || ch.is_ascii_digit()));
    if let Some((index, ch)) = bad {
        return Err(FieldProblem::Character {
            ch,
            index,
            expected,
        });
    }
    if value.len() != 4 {
        return Err(FieldProblem::Format {
            expected: CODE_FORM,
        });
    }
    Ok(value)
}

/// A report checked: the number of transactions per status, in order of first appearance.
#[derive(Debug)]
struct Plan<'a> {
    r: &'a StatusReport<'a>,
    per_status: Vec<(&'a str, usize)>,
}

fn check_transaction(t: &TransactionStatus<'_>, i: usize) -> Result<(), Iso20022Error> {
    let at = |name: &str| format!("transactions[{i}].{name}");
    check_id(t.original_end_to_end_id).map_err(|e| field_error(at("original_end_to_end_id"), e))?;
    check_code(t.status).map_err(|e| field_error(at("status"), e))?;
    if let Some(reason) = t.reason {
        check_code(reason).map_err(|e| field_error(at("reason"), e))?;
    }
    Ok(())
}

impl<'a> Plan<'a> {
    fn new(r: &'a StatusReport<'a>) -> Result<Self, Iso20022Error> {
        check_id(r.message_id).map_err(|e| field_error("message_id", e))?;
        check_id(r.original_message_id).map_err(|e| field_error("original_message_id", e))?;
        check_id(r.original_message_name).map_err(|e| field_error("original_message_name", e))?;
        check_id(r.original_payment_information_id)
            .map_err(|e| field_error("original_payment_information_id", e))?;
        check_count("transactions", r.transactions.len(), STATUSES_MAX, true)?;
        let mut unique = Unique::with_capacity(r.transactions.len());
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut per_status: Vec<(&str, usize)> = Vec::new();
        for (i, t) in r.transactions.iter().enumerate() {
            check_transaction(t, i)?;
            unique
                .check(t.original_end_to_end_id, i)
                .map_err(|e| field_error(format!("transactions[{i}].original_end_to_end_id"), e))?;
            let slot = *index.entry(t.status).or_insert_with(|| {
                per_status.push((t.status, 0));
                per_status.len() - 1
            });
            if let Some((_, count)) = per_status.get_mut(slot) {
                *count += 1;
            }
        }
        Ok(Plan { r, per_status })
    }

    /// The status of the whole group: the common status, else `PART` when some transactions
    /// were rejected and others not, else none.
    fn group_status(&self) -> Option<&'a str> {
        match self.per_status.as_slice() {
            [(status, _)] => Some(status),
            many if many.iter().any(|(status, _)| *status == REJECTED) => Some(PARTIALLY_ACCEPTED),
            _ => None,
        }
    }

    fn write<W: Write>(&self, xml: &mut Xml<W>) -> Result<(), Iso20022Error> {
        let r = self.r;
        xml.open("CstmrPmtStsRpt")?;
        xml.open("GrpHdr")?;
        xml.text("MsgId", r.message_id)?;
        xml.text("CreDtTm", &utc_timestamp(r.created_at_ns))?;
        xml.close("GrpHdr")?;
        xml.open("OrgnlGrpInfAndSts")?;
        xml.text("OrgnlMsgId", r.original_message_id)?;
        xml.text("OrgnlMsgNmId", r.original_message_name)?;
        if let Some(status) = self.group_status() {
            xml.text("GrpSts", status)?;
        }
        if self.per_status.len() > 1 {
            for (status, count) in &self.per_status {
                xml.open("NbOfTxsPerSts")?;
                xml.text("DtldNbOfTxs", &count.to_string())?;
                xml.text("DtldSts", status)?;
                xml.close("NbOfTxsPerSts")?;
            }
        }
        xml.close("OrgnlGrpInfAndSts")?;
        xml.open("OrgnlPmtInfAndSts")?;
        xml.text("OrgnlPmtInfId", r.original_payment_information_id)?;
        for t in r.transactions {
            write_transaction(xml, t)?;
        }
        xml.close("OrgnlPmtInfAndSts")?;
        xml.close("CstmrPmtStsRpt")?;
        Ok(())
    }
}

fn write_transaction<W: Write>(
    xml: &mut Xml<W>,
    t: &TransactionStatus<'_>,
) -> Result<(), Iso20022Error> {
    xml.open("TxInfAndSts")?;
    xml.text("OrgnlEndToEndId", t.original_end_to_end_id)?;
    xml.text("TxSts", t.status)?;
    let info = t
        .additional_info
        .and_then(|text| optional_text(text, STATUS_INFO_LEN_MAX));
    if t.reason.is_some() || info.is_some() {
        xml.open("StsRsnInf")?;
        if let Some(reason) = t.reason {
            xml.path(&["Rsn", "Cd"], reason)?;
        }
        if let Some(info) = &info {
            xml.text("AddtlInf", info)?;
        }
        xml.close("StsRsnInf")?;
    }
    xml.close("TxInfAndSts")?;
    Ok(())
}

/// Writes a pain.002.001.10 customer payment status report on the transactions of one payment
/// information block of `r.original_message_id`.
///
/// The original group's status is the transactions' common status; when they differ it is
/// `PART` if some were rejected (else omitted), and the number of transactions per status
/// follows. Each transaction gives its original end-to-end id, its status and, when given, the
/// reason code and the additional information. The input is checked before anything is
/// written; errors name the field, such as `transactions[2].status`.
pub fn write_pain002(r: &StatusReport<'_>, out: impl Write) -> Result<(), Iso20022Error> {
    let plan = Plan::new(r)?;
    let mut xml = Xml::start(out, PAIN002_NAMESPACE)?;
    plan.write(&mut xml)?;
    xml.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn statuses() -> [TransactionStatus<'static>; 3] {
        [
            TransactionStatus {
                original_end_to_end_id: "c-17",
                status: "ACSC",
                reason: None,
                additional_info: None,
            },
            TransactionStatus {
                original_end_to_end_id: "c-18",
                status: "RJCT",
                reason: Some("AC01"),
                additional_info: Some("Konto & <Nummer> falsch"),
            },
            TransactionStatus {
                original_end_to_end_id: "c-19",
                status: "ACSC",
                reason: None,
                additional_info: Some(" "),
            },
        ]
    }

    fn report<'a>(transactions: &'a [TransactionStatus<'a>]) -> StatusReport<'a> {
        StatusReport {
            message_id: "BK-STS-1",
            created_at_ns: ns(NOV_24_2026_S + 7_200),
            original_message_id: "EU-cycle-3",
            original_message_name: "pain.001.001.09",
            original_payment_information_id: "EU-cycle-3",
            transactions,
        }
    }

    fn pain002(r: &StatusReport<'_>) -> Vec<Element> {
        let mut out = Vec::new();
        write_pain002(r, &mut out).expect("pain.002 written");
        let xml = String::from_utf8(out).expect("UTF-8");
        assert!(
            xml.contains("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\">")
        );
        parse(&xml)
    }

    const ROOT: &str = "Document/CstmrPmtStsRpt";

    #[test]
    fn mixed_statuses() {
        let statuses = statuses();
        let elements = pain002(&report(&statuses));
        let at = |p: &str| text(&elements, &format!("{ROOT}/{p}"));
        let all = |p: &str| texts(&elements, &format!("{ROOT}/{p}"));
        assert_eq!(at("GrpHdr/MsgId"), "BK-STS-1");
        assert_eq!(at("GrpHdr/CreDtTm"), "2026-11-24T02:00:00Z");
        assert_eq!(at("OrgnlGrpInfAndSts/OrgnlMsgId"), "EU-cycle-3");
        assert_eq!(at("OrgnlGrpInfAndSts/OrgnlMsgNmId"), "pain.001.001.09");
        assert_eq!(at("OrgnlGrpInfAndSts/GrpSts"), "PART");
        assert_eq!(
            all("OrgnlGrpInfAndSts/NbOfTxsPerSts/DtldSts"),
            ["ACSC", "RJCT"]
        );
        assert_eq!(
            all("OrgnlGrpInfAndSts/NbOfTxsPerSts/DtldNbOfTxs"),
            ["2", "1"]
        );
        assert_eq!(at("OrgnlPmtInfAndSts/OrgnlPmtInfId"), "EU-cycle-3");
        let tx = |p: &str| all(&format!("OrgnlPmtInfAndSts/TxInfAndSts/{p}"));
        assert_eq!(tx("OrgnlEndToEndId"), ["c-17", "c-18", "c-19"]);
        assert_eq!(tx("TxSts"), ["ACSC", "RJCT", "ACSC"]);
        assert_eq!(tx("StsRsnInf/Rsn/Cd"), ["AC01"]);
        assert_eq!(tx("StsRsnInf/AddtlInf"), ["Konto & <Nummer> falsch"]);

        // One status for all: it is the group's, and no counts per status are needed.
        let elements = pain002(&report(&statuses[..1]));
        let at = |p: &str| texts(&elements, &format!("{ROOT}/{p}"));
        assert_eq!(at("OrgnlGrpInfAndSts/GrpSts"), ["ACSC"]);
        assert!(at("OrgnlGrpInfAndSts/NbOfTxsPerSts").is_empty());
        // Different statuses, none rejected: no group status.
        let mut pending = statuses;
        pending[1] = TransactionStatus {
            status: "PDNG",
            reason: None,
            ..pending[1]
        };
        let elements = pain002(&report(&pending));
        assert!(texts(&elements, &format!("{ROOT}/OrgnlGrpInfAndSts/GrpSts")).is_empty());
    }

    #[test]
    fn additional_info_is_cut() {
        let long = "ü".repeat(200);
        let one = [TransactionStatus {
            original_end_to_end_id: "c-1",
            status: "RJCT",
            reason: Some("AM04"),
            additional_info: Some(&long),
        }];
        let elements = pain002(&report(&one));
        let info = text(
            &elements,
            &format!("{ROOT}/OrgnlPmtInfAndSts/TxInfAndSts/StsRsnInf/AddtlInf"),
        );
        assert_eq!(info.chars().count(), STATUS_INFO_LEN_MAX);
    }

    fn fails(r: &StatusReport<'_>) -> Iso20022Error {
        let mut out = Vec::new();
        let error = write_pain002(r, &mut out).unwrap_err();
        assert!(out.is_empty(), "nothing is written on a check error");
        error
    }

    #[test]
    fn field_errors() {
        let statuses = statuses();
        let check = |edit: &dyn Fn(&mut [TransactionStatus<'static>; 3]), field: &str| {
            let mut bad = statuses;
            edit(&mut bad);
            let (got, problem) = field_of(fails(&report(&bad)));
            assert_eq!(got, field, "{problem}");
            problem
        };
        let p = check(&|t| t[0].status = "acsc", "transactions[0].status");
        let expected = "a capital letter A-Z or a digit 0-9";
        assert_eq!(
            p,
            FieldProblem::Character {
                ch: 'a',
                index: 0,
                expected
            }
        );
        let p = check(&|t| t[0].status = "ACSCX", "transactions[0].status");
        assert_eq!(
            p,
            FieldProblem::Format {
                expected: CODE_FORM
            }
        );
        check(&|t| t[0].status = "", "transactions[0].status");
        check(&|t| t[1].reason = Some("AC1"), "transactions[1].reason");
        let p = check(
            &|t| t[2].original_end_to_end_id = "c-17",
            "transactions[2].original_end_to_end_id",
        );
        assert_eq!(p, FieldProblem::Duplicate { first_index: 0 });
        let mut r = report(&statuses);
        r.original_message_name = "";
        assert_eq!(field_of(fails(&r)).0, "original_message_name");
        let mut r = report(&statuses);
        r.original_payment_information_id = "an-identifier-of-thirty-six-chars-xx";
        assert_eq!(field_of(fails(&r)).0, "original_payment_information_id");
        let mut r = report(&statuses);
        r.transactions = &[];
        assert_eq!(field_of(fails(&r)).0, "transactions");
    }
}
