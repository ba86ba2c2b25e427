//! `clearhouse demo`: the whole house end to end on a fresh database, explained as it goes.
//!
//! A two-zone instrument (the EU in euros, Iran in rials at an agreed rate), a realistic
//! population (one Iranian firm whose director is a listed person written in another
//! transliteration, one European firm with an EU-listed beneficial owner), claims for medicines,
//! wheat, medical devices, a Common High Priority List item, a dual-use item mis-declared under
//! a benign code and an over-invoiced line; what was held and why; the debtors accepting their
//! claims (one in advance, while it is reviewed) and disputing one; a four-eyes release; a cycle
//! with its settlement files; `verify`; and a summary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use house::{ClaimStatus, ClaimSubmission, House, Lists, Verdict};
use store::{Location, Store};

use crate::{output, system_clock};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the demo's database (unless --database-url is given), reference prices and
    /// settlement files; emptied first.
    #[arg(long, default_value = "clearhouse-demo")]
    dir: PathBuf,
}

impl DemoArgs {
    /// The demo in `dir`.
    pub fn new(dir: PathBuf) -> DemoArgs {
        DemoArgs { dir }
    }
}

pub(crate) struct Demo {
    pub house: House,
    json: bool,
}

impl Demo {
    pub fn say(&self, text: &str) -> anyhow::Result<()> {
        if self.json {
            output::json_line(&serde_json::json!({ "type": "demo", "data": text }))?;
        } else {
            output::line(text)?;
        }
        Ok(())
    }
}

pub fn run(
    database_url: Option<&str>,
    json: bool,
    _lists_dir: &Path,
    args: &DemoArgs,
) -> anyhow::Result<ExitCode> {
    let dir = &args.dir;
    // A database given by URL is checked before the directory is emptied, so that a refused run
    // keeps the settlement files of the run that filled it (a SQLite file inside the directory
    // goes with the directory and needs no check).
    if let Some(url) = database_url {
        let location = Location::parse(url)?;
        if !matches!(&location, Location::Sqlite(path) if path.starts_with(dir)) {
            let store = Store::open(location.clone(), system_clock())
                .with_context(|| format!("opening {location}"))?;
            refuse_a_house(&store, &location)?;
        }
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("emptying {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let location = match database_url {
        Some(url) => Location::parse(url)?,
        None => Location::Sqlite(dir.join("demo.db")),
    };
    let clock = crate::demo_settlement::DemoClock::default();
    let store = Store::open(location.clone(), clock.clock())
        .with_context(|| format!("opening {location}"))?;
    refuse_a_house(&store, &location)?;
    // The reference prices go beside the database, where `--prices` can name them later.
    let prices = dir.join("reference-prices.csv");
    std::fs::write(&prices, house::demo::REFERENCE_PRICES_CSV)?;
    let lists = Lists::bundled()?;
    let checker = crate::house_cmd::checker(Some(&prices))?;
    let config = house::demo::config();
    let house = House::init(store, clock.clock(), lists, checker, config, "operator")?;
    let demo = Demo { house, json };
    demo.say(&format!(
        "Clearhouse demo on {location}: lists {}, zones EU (EUR) and IR (IRR at 480,000 IRR per EUR), cleared in EUR.",
        demo.house.lists().version
    ))?;
    onboard(&demo)?;
    let claims = submit(&demo, &clock)?;
    answer(&demo)?;
    review(&demo, &claims)?;
    let cycle = crate::demo_settlement::walk(&demo, dir, &clock)?;
    let ledger = demo.house.store().verify()?;
    let checked = demo.house.verify()?;
    for p in ledger.problems.iter().chain(&checked.problems) {
        demo.say(&format!("verify problem: {p}"))?;
    }
    if !ledger.is_ok() || !checked.is_ok() {
        demo.say("verify FAILED")?;
        return Ok(ExitCode::from(1));
    }
    demo.say(&format!(
        "\nverify: ok — ledger journal of {} entries replayed ({} accounts, {} transfers); {} claims and {} cycle checked against their postings; audit chain of {} entries intact.",
        ledger.entries, ledger.accounts, ledger.transfers, checked.claims, checked.cycles, checked.audit_entries
    ))?;
    summary(&demo, &cycle)?;
    Ok(ExitCode::SUCCESS)
}

fn refuse_a_house(store: &Store, location: &Location) -> anyhow::Result<()> {
    if House::is_initialised(store)? {
        bail!("{location} holds a clearing house already: the demo needs an empty database");
    }
    Ok(())
}

fn onboard(demo: &Demo) -> anyhow::Result<()> {
    demo.say("\nOnboarding (every legal name, beneficial owner, director and bank screened):")?;
    for input in &house::demo::participants()? {
        let rec = demo.house.onboard("operator", input)?;
        let mut line = format!(
            "  {:<18} {:<34} {:<2} {}",
            input.id,
            input.legal_name,
            input.zone,
            rec.status.as_str()
        );
        for s in &rec.screening {
            for hit in &s.hits {
                line.push_str(&format!(
                    "\n      {} {:?} matches {} {:?} on {} (score {:.3})",
                    s.role.as_str(),
                    s.name,
                    hit.entity_id,
                    hit.caption,
                    hit.list,
                    hit.score
                ));
            }
        }
        demo.say(&line)?;
    }
    Ok(())
}

fn submit(
    demo: &Demo,
    clock: &crate::demo_settlement::DemoClock,
) -> anyhow::Result<BTreeMap<&'static str, house::ClaimRecord>> {
    demo.say("\nClaims (checks in order: parties, double claims, invoice counterparty, goods policy, price bands, monitoring):")?;
    // Due as real trade credit would be, counted from the house's clock when the demo runs.
    let claims = house::demo::claims(clock.clock()())?;
    let medicines = claims
        .iter()
        .find(|c| c.submission.id == "c-medicines")
        .map(|c| c.submission.clone())
        .context("the demo's claims have no c-medicines")?;
    let mut out = BTreeMap::new();
    let mut last = Vec::new();
    for house::demo::DemoClaim {
        label: what,
        submission: c,
    } in claims
    {
        // Last, so that it changes no other claim's checks: its debtor will dispute it.
        if c.id == "c-gum" {
            last.push((what, c));
            continue;
        }
        let rec = submit_one(demo, &what, &c)?;
        out.insert(what_key(&what), rec);
    }
    // A client retrying the same request gets the first answer, not a second claim.
    let again = demo.house.submit_claim("eu-pharma", &medicines)?;
    demo.say(&format!(
        "  retry of c-medicines with the same idempotency key: {} (replayed: {})",
        again.claim.status.as_str(),
        again.replayed
    ))?;
    // The same invoice again under another claim id and invoice number: a possible double claim.
    let twin = demo
        .house
        .submit_claim("eu-pharma", &renumbered(&medicines, "c-medicines-b"))?;
    let finding = twin
        .claim
        .checks
        .iter()
        .filter(|c| c.step == "duplicates")
        .flat_map(|c| c.findings.iter())
        .next()
        .cloned()
        .unwrap_or_default();
    demo.say(&format!(
        "  c-medicines-b, the same invoice under another number: {}\n      duplicates hold: {finding}",
        twin.claim.status.as_str(),
    ))?;
    for (what, c) in last {
        submit_one(demo, &what, &c)?;
    }
    Ok(out)
}

/// Submits one claim and says what became of it.
fn submit_one(demo: &Demo, what: &str, c: &ClaimSubmission) -> anyhow::Result<house::ClaimRecord> {
    let outcome = demo.house.submit_claim(&c.creditor, c)?;
    let rec = outcome.claim;
    let mut text = format!(
        "  {:<16} {:<40} {:<19} {}{}{}",
        rec.submission.id,
        what,
        rec.status.as_str(),
        rec.submission.amount,
        if rec.submission.amount.currency() == demo.house.config().clearing_currency {
            String::new()
        } else {
            format!(
                " = {}",
                money(
                    demo.house.config().clearing_currency,
                    rec.clearing_amount_minor
                )
            )
        },
        if rec.priority == 0 {
            " (humanitarian priority)"
        } else {
            ""
        }
    );
    for check in rec
        .checks
        .iter()
        .filter(|c| c.outcome != house::Outcome::Pass)
    {
        for f in &check.findings {
            text.push_str(&format!(
                "\n      {} {}: {f}",
                check.step,
                check.outcome.as_str()
            ));
        }
    }
    demo.say(&text)?;
    Ok(rec)
}

/// The debtors answer the claims made on them: each accepts its claims (the bearings in
/// advance, while compliance reviews them), and eu-pharma disputes the gum, which then stays
/// out of the cycle.
fn answer(demo: &Demo) -> anyhow::Result<()> {
    demo.say("\nThe debtor accepts its claims (a claim enters clearing only once its debtor has accepted it; until then it waits, reserved):")?;
    for (id, debtor) in [
        ("c-medicines", "ir-darou"),
        ("c-wheat", "ir-gandom"),
        ("c-devices", "ir-medequip"),
        ("c-pistachios", "eu-nl-foods"),
        ("c-pistachios-2", "eu-agri"),
        ("c-bearings", "ir-medequip"),
    ] {
        let c = demo
            .house
            .accept_claim(&format!("{debtor}.clerk"), debtor, id)?;
        demo.say(&format!(
            "  {debtor} accepts {id}: {}{}",
            c.status.as_str(),
            if c.status == ClaimStatus::Held {
                " (accepted in advance: it enters clearing once its case is released)"
            } else {
                ""
            }
        ))?;
    }
    let disputed = demo.house.dispute_claim(
        "eu-pharma.clerk",
        "eu-pharma",
        "c-gum",
        "Only 500 kg of the 800 kg invoiced arrived in Hamburg",
    )?;
    demo.say(&format!(
        "  eu-pharma disputes c-gum ({}): {}, its reservation released; it stays out of the cycle",
        disputed.dispute.as_ref().map_or("", |d| d.reason.as_str()),
        disputed.status.as_str()
    ))?;
    Ok(())
}

/// `claim` under claim id `id`, with the idempotency key and invoice number the demo's claims
/// derive from their ids: the same invoice submitted again under another number.
fn renumbered(claim: &ClaimSubmission, id: &str) -> ClaimSubmission {
    ClaimSubmission {
        idempotency_key: format!("key-{id}"),
        id: id.into(),
        invoice_number: format!("INV-{id}"),
        ..claim.clone()
    }
}

fn what_key(what: &str) -> &'static str {
    match what.split_whitespace().next().unwrap_or_default() {
        "bearings" => "bearings",
        "dual-use" => "dual-use",
        "over-invoiced" => "over-invoiced",
        _ => "other",
    }
}

fn review(demo: &Demo, claims: &BTreeMap<&'static str, house::ClaimRecord>) -> anyhow::Result<()> {
    demo.say("\nReview (four eyes: a release needs two different officers, a rejection one):")?;
    let case_of = |key: &str| -> anyhow::Result<String> {
        claims
            .get(key)
            .and_then(|c| c.case.clone())
            .with_context(|| format!("the {key} claim was not held"))
    };
    let bearings = case_of("bearings")?;
    let first = demo.house.decide(
        "a.novak",
        &bearings,
        Verdict::Release,
        "End-use certificate from Imam Khomeini Hospital: bearings for the MRI chiller pumps; quantity matches the service contract",
    )?;
    demo.say(&format!(
        "  a.novak proposes to release {bearings} (bearings): awaiting a second officer = {}",
        first.awaiting_second
    ))?;
    match demo
        .house
        .decide("a.novak", &bearings, Verdict::Release, "again")
    {
        Err(e) => demo.say(&format!(
            "  a.novak tries to confirm her own release: refused ({e})"
        ))?,
        Ok(_) => bail!("the same officer released twice: four eyes broken"),
    }
    let second = demo.house.decide(
        "b.laurent",
        &bearings,
        Verdict::Release,
        "Checked the certificate with the hospital and the bearing type against the pump manual",
    )?;
    demo.say(&format!(
        "  b.laurent agrees: case {} released, claim c-bearings is {}",
        second.case.id, second.subject_status
    ))?;
    let dual = case_of("dual-use")?;
    let rejected = demo.house.decide(
        "b.laurent",
        &dual,
        Verdict::Reject,
        "Drone gyroscope navigation modules are dual-use (Annex I 7A) declared as sprayer parts: refused and reported",
    )?;
    demo.say(&format!(
        "  b.laurent rejects {dual} (dual-use mis-declared): claim c-sprayer-parts is {}",
        rejected.subject_status
    ))?;
    if let Some(case) = demo
        .house
        .cases(Some(house::CaseStatus::Open))?
        .into_iter()
        .find(|c| c.subject == "participant:eu-alpen")
    {
        demo.house.reassign(
            "c.weber",
            &case.id,
            "b.laurent",
            "EU listing of a beneficial owner: b.laurent handles the EU FSF cases",
        )?;
        demo.say(&format!(
            "  c.weber (supervisor) reassigns {} (eu-alpen, EU-listed owner) to b.laurent; it stays open",
            case.id
        ))?;
    }
    Ok(())
}

fn summary(demo: &Demo, cycle: &house::Cycle) -> anyhow::Result<()> {
    let h = &demo.house;
    demo.say("\nSummary:")?;
    for z in &cycle.zones {
        let zone = h
            .config()
            .zones
            .iter()
            .find(|x| x.code.as_str() == z.zone)
            .context("zone")?;
        let cleared_here: i64 = cycle
            .claims
            .iter()
            .filter(|c| {
                h.participant(&c.creditor)
                    .is_ok_and(|p| p.participant.zone().as_str() == z.zone)
            })
            .map(|c| c.cleared_minor)
            .sum();
        demo.say(&format!(
            "  zone {} ({}): exporters paid {} ({} cleared); importers paid in {} = paid out {}",
            z.zone,
            zone.name,
            money(zone.currency, cleared_here.saturating_mul(zone.minor_rate)),
            money(h.config().clearing_currency, cleared_here),
            money(zone.currency, z.paid_in_minor),
            money(zone.currency, z.paid_out_minor)
        ))?;
    }
    let count = |status| h.claims(None, Some(status), usize::MAX).map(|c| c.len());
    let queued = h.claims(None, Some(ClaimStatus::Queued), usize::MAX)?;
    let partial = h.claims(None, Some(ClaimStatus::PartiallyCleared), usize::MAX)?;
    let waiting: i64 = queued
        .iter()
        .chain(&partial)
        .map(|c| c.remaining_minor())
        .sum();
    demo.say(&format!(
        "  claims: {} cleared, {} partially cleared, {} queued ({} wait for the next cycle), {} awaiting acceptance, {} held, {} rejected, {} disputed, {} withdrawn",
        count(ClaimStatus::Cleared)?,
        partial.len(),
        queued.len(),
        money(h.config().clearing_currency, waiting),
        count(ClaimStatus::AwaitingAcceptance)?,
        count(ClaimStatus::Held)?,
        count(ClaimStatus::Rejected)?,
        count(ClaimStatus::Disputed)?,
        count(ClaimStatus::Withdrawn)?
    ))?;
    let open = h.alerts(Some(house::AlertStatus::Open), None)?;
    demo.say(&format!("  open alerts: {}", open.len()))?;
    for a in &open {
        demo.say(&format!("    {} {}: {}", a.subject, a.code, a.explanation))?;
    }
    let payments: Vec<&house::Position> = cycle
        .positions
        .iter()
        .filter(|p| !p.booked.is_empty())
        .collect();
    let crossing = payments.iter().filter(|p| {
        h.participant(&p.participant)
            .map_or(true, |x| x.participant.zone().as_str() != p.zone)
    });
    demo.say(&format!(
        "  payments across a border: {} — every one of the {} participants' payments is between a participant and its own zone's house account; only claims were offset across the border.",
        crossing.count(),
        payments.len()
    ))?;
    Ok(())
}

fn money(currency: model::Currency, minor: i64) -> String {
    house::money_text(minor, currency.code())
}
