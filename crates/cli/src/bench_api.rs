//! `clearhouse benchmark api`: the HTTP API under load on loopback. A fresh house is set up on
//! the database given (participants onboarded, a participant user per firm), the server starts
//! in this process on 127.0.0.1, and clients on as many threads submit claims over HTTP with
//! every check running (each firm's own token, an Idempotency-Key each), then send one-query
//! `/match` requests; throughput, latency percentiles and every status seen are printed, and
//! `verify` runs at the end. The load generator shares the machine with the server: the
//! figures are what one machine does serving itself.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use house::users::Role;
use house::{House, HouseSource, Purpose};
use serde_json::json;

use crate::bench_http::{Connection, write_request};
use crate::output::{json_line, line};
use crate::{Ctx, system_clock};

/// Most concurrent HTTP clients.
const CLIENTS_MAX: usize = 512;
/// Most requests of a phase: all are prepared in memory before it starts (about 1 KB each).
const REQUESTS_MAX: usize = 1_000_000;
/// Names the `/match` requests rotate through: listed ones and unlisted ones.
const MATCH_NAMES: &[(&str, &str)] = &[
    ("Person", "Qasem Soleimani"),
    ("Company", "Bank Sepah"),
    ("Person", "Katrin Vogel"),
    ("Company", "Rhein Pharma GmbH"),
    ("Person", "Ali Akbar Salehi"),
    ("Company", "Islamic Republic of Iran Shipping Lines"),
    ("Person", "Maryam Ahmadi"),
    ("Company", "Darou Pakhsh Distribution Co."),
];

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// Participants per zone (each gets a user and a token).
    #[arg(long, default_value_t = 200)]
    participants: usize,
    /// Claims to submit over HTTP.
    #[arg(long, default_value_t = 20_000)]
    claims: usize,
    /// Clients sending requests at once (each one connection, kept alive).
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// One-query `/match` requests to send after the claims (0: none).
    #[arg(long, default_value_t = 20_000)]
    queries: usize,
    /// Keep the example configuration's velocity limits (20 claims a day per firm): at the
    /// benchmark's pace most claims are then held, each opening an alert and a case.
    #[arg(long)]
    default_velocity: bool,
}

/// The example configuration, with velocity limits that fit the benchmark's own pace when
/// `steady` (twice the claims each firm takes part in, and as much money): claims pass the
/// velocity rule as in steady trade, while every rule still runs and the others still hold
/// what they find.
fn config(participants: usize, claims: usize, steady: bool) -> house::HouseConfig {
    let mut config = house::config::example();
    if steady {
        let per_firm = claims.div_ceil(participants.max(1));
        let count = u32::try_from(2 * per_firm).unwrap_or(u32::MAX);
        let monitoring = &mut config.monitoring;
        monitoring.velocity_count_max = monitoring.velocity_count_max.max(count);
        monitoring.velocity_amount_max_minor = monitoring
            .velocity_amount_max_minor
            .max(i64::from(count).saturating_mul(CLAIM_AMOUNT_MAX_MINOR));
    }
    config
}

/// The largest claim the benchmark submits, in cents (see `bench_house::submission`).
const CLAIM_AMOUNT_MAX_MINOR: i64 = 2_100_000;

/// What one phase measured.
struct Phase {
    requests: usize,
    clients: usize,
    /// CPU time the whole process (server, store, load generator) spent, if the system says.
    cpu: Option<Duration>,
    elapsed: Duration,
    latencies: Vec<Duration>,
    statuses: BTreeMap<u16, usize>,
}

impl Phase {
    fn pct(&self, p: usize) -> f64 {
        let i = (self.latencies.len() * p / 100).min(self.latencies.len().saturating_sub(1));
        self.latencies
            .get(i)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }

    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// CPU microseconds a request cost the process, on all its threads.
    fn cpu_us_per_request(&self) -> Option<f64> {
        self.cpu
            .map(|cpu| cpu.as_secs_f64() * 1e6 / self.requests.max(1) as f64)
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "requests": self.requests, "clients": self.clients, "seconds": self.elapsed.as_secs_f64(),
            "per_second": self.per_second(), "p50_ms": self.pct(50), "p90_ms": self.pct(90),
            "p99_ms": self.pct(99), "max_ms": self.pct(100),
            "cpu_us_per_request": self.cpu_us_per_request(),
            "statuses": self.statuses,
        })
    }

    fn text(&self, what: &str) -> String {
        format!(
            "{} {what} from {} clients in {:.1} s: {:.0}/s, latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; CPU {} µs a request; statuses {:?}",
            self.requests,
            self.clients,
            self.elapsed.as_secs_f64(),
            self.per_second(),
            self.pct(50),
            self.pct(90),
            self.pct(99),
            self.pct(100),
            self.cpu_us_per_request()
                .map_or_else(|| "?".to_owned(), |us| format!("{us:.0}")),
            self.statuses
        )
    }
}

/// One request, prepared before the clock starts: the load generator then only sends bytes,
/// as a dedicated tool (oha, wrk) would, and leaves the machine's two cores to the server.
struct Prepared {
    path: &'static str,
    authorization: String,
    idempotency_key: Option<String>,
    body: Vec<u8>,
}

/// How long a client waits on one read or write of the server before it gives up.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);

/// Sends `requests` from `clients` threads, each with one connection kept alive.
fn load(address: SocketAddr, clients: usize, requests: &[Prepared]) -> anyhow::Result<Phase> {
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::with_capacity(requests.len()));
    let statuses = Mutex::new(BTreeMap::new());
    let host = address.to_string();
    let cpu_before = process_cpu();
    let started = Instant::now();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    let mut connection = Connection::new(address, CLIENT_TIMEOUT);
                    let mut bytes = Vec::new();
                    let mut mine = Vec::new();
                    let mut seen: BTreeMap<u16, usize> = BTreeMap::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(r) = requests.get(k) else { break };
                        let t = Instant::now();
                        let mut headers = vec![("Authorization", r.authorization.as_str())];
                        if let Some(key) = &r.idempotency_key {
                            headers.push(("Idempotency-Key", key.as_str()));
                        }
                        write_request(&mut bytes, &host, r.path, &headers, &r.body);
                        let status = connection.exchange(&bytes)?;
                        mine.push(t.elapsed());
                        *seen.entry(status).or_default() += 1;
                    }
                    latencies
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend(mine);
                    let mut all = statuses.lock().unwrap_or_else(|e| e.into_inner());
                    for (s, n) in seen {
                        *all.entry(s).or_default() += n;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join()
                .map_err(|_| anyhow::anyhow!("a client panicked"))??;
        }
        Ok(())
    })?;
    let elapsed = started.elapsed();
    let cpu = process_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let mut latencies = latencies.into_inner().unwrap_or_else(|e| e.into_inner());
    latencies.sort();
    Ok(Phase {
        requests: requests.len(),
        clients,
        cpu,
        elapsed,
        latencies,
        statuses: statuses.into_inner().unwrap_or_else(|e| e.into_inner()),
    })
}

/// The claims to submit: claim `k` from its creditor's user, with its own Idempotency-Key.
fn claim_requests(
    claims: usize,
    participants: usize,
    tokens: &BTreeMap<String, String>,
) -> anyhow::Result<Vec<Prepared>> {
    (0..claims)
        .map(|k| {
            let s = crate::bench_house::submission(k, participants)?;
            let token = tokens
                .get(&s.creditor)
                .context("every creditor has a token")?;
            let mut body = serde_json::to_value(&s)?;
            if let Some(o) = body.as_object_mut() {
                o.remove("idempotency_key");
            }
            Ok(Prepared {
                path: "/api/v1/claims",
                authorization: format!("Bearer {token}"),
                idempotency_key: Some(s.idempotency_key),
                body: serde_json::to_vec(&body)?,
            })
        })
        .collect()
}

/// One-query `/match` requests, rotating through [`MATCH_NAMES`].
fn match_requests(queries: usize, officer: &str) -> anyhow::Result<Vec<Prepared>> {
    (0..queries)
        .map(|k| {
            let (schema, name) = MATCH_NAMES[k % MATCH_NAMES.len()];
            let body =
                json!({"queries": {"q": {"schema": schema, "properties": {"name": [name]}}}});
            Ok(Prepared {
                path: "/match/default",
                authorization: format!("ApiKey {officer}"),
                idempotency_key: None,
                body: serde_json::to_vec(&body)?,
            })
        })
        .collect()
}

/// Sets up a house with `participants` firms per zone and a token for each; answers the
/// tokens by participant id and an officer's token.
fn setup(
    ctx: &Ctx,
    participants: usize,
    config: house::HouseConfig,
) -> anyhow::Result<(House, BTreeMap<String, String>, String)> {
    let store = ctx.open()?;
    if House::is_initialised(&store)? {
        bail!(
            "{} holds a clearing house already: the benchmark needs an empty database",
            ctx.location
        );
    }
    let lists = crate::house_cmd::load_lists(ctx)?;
    let checker = crate::house_cmd::checker(ctx.prices.as_deref())?;
    let h = House::init(store, system_clock(), lists, checker, config, "benchmark")?;
    let mut tokens = BTreeMap::new();
    for zone in ["EU", "IR"] {
        for i in 0..participants {
            let input = crate::bench_house::participant(zone, i);
            h.onboard("benchmark", &input)?;
            let (_, token) = h.add_user(
                "benchmark",
                &format!("u-{}", input.id),
                Role::Participant,
                Some(&input.id),
            )?;
            tokens.insert(input.id.clone(), token.reveal().to_owned());
        }
    }
    let (_, officer) = h.add_user("benchmark", "bench-officer", Role::Officer, None)?;
    Ok((h, tokens, officer.reveal().to_owned()))
}

pub fn run(ctx: &Ctx, args: &ApiArgs) -> anyhow::Result<ExitCode> {
    if args.clients == 0 || args.clients > CLIENTS_MAX || args.participants == 0 {
        bail!("--clients must be 1 to {CLIENTS_MAX} and --participants at least 1");
    }
    if args.claims > REQUESTS_MAX || args.queries > REQUESTS_MAX {
        bail!("--claims and --queries are at most {REQUESTS_MAX} (each is prepared in memory)");
    }
    let config = config(args.participants, args.claims, !args.default_velocity);
    let (h, tokens, officer) = setup(ctx, args.participants, config)?;
    drop(h);
    // Opened again as the server opens it: lists, goods checker, price bands learned once.
    let source = HouseSource {
        location: ctx.location.clone(),
        lists_dir: ctx.lists_dir.clone(),
        prices: ctx.prices.clone(),
    };
    let house = source.open(system_clock(), Purpose::Submit)?;
    let files = tempfile_dir()?;
    let state = Arc::new(api::AppState::new(
        house,
        api::Settings {
            source,
            files_dir: files.clone(),
            rate_per_second: 0,
            rate_burst: 1,
            // The benchmark never updates the lists: no address to fetch from.
            list_sources: Vec::new(),
        },
    ));
    let runtime = crate::serve_cmd::runtime()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(api::serve_on(Arc::clone(&state), listener, async move {
        let _ = stopped.await;
    }));
    let base = format!("http://{address}");
    let requests = claim_requests(args.claims, args.participants, &tokens)?;
    let writer_before = state.house.store().stats();
    let claims = load(address, args.clients, &requests)?;
    let writer = state.house.store().stats();
    let (batches, commits) = (
        writer.batches - writer_before.batches,
        writer.commits - writer_before.commits,
    );
    let queries = load(
        address,
        args.clients,
        &match_requests(args.queries, &officer)?,
    )?;
    let _ = stop.send(());
    runtime
        .block_on(server)
        .context("the server stopped")?
        .context("serving")?;
    let verify = state.house.verify()?;
    let ledger = state.house.store().verify()?;
    let ok = verify.is_ok() && ledger.is_ok();
    let by_status: BTreeMap<String, u64> = state
        .house
        .store()
        .count_by_status("claim")?
        .into_iter()
        .collect();
    let _ = std::fs::remove_dir_all(&files);
    if ctx.json {
        json_line(&json!({"type": "benchmark_api", "data": {
            "database": ctx.location.to_string(), "participants": 2 * args.participants,
            "clients": args.clients, "claims": claims.json(), "match": queries.json(),
            "claim_batches": batches, "claim_commits": commits,
            "verify_ok": ok, "claims_in_house": verify.claims, "claims_by_status": by_status,
        }}))?;
    } else {
        line(&format!("{} over HTTP on {base}:", ctx.location))?;
        line(&format!(
            "  {}",
            claims.text("claims (POST /api/v1/claims, every check)")
        ))?;
        line(&format!(
            "  the store's writer: {batches} batches in {commits} commits during the claims ({:.1} a commit)",
            batches as f64 / commits.max(1) as f64
        ))?;
        if args.queries > 0 {
            line(&format!("  {}", queries.text("one-query /match requests")))?;
        }
        line(&format!(
            "  verify: {} ({} claims in the house: {})",
            if ok { "ok" } else { "FAILED" },
            verify.claims,
            by_status
                .iter()
                .map(|(status, n)| format!("{n} {status}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// CPU time this process has used (user and system, every thread), from `/proc/self/stat`
/// (Linux; `None` elsewhere). In clock ticks of 10 ms: over a phase of seconds, close enough.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces) in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime: fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    const TICKS_PER_SECOND: u64 = 100;
    Some(Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND))
}

/// A fresh directory for the server's files.
fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("clearhouse-bench-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
