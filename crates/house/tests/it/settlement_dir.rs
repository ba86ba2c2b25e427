//! Where a cycle writes its files: only into the directory the operator gave (made only if its
//! parent exists), never a system directory, never through `..` or a link into one; and the
//! temporary directories of a killed run are removed by the next.

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
