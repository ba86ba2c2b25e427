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
use house::{
    ClaimStatus, ClaimSubmission, House, InvoiceParty, Lists, OnboardingInput, PartyDetails,
    Verdict,
};
use store::{Location, Store};

use crate::{output, system_clock};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the demo's database (unless --database-url is given), reference prices and
    /// settlement files; emptied first.
    #[arg(long, default_value = "clearhouse-demo")]
    dir: PathBuf,
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
    let prices = dir.join("reference-prices.csv");
    std::fs::write(&prices, reference_prices())?;
    let lists = Lists::bundled()?;
    let checker = crate::house_cmd::checker(Some(&prices))?;
    let config = house::config::example();
    let house = House::init(store, clock.clock(), lists, checker, config, "operator")?;
    let demo = Demo { house, json };
    demo.say(&format!(
        "Clearhouse demo on {location}: lists {}, zones EU (EUR) and IR (IRR at 480,000 IRR per EUR), cleared in EUR.",
        demo.house.lists().version
    ))?;
    onboard(&demo)?;
    let claims = submit(&demo)?;
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

/// Reference unit values for the price check (demo figures, in euro cents per kilogram or per
/// article), twelve observations per subheading.
fn reference_prices() -> String {
    let mut csv = String::from("hs6,origin,destination,unit,unit_value_minor,currency\n");
    for (hs6, unit, centre) in [
        ("100199", "KGM", 25),
        ("300490", "KGM", 4_200),
        ("901890", "NAR", 38_000),
        ("080251", "KGM", 900),
        ("848210", "NAR", 3_500),
    ] {
        for k in 0..12i64 {
            let value = centre * (90 + 2 * k) / 100;
            csv.push_str(&format!("{hs6},,,{unit},{value},EUR\n"));
        }
    }
    csv
}

fn person(name: &str, birth: &str, nationality: &str) -> PartyDetails {
    PartyDetails {
        name: name.into(),
        birth_date: (!birth.is_empty()).then(|| birth.into()),
        nationalities: vec![nationality.into()],
    }
}

#[allow(clippy::too_many_arguments)]
fn firm(
    id: &str,
    name: &str,
    reg: &str,
    country: &str,
    zone: &str,
    iban: &str,
    bic: &str,
    owners: Vec<PartyDetails>,
    directors: Vec<PartyDetails>,
) -> OnboardingInput {
    OnboardingInput {
        id: id.into(),
        legal_name: name.into(),
        registration_number: reg.into(),
        country: country.into(),
        zone: zone.into(),
        lei: None,
        iban: iban.into(),
        bic: bic.into(),
        bank_name: None,
        beneficial_owners: owners,
        directors,
    }
}

fn onboard(demo: &Demo) -> anyhow::Result<()> {
    demo.say("\nOnboarding (every legal name, beneficial owner, director and bank screened):")?;
    let population = [
        firm(
            "eu-pharma",
            "Rhein Pharma GmbH",
            "HRB 48213",
            "DE",
            "EU",
            "DE89370400440532013000",
            "COBADEFFXXX",
            vec![person("Katrin Vogel", "1968-04-12", "DE")],
            vec![person("Markus Brandt", "1971-09-30", "DE")],
        ),
        firm(
            "eu-agri",
            "Beauce Cereales SA",
            "RCS Chartres 512 334 901",
            "FR",
            "EU",
            "FR1420041010050500013M02606",
            "BNPAFRPP",
            vec![person("Claire Dubois", "1975-02-03", "FR")],
            vec![person("Luc Martin", "1969-06-21", "FR")],
        ),
        firm(
            "eu-medtech",
            "Medisana Strumenti S.r.l.",
            "MI-2034981",
            "IT",
            "EU",
            "IT60X0542811101000000123456",
            "BPMOIT22",
            vec![person("Giulia Rossi", "1980-11-14", "IT")],
            vec![person("Paolo Bianchi", "1966-01-08", "IT")],
        ),
        firm(
            "eu-nl-foods",
            "Delta Dried Fruit Trading B.V.",
            "KvK 34125678",
            "NL",
            "EU",
            "NL91ABNA0417164300",
            "ABNANL2A",
            vec![person("Sanne de Vries", "1983-03-17", "NL")],
            vec![person("Pieter Jansen", "1970-12-02", "NL")],
        ),
        firm(
            "eu-alpen",
            "Alpen Industriehandel GmbH",
            "FN 398112 k",
            "AT",
            "EU",
            "AT611904300234573201",
            "BKAUATWW",
            vec![person("Saeed Hashemi Moghaddam", "", "IR")],
            vec![person("Florian Huber", "1977-05-05", "AT")],
        ),
        firm(
            "ir-darou",
            "Darou Pakhsh Distribution Co.",
            "Tehran 118822",
            "IR",
            "IR",
            "IR970170000000100324200002",
            "MELIIRTH",
            vec![person("Reza Karimi", "1972-07-19", "IR")],
            vec![person("Maryam Ahmadi", "1979-10-01", "IR")],
        ),
        firm(
            "ir-gandom",
            "Gandom Food Industries",
            "Mashhad 40551",
            "IR",
            "IR",
            "IR300120000000200455500003",
            "REFAIRTH",
            vec![person("Kamran Tavakoli", "1965-03-11", "IR")],
            vec![person("Leila Sadeghi", "1981-08-25", "IR")],
        ),
        firm(
            "ir-medequip",
            "Tehran Medical Equipment Co.",
            "Tehran 220931",
            "IR",
            "IR",
            "IR750620000000300566600004",
            "TOSEIRTH",
            vec![person("Ali Moradi", "1974-04-04", "IR")],
            vec![person("Narges Hosseini", "1985-12-12", "IR")],
        ),
        firm(
            "ir-kerman",
            "Kerman Pistachio Export Co.",
            "Kerman 7731",
            "IR",
            "IR",
            "IR670540000000400677700005",
            "KESHIRTH",
            vec![person("Mehdi Rostami", "1962-09-09", "IR")],
            vec![person("Fatemeh Nouri", "1976-02-14", "IR")],
        ),
        firm(
            "ir-pars-machinery",
            "Pars Tejarat Machinery Co.",
            "Isfahan 66120",
            "IR",
            "IR",
            "IR550160000000500788800006",
            "KESHIRTH",
            vec![person("Javad Mousavi", "1970-01-20", "IR")],
            vec![person("Qassem Soleimani", "", "IR")],
        ),
        // Clean owners and directors, but its account is at Bank Sepah (SWIFT/BIC SEPBIRTH,
        // on the OFAC SDN list): review before it may trade.
        firm(
            "ir-saffron",
            "Shiraz Saffron Trading Co.",
            "Shiraz 51877",
            "IR",
            "IR",
            "IR970170000000100324200099",
            "SEPBIRTH",
            vec![person("Hossein Jafari", "1969-05-05", "IR")],
            vec![person("Shirin Kazemi", "1983-11-11", "IR")],
        ),
    ];
    for input in &population {
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

#[allow(clippy::too_many_arguments)]
fn claim(
    id: &str,
    creditor: &str,
    debtor: &str,
    counterparty: &str,
    country: &str,
    amount: &str,
    incoterms: &str,
    lines: &[&str],
) -> anyhow::Result<ClaimSubmission> {
    Ok(ClaimSubmission {
        idempotency_key: format!("key-{id}"),
        id: id.into(),
        creditor: creditor.into(),
        debtor: debtor.into(),
        invoice_number: format!("INV-{id}"),
        amount: amount.parse()?,
        due_date: due_in_60_days(),
        incoterms: incoterms.into(),
        invoice_counterparty: InvoiceParty {
            name: counterparty.into(),
            country: Some(country.into()),
            kind: None,
        },
        goods_lines: lines
            .iter()
            .map(|l| crate::house_cmd::parse_line(l))
            .collect::<anyhow::Result<_>>()?,
    })
}

fn submit(demo: &Demo) -> anyhow::Result<BTreeMap<&'static str, house::ClaimRecord>> {
    demo.say("\nClaims (checks in order: parties, double claims, invoice counterparty, goods policy, price bands, monitoring):")?;
    let claims = [
        ("medicines", medicines_claim("c-medicines")?),
        (
            "wheat",
            claim(
                "c-wheat",
                "eu-agri",
                "ir-gandom",
                "Gandom Food Industries",
                "IR",
                "EUR 75000.00",
                "CFR",
                &["1001.99;Milling wheat, bulk;300000 KGM;EUR 75000.00"],
            )?,
        ),
        (
            "medical devices",
            claim(
                "c-devices",
                "eu-medtech",
                "ir-medequip",
                "Tehran Medical Equipment Co.",
                "IR",
                "EUR 41800.00",
                "DAP",
                &["9018.90;Infusion pumps, volumetric;110 NAR;EUR 41800.00"],
            )?,
        ),
        (
            "pistachios (IR exporter, invoiced in IRR)",
            claim(
                "c-pistachios",
                "ir-kerman",
                "eu-nl-foods",
                "Delta Dried Fruit Trading B.V.",
                "NL",
                "IRR 33600000000.00",
                "FOB",
                &["0802.51;Pistachios in shell, dried;7800 KGM;IRR 33600000000.00"],
            )?,
        ),
        (
            "pistachios (a second IR export)",
            claim(
                "c-pistachios-2",
                "ir-kerman",
                "eu-agri",
                "Beauce Cereales SA",
                "FR",
                "IRR 45600000000.00",
                "FOB",
                &["0802.51;Pistachios in shell, roasted;10500 KGM;IRR 45600000000.00"],
            )?,
        ),
        (
            "bearings (Common High Priority List)",
            claim(
                "c-bearings",
                "eu-medtech",
                "ir-medequip",
                "Tehran Medical Equipment Co.",
                "IR",
                "EUR 4200.00",
                "DAP",
                &["8482.10;Ball bearings, spare parts for MRI chiller pumps;120 NAR;EUR 4200.00"],
            )?,
        ),
        (
            "dual-use mis-declared",
            claim(
                "c-sprayer-parts",
                "eu-medtech",
                "ir-darou",
                "Darou Pakhsh Distribution Co.",
                "IR",
                "EUR 18600.00",
                "EXW",
                &[
                    "8432.90;Parts for agricultural sprayers: drone gyroscope navigation modules;60 NAR;EUR 18600.00",
                ],
            )?,
        ),
        (
            "over-invoiced wheat",
            claim(
                "c-wheat-2",
                "eu-agri",
                "ir-gandom",
                "Gandom Food Industries",
                "IR",
                "EUR 52000.00",
                "CFR",
                &["1001.99;Milling wheat, bagged;40000 KGM;EUR 52000.00"],
            )?,
        ),
        (
            "to a firm under review",
            claim(
                "c-machinery",
                "eu-medtech",
                "ir-pars-machinery",
                "Pars Tejarat Machinery Co.",
                "IR",
                "EUR 9000.00",
                "DAP",
                &["9018.90;Examination lamps;30 NAR;EUR 9000.00"],
            )?,
        ),
    ];
    let mut out = BTreeMap::new();
    for (what, c) in claims {
        let rec = submit_one(demo, what, &c)?;
        out.insert(what_key(what), rec);
    }
    // A client retrying the same request gets the first answer, not a second claim.
    let again = demo
        .house
        .submit_claim("eu-pharma", &medicines_claim("c-medicines")?)?;
    demo.say(&format!(
        "  retry of c-medicines with the same idempotency key: {} (replayed: {})",
        again.claim.status.as_str(),
        again.replayed
    ))?;
    // The same invoice again under another claim id and invoice number: a possible double claim.
    let twin = demo
        .house
        .submit_claim("eu-pharma", &medicines_claim("c-medicines-b")?)?;
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
    // Last, so that it changes no other claim's checks: its debtor will dispute it.
    submit_one(
        demo,
        "gum tragacanth (IR exporter)",
        &claim(
            "c-gum",
            "ir-darou",
            "eu-pharma",
            "Rhein Pharma GmbH",
            "DE",
            "EUR 9600.00",
            "FCA",
            &["1301.90;Gum tragacanth, pharmaceutical grade;800 KGM;EUR 9600.00"],
        )?,
    )?;
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

/// The demo's medicines claim (2,000 kg of paracetamol to ir-darou) under claim id `id`.
fn medicines_claim(id: &str) -> anyhow::Result<ClaimSubmission> {
    claim(
        id,
        "eu-pharma",
        "ir-darou",
        "Darou Pakhsh Distribution Co.",
        "IR",
        "EUR 84500.00",
        "CIP",
        &["3004.90;Paracetamol 500 mg tablets, packaged for retail sale;2000 KGM;EUR 84500.00"],
    )
}

/// Sixty days from today: the demo's claims are due as real trade credit would be, whatever
/// day it runs.
fn due_in_60_days() -> model::Date {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    model::calendar::utc_date(now.saturating_add(60 * 86_400 * 1_000_000_000))
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
