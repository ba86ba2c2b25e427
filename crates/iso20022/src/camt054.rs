//! camt.054.001.08, bank-to-customer debit/credit notification: what a bank tells the account
//! holder about each booking. Written from the bank's side, for demonstrations, tests and
//! benchmarks; large files are the point, so nothing per entry is kept between the check and
//! the writing.

use std::io::Write;

use model::calendar::{utc_date, utc_timestamp};
use model::{Currency, Iban};

use crate::{
    ACCOUNT_NAME_LEN_MAX, Account, CAMT054_NAMESPACE, CleanAccount, CleanParty, CleanRemittance,
    Iso20022Error, NOTIFIED_ENTRIES_MAX, Party, Remittance, Unique, Xml, add, check_amount,
    check_count, check_id, check_total, credit_debit, currency_exponent, field_error, format_minor,
};

/// The bank transaction domain of every notified entry: payments (`BkTxCd/Domn/Cd`).
pub const PAYMENTS_DOMAIN: &str = "PMNT";
/// The family of a notified credit: received credit transfers.
pub const RECEIVED_CREDIT_TRANSFERS: &str = "RCDT";
/// The family of a notified debit: issued credit transfers.
pub const ISSUED_CREDIT_TRANSFERS: &str = "ICDT";
/// The sub-family of every notified entry: a domestic credit transfer.
pub const DOMESTIC_CREDIT_TRANSFER: &str = "DMCT";

/// One booking the bank notifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifiedEntry<'a> {
    /// The bank's reference of the booking, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX)
    /// characters, unique in the notification.
    pub account_servicer_reference: &'a str,
    /// When the entry was booked, in UTC nanoseconds since the Unix epoch.
    pub booked_at_ns: u64,
    /// The amount, positive, in minor units of the notification currency.
    pub amount_minor: i64,
    /// From the account holder's view: money in (true) or out (false).
    pub credit: bool,
    /// The end-to-end id the payer gave, if any.
    pub end_to_end_id: Option<&'a str>,
    /// The other side: the debtor of a credit, the creditor of a debit.
    pub counterparty: Option<Party<'a>>,
    /// What the payer said the payment is for.
    pub remittance: Remittance<'a>,
}

/// A notification of the bookings on one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notification<'a> {
    /// The message id, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters.
    pub message_id: &'a str,
    /// The notification id, at most [`ID_LEN_MAX`](crate::ID_LEN_MAX) characters.
    pub notification_id: &'a str,
    /// When the notification was created, in UTC nanoseconds since the Unix epoch.
    pub created_at_ns: u64,
    /// The account currency.
    pub currency: Currency,
    /// The account notified on: its holder (the owner), IBAN and the bank's BIC.
    pub account: Account<'a>,
    /// The entries, 1 to [`NOTIFIED_ENTRIES_MAX`].
    pub entries: &'a [NotifiedEntry<'a>],
}

/// One entry checked and cleaned.
#[derive(Debug)]
struct CleanNotified<'a> {
    end_to_end_id: Option<&'a str>,
    counterparty: Option<CleanParty<'a>>,
    remittance: CleanRemittance<'a>,
}

fn clean_notified<'a>(
    e: &'a NotifiedEntry<'a>,
    i: usize,
) -> Result<CleanNotified<'a>, Iso20022Error> {
    let at = |name: &str| format!("entries[{i}].{name}");
    check_id(e.account_servicer_reference)
        .map_err(|p| field_error(at("account_servicer_reference"), p))?;
    check_amount(e.amount_minor).map_err(|p| field_error(at("amount_minor"), p))?;
    Ok(CleanNotified {
        end_to_end_id: e
            .end_to_end_id
            .map(check_id)
            .transpose()
            .map_err(|p| field_error(at("end_to_end_id"), p))?,
        counterparty: CleanParty::optional(e.counterparty.as_ref(), &at, "counterparty")?,
        remittance: CleanRemittance::new(&e.remittance, &|name| at(&format!("remittance.{name}")))?,
    })
}

/// A notification checked, with its totals.
#[derive(Debug)]
struct Plan<'a> {
    n: &'a Notification<'a>,
    exponent: u8,
    account: CleanAccount<'a>,
    credit_count: usize,
    credit_sum_minor: i128,
    debit_count: usize,
    debit_sum_minor: i128,
}

impl<'a> Plan<'a> {
    fn new(n: &'a Notification<'a>) -> Result<Self, Iso20022Error> {
        check_id(n.message_id).map_err(|e| field_error("message_id", e))?;
        check_id(n.notification_id).map_err(|e| field_error("notification_id", e))?;
        let exponent = currency_exponent(n.currency)?;
        let at = |name: &str| format!("account.{name}");
        let account = CleanAccount::new(&n.account, &at, crate::NAME_LEN_MAX)?;
        check_count("entries", n.entries.len(), NOTIFIED_ENTRIES_MAX, true)?;
        let mut plan = Plan {
            n,
            exponent,
            account,
            credit_count: 0,
            credit_sum_minor: 0,
            debit_count: 0,
            debit_sum_minor: 0,
        };
        let mut unique = Unique::with_capacity(n.entries.len());
        for (i, e) in n.entries.iter().enumerate() {
            clean_notified(e, i)?;
            unique
                .check(e.account_servicer_reference, i)
                .map_err(|p| field_error(format!("entries[{i}].account_servicer_reference"), p))?;
            let (count, sum_minor) = if e.credit {
                (&mut plan.credit_count, &mut plan.credit_sum_minor)
            } else {
                (&mut plan.debit_count, &mut plan.debit_sum_minor)
            };
            *count += 1;
            *sum_minor = add(*sum_minor, e.amount_minor.into(), "sum of entries")?;
        }
        check_total(plan.credit_sum_minor, "sum of credit entries")?;
        check_total(plan.debit_sum_minor, "sum of debit entries")?;
        check_total(plan.sum_minor()?, "sum of entries")?;
        Ok(plan)
    }

    fn sum_minor(&self) -> Result<i128, Iso20022Error> {
        add(
            self.credit_sum_minor,
            self.debit_sum_minor,
            "sum of entries",
        )
    }

    fn amount(&self, value_minor: i128) -> String {
        format_minor(value_minor, self.exponent)
    }

    fn write<W: Write>(&self, xml: &mut Xml<W>) -> Result<(), Iso20022Error> {
        let n = self.n;
        xml.open("BkToCstmrDbtCdtNtfctn")?;
        xml.open("GrpHdr")?;
        xml.text("MsgId", n.message_id)?;
        xml.text("CreDtTm", &utc_timestamp(n.created_at_ns))?;
        xml.close("GrpHdr")?;
        xml.open("Ntfctn")?;
        xml.text("Id", n.notification_id)?;
        xml.text("CreDtTm", &utc_timestamp(n.created_at_ns))?;
        self.write_account(xml, &self.account.iban)?;
        self.write_summary(xml)?;
        for (i, e) in n.entries.iter().enumerate() {
            self.write_entry(xml, e, &clean_notified(e, i)?)?;
        }
        xml.close("Ntfctn")?;
        xml.close("BkToCstmrDbtCdtNtfctn")?;
        Ok(())
    }

    fn write_account<W: Write>(&self, xml: &mut Xml<W>, iban: &Iban) -> Result<(), Iso20022Error> {
        xml.open("Acct")?;
        xml.path(&["Id", "IBAN"], iban.as_str())?;
        xml.text("Ccy", self.n.currency.code())?;
        let name = crate::trim_and_cut(&self.account.name, ACCOUNT_NAME_LEN_MAX);
        xml.text("Nm", name)?;
        xml.path(&["Ownr", "Nm"], &self.account.name)?;
        xml.agent("Svcr", &self.account.bic)?;
        xml.close("Acct")?;
        Ok(())
    }

    fn write_summary<W: Write>(&self, xml: &mut Xml<W>) -> Result<(), Iso20022Error> {
        let net_minor = self.credit_sum_minor - self.debit_sum_minor;
        xml.open("TxsSummry")?;
        xml.open("TtlNtries")?;
        xml.text("NbOfNtries", &self.n.entries.len().to_string())?;
        xml.text("Sum", &self.amount(self.sum_minor()?))?;
        xml.open("TtlNetNtry")?;
        xml.text("Amt", &self.amount(net_minor.abs()))?;
        xml.text("CdtDbtInd", credit_debit(net_minor >= 0))?;
        xml.close("TtlNetNtry")?;
        xml.close("TtlNtries")?;
        for (name, count, sum_minor) in [
            ("TtlCdtNtries", self.credit_count, self.credit_sum_minor),
            ("TtlDbtNtries", self.debit_count, self.debit_sum_minor),
        ] {
            xml.open(name)?;
            xml.text("NbOfNtries", &count.to_string())?;
            xml.text("Sum", &self.amount(sum_minor))?;
            xml.close(name)?;
        }
        xml.close("TxsSummry")?;
        Ok(())
    }

    fn write_entry<W: Write>(
        &self,
        xml: &mut Xml<W>,
        e: &NotifiedEntry<'_>,
        c: &CleanNotified<'_>,
    ) -> Result<(), Iso20022Error> {
        let currency = self.n.currency;
        let amount = self.amount(e.amount_minor.into());
        xml.open("Ntry")?;
        xml.amount("Amt", &amount, currency)?;
        xml.text("CdtDbtInd", credit_debit(e.credit))?;
        xml.path(&["Sts", "Cd"], "BOOK")?;
        xml.path(&["BookgDt", "DtTm"], &utc_timestamp(e.booked_at_ns))?;
        xml.path(&["ValDt", "Dt"], &utc_date(e.booked_at_ns).to_string())?;
        xml.text("AcctSvcrRef", e.account_servicer_reference)?;
        xml.open("BkTxCd")?;
        xml.open("Domn")?;
        xml.text("Cd", PAYMENTS_DOMAIN)?;
        xml.open("Fmly")?;
        let family = if e.credit {
            RECEIVED_CREDIT_TRANSFERS
        } else {
            ISSUED_CREDIT_TRANSFERS
        };
        xml.text("Cd", family)?;
        xml.text("SubFmlyCd", DOMESTIC_CREDIT_TRANSFER)?;
        xml.close("Fmly")?;
        xml.close("Domn")?;
        xml.close("BkTxCd")?;
        xml.open("NtryDtls")?;
        xml.open("TxDtls")?;
        xml.open("Refs")?;
        xml.text("AcctSvcrRef", e.account_servicer_reference)?;
        if let Some(end_to_end_id) = c.end_to_end_id {
            xml.text("EndToEndId", end_to_end_id)?;
        }
        xml.close("Refs")?;
        xml.amount("Amt", &amount, currency)?;
        xml.text("CdtDbtInd", credit_debit(e.credit))?;
        let counterparty = c.counterparty.as_ref();
        let (debtor, creditor) = if e.credit {
            (counterparty, None)
        } else {
            (None, counterparty)
        };
        xml.related_parties(debtor, creditor)?;
        xml.remittance(&c.remittance, currency, self.exponent)?;
        xml.close("TxDtls")?;
        xml.close("NtryDtls")?;
        xml.close("Ntry")?;
        Ok(())
    }
}

/// Writes a camt.054.001.08 bank-to-customer debit/credit notification of `n.account`: one
/// `Ntfctn` with the account (IBAN, currency, name, owner, servicing bank), a transaction
/// summary, and one booked entry per [`NotifiedEntry`].
///
/// Each entry carries the amount and side, the booking date-time and value date, the bank's
/// reference, the bank transaction code `PMNT`/`RCDT` (credit) or `PMNT`/`ICDT` (debit) with
/// sub-family `DMCT`, and transaction details: the references, the amount, the counterparty as
/// debtor of a credit or creditor of a debit (name, account, bank) and the remittance
/// information. The input is checked before anything is written; errors name the field, such as
/// `entries[41].counterparty.iban`. Nothing per entry is held between the check and the writing,
/// so a million entries cost only their identifiers' index beyond the input itself.
pub fn write_camt054(n: &Notification<'_>, out: impl Write) -> Result<(), Iso20022Error> {
    let plan = Plan::new(n)?;
    let mut xml = Xml::start(out, CAMT054_NAMESPACE)?;
    plan.write(&mut xml)?;
    xml.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::testing::*;
    use crate::{AMOUNT_MINOR_MAX, FieldProblem, ReferredDocument};

    const INVOICES: [ReferredDocument<'static>; 1] = [ReferredDocument {
        number: "INV-9",
        date: None,
        amount_minor: None,
    }];

    fn entries() -> [NotifiedEntry<'static>; 2] {
        [
            NotifiedEntry {
                account_servicer_reference: "BK-0001",
                booked_at_ns: ns(NOV_24_2026_S + 60),
                amount_minor: 123_450,
                credit: true,
                end_to_end_id: Some("rtp-c-17"),
                counterparty: Some(Party {
                    name: "Müller & Söhne",
                    iban: Some("DE02120300000000202051"),
                    other_account: None,
                    bic: Some("BYLADEM1001"),
                }),
                remittance: Remittance {
                    creditor_reference: Some("RF18539007547034"),
                    documents: &INVOICES,
                    text: Some("thank you"),
                },
            },
            NotifiedEntry {
                account_servicer_reference: "BK-0002",
                booked_at_ns: ns(NOV_24_2026_S + 120),
                amount_minor: 9_999,
                credit: false,
                end_to_end_id: None,
                counterparty: Some(Party {
                    name: "Lyon Médical SA",
                    iban: None,
                    other_account: Some("0500013M026"),
                    bic: None,
                }),
                remittance: Remittance::default(),
            },
        ]
    }

    fn notification<'a>(entries: &'a [NotifiedEntry<'a>]) -> Notification<'a> {
        Notification {
            message_id: "BK-MSG-1",
            notification_id: "BK-NTF-1",
            created_at_ns: ns(NOV_24_2026_S + 3_600),
            currency: Currency::EUR,
            account: HOUSE,
            entries,
        }
    }

    fn camt054(n: &Notification<'_>) -> Vec<Element> {
        let mut out = Vec::new();
        write_camt054(n, &mut out).expect("camt.054 written");
        let xml = String::from_utf8(out).expect("UTF-8");
        assert!(
            xml.contains("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">")
        );
        parse(&xml)
    }

    const NTFCTN: &str = "Document/BkToCstmrDbtCdtNtfctn/Ntfctn";

    #[test]
    fn credits_and_debits() {
        let entries = entries();
        let elements = camt054(&notification(&entries));
        let at = |p: &str| text(&elements, &format!("{NTFCTN}/{p}"));
        assert_eq!(
            text(&elements, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId"),
            "BK-MSG-1"
        );
        assert_eq!(at("Id"), "BK-NTF-1");
        assert_eq!(at("Acct/Id/IBAN"), "DE89370400440532013000");
        assert_eq!(at("Acct/Ccy"), "EUR");
        assert_eq!(at("Acct/Ownr/Nm"), "INSTEX Zone EU House");
        assert_eq!(at("Acct/Svcr/FinInstnId/BICFI"), "HOUSDEFFXXX");
        assert_eq!(at("TxsSummry/TtlNtries/NbOfNtries"), "2");
        assert_eq!(at("TxsSummry/TtlNtries/Sum"), "1334.49");
        assert_eq!(at("TxsSummry/TtlNtries/TtlNetNtry/Amt"), "1134.51");
        assert_eq!(at("TxsSummry/TtlCdtNtries/Sum"), "1234.50");
        assert_eq!(at("TxsSummry/TtlDbtNtries/Sum"), "99.99");
        let all = |p: &str| texts(&elements, &format!("{NTFCTN}/Ntry/{p}"));
        assert_eq!(all("Amt"), ["1234.50", "99.99"]);
        assert_eq!(all("CdtDbtInd"), ["CRDT", "DBIT"]);
        assert_eq!(all("AcctSvcrRef"), ["BK-0001", "BK-0002"]);
        assert_eq!(all("BkTxCd/Domn/Cd"), ["PMNT", "PMNT"]);
        assert_eq!(all("BkTxCd/Domn/Fmly/Cd"), ["RCDT", "ICDT"]);
        assert_eq!(
            all("BookgDt/DtTm"),
            ["2026-11-24T00:01:00Z", "2026-11-24T00:02:00Z"]
        );
        let tx = |p: &str| all(&format!("NtryDtls/TxDtls/{p}"));
        assert_eq!(tx("Refs/EndToEndId"), ["rtp-c-17"]);
        assert_eq!(tx("Amt"), ["1234.50", "99.99"]);
        assert_eq!(tx("RltdPties/Dbtr/Pty/Nm"), ["Müller & Söhne"]);
        assert_eq!(tx("RltdPties/DbtrAcct/Id/IBAN"), ["DE02120300000000202051"]);
        assert_eq!(tx("RltdAgts/DbtrAgt/FinInstnId/BICFI"), ["BYLADEM1001"]);
        assert_eq!(tx("RltdPties/Cdtr/Pty/Nm"), ["Lyon Médical SA"]);
        assert_eq!(tx("RltdPties/CdtrAcct/Id/Othr/Id"), ["0500013M026"]);
        assert!(tx("RltdPties/CdtrAcct/Id/Othr/SchmeNm/Prtry").is_empty());
        assert_eq!(tx("RmtInf/Ustrd"), ["thank you"]);
        assert_eq!(tx("RmtInf/Strd/CdtrRefInf/Ref"), ["RF18539007547034"]);
        assert_eq!(tx("RmtInf/Strd/RfrdDocInf/Nb"), ["INV-9"]);
    }

    fn fails(n: &Notification<'_>) -> Iso20022Error {
        let mut out = Vec::new();
        let error = write_camt054(n, &mut out).unwrap_err();
        assert!(out.is_empty(), "nothing is written on a check error");
        error
    }

    #[test]
    fn field_errors() {
        let entries = entries();
        let check = |edit: &dyn Fn(&mut [NotifiedEntry<'static>; 2]), field: &str| {
            let mut bad = entries;
            edit(&mut bad);
            let (got, problem) = field_of(fails(&notification(&bad)));
            assert_eq!(got, field, "{problem}");
            problem
        };
        let p = check(
            &|e| e[1].account_servicer_reference = "BK-0001",
            "entries[1].account_servicer_reference",
        );
        assert_eq!(p, FieldProblem::Duplicate { first_index: 0 });
        check(&|e| e[1].amount_minor = 0, "entries[1].amount_minor");
        check(
            &|e| e[0].end_to_end_id = Some(""),
            "entries[0].end_to_end_id",
        );
        check(
            &|e| {
                e[1].counterparty = Some(Party {
                    name: "x",
                    iban: None,
                    other_account: Some("12345678901234567890123456789012345"),
                    bic: None,
                })
            },
            "entries[1].counterparty.other_account",
        );
        let mut n = notification(&entries);
        n.notification_id = "";
        assert_eq!(field_of(fails(&n)).0, "notification_id");
        let mut n = notification(&entries);
        n.account.bic = "";
        assert_eq!(field_of(fails(&n)).0, "account.bic");
        let mut n = notification(&entries);
        n.entries = &[];
        assert_eq!(field_of(fails(&n)).0, "entries");
        let mut big = entries;
        big[0].amount_minor = AMOUNT_MINOR_MAX;
        big[1].amount_minor = AMOUNT_MINOR_MAX;
        assert!(matches!(
            fails(&notification(&big)),
            Iso20022Error::Overflow { .. }
        ));
    }

    #[test]
    fn a_hundred_thousand_entries() {
        let one = entries()[0];
        let references: Vec<String> = (0..100_000).map(|i| format!("BK-{i:08}")).collect();
        let many: Vec<NotifiedEntry<'_>> = references
            .iter()
            .map(|r| NotifiedEntry {
                account_servicer_reference: r,
                amount_minor: 1,
                ..one
            })
            .collect();
        let n = notification(&many);
        let started = Instant::now();
        let mut out = Vec::new();
        write_camt054(&n, &mut out).expect("written");
        let elapsed = started.elapsed();
        let xml = String::from_utf8(out).expect("UTF-8");
        assert_eq!(xml.matches("<Ntry>").count(), 100_000);
        assert!(xml.contains("<Sum>1000.00</Sum>"));
        // Generous: unoptimized test builds on a shared machine; release takes a fraction.
        assert!(elapsed.as_secs() < 20, "{elapsed:?}");
    }
}
