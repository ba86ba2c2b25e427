//! The house's test helpers: the test databases and the clock (from `test-support`, shared with
//! the store's and the CLI's tests; PostgreSQL tests never skip, they fail without a server),
//! the sanctions lists and goods checker built once per test binary (from `test-support` too,
//! shared with the API's tests), and builders for participants and claims.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use house::{ClaimSubmission, House, HouseError, InvoiceParty, OnboardingInput, PartyDetails};
use store::{Record, Store};
pub use test_support::{SECOND, T0, TestClock, TestDb, checker, each_backend, lists};

/// Submitting a claim and having its debtor accept it, as a firm and its customer do before a
/// claim enters clearing (`house::lifecycle`): what the tests written about clearing expect of
/// a submission.
pub trait SubmitAccepted {
    /// Submits `submission`; a claim that passed its checks (awaiting acceptance) or was held is
    /// then accepted by its debtor (a held claim in advance: it is queued once released), and
    /// the answer carries the claim as it stands after.
    fn submit_accepted(
        &self,
        actor: &str,
        submission: &ClaimSubmission,
    ) -> Result<house::ClaimOutcome, HouseError>;
}

impl SubmitAccepted for House {
    fn submit_accepted(
        &self,
        actor: &str,
        submission: &ClaimSubmission,
    ) -> Result<house::ClaimOutcome, HouseError> {
        let mut outcome = self.submit_claim(actor, submission)?;
        let status = outcome.claim.status;
        if matches!(
            status,
            house::ClaimStatus::AwaitingAcceptance | house::ClaimStatus::Held
        ) {
            let debtor = &submission.debtor;
            outcome.claim =
                self.accept_claim(&format!("user of {debtor}"), debtor, &submission.id)?;
        }
        Ok(outcome)
    }
}

/// A database with a house on it, its clock, and a directory for settlement files.
pub struct Env {
    pub db: TestDb,
    pub clock: TestClock,
    pub house: House,
    pub out: tempfile::TempDir,
}

impl Env {
    /// A house set up with `config` on `db`.
    pub fn with_config(db: TestDb, config: house::HouseConfig) -> Env {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        let house = House::init(store, clock.clock(), lists(), checker(), config, "operator")
            .unwrap_or_else(|e| panic!("init on {}: {e}", db.name));
        Env {
            db,
            clock,
            house,
            out: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// A house set up with the example configuration.
    pub fn new(db: TestDb) -> Env {
        Env::with_config(db, house::config::example())
    }

    /// Closes the house and its store, and opens the house again on a new store on the same
    /// database.
    pub fn reopen(self) -> Env {
        let Env {
            db,
            clock,
            house,
            out,
        } = self;
        drop(house);
        let house = House::open(db.open(&clock), clock.clock(), lists(), checker())
            .unwrap_or_else(|e| panic!("open the house again on {}: {e}", db.name));
        Env {
            db,
            clock,
            house,
            out,
        }
    }

    /// Settlement files go to the test's directory.
    pub fn cycle_options(&self) -> house::CycleOptions {
        house::CycleOptions {
            out_dir: self.out.path().to_path_buf(),
            ..house::CycleOptions::default()
        }
    }

    /// One second later.
    pub fn tick(&self) {
        self.clock.advance(SECOND);
    }

    /// Runs a cycle and has every payer pay exactly what it was asked (one camt.054 per zone,
    /// imported), so that the cycle settles. Returns the cycle as it stands after.
    pub fn run_and_settle(&self) -> house::CycleReport {
        let mut report = self
            .house
            .run_cycle("operator", &self.cycle_options())
            .unwrap_or_else(|e| panic!("cycle on {}: {e}", self.db.name));
        self.pay_all(report.cycle.number);
        report.cycle = self.house.cycle(report.cycle.number).unwrap();
        report
    }

    /// Every payer of cycle `n` still asked to pay pays exactly that.
    pub fn pay_all(&self, n: u64) {
        self.pay_all_but(n, "");
    }

    /// Medicines one way (c-1: eu-pharma ← ir-darou) and pistachios the other (c-2: ir-kerman ←
    /// eu-nl-foods), submitted a second apart and accepted: a cycle of them has a payer and a
    /// payee in each zone. The participants must be onboarded.
    pub fn submit_both_ways(&self) {
        self.house
            .submit_accepted("eu-pharma", &medicines("c-1", 10))
            .unwrap();
        self.tick();
        self.house
            .submit_accepted("ir-kerman", &pistachios("c-2", 8000))
            .unwrap();
        self.tick();
    }

    /// Every payer of cycle `n` but `except` still asked to pay pays exactly that.
    pub fn pay_all_but(&self, n: u64, except: &str) {
        for zone in &self.house.config().zones {
            let credits = self.credits_due(n, zone.code.as_str(), except);
            if credits.is_empty() {
                continue;
            }
            let file = self.bank_file(zone.code.as_str(), &credits);
            self.house
                .import_bank_file("operator", &file)
                .unwrap_or_else(|e| panic!("import on {}: {e}", self.db.name));
        }
    }

    /// A credit of exactly what it still owes from every payer of cycle `n` in `zone` but
    /// `except` still asked to pay.
    pub fn credits_due(&self, n: u64, zone: &str, except: &str) -> Vec<Credit> {
        let cycle = self.house.cycle(n).unwrap();
        cycle
            .positions
            .iter()
            .filter(|p| {
                p.zone == zone
                    && p.status == house::PositionStatus::Requested
                    && p.participant != except
            })
            .map(|p| Credit {
                amount_minor: p.outstanding_minor(),
                reference: Some(p.reference.clone()),
                from: ("Payer".into(), "DE89370400440532013000".into()),
            })
            .collect()
    }

    /// A camt.054 of the zone's bank: credits on the zone house account.
    pub fn bank_file(&self, zone: &str, credits: &[Credit]) -> Vec<u8> {
        let zone = self
            .house
            .config()
            .zones
            .iter()
            .find(|z| z.code.as_str() == zone)
            .expect("zone");
        let sequence = BANK_FILES.fetch_add(1, Ordering::Relaxed);
        let refs: Vec<String> = (0..credits.len())
            .map(|i| format!("B{sequence}-{i}"))
            .collect();
        let entries: Vec<iso20022::NotifiedEntry<'_>> = credits
            .iter()
            .zip(&refs)
            .map(|(c, r)| iso20022::NotifiedEntry {
                account_servicer_reference: r,
                booked_at_ns: self.clock.now(),
                amount_minor: c.amount_minor,
                credit: true,
                end_to_end_id: None,
                counterparty: Some(iso20022::Party {
                    name: &c.from.0,
                    iban: Some(&c.from.1),
                    other_account: None,
                    bic: None,
                }),
                remittance: iso20022::Remittance {
                    creditor_reference: c.reference.as_deref(),
                    documents: &[],
                    text: None,
                },
            })
            .collect();
        let iban = zone.account.iban().to_string();
        let bic = zone.account.bic().to_string();
        let id = format!("BANK-{sequence}");
        let mut out = Vec::new();
        iso20022::write_camt054(
            &iso20022::Notification {
                message_id: &id,
                notification_id: &id,
                created_at_ns: self.clock.now(),
                currency: zone.currency,
                account: iso20022::Account {
                    name: &zone.account_name,
                    iban: &iban,
                    bic: &bic,
                },
                entries: &entries,
            },
            &mut out,
        )
        .expect("camt.054 written");
        out
    }
}

/// A credit a test's bank reports.
#[derive(Debug, Clone)]
pub struct Credit {
    pub amount_minor: i64,
    pub reference: Option<String>,
    /// Who sent it: name and IBAN.
    pub from: (String, String),
}

/// Bank files written by this test binary, for unique references.
static BANK_FILES: AtomicU64 = AtomicU64::new(1);

/// Every record and the audit journal's length and the ledger journal's length: what a refused
/// request must leave as it was.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub records: Vec<Record>,
    pub audit_rows: usize,
    pub ledger_entries: u64,
}

pub const KINDS: [&str; 7] = [
    house::kind::CONFIG,
    house::kind::PARTICIPANT,
    house::kind::CLAIM,
    house::kind::ALERT,
    house::kind::CASE,
    house::kind::CYCLE,
    house::kind::IDEMPOTENCY,
];

pub fn snapshot(house: &House) -> Snapshot {
    snapshot_store(house.store())
}

pub fn snapshot_store(store: &Store) -> Snapshot {
    let mut records = Vec::new();
    for kind in KINDS {
        let page = store
            .records_by_id(kind, None, store::records::RECORDS_LIMIT_MAX)
            .expect("records");
        assert!(
            page.len() < store::records::RECORDS_LIMIT_MAX,
            "too many {kind} records"
        );
        records.extend(page);
    }
    let audit_rows = store
        .audit(0, None, store::LIST_LIMIT_MAX)
        .expect("audit")
        .len();
    let ledger = store.verify().expect("ledger verify");
    assert!(ledger.is_ok(), "{:?}", ledger.problems);
    Snapshot {
        records,
        audit_rows,
        ledger_entries: ledger.entries,
    }
}

/// The field an `Invalid` error names; panics on any other result.
#[track_caller]
pub fn invalid_field<T: std::fmt::Debug>(result: Result<T, HouseError>) -> String {
    match result {
        Err(HouseError::Invalid { field, .. }) => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

pub fn person(name: &str, birth: &str, nationality: &str) -> PartyDetails {
    PartyDetails {
        name: name.into(),
        birth_date: (!birth.is_empty()).then(|| birth.into()),
        nationalities: vec![nationality.into()],
    }
}

/// A firm with one owner and one director.
#[allow(clippy::too_many_arguments)]
pub fn firm(
    id: &str,
    name: &str,
    country: &str,
    zone: &str,
    iban: &str,
    bic: &str,
    owner: PartyDetails,
    director: PartyDetails,
) -> OnboardingInput {
    OnboardingInput {
        id: id.into(),
        legal_name: name.into(),
        registration_number: format!("REG {id}"),
        country: country.into(),
        zone: zone.into(),
        lei: None,
        iban: iban.into(),
        bic: bic.into(),
        bank_name: None,
        beneficial_owners: vec![owner],
        directors: vec![director],
    }
}

/// The demo's clean firms (every one but those screening holds for review), four in each zone.
pub fn clean_population() -> Vec<OnboardingInput> {
    house::demo::participants()
        .expect("the demo's participants read")
        .into_iter()
        .filter(|p| !house::demo::HELD_FOR_REVIEW.contains(&p.id.as_str()))
        .collect()
}

/// Onboards the clean population; every firm must come out active.
pub fn onboard_clean(env: &Env) {
    for input in clean_population() {
        onboard_active(env, &input);
        env.tick();
    }
}

/// Onboards `input` as the operator; the firm must come out active.
#[track_caller]
pub fn onboard_active(env: &Env, input: &OnboardingInput) {
    let rec = env
        .house
        .onboard("operator", input)
        .unwrap_or_else(|e| panic!("onboard {}: {e}", input.id));
    assert_eq!(
        rec.status,
        house::ParticipantStatus::Active,
        "{}: {:?}",
        input.id,
        rec.screening
    );
}

/// A goods line from `HS;DESCRIPTION;QUANTITY UNIT;CUR VALUE`.
pub fn line(text: &str) -> model::GoodsLine {
    let parts: Vec<&str> = text.split(';').map(str::trim).collect();
    let [hs, description, quantity, value] = parts[..] else {
        panic!("bad test line {text:?}");
    };
    let (q, unit) = quantity.split_once(' ').expect("QUANTITY UNIT");
    model::GoodsLine::new(model::GoodsLineInput {
        hs_code: hs.parse().expect("hs code"),
        description: description.to_owned(),
        quantity: model::Quantity::parse(q, unit).expect("quantity"),
        value: value.parse().expect("value"),
    })
    .expect("goods line")
}

/// A claim of `creditor` on `debtor` with one goods line, invoiced to the debtor's name.
pub fn claim(
    id: &str,
    creditor: &str,
    debtor: &str,
    counterparty: &str,
    amount: &str,
    lines: &[&str],
) -> ClaimSubmission {
    ClaimSubmission {
        idempotency_key: format!("key-{id}"),
        id: id.into(),
        creditor: creditor.into(),
        debtor: debtor.into(),
        invoice_number: format!("INV-{id}"),
        amount: amount.parse().expect("amount"),
        due_date: "2027-01-31".parse().expect("date"),
        incoterms: "CIP".into(),
        invoice_counterparty: InvoiceParty {
            name: counterparty.into(),
            country: None,
            kind: None,
        },
        goods_lines: lines.iter().map(|l| line(l)).collect(),
    }
}

/// `minor` cents as `12345.67`.
pub fn euros(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// `kg` kilograms of medicines from eu-pharma to ir-darou at EUR 42.25 a kilogram (inside the
/// price band): humanitarian, accepted.
pub fn medicines(id: &str, kg: i64) -> ClaimSubmission {
    medicines_to(id, "ir-darou", "Darou Pakhsh Distribution Co.", kg)
}

/// [`medicines`] to another importer.
pub fn medicines_to(id: &str, debtor: &str, debtor_name: &str, kg: i64) -> ClaimSubmission {
    let amount = euros(kg * 4225);
    claim(
        id,
        "eu-pharma",
        debtor,
        debtor_name,
        &format!("EUR {amount}"),
        &[&format!(
            "3004.90;Paracetamol 500 mg tablets, packaged for retail sale;{kg} KGM;EUR {amount}"
        )],
    )
}

/// Ball bearings (on the Common High Priority List) from eu-medtech to ir-medequip at EUR 35.00
/// an article: held for review.
pub fn bearings(id: &str, articles: i64) -> ClaimSubmission {
    let amount = euros(articles * 3500);
    claim(
        id,
        "eu-medtech",
        "ir-medequip",
        "Tehran Medical Equipment Co.",
        &format!("EUR {amount}"),
        &[&format!(
            "8482.10;Ball bearings, spare parts for MRI chiller pumps;{articles} NAR;EUR {amount}"
        )],
    )
}

/// `kg` kilograms of pistachios from ir-kerman to eu-nl-foods at EUR 8.75 a kilogram, invoiced
/// in rials at the agreed rate (480,000 IRR per EUR).
pub fn pistachios(id: &str, kg: i64) -> ClaimSubmission {
    let amount = euros(kg * 875 * 480_000);
    claim(
        id,
        "ir-kerman",
        "eu-nl-foods",
        "Delta Dried Fruit Trading B.V.",
        &format!("IRR {amount}"),
        &[&format!(
            "0802.51;Pistachios in shell, dried;{kg} KGM;IRR {amount}"
        )],
    )
}

/// Validates an XML file with `xmllint --schema` against the official schema of `message`
/// (`pain.001.001.09`, `camt.053.001.08`, …); fails with xmllint's words.
pub fn assert_schema_valid(file: &std::path::Path, message: &str) {
    let schema = test_support::shared_data(format!("iso20022/{message}.xsd"));
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(file)
        .output()
        .expect("xmllint runs (Debian package libxml2-utils; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{} is not a valid {message}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
