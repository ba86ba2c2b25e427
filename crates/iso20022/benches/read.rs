//! Throughput of the readers on a camt.054 of 100,000 entries (one transaction each) and a
//! pain.002 of 100,000 payment statuses. Prints the time per file; asserts no time.
//!
//! Run with `cargo bench -p iso20022 --bench read`.

use std::fmt::Write;
use std::hint::black_box;
use std::time::{Duration, Instant};

use iso20022::read::{read_bank_report, read_pain002};

const ENTRIES: usize = 100_000;
const RUNS: usize = 5;

fn camt054(entries: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">\n\
         <BkToCstmrDbtCdtNtfctn>\n<GrpHdr><MsgId>BENCH-1</MsgId>\
         <CreDtTm>2026-11-24T15:02:11+01:00</CreDtTm></GrpHdr>\n<Ntfctn>\n<Id>BENCH-1-1</Id>\n\
         <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n",
    );
    for i in 0..entries {
        let cents = 1_000 + i % 90_000;
        let (units, cents) = (cents / 100, cents % 100);
        write!(
            xml,
            "<Ntry>\n  <NtryRef>{i}</NtryRef>\n  <Amt Ccy=\"EUR\">{units}.{cents:02}</Amt>\n  \
             <CdtDbtInd>CRDT</CdtDbtInd>\n  <Sts><Cd>BOOK</Cd></Sts>\n  \
             <BookgDt><Dt>2026-11-24</Dt></BookgDt>\n  <ValDt><Dt>2026-11-24</Dt></ValDt>\n  \
             <AcctSvcrRef>20261124{i:08}</AcctSvcrRef>\n  <BkTxCd><Domn><Cd>PMNT</Cd><Fmly>\
             <Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>\n  <NtryDtls><TxDtls>\n    \
             <Refs><EndToEndId>CLR-2026-{i:06}</EndToEndId></Refs>\n    \
             <Amt Ccy=\"EUR\">{units}.{cents:02}</Amt><CdtDbtInd>CRDT</CdtDbtInd>\n    \
             <RltdPties><Dbtr><Pty><Nm>Importer {i} GmbH</Nm></Pty></Dbtr>\
             <DbtrAcct><Id><IBAN>DE02100100100006820101</IBAN></Id></DbtrAcct></RltdPties>\n    \
             <RltdAgts><DbtrAgt><FinInstnId><BICFI>PBNKDEFFXXX</BICFI></FinInstnId></DbtrAgt></RltdAgts>\n    \
             <RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>\n  \
             </TxDtls></NtryDtls>\n</Ntry>\n"
        )
        .expect("write to a String");
    }
    xml.push_str("</Ntfctn>\n</BkToCstmrDbtCdtNtfctn>\n</Document>\n");
    xml
}

fn pain002(payments: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\">\n<CstmrPmtStsRpt>\n\
         <GrpHdr><MsgId>BENCH-2</MsgId><CreDtTm>2026-11-24T16:45:00Z</CreDtTm></GrpHdr>\n\
         <OrgnlGrpInfAndSts><OrgnlMsgId>CLR-PAY-1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09\
         </OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>\n\
         <OrgnlPmtInfAndSts><OrgnlPmtInfId>CLR-PAY-1-A</OrgnlPmtInfId><PmtInfSts>PART</PmtInfSts>\n",
    );
    for i in 0..payments {
        writeln!(
            xml,
            "<TxInfAndSts><OrgnlInstrId>I-{i}</OrgnlInstrId><OrgnlEndToEndId>CLR-2026-{i:06}\
             </OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AM04</Cd></Rsn>\
             <AddtlInf>Insufficient funds</AddtlInf></StsRsnInf><OrgnlTxRef><Amt>\
             <InstdAmt Ccy=\"EUR\">{}.00</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>",
            10 + i % 1000
        )
        .expect("write to a String");
    }
    xml.push_str("</OrgnlPmtInfAndSts>\n</CstmrPmtStsRpt>\n</Document>\n");
    xml
}

fn best_of(runs: usize, mut read: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            read();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let camt = camt054(ENTRIES);
    let report = read_bank_report(camt.as_bytes()).expect("the generated camt.054 reads");
    assert_eq!(report.accounts[0].entries.len(), ENTRIES);
    let time = best_of(RUNS, || {
        black_box(read_bank_report(black_box(camt.as_bytes())).ok());
    });
    println!(
        "camt.054, {ENTRIES} entries, {} MB: {:.1} ms (best of {RUNS})",
        camt.len() / 1_000_000,
        time.as_secs_f64() * 1e3
    );

    let pain = pain002(ENTRIES);
    let report = read_pain002(pain.as_bytes()).expect("the generated pain.002 reads");
    assert_eq!(report.payments.len(), ENTRIES);
    let time = best_of(RUNS, || {
        black_box(read_pain002(black_box(pain.as_bytes())).ok());
    });
    println!(
        "pain.002, {ENTRIES} payments, {} MB: {:.1} ms (best of {RUNS})",
        pain.len() / 1_000_000,
        time.as_secs_f64() * 1e3
    );
}
