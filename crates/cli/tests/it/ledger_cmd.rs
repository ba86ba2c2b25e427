//! `clearhouse ledger …` and `clearhouse verify` as a user runs them.

use std::process::Output;

use crate::run::{clearhouse as clearhouse_command, text, with_stdin};
use crate::support::TestDb;

/// Runs `clearhouse --database-url DB ARGS…` with `stdin`.
fn clearhouse(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    with_stdin(
        clearhouse_command()
            .args(["--database-url", &db.url()])
            .args(args),
        stdin,
    )
}

const ACCOUNTS: &str = r#"{"id": 1, "ledger": 978, "code": 10, "flags": ["debits_must_not_exceed_credits"]}
{"id": 2, "ledger": 978, "code": 20}
{"id": 3, "ledger": 840, "code": 20}
"#;

fn with_accounts(db: &TestDb) {
    let out = clearhouse(db, &["ledger", "create-accounts"], ACCOUNTS);
    assert!(out.status.success(), "{}: {}", db.name, text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 accounts submitted, 0 not applied"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn transfers_by_hand_then_balances() {
    for db in TestDb::each() {
        with_accounts(&db);
        let transfers = r#"{"id": 100, "debit_account_id": 2, "credit_account_id": 1, "amount": 5000, "ledger": 978, "code": 1}
{"id": 101, "debit_account_id": 1, "credit_account_id": 2, "amount": 1200, "ledger": 978, "code": 1, "flags": ["pending"], "timeout": 3600}

{"id": 102, "pending_id": 101, "amount": 1000, "flags": ["post_pending"]}
"#;
        let out = clearhouse(&db, &["ledger", "create-transfers", "-"], transfers);
        assert!(out.status.success(), "{}: {}", db.name, text(&out.stderr));
        let out = clearhouse(&db, &["--json", "ledger", "accounts", "1", "2"], "");
        assert!(out.status.success());
        let lines: Vec<serde_json::Value> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["data"]["credits_posted"], 5000, "{}", db.name);
        assert_eq!(lines[0]["data"]["debits_posted"], 1000);
        assert_eq!(
            lines[0]["data"]["debits_pending"], 0,
            "the rest of the pending is released"
        );
        assert_eq!(lines[1]["data"]["credits_posted"], 1000);
        let out = clearhouse(&db, &["ledger", "transfers", "101", "102", "999"], "");
        assert_eq!(out.status.code(), Some(1), "a missing transfer is reported");
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains("posted") && stdout.contains("post_pending"),
            "{stdout}"
        );
        assert!(text(&out.stderr).contains("transfer 999: not found"));
        let out = clearhouse(&db, &["ledger", "account-transfers", "1"], "");
        assert_eq!(
            text(&out.stdout).lines().count(),
            4,
            "header and three transfers"
        );
        let out = clearhouse(&db, &["verify"], "");
        assert!(out.status.success(), "{}: {}", db.name, text(&out.stdout));
        assert!(text(&out.stdout).starts_with("ok: 2 journal entries, 3 accounts, 3 transfers"));
    }
}

#[test]
fn a_malformed_line_is_named_and_what_came_before_is_kept() {
    let db = TestDb::sqlite();
    with_accounts(&db);
    let transfers = r#"{"id": 1, "debit_account_id": 2, "credit_account_id": 1, "amount": 10, "ledger": 978, "code": 1}
{"id": 2, "debit_account_id": 2, "credit_account_id": 1, "amount": 10, "ledger": 978, "code": 1, "flags": ["linked"]}
{"id": 3, "debit_account_id": 2, "credit_account_id": 1, "amout": 10, "ledger": 978, "code": 1}
{"id": 4, "debit_account_id": 2, "credit_account_id": 1, "amount": 10, "ledger": 978, "code": 1}
"#;
    let out = clearhouse(&db, &["ledger", "create-transfers"], transfers);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("line 3:") && stderr.contains("amout"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the 1 transfers before it were submitted"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the 1 of its unfinished linked chain were not"),
        "{stderr}"
    );
    let out = clearhouse(&db, &["--json", "ledger", "transfers", "1", "2", "4"], "");
    let found: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(found[0]["data"]["transfer"]["id"], 1);
    assert_eq!(found.iter().filter(|v| v["type"] == "not_found").count(), 2);
}

#[test]
fn rejected_events_get_their_result_code() {
    let db = TestDb::sqlite();
    with_accounts(&db);
    let transfers = r#"{"id": 1, "debit_account_id": 9, "credit_account_id": 1, "amount": 10, "ledger": 978, "code": 1}
{"id": 2, "debit_account_id": 2, "credit_account_id": 3, "amount": 10, "ledger": 978, "code": 1}
{"id": 3, "debit_account_id": 2, "credit_account_id": 1, "amount": 10, "ledger": 978, "code": 1, "flags": ["linked"]}
{"id": 4, "debit_account_id": 1, "credit_account_id": 2, "amount": 11, "ledger": 978, "code": 1}
{"id": 5, "debit_account_id": 1, "credit_account_id": 1, "amount": 1, "ledger": 978, "code": 1}
"#;
    let out = clearhouse(&db, &["ledger", "create-transfers"], transfers);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    for expected in [
        "line 1: transfer 1: debit_account_not_found",
        "line 2: transfer 2: accounts_must_have_the_same_ledger",
        "line 3: transfer 3: linked_event_failed",
        "line 4: transfer 4: exceeds_credits",
        "line 5: transfer 5: accounts_must_differ",
        "5 transfers submitted, 5 not applied",
    ] {
        assert!(stdout.contains(expected), "{expected:?} not in {stdout}");
    }
    let out = clearhouse(
        &db,
        &["--json", "ledger", "create-transfers"],
        &transfers
            .lines()
            .nth(2)
            .unwrap()
            .replace(r#", "flags": ["linked"]"#, ""),
    );
    let v: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(
        v["data"]["result"], "ok",
        "the chain's first transfer alone is fine"
    );
}

#[test]
fn verify_fails_with_exit_1_naming_the_problem() {
    for db in TestDb::each() {
        with_accounts(&db);
        let t = r#"{"id": 1, "debit_account_id": 2, "credit_account_id": 1, "amount": 10, "ledger": 978, "code": 1}"#;
        assert!(
            clearhouse(&db, &["ledger", "create-transfers"], t)
                .status
                .success()
        );
        db.execute("UPDATE accounts SET debits_posted = 11 WHERE id = 2");
        let out = clearhouse(&db, &["--json", "verify"], "");
        assert_eq!(out.status.code(), Some(1), "{}", db.name);
        let v: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
        assert_eq!(v["data"]["ok"], false);
        let problems = v["data"]["problems"].to_string();
        assert!(
            problems.contains("account 2: debits_posted is 11 but its transfers sum to 10"),
            "{problems}"
        );
    }
}

#[test]
fn an_unreachable_database_is_an_error() {
    let out = clearhouse_command()
        .args([
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
            "verify",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("opening postgres://nobody@127.0.0.1:1/none"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_benchmark_reports_throughput_and_latency() {
    let db = TestDb::sqlite();
    let out = clearhouse(
        &db,
        &[
            "--json",
            "benchmark",
            "ledger",
            "--transfers",
            "5000",
            "--accounts",
            "100",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert!(v["data"]["transfers_per_second"].as_f64().unwrap() > 0.0);
    assert!(
        v["data"]["batch_latency_ms"]["p99"].as_f64().unwrap()
            >= v["data"]["batch_latency_ms"]["p50"].as_f64().unwrap()
    );
    assert_eq!(v["data"]["rejected"], 0);
    assert!(clearhouse(&db, &["verify"], "").status.success());
}

#[test]
fn unreadable_or_oversized_lines_are_named() {
    let db = TestDb::sqlite();
    with_accounts(&db);
    let long = format!(
        "{{\"id\": 1, \"code\": 1, \"pad\": \"{}\"}}\n",
        "x".repeat(70_000)
    );
    let out = clearhouse(&db, &["ledger", "create-accounts"], &long);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 1: longer than 65536 bytes"),
        "{}",
        text(&out.stderr)
    );

    let mut bytes = b"{\"id\": 5, \"ledger\": 978, \"code\": 1}\n".to_vec();
    bytes.extend_from_slice(b"{\"id\": 6, \"ledger\": \xff}\n");
    let out = with_stdin(
        clearhouse_command().args(["--database-url", &db.url(), "ledger", "create-accounts"]),
        &bytes,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("line 2: cannot be read") && stderr.contains("the 1 accounts before it"),
        "{stderr}"
    );
    let out = clearhouse(&db, &["ledger", "accounts", "5"], "");
    assert!(out.status.success(), "account 5 from line 1 is kept");
}

#[test]
fn benchmark_arguments_out_of_range_are_named() {
    let db = TestDb::sqlite();
    for (args, named) in [
        (["--batch", "0"], "--batch 0"),
        (["--batch", "8191"], "--batch 8191"),
        (["--accounts", "1"], "--accounts 1"),
        (["--clients", "0"], "--clients 0"),
    ] {
        let out = clearhouse(&db, &[&["benchmark", "ledger"][..], &args[..]].concat(), "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(named),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn raw_ledger_commands_refuse_a_database_that_holds_a_house() {
    for db in TestDb::each() {
        let out = clearhouse(&db, &["house", "init"], "");
        assert!(out.status.success(), "{}: {}", db.name, text(&out.stderr));
        for (command, input) in [
            ("create-accounts", ACCOUNTS),
            (
                "create-transfers",
                r#"{"id": 100, "debit_account_id": 2, "credit_account_id": 1, "amount": 5000, "ledger": 978, "code": 1}"#,
            ),
        ] {
            let out = clearhouse(&db, &["ledger", command], input);
            assert_eq!(out.status.code(), Some(2), "{}: {command}", db.name);
            assert!(
                text(&out.stderr).contains("holds a clearing house"),
                "{}: {}",
                db.name,
                text(&out.stderr)
            );
        }
        let out = clearhouse(&db, &["verify"], "");
        assert!(out.status.success(), "{}: {}", db.name, text(&out.stdout));
    }
}
