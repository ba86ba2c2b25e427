//! The clearing house commands (`house`, `participant`, `claim`, `alert`, `case`, `cycle`,
//! `statement`, `verify`) and `clearhouse demo`, as a user runs them, on SQLite and PostgreSQL.
//!
//! Commands that screen names (`participant add`, `claim submit`, `demo`) load the bundled
//! lists, about a second each in a debug build: the sessions below use few of them.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::run::{clearhouse as clearhouse_command, json_lines, text};
use crate::support::TestDb;

/// A database and a working directory (lists, settlement files and input files go there).
struct Session {
    db: TestDb,
    dir: tempfile::TempDir,
}

impl Session {
    fn new(db: TestDb) -> Session {
        Session {
            db,
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `contents` to `name` in the working directory and returns its path.
    fn file(&self, name: &str, contents: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }

    /// `clearhouse --database-url DB ARGS…` in the working directory.
    fn run(&self, args: &[&str]) -> Output {
        clearhouse_command()
            .current_dir(self.dir.path())
            .args(["--database-url", &self.db.url()])
            .args(args)
            .output()
            .expect("start clearhouse")
    }

    /// Runs and checks the exit code.
    fn expect(&self, code: i32, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}: clearhouse {}\nstdout: {}\nstderr: {}",
            self.db.name,
            args.join(" "),
            text(&out.stdout),
            text(&out.stderr)
        );
        out
    }

    /// Runs with `--json`, checks the exit code, and returns the `data` of every line, each
    /// line of type `kind`.
    fn json(&self, code: i32, kind: &str, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.expect(code, &all);
        json_lines(&out.stdout)
            .into_iter()
            .map(|line| {
                assert_eq!(line["type"], kind, "{}: {line}", self.db.name);
                line["data"].clone()
            })
            .collect()
    }

    /// Runs with `--json` and returns the `data` of its one line.
    fn one(&self, code: i32, kind: &str, args: &[&str]) -> Value {
        let mut lines = self.json(code, kind, args);
        assert_eq!(
            lines.len(),
            1,
            "{}: {args:?} printed {lines:?}",
            self.db.name
        );
        lines.remove(0)
    }

    /// Runs a command that must fail with exit 2, print nothing on stdout, and say every one
    /// of `needles` on stderr.
    fn fails(&self, args: &[&str], needles: &[&str]) {
        let out = self.expect(2, args);
        let stderr = text(&out.stderr);
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{}: clearhouse {}: {needle:?} not in {stderr}",
                self.db.name,
                args.join(" ")
            );
        }
        assert!(
            out.stdout.is_empty(),
            "{}: {args:?} printed {}",
            self.db.name,
            text(&out.stdout)
        );
    }

    /// What `verify` sees: ledger head and counts, house counts and audit entries. Any write
    /// changes it.
    fn fingerprint(&self) -> Value {
        self.one(0, "verify", &["verify"])
    }

    /// Everything the house lists, and the fingerprint.
    fn snapshot(&self) -> Vec<Vec<Value>> {
        let mut all: Vec<Vec<Value>> = [
            ("participant", ["participant", "list"]),
            ("claim", ["claim", "list"]),
            ("alert", ["alert", "list"]),
            ("case", ["case", "list"]),
            ("cycle", ["cycle", "list"]),
        ]
        .iter()
        .map(|(kind, args)| self.json(0, kind, args))
        .collect();
        all.push(vec![self.fingerprint()]);
        all
    }
}

/// `args` with `flag`'s value replaced, or the flag and its value removed (`None`).
fn edit<'a>(args: &[&'a str], flag: &str, value: Option<&'a str>) -> Vec<&'a str> {
    let at = args
        .iter()
        .position(|a| *a == flag)
        .unwrap_or_else(|| panic!("{flag} not in {args:?}"));
    let mut out = args.to_vec();
    match value {
        Some(v) => out[at + 1] = v,
        None => {
            out.drain(at..at + 2);
        }
    }
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const ADD_EU_PHARMA: &[&str] = &[
    "participant",
    "add",
    "--id",
    "eu-pharma",
    "--legal-name",
    "Rhein Pharma GmbH",
    "--registration-number",
    "HRB 48213",
    "--country",
    "DE",
    "--zone",
    "EU",
    "--iban",
    "DE89370400440532013000",
    "--bic",
    "COBADEFFXXX",
    "--owner",
    "Katrin Vogel;1968-04-12;DE",
    "--director",
    "Markus Brandt;1971-09-30;DE",
];

/// An Iranian firm whose director is a listed person.
const ADD_IR_PARS: &[&str] = &[
    "participant",
    "add",
    "--id",
    "ir-pars",
    "--legal-name",
    "Pars Tejarat Machinery Co.",
    "--registration-number",
    "Isfahan 66120",
    "--country",
    "IR",
    "--zone",
    "IR",
    "--iban",
    "IR550160000000500788800006",
    "--bic",
    "KESHIRTH",
    "--owner",
    "Javad Mousavi;1970-01-20;IR",
    "--director",
    "Qassem Soleimani",
];

const IR_DAROU_JSON: &str = r#"{
  "id": "ir-darou",
  "legal_name": "Darou Pakhsh Distribution Co.",
  "registration_number": "Tehran 118822",
  "country": "IR",
  "zone": "IR",
  "iban": "IR970170000000100324200002",
  "bic": "MELIIRTH",
  "beneficial_owners": [{"name": "Reza Karimi", "birth_date": "1972-07-19", "nationalities": ["IR"]}],
  "directors": [{"name": "Maryam Ahmadi", "birth_date": "1979-10-01", "nationalities": ["IR"]}]
}"#;

const SUBMIT_MEDICINES: &[&str] = &[
    "claim",
    "submit",
    "--idempotency-key",
    "k-med-1",
    "--id",
    "c-med",
    "--creditor",
    "eu-pharma",
    "--debtor",
    "ir-darou",
    "--invoice-number",
    "INV-2026-0117",
    "--amount",
    "EUR 8400.00",
    "--due-date",
    "2027-01-31",
    "--incoterms",
    "CIP",
    "--counterparty",
    "Darou Pakhsh Distribution Co.",
    "--counterparty-country",
    "IR",
    "--line",
    "3004.90;Paracetamol tablets;1200 KGM;EUR 8400.00",
];

/// Pistachios from Iran, invoiced in rials: 2,400,000,000 IRR is EUR 5000.00 at the agreed rate.
const PISTACHIOS_JSON: &str = r#"{
  "idempotency_key": "k-pist-1",
  "id": "c-pist",
  "creditor": "ir-darou",
  "debtor": "eu-pharma",
  "invoice_number": "DP-1405-220",
  "amount": {"amount": "2400000000.00", "currency": "IRR"},
  "due_date": "2027-03-31",
  "incoterms": "FOB",
  "invoice_counterparty": {"name": "Rhein Pharma GmbH", "country": "DE"},
  "goods_lines": [
    {"hs_code": "0802.51", "description": "Pistachios in shell, dried",
     "quantity": {"value": "1000", "unit": "KGM"},
     "value": {"amount": "2400000000.00", "currency": "IRR"}}
  ]
}"#;

// ---------------------------------------------------------------------------------------------
// clearhouse demo

/// What the demo must tell, whatever its database.
fn check_demo_story(story: &str, backend: &str) {
    for expected in [
        "verify: ok",
        "payments across a border: 0",
        "a.novak proposes to release",
        "awaiting a second officer = true",
        "a.novak tries to confirm her own release: refused",
        "four eyes",
        "b.laurent agrees",
        "claim c-bearings is queued",
        "The debtor accepts its claims",
        "ir-medequip accepts c-bearings: held (accepted in advance",
        "eu-pharma disputes c-gum (Only 500 kg of the 800 kg invoiced arrived in Hamburg): disputed",
        "1 disputed",
        "Payment requests (pain.013 and CSV)",
        "nothing is paid yet",
        ": short",
        ": unknown_reference",
        "imported before: nothing changed",
        "matched to eu-agri's pay-in",
        "matches no request: refunded",
        "unwound ir-medequip",
        "no longer needed: refunded",
        "Cycle 1 is settled",
        "pay-outs confirmed",
        "statements written",
    ] {
        assert!(
            story.contains(expected),
            "{backend}: {expected:?} not in the demo's story:\n{story}"
        );
    }
    assert!(
        story
            .lines()
            .any(|l| l.trim_start().starts_with("c-bearings") && l.contains(" held ")),
        "{backend}: no held c-bearings claim in\n{story}"
    );
    assert!(
        !story.contains("FAILED") && !story.contains("verify problem"),
        "{backend}: {story}"
    );
}

/// The demo's files: the cycle's requests, pay-outs and statements, the banks' camt.054 and
/// pain.002, the refunds; every XML file valid against its ISO 20022 schema, every CSV with
/// its header.
fn check_demo_files(dir: &Path, story: &str, backend: &str) {
    let cycle_dir = dir.join("settlement").join("cycle-1");
    for zone in ["EU", "IR"] {
        for file in [
            format!("{zone}/requests-{zone}.pain013.xml"),
            format!("{zone}/requests-{zone}.csv"),
            format!("{zone}/house-account-cycle-1-{zone}.camt053.xml"),
        ] {
            assert!(
                cycle_dir.join(&file).is_file(),
                "{backend}: no {file}\n{story}"
            );
        }
        let payouts = std::fs::read_dir(cycle_dir.join(zone))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".pain001.xml")
            })
            .count();
        assert!(payouts >= 1, "{backend}: no pay-out file in zone {zone}");
    }
    let mut xml = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xml") {
                crate::run::assert_schema_valid(&path);
                xml += 1;
            } else if path.to_string_lossy().contains("statement-")
                && path.extension().is_some_and(|e| e == "csv")
            {
                let body = std::fs::read_to_string(&path).unwrap();
                assert!(
                    body.starts_with("booked_at,reference,direction,amount"),
                    "{backend}: {}",
                    path.display()
                );
            }
        }
    }
    assert!(
        xml >= 12,
        "{backend}: only {xml} XML files in {}",
        dir.display()
    );
}

#[test]
fn demo_on_a_fresh_sqlite_file_then_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let run = |args: &[&str]| {
        clearhouse_command()
            .current_dir(tmp.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["demo", "--dir", s(&dir)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let story = text(&out.stdout);
    assert!(
        story.starts_with(&format!(
            "Clearhouse demo on sqlite://{}",
            dir.join("demo.db").display()
        )),
        "{story}"
    );
    check_demo_story(&story, "sqlite");
    check_demo_files(&dir, &story, "sqlite");
    assert!(dir.join("reference-prices.csv").exists());

    let db = format!("sqlite://{}", dir.join("demo.db").display());
    let out = run(&["--database-url", &db, "verify"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let verified = text(&out.stdout);
    assert!(verified.starts_with("ok: "), "{verified}");
    assert!(
        verified.contains("house: 11 participants, 11 claims, 1 cycles checked")
            && verified.contains("intact: true"),
        "{verified}"
    );

    // A SQLite file inside --dir goes with the directory: a second demo starts afresh.
    let out = run(&["--database-url", &db, "demo", "--dir", s(&dir)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    check_demo_story(&text(&out.stdout), "sqlite again");
}

#[test]
fn demo_on_postgres_as_json_lines_then_refused_on_a_house() {
    let db = TestDb::postgres();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let run = |args: &[&str]| {
        clearhouse_command()
            .current_dir(tmp.path())
            .args(["--database-url", &db.url()])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--json", "demo", "--dir", s(&dir)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = json_lines(&out.stdout);
    assert!(lines.len() > 20, "{lines:?}");
    let story: Vec<&str> = lines
        .iter()
        .map(|l| {
            assert_eq!(l["type"], "demo", "{l}");
            l["data"].as_str().unwrap_or_else(|| panic!("{l}"))
        })
        .collect();
    let story = story.join("\n");
    assert!(
        story.starts_with("Clearhouse demo on postgres://"),
        "{story}"
    );
    check_demo_story(&story, "postgres");
    check_demo_files(&dir, &story, "postgres");
    assert!(
        !dir.join("demo.db").exists(),
        "no SQLite file with --database-url"
    );

    let out = run(&["--json", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let verified = &json_lines(&out.stdout)[0]["data"];
    assert_eq!(verified["ok"], true);
    assert_eq!(verified["house"]["problems"], serde_json::json!([]));

    // The schema holds a house now: refused, and the first run's files are kept.
    let out = run(&["demo", "--dir", s(&dir)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("holds a clearing house already")
            && stderr.contains("the demo needs an empty database"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(
        dir.join("settlement/cycle-1/EU/requests-EU.pain013.xml")
            .exists(),
        "a refused demo deleted the files of the run that filled the database"
    );
}

// ---------------------------------------------------------------------------------------------
// A scripted session

#[test]
fn a_session_by_flags_and_files_on_sqlite() {
    session(Session::new(TestDb::sqlite()));
}

#[test]
fn a_session_by_flags_and_files_on_postgres() {
    session(Session::new(TestDb::postgres()));
}

fn session(h: Session) {
    let name = h.db.name;
    let out = h.expect(0, &["house", "init"]);
    assert!(
        text(&out.stdout).contains("set up: 2 zones, clearing in EUR"),
        "{name}: {}",
        text(&out.stdout)
    );
    let config = h.one(0, "house", &["house", "show"]);
    assert_eq!(config["clearing_currency"], "EUR");
    let officers: Vec<&str> = config["officers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(officers, ["a.novak", "b.laurent", "c.weber"], "{name}");

    // Onboarding: by flags, with a listed director, and from a JSON file.
    let out = h.expect(0, ADD_EU_PHARMA);
    let added = text(&out.stdout);
    assert!(
        added.starts_with("eu-pharma (Rhein Pharma GmbH): active — zone EU, DE, lists bundled"),
        "{name}: {added}"
    );
    let mut args = vec!["--json"];
    args.extend_from_slice(ADD_IR_PARS);
    let out = h.expect(1, &args);
    let pending = &json_lines(&out.stdout)[0]["data"];
    assert_eq!(pending["status"], "pending_review", "{name}");
    let director = pending["screening"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "director")
        .unwrap();
    assert!(
        director["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|hit| hit["caption"] == "QASEM SOLEIMANI"),
        "{name}: {director}"
    );
    let pending_alerts = pending["open_alerts"].as_array().unwrap().len();
    assert!(pending_alerts >= 1, "{name}: {pending}");
    let p_json = h.file("ir-darou.json", IR_DAROU_JSON);
    let darou = h.one(0, "participant", &["participant", "add", "--file", &p_json]);
    assert_eq!(darou["status"], "active", "{name}: {darou}");
    assert_eq!(darou["participant"]["zone"], "IR");
    assert_eq!(darou["registration_number"], "Tehran 118822");

    let listed = h.json(0, "participant", &["participant", "list"]);
    let ids: Vec<&str> = listed
        .iter()
        .map(|p| p["participant"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["eu-pharma", "ir-pars", "ir-darou"], "{name}");
    let statuses: Vec<&str> = listed
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["active", "pending_review", "active"], "{name}");
    let pending_only = h.json(
        0,
        "participant",
        &["participant", "list", "--status", "pending_review"],
    );
    assert_eq!(pending_only.len(), 1);
    assert_eq!(pending_only[0]["participant"]["id"], "ir-pars");
    let out = h.expect(0, &["participant", "show", "ir-pars"]);
    let shown = text(&out.stdout);
    assert!(
        shown.contains("pending_review") && shown.contains("hit: director \"Qassem Soleimani\""),
        "{name}: {shown}"
    );

    // Claims: passed (awaiting the debtor), replayed, a conflicting key, held, and from a JSON
    // file.
    let out = h.expect(0, SUBMIT_MEDICINES);
    let submitted = text(&out.stdout);
    assert!(
        submitted.starts_with(
            "claim c-med awaiting_acceptance: ir-darou owes eu-pharma EUR 8400.00 (priority 0, humanitarian)"
        ),
        "{name}: {submitted}"
    );
    let first = h.one(0, "claim", &["claim", "show", "c-med"]);
    let mut args = vec!["--json"];
    args.extend_from_slice(SUBMIT_MEDICINES);
    let out = h.expect(0, &args);
    let again = &json_lines(&out.stdout)[0]["data"];
    assert_eq!(again["replayed"], true, "{name}: {again}");
    assert_eq!(again["claim"], first, "{name}: the first answer again");
    let other_amount = edit(SUBMIT_MEDICINES, "--amount", Some("EUR 8500.00"));
    let other_amount = edit(
        &other_amount,
        "--line",
        Some("3004.90;Paracetamol tablets;1200 KGM;EUR 8500.00"),
    );
    h.fails(
        &other_amount,
        &["idempotency key \"k-med-1\"", "another request"],
    );

    let bearings = edit(SUBMIT_MEDICINES, "--idempotency-key", Some("k-bear-1"));
    let bearings = edit(&bearings, "--id", Some("c-bearings"));
    let bearings = edit(&bearings, "--amount", Some("EUR 3000.00"));
    let bearings = edit(&bearings, "--invoice-number", Some("INV-2026-0240"));
    let bearings = edit(&bearings, "--incoterms", Some("DAP"));
    let bearings = edit(
        &bearings,
        "--line",
        Some("8482.10;Ball bearings;100 NAR;EUR 3000.00"),
    );
    let mut args = vec!["--json"];
    args.extend_from_slice(&bearings);
    // A FollowTheMoney schema name for the counterparty's kind, kept as ours.
    args.extend(["--counterparty-kind", "Company"]);
    let out = h.expect(1, &args);
    let held = &json_lines(&out.stdout)[0]["data"]["claim"];
    assert_eq!(held["status"], "held", "{name}: {held}");
    assert_eq!(
        held["submission"]["invoice_counterparty"]["kind"], "organization",
        "{name}: {held}"
    );
    assert_eq!(held["priority"], 1);
    let case = held["case"].as_str().unwrap().to_owned();
    assert!(
        held["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["step"] == "goods"
                && c["outcome"] == "hold"
                && c["findings"]
                    .to_string()
                    .contains("Common High Priority List")),
        "{name}: {held}"
    );

    let c_json = h.file("c-pist.json", PISTACHIOS_JSON);
    let pist = h.one(0, "claim", &["claim", "submit", "--file", &c_json]);
    assert_eq!(pist["replayed"], false);
    assert_eq!(
        pist["claim"]["status"], "awaiting_acceptance",
        "{name}: {pist}"
    );
    assert_eq!(pist["claim"]["clearing_amount_minor"], 500_000);
    assert_eq!(pist["claim"]["creditor_zone"], "IR");

    let claims = h.json(0, "claim", &["claim", "list"]);
    let listed: Vec<(&str, &str)> = claims
        .iter()
        .map(|c| {
            (
                c["submission"]["id"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("c-med", "awaiting_acceptance"),
            ("c-bearings", "held"),
            ("c-pist", "awaiting_acceptance")
        ],
        "{name}"
    );
    lifecycle(&h);
    let held_only = h.json(0, "claim", &["claim", "list", "--status", "held"]);
    assert_eq!(held_only.len(), 1);
    let out = h.expect(0, &["claim", "show", "c-bearings"]);
    let shown = text(&out.stdout);
    assert!(
        shown.contains("claim c-bearings held") && shown.contains(&format!("case {case}")),
        "{name}: {shown}"
    );

    // Alerts and cases.
    let alerts = h.json(0, "alert", &["alert", "list"]);
    assert_eq!(alerts.len(), pending_alerts + 2, "{name}: {alerts:?}");
    assert!(alerts.iter().all(|a| a["status"] == "open"));
    let on_bearings: Vec<&Value> = alerts
        .iter()
        .filter(|a| a["subject"] == "claim:c-bearings")
        .collect();
    assert_eq!(on_bearings.len(), 2, "{name}: {alerts:?}");
    assert!(on_bearings.iter().all(|a| a["case"] == case.as_str()));
    assert!(on_bearings.iter().any(|a| a["code"] == "chpl"), "{name}");
    let cases = h.json(0, "case", &["case", "list"]);
    assert_eq!(cases.len(), 2, "{name}: {cases:?}");
    let pars_case = cases
        .iter()
        .find(|c| c["subject"] == "participant:ir-pars")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = h.one(0, "case", &["case", "show", &case]);
    assert_eq!(shown["case"]["status"], "open");
    assert_eq!(shown["alerts"].as_array().unwrap().len(), 2);
    assert!(
        shown["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "case.opened"),
        "{name}: {shown}"
    );
    let out = h.expect(0, &["case", "show", &case]);
    assert!(
        text(&out.stdout).starts_with(&format!("case {case} open on claim:c-bearings")),
        "{name}: {}",
        text(&out.stdout)
    );

    // Four eyes.
    let out = h.expect(
        0,
        &[
            "case",
            "decide",
            &case,
            "--as",
            "a.novak",
            "--release",
            "--reason",
            "End-use certificate: bearings for MRI chiller pumps",
        ],
    );
    assert!(
        text(&out.stdout).contains("a second, different officer must agree"),
        "{name}: {}",
        text(&out.stdout)
    );
    let awaiting = h.json(0, "case", &["case", "list", "--status", "awaiting_second"]);
    assert_eq!(awaiting.len(), 1);
    assert_eq!(awaiting[0]["id"], case.as_str());
    h.fails(
        &[
            "case",
            "decide",
            &case,
            "--as",
            "a.novak",
            "--release",
            "--reason",
            "me again",
        ],
        &["four eyes", "a.novak"],
    );
    h.fails(
        &[
            "case",
            "reassign",
            &pars_case,
            "--as",
            "a.novak",
            "--to",
            "b.laurent",
            "--reason",
            "workload",
        ],
        &[
            "\"a.novak\" has the role officer",
            "needs the role supervisor",
        ],
    );
    let reassigned = h.one(
        0,
        "case",
        &[
            "case",
            "reassign",
            &pars_case,
            "--as",
            "c.weber",
            "--to",
            "b.laurent",
            "--reason",
            "b.laurent handles UN listings",
        ],
    );
    assert_eq!(reassigned["assignee"], "b.laurent");
    assert_eq!(reassigned["status"], "open");
    let decided = h.one(
        0,
        "decision",
        &[
            "case",
            "decide",
            &case,
            "--as",
            "b.laurent",
            "--release",
            "--reason",
            "Checked the certificate with the hospital",
        ],
    );
    assert_eq!(decided["case"]["status"], "released", "{name}: {decided}");
    assert_eq!(decided["subject_status"], "queued");
    assert_eq!(decided["awaiting_second"], false);
    let officers: Vec<&str> = decided["case"]["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["officer"].as_str().unwrap())
        .collect();
    assert_eq!(officers, ["a.novak", "b.laurent"]);
    assert_eq!(
        h.one(0, "claim", &["claim", "show", "c-bearings"])["status"],
        "queued"
    );
    let cleared = h.json(0, "alert", &["alert", "list", "--status", "cleared"]);
    assert_eq!(cleared.len(), 2, "{name}: {cleared:?}");

    // A cycle and its files, previewed first.
    let out_dir = h.path("settlement");
    let preview = cycle_preview(&h);
    let report = h.one(0, "cycle", &["cycle", "run", "--out", s(&out_dir)]);
    let cycle = &report["cycle"];
    assert_eq!(cycle["number"], 1);
    assert_run_as_previewed(cycle, &preview, name);
    let cycle_dir = out_dir.join("cycle-1");
    assert_eq!(report["directory"], s(&cycle_dir), "{name}");
    let after: Vec<(&str, i64, &str)> = cycle["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["claim"].as_str().unwrap(),
                c["cleared_minor"].as_i64().unwrap(),
                c["status_after"].as_str().unwrap(),
            )
        })
        .collect();
    // EU → IR owes 8400 + 3000, IR → EU 5000: 5000 crosses each way, humanitarian first.
    assert_eq!(
        after,
        [
            ("c-med", 500_000, "partially_cleared"),
            ("c-pist", 500_000, "cleared"),
            ("c-bearings", 0, "queued"),
        ],
        "{name}: {cycle}"
    );
    for z in cycle["zones"].as_array().unwrap() {
        assert_eq!(z["paid_in_minor"], z["paid_out_minor"], "{name}: {z}");
    }
    let zone_of = |p: &str| if p.starts_with("eu-") { "EU" } else { "IR" };
    for p in cycle["positions"].as_array().unwrap() {
        assert_eq!(
            p["zone"],
            zone_of(p["participant"].as_str().unwrap()),
            "{name}: a payment across a border: {p}"
        );
    }
    // Each party is owed as much as it owes: every position nets to zero, so the cycle needs
    // no payment at all and settles as it runs; with payers it would wait for their pay-ins.
    let payers = cycle["positions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["net_minor"].as_i64().unwrap() < 0)
        .count();
    let expected = if payers == 0 {
        "settled"
    } else {
        "awaiting_pay_ins"
    };
    assert_eq!(cycle["status"], expected, "{name}: {cycle}");

    // The banks report the pay-ins (camt.054); the same file twice changes nothing.
    let positions = cycle["positions"].as_array().unwrap().clone();
    for zone in ["EU", "IR"] {
        let credits: Vec<(i64, String)> = positions
            .iter()
            .filter(|p| p["zone"] == zone && p["status"] == "requested")
            .map(|p| {
                (
                    p["due_minor"].as_i64().unwrap(),
                    p["reference"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        if credits.is_empty() {
            continue;
        }
        let file = h.path(&format!("camt054-{zone}.xml"));
        std::fs::write(&file, crate::run::bank_file(zone, &credits)).unwrap();
        let imported = h.one(0, "bank_file", &["settlement", "import", s(&file)]);
        assert_eq!(imported["matched"], credits.len(), "{name}: {imported}");
        let again = h.one(0, "bank_file", &["settlement", "import", s(&file)]);
        assert_eq!(again["already_imported"], true, "{name}: {again}");
    }
    let cycle = &h.one(0, "cycle", &["cycle", "show", "1"]);
    assert_eq!(cycle["status"], "settled", "{name}: {cycle}");
    let files = cycle["files"].as_array().unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    for expected in [
        "EU/statement-cycle-1-eu-pharma.camt053.xml",
        "EU/statement-cycle-1-eu-pharma.csv",
        "IR/statement-cycle-1-ir-darou.camt053.xml",
        "IR/statement-cycle-1-ir-darou.csv",
    ] {
        assert!(paths.contains(&expected), "{name}: {expected} in {paths:?}");
    }
    for f in files {
        let bytes = std::fs::read(cycle_dir.join(f["path"].as_str().unwrap())).unwrap();
        assert_eq!(
            hex::encode(Sha256::digest(&bytes)),
            f["sha256"].as_str().unwrap(),
            "{name}: {f}"
        );
    }
    let claims_after: Vec<&str> = cycle["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status_after"].as_str().unwrap())
        .collect();
    assert_eq!(
        claims_after,
        ["partially_cleared", "cleared", "queued"],
        "{name}"
    );
    assert_eq!(
        h.one(0, "claim", &["claim", "show", "c-pist"])["status"],
        "cleared"
    );

    let out = h.expect(0, &["cycle", "list"]);
    let listed = text(&out.stdout);
    assert_eq!(listed.lines().count(), 1, "{name}: {listed}");
    assert!(
        listed.starts_with("cycle 1 at ")
            && listed.contains("settled, 3 claims clear EUR 10000.00"),
        "{name}: {listed}"
    );
    let out = h.expect(0, &["settlement", "status", "--cycle", "1"]);
    assert!(
        text(&out.stdout).contains(&format!("{payers} of {payers} payers paid")),
        "{name}: {}",
        text(&out.stdout)
    );

    let statement = h.one(
        0,
        "statement",
        &["statement", "--participant", "ir-darou", "--cycle", "1"],
    );
    assert_eq!(statement["currency"], "IRR", "{name}: {statement}");
    assert_eq!(statement["zone"], "IR");
    let refs: Vec<&str> = statement["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reference"].as_str().unwrap())
        .collect();
    assert!(
        refs.contains(&"C1-c-med") && refs.contains(&"C1-c-pist"),
        "{name}: {statement}"
    );
    assert_eq!(statement["opening_minor"], 0);
    assert_eq!(statement["closing_minor"], 0);
    let out = h.expect(
        0,
        &["statement", "--participant", "eu-pharma", "--cycle", "1"],
    );
    let shown = text(&out.stdout);
    assert!(
        shown.starts_with(
            "statement of eu-pharma at the house for cycle 1 (zone EU): opening EUR 0.00"
        ) && shown.contains("closing EUR 0.00"),
        "{name}: {shown}"
    );

    let verified = h.fingerprint();
    assert_eq!(verified["ok"], true, "{name}: {verified}");
    assert_eq!(verified["problems"], serde_json::json!([]));
    assert_eq!(verified["house"]["problems"], serde_json::json!([]));
    assert_eq!(verified["house"]["participants"], 3);
    assert_eq!(verified["house"]["claims"], 5);
    assert_eq!(verified["house"]["cycles"], 1);
    let out = h.expect(0, &["verify"]);
    assert!(
        text(&out.stdout).contains("house: 3 participants, 5 claims, 1 cycles checked"),
        "{name}: {}",
        text(&out.stdout)
    );
}

/// `cycle preview`, as JSON and as text, before the session's cycle: what the run will clear
/// (5000 euros cross each way, humanitarian first; the bearings wait), and nothing written.
fn cycle_preview(h: &Session) -> Value {
    let name = h.db.name;
    let before = h.snapshot();
    let preview = h.one(0, "cycle_preview", &["cycle", "preview"]);
    let clearing: Vec<(&str, i64, &str)> = preview["clearing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["claim"].as_str().unwrap(),
                c["cleared_minor"].as_i64().unwrap(),
                c["extent"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        clearing,
        [("c-med", 500_000, "partial"), ("c-pist", 500_000, "whole")],
        "{name}: {preview}"
    );
    let staying = &preview["staying"];
    assert_eq!(staying[0]["claim"], "c-bearings", "{name}: {preview}");
    assert_eq!(staying[0]["reason"], "not_selected");
    assert_eq!(staying.as_array().unwrap().len(), 1);
    let out = h.expect(0, &["cycle", "preview", "--cutoff", "2099-01-01"]);
    let shown = text(&out.stdout);
    assert!(
        shown.starts_with("cycle 1 would clear EUR 10000.00 (cut-off 2099-01-01T00:00:00Z")
            && shown.contains("nothing written")
            && shown.contains("c-med                  partial  EUR 5000.00 of EUR 8400.00")
            && shown.contains("c-bearings             stays    EUR 3000.00 owed")
            && shown.contains("ir-darou                 nets to zero IRR 0.00"),
        "{name}: {shown}"
    );
    let dry = h.one(
        0,
        "cycle_preview",
        &["cycle", "preview", "--cutoff", "2020-01-01"],
    );
    assert_eq!(dry["clearing"], serde_json::json!([]), "{name}: {dry}");
    h.fails(&["cycle", "preview", "--cutoff", "someday"], &["--cutoff"]);
    assert_eq!(h.snapshot(), before, "{name}: a preview wrote");
    preview
}

/// The run cleared what the preview said: the same claims and amounts, the same positions.
fn assert_run_as_previewed(cycle: &Value, preview: &Value, name: &str) {
    let cleared: Vec<(&Value, &Value)> = cycle["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cleared_minor"] != 0)
        .map(|c| (&c["claim"], &c["cleared_minor"]))
        .collect();
    let previewed: Vec<(&Value, &Value)> = preview["clearing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (&c["claim"], &c["cleared_minor"]))
        .collect();
    assert_eq!(cleared, previewed, "{name}");
    let positions = |list: &Value| -> Vec<(Value, Value, Value)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["participant"].clone(),
                    p["net_minor"].clone(),
                    p["due_minor"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        positions(&cycle["positions"]),
        positions(&preview["positions"]),
        "{name}"
    );
    assert_eq!(cycle["zones"], preview["zones"], "{name}");
}

/// The debtors answer the session's claims (`claim accept`, in advance for the held one), and
/// two more claims leave: one withdrawn by its creditor, one disputed by its debtor.
fn lifecycle(h: &Session) {
    let name = h.db.name;
    h.fails(
        &["claim", "accept", "c-med", "--as-participant", "eu-pharma"],
        &["forbidden: only claim c-med's debtor (ir-darou) may have it accepted"],
    );
    h.expect(
        0,
        &[
            "user",
            "add",
            "darou.clerk",
            "--role",
            "participant",
            "--participant",
            "ir-darou",
        ],
    );
    let out = h.expect(
        0,
        &[
            "--as",
            "darou.clerk",
            "claim",
            "accept",
            "c-med",
            "--as-participant",
            "ir-darou",
        ],
    );
    let accepted = text(&out.stdout);
    assert!(
        accepted.starts_with("claim c-med queued:")
            && accepted.contains("\n  accepted by darou.clerk (local) for ir-darou at "),
        "{name}: {accepted}"
    );
    let pist = h.one(
        0,
        "claim",
        &["claim", "accept", "c-pist", "--as-participant", "eu-pharma"],
    );
    assert_eq!(pist["status"], "queued", "{name}: {pist}");
    assert_eq!(pist["acceptance"]["by"], "operator (local)");
    assert_eq!(pist["acceptance"]["participant"], "eu-pharma");
    let again = h.one(
        0,
        "claim",
        &["claim", "accept", "c-pist", "--as-participant", "eu-pharma"],
    );
    assert_eq!(again, pist, "{name}: accepting again changes nothing");
    let ahead = h.one(
        0,
        "claim",
        &[
            "claim",
            "accept",
            "c-bearings",
            "--as-participant",
            "ir-darou",
        ],
    );
    assert_eq!(ahead["status"], "held", "{name}: {ahead}");

    for (id, key, invoice, amount, line) in [
        (
            "c-extra-1",
            "k-extra-1",
            "INV-2026-0301",
            "EUR 700.00",
            "3004.90;Paracetamol tablets;100 KGM;EUR 700.00",
        ),
        (
            "c-extra-2",
            "k-extra-2",
            "INV-2026-0302",
            "EUR 840.00",
            "3004.90;Paracetamol tablets;120 KGM;EUR 840.00",
        ),
    ] {
        let args = edit(SUBMIT_MEDICINES, "--idempotency-key", Some(key));
        let args = edit(&args, "--id", Some(id));
        let args = edit(&args, "--invoice-number", Some(invoice));
        let args = edit(&args, "--amount", Some(amount));
        let args = edit(&args, "--line", Some(line));
        h.expect(0, &args);
    }
    let withdrawn = h.one(
        0,
        "claim",
        &[
            "claim",
            "withdraw",
            "c-extra-1",
            "--as-participant",
            "eu-pharma",
            "--reason",
            "Invoice cancelled by a credit note",
        ],
    );
    assert_eq!(withdrawn["status"], "withdrawn", "{name}: {withdrawn}");
    assert_eq!(
        withdrawn["withdrawal"]["reason"],
        "Invoice cancelled by a credit note"
    );
    assert_eq!(withdrawn["reserve_transfer"], Value::Null);
    h.fails(
        &[
            "claim",
            "dispute",
            "c-extra-1",
            "--as-participant",
            "ir-darou",
            "--reason",
            "never ordered",
        ],
        &["claim c-extra-1 is withdrawn by its creditor (Invoice cancelled by a credit note)"],
    );
    let out = h.expect(
        0,
        &[
            "claim",
            "dispute",
            "c-extra-2",
            "--as-participant",
            "ir-darou",
            "--reason",
            "Never ordered",
        ],
    );
    let disputed = text(&out.stdout);
    assert!(
        disputed.starts_with("claim c-extra-2 disputed:")
            && disputed.contains("\n  disputed by operator (local) for ir-darou at ")
            && disputed.ends_with(": Never ordered\n"),
        "{name}: {disputed}"
    );
    h.fails(
        &[
            "claim",
            "withdraw",
            "c-extra-2",
            "--as-participant",
            "ir-darou",
            "--reason",
            "x",
        ],
        &["forbidden: only claim c-extra-2's creditor (eu-pharma)"],
    );
    for (status, ids) in [
        ("disputed", vec!["c-extra-2"]),
        ("withdrawn", vec!["c-extra-1"]),
        ("awaiting_acceptance", vec![]),
        ("queued", vec!["c-med", "c-pist"]),
    ] {
        let listed: Vec<String> = h
            .json(0, "claim", &["claim", "list", "--status", status])
            .iter()
            .map(|c| c["submission"]["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(listed, ids, "{name}: --status {status}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn bad_input_is_refused_naming_the_field_and_writes_nothing_on_sqlite() {
    bad_input(Session::new(TestDb::sqlite()));
}

#[test]
fn bad_input_is_refused_naming_the_field_and_writes_nothing_on_postgres() {
    bad_input(Session::new(TestDb::postgres()));
}

fn bad_input(h: Session) {
    // No database yet (a house is set up by `house init`), or one without a house: either way
    // the message says how to set one up.
    let not_set_up = ["clearhouse house init"];
    let out_dir = h.path("settlement");
    for args in [
        &["house", "show"][..],
        &["participant", "list"],
        &["participant", "show", "eu-pharma"],
        &["claim", "list"],
        &["claim", "show", "c-med"],
        &["alert", "list"],
        &["case", "list"],
        &["case", "show", "case-1"],
        &[
            "case", "decide", "case-1", "--as", "a.novak", "--reject", "--reason", "x",
        ],
        &["cycle", "list"],
        &["cycle", "show", "1"],
        &["cycle", "run", "--out", s(&out_dir)],
        &["statement", "--participant", "eu-pharma", "--cycle", "1"],
        ADD_EU_PHARMA,
    ] {
        h.fails(args, &not_set_up);
    }
    assert!(!out_dir.exists(), "a refused cycle made its directory");
    // Refused commands wrote nothing, not even an empty database: verify has nothing to open,
    // which is an error.
    h.fails(&["verify"], &["opening"]);

    let toml = h.file(
        "house.toml",
        "name = \"Broken\nclearing_currency = \"EUR\"\n",
    );
    h.fails(&["house", "init", "--config", &toml], &[toml.as_str()]);
    let json = h.file(
        "house.json",
        r#"{"name": "X", "clearing_currency": "EUR", "zones": [], "officers": [], "fee": 1}"#,
    );
    h.fails(
        &["house", "init", "--config", &json],
        &[json.as_str(), "unknown field `fee`"],
    );
    h.fails(&["house", "show"], &not_set_up);
    h.expect(0, &["house", "init"]);
    h.fails(&["house", "init"], &["set up in this database already"]);
    h.expect(1, ADD_IR_PARS);
    let case = h.one(0, "case", &["case", "list"])["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let before = h.snapshot();
    let fingerprint = before.last().unwrap()[0].clone();
    let refused = |args: &[&str], needles: &[&str]| {
        h.fails(args, needles);
        assert_eq!(
            h.fingerprint(),
            fingerprint,
            "{}: clearhouse {} wrote something",
            h.db.name,
            args.join(" ")
        );
    };

    // participant add
    refused(
        &edit(ADD_EU_PHARMA, "--iban", Some("DE89370400440532013001")),
        &["field \"iban\"", "DE89370400440532013001"],
    );
    refused(&edit(ADD_EU_PHARMA, "--bic", None), &["--bic is required"]);
    refused(
        &edit(ADD_EU_PHARMA, "--owner", Some(";1968-04-12;DE")),
        &["--owner", "the name is empty"],
    );
    let broken = h.file("broken.json", r#"{"id": "eu-x", "legal_name": "#);
    refused(
        &["participant", "add", "--file", &broken],
        &[broken.as_str()],
    );
    let extra = h.file(
        "extra.json",
        &IR_DAROU_JSON.replace("\"zone\"", "\"nickname\": \"Darou\", \"zone\""),
    );
    refused(
        &["participant", "add", "--file", &extra],
        &[extra.as_str(), "unknown field `nickname`"],
    );
    let missing = h.path("missing.json");
    refused(
        &["participant", "add", "--file", s(&missing)],
        &[s(&missing)],
    );

    // claim submit
    refused(
        &edit(SUBMIT_MEDICINES, "--debtor", None),
        &["--debtor is required"],
    );
    let mut vessel = SUBMIT_MEDICINES.to_vec();
    vessel.extend(["--counterparty-kind", "Vessel"]);
    refused(
        &vessel,
        &["--counterparty-kind", "a person or an organisation"],
    );
    refused(
        &edit(
            SUBMIT_MEDICINES,
            "--line",
            Some("3004.90;Paracetamol tablets;1200;EUR 8400.00"),
        ),
        &["--line 1", "quantity"],
    );
    refused(
        &edit(
            SUBMIT_MEDICINES,
            "--line",
            Some("3004.90;Paracetamol tablets;EUR 8400.00"),
        ),
        &["--line 1", "HS_CODE;DESCRIPTION;QUANTITY UNIT;CUR VALUE"],
    );
    let mut two_lines = edit(
        SUBMIT_MEDICINES,
        "--line",
        Some("3004.90;Paracetamol tablets;600 KGM;EUR 4200.00"),
    );
    two_lines.extend(["--line", "30.04;Paracetamol tablets;600 KGM;EUR 4200.00"]);
    refused(&two_lines, &["--line 2", "hs_code"]);
    refused(
        &edit(SUBMIT_MEDICINES, "--amount", Some("EUR 8400.001")),
        &["--amount \"EUR 8400.001\""],
    );
    refused(
        &edit(SUBMIT_MEDICINES, "--amount", Some("8400.00")),
        &["--amount \"8400.00\""],
    );
    refused(
        &edit(SUBMIT_MEDICINES, "--due-date", Some("2027-02-30")),
        &["--due-date \"2027-02-30\""],
    );
    refused(
        &edit(SUBMIT_MEDICINES, "--creditor", Some("nobody")),
        &["field \"creditor\"", "no participant nobody"],
    );
    let broken = h.file("broken-claim.json", &PISTACHIOS_JSON[..120]);
    refused(&["claim", "submit", "--file", &broken], &[broken.as_str()]);
    let extra = h.file(
        "extra-claim.json",
        &PISTACHIOS_JSON.replace("\"due_date\"", "\"priority\": 0, \"due_date\""),
    );
    refused(
        &["claim", "submit", "--file", &extra],
        &[extra.as_str(), "unknown field `priority`"],
    );

    // claim accept, dispute, withdraw
    refused(
        &["claim", "accept", "c-none", "--as-participant", "ir-pars"],
        &["no claim c-none"],
    );
    refused(
        &["claim", "accept", "c-none", "--as-participant", "IR PARS"],
        &["field \"participant\""],
    );
    refused(
        &["claim", "dispute", "c-none", "--as-participant", "ir-pars"],
        &["--reason"],
    );
    refused(
        &[
            "claim",
            "withdraw",
            "c-none",
            "--as-participant",
            "ir-pars",
            "--reason",
            " ",
        ],
        &["field \"reason\""],
    );
    refused(&["claim", "accept", "c-none"], &["--as-participant"]);

    // lists and filters
    for (args, expected) in [
        (
            &["participant", "list", "--status", "sleeping"][..],
            "active, pending_review",
        ),
        (
            &["claim", "list", "--status", "sleeping"],
            "queued, partially_cleared",
        ),
        (
            &["alert", "list", "--status", "sleeping"],
            "open, cleared or confirmed",
        ),
        (
            &["case", "list", "--status", "sleeping"],
            "open, awaiting_second",
        ),
    ] {
        refused(args, &["--status \"sleeping\"", expected]);
    }
    refused(
        &["participant", "show", "nobody"],
        &["no participant nobody"],
    );
    refused(&["claim", "show", "c-none"], &["no claim c-none"]);
    // A cycle by its number, as the user names it (not its zero-padded record id).
    refused(&["cycle", "show", "1"], &["no cycle 1"]);
    refused(&["cycle", "show", "12"], &["no cycle 12"]);
    refused(
        &["statement", "--participant", "ir-pars", "--cycle", "1"],
        &["no cycle 1"],
    );
    refused(
        &["statement", "--participant", "ir-pars", "--cycle", "first"],
        &["--cycle"],
    );

    // cases
    let decide = |officer: &'static str, reason: &'static str| {
        vec![
            "case",
            "decide",
            case.as_str(),
            "--as",
            officer,
            "--release",
            "--reason",
            reason,
        ]
    };
    refused(
        &decide("nobody", "looks fine"),
        &["--as \"nobody\"", "no user nobody"],
    );
    refused(&decide("a.novak", "   "), &["field \"reason\""]);
    refused(
        &["case", "decide", &case, "--as", "a.novak", "--release"],
        &["--reason"],
    );
    refused(
        &[
            "case",
            "decide",
            &case,
            "--as",
            "a.novak",
            "--release",
            "--reject",
            "--reason",
            "both",
        ],
        &["--reject"],
    );
    refused(
        &[
            "case",
            "decide",
            "case-none",
            "--as",
            "a.novak",
            "--reject",
            "--reason",
            "x",
        ],
        &["no case case-none"],
    );
    refused(
        &[
            "case", "reassign", &case, "--as", "c.weber", "--to", "nobody", "--reason", "x",
        ],
        &["field \"to\"", "\"nobody\" is not a user of this house"],
    );

    // cycle run
    for cutoff in ["2026-13-01", "tomorrow"] {
        refused(
            &["cycle", "run", "--cutoff", cutoff, "--out", s(&out_dir)],
            &["--cutoff", cutoff],
        );
    }
    assert!(!out_dir.exists(), "a refused cycle made its directory");

    assert_eq!(
        h.snapshot(),
        before,
        "{}: bad input changed the house",
        h.db.name
    );
}

/// The example house with its IR zone account at Bank Sepah (SWIFT/BIC SEPBIRTH, OFAC SDN).
const HOUSE_AT_SEPAH_JSON: &str = r#"{
  "name": "A house banking at a listed bank",
  "clearing_currency": "EUR",
  "zones": [
    {"code": "EU", "name": "European Union", "currency": "EUR", "rate": "1",
     "house_account": {"name": "EU zone account", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP"},
     "countries": ["DE", "FR"]},
    {"code": "IR", "name": "Iran", "currency": "IRR", "rate": "480000",
     "house_account": {"name": "IR zone account", "iban": "IR062960000000100324200001", "bic": "SEPBIRTH"},
     "countries": ["IR"]}
  ],
  "officers": [{"name": "a.novak", "role": "officer"}, {"name": "c.weber", "role": "supervisor"}]
}"#;

fn listed_banks(h: Session) {
    let config = h.file("house.json", HOUSE_AT_SEPAH_JSON);
    h.fails(
        &["house", "init", "--config", &config],
        &["zones[1].house_account.bic", "SEPBIRTH", "BANK SEPAH"],
    );
    h.expect(0, &["house", "init"]);
    let at_sepah: Vec<&str> = ADD_IR_PARS
        .iter()
        .map(|a| match *a {
            "ir-pars" => "ir-shiraz",
            "Pars Tejarat Machinery Co." => "Shiraz Saffron Trading Co.",
            "Isfahan 66120" => "Shiraz 51877",
            "KESHIRTH" => "SEPBIRTH",
            "Qassem Soleimani" => "Shirin Kazemi;1983-11-11;IR",
            other => other,
        })
        .collect();
    let out = h.expect(1, &at_sepah);
    assert!(
        text(&out.stdout).contains("pending_review") && text(&out.stdout).contains("BANK SEPAH"),
        "{}",
        text(&out.stdout)
    );
    // The same firm again under another id: its IBAN is taken.
    let twin: Vec<&str> = at_sepah
        .iter()
        .map(|a| if *a == "ir-shiraz" { "ir-shiraz-2" } else { a })
        .collect();
    h.fails(&twin, &["iban", "ir-shiraz"]);
}

#[test]
fn listed_banks_are_found_from_the_command_line() {
    for db in TestDb::each() {
        listed_banks(Session::new(db));
    }
}

#[test]
fn settlement_commands_on_the_demos_database() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let db = format!("sqlite://{}", dir.join("demo.db").display());
    let run = |args: &[&str]| {
        clearhouse_command()
            .current_dir(tmp.path())
            .args(["--database-url", &db])
            .args(args)
            .output()
            .unwrap()
    };
    let out = clearhouse_command()
        .current_dir(tmp.path())
        .args(["demo", "--dir", s(&dir)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&["settlement", "status", "--cycle", "1"]);
    let status = text(&out.stdout);
    assert!(
        status.contains("cycle 1: settled") && status.contains("unwound ir-medequip"),
        "{status}"
    );
    assert!(
        !status.contains("minor units"),
        "money as decimals: {status}"
    );
    let out = run(&["settlement", "suspense"]);
    assert_eq!(text(&out.stdout).trim(), "nothing in suspense");
    // A credit nobody asked for, imported twice: suspense once.
    let reference = iso20022::creditor_reference("NOBODY1").unwrap();
    let file = tmp.path().join("camt054.xml");
    std::fs::write(&file, crate::run::bank_file("EU", &[(4_200, reference)])).unwrap();
    let out = run(&["settlement", "import", s(&file)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 to suspense"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["settlement", "import", s(&file)]);
    assert!(
        text(&out.stdout).contains("imported before: nothing changed"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["--json", "settlement", "suspense"]);
    let entries = json_lines(&out.stdout);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["data"]["reason"], "unknown_reference");
    let id = entries[0]["data"]["id"].as_str().unwrap().to_owned();
    // A truncated file: refused naming the line, nothing changed.
    let bytes = std::fs::read(&file).unwrap();
    let cut = tmp.path().join("cut.xml");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = run(&["settlement", "import", s(&cut)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("line"), "{}", text(&out.stderr));
    // Refunded: a valid pain.001; refunding again is refused.
    let refunds = tmp.path().join("refunds-out");
    let out = run(&["settlement", "refund", &id, "--out", s(&refunds)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = refunds
        .join("refunds")
        .join(format!("refund-{id}.pain001.xml"));
    crate::run::assert_schema_valid(&written);
    let out = run(&["settlement", "refund", &id, "--out", s(&refunds)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("only money in suspense"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["settlement", "deadline"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = run(&["verify"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
}
