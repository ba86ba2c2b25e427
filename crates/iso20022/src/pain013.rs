//! pain.013.001.08, creditor payment activation request ("request to pay"): the house asks each
//! debtor to pay what it owes into the zone's house account by a deadline.

use std::borrow::Cow;
use std::io::Write;

use model::calendar::{utc_date, utc_timestamp};
use model::{Currency, Date};

use crate::{
    Account, CleanAccount, CleanRemittance, FieldProblem, Iso20022Error, NAME_LEN_MAX,
    PAIN013_NAMESPACE, REQUESTS_MAX, Remittance, Unique, Xml, add, check_amount, check_count,
    check_id, check_total, currency_exponent, field_error, format_minor, required_text,
};

/// One request: one debtor asked to pay one amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentRequest<'a> {
    /// The payment information id, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters,
    /// unique in the message.
    pub payment_information_id: &'a str,
    /// The end-to-end id the debtor's payment is to carry, at most
    /// [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters, unique in the message.
    pub end_to_end_id: &'a str,
    /// Who is asked to pay.
    pub debtor: Account<'a>,
    /// The amount due, positive, in minor units of the message currency.
    pub amount_minor: i64,
    /// The date the payment is requested for, at the latest the expiry's date.
    pub requested_execution_date: Date,
    /// The deadline: the request expires then, in UTC nanoseconds since the Unix epoch; not
    /// before the message's creation.
    pub expiry_ns: u64,
    /// The creditor reference (required: the house matches incoming payments by it), the
    /// invoices and a text.
    pub remittance: Remittance<'a>,
}

/// A creditor payment activation request: every request of a cycle, for one creditor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivationRequest<'a> {
    /// The message id, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters.
    pub message_id: &'a str,
    /// When the message was created, in UTC nanoseconds since the Unix epoch.
    pub created_at_ns: u64,
    /// The name of the party that sends the requests.
    pub initiating_party: &'a str,
    /// The currency of every request.
    pub currency: Currency,
    /// The account to be paid: the zone's house account.
    pub creditor: Account<'a>,
    /// The requests, 1 to [`REQUESTS_MAX`].
    pub requests: &'a [PaymentRequest<'a>],
    /// The journal heads the file was written at, carried as supplementary data.
    pub receipt: Option<&'a str>,
}

/// An activation request checked, with its header cleaned and its control sum.
#[derive(Debug)]
pub(crate) struct RequestPlan<'a> {
    pub(crate) r: &'a ActivationRequest<'a>,
    pub(crate) exponent: u8,
    control_sum: String,
    initiating_party: Cow<'a, str>,
    creditor: CleanAccount<'a>,
}

/// One request checked and cleaned.
#[derive(Debug)]
pub(crate) struct CleanRequest<'a> {
    pub(crate) payment_information_id: &'a str,
    pub(crate) end_to_end_id: &'a str,
    pub(crate) debtor: CleanAccount<'a>,
    pub(crate) amount_minor: i64,
    pub(crate) remittance: CleanRemittance<'a>,
    /// The creditor reference, normalized; every request has one.
    pub(crate) reference: String,
}

/// Checks and cleans request `i` of a message created at `created_at_ns`.
pub(crate) fn clean_request<'a>(
    q: &'a PaymentRequest<'a>,
    i: usize,
    created_at_ns: u64,
) -> Result<CleanRequest<'a>, Iso20022Error> {
    let at = |name: &str| format!("requests[{i}].{name}");
    let payment_information_id = check_id(q.payment_information_id)
        .map_err(|e| field_error(at("payment_information_id"), e))?;
    let end_to_end_id =
        check_id(q.end_to_end_id).map_err(|e| field_error(at("end_to_end_id"), e))?;
    let debtor = CleanAccount::new(
        &q.debtor,
        &|name| at(&format!("debtor.{name}")),
        NAME_LEN_MAX,
    )?;
    let amount_minor =
        check_amount(q.amount_minor).map_err(|e| field_error(at("amount_minor"), e))?;
    if q.expiry_ns < created_at_ns {
        let start_field = "created_at_ns";
        return Err(field_error(
            at("expiry_ns"),
            FieldProblem::BeforeStart { start_field },
        ));
    }
    if q.requested_execution_date > utc_date(q.expiry_ns) {
        let end_field = "expiry_ns";
        let problem = FieldProblem::AfterEnd { end_field };
        return Err(field_error(at("requested_execution_date"), problem));
    }
    let remittance =
        CleanRemittance::new(&q.remittance, &|name| at(&format!("remittance.{name}")))?;
    let Some(reference) = remittance.creditor_reference.clone() else {
        let field = at("remittance.creditor_reference");
        return Err(field_error(field, FieldProblem::Required));
    };
    Ok(CleanRequest {
        payment_information_id,
        end_to_end_id,
        debtor,
        amount_minor,
        remittance,
        reference,
    })
}

impl<'a> RequestPlan<'a> {
    /// Checks the whole message; the requests are checked here and cleaned again while written.
    pub(crate) fn new(r: &'a ActivationRequest<'a>) -> Result<Self, Iso20022Error> {
        check_id(r.message_id).map_err(|e| field_error("message_id", e))?;
        let exponent = currency_exponent(r.currency)?;
        let initiating_party = required_text(r.initiating_party, NAME_LEN_MAX)
            .map_err(|e| field_error("initiating_party", e))?;
        let creditor = CleanAccount::new(
            &r.creditor,
            &|name| format!("creditor.{name}"),
            NAME_LEN_MAX,
        )?;
        check_count("requests", r.requests.len(), REQUESTS_MAX, true)?;
        let mut payment_ids = Unique::with_capacity(r.requests.len());
        let mut end_to_end_ids = Unique::with_capacity(r.requests.len());
        let mut sum_minor: i128 = 0;
        for (i, q) in r.requests.iter().enumerate() {
            let clean = clean_request(q, i, r.created_at_ns)?;
            payment_ids
                .check(clean.payment_information_id, i)
                .map_err(|e| field_error(format!("requests[{i}].payment_information_id"), e))?;
            end_to_end_ids
                .check(clean.end_to_end_id, i)
                .map_err(|e| field_error(format!("requests[{i}].end_to_end_id"), e))?;
            sum_minor = add(sum_minor, clean.amount_minor.into(), "control sum")?;
        }
        let control_sum = format_minor(check_total(sum_minor, "control sum")?, exponent);
        Ok(RequestPlan {
            r,
            exponent,
            control_sum,
            initiating_party,
            creditor,
        })
    }

    /// The requests cleaned again, one by one, for writing.
    pub(crate) fn requests(&self) -> impl Iterator<Item = Result<CleanRequest<'a>, Iso20022Error>> {
        let created_at_ns = self.r.created_at_ns;
        let requests = self.r.requests;
        requests
            .iter()
            .enumerate()
            .map(move |(i, q)| clean_request(q, i, created_at_ns))
    }

    fn write<W: Write>(&self, xml: &mut Xml<W>) -> Result<(), Iso20022Error> {
        let r = self.r;
        xml.open("CdtrPmtActvtnReq")?;
        xml.open("GrpHdr")?;
        xml.text("MsgId", r.message_id)?;
        xml.text("CreDtTm", &utc_timestamp(r.created_at_ns))?;
        xml.text("NbOfTxs", &r.requests.len().to_string())?;
        xml.text("CtrlSum", &self.control_sum)?;
        xml.path(&["InitgPty", "Nm"], &self.initiating_party)?;
        xml.close("GrpHdr")?;
        for (q, clean) in r.requests.iter().zip(self.requests()) {
            self.write_request(xml, q, &clean?)?;
        }
        xml.receipt(r.receipt)?;
        xml.close("CdtrPmtActvtnReq")?;
        Ok(())
    }

    /// One `<PmtInf>`: the debtor, the dates, and one transaction to the creditor.
    fn write_request<W: Write>(
        &self,
        xml: &mut Xml<W>,
        q: &PaymentRequest<'_>,
        c: &CleanRequest<'_>,
    ) -> Result<(), Iso20022Error> {
        let currency = self.r.currency;
        xml.open("PmtInf")?;
        xml.text("PmtInfId", c.payment_information_id)?;
        xml.text("PmtMtd", "TRF")?;
        xml.path(
            &["ReqdExctnDt", "Dt"],
            &q.requested_execution_date.to_string(),
        )?;
        xml.path(&["XpryDt", "DtTm"], &utc_timestamp(q.expiry_ns))?;
        xml.path(&["Dbtr", "Nm"], &c.debtor.name)?;
        xml.iban_account("DbtrAcct", &c.debtor.iban)?;
        xml.agent("DbtrAgt", &c.debtor.bic)?;
        xml.open("CdtTrfTx")?;
        xml.path(&["PmtId", "EndToEndId"], c.end_to_end_id)?;
        xml.open("Amt")?;
        let amount = format_minor(c.amount_minor.into(), self.exponent);
        xml.amount("InstdAmt", &amount, currency)?;
        xml.close("Amt")?;
        xml.text("ChrgBr", "SLEV")?;
        xml.agent("CdtrAgt", &self.creditor.bic)?;
        xml.path(&["Cdtr", "Nm"], &self.creditor.name)?;
        xml.iban_account("CdtrAcct", &self.creditor.iban)?;
        xml.remittance(&c.remittance, currency, self.exponent)?;
        xml.close("CdtTrfTx")?;
        xml.close("PmtInf")?;
        Ok(())
    }
}

/// Writes a pain.013.001.08 creditor payment activation request: one payment information block
/// per request, in which the request's debtor is asked to pay `r.creditor`.
///
/// Each block carries the requested execution date (`ReqdExctnDt`), the deadline (`XpryDt`, a
/// date and time), the debtor with its account and bank, and one transaction: the end-to-end id,
/// the amount, shared charges (`SLEV`), the creditor with its account and bank, and the
/// remittance information with the creditor reference, which every request must have. The group
/// header carries the number of requests and their control sum; the receipt, if any, is
/// supplementary data. The input is checked before anything is written; errors name the field,
/// such as `requests[2].remittance.creditor_reference`.
pub fn write_pain013(r: &ActivationRequest<'_>, out: impl Write) -> Result<(), Iso20022Error> {
    let plan = RequestPlan::new(r)?;
    let mut xml = Xml::start(out, PAIN013_NAMESPACE)?;
    plan.write(&mut xml)?;
    xml.finish()?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io;

    use super::*;
    use crate::testing::*;
    use crate::{AMOUNT_MINOR_MAX, ReferredDocument};

    pub(crate) const DOCUMENTS: [ReferredDocument<'static>; 2] = [
        ReferredDocument {
            number: "INV-2026-0017",
            date: None,
            amount_minor: Some(100_000),
        },
        ReferredDocument {
            number: "INV;2026,0018",
            date: None,
            amount_minor: None,
        },
    ];

    pub(crate) fn requests() -> [PaymentRequest<'static>; 2] {
        [
            PaymentRequest {
                payment_information_id: "RTP-3-1",
                end_to_end_id: "rtp-c-17",
                debtor: Account {
                    name: "Müller & Söhne <Pharma> \"GmbH\"",
                    iban: "DE02120300000000202051",
                    bic: "BYLADEM1001",
                },
                amount_minor: 123_450,
                requested_execution_date: Date::new(2026, 11, 25).expect("date"),
                expiry_ns: ns(NOV_24_2026_S + 3 * 86_400 - 1),
                remittance: Remittance {
                    creditor_reference: Some("RF18 5390 0754 7034"),
                    documents: &DOCUMENTS,
                    text: Some("cycle 3"),
                },
            },
            PaymentRequest {
                payment_information_id: "RTP-3-2",
                end_to_end_id: "rtp-c-18",
                debtor: Account {
                    name: "Lyon Médical SA",
                    iban: "FR1420041010050500013M02606",
                    bic: "PSSTFRPPLYO",
                },
                amount_minor: 5,
                requested_execution_date: Date::new(2026, 11, 25).expect("date"),
                expiry_ns: ns(NOV_24_2026_S + 86_400),
                remittance: Remittance {
                    creditor_reference: Some("RF18 1234 5678 9"),
                    documents: &[],
                    text: None,
                },
            },
        ]
    }

    pub(crate) fn activation<'a>(requests: &'a [PaymentRequest<'a>]) -> ActivationRequest<'a> {
        ActivationRequest {
            message_id: "RTP-EU-3",
            created_at_ns: ns(NOV_24_2026_S + 36_930),
            initiating_party: "Clearhouse EU",
            currency: Currency::EUR,
            creditor: HOUSE,
            requests,
            receipt: Some("audit:12:0f0e ledger:7:a1b2"),
        }
    }

    fn pain013(r: &ActivationRequest<'_>) -> Vec<Element> {
        let mut out = Vec::new();
        write_pain013(r, &mut out).expect("pain.013 written");
        let xml = String::from_utf8(out).expect("UTF-8");
        assert!(
            xml.contains("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.013.001.08\">")
        );
        parse(&xml)
    }

    const ROOT: &str = "Document/CdtrPmtActvtnReq";

    #[test]
    fn one_payment_information_per_request() {
        let requests = requests();
        let elements = pain013(&activation(&requests));
        let at = |p: &str| text(&elements, &format!("{ROOT}/{p}"));
        let all = |p: &str| texts(&elements, &format!("{ROOT}/PmtInf/{p}"));
        assert_eq!(at("GrpHdr/MsgId"), "RTP-EU-3");
        assert_eq!(at("GrpHdr/CreDtTm"), "2026-11-24T10:15:30Z");
        assert_eq!(at("GrpHdr/NbOfTxs"), "2");
        assert_eq!(at("GrpHdr/CtrlSum"), "1234.55");
        assert_eq!(at("GrpHdr/InitgPty/Nm"), "Clearhouse EU");
        assert_eq!(
            at("SplmtryData/Envlp/JrnlHds"),
            "audit:12:0f0e ledger:7:a1b2"
        );
        assert_eq!(all("PmtInfId"), ["RTP-3-1", "RTP-3-2"]);
        assert_eq!(all("PmtMtd"), ["TRF", "TRF"]);
        assert_eq!(all("ReqdExctnDt/Dt"), ["2026-11-25", "2026-11-25"]);
        assert_eq!(
            all("XpryDt/DtTm"),
            ["2026-11-26T23:59:59Z", "2026-11-25T00:00:00Z"]
        );
        assert_eq!(all("Dbtr/Nm")[0], "Müller & Söhne <Pharma> \"GmbH\"");
        assert_eq!(all("DbtrAcct/Id/IBAN")[1], "FR1420041010050500013M02606");
        assert_eq!(
            all("DbtrAgt/FinInstnId/BICFI"),
            ["BYLADEM1001", "PSSTFRPPLYO"]
        );
        let tx = |p: &str| all(&format!("CdtTrfTx/{p}"));
        assert_eq!(tx("PmtId/EndToEndId"), ["rtp-c-17", "rtp-c-18"]);
        assert_eq!(tx("Amt/InstdAmt"), ["1234.50", "0.05"]);
        assert_eq!(tx("ChrgBr"), ["SLEV", "SLEV"]);
        assert_eq!(tx("CdtrAgt/FinInstnId/BICFI"), ["HOUSDEFFXXX"; 2]);
        assert_eq!(tx("Cdtr/Nm"), ["INSTEX Zone EU House"; 2]);
        assert_eq!(tx("CdtrAcct/Id/IBAN"), ["DE89370400440532013000"; 2]);
        assert_eq!(
            tx("RmtInf/Strd/CdtrRefInf/Ref"),
            ["RF18539007547034", "RF18123456789"]
        );
        assert_eq!(
            tx("RmtInf/Strd/RfrdDocInf/Nb"),
            ["INV-2026-0017", "INV;2026,0018"]
        );
        assert_eq!(tx("RmtInf/Ustrd"), ["cycle 3"]);
        // The schema's order inside a payment information block.
        let first: Vec<&str> = paths_under(&elements, &format!("{ROOT}/PmtInf"))
            .into_iter()
            .filter(|p| p.matches('/').count() == 1)
            .take(9)
            .collect();
        assert_eq!(
            first,
            [
                "/PmtInfId",
                "/PmtMtd",
                "/ReqdExctnDt",
                "/XpryDt",
                "/Dbtr",
                "/DbtrAcct",
                "/DbtrAgt",
                "/CdtTrfTx",
                "/PmtInfId",
            ]
        );
    }

    fn fails(r: &ActivationRequest<'_>) -> Iso20022Error {
        let mut out = Vec::new();
        let error = write_pain013(r, &mut out).unwrap_err();
        assert!(out.is_empty(), "nothing is written on a check error");
        error
    }

    #[test]
    fn field_errors() {
        let check = |edit: &dyn Fn(&mut [PaymentRequest<'static>; 2]), field: &str| {
            let mut qs = requests();
            edit(&mut qs);
            let (got, problem) = field_of(fails(&activation(&qs)));
            assert_eq!(got, field, "{problem}");
            problem
        };
        let p = check(
            &|q| q[1].remittance.creditor_reference = None,
            "requests[1].remittance.creditor_reference",
        );
        assert_eq!(p, FieldProblem::Required);
        check(
            &|q| q[1].remittance.creditor_reference = Some("RF17 1234 5678 9"),
            "requests[1].remittance.creditor_reference",
        );
        let p = check(
            &|q| q[1].end_to_end_id = "rtp-c-17",
            "requests[1].end_to_end_id",
        );
        assert_eq!(p, FieldProblem::Duplicate { first_index: 0 });
        let p = check(
            &|q| q[1].payment_information_id = "RTP-3-1",
            "requests[1].payment_information_id",
        );
        assert_eq!(p, FieldProblem::Duplicate { first_index: 0 });
        check(
            &|q| q[0].payment_information_id = "",
            "requests[0].payment_information_id",
        );
        check(&|q| q[0].amount_minor = 0, "requests[0].amount_minor");
        check(
            &|q| q[0].amount_minor = AMOUNT_MINOR_MAX + 1,
            "requests[0].amount_minor",
        );
        check(&|q| q[0].debtor.name = "\n", "requests[0].debtor.name");
        check(&|q| q[0].debtor.bic = "", "requests[0].debtor.bic");
        let p = check(
            &|q| q[0].expiry_ns = ns(NOV_24_2026_S),
            "requests[0].expiry_ns",
        );
        assert_eq!(
            p,
            FieldProblem::BeforeStart {
                start_field: "created_at_ns"
            }
        );
        let p = check(
            &|q| q[1].requested_execution_date = Date::new(2026, 11, 26).expect("date"),
            "requests[1].requested_execution_date",
        );
        assert_eq!(
            p,
            FieldProblem::AfterEnd {
                end_field: "expiry_ns"
            }
        );

        let qs = requests();
        let mut r = activation(&qs);
        r.creditor.iban = "DE89 3704 0044 0532 0130 01";
        assert_eq!(field_of(fails(&r)).0, "creditor.iban");
        let mut r = activation(&qs);
        r.message_id = "an-identifier-of-thirty-six-chars-xx";
        assert_eq!(field_of(fails(&r)).0, "message_id");
        let mut r = activation(&qs);
        r.requests = &[];
        assert_eq!(field_of(fails(&r)).0, "requests");
    }

    #[test]
    fn limits() {
        let one = requests()[1];
        let many = vec![one; REQUESTS_MAX + 1];
        assert!(matches!(
            write_pain013(&activation(&many), io::sink()),
            Err(Iso20022Error::TooMany {
                field: "requests",
                ..
            })
        ));
        let mut qs = requests();
        qs[0].amount_minor = AMOUNT_MINOR_MAX;
        match fails(&activation(&qs)) {
            Iso20022Error::Overflow { total } => assert_eq!(total, "control sum"),
            other => panic!("expected Overflow, got {other:?}"),
        }
    }
}
