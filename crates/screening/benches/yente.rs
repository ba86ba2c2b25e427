//! The in-process cost of one yente-shaped `/match` request with one query over every bundled
//! list, as the server pays it: from the JSON body to the JSON answer, on one thread (latency)
//! and over every core (throughput). `cargo bench -p screening --bench yente`.
//!
//! The server's target is ≥ 2,000 such requests a second with p99 ≤ 10 ms on 2 cores.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use screening::groups::NameGroups;
use screening::yente::{MatchParams, MatchRequest, match_entities, match_entities_with};
use screening::{Scratch, Screener};

fn main() {
    divan::main();
}

/// One query each, shaped as yente's documentation writes them: a person with a birth date and
/// nationality, one in another script, a company with a jurisdiction, a name on no list.
const BODIES: &[&str] = &[
    r#"{"queries": {"q": {"schema": "Person", "properties": {"name": ["Arkadiii Romanovich Rotenberg"], "birthDate": ["1951"], "nationality": ["Russia"]}}}}"#,
    r#"{"queries": {"q": {"schema": "Person", "properties": {"name": ["سعید هاشمی مقدم"], "birthDate": ["1962-08-06"], "nationality": ["ir"]}}}}"#,
    r#"{"queries": {"q": {"schema": "Company", "properties": {"name": ["Stroygazmontazh"], "jurisdiction": ["ru"]}}}}"#,
    r#"{"queries": {"q": {"schema": "Person", "properties": {"firstName": ["Zebulon"], "lastName": ["Quackenbush"], "nationality": ["us"]}}}}"#,
];

fn screener() -> &'static Screener {
    static SCREENER: OnceLock<Screener> = OnceLock::new();
    SCREENER.get_or_init(|| {
        let groups = Arc::new(NameGroups::parse(screening::groups::BUNDLED));
        let entities = screening::lists::bundled()
            .expect("bundled lists")
            .into_iter()
            .flat_map(|l| l.entities)
            .collect();
        Screener::with_own_weights(entities, groups)
    })
}

/// Body in, body out, with a fresh scratch space: what [`match_entities`] costs a request.
#[divan::bench(args = BODIES)]
fn match_json(bencher: divan::Bencher, body: &str) {
    let screener = screener();
    let params = MatchParams::default();
    bencher.bench_local(|| {
        let request = MatchRequest::from_json(body.as_bytes()).expect("a good request");
        let response = match_entities(screener, "default", &params, &request).expect("answered");
        serde_json::to_vec(&response).expect("written").len()
    });
}

/// The same with the thread's scratch space kept from one request to the next.
#[divan::bench(args = BODIES)]
fn match_json_kept_scratch(bencher: divan::Bencher, body: &str) {
    let screener = screener();
    let params = MatchParams::default();
    let mut scratch = Scratch::default();
    bencher.bench_local(|| {
        let request = MatchRequest::from_json(body.as_bytes()).expect("a good request");
        let response = match_entities_with(screener, "default", &params, &request, &mut scratch)
            .expect("answered");
        serde_json::to_vec(&response).expect("written").len()
    });
}

/// With yente's own default cutoff, 0.1 instead of our 0.5: every candidate down to 0.1 is
/// scored in full and explained, not only those that could be near a match.
#[divan::bench(args = BODIES)]
fn match_json_cutoff_0_1(bencher: divan::Bencher, body: &str) {
    let screener = screener();
    let params = MatchParams {
        cutoff: 0.1,
        ..MatchParams::default()
    };
    let mut scratch = Scratch::default();
    bencher.bench_local(|| {
        let request = MatchRequest::from_json(body.as_bytes()).expect("a good request");
        let response = match_entities_with(screener, "default", &params, &request, &mut scratch)
            .expect("answered");
        serde_json::to_vec(&response).expect("written").len()
    });
}

/// 2,000 one-query requests over every core (the server's rate target in one second's worth).
#[divan::bench(sample_count = 5)]
fn requests_2000_all_cores(bencher: divan::Bencher) {
    let screener = screener();
    let params = MatchParams::default();
    let bodies: Vec<&str> = (0..2_000).map(|i| BODIES[i % BODIES.len()]).collect();
    bencher
        .counter(divan::counter::ItemsCount::new(bodies.len()))
        .bench(|| {
            bodies
                .par_iter()
                .map_init(Scratch::default, |scratch, body| {
                    let request = MatchRequest::from_json(body.as_bytes()).expect("a good request");
                    let response =
                        match_entities_with(screener, "default", &params, &request, scratch)
                            .expect("answered");
                    serde_json::to_vec(&response).expect("written").len()
                })
                .sum::<usize>()
        });
}
