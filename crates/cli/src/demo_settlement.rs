//! The demo's settlement walk: the cycle's payment requests, the banks' notifications (one
//! exact pay-in per payer, one short, one credit nobody asked for), the operator's matching
//! and refund, a payer unwound at its deadline, pay-outs and the bank's status report, and
//! the statements. The demo plays the banks: it writes their camt.054 and pain.002 files.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use house::{Cycle, CycleOptions, House, Position, PositionStatus};
use iso20022::{
    Account, Notification, NotifiedEntry, Party, Remittance, StatusReport, TransactionStatus,
};
use store::Clock;

use crate::demo::Demo;
use crate::settlement_cmd::money;

const HOUR_NS: u64 = 3_600 * 1_000_000_000;

/// The demo's clock: the system's, moved forward when the demo lets time pass.
#[derive(Debug, Clone, Default)]
pub struct DemoClock {
    ahead_ns: Arc<AtomicU64>,
}

impl DemoClock {
    pub fn clock(&self) -> Clock {
        let system = crate::system_clock();
        let ahead = self.ahead_ns.clone();
        Arc::new(move || system().saturating_add(ahead.load(Ordering::Relaxed)))
    }

    fn pass(&self, ns: u64) {
        self.ahead_ns.fetch_add(ns, Ordering::Relaxed);
    }
}

/// The bank of a zone, as the demo plays it: it writes what arrived on the house's account.
struct Bank<'a> {
    house: &'a House,
    zone: &'a house::config::Zone,
    files: &'a Path,
    sequence: u32,
}

/// A credit the bank reports.
struct Credit {
    from: (String, String, String),
    amount_minor: i64,
    reference: Option<String>,
}

impl Bank<'_> {
    fn notification(&mut self, credits: &[Credit]) -> anyhow::Result<std::path::PathBuf> {
        self.sequence += 1;
        let now = (self.house.clock())();
        let refs: Vec<String> = (0..credits.len())
            .map(|i| format!("{}-{}-{:04}", self.zone.code, self.sequence, i + 1))
            .collect();
        let entries: Vec<NotifiedEntry<'_>> = credits
            .iter()
            .zip(&refs)
            .map(|(c, r)| NotifiedEntry {
                account_servicer_reference: r,
                booked_at_ns: now,
                amount_minor: c.amount_minor,
                credit: true,
                end_to_end_id: None,
                counterparty: Some(Party {
                    name: &c.from.0,
                    iban: Some(&c.from.1),
                    other_account: None,
                    bic: Some(&c.from.2),
                }),
                remittance: Remittance {
                    creditor_reference: c.reference.as_deref(),
                    documents: &[],
                    text: None,
                },
            })
            .collect();
        let iban = self.zone.account.iban().to_string();
        let bic = self.zone.account.bic().to_string();
        let id = format!("BANK-{}-{}", self.zone.code, self.sequence);
        let n = Notification {
            message_id: &id,
            notification_id: &id,
            created_at_ns: now,
            currency: self.zone.currency,
            account: Account {
                name: &self.zone.account_name,
                iban: &iban,
                bic: &bic,
            },
            entries: &entries,
        };
        let mut bytes = Vec::new();
        iso20022::write_camt054(&n, &mut bytes)?;
        let path = self
            .files
            .join(format!("camt054-{}-{}.xml", self.zone.code, self.sequence));
        std::fs::write(&path, bytes).with_context(|| path.display().to_string())?;
        Ok(path)
    }
}

fn sender(h: &House, id: &str) -> anyhow::Result<(String, String, String)> {
    let p = h.participant(id)?;
    let a = p
        .participant
        .bank_account()
        .with_context(|| format!("{id} has no bank account"))?;
    Ok((
        p.participant.legal_name().to_owned(),
        a.iban().to_string(),
        a.bic().to_string(),
    ))
}

fn import(demo: &Demo, path: &Path) -> anyhow::Result<house::ImportReport> {
    let bytes = std::fs::read(path)?;
    let r = demo.house.import_bank_file("operator", &bytes)?;
    demo.say(&format!(
        "  {} {}: {} matched, {} to suspense{}",
        r.message,
        path.file_name().and_then(|f| f.to_str()).unwrap_or(""),
        r.matched,
        r.suspense,
        if r.already_imported {
            " — imported before: nothing changed".to_owned()
        } else {
            String::new()
        }
    ))?;
    for d in r.details.iter().filter(|d| d.status != "matched") {
        demo.say(&format!(
            "    {} {} {}: {}",
            d.entry,
            d.currency,
            d.amount,
            d.reason.as_deref().unwrap_or("")
        ))?;
    }
    Ok(r)
}

/// Runs the cycle and walks its settlement to the end. Returns the settled cycle.
pub fn walk(demo: &Demo, dir: &Path, clock: &DemoClock) -> anyhow::Result<Cycle> {
    let h = &demo.house;
    let out_dir = dir.join("settlement");
    let bank_dir = dir.join("bank");
    std::fs::create_dir_all(&bank_dir)?;
    let report = h.run_cycle(
        "operator",
        &CycleOptions {
            cutoff: None,
            out_dir,
            set_off_domestic: None,
            deadline: None,
            idempotency: None,
        },
    )?;
    let c = &report.cycle;
    demo.say(&format!(
        "\nCycle {} fixed its selection: {} claims clear {}; nothing is paid yet. Payment requests (pain.013 and CSV) in {}, due by {}:",
        c.number,
        c.claims.len(),
        money(c.claims.iter().map(|x| x.cleared_minor).sum(), &c.clearing_currency),
        report.directory,
        model::calendar::utc_timestamp(c.deadline)
    ))?;
    for p in c.positions.iter().filter(|p| p.net_minor < 0) {
        demo.say(&format!(
            "  {:<22} zone {} pays in {:>22}  reference {}",
            p.participant,
            p.zone,
            money(p.due_minor, &p.currency),
            p.reference
        ))?;
    }
    if let Some(receipt) = &c.receipt {
        demo.say(&format!(
            "  every file carries the receipt {receipt}\n  (kept outside the house, `clearhouse verify --expect-head` proves the history still holds it)"
        ))?;
    }
    let payers = |zone: &str| -> Vec<Position> {
        c.positions
            .iter()
            .filter(|p| p.zone == zone && p.net_minor < 0)
            .cloned()
            .collect()
    };
    let eu = payers("EU");
    let ir = payers("IR");
    // One EU payer pays short, then the rest; one IR payer (if there are two) never pays.
    let short = eu.first().cloned();
    let defaulter = (ir.len() >= 2).then(|| ir[ir.len() - 1].clone());
    demo.say("\nThe banks report what arrived on the house's accounts (camt.054):")?;
    let zone = |code: &str| {
        h.config()
            .zones
            .iter()
            .find(|z| z.code.as_str() == code)
            .cloned()
    };
    let eu_zone = zone("EU").context("zone EU")?;
    let ir_zone = zone("IR").context("zone IR")?;
    let mut eu_bank = Bank {
        house: h,
        zone: &eu_zone,
        files: &bank_dir,
        sequence: 0,
    };
    let mut ir_bank = Bank {
        house: h,
        zone: &ir_zone,
        files: &bank_dir,
        sequence: 0,
    };
    let mut credits = Vec::new();
    for p in &eu {
        let short_by = if short
            .as_ref()
            .is_some_and(|s| s.participant == p.participant)
        {
            p.due_minor / 4
        } else {
            0
        };
        credits.push(Credit {
            from: sender(h, &p.participant)?,
            amount_minor: p.due_minor - short_by,
            reference: Some(p.reference.clone()),
        });
    }
    credits.push(Credit {
        from: (
            "Stadtwerke Musterstadt GmbH".into(),
            "DE89370400440532013000".into(),
            "COBADEFFXXX".into(),
        ),
        amount_minor: 125_000,
        reference: None,
    });
    let eu_file = eu_bank.notification(&credits)?;
    import(demo, &eu_file)?;
    let mut credits = Vec::new();
    for p in ir.iter().filter(|p| {
        defaulter
            .as_ref()
            .is_none_or(|d| d.participant != p.participant)
    }) {
        credits.push(Credit {
            from: sender(h, &p.participant)?,
            amount_minor: p.due_minor,
            reference: Some(p.reference.clone()),
        });
    }
    if !credits.is_empty() {
        let ir_file = ir_bank.notification(&credits)?;
        import(demo, &ir_file)?;
    }
    demo.say("  the same EU file imported again:")?;
    import(demo, &eu_file)?;
    if let Some(s) = &short {
        demo.say(&format!(
            "\n{} pays the rest it owes; the operator matches both parts by hand:",
            s.participant
        ))?;
        let rest = Credit {
            from: sender(h, &s.participant)?,
            amount_minor: s.due_minor / 4,
            reference: Some(s.reference.clone()),
        };
        let file = eu_bank.notification(&[rest])?;
        import(demo, &file)?;
        let entries = h.suspense(house::LIST_MAX)?;
        for e in entries
            .iter()
            .filter(|e| e.reference.as_deref() == Some(s.reference.as_str()))
        {
            let m = h.match_entry("operator", &e.id, c.number, &s.participant)?;
            demo.say(&format!(
                "  {} matched to {}'s pay-in ({} left in suspense)",
                e.id,
                s.participant,
                money(m.remaining_minor, &m.currency)
            ))?;
        }
    }
    for e in h.suspense(house::LIST_MAX)? {
        if e.reason.as_deref() == Some("unknown_reference") {
            let (_, path) = h.refund_entry("operator", &e.id, &dir.join("settlement"))?;
            demo.say(&format!(
                "  {} from {} matches no request: refunded ({})",
                money(e.amount_minor, &e.currency),
                e.counterparty.name.as_deref().unwrap_or("?"),
                path
            ))?;
        }
    }
    if let Some(d) = &defaulter {
        demo.say(&format!(
            "\nThe deadline passes; {} has not paid its {}:",
            d.participant,
            money(d.due_minor, &d.currency)
        ))?;
        clock.pass(c.deadline.saturating_sub((h.clock())()) + HOUR_NS);
        for r in h.unwind_overdue("operator")? {
            demo.say(&format!(
                "  unwound {}: {} claims left the cycle, {} stay; it clears {} instead of {}; the payer is suspended with a case",
                r.unwound.join(", "),
                r.claims_left,
                r.claims_kept,
                money(r.cleared_minor_after, &r.currency),
                money(r.cleared_minor_before, &r.currency)
            ))?;
            for id in &r.unneeded {
                let e = h.bank_entry(id)?;
                let (_, path) = h.refund_entry("operator", id, &dir.join("settlement"))?;
                demo.say(&format!(
                    "  {} paid by {} is no longer needed: refunded ({path})",
                    money(e.amount_minor, &e.currency),
                    e.participant.as_deref().unwrap_or("?")
                ))?;
            }
        }
    }
    let c = h.cycle(c.number)?;
    demo.say(&format!(
        "\nEvery pay-in is in: the claims are posted and the payees paid (pain.001, one payment per payee naming its invoices). Cycle {} is {}.",
        c.number,
        c.status.as_str()
    ))?;
    for p in c.positions.iter().filter(|p| p.payout.is_some()) {
        demo.say(&format!(
            "  {:<22} zone {} paid {:>22}",
            p.participant,
            p.zone,
            money(p.due_minor, &p.currency)
        ))?;
    }
    // The EU bank confirms its pay-outs.
    confirm_payouts(demo, &c, &bank_dir)?;
    let c = h.cycle(c.number)?;
    let statements = c
        .files
        .iter()
        .filter(|f| f.path.contains("statement") || f.path.contains("house-account"))
        .count();
    demo.say(&format!(
        "  {} statements written (camt.053 and CSV of each participant's account at the house and of each zone house account); {} files in all.",
        statements,
        c.files.len()
    ))?;
    let waiting = c
        .positions
        .iter()
        .filter(|p| {
            matches!(
                p.status,
                PositionStatus::Requested | PositionStatus::Waiting
            )
        })
        .count();
    if waiting > 0 {
        demo.say(&format!("  {waiting} positions still open"))?;
    }
    Ok(c)
}

/// The banks' pain.002: every pay-out accepted.
fn confirm_payouts(demo: &Demo, c: &Cycle, bank_dir: &Path) -> anyhow::Result<()> {
    let mut messages: Vec<&str> = c
        .positions
        .iter()
        .filter_map(|p| p.payout.as_ref().map(|x| x.message_id.as_str()))
        .collect();
    messages.sort_unstable();
    messages.dedup();
    for message in messages {
        let statuses: Vec<TransactionStatus<'_>> = c
            .positions
            .iter()
            .filter_map(|p| p.payout.as_ref())
            .filter(|x| x.message_id == message)
            .map(|x| TransactionStatus {
                original_end_to_end_id: &x.end_to_end_id,
                status: "ACSC",
                reason: None,
                additional_info: None,
            })
            .collect();
        let id = format!("STS-{message}");
        let report = StatusReport {
            message_id: &id,
            created_at_ns: (demo.house.clock())(),
            original_message_id: message,
            original_message_name: "pain.001.001.09",
            original_payment_information_id: message,
            transactions: &statuses,
        };
        let mut bytes = Vec::new();
        iso20022::write_pain002(&report, &mut bytes)?;
        let path = bank_dir.join(format!("pain002-{message}.xml"));
        std::fs::write(&path, &bytes)?;
        let r = demo.house.import_bank_file("operator", &bytes)?;
        demo.say(&format!(
            "  the bank's pain.002 for {message}: {} pay-outs confirmed, {} rejected",
            r.payouts_confirmed, r.payouts_rejected
        ))?;
    }
    Ok(())
}
