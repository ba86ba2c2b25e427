//! `clearhouse benchmark house`: the clearing house under load on an empty database —
//! onboarding, claim submission from several clients (every check included), each debtor
//! accepting the claims made on it (from as many clients), one cycle with
//! its payment requests, the banks' camt.054 of the pay-ins matched, the claims posted and the
//! pay-outs made, and `verify`; the time and the peak memory of each step.

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
    /// Credits in the banks' camt.054 files: one exact pay-in per payer, the rest credits
    /// nobody asked for (booked to suspense); default one per payer.
    #[arg(long, default_value_t = 0)]
    credits: usize,
}

/// Most credits the benchmark writes.
const CREDITS_MAX: usize = 2_000_000;

/// The process's peak resident memory since the last [`peak_reset`], in MiB (Linux; 0 where
/// `/proc` cannot say).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Starts a new peak: the kernel resets the high-water mark to the memory in use now.
fn peak_reset() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One measured step: its time, the memory in use when it started (the lists in force, the
/// store's caches) and the peak the process reached during it.
#[derive(Debug, Clone, Copy, serde::Serialize)]
struct Step {
    ms: f64,
    start_mib: f64,
    peak_mib: f64,
}

fn measure<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(T, Step)> {
    peak_reset();
    let start_mib = peak_mib();
    let started = Instant::now();
    let value = f()?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok((
        value,
        Step {
            ms,
            start_mib,
            peak_mib: peak_mib(),
        },
    ))
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

pub(crate) fn participant(zone: &str, i: usize) -> OnboardingInput {
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
    let statuses = Mutex::new([0usize; 4]);
    // The claims that passed, with their debtors: accepted after the submissions.
    let passed = Mutex::new(Vec::with_capacity(args.claims));
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
                            ClaimStatus::AwaitingAcceptance => {
                                passed
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .push((s.id, s.debtor));
                                0
                            }
                            ClaimStatus::Held => 1,
                            ClaimStatus::Rejected => 2,
                            // A claim just submitted is in none of the others.
                            _ => 3,
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
    let passed = passed.into_inner().unwrap_or_else(|e| e.into_inner());
    let (accepted, accept_step) = measure(|| accept_all(&h, &passed, args.clients))?;
    let (report, cycle_step) = measure(|| {
        Ok(h.run_cycle(
            "benchmark",
            &CycleOptions {
                cutoff: None,
                out_dir: args.out.clone(),
                set_off_domestic: None,
                deadline: None,
                idempotency: None,
            },
        )?)
    })?;
    let number = report.cycle.number;
    let payers = report
        .cycle
        .positions
        .iter()
        .filter(|p| p.status == house::PositionStatus::Requested)
        .count();
    if args.credits > CREDITS_MAX {
        bail!("--credits: at most {CREDITS_MAX}");
    }
    let (files, write_step) = measure(|| bank_files(&h, &report.cycle, args.credits.max(payers)))?;
    let (imported, import_step) = measure(|| {
        let mut total = house::ImportReport::default();
        for bytes in &files {
            let r = h.import_bank_entries("bank", bytes)?;
            total.entries += r.entries;
            total.matched += r.matched;
            total.suspense += r.suspense;
        }
        Ok(total)
    })?;
    let bank_bytes: usize = files.iter().map(Vec::len).sum();
    drop(files);
    let (advanced, advance_step) = measure(|| Ok(h.advance("benchmark", number)?))?;
    let settled = h.cycle(number)?;
    let ((ledger, checked), verify_step) = measure(|| Ok((h.store().verify()?, h.verify()?)))?;
    let verifying = Duration::from_secs_f64(verify_step.ms / 1000.0);
    let cycle = Duration::from_secs_f64(cycle_step.ms / 1000.0);
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
    let cleared = settled
        .claims
        .iter()
        .filter(|c| c.status_after == ClaimStatus::Cleared)
        .count();
    let partial = settled
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
            "passed": statuses[0], "held": statuses[1], "rejected": statuses[2],
            "accepted": accepted, "accept_ms": accept_step.ms,
            "cycle_ms": ms(cycle), "cycle_claims": report.cycle.claims.len(), "cycle_cleared": cleared, "cycle_partially_cleared": partial,
            "cycle_files": settled.files.len(), "verify_ms": ms(verifying),
            "verify_ok": ledger.is_ok() && checked.is_ok(),
            "positions": settled.positions.len(), "payers": payers,
            "steps": {
                "debtors_accept": accept_step,
                "cycle_requests": cycle_step, "bank_files_written": write_step,
                "bank_files_imported": import_step, "claims_posted_and_paid_out": advance_step,
                "verify": verify_step,
            },
            "bank_file_bytes": bank_bytes, "credits": imported.entries, "credits_matched": imported.matched,
            "credits_to_suspense": imported.suspense, "claims_posted": advanced.claims_posted,
            "payouts": advanced.payouts.len(), "cycle_status": settled.status.as_str(),
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
            "{} claims from {} clients: {per_second:.0} claims/s, latency p50 {:.1} ms, p99 {:.1} ms; {} passed (awaiting acceptance), {} held, {} rejected",
            args.claims,
            args.clients,
            ms(pct(50)),
            ms(pct(99)),
            statuses[0],
            statuses[1],
            statuses[2]
        ))?;
        let step = |name: &str, s: Step| {
            line(&format!(
                "  {name:<48} {:>9.0} ms  memory {:>6.0} → peak {:>6.0} MiB",
                s.ms, s.start_mib, s.peak_mib
            ))
        };
        step(
            &format!("{accepted} claims accepted by their debtors"),
            accept_step,
        )?;
        line(&format!(
            "cycle {number}: {} claims taken ({} cleared, {} partially), {} positions, {} payers asked to pay in:",
            report.cycle.claims.len(),
            cleared,
            partial,
            settled.positions.len(),
            payers
        ))?;
        step("selection, positions and payment requests", cycle_step)?;
        step(
            &format!(
                "{} credits written as camt.054 ({} MB)",
                imported.entries,
                bank_bytes / 1_000_000
            ),
            write_step,
        )?;
        step(
            &format!(
                "imported: {} matched, {} to suspense",
                imported.matched, imported.suspense
            ),
            import_step,
        )?;
        step(
            &format!(
                "{} claims posted, {} pay-outs",
                advanced.claims_posted,
                advanced.payouts.len()
            ),
            advance_step,
        )?;
        step("verify", verify_step)?;
        line(&format!(
            "cycle {number} is {}: {} files; {} claims, {} cleared, {} partially cleared in {:.0} ms; verify ({} journal entries, {} audit entries) in {:.0} ms: {}",
            settled.status.as_str(),
            settled.files.len(),
            report.cycle.claims.len(),
            cleared,
            partial,
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

/// Each debtor accepts the claims made on it, from `clients` clients at once; returns how many.
fn accept_all(h: &House, passed: &[(String, String)], clients: usize) -> anyhow::Result<usize> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some((id, debtor)) = passed.get(k) else {
                            return Ok(());
                        };
                        h.accept_claim(&format!("{debtor}.user"), debtor, id)?;
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
    Ok(passed.len())
}

/// Claim `k`: alternately EU → IR (medicines, wheat) and IR → EU (pistachios).
pub(crate) fn submission(k: usize, participants: usize) -> anyhow::Result<ClaimSubmission> {
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

/// The banks' camt.054 files for cycle `cycle`: per zone, one exact pay-in per payer, then
/// credits nobody asked for until `credits` in all.
fn bank_files(h: &House, cycle: &house::Cycle, credits: usize) -> anyhow::Result<Vec<Vec<u8>>> {
    let payers: Vec<&house::Position> = cycle
        .positions
        .iter()
        .filter(|p| p.status == house::PositionStatus::Requested)
        .collect();
    let extra = credits.saturating_sub(payers.len());
    let zones = &h.config().zones;
    let now = (h.clock())();
    let mut files = Vec::new();
    for (z, zone) in zones.iter().enumerate() {
        let mine: Vec<&&house::Position> = payers
            .iter()
            .filter(|p| p.zone == zone.code.as_str())
            .collect();
        let strangers = extra / zones.len() + usize::from(z < extra % zones.len());
        let refs: Vec<String> = (0..mine.len() + strangers)
            .map(|i| format!("BENCH-{}-{i}", zone.code))
            .collect();
        let unknown: Vec<String> = (0..strangers)
            .map(|i| iso20022::creditor_reference(&format!("X{}{i}", zone.code)))
            .collect::<Result<_, _>>()?;
        let mut entries: Vec<iso20022::NotifiedEntry<'_>> = Vec::with_capacity(refs.len());
        for (i, p) in mine.iter().enumerate() {
            entries.push(iso20022::NotifiedEntry {
                account_servicer_reference: &refs[i],
                booked_at_ns: now,
                amount_minor: p.due_minor,
                credit: true,
                end_to_end_id: None,
                counterparty: None,
                remittance: iso20022::Remittance {
                    creditor_reference: Some(&p.reference),
                    documents: &[],
                    text: None,
                },
            });
        }
        for (k, reference) in unknown.iter().enumerate() {
            entries.push(iso20022::NotifiedEntry {
                account_servicer_reference: &refs[mine.len() + k],
                booked_at_ns: now,
                amount_minor: 10_000 * zone.minor_rate,
                credit: true,
                end_to_end_id: None,
                counterparty: None,
                remittance: iso20022::Remittance {
                    creditor_reference: Some(reference),
                    documents: &[],
                    text: None,
                },
            });
        }
        if entries.is_empty() {
            continue;
        }
        let iban = zone.account.iban().to_string();
        let bic = zone.account.bic().to_string();
        let id = format!("BENCH-{}", zone.code);
        let mut bytes = Vec::new();
        iso20022::write_camt054(
            &iso20022::Notification {
                message_id: &id,
                notification_id: &id,
                created_at_ns: now,
                currency: zone.currency,
                account: iso20022::Account {
                    name: &zone.account_name,
                    iban: &iban,
                    bic: &bic,
                },
                entries: &entries,
            },
            &mut bytes,
        )?;
        files.push(bytes);
    }
    Ok(files)
}
