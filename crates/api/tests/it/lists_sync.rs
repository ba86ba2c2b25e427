//! The lists in force across servers on one database: a version uploaded through one server is
//! the one the others screen against (loaded from the lists directory they share), and they say
//! so in `GET /api/v1/lists`; a server whose lists directory lacks it refuses what screens
//! (503 `lists_out_of_date`, naming the version) and is not ready until the version is there.

use std::path::Path;

use house::users::Role;
use serde_json::{Value, json};

use crate::support::*;

/// An organisation no bundled list names, put on a list by the tests' upload.
const LISTED: &str = "Caspian Sunrise Shipping Company";
/// The name the uploaded list file has.
const LIST_FILE: &str = "caspian.ftm.json";

/// A list file (FollowTheMoney JSON lines) naming [`LISTED`].
fn list_file() -> Vec<u8> {
    format!(
        r#"{{"id":"caspian-1","schema":"Organization","properties":{{"name":["{LISTED}"]}},"datasets":["test_list"]}}"#
    )
    .into_bytes()
}

/// Uploads one list file through `api` as the operator; the version made and put in force.
fn upload(api: &Api, name: &str, bytes: &[u8]) -> String {
    let boundary = "XLISTSYNCBOUNDARY";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let a = api
        .post("/api/v1/lists")
        .by("operator")
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .raw(body)
        .send();
    a.expect(200);
    a.json()["version"].as_str().expect("a version").to_owned()
}

/// The demo's medicines claim under `id`, `kg` kilograms (at the same price), invoiced to
/// [`LISTED`]; without its idempotency key (the header gives it).
fn claim_naming_the_listed(api: &Api, id: &str, kg: u32) -> Value {
    let mut c = to_json(&demo_claim(api.clock.now(), "c-medicines"));
    let amount = format!("{}.00", u64::from(kg) * 4225 / 100);
    let object = c.as_object_mut().expect("a claim");
    object.remove("idempotency_key");
    c["id"] = json!(id);
    c["invoice_number"] = json!(format!("INV-{id}"));
    c["invoice_counterparty"]["name"] = json!(LISTED);
    c["amount"]["amount"] = json!(amount);
    c["goods_lines"][0]["quantity"]["value"] = json!(kg.to_string());
    c["goods_lines"][0]["value"]["amount"] = json!(amount);
    c
}

/// Submits `claim` through `api` as eu-pharma's user.
fn submit(api: &Api, claim: &Value) -> Answer {
    let key = format!("key-{}", claim["id"].as_str().expect("an id"));
    api.post("/api/v1/claims")
        .by("pharma")
        .key(&key)
        .json(claim)
        .send()
}

/// `GET /api/v1/lists` as the operator.
fn status(api: &Api) -> Value {
    let a = api.get("/api/v1/lists").by("operator").send();
    a.expect(200);
    a.json()
}

/// The demo's firms onboarded through `one`, and eu-pharma's user known to every server.
fn onboarded(one: &mut Api, others: &mut [&mut Api]) {
    one.onboard_demo();
    let token = one.add_user("pharma", Role::Participant, Some("eu-pharma"));
    for other in others {
        other.tokens.insert("pharma".to_owned(), token.clone());
    }
}

/// Copies a directory's files (one level) into another, made if missing.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("the directory is made");
    for entry in std::fs::read_dir(from).expect("the directory reads") {
        let entry = entry.expect("an entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("the file is copied");
    }
}

#[test]
fn a_version_uploaded_through_one_server_is_the_one_the_other_screens_against() {
    each_backend(|db| {
        let mut one = Api::new(db);
        let mut two = one.second();
        onboarded(&mut one, &mut [&mut two]);

        // No version was ever put in force: the server's lists are, as before.
        let a = submit(&two, &claim_naming_the_listed(&two, "c-before", 2000));
        a.expect(201);
        assert_eq!(a.json()["status"], "awaiting_acceptance", "{}", a.text());
        let lists = status(&two);
        assert_eq!(lists["version"], "bundled", "{lists}");
        assert_eq!(lists["in_force"], Value::Null, "{lists}");

        let version = upload(&one, LIST_FILE, &list_file());
        assert_eq!(
            two.house().lists().version,
            "bundled",
            "loaded only when needed"
        );

        // yente's search, entity and catalog through the other server answer from the
        // version in force, not from the lists it held.
        let a = two
            .get("/search/default?q=Caspian%20Sunrise%20Shipping")
            .by("a.novak")
            .send();
        a.expect(200);
        let found = a.json();
        let results = found["results"].as_array().expect("results");
        assert!(
            results.iter().any(|r| r["id"] == "test_list:caspian-1"),
            "{found}"
        );
        two.get("/entities/test_list:caspian-1")
            .by("a.novak")
            .send()
            .expect(200);
        let a = two.get("/catalog").by("a.novak").send();
        a.expect(200);
        let catalog = a.json();
        assert!(
            catalog["datasets"]
                .as_array()
                .expect("datasets")
                .iter()
                .any(|d| d["name"] == "test_list"),
            "{catalog}"
        );

        // Through the other server, the name is listed: the claim is held.
        two.clock.advance(SECOND);
        let a = submit(&two, &claim_naming_the_listed(&two, "c-after", 1000));
        a.expect(201);
        let claim = a.json();
        assert_eq!(claim["status"], "held", "{claim}");
        let counterparty = claim["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["step"] == "counterparty")
            .expect("a counterparty check");
        assert_eq!(counterparty["outcome"], "hold", "{counterparty}");
        assert_eq!(counterparty["inputs"]["lists_version"], version.as_str());

        // And it says so.
        let lists = status(&two);
        assert_eq!(lists["version"], version.as_str(), "{lists}");
        assert_eq!(lists["in_force"], version.as_str(), "{lists}");
        let a = two.get("/readyz").send();
        a.expect(200);
        assert_eq!(a.json()["lists_version"], version.as_str());
    });
}

#[test]
fn a_server_without_the_version_in_force_is_503_and_not_ready_until_it_has_it() {
    each_backend(|db| {
        let mut one = Api::new(db);
        let mut elsewhere = one.second_elsewhere();
        onboarded(&mut one, &mut [&mut elsewhere]);
        let version = upload(&one, LIST_FILE, &list_file());
        one.get("/readyz").send().expect(200);

        // Nothing that screens, and nothing written.
        let heads = elsewhere.heads();
        let claim = claim_naming_the_listed(&elsewhere, "c-elsewhere", 1000);
        let refused = [
            submit(&elsewhere, &claim),
            elsewhere
                .post("/api/v1/screening")
                .by("a.novak")
                .json(&json!({ "name": LISTED }))
                .send(),
        ];
        for a in &refused {
            a.expect_error(503, "lists_out_of_date", None);
            let message = a.json()["error"]["message"]
                .as_str()
                .expect("a message")
                .to_owned();
            assert!(message.contains(&version), "{message}");
            assert!(a.header("retry-after").is_some());
        }
        assert_eq!(elsewhere.heads(), heads);
        let a = elsewhere.get("/readyz").send();
        a.expect(503);
        let health = a.json();
        assert_eq!(health["status"], "unavailable", "{health}");
        assert!(
            health["problem"]
                .as_str()
                .is_some_and(|p| p.contains(&version)),
            "{health}"
        );
        let lists = status(&elsewhere);
        assert_eq!(lists["version"], "bundled", "{lists}");
        assert_eq!(lists["in_force"], version.as_str(), "{lists}");

        // The operator puts the version in its lists directory: once the server tries again,
        // it is ready and screens against it.
        let versions = Path::new("versions").join(&version);
        copy_dir(
            &one.lists_dir.path().join(&versions),
            &elsewhere.lists_dir.path().join(&versions),
        );
        elsewhere.clock.advance(house::LISTS_LOAD_RETRY_NS);
        let a = elsewhere.get("/readyz").send();
        a.expect(200);
        assert_eq!(a.json()["lists_version"], version.as_str());
        let a = submit(&elsewhere, &claim);
        a.expect(201);
        assert_eq!(a.json()["status"], "held", "{}", a.text());
    });
}
