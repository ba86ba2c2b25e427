//! Hostile and broken input: every fault is an error of the right kind naming line and path,
//! never a panic and never a partial report.

use iso20022::read::{
    READ_BYTES_MAX, ReadError, ReadErrorKind, TEXT_LEN_MAX, read_bank_report, read_pain002,
};
use proptest::prelude::*;

use crate::read_fixtures::{CAMT053_V08, CAMT054_V02, CAMT054_V08, PAIN002_V03, PAIN002_V10};
use crate::read_support::{error_of, line_of};

const ENTRY: &str = "Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Ntry";
const FIRST_AMOUNT: &str = "<Amt Ccy=\"EUR\">12500.00</Amt>";

/// The camt.054 fixture with the first occurrence of `from` replaced.
fn camt054_with(from: &str, to: &str) -> String {
    assert!(CAMT054_V08.contains(from), "{from:?} is not in the fixture");
    CAMT054_V08.replacen(from, to, 1)
}

fn bank_error(file: &str) -> ReadError {
    error_of(read_bank_report(file.as_bytes()))
}

fn assert_error(error: &ReadError, kind: ReadErrorKind, path: &str, line: u64) {
    assert_eq!(
        (error.kind, error.path.as_str(), error.line),
        (kind, path, Some(line)),
        "{error}"
    );
}

/// Both readers on any bytes: an error or a report, never a panic.
fn read_both(bytes: &[u8]) {
    let _ = read_bank_report(bytes);
    let _ = read_pain002(bytes);
}

#[test]
fn every_prefix_is_truncated() {
    for (name, file) in [
        ("camt.054.001.08", CAMT054_V08),
        ("camt.053.001.08", CAMT053_V08),
        ("camt.054.001.02", CAMT054_V02),
        ("pain.002.001.10", PAIN002_V10),
        ("pain.002.001.03", PAIN002_V03),
    ] {
        let read = |bytes: &[u8]| -> Result<(), ReadError> {
            if name.starts_with("camt") {
                read_bank_report(bytes).map(drop)
            } else {
                read_pain002(bytes).map(drop)
            }
        };
        read(file.as_bytes()).expect("the whole file reads");
        let end = file.rfind("</Document>").expect("closing tag") + "</Document>".len();
        for cut in 0..end {
            let prefix = &file.as_bytes()[..cut];
            let error = match read(prefix) {
                Ok(()) => panic!("{name} cut at byte {cut} was read"),
                Err(error) => error,
            };
            assert_eq!(
                error.kind,
                ReadErrorKind::Truncated,
                "{name} cut at {cut}: {error}"
            );
            let lines = 1 + prefix.iter().filter(|&&b| b == b'\n').count() as u64;
            let line = error.line.expect("a truncation names its line");
            assert!(
                line >= 1 && line <= lines,
                "{name} cut at {cut}: line {line} of {lines}"
            );
        }
    }
}

#[test]
fn a_truncation_names_the_open_element() {
    let cut = CAMT054_V08.find("<CdtDbtInd>CRDT").expect("entry") + "<CdtDbtInd>CR".len();
    let error = bank_error(&CAMT054_V08[..cut]);
    assert_eq!(error.kind, ReadErrorKind::Truncated);
    assert_eq!(error.path, format!("{ENTRY}/CdtDbtInd"));
    assert_eq!(error.line, Some(line_of(CAMT054_V08, "<CdtDbtInd>CRDT", 0)));
    assert!(error.to_string().starts_with(&format!(
        "line {}, {ENTRY}/CdtDbtInd: ",
        line_of(CAMT054_V08, "<CdtDbtInd>CRDT", 0)
    )));
}

#[test]
fn more_decimals_than_the_currency_has() {
    let line = line_of(CAMT054_V08, FIRST_AMOUNT, 0);
    for amount in ["10.001", "10.000", "0.123"] {
        let file = camt054_with(FIRST_AMOUNT, &format!("<Amt Ccy=\"EUR\">{amount}</Amt>"));
        let error = bank_error(&file);
        assert_error(
            &error,
            ReadErrorKind::Invalid,
            &format!("{ENTRY}/Amt"),
            line,
        );
        assert!(error.message.contains("decimals"), "{error}");
        assert_eq!(
            error.to_string(),
            format!("line {line}, {ENTRY}/Amt: {}", error.message)
        );
    }
    let jpy = camt054_with(FIRST_AMOUNT, "<Amt Ccy=\"JPY\">1500.5</Amt>");
    assert_error(
        &bank_error(&jpy),
        ReadErrorKind::Invalid,
        &format!("{ENTRY}/Amt"),
        line,
    );
}

#[test]
fn negative_huge_and_malformed_amounts() {
    let line = line_of(CAMT054_V08, FIRST_AMOUNT, 0);
    for amount in [
        "-12500.00",
        "-0.00",
        "10000000000000000.00",
        "99999999999999999999999999",
        "1e3",
        "12 500.00",
        "12,500.00",
        "0x10",
        "NaN",
        "1.2.3",
        ".",
    ] {
        let file = camt054_with(FIRST_AMOUNT, &format!("<Amt Ccy=\"EUR\">{amount}</Amt>"));
        assert_error(
            &bank_error(&file),
            ReadErrorKind::Invalid,
            &format!("{ENTRY}/Amt"),
            line,
        );
    }
    // 18 digits in minor units is the most a schema amount has; it still reads.
    let file = camt054_with(FIRST_AMOUNT, "<Amt Ccy=\"EUR\">9999999999999999.99</Amt>");
    let report = read_bank_report(file.as_bytes()).expect("18 digits");
    assert_eq!(
        report.accounts[0].entries[0].amount_minor,
        999_999_999_999_999_999
    );
}

#[test]
fn missing_amount_currency_and_indicator() {
    let ntry = line_of(CAMT054_V08, "<Ntry>", 0);
    let amount_line = line_of(CAMT054_V08, FIRST_AMOUNT, 0);
    let amt = format!("{ENTRY}/Amt");
    let cases = [
        (FIRST_AMOUNT, "", ReadErrorKind::Missing, amt.clone(), ntry),
        (
            FIRST_AMOUNT,
            "<Amt Ccy=\"EUR\"></Amt>",
            ReadErrorKind::Missing,
            amt.clone(),
            amount_line,
        ),
        (
            FIRST_AMOUNT,
            "<Amt Ccy=\"EUR\"/>",
            ReadErrorKind::Missing,
            amt.clone(),
            amount_line,
        ),
        (
            FIRST_AMOUNT,
            "<Amt>12500.00</Amt>",
            ReadErrorKind::Missing,
            amt.clone(),
            amount_line,
        ),
        (
            FIRST_AMOUNT,
            "<Amt Ccy=\"EUX\">1.00</Amt>",
            ReadErrorKind::Invalid,
            amt.clone(),
            amount_line,
        ),
        (
            FIRST_AMOUNT,
            "<Amt Ccy=\"XAU\">1.00</Amt>",
            ReadErrorKind::Invalid,
            amt.clone(),
            amount_line,
        ),
        (
            FIRST_AMOUNT,
            "<Amt Ccy=\"eur\">1.00</Amt>",
            ReadErrorKind::Invalid,
            amt.clone(),
            amount_line,
        ),
        (
            "<CdtDbtInd>CRDT</CdtDbtInd>",
            "",
            ReadErrorKind::Missing,
            format!("{ENTRY}/CdtDbtInd"),
            ntry,
        ),
        (
            "<CdtDbtInd>CRDT</CdtDbtInd>",
            "<CdtDbtInd>CREDIT</CdtDbtInd>",
            ReadErrorKind::Invalid,
            format!("{ENTRY}/CdtDbtInd"),
            line_of(CAMT054_V08, "<CdtDbtInd>CRDT", 0),
        ),
        (
            "<MsgId>NTF-20261124-0042</MsgId>",
            "",
            ReadErrorKind::Missing,
            "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId".to_owned(),
            line_of(CAMT054_V08, "<GrpHdr>", 0),
        ),
        (
            "<MsgId>NTF-20261124-0042</MsgId>",
            "<MsgId>   </MsgId>",
            ReadErrorKind::Missing,
            "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId".to_owned(),
            line_of(CAMT054_V08, "<MsgId>", 0),
        ),
        (
            "<Id>NTF-20261124-0042-EUR</Id>",
            "",
            ReadErrorKind::Missing,
            "Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Id".to_owned(),
            line_of(CAMT054_V08, "<Ntfctn>", 0),
        ),
    ];
    for (from, to, kind, path, line) in cases {
        let error = bank_error(&camt054_with(from, to));
        assert_error(&error, kind, &path, line);
    }
}

#[test]
fn an_element_twice_where_one_is_expected() {
    let file = camt054_with(FIRST_AMOUNT, &format!("{FIRST_AMOUNT}\n{FIRST_AMOUNT}"));
    let line = line_of(CAMT054_V08, FIRST_AMOUNT, 0) + 1;
    assert_error(
        &bank_error(&file),
        ReadErrorKind::Invalid,
        &format!("{ENTRY}/Amt"),
        line,
    );
    let file = camt054_with("<Cd>BOOK</Cd>", "<Cd>BOOK</Cd><Prtry>X</Prtry>");
    let line = line_of(CAMT054_V08, "<Cd>BOOK</Cd>", 0);
    assert_error(
        &bank_error(&file),
        ReadErrorKind::Invalid,
        &format!("{ENTRY}/Sts/Prtry"),
        line,
    );
    let file = camt054_with(
        "<Dt>2026-11-24</Dt>",
        "<Dt>2026-11-24</Dt><DtTm>2026-11-24T10:00:00Z</DtTm>",
    );
    let error = bank_error(&file);
    assert_eq!(
        (error.kind, error.path.as_str()),
        (ReadErrorKind::Invalid, &*format!("{ENTRY}/BookgDt/DtTm"))
    );
}

#[test]
fn bad_dates_and_codes() {
    let cases = [
        ("<Dt>2026-11-24</Dt>", "<Dt>2026-02-30</Dt>", "BookgDt/Dt"),
        ("<Dt>2026-11-24</Dt>", "<Dt>24.11.2026</Dt>", "BookgDt/Dt"),
        (
            "<DtTm>2026-11-25T00:15:00+01:00</DtTm>",
            "<DtTm>2026-11-25T00:15:00+25:00</DtTm>",
            "BookgDt/DtTm",
        ),
        (
            "<RvslInd>true</RvslInd>",
            "<RvslInd>yes</RvslInd>",
            "RvslInd",
        ),
    ];
    for (from, to, tail) in cases {
        let error = bank_error(&camt054_with(from, to));
        assert_eq!(error.kind, ReadErrorKind::Invalid, "{error}");
        assert_eq!(error.path, format!("{ENTRY}/{tail}"), "{error}");
    }
    let file = camt054_with(
        "<CreDtTm>2026-11-24T15:02:11.250+01:00</CreDtTm>",
        "<CreDtTm>1969-12-31T23:59:59Z</CreDtTm>",
    );
    let error = bank_error(&file);
    assert_eq!(
        error.path, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/CreDtTm",
        "{error}"
    );
}

#[test]
fn not_a_message_read_here() {
    let cases: [(&str, &str); 6] = [
        (
            "<Foo xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\"/>",
            "Foo",
        ),
        (
            "<Document><BkToCstmrDbtCdtNtfctn/></Document>",
            "no namespace",
        ),
        (
            "<Document xmlns=\"urn:example:not-iso\"><X/></Document>",
            "urn:example:not-iso",
        ),
        (
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"><CstmrCdtTrfInitn/></Document>",
            "pain.001.001.09",
        ),
        (
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.08\"><BkToCstmrAcctRpt/></Document>",
            "camt.052.001.08",
        ),
        (
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\"><BkToCstmrStmt/></Document>",
            "BkToCstmrStmt",
        ),
    ];
    for (file, found) in cases {
        let error = bank_error(file);
        assert_eq!(error.kind, ReadErrorKind::UnknownMessage, "{error}");
        assert!(
            error.message.contains(found),
            "{error} does not say {found}"
        );
        assert_eq!(error.line, Some(1));
    }
    let error = error_of(read_pain002(CAMT054_V08.as_bytes()));
    assert_eq!(error.kind, ReadErrorKind::UnknownMessage, "{error}");
    assert!(error.message.contains("camt.054.001.08"), "{error}");
    let error = bank_error(PAIN002_V10);
    assert_eq!(error.kind, ReadErrorKind::UnknownMessage, "{error}");
    assert!(error.message.contains("pain.002.001.10"), "{error}");
}

#[test]
fn a_pain001_is_not_a_bank_report() {
    let pain001 = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">
  <CstmrCdtTrfInitn>
    <GrpHdr>
      <MsgId>CLR-PAY-20261124-01</MsgId>
      <CreDtTm>2026-11-24T14:05:00Z</CreDtTm>
      <NbOfTxs>1</NbOfTxs>
      <InitgPty><Nm>Clearhouse GmbH</Nm></InitgPty>
    </GrpHdr>
  </CstmrCdtTrfInitn>
</Document>
"#;
    let error = bank_error(pain001);
    assert_eq!(error.kind, ReadErrorKind::UnknownMessage, "{error}");
    assert_eq!((error.line, error.path.as_str()), (Some(2), "Document"));
    assert!(error.message.contains("pain.001.001.09"), "{error}");
}

#[test]
fn doctype_and_entities_are_refused() {
    let xxe = CAMT054_V08
        .replacen(
            "<Document ",
            "<!DOCTYPE Document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<Document ",
            1,
        )
        .replacen(
            "<MsgId>NTF-20261124-0042</MsgId>",
            "<MsgId>&xxe;</MsgId>",
            1,
        );
    let error = bank_error(&xxe);
    assert_eq!(error.kind, ReadErrorKind::Invalid, "{error}");
    assert!(error.message.contains("DOCTYPE"), "{error}");
    let lol = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><Document/>";
    assert_eq!(bank_error(lol).kind, ReadErrorKind::Invalid);
    let undeclared = camt054_with("<MsgId>NTF-20261124-0042</MsgId>", "<MsgId>&xxe;</MsgId>");
    let error = bank_error(&undeclared);
    assert_eq!(error.kind, ReadErrorKind::Invalid, "{error}");
    assert_eq!(error.path, "Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId");
    // Predefined entities and character references are resolved.
    let file = camt054_with(
        "<MsgId>NTF-20261124-0042</MsgId>",
        "<MsgId>&lt;N&#84;&#x46;&gt;</MsgId>",
    );
    assert_eq!(
        read_bank_report(file.as_bytes()).expect("read").message_id,
        "<NTF>"
    );
}

#[test]
fn deep_nesting_is_refused_without_exhausting_the_stack() {
    let depth = 10_000;
    let file = format!(
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">\
         <BkToCstmrDbtCdtNtfctn>{}{}</BkToCstmrDbtCdtNtfctn></Document>",
        "<Deep>".repeat(depth),
        "</Deep>".repeat(depth)
    );
    let error = bank_error(&file);
    assert_eq!(error.kind, ReadErrorKind::TooMany, "{}", error.message);
    // Deep is skipped (not read here): the error names it, the outermost element skipped.
    assert_eq!(error.path, "Document/BkToCstmrDbtCdtNtfctn/Deep");
    assert_eq!(error.line, Some(1));
    // The same depth inside an element read for its value.
    let file = camt054_with(
        "<NtryRef>1</NtryRef>",
        &format!(
            "<NtryRef>{}{}</NtryRef>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        ),
    );
    assert_eq!(bank_error(&file).kind, ReadErrorKind::Invalid);
}

#[test]
fn a_text_node_of_one_megabyte() {
    let huge = "x".repeat(1 << 20);
    let file = camt054_with(
        "<Ustrd>lot 3 sur 4</Ustrd>",
        &format!("<Ustrd>{huge}</Ustrd>"),
    );
    let error = bank_error(&file);
    assert_eq!(error.kind, ReadErrorKind::TooMany, "{}", error.message);
    assert_eq!(error.path, format!("{ENTRY}/NtryDtls/TxDtls/RmtInf/Ustrd"));
    assert_eq!(
        error.line,
        Some(line_of(CAMT054_V08, "<Ustrd>lot 3 sur 4", 0))
    );
    // In an element that is skipped, the path still names it.
    let file = camt054_with(
        "<AddtlNtryInf>Credit announced, not yet booked</AddtlNtryInf>",
        &format!("<AddtlNtryInf>{huge}</AddtlNtryInf>"),
    );
    let error = bank_error(&file);
    assert_eq!(error.kind, ReadErrorKind::TooMany);
    assert_eq!(error.path, format!("{ENTRY}/AddtlNtryInf"));
    // Pieces joined by references count together.
    let pieces = "ab&amp;".repeat(TEXT_LEN_MAX / 3 + 1);
    let file = camt054_with(
        "<Ustrd>lot 3 sur 4</Ustrd>",
        &format!("<Ustrd>{pieces}</Ustrd>"),
    );
    assert_eq!(bank_error(&file).kind, ReadErrorKind::TooMany);
    let just_fits = "y".repeat(TEXT_LEN_MAX);
    let file = camt054_with(
        "<Ustrd>lot 3 sur 4</Ustrd>",
        &format!("<Ustrd>{just_fits}</Ustrd>"),
    );
    let report = read_bank_report(file.as_bytes()).expect("read");
    assert_eq!(
        report.accounts[0].entries[1].transactions[0].unstructured[1],
        just_fits
    );
}

#[test]
fn too_many_items_in_one_list() {
    let many = "<Ustrd>again</Ustrd>".repeat(iso20022::read::LIST_LEN_MAX + 1);
    let file = camt054_with("<Ustrd>lot 3 sur 4</Ustrd>", &many);
    let error = bank_error(&file);
    assert_eq!(error.kind, ReadErrorKind::TooMany, "{error}");
    assert_eq!(error.path, format!("{ENTRY}/NtryDtls/TxDtls/RmtInf/Ustrd"));
}

#[test]
fn not_xml() {
    let utf16: Vec<u8> = std::iter::once(0xFEFF_u16)
        .chain(CAMT054_V08.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    let latin1 = CAMT054_V08
        .replace("Müller", "M\u{0}ller")
        .replace('\u{0}', "\u{FC}");
    let mut latin1 = latin1.into_bytes();
    let at = latin1
        .windows(2)
        .position(|w| w == [0xC3, 0xBC])
        .expect("ü");
    latin1.splice(at..at + 2, [0xFC]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("text", b"hello, this is not XML".to_vec()),
        ("json", br#"{"MsgId": "NTF-1"}"#.to_vec()),
        ("utf-16", utf16),
        ("latin-1", latin1),
        (
            "mismatched",
            camt054_with("</NtryRef>", "</NtryRf>").into_bytes(),
        ),
        (
            "declared latin-1",
            CAMT054_V08
                .replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")
                .into_bytes(),
        ),
        (
            "after the root",
            format!("{CAMT054_V08}<Document/>").into_bytes(),
        ),
        (
            "text after the root",
            format!("{CAMT054_V08}trailing").into_bytes(),
        ),
        (
            "undeclared prefix",
            b"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\"><x:A/></Document>"
                .to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        let error = error_of(read_bank_report(&bytes));
        assert_eq!(error.kind, ReadErrorKind::NotXml, "{name}: {error}");
        assert!(error.line.is_some(), "{name}: {error}");
    }
}

#[test]
fn a_second_message_in_document() {
    let file = CAMT054_V08.replace(
        "</BkToCstmrDbtCdtNtfctn>",
        "</BkToCstmrDbtCdtNtfctn>\n  <BkToCstmrDbtCdtNtfctn/>",
    );
    let error = bank_error(&file);
    assert_eq!(error.kind, ReadErrorKind::Invalid, "{error}");
    assert_eq!(error.path, "Document/BkToCstmrDbtCdtNtfctn");
}

#[test]
fn too_large_before_parsing() {
    // Zeroed memory is lazily allocated: this does not touch 512 MiB.
    let bytes = vec![0u8; READ_BYTES_MAX + 1];
    let error = error_of(read_bank_report(&bytes));
    assert_eq!((error.kind, error.line), (ReadErrorKind::TooLarge, None));
    let error = error_of(read_pain002(&bytes));
    assert_eq!(error.kind, ReadErrorKind::TooLarge);
}

#[test]
fn empty_input_is_truncated() {
    assert_eq!(bank_error("").kind, ReadErrorKind::Truncated);
    assert_eq!(bank_error("  \n").kind, ReadErrorKind::Truncated);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        read_both(&bytes);
    }

    #[test]
    fn random_markup_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">"),
                Just("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\">"),
                Just("</Document>"), Just("<BkToCstmrDbtCdtNtfctn>"), Just("<CstmrPmtStsRpt>"),
                Just("<GrpHdr><MsgId>M</MsgId></GrpHdr>"), Just("<Ntfctn>"), Just("</Ntfctn>"),
                Just("<Id>A</Id>"), Just("<Acct><Id><IBAN>X</IBAN></Id></Acct>"), Just("<Ntry>"),
                Just("</Ntry>"), Just("<Amt Ccy=\"EUR\">1.00</Amt>"), Just("<CdtDbtInd>CRDT</CdtDbtInd>"),
                Just("<Sts>BOOK</Sts>"), Just("<Sts><Cd>"), Just("</Cd></Sts>"), Just("<TxDtls>"),
                Just("</TxDtls>"), Just("<NtryDtls>"), Just("</NtryDtls>"), Just("&amp;"), Just("&#x0;"),
                Just("<OrgnlGrpInfAndSts><OrgnlMsgId>O</OrgnlMsgId><OrgnlMsgNmId>N</OrgnlMsgNmId>"),
                Just("</OrgnlGrpInfAndSts>"), Just("<OrgnlPmtInfAndSts><PmtInfSts>RJCT</PmtInfSts>"),
                Just("</OrgnlPmtInfAndSts>"), Just("<TxInfAndSts><TxSts>ACSC</TxSts>"),
                Just("</TxInfAndSts>"), Just("<![CDATA[x]]>"), Just("<!-- c -->"), Just("<?pi x?>"),
                Just("\n"), Just(" "), Just("<"), Just(">"), Just("/"), Just("\""), Just("é"),
            ],
            0..60,
        )
    ) {
        read_both(parts.concat().as_bytes());
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..5,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let fixture = [CAMT054_V08, CAMT053_V08, CAMT054_V02, PAIN002_V10, PAIN002_V03][which];
        let mut bytes = fixture.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, byte),
            }
        }
        read_both(&bytes);
    }
}
