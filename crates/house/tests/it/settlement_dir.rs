//! Where a cycle writes its files: only into the directory the operator gave (made only if its
//! parent exists), never a system directory, never through `..` or a link into one; a run or a
//! step whose change fails leaves no temporary file; and the temporary directories of a killed
//! run are removed by the next, or put in place when they hold a recorded cycle's files.

use std::path::{Path, PathBuf};

use house::{ClaimStatus, CycleOptions, HouseError};

use crate::support::*;

fn options(out_dir: impl Into<PathBuf>) -> CycleOptions {
    CycleOptions {
        out_dir: out_dir.into(),
        ..CycleOptions::default()
    }
}

/// The error of a cycle run into `out_dir`, which must be a refusal of that directory; and no
/// cycle was recorded.
#[track_caller]
fn refused(env: &Env, out_dir: &Path) -> String {
    let before = snapshot(&env.house);
    let err = match env.house.run_cycle("operator", &options(out_dir)) {
        Err(e @ HouseError::File { .. }) => e.to_string(),
        other => panic!("{}: expected a refusal, got {other:?}", out_dir.display()),
    };
    assert!(err.contains("refused"), "{err}");
    assert_eq!(snapshot(&env.house), before, "{err}: something was written");
    err
}

#[test]
fn system_directories_parent_escapes_and_missing_parents_are_refused() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let queued = env
            .house
            .submit_accepted("eu-pharma", &medicines("c-med", 2000))
            .unwrap();
        assert_eq!(queued.claim.status, ClaimStatus::Queued);
        env.tick();
        for system in [
            "/",
            "/etc",
            "/usr",
            "/usr/share",
            "/proc",
            "/sys",
            "/var/lib",
            "/dev",
        ] {
            let err = refused(&env, Path::new(system));
            assert!(err.contains("system directory"), "{err}");
        }
        // Not made, even though /etc exists.
        let err = refused(&env, Path::new("/etc/clearhouse-settlement-test"));
        assert!(err.contains("in the system directory /etc"), "{err}");
        assert!(!Path::new("/etc/clearhouse-settlement-test").exists());
        // A link to a system directory is the system directory.
        let link = env.out.path().join("to-etc");
        std::os::unix::fs::symlink("/etc", &link).unwrap();
        let err = refused(&env, &link);
        assert!(err.contains("/etc"), "{err}");
        // `..` anywhere, even where it would stay inside.
        let err = refused(&env, &env.out.path().join("a/../b"));
        assert!(err.contains(".."), "{err}");
        assert!(!env.out.path().join("b").exists());
        // Only the directory itself is made: not its missing parents.
        let err = refused(&env, &env.out.path().join("missing/settlement"));
        assert!(err.contains("parent"), "{err}");
        assert!(!env.out.path().join("missing").exists());
        // A file is not a directory.
        let file = env.out.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let err = refused(&env, &file);
        assert!(err.contains("not a directory"), "{err}");

        // A new directory in one that exists is made, and the cycle runs.
        let dir = env.out.path().join("settlement");
        let report = env.house.run_cycle("operator", &options(&dir)).unwrap();
        assert_eq!(report.cycle.number, 1);
        assert_eq!(report.directory, dir.join("cycle-1").display().to_string());
        assert!(dir.join("cycle-1").is_dir());
    });
}

#[test]
fn a_killed_runs_temporary_directories_are_removed_by_the_next() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let out = env.out.path();
        // A process that ran and ended: its id is no running process's.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = out.join(format!(".cycle-1.partial-{dead}-0"));
        std::fs::create_dir_all(stale.join("EU")).unwrap();
        std::fs::write(stale.join("EU/pain001-cycle-1-EU.xml"), "<half").unwrap();
        // This process's and a running process's are cycles still being written: kept.
        let own = out.join(format!(".cycle-1.partial-{}-999", std::process::id()));
        let running = out.join(".cycle-1.partial-1-0");
        // Not a cycle's: kept.
        let other = out.join(".cycle-1.partial-x");
        for dir in [&own, &running, &other] {
            std::fs::create_dir(dir).unwrap();
        }
        env.house
            .run_cycle("operator", &env.cycle_options())
            .unwrap();
        assert!(!stale.exists(), "the killed run's directory is left");
        for dir in [&own, &running, &other] {
            assert!(dir.exists(), "{} was removed", dir.display());
        }
        assert!(out.join("cycle-1").is_dir());
    });
}

/// Makes the database refuse every write of a cycle record whose body holds `needle`, as a
/// database refusing a commit would: the change that writes it fails whole.
fn refuse_cycle_writes(db: &TestDb, needle: &str) {
    let sql = match db.location {
        store::Location::Sqlite(_) => format!(
            "CREATE TRIGGER refuse_cycles BEFORE INSERT ON records
                 WHEN NEW.kind = 'cycle' AND instr(NEW.body, '{needle}') > 0
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
        ),
        store::Location::Postgres(_) => format!(
            "CREATE FUNCTION refuse_cycles() RETURNS trigger LANGUAGE plpgsql
                 AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
             CREATE TRIGGER refuse_cycles BEFORE INSERT ON records FOR EACH ROW
                 WHEN (NEW.kind = 'cycle' AND strpos(NEW.body, '{needle}') > 0)
                 EXECUTE FUNCTION refuse_cycles();"
        ),
    };
    db.execute(&sql);
}

/// Undoes [`refuse_cycle_writes`].
fn allow_cycle_writes(db: &TestDb) {
    db.execute(match db.location {
        store::Location::Sqlite(_) => "DROP TRIGGER refuse_cycles;",
        store::Location::Postgres(_) => {
            "DROP TRIGGER refuse_cycles ON records; DROP FUNCTION refuse_cycles();"
        }
    });
}

/// Every temporary file or directory (`….partial-…`) under `dir`, at any depth.
fn partials(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains(".partial-") {
            found.push(path.clone());
        }
        if path.is_dir() {
            found.extend(partials(&path));
        }
    }
    found
}

/// A house whose next cycle has payers and files to write.
fn two_ways(db: TestDb) -> Env {
    let env = Env::new(db);
    onboard_clean(&env);
    env.submit_both_ways();
    env
}

#[test]
fn a_run_whose_commit_fails_leaves_no_temporary_directory() {
    each_backend(|db| {
        let env = two_ways(db);
        let out = env.out.path();
        refuse_cycle_writes(&env.db, "");
        let before = snapshot(&env.house);
        let err = env
            .house
            .run_cycle("operator", &env.cycle_options())
            .expect_err("the database refuses the cycle");
        assert!(err.to_string().contains("refused by the test"), "{err}");
        assert_eq!(snapshot(&env.house), before, "{}", env.db.name);
        assert_eq!(partials(out), Vec::<PathBuf>::new(), "{}", env.db.name);
        assert!(!out.join("cycle-1").exists());

        // The same run, allowed, writes its files in place and leaves nothing beside.
        allow_cycle_writes(&env.db);
        let report = env
            .house
            .run_cycle("operator", &env.cycle_options())
            .unwrap();
        assert!(
            !report.cycle.files.is_empty(),
            "a cycle with payers has files"
        );
        for f in &report.cycle.files {
            assert!(out.join("cycle-1").join(&f.path).is_file(), "{}", f.path);
        }
        assert_eq!(partials(out), Vec::<PathBuf>::new(), "{}", env.db.name);
    });
}

#[test]
fn files_staged_for_a_change_that_fails_are_removed() {
    each_backend(|db| {
        let env = two_ways(db);
        let report = env
            .house
            .run_cycle("operator", &env.cycle_options())
            .unwrap();
        // The pay-outs' change (the cycle naming its pain.001) is refused once the pay-ins
        // arrived.
        refuse_cycle_writes(&env.db, "pain001.xml");
        let n = report.cycle.number;
        let mut refused = 0;
        for zone in &env.house.config().zones {
            let credits = env.credits_due(n, zone.code.as_str(), "");
            let file = env.bank_file(zone.code.as_str(), &credits);
            if let Err(e) = env.house.import_bank_file("operator", &file) {
                assert!(e.to_string().contains("refused by the test"), "{e}");
                refused += 1;
            }
        }
        assert!(refused > 0, "{}: no pay-out was attempted", env.db.name);
        let cycle = env.house.cycle(n).unwrap();
        assert!(
            cycle.files.iter().all(|f| !f.path.contains("pain001")),
            "{:?}",
            cycle.files
        );
        assert_eq!(
            partials(env.out.path()),
            Vec::<PathBuf>::new(),
            "{}",
            env.db.name
        );
    });
}

#[test]
fn the_files_of_a_run_killed_after_its_commit_are_put_in_place_by_the_next() {
    each_backend(|db| {
        let env = two_ways(db);
        let out = env.out.path();
        let report = env
            .house
            .run_cycle("operator", &env.cycle_options())
            .unwrap();
        // Killed between the commit and the rename: the cycle is recorded, its files are in a
        // dead process's temporary directory. Beside it, an attempt at the same cycle killed
        // before its commit, whose files are not the ones recorded.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let committed = out.join(format!(".cycle-1.partial-{dead}-0"));
        let aborted = out.join(format!(".cycle-1.partial-{dead}-1"));
        std::fs::rename(out.join("cycle-1"), &committed).unwrap();
        copy_dir(&committed, &aborted);
        let file = &report.cycle.files[0].path;
        std::fs::write(aborted.join(file), "another attempt's file").unwrap();

        env.house
            .run_cycle("operator", &env.cycle_options())
            .unwrap();
        assert_eq!(partials(out), Vec::<PathBuf>::new(), "{}", env.db.name);
        for f in &report.cycle.files {
            let bytes = std::fs::read(out.join("cycle-1").join(&f.path)).unwrap();
            assert_ne!(bytes, b"another attempt's file", "{}", f.path);
        }
        let verified = env.house.verify().unwrap();
        assert!(verified.is_ok(), "{:?}", verified.problems);
    });
}

/// Copies the files of `from` (and its folders) to `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
