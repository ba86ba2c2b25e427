//! Policy files: errors that name the line and key, precedence, and the optional checks.

use goods::Verdict::{Allow, Block, Hold};
use goods::{Policy, PolicyError};

use crate::support::{checker_with, line, nomenclature, outcome};

const HEAD: &str = r#"version = 1

[default]
verdict = "allow"
basis = "test"
"#;

fn parse(text: &str) -> Result<Policy, PolicyError> {
    Policy::parse(text, nomenclature())
}

fn policy(body: &str) -> Policy {
    parse(&format!("{HEAD}{body}")).unwrap_or_else(|e| panic!("{e}\n{body}"))
}

fn error(body: &str) -> PolicyError {
    parse(&format!("{HEAD}{body}")).map(|_| ()).expect_err(body)
}

fn rule(codes: &str, verdict: &str) -> String {
    format!(
        "\n[[rules]]\ncodes = {codes}\nverdict = \"{verdict}\"\ncode = \"r_{verdict}\"\nreason = \"r\"\nbasis = \"b\"\n"
    )
}

#[test]
fn bad_verdict_names_line_and_key() {
    let body = format!("{}{}", rule(r#"["85"]"#, "hold"), rule(r#"["93"]"#, "hod"));
    let err = error(&body);
    assert_eq!(err.line, Some(16));
    assert_eq!(err.key.as_deref(), Some("rules[1].verdict"));
    assert_eq!(
        err.to_string(),
        r#"line 16, column 11, key rules[1].verdict: unknown variant "hod", expected one of "allow", "hold", "block""#
    );
}

#[test]
fn errors_name_line_and_key() {
    // (body after HEAD, line, key, start of the message)
    let cases: &[(&str, usize, &str, &str)] = &[
        (
            "\n[[rules]]\ncodes = [\"85\"]\nverdit = \"hold\"\nreason = \"r\"\nbasis = \"b\"\n",
            9,
            "rules[0].verdit",
            "unknown field \"verdit\"",
        ),
        (
            "\n[[rules]]\ncodes = [\"85\"]\nverdict = \"hold\"\nreason = \"r\"\n",
            7,
            "rules[0]",
            "missing field \"basis\"",
        ),
        (
            "\n[[rules]]\ncodes = [\"85\", \"8542.9\"]\nverdict = \"hold\"\nreason = \"r\"\nbasis = \"b\"\n",
            8,
            "rules[0].codes[1]",
            "invalid HS code \"8542.9\"",
        ),
        (
            "\n[[rules]]\ncodes = [\"8599\"]\nverdict = \"hold\"\nreason = \"r\"\nbasis = \"b\"\n",
            8,
            "rules[0].codes[0]",
            "8599 is not a heading of HS 2022",
        ),
        (
            "\n[[rules]]\ncodes = [\"85-8542\"]\nverdict = \"hold\"\nreason = \"r\"\nbasis = \"b\"\n",
            8,
            "rules[0].codes[0]",
            "a range joins two codes of one level",
        ),
        (
            "\n[[rules]]\ncodes = [\"9022-9018\"]\nverdict = \"hold\"\nreason = \"r\"\nbasis = \"b\"\n",
            8,
            "rules[0].codes[0]",
            "the range 9022-9018 is empty",
        ),
        (
            "\n[[rules]]\ncodes = []\nverdict = \"hold\"\nreason = \"r\"\nbasis = \"b\"\n",
            8,
            "rules[0].codes",
            "a rule lists 1 to 1000 codes",
        ),
        (
            "\n[[rules]]\ncodes = \"85\"\nverdict = \"hold\"\nreason = \"r\"\nbasis = \"b\"\n",
            8,
            "rules[0].codes",
            "invalid type: string \"85\", expected a sequence",
        ),
        (
            "\n[[rules]]\ncodes = [\"85\"]\nverdict = \"hold\"\ncode = \"Dual Use\"\nreason = \"r\"\nbasis = \"b\"\n",
            10,
            "rules[0].code",
            "a reason code has",
        ),
        (
            "\n[[rules]]\ncodes = [\"85\"]\nverdict = \"hold\"\nreason = \"  \"\nbasis = \"b\"\n",
            10,
            "rules[0].reason",
            "must have 1 to 1000 characters",
        ),
        (
            "\n[prices]\nverdict = \"hold\"\nbasis = \"b\"\niqr_factor = \"x\"\n",
            10,
            "prices.iqr_factor",
            "expected a number from 0 to 100",
        ),
        (
            "\n[prices]\nverdict = \"hold\"\nbasis = \"b\"\niqr_factor = -1.5\n",
            10,
            "prices.iqr_factor",
            "expected a number from 0 to 100",
        ),
        (
            "\n[prices]\nverdict = \"hold\"\nbasis = \"b\"\nmin_samples = 0\n",
            10,
            "prices.min_samples",
            "must be at least 1",
        ),
        (
            "\n[misdeclaration]\nverdict = \"hold\"\nbasis = \"b\"\nwords = [\"a\", \"b c\", \"d!\"]\n",
            10,
            "misdeclaration.words[2]",
            "\"d!\": a word may hold only",
        ),
        (
            "\n[misdeclaration]\nverdict = \"hold\"\nbasis = \"b\"\nwords = [\"uav\", \"UAV\"]\n",
            10,
            "misdeclaration.words[1]",
            "\"UAV\" is listed twice",
        ),
        (
            "\n[units]\nverdict = \"maybe\"\nbasis = \"b\"\n",
            8,
            "units.verdict",
            "unknown variant \"maybe\"",
        ),
        (
            "\n[default2]\nx = 1\n",
            7,
            "default2",
            "unknown field \"default2\"",
        ),
    ];
    for &(body, line, key, message) in cases {
        let err = error(body);
        assert_eq!(
            (err.line, err.key.as_deref()),
            (Some(line), Some(key)),
            "{body}\n{err}"
        );
        assert!(err.message.starts_with(message), "{body}\n{err}");
    }
}

#[test]
fn syntax_and_document_errors() {
    let err = error("\n[[rules]]\ncodes = [\"85\"\nverdict = \"hold\"\n");
    assert_eq!((err.line, err.column), (Some(9), Some(1)));
    assert!(err.message.contains("missing comma"), "{err}");
    let err = parse("version = 1").unwrap_err();
    assert_eq!(err.to_string(), "missing field \"default\"");
    let err = parse(&HEAD.replace("version = 1", "version = 2")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1, column 11, key version: unsupported version 2: expected 1"
    );
    let err = parse("").unwrap_err();
    assert!(err.message.starts_with("missing field"), "{err}");
    let big = format!("{HEAD}# {}\n", "x".repeat(goods::POLICY_BYTES_MAX));
    assert!(parse(&big).unwrap_err().message.contains("more than"));
}

#[test]
fn overlapping_rules_of_one_level_are_rejected() {
    let body = format!(
        "{}{}",
        rule(r#"["8456-8466"]"#, "hold"),
        rule(r#"["8401", "8460"]"#, "block")
    );
    let err = error(&body);
    assert_eq!(err.key.as_deref(), Some("rules[1].codes[1]"));
    assert_eq!(
        err.message,
        "8460 is covered by rules[0] and rules[1], both at the heading level; the most specific rule wins, so rules of one level must not overlap"
    );
    // The same code at different levels is how exceptions are written.
    policy(&format!(
        "{}{}",
        rule(r#"["84"]"#, "hold"),
        rule(r#"["8419.20"]"#, "allow")
    ));
}

#[test]
fn most_specific_rule_wins() {
    let body = [
        rule(r#"["84"]"#, "hold"),
        rule(r#"["8419"]"#, "block"),
        rule(r#"["8419.20", "841940-841960"]"#, "allow"),
    ]
    .concat();
    let checker = checker_with(policy(&body), None);
    let check = |code| outcome(&checker, &line(code, "Machine", "1", "u", "10.00"));
    assert_eq!(check("8419.20"), (Allow, vec!["r_allow".to_owned()]));
    assert_eq!(check("8419.50"), (Allow, vec!["r_allow".to_owned()]));
    assert_eq!(check("8419.90"), (Block, vec!["r_block".to_owned()]));
    assert_eq!(check("8401.10"), (Hold, vec!["r_hold".to_owned()]));
    assert_eq!(check("8501.10"), (Allow, vec!["default".to_owned()]));
}

#[test]
fn checks_are_optional_and_configurable() {
    // No [chpl], [misdeclaration], [units] or [prices]: only the rules and the default.
    let checker = checker_with(policy(""), None);
    let chip = line("8542.31", "Missile guidance chips", "3", "kg", "10.00");
    assert_eq!(
        outcome(&checker, &chip),
        (Allow, vec!["default".to_owned()])
    );
    let body = "\n[chpl]\nverdict = \"block\"\nbasis = \"b\"\n\n[misdeclaration]\nverdict = \"hold\"\nbasis = \"b\"\nwords = [\"chips\"]\n";
    let checker = checker_with(policy(body), None);
    let (verdict, codes) = outcome(&checker, &chip);
    assert_eq!(verdict, Block);
    assert_eq!(codes, ["default", "chpl", "misdeclaration"]);
}

#[test]
fn factor_as_string_or_number() {
    for (text, expected) in [
        ("1.5", "1.5"),
        ("\"2.25\"", "2.25"),
        ("3", "3"),
        ("0.1", "0.1"),
    ] {
        let body = format!(
            "\n[prices]\nverdict = \"hold\"\nbasis = \"b\"\niqr_factor = {text}\nmin_samples = 3\n"
        );
        let policy = policy(&body);
        assert_eq!(policy.band_settings().iqr_factor.to_string(), expected);
        assert_eq!(policy.band_settings().min_samples, 3);
    }
}

#[test]
fn bundled_text_is_the_bundled_policy() {
    let policy = parse(Policy::bundled_text()).unwrap();
    assert_eq!(policy.default_ruling().code, "not_whitelisted");
    assert!(policy.rules().len() > 20);
    let words: Vec<&str> = policy.misdeclaration().unwrap().1.words().collect();
    for word in [
        "missile",
        "warhead",
        "UAV",
        "guidance",
        "propellant",
        "centrifuge",
        "gyroscope",
    ] {
        assert!(words.contains(&word), "{word}");
    }
}
