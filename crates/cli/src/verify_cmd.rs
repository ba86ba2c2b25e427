//! `clearhouse verify`: the ledger journal replayed, the house's records and the files of its
//! cycles, the audit chain and every record bound to it checked; receipts kept from earlier
//! runs checked against the history; and the receipt of this run printed, to keep where the
//! operator cannot rewrite it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use house::{House, Lists};
use store::Heads;

use crate::{Ctx, house_cmd, output, system_clock};

/// Largest receipts file read, in bytes.
const RECEIPTS_FILE_BYTES_MAX: u64 = 1024 * 1024;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A receipt printed by an earlier `verify` (or kept with a cycle's files),
    /// `audit:SEQ:HASH ledger:SEQ:HASH`: the history must still hold both entries. Repeatable.
    #[arg(long = "expect-head", value_name = "RECEIPT")]
    expect_heads: Vec<String>,
    /// A file of receipts, one a line; blank lines and lines starting with `#` are skipped.
    #[arg(long, value_name = "FILE")]
    receipts: Option<PathBuf>,
}

/// A receipt and where it came from, for messages.
struct Receipt {
    origin: String,
    heads: Heads,
}

/// What the checks found.
struct Found {
    /// The heads read before every check: the receipt of this run.
    heads: Heads,
    ledger: store::VerifyReport,
    house: Option<house::HouseReport>,
    /// The audit chain's problems when there is no house (the house's report has them
    /// otherwise), then the receipts'.
    problems: Vec<String>,
    receipts: usize,
    /// Receipts the history no longer holds.
    receipts_broken: usize,
}

impl Found {
    fn is_ok(&self) -> bool {
        self.ledger.is_ok()
            && self.problems.is_empty()
            && self.house.as_ref().is_none_or(|h| h.is_ok())
    }
}

pub fn run(ctx: &Ctx, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let receipts = receipts(args)?;
    let found = check(ctx, &receipts)?;
    if ctx.json {
        print_json(ctx, &found)?;
    } else {
        print_text(&found)?;
    }
    Ok(if found.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn check(ctx: &Ctx, receipts: &[Receipt]) -> anyhow::Result<Found> {
    let store = ctx.open_existing()?;
    // The heads first: the checks below read a snapshot at least as new, so every entry up to
    // these heads is verified.
    let heads = store.heads().context("reading the journal heads")?;
    let has_house = House::is_initialised(&store)?;
    let empty = Heads {
        audit: (0, [0; 32]),
        ledger: (0, [0; 32]),
    };
    if heads == empty && !has_house {
        bail!(
            "{} is empty (no ledger journal entry, no audit entry, no house): nothing to verify",
            ctx.location
        );
    }
    let ledger = store.verify().context("reading the database")?;
    let mut problems = Vec::new();
    let mut receipt_problems = Vec::new();
    let mut receipts_broken = 0;
    for r in receipts {
        let found = store.check_heads(&r.heads)?;
        receipts_broken += usize::from(!found.is_empty());
        receipt_problems.extend(found.iter().map(|p| format!("{}: {p}", r.origin)));
    }
    let house = if has_house {
        let checker = house_cmd::checker(ctx.prices.as_deref())?;
        let house = House::open(store, system_clock(), Lists::none(), checker)?;
        Some(house.verify()?)
    } else {
        let audit = store.verify_audit().context("reading the audit journal")?;
        problems.extend(audit.problems.iter().map(|p| format!("audit: {p}")));
        None
    };
    problems.extend(receipt_problems);
    Ok(Found {
        heads,
        ledger,
        house,
        problems,
        receipts: receipts.len(),
        receipts_broken,
    })
}

fn print_json(ctx: &Ctx, found: &Found) -> std::io::Result<()> {
    let (heads, ledger) = (&found.heads, &found.ledger);
    let problems: Vec<&String> = ledger.problems.iter().chain(&found.problems).collect();
    output::json_line(&serde_json::json!({
        "type": "verify",
        "data": {
            "ok": found.is_ok(),
            "database": ctx.location.to_string(),
            "journal_entries": ledger.entries,
            "accounts": ledger.accounts,
            "transfers": ledger.transfers,
            "head_seq": heads.ledger.0,
            "head_hash": store::hash_hex(&heads.ledger.1),
            "audit_head_seq": heads.audit.0,
            "audit_head_hash": store::hash_hex(&heads.audit.1),
            "receipt": heads.to_string(),
            "receipts_checked": found.receipts,
            "problems": problems,
            "house": found.house,
        }
    }))
}

fn print_text(found: &Found) -> std::io::Result<()> {
    let (heads, ledger) = (&found.heads, &found.ledger);
    let house_problems = found.house.iter().flat_map(|h| &h.problems);
    for problem in ledger
        .problems
        .iter()
        .chain(&found.problems)
        .chain(house_problems)
    {
        output::line(&format!("problem: {problem}"))?;
    }
    let verdict = if found.is_ok() { "ok" } else { "FAILED" };
    output::line(&format!(
        "{verdict}: {} journal entries, {} accounts, {} transfers; head {} at entry {}",
        ledger.entries,
        ledger.accounts,
        ledger.transfers,
        store::hash_hex(&heads.ledger.1),
        heads.ledger.0
    ))?;
    if let Some(h) = &found.house {
        output::line(&format!(
            "house: {} participants, {} claims, {} cycles checked with {} of their files, and {} users; audit chain of {} entries intact: {}",
            h.participants,
            h.claims,
            h.cycles,
            h.files,
            h.users,
            h.audit_entries,
            h.problems.iter().all(|p| !p.starts_with("audit"))
        ))?;
    }
    if found.receipts > 0 {
        output::line(&format!(
            "receipts: {} of {} still held by the history",
            found.receipts - found.receipts_broken,
            found.receipts
        ))?;
    }
    output::line(&format!("receipt: {heads}"))
}

/// Every receipt asked for, read before the database is opened: one that cannot be read is an
/// error that names it.
fn receipts(args: &VerifyArgs) -> anyhow::Result<Vec<Receipt>> {
    let mut receipts = Vec::new();
    for (i, text) in args.expect_heads.iter().enumerate() {
        let origin = format!("--expect-head {}", i + 1);
        let heads = text.parse().with_context(|| origin.clone())?;
        receipts.push(Receipt { origin, heads });
    }
    if let Some(path) = &args.receipts {
        receipts.extend(receipts_file(path)?);
    }
    Ok(receipts)
}

/// The receipts of a file: one a line, `#` comments and blank lines skipped.
fn receipts_file(path: &Path) -> anyhow::Result<Vec<Receipt>> {
    let shown = path.display();
    let file = std::fs::File::open(path).with_context(|| format!("opening {shown}"))?;
    let mut bytes = Vec::new();
    file.take(RECEIPTS_FILE_BYTES_MAX + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {shown}"))?;
    if bytes.len() as u64 > RECEIPTS_FILE_BYTES_MAX {
        bail!("{shown} is larger than {RECEIPTS_FILE_BYTES_MAX} bytes: not a file of receipts");
    }
    let text = String::from_utf8(bytes).with_context(|| format!("{shown}: not UTF-8 text"))?;
    let mut receipts = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let origin = format!("{shown} line {}", i + 1);
        let heads = line.parse().with_context(|| origin.clone())?;
        receipts.push(Receipt { origin, heads });
    }
    if receipts.is_empty() {
        bail!("{shown} holds no receipt");
    }
    Ok(receipts)
}
