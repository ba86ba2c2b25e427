//! The API tests' helpers: a house on a test database (SQLite or PostgreSQL) behind the router,
//! driven in process with `tower::ServiceExt::oneshot` (no socket), users and their tokens,
//! requests and answers, and the demo's population.
//!
//! The router runs on a runtime the test owns, and the test itself is plain synchronous code:
//! the test databases and the store's PostgreSQL client block, and must never run on a thread
//! of the runtime (see `api::state::AppState::run`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};

use api::{AppState, Settings};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use house::users::Role;
use house::{House, HouseConfig, HouseSource, OnboardingInput};
use http_body_util::BodyExt;
pub use test_support::{SECOND, T0, TestClock, TestDb, checker, each_backend, lists};
use tower::ServiceExt;

/// Most requests sent at once by [`Api::concurrently`].
pub const CONCURRENT_REQUESTS_MAX: usize = 64;

/// A house on a test database behind the API, with the users the test made.
pub struct Api {
    /// Dropped first: nothing runs on the router once the test is done with it.
    pub rt: tokio::runtime::Runtime,
    pub state: Arc<AppState>,
    pub router: axum::Router,
    pub doc: utoipa::openapi::OpenApi,
    pub clock: TestClock,
    /// Tokens by user name.
    pub tokens: BTreeMap<String, String>,
    pub files: tempfile::TempDir,
    /// The lists directory: shared with the servers of [`Api::second`] (processes on one
    /// machine), not with those of [`Api::second_elsewhere`].
    pub lists_dir: Arc<tempfile::TempDir>,
    /// Dropped last: the house's store is closed by then (shared with the servers of
    /// [`Api::second`]: the database goes with the last of them).
    pub db: Arc<TestDb>,
}

impl Api {
    /// A house set up with the demo's configuration (zones EU and IR; officers `a.novak` and
    /// `b.laurent`, supervisor `c.weber`; the operator `operator`), each seeded user with a token.
    pub fn new(db: TestDb) -> Api {
        Api::with_rate(db, 0, 0)
    }

    /// As [`Api::new`], with a rate limit per token (`0`: none).
    pub fn with_rate(db: TestDb, rate_per_second: u32, rate_burst: u32) -> Api {
        Api::init(
            db,
            house::demo::config(),
            (rate_per_second, rate_burst),
            Vec::new(),
        )
    }

    /// As [`Api::new`], with another configuration of the house.
    pub fn with_config(db: TestDb, config: HouseConfig) -> Api {
        Api::init(db, config, (0, 0), Vec::new())
    }

    /// As [`Api::new`], with the list sources `POST /api/v1/lists/update` fetches from (none
    /// otherwise: no test reaches the published addresses).
    pub fn with_list_sources(db: TestDb, list_sources: Vec<house::list_store::Source>) -> Api {
        Api::init(db, house::demo::config(), (0, 0), list_sources)
    }

    /// A house set up with `config` on `db`, each seeded user with a token, behind the API with
    /// a rate limit of `(per second, burst)` per token and `list_sources` to update from.
    fn init(
        db: TestDb,
        config: HouseConfig,
        rate: (u32, u32),
        list_sources: Vec<house::list_store::Source>,
    ) -> Api {
        let clock = TestClock::at(T0);
        let house = House::init(
            db.open(&clock),
            clock.clock(),
            lists(),
            checker(),
            config,
            "operator",
        )
        .unwrap_or_else(|e| panic!("init on {}: {e}", db.name));
        let mut tokens = BTreeMap::new();
        for name in ["operator", "a.novak", "b.laurent", "c.weber"] {
            let token = house
                .new_token("operator", name)
                .unwrap_or_else(|e| panic!("token of {name}: {e}"));
            tokens.insert(name.to_owned(), token.reveal().to_owned());
        }
        let lists_dir = Arc::new(tempfile::tempdir().expect("temporary directory"));
        Api::serve(
            Arc::new(db),
            clock,
            house,
            tokens,
            rate,
            list_sources,
            lists_dir,
        )
    }

    /// Another server on this one's database, as a second `clearhouse serve` process on the
    /// same machine would be: its own store (connections and writer), house opened as set up
    /// (with the bundled lists), router, runtime and files; the same lists directory; the
    /// database's users, so the same tokens; the same clock.
    pub fn second(&self) -> Api {
        self.another(Arc::clone(&self.lists_dir))
    }

    /// As [`Api::second`], on another machine: a lists directory of its own.
    pub fn second_elsewhere(&self) -> Api {
        self.another(Arc::new(tempfile::tempdir().expect("temporary directory")))
    }

    /// Another server on this one's database with `lists_dir`.
    fn another(&self, lists_dir: Arc<tempfile::TempDir>) -> Api {
        let house = House::open(
            self.db.open(&self.clock),
            self.clock.clock(),
            lists(),
            checker(),
        )
        .unwrap_or_else(|e| panic!("open on {}: {e}", self.db.name));
        let settings = &self.state.settings;
        Api::serve(
            Arc::clone(&self.db),
            self.clock.clone(),
            house,
            self.tokens.clone(),
            (settings.rate_per_second, settings.rate_burst),
            settings.list_sources.clone(),
            lists_dir,
        )
    }

    /// `house` behind a router of its own, on a runtime of its own.
    fn serve(
        db: Arc<TestDb>,
        clock: TestClock,
        house: House,
        tokens: BTreeMap<String, String>,
        (rate_per_second, rate_burst): (u32, u32),
        list_sources: Vec<house::list_store::Source>,
        lists_dir: Arc<tempfile::TempDir>,
    ) -> Api {
        let files = tempfile::tempdir().expect("temporary directory");
        let settings = Settings {
            source: HouseSource {
                location: db.location.clone(),
                lists_dir: lists_dir.path().to_path_buf(),
                prices: None,
            },
            files_dir: files.path().to_path_buf(),
            rate_per_second,
            rate_burst,
            list_sources,
        };
        let state = Arc::new(AppState::new(house, settings));
        let (router, doc) = api::app_and_doc(Arc::clone(&state));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        Api {
            rt,
            state,
            router,
            doc,
            clock,
            tokens,
            files,
            lists_dir,
            db,
        }
    }

    pub fn house(&self) -> &House {
        &self.state.house
    }

    /// The token of a user the test made (or a seeded one).
    #[track_caller]
    pub fn token(&self, name: &str) -> &str {
        self.tokens
            .get(name)
            .unwrap_or_else(|| panic!("no token for {name}"))
    }

    /// Adds a user directly in the house (as the operator) and keeps its token.
    pub fn add_user(&mut self, name: &str, role: Role, participant: Option<&str>) -> String {
        let (_, token) = self
            .house()
            .add_user("operator", name, role, participant)
            .unwrap_or_else(|e| panic!("add user {name}: {e}"));
        let token = token.reveal().to_owned();
        self.tokens.insert(name.to_owned(), token.clone());
        token
    }

    /// A request to build and send.
    pub fn req(&self, method: &str, uri: &str) -> Req<'_> {
        Req {
            api: self,
            method: Method::from_bytes(method.as_bytes()).expect("a method"),
            uri: uri.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn get(&self, uri: &str) -> Req<'_> {
        self.req("GET", uri)
    }

    pub fn post(&self, uri: &str) -> Req<'_> {
        self.req("POST", uri)
    }

    /// Sends a request through the router, in process.
    pub fn send(&self, request: Request<Body>) -> Answer {
        let router = self.router.clone();
        self.rt
            .block_on(async move { answer(router.oneshot(request).await).await })
    }

    /// Sends every request at the same time; the answers in the requests' order.
    pub fn concurrently(&self, requests: Vec<Request<Body>>) -> Vec<Answer> {
        assert!(requests.len() <= CONCURRENT_REQUESTS_MAX);
        let router = self.router.clone();
        self.rt.block_on(async move {
            let tasks: Vec<_> = requests
                .into_iter()
                .map(|r| {
                    let router = router.clone();
                    tokio::spawn(async move { answer(router.oneshot(r).await).await })
                })
                .collect();
            let mut out = Vec::with_capacity(tasks.len());
            for t in tasks {
                out.push(t.await.expect("a request task"));
            }
            out
        })
    }

    /// The store's heads: what a refused request must leave as they were.
    pub fn heads(&self) -> store::Heads {
        self.house().store().heads().expect("heads")
    }

    /// Onboards the demo's participants directly in the house (in the demo's order).
    pub fn onboard_demo(&self) {
        for input in demo_participants() {
            self.house()
                .onboard("operator", &input)
                .unwrap_or_else(|e| panic!("onboard {}: {e}", input.id));
            self.clock.advance(SECOND);
        }
    }
}

/// Runs `test` on a house on a fresh SQLite database, then on a fresh PostgreSQL schema.
pub fn each_api(test: impl Fn(Api)) {
    each_backend(|db| test(Api::new(db)));
}

/// Sends each request to its server, all released at the same instant (one thread each);
/// the answers in the requests' order. With two servers on one database, this is two
/// processes taking requests at once.
pub fn at_once(requests: Vec<(&Api, Request<Body>)>) -> Vec<Answer> {
    assert!(requests.len() <= CONCURRENT_REQUESTS_MAX);
    let start = Barrier::new(requests.len());
    std::thread::scope(|scope| {
        let threads: Vec<_> = requests
            .into_iter()
            .map(|(api, request)| {
                let start = &start;
                scope.spawn(move || {
                    start.wait();
                    api.send(request)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a request thread"))
            .collect()
    })
}

/// The demo's participants.
pub fn demo_participants() -> Vec<OnboardingInput> {
    house::demo::participants().expect("the demo's participants read")
}

/// The demo's claims, due counted from `now`, by id.
pub fn demo_claim(now: u64, id: &str) -> house::ClaimSubmission {
    house::demo::claims(now)
        .expect("the demo's claims read")
        .into_iter()
        .find(|c| c.submission.id == id)
        .unwrap_or_else(|| panic!("the demo has no claim {id}"))
        .submission
}

async fn answer(response: Result<axum::response::Response, std::convert::Infallible>) -> Answer {
    let response = response.unwrap_or_else(|e| match e {});
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("the body reads")
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// A request being built.
pub struct Req<'a> {
    api: &'a Api,
    method: Method,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// As the user the test made (by name).
    pub fn by(self, name: &str) -> Self {
        let token = self.api.token(name).to_owned();
        self.bearer(&token)
    }

    pub fn key(self, key: &str) -> Self {
        self.header("idempotency-key", key)
    }

    /// A JSON body.
    pub fn json(mut self, value: &serde_json::Value) -> Self {
        self.body = serde_json::to_vec(value).expect("JSON");
        self.header("content-type", "application/json")
    }

    /// A body as it is, without a content type.
    pub fn raw(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = bytes.into();
        self
    }

    pub fn build(self) -> Request<Body> {
        let mut b = Request::builder().method(self.method).uri(&self.uri);
        for (name, value) in &self.headers {
            b = b.header(name, value);
        }
        b.body(Body::from(self.body)).expect("a request")
    }

    pub fn send(self) -> Answer {
        let api = self.api;
        api.send(self.build())
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.text()))
    }

    /// The error's code, if the answer is an error body.
    pub fn code(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        v["error"]["code"].as_str().map(str::to_owned)
    }

    /// The error's field.
    pub fn field(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        v["error"]["field"].as_str().map(str::to_owned)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "{}", self.text());
        self
    }

    /// Asserts an error answer: status, code, and field (when given).
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str, field: Option<&str>) -> &Self {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.code().as_deref(), Some(code), "{}", self.text());
        if let Some(field) = field {
            assert_eq!(self.field().as_deref(), Some(field), "{}", self.text());
        }
        assert_clean(self);
        self
    }
}

/// An error body never carries a file path, SQL or a Rust type name.
#[track_caller]
pub fn assert_clean(answer: &Answer) {
    let text = answer.text();
    let lower = text.to_lowercase();
    // Rust's names for numbers, as whole words (serde says "expected u64").
    for word in lower.split(|c: char| !c.is_ascii_alphanumeric()) {
        assert!(
            !matches!(
                word,
                "u8" | "u16"
                    | "u32"
                    | "u64"
                    | "u128"
                    | "usize"
                    | "i8"
                    | "i16"
                    | "i32"
                    | "i64"
                    | "i128"
                    | "isize"
                    | "f32"
                    | "f64"
            ),
            "an answer ({}) shows the Rust type {word:?}: {text}",
            answer.status
        );
    }
    for needle in [
        "/tmp/",
        "/work/",
        "/home/",
        ".rs:",
        "src/",
        "select ",
        "insert into",
        "delete from",
        "sqlite",
        "postgres",
        "::",
        "panicked",
        "backtrace",
        "struct ",
        "enum ",
        "option<",
        "vec<",
        "hashmap",
        "string::",
    ] {
        assert!(
            !lower.contains(needle),
            "an answer ({}) shows {needle:?}: {text}",
            answer.status
        );
    }
}

/// A JSON value of a serialisable house type.
pub fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("JSON")
}
