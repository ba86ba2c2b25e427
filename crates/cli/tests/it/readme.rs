//! The README's examples of the clearing house and of the ledger run as written, each section
//! on a fresh database: every command of their `sh` blocks is run by `sh` with the built
//! `clearhouse` first on the `PATH` and `CLEARHOUSE_DATABASE_URL` set, in a fresh directory.
//!
//! A command exits 0 unless its comment says `exit N`. The only text replaced is the documented
//! placeholder `CASE_ID`: the case id that the last `clearhouse case list` printed first.

use std::path::Path;
use std::process::Output;

use crate::run::text;
use crate::support::TestDb;

const README: &str = include_str!("../../../../README.md");

/// The sections whose examples run, each on a database of its own (the raw ledger commands
/// are not for a database that holds a house).
const SECTIONS: &[&str] = &["## The clearing house", "## Using the ledger by hand"];

/// The placeholder for a case id, and the command that prints it first on its line.
const CASE_ID: &str = "CASE_ID";
const CASE_LIST: &str = "clearhouse case list";

/// One command of an `sh` block: its text (continuation lines included) and its comment.
#[derive(Debug, PartialEq)]
struct Example {
    command: String,
    comment: String,
}

impl Example {
    /// The exit code the comment gives (`exit 1`), else 0.
    fn expected_exit(&self) -> i32 {
        self.comment
            .split_once("exit ")
            .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|code| code.parse().ok())
            .unwrap_or(0)
    }
}

/// The subsection whose examples talk to a running server: they run against `serve --demo`
/// (`the_api_examples_run_against_a_served_demo`), not with the rest of their section.
const API_SECTION: &str = "### The HTTP API (`clearhouse serve`)";
/// The address the API examples are written for.
const API_ADDRESS: &str = "http://127.0.0.1:8080";

/// The body of every ```` ```sh ```` block in the section under `heading` (up to the next
/// heading of its level or above), leaving out [`API_SECTION`] unless it is that section.
fn sh_blocks(heading: &str) -> Vec<String> {
    let start = README
        .lines()
        .position(|l| l == heading)
        .unwrap_or_else(|| panic!("README has no section {heading:?}"));
    let level = heading.split(' ').next().unwrap_or_default().len();
    let mut blocks = Vec::new();
    let mut block: Option<String> = None;
    let mut skipping = false;
    for line in README.lines().skip(start + 1) {
        if block.is_none() && line.starts_with('#') {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            if line[hashes..].starts_with(' ') {
                if hashes <= level {
                    break;
                }
                skipping = line == API_SECTION;
            }
        }
        if skipping {
            continue;
        }
        match (&mut block, line.trim_end()) {
            (None, "```sh") => block = Some(String::new()),
            (Some(_), "```") => blocks.extend(block.take()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(block.is_none(), "{heading}: an sh block does not end");
    blocks
}

/// The commands of an `sh` block as `sh` reads them: a newline ends a command unless it is
/// escaped or inside quotes; `#` at the start of a word begins a comment.
fn examples(block: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut command = String::new();
    let mut comment = String::new();
    let mut quote: Option<char> = None;
    let mut in_comment = false;
    let mut chars = block.chars();
    while let Some(c) = chars.next() {
        if in_comment && c != '\n' {
            comment.push(c);
            continue;
        }
        match (quote, c) {
            (None | Some('"'), '\\') => {
                command.push(c);
                command.extend(chars.next());
            }
            (Some(q), _) if c == q => {
                quote = None;
                command.push(c);
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                command.push(c);
            }
            (None, '#') if command.is_empty() || command.ends_with(char::is_whitespace) => {
                in_comment = true;
            }
            (None, '\n') => {
                in_comment = false;
                if !command.trim().is_empty() {
                    out.push(Example {
                        command: command.trim().to_owned(),
                        comment: comment.trim().to_owned(),
                    });
                }
                command.clear();
                comment.clear();
            }
            _ => command.push(c),
        }
    }
    assert!(
        quote.is_none() && command.trim().is_empty(),
        "a command does not end: {command}"
    );
    out
}

/// Runs every example of `section` on `db`, in a fresh directory, and checks there were at least
/// `commands_min`; returns that directory.
fn run_section(section: &str, db: &TestDb, commands_min: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_clearhouse"), bin.join("clearhouse")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut case_id: Option<String> = None;
    let mut ran = 0;
    for example in sh_blocks(section).iter().flat_map(|b| examples(b)) {
        let mut command = example.command.clone();
        if command.contains(CASE_ID) {
            let id = case_id.as_deref().unwrap_or_else(|| {
                panic!("{section}: {CASE_ID} before any `{CASE_LIST}`: {command}")
            });
            command = command.replace(CASE_ID, id);
        }
        let out = sh(&command, dir.path(), &path, db);
        let expected = example.expected_exit();
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{} {section}: `{command}` (expected exit {expected})\nstdout: {}\nstderr: {}",
            db.name,
            text(&out.stdout),
            text(&out.stderr)
        );
        if command.starts_with(CASE_LIST) {
            case_id = text(&out.stdout)
                .split_whitespace()
                .next()
                .map(str::to_owned);
        }
        ran += 1;
    }
    assert!(ran >= commands_min, "{section}: only {ran} commands found");
    dir
}

/// `sh -c COMMAND` in `dir` with `path` and the database `db`.
fn sh(command: &str, dir: &Path, path: &str, db: &TestDb) -> Output {
    std::process::Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env("PATH", path)
        .env("CLEARHOUSE_DATABASE_URL", db.url())
        .env_remove("CLEARHOUSE_LISTS_DIR")
        .env_remove("CLEARHOUSE_PRICES")
        .env_remove("CLEARHOUSE_USER")
        .output()
        .expect("start sh")
}

fn house_section(db: TestDb) {
    let dir = run_section(SECTIONS[0], &db, 11);
    let cycle = dir.path().join("settlement/cycle-1");
    assert!(
        cycle.join("EU").is_dir(),
        "{}: no {}",
        db.name,
        cycle.display()
    );
    // What the README says the cycle did.
    let out = crate::run::clearhouse()
        .args(["--database-url", &db.url(), "--json", "claim", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut statuses: Vec<(String, String)> = crate::run::json_lines(&out.stdout)
        .iter()
        .map(|l| {
            let data = &l["data"];
            let id = data["submission"]["id"].as_str().unwrap_or_default();
            let status = data["status"].as_str().unwrap_or_default();
            (id.to_owned(), status.to_owned())
        })
        .collect();
    statuses.sort();
    let expected = [
        ("c-1", "partially_cleared"),
        ("c-2", "queued"),
        ("c-3", "cleared"),
        ("c-4", "disputed"),
    ]
    .map(|(c, s)| (c.to_owned(), s.to_owned()));
    assert_eq!(statuses, expected, "{}", db.name);
    enum_values_are_words(&db);
}

/// No JSON output of the house shows a Rust debug form (`Some(…)`, `None`, `CamelCase`) where a
/// snake_case word belongs.
fn enum_values_are_words(db: &TestDb) {
    fn walk(value: &serde_json::Value, at: &str, found: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) if looks_like_debug(s) => found.push(format!("{at}: {s}")),
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{at}[{i}]"), found);
                }
            }
            serde_json::Value::Object(fields) => {
                for (k, v) in fields {
                    if looks_like_debug(k) {
                        found.push(format!("{at}: key {k}"));
                    }
                    walk(v, &format!("{at}.{k}"), found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for args in [
        &["house", "show"][..],
        &["participant", "list"],
        &["participant", "show", "ir-darou"],
        &["claim", "list"],
        &["claim", "show", "c-1"],
        &["claim", "show", "c-2"],
        &["alert", "list"],
        &["case", "list"],
        &["cycle", "list"],
        &["cycle", "show", "1"],
        &["statement", "--participant", "eu-pharma", "--cycle", "1"],
        &["verify"],
    ] {
        let out = crate::run::clearhouse()
            .args(["--database-url", &db.url(), "--json"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        for line in crate::run::json_lines(&out.stdout) {
            walk(&line, &args.join(" "), &mut found);
        }
    }
    assert!(
        found.is_empty(),
        "{}: debug forms in JSON: {found:#?}",
        db.name
    );
}

/// `Some(…)`, `None`, or a `CamelCase` word (`PartiallyCleared`, `NoReference`).
fn looks_like_debug(s: &str) -> bool {
    let camel = s.len() > 2
        && s.chars().all(|c| c.is_ascii_alphanumeric())
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().skip(1).any(|c| c.is_ascii_lowercase())
        && s.chars().skip(1).any(|c| c.is_ascii_uppercase());
    camel || s.contains("Some(") || s.split(|c: char| !c.is_alphanumeric()).any(|w| w == "None")
}

#[test]
fn the_clearing_house_examples_run_as_written_on_sqlite() {
    house_section(TestDb::sqlite());
}

#[test]
fn the_clearing_house_examples_run_as_written_on_postgres() {
    house_section(TestDb::postgres());
}

#[test]
fn the_ledger_examples_run_as_written_on_a_database_of_their_own() {
    for db in [TestDb::sqlite(), TestDb::postgres()] {
        run_section(SECTIONS[1], &db, 4);
    }
}

#[test]
fn debug_forms_are_recognised() {
    for debug in [
        "NoReference",
        "PartiallyCleared",
        "Some((1450000, Some(Pending)))",
        "None",
    ] {
        assert!(looks_like_debug(debug), "{debug}");
    }
    for word in [
        "partially_cleared",
        "EUR",
        "DE89370400440532013000",
        "Rhein Pharma GmbH",
        "No",
    ] {
        assert!(!looks_like_debug(word), "{word}");
    }
}

#[test]
fn commands_are_split_as_sh_splits_them() {
    let block = "a 'x\ny' | b # one\n\nc \\\n  d \"#\" # exit 1: held\n# only a comment\ne#f\n";
    assert_eq!(
        examples(block),
        [
            Example {
                command: "a 'x\ny' | b".into(),
                comment: "one".into()
            },
            Example {
                command: "c \\\n  d \"#\"".into(),
                comment: "exit 1: held".into()
            },
            Example {
                command: "e#f".into(),
                comment: String::new()
            },
        ]
    );
    assert_eq!(examples(block)[1].expected_exit(), 1);
    assert_eq!(examples(block)[0].expected_exit(), 0);
}

/// A `clearhouse serve` child process, killed when dropped.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The README's API examples run as written (with `curl`) against `clearhouse serve --demo` on a
/// port of its own: TOKEN and OFFICER_TOKEN are the tokens it printed for `rhein-pharma` and
/// `a.novak`; each answer is JSON and not an error.
#[test]
fn the_api_examples_run_against_a_served_demo() {
    use std::io::BufRead;
    assert!(
        std::process::Command::new("curl")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "the README's API examples need curl (`.ci/run` installs it)"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut child = crate::run::clearhouse()
        .current_dir(dir.path())
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env_remove("CLEARHOUSE_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start clearhouse serve");
    let stdout = child.stdout.take().expect("its stdout");
    let _served = Served(child);
    let (mut address, mut token, mut officer) = (None, None, None);
    let mut lines = std::io::BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.expect("serve's output");
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(at) = line.strip_prefix("Clearhouse API on ") {
            address = at.split("/api/v1").next().map(str::to_owned);
        }
        match words.as_slice() {
            [_, "rhein-pharma", "Authorization:", "Bearer", t] => token = Some(t.to_string()),
            [_, "a.novak", "Authorization:", "Bearer", t] => officer = Some(t.to_string()),
            _ => {}
        }
        if address.is_some() && token.is_some() && officer.is_some() {
            break;
        }
    }
    let (Some(address), Some(token), Some(officer)) = (address, token, officer) else {
        panic!("serve --demo ended before printing its address and the demo's tokens");
    };
    // The server's output is read to its end: a closed pipe would stop it at its next line.
    std::thread::spawn(move || lines.for_each(drop));
    let mut ran = 0;
    for example in sh_blocks(API_SECTION).iter().flat_map(|b| examples(b)) {
        let command = example.command.replace(API_ADDRESS, &address);
        let out = std::process::Command::new("sh")
            .args(["-c", &command])
            .current_dir(dir.path())
            .env("TOKEN", &token)
            .env("OFFICER_TOKEN", &officer)
            .output()
            .expect("start sh");
        let answer = text(&out.stdout);
        assert!(out.status.success(), "`{command}`: {}", text(&out.stderr));
        let json: serde_json::Value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("`{command}` answered no JSON ({e}): {answer}"));
        assert!(json.get("error").is_none(), "`{command}`: {answer}");
        ran += 1;
    }
    assert!(ran >= 3, "{API_SECTION}: only {ran} commands found");
}
