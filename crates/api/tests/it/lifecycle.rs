//! The claim lifecycle and four eyes over HTTP: a participant submits as its own creditor only,
//! the debtor's user accepts or disputes, the creditor's withdraws; the wrong side is refused, a
//! stranger is told the claim does not exist; an officer's release needs a second officer, and
//! the audit trail names the authenticated users.

use house::users::Role;
use serde_json::{Value, json};

use crate::support::*;

fn setup(db: TestDb) -> Api {
    let mut api = Api::new(db);
    let firms = [
        "eu-pharma",
        "ir-darou",
        "eu-agri",
        "ir-gandom",
        "eu-medtech",
        "ir-medequip",
    ];
    for input in demo_participants()
        .into_iter()
        .filter(|p| firms.contains(&p.id.as_str()))
    {
        api.house().onboard("operator", &input).expect("onboard");
        api.clock.advance(SECOND);
    }
    for (user, firm) in [
        ("pharma", "eu-pharma"),
        ("darou", "ir-darou"),
        ("agri", "eu-agri"),
        ("gandom", "ir-gandom"),
        ("medtech", "eu-medtech"),
        ("medequip", "ir-medequip"),
    ] {
        api.add_user(user, Role::Participant, Some(firm));
    }
    api
}

fn claim(api: &Api, id: &str) -> Value {
    to_json(&demo_claim(api.clock.now(), id))
}

fn submit(api: &Api, user: &str, body: &Value) -> Answer {
    api.post("/api/v1/claims").by(user).json(body).send()
}

fn step(api: &Api, user: &str, id: &str, what: &str) -> Answer {
    let r = api.post(&format!("/api/v1/claims/{id}/{what}")).by(user);
    if what == "accept" {
        r.send()
    } else {
        r.json(&json!({"reason": format!("{user} {what}s")})).send()
    }
}

#[test]
fn the_debtor_answers_the_creditor_withdraws_and_nobody_else() {
    each_backend(|db| {
        let api = setup(db);
        // A participant submits as its own creditor only.
        let heads = api.heads();
        let gum = claim(&api, "c-gum");
        submit(&api, "pharma", &gum).expect_error(403, "forbidden", Some("creditor"));
        submit(&api, "a.novak", &gum).expect_error(403, "forbidden", None);
        submit(&api, "operator", &gum).expect_error(403, "forbidden", None);
        assert_eq!(api.heads(), heads, "a refused submission wrote");

        let a = submit(&api, "pharma", &claim(&api, "c-medicines"));
        a.expect(201);
        assert_eq!(a.json()["status"], "awaiting_acceptance");
        assert_eq!(
            a.json()["submitted_by"],
            "pharma",
            "the actor is the token's user"
        );
        // The creditor cannot accept its own claim, nor the debtor withdraw it; a stranger
        // is told it does not exist.
        let heads = api.heads();
        step(&api, "pharma", "c-medicines", "accept").expect_error(403, "forbidden", None);
        step(&api, "pharma", "c-medicines", "dispute").expect_error(403, "forbidden", None);
        step(&api, "darou", "c-medicines", "withdraw").expect_error(403, "forbidden", None);
        for what in ["accept", "dispute", "withdraw"] {
            step(&api, "agri", "c-medicines", what).expect_error(404, "not_found", None);
        }
        api.get("/api/v1/claims/c-medicines")
            .by("agri")
            .send()
            .expect_error(404, "not_found", None);
        // Officers and the operator do not answer for firms.
        step(&api, "a.novak", "c-medicines", "accept").expect_error(403, "forbidden", None);
        step(&api, "operator", "c-medicines", "withdraw").expect_error(403, "forbidden", None);
        assert_eq!(api.heads(), heads, "a refused step wrote");

        let a = step(&api, "darou", "c-medicines", "accept");
        a.expect(200);
        assert_eq!(a.json()["status"], "queued");
        assert_eq!(a.json()["acceptance"]["by"], "darou");

        // The debtor disputes: final; the creditor can no longer withdraw.
        submit(&api, "darou", &gum).expect(201);
        let a = step(&api, "pharma", "c-gum", "dispute");
        a.expect(200);
        assert_eq!(a.json()["status"], "disputed");
        step(&api, "darou", "c-gum", "withdraw").expect_error(409, "wrong_state", None);
        step(&api, "pharma", "c-gum", "accept").expect_error(409, "wrong_state", None);

        // The creditor withdraws: final; the debtor can no longer accept.
        let wheat = claim(&api, "c-wheat");
        submit(&api, "agri", &wheat).expect(201);
        let a = step(&api, "agri", "c-wheat", "withdraw");
        a.expect(200);
        assert_eq!(a.json()["status"], "withdrawn");
        step(&api, "agri", "c-wheat", "withdraw").expect(200);
        step(&api, "gandom", "c-wheat", "accept").expect_error(409, "wrong_state", None);

        // Each firm lists its own claims only, either side.
        let listed = |user: &str| -> Vec<String> {
            let a = api.get("/api/v1/claims").by(user).send();
            a.expect(200);
            let mut ids: Vec<String> = a.json()["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|c| c["submission"]["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(listed("pharma"), ["c-gum", "c-medicines"]);
        assert_eq!(listed("agri"), ["c-wheat"]);
        assert_eq!(listed("operator"), ["c-gum", "c-medicines", "c-wheat"]);

        // The trail names the users the tokens belong to.
        let a = api.get("/api/v1/claims/c-gum").by("pharma").send();
        a.expect(200);
        let actors: Vec<(String, String)> = a.json()["audit"]
            .as_array()
            .expect("audit")
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_owned(),
                    e["actor"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(
            actors.contains(&("claim.disputed".to_owned(), "pharma".to_owned())),
            "{actors:?}"
        );
        assert!(actors.iter().any(|(_, who)| who == "darou"), "{actors:?}");
    });
}

#[test]
fn a_release_needs_a_second_officer_who_is_not_the_first() {
    each_backend(|db| {
        let api = setup(db);
        let a = submit(&api, "medtech", &claim(&api, "c-bearings"));
        a.expect(201);
        assert_eq!(a.json()["status"], "held");
        let case = a.json()["case"].as_str().expect("a case").to_owned();
        // The debtor may accept in advance: the claim stays held until its case is released.
        let a = step(&api, "medequip", "c-bearings", "accept");
        a.expect(200);
        assert_eq!(a.json()["status"], "held");

        let uri = format!("/api/v1/cases/{case}/decision");
        let release = |user: &str| {
            api.post(&uri)
                .by(user)
                .json(&json!({"verdict": "release", "reason": format!("{user}: end use checked")}))
                .send()
        };
        let heads = api.heads();
        // Neither a firm nor the operator nor the auditor decides.
        for user in ["medtech", "operator"] {
            release(user).expect_error(403, "forbidden", None);
        }
        assert_eq!(api.heads(), heads);

        let first = release("a.novak");
        first.expect(200);
        assert_eq!(first.json()["awaiting_second"], true);
        assert_eq!(first.json()["case"]["status"], "awaiting_second");
        // The same officer confirming her own proposal: refused, whatever the body says.
        let heads = api.heads();
        let own = release("a.novak");
        own.expect_error(409, "wrong_state", None);
        assert!(
            own.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("four eyes")
        );
        let a = api
            .post(&uri)
            .by("a.novak")
            .json(&json!({"verdict": "release", "reason": "b.laurent agrees", "officer": "b.laurent"}))
            .send();
        a.expect_error(422, "invalid_field", Some("officer"));
        assert_eq!(api.heads(), heads, "a refused confirmation wrote");
        api.get(&format!("/api/v1/cases/{case}"))
            .by("a.novak")
            .send()
            .expect(200);

        // A second, different officer confirms.
        let second = release("b.laurent");
        second.expect(200);
        assert_eq!(second.json()["case"]["status"], "released");
        assert_eq!(second.json()["awaiting_second"], false);
        let decided: Vec<String> = second.json()["case"]["decisions"]
            .as_array()
            .expect("decisions")
            .iter()
            .map(|d| d["officer"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(decided, ["a.novak", "b.laurent"]);
        let a = api.get("/api/v1/claims/c-bearings").by("medtech").send();
        assert_eq!(a.json()["claim"]["status"], "queued", "accepted in advance");
        // A closed case takes no more decisions.
        release("c.weber").expect_error(409, "wrong_state", None);
    });
}

#[test]
fn a_supervisor_reassigns_an_officer_does_not() {
    each_backend(|db| {
        let api = setup(db);
        let a = submit(&api, "medtech", &claim(&api, "c-bearings"));
        let case = a.json()["case"].as_str().expect("a case").to_owned();
        let uri = format!("/api/v1/cases/{case}/reassign");
        let body = json!({"to": "b.laurent", "reason": "EU cases"});
        let heads = api.heads();
        let a = api.post(&uri).by("a.novak").json(&body).send();
        a.expect_error(403, "forbidden", None);
        assert_eq!(api.heads(), heads);
        let a = api.post(&uri).by("c.weber").json(&body).send();
        a.expect(200);
        assert_eq!(a.json()["assignee"], "b.laurent", "{}", a.text());
        // Now a.novak may not decide it; b.laurent may.
        let reject = json!({"verdict": "reject", "reason": "not ours"});
        let a = api
            .post(&format!("/api/v1/cases/{case}/decision"))
            .by("a.novak")
            .json(&reject)
            .send();
        a.expect_error(409, "wrong_state", None);
    });
}
