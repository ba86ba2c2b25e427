//! The holes of the compliance promise, tried as an attacker would: every party screened
//! (counterparties of any kind, banks, house accounts), nothing claimed or onboarded twice, no
//! amount that can stop a cycle, no name that reads other than it is stored.

use house::{
    AlertStatus, ClaimStatus, CounterpartyKind, HouseError, Lists, Outcome, ParticipantStatus, kind,
};
use store::{AuditEvent, Change, Record};

use crate::support::*;

/// A Bank Sepah account (SWIFT/BIC SEPBIRTH on the OFAC SDN list).
const SEPAH_IBAN: &str = "IR970170000000100324200099";

fn iranian_firm(id: &str, bic: &str) -> house::OnboardingInput {
    firm(
        id,
        "Shiraz Saffron Trading Co.",
        "IR",
        "IR",
        SEPAH_IBAN,
        bic,
        person("Hossein Jafari", "1969-05-05", "IR"),
        person("Shirin Kazemi", "1983-11-11", "IR"),
    )
}

fn step<'a>(claim: &'a house::ClaimRecord, step: &str) -> &'a house::Check {
    claim
        .checks
        .iter()
        .find(|c| c.step == step)
        .unwrap_or_else(|| panic!("no {step} check in {:?}", claim.checks))
}

#[test]
fn a_listed_person_as_invoice_counterparty_is_held() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        // No kind given: screened against persons too (before, only organisations).
        let mut c = medicines("c-qs", 10);
        c.invoice_counterparty.name = "Qasem Soleimani".into();
        let claim = env.house.submit_claim("eu-pharma", &c).unwrap().claim;
        assert_eq!(claim.status, ClaimStatus::Held, "{:?}", claim.checks);
        assert_eq!(step(&claim, "counterparty").outcome, Outcome::Hold);
        // Said to be an organisation: screened as one, and the person's entry is not its match.
        let mut c = medicines("c-qs-org", 11);
        c.invoice_counterparty.name = "Qasem Soleimani".into();
        c.invoice_counterparty.kind = Some(CounterpartyKind::Organization);
        let claim = env.house.submit_claim("eu-pharma", &c).unwrap().claim;
        assert_eq!(step(&claim, "counterparty").outcome, Outcome::Pass);
    });
}

#[test]
fn a_firm_banking_at_a_listed_bank_goes_to_review() {
    each_backend(|db| {
        let env = Env::new(db);
        for (id, bic) in [("ir-sepah-1", "SEPBIRTH"), ("ir-sepah-2", "SEPBIRTHXXX")] {
            let mut input = iranian_firm(id, bic);
            input.iban = if id.ends_with('1') {
                SEPAH_IBAN.into()
            } else {
                "IR270170000000100324200098".into()
            };
            input.registration_number = format!("Shiraz {id}");
            let rec = env.house.onboard("operator", &input).unwrap();
            assert_eq!(rec.status, ParticipantStatus::PendingReview, "{id}");
            let bank = rec
                .screening
                .iter()
                .find(|s| s.role == house::NameRole::Bank)
                .expect("the bank is screened");
            assert!(
                bank.hits
                    .iter()
                    .any(|h| h.entity_id.starts_with("us_ofac_sdn:")),
                "{id}: {:?}",
                bank.hits
            );
            let alerts = env.house.alerts(Some(AlertStatus::Open), Some(id)).unwrap();
            assert!(
                alerts.iter().any(|a| a.explanation.contains("bank")),
                "{alerts:?}"
            );
        }
        // A clean bank named with a listed bank's name is found by the name.
        let mut input = iranian_firm("ir-named", "KESHIRTH");
        input.iban = "IR540170000000100324200097".into();
        input.registration_number = "Shiraz 3".into();
        input.bank_name = Some("Bank Sepah".into());
        let rec = env.house.onboard("operator", &input).unwrap();
        assert_eq!(rec.status, ParticipantStatus::PendingReview);
    });
}

#[test]
fn a_house_account_at_a_listed_bank_is_refused_at_init_and_raised_at_a_list_update() {
    each_backend(|db| {
        let mut config = house::config::example();
        config.zones[1].house_account.bic = "SEPBIRTH".into();
        let store = db.open(&TestClock::at(T0));
        let err = house::House::init(
            store,
            TestClock::at(T0).clock(),
            lists(),
            checker(),
            config,
            "operator",
        )
        .unwrap_err();
        assert!(
            matches!(&err, HouseError::Invalid { field, .. } if field == "zones[1].house_account.bic"),
            "{err}"
        );
        assert!(err.to_string().contains("SEPBIRTH"), "{err}");
    });
    each_backend(|db| {
        let env = Env::new(db);
        // A list update that lists the IR house account's bank.
        let mut entities: Vec<screening::Entity> = lists()
            .screener
            .entities()
            .iter()
            .take(50)
            .cloned()
            .collect();
        let mut bank = entities[0].clone();
        bank.id = "test_list:1".into();
        bank.source = "test_list".into();
        bank.identifiers = vec![screening::entity::Identifier {
            kind: "SWIFT/BIC".into(),
            value: "KESHIRTH".into(),
            country: Some("IR".into()),
        }];
        entities.push(bank);
        let report = env
            .house
            .rescreen("operator", Lists::index(entities.clone(), "v2"))
            .unwrap();
        let on_house: Vec<_> = env
            .house
            .alerts(Some(AlertStatus::Open), Some("house"))
            .unwrap();
        assert_eq!(on_house.len(), 1, "{on_house:?}");
        assert_eq!(on_house[0].subject, "config:house");
        assert!(report.new_alerts.contains(&on_house[0].id));
        // The same lists again raise nothing new.
        let again = env
            .house
            .rescreen("operator", Lists::index(entities, "v2"))
            .unwrap();
        assert!(again.new_alerts.is_empty(), "{again:?}");
        assert!(env.house.verify().unwrap().is_ok());
    });
}

#[test]
fn one_firm_is_one_participant() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let pharma = clean_population().remove(0);
        // The same IBAN under another id.
        let mut twin = pharma.clone();
        twin.id = "eu-pharma-2".into();
        twin.registration_number = "HRB 99999".into();
        assert_eq!(invalid_field(env.house.onboard("operator", &twin)), "iban");
        // The same registration number, written otherwise, with another IBAN.
        let mut twin = pharma.clone();
        twin.id = "eu-pharma-3".into();
        twin.iban = "DE35370400440532013002".into();
        twin.registration_number = format!(
            " {} ",
            pharma.registration_number.to_lowercase().replace(' ', "-")
        );
        assert_eq!(
            invalid_field(env.house.onboard("operator", &twin)),
            "registration_number"
        );
        // The same details again are the same participant, not a twin.
        let again = env.house.onboard("operator", &pharma).unwrap();
        assert_eq!(again.status, ParticipantStatus::Active);
    });
}

#[test]
fn an_invoice_claimed_twice_is_held() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let first = env
            .house
            .submit_accepted("eu-pharma", &medicines("c-1", 10))
            .unwrap()
            .claim;
        assert_eq!(first.status, ClaimStatus::Queued);
        env.tick();
        // The same invoice number written otherwise, under another claim id.
        let mut again = medicines("c-2", 12);
        again.invoice_number = "inv c 1".into();
        let second = env.house.submit_claim("eu-pharma", &again).unwrap().claim;
        assert_eq!(second.status, ClaimStatus::Held, "{:?}", second.checks);
        let dup = step(&second, "duplicates");
        assert!(dup.findings[0].contains("claim c-1"), "{:?}", dup.findings);
        env.tick();
        // The same amount and due date under another number.
        let mut renumbered = medicines("c-3", 10);
        renumbered.invoice_number = "INV-OTHER".into();
        let third = env
            .house
            .submit_claim("eu-pharma", &renumbered)
            .unwrap()
            .claim;
        assert_eq!(step(&third, "duplicates").outcome, Outcome::Hold);
        // Another invoice is not a duplicate.
        let fourth = env
            .house
            .submit_claim("eu-pharma", &medicines("c-4", 13))
            .unwrap()
            .claim;
        assert_eq!(step(&fourth, "duplicates").outcome, Outcome::Pass);
        assert!(env.house.verify().unwrap().is_ok());
    });
}

/// Rice (1006.30): no reference prices in the test file, not even for its heading.
fn rice() -> house::ClaimSubmission {
    claim(
        "c-rice",
        "eu-pharma",
        "ir-darou",
        "Darou Pakhsh Distribution Co.",
        "EUR 500.00",
        &["1006.30;Rice, milled;1000 KGM;EUR 500.00"],
    )
}

#[test]
fn a_price_without_reference_says_so_and_the_house_decides() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let claim_rec = env.house.submit_claim("eu-pharma", &rice()).unwrap().claim;
        assert_eq!(claim_rec.status, ClaimStatus::AwaitingAcceptance);
        let price = step(&claim_rec, "prices");
        assert_eq!(price.outcome, Outcome::NotChecked);
        assert_eq!(price.inputs["price"]["status"], "no_reference");
        let json = serde_json::to_string(&claim_rec).unwrap();
        assert!(json.contains("\"not_checked\""), "{json}");
        assert!(!json.contains("NoReference"), "{json}");
    });
    each_backend(|db| {
        let mut config = house::config::example();
        config.hold_without_price_reference = true;
        let env = Env::with_config(db, config);
        onboard_clean(&env);
        let claim_rec = env.house.submit_claim("eu-pharma", &rice()).unwrap().claim;
        assert_eq!(claim_rec.status, ClaimStatus::Held);
        assert_eq!(step(&claim_rec, "prices").outcome, Outcome::Hold);
    });
}

#[test]
fn dates_out_of_any_trade_are_refused() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        for due in ["1999-01-31", "2061-01-31"] {
            let mut c = medicines("c-date", 10);
            c.due_date = due.parse().unwrap();
            assert_eq!(
                invalid_field(env.house.submit_claim("eu-pharma", &c)),
                "due_date",
                "{due}"
            );
        }
        let mut newco = iranian_firm("ir-future", "KESHIRTH");
        newco.directors[0].birth_date = Some("2030-01-01".into());
        assert_eq!(
            invalid_field(env.house.onboard("operator", &newco)),
            "directors[0].birth_date"
        );
    });
}

#[test]
fn an_amount_no_cycle_can_sum_is_refused_and_a_bad_claim_never_blocks_a_cycle() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let huge = "EUR 92233720368547758.07";
        let c = claim(
            "c-huge",
            "eu-pharma",
            "ir-darou",
            "Darou Pakhsh Distribution Co.",
            huge,
            &[&format!("3004.90;Paracetamol;10 KGM;{huge}")],
        );
        assert_eq!(
            invalid_field(env.house.submit_claim("eu-pharma", &c)),
            "amount"
        );
        // A claim recorded before the limit existed (written as an older build would have):
        // the cycle sets it aside with an alert and clears the others.
        for id in ["c-ok-1", "c-legacy"] {
            env.house
                .submit_accepted("eu-pharma", &medicines(id, 10 + id.len() as i64))
                .unwrap();
            env.tick();
        }
        let store = env.house.store();
        let rec = store.record(kind::CLAIM, "c-legacy").unwrap().unwrap();
        let mut legacy: house::ClaimRecord = serde_json::from_str(&rec.body).unwrap();
        legacy.clearing_amount_minor = i64::MAX / 100;
        let body = serde_json::to_string(&legacy).unwrap();
        store
            .apply_change(Change {
                put: vec![Record {
                    version: rec.version + 1,
                    body: body.clone(),
                    ..rec.clone()
                }],
                audit: vec![AuditEvent {
                    actor: "older build".into(),
                    action: "claim.submitted".into(),
                    subject: "claim:c-legacy".into(),
                    body,
                }],
                ..Change::default()
            })
            .unwrap();
        let report = env.run_and_settle();
        let cleared: Vec<&str> = report
            .cycle
            .claims
            .iter()
            .map(|c| c.claim.as_str())
            .collect();
        assert_eq!(cleared, ["c-ok-1"]);
        let legacy = env.house.claim("c-legacy").unwrap();
        assert_eq!(legacy.status, ClaimStatus::Held);
        let alerts = env.house.alerts(Some(AlertStatus::Open), None).unwrap();
        assert!(
            alerts
                .iter()
                .any(|a| a.subject == "claim:c-legacy" && a.code == "set_aside"),
            "{alerts:?}"
        );
        // The next cycle runs too.
        env.tick();
        env.run_and_settle();
    });
}

#[test]
fn names_that_read_otherwise_and_configurations_without_four_eyes_are_refused() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let mut input = iranian_firm("ir-bidi", "KESHIRTH");
        input.legal_name = "Acme \u{202E}gnidart".into();
        assert_eq!(
            invalid_field(env.house.onboard("operator", &input)),
            "legal_name"
        );
        for actor in ["", " ", "op\u{202E}rator", "op\nerator"] {
            assert_eq!(
                invalid_field(env.house.submit_claim(actor, &medicines("c-a", 10))),
                "actor",
                "{actor:?}"
            );
        }
        let mut c = medicines("c-b", 10);
        c.invoice_counterparty.name = "Darou \u{202E}Pakhsh".into();
        assert_eq!(
            invalid_field(env.house.submit_claim("eu-pharma", &c)),
            "invoice_counterparty.name"
        );
    });
    let refused = |edit: &dyn Fn(&mut house::HouseConfig)| {
        let mut config = house::config::example();
        edit(&mut config);
        match config.check() {
            Err(HouseError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    };
    assert_eq!(refused(&|c| c.officers.truncate(1)), "officers");
    assert_eq!(
        refused(&|c| c.officers.retain(|o| o.role != house::Role::Supervisor)),
        "officers"
    );
    assert_eq!(
        refused(&|c| c.officers[0].name = "a.\u{202E}novak".into()),
        "officers[0].name"
    );
    assert_eq!(
        refused(&|c| c.zones[1].countries.push("DE".into())),
        "zones[1].countries[1]"
    );
}

#[test]
fn verify_finds_ledger_movements_no_house_record_explains() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        env.house
            .submit_accepted("eu-pharma", &medicines("c-1", 10))
            .unwrap();
        env.run_and_settle();
        assert!(env.house.verify().unwrap().is_ok());
        // Money moved between two participants by a raw ledger batch, not through the house.
        let pharma = env.house.participant("eu-pharma").unwrap().account_id;
        let darou = env.house.participant("ir-darou").unwrap().account_id;
        let results = env
            .house
            .store()
            .create_transfers(vec![ledger::NewTransfer {
                id: 424_242,
                debit_account_id: darou,
                credit_account_id: pharma,
                amount: 7_000_000,
                ledger: 978,
                code: 10,
                ..ledger::NewTransfer::default()
            }])
            .unwrap();
        assert!(results[0].is_ok(), "{results:?}");
        let report = env.house.verify().unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("ledger transfer 424242")
                    && p.contains("participant ir-darou")
                    && p.contains("participant eu-pharma")),
            "{:?}",
            report.problems
        );
        // An account opened beside the house's.
        env.house
            .store()
            .create_accounts(vec![ledger::NewAccount {
                id: 77,
                ledger: 978,
                code: 1,
                ..ledger::NewAccount::default()
            }])
            .unwrap();
        let report = env.house.verify().unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("ledger account 77")),
            "{:?}",
            report.problems
        );
    });
}

/// A house with medicines one way and pistachios the other, cleared in one cycle.
fn a_cycle_both_ways(db: TestDb) -> (Env, house::CycleReport) {
    let env = Env::new(db);
    onboard_clean(&env);
    env.submit_both_ways();
    let report = env.run_and_settle();
    (env, report)
}

#[test]
fn every_file_a_cycle_writes_is_valid_iso20022() {
    each_backend(|db| {
        let (_env, report) = a_cycle_both_ways(db);
        let dir = std::path::Path::new(&report.directory);
        let mut checked = 0;
        for file in &report.cycle.files {
            let path = dir.join(&file.path);
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let message = if name.ends_with(".pain001.xml") {
                "pain.001.001.09"
            } else if name.ends_with(".pain013.xml") {
                "pain.013.001.08"
            } else if name.ends_with(".camt053.xml") {
                "camt.053.001.08"
            } else {
                continue;
            };
            assert_schema_valid(&path, message);
            checked += 1;
        }
        assert!(checked >= 4, "{:?}", report.cycle.files);
    });
}

#[test]
fn a_cycles_files_carry_a_receipt_the_history_holds() {
    each_backend(|db| {
        let (env, report) = a_cycle_both_ways(db);
        let receipt = report.cycle.receipt.clone().expect("a receipt");
        let heads: store::Heads = receipt.parse().unwrap();
        assert!(env.house.store().check_heads(&heads).unwrap().is_empty());
        let dir = std::path::Path::new(&report.directory);
        for file in &report.cycle.files {
            let text = std::fs::read_to_string(dir.join(&file.path)).unwrap();
            assert!(text.contains(&receipt), "{} lacks the receipt", file.path);
        }
        // Later activity does not unsettle it.
        env.tick();
        env.house
            .submit_claim("eu-pharma", &medicines("c-3", 11))
            .unwrap();
        assert!(env.house.store().check_heads(&heads).unwrap().is_empty());
    });
}

#[test]
fn verify_names_each_cycle_file_missing_or_changed_and_checks_the_rest() {
    each_backend(|db| {
        let (env, report) = a_cycle_both_ways(db);
        let verified = env.house.verify().unwrap();
        assert!(verified.is_ok(), "{:?}", verified.problems);
        let files = &report.cycle.files;
        assert_eq!(verified.files, files.len());
        assert!(files.len() >= 3, "{files:?}");
        let dir = std::path::Path::new(&report.directory);
        let (deleted, edited) = (&files[0].path, &files[1].path);
        std::fs::remove_file(dir.join(deleted)).unwrap();
        std::fs::write(dir.join(edited), "changed behind the house's back").unwrap();
        // A file that cannot be read (a directory where the file was) is named too.
        let unreadable = &files[2].path;
        std::fs::remove_file(dir.join(unreadable)).unwrap();
        std::fs::create_dir(dir.join(unreadable)).unwrap();

        let verified = env.house.verify().unwrap();
        assert!(!verified.is_ok());
        assert_eq!(verified.files, files.len(), "every file is still checked");
        let n = report.cycle.number;
        let problems = &verified.problems;
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(
            problems[0].starts_with(&format!("cycle {n}: file {deleted} is missing")),
            "{problems:#?}"
        );
        assert!(
            problems[1].starts_with(&format!("cycle {n}: file {edited} differs")),
            "{problems:#?}"
        );
        assert!(
            problems[2].starts_with(&format!("cycle {n}: file {unreadable} cannot be read")),
            "{problems:#?}"
        );

        // The directory gone: one problem that names it.
        std::fs::remove_dir_all(dir).unwrap();
        let verified = env.house.verify().unwrap();
        assert_eq!(
            verified.problems,
            [format!(
                "cycle {n}: its directory {} is missing, and with it its {} files",
                report.cycle.directory,
                files.len()
            )]
        );
    });
}
