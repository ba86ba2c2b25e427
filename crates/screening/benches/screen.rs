//! Screening speed on all bundled lists: one query at a time (latency), a batch over both cores
//! (throughput), and loading + indexing. `cargo bench -p screening --bench screen`.
//!
//! The queries are realistic: persons from many countries and scripts, listed names written
//! differently (the cases), and organisations.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use screening::groups::NameGroups;
use screening::{Query, Scratch, Screener};

fn main() {
    divan::main();
}

const QUERIES: &[&str] = &[
    "Saeid Hashemi-Moqaddam",
    "سعید هاشمی مقدم",
    "Asadollah Asadi",
    "Ministry of Intelligence and Security of Iran",
    "MOIS",
    "Patricia Lucas Wheeler",
    "حسین موسوی",
    "Владимир Путин",
    "Abdul Hai Salek",
    "Kim Jong Un",
    "김정은",
    "Maria Garcia Lopez",
    "Banco Nacional de Cuba",
    "Islamic Revolutionary Guard Corps",
    "Mohammad Javad Zarif",
    "John Smith",
    "Li Wei Trading Co Ltd",
    "Ahmed Hassan Al-Tikriti",
    "Jean-Marie Runiga",
    "Nikolaos Papadopoulos",
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

/// One query, in process: the latency a single screening call sees.
#[divan::bench(args = QUERIES)]
fn single(bencher: divan::Bencher, name: &str) {
    let screener = screener();
    let query = Query::name(name);
    let mut scratch = Scratch::default();
    bencher.bench_local(|| {
        screener
            .screen(&query, 0.8, 10, &mut scratch)
            .map(|m| m.len())
    });
}

/// 10,000 queries over every core, as `clearhouse screen batch` runs them.
#[divan::bench(sample_count = 5)]
fn batch_10k(bencher: divan::Bencher) {
    let screener = screener();
    let queries: Vec<Query> = (0..10_000)
        .map(|i| Query::name(format!("{} {}", QUERIES[i % QUERIES.len()], i % 7)))
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(queries.len()))
        .bench(|| {
            queries
                .par_iter()
                .map_init(Scratch::default, |scratch, q| {
                    screener.screen(q, 0.8, 10, scratch).map_or(0, |m| m.len())
                })
                .sum::<usize>()
        });
}

/// Parsing the name groups, parsing the lists and indexing them: what `screen name` pays first.
#[divan::bench(sample_count = 3)]
fn load_and_index() -> usize {
    let groups = Arc::new(NameGroups::parse(screening::groups::BUNDLED));
    let entities = screening::lists::bundled()
        .expect("bundled lists")
        .into_iter()
        .flat_map(|l| l.entities)
        .collect();
    Screener::with_own_weights(entities, groups)
        .entities()
        .len()
}
