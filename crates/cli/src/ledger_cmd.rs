//! `clearhouse ledger …`: the ledger by hand.

use std::fmt::Display;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use clap::Subcommand;
use ledger::{
    AccountFlags, BATCH_EVENTS_MAX, CreateAccountResult, CreateTransferResult, NewAccount,
    NewTransfer, TransferFlags,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use store::{Store, StoreError};

use crate::Ctx;
use crate::output::{json_line, line};

/// Longest input line read, in bytes.
const LINE_BYTES_MAX: usize = 64 * 1024;

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Create accounts from JSON Lines, one account per line, e.g.
    /// {"id": 1, "ledger": 978, "code": 1, "flags": ["debits_must_not_exceed_credits"]}
    CreateAccounts {
        /// File to read; standard input if absent or `-`.
        file: Option<PathBuf>,
    },
    /// Create transfers from JSON Lines, one transfer per line, e.g.
    /// {"id": 7, "debit_account_id": 1, "credit_account_id": 2, "amount": 12345, "ledger": 978, "code": 1}
    CreateTransfers {
        /// File to read; standard input if absent or `-`.
        file: Option<PathBuf>,
    },
    /// Show accounts with their balances.
    Accounts {
        /// Account ids.
        #[arg(required = true)]
        ids: Vec<u64>,
    },
    /// Show transfers.
    Transfers {
        /// Transfer ids.
        #[arg(required = true)]
        ids: Vec<u64>,
    },
    /// List an account's transfers, oldest first.
    AccountTransfers {
        /// The account.
        account: u64,
        /// Only transfers after this timestamp (nanoseconds), to page through.
        #[arg(long, default_value_t = 0)]
        after: u64,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

pub fn run(ctx: &Ctx, cmd: LedgerCommand) -> anyhow::Result<ExitCode> {
    // Commands that only read never create a database where none is.
    let store = match cmd {
        LedgerCommand::CreateAccounts { .. } | LedgerCommand::CreateTransfers { .. } => {
            let store = ctx.open()?;
            // A house's ledger moves only through the house, so that every movement has its
            // claim or cycle and its audit entry (verify reports any other).
            if house::House::is_initialised(&store)? {
                anyhow::bail!(
                    "this database holds a clearing house: its ledger moves only through the house (claims, reviews, cycles), each movement audited; use a database of its own for the ledger by hand"
                );
            }
            store
        }
        LedgerCommand::Accounts { .. }
        | LedgerCommand::Transfers { .. }
        | LedgerCommand::AccountTransfers { .. } => ctx.open_existing()?,
    };
    match cmd {
        LedgerCommand::CreateAccounts { file } => create::<NewAccount>(ctx, &store, file),
        LedgerCommand::CreateTransfers { file } => create::<NewTransfer>(ctx, &store, file),
        LedgerCommand::Accounts { ids } => show_accounts(ctx, &store, &ids),
        LedgerCommand::Transfers { ids } => {
            let rows = store.lookup_transfers(&ids)?;
            show_transfers(ctx, &rows, &ids)
        }
        LedgerCommand::AccountTransfers {
            account,
            after,
            limit,
        } => {
            let rows = store.account_transfers(account, after, limit)?;
            show_transfers(ctx, &rows, &[])
        }
    }
}

/// An event read from JSON Lines.
trait Event: DeserializeOwned + Send + 'static {
    type Result: Copy + Display + Serialize + PartialEq;
    const KIND: &'static str;
    fn id(&self) -> u64;
    fn linked(&self) -> bool;
    fn submit(store: &Store, events: Vec<Self>) -> Result<Vec<Self::Result>, StoreError>;
    fn succeeded(result: Self::Result) -> bool;
}

impl Event for NewAccount {
    type Result = CreateAccountResult;
    const KIND: &'static str = "account";
    fn id(&self) -> u64 {
        self.id
    }
    fn linked(&self) -> bool {
        self.flags.contains(AccountFlags::LINKED)
    }
    fn submit(store: &Store, events: Vec<Self>) -> Result<Vec<Self::Result>, StoreError> {
        store.create_accounts(events)
    }
    fn succeeded(r: Self::Result) -> bool {
        matches!(r, CreateAccountResult::Ok | CreateAccountResult::Exists)
    }
}

impl Event for NewTransfer {
    type Result = CreateTransferResult;
    const KIND: &'static str = "transfer";
    fn id(&self) -> u64 {
        self.id
    }
    fn linked(&self) -> bool {
        self.flags.contains(TransferFlags::LINKED)
    }
    fn submit(store: &Store, events: Vec<Self>) -> Result<Vec<Self::Result>, StoreError> {
        store.create_transfers(events)
    }
    fn succeeded(r: Self::Result) -> bool {
        matches!(r, CreateTransferResult::Ok | CreateTransferResult::Exists)
    }
}

/// Counts of what was submitted.
#[derive(Default)]
struct Tally {
    submitted: usize,
    failed: usize,
}

/// Reads events line by line and submits them in batches that never split a linked chain.
/// On a malformed line, everything before it that forms complete chains is submitted first.
fn create<E: Event>(ctx: &Ctx, store: &Store, file: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let input: Box<dyn BufRead> = match file.as_deref() {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
        Some(p) => Box::new(BufReader::new(
            File::open(p).with_context(|| format!("opening {}", p.display()))?,
        )),
    };
    let mut tally = Tally::default();
    let mut pending: Vec<(usize, E)> = Vec::new();
    for (index, text) in bounded_lines(input).enumerate() {
        let number = index + 1;
        let parsed = text.and_then(|text| parse_line::<E>(&text));
        let event = match parsed {
            Ok(Some(event)) => event,
            Ok(None) => continue,
            Err(e) => {
                let complete = pending
                    .iter()
                    .rposition(|(_, e)| !e.linked())
                    .map_or(0, |i| i + 1);
                let left = pending.len() - complete;
                pending.truncate(complete);
                flush(ctx, store, &mut pending, &mut tally)?;
                let mut msg = format!("line {number}: {e:#}");
                msg += &format!(
                    "; the {} {}s before it were submitted",
                    tally.submitted,
                    E::KIND
                );
                if left > 0 {
                    msg += &format!(", the {left} of its unfinished linked chain were not");
                }
                bail!(msg);
            }
        };
        pending.push((number, event));
        if pending.len() == BATCH_EVENTS_MAX {
            let Some(last_end) = pending.iter().rposition(|(_, e)| !e.linked()) else {
                bail!(
                    "line {number}: linked chain starting at line {} is longer than a batch ({BATCH_EVENTS_MAX} events); \
                     the {} {}s before it were submitted",
                    pending[0].0,
                    tally.submitted,
                    E::KIND
                );
            };
            let rest = pending.split_off(last_end + 1);
            flush(ctx, store, &mut pending, &mut tally)?;
            pending = rest;
        }
    }
    flush(ctx, store, &mut pending, &mut tally)?;
    if !ctx.json {
        line(&format!(
            "{} {}s submitted, {} not applied",
            tally.submitted,
            E::KIND,
            tally.failed
        ))?;
    }
    Ok(if tally.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The lines of `input`, each read only up to [`LINE_BYTES_MAX`] bytes: a longer line is an
/// error, not an allocation of whatever size the input has.
fn bounded_lines(mut input: Box<dyn BufRead>) -> impl Iterator<Item = anyhow::Result<String>> {
    std::iter::from_fn(move || {
        let mut line = Vec::new();
        let limit = LINE_BYTES_MAX as u64 + 1;
        match input.as_mut().take(limit).read_until(b'\n', &mut line) {
            Ok(0) => None,
            Ok(_) if line.last() == Some(&b'\n') => {
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                Some(String::from_utf8(line).map_err(|_| anyhow!("cannot be read: not UTF-8")))
            }
            Ok(_) if line.len() > LINE_BYTES_MAX => {
                Some(Err(anyhow!("longer than {LINE_BYTES_MAX} bytes")))
            }
            Ok(_) => {
                Some(String::from_utf8(line).map_err(|_| anyhow!("cannot be read: not UTF-8")))
            }
            Err(e) => Some(Err(anyhow::Error::new(e).context("cannot be read"))),
        }
    })
}

fn parse_line<E: Event>(text: &str) -> anyhow::Result<Option<E>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(text)
        .map(Some)
        .with_context(|| format!("not a valid {} ", E::KIND))
}

fn flush<E: Event>(
    ctx: &Ctx,
    store: &Store,
    pending: &mut Vec<(usize, E)>,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let (numbers, events): (Vec<usize>, Vec<E>) = pending.drain(..).unzip();
    let ids: Vec<u64> = events.iter().map(E::id).collect();
    let results = E::submit(store, events).context("submitting to the ledger")?;
    tally.submitted += results.len();
    for ((number, id), result) in numbers.into_iter().zip(ids).zip(results) {
        let ok = E::succeeded(result);
        tally.failed += usize::from(!ok);
        if ctx.json {
            json_line(
                &json!({"type": "result", "data": {"line": number, "id": id, "result": result}}),
            )?;
        } else if !ok {
            line(&format!("line {number}: {} {id}: {result}", E::KIND))?;
        }
    }
    Ok(())
}

fn show_accounts(ctx: &Ctx, store: &Store, ids: &[u64]) -> anyhow::Result<ExitCode> {
    let accounts = store.lookup_accounts(ids)?;
    if !ctx.json {
        line(&format!(
            "{:>20} {:>6} {:>5} {:>20} {:>20} {:>20} {:>20}  flags",
            "id",
            "ledger",
            "code",
            "debits_pending",
            "debits_posted",
            "credits_pending",
            "credits_posted"
        ))?;
    }
    for a in &accounts {
        if ctx.json {
            json_line(&json!({"type": "account", "data": a}))?;
        } else {
            line(&format!(
                "{:>20} {:>6} {:>5} {:>20} {:>20} {:>20} {:>20}  {}",
                a.id,
                a.ledger,
                a.code,
                a.debits_pending,
                a.debits_posted,
                a.credits_pending,
                a.credits_posted,
                a.flags.names().collect::<Vec<_>>().join(",")
            ))?;
        }
    }
    report_missing(
        ctx,
        "account",
        ids,
        &accounts.iter().map(|a| a.id).collect::<Vec<_>>(),
    )
}

fn show_transfers(
    ctx: &Ctx,
    rows: &[store::TransferRow],
    asked: &[u64],
) -> anyhow::Result<ExitCode> {
    if !ctx.json {
        line(&format!(
            "{:>20} {:>20} {:>20} {:>20} {:>6} {:>5} {:>20} {:>8}  flags",
            "id",
            "debit_account_id",
            "credit_account_id",
            "amount",
            "ledger",
            "code",
            "timestamp",
            "pending"
        ))?;
    }
    for (t, state) in rows {
        let status = state.map(|s| s.status.as_str());
        if ctx.json {
            json_line(
                &json!({"type": "transfer", "data": {"transfer": t, "pending_status": status}}),
            )?;
        } else {
            line(&format!(
                "{:>20} {:>20} {:>20} {:>20} {:>6} {:>5} {:>20} {:>8}  {}",
                t.id,
                t.debit_account_id,
                t.credit_account_id,
                t.amount,
                t.ledger,
                t.code,
                t.timestamp,
                status.unwrap_or("-"),
                t.flags.names().collect::<Vec<_>>().join(",")
            ))?;
        }
    }
    report_missing(
        ctx,
        "transfer",
        asked,
        &rows.iter().map(|(t, _)| t.id).collect::<Vec<_>>(),
    )
}

fn report_missing(ctx: &Ctx, kind: &str, asked: &[u64], found: &[u64]) -> anyhow::Result<ExitCode> {
    let missing: Vec<u64> = asked
        .iter()
        .copied()
        .filter(|id| !found.contains(id))
        .collect();
    for id in &missing {
        if ctx.json {
            json_line(&json!({"type": "not_found", "data": {"kind": kind, "id": id}}))?;
        } else {
            eprintln!("{kind} {id}: not found");
        }
    }
    Ok(if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
