//! `clearhouse benchmark ledger`: transfers per second and batch latency, like
//! `tigerbeetle benchmark`.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ledger::{
    BATCH_EVENTS_MAX, CreateAccountResult, CreateTransferResult, NewAccount, NewTransfer,
};
use serde_json::json;
use store::Store;

use crate::Ctx;
use crate::output::{json_line, line};

/// The ledger the benchmark uses: ISO 4217 numeric code of the euro.
const BENCH_LEDGER: u32 = 978;
/// Largest amount of a benchmark transfer, in minor units.
const BENCH_AMOUNT_MAX: u64 = 1_000_000;
/// Most concurrent clients.
const CLIENTS_MAX: usize = 64;

#[derive(Debug, Subcommand)]
pub enum BenchmarkCommand {
    /// Submit random transfers between random accounts and measure the ledger.
    Ledger(LedgerArgs),
    /// Screen names from a CSV file (as `screen batch` reads it) against the lists in force:
    /// load time, single-query latency percentiles on one thread, batch throughput on every core.
    Screening(crate::screen_cmd::BenchArgs),
    /// Run the clearing house under load on an empty database: onboarding, claims from several
    /// clients with every check, one cycle with its files, verify.
    House(crate::bench_house::HouseArgs),
    /// Run the HTTP API under load on loopback: claims from many clients over HTTP (every check),
    /// then one-query `/match` requests; throughput and latency percentiles.
    Api(crate::bench_api::ApiArgs),
}

#[derive(Debug, Args)]
pub struct LedgerArgs {
    /// Transfers to submit.
    #[arg(long, default_value_t = 1_000_000)]
    transfers: u64,
    /// Transfers per batch (at most 8190).
    #[arg(long, default_value_t = 1000)]
    batch: usize,
    /// Accounts to spread the transfers over (created first if missing).
    #[arg(long, default_value_t = 10_000)]
    accounts: u64,
    /// Clients submitting batches concurrently (their batches share commits).
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Id of the first transfer; by default the current time in microseconds, so that runs on
    /// the same database do not collide.
    #[arg(long)]
    first_transfer_id: Option<u64>,
    /// Append `FIRST LAST` to this file for every batch once it is acknowledged (durable).
    #[arg(long)]
    acks: Option<PathBuf>,
    /// Seed of the random accounts and amounts.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// SplitMix64: a small, fast, deterministic generator; enough to pick accounts and amounts.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub fn run(ctx: &Ctx, cmd: BenchmarkCommand) -> anyhow::Result<ExitCode> {
    let args = match cmd {
        BenchmarkCommand::Ledger(args) => args,
        BenchmarkCommand::Screening(args) => return crate::screen_cmd::benchmark(ctx, &args),
        BenchmarkCommand::House(args) => return crate::bench_house::run(ctx, &args),
        BenchmarkCommand::Api(args) => return crate::bench_api::run(ctx, &args),
    };
    check_args(&args)?;
    let store = ctx.open()?;
    create_accounts(&store, args.accounts)?;
    let first_id = match args.first_transfer_id {
        Some(id) => id,
        None => (crate::system_clock())() / 1000,
    };
    if first_id == 0
        || first_id
            .checked_add(args.transfers)
            .is_none_or(|end| end > ledger::ID_MAX)
    {
        bail!(
            "--first-transfer-id {first_id}: the transfers' ids would leave 1..={}",
            ledger::ID_MAX
        );
    }
    let acks = match &args.acks {
        Some(path) => Some(Mutex::new(
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening {}", path.display()))?,
        )),
        None => None,
    };
    let run = Run {
        store: &store,
        args: &args,
        first_id,
        acks: acks.as_ref(),
        next_batch: AtomicU64::new(0),
    };
    let progress = progress_bar(ctx, args.transfers);
    let started = Instant::now();
    let per_client = std::thread::scope(|s| {
        let workers: Vec<_> = (0..args.clients)
            .map(|_| s.spawn(|| run.client(&progress)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("benchmark client panicked"))
            .collect::<Vec<_>>()
    });
    let elapsed = started.elapsed();
    progress.finish_and_clear();
    let mut latencies = Vec::new();
    let mut rejected = 0;
    for client in per_client {
        let (lat, rej) = client?;
        latencies.extend(lat);
        rejected += rej;
    }
    report(ctx, &store, &args, elapsed, latencies, rejected)
}

fn check_args(args: &LedgerArgs) -> anyhow::Result<()> {
    if args.batch == 0 || args.batch > BATCH_EVENTS_MAX {
        bail!("--batch {}: must be 1..={BATCH_EVENTS_MAX}", args.batch);
    }
    if args.accounts < 2 || args.accounts > ledger::ID_MAX {
        bail!("--accounts {}: need at least 2", args.accounts);
    }
    if args.clients == 0 || args.clients > CLIENTS_MAX {
        bail!("--clients {}: must be 1..={CLIENTS_MAX}", args.clients);
    }
    Ok(())
}

fn create_accounts(store: &Store, count: u64) -> anyhow::Result<()> {
    let mut id = 1;
    while id <= count {
        let end = count.min(id + BATCH_EVENTS_MAX as u64 - 1);
        let batch: Vec<NewAccount> = (id..=end)
            .map(|id| NewAccount {
                id,
                ledger: BENCH_LEDGER,
                code: 1,
                ..NewAccount::default()
            })
            .collect();
        for (i, r) in store.create_accounts(batch)?.into_iter().enumerate() {
            if !matches!(r, CreateAccountResult::Ok | CreateAccountResult::Exists) {
                bail!("creating benchmark account {}: {r}", id + i as u64);
            }
        }
        id = end + 1;
    }
    Ok(())
}

struct Run<'a> {
    store: &'a Store,
    args: &'a LedgerArgs,
    first_id: u64,
    acks: Option<&'a Mutex<File>>,
    next_batch: AtomicU64,
}

impl Run<'_> {
    /// Submits batches until none are left: their latencies and the count of rejected transfers.
    fn client(&self, progress: &ProgressBar) -> anyhow::Result<(Vec<Duration>, u64)> {
        let batch = self.args.batch as u64;
        let mut latencies = Vec::new();
        let mut rejected = 0;
        loop {
            let k = self.next_batch.fetch_add(1, Ordering::Relaxed);
            let start = k * batch;
            if start >= self.args.transfers {
                return Ok((latencies, rejected));
            }
            let end = self.args.transfers.min(start + batch);
            let mut rng = SplitMix(self.args.seed ^ k.wrapping_mul(0xA24B_AED4_963E_E407));
            let transfers: Vec<NewTransfer> = (start..end)
                .map(|i| self.transfer(self.first_id + i, &mut rng))
                .collect();
            let sent = Instant::now();
            let results = self.store.create_transfers(transfers)?;
            latencies.push(sent.elapsed());
            rejected += results
                .iter()
                .filter(|&&r| r != CreateTransferResult::Ok)
                .count() as u64;
            if let Some(acks) = self.acks {
                let mut file = acks
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                writeln!(
                    file,
                    "{} {}",
                    self.first_id + start,
                    self.first_id + end - 1
                )?;
            }
            progress.inc(end - start);
        }
    }

    fn transfer(&self, id: u64, rng: &mut SplitMix) -> NewTransfer {
        let accounts = self.args.accounts;
        let debit = 1 + rng.below(accounts);
        let credit = 1 + (debit + rng.below(accounts - 1)) % accounts;
        NewTransfer {
            id,
            debit_account_id: debit,
            credit_account_id: credit,
            amount: 1 + rng.below(BENCH_AMOUNT_MAX),
            ledger: BENCH_LEDGER,
            code: 1,
            ..NewTransfer::default()
        }
    }
}

fn progress_bar(ctx: &Ctx, total: u64) -> ProgressBar {
    if !ctx.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} transfers {per_sec} {eta}")
    {
        bar.set_style(style);
    }
    bar
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn report(
    ctx: &Ctx,
    store: &Store,
    args: &LedgerArgs,
    elapsed: Duration,
    mut latencies: Vec<Duration>,
    rejected: u64,
) -> anyhow::Result<ExitCode> {
    latencies.sort_unstable();
    let per_second = args.transfers as f64 / elapsed.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (p50, p99, max) = (
        percentile(&latencies, 50),
        percentile(&latencies, 99),
        percentile(&latencies, 100),
    );
    if ctx.json {
        json_line(&json!({"type": "benchmark", "data": {
            "database": store.location().to_string(),
            "engine": store.location().engine(),
            "transfers": args.transfers, "batch": args.batch, "accounts": args.accounts,
            "clients": args.clients, "seconds": elapsed.as_secs_f64(),
            "transfers_per_second": per_second.round(),
            "batch_latency_ms": {"p50": ms(p50), "p99": ms(p99), "max": ms(max)},
            "rejected": rejected,
        }}))?;
    } else {
        line(&format!(
            "{} transfers in {:.2} s on {} (batch {}, {} accounts, {} clients)",
            args.transfers,
            elapsed.as_secs_f64(),
            store.location(),
            args.batch,
            args.accounts,
            args.clients
        ))?;
        line(&format!("throughput = {per_second:.0} transfers/s"))?;
        line(&format!(
            "batch latency p50 = {:.1} ms, p99 = {:.1} ms, max = {:.1} ms",
            ms(p50),
            ms(p99),
            ms(max)
        ))?;
    }
    if rejected > 0 {
        eprintln!("clearhouse: {rejected} benchmark transfers were rejected");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
