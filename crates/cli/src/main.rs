//! `clearhouse`: the command-line interface of Clearhouse.
//!
//! Exit codes: 0 success; 1 the command ran and found something wrong (an event was not applied,
//! `verify` found a problem); 2 an error (bad input, unreachable or missing database, …).

mod bench;
mod bench_api;
mod bench_house;
mod bench_http;
mod clear_cmd;
mod demo;
mod demo_settlement;
mod goods_cmd;
#[cfg(test)]
mod help;
mod house_cmd;
mod imbalance_cmd;
mod input;
mod ledger_cmd;
mod lists_cmd;
mod output;
mod screen_cmd;
mod serve_cmd;
mod settlement_cmd;
mod user_cmd;
mod verify_cmd;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{Parser, Subcommand};
use store::{Clock, Location, Store};

/// Default database: a SQLite file in the working directory.
const DEFAULT_DATABASE_URL: &str = "sqlite://clearhouse.db";

/// The help heading of the options every command takes, listed apart from each command's own.
const GLOBAL_OPTIONS: &str = "Global options";

#[derive(Debug, Parser)]
#[command(
    name = "clearhouse",
    version,
    about = "Clearhouse: an open, compliance-first trade clearing house"
)]
struct Cli {
    /// Database: a SQLite file (`sqlite://PATH` or a path) or `postgres://USER@HOST:PORT/DB`
    /// [default: sqlite://clearhouse.db; for `demo`, a fresh file in clearhouse-demo/].
    #[arg(long, global = true, env = "CLEARHOUSE_DATABASE_URL", help_heading = GLOBAL_OPTIONS)]
    database_url: Option<String>,
    /// Reference prices (CSV: hs6,origin,destination,unit,unit_value_minor,currency) for the
    /// price-band check of claims.
    #[arg(
        long,
        global = true,
        env = "CLEARHOUSE_PRICES",
        value_name = "FILE",
        help_heading = GLOBAL_OPTIONS
    )]
    prices: Option<std::path::PathBuf>,
    /// Machine-readable output: JSON Lines on stdout.
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS)]
    json: bool,
    #[command(flatten, next_help_heading = GLOBAL_OPTIONS)]
    lists_dir: lists_cmd::ListsDirArg,
    #[command(flatten, next_help_heading = GLOBAL_OPTIONS)]
    user: user_cmd::AsArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Use the double-entry ledger by hand.
    #[command(subcommand)]
    Ledger(ledger_cmd::LedgerCommand),
    /// Recompute the journals' hash chains, replay the ledger, check every invariant, the house's
    /// records and each against the audit entry that wrote it, and the receipts given; print
    /// the receipt of this run to keep (exit 1 if anything is wrong).
    Verify(verify_cmd::VerifyArgs),
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
    /// Set up or show the clearing house (zones, currencies, rates, officers).
    #[command(subcommand)]
    House(house_cmd::HouseCommand),
    /// Onboard and inspect participants.
    #[command(subcommand)]
    Participant(house_cmd::ParticipantCommand),
    /// Submit and inspect claims.
    #[command(subcommand)]
    Claim(house_cmd::ClaimCommand),
    /// Alerts raised by screening, goods, price and monitoring checks.
    #[command(subcommand)]
    Alert(house_cmd::AlertCommand),
    /// Cases for review: list, show, decide (four eyes), reassign.
    #[command(subcommand)]
    Case(house_cmd::CaseCommand),
    /// Clearing cycles: preview (what a run would clear now), run (INSTEX selection, postings,
    /// settlement files), list, show.
    #[command(subcommand)]
    Cycle(house_cmd::CycleCommand),
    /// A participant's statement for a cycle.
    Statement(house_cmd::StatementArgs),
    /// A cycle's settlement: bank files in, suspense, unwinds at the deadline, pay-outs.
    #[command(subcommand)]
    Settlement(settlement_cmd::SettlementCommand),
    /// What waits for a counter-flow per zone pair, and what each of the last cycles left waiting.
    Imbalance(imbalance_cmd::ImbalanceArgs),
    /// Run the whole house end to end on a fresh database and explain what happened.
    Demo(demo::DemoArgs),
    /// Serve the HTTP API (users, roles, every party's routes) until Ctrl-C or SIGTERM.
    Serve(serve_cmd::ServeArgs),
    /// The house's users: add (prints an API token once), list, revoke, new token.
    #[command(subcommand)]
    User(user_cmd::UserCommand),
}

/// What every command gets.
pub(crate) struct Ctx {
    pub location: Location,
    pub json: bool,
    /// Whether to draw progress bars (stderr is a terminal and the output is not JSON).
    pub progress: bool,
    /// Where sanctions-list versions are kept.
    pub lists_dir: std::path::PathBuf,
    /// Reference prices for the price-band check.
    pub prices: Option<std::path::PathBuf>,
    /// The house user the command acts as (`--as`); see `Ctx::actor`.
    pub user: String,
}

impl Ctx {
    /// Where the house's parts live, as the flags say.
    pub fn source(&self) -> house::HouseSource {
        house::HouseSource {
            location: self.location.clone(),
            lists_dir: self.lists_dir.clone(),
            prices: self.prices.clone(),
        }
    }

    pub fn open(&self) -> anyhow::Result<Store> {
        Store::open(self.location.clone(), system_clock())
            .with_context(|| format!("opening {}", self.location))
    }

    /// Opens a store that must exist already, creating and migrating nothing: for commands
    /// that only read.
    pub fn open_existing(&self) -> anyhow::Result<Store> {
        Store::open_existing(self.location.clone(), system_clock())
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

/// mimalloc instead of glibc's allocator: the server allocates and frees on many threads at
/// once, where glibc's malloc spent about 15% of a claim submission's CPU (see the README's
/// figures of the HTTP API).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    if let Command::Demo(args) = cli.command {
        return demo::run(
            cli.database_url.as_deref(),
            cli.json,
            &cli.lists_dir.lists_dir,
            &args,
        );
    }
    let url = cli.database_url.as_deref().unwrap_or(DEFAULT_DATABASE_URL);
    let ctx = Ctx {
        location: Location::parse(url)?,
        json: cli.json,
        progress: !cli.json && std::io::stderr().is_terminal(),
        lists_dir: cli.lists_dir.lists_dir.clone(),
        prices: cli.prices.clone(),
        user: cli.user.name.clone(),
    };
    match cli.command {
        Command::Ledger(cmd) => ledger_cmd::run(&ctx, cmd),
        Command::Verify(args) => verify_cmd::run(&ctx, &args),
        Command::Screen(cmd) => screen_cmd::run(&ctx, &cli.lists_dir.lists_dir, cmd),
        Command::Lists(cmd) => lists_cmd::run(&ctx, &cli.lists_dir.lists_dir, cmd),
        Command::Goods(cmd) => goods_cmd::run(&ctx, cmd),
        Command::Clear(cmd) => clear_cmd::run(&ctx, cmd),
        Command::Benchmark(cmd) => bench::run(&ctx, cmd),
        Command::House(cmd) => house_cmd::run_house(&ctx, cmd),
        Command::Participant(cmd) => house_cmd::run_participant(&ctx, cmd),
        Command::Claim(cmd) => house_cmd::run_claim(&ctx, cmd),
        Command::Alert(cmd) => house_cmd::run_alert(&ctx, cmd),
        Command::Case(cmd) => house_cmd::run_case(&ctx, cmd),
        Command::Cycle(cmd) => house_cmd::run_cycle(&ctx, cmd),
        Command::Statement(args) => house_cmd::run_statement(&ctx, args),
        Command::Settlement(cmd) => settlement_cmd::run(&ctx, cmd),
        Command::Imbalance(args) => imbalance_cmd::run(&ctx, &args),
        Command::Serve(args) => serve_cmd::run(&ctx, cli.database_url.as_deref(), &args),
        Command::User(cmd) => user_cmd::run(&ctx, cmd),
        Command::Demo(_) => unreachable!("the demo is run above"),
    }
}
