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
    let mut args = vec!["lists", "import"];
    args.extend(ofac.iter().map(String::as_str));
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
