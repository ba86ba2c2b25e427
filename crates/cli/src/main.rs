//! `clearhouse`: the command-line interface of Clearhouse.
//!
//! Exit codes: 0 success; 1 the command ran and found something wrong (an event was not applied,
//! `verify` found a problem); 2 an error (bad input, unreachable database, …).

mod bench;
mod clear_cmd;
mod goods_cmd;
mod ledger_cmd;
mod lists_cmd;
mod output;
mod screen_cmd;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{Parser, Subcommand};
use store::{Clock, Location, Store};

/// Default database: a SQLite file in the working directory.
const DEFAULT_DATABASE_URL: &str = "sqlite://clearhouse.db";

#[derive(Debug, Parser)]
#[command(
    name = "clearhouse",
    version,
    about = "Clearhouse: an open, compliance-first trade clearing house"
)]
struct Cli {
    /// Database: a SQLite file (`sqlite://PATH` or a path) or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, global = true, env = "CLEARHOUSE_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
    /// Machine-readable output: JSON Lines on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(flatten)]
    lists_dir: lists_cmd::ListsDirArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Use the double-entry ledger by hand.
    #[command(subcommand)]
    Ledger(ledger_cmd::LedgerCommand),
    /// Recompute the journal's hash chain, replay it, and check every invariant (exit 1 if not).
    Verify,
    /// Screen names against the sanctions lists (exit 0 no match, 1 match, 2 error).
    #[command(subcommand)]
    Screen(screen_cmd::ScreenCommand),
    /// Update, import and inspect the sanctions lists.
    #[command(subcommand)]
    Lists(lists_cmd::ListsCommand),
    /// Goods: the HS nomenclature, and goods lines checked against the export-control policy
    /// and price bands (exit 0 all allowed, 1 any held or blocked, 2 error).
    #[command(subcommand)]
    Goods(goods_cmd::GoodsCommand),
    /// Clear obligations: multilateral set-off, or INSTEX zone-balanced settlement.
    #[command(subcommand)]
    Clear(clear_cmd::ClearCommand),
    /// Measure throughput and latency.
    #[command(subcommand)]
    Benchmark(bench::BenchmarkCommand),
}

/// What every command gets.
pub(crate) struct Ctx {
    pub location: Location,
    pub json: bool,
    /// Whether to draw progress bars (stderr is a terminal and the output is not JSON).
    pub progress: bool,
    /// Where sanctions-list versions are kept.
    pub lists_dir: std::path::PathBuf,
}

impl Ctx {
    pub fn open(&self) -> anyhow::Result<Store> {
        Store::open(self.location.clone(), system_clock())
            .with_context(|| format!("opening {}", self.location))
    }
}

/// The wall clock, in nanoseconds since the Unix epoch.
pub(crate) fn system_clock() -> Clock {
    Arc::new(|| {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
    })
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("CLEARHOUSE_LOG"))
        .init();
    match run() {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("clearhouse: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let ctx = Ctx {
        location: Location::parse(&cli.database_url)?,
        json: cli.json,
        progress: !cli.json && std::io::stderr().is_terminal(),
        lists_dir: cli.lists_dir.lists_dir.clone(),
    };
    match cli.command {
        Command::Ledger(cmd) => ledger_cmd::run(&ctx, cmd),
        Command::Verify => verify(&ctx),
        Command::Screen(cmd) => screen_cmd::run(&ctx, &cli.lists_dir.lists_dir, cmd),
        Command::Lists(cmd) => lists_cmd::run(&ctx, &cli.lists_dir.lists_dir, cmd),
        Command::Goods(cmd) => goods_cmd::run(&ctx, cmd),
        Command::Clear(cmd) => clear_cmd::run(&ctx, cmd),
        Command::Benchmark(cmd) => bench::run(&ctx, cmd),
    }
}

fn verify(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let report = store.verify().context("reading the database")?;
    let head = report.head.unwrap_or(store::Head {
        seq: 0,
        hash: [0; 32],
        last_timestamp: 0,
    });
    if ctx.json {
        output::json_line(&serde_json::json!({
            "type": "verify",
            "data": {
                "ok": report.is_ok(),
                "database": ctx.location.to_string(),
                "journal_entries": report.entries,
                "accounts": report.accounts,
                "transfers": report.transfers,
                "head_seq": head.seq,
                "head_hash": store::hash_hex(&head.hash),
                "problems": report.problems,
            }
        }))?;
    } else {
        for problem in &report.problems {
            output::line(&format!("problem: {problem}"))?;
        }
        let verdict = if report.is_ok() { "ok" } else { "FAILED" };
        output::line(&format!(
            "{verdict}: {} journal entries, {} accounts, {} transfers; head {} at entry {}",
            report.entries,
            report.accounts,
            report.transfers,
            store::hash_hex(&head.hash),
            head.seq
        ))?;
    }
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
