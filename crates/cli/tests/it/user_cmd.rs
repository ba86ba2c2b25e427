//! `clearhouse user …` and `--as`, as an operator runs them, on SQLite and PostgreSQL: tokens
//! printed once, roles checked by the house, pages of users, revoked users refused.

use std::process::Output;

use serde_json::Value;

use crate::run::{clearhouse, json_lines, text};
use crate::support::TestDb;

/// `clearhouse --database-url DB ARGS…` in `dir`, checked for its exit code.
fn run(db: &TestDb, dir: &std::path::Path, code: i32, args: &[&str]) -> Output {
    let out = clearhouse()
        .current_dir(dir)
        .args(["--database-url", &db.url()])
        .args(args)
        .output()
        .expect("start clearhouse");
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}: clearhouse {}\nstdout: {}\nstderr: {}",
        db.name,
        args.join(" "),
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// Runs a command that must fail with exit 2 and say every one of `needles` on stderr.
fn fails(db: &TestDb, dir: &std::path::Path, args: &[&str], needles: &[&str]) {
    let out = run(db, dir, 2, args);
    let stderr = text(&out.stderr);
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: {needle:?} not in {stderr}"
        );
    }
}

/// The `data` of every JSON line of type `kind`.
fn data(out: &Output, kind: &str) -> Vec<Value> {
    json_lines(&out.stdout)
        .into_iter()
        .filter(|l| l["type"] == kind)
        .map(|l| l["data"].clone())
        .collect()
}

fn names(users: &[Value]) -> Vec<&str> {
    users.iter().filter_map(|u| u["name"].as_str()).collect()
}

#[test]
fn users_are_added_listed_given_tokens_and_revoked() {
    for db in TestDb::each() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let out = run(&db, dir, 0, &["house", "init"]);
        assert!(
            text(&out.stdout)
                .contains("users: operator operator, officers a.novak, b.laurent, c.weber"),
            "{}",
            text(&out.stdout)
        );
        let all = data(&run(&db, dir, 0, &["--json", "user", "list"]), "user");
        assert_eq!(names(&all), ["a.novak", "b.laurent", "c.weber", "operator"]);
        assert_eq!(all[2]["role"], "supervisor");

        // Refused, naming the field or the rule.
        fails(
            &db,
            dir,
            &["user", "add", "x", "--role", "root"],
            &["field \"role\"", "\"root\""],
        );
        fails(
            &db,
            dir,
            &["user", "add", "erp", "--role", "participant"],
            &["field \"participant\""],
        );
        fails(
            &db,
            dir,
            &[
                "user",
                "add",
                "erp",
                "--role",
                "participant",
                "--participant",
                "nobody",
            ],
            &["field \"participant\"", "no participant \"nobody\""],
        );
        fails(
            &db,
            dir,
            &["--as", "a.novak", "user", "add", "x", "--role", "auditor"],
            &["needs the role operator"],
        );
        fails(
            &db,
            dir,
            &["user", "add", "x", "--role", "auditor", "--as", "nobody"],
            &["--as \"nobody\"", "no user nobody"],
        );
        fails(
            &db,
            dir,
            &["user", "add", "a.novak", "--role", "officer"],
            &["exists already"],
        );

        // Added: its token printed once, in the JSON line.
        let added = data(
            &run(
                &db,
                dir,
                0,
                &["--json", "user", "add", "aud-1", "--role", "auditor"],
            ),
            "user",
        );
        let first = added[0]["token"].as_str().unwrap().to_owned();
        assert!(first.starts_with("chk_") && first.len() == 68, "{first}");
        assert_eq!(added[0]["created_by"], "operator (local)");
        assert_eq!(
            added[0]["token_id"].as_str().map(|t| t.starts_with("tok-")),
            Some(true)
        );
        // As text, the token is on a line of its own.
        let out = run(
            &db,
            dir,
            0,
            &[
                "--actor", "operator", "user", "add", "ops-2", "--role", "operator",
            ],
        );
        let shown = text(&out.stdout);
        assert!(shown.contains("shown once"), "{shown}");
        assert!(
            shown
                .lines()
                .any(|l| l.starts_with("chk_") && l.len() == 68),
            "{shown}"
        );

        // A new token replaces the old one; the user itself may ask for it.
        let rotated = data(
            &run(
                &db,
                dir,
                0,
                &["--json", "--as", "aud-1", "user", "token", "aud-1"],
            ),
            "user",
        );
        let second = rotated[0]["token"].as_str().unwrap();
        assert_ne!(second, first);
        assert_ne!(rotated[0]["token_id"], added[0]["token_id"]);
        let listed = data(&run(&db, dir, 0, &["--json", "user", "list"]), "user");
        assert!(
            listed.iter().all(|u| u.get("token").is_none()),
            "{listed:?}"
        );
        assert!(!text(&run(&db, dir, 0, &["user", "list"]).stdout).contains(second));

        // Pages.
        let out = run(&db, dir, 0, &["user", "list", "--limit", "2"]);
        assert!(
            text(&out.stdout).contains("… more: --after b.laurent"),
            "{}",
            text(&out.stdout)
        );
        let out = run(
            &db,
            dir,
            0,
            &[
                "--json",
                "user",
                "list",
                "--after",
                "b.laurent",
                "--limit",
                "2",
            ],
        );
        assert_eq!(names(&data(&out, "user")), ["c.weber", "operator"]);
        assert_eq!(data(&out, "next")[0]["after"], "operator");
        let out = run(
            &db,
            dir,
            0,
            &["--json", "user", "list", "--after", "aud-1", "--limit", "2"],
        );
        assert_eq!(names(&data(&out, "user")), ["ops-2"]);
        assert!(data(&out, "next").is_empty());
        fails(&db, dir, &["user", "list", "--limit", "0"], &["--limit 0"]);
        fails(
            &db,
            dir,
            &["user", "list", "--after", "nobody"],
            &["field \"after\""],
        );

        // Revoked: it can no longer act.
        let revoked = data(
            &run(&db, dir, 0, &["--json", "user", "revoke", "aud-1"]),
            "user",
        );
        assert_eq!(revoked[0]["status"], "revoked");
        assert_eq!(revoked[0]["revoked_by"], "operator (local)");
        fails(
            &db,
            dir,
            &["--as", "aud-1", "user", "token", "aud-1"],
            &["revoked"],
        );
        fails(&db, dir, &["user", "revoke", "aud-1"], &["revoked"]);
        let out = run(&db, dir, 0, &["--json", "verify"]);
        let verified = &json_lines(&out.stdout)[0]["data"]["house"];
        assert_eq!(verified["users"], 6, "{verified}");
    }
}

#[test]
fn as_names_an_active_user_for_every_command_that_changes_the_house() {
    let db = TestDb::sqlite();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // `house init --as` makes that user the operator.
    run(&db, dir, 0, &["--as", "ops", "house", "init"]);
    let all = data(&run(&db, dir, 0, &["--json", "user", "list"]), "user");
    assert_eq!(names(&all), ["a.novak", "b.laurent", "c.weber", "ops"]);
    // The default user `operator` is not one of this house's: changes are refused, reads not.
    fails(
        &db,
        dir,
        &["settlement", "deadline"],
        &["--as \"operator\"", "no user operator"],
    );
    run(&db, dir, 0, &["cycle", "list"]);
    let out = run(&db, dir, 0, &["--as", "ops", "settlement", "deadline"]);
    assert!(text(&out.stdout).contains("no payer is past its deadline"));
    // A revoked user no longer acts from the command line either.
    run(
        &db,
        dir,
        0,
        &["--as", "ops", "user", "add", "ops-2", "--role", "operator"],
    );
    run(&db, dir, 0, &["--as", "ops-2", "user", "revoke", "ops"]);
    fails(
        &db,
        dir,
        &["--as", "ops", "settlement", "deadline"],
        &["revoked"],
    );
    // An officer cannot be the house's operator at init.
    let other = TestDb::sqlite();
    fails(
        &other,
        dir,
        &["--as", "a.novak", "house", "init"],
        &["field \"actor\""],
    );
}
