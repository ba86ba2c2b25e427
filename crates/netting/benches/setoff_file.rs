//! Set-off on a file, timed by phase: `NETTING_FILE=obl.csv cargo bench -p netting --bench
//! setoff_file`. Prints one JSON line (read, solve and check times, phases, cleared) per run;
//! `NETTING_RUNS` runs (default 1). Without `NETTING_FILE` it does nothing, so that `cargo bench`
//! stays quick. The harness for a side-by-side run with OR-tools is `bench/netting/run.sh`.

use std::fs::File;
use std::time::Instant;

use netting::check::check_set_off;
use netting::csv::read_obligations;
use netting::setoff::{Observer, Stage, set_off_observed};

/// Prints every phase's time and the excess left on stderr when `NETTING_PHASES` is set.
struct Phases {
    on: bool,
    last: Instant,
}

impl Observer for Phases {
    fn stage(&mut self, stage: Stage) {
        if !self.on {
            return;
        }
        let ms = self.last.elapsed().as_secs_f64() * 1e3;
        self.last = Instant::now();
        match stage {
            Stage::Phase {
                phase,
                distance,
                excess_left,
                excess_start,
            } => eprintln!(
                "phase {phase:>3} distance {distance:>3} {ms:>8.1} ms  excess left {:.4} %",
                excess_left as f64 * 100.0 / excess_start.max(1) as f64
            ),
            other => eprintln!("{other:?} (previous stage {ms:.1} ms)"),
        }
    }
}

fn main() {
    let Ok(path) = std::env::var("NETTING_FILE") else {
        eprintln!("setoff_file: set NETTING_FILE to an obligations CSV to run");
        return;
    };
    let runs: usize = std::env::var("NETTING_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let started = Instant::now();
    let file = read_obligations(File::open(&path).expect("open")).expect("read");
    let read_s = started.elapsed().as_secs_f64();
    for _ in 0..runs {
        let started = Instant::now();
        let mut phases = Phases {
            on: std::env::var_os("NETTING_PHASES").is_some(),
            last: Instant::now(),
        };
        let result = set_off_observed(&file.network, &mut phases).expect("solve");
        let solve_s = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let verdict = check_set_off(&file.network, &result.cleared, Some(&result.potentials));
        let check_s = started.elapsed().as_secs_f64();
        let s = &result.stats;
        println!(
            "{{\"read_s\":{read_s:.3},\"solve_s\":{solve_s:.3},\"check_s\":{check_s:.3},\
             \"cleared\":{},\"certified\":{},\"phases\":{},\"internal_arcs\":{},\
             \"internal_firms\":{},\"pushes\":{},\"global_relabels\":{}}}",
            verdict.totals.cleared,
            verdict.is_ok() && verdict.optimal,
            s.phases,
            s.internal_arcs,
            s.internal_firms,
            s.pushes,
            s.global_relabels
        );
    }
}
