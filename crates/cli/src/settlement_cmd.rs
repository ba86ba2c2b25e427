//! `clearhouse settlement …`: a cycle's settlement after its run. Bank files in (camt.054,
//! camt.053, pain.002), money in suspense matched, refunded or kept, payers unwound at the
//! deadline, pay-outs retried.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use house::{BankEntry, Cycle, Position};

use crate::Ctx;
use crate::house_cmd::{emit, open};

/// Largest bank file read.
const BANK_FILE_BYTES_MAX: u64 = house::settlement::BANK_FILE_BYTES_MAX as u64;

#[derive(Debug, Subcommand)]
pub enum SettlementCommand {
    /// Import a bank file: camt.054 or camt.053 (credits on a zone house account matched to the
    /// payment requests by reference and amount; anything else goes to suspense with an alert)
    /// or pain.002 (the bank's status of pay-outs). The same file twice changes nothing.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Where each open cycle stands: payers paid or still due, pay-outs made or waiting.
    Status {
        /// Only this cycle (default: every cycle not settled yet).
        #[arg(long)]
        cycle: Option<u64>,
    },
    /// Money in suspense (and kept for a payer), oldest first.
    Suspense,
    /// Match money in suspense by hand to a payer's pay-in: as much as it still owes.
    Match {
        /// The bank entry (`be-…`, from `settlement suspense`).
        entry: String,
        /// The cycle.
        #[arg(long)]
        cycle: u64,
        /// The payer.
        #[arg(long)]
        participant: String,
    },
    /// Refund money in suspense to whoever sent it (a pain.001 under DIR/refunds).
    Refund {
        /// The bank entry.
        entry: String,
        /// Where the refund's pain.001 goes.
        #[arg(long, value_name = "DIR", default_value = "clearhouse-settlement")]
        out: PathBuf,
    },
    /// Keep money in suspense for a participant's next pay-in.
    Keep {
        /// The bank entry.
        entry: String,
        /// The participant it is for.
        #[arg(long)]
        participant: String,
    },
    /// Unwind every payer whose pay-in deadline passed (exit 1 if any was unwound).
    Deadline,
    /// Unwind one participant from a cycle now (its claims leave; the cycle is recomputed).
    Unwind {
        /// The cycle.
        #[arg(long)]
        cycle: u64,
        /// The participant.
        #[arg(long)]
        participant: String,
        /// Why, for the audit trail.
        #[arg(long)]
        reason: String,
        /// Suspend the participant with a case for the officers.
        #[arg(long)]
        suspend: bool,
    },
    /// Instruct a pay-out the bank rejected again.
    RetryPayout {
        /// The cycle.
        #[arg(long)]
        cycle: u64,
        /// The payee.
        #[arg(long)]
        participant: String,
    },
    /// Move a cycle on as far as its pay-ins allow (done after every import and match; for
    /// after a restored directory or a participant reinstated).
    Advance {
        /// The cycle.
        #[arg(long)]
        cycle: u64,
    },
}

pub fn run(ctx: &Ctx, cmd: SettlementCommand) -> anyhow::Result<ExitCode> {
    let h = open(ctx, false)?;
    match cmd {
        SettlementCommand::Import { file } => {
            let bytes = crate::input::read(&file, BANK_FILE_BYTES_MAX)?;
            let report = h.import_bank_file(&ctx.actor(&h)?, &bytes)?;
            emit(ctx, "bank_file", &report, |r| {
                if r.already_imported {
                    return format!(
                        "{} {} ({} entries) was imported before: nothing changed",
                        r.message, r.message_id, r.entries
                    );
                }
                let mut out = format!(
                    "{} {}: {} entries, {} matched, {} to suspense, {} already imported, {} noted, {} pay-outs confirmed, {} rejected",
                    r.message,
                    r.message_id,
                    r.entries,
                    r.matched,
                    r.suspense,
                    r.duplicates,
                    r.noted,
                    r.payouts_confirmed,
                    r.payouts_rejected
                );
                for d in &r.details {
                    out.push_str(&format!(
                        "\n  line {:<6} {:<12} {:>16} {}  {}{}",
                        d.line,
                        d.status,
                        d.amount,
                        d.currency,
                        d.reason.as_deref().unwrap_or(""),
                        match (&d.participant, d.cycle) {
                            (Some(p), Some(n)) => format!(" {p} cycle {n}"),
                            _ => String::new(),
                        }
                    ));
                }
                out
            })
        }
        SettlementCommand::Status { cycle } => {
            let cycles: Vec<Cycle> = match cycle {
                Some(n) => vec![h.cycle(n)?],
                None => h
                    .cycles()?
                    .into_iter()
                    .filter(|c| c.status != house::CycleStatus::Settled)
                    .collect(),
            };
            for c in &cycles {
                emit(ctx, "settlement", c, status_text)?;
            }
            if cycles.is_empty() && !ctx.json {
                crate::output::line("no cycle is settling")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        SettlementCommand::Suspense => {
            let entries = h.suspense(house::LIST_MAX)?;
            for e in &entries {
                emit(ctx, "bank_entry", e, entry_text)?;
            }
            if entries.is_empty() && !ctx.json {
                crate::output::line("nothing in suspense")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        SettlementCommand::Match {
            entry,
            cycle,
            participant,
        } => {
            let e = h.match_entry(&ctx.actor(&h)?, &entry, cycle, &participant)?;
            emit(ctx, "bank_entry", &e, entry_text)
        }
        SettlementCommand::Refund { entry, out } => {
            let (e, path) = h.refund_entry(&ctx.actor(&h)?, &entry, &out)?;
            emit(
                ctx,
                "bank_entry",
                &serde_json::json!({ "entry": e, "file": path }),
                |_| format!("{}\n  refund written to {path}", entry_text(&e)),
            )
        }
        SettlementCommand::Keep { entry, participant } => {
            let e = h.keep_entry(&ctx.actor(&h)?, &entry, &participant)?;
            emit(ctx, "bank_entry", &e, entry_text)
        }
        SettlementCommand::Deadline => {
            let reports = h.unwind_overdue(&ctx.actor(&h)?)?;
            for r in &reports {
                emit(ctx, "unwind", r, unwind_text)?;
            }
            if reports.is_empty() {
                if !ctx.json {
                    crate::output::line("no payer is past its deadline")?;
                }
                Ok(ExitCode::SUCCESS)
            } else {
                Ok(ExitCode::from(1))
            }
        }
        SettlementCommand::Unwind {
            cycle,
            participant,
            reason,
            suspend,
        } => {
            let r = h.unwind(&ctx.actor(&h)?, cycle, &[participant], &reason, suspend)?;
            emit(ctx, "unwind", &r, unwind_text)
        }
        SettlementCommand::RetryPayout { cycle, participant } => {
            let p = h.retry_payout(&ctx.actor(&h)?, cycle, &participant)?;
            emit(ctx, "position", &p, position_text)
        }
        SettlementCommand::Advance { cycle } => {
            let r = h.advance(&ctx.actor(&h)?, cycle)?;
            emit(ctx, "advance", &r, |r| {
                format!(
                    "cycle {}: {}; {} claims posted, {} paid out{}",
                    r.cycle,
                    r.status,
                    r.claims_posted,
                    r.payouts.len(),
                    if r.payees_blocked.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; not paid while not active: {}",
                            r.payees_blocked.join(", ")
                        )
                    }
                )
            })
        }
    }
}

/// An amount in minor units of `currency` (an ISO 4217 code) as `EUR 1234.50`.
pub use house::money_text as money;

fn position_text(p: &Position) -> String {
    let what = if p.net_minor < 0 {
        "pays in"
    } else if p.net_minor > 0 {
        "is paid"
    } else {
        "nets to zero"
    };
    let mut out = format!(
        "  {:<24} {:<10} {what} {}",
        p.participant,
        p.status.as_str(),
        money(p.due_minor, &p.currency)
    );
    if p.net_minor < 0 {
        out.push_str(&format!(
            ", received {} (reference {})",
            money(p.received_minor, &p.currency),
            p.reference
        ));
    }
    if let Some(x) = &p.payout {
        out.push_str(&format!(
            ", pay-out {} attempt {}{}{}",
            x.end_to_end_id,
            x.attempt,
            if x.confirmed {
                ", confirmed by the bank"
            } else {
                ""
            },
            x.rejection
                .as_deref()
                .map(|r| format!(", rejected: {r}"))
                .unwrap_or_default()
        ));
    }
    out
}

pub fn status_text(c: &Cycle) -> String {
    let paid = c
        .positions
        .iter()
        .filter(|p| p.net_minor < 0 && p.status == house::PositionStatus::Paid)
        .count();
    let payers = c.positions.iter().filter(|p| p.net_minor < 0).count();
    let mut out = format!(
        "cycle {}: {} (revision {}), pay-ins due by {}: {paid} of {payers} payers paid",
        c.number,
        c.status.as_str(),
        c.revision,
        model::calendar::utc_timestamp(c.deadline)
    );
    for p in &c.positions {
        out.push('\n');
        out.push_str(&position_text(p));
    }
    for u in &c.unwinds {
        out.push_str(&format!(
            "\n  unwound {} at {}: {} ({} claims left{})",
            u.participant,
            model::calendar::utc_timestamp(u.at),
            u.reason,
            u.claims_left.len(),
            if u.also_left.is_empty() {
                String::new()
            } else {
                format!("; also left: {}", u.also_left.join(", "))
            }
        ));
    }
    out
}

fn entry_text(e: &BankEntry) -> String {
    format!(
        "{} {:<9} {} in zone {}{}{}{}, line {} of file {}",
        e.id,
        e.status.as_str(),
        money(
            e.remaining_minor
                .max(if e.status == house::BankEntryStatus::Suspense {
                    0
                } else {
                    e.amount_minor
                }),
            &e.currency
        ),
        e.zone,
        e.reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default(),
        e.counterparty
            .name
            .as_deref()
            .map(|n| format!(" from {n}"))
            .unwrap_or_default(),
        e.reference
            .as_deref()
            .map(|r| format!(" ref {r}"))
            .unwrap_or_default(),
        e.line,
        &e.file_sha256[..e.file_sha256.len().min(12)]
    )
}

fn unwind_text(r: &house::UnwindReport) -> String {
    format!(
        "cycle {} revision {}: unwound {}{}; {} claims left the cycle, {} stay; cleared {} → {}; pay-ins no longer needed: {}",
        r.cycle,
        r.revision,
        r.unwound.join(", "),
        if r.also_left.is_empty() {
            String::new()
        } else {
            format!(" (also left: {})", r.also_left.join(", "))
        },
        r.claims_left,
        r.claims_kept,
        money(r.cleared_minor_before, &r.currency),
        money(r.cleared_minor_after, &r.currency),
        if r.unneeded.is_empty() {
            "none".to_owned()
        } else {
            r.unneeded.join(", ")
        }
    )
}
