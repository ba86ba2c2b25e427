//! `clearhouse serve`: the HTTP API on the embedded SQLite database (the same file the CLI
//! uses) or PostgreSQL, until SIGTERM or SIGINT. `--demo` first plays the demo's story on a
//! fresh database and prints a login for each kind of user.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use house::users::Role;
use house::{HouseSource, Purpose};

use crate::{Ctx, output, system_clock};

/// Most threads the server runs house calls on (each may hold a database connection while it
/// waits for one of the store's readers).
pub const BLOCKING_THREADS_MAX: usize = 64;
/// How long a thread of the blocking pool waits for work before it ends (tokio's default is
/// 10 s): under a steady load the pool keeps its threads instead of starting new ones as the
/// number of house calls in flight swings.
const BLOCKING_THREAD_KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(120);

/// The server's runtime (`serve`, and `benchmark api`, which serves the same way).
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS_MAX)
        .thread_keep_alive(BLOCKING_THREAD_KEEP_ALIVE)
        .thread_name("clearhouse-serve")
        .build()
        .context("starting the server's runtime")
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; put a TLS proxy in front to go further).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Where cycle and settlement files are written and served from.
    #[arg(long, default_value = "clearhouse-files")]
    files_dir: PathBuf,
    /// Requests per second one token may make, sustained (0: no limit).
    #[arg(long, default_value_t = 2_000)]
    rate_limit: u32,
    /// Play the demo's story on a fresh database first (in `--demo-dir`, unless
    /// --database-url is given) and print each demo user's token.
    #[arg(long)]
    demo: bool,
    /// The demo's directory (database, reference prices, files).
    #[arg(long, default_value = "clearhouse-demo")]
    demo_dir: PathBuf,
    /// Override or add an address `POST /api/v1/lists/update` fetches a list file from:
    /// `FILE=URL`, as `lists update --source` (the published addresses otherwise).
    #[arg(long = "list-source", value_name = "FILE=URL")]
    list_sources: Vec<house::list_store::Source>,
}

/// The demo's users: (name, role, participant).
const DEMO_USERS: &[(&str, Role, Option<&str>)] = &[
    ("ops", Role::Operator, None),
    ("audit", Role::Auditor, None),
    ("rhein-pharma", Role::Participant, Some("eu-pharma")),
    ("beauce", Role::Participant, Some("eu-agri")),
    ("darou", Role::Participant, Some("ir-darou")),
];

pub fn run(ctx: &Ctx, database_url: Option<&str>, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let mut source = ctx.source();
    let mut files_dir = args.files_dir.clone();
    if args.demo {
        let demo = crate::demo::DemoArgs::new(args.demo_dir.clone());
        let code = crate::demo::run(database_url, ctx.json, &ctx.lists_dir, &demo)?;
        if code != ExitCode::SUCCESS {
            return Ok(code);
        }
        if database_url.is_none() {
            source.location = store::Location::Sqlite(args.demo_dir.join("demo.db"));
        }
        source.prices = Some(args.demo_dir.join("reference-prices.csv"));
        files_dir = args.demo_dir.join("files");
    }
    let list_sources = house::list_store::published_sources(&args.list_sources)?;
    let house = open(&source)?;
    let mut logins = Vec::new();
    if args.demo {
        logins = demo_users(&house)?;
    }
    let state = Arc::new(api::AppState::new(
        house,
        api::Settings {
            source,
            files_dir,
            rate_per_second: args.rate_limit,
            rate_burst: args.rate_limit.saturating_mul(2).max(1),
            list_sources,
        },
    ));
    let runtime = runtime()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let address = listener.local_addr()?;
        say(ctx, &format!("Clearhouse API on http://{address}/api/v1 (OpenAPI: /api/v1/openapi.json, metrics: /metrics); stop with Ctrl-C"))?;
        for (name, role, token) in &logins {
            say(ctx, &format!("  {role:<12} {name:<14} Authorization: Bearer {token}"))?;
        }
        api::serve_on(state, listener, api::shutdown_signal())
            .await
        .context("serving")
    })?;
    Ok(ExitCode::SUCCESS)
}

fn say(ctx: &Ctx, text: &str) -> anyhow::Result<()> {
    if ctx.json {
        output::json_line(&serde_json::json!({ "type": "serve", "data": text }))?;
    } else {
        output::line(text)?;
    }
    Ok(())
}

fn open(source: &HouseSource) -> anyhow::Result<house::House> {
    source
        .open(system_clock(), Purpose::Submit)
        .with_context(|| {
            format!(
                "opening {} (set a house up with `clearhouse house init` or `clearhouse serve --demo`)",
                source.location
            )
        })
}

/// Adds the demo's users (and a token for each configured officer), returning each login.
fn demo_users(house: &house::House) -> anyhow::Result<Vec<(String, String, String)>> {
    let mut logins = Vec::new();
    for (name, role, participant) in DEMO_USERS {
        let (user, token) = house.add_user("operator", name, *role, *participant)?;
        logins.push((
            user.name,
            role.as_str().to_owned(),
            token.reveal().to_owned(),
        ));
    }
    for officer in &house.config().config.officers {
        let token = house.new_token("operator", &officer.name)?;
        logins.push((
            officer.name.clone(),
            format!("{:?}", officer.role).to_lowercase(),
            token.reveal().to_owned(),
        ));
    }
    Ok(logins)
}
