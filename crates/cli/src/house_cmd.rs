//! The clearing house's commands: `house init`, `participant`, `claim`, `alert`, `case`,
//! `cycle`, `statement`. Each takes flags or a JSON file, prints text or (with `--json`) JSON
//! Lines, and exits 0 when all went through, 1 when something was held, rejected or is wrong,
//! 2 on an error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use house::{
    AlertStatus, CaseStatus, ClaimStatus, ClaimSubmission, CycleOptions, House, HouseConfig,
    InvoiceParty, Lists, OnboardingInput, ParticipantStatus, PartyDetails, Purpose, Verdict,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::input::INPUT_FILE_BYTES_MAX;
use crate::settlement_cmd::money;
use crate::{Ctx, input, output, system_clock};

#[derive(Debug, Subcommand)]
pub enum HouseCommand {
    /// Set up the clearing house in an empty database (zones, clearing currency, rates, officers):
    /// the officers become users, and so does the operator `--as` names.
    Init {
        /// Configuration (TOML or JSON); without it, the example EU/Iran instrument.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Print the configuration in force.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum ParticipantCommand {
    /// Onboard a participant: every name is screened (exit 0 active, 1 pending review or rejected).
    Add(Box<ParticipantAdd>),
    /// List participants.
    List {
        /// Only in this state: active, pending_review, suspended, rejected.
        #[arg(long)]
        status: Option<String>,
    },
    /// Show one participant with its screening results.
    Show {
        /// The participant's id, as given to `participant add`.
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct ParticipantAdd {
    /// The participant as JSON (fields: id, legal_name, registration_number, country, zone,
    /// iban, bic, lei, beneficial_owners, directors); instead of the flags.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["id", "legal_name"])]
    file: Option<PathBuf>,
    /// The participant's id in this house, chosen by the operator (for example `eu-pharma`).
    #[arg(long)]
    id: Option<String>,
    /// The firm's registered legal name (screened).
    #[arg(long)]
    legal_name: Option<String>,
    /// The firm's number in its commercial register.
    #[arg(long)]
    registration_number: Option<String>,
    /// Country of registration: ISO 3166 alpha-2, for example `DE`.
    #[arg(long)]
    country: Option<String>,
    /// The zone the firm settles in, one of the house's (`EU`, `IR` in the example set-up).
    #[arg(long)]
    zone: Option<String>,
    /// The firm's bank account (ISO 13616 IBAN, checked for length and mod-97).
    #[arg(long)]
    iban: Option<String>,
    /// The bank's BIC (ISO 9362, 8 or 11 characters, in the IBAN's country); screened against
    /// the BICs of listed banks.
    #[arg(long)]
    bic: Option<String>,
    /// The bank's name, screened against the lists with its BIC.
    #[arg(long)]
    bank_name: Option<String>,
    /// The firm's Legal Entity Identifier (ISO 17442), if it has one.
    #[arg(long)]
    lei: Option<String>,
    /// A beneficial owner: `NAME[;BIRTH_DATE[;NATIONALITY,…]]`; repeat for each.
    #[arg(long = "owner")]
    owners: Vec<String>,
    /// A director: `NAME[;BIRTH_DATE[;NATIONALITY,…]]`; repeat for each.
    #[arg(long = "director")]
    directors: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ClaimCommand {
    /// Submit a claim: checks run in order (exit 0 passed: it awaits its debtor's acceptance;
    /// 1 held or rejected).
    Submit(Box<ClaimSubmit>),
    /// The debtor accepts a claim made on it: it enters clearing (queued). A held claim is
    /// accepted in advance and enters clearing once its case releases it.
    Accept {
        /// The claim's id, as submitted.
        id: String,
        #[command(flatten)]
        party: PartyArg,
    },
    /// The debtor disputes a claim made on it before a cycle holds it: the claim leaves
    /// clearing for good and its reservation is released.
    Dispute {
        /// The claim's id, as submitted.
        id: String,
        /// Why, in words (recorded on the claim and in the audit journal).
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        party: PartyArg,
    },
    /// The creditor withdraws its claim before it clears: the claim leaves clearing for good and
    /// its reservation, if any, is released.
    Withdraw {
        /// The claim's id, as submitted.
        id: String,
        /// Why, in words (recorded on the claim and in the audit journal).
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        party: PartyArg,
    },
    /// List claims.
    List {
        /// Only of this participant (either side).
        #[arg(long)]
        participant: Option<String>,
        /// Only in this state: awaiting_acceptance, queued, partially_cleared, cleared, held,
        /// rejected, disputed, withdrawn.
        #[arg(long)]
        status: Option<String>,
    },
    /// Show one claim with every check it went through.
    Show {
        /// The claim's id, as submitted.
        id: String,
    },
}

/// Who acts, and for which participant: the claim's debtor accepts or disputes, its creditor
/// withdraws.
#[derive(Debug, Clone, Args)]
pub struct PartyArg {
    /// The participant the acting user acts for (the claim's debtor to accept or dispute, its
    /// creditor to withdraw).
    #[arg(long = "as-participant", value_name = "PARTICIPANT")]
    pub participant: String,
}

#[derive(Debug, Args)]
pub struct ClaimSubmit {
    /// The claim as JSON (the fields below; amounts as `{"amount":"1.00","currency":"EUR"}`,
    /// invoice_counterparty as `{"name","country"}`, goods_lines as
    /// `{"hs_code","description","quantity":{"value","unit"},"value":{"amount","currency"}}`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["id", "creditor"])]
    file: Option<PathBuf>,
    /// A key of the submitter's choosing: the same key and claim get the first answer again,
    /// another claim under the same key is refused.
    #[arg(long)]
    idempotency_key: Option<String>,
    /// The claim's id, chosen by the submitter.
    #[arg(long)]
    id: Option<String>,
    /// The participant owed the money (the exporter).
    #[arg(long)]
    creditor: Option<String>,
    /// The participant that owes it (the importer).
    #[arg(long)]
    debtor: Option<String>,
    /// The invoice's number.
    #[arg(long)]
    invoice_number: Option<String>,
    /// `CUR AMOUNT`, for example `EUR 1200.00`.
    #[arg(long)]
    amount: Option<String>,
    /// When the invoice is due: `YYYY-MM-DD`.
    #[arg(long)]
    due_date: Option<String>,
    /// The Incoterms 2020 rule of the sale, for example `CIP` or `FOB`.
    #[arg(long)]
    incoterms: Option<String>,
    /// The buyer as named on the invoice (screened).
    #[arg(long)]
    counterparty: Option<String>,
    /// The invoice counterparty's country: ISO 3166 alpha-2.
    #[arg(long)]
    counterparty_country: Option<String>,
    /// Whether the invoice counterparty is a person or an organization (FollowTheMoney names
    /// such as Person, Company or PublicBody too, any case); without it, the name is screened
    /// against both.
    #[arg(long)]
    counterparty_kind: Option<house::CounterpartyKind>,
    /// A goods line: `HS_CODE;DESCRIPTION;QUANTITY UNIT;CUR VALUE`; repeat for each.
    #[arg(long = "line")]
    lines: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// List alerts.
    List {
        /// Only in this state: open, cleared or confirmed.
        #[arg(long)]
        status: Option<String>,
        /// Only about this participant.
        #[arg(long)]
        participant: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// List cases.
    List {
        /// Only in this state: open, awaiting_second, released or rejected.
        #[arg(long)]
        status: Option<String>,
    },
    /// Show a case: its alerts, decisions and audit entries.
    Show {
        /// The case's id, as `case list` prints it (`case-` and twelve hex digits).
        id: String,
    },
    /// Decide a case as the `--as` user, an officer or supervisor: release (two different
    /// users) or reject (one).
    Decide {
        /// The case's id, as `case list` prints it (`case-` and twelve hex digits).
        id: String,
        /// Release the participant or claim under review (a second, different officer must
        /// agree).
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        release: bool,
        /// Reject the participant or claim under review (one officer suffices).
        #[arg(long)]
        reject: bool,
        /// Why, in words (recorded in the audit journal).
        #[arg(long)]
        reason: String,
    },
    /// Give a case to another officer (the `--as` user must be a supervisor).
    Reassign {
        /// The case's id, as `case list` prints it (`case-` and twelve hex digits).
        id: String,
        /// The officer who takes the case over.
        #[arg(long)]
        to: String,
        /// Why, in words (recorded in the audit journal).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CycleCommand {
    /// Clear the queued claims: fix the INSTEX selection and request every payer's pay-in
    /// (pain.013 and CSV per zone). Pay-outs follow once the pay-ins arrive (`settlement`).
    Run {
        /// Take claims submitted up to this time (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`); default now.
        #[arg(long)]
        cutoff: Option<String>,
        /// Where to write the settlement files (in `cycle-N` below it): a directory of the
        /// operator's, made if its parent exists; never a system directory such as `/etc`.
        #[arg(long, value_name = "DIR", default_value = "clearhouse-settlement")]
        out: PathBuf,
        /// Domestic set-off before the INSTEX selection (`true` or `false`); default as configured.
        #[arg(long)]
        domestic_set_off: Option<bool>,
        /// Pay-ins are due by then (`YYYY-MM-DDTHH:MM:SSZ`); default the run plus the house's
        /// `settlement.pay_in_hours`.
        #[arg(long)]
        deadline: Option<String>,
    },
    /// Show what `cycle run` would clear now, and what would stay and why, computed as the run
    /// computes it; writes nothing (no cycle, no files, no claim deemed accepted or set aside).
    Preview {
        /// Take claims submitted up to this time (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`); default now.
        #[arg(long)]
        cutoff: Option<String>,
        /// Domestic set-off before the INSTEX selection (`true` or `false`); default as configured.
        #[arg(long)]
        domestic_set_off: Option<bool>,
    },
    /// List cycles.
    List,
    /// Show one cycle: claims, payments, zone totals, files.
    Show {
        /// The cycle's number (1 for the first).
        number: u64,
    },
}

/// Opens the house; the lists are loaded only when the command screens names.
pub fn open(ctx: &Ctx, screens: bool) -> anyhow::Result<House> {
    let purpose = if screens {
        Purpose::Screen
    } else {
        Purpose::Read
    };
    open_for(ctx, purpose)
}

/// Opens the house for `purpose` (see [`house::HouseSource::open`]). A house is set up by
/// `house init` or `demo`; every other command needs the database to be there (a mistyped
/// path is an error, never a new empty file).
pub fn open_for(ctx: &Ctx, purpose: Purpose) -> anyhow::Result<House> {
    ctx.source()
        .open(system_clock(), purpose)
        .map_err(|e| match e {
            house::HouseError::Store(e) => anyhow::Error::from(e).context(format!(
                "opening {} (set a house up with `clearhouse house init` or `clearhouse demo`)",
                ctx.location
            )),
            e => e.into(),
        })
}

/// The lists in force (the version under `--lists-dir`, else the bundled ones).
pub fn load_lists(ctx: &Ctx) -> anyhow::Result<Lists> {
    Ok(ctx.source().lists()?)
}

/// The goods checker: the bundled nomenclature and policy, and price bands from `prices`.
pub fn checker(prices: Option<&Path>) -> anyhow::Result<Arc<goods::Checker>> {
    let source = house::HouseSource {
        location: store::Location::Sqlite(PathBuf::new()),
        lists_dir: PathBuf::new(),
        prices: prices.map(Path::to_path_buf),
    };
    Ok(source.checker()?)
}

pub fn run_house(ctx: &Ctx, cmd: HouseCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        HouseCommand::Init { config } => {
            let config = match config {
                Some(path) => read_config(&path)?,
                None => house::config::example(),
            };
            let store = ctx.open()?;
            let h = House::init(
                store,
                system_clock(),
                load_lists(ctx)?,
                checker(None)?,
                config,
                &house::users::local_actor(&ctx.user),
            )?;
            emit(ctx, "house", &h.config().config, |c| {
                format!(
                    "house {:?} set up: {} zones, clearing in {}; users: operator {}, officers {} (API tokens: `clearhouse user token NAME`)",
                    c.name,
                    c.zones.len(),
                    c.clearing_currency,
                    ctx.user,
                    c.officers
                        .iter()
                        .map(|o| o.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        }
        HouseCommand::Show => {
            let h = open(ctx, false)?;
            emit(ctx, "house", &h.config().config, |c| {
                serde_json::to_string_pretty(c).unwrap_or_default()
            })
        }
    }
}

fn read_config(path: &Path) -> anyhow::Result<HouseConfig> {
    let text = input::read_text(path, INPUT_FILE_BYTES_MAX)?;
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).with_context(|| format!("{}", path.display()))
    } else {
        toml::from_str(&text).with_context(|| format!("{}", path.display()))
    }
}

pub fn run_participant(ctx: &Ctx, cmd: ParticipantCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ParticipantCommand::Add(add) => {
            let input = match &add.file {
                Some(path) => read_json::<OnboardingInput>(path)?,
                None => onboarding_from_flags(&add)?,
            };
            let h = open(ctx, true)?;
            let rec = h.onboard(&ctx.actor(&h)?, &input)?;
            let code = if rec.status == ParticipantStatus::Active {
                0
            } else {
                1
            };
            emit(ctx, "participant", &rec, participant_text)?;
            Ok(ExitCode::from(code))
        }
        ParticipantCommand::List { status } => {
            let status = status
                .as_deref()
                .map(parse_participant_status)
                .transpose()?;
            let h = open(ctx, false)?;
            for p in h.participants(status)? {
                emit(ctx, "participant", &p, |p| {
                    format!(
                        "{:<24} {:<16} {:<4} {:<3} {}",
                        p.participant.id().to_string(),
                        p.status.as_str(),
                        p.participant.zone().to_string(),
                        p.participant.country().as_str(),
                        p.participant.legal_name()
                    )
                })?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ParticipantCommand::Show { id } => {
            let h = open(ctx, false)?;
            emit(ctx, "participant", &h.participant(&id)?, participant_text)
        }
    }
}

fn participant_text(p: &house::ParticipantRecord) -> String {
    let mut out = format!(
        "{} ({}): {} — zone {}, {}, lists {}",
        p.participant.id(),
        p.participant.legal_name(),
        p.status.as_str(),
        p.participant.zone(),
        p.participant.country().as_str(),
        p.lists_version
    );
    for s in &p.screening {
        for hit in &s.hits {
            out.push_str(&format!(
                "\n  hit: {} {:?} ~ {} {:?} ({}, score {:.3})",
                s.role.as_str(),
                s.name,
                hit.entity_id,
                hit.caption,
                hit.list,
                hit.score
            ));
        }
    }
    if !p.open_alerts.is_empty() {
        out.push_str(&format!("\n  open alerts: {}", p.open_alerts.join(", ")));
    }
    out
}

fn parse_party(text: &str, field: &str) -> anyhow::Result<PartyDetails> {
    let mut parts = text.split(';');
    let name = parts.next().unwrap_or_default().trim().to_owned();
    if name.is_empty() {
        bail!("--{field} {text:?}: the name is empty (NAME[;BIRTH_DATE[;NATIONALITY,…]])");
    }
    let birth_date = parts
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let nationalities = parts
        .next()
        .map(|n| {
            n.split(',')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if parts.next().is_some() {
        bail!("--{field} {text:?}: expected NAME[;BIRTH_DATE[;NATIONALITY,…]]");
    }
    Ok(PartyDetails {
        name,
        birth_date,
        nationalities,
    })
}

fn required(value: &Option<String>, flag: &str) -> anyhow::Result<String> {
    value
        .clone()
        .with_context(|| format!("--{flag} is required (or give --file)"))
}

fn onboarding_from_flags(a: &ParticipantAdd) -> anyhow::Result<OnboardingInput> {
    Ok(OnboardingInput {
        id: required(&a.id, "id")?,
        legal_name: required(&a.legal_name, "legal-name")?,
        registration_number: required(&a.registration_number, "registration-number")?,
        country: required(&a.country, "country")?,
        zone: required(&a.zone, "zone")?,
        lei: a.lei.clone(),
        iban: required(&a.iban, "iban")?,
        bic: required(&a.bic, "bic")?,
        bank_name: a.bank_name.clone(),
        beneficial_owners: a
            .owners
            .iter()
            .map(|o| parse_party(o, "owner"))
            .collect::<Result<_, _>>()?,
        directors: a
            .directors
            .iter()
            .map(|o| parse_party(o, "director"))
            .collect::<Result<_, _>>()?,
    })
}

pub fn run_claim(ctx: &Ctx, cmd: ClaimCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ClaimCommand::Submit(s) => {
            let submission = match &s.file {
                Some(path) => read_json::<ClaimSubmission>(path)?,
                None => claim_from_flags(&s)?,
            };
            // The price bands: the reference file, and what the house accepted before.
            let h = open_for(ctx, Purpose::Submit)?;
            let outcome = h.submit_claim(&ctx.actor(&h)?, &submission)?;
            let code = if outcome.claim.status == ClaimStatus::AwaitingAcceptance {
                0
            } else {
                1
            };
            emit(ctx, "claim", &outcome, |o| claim_text(&o.claim, o.replayed))?;
            Ok(ExitCode::from(code))
        }
        ClaimCommand::List {
            participant,
            status,
        } => {
            let status = status.as_deref().map(parse_claim_status).transpose()?;
            let h = open(ctx, false)?;
            for c in h.claims(participant.as_deref(), status, usize::MAX)? {
                emit(ctx, "claim", &c, |c| {
                    format!(
                        "{:<20} {:<19} {:<16} → {:<16} {} (cleared {} of {})",
                        c.submission.id,
                        c.status.as_str(),
                        c.submission.debtor,
                        c.submission.creditor,
                        c.submission.amount,
                        money(c.cleared_minor, h.config().clearing_currency.code()),
                        money(c.clearing_amount_minor, h.config().clearing_currency.code())
                    )
                })?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ClaimCommand::Show { id } => {
            let h = open(ctx, false)?;
            emit(ctx, "claim", &h.claim(&id)?, |c| claim_text(c, false))
        }
        ClaimCommand::Accept { id, party } => {
            let h = open(ctx, false)?;
            let claim = h.accept_claim(&ctx.actor(&h)?, &party.participant, &id)?;
            emit(ctx, "claim", &claim, |c| claim_text(c, false))
        }
        ClaimCommand::Dispute { id, reason, party } => {
            let h = open(ctx, false)?;
            let claim = h.dispute_claim(&ctx.actor(&h)?, &party.participant, &id, &reason)?;
            emit(ctx, "claim", &claim, |c| claim_text(c, false))
        }
        ClaimCommand::Withdraw { id, reason, party } => {
            let h = open(ctx, false)?;
            let claim = h.withdraw_claim(&ctx.actor(&h)?, &party.participant, &id, &reason)?;
            emit(ctx, "claim", &claim, |c| claim_text(c, false))
        }
    }
}

fn claim_text(c: &house::ClaimRecord, replayed: bool) -> String {
    let mut out = format!(
        "claim {} {}{}: {} owes {} {} (priority {}{})",
        c.submission.id,
        c.status.as_str(),
        if replayed {
            " (the first answer again)"
        } else {
            ""
        },
        c.submission.debtor,
        c.submission.creditor,
        c.submission.amount,
        c.priority,
        if c.priority == 0 {
            ", humanitarian"
        } else {
            ""
        }
    );
    for check in &c.checks {
        out.push_str(&format!(
            "\n  {:<12} {:<6} {}",
            check.step,
            check.outcome.as_str(),
            check.subject
        ));
        for f in &check.findings {
            out.push_str(&format!("\n      {f}"));
        }
    }
    if let Some(a) = &c.acceptance {
        out.push_str(&format!(
            "\n  {} by {} for {} at {}",
            if a.deemed {
                "deemed accepted (the house's acceptance period passed), run"
            } else {
                "accepted"
            },
            a.by,
            a.participant,
            model::calendar::utc_timestamp(a.at)
        ));
    }
    for (what, step) in [("disputed", &c.dispute), ("withdrawn", &c.withdrawal)] {
        if let Some(p) = step {
            out.push_str(&format!(
                "\n  {what} by {} for {} at {}: {}",
                p.by,
                p.participant,
                model::calendar::utc_timestamp(p.at),
                p.reason
            ));
        }
    }
    if let Some(case) = &c.case {
        out.push_str(&format!("\n  case {case}"));
    }
    out
}

fn claim_from_flags(s: &ClaimSubmit) -> anyhow::Result<ClaimSubmission> {
    let amount = required(&s.amount, "amount")?;
    let amount: model::Money = amount
        .parse()
        .with_context(|| format!("--amount {amount:?}"))?;
    let due = required(&s.due_date, "due-date")?;
    let due_date = due.parse().with_context(|| format!("--due-date {due:?}"))?;
    if s.lines.is_empty() {
        bail!("--line is required at least once (HS_CODE;DESCRIPTION;QUANTITY UNIT;CUR VALUE)");
    }
    let goods_lines = s
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| parse_line(l).with_context(|| format!("--line {} {l:?}", i + 1)))
        .collect::<anyhow::Result<_>>()?;
    Ok(ClaimSubmission {
        idempotency_key: required(&s.idempotency_key, "idempotency-key")?,
        id: required(&s.id, "id")?,
        creditor: required(&s.creditor, "creditor")?,
        debtor: required(&s.debtor, "debtor")?,
        invoice_number: required(&s.invoice_number, "invoice-number")?,
        amount,
        due_date,
        incoterms: required(&s.incoterms, "incoterms")?,
        invoice_counterparty: InvoiceParty {
            name: required(&s.counterparty, "counterparty")?,
            country: s.counterparty_country.clone(),
            kind: s.counterparty_kind,
        },
        goods_lines,
    })
}

/// `HS_CODE;DESCRIPTION;QUANTITY UNIT;CUR VALUE`.
pub fn parse_line(text: &str) -> anyhow::Result<model::GoodsLine> {
    let parts: Vec<&str> = text.split(';').map(str::trim).collect();
    let [hs, description, quantity, value] = parts[..] else {
        bail!("expected HS_CODE;DESCRIPTION;QUANTITY UNIT;CUR VALUE");
    };
    let (q, unit) = quantity
        .split_once(' ')
        .context("quantity: expected `QUANTITY UNIT`, for example `1500 KGM`")?;
    Ok(model::GoodsLine::new(model::GoodsLineInput {
        hs_code: hs.parse().context("hs_code")?,
        description: description.to_owned(),
        quantity: model::Quantity::parse(q, unit.trim()).context("quantity")?,
        value: value.parse().context("value")?,
    })?)
}

pub fn run_alert(ctx: &Ctx, cmd: AlertCommand) -> anyhow::Result<ExitCode> {
    let AlertCommand::List {
        status,
        participant,
    } = cmd;
    let status = match status.as_deref() {
        None => None,
        Some("open") => Some(AlertStatus::Open),
        Some("cleared") => Some(AlertStatus::Cleared),
        Some("confirmed") => Some(AlertStatus::Confirmed),
        Some(other) => bail!("--status {other:?}: expected open, cleared or confirmed"),
    };
    let h = open(ctx, false)?;
    for a in h.alerts(status, participant.as_deref())? {
        emit(ctx, "alert", &a, |a| {
            format!(
                "{} {:<9} {:<18} {:<14} {} — {}",
                a.id,
                a.status.as_str(),
                a.subject,
                a.code,
                a.case,
                a.explanation
            )
        })?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_case(ctx: &Ctx, cmd: CaseCommand) -> anyhow::Result<ExitCode> {
    let h = open(ctx, false)?;
    match cmd {
        CaseCommand::List { status } => {
            let status = match status.as_deref() {
                None => None,
                Some("open") => Some(CaseStatus::Open),
                Some("awaiting_second") => Some(CaseStatus::AwaitingSecond),
                Some("released") => Some(CaseStatus::Released),
                Some("rejected") => Some(CaseStatus::Rejected),
                Some(other) => bail!(
                    "--status {other:?}: expected open, awaiting_second, released or rejected"
                ),
            };
            for c in h.cases(status)? {
                emit(ctx, "case", &c, |c| {
                    format!(
                        "{} {:<16} {:<28} {} alerts, assignee {}",
                        c.id,
                        c.status.as_str(),
                        c.subject,
                        c.alerts.len(),
                        c.assignee.as_deref().unwrap_or("-")
                    )
                })?;
            }
            Ok(ExitCode::SUCCESS)
        }
        CaseCommand::Show { id } => {
            let (case, alerts, audit) = h.case(&id)?;
            #[derive(Serialize)]
            struct Shown<'a> {
                case: &'a house::Case,
                alerts: &'a [house::Alert],
                audit: Vec<serde_json::Value>,
            }
            let audit = audit
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "seq": r.seq, "at": model::calendar::utc_timestamp(r.at), "actor": r.actor,
                        "action": r.action, "hash": hex::encode(r.hash),
                    })
                })
                .collect();
            let shown = Shown {
                case: &case,
                alerts: &alerts,
                audit,
            };
            emit(ctx, "case", &shown, |s| {
                let mut out = format!(
                    "case {} {} on {} (assignee {})",
                    s.case.id,
                    s.case.status.as_str(),
                    s.case.subject,
                    s.case.assignee.as_deref().unwrap_or("-")
                );
                for a in s.alerts {
                    out.push_str(&format!(
                        "\n  alert {} [{}] {}",
                        a.id,
                        a.status.as_str(),
                        a.explanation
                    ));
                }
                for d in &s.case.decisions {
                    out.push_str(&format!(
                        "\n  {} by {} at {}: {}",
                        d.verdict.as_str(),
                        d.officer,
                        model::calendar::utc_timestamp(d.at),
                        d.reason
                    ));
                }
                out
            })
        }
        CaseCommand::Decide {
            id,
            release,
            reject,
            reason,
        } => {
            let verdict = if release && !reject {
                Verdict::Release
            } else {
                Verdict::Reject
            };
            let officer = &ctx.user;
            let outcome = h.decide(&ctx.actor(&h)?, &id, verdict, &reason)?;
            emit(ctx, "decision", &outcome, |o| {
                if o.awaiting_second {
                    format!(
                        "case {}: release proposed by {officer}; a second, different officer must agree",
                        o.case.id
                    )
                } else {
                    format!(
                        "case {} {}: {} is now {}",
                        o.case.id,
                        o.case.status.as_str(),
                        o.case.subject,
                        o.subject_status
                    )
                }
            })
        }
        CaseCommand::Reassign { id, to, reason } => {
            let case = h.reassign(&ctx.actor(&h)?, &id, &to, &reason)?;
            emit(ctx, "case", &case, |c| {
                format!("case {} assigned to {to}", c.id)
            })
        }
    }
}

pub fn run_cycle(ctx: &Ctx, cmd: CycleCommand) -> anyhow::Result<ExitCode> {
    let h = open(ctx, false)?;
    match cmd {
        CycleCommand::Run {
            cutoff,
            out,
            domestic_set_off,
            deadline,
        } => {
            let cutoff = cutoff
                .as_deref()
                .map(|c| parse_time(c).context("--cutoff"))
                .transpose()?;
            let deadline = deadline
                .as_deref()
                .map(|c| parse_time(c).context("--deadline"))
                .transpose()?;
            let report = h.run_cycle(
                &ctx.actor(&h)?,
                &CycleOptions {
                    cutoff,
                    out_dir: out,
                    set_off_domestic: domestic_set_off,
                    deadline,
                    idempotency: None,
                },
            )?;
            emit(ctx, "cycle", &report, |r| {
                cycle_text(&r.cycle, Some(&r.directory))
            })
        }
        CycleCommand::Preview {
            cutoff,
            domestic_set_off,
        } => {
            let cutoff = cutoff
                .as_deref()
                .map(|c| parse_time(c).context("--cutoff"))
                .transpose()?;
            let preview = h.preview_cycle(&house::PreviewOptions {
                cutoff,
                set_off_domestic: domestic_set_off,
            })?;
            emit(ctx, "cycle_preview", &preview, preview_text)
        }
        CycleCommand::List => {
            for c in h.cycles()? {
                emit(ctx, "cycle", &c, |c| {
                    let cleared: i64 = c.claims.iter().map(|x| x.cleared_minor).sum();
                    format!(
                        "cycle {} at {}: {}, {} claims clear {}, {} positions",
                        c.number,
                        model::calendar::utc_timestamp(c.run_at),
                        c.status.as_str(),
                        c.claims.len(),
                        money(cleared, &c.clearing_currency),
                        c.positions.len()
                    )
                })?;
            }
            Ok(ExitCode::SUCCESS)
        }
        CycleCommand::Show { number } => {
            let c = h.cycle(number)?;
            emit(ctx, "cycle", &c, |c| cycle_text(c, None))
        }
    }
}

fn cycle_text(c: &house::Cycle, dir: Option<&str>) -> String {
    let mut out = format!(
        "cycle {} (cut-off {}), cleared in {}: {}",
        c.number,
        model::calendar::utc_timestamp(c.cutoff),
        c.clearing_currency,
        c.status.as_str()
    );
    for x in &c.claims {
        out.push_str(&format!(
            "\n  {:<22} {:<18} {} of {}{}",
            x.claim,
            if x.posted {
                x.status_after.as_str()
            } else {
                house::CLAIM_SETTLING
            },
            money(x.cleared_minor, &c.clearing_currency),
            money(x.owed_minor, &c.clearing_currency),
            if x.set_off_minor > 0 {
                format!(
                    " ({} by set-off)",
                    money(x.set_off_minor, &c.clearing_currency)
                )
            } else {
                String::new()
            }
        ));
    }
    out.push_str(&zones_text(&c.zones, &c.liquidity, &c.clearing_currency));
    out.push('\n');
    out.push_str(&crate::settlement_cmd::status_text(c));
    if let Some(dir) = dir {
        out.push_str(&format!("\n  {} files in {dir}", c.files.len()));
    }
    if let Some(receipt) = &c.receipt {
        out.push_str(&format!(
            "\n  receipt (in every file; keep it outside the house, check with `clearhouse verify --expect-head`): {receipt}"
        ));
    }
    out
}

/// Each zone's totals, and what each zone clears beyond its counter-flow (`cur`: the clearing
/// currency), a line each.
fn zones_text(zones: &[house::CycleZone], liquidity: &[house::LiquidityMove], cur: &str) -> String {
    let mut out = String::new();
    for z in zones {
        out.push_str(&format!(
            "\n  zone {}: pay-ins {} = pay-outs {}; domestic {}, cross-border in {}, out {}",
            z.zone,
            money(z.paid_in_minor, &z.currency),
            money(z.paid_out_minor, &z.currency),
            money(z.domestic_minor, cur),
            money(z.cross_border_in_minor, cur),
            money(z.cross_border_out_minor, cur)
        ));
    }
    for m in liquidity.iter().filter(|m| m.beyond_minor != 0) {
        out.push_str(&format!(
            "\n  zone {} beyond its counter-flow: {} (allowance {}): held money used {}, drawn from its provider {}, provider repaid {}, kept {}",
            m.zone,
            money(m.beyond_minor, cur),
            money(m.allowance_minor, cur),
            money(m.held_used_minor, cur),
            money(m.drawn_minor, cur),
            money(m.repaid_minor, cur),
            money(m.held_added_minor, cur)
        ));
    }
    out
}

/// What a preview says, as text: each claim that would clear, each that would stay and why,
/// the positions and the zones.
fn preview_text(p: &house::CyclePreview) -> String {
    let cur = p.clearing_currency.as_str();
    let mut out = format!(
        "cycle {} would clear {} (cut-off {}, cleared in {cur}); a preview: nothing written",
        p.number,
        money(p.cleared_minor, cur),
        model::calendar::utc_timestamp(p.cutoff)
    );
    if !p.deemed_accepted.is_empty() {
        out.push_str(&format!(
            "\n  deemed accepted first: {}",
            p.deemed_accepted.join(", ")
        ));
    }
    for x in &p.clearing {
        let extent = match x.extent {
            house::ClearedExtent::Whole => "whole",
            house::ClearedExtent::Partial => "partial",
        };
        out.push_str(&format!(
            "\n  {:<22} {extent:<8} {} of {}",
            x.claim,
            money(x.cleared_minor, cur),
            money(x.owed_minor, cur)
        ));
        if x.set_off_minor > 0 {
            out.push_str(&format!(" ({} by set-off)", money(x.set_off_minor, cur)));
        }
    }
    for x in &p.staying {
        out.push_str(&format!(
            "\n  {:<22} {:<8} {} owed: {}",
            x.claim,
            "stays",
            money(x.owed_minor, cur),
            x.why
        ));
    }
    for x in &p.positions {
        let side = match x.side {
            house::PositionSide::PayIn => "pays in",
            house::PositionSide::PayOut => "is paid",
            house::PositionSide::Flat => "nets to zero",
        };
        out.push_str(&format!(
            "\n  {:<24} {side} {}",
            x.participant,
            money(x.due_minor, &x.currency)
        ));
    }
    out.push_str(&zones_text(&p.zones, &p.liquidity, cur));
    out
}

#[derive(Debug, Args)]
pub struct StatementArgs {
    /// The participant.
    #[arg(long)]
    participant: String,
    /// The cycle.
    #[arg(long)]
    cycle: u64,
}

pub fn run_statement(ctx: &Ctx, args: StatementArgs) -> anyhow::Result<ExitCode> {
    let h = open(ctx, false)?;
    let s = h.statement(&args.participant, args.cycle)?;
    emit(ctx, "statement", &s, |s| {
        let mut out = format!(
            "statement of {} at the house for cycle {} (zone {}): opening {}",
            s.participant,
            s.cycle,
            s.zone,
            money(s.opening_minor, &s.currency)
        );
        for l in &s.lines {
            out.push_str(&format!(
                "\n  {:<28} {:>6} {:>20}  {}",
                l.reference,
                if l.credit { "credit" } else { "debit" },
                money(l.amount_minor, &s.currency),
                l.description
            ));
        }
        out.push_str(&format!(
            "\n  closing {}",
            money(s.closing_minor, &s.currency)
        ));
        out
    })
}

/// Prints a value: JSON Lines `{"type": …, "data": …}` or its text.
pub fn emit<T: Serialize>(
    ctx: &Ctx,
    kind: &str,
    value: &T,
    text: impl Fn(&T) -> String,
) -> anyhow::Result<ExitCode> {
    if ctx.json {
        output::json_line(&serde_json::json!({ "type": kind, "data": value }))?;
    } else {
        output::line(&text(value))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = input::read_text(path, INPUT_FILE_BYTES_MAX)?;
    serde_json::from_str(&text).with_context(|| format!("{}", path.display()))
}

fn parse_participant_status(s: &str) -> anyhow::Result<ParticipantStatus> {
    Ok(match s {
        "active" => ParticipantStatus::Active,
        "pending_review" => ParticipantStatus::PendingReview,
        "suspended" => ParticipantStatus::Suspended,
        "rejected" => ParticipantStatus::Rejected,
        other => {
            bail!("--status {other:?}: expected active, pending_review, suspended or rejected")
        }
    })
}

fn parse_claim_status(s: &str) -> anyhow::Result<ClaimStatus> {
    s.parse::<ClaimStatus>().map_err(|_| {
        let names: Vec<&str> = ClaimStatus::ALL.iter().map(|s| s.as_str()).collect();
        anyhow::anyhow!("--status {s:?}: expected one of {}", names.join(", "))
    })
}

/// `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, as nanoseconds since 1970.
pub fn parse_time(text: &str) -> anyhow::Result<u64> {
    let at = netting::instex::SubmittedAt::parse(text)
        .with_context(|| format!("time {text:?}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"))?;
    let (date, nanos) = at.parts();
    model::calendar::utc_ns(date, nanos)
        .with_context(|| format!("time {text:?} is before 1970 or too far ahead"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_to_nanoseconds() {
        assert_eq!(parse_time("1970-01-01").unwrap(), 0);
        assert_eq!(
            parse_time("2000-02-29").unwrap(),
            951_782_400 * 1_000_000_000
        );
        assert_eq!(
            parse_time("2026-11-24T00:00:01Z").unwrap(),
            (1_795_478_400 + 1) * 1_000_000_000
        );
        assert!(parse_time("2026-13-01").is_err());
    }

    #[test]
    fn lines_parse_and_errors_say_what() {
        let line = parse_line("3004.90;Paracetamol tablets;1200 KGM;EUR 8400.00").unwrap();
        assert_eq!(line.value().to_string(), "EUR 8400.00");
        let err = format!("{:#}", parse_line("3004.90;x;1200;EUR 1").unwrap_err());
        assert!(err.contains("quantity"), "{err}");
    }
}
