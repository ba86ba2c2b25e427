//! What every test here needs: the shared schemas, xmllint, realistic parties and texts.

use std::path::{Path, PathBuf};
use std::process::Command;

use iso20022::{Account, Party, ReferredDocument};
use model::Date;

/// The official schema of `message` (`pain.001.001.09`, …), in the workplace's shared data;
/// fails naming the missing file.
pub fn schema(message: &str) -> PathBuf {
    test_support::shared_data(format!("iso20022/{message}.xsd"))
}

/// The result of `xmllint --noout --schema <message>.xsd file`: `Ok` or xmllint's words.
///
/// Fails the test when xmllint cannot be run: a missing validator must never pass as valid.
pub fn xmllint(file: &Path, message: &str) -> Result<(), String> {
    let schema = schema(message);
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(file)
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => panic!(
            "xmllint could not be run ({e}): install it with `apt-get install libxml2-utils`; \
             the ISO 20022 files are validated with it and the test does not pass without it"
        ),
    };
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Writes `bytes` to a temporary file and validates it against the schema of `message`
/// (`pain.001.001.09`, `camt.053.001.08` …); fails with xmllint's words.
pub fn assert_valid(bytes: &[u8], message: &str) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join(format!("{message}.xml"));
    std::fs::write(&file, bytes).expect("file written");
    if let Err(words) = xmllint(&file, message) {
        let head: String = String::from_utf8_lossy(bytes).chars().take(3_000).collect();
        panic!("not a valid {message}: {words}\n--- start of the file ---\n{head}");
    }
}

/// Like [`assert_valid`], but the file must be refused.
pub fn assert_invalid(bytes: &[u8], message: &str) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join(format!("{message}.xml"));
    std::fs::write(&file, bytes).expect("file written");
    assert!(
        xmllint(&file, message).is_err(),
        "xmllint accepted a file it should refuse"
    );
}

/// 2026-11-24T00:00:00Z in nanoseconds.
pub const NOV_24_2026_NS: u64 = 1_795_478_400 * model::calendar::SECOND_NS;
/// An hour in nanoseconds.
pub const HOUR_NS: u64 = 3_600 * model::calendar::SECOND_NS;

pub fn date(year: u16, month: u8, day: u8) -> Date {
    Date::new(year, month, day).expect("a real date")
}

/// An identifier of exactly 35 characters, the longest allowed.
pub const ID_35: &str = "ID-35-CHARACTERS-LONG-0123456789ABC";
/// A name of 200 characters with umlauts, `&`, `<` and quotes: longer than any schema allows.
pub fn long_name() -> String {
    let unit = "Müller & Söhne <Pharma> \"Import\" ";
    unit.repeat(7).chars().take(200).collect()
}

/// A Persian firm name.
pub const PERSIAN_NAME: &str = "شرکت داروسازی اسدالله اسدی و پسران";

/// The house's zone account at its bank.
pub const HOUSE: Account<'static> = Account {
    name: "INSTEX Zone EU House & Co. <Clearing>",
    iban: "DE89370400440532013000",
    bic: "HOUSDEFFXXX",
};

/// An Iranian firm's account.
pub fn tehran() -> Account<'static> {
    Account {
        name: PERSIAN_NAME,
        iban: "IR062960000000100324200001",
        bic: "BKMTIRTH",
    }
}

/// A German firm's account.
pub const MUELLER: Account<'static> = Account {
    name: "Müller & Söhne <Pharma> \"GmbH\"",
    iban: "DE02120300000000202051",
    bic: "BYLADEM1001",
};

/// A French firm's account.
pub const LYON: Account<'static> = Account {
    name: "Lyon Médical SA",
    iban: "FR1420041010050500013M02606",
    bic: "PSSTFRPPLYO",
};

/// A party known by IBAN and BIC.
pub fn party(account: Account<'static>) -> Party<'static> {
    Party {
        name: account.name,
        iban: Some(account.iban),
        other_account: None,
        bic: Some(account.bic),
    }
}

/// Invoices numbered `INV-2026-…`, some with date and amount, the numbers kept alive by the
/// caller.
pub fn invoice_numbers(count: usize) -> Vec<String> {
    (1..=count).map(|n| format!("INV-2026-{n:05}")).collect()
}

pub fn invoices(numbers: &[String]) -> Vec<ReferredDocument<'_>> {
    numbers
        .iter()
        .enumerate()
        .map(|(i, number)| ReferredDocument {
            number,
            date: (i % 3 != 2).then(|| date(2026, 10, 1 + (i % 28) as u8)),
            amount_minor: (i % 2 == 0).then_some(10_000 + i as i64),
        })
        .collect()
}
