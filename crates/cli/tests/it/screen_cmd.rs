//! `clearhouse screen …` and `clearhouse lists …` as a user runs them: exit codes, output
//! contracts, and that a bad list file leaves the lists in force.

use std::path::Path;
use std::process::Output;

use crate::run::{clearhouse as clearhouse_command, json_lines, text};

/// Runs `clearhouse --lists-dir DIR ARGS…`.
fn clearhouse(lists_dir: &Path, args: &[&str]) -> Output {
    clearhouse_command()
        .arg("--lists-dir")
        .arg(lists_dir)
        .args(args)
        .output()
        .expect("start clearhouse")
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../screening/tests/fixtures"
    ))
    .join(name)
}

#[test]
fn screen_name_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let hit = clearhouse(dir.path(), &["--json", "screen", "name", "Vevak"]);
    assert_eq!(hit.status.code(), Some(1), "{}", text(&hit.stderr));
    let out = &json_lines(&hit.stdout)[0];
    assert_eq!(out["matches"][0]["entity_id"], "us_ofac_sdn:12111");
    assert!(out["matches"][0]["explanation"]["parts"].is_array());

    let miss = clearhouse(
        dir.path(),
        &[
            "screen",
            "name",
            "Zebulon Quackenbush",
            "--schema",
            "person",
        ],
    );
    assert_eq!(miss.status.code(), Some(0), "{}", text(&miss.stdout));

    let empty = clearhouse(dir.path(), &["screen", "name", ""]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(text(&empty.stderr).contains("name: the name is empty"));

    let date = clearhouse(
        dir.path(),
        &[
            "screen",
            "name",
            "Saeid Hashemi",
            "--birth-date",
            "1962-13-01",
        ],
    );
    assert_eq!(date.status.code(), Some(2));
    assert!(text(&date.stderr).contains("birth date"));
}

#[test]
fn batch_writes_one_line_per_row_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("names.csv");
    std::fs::write(
        &input,
        "full_name,date_of_birth,nationality\n\
         Saeid Hashemi-Moqaddam,1962-08-06,IR\n\
         Zebulon Quackenbush,,\n\
         ,,\n\
         MOIS,1968-13-30,Iran\n",
    )
    .unwrap();
    let output = dir.path().join("out.jsonl");
    let run = clearhouse(
        dir.path(),
        &[
            "screen",
            "batch",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
    );
    // A row without a name is an error of its own: exit 2, every other row still written.
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let lines = json_lines(&std::fs::read(&output).unwrap());
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3", "4"]);
    assert_eq!(lines[0]["matches"][0]["entity_id"], "eu_fsf:900201");
    assert_eq!(lines[1]["matches"].as_array().unwrap().len(), 0);
    assert!(lines[2]["error"].as_str().unwrap().contains("line 4"));
    assert_eq!(lines[3]["matches"][0]["entity_id"], "us_ofac_sdn:12111");
    assert!(
        lines[3]["warning"]
            .as_str()
            .unwrap()
            .contains("the year 1968 was used")
    );

    let no_name = dir.path().join("bad.csv");
    std::fs::write(&no_name, "id,surname\n1,Smith\n").unwrap();
    let out2 = dir.path().join("out2.jsonl");
    let run = clearhouse(
        dir.path(),
        &[
            "screen",
            "batch",
            "--input",
            no_name.to_str().unwrap(),
            "--output",
            out2.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("no `name` or `full_name` column"));
    assert!(
        !out2.exists(),
        "nothing is written for a file that cannot be read"
    );
}

#[test]
fn compare_pairs_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs.csv");
    std::fs::write(
        &pairs,
        "name1,name2\nВладимир Путин,Vladimir Putin\nJohn Smith,Maria Garcia\n",
    )
    .unwrap();
    let run = clearhouse(
        dir.path(),
        &["screen", "compare", "--pairs", pairs.to_str().unwrap()],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let lines = json_lines(&run.stdout);
    assert_eq!(lines[0]["name1"], "Владимир Путин");
    assert_eq!(lines[0]["match"], true);
    assert_eq!(lines[1]["match"], false);

    let one = clearhouse(
        dir.path(),
        &["screen", "compare", "Asadollah Asadi", "اسدالله اسدی"],
    );
    assert_eq!(one.status.code(), Some(1), "{}", text(&one.stdout));
}

#[test]
fn a_bad_list_file_leaves_the_lists_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let lists = dir.path().join("lists");
    let ofac: Vec<String> = [
        "ofac_sdn_2021.csv",
        "ofac_alt_2021.csv",
        "ofac_add_2021.csv",
        "ofac_sdn_comments_2021.csv",
    ]
    .iter()
    .map(|f| fixture("ofac_2021").join(f).display().to_string())
    .collect();
    // The 2021 SDN list is the smaller one: going back to it needs the operator's word.
    let mut args = vec!["lists", "import"];
    args.extend(ofac.iter().map(String::as_str));
    let run = clearhouse(&lists, &args);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stdout));
    assert!(text(&run.stderr).contains("us_ofac_sdn: "));
    args.insert(2, "--allow-shrink");
    let run = clearhouse(&lists, &args);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let version = std::fs::read_to_string(lists.join("current")).unwrap();

    // The imported OFAC set replaced the bundled one; the other bundled lists stay.
    let status = clearhouse(&lists, &["--json", "lists", "status"]);
    let lines = json_lines(&status.stdout);
    let ofac = lines
        .iter()
        .find(|l| l["data"]["source"] == "us_ofac_sdn")
        .unwrap();
    assert_eq!(ofac["data"]["files"][0]["name"], "ofac_sdn_2021.csv");
    assert!(lines.iter().any(|l| l["data"]["source"] == "un_sc"));

    // A truncated UN file: refused, naming the file and the place; the version stays.
    let un = std::fs::read(fixture("../../data/lists/UN_consolidated.xml")).unwrap();
    let cut = dir.path().join("UN_consolidated.xml");
    std::fs::write(&cut, &un[..un.len() / 2]).unwrap();
    let run = clearhouse(&lists, &["lists", "import", cut.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    let error = text(&run.stderr);
    assert!(error.contains("UN_consolidated.xml byte"), "{error}");
    assert_eq!(
        std::fs::read_to_string(lists.join("current")).unwrap(),
        version
    );

    // An update that cannot download leaves it too.
    let run = clearhouse(
        &lists,
        &[
            "lists",
            "update",
            "--only",
            "sdn.csv",
            "--source",
            "sdn.csv=http://127.0.0.1:9/sdn.csv",
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("unchanged"));
    assert_eq!(
        std::fs::read_to_string(lists.join("current")).unwrap(),
        version
    );
}

/// `lists update --source` and `serve --list-source` read sources with one parser: `FILE=URL`,
/// a plain file name and an http(s) address, refused before anything is opened or fetched.
#[test]
fn list_sources_are_read_alike_by_lists_update_and_serve() {
    let dir = tempfile::tempdir().unwrap();
    let lists = dir.path().join("lists");
    let run = clearhouse(
        &lists,
        &[
            "lists",
            "update",
            "--list-sources",
            "--source",
            "sdn.csv=http://mirror.example/sdn.csv",
            "--source",
            "extra.csv=https://mirror.example/extra.csv",
            "--only",
            "extra.csv",
            "--only",
            "sdn.csv",
        ],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(
        text(&run.stdout),
        "sdn.csv\thttp://mirror.example/sdn.csv\nextra.csv\thttps://mirror.example/extra.csv\n"
    );
    let run = clearhouse(&lists, &["lists", "update", "--only", "nope.csv"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("--only nope.csv: no such source"));
    for (command, flag) in [
        (&["lists", "update"][..], "--source"),
        (&["serve"], "--list-source"),
    ] {
        for bad in [
            "sdn.csv",
            "../sdn.csv=https://x.example/",
            "sdn.csv=ftp://x.example/",
        ] {
            let mut args = command.to_vec();
            args.extend([flag, bad]);
            let run = clearhouse(&lists, &args);
            assert_eq!(run.status.code(), Some(2), "{args:?}");
            let error = text(&run.stderr);
            assert!(
                error.contains(flag) && error.contains(bad),
                "{args:?}: {error}"
            );
        }
    }
    assert!(!lists.exists());
}

#[test]
fn benchmark_screening_reports_latency_and_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("names.csv");
    std::fs::write(&input, "name\nMOIS\nJohn Smith\nСаид Хашеми\n").unwrap();
    let run = clearhouse(
        dir.path(),
        &[
            "--json",
            "benchmark",
            "screening",
            "--input",
            input.to_str().unwrap(),
        ],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let report = &json_lines(&run.stdout)[0];
    assert_eq!(report["queries"], 3);
    assert!(report["hits"].as_u64().unwrap() >= 1);
    assert!(report["single_p99_us"].as_f64().unwrap() > 0.0);
}

/// Issue 13: no reader of a file or stream grows without bound; each stops at its named limit
/// with an error naming the file.
#[test]
fn endless_inputs_stop_at_their_limit_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let lists = dir.path().join("lists");
    let run = clearhouse(&lists, &["lists", "import", "/dev/zero"]);
    assert_eq!(run.status.code(), Some(2));
    let error = text(&run.stderr);
    assert!(
        error.contains("/dev/zero") && error.contains("larger than the limit"),
        "{error}"
    );
    assert!(!lists.join("current").exists());

    let run = clearhouse(&lists, &["screen", "name", "MOIS", "--lists", "/dev/zero"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("larger than the limit"));

    for args in [
        &["screen", "batch", "--input", "/dev/zero"][..],
        &["screen", "compare", "--pairs", "/dev/zero"],
    ] {
        let run = clearhouse(&lists, args);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        let error = text(&run.stderr);
        assert!(
            error.contains("/dev/zero") && error.contains("longer than the limit"),
            "{args:?}: {error}"
        );
        assert!(!error.contains("panicked"), "{error}");
    }
}

/// Issue 13/14: a bad row gets its own error line, every other row is answered, exit 2; dates
/// the calendar does not have or that lie ahead get a warning; FollowTheMoney schema names work.
#[test]
fn batch_rows_fail_alone() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("names.csv");
    let mut csv = b"id,name,schema,birth_date\n\
        a,MOIS,Company,\n\
        b,Vevak,organization,extra,field\n\
        c,Saeid Hashemi,Person,1939-02-30\n"
        .to_vec();
    csv.extend_from_slice(b"d,Sa\xffid,person,\n");
    csv.extend_from_slice(b"e,Saeid Hashemi,LegalEntity,2150-01-01\n");
    csv.extend_from_slice(b"f,MOIS,Address,\n");
    csv.extend_from_slice(b"g,MOIS,\n");
    std::fs::write(&input, csv).unwrap();
    let run = clearhouse(
        dir.path(),
        &["screen", "batch", "--input", input.to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let lines = json_lines(&run.stdout);
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e", "f", "g"]);
    assert_eq!(lines[0]["matches"][0]["entity_id"], "us_ofac_sdn:12111");
    assert!(lines[0].get("error").is_none());
    assert_eq!(lines[1]["line"], 3);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("line 3, 5 fields where the header has 4")
    );
    assert!(lines[2].get("error").is_none());
    assert!(
        lines[2]["warning"]
            .as_str()
            .unwrap()
            .contains("\"1939-02-30\": not a valid date; the year 1939 was used")
    );
    assert!(
        lines[3]["error"]
            .as_str()
            .unwrap()
            .contains("line 5, name: not valid UTF-8")
    );
    assert!(lines[4].get("error").is_none());
    assert!(
        lines[4]["warning"]
            .as_str()
            .unwrap()
            .contains("\"2150-01-01\": in the future; ignored")
    );
    assert!(
        lines[5]["error"]
            .as_str()
            .unwrap()
            .contains("schema \"Address\"")
    );
    assert!(
        lines[6]["error"]
            .as_str()
            .unwrap()
            .contains("line 8, 3 fields where the header has 4")
    );
}

#[test]
fn compare_pairs_rows_fail_alone() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs.csv");
    let mut csv = b"name1,name2,schema\n\
        Vladimir Putin,\xd0\x92\xd0\xbb\xd0\xb0\xd0\xb4\xd0\xb8\xd0\xbc\xd0\xb8\xd1\x80 \xd0\x9f\xd1\x83\xd1\x82\xd0\xb8\xd0\xbd,Person\n\
        !!!,John Smith,\n\
        only one field\n"
        .to_vec();
    csv.extend_from_slice(b"Sa\xffid,Saeid,\n");
    csv.extend_from_slice(b"Acme Corp,Acme Corporation,Company\n");
    std::fs::write(&pairs, csv).unwrap();
    let run = clearhouse(
        dir.path(),
        &["screen", "compare", "--pairs", pairs.to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let lines = json_lines(&run.stdout);
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["match"], true);
    assert!(lines[1]["error"].as_str().unwrap().contains("line 3"));
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("line 4, 1 fields")
    );
    assert!(
        lines[3]["error"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8")
    );
    assert!(lines[4]["score"].as_f64().is_some());
}

#[test]
fn followthemoney_schema_names_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    for schema in [
        "Company",
        "ORGANIZATION",
        "PublicBody",
        "LegalEntity",
        "legal-entity",
        "Thing",
    ] {
        let run = clearhouse(
            dir.path(),
            &["--json", "screen", "name", "Vevak", "--schema", schema],
        );
        assert_eq!(
            run.status.code(),
            Some(1),
            "{schema}: {}",
            text(&run.stderr)
        );
    }
    for schema in ["Airplane", "Vessel"] {
        let run = clearhouse(dir.path(), &["screen", "name", "Vevak", "--schema", schema]);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{schema}: {}",
            text(&run.stderr)
        );
    }
    let run = clearhouse(
        dir.path(),
        &["screen", "name", "Vevak", "--schema", "Address"],
    );
    assert_eq!(run.status.code(), Some(2));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("schema \"Address\""), "{stderr}");
    assert!(stderr.contains("PublicBody"), "{stderr}");
    let run = clearhouse(
        dir.path(),
        &[
            "screen",
            "compare",
            "Acme Corp",
            "Acme Corporation",
            "--schema",
            "Company",
        ],
    );
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn screen_name_refuses_impossible_and_future_birth_dates() {
    let dir = tempfile::tempdir().unwrap();
    for (date, expected) in [
        ("1939-02-30", "expected a real date"),
        ("2150", "in the future"),
    ] {
        let run = clearhouse(
            dir.path(),
            &["screen", "name", "Saeid Hashemi", "--birth-date", date],
        );
        assert_eq!(run.status.code(), Some(2), "{date}");
        let error = text(&run.stderr);
        assert!(
            error.contains("birth date") && error.contains(expected),
            "{error}"
        );
    }
}

/// Issue 13: a list cut at a row boundary parses, but a version that loses more than a tenth of
/// a source's entities is refused unless the operator says it really shrank.
#[test]
fn a_list_that_shrinks_by_half_needs_allow_shrink() {
    let dir = tempfile::tempdir().unwrap();
    let lists = dir.path().join("lists");
    let csl = std::fs::read_to_string(fixture("../../data/lists/us_csl_2023.csv")).unwrap();
    let half: String = csl.split_inclusive('\n').take(2_000).collect();
    let cut = dir.path().join("us_csl.csv");
    std::fs::write(&cut, half).unwrap();

    let run = clearhouse(&lists, &["lists", "import", cut.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stdout));
    let error = text(&run.stderr);
    assert!(
        error.contains("us_csl: ") && error.contains("--allow-shrink"),
        "{error}"
    );
    assert!(!lists.join("current").exists(), "nothing was installed");

    let run = clearhouse(
        &lists,
        &["lists", "import", "--allow-shrink", cut.to_str().unwrap()],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));

    let status = clearhouse(&lists, &["--json", "lists", "status"]);
    assert!(status.status.success(), "{}", text(&status.stderr));
    let lines = json_lines(&status.stdout);
    let versions: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["type"] == "version").collect();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["data"]["in_force"], true);
    let csl_count = versions[0]["data"]["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["source"] == "us_csl")
        .unwrap()["entities"]
        .as_u64()
        .unwrap();
    assert!((1_000..2_000).contains(&csl_count), "{csl_count}");
}
