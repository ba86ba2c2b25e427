//! Files the clearing-house commands read are read up to a limit: one that never ends
//! (`/dev/zero`) or is larger than the limit is refused with an error naming the file and the
//! limit, after reading at most one byte past it, and nothing is written.

use std::process::Output;

use crate::run::{clearhouse, text};
use crate::support::TestDb;

/// `INPUT_FILE_BYTES_MAX` of the CLI.
const INPUT_FILE_BYTES_MAX: u64 = 16 * 1024 * 1024;

fn run(db: &TestDb, dir: &std::path::Path, args: &[&str]) -> Output {
    clearhouse()
        .current_dir(dir)
        .args(["--database-url", &db.url()])
        .args(args)
        .output()
        .expect("start clearhouse")
}

/// Exit 2, nothing on stdout, and every needle on stderr.
#[track_caller]
fn refused(out: &Output, args: &[&str], needles: &[&str]) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: {needle:?} not in {stderr}"
        );
    }
}

#[test]
fn endless_and_oversize_input_files_are_refused_naming_the_file_and_the_limit() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let limit = format!("larger than {INPUT_FILE_BYTES_MAX} bytes");
    // A file one byte over the limit (sparse: no disk is used).
    let big = dir.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(INPUT_FILE_BYTES_MAX + 1)
        .unwrap();
    let big = big.display().to_string();
    for file in ["/dev/zero", big.as_str()] {
        let args = ["house", "init", "--config", file];
        refused(&run(&db, dir.path(), &args), &args, &[file, &limit]);
    }
    let config = dir.path().join("house.json");
    std::fs::write(&config, "{").unwrap();
    let args = ["house", "init", "--config", config.to_str().unwrap()];
    refused(&run(&db, dir.path(), &args), &args, &["house.json"]);

    let init = run(&db, dir.path(), &["house", "init"]);
    assert_eq!(init.status.code(), Some(0), "{}", text(&init.stderr));
    for file in ["/dev/zero", big.as_str()] {
        for command in [["participant", "add"], ["claim", "submit"]] {
            let args = [command[0], command[1], "--file", file];
            refused(&run(&db, dir.path(), &args), &args, &[file, &limit]);
        }
    }
    // Reference prices: an endless file is refused too (by the CSV reader's line limit or by
    // the file's), naming it.
    let args = ["--prices", "/dev/zero", "participant", "list"];
    refused(&run(&db, dir.path(), &args), &args, &["/dev/zero"]);
    let list = run(&db, dir.path(), &["--json", "participant", "list"]);
    assert_eq!(list.status.code(), Some(0), "{}", text(&list.stderr));
    assert!(list.stdout.is_empty(), "{}", text(&list.stdout));
}
