//! Bad input at every route: bad JSON, wrong types, missing and unknown fields, a wrong content
//! type, oversize bodies, bad path parameters, unknown and bad query parameters. Each gets its
//! status and a code naming the field, writes nothing (the journals' heads stay), and its body
//! shows no file path, SQL or Rust type.

use house::users::Role;
use serde_json::{Value, json};

use crate::support::*;

/// A route that takes a JSON body, a body it would take, and the mistakes to make in it.
struct JsonRoute {
    uri: &'static str,
    user: &'static str,
    good: Value,
    /// (JSON pointer, a value of the wrong type, the field path the error names).
    wrong_types: Vec<(&'static str, Value, &'static str)>,
    /// (JSON pointer of a required field, the field path the error names).
    missing: Vec<(&'static str, &'static str)>,
    /// Where an unknown field is put (a JSON pointer to an object), and its path.
    unknown: Vec<(&'static str, &'static str)>,
    /// Largest body taken, in bytes.
    limit: usize,
    /// Whether the route insists on `Content-Type: application/json` (yente's `/match` reads
    /// any body, as yente does).
    json_only: bool,
}

fn route(uri: &'static str, user: &'static str, good: Value) -> JsonRoute {
    JsonRoute {
        uri,
        user,
        good,
        wrong_types: Vec::new(),
        missing: Vec::new(),
        unknown: vec![("", "bogus")],
        limit: api::extract::JSON_BODY_BYTES_MAX,
        json_only: true,
    }
}

impl JsonRoute {
    fn wrong(mut self, pointer: &'static str, value: Value, field: &'static str) -> Self {
        self.wrong_types.push((pointer, value, field));
        self
    }

    fn missing(mut self, pointer: &'static str, field: &'static str) -> Self {
        self.missing.push((pointer, field));
        self
    }

    fn unknown(mut self, pointer: &'static str, field: &'static str) -> Self {
        self.unknown.push((pointer, field));
        self
    }
}

/// The parent object of a pointer's target, and the target's key.
fn parent<'v>(
    value: &'v mut Value,
    pointer: &str,
) -> (&'v mut serde_json::Map<String, Value>, String) {
    let (up, key) = pointer.rsplit_once('/').expect("a pointer");
    let parent = value
        .pointer_mut(up)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {up:?}"));
    (parent, key.to_owned())
}

fn with(good: &Value, pointer: &str, value: Value) -> Value {
    let mut body = good.clone();
    let (object, key) = parent(&mut body, pointer);
    object.insert(key, value);
    body
}

fn without(good: &Value, pointer: &str) -> Value {
    let mut body = good.clone();
    let (object, key) = parent(&mut body, pointer);
    assert!(
        object.remove(&key).is_some(),
        "{pointer} is not in the body"
    );
    body
}

fn claim_json(api: &Api, id: &str) -> Value {
    to_json(&demo_claim(api.clock.now(), id))
}

/// Every route with a JSON body, with its mistakes.
fn json_routes(api: &Api) -> Vec<JsonRoute> {
    let onboarding = to_json(&demo_participants()[0]);
    let claim = claim_json(api, "c-medicines");
    let reason = json!({"reason": "a reason"});
    let line = claim["goods_lines"][0].clone();
    vec![
        route("/api/v1/users", "operator", json!({"name": "x", "role": "auditor"}))
            .wrong("/name", json!(1), "name")
            .wrong("/role", json!("emperor"), "role")
            .missing("/role", "role"),
        route("/api/v1/participants", "operator", onboarding)
            .wrong("/beneficial_owners", json!("x"), "beneficial_owners")
            .wrong("/directors/0/name", json!(5), "directors[0].name")
            .missing("/legal_name", "legal_name")
            .unknown("/directors/0", "directors[0].bogus"),
        route("/api/v1/participants/eu-pharma/suspend", "operator", reason.clone())
            .wrong("/reason", json!(1), "reason")
            .missing("/reason", "reason"),
        route("/api/v1/participants/eu-pharma/reinstate", "operator", reason.clone())
            .wrong("/reason", json!([]), "reason")
            .missing("/reason", "reason"),
        route("/api/v1/claims", "pharma", claim.clone())
            .wrong("/amount", json!(5), "amount")
            .wrong("/goods_lines/0/hs_code", json!(true), "goods_lines[0].hs_code")
            .wrong("/due_date", json!("tomorrow"), "due_date")
            .missing("/debtor", "debtor")
            .missing("/goods_lines/0/value", "goods_lines[0].value")
            .unknown("/invoice_counterparty", "invoice_counterparty.bogus"),
        JsonRoute {
            limit: api::routes::claims::BATCH_BODY_BYTES_MAX,
            ..route("/api/v1/claims/batch", "pharma", json!({"claims": [claim]}))
                .wrong("/claims", json!("x"), "claims")
                .missing("/claims", "claims")
        },
        route("/api/v1/claims/c-gum/dispute", "pharma", reason.clone())
            .wrong("/reason", json!(false), "reason")
            .missing("/reason", "reason"),
        route("/api/v1/claims/c-medicines/withdraw", "pharma", reason.clone())
            .wrong("/reason", json!({}), "reason")
            .missing("/reason", "reason"),
        route(
            "/api/v1/cases/case-1/decision",
            "a.novak",
            json!({"verdict": "reject", "reason": "r"}),
        )
        .wrong("/verdict", json!("maybe"), "verdict")
        .missing("/reason", "reason"),
        route(
            "/api/v1/cases/case-1/reassign",
            "c.weber",
            json!({"to": "b.laurent", "reason": "r"}),
        )
        .wrong("/to", json!(7), "to")
        .missing("/to", "to"),
        route("/api/v1/cycles", "operator", json!({"set_off_domestic": true}))
            .wrong("/set_off_domestic", json!("yes"), "set_off_domestic")
            .wrong("/cutoff", json!("next tuesday"), "cutoff")
            .wrong("/deadline", json!(12), "deadline"),
        route("/api/v1/cycles/preview", "operator", json!({"set_off_domestic": true}))
            .wrong("/set_off_domestic", json!("yes"), "set_off_domestic")
            .wrong("/cutoff", json!("next tuesday"), "cutoff")
            .wrong("/cutoff", json!(12), "cutoff"),
        route(
            "/api/v1/settlement/entries/e-1/resolve",
            "operator",
            json!({"action": "match", "cycle": 1, "participant": "eu-pharma"}),
        )
        .wrong("/cycle", json!("one"), "cycle")
        .wrong("/action", json!("burn"), "action")
        .missing("/participant", "participant")
        .missing("/cycle", "cycle"),
        route(
            "/api/v1/settlement/entries/e-1/resolve",
            "operator",
            json!({"action": "keep", "participant": "eu-pharma"}),
        )
        .wrong("/cycle", json!(1), "cycle")
        .missing("/participant", "participant"),
        route(
            "/api/v1/cycles/1/unwind",
            "operator",
            json!({"participants": ["ir-darou"], "reason": "r"}),
        )
        .wrong("/participants", json!("ir-darou"), "participants")
        .wrong("/suspend", json!("no"), "suspend")
        .missing("/reason", "reason"),
        route(
            "/api/v1/lists/update",
            "operator",
            json!({"only": ["sdn.csv"], "allow_shrink": false}),
        )
        .wrong("/only", json!("sdn.csv"), "only")
        .wrong("/allow_shrink", json!("yes"), "allow_shrink"),
        route("/api/v1/goods/check", "pharma", json!({"goods_lines": [line]}))
            .wrong("/goods_lines/0/quantity", json!(3), "goods_lines[0].quantity")
            .missing("/goods_lines", "goods_lines"),
        route("/api/v1/screening", "a.novak", json!({"name": "Arkady Rotenberg"}))
            .wrong("/limit", json!("ten"), "limit")
            .wrong("/countries", json!("RU"), "countries")
            .missing("/name", "name"),
        JsonRoute {
            json_only: false,
            limit: api::routes::yente::MATCH_BODY_BYTES_MAX,
            unknown: Vec::new(),
            ..route(
                "/match/default",
                "a.novak",
                json!({"queries": {"q1": {"schema": "Person", "properties": {"name": ["Arkady Rotenberg"]}}}}),
            )
            .wrong("/queries", json!("x"), "queries")
            .missing("/queries", "queries")
        },
    ]
}

/// A house with the firms the routes name and a participant user for eu-pharma.
fn setup(db: TestDb) -> Api {
    let mut api = Api::new(db);
    for input in demo_participants()
        .into_iter()
        .filter(|p| ["eu-pharma", "ir-darou"].contains(&p.id.as_str()))
    {
        api.house().onboard("operator", &input).expect("onboard");
    }
    api.add_user("pharma", Role::Participant, Some("eu-pharma"));
    api
}

/// Sends `body` (bytes as they are) with `content_type`; checks the error and that nothing
/// was written.
#[track_caller]
fn refused(
    api: &Api,
    r: &JsonRoute,
    content_type: Option<&str>,
    body: Vec<u8>,
    (status, code, field): (u16, &str, Option<&str>),
) -> Answer {
    let before = api.heads();
    let mut req = api.post(r.uri).by(r.user).raw(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let a = req.send();
    assert_eq!(a.status, status, "{}: {}", r.uri, a.text());
    assert_eq!(a.code().as_deref(), Some(code), "{}: {}", r.uri, a.text());
    if let Some(field) = field {
        assert_eq!(a.field().as_deref(), Some(field), "{}: {}", r.uri, a.text());
    }
    assert_clean(&a);
    assert_eq!(api.heads(), before, "{}: a refused request wrote", r.uri);
    a
}

const JSON: Option<&str> = Some("application/json");

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("JSON")
}

#[test]
fn every_json_route_refuses_bad_bodies_naming_the_field_and_writes_nothing() {
    each_backend(|db| {
        let api = setup(db);
        for r in json_routes(&api) {
            for bad in [&b"{"[..], b"{\"a\": }", b"not json", b"{} {}", b"\xff\xfe"] {
                refused(&api, &r, JSON, bad.to_vec(), (400, "malformed_json", None));
            }
            for (pointer, value, field) in &r.wrong_types {
                let body = bytes(&with(&r.good, pointer, value.clone()));
                refused(&api, &r, JSON, body, (422, "invalid_field", Some(field)));
            }
            for (pointer, field) in &r.missing {
                let body = bytes(&without(&r.good, pointer));
                refused(&api, &r, JSON, body, (422, "invalid_field", Some(field)));
            }
            for (pointer, field) in &r.unknown {
                let body = bytes(&with(&r.good, &format!("{pointer}/bogus"), json!(1)));
                refused(&api, &r, JSON, body, (422, "invalid_field", Some(field)));
            }
            if r.json_only {
                let good = bytes(&r.good);
                for ct in [None, Some("text/plain"), Some("application/xml")] {
                    refused(
                        &api,
                        &r,
                        ct,
                        good.clone(),
                        (415, "unsupported_media_type", None),
                    );
                }
            }
            // A body over the limit, whatever it holds, with and without its length declared.
            let mut big = bytes(&r.good);
            big.resize(r.limit + 1, b' ');
            refused(&api, &r, JSON, big.clone(), (413, "body_too_large", None));
            let before = api.heads();
            let a = api
                .post(r.uri)
                .by(r.user)
                .header("content-type", "application/json")
                .header("content-length", &big.len().to_string())
                .raw(big)
                .send();
            a.expect_error(413, "body_too_large", None);
            assert_eq!(api.heads(), before);
        }
    });
}

#[test]
fn a_bad_claim_in_a_batch_is_answered_on_its_own_naming_its_path() {
    let api = setup(TestDb::sqlite());
    let mut bad = claim_json(&api, "c-medicines");
    bad["goods_lines"][0]["hs_code"] = json!(true);
    let mut other = claim_json(&api, "c-medicines");
    other["bogus"] = json!(1);
    let before = api.heads();
    let a = api
        .post("/api/v1/claims/batch")
        .by("pharma")
        .json(&json!({"claims": [bad, other, 5]}))
        .send();
    a.expect(200);
    let items = a.json();
    let fields: Vec<(u64, Option<&str>)> = items
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["status"].as_u64().unwrap(), i["error"]["field"].as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (422, Some("claims[0].goods_lines[0].hs_code")),
            (422, Some("claims[1].bogus")),
            (422, Some("claims[2]")),
        ]
    );
    assert_eq!(api.heads(), before);
    let too_many: Vec<Value> = (0..=api::routes::claims::BATCH_CLAIMS_MAX)
        .map(|_| json!({}))
        .collect();
    let a = api
        .post("/api/v1/claims/batch")
        .by("pharma")
        .json(&json!({ "claims": too_many }))
        .send();
    a.expect_error(422, "invalid_field", Some("claims"));
    let a = api
        .post("/api/v1/claims/batch")
        .by("pharma")
        .json(&json!({"claims": []}))
        .send();
    a.expect_error(422, "invalid_field", Some("claims"));
    assert_eq!(api.heads(), before);
}

#[test]
fn bad_path_parameters_are_400_naming_nothing_internal() {
    let api = setup(TestDb::sqlite());
    let before = api.heads();
    let gets = [
        "/api/v1/cycles/notanumber",
        "/api/v1/cycles/-1",
        "/api/v1/cycles/1.5/files",
        "/api/v1/cycles/18446744073709551616",
        "/api/v1/cycles/x/files/EU%2Frequests-EU.csv",
        "/api/v1/cycles/one/statements/eu-pharma",
    ];
    for uri in gets {
        let a = api.get(uri).by("operator").send();
        a.expect_error(400, "bad_path", Some("number"));
    }
    for uri in [
        "/api/v1/cycles/x/advance",
        "/api/v1/cycles/x/payouts/eu-pharma/retry",
    ] {
        let a = api.post(uri).by("operator").send();
        a.expect_error(400, "bad_path", Some("number"));
    }
    let a = api
        .post("/api/v1/cycles/x/unwind")
        .by("operator")
        .json(&json!({"participants": ["ir-darou"], "reason": "r"}))
        .send();
    a.expect_error(400, "bad_path", Some("number"));
    // A file name that climbs out of the cycle's directory, or hides.
    for name in [
        "..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
        ".hidden",
        "EU%2F..%2F..%2Fx",
    ] {
        let a = api
            .get(&format!("/api/v1/cycles/1/files/{name}"))
            .by("operator")
            .send();
        a.expect_error(400, "bad_path", Some("name"));
    }
    assert_eq!(api.heads(), before);
}

/// The listings and what each takes.
const LISTINGS: &[(&str, &str)] = &[
    ("/api/v1/claims", "operator"),
    ("/api/v1/participants", "operator"),
    ("/api/v1/alerts", "a.novak"),
    ("/api/v1/cases", "a.novak"),
    ("/api/v1/cycles", "operator"),
    ("/api/v1/settlement/entries", "operator"),
    ("/api/v1/audit", "auditor"),
];

#[test]
fn unknown_and_bad_query_parameters_are_422_naming_them() {
    each_backend(|db| {
        let mut api = setup(db);
        api.add_user("auditor", Role::Auditor, None);
        let before = api.heads();
        let check = |uri: &str, user: &str, field: &str| {
            let a = api.get(uri).by(user).send();
            assert_eq!(a.status, 422, "{uri}: {}", a.text());
            a.expect_error(422, "invalid_field", Some(field));
        };
        for (path, user) in LISTINGS {
            check(&format!("{path}?bogus=1"), user, "bogus");
            check(&format!("{path}?limit=10&colour=red"), user, "colour");
            check(&format!("{path}?limit=0"), user, "limit");
            check(&format!("{path}?limit=100000"), user, "limit");
            check(&format!("{path}?limit=ten"), user, "limit");
            check(&format!("{path}?limit=-1"), user, "limit");
            check(&format!("{path}?cursor=zz"), user, "cursor");
            check(&format!("{path}?cursor=12:34"), user, "cursor");
        }
        check("/api/v1/users?bogus=1", "operator", "bogus");
        check("/api/v1/users?limit=0", "operator", "limit");
        check("/api/v1/users?limit=100000", "operator", "limit");
        check("/api/v1/claims?status=lost", "operator", "status");
        check(
            "/api/v1/claims?newest_first=maybe",
            "operator",
            "newest_first",
        );
        check("/api/v1/participants?status=asleep", "operator", "status");
        check("/api/v1/alerts?status=x", "a.novak", "status");
        check("/api/v1/cases?status=x", "a.novak", "status");
        check("/api/v1/imbalance?cycles=100000000", "operator", "cycles");
        check("/api/v1/imbalance?bogus=1", "operator", "bogus");
        check("/api/v1/imbalance?cycles=many", "operator", "cycles");
        check(
            "/api/v1/cycles/1/statements/eu-pharma?format=pdf",
            "operator",
            "format",
        );
        check(
            "/api/v1/cycles/1/statements/eu-pharma?colour=red",
            "operator",
            "colour",
        );
        // A participant asking for another firm's claims is refused, naming the filter.
        let a = api
            .get("/api/v1/claims?participant=ir-darou")
            .by("pharma")
            .send();
        a.expect_error(403, "forbidden", Some("participant"));
        assert_eq!(api.heads(), before);
    });
}

#[test]
fn a_bad_idempotency_key_is_422_naming_the_header() {
    let api = setup(TestDb::sqlite());
    let before = api.heads();
    let claim = claim_json(&api, "c-medicines");
    for key in [
        "",
        &"k".repeat(api::idempotency::KEY_BYTES_MAX + 1),
        "a key",
    ] {
        let a = api
            .post("/api/v1/participants")
            .by("operator")
            .key(key)
            .json(&to_json(&demo_participants()[0]))
            .send();
        a.expect_error(422, "invalid_field", Some("Idempotency-Key"));
    }
    // A claim without any key, and one whose key differs from its header's.
    let mut keyless = claim.clone();
    keyless.as_object_mut().unwrap().remove("idempotency_key");
    let a = api
        .post("/api/v1/claims")
        .by("pharma")
        .json(&keyless)
        .send();
    a.expect_error(422, "invalid_field", Some("idempotency_key"));
    let a = api
        .post("/api/v1/claims")
        .by("pharma")
        .key("another")
        .json(&claim)
        .send();
    a.expect_error(422, "invalid_field", Some("idempotency_key"));
    assert_eq!(api.heads(), before);
}

#[test]
fn bank_files_and_list_uploads_refuse_what_they_cannot_read() {
    let api = setup(TestDb::sqlite());
    let before = api.heads();
    for body in [&b""[..], b"<xml", b"<Document></Document>", b"\xff\xfe"] {
        let a = api
            .post("/api/v1/settlement/bank-files")
            .by("operator")
            .header("content-type", "application/xml")
            .raw(body.to_vec())
            .send();
        assert_eq!(a.status, 422, "{}", a.text());
        assert_clean(&a);
    }
    let big = vec![b' '; api::routes::settlement::BANK_FILE_BYTES_MAX + 1];
    let a = api
        .post("/api/v1/settlement/bank-files")
        .by("operator")
        .raw(big)
        .send();
    a.expect_error(413, "body_too_large", None);
    // A list upload that is not multipart, and one without a file.
    for ct in [None, Some("application/json"), Some("multipart/form-data")] {
        let mut r = api.post("/api/v1/lists").by("operator").raw(b"{}".to_vec());
        if let Some(ct) = ct {
            r = r.header("content-type", ct);
        }
        let a = r.send();
        assert!(
            a.status == 415 || a.status == 400,
            "{ct:?}: {} {}",
            a.status,
            a.text()
        );
        assert!(
            a.code().is_some(),
            "{ct:?}: not an error body: {}",
            a.text()
        );
        assert_clean(&a);
    }
    let boundary = "XBOUNDARY";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"allow_shrink\"\r\n\r\ntrue\r\n--{boundary}--\r\n"
    );
    let a = api
        .post("/api/v1/lists")
        .by("operator")
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .raw(body.into_bytes())
        .send();
    a.expect_error(422, "invalid_field", Some("files"));
    assert_eq!(api.heads(), before);
}

#[test]
fn an_unknown_route_and_a_wrong_method_are_json_errors() {
    let api = setup(TestDb::sqlite());
    let a = api.get("/api/v1/nothing-here").send();
    a.expect_error(404, "not_found", None);
    let a = api.req("PUT", "/api/v1/claims").by("operator").send();
    a.expect_error(405, "method_not_allowed", None);
}

#[test]
fn a_token_over_its_rate_is_429_with_retry_after_and_others_go_on() {
    let api = Api::with_rate(TestDb::sqlite(), 1, 3);
    for _ in 0..3 {
        api.get("/api/v1/me").by("a.novak").send().expect(200);
    }
    let a = api.get("/api/v1/me").by("a.novak").send();
    a.expect_error(429, "rate_limited", None);
    let wait: u64 = a
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert_eq!(wait, 1);
    api.get("/api/v1/me").by("b.laurent").send().expect(200);
}

#[test]
fn every_answer_carries_its_request_id() {
    let api = Api::new(TestDb::sqlite());
    let a = api
        .get("/api/v1/me")
        .header("x-request-id", "trace-42")
        .send();
    a.expect(401);
    assert_eq!(a.header("x-request-id"), Some("trace-42"));
    let a = api.get("/healthz").send();
    let b = api.get("/healthz").send();
    let (a, b) = (a.header("x-request-id"), b.header("x-request-id"));
    assert!(a.is_some_and(|id| !id.is_empty()), "{a:?}");
    assert_ne!(a, b, "each request its own id");
}
