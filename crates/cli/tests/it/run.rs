//! Running the `clearhouse` binary as a user does, and reading what it prints: shared by every
//! command's tests.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// `clearhouse` with no arguments yet; list and database settings from the environment are
/// removed so that a test sees only what it passes.
pub fn clearhouse() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clearhouse"));
    command
        .env_remove("CLEARHOUSE_LISTS_DIR")
        .env_remove("CLEARHOUSE_DATABASE_URL")
        .env_remove("CLEARHOUSE_USER");
    command
}

/// Runs `command` with `stdin` (any bytes, not only UTF-8) written to its standard input.
pub fn with_stdin(command: &mut Command, stdin: impl AsRef<[u8]>) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start clearhouse");
    // A command may refuse before reading its input and exit: the pipe is then closed, which
    // is not a failure of the test (its output says what the command did).
    match child.stdin.take().unwrap().write_all(stdin.as_ref()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    child.wait_with_output().unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Output bytes as JSON Lines; panics naming the line that is not JSON.
pub fn json_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    text(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// A camt.054 of the bank of `zone` in the example house (`house init`, the demo): one credit
/// per `(amount in the zone's minor units, ISO 11649 reference)` on the zone house account.
pub fn bank_file(zone: &str, credits: &[(i64, String)]) -> Vec<u8> {
    static FILES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let config = house::config::example().check().expect("example config");
    let zone = config
        .zones
        .iter()
        .find(|z| z.code.as_str() == zone)
        .expect("zone");
    let refs: Vec<String> = (0..credits.len()).map(|i| format!("T{n}-{i}")).collect();
    let entries: Vec<iso20022::NotifiedEntry<'_>> = credits
        .iter()
        .zip(&refs)
        .map(|((amount, reference), r)| iso20022::NotifiedEntry {
            account_servicer_reference: r,
            booked_at_ns: 1_800_000_000_000_000_000,
            amount_minor: *amount,
            credit: true,
            end_to_end_id: None,
            counterparty: Some(iso20022::Party {
                name: "Payer",
                iban: Some("DE89370400440532013000"),
                other_account: None,
                bic: None,
            }),
            remittance: iso20022::Remittance {
                creditor_reference: Some(reference),
                documents: &[],
                text: None,
            },
        })
        .collect();
    let iban = zone.account.iban().to_string();
    let bic = zone.account.bic().to_string();
    let id = format!("TEST-BANK-{n}");
    let mut out = Vec::new();
    iso20022::write_camt054(
        &iso20022::Notification {
            message_id: &id,
            notification_id: &id,
            created_at_ns: 1_800_000_000_000_000_000,
            currency: zone.currency,
            account: iso20022::Account {
                name: &zone.account_name,
                iban: &iban,
                bic: &bic,
            },
            entries: &entries,
        },
        &mut out,
    )
    .expect("camt.054");
    out
}

/// Validates an ISO 20022 file with `xmllint --schema`, the schema chosen by the file's
/// namespace. Fails (never skips) when xmllint is missing.
pub fn assert_schema_valid(file: &std::path::Path) {
    let text = std::fs::read_to_string(file).unwrap();
    let message = [
        "pain.001.001.09",
        "pain.002.001.10",
        "pain.013.001.08",
        "camt.053.001.08",
        "camt.054.001.08",
    ]
    .into_iter()
    .find(|m| text.contains(&format!("urn:iso:std:iso:20022:tech:xsd:{m}")))
    .unwrap_or_else(|| panic!("{}: no known ISO 20022 namespace", file.display()));
    let schema = test_support::shared_data(format!("iso20022/{message}.xsd"));
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("xmllint cannot run ({e}): install libxml2-utils"));
    assert!(
        out.status.success(),
        "{} is not valid {message}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
