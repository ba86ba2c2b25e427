//! `POST /api/v1/lists/update`: the operator's update fetches the list files from the addresses
//! the server is configured with (here a tiny publisher on loopback, never the internet), makes
//! them a new version, puts it in force and rescreens; a source that fails changes nothing.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use house::list_store::Source;
use house::users::Role;
use serde_json::json;

use crate::support::*;

/// The UK list sample (FCDO layout): a list the bundled lists do not have, so installing it
/// loses nothing.
const UK_SAMPLE: &[u8] =
    include_bytes!("../../../screening/tests/fixtures/uk/uk_sanctions_list_sample.csv");
/// The bundled EU sample (three entities).
const EU_SAMPLE: &str = include_str!("../../../screening/data/lists/eu_fsf_sample.xml");
/// The name the UK list is stored under.
const UK: &str = "UK-Sanctions-List.csv";
/// Longest request head the publisher reads.
const REQUEST_HEAD_BYTES_MAX: usize = 16 * 1024;

/// A list publisher on loopback: answers `GET /NAME` with the file it holds under that name,
/// `/broken` with 500, anything else with 404; keeps the paths asked for. Stops when dropped.
struct Publisher {
    address: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Publisher {
    fn new(files: Vec<(&'static str, Vec<u8>)>) -> Publisher {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let address = listener.local_addr().expect("its address");
        let asked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (asked, stop) = (Arc::clone(&asked), Arc::clone(&stop));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        answer(stream, &files, &asked);
                    }
                }
            })
        };
        Publisher {
            address,
            asked,
            stop,
            thread: Some(thread),
        }
    }

    /// A source fetching `path` from this publisher.
    fn source(&self, name: &str, path: &str) -> Source {
        format!("{name}=http://{}/{path}", self.address)
            .parse()
            .expect("a source")
    }

    /// The paths asked for so far.
    fn asked(&self) -> Vec<String> {
        self.asked.lock().expect("the publisher's log").clone()
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accepting thread up, which then sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request's head and answers it.
fn answer(mut stream: TcpStream, files: &[(&str, Vec<u8>)], asked: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < REQUEST_HEAD_BYTES_MAX {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head
        .split(' ')
        .nth(1)
        .unwrap_or("")
        .trim_start_matches('/')
        .to_owned();
    asked
        .lock()
        .expect("the publisher's log")
        .push(path.clone());
    let (status, body): (&str, &[u8]) = match files.iter().find(|(name, _)| *name == path) {
        Some((_, bytes)) => ("200 OK", bytes),
        None if path == "broken" => ("500 Internal Server Error", b"down for maintenance"),
        None => ("404 Not Found", b"no such file"),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(body);
}

/// An address on loopback where nothing listens (a port bound, then let go).
fn refusing(name: &str) -> Source {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    drop(listener);
    format!("{name}=http://{address}/{name}")
        .parse()
        .expect("a source")
}

/// The EU sample without its last entity: a third of the list gone.
fn eu_shrunk() -> Vec<u8> {
    let start = EU_SAMPLE
        .rfind("  <sanctionEntity")
        .expect("the sample's last entity");
    let end = EU_SAMPLE.rfind("</export>").expect("the sample's end");
    format!("{}{}", &EU_SAMPLE[..start], &EU_SAMPLE[end..]).into_bytes()
}

/// `GET /api/v1/lists` as the operator: the version in force and the versions kept.
fn status(api: &Api) -> serde_json::Value {
    let a = api.get("/api/v1/lists").by("operator").send();
    a.expect(200);
    a.json()
}

/// The lists of the hits of screening `name` against the lists in force.
fn hit_sources(api: &Api, name: &str) -> Vec<String> {
    let a = api
        .post("/api/v1/screening")
        .by("a.novak")
        .json(&json!({"name": name, "limit": 50}))
        .send();
    a.expect(200);
    a.json()["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["list"].as_str())
        .map(str::to_owned)
        .collect()
}

/// Asserts that the bundled lists are still in force, in the store and in the running house.
#[track_caller]
fn bundled_in_force(api: &Api) {
    let lists = status(api);
    assert_eq!(lists["version"], "bundled", "{lists}");
    assert_eq!(lists["versions"], json!([]), "{lists}");
    assert_eq!(api.house().lists().version, "bundled");
    assert!(!api.lists_dir.path().join("current").exists());
}

#[test]
fn the_operators_update_fetches_the_configured_files_puts_a_version_in_force_and_rescreens() {
    each_backend(|db| {
        let publisher = Publisher::new(vec![("uk.csv", UK_SAMPLE.to_vec())]);
        let api = Api::with_list_sources(db, vec![publisher.source(UK, "uk.csv")]);
        api.onboard_demo();
        bundled_in_force(&api);
        assert!(!hit_sources(&api, "PASDARAN").contains(&"uk_hmt".to_owned()));

        // No body: every configured source.
        let a = api
            .post("/api/v1/lists/update")
            .by("operator")
            .key("update-1")
            .send();
        a.expect(200);
        let installed = a.json();
        let version = installed["version"].as_str().expect("a version").to_owned();
        assert_ne!(version, "bundled");
        assert_eq!(installed["previous"], "bundled");
        assert!(
            installed["lists"]
                .as_array()
                .expect("lists")
                .iter()
                .any(|l| l["source"] == "uk_hmt" && l["entities"].as_u64() > Some(0)),
            "{installed}"
        );
        // The bundled lists the update did not replace stay in the new version.
        assert!(
            installed["lists"]
                .as_array()
                .expect("lists")
                .iter()
                .any(|l| l["source"] == "un_sc"),
            "{installed}"
        );
        assert_eq!(installed["rescreen"]["lists_version"], version.as_str());
        assert_eq!(publisher.asked(), vec!["uk.csv".to_owned()]);

        // In force in the store, in `GET /lists`, and in the running house.
        let lists = status(&api);
        assert_eq!(lists["version"], version.as_str());
        let versions = lists["versions"].as_array().expect("versions");
        assert_eq!(versions.len(), 1, "{lists}");
        let file = versions[0]["files"]
            .as_array()
            .expect("files")
            .iter()
            .find(|f| f["name"] == UK)
            .unwrap_or_else(|| panic!("{UK} is not in the version: {lists}"))
            .clone();
        assert_eq!(
            file["origin"],
            format!("http://{}/uk.csv", publisher.address)
        );
        assert_eq!(api.house().lists().version, version);
        assert!(hit_sources(&api, "PASDARAN").contains(&"uk_hmt".to_owned()));

        // The same key and body: the first answer again, nothing fetched or installed again.
        let again = api
            .post("/api/v1/lists/update")
            .by("operator")
            .key("update-1")
            .send();
        again.expect(200);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.json(), installed);
        assert_eq!(publisher.asked().len(), 1);
        assert_eq!(status(&api)["versions"].as_array().map(Vec::len), Some(1));
        // The same key with another body: a conflict.
        api.post("/api/v1/lists/update")
            .by("operator")
            .key("update-1")
            .json(&json!({"allow_shrink": true}))
            .send()
            .expect_error(409, "idempotency_conflict", None);

        // Without a key, a second update of the same files goes over the first (within the
        // same second it is the same version).
        let a = api
            .post("/api/v1/lists/update")
            .by("operator")
            .json(&json!({"only": [UK]}))
            .send();
        a.expect(200);
        let second = a.json();
        assert_eq!(second["previous"], version.as_str());
        assert_eq!(status(&api)["version"], second["version"]);
        assert_eq!(publisher.asked().len(), 2);
    });
}

#[test]
fn no_one_but_the_operator_may_update_the_lists() {
    each_backend(|db| {
        let publisher = Publisher::new(vec![("uk.csv", UK_SAMPLE.to_vec())]);
        let mut api = Api::with_list_sources(db, vec![publisher.source(UK, "uk.csv")]);
        api.onboard_demo();
        api.add_user("pharma", Role::Participant, Some("eu-pharma"));
        api.add_user("auditor", Role::Auditor, None);
        for user in ["pharma", "a.novak", "c.weber", "auditor"] {
            for body in [None, Some(json!({"only": [UK]}))] {
                let mut r = api.post("/api/v1/lists/update").by(user);
                if let Some(body) = &body {
                    r = r.json(body);
                }
                r.send().expect_error(403, "forbidden", None);
            }
        }
        api.post("/api/v1/lists/update")
            .send()
            .expect_error(401, "unauthorized", None);
        assert!(publisher.asked().is_empty(), "{:?}", publisher.asked());
        bundled_in_force(&api);
    });
}

#[test]
fn a_source_that_fails_is_503_naming_the_file_and_the_lists_in_force_stay() {
    each_backend(|db| {
        let publisher = Publisher::new(vec![
            ("uk.csv", UK_SAMPLE.to_vec()),
            ("garbage", b"this is not a sanctions list\n".to_vec()),
        ]);
        let api = Api::with_list_sources(
            db,
            vec![
                publisher.source(UK, "uk.csv"),
                publisher.source("sdn.csv", "broken"),
                refusing("cons_prim.csv"),
                publisher.source("eu_fsf.xml", "garbage"),
            ],
        );
        let heads = api.heads();
        // An HTTP error; a connection refused (after a file that was fetched fine); a file
        // fetched that is not a list.
        for (only, file, said) in [
            (vec!["sdn.csv"], "sdn.csv", "500"),
            (vec![UK, "cons_prim.csv"], "cons_prim.csv", "cons_prim.csv"),
            (
                vec!["eu_fsf.xml"],
                "eu_fsf.xml",
                "not a list this house reads",
            ),
        ] {
            let a = api
                .post("/api/v1/lists/update")
                .by("operator")
                .key(&format!("failing-{file}"))
                .json(&json!({ "only": only }))
                .send();
            a.expect_error(503, "download_failed", None);
            let message = a.json()["error"]["message"]
                .as_str()
                .expect("a message")
                .to_owned();
            assert!(
                message.contains(file) && message.contains(said) && message.contains("unchanged"),
                "{message}"
            );
            assert_eq!(
                a.header("retry-after"),
                Some(
                    api::routes::reference::LIST_DOWNLOAD_RETRY_AFTER_SECONDS
                        .to_string()
                        .as_str()
                )
            );
            bundled_in_force(&api);
        }
        assert_eq!(
            publisher.asked(),
            vec![
                "broken".to_owned(),
                "uk.csv".to_owned(),
                "garbage".to_owned()
            ]
        );
        // A failed answer is not kept: the same key may try again.
        let a = api
            .post("/api/v1/lists/update")
            .by("operator")
            .key("failing-sdn.csv")
            .json(&json!({"only": ["sdn.csv"]}))
            .send();
        a.expect_error(503, "download_failed", None);
        assert_eq!(a.header("idempotent-replayed"), None);
        assert_eq!(api.heads(), heads, "a failed update wrote");
        bundled_in_force(&api);
    });
}

#[test]
fn only_names_configured_files_and_a_request_never_gives_an_address() {
    each_backend(|db| {
        let publisher = Publisher::new(vec![("uk.csv", UK_SAMPLE.to_vec())]);
        let api = Api::with_list_sources(db, vec![publisher.source(UK, "uk.csv")]);
        let heads = api.heads();
        api.post("/api/v1/lists/update")
            .by("operator")
            .json(&json!({"only": [UK, "sdn.csv"]}))
            .send()
            .expect_error(422, "invalid_field", Some("only[1]"));
        for (body, field) in [
            (json!({"url": "http://169.254.169.254/latest/"}), "url"),
            (
                json!({"sources": [{"name": UK, "url": "http://10.0.0.1/"}]}),
                "sources",
            ),
            (
                json!({"only": [format!("{UK}=http://10.0.0.1/")]}),
                "only[0]",
            ),
        ] {
            api.post("/api/v1/lists/update")
                .by("operator")
                .json(&body)
                .send()
                .expect_error(422, "invalid_field", Some(field));
        }
        assert!(publisher.asked().is_empty(), "{:?}", publisher.asked());
        assert_eq!(api.heads(), heads);
        bundled_in_force(&api);
    });
    // A server configured with no sources has nothing to fetch.
    let bare = Api::new(TestDb::sqlite());
    bare.post("/api/v1/lists/update")
        .by("operator")
        .send()
        .expect_error(409, "no_list_sources", None);
    bundled_in_force(&bare);
}

#[test]
fn a_list_that_shrank_is_refused_until_allowed_and_then_swapped_into_the_house() {
    each_backend(|db| {
        let publisher = Publisher::new(vec![("eu.xml", eu_shrunk())]);
        let api = Api::with_list_sources(db, vec![publisher.source("eu_fsf.xml", "eu.xml")]);
        api.onboard_demo();
        let gone = "Directorate for Internal Security of the Iranian Ministry for Intelligence and Security";
        assert!(hit_sources(&api, gone).contains(&"eu_fsf".to_owned()));
        let a = api
            .post("/api/v1/lists/update")
            .by("operator")
            .key("shrunk")
            .send();
        a.expect_error(422, "list_shrank", None);
        assert!(a.text().contains("eu_fsf"), "{}", a.text());
        bundled_in_force(&api);
        // The same key may come again with the shrink allowed: a 422 is not kept.
        let a = api
            .post("/api/v1/lists/update")
            .by("operator")
            .key("shrunk")
            .json(&json!({"allow_shrink": true}))
            .send();
        a.expect(200);
        let version = a.json()["version"].as_str().expect("a version").to_owned();
        assert_eq!(status(&api)["version"], version.as_str());
        assert_eq!(api.house().lists().version, version);
        assert!(!hit_sources(&api, gone).contains(&"eu_fsf".to_owned()));
    });
}
