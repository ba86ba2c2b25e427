//! `clearhouse goods …` as a user runs it: the JSON contract, exit codes, errors that name the
//! line and field or key.

use std::path::Path;
use std::process::Output;

use crate::run::{self, clearhouse as clearhouse_command, text, with_stdin};

/// Runs `clearhouse ARGS…` in `dir` with `stdin`.
fn clearhouse(dir: &Path, args: &[&str], stdin: &str) -> Output {
    with_stdin(clearhouse_command().args(args).current_dir(dir), stdin)
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    run::json_lines(&out.stdout)
}

const LINES: &str = "\
id,hs_code,description,quantity,unit,value,currency,origin,destination
L1,1001.99,Wheat for milling,1000,kg,1200.00,EUR,DE,IR
L2,8542.31,Microcontrollers,500,u,2500.00,EUR,DE,IR
L3,9301.90,Military rifles,10,u,9000.00,EUR,DE,IR
L4,1101.00,Wheat flour with guidance kit,20,kg,30.00,EUR,,
L5,1001.99,Wheat for milling,1000,kg,2500.00,EUR,DE,IR
L6,9018.31,Syringes,40,kg,300.00,EUR,,
";

const PRICES: &str = "\
hs6,origin,destination,unit,unit_value_minor,currency,date
100199,DE,IR,kg,100,EUR,2025-01-10
100199,DE,IR,kg,110,EUR,2025-02-10
100199,DE,IR,kg,120,EUR,2025-03-10
100199,DE,IR,kg,130,EUR,2025-04-10
100199,DE,IR,t,140000,EUR,2025-05-10
";

fn files(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lines.csv"), LINES).unwrap();
    std::fs::write(dir.path().join("prices.csv"), PRICES).unwrap();
    for (name, content) in extra {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    dir
}

#[test]
fn check_json_contract() {
    let dir = files(&[]);
    let args = [
        "--json",
        "goods",
        "check",
        "--input",
        "lines.csv",
        "--prices",
        "prices.csv",
    ];
    let out = clearhouse(dir.path(), &args, "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let lines = json_lines(&out);
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["L1", "L2", "L3", "L4", "L5", "L6"]);
    let first = text(&out.stdout).lines().next().unwrap().to_owned();
    assert!(
        first.starts_with(
            r#"{"id":"L1","verdict":"allow","reasons":[{"code":"humanitarian","message":"#
        ),
        "{first}"
    );
    for line in &lines {
        let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "{line}");
        for reason in line["reasons"].as_array().unwrap() {
            let mut keys: Vec<&String> = reason.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, ["basis", "code", "message"]);
        }
    }
    let verdicts: Vec<&str> = lines
        .iter()
        .map(|l| l["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["allow", "hold", "block", "hold", "hold", "hold"]);
    let codes = |i: usize| -> Vec<&str> {
        lines[i]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect()
    };
    assert_eq!(codes(1), ["dual_use", "chpl"]);
    assert_eq!(codes(2), ["military", "misdeclaration"]);
    assert_eq!(codes(3), ["humanitarian", "misdeclaration"]);
    assert_eq!(codes(4), ["humanitarian", "over_invoicing"]);
    assert_eq!(codes(5), ["humanitarian", "unit_mismatch"]);
    assert!(
        lines[1]["reasons"][1]["message"]
            .as_str()
            .unwrap()
            .contains("tier 1")
    );
    assert_eq!(
        lines[0]["price"],
        serde_json::json!({
            "status": "within", "currency": "EUR", "unit": "KGM", "unit_value_minor": "120",
            "band": {"basis": "corridor", "samples": 5, "q1_minor": "110", "q3_minor": "130",
                     "low_minor": "80", "high_minor": "160"}
        })
    );
    // 2500.00 for 1000 kg is 250 minor/kg, 90 above 160: 90,000 minor moved.
    assert_eq!(lines[4]["price"]["status"], "over");
    assert_eq!(lines[4]["price"]["direction"], "over_invoicing");
    assert_eq!(lines[4]["price"]["value_moved_minor"], 90_000);
    assert_eq!(lines[4]["price"]["value_moved"], "900.00");
    assert_eq!(lines[1]["price"]["status"], "no_reference");
}

#[test]
fn check_text_table_and_exit_codes() {
    let dir = files(&[(
        "food.csv",
        "id,hs_code,description,quantity,unit,value,currency\nA,0402.10,Milk powder,100,kg,250.00,EUR\nB,3004.90,Paracetamol,5,kg,80.00,EUR\n",
    )]);
    let out = clearhouse(dir.path(), &["goods", "check", "--input", "food.csv"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("A                    ALLOW  0402.10  Milk powder"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("2 lines checked: 2 allow, 0 hold, 0 block\n"),
        "{stdout}"
    );
    let out = clearhouse(dir.path(), &["goods", "check", "--input", "-"], LINES);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("L3                   BLOCK  9301.90"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    block military: Arms and ammunition (rule for 93)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "    hold  misdeclaration: Possible mis-declaration: the description says \"guidance\""
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("6 lines checked: 2 allow, 3 hold, 1 block"),
        "{stdout}"
    );
    let empty = clearhouse(
        dir.path(),
        &["goods", "check", "--input", "-"],
        "id,hs_code,description,quantity,unit,value,currency\n",
    );
    assert_eq!(empty.status.code(), Some(0));
}

#[test]
fn bad_line_stops_with_line_and_field_after_printing_the_lines_before() {
    let dir = files(&[]);
    let input =
        format!("{LINES}L7,8542.99,Chips,1,u,1.00,EUR,,\nL8,1001.99,Wheat,1,kg,1.00,EUR,,\n");
    let out = clearhouse(
        dir.path(),
        &["--json", "goods", "check", "--input", "-"],
        &input,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        json_lines(&out).len(),
        6,
        "the lines before the bad one are printed"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(
            "clearhouse: - line 8, field hs_code: HS code 8542.99 is not a subheading of HS 2022"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("the 6 lines before it were checked and printed"),
        "{stderr}"
    );
    let bad_value =
        "id,hs_code,description,quantity,unit,value,currency\nA,1001.99,Wheat,1,kg,12.345,EUR\n";
    let out = clearhouse(dir.path(), &["goods", "check", "--input", "-"], bad_value);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(
            "- line 2, field value: invalid amount \"12.345\": too many decimals for EUR"
        ),
        "{}",
        text(&out.stderr)
    );
    let out = clearhouse(
        dir.path(),
        &["goods", "check", "--input", "missing.csv"],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("opening missing.csv"));
}

#[test]
fn policy_and_price_file_errors() {
    let policy = "version = 1\n\n[default]\nverdict = \"allow\"\nbasis = \"house rules\"\n\n[[rules]]\ncodes = [\"93\"]\nverdict = \"forbid\"\nreason = \"arms\"\nbasis = \"b\"\n";
    let bad_prices =
        "hs6,origin,destination,unit,unit_value_minor,currency\n100199,DE,IR,kg,abc,EUR\n";
    let dir = files(&[("policy.toml", policy), ("bad_prices.csv", bad_prices)]);
    let out = clearhouse(
        dir.path(),
        &[
            "goods",
            "check",
            "--input",
            "lines.csv",
            "--policy",
            "policy.toml",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "clearhouse: policy.toml line 9, column 11, key rules[0].verdict: unknown variant \"forbid\", expected one of \"allow\", \"hold\", \"block\"\n"
    );
    let out = clearhouse(
        dir.path(),
        &[
            "goods",
            "check",
            "--input",
            "lines.csv",
            "--prices",
            "bad_prices.csv",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("clearhouse: bad_prices.csv line 2, field unit_value_minor: \"abc\" is not a decimal number"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn custom_policy_changes_the_verdict() {
    let policy = "version = 1\n\n[default]\nverdict = \"allow\"\nbasis = \"house rules\"\n\n[[rules]]\ncodes = [\"93\"]\nverdict = \"block\"\nreason = \"arms\"\nbasis = \"b\"\n";
    let dir = files(&[("policy.toml", policy)]);
    let out = clearhouse(
        dir.path(),
        &[
            "--json",
            "goods",
            "check",
            "--input",
            "lines.csv",
            "--policy",
            "policy.toml",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let verdicts: Vec<String> = json_lines(&out)
        .iter()
        .map(|l| l["verdict"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        verdicts,
        ["allow", "allow", "block", "allow", "allow", "allow"]
    );
}

#[test]
fn default_policy_round_trips() {
    let dir = files(&[]);
    let out = clearhouse(dir.path(), &["goods", "default-policy"], "");
    assert!(out.status.success());
    std::fs::write(dir.path().join("copy.toml"), &out.stdout).unwrap();
    let out = clearhouse(
        dir.path(),
        &[
            "--json",
            "goods",
            "check",
            "--input",
            "lines.csv",
            "--policy",
            "copy.toml",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_lines(&out).len(), 6);
}

#[test]
fn show_codes() {
    let dir = files(&[]);
    let out = clearhouse(dir.path(), &["goods", "show", "8542.31"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for expected in [
        "section     XVI      Machinery and mechanical appliances",
        "chapter     85       Electrical machinery",
        "heading     8542     Electronic integrated circuits",
        "subheading  8542.31  Electronic integrated circuits; processors and controllers",
        "policy      hold",
        "chpl: Common High Priority List item, tier 1 (TIER_1)",
    ] {
        assert!(stdout.contains(expected), "{expected}\n{stdout}");
    }
    let out = clearhouse(dir.path(), &["--json", "goods", "show", "854231"], "");
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["level"], "subheading");
    assert_eq!(value["heading"]["code"], "8542");
    assert_eq!(value["policy"]["verdict"], "hold");
    let out = clearhouse(dir.path(), &["--json", "goods", "show", "93"], "");
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["section"]["code"], "XIX");
    assert_eq!(value["children"].as_array().unwrap().len(), 7);
    let out = clearhouse(dir.path(), &["goods", "show", "8542"], "");
    assert!(text(&out.stdout).contains("5 codes below:"));
    let out = clearhouse(dir.path(), &["goods", "show", "8542.99"], "");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "clearhouse: HS code 8542.99 is not a subheading of HS 2022; heading 8542 has 8542.31, 8542.32, 8542.33, 8542.39, 8542.90\n"
    );
    let out = clearhouse(dir.path(), &["goods", "show", "85x"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("invalid HS code \"85x\""));
}
