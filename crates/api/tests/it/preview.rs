//! A cycle's preview over HTTP: the operator and the auditor are told what a run would clear,
//! with nothing written, and the run then clears exactly that; a participant is refused.

use house::users::Role;
use serde_json::{Value, json};

use crate::support::*;

/// (claim, cleared, `whole` or `partial`) of each claim a preview says would clear.
fn clearing(preview: &Value) -> Vec<(String, i64, String)> {
    preview["clearing"]
        .as_array()
        .expect("clearing")
        .iter()
        .map(|c| {
            (
                c["claim"].as_str().expect("claim").to_owned(),
                c["cleared_minor"].as_i64().expect("cleared_minor"),
                c["extent"].as_str().expect("extent").to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_operator_and_the_auditor_preview_a_cycle_a_participant_may_not() {
    each_backend(|db| {
        let mut api = Api::new(db);
        for input in demo_participants().into_iter().filter(|p| {
            ["eu-pharma", "ir-darou", "ir-kerman", "eu-nl-foods"].contains(&p.id.as_str())
        }) {
            api.house().onboard("operator", &input).expect("onboard");
            api.clock.advance(SECOND);
        }
        let now = api.clock.now();
        for (id, debtor) in [("c-medicines", "ir-darou"), ("c-pistachios", "eu-nl-foods")] {
            let c = demo_claim(now, id);
            api.house().submit_claim(&c.creditor, &c).expect("submit");
            api.house()
                .accept_claim("debtor", debtor, id)
                .expect("accept");
            api.clock.advance(SECOND);
        }
        api.add_user("pharma", Role::Participant, Some("eu-pharma"));
        api.add_user("auditor", Role::Auditor, None);
        let before = api.heads();
        // EUR 84,500.00 of medicines one way, EUR 70,000.00 of pistachios the other.
        let expected = [
            ("c-medicines".to_owned(), 7_000_000, "partial".to_owned()),
            ("c-pistachios".to_owned(), 7_000_000, "whole".to_owned()),
        ];
        let mut previews = Vec::new();
        for user in ["operator", "auditor"] {
            let a = api
                .post("/api/v1/cycles/preview")
                .by(user)
                .json(&json!({}))
                .send();
            a.expect(200);
            let preview = a.json();
            assert_eq!(clearing(&preview), expected, "{user}: {preview}");
            assert_eq!(preview["number"], 1);
            assert_eq!(preview["staying"], json!([]));
            let darou = preview["positions"]
                .as_array()
                .expect("positions")
                .iter()
                .find(|p| p["participant"] == "ir-darou")
                .expect("ir-darou's position");
            assert_eq!(darou["side"], "pay_in", "{preview}");
            assert_eq!(darou["currency"], "IRR");
            previews.push(preview);
        }
        assert_eq!(previews[0], previews[1]);
        let a = api
            .post("/api/v1/cycles/preview")
            .by("pharma")
            .json(&json!({}))
            .send();
        a.expect_error(403, "forbidden", None);
        let a = api
            .post("/api/v1/cycles/preview")
            .by("operator")
            .json(&json!({"cutoff": "2020-01-01T00:00:00Z"}))
            .send();
        a.expect(200);
        assert_eq!(a.json()["clearing"], json!([]), "nothing submitted by then");
        assert_eq!(api.heads(), before, "a preview wrote");

        // The run clears what the preview said.
        let a = api
            .post("/api/v1/cycles")
            .by("operator")
            .json(&json!({}))
            .send();
        a.expect(201);
        let cycle = &a.json()["cycle"];
        let cleared: Vec<(String, i64)> = cycle["claims"]
            .as_array()
            .expect("claims")
            .iter()
            .map(|c| {
                (
                    c["claim"].as_str().expect("claim").to_owned(),
                    c["cleared_minor"].as_i64().expect("cleared_minor"),
                )
            })
            .collect();
        let previewed: Vec<(String, i64)> =
            expected.iter().map(|(c, m, _)| (c.clone(), *m)).collect();
        assert_eq!(cleared, previewed);
    });
}
