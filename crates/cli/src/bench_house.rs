//! `clearhouse benchmark house`: the clearing house under load on an empty database —
//! onboarding, claim submission from several clients (every check included), one cycle with
//! its files, and `verify`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use house::{ClaimStatus, ClaimSubmission, CycleOptions, House, InvoiceParty, OnboardingInput};
use serde_json::json;

use crate::output::{json_line, line};
use crate::{Ctx, system_clock};

/// Most concurrent clients.
const CLIENTS_MAX: usize = 64;

#[derive(Debug, Args)]
pub struct HouseArgs {
    /// Participants per zone.
    #[arg(long, default_value_t = 100)]
    participants: usize,
    /// Claims to submit.
    #[arg(long, default_value_t = 2_000)]
    claims: usize,
    /// Clients submitting at once.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Where the cycle's files go.
    #[arg(long, default_value = "clearhouse-bench-settlement")]
    out: PathBuf,
}

/// IBAN with computed check digits.
fn iban(country: &str, bban: &str) -> String {
    let digits: String = format!("{bban}{country}00")
        .chars()
        .map(|c| c.to_digit(36).unwrap_or(0).to_string())
        .collect();
    let rem = digits
        .bytes()
        .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
    format!("{country}{:02}{bban}", 98 - rem)
}

fn participant(zone: &str, i: usize) -> OnboardingInput {
    let (country, bban, bic, name) = if zone == "EU" {
        (
            "DE",
            format!("37040044{i:010}"),
            "COBADEFFXXX",
            format!("Benchmark Export {i:04} GmbH"),
        )
    } else {
        (
            "IR",
            format!("017{i:019}"),
            "MELIIRTH",
            format!("Benchmark Bazargani {i:04} Co."),
        )
    };
    OnboardingInput {
        id: format!("{}-{i:04}", zone.to_lowercase()),
        legal_name: name,
        registration_number: format!("REG-{zone}-{i}"),
        country: country.into(),
        zone: zone.into(),
        lei: None,
        iban: iban(country, &bban),
        bic: bic.into(),
        bank_name: None,
        beneficial_owners: Vec::new(),
        directors: Vec::new(),
    }
}

pub fn run(ctx: &Ctx, args: &HouseArgs) -> anyhow::Result<ExitCode> {
    if args.clients == 0 || args.clients > CLIENTS_MAX || args.participants == 0 {
        bail!("--clients must be 1 to {CLIENTS_MAX} and --participants at least 1");
    }
    let store = ctx.open()?;
    if House::is_initialised(&store)? {
        bail!(
            "{} holds a clearing house already: the benchmark needs an empty database",
            ctx.location
        );
    }
    let started = Instant::now();
    let lists = crate::house_cmd::load_lists(ctx)?;
    let load = started.elapsed();
    let checker = crate::house_cmd::checker(ctx.prices.as_deref())?;
    let h = House::init(
        store,
        system_clock(),
        lists,
        checker,
        house::config::example(),
        "benchmark",
    )?;
    let started = Instant::now();
    for zone in ["EU", "IR"] {
        for i in 0..args.participants {
            h.onboard("benchmark", &participant(zone, i))?;
        }
    }
    let onboarding = started.elapsed();
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::with_capacity(args.claims));
    let statuses = Mutex::new([0usize; 5]);
    let started = Instant::now();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..args.clients)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= args.claims {
                            return Ok(());
                        }
                        let s = submission(k, args.participants)?;
                        let t = Instant::now();
                        let outcome = h.submit_claim(&s.creditor, &s)?;
                        let took = t.elapsed();
                        latencies
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(took);
                        let index = match outcome.claim.status {
                            ClaimStatus::Queued => 0,
                            ClaimStatus::Held => 1,
                            ClaimStatus::Rejected => 2,
                            ClaimStatus::PartiallyCleared => 3,
                            ClaimStatus::Cleared => 4,
                        };
                        statuses.lock().unwrap_or_else(|e| e.into_inner())[index] += 1;
                    }
                })
            })
            .collect();
        for w in workers {
            w.join()
                .map_err(|_| anyhow::anyhow!("a client panicked"))??;
        }
        Ok(())
    })?;
    let submitting = started.elapsed();
    let started = Instant::now();
    let report = h.run_cycle(
        "benchmark",
        &CycleOptions {
            cutoff: None,
            out_dir: args.out.clone(),
            set_off_domestic: None,
            deadline: None,
        },
    )?;
    let cycle = started.elapsed();
    let started = Instant::now();
    let ledger = h.store().verify()?;
    let checked = h.verify()?;
    let verifying = started.elapsed();
    let mut latencies = latencies.into_inner().unwrap_or_else(|e| e.into_inner());
    latencies.sort();
    let pct = |p: usize| {
        latencies
            .get((latencies.len() * p / 100).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let statuses = statuses.into_inner().unwrap_or_else(|e| e.into_inner());
    let per_second = args.claims as f64 / submitting.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let cleared = report
        .cycle
        .claims
        .iter()
        .filter(|c| c.status_after == ClaimStatus::Cleared)
        .count();
    let partial = report
        .cycle
        .claims
        .iter()
        .filter(|c| c.status_after == ClaimStatus::PartiallyCleared)
        .count();
    if ctx.json {
        json_line(&json!({"type": "benchmark_house", "data": {
            "database": ctx.location.to_string(), "participants": 2 * args.participants,
            "claims": args.claims, "clients": args.clients,
            "lists_load_ms": ms(load), "onboarding_ms": ms(onboarding),
            "claims_per_second": per_second, "submit_p50_ms": ms(pct(50)), "submit_p99_ms": ms(pct(99)),
            "queued": statuses[0], "held": statuses[1], "rejected": statuses[2],
            "cycle_ms": ms(cycle), "cycle_claims": report.cycle.claims.len(), "cycle_cleared": cleared, "cycle_partially_cleared": partial,
            "cycle_files": report.cycle.files.len(), "verify_ms": ms(verifying),
            "verify_ok": ledger.is_ok() && checked.is_ok(),
        }}))?;
    } else {
        line(&format!(
            "{}: lists loaded in {:.0} ms; {} participants onboarded in {:.0} ms ({:.1} ms each, every name screened)",
            ctx.location,
            ms(load),
            2 * args.participants,
            ms(onboarding),
            ms(onboarding) / (2 * args.participants) as f64
        ))?;
        line(&format!(
            "{} claims from {} clients: {per_second:.0} claims/s, latency p50 {:.1} ms, p99 {:.1} ms; {} queued, {} held, {} rejected",
            args.claims,
            args.clients,
            ms(pct(50)),
            ms(pct(99)),
            statuses[0],
            statuses[1],
            statuses[2]
        ))?;
        line(&format!(
            "cycle 1: {} claims, {} cleared, {} partially cleared, {} files in {:.0} ms; verify ({} journal entries, {} audit entries) in {:.0} ms: {}",
            report.cycle.claims.len(),
            cleared,
            partial,
            report.cycle.files.len(),
            ms(cycle),
            ledger.entries,
            checked.audit_entries,
            ms(verifying),
            if ledger.is_ok() && checked.is_ok() {
                "ok"
            } else {
                "FAILED"
            }
        ))?;
    }
    Ok(if ledger.is_ok() && checked.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Claim `k`: alternately EU → IR (medicines, wheat) and IR → EU (pistachios).
fn submission(k: usize, participants: usize) -> anyhow::Result<ClaimSubmission> {
    let a = k % participants;
    // Each round of claims goes to other debtors, as real trade spreads over counterparties.
    let b = (a + 1 + (k / participants) * 13) % participants;
    let cents = 100_000 + (k as i64 * 7919) % 2_000_000;
    let (creditor, debtor, line) = if k.is_multiple_of(2) {
        let kg = cents / 420 + 1;
        (
            format!("eu-{a:04}"),
            format!("ir-{b:04}"),
            format!(
                "3004.90;Paracetamol tablets;{kg} KGM;EUR {}.{:02}",
                cents / 100,
                cents % 100
            ),
        )
    } else {
        let kg = cents / 900 + 1;
        (
            format!("ir-{a:04}"),
            format!("eu-{b:04}"),
            format!(
                "0802.51;Pistachios in shell;{kg} KGM;EUR {}.{:02}",
                cents / 100,
                cents % 100
            ),
        )
    };
    Ok(ClaimSubmission {
        idempotency_key: format!("bench-{k}"),
        id: format!("bench-{k:07}"),
        invoice_number: format!("INV-{k}"),
        amount: format!("EUR {}.{:02}", cents / 100, cents % 100).parse()?,
        due_date: "2027-06-30".parse()?,
        incoterms: "CIP".into(),
        invoice_counterparty: InvoiceParty {
            name: format!("Counterparty of {debtor}"),
            country: None,
            kind: None,
        },
        goods_lines: vec![crate::house_cmd::parse_line(&line).with_context(|| line.clone())?],
        creditor,
        debtor,
    })
}
