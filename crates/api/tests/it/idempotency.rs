//! `Idempotency-Key`: the same key and body give the first answer again (status and body,
//! marked `idempotent-replayed: true`); the same key with another body is 409; keys belong to
//! their caller; eight identical requests at once make one thing.

use house::users::Role;
use serde_json::{Value, json};

use crate::support::*;

const REPLAYED: &str = "idempotent-replayed";

/// Sends the same request twice and checks the second is the first answer again.
#[track_caller]
fn replayed(first: &Answer, again: &Answer) {
    assert_eq!(again.status, first.status, "{}", again.text());
    assert_eq!(again.json(), first.json(), "the replay's body differs");
    assert_eq!(again.header(REPLAYED), Some("true"));
    assert_eq!(
        first.header(REPLAYED),
        None,
        "the first answer is no replay"
    );
}

fn setup(db: TestDb) -> Api {
    let mut api = Api::new(db);
    for input in demo_participants()
        .into_iter()
        .filter(|p| ["eu-pharma", "ir-darou", "eu-medtech", "ir-medequip"].contains(&p.id.as_str()))
    {
        api.house().onboard("operator", &input).expect("onboard");
    }
    api.add_user("pharma", Role::Participant, Some("eu-pharma"));
    api.add_user("pharma-2", Role::Participant, Some("eu-pharma"));
    api.add_user("darou", Role::Participant, Some("ir-darou"));
    api.add_user("medtech", Role::Participant, Some("eu-medtech"));
    api.add_user("ops-2", Role::Operator, None);
    api
}

fn claim(api: &Api, id: &str) -> Value {
    let mut c = to_json(&demo_claim(api.clock.now(), id));
    c.as_object_mut()
        .expect("a claim")
        .remove("idempotency_key");
    c
}

#[test]
fn a_claim_is_submitted_once_per_key_of_its_creditor() {
    each_backend(|db| {
        let api = setup(db);
        let body = claim(&api, "c-medicines");
        let send = |user: &str, key: &str, body: &Value| {
            api.post("/api/v1/claims")
                .by(user)
                .key(key)
                .json(body)
                .send()
        };
        let first = send("pharma", "k-1", &body);
        first.expect(201);
        assert_eq!(first.json()["status"], "awaiting_acceptance");
        let heads = api.heads();
        let again = send("pharma", "k-1", &body);
        replayed(&first, &again);
        assert_eq!(api.heads(), heads, "a replay writes nothing");
        // The key is the creditor's: its other user gets the same answer.
        replayed(&first, &send("pharma-2", "k-1", &body));
        let mut other = body.clone();
        other["invoice_number"] = json!("INV-OTHER");
        let conflict = send("pharma", "k-1", &other);
        conflict.expect_error(409, "idempotency_conflict", None);
        assert_eq!(api.heads(), heads);
        // Another firm's same key is its own.
        let gum = claim(&api, "c-gum");
        let theirs = send("darou", "k-1", &gum);
        theirs.expect(201);
        assert_eq!(theirs.header(REPLAYED), None);
        assert_eq!(theirs.json()["submission"]["id"], "c-gum");
    });
}

#[test]
fn onboarding_is_kept_per_caller_and_key() {
    each_backend(|db| {
        let api = setup(db);
        let firm = to_json(
            &demo_participants()
                .into_iter()
                .find(|p| p.id == "eu-agri")
                .expect("eu-agri"),
        );
        let send = |user: &str, key: &str, body: &Value| {
            api.post("/api/v1/participants")
                .by(user)
                .key(key)
                .json(body)
                .send()
        };
        let first = send("operator", "onboard-1", &firm);
        first.expect(201);
        assert_eq!(first.json()["status"], "active");
        let heads = api.heads();
        replayed(&first, &send("operator", "onboard-1", &firm));
        assert_eq!(api.heads(), heads);
        let mut other = firm.clone();
        other["registration_number"] = json!("RCS 1");
        send("operator", "onboard-1", &other).expect_error(409, "idempotency_conflict", None);
        assert_eq!(api.heads(), heads);
        // Another operator's same key runs anew: here, another firm is onboarded under it.
        let gandom = to_json(
            &demo_participants()
                .into_iter()
                .find(|p| p.id == "ir-gandom")
                .expect("ir-gandom"),
        );
        let theirs = send("ops-2", "onboard-1", &gandom);
        theirs.expect(201);
        assert_eq!(theirs.header(REPLAYED), None);
        assert_eq!(
            theirs.json()["participant"]["id"],
            "ir-gandom",
            "{}",
            theirs.text()
        );
    });
}

#[test]
fn an_invalid_request_keeps_nothing_under_its_key() {
    each_backend(|db| {
        let api = setup(db);
        let mut firm = to_json(
            &demo_participants()
                .into_iter()
                .find(|p| p.id == "eu-agri")
                .expect("eu-agri"),
        );
        let good_iban = firm["iban"].clone();
        firm["iban"] = json!("DE00 not an IBAN");
        let heads = api.heads();
        let a = api
            .post("/api/v1/participants")
            .by("operator")
            .key("fix-me")
            .json(&firm)
            .send();
        a.expect_error(422, "invalid_field", Some("iban"));
        assert_eq!(api.heads(), heads, "a refused request wrote");
        // Corrected, under the same key: it runs.
        firm["iban"] = good_iban;
        let a = api
            .post("/api/v1/participants")
            .by("operator")
            .key("fix-me")
            .json(&firm)
            .send();
        a.expect(201);
        assert_eq!(a.header(REPLAYED), None);
    });
}

#[test]
fn a_case_decision_is_kept_per_officer_and_key() {
    each_backend(|db| {
        let api = setup(db);
        let bearings = claim(&api, "c-bearings");
        let a = api
            .post("/api/v1/claims")
            .by("medtech")
            .key("b")
            .json(&bearings)
            .send();
        a.expect(201);
        assert_eq!(a.json()["status"], "held");
        let case = a.json()["case"].as_str().expect("a case").to_owned();
        let uri = format!("/api/v1/cases/{case}/decision");
        let release = json!({"verdict": "release", "reason": "end-use certificate checked"});
        let decide = |user: &str, key: &str, body: &Value| {
            api.post(&uri).by(user).key(key).json(body).send()
        };
        let first = decide("a.novak", "d-1", &release);
        first.expect(200);
        assert_eq!(first.json()["awaiting_second"], true, "{}", first.text());
        let heads = api.heads();
        replayed(&first, &decide("a.novak", "d-1", &release));
        assert_eq!(api.heads(), heads);
        let reject = json!({"verdict": "reject", "reason": "changed my mind"});
        decide("a.novak", "d-1", &reject).expect_error(409, "idempotency_conflict", None);
        // Without the key, the same officer's second release is four eyes refused, not a replay.
        let own = api.post(&uri).by("a.novak").json(&release).send();
        own.expect_error(409, "wrong_state", None);
        // Another officer's same key is its own: the second approval.
        let second = decide("b.laurent", "d-1", &release);
        second.expect(200);
        assert_eq!(second.header(REPLAYED), None);
        assert_eq!(
            second.json()["case"]["status"],
            "released",
            "{}",
            second.text()
        );
    });
}

#[test]
fn a_cycle_run_is_kept_per_operator_and_key() {
    each_backend(|db| {
        let api = setup(db);
        let c = demo_claim(api.clock.now(), "c-medicines");
        api.house().submit_claim("pharma", &c).expect("submit");
        api.house()
            .accept_claim("darou", "ir-darou", "c-medicines")
            .expect("accept");
        let run = |user: &str, key: &str, body: &Value| {
            api.post("/api/v1/cycles")
                .by(user)
                .key(key)
                .json(body)
                .send()
        };
        let first = run("operator", "run-1", &json!({}));
        first.expect(201);
        assert_eq!(first.json()["cycle"]["number"], 1);
        let heads = api.heads();
        let again = run("operator", "run-1", &json!({}));
        replayed(&first, &again);
        assert_eq!(api.heads(), heads, "no second cycle");
        run("operator", "run-1", &json!({"set_off_domestic": false})).expect_error(
            409,
            "idempotency_conflict",
            None,
        );
        // Another operator's same key runs anew (a cycle with nothing left to take).
        let theirs = run("ops-2", "run-1", &json!({}));
        assert_eq!(theirs.header(REPLAYED), None);
        assert_ne!(theirs.code().as_deref(), Some("idempotency_conflict"));
        assert_ne!(theirs.json(), first.json(), "{}", theirs.text());
    });
}

#[test]
fn eight_identical_requests_at_once_make_one_thing() {
    each_backend(|db| {
        let api = setup(db);
        // Claims: the house's key.
        let body = claim(&api, "c-medicines");
        let requests = (0..8)
            .map(|_| {
                api.post("/api/v1/claims")
                    .by("pharma")
                    .key("same-claim")
                    .json(&body)
                    .build()
            })
            .collect();
        let answers = api.concurrently(requests);
        for a in &answers {
            a.expect(201);
            assert_eq!(a.json()["submission"]["id"], "c-medicines");
        }
        let fresh = answers
            .iter()
            .filter(|a| a.header(REPLAYED).is_none())
            .count();
        assert_eq!(fresh, 1, "one submission, seven replays");
        let page = api
            .house()
            .claims_page(None, None, (None, None), &house::PageRequest::default())
            .expect("claims");
        assert_eq!(page.items.len(), 1);
        // A generic route: onboarding.
        let firm = to_json(
            &demo_participants()
                .into_iter()
                .find(|p| p.id == "eu-agri")
                .expect("eu-agri"),
        );
        let requests = (0..8)
            .map(|_| {
                api.post("/api/v1/participants")
                    .by("operator")
                    .key("same-firm")
                    .json(&firm)
                    .build()
            })
            .collect();
        let answers = api.concurrently(requests);
        assert!(answers.iter().all(|a| a.status == 201));
        let fresh = answers
            .iter()
            .filter(|a| a.header(REPLAYED).is_none())
            .count();
        assert_eq!(fresh, 1, "one onboarding, seven replays");
        let onboarded = api
            .house()
            .audit_page(Some("participant:eu-agri"), &house::PageRequest::default())
            .expect("audit")
            .items
            .iter()
            .filter(|row| row.action == "participant.onboarded")
            .count();
        assert_eq!(onboarded, 1);
        // A cycle run.
        api.house()
            .accept_claim("darou", "ir-darou", "c-medicines")
            .expect("accept");
        let requests = (0..8)
            .map(|_| {
                api.post("/api/v1/cycles")
                    .by("operator")
                    .key("same-cycle")
                    .json(&json!({}))
                    .build()
            })
            .collect();
        let answers = api.concurrently(requests);
        assert!(
            answers.iter().all(|a| a.status == 201),
            "{:?}",
            answers[0].text()
        );
        let cycles = api
            .house()
            .cycles_page(&house::PageRequest::default())
            .expect("cycles");
        assert_eq!(cycles.items.len(), 1, "one cycle");
    });
}
