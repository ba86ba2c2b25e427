//! The authorization matrix: every route of the OpenAPI document × every role × own and another
//! participant's data, anonymous, a malformed header and a revoked token, against the policy
//! table. And the document itself: OpenAPI 3.1, every route the router serves in it, every
//! route in it served.

use std::collections::BTreeSet;

use api::policy::{self, Access, Action};
use house::users::Role;
use serde_json::json;

use crate::support::*;

/// Every route `lib.rs` registers, as (method, path): the document must list exactly these.
const REGISTERED: &[(&str, &str)] = &[
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users/{name}/revoke"),
    ("POST", "/api/v1/users/{name}/token"),
    ("POST", "/api/v1/participants"),
    ("GET", "/api/v1/participants"),
    ("GET", "/api/v1/participants/{id}"),
    ("POST", "/api/v1/participants/{id}/suspend"),
    ("POST", "/api/v1/participants/{id}/reinstate"),
    ("POST", "/api/v1/claims"),
    ("GET", "/api/v1/claims"),
    ("POST", "/api/v1/claims/batch"),
    ("GET", "/api/v1/claims/{id}"),
    ("POST", "/api/v1/claims/{id}/accept"),
    ("POST", "/api/v1/claims/{id}/dispute"),
    ("POST", "/api/v1/claims/{id}/withdraw"),
    ("GET", "/api/v1/alerts"),
    ("GET", "/api/v1/alerts/{id}"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{id}"),
    ("POST", "/api/v1/cases/{id}/decision"),
    ("POST", "/api/v1/cases/{id}/reassign"),
    ("GET", "/api/v1/cycles"),
    ("GET", "/api/v1/cycles/{number}"),
    ("GET", "/api/v1/cycles/{number}/files"),
    ("GET", "/api/v1/cycles/{number}/files/{name}"),
    ("GET", "/api/v1/cycles/{number}/statements/{participant}"),
    ("POST", "/api/v1/cycles/{number}/advance"),
    ("GET", "/api/v1/settlement/entries"),
    ("POST", "/api/v1/settlement/entries/{id}/resolve"),
    ("POST", "/api/v1/cycles/{number}/unwind"),
    ("POST", "/api/v1/settlement/deadline"),
    (
        "POST",
        "/api/v1/cycles/{number}/payouts/{participant}/retry",
    ),
    ("GET", "/api/v1/imbalance"),
    ("POST", "/api/v1/goods/check"),
    ("POST", "/api/v1/screening"),
    ("GET", "/api/v1/audit"),
    ("POST", "/api/v1/cycles"),
    ("POST", "/api/v1/cycles/preview"),
    ("POST", "/api/v1/settlement/bank-files"),
    ("POST", "/api/v1/verify"),
    ("POST", "/api/v1/lists"),
    ("GET", "/api/v1/lists"),
    ("POST", "/api/v1/lists/update"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("POST", "/match/{dataset}"),
    ("GET", "/search/{dataset}"),
    ("GET", "/entities/{id}"),
    ("GET", "/catalog"),
];

/// Routes anyone may call, without a token.
const PUBLIC: &[&str] = &["/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"];

/// The participant whose user is the matrix's participant, and another.
const OWN: &str = "eu-pharma";
const OTHER: &str = "ir-gandom";

/// The user of each role.
const USERS: [(Role, &str); 5] = [
    (Role::Participant, "pharma"),
    (Role::Officer, "a.novak"),
    (Role::Supervisor, "c.weber"),
    (Role::Operator, "operator"),
    (Role::Auditor, "auditor"),
];

/// What the house holds for the matrix to point at.
struct Fixture {
    /// A goods line of a claim.
    line: serde_json::Value,
    case: String,
    alert: String,
    file: String,
}

/// A house with a few of the demo's firms: eu-pharma's claim on ir-darou (accepted, in cycle 1
/// with ir-kerman's claim on eu-nl-foods, its counter-flow),
/// ir-darou's claim on eu-pharma (awaiting eu-pharma's answer), eu-agri's on ir-gandom (none of
/// eu-pharma's business), a held claim with its case, and cycle 1 with its files.
fn fixture(api: &mut Api) -> Fixture {
    let h = api.house();
    let wanted = [
        "eu-pharma",
        "ir-darou",
        "eu-agri",
        "ir-gandom",
        "eu-medtech",
        "ir-medequip",
        "ir-kerman",
        "eu-nl-foods",
    ];
    for input in demo_participants()
        .into_iter()
        .filter(|p| wanted.contains(&p.id.as_str()))
    {
        h.onboard("operator", &input).expect("onboard");
        api.clock.advance(SECOND);
    }
    let now = api.clock.now();
    for id in [
        "c-medicines",
        "c-gum",
        "c-wheat",
        "c-bearings",
        "c-pistachios",
    ] {
        let c = demo_claim(now, id);
        h.submit_claim(&c.creditor, &c).expect("submit");
        api.clock.advance(SECOND);
    }
    h.accept_claim("darou", "ir-darou", "c-medicines")
        .expect("accept");
    h.accept_claim("gandom", "ir-gandom", "c-wheat")
        .expect("accept");
    // The counter-flow that lets the cross-zone claims clear.
    h.accept_claim("nl-foods", "eu-nl-foods", "c-pistachios")
        .expect("accept");
    let report = h
        .run_cycle(
            "operator",
            &house::CycleOptions {
                out_dir: api.files.path().to_path_buf(),
                ..house::CycleOptions::default()
            },
        )
        .expect("cycle 1");
    assert_eq!(report.cycle.number, 1);
    let case = h
        .claim("c-bearings")
        .expect("c-bearings")
        .case
        .expect("c-bearings is held");
    let alert = h.alerts(None, None).expect("alerts")[0].id.clone();
    let file = report.cycle.files[0].path.clone();
    api.add_user("pharma", Role::Participant, Some(OWN));
    api.add_user("auditor", Role::Auditor, None);
    api.add_user("gone", Role::Operator, None);
    api.house().revoke_user("operator", "gone").expect("revoke");
    let line = to_json(&demo_claim(now, "c-medicines").goods_lines[0]);
    Fixture {
        line,
        case,
        alert,
        file,
    }
}

/// How the matrix calls one route.
struct Call {
    /// Its action (`None`: public).
    action: Option<Action>,
    /// Path parameters: the caller's own data (or any data, where the route has no owner).
    own: Vec<(&'static str, String)>,
    /// Path parameters naming another participant's data: a participant is told "not found".
    other: Option<Vec<(&'static str, String)>>,
    query: &'static str,
    body: Option<serde_json::Value>,
    /// Whether an allowed caller's request on its own data succeeds (2xx).
    succeeds: bool,
}

fn p(name: &'static str, value: &str) -> (&'static str, String) {
    (name, value.to_owned())
}

fn call(
    action: Option<Action>,
    own: Vec<(&'static str, String)>,
    other: Option<Vec<(&'static str, String)>>,
    body: Option<serde_json::Value>,
    succeeds: bool,
) -> Call {
    Call {
        action,
        own,
        other,
        query: "",
        body,
        succeeds,
    }
}

/// The matrix's plan for a route of the document; a route without one fails the test (a new
/// route needs its row here).
fn plan(method: &str, path: &str, fx: &Fixture) -> Call {
    use Action as A;
    let reason = || Some(json!({"reason": "matrix"}));
    let claim = |id: &str| vec![p("id", id)];
    let encoded = fx.file.replace('/', "%2F");
    match (method, path) {
        ("GET", "/healthz" | "/readyz" | "/metrics" | "/api/v1/openapi.json") => {
            call(None, vec![], None, None, true)
        }
        ("GET", "/api/v1/me") => call(Some(A::WhoAmI), vec![], None, None, true),
        ("POST", "/api/v1/users") => call(
            Some(A::UsersAdd),
            vec![],
            None,
            Some(json!({"name": "matrix-new", "role": "auditor"})),
            true,
        ),
        ("GET", "/api/v1/users") => call(Some(A::UsersList), vec![], None, None, true),
        ("POST", "/api/v1/users/{name}/revoke") => call(
            Some(A::UsersRevoke),
            vec![p("name", "nobody")],
            None,
            None,
            false,
        ),
        ("POST", "/api/v1/users/{name}/token") => call(
            Some(A::UsersToken),
            vec![p("name", "nobody")],
            None,
            None,
            false,
        ),
        ("POST", "/api/v1/participants") => call(
            Some(A::ParticipantsAdd),
            vec![],
            None,
            Some(json!({})),
            false,
        ),
        ("GET", "/api/v1/participants") => {
            call(Some(A::ParticipantsList), vec![], None, None, true)
        }
        ("GET", "/api/v1/participants/{id}") => call(
            Some(A::ParticipantsShow),
            vec![p("id", OWN)],
            Some(vec![p("id", OTHER)]),
            None,
            true,
        ),
        ("POST", "/api/v1/participants/{id}/suspend" | "/api/v1/participants/{id}/reinstate") => {
            call(
                Some(A::ParticipantsSuspend),
                vec![p("id", "no-such-firm")],
                None,
                reason(),
                false,
            )
        }
        ("POST", "/api/v1/claims") => call(
            Some(A::ClaimsSubmit),
            vec![],
            None,
            Some(json!({"id": "matrix", "creditor": OWN})),
            false,
        ),
        ("GET", "/api/v1/claims") => call(Some(A::ClaimsList), vec![], None, None, true),
        ("POST", "/api/v1/claims/batch") => call(
            Some(A::ClaimsSubmit),
            vec![],
            None,
            Some(json!({"claims": []})),
            false,
        ),
        ("GET", "/api/v1/claims/{id}") => call(
            Some(A::ClaimsShow),
            claim("c-medicines"),
            Some(claim("c-wheat")),
            None,
            true,
        ),
        // eu-pharma is the debtor of c-gum: its to accept or dispute.
        ("POST", "/api/v1/claims/{id}/accept") => call(
            Some(A::ClaimsAccept),
            claim("c-gum"),
            Some(claim("c-wheat")),
            None,
            false,
        ),
        ("POST", "/api/v1/claims/{id}/dispute") => call(
            Some(A::ClaimsDispute),
            claim("c-gum"),
            Some(claim("c-wheat")),
            reason(),
            false,
        ),
        // eu-pharma is the creditor of c-medicines: its to withdraw (a cycle holds it: 409).
        ("POST", "/api/v1/claims/{id}/withdraw") => call(
            Some(A::ClaimsWithdraw),
            claim("c-medicines"),
            Some(claim("c-wheat")),
            reason(),
            false,
        ),
        ("GET", "/api/v1/alerts") => call(Some(A::AlertsList), vec![], None, None, true),
        ("GET", "/api/v1/alerts/{id}") => call(
            Some(A::AlertsShow),
            vec![p("id", &fx.alert)],
            None,
            None,
            true,
        ),
        ("GET", "/api/v1/cases") => call(Some(A::CasesList), vec![], None, None, true),
        ("GET", "/api/v1/cases/{id}") => call(
            Some(A::CasesShow),
            vec![p("id", &fx.case)],
            None,
            None,
            true,
        ),
        ("POST", "/api/v1/cases/{id}/decision") => call(
            Some(A::CasesDecide),
            vec![p("id", "no-such-case")],
            None,
            Some(json!({"verdict": "reject", "reason": "matrix"})),
            false,
        ),
        ("POST", "/api/v1/cases/{id}/reassign") => call(
            Some(A::CasesReassign),
            vec![p("id", "no-such-case")],
            None,
            Some(json!({"to": "b.laurent", "reason": "matrix"})),
            false,
        ),
        ("POST", "/api/v1/cycles") => {
            call(Some(A::CyclesRun), vec![], None, Some(json!({})), false)
        }
        ("POST", "/api/v1/cycles/preview") => {
            call(Some(A::CyclesPreview), vec![], None, Some(json!({})), true)
        }
        ("GET", "/api/v1/cycles") => call(Some(A::CyclesList), vec![], None, None, true),
        ("GET", "/api/v1/cycles/{number}") => call(
            Some(A::CyclesShow),
            vec![p("number", "1")],
            None,
            None,
            true,
        ),
        ("GET", "/api/v1/cycles/{number}/files") => call(
            Some(A::CycleFiles),
            vec![p("number", "1")],
            None,
            None,
            true,
        ),
        ("GET", "/api/v1/cycles/{number}/files/{name}") => call(
            Some(A::CycleFiles),
            vec![p("number", "1"), p("name", &encoded)],
            None,
            None,
            true,
        ),
        ("GET", "/api/v1/cycles/{number}/statements/{participant}") => call(
            Some(A::Statements),
            vec![p("number", "1"), p("participant", OWN)],
            Some(vec![p("number", "1"), p("participant", OTHER)]),
            None,
            true,
        ),
        ("POST", "/api/v1/cycles/{number}/advance") => call(
            Some(A::SettlementAdvance),
            vec![p("number", "99")],
            None,
            None,
            false,
        ),
        ("GET", "/api/v1/settlement/entries") => {
            call(Some(A::SettlementSuspense), vec![], None, None, true)
        }
        ("POST", "/api/v1/settlement/entries/{id}/resolve") => call(
            Some(A::SettlementResolve),
            vec![p("id", "no-such-entry")],
            None,
            Some(json!({"action": "refund"})),
            false,
        ),
        ("POST", "/api/v1/cycles/{number}/unwind") => call(
            Some(A::SettlementUnwind),
            vec![p("number", "99")],
            None,
            Some(json!({"participants": [OTHER], "reason": "matrix"})),
            false,
        ),
        ("POST", "/api/v1/settlement/deadline") => {
            call(Some(A::SettlementDeadline), vec![], None, None, true)
        }
        ("POST", "/api/v1/cycles/{number}/payouts/{participant}/retry") => call(
            Some(A::SettlementRetry),
            vec![p("number", "99"), p("participant", OWN)],
            None,
            None,
            false,
        ),
        ("GET", "/api/v1/imbalance") => call(Some(A::Imbalance), vec![], None, None, true),
        ("POST", "/api/v1/goods/check") => call(
            Some(A::GoodsCheck),
            vec![],
            None,
            Some(json!({"origin": "DE", "destination": "IR", "goods_lines": [fx.line]})),
            true,
        ),
        ("POST", "/api/v1/screening") => call(
            Some(A::Screen),
            vec![],
            None,
            Some(json!({"name": "Arkady Rotenberg"})),
            true,
        ),
        ("GET", "/api/v1/audit") => call(Some(A::Audit), vec![], None, None, true),
        ("POST", "/api/v1/settlement/bank-files") => {
            call(Some(A::SettlementImport), vec![], None, None, false)
        }
        ("POST", "/api/v1/verify") => call(Some(A::Verify), vec![], None, None, true),
        ("POST", "/api/v1/lists") => call(Some(A::ListsImport), vec![], None, None, false),
        ("GET", "/api/v1/lists") => call(Some(A::ListsStatus), vec![], None, None, true),
        // The matrix's server has no list sources: the operator's update is refused (422,
        // naming `only[0]`) before anything is fetched, and nothing reaches the network.
        ("POST", "/api/v1/lists/update") => call(
            Some(A::ListsUpdate),
            vec![],
            None,
            Some(json!({"only": ["matrix.csv"]})),
            false,
        ),
        ("POST", "/match/{dataset}") => call(
            Some(A::Match),
            vec![p("dataset", "default")],
            None,
            Some(
                json!({"queries": {"q1": {"schema": "Person", "properties": {"name": ["Arkady Rotenberg"]}}}}),
            ),
            true,
        ),
        ("GET", "/search/{dataset}") => Call {
            query: "?q=Rotenberg",
            ..call(
                Some(A::Match),
                vec![p("dataset", "default")],
                None,
                None,
                true,
            )
        },
        ("GET", "/entities/{id}") => call(
            Some(A::Match),
            vec![p("id", "no-such-entity")],
            None,
            None,
            false,
        ),
        ("GET", "/catalog") => call(Some(A::Match), vec![], None, None, true),
        other => panic!("the matrix has no plan for {other:?}: add its row"),
    }
}

/// `path` with its parameters filled in.
fn fill(path: &str, params: &[(&'static str, String)]) -> String {
    let mut out = path.to_owned();
    for (name, value) in params {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    assert!(!out.contains('{'), "{path}: a parameter is missing");
    out
}

/// The (method, path) pairs of the document, in its order.
fn documented(api: &Api) -> Vec<(String, String)> {
    let doc = to_json(&api.doc);
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
            if item.get(method).is_some() {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// Sends one request of the matrix.
fn send(
    api: &Api,
    method: &str,
    uri: &str,
    auth: Option<&str>,
    body: Option<&serde_json::Value>,
) -> Answer {
    let mut r = api.req(method, uri);
    if let Some(value) = auth {
        r = r.header("authorization", value);
    }
    if let Some(body) = body {
        r = r.json(body);
    }
    r.send()
}

/// The headers that name no user: none, malformed, a token that does not exist.
fn strangers(revoked: &str) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("anonymous", None),
        ("malformed", Some("Bearer".to_owned())),
        ("malformed", Some("Basic b3BlcmF0b3I6c2VjcmV0".to_owned())),
        ("malformed", Some(format!("Bearer chk_{}", "0".repeat(64)))),
        ("malformed", Some(format!("Token {revoked}"))),
        ("revoked", Some(format!("Bearer {revoked}"))),
    ]
}

/// Walks one route for every caller; returns how many requests it sent.
fn walk(api: &Api, method: &str, path: &str, fx: &Fixture) -> usize {
    let c = plan(method, path, fx);
    assert_eq!(
        policy::route_action(method, path),
        c.action,
        "{method} {path}: the policy's route table names another action"
    );
    let own_uri = format!("{}{}", fill(path, &c.own), c.query);
    let mut sent = 0;
    let Some(action) = c.action else {
        let a = send(api, method, &own_uri, None, None);
        assert_eq!(a.status, 200, "{method} {path} is public: {}", a.text());
        return 1;
    };
    // Whoever the house does not know is 401, the same on every route.
    for (who, header) in strangers(api.token("gone")) {
        let a = send(api, method, &own_uri, header.as_deref(), c.body.as_ref());
        assert_eq!(
            a.status,
            401,
            "{method} {path} {who} {header:?}: {}",
            a.text()
        );
        assert_eq!(a.code().as_deref(), Some("unauthorized"));
        sent += 1;
    }
    for (role, user) in USERS {
        let bearer = format!("Bearer {}", api.token(user));
        let access = policy::access(action, role);
        if access == Access::No {
            // Refused before anything of the request is read: no body at all is still 403.
            for body in [None, c.body.as_ref()] {
                let a = send(api, method, &own_uri, Some(&bearer), body);
                assert_eq!(a.status, 403, "{method} {path} as {role}: {}", a.text());
                assert_eq!(a.code().as_deref(), Some("forbidden"));
                sent += 1;
            }
            continue;
        }
        let a = send(api, method, &own_uri, Some(&bearer), c.body.as_ref());
        assert!(
            a.status != 401 && a.status != 403,
            "{method} {own_uri} as {role} ({access:?}): {} {}",
            a.status,
            a.text()
        );
        if c.succeeds {
            assert!(
                (200..300).contains(&a.status),
                "{method} {own_uri} as {role}: {} {}",
                a.status,
                a.text()
            );
        }
        sent += 1;
        if let Some(other) = &c.other {
            let uri = format!("{}{}", fill(path, other), c.query);
            let a = send(api, method, &uri, Some(&bearer), c.body.as_ref());
            match access {
                // Another firm's data does not exist for a participant.
                Access::Own => {
                    assert_eq!(a.status, 404, "{method} {uri} as {role}: {}", a.text());
                    assert_eq!(a.code().as_deref(), Some("not_found"));
                }
                _ => assert!(
                    a.status != 401 && a.status != 403,
                    "{method} {uri} as {role}: {} {}",
                    a.status,
                    a.text()
                ),
            }
            sent += 1;
        }
    }
    sent
}

#[test]
fn every_route_every_role_own_and_other_data_anonymous_malformed_and_revoked() {
    each_backend(|db| {
        let mut api = Api::new(db);
        let fx = fixture(&mut api);
        let routes = documented(&api);
        let mut sent = 0;
        for (method, path) in &routes {
            sent += walk(&api, method, path, &fx);
        }
        eprintln!("{} routes, {sent} requests", routes.len());
        assert!(sent > 400, "only {sent} requests");
    });
}

#[test]
fn the_document_is_openapi_3_1_and_lists_every_route_the_router_serves() {
    let api = Api::new(TestDb::sqlite());
    let a = api.get("/api/v1/openapi.json").send();
    a.expect(200);
    let served = a.json();
    assert!(
        served["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        served["openapi"]
    );
    assert_eq!(
        served,
        to_json(&api.doc),
        "the served document is the router's"
    );
    let documented: BTreeSet<(String, String)> = documented(&api).into_iter().collect();
    let registered: BTreeSet<(String, String)> = REGISTERED
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = registered.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "registered but not documented: {missing:?}; documented but not registered: {unknown:?}"
    );
    // The policy's route table covers every route that has a caller, and nothing else.
    let authenticated: BTreeSet<(String, String)> = registered
        .iter()
        .filter(|(_, p)| !PUBLIC.contains(&p.as_str()))
        .cloned()
        .collect();
    let table: BTreeSet<(String, String)> = policy::ROUTES
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(authenticated, table);
}

#[test]
fn every_documented_route_is_served() {
    let mut api = Api::new(TestDb::sqlite());
    let fx = fixture(&mut api);
    // What the router answers when no route matches: the check below must tell it apart.
    let nowhere = api.get("/api/v1/no-such-route").by("operator").send();
    nowhere.expect_error(404, "not_found", None);
    let unmatched = nowhere.json()["error"]["message"].clone();
    for (method, path) in documented(&api) {
        let c = plan(&method, &path, &fx);
        let uri = format!("{}{}", fill(&path, &c.own), c.query);
        for (_, user) in USERS {
            let a = send(
                &api,
                &method,
                &uri,
                Some(&format!("Bearer {}", api.token(user))),
                c.body.as_ref(),
            );
            assert_ne!(a.status, 405, "{method} {uri}: {}", a.text());
            if a.status == 404 {
                assert_ne!(
                    a.json()["error"]["message"],
                    unmatched,
                    "{method} {uri} is documented but not served"
                );
            }
        }
    }
    let a = api.req("DELETE", "/api/v1/claims").by("operator").send();
    a.expect_error(405, "method_not_allowed", None);
}
