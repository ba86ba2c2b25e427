//! pain.001.001.09, customer credit transfer initiation: the zone's house account pays every
//! payee of a cycle.

use std::borrow::Cow;
use std::io::Write;

use model::calendar::utc_timestamp;
use model::{Currency, Date};

use crate::{
    Account, CleanAccount, CleanRemittance, Iso20022Error, NAME_LEN_MAX, PAIN001_NAMESPACE,
    Remittance, TRANSFERS_MAX, Unique, Xml, add, check_amount, check_count, check_id, check_total,
    currency_exponent, field_error, format_minor, required_text,
};

/// One credit transfer: one payment per payee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditTransfer<'a> {
    /// The end-to-end id, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters, unique in the
    /// initiation.
    pub end_to_end_id: &'a str,
    /// The payee.
    pub creditor: Account<'a>,
    /// The amount, positive, in minor units of the batch currency.
    pub amount_minor: i64,
    /// What is paid: the invoices, the payee's creditor reference, a text.
    pub remittance: Remittance<'a>,
}

/// A payment initiation: the zone's house account pays every payee of a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentInitiation<'a> {
    /// The message id, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters; also the payment
    /// information id.
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

/// A payment initiation checked, with its header cleaned and its control sum.
#[derive(Debug)]
struct Plan<'a> {
    p: &'a PaymentInitiation<'a>,
    exponent: u8,
    control_sum: String,
    initiating_party: Cow<'a, str>,
    debtor: CleanAccount<'a>,
}

/// One transfer checked and cleaned.
#[derive(Debug)]
struct CleanTransfer<'a> {
    end_to_end_id: &'a str,
    creditor: CleanAccount<'a>,
    /// The creditor's bank is optional in a credit transfer (an IBAN alone reaches it, as in
    /// SEPA): without a BIC, `CdtrAgt` is left out.
    creditor_agent: bool,
    amount_minor: i64,
    remittance: CleanRemittance<'a>,
}

fn clean_transfer<'a>(
    t: &'a CreditTransfer<'a>,
    i: usize,
) -> Result<CleanTransfer<'a>, Iso20022Error> {
    let at = |name: &str| format!("transfers[{i}].{name}");
    Ok(CleanTransfer {
        end_to_end_id: check_id(t.end_to_end_id)
            .map_err(|e| field_error(at("end_to_end_id"), e))?,
        creditor: CleanAccount::new(
            &Account {
                // Checked as a placeholder when absent, never written.
                bic: if t.creditor.bic.is_empty() {
                    "AAAAAAAA"
                } else {
                    t.creditor.bic
                },
                ..t.creditor
            },
            &|name| at(&format!("creditor.{name}")),
            NAME_LEN_MAX,
        )?,
        creditor_agent: !t.creditor.bic.is_empty(),
        amount_minor: check_amount(t.amount_minor)
            .map_err(|e| field_error(at("amount_minor"), e))?,
        remittance: CleanRemittance::new(&t.remittance, &|name| at(&format!("remittance.{name}")))?,
    })
}

impl<'a> Plan<'a> {
    /// Checks the whole initiation; the transfers are checked here and cleaned again while
    /// written, so that no list of cleaned transfers is held.
    fn new(p: &'a PaymentInitiation<'a>) -> Result<Self, Iso20022Error> {
        check_id(p.message_id).map_err(|e| field_error("message_id", e))?;
        let exponent = currency_exponent(p.currency)?;
        let initiating_party = required_text(p.initiating_party, NAME_LEN_MAX)
            .map_err(|e| field_error("initiating_party", e))?;
        let debtor = CleanAccount::new(&p.debtor, &|name| format!("debtor.{name}"), NAME_LEN_MAX)?;
        check_count("transfers", p.transfers.len(), TRANSFERS_MAX, true)?;
        let mut unique = Unique::with_capacity(p.transfers.len());
        let mut sum_minor: i128 = 0;
        for (i, t) in p.transfers.iter().enumerate() {
            let clean = clean_transfer(t, i)?;
            unique
                .check(clean.end_to_end_id, i)
                .map_err(|e| field_error(format!("transfers[{i}].end_to_end_id"), e))?;
            sum_minor = add(sum_minor, clean.amount_minor.into(), "control sum")?;
        }
        let control_sum = format_minor(check_total(sum_minor, "control sum")?, exponent);
        Ok(Plan {
            p,
            exponent,
            control_sum,
            initiating_party,
            debtor,
        })
    }

    fn write<W: Write>(&self, xml: &mut Xml<W>) -> Result<(), Iso20022Error> {
        let count = self.p.transfers.len().to_string();
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
        xml.iban_account("DbtrAcct", &self.debtor.iban)?;
        xml.agent("DbtrAgt", &self.debtor.bic)?;
        xml.text("ChrgBr", "SLEV")?;
        for (i, t) in self.p.transfers.iter().enumerate() {
            self.write_transfer(xml, &clean_transfer(t, i)?)?;
        }
        xml.close("PmtInf")?;
        xml.receipt(self.p.receipt)?;
        xml.close("CstmrCdtTrfInitn")?;
        Ok(())
    }

    fn write_transfer<W: Write>(
        &self,
        xml: &mut Xml<W>,
        t: &CleanTransfer<'_>,
    ) -> Result<(), Iso20022Error> {
        let currency = self.p.currency;
        xml.open("CdtTrfTxInf")?;
        xml.path(&["PmtId", "EndToEndId"], t.end_to_end_id)?;
        xml.open("Amt")?;
        let amount = format_minor(t.amount_minor.into(), self.exponent);
        xml.amount("InstdAmt", &amount, currency)?;
        xml.close("Amt")?;
        if t.creditor_agent {
            xml.agent("CdtrAgt", &t.creditor.bic)?;
        }
        xml.path(&["Cdtr", "Nm"], &t.creditor.name)?;
        xml.iban_account("CdtrAcct", &t.creditor.iban)?;
        xml.remittance(&t.remittance, currency, self.exponent)?;
        xml.close("CdtTrfTxInf")?;
        Ok(())
    }
}

/// Writes a pain.001.001.09 customer credit transfer initiation: one payment information block
/// in which `p.debtor` pays each transfer's creditor.
///
/// The group header and the payment information carry the number of transactions and the
/// control sum (the sum of the amounts in major units); charges are shared (`SLEV`). Each
/// transfer names what it pays as remittance information (see the [crate] documentation). The
/// input is checked before anything is written; errors name the field, such as
/// `transfers[3].amount_minor` or `transfers[0].remittance.documents[2].number`.
pub fn write_pain001(p: &PaymentInitiation<'_>, out: impl Write) -> Result<(), Iso20022Error> {
    let plan = Plan::new(p)?;
    let mut xml = Xml::start(out, PAIN001_NAMESPACE)?;
    plan.write(&mut xml)?;
    xml.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;
    use crate::testing::*;
    use crate::{AMOUNT_MINOR_MAX, FieldProblem, ReferredDocument};

    const DOCUMENTS: [ReferredDocument<'static>; 2] = [
        ReferredDocument {
            number: "INV-2026-0017",
            date: None,
            amount_minor: Some(100_000),
        },
        ReferredDocument {
            number: "INV-2026-0018",
            date: None,
            amount_minor: Some(23_450),
        },
    ];

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
                remittance: Remittance {
                    creditor_reference: Some("RF18 5390 0754 7034"),
                    documents: &DOCUMENTS,
                    text: Some("claim c-17, cycle 3"),
                },
            },
            CreditTransfer {
                end_to_end_id: "c-18",
                creditor: Account {
                    name: "Lyon Médical SA",
                    iban: "FR1420041010050500013M02606",
                    bic: "PSSTFRPPLYO",
                },
                amount_minor: 9_999,
                remittance: Remittance::default(),
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

    const ROOT: &str = "Document/CstmrCdtTrfInitn";

    #[test]
    fn two_eur_transfers() {
        let transfers = transfers();
        let xml = pain(&initiation(Currency::EUR, &transfers));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">"));
        let elements = parse(&xml);
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
        let invoice = [
            "/Strd",
            "/Strd/RfrdDocInf",
            "/Strd/RfrdDocInf/Tp",
            "/Strd/RfrdDocInf/Tp/CdOrPrtry",
            "/Strd/RfrdDocInf/Tp/CdOrPrtry/Cd",
            "/Strd/RfrdDocInf/Nb",
            "/Strd/RfrdDocAmt",
            "/Strd/RfrdDocAmt/RmtdAmt",
        ];
        let reference = [
            "/Strd/CdtrRefInf",
            "/Strd/CdtrRefInf/Tp",
            "/Strd/CdtrRefInf/Tp/CdOrPrtry",
            "/Strd/CdtrRefInf/Tp/CdOrPrtry/Cd",
            "/Strd/CdtrRefInf/Tp/Issr",
            "/Strd/CdtrRefInf/Ref",
        ];
        let tx = format!("{ROOT}/PmtInf/CdtTrfTxInf");
        let rmt = format!("{tx}/RmtInf");
        let mut expected: Vec<String> = head.iter().map(|p| format!("{ROOT}{p}")).collect();
        expected.extend(transfer.iter().map(|p| format!("{tx}{p}")));
        expected.push(rmt.clone());
        expected.push(format!("{rmt}/Ustrd"));
        // One Strd per invoice; the creditor reference in the first.
        expected.extend(
            invoice
                .iter()
                .chain(&reference)
                .map(|p| format!("{rmt}{p}")),
        );
        expected.extend(invoice.iter().map(|p| format!("{rmt}{p}")));
        // The second transfer has no remittance information.
        expected.extend(transfer.iter().map(|p| format!("{tx}{p}")));
        // The journal heads, as supplementary data.
        for p in ["", "/PlcAndNm", "/Envlp", "/Envlp/JrnlHds"] {
            expected.push(format!("{ROOT}/SplmtryData{p}"));
        }
        let paths: Vec<&str> = elements.iter().skip(1).map(|e| e.path.as_str()).collect();
        assert_eq!(paths, expected);

        let at = |p: &str| text(&elements, &format!("{ROOT}/{p}"));
        assert_eq!(
            at("SplmtryData/Envlp/JrnlHds"),
            "audit:12:0f0e ledger:7:a1b2"
        );
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
        let all = |p: &str| texts(&elements, &format!("{tx}/{p}"));
        assert_eq!(all("PmtId/EndToEndId"), ["c-17", "c-18"]);
        assert_eq!(
            all("Cdtr/Nm"),
            ["Müller & Söhne <Pharma> \"GmbH\"", "Lyon Médical SA"]
        );
        assert_eq!(all("RmtInf/Ustrd"), ["claim c-17, cycle 3"]);
        assert_eq!(
            all("RmtInf/Strd/RfrdDocInf/Nb"),
            ["INV-2026-0017", "INV-2026-0018"]
        );
        assert_eq!(all("RmtInf/Strd/RfrdDocAmt/RmtdAmt"), ["1000.00", "234.50"]);
        assert_eq!(all("RmtInf/Strd/CdtrRefInf/Ref"), ["RF18539007547034"]);
        // Escaped on the wire, not merely parsed back.
        assert!(xml.contains("<Nm>Müller &amp; Söhne &lt;Pharma&gt; &quot;GmbH&quot;</Nm>"));
    }

    #[test]
    fn is_deterministic() {
        let transfers = transfers();
        let p = initiation(Currency::EUR, &transfers);
        assert_eq!(pain(&p), pain(&p));
    }

    #[test]
    fn irr_and_zero_exponent_amounts() {
        // ISO 4217 gives the rial two decimals (IRR 364, exponent 2).
        let mut irr = transfers();
        irr[0].amount_minor = 1_500_000_000_000; // 15 000 000 000.00 rials
        irr[1].amount_minor = 5;
        let xml = pain(&initiation(Currency::IRR, &irr));
        let elements = parse(&xml);
        let tx = format!("{ROOT}/PmtInf/CdtTrfTxInf/Amt/InstdAmt");
        assert_eq!(texts(&elements, &tx), ["15000000000.00", "0.05"]);
        assert_eq!(attribute(&elements, &tx, "Ccy"), ["IRR", "IRR"]);
        let sum = format!("{ROOT}/GrpHdr/CtrlSum");
        assert_eq!(text(&elements, &sum), "15000000000.05");
        let doc = format!("{ROOT}/PmtInf/CdtTrfTxInf/RmtInf/Strd/RfrdDocAmt/RmtdAmt");
        assert_eq!(attribute(&elements, &doc, "Ccy"), ["IRR", "IRR"]);

        // A currency without minor unit digits prints no decimals.
        let xml = pain(&initiation(Currency::JPY, &transfers()));
        let elements = parse(&xml);
        assert_eq!(texts(&elements, &tx), ["123450", "9999"]);
        assert_eq!(text(&elements, &sum), "133449");
    }

    fn fails(p: &PaymentInitiation<'_>) -> Iso20022Error {
        let mut out = Vec::new();
        let error = write_pain001(p, &mut out).unwrap_err();
        assert!(out.is_empty(), "nothing is written on a check error");
        error
    }

    #[test]
    fn field_errors() {
        let check = |edit: &dyn Fn(&mut [CreditTransfer<'static>; 2]), field: &str| {
            let mut ts = transfers();
            edit(&mut ts);
            let (got, problem) = field_of(fails(&initiation(Currency::EUR, &ts)));
            assert_eq!(got, field, "{problem}");
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
        check(&|t| t[1].creditor.bic = "PSST", "transfers[1].creditor.bic");
        check(
            &|t| t[0].remittance.creditor_reference = Some("RF00 1234"),
            "transfers[0].remittance.creditor_reference",
        );
        check(
            &|t| {
                t[0].remittance.documents = &[ReferredDocument {
                    number: "",
                    date: None,
                    amount_minor: None,
                }]
            },
            "transfers[0].remittance.documents[0].number",
        );

        let ts = transfers();
        let mut p = initiation(Currency::EUR, &ts);
        p.message_id = "";
        assert_eq!(field_of(fails(&p)).0, "message_id");
        let mut p = initiation(Currency::EUR, &ts);
        p.initiating_party = "";
        assert_eq!(field_of(fails(&p)).0, "initiating_party");
        let mut p = initiation(Currency::EUR, &ts);
        p.debtor.iban = "DE89370400440532013001";
        assert_eq!(field_of(fails(&p)).0, "debtor.iban");
        let mut p = initiation(Currency::XAU, &ts);
        assert_eq!(field_of(fails(&p)).0, "currency");
        p.currency = Currency::EUR;
        p.transfers = &[];
        let (field, problem) = field_of(fails(&p));
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
    fn limits() {
        let one = transfers()[1];
        let many = vec![one; TRANSFERS_MAX + 1];
        let p = initiation(Currency::EUR, &many);
        match write_pain001(&p, io::sink()) {
            Err(Iso20022Error::TooMany { field, count, max }) => {
                assert_eq!(
                    (field, count, max),
                    ("transfers", TRANSFERS_MAX + 1, TRANSFERS_MAX)
                );
            }
            other => panic!("expected TooMany, got {other:?}"),
        }
        // Two transfers whose sum has 19 digits: the control sum overflows.
        let mut ts = transfers();
        ts[0].amount_minor = AMOUNT_MINOR_MAX;
        ts[1].amount_minor = 1;
        match fails(&initiation(Currency::EUR, &ts)) {
            Iso20022Error::Overflow { total } => assert_eq!(total, "control sum"),
            other => panic!("expected Overflow, got {other:?}"),
        }
    }
}
