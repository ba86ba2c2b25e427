//! Every entry point refuses bad input with an error naming the field, and writes nothing: no
//! record, no audit entry, no ledger event.

use house::{HouseError, OnboardingInput, Verdict};

use crate::support::*;

/// A house with the clean population and one held claim (its case to decide on).
fn env_with_case(db: TestDb) -> (Env, String) {
    let env = Env::new(db);
    onboard_clean(&env);
    let held = env
        .house
        .submit_claim("eu-medtech", &bearings("c-held", 20))
        .unwrap()
        .claim;
    let case = held.case.expect("a held claim has a case");
    env.tick();
    (env, case)
}

/// One request to try.
type Attempt<'a, T> = Box<dyn Fn() -> Result<T, HouseError> + 'a>;

/// Each of `cases` is refused naming a field that contains the expected text, and the store is
/// as it was.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(env: &Env, cases: Vec<(&str, &str, Attempt<'_, T>)>) {
    let before = snapshot(&env.house);
    for (what, field, attempt) in cases {
        let got = invalid_field(attempt());
        assert!(
            got.contains(field),
            "{what}: the error names {got:?}, expected {field:?}"
        );
        assert_eq!(snapshot(&env.house), before, "{what} wrote something");
    }
}

fn valid_firm() -> OnboardingInput {
    firm(
        "eu-newco",
        "Nordwind Handels GmbH",
        "DE",
        "EU",
        "DE62370400440532013001",
        "COBADEFFXXX",
        person("Jonas Weiss", "1979-03-02", "DE"),
        person("Anna Keller", "1982-07-15", "DE"),
    )
}

#[test]
fn onboarding_refuses_bad_details() {
    each_backend(|db| {
        let (env, _) = env_with_case(db);
        let with = |change: fn(&mut OnboardingInput)| {
            let mut input = valid_firm();
            change(&mut input);
            let house = &env.house;
            Box::new(move || house.onboard("operator", &input)) as Attempt<'_, _>
        };
        assert_refused(
            &env,
            vec![
                (
                    "bad IBAN check digits",
                    "iban",
                    with(|i| i.iban = "DE89370400440532013001".into()),
                ),
                (
                    "IBAN not an IBAN",
                    "iban",
                    with(|i| i.iban = "not an iban".into()),
                ),
                ("BIC too short", "bic", with(|i| i.bic = "COBADE".into())),
                (
                    "BIC of a French bank for a German IBAN",
                    "bic",
                    with(|i| i.bic = "BNPAFRPP".into()),
                ),
                ("unknown zone", "zone", with(|i| i.zone = "XX".into())),
                (
                    "country outside its zone",
                    "country",
                    with(|i| i.country = "US".into()),
                ),
                (
                    "empty legal name",
                    "legal_name",
                    with(|i| i.legal_name = "  ".into()),
                ),
                (
                    "empty registration number",
                    "registration_number",
                    with(|i| i.registration_number = String::new()),
                ),
                ("bad id", "id", with(|i| i.id = "Not An Id!".into())),
                (
                    "impossible director birth date",
                    "directors[0].birth_date",
                    with(|i| i.directors[0].birth_date = Some("1971-13-40".into())),
                ),
                (
                    "owner nationality not a country",
                    "beneficial_owners[0].nationalities[0]",
                    with(|i| i.beneficial_owners[0].nationalities = vec!["Germany".into()]),
                ),
            ],
        );
        assert_eq!(
            invalid_field(env.house.onboard("operator", &{
                let mut i = valid_firm();
                i.directors[0].birth_date = Some("1971-13-40".into());
                i
            })),
            "directors[0].birth_date"
        );
        // The same details, fixed, are accepted: the refusals were about the fields.
        let rec = env.house.onboard("operator", &valid_firm()).unwrap();
        assert_eq!(rec.status, house::ParticipantStatus::Active);
        // An id in use with other details is not allowed either, and writes nothing.
        let before = snapshot(&env.house);
        let mut other = valid_firm();
        other.legal_name = "Another Name GmbH".into();
        assert!(matches!(
            env.house.onboard("operator", &other),
            Err(HouseError::NotAllowed(_))
        ));
        assert_eq!(snapshot(&env.house), before);
    });
}

#[test]
fn claims_refuse_bad_fields() {
    each_backend(|db| {
        let (env, _) = env_with_case(db);
        let with = |change: fn(&mut house::ClaimSubmission)| {
            let mut s = medicines("c-bad", 100);
            change(&mut s);
            let house = &env.house;
            Box::new(move || house.submit_claim("eu-pharma", &s)) as Attempt<'_, _>
        };
        assert_refused(
            &env,
            vec![
                (
                    "empty idempotency key",
                    "idempotency_key",
                    with(|s| s.idempotency_key = String::new()),
                ),
                (
                    "idempotency key with spaces around",
                    "idempotency_key",
                    with(|s| s.idempotency_key = " key ".into()),
                ),
                (
                    "creditor owes itself",
                    "debtor",
                    with(|s| s.debtor = "eu-pharma".into()),
                ),
                (
                    "unknown debtor",
                    "debtor",
                    with(|s| s.debtor = "ir-nobody".into()),
                ),
                (
                    "unknown creditor",
                    "creditor",
                    with(|s| s.creditor = "eu-nobody".into()),
                ),
                (
                    "amount is not the sum of the lines",
                    "amount",
                    with(|s| s.amount = "EUR 4225.01".parse().unwrap()),
                ),
                (
                    "a currency of no zone",
                    "amount",
                    with(|s| {
                        s.amount = "USD 4225.00".parse().unwrap();
                        s.goods_lines = vec![line(
                            "3004.90;Paracetamol 500 mg tablets;100 KGM;USD 4225.00",
                        )];
                    }),
                ),
                (
                    "unknown incoterms",
                    "incoterms",
                    with(|s| s.incoterms = "XYZ".into()),
                ),
                (
                    "a line in another currency",
                    "goods_lines[0].value",
                    with(|s| {
                        s.goods_lines = vec![line(
                            "3004.90;Paracetamol 500 mg tablets;100 KGM;IRR 4225.00",
                        )];
                    }),
                ),
                (
                    "no goods lines",
                    "goods_lines",
                    with(|s| s.goods_lines.clear()),
                ),
                (
                    "empty invoice number",
                    "invoice_number",
                    with(|s| s.invoice_number = " ".into()),
                ),
                (
                    "invoice counterparty country not a country",
                    "invoice_counterparty.country",
                    with(|s| s.invoice_counterparty.country = Some("Iran".into())),
                ),
            ],
        );
        // Fixed, it is accepted.
        let out = env
            .house
            .submit_claim("eu-pharma", &medicines("c-bad", 100))
            .unwrap();
        assert_eq!(out.claim.status, house::ClaimStatus::AwaitingAcceptance);
    });
}

#[test]
fn decisions_refuse_bad_officers_reasons_and_cases() {
    each_backend(|db| {
        let (env, case) = env_with_case(db);
        let h = &env.house;
        let decisions: Vec<(&str, &str, Attempt<'_, house::DecisionOutcome>)> = vec![
            (
                "unknown officer",
                "officer",
                Box::new(|| h.decide("z.nobody", &case, Verdict::Release, "fine")),
            ),
            (
                "empty reason",
                "reason",
                Box::new(|| h.decide("a.novak", &case, Verdict::Release, "")),
            ),
            (
                "blank reason",
                "reason",
                Box::new(|| h.decide("a.novak", &case, Verdict::Reject, " \t ")),
            ),
        ];
        assert_refused(&env, decisions);
        let reassignments: Vec<(&str, &str, Attempt<'_, house::Case>)> = vec![
            (
                "reassign to an unknown officer",
                "to",
                Box::new(|| h.reassign("c.weber", &case, "z.nobody", "why")),
            ),
            (
                "reassign without a reason",
                "reason",
                Box::new(|| h.reassign("c.weber", &case, "a.novak", "")),
            ),
        ];
        assert_refused(&env, reassignments);
        let before = snapshot(h);
        match h.decide("a.novak", "case-000000000000", Verdict::Release, "fine") {
            Err(HouseError::NotFound { kind, id }) => {
                assert_eq!((kind, id.as_str()), ("case", "case-000000000000"));
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
        assert!(matches!(
            h.reassign("c.weber", "case-000000000000", "a.novak", "why"),
            Err(HouseError::NotFound { .. })
        ));
        assert!(matches!(
            h.reassign("z.nobody", &case, "a.novak", "why"),
            Err(HouseError::NotAllowed(_))
        ));
        assert_eq!(snapshot(h), before);
        // The case is still open and decidable.
        let out = h
            .decide("a.novak", &case, Verdict::Reject, "no end-use certificate")
            .unwrap();
        assert_eq!(out.case.status, house::CaseStatus::Rejected);
    });
}

#[test]
fn configurations_refuse_inexact_rates_and_bad_fields() {
    type Edit = fn(&mut house::HouseConfig);
    let cases: Vec<(&str, Edit)> = vec![
        ("zones[1].rate", |c| {
            c.zones[1].rate = "0.333".parse().unwrap()
        }),
        ("zones[1].rate", |c| {
            c.zones[1].rate = "480000.005".parse().unwrap()
        }),
        ("zones[0].rate", |c| {
            c.zones[0].rate = "1.001".parse().unwrap()
        }),
        ("zones[0].rate", |c| c.zones[0].rate = "-1".parse().unwrap()),
        ("zones[1].currency", |c| c.zones[1].currency = "XXQ".into()),
        ("zones[1].code", |c| c.zones[1].code = "EU".into()),
        ("zones[0].house_account.iban", |c| {
            c.zones[0].house_account.iban = "FR7630006000011234567890188".into()
        }),
        ("clearing_currency", |c| c.clearing_currency = "EURO".into()),
        ("officers[1].name", |c| {
            c.officers[1].name = "a.novak".into()
        }),
        ("screening_threshold", |c| c.screening_threshold = 0.0),
        ("name", |c| c.name = " ".into()),
        ("zones", |c| c.zones.clear()),
    ];
    for (field, change) in &cases {
        let mut config = house::config::example();
        change(&mut config);
        assert_eq!(&invalid_field(config.check()), field);
    }
    each_backend(|db| {
        let clock = TestClock::at(T0);
        let store = db.open(&clock);
        let before = snapshot_store(&store);
        let mut config = house::config::example();
        config.zones[1].rate = "0.333".parse().unwrap();
        let got = house::House::init(store, clock.clock(), lists(), checker(), config, "operator");
        assert_eq!(invalid_field(got), "zones[1].rate");
        let store = db.open(&clock);
        assert!(!house::House::is_initialised(&store).unwrap());
        assert_eq!(snapshot_store(&store), before);
        assert!(matches!(
            house::House::open(store, clock.clock(), lists(), checker()),
            Err(HouseError::NotInitialised)
        ));
    });
}
