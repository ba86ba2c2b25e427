//! Two servers on one database, as two `clearhouse serve` processes behind a load balancer:
//! each has its own store (connections and writer), its own house and router; the users,
//! claims and cases are the database's. Requests released together through both servers make
//! one claim of one claim id and key, hold every claim of an invoice but the first, hold exactly
//! the claims past the velocity limit whichever server took them, and keep four eyes; each
//! server reads what the other wrote, `verify` holds on both, and both see the same heads.
//!
//! Each test runs on PostgreSQL (the scale-out the design names) and on SQLite (two processes
//! on one file: WAL and a busy timeout).

use std::collections::BTreeSet;

use house::users::Role;
use serde_json::{Value, json};

use crate::support::*;

/// The velocity limit of the houses under test: a party's claims past this many within the
/// window are held.
const VELOCITY_COUNT_MAX: u32 = 5;
/// Claims on one invoice sent at once, half through each server.
const SAME_INVOICE_CLAIMS: usize = 12;
/// Claims of the velocity burst sent one at a time, through each server in turn, before the
/// rest are sent at once.
const BURST_ONE_AT_A_TIME: usize = 4;
/// Claims of the velocity burst.
const BURST_CLAIMS: usize = 12;
/// Requests with one claim id and one key sent at once, half through each server.
const SAME_KEY_REQUESTS: usize = 8;

/// The firms the tests trade between, and their users.
const FIRMS: [(&str, &str); 6] = [
    ("pharma", "eu-pharma"),
    ("darou", "ir-darou"),
    ("agri", "eu-agri"),
    ("gandom", "ir-gandom"),
    ("medtech", "eu-medtech"),
    ("medequip", "ir-medequip"),
];

/// Two servers on `db`, the firms onboarded through the first, a user for each firm added
/// through the first after the second opened (so the second authenticates users it never
/// saw made).
fn two_servers(db: TestDb) -> (Api, Api) {
    let mut config = house::demo::config();
    config.monitoring.velocity_count_max = VELOCITY_COUNT_MAX;
    let mut one = Api::with_config(db, config);
    let mut two = one.second();
    for input in demo_participants()
        .into_iter()
        .filter(|p| FIRMS.iter().any(|(_, firm)| *firm == p.id))
    {
        one.house().onboard("operator", &input).expect("onboard");
        one.clock.advance(SECOND);
    }
    for (user, firm) in FIRMS {
        let token = one.add_user(user, Role::Participant, Some(firm));
        two.tokens.insert(user.to_owned(), token);
    }
    (one, two)
}

/// A claim of the demo as JSON, without its idempotency key (the header gives it).
fn claim(api: &Api, id: &str) -> Value {
    let mut c = to_json(&demo_claim(api.clock.now(), id));
    c.as_object_mut()
        .expect("a claim")
        .remove("idempotency_key");
    c
}

/// `template` under another claim id.
fn renamed(template: &Value, id: &str) -> Value {
    let mut c = template.clone();
    c["id"] = json!(id);
    c
}

/// A submission through `api` as `user` under `key`, built to send.
fn submission(
    api: &Api,
    user: &str,
    key: &str,
    body: &Value,
) -> axum::http::Request<axum::body::Body> {
    api.post("/api/v1/claims")
        .by(user)
        .key(key)
        .json(body)
        .build()
}

/// Server `i % 2` of the two: requests alternate between them.
fn either(servers: [&Api; 2], i: usize) -> &Api {
    servers[i % 2]
}

/// A claim's `step` check, as answered.
#[track_caller]
fn check<'c>(claim: &'c Value, step: &str) -> &'c Value {
    claim["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["step"] == step)
        .unwrap_or_else(|| panic!("no {step} check: {claim}"))
}

/// How many past claims the monitoring rules saw for a claim.
#[track_caller]
fn history_seen(claim: &Value) -> u64 {
    check(claim, "monitoring")["inputs"]["history_claims"]
        .as_u64()
        .expect("history_claims")
}

/// The creditor's count of the velocity rule's finding on a claim, if the rule fired.
#[track_caller]
fn velocity_count(claim: &Value) -> Option<u64> {
    let finding = check(claim, "monitoring")["inputs"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "velocity")?;
    let creditor = finding["inputs"]["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .find(|p| p["role"] == "creditor")
        .expect("the creditor's part");
    creditor["count"].as_u64()
}

/// The claims of `participant` as `api` lists them to the operator, by id.
fn listed(api: &Api, participant: &str) -> BTreeSet<String> {
    let a = api
        .get(&format!(
            "/api/v1/claims?participant={participant}&limit=100"
        ))
        .by("operator")
        .send();
    a.expect(200);
    assert!(a.json()["next"].is_null(), "one page: {}", a.text());
    a.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["submission"]["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The audit entries about `subject` as `api` shows them, as (action, actor).
fn trail(api: &Api, subject: &str) -> Vec<(String, String)> {
    let a = api
        .get(&format!("/api/v1/audit?subject={subject}&limit=100"))
        .by("operator")
        .send();
    a.expect(200);
    a.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().expect("an action").to_owned(),
                e["actor"].as_str().expect("an actor").to_owned(),
            )
        })
        .collect()
}

/// Both servers' `verify` holds and names the same heads, which are the store's.
fn both_verify(one: &Api, two: &Api) {
    let receipts = [one, two].map(|api| {
        let a = api.post("/api/v1/verify").by("operator").send();
        a.expect(200);
        assert_eq!(a.json()["ok"], true, "{}", a.text());
        a.json()["receipt"].as_str().expect("a receipt").to_owned()
    });
    assert_eq!(receipts[0], receipts[1], "the servers see other heads");
    assert_eq!(one.heads(), two.heads());
    assert_eq!(receipts[0], one.heads().to_string());
}

#[test]
fn one_claim_id_and_key_through_both_servers_is_one_claim() {
    each_backend(|db| {
        let (one, two) = two_servers(db);
        let servers = [&one, &two];
        // The same claim under the same key, through both servers at once: one claim, and every
        // answer is its first answer.
        let body = claim(&one, "c-medicines");
        let answers = at_once(
            (0..SAME_KEY_REQUESTS)
                .map(|i| {
                    let api = either(servers, i);
                    (api, submission(api, "pharma", "k-medicines", &body))
                })
                .collect(),
        );
        for a in &answers {
            a.expect(201);
            assert_eq!(a.json(), answers[0].json(), "the answers differ");
        }
        let fresh = answers
            .iter()
            .filter(|a| a.header("idempotent-replayed").is_none())
            .count();
        assert_eq!(fresh, 1, "one submission, the rest replays");
        assert_eq!(answers[0].json()["status"], "awaiting_acceptance");
        for api in servers {
            assert_eq!(
                listed(api, "eu-pharma"),
                BTreeSet::from(["c-medicines".into()])
            );
            let submitted = trail(api, "claim:c-medicines")
                .into_iter()
                .filter(|(action, _)| action == "claim.submitted")
                .count();
            assert_eq!(submitted, 1, "the claim was recorded {submitted} times");
        }

        // One new claim id under two keys, one through each server at once: one claim; the
        // other request is told the id is taken.
        let body = renamed(&body, "c-medicines-b");
        let answers = at_once(vec![
            (&one, submission(&one, "pharma", "k-b-1", &body)),
            (&two, submission(&two, "pharma", "k-b-2", &body)),
        ]);
        let won: Vec<usize> = (0..2).filter(|&i| answers[i].status == 201).collect();
        assert_eq!(won.len(), 1, "{answers:?}");
        let (won, lost) = (won[0], 1 - won[0]);
        answers[lost].expect_error(422, "invalid_field", Some("id"));
        // The winner's key gives its answer again through the other server; the loser's
        // is still refused.
        let key = |i: usize| format!("k-b-{}", i + 1);
        let again = servers[lost].send(submission(servers[lost], "pharma", &key(won), &body));
        again.expect(201);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.json(), answers[won].json());
        servers[won]
            .send(submission(servers[won], "pharma", &key(lost), &body))
            .expect_error(422, "invalid_field", Some("id"));
        for api in servers {
            assert_eq!(
                listed(api, "eu-pharma"),
                BTreeSet::from(["c-medicines".into(), "c-medicines-b".into()])
            );
        }

        // A route kept by the API: the same onboarding under one key through both servers at
        // once onboards the firm once.
        let firm = to_json(
            &demo_participants()
                .into_iter()
                .find(|p| p.id == "eu-nl-foods")
                .expect("eu-nl-foods"),
        );
        let answers = at_once(
            servers
                .iter()
                .map(|api| {
                    let r = api
                        .post("/api/v1/participants")
                        .by("operator")
                        .key("onboard-nl-foods")
                        .json(&firm)
                        .build();
                    (*api, r)
                })
                .collect(),
        );
        for a in &answers {
            a.expect(201);
            assert_eq!(a.json()["participant"]["id"], "eu-nl-foods");
        }
        let onboarded = trail(&two, "participant:eu-nl-foods")
            .into_iter()
            .filter(|(action, _)| action == "participant.onboarded")
            .count();
        assert_eq!(onboarded, 1, "onboarded {onboarded} times");
        both_verify(&one, &two);
    });
}

#[test]
fn one_invoice_claimed_through_both_servers_at_once_clears_once() {
    each_backend(|db| {
        let (one, two) = two_servers(db);
        let servers = [&one, &two];
        let wheat = claim(&one, "c-wheat");
        let ids: Vec<String> = (0..SAME_INVOICE_CLAIMS)
            .map(|i| format!("c-wheat-{i}"))
            .collect();
        let answers = at_once(
            ids.iter()
                .enumerate()
                .map(|(i, id)| {
                    let api = either(servers, i);
                    (
                        api,
                        submission(api, "agri", &format!("k-{id}"), &renamed(&wheat, id)),
                    )
                })
                .collect(),
        );
        let mut awaiting = Vec::new();
        let mut held = Vec::new();
        for a in &answers {
            a.expect(201);
            let c = a.json();
            match c["status"].as_str() {
                Some("awaiting_acceptance") => awaiting.push(c),
                Some("held") => held.push(c),
                other => panic!("claim {} is {other:?}", c["submission"]["id"]),
            }
        }
        assert_eq!(awaiting.len(), 1, "one claim of the invoice clears");
        let first = awaiting[0]["submission"]["id"].clone();
        assert_eq!(check(&awaiting[0], "duplicates")["outcome"], "pass");
        for c in &held {
            let duplicates = check(c, "duplicates");
            assert_eq!(duplicates["outcome"], "hold", "{c}");
            assert_eq!(
                duplicates["inputs"]["earlier_claims"],
                json!([first]),
                "held as a double claim of the one that clears"
            );
            assert!(c["case"].is_string(), "a held claim has a case: {c}");
        }
        // Each server lists them all, and every case.
        let all: BTreeSet<String> = ids.iter().cloned().collect();
        let cases: BTreeSet<String> = held
            .iter()
            .map(|c| c["case"].as_str().expect("a case").to_owned())
            .collect();
        for api in servers {
            assert_eq!(listed(api, "eu-agri"), all);
            let a = api
                .get("/api/v1/cases?status=open&limit=100")
                .by("a.novak")
                .send();
            a.expect(200);
            let open: BTreeSet<String> = a.json()["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|c| c["id"].as_str().expect("an id").to_owned())
                .collect();
            assert_eq!(open, cases);
        }
        both_verify(&one, &two);
    });
}

#[test]
fn the_velocity_limit_holds_whichever_server_takes_the_claims() {
    each_backend(|db| {
        let (one, two) = two_servers(db);
        let servers = [&one, &two];
        // Small claims at the demo's unit price, each of another amount (the same amount and
        // due date under another invoice number would be a double claim).
        let devices = claim(&one, "c-devices");
        let unit_minor: i64 = 38_000;
        let nth = |i: usize| {
            let id = format!("c-devices-{i}");
            let units = i64::try_from(i).expect("a count") + 1;
            let amount = json!({
                "amount": format!("{}.00", units * unit_minor / 100),
                "currency": "EUR"
            });
            let mut c = renamed(&devices, &id);
            c["invoice_number"] = json!(format!("INV-{id}"));
            c["amount"] = amount.clone();
            c["goods_lines"][0]["quantity"]["value"] = json!(units.to_string());
            c["goods_lines"][0]["value"] = amount;
            (id, c)
        };
        // One at a time, through each server in turn: each sees the claims the other took.
        let mut answered = Vec::new();
        for i in 0..BURST_ONE_AT_A_TIME {
            let api = either(servers, i);
            let (id, c) = nth(i);
            let a = api.send(submission(api, "medtech", &format!("k-{id}"), &c));
            a.expect(201);
            assert_eq!(history_seen(&a.json()), u64::try_from(i).expect("a count"));
            answered.push(a.json());
        }
        // The rest at once, through both.
        let answers = at_once(
            (BURST_ONE_AT_A_TIME..BURST_CLAIMS)
                .map(|i| {
                    let api = either(servers, i);
                    let (id, c) = nth(i);
                    (api, submission(api, "medtech", &format!("k-{id}"), &c))
                })
                .collect(),
        );
        for a in &answers {
            a.expect(201);
            answered.push(a.json());
        }
        // Each claim saw exactly the claims recorded before it, whichever server took them:
        // the counts seen are 0, 1, … once each.
        let seen: BTreeSet<u64> = answered.iter().map(history_seen).collect();
        let expected: BTreeSet<u64> = (0..u64::try_from(BURST_CLAIMS).expect("a count")).collect();
        assert_eq!(seen, expected, "a claim saw a stale history");
        let limit = u64::from(VELOCITY_COUNT_MAX);
        let mut held = Vec::new();
        for c in &answered {
            let count = history_seen(c) + 1;
            if count > limit {
                assert_eq!(c["status"], "held", "{c}");
                assert_eq!(velocity_count(c), Some(count), "{c}");
                held.push(c);
            } else {
                assert_eq!(c["status"], "awaiting_acceptance", "{c}");
                assert_eq!(velocity_count(c), None, "{c}");
            }
        }
        assert_eq!(
            held.len(),
            BURST_CLAIMS - usize::try_from(limit).expect("a count")
        );

        // One more through the first server, which then holds the creditor's history as it
        // stands; a held claim rejected through the second server leaves that history: the next
        // claim through the first counts one fewer.
        let more = |i: usize| {
            let (id, c) = nth(i);
            let a = one.send(submission(&one, "medtech", &format!("k-{id}"), &c));
            a.expect(201);
            assert_eq!(a.json()["status"], "held", "{}", a.text());
            a.json()
        };
        let all = u64::try_from(BURST_CLAIMS).expect("a count");
        assert_eq!(history_seen(&more(BURST_CLAIMS)), all);
        let rejected = held[0]["submission"]["id"].as_str().expect("an id");
        let case = held[0]["case"].as_str().expect("a case");
        let a = two
            .post(&format!("/api/v1/cases/{case}/decision"))
            .by("b.laurent")
            .json(&json!({"verdict": "reject", "reason": "a burst nobody explained"}))
            .send();
        a.expect(200);
        assert_eq!(a.json()["subject_status"], "rejected", "{}", a.text());
        let next = more(BURST_CLAIMS + 1);
        assert_eq!(
            history_seen(&next),
            all,
            "the rejected claim is still counted"
        );
        assert_eq!(velocity_count(&next), Some(all + 1));
        for api in servers {
            let a = api
                .get(&format!("/api/v1/claims/{rejected}"))
                .by("medtech")
                .send();
            a.expect(200);
            assert_eq!(a.json()["claim"]["status"], "rejected");
            assert_eq!(listed(api, "eu-medtech").len(), BURST_CLAIMS + 2);
        }
        both_verify(&one, &two);
    });
}

#[test]
fn four_eyes_hold_across_servers() {
    each_backend(|db| {
        let (one, two) = two_servers(db);
        let decide = |api: &Api, user: &str, case: &str, verdict: &str| {
            api.post(&format!("/api/v1/cases/{case}/decision"))
                .by(user)
                .json(&json!({"verdict": verdict, "reason": format!("{user}: end use checked")}))
                .build()
        };
        let a = one.send(submission(
            &one,
            "medtech",
            "k-bearings",
            &claim(&one, "c-bearings"),
        ));
        a.expect(201);
        assert_eq!(a.json()["status"], "held");
        let case = a.json()["case"].as_str().expect("a case").to_owned();
        // The second server shows the case the first opened, and each the other's decisions.
        let status = |api: &Api| {
            let a = api
                .get(&format!("/api/v1/cases/{case}"))
                .by("c.weber")
                .send();
            a.expect(200);
            a.json()["case"]["status"].clone()
        };
        assert_eq!(status(&two), "open");
        let a = one.send(decide(&one, "a.novak", &case, "release"));
        a.expect(200);
        assert_eq!(a.json()["awaiting_second"], true);
        assert_eq!(status(&two), "awaiting_second");
        // The same officer confirming through the other server: refused, nothing written.
        let heads = two.heads();
        let own = two.send(decide(&two, "a.novak", &case, "release"));
        own.expect_error(409, "wrong_state", None);
        assert!(own.text().contains("four eyes"), "{}", own.text());
        assert_eq!(two.heads(), heads, "a refused confirmation wrote");
        // Another officer confirms through the other server.
        let a = two.send(decide(&two, "b.laurent", &case, "release"));
        a.expect(200);
        assert_eq!(a.json()["case"]["status"], "released", "{}", a.text());
        assert_eq!(status(&one), "released");
        let a = one.get("/api/v1/claims/c-bearings").by("medtech").send();
        a.expect(200);
        assert_eq!(a.json()["claim"]["status"], "awaiting_acceptance");
        let decided: Vec<(String, String)> = trail(&one, &format!("case:{case}"))
            .into_iter()
            .filter(|(action, _)| action == "case.decided")
            .collect();
        assert_eq!(
            decided,
            [
                ("case.decided".to_owned(), "a.novak".to_owned()),
                ("case.decided".to_owned(), "b.laurent".to_owned()),
            ]
        );

        // The same officer proposing through both servers at once: one proposal; the other is
        // a confirmation of her own, refused. Then two officers confirming through both at once:
        // one release.
        let mut bearings = claim(&two, "c-bearings");
        bearings["id"] = json!("c-bearings-2");
        bearings["invoice_number"] = json!("INV-c-bearings-2");
        bearings["amount"]["amount"] = json!("2100.00");
        bearings["goods_lines"][0]["value"]["amount"] = json!("2100.00");
        bearings["goods_lines"][0]["quantity"]["value"] = json!("60");
        let a = two.send(submission(&two, "medtech", "k-bearings-2", &bearings));
        a.expect(201);
        assert_eq!(a.json()["status"], "held", "{}", a.text());
        let case = a.json()["case"].as_str().expect("a case").to_owned();
        let answers = at_once(vec![
            (&one, decide(&one, "a.novak", &case, "release")),
            (&two, decide(&two, "a.novak", &case, "release")),
        ]);
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{answers:?}");
        let refused = answers.iter().find(|a| a.status == 409).expect("a refusal");
        assert!(refused.text().contains("four eyes"), "{}", refused.text());
        let answers = at_once(vec![
            (&one, decide(&one, "b.laurent", &case, "release")),
            (&two, decide(&two, "c.weber", &case, "release")),
        ]);
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{answers:?}");
        let a = two
            .get(&format!("/api/v1/cases/{case}"))
            .by("a.novak")
            .send();
        a.expect(200);
        assert_eq!(a.json()["case"]["status"], "released");
        assert_eq!(
            a.json()["case"]["decisions"]
                .as_array()
                .expect("decisions")
                .len(),
            2,
            "{}",
            a.text()
        );
        both_verify(&one, &two);
    });
}

/// The operator's cycle run under one key, through both servers at once: one cycle, and both
/// answers are that cycle; the key with another request is refused on either server.
#[test]
fn one_cycle_run_key_through_both_servers_runs_one_cycle() {
    each_backend(|db| {
        let (one, two) = two_servers(db);
        let run = |api: &Api, body: &Value| {
            api.post("/api/v1/cycles")
                .by("operator")
                .key("k-cycle")
                .json(body)
                .build()
        };
        let answers = at_once(vec![
            (&one, run(&one, &json!({}))),
            (&two, run(&two, &json!({}))),
        ]);
        for a in &answers {
            a.expect(201);
        }
        let numbers: Vec<Value> = answers
            .iter()
            .map(|a| a.json()["cycle"]["number"].clone())
            .collect();
        assert_eq!(numbers, [json!(1), json!(1)], "one cycle, answered twice");
        for api in [&one, &two] {
            let page = api.get("/api/v1/cycles").by("operator").send();
            page.expect(200);
            let items = page.json()["items"].as_array().cloned().unwrap_or_default();
            assert_eq!(items.len(), 1, "{}", page.text());
            api.send(run(api, &json!({"set_off_domestic": true})))
                .expect(409);
        }
        both_verify(&one, &two);
    });
}
