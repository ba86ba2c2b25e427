//! `clearhouse verify` finds records and cycle files changed behind the house's back, checks
//! receipts kept from earlier runs, and refuses to verify nothing; read-only commands never
//! create a database.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::run::{clearhouse as clearhouse_command, json_lines, text};
use crate::support::TestDb;

/// Runs `clearhouse --database-url URL ARGS…`.
fn clearhouse(url: &str, args: &[&str]) -> Output {
    clearhouse_command()
        .args(["--database-url", url])
        .args(args)
        .output()
        .unwrap()
}

/// The demo's house (participants, claims, cases, a cycle) on `db`.
fn demo(db: &TestDb, dir: &Path) {
    let out = clearhouse(&db.url(), &["demo", "--dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}: {}", db.name, text(&out.stderr));
}

/// `verify --json ARGS…`: its exit code and data.
fn verify(db: &TestDb, args: &[&str]) -> (Option<i32>, Value) {
    let out = clearhouse(&db.url(), &[&["--json", "verify"][..], args].concat());
    assert!(
        out.stderr.is_empty(),
        "{}: verify {args:?}: {}",
        db.name,
        text(&out.stderr)
    );
    let data = json_lines(&out.stdout)[0]["data"].clone();
    (out.status.code(), data)
}

/// Every problem of a verify report, the house's included.
fn problems(data: &Value) -> Vec<String> {
    let store = data["problems"].as_array().unwrap().iter();
    let house = data["house"]["problems"].as_array().into_iter().flatten();
    store
        .chain(house)
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

fn assert_problem(db: &TestDb, problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "{}: {needle:?} not in {problems:#?}",
        db.name
    );
}

#[test]
fn records_changed_outside_the_house_are_named_by_kind_and_id() {
    for db in TestDb::each() {
        let tmp = tempfile::tempdir().unwrap();
        demo(&db, &tmp.path().join("demo"));
        let (code, data) = verify(&db, &[]);
        assert_eq!((code, problems(&data)), (Some(0), vec![]), "{}", db.name);
        db.execute(
            // A rejected claim set back to queued; a disputed claim too; an IBAN changed; a
            // participant that was never onboarded; a claim deleted; a claim rolled back to its
            // first version.
            "UPDATE records SET status = 'queued', body = replace(body, '\"rejected\"', '\"queued\"')
                 WHERE kind = 'claim' AND id = 'c-machinery';
             UPDATE records SET status = 'queued', body = replace(body, '\"status\":\"disputed\"', '\"status\":\"queued\"')
                 WHERE kind = 'claim' AND id = 'c-gum';
             UPDATE records SET body = replace(body, 'DE89370400440532013000', 'DE02120300000000202051')
                 WHERE kind = 'participant' AND id = 'eu-pharma';
             INSERT INTO records (kind, id, version, status, party, counterparty, at, body)
                 SELECT kind, 'ghost', 1, status, 'ghost', '', at, body FROM records
                 WHERE kind = 'participant' AND id = 'eu-agri';
             DELETE FROM records WHERE kind = 'claim' AND id = 'c-wheat';
             UPDATE records SET version = 1 WHERE kind = 'claim' AND id = 'c-medicines';",
        );
        let (code, data) = verify(&db, &[]);
        assert_eq!(code, Some(1), "{}", db.name);
        assert_eq!(data["ok"], false);
        let p = problems(&data);
        for needle in [
            "record claim:c-machinery was changed outside the house (audit entry ",
            "record claim:c-gum was changed outside the house (audit entry ",
            "claim c-gum: the audit trail says it was disputed (entry ",
            "claim c-gum: queued but its record holds a claim.disputed step",
            "record participant:eu-pharma was changed outside the house (audit entry ",
            "record participant:ghost (version 1) was never written by the audit chain",
            "record claim:c-wheat was deleted outside the house (audit entry ",
            "record claim:c-medicines is at version 1, but audit entry ",
        ] {
            assert_problem(&db, &p, needle);
        }
        let out = clearhouse(&db.url(), &["verify"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stdout).contains(
                "problem: audit: record participant:eu-pharma was changed outside the house"
            ),
            "{}",
            text(&out.stdout)
        );
    }
}

#[test]
fn a_cycle_file_deleted_or_changed_is_named_and_verify_fails() {
    for db in TestDb::each() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        demo(&db, &dir);
        let (code, data) = verify(&db, &[]);
        assert_eq!((code, problems(&data)), (Some(0), vec![]), "{}", db.name);
        let files = data["house"]["files"].as_u64().unwrap();
        assert!(files >= 4, "{}: {files} files checked", db.name);
        let cycle = dir.join("settlement").join("cycle-1");
        let (deleted, edited) = ("EU/requests-EU.csv", "IR/requests-IR.pain013.xml");
        std::fs::remove_file(cycle.join(deleted)).unwrap();
        std::fs::write(cycle.join(edited), "<changed/>").unwrap();

        let (code, data) = verify(&db, &[]);
        assert_eq!(code, Some(1), "{}", db.name);
        assert_eq!(data["ok"], false);
        assert_eq!(data["house"]["files"], files, "every file is still checked");
        let p = problems(&data);
        assert_eq!(p.len(), 2, "{}: {p:#?}", db.name);
        assert_problem(&db, &p, &format!("cycle 1: file {deleted} is missing"));
        assert_problem(
            &db,
            &p,
            &format!("cycle 1: file {edited} differs from the file recorded"),
        );
        let out = clearhouse(&db.url(), &["verify"]);
        assert_eq!(out.status.code(), Some(1));
        let stdout = text(&out.stdout);
        for needle in [
            format!("problem: cycle 1: file {deleted} is missing"),
            format!("problem: cycle 1: file {edited} differs"),
            format!("cycles checked with {files} of their files"),
        ] {
            assert!(
                stdout.contains(&needle),
                "{}: {needle:?} in {stdout}",
                db.name
            );
        }
        assert!(stdout.starts_with("problem: "), "{stdout}");
    }
}

#[test]
fn a_receipt_taken_before_finds_a_cut_audit_tail() {
    for db in TestDb::each() {
        let tmp = tempfile::tempdir().unwrap();
        demo(&db, &tmp.path().join("demo"));
        let (_, data) = verify(&db, &[]);
        let receipt = data["receipt"].as_str().unwrap().to_owned();
        let audit_seq = data["audit_head_seq"].as_u64().unwrap();
        assert!(
            receipt.starts_with(&format!("audit:{audit_seq}:")),
            "{receipt}"
        );
        let out = clearhouse(&db.url(), &["verify"]);
        assert!(
            text(&out.stdout).ends_with(&format!("receipt: {receipt}\n")),
            "{}",
            text(&out.stdout)
        );
        assert_eq!(verify(&db, &["--expect-head", &receipt]).0, Some(0));

        let keep = audit_seq - 2;
        db.execute(&format!(
            "DELETE FROM audit WHERE seq > {keep};
             UPDATE audit_head SET seq = {keep}, hash = (SELECT hash FROM audit WHERE seq = {keep})"
        ));
        let (code, data) = verify(&db, &["--expect-head", &receipt]);
        assert_eq!(code, Some(1), "{}", db.name);
        assert_problem(
            &db,
            &problems(&data),
            &format!(
                "--expect-head 1: audit entry {audit_seq} of the receipt is gone: the audit now \
                 ends at entry {keep}"
            ),
        );
        let out = clearhouse(
            &db.url(),
            &[
                "verify",
                "--expect-head",
                &receipt,
                "--expect-head",
                &receipt,
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stdout).contains("receipts: 0 of 2 still held by the history"),
            "{}",
            text(&out.stdout)
        );
        let file = tmp.path().join("receipts.txt");
        std::fs::write(
            &file,
            format!("# cycle 1, sent to the bank\n\n  {receipt}  \n"),
        )
        .unwrap();
        let (code, data) = verify(&db, &["--receipts", file.to_str().unwrap()]);
        assert_eq!(code, Some(1), "{}", db.name);
        assert_problem(
            &db,
            &problems(&data),
            &format!(
                "{} line 3: audit entry {audit_seq} of the receipt is gone",
                file.display()
            ),
        );
        assert_eq!(data["receipts_checked"], 1);
    }
}

#[test]
fn a_receipt_finds_a_cut_ledger_journal_tail_that_verify_alone_passes() {
    for db in TestDb::each() {
        let accounts = |ids: &[u64]| {
            let lines: Vec<String> = ids
                .iter()
                .map(|id| format!(r#"{{"id": {id}, "ledger": 978, "code": 1}}"#))
                .collect();
            let out = crate::run::with_stdin(
                clearhouse_command().args([
                    "--database-url",
                    &db.url(),
                    "ledger",
                    "create-accounts",
                ]),
                lines.join("\n"),
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
        };
        accounts(&[1, 2]);
        accounts(&[3]);
        let (code, data) = verify(&db, &[]);
        assert_eq!(code, Some(0), "{}: {data}", db.name);
        let receipt = data["receipt"].as_str().unwrap().to_owned();
        db.execute(
            "DELETE FROM journal WHERE seq = 2;
             DELETE FROM accounts WHERE id = 3;
             UPDATE head SET seq = 1, hash = (SELECT hash FROM journal WHERE seq = 1),
                 last_timestamp = (SELECT MAX(timestamp) FROM accounts)",
        );
        let (code, data) = verify(&db, &[]);
        assert_eq!(
            (code, problems(&data)),
            (Some(0), vec![]),
            "{}: verify alone",
            db.name
        );
        let (code, data) = verify(&db, &["--expect-head", &receipt]);
        assert_eq!(code, Some(1), "{}", db.name);
        assert_eq!(
            problems(&data),
            [
                "--expect-head 1: ledger journal entry 2 of the receipt is gone: the ledger journal \
              now ends at entry 1 (its tail was cut or rolled back)"
            ],
            "{}",
            db.name
        );
    }
}

#[test]
fn receipts_that_cannot_be_read_are_errors_naming_them() {
    let db = TestDb::sqlite();
    let tmp = tempfile::tempdir().unwrap();
    let hash = "ab".repeat(32);
    let file = tmp.path().join("receipts.txt");
    std::fs::write(
        &file,
        format!("audit:1:{hash} ledger:1:{hash}\naudit:2:{hash}\n"),
    )
    .unwrap();
    let only_comments = tmp.path().join("comments.txt");
    std::fs::write(&only_comments, "# nothing yet\n").unwrap();
    let large = tmp.path().join("large.txt");
    std::fs::write(&large, "#".repeat(2 * 1024 * 1024)).unwrap();
    let file_line = format!(
        "{} line 2: receipt \"audit:2:{hash}\": no ledger part",
        file.display()
    );
    for (args, message) in [
        (
            vec!["--expect-head", "audit:12"],
            "--expect-head 1: receipt \"audit:12\": expected NAME:SEQ:HASH".to_owned(),
        ),
        (
            vec![
                "--expect-head",
                &format!("audit:1:{hash} ledger:1:{hash}"),
                "--expect-head",
                "x",
            ],
            "--expect-head 2: receipt \"x\"".to_owned(),
        ),
        (vec!["--receipts", file.to_str().unwrap()], file_line),
        (
            vec!["--receipts", only_comments.to_str().unwrap()],
            format!("{} holds no receipt", only_comments.display()),
        ),
        (
            vec!["--receipts", large.to_str().unwrap()],
            format!("{} is larger than 1048576 bytes", large.display()),
        ),
        (
            vec!["--receipts", "/nonexistent/receipts.txt"],
            "opening /nonexistent/receipts.txt".to_owned(),
        ),
    ] {
        let out = clearhouse(&db.url(), &[&["verify"][..], &args].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&message),
            "{args:?}: {message:?} not in {stderr}"
        );
    }
    let Some(path) = db.url().strip_prefix("sqlite://").map(str::to_owned) else {
        unreachable!()
    };
    assert!(
        !Path::new(&path).exists(),
        "read before the database is opened"
    );
}

#[test]
fn verify_and_ledger_reads_of_nothing_are_errors_that_create_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("mistyped.db");
    let empty = tmp.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    for (path, message) in [
        (&missing, format!("no database at {}", missing.display())),
        (
            &empty,
            format!(
                "{} is not a Clearhouse database (the file is empty)",
                empty.display()
            ),
        ),
    ] {
        let url = format!("sqlite://{}", path.display());
        for args in [
            &["verify"][..],
            &["ledger", "accounts", "1"],
            &["ledger", "transfers", "1"],
            &["ledger", "account-transfers", "1"],
        ] {
            let out = clearhouse(&url, args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            let stderr = text(&out.stderr);
            assert!(stderr.contains(&message), "{args:?}: {stderr}");
        }
    }
    assert!(!missing.exists(), "no file is created");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0, "left empty");
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no -wal or -shm file either: {names:?}");

    // A Clearhouse database with nothing in it yet: nothing to verify is an error too.
    for db in TestDb::each() {
        drop(db.open(&crate::support::TestClock::default()));
        let out = clearhouse(&db.url(), &["verify"]);
        assert_eq!(out.status.code(), Some(2), "{}", db.name);
        assert!(
            text(&out.stderr).contains(
                "is empty (no ledger journal entry, no audit entry, no house): nothing to verify"
            ),
            "{}: {}",
            db.name,
            text(&out.stderr)
        );
    }

    // PostgreSQL: a database that does not exist, a schema without a Clearhouse database.
    let db = TestDb::postgres();
    let out = clearhouse(&db.url(), &["verify"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("holds no Clearhouse database"),
        "{}",
        text(&out.stderr)
    );
    let out = clearhouse(&db.url(), &["verify"]);
    assert!(
        text(&out.stderr).contains("holds no Clearhouse database"),
        "still none"
    );
    let base = crate::support::postgres_base_url();
    let base = base.split('?').next().unwrap_or_default();
    let (server, _) = base.rsplit_once('/').unwrap();
    let out = clearhouse(&format!("{server}/newcomer_nodb"), &["verify"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("database newcomer_nodb does not exist at "),
        "{}",
        text(&out.stderr)
    );
}
