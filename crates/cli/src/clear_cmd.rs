//! `clearhouse clear …`: multilateral set-off and INSTEX zone-balanced settlement of CSV files.
//!
//! Exit codes: 0 cleared (and, with `--check`, every invariant holds); 1 the checker found a
//! violation (nothing is written); 2 bad input or another error (nothing is written).
//! Outputs are written to a temporary file beside the target and renamed into place only after
//! everything succeeded.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use netting::check::{SetOffCheck, check_set_off};
use netting::csv::{
    read_claims, read_obligations, write_claim_results, write_cleared, write_payments,
};
use netting::instex::{Options, Settlement, check_settlement, settle};
use netting::setoff::{Observer, Stage, set_off_observed};
use serde::Serialize;

use crate::Ctx;
use crate::output::line;

/// Progress is drawn only once a run has taken this long.
const PROGRESS_AFTER: Duration = Duration::from_secs(1);

#[derive(Debug, Subcommand)]
pub enum ClearCommand {
    /// Multilateral set-off (MTCS): clear the largest possible part of an invoice network
    /// without money, every firm keeping its net position. Input CSV: id,debtor,creditor,amount
    /// (integer minor units; row order is age, oldest first).
    Setoff {
        /// The obligations file.
        #[arg(long)]
        input: PathBuf,
        /// Write `id,cleared` per obligation here.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Also verify the optimality certificate (exit 1 on any violation).
        #[arg(long)]
        check: bool,
    },
    /// INSTEX zone-balanced settlement. Input CSV:
    /// id,debtor,debtor_zone,creditor,creditor_zone,amount,currency,priority,submitted_at.
    Instex {
        /// The claims file.
        #[arg(long)]
        input: PathBuf,
        /// Write `id,cleared,set_off,queued` per claim here.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Write the domestic payment instructions here.
        #[arg(long)]
        payments: Option<PathBuf>,
        /// Verify every invariant again (exit 1 on any violation).
        #[arg(long)]
        check: bool,
        /// Run set-off over each zone's domestic claims before paying them.
        #[arg(long)]
        set_off_domestic: bool,
        /// The known zones, comma-separated; any other zone is an error. Default: any zone code.
        #[arg(long, value_delimiter = ',')]
        zones: Option<Vec<String>>,
    },
}

pub fn run(ctx: &Ctx, cmd: ClearCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ClearCommand::Setoff {
            input,
            output,
            check,
        } => setoff(ctx, &input, output.as_deref(), check),
        ClearCommand::Instex {
            input,
            output,
            payments,
            check,
            set_off_domestic,
            zones,
        } => {
            let zones = zones
                .map(|z| z.iter().map(|c| c.parse()).collect::<Result<Vec<_>, _>>())
                .transpose()
                .context("--zones")?;
            let paths = InstexPaths {
                input: &input,
                output: output.as_deref(),
                payments: payments.as_deref(),
            };
            instex(
                ctx,
                paths,
                check,
                Options { set_off_domestic },
                zones.as_deref(),
            )
        }
    }
}

/// The summary of a set-off, as printed with `--json`.
#[derive(Serialize)]
struct SetOffSummary {
    obligations: usize,
    total: u128,
    net_internal_debt: u128,
    cleared: u128,
    remaining: u128,
    firms: usize,
    pairs: usize,
    components: usize,
    internal_arcs: usize,
    phases: u32,
    certified: bool,
    parse_ms: u128,
    solve_ms: u128,
    check_ms: u128,
}

fn setoff(ctx: &Ctx, input: &Path, output: Option<&Path>, check: bool) -> anyhow::Result<ExitCode> {
    let progress = Progress::new(ctx);
    let started = Instant::now();
    let file = read_obligations(progress.reader(open(input)?))
        .with_context(|| format!("reading {}", input.display()))?;
    let parse = started.elapsed();
    let started = Instant::now();
    let result = set_off_observed(&file.network, &mut progress.observer())?;
    let solve = started.elapsed();
    let started = Instant::now();
    let potentials = check.then_some(result.potentials.as_slice());
    let verdict = check_set_off(&file.network, &result.cleared, potentials);
    let check_time = started.elapsed();
    progress.finish();
    if !verdict.is_ok() {
        report_violations(&verdict)?;
        return Ok(ExitCode::from(1));
    }
    if let Some(path) = output {
        write_atomically(path, |w| write_cleared(w, &file, &result.cleared))?;
    }
    let t = verdict.totals;
    let summary = SetOffSummary {
        obligations: t.obligations,
        total: t.total,
        net_internal_debt: t.net_internal_debt,
        cleared: t.cleared,
        remaining: t.remaining,
        firms: file.network.firms(),
        pairs: result.stats.pairs,
        components: result.stats.components,
        internal_arcs: result.stats.internal_arcs,
        phases: result.stats.phases,
        certified: verdict.optimal,
        parse_ms: parse.as_millis(),
        solve_ms: solve.as_millis(),
        check_ms: check_time.as_millis(),
    };
    print_setoff(ctx, &summary)?;
    Ok(ExitCode::SUCCESS)
}

fn print_setoff(ctx: &Ctx, s: &SetOffSummary) -> anyhow::Result<()> {
    if ctx.json {
        return json(s);
    }
    let percent = |part: u128| part as f64 * 100.0 / (s.total.max(1) as f64);
    line(&format!(
        "{} obligations between {} firms: total {}, net internal debt {}",
        s.obligations, s.firms, s.total, s.net_internal_debt
    ))?;
    line(&format!(
        "cleared {} ({:.1} %), remaining {} ({:.1} %){}",
        s.cleared,
        percent(s.cleared),
        s.remaining,
        percent(s.remaining),
        if s.certified {
            "; optimality certified"
        } else {
            ""
        }
    ))?;
    line(&format!(
        "read {} ms, solved {} ms ({} phases), checked {} ms",
        s.parse_ms, s.solve_ms, s.phases, s.check_ms
    ))?;
    Ok(())
}

fn report_violations(verdict: &SetOffCheck) -> anyhow::Result<()> {
    for v in &verdict.violations {
        eprintln!("clearhouse: violation: {v}");
    }
    Ok(())
}

struct InstexPaths<'a> {
    input: &'a Path,
    output: Option<&'a Path>,
    payments: Option<&'a Path>,
}

fn instex(
    ctx: &Ctx,
    paths: InstexPaths<'_>,
    check: bool,
    options: Options,
    zones: Option<&[model::ZoneCode]>,
) -> anyhow::Result<ExitCode> {
    let file = read_claims(open(paths.input)?, zones)
        .with_context(|| format!("reading {}", paths.input.display()))?;
    let settlement = settle(&file.book, options)?;
    // The checker is cheap next to the selection; it always runs, `--check` prints its verdict.
    let violations = check_settlement(&file.book, &settlement);
    if !violations.is_empty() {
        for v in &violations {
            eprintln!("clearhouse: violation: {v}");
        }
        return Ok(ExitCode::from(1));
    }
    if let Some(path) = paths.output {
        write_atomically(path, |w| write_claim_results(w, &file.book, &settlement))?;
    }
    if let Some(path) = paths.payments {
        write_atomically(path, |w| write_payments(w, &settlement))?;
    }
    let summary = instex_summary(&file.book, &settlement, check);
    if ctx.json {
        json(&summary)?;
    } else {
        print_instex(&summary)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct InstexSummary {
    claims: usize,
    /// Claims cleared in full.
    cleared: usize,
    /// Claims cleared in part.
    partial: usize,
    /// Claims with something left queued (in part or in full).
    queued: usize,
    checked: bool,
    currencies: Vec<CurrencySummary>,
}

#[derive(Serialize)]
struct CurrencySummary {
    currency: &'static str,
    cleared: u128,
    queued: u128,
    set_off: u128,
    zones: Vec<ZoneSummary>,
}

#[derive(Serialize)]
struct ZoneSummary {
    zone: String,
    cross_border_in: u128,
    cross_border_out: u128,
    domestic: u128,
    domestic_set_off: u128,
    queued_in: u128,
    queued_out: u128,
    paid_in: u128,
    paid_out: u128,
}

fn instex_summary(
    book: &netting::instex::ClaimBook,
    settlement: &Settlement,
    checked: bool,
) -> InstexSummary {
    let claims = book.claims();
    let full = (0..claims.len()).filter(|&i| settlement.cleared[i] == claims[i].amount);
    let partial = (0..claims.len())
        .filter(|&i| settlement.cleared[i] > 0 && settlement.cleared[i] < claims[i].amount);
    let mut currencies: Vec<CurrencySummary> = Vec::new();
    for t in &settlement.zones {
        if currencies.last().is_none_or(|c| c.currency != t.currency) {
            currencies.push(CurrencySummary {
                currency: t.currency,
                cleared: 0,
                queued: 0,
                set_off: 0,
                zones: Vec::new(),
            });
        }
        let Some(c) = currencies.last_mut() else {
            continue;
        };
        // Cross-border claims count once, at their debtor's zone.
        c.cleared += t.cross_border_out + t.domestic;
        c.queued += t.queued_out;
        c.set_off += t.domestic_set_off;
        c.zones.push(ZoneSummary {
            zone: t.zone.as_ref().map(|z| z.to_string()).unwrap_or_default(),
            cross_border_in: t.cross_border_in,
            cross_border_out: t.cross_border_out,
            domestic: t.domestic,
            domestic_set_off: t.domestic_set_off,
            queued_in: t.queued_in,
            queued_out: t.queued_out,
            paid_in: t.paid_in,
            paid_out: t.paid_out,
        });
    }
    let full = full.count();
    InstexSummary {
        claims: claims.len(),
        cleared: full,
        partial: partial.count(),
        queued: claims.len() - full,
        checked,
        currencies,
    }
}

fn print_instex(s: &InstexSummary) -> anyhow::Result<()> {
    line(&format!(
        "{} claims: {} cleared in full, {} in part, {} with something queued{}",
        s.claims,
        s.cleared,
        s.partial,
        s.queued,
        if s.checked {
            "; every invariant checked"
        } else {
            ""
        }
    ))?;
    for c in &s.currencies {
        line(&format!(
            "{}: cleared {}, queued {}, set off {}",
            c.currency, c.cleared, c.queued, c.set_off
        ))?;
        for z in &c.zones {
            line(&format!(
                "  zone {}: cross-border in {} out {}, domestic {} (set off {}), queued in {} out {}, house paid in {} out {}",
                z.zone,
                z.cross_border_in,
                z.cross_border_out,
                z.domestic,
                z.domestic_set_off,
                z.queued_in,
                z.queued_out,
                z.paid_in,
                z.paid_out
            ))?;
        }
    }
    Ok(())
}

fn json(value: &impl Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn open(path: &Path) -> anyhow::Result<File> {
    File::open(path).with_context(|| format!("opening {}", path.display()))
}

/// Writes through `write` into a temporary file beside `path`, then renames it into place, so
/// that a failure leaves no partial output.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let Some(name) = path.file_name() else {
        bail!("{} is not a file path", path.display());
    };
    let temp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&temp)?);
        write(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(e).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}

/// A progress bar on stderr, drawn only when stderr is a terminal, the output is not JSON, and
/// the run has lasted [`PROGRESS_AFTER`].
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Progress {
    fn new(ctx: &Ctx) -> Progress {
        let bar = (ctx.progress && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
        }
    }

    fn show(&self, message: String) {
        let Some(bar) = &self.bar else {
            return;
        };
        if bar.is_hidden() && self.started.elapsed() >= PROGRESS_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_message(message);
        bar.tick();
    }

    fn reader<R: Read>(&self, inner: R) -> ProgressRead<'_, R> {
        ProgressRead {
            inner,
            progress: self,
            bytes: 0,
            reported: 0,
        }
    }

    fn observer(&self) -> ProgressObserver<'_> {
        ProgressObserver { progress: self }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

struct ProgressRead<'a, R> {
    inner: R,
    progress: &'a Progress,
    bytes: u64,
    reported: u64,
}

impl<R: Read> Read for ProgressRead<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        if self.bytes - self.reported >= 16 << 20 {
            self.reported = self.bytes;
            self.progress
                .show(format!("reading: {} MB", self.bytes >> 20));
        }
        Ok(n)
    }
}

struct ProgressObserver<'a> {
    progress: &'a Progress,
}

impl Observer for ProgressObserver<'_> {
    fn stage(&mut self, stage: Stage) {
        let message = match stage {
            Stage::Merging => "merging parallel obligations".to_owned(),
            Stage::Components => "finding strongly connected components".to_owned(),
            Stage::Phase {
                phase,
                excess_left,
                excess_start,
                ..
            } => format!(
                "solving: phase {phase}, {:.1} % of the debt placed",
                100.0 - excess_left as f64 * 100.0 / excess_start.max(1) as f64
            ),
            Stage::Splitting => "splitting cleared amounts over obligations".to_owned(),
            _ => "working".to_owned(),
        };
        self.progress.show(message);
    }
}
