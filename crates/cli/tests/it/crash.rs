//! Crash test: a child process runs the benchmark and records every acknowledged transfer; it is
//! killed with SIGKILL at random moments. After each kill the database is reopened: every
//! acknowledged transfer is there exactly once, and `clearhouse verify` passes.
//!
//! The moments come from a seed printed on failure; `CLEARHOUSE_CRASH_SEED` replays one.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::support::{T0, TestClock, TestDb};

/// Kills per backend.
const KILLS: u64 = 20;
/// Ids of run `i` start at `1 + i * ID_STRIDE`.
const ID_STRIDE: u64 = 1_000_000_000;

fn seed() -> u64 {
    match std::env::var("CLEARHOUSE_CRASH_SEED") {
        Ok(s) => s.parse().expect("CLEARHOUSE_CRASH_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1),
    }
}

/// The next pseudo-random number (xorshift64*).
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// Transfer ids in complete lines of the acks file (a line cut by the kill is not an ack).
fn acknowledged(path: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    let mut ids = Vec::new();
    for line in complete.lines() {
        let (first, last) = line.split_once(' ').expect("acks line is `FIRST LAST`");
        let (first, last): (u64, u64) = (first.parse().unwrap(), last.parse().unwrap());
        ids.extend(first..=last);
    }
    ids
}

fn run_kill_cycle(db: &TestDb, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let mut state = seed | 1;
    let mut acked_total = 0;
    let mut runs_with_acks = 0;
    for run in 0..KILLS {
        let acks = dir.path().join(format!("acks-{run}"));
        let log = std::fs::File::create(dir.path().join(format!("stderr-{run}"))).unwrap();
        let first = 1 + run * ID_STRIDE;
        let mut child = crate::run::clearhouse()
            .args(["--database-url", &db.url(), "benchmark", "ledger"])
            .args([
                "--transfers",
                "100000000",
                "--batch",
                "100",
                "--accounts",
                "1000",
                "--clients",
                "2",
            ])
            .arg("--first-transfer-id")
            .arg(first.to_string())
            .arg("--acks")
            .arg(&acks)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start clearhouse");
        let delay = Duration::from_millis(150 + next(&mut state) % 1200);
        std::thread::sleep(delay);
        if let Ok(Some(status)) = child.try_wait() {
            let stderr = std::fs::read_to_string(dir.path().join(format!("stderr-{run}"))).unwrap();
            panic!(
                "{}: run {run} ended by itself ({status}) before the kill: {stderr}",
                db.name
            );
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();

        let ids = acknowledged(&acks);
        acked_total += ids.len();
        runs_with_acks += usize::from(!ids.is_empty());
        let store = db.open(&TestClock::at(T0));
        for chunk in ids.chunks(1000) {
            let found = store.lookup_transfers(chunk).unwrap();
            let found: BTreeSet<u64> = found.iter().map(|(t, _)| t.id).collect();
            let missing: Vec<&u64> = chunk.iter().filter(|id| !found.contains(id)).collect();
            assert!(
                missing.is_empty() && found.len() == chunk.len(),
                "{}: run {run} (seed {seed}, kill after {delay:?}): acknowledged transfers missing: {:?}",
                db.name,
                &missing[..missing.len().min(10)]
            );
        }
        drop(store);
        let verify = crate::run::clearhouse()
            .args(["--database-url", &db.url(), "verify"])
            .output()
            .unwrap();
        assert!(
            verify.status.success(),
            "{}: run {run} (seed {seed}, kill after {delay:?}): verify failed: {}",
            db.name,
            String::from_utf8_lossy(&verify.stdout)
        );
    }
    // A kill before the first acknowledgement proves nothing; most runs must get further.
    assert!(
        runs_with_acks as u64 >= KILLS / 2,
        "{}: only {runs_with_acks} of {KILLS} runs acknowledged anything ({acked_total} transfers)",
        db.name
    );
}

#[test]
fn sqlite_survives_sigkill() {
    run_kill_cycle(&TestDb::sqlite(), seed());
}

#[test]
fn postgres_survives_sigkill() {
    run_kill_cycle(&TestDb::postgres(), seed());
}
