//! `clearhouse clear setoff | instex` as a user runs them.

use std::path::Path;
use std::process::Output;

use crate::run::{clearhouse as clearhouse_command, text};

fn clearhouse(args: &[&str]) -> Output {
    clearhouse_command()
        .args(args)
        .output()
        .expect("start clearhouse")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn setoff_json_summary_matches_the_known_optimum() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cleared.csv");
    let input = test_support::shared_data("netting/obl_200_1k.csv");
    let run = clearhouse(&[
        "--json",
        "clear",
        "setoff",
        "--input",
        s(&input),
        "--output",
        s(&out),
        "--check",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(summary["obligations"], 1000);
    assert_eq!(summary["total"], 5268513);
    assert_eq!(summary["net_internal_debt"], 2553504);
    assert_eq!(summary["cleared"], 1600072);
    assert_eq!(summary["remaining"], 5268513 - 1600072);
    assert_eq!(summary["certified"], true);
    let written = std::fs::read_to_string(&out).unwrap();
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("id,cleared"));
    let sum: u64 = lines
        .map(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(sum, 1600072);
    let plain = clearhouse(&["clear", "setoff", "--input", s(&input)]);
    assert!(
        text(&plain.stdout).contains("cleared 1600072"),
        "{}",
        text(&plain.stdout)
    );
}

#[test]
fn bad_input_exits_2_names_the_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cleared.csv");
    let cases = [
        ("1,a,b,5\n2,c,d,0\n", "line 3"),
        ("1,a,b,5\n2,c,c,5\n", "line 3"),
        ("1,a,b,5\n1,c,d,5\n", "line 3: duplicate id"),
        ("1,a,b,5\n2,c,d\n", "line 3: malformed row"),
    ];
    for (rows, expected) in cases {
        let input = dir.path().join("in.csv");
        std::fs::write(&input, format!("id,debtor,creditor,amount\n{rows}")).unwrap();
        let run = clearhouse(&["clear", "setoff", "--input", s(&input), "--output", s(&out)]);
        assert_eq!(run.status.code(), Some(2), "{rows:?}");
        assert!(
            text(&run.stderr).contains(expected),
            "{}",
            text(&run.stderr)
        );
        assert!(!out.exists(), "nothing may be written on bad input");
    }
    let only_temp: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(only_temp.len(), 1, "no temporary file is left behind");
}

const CLAIMS: &str =
    "id,debtor,debtor_zone,creditor,creditor_zone,amount,currency,priority,submitted_at
c1,imp-de,EU,exp-ir,IR,1000,EUR,1,2026-03-01
c2,imp-ir,IR,exp-fr,EU,600,EUR,2,2026-03-02T10:00:00Z
c3,imp-ir2,IR,exp-fr,EU,300,EUR,1,2026-03-01T09:00:00Z
c4,imp-de,EU,exp-fr,EU,50,EUR,5,2026-03-03
";

#[test]
fn instex_writes_results_and_payments_that_stay_in_their_zone() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("claims.csv");
    std::fs::write(&input, CLAIMS).unwrap();
    let (out, pay) = (dir.path().join("out.csv"), dir.path().join("pay.csv"));
    let run = clearhouse(&[
        "--json",
        "clear",
        "instex",
        "--input",
        s(&input),
        "--output",
        s(&out),
        "--payments",
        s(&pay),
        "--check",
        "--zones",
        "EU,IR",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(summary["claims"], 4);
    assert_eq!(summary["cleared"], 3);
    assert_eq!(summary["partial"], 1);
    assert_eq!(summary["queued"], 1);
    assert_eq!(summary["currencies"][0]["currency"], "EUR");
    assert_eq!(summary["currencies"][0]["cleared"], 900 + 900 + 50);
    let results = std::fs::read_to_string(&out).unwrap();
    assert!(results.contains("c1,900,0,100\n"), "{results}");
    let payments = std::fs::read_to_string(&pay).unwrap();
    assert!(payments.starts_with("zone,currency,participant,direction,amount\n"));
    assert!(
        payments.contains("IR,EUR,exp-ir,paid_by_house,900\n"),
        "{payments}"
    );
    assert!(
        payments.contains("EU,EUR,exp-fr,paid_by_house,950\n"),
        "{payments}"
    );
}

#[test]
fn instex_rejects_unknown_zones_and_currencies_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("claims.csv");
    std::fs::write(&input, CLAIMS).unwrap();
    let run = clearhouse(&["clear", "instex", "--input", s(&input), "--zones", "EU"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("line 2: field creditor_zone"),
        "{}",
        text(&run.stderr)
    );
    std::fs::write(&input, CLAIMS.replace("600,EUR", "600,ZZZ")).unwrap();
    let run = clearhouse(&["clear", "instex", "--input", s(&input)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("line 3: field currency"),
        "{}",
        text(&run.stderr)
    );
}
