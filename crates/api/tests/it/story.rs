//! The demo's whole story driven over HTTP, on SQLite and on PostgreSQL: the operator onboards
//! the population and adds each firm's user; the firms submit their claims and their debtors
//! accept them; officers decide the held cases under four eyes; the operator runs a cycle and
//! downloads its payment requests; the banks' notifications, built from those requests, come
//! back; the pay-outs are confirmed; every firm reads its statement in JSON, CSV and camt.053;
//! the auditor's verify holds; the metrics counted it all.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::support::*;

/// A firm's user, by the firm.
fn clerk(firm: &str) -> String {
    format!("{firm}.clerk")
}

/// The operator onboards every firm of the demo over HTTP and adds a user for each.
fn onboard(api: &mut Api) {
    for input in demo_participants() {
        let a = api
            .post("/api/v1/participants")
            .by("operator")
            .key(&format!("onboard-{}", input.id))
            .json(&to_json(&input))
            .send();
        a.expect(201);
        let expected = if house::demo::HELD_FOR_REVIEW.contains(&input.id.as_str()) {
            "pending_review"
        } else {
            "active"
        };
        assert_eq!(a.json()["status"], expected, "{}", input.id);
        let a = api
            .post("/api/v1/users")
            .by("operator")
            .json(
                &json!({"name": clerk(&input.id), "role": "participant", "participant": input.id}),
            )
            .send();
        a.expect(201);
        let token = a.json()["token"].as_str().expect("a token").to_owned();
        api.tokens.insert(clerk(&input.id), token);
        api.clock.advance(SECOND);
    }
    let a = api
        .post("/api/v1/users")
        .by("operator")
        .json(&json!({"name": "auditor", "role": "auditor"}))
        .send();
    a.expect(201);
    let token = a.json()["token"].as_str().expect("a token").to_owned();
    api.tokens.insert("auditor".into(), token);
}

/// Each firm submits its claims; returns each claim as answered, by id.
fn submit(api: &Api) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for c in house::demo::claims(api.clock.now()).expect("the demo's claims") {
        let s = c.submission;
        let a = api
            .post("/api/v1/claims")
            .by(&clerk(&s.creditor))
            .json(&to_json(&s))
            .send();
        a.expect(201);
        out.insert(s.id.clone(), a.json());
        api.clock.advance(SECOND);
    }
    let status = |id: &str| out[id]["status"].as_str().unwrap().to_owned();
    assert_eq!(status("c-medicines"), "awaiting_acceptance");
    assert_eq!(status("c-bearings"), "held");
    assert_eq!(status("c-sprayer-parts"), "held");
    out
}

/// The debtors answer: every claim awaiting acceptance or held is accepted, but eu-pharma
/// disputes the gum.
fn answer(api: &Api, claims: &BTreeMap<String, Value>) {
    for (id, c) in claims {
        let debtor = c["submission"]["debtor"].as_str().unwrap();
        let status = c["status"].as_str().unwrap();
        if id == "c-gum" {
            let a = api
                .post("/api/v1/claims/c-gum/dispute")
                .by(&clerk(debtor))
                .json(&json!({"reason": "Only 500 kg of the 800 kg invoiced arrived"}))
                .send();
            a.expect(200);
            assert_eq!(a.json()["status"], "disputed");
        } else if ["awaiting_acceptance", "held"].contains(&status) {
            let a = api
                .post(&format!("/api/v1/claims/{id}/accept"))
                .by(&clerk(debtor))
                .key(&format!("accept-{id}"))
                .send();
            a.expect(200);
        }
    }
}

/// Officers decide: the bearings released by two officers, the dual-use item rejected.
fn review(api: &Api, claims: &BTreeMap<String, Value>) {
    let case = |id: &str| claims[id]["case"].as_str().expect("a case").to_owned();
    let decide = |user: &str, case: &str, verdict: &str| {
        api.post(&format!("/api/v1/cases/{case}/decision"))
            .by(user)
            .json(&json!({"verdict": verdict, "reason": format!("{user} decided")}))
            .send()
    };
    let bearings = case("c-bearings");
    assert_eq!(
        decide("a.novak", &bearings, "release").expect(200).json()["awaiting_second"],
        true
    );
    decide("a.novak", &bearings, "release").expect_error(409, "wrong_state", None);
    let a = decide("b.laurent", &bearings, "release");
    a.expect(200);
    assert_eq!(a.json()["subject_status"], "queued");
    let a = decide("b.laurent", &case("c-sprayer-parts"), "reject");
    a.expect(200);
    assert_eq!(a.json()["subject_status"], "rejected");
    let open = api.get("/api/v1/cases?status=open").by("c.weber").send();
    open.expect(200);
    assert!(!open.json()["items"].as_array().unwrap().is_empty());
}

/// One row of a CSV file (RFC 4180 quoting).
fn csv_row(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// `84500.00` in `currency` as minor units.
fn minor(amount: &str, currency: model::Currency) -> i64 {
    let exponent = usize::from(model::currency::minor_unit_exponent(currency).expect("exponent"));
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    assert!(fraction.len() <= exponent, "{amount}");
    let digits = format!("{whole}{fraction:0<exponent$}");
    digits.parse().expect("an amount")
}

/// The bank of `zone` reports a credit for every payment request of a requests CSV, exactly
/// as asked: a camt.054 on the zone's house account.
fn notification(api: &Api, zone: &house::config::Zone, requests_csv: &str, n: usize) -> Vec<u8> {
    let mut lines = requests_csv.lines();
    assert_eq!(lines.next(), Some(iso20022::REQUEST_CSV_HEADER));
    let rows: Vec<Vec<String>> = lines.map(csv_row).filter(|r| r[0] != "receipt").collect();
    assert!(!rows.is_empty(), "no payment request for {}", zone.code);
    let refs: Vec<String> = (0..rows.len())
        .map(|i| format!("{}-{n}-{i}", zone.code))
        .collect();
    let entries: Vec<iso20022::NotifiedEntry<'_>> = rows
        .iter()
        .zip(&refs)
        .map(|(r, reference)| {
            assert_eq!(r[5], zone.currency.code());
            iso20022::NotifiedEntry {
                account_servicer_reference: reference,
                booked_at_ns: api.clock.now(),
                amount_minor: minor(&r[4], zone.currency),
                credit: true,
                end_to_end_id: Some(&r[0]),
                counterparty: Some(iso20022::Party {
                    name: &r[1],
                    iban: Some(&r[2]),
                    other_account: None,
                    bic: Some(&r[3]),
                }),
                remittance: iso20022::Remittance {
                    creditor_reference: Some(&r[6]),
                    documents: &[],
                    text: None,
                },
            }
        })
        .collect();
    let iban = zone.account.iban().to_string();
    let bic = zone.account.bic().to_string();
    let id = format!("BANK-{}-{n}", zone.code);
    let mut out = Vec::new();
    iso20022::write_camt054(
        &iso20022::Notification {
            message_id: &id,
            notification_id: &id,
            created_at_ns: api.clock.now(),
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

/// Validates an XML file against the official schema of `message`.
fn assert_schema_valid(bytes: &[u8], message: &str) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("file.xml");
    std::fs::write(&file, bytes).expect("written");
    let schema = test_support::shared_data(format!("iso20022/{message}.xsd"));
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("xmllint runs (Debian package libxml2-utils)");
    assert!(
        out.status.success(),
        "not a valid {message}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The operator runs the cycle and downloads every file; returns the files by name.
fn run_cycle(api: &Api) -> BTreeMap<String, Vec<u8>> {
    let a = api
        .post("/api/v1/cycles")
        .by("operator")
        .key("cycle-1")
        .json(&json!({}))
        .send();
    a.expect(201);
    let report = a.json();
    assert_eq!(report["cycle"]["number"], 1);
    assert_eq!(report["cycle"]["status"], "awaiting_pay_ins");
    let taken: Vec<&str> = report["cycle"]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["claim"].as_str().unwrap())
        .collect();
    assert!(
        taken.contains(&"c-medicines") && taken.contains(&"c-bearings"),
        "{taken:?}"
    );
    assert!(!taken.contains(&"c-gum") && !taken.contains(&"c-sprayer-parts"));
    download(api)
}

/// Every file of cycle 1, as listed, each checked against its listed hash.
fn download(api: &Api) -> BTreeMap<String, Vec<u8>> {
    let listed = api.get("/api/v1/cycles/1/files").by("operator").send();
    listed.expect(200);
    let mut files = BTreeMap::new();
    for f in listed.json().as_array().expect("files") {
        let name = f["name"].as_str().unwrap();
        let a = api
            .get(&format!(
                "/api/v1/cycles/1/files/{}",
                name.replace('/', "%2F")
            ))
            .by("auditor")
            .send();
        a.expect(200);
        assert_eq!(a.body.len() as u64, f["bytes"].as_u64().unwrap());
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&a.body));
        assert_eq!(Some(sha.as_str()), f["sha256"].as_str(), "{name}");
        files.insert(name.to_owned(), a.body);
    }
    files
}

/// The banks pay exactly what was requested, then confirm every pay-out.
fn settle(api: &Api, files: &BTreeMap<String, Vec<u8>>) {
    let zones = api.house().config().zones.clone();
    for (n, zone) in zones.iter().enumerate() {
        let name = format!("{0}/requests-{0}.csv", zone.code);
        let Some(csv) = files.get(&name) else {
            continue;
        };
        let xml = format!("{0}/requests-{0}.pain013.xml", zone.code);
        assert_schema_valid(&files[&xml], "pain.013.001.08");
        let camt = notification(api, zone, &String::from_utf8_lossy(csv), n);
        assert_schema_valid(&camt, "camt.054.001.08");
        let a = api
            .post("/api/v1/settlement/bank-files")
            .header("content-type", "application/xml")
            .by("operator")
            .raw(camt)
            .send();
        a.expect(200);
        assert_eq!(a.json()["suspense"], 0, "{}", a.text());
        assert!(a.json()["matched"].as_u64().unwrap() > 0);
    }
    let a = api.post("/api/v1/cycles/1/advance").by("operator").send();
    a.expect(200);
    let cycle = api.get("/api/v1/cycles/1").by("operator").send();
    cycle.expect(200);
    let cycle = cycle.json();
    assert_eq!(cycle["status"], "settled", "{cycle}");
    // The banks' pain.002: every pay-out accepted.
    let mut by_message: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in cycle["positions"].as_array().unwrap() {
        if let Some(payout) = p.get("payout").filter(|x| !x.is_null()) {
            by_message
                .entry(payout["message_id"].as_str().unwrap().to_owned())
                .or_default()
                .push(payout["end_to_end_id"].as_str().unwrap().to_owned());
        }
    }
    assert!(!by_message.is_empty(), "no pay-out");
    for (message, ids) in &by_message {
        let statuses: Vec<iso20022::TransactionStatus<'_>> = ids
            .iter()
            .map(|id| iso20022::TransactionStatus {
                original_end_to_end_id: id,
                status: "ACSC",
                reason: None,
                additional_info: None,
            })
            .collect();
        let id = format!("STS-{message}");
        let mut bytes = Vec::new();
        iso20022::write_pain002(
            &iso20022::StatusReport {
                message_id: &id,
                created_at_ns: api.clock.now(),
                original_message_id: message,
                original_message_name: "pain.001.001.09",
                original_payment_information_id: message,
                transactions: &statuses,
            },
            &mut bytes,
        )
        .expect("pain.002 written");
        let a = api
            .post("/api/v1/settlement/bank-files")
            .by("operator")
            .raw(bytes)
            .send();
        a.expect(200);
        assert_eq!(
            a.json()["payouts_confirmed"].as_u64(),
            Some(ids.len() as u64)
        );
    }
}

/// Every firm of the cycle reads its statement in each format; another firm's is not found.
fn statements(api: &Api) {
    let cycle = api.get("/api/v1/cycles/1").by("auditor").send().json();
    let mut read = 0;
    for p in cycle["positions"].as_array().unwrap() {
        let firm = p["participant"].as_str().unwrap();
        if !api.tokens.contains_key(&clerk(firm)) {
            continue; // a liquidity provider's position, not a firm's
        }
        // A firm sees its own position of the cycle and its own claims, no one else's.
        let own = api.get("/api/v1/cycles/1").by(&clerk(firm)).send();
        own.expect(200);
        let own = own.json();
        let positions: Vec<&str> = own["positions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["participant"].as_str().unwrap())
            .collect();
        assert_eq!(positions, [firm]);
        assert!(own["claims"].as_array().unwrap().iter().all(|c| {
            c["creditor"].as_str() == Some(firm) || c["debtor"].as_str() == Some(firm)
        }));
        assert!(own["files"].as_array().unwrap().is_empty());
        let listed = api.get("/api/v1/cycles").by(&clerk(firm)).send();
        listed.expect(200);
        for cycle in listed.json()["items"].as_array().unwrap() {
            let others: Vec<&Value> = cycle["positions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| x["participant"].as_str() != Some(firm))
                .collect();
            assert!(
                others.is_empty(),
                "{firm} lists others' positions: {others:?}"
            );
            assert!(cycle["payments"].as_array().is_none_or(Vec::is_empty));
            assert!(cycle["files"].as_array().is_none_or(Vec::is_empty));
        }
        let uri = format!("/api/v1/cycles/1/statements/{firm}");
        let json = api.get(&uri).by(&clerk(firm)).send();
        json.expect(200);
        assert_eq!(json.json()["participant"], firm);
        let lines = json.json()["lines"].as_array().unwrap().len();
        let csv = api
            .get(&format!("{uri}?format=csv"))
            .by(&clerk(firm))
            .send();
        csv.expect(200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        // The header, the opening balance, a row per line, the receipt.
        let text = csv.text();
        assert_eq!(text.lines().count(), lines + 3, "{text}");
        assert!(text.lines().last().unwrap().contains(",receipt,"), "{text}");
        let xml = api
            .get(&format!("{uri}?format=camt053"))
            .by(&clerk(firm))
            .send();
        xml.expect(200);
        assert_eq!(xml.header("content-type"), Some("application/xml"));
        if lines > 0 {
            assert_schema_valid(&xml.body, "camt.053.001.08");
        }
        let stranger = if firm == "eu-pharma" {
            "ir-darou"
        } else {
            "eu-pharma"
        };
        api.get(&uri)
            .by(&clerk(stranger))
            .send()
            .expect_error(404, "not_found", None);
        read += 1;
    }
    assert!(read >= 4, "only {read} statements");
}

/// The auditor's verify, the metrics, readiness.
fn check(api: &Api) {
    let a = api.post("/api/v1/verify").by("auditor").send();
    a.expect(200);
    assert_eq!(a.json()["ok"], true, "{}", a.text());
    assert!(a.json()["claims"].as_u64().unwrap() >= 10);
    let metrics = api.get("/metrics").send();
    metrics.expect(200);
    let text = metrics.text();
    for series in [
        "clearhouse_http_requests_total{method=\"POST\",route=\"/api/v1/claims\",status=\"201\"} 10",
        "clearhouse_http_requests_total{method=\"POST\",route=\"/api/v1/participants\",status=\"201\"}",
        "clearhouse_http_requests_total{method=\"POST\",route=\"/api/v1/cycles\",status=\"201\"} 1",
        "clearhouse_http_requests_total{method=\"GET\",route=\"/api/v1/cycles/{number}/files/{name}\",status=\"200\"}",
        "clearhouse_cycle_duration_seconds_count{} 1",
        "clearhouse_claims{status=\"cleared\"}",
        "clearhouse_cases{status=\"released\"} 1",
    ] {
        assert!(
            text.contains(series),
            "{series} is not in the metrics:\n{text}"
        );
    }
    let a = api
        .get("/api/v1/participants")
        .by(&clerk("eu-pharma"))
        .send();
    a.expect(200);
    let ids: Vec<String> = a.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["participant"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["eu-pharma"]);
    let ready = api.get("/readyz").send();
    ready.expect(200);
    assert_eq!(ready.json()["status"], "ok");
    api.get("/healthz").send().expect(200);
}

#[test]
fn the_demo_story_over_http() {
    each_backend(|db| {
        let mut api = Api::new(db);
        onboard(&mut api);
        let claims = submit(&api);
        answer(&api, &claims);
        review(&api, &claims);
        let files = run_cycle(&api);
        settle(&api, &files);
        let after = download(&api);
        assert!(
            after.keys().any(|n| n.contains("payouts"))
                && after.keys().any(|n| n.contains("statement")),
            "{:?}",
            after.keys()
        );
        statements(&api);
        check(&api);
    });
}
