//! `clearhouse imbalance` as a user runs it, on the demo's database on SQLite and PostgreSQL:
//! what it reports is recomputed from `claim list`, `participant list` and `cycle show`, the
//! text shows money as decimal amounts with their currency, the JSON carries both forms.

use std::collections::{BTreeMap, HashMap};
use std::process::Output;

use serde_json::Value;

use crate::run::{clearhouse, json_lines, text};
use crate::support::TestDb;

/// `clearhouse --database-url DB ARGS…`.
fn run(db: &TestDb, args: &[&str]) -> Output {
    clearhouse()
        .args(["--database-url", &db.url()])
        .args(args)
        .output()
        .expect("start clearhouse")
}

/// Runs, expects exit 0, returns stdout.
#[track_caller]
fn ok(db: &TestDb, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{}: {args:?}: {}",
        db.name,
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The `data` of every JSON line of type `kind`.
fn data(db: &TestDb, args: &[&str], kind: &str) -> Vec<Value> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    json_lines(ok(db, &all).as_bytes())
        .into_iter()
        .filter(|l| l["type"] == kind)
        .map(|l| l["data"].clone())
        .collect()
}

fn minor(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

/// `12345` cents as `123.45`.
fn decimal(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// An amount in JSON: minor units, decimal text and currency agree; IR's rials are at 480,000
/// per euro and the EU (euros at 1) is left out.
#[track_caller]
fn check_amount(amount: &Value, cents: i64) {
    assert_eq!(minor(&amount["amount_minor"]), cents, "{amount}");
    assert_eq!(amount["amount"], decimal(cents), "{amount}");
    assert_eq!(amount["currency"], "EUR", "{amount}");
    let zones = amount["in_zones"].as_array().expect("in_zones");
    assert_eq!(zones.len(), 1, "{amount}");
    assert_eq!(zones[0]["zone"], "IR");
    assert_eq!(zones[0]["currency"], "IRR");
    assert_eq!(minor(&zones[0]["amount_minor"]), cents * 480_000);
    assert_eq!(zones[0]["amount"], decimal(cents * 480_000));
}

/// What waits per (debtor zone, creditor zone), from `claim list`: claims, cents, oldest id.
fn waiting_from_claims(db: &TestDb) -> BTreeMap<(String, String), (u64, i64, String)> {
    let mut claims: Vec<Value> = data(db, &["claim", "list"], "claim");
    claims.sort_by_key(|c| {
        (
            c["submitted_at"].as_u64().unwrap(),
            c["submission"]["id"].as_str().unwrap().to_owned(),
        )
    });
    let mut out: BTreeMap<(String, String), (u64, i64, String)> = BTreeMap::new();
    for c in claims {
        let status = c["status"].as_str().unwrap();
        let (debtor, creditor) = (c["debtor_zone"].as_str(), c["creditor_zone"].as_str());
        if !matches!(status, "queued" | "partially_cleared") || debtor == creditor {
            continue;
        }
        let left = minor(&c["clearing_amount_minor"]) - minor(&c["cleared_minor"]);
        let id = c["submission"]["id"].as_str().unwrap().to_owned();
        let pair = (debtor.unwrap().to_owned(), creditor.unwrap().to_owned());
        let entry = out.entry(pair).or_insert((0, 0, id));
        entry.0 += 1;
        entry.1 += left;
    }
    out
}

/// What a cycle left waiting per (debtor zone, creditor zone), from `cycle show` and the
/// participants' zones.
fn left_by_cycle(db: &TestDb, number: u64) -> BTreeMap<(String, String), (i64, i64)> {
    let zones: HashMap<String, String> = data(db, &["participant", "list"], "participant")
        .iter()
        .map(|p| {
            (
                p["participant"]["id"].as_str().unwrap().to_owned(),
                p["participant"]["zone"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let cycle = &data(db, &["cycle", "show", &number.to_string()], "cycle")[0];
    let mut out: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for c in cycle["claims"].as_array().unwrap() {
        let zone = |p: &str| zones[c[p].as_str().unwrap()].clone();
        let pair = (zone("debtor"), zone("creditor"));
        if pair.0 == pair.1 {
            continue;
        }
        let entry = out.entry(pair).or_default();
        entry.0 += minor(&c["owed_minor"]) - minor(&c["cleared_minor"]);
        entry.1 += minor(&c["cleared_minor"]);
    }
    out
}

/// Every `EUR`/`IRR` in `text` is followed by a decimal amount with two decimals (a sign
/// allowed), never by bare minor units.
#[track_caller]
fn amounts_are_decimal(text: &str) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut found = 0;
    for pair in words.windows(2) {
        if pair[0].trim_start_matches('(') == "EUR" || pair[0] == "IRR" {
            let amount = pair[1]
                .trim_start_matches(['+', '-'])
                .trim_end_matches([',', ')']);
            let (units, cents) = amount
                .split_once('.')
                .unwrap_or_else(|| panic!("{amount:?} in {text}"));
            assert!(
                !units.is_empty()
                    && units.bytes().all(|b| b.is_ascii_digit())
                    && cents.len() == 2
                    && cents.bytes().all(|b| b.is_ascii_digit()),
                "{amount:?} in {text}"
            );
            found += 1;
        }
    }
    assert!(found > 0, "no amount in {text}");
}

fn on_the_demo(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    ok(&db, &["demo", "--dir", demo_dir.to_str().unwrap()]);

    // JSON: a summary, one line per pair, one per cycle.
    let mut all = json_lines(ok(&db, &["--json", "imbalance"]).as_bytes());
    let kinds: Vec<&str> = all.iter().map(|l| l["type"].as_str().unwrap()).collect();
    // Both directions wait: what Iran imports beyond its exports, and the rest of the second
    // pistachio export that the cycle recomputed after its unwind could not clear.
    assert_eq!(
        kinds,
        [
            "imbalance",
            "imbalance_pair",
            "imbalance_pair",
            "imbalance_cycle"
        ]
    );
    let summary = all.remove(0)["data"].clone();
    assert_eq!(summary["clearing_currency"], "EUR");
    assert_eq!(
        (summary["pairs"].as_u64(), summary["cycles"].as_u64()),
        (Some(2), Some(1))
    );

    // What waits is what `claim list` says is still owed: in the demo, Iran imports more
    // from the EU than it exports.
    let expected = waiting_from_claims(&db);
    let pairs = data(&db, &["imbalance"], "imbalance_pair");
    assert_eq!(pairs.len(), expected.len(), "{}: {pairs:?}", db.name);
    let pair = pairs
        .iter()
        .find(|p| p["debtor_zone"] == "IR")
        .expect("IR → EU waits");
    let key = ("IR".to_owned(), "EU".to_owned());
    let (claims, cents, oldest) = &expected[&key];
    let (_, back, _) = &expected[&("EU".to_owned(), "IR".to_owned())];
    assert_eq!(
        (&pair["debtor_zone"], &pair["creditor_zone"]),
        (&"IR".into(), &"EU".into())
    );
    assert_eq!(pair["claims"].as_u64(), Some(*claims));
    assert!(*cents > 0);
    check_amount(&pair["waiting"], *cents);
    check_amount(&pair["net"], *cents - *back);
    assert_eq!(minor(&pair["counter_flow"]["amount_minor"]), *back);
    assert_eq!(&pair["oldest"]["claim"], oldest);
    assert_eq!(pair["oldest"]["age_days"], 0);

    // The cycle's row is what `cycle show 1` says it left waiting and cleared.
    let cycles = data(&db, &["imbalance"], "imbalance_cycle");
    assert_eq!(cycles[0]["cycle"], 1);
    let left = left_by_cycle(&db, 1);
    let rows = cycles[0]["pairs"].as_array().unwrap();
    assert_eq!(rows.len(), left.len(), "{rows:?}");
    for row in rows {
        let key = (
            row["debtor_zone"].as_str().unwrap().to_owned(),
            row["creditor_zone"].as_str().unwrap().to_owned(),
        );
        let (left, cleared) = left[&key];
        assert_eq!(minor(&row["left_waiting"]["amount_minor"]), left, "{row}");
        assert_eq!(minor(&row["cleared"]["amount_minor"]), cleared, "{row}");
        // The first cycle: the change counts from nothing.
        assert_eq!(minor(&row["change"]["amount_minor"]), left, "{row}");
    }
    assert_eq!(left[&key].0, *cents, "nothing new since the cycle");

    // Text: the same in words, money as decimal amounts with the currency.
    let shown = ok(&db, &["imbalance"]);
    let waiting = format!(
        "IR → EU: EUR {} (IR: IRR {}) waiting in {claims} claims",
        decimal(*cents),
        decimal(cents * 480_000)
    );
    for needle in [
        waiting.as_str(),
        &format!("counter-flow EU → IR: EUR {}", decimal(*back)),
        &format!("net imbalance: EUR {}", decimal(*cents - *back)),
        &format!("oldest: {oldest}, submitted "),
        "Left waiting cycle by cycle (the last 1):",
        "  cycle 1 at ",
        &format!("change EUR +{}", decimal(*cents)),
    ] {
        assert!(
            shown.contains(needle),
            "{}: {needle:?} not in\n{shown}",
            db.name
        );
    }
    amounts_are_decimal(&shown);
    assert!(
        !shown.contains(&cents.to_string()),
        "minor units in\n{shown}"
    );

    // --cycles bounds the history.
    let none = ok(&db, &["imbalance", "--cycles", "0"]);
    assert!(!none.contains("cycle"), "{none}");
    assert!(data(&db, &["imbalance", "--cycles", "0"], "imbalance_cycle").is_empty());
    let out = run(&db, &["imbalance", "--cycles", "101"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("0 to 100"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn imbalance_on_the_demo_on_sqlite() {
    on_the_demo(TestDb::sqlite());
}

#[test]
fn imbalance_on_the_demo_on_postgres() {
    on_the_demo(TestDb::postgres());
}

#[test]
fn a_new_house_has_nothing_waiting_and_no_cycle() {
    let db = TestDb::sqlite();
    ok(&db, &["house", "init"]);
    let shown = ok(&db, &["imbalance"]);
    assert!(
        shown.starts_with("Nothing waits for a counter-flow (cleared in EUR, at ")
            && shown.ends_with("No cycle has run yet.\n"),
        "{shown}"
    );
    let lines = json_lines(ok(&db, &["--json", "imbalance"]).as_bytes());
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["type"], "imbalance");
    assert_eq!(lines[0]["data"]["pairs"], 0);
}
