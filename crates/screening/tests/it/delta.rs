//! Delta rescreening gives the same answer as screening everything again.

use std::path::Path;

use screening::delta::{Screened, rescreen};
use screening::index::Weights;
use screening::lists::{InputFile, parse_files};
use screening::{Entity, Query, Scratch, Screener};

use crate::support::groups;

fn ofac_2021() -> Vec<Entity> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ofac_2021"
    ));
    let files = std::fs::read_dir(dir)
        .expect("the OFAC 2021 fixture set")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "csv"))
        .map(|path| InputFile {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            bytes: std::fs::read(&path).unwrap(),
        })
        .collect();
    parse_files(files)
        .unwrap()
        .into_iter()
        .flat_map(|l| l.entities)
        .collect()
}

fn ofac_2024() -> Vec<Entity> {
    screening::lists::bundled()
        .unwrap()
        .into_iter()
        .filter(|l| l.source == "us_ofac_sdn")
        .flat_map(|l| l.entities)
        .collect()
}

#[test]
fn delta_equals_a_full_rescreen() {
    let (old, new) = (ofac_2021(), ofac_2024());
    let weights = Weights::from_entities(&old);
    let threshold = 0.8;
    // Names: listed names of both versions (some removed, some added since), and variants.
    let mut names: Vec<String> = Vec::new();
    for (i, entity) in old.iter().chain(new.iter()).enumerate() {
        if i % 23 == 0 {
            names.push(entity.caption.clone());
        }
    }
    names.extend(
        [
            "Saeid Hashemi Moghadam",
            "MOIS",
            "Jane Doe",
            "Banco Nacional de Cuba",
        ]
        .map(String::from),
    );

    let before = Screener::new(old.clone(), groups(), &weights);
    let after = Screener::new(new, groups(), &weights);
    let mut scratch = Scratch::default();
    let screened: Vec<Screened> = names
        .iter()
        .map(|name| {
            let query = Query::name(name.clone());
            let matched = before
                .screen(&query, threshold, 10, &mut scratch)
                .unwrap()
                .into_iter()
                .map(|m| m.entity_id)
                .collect();
            Screened { query, matched }
        })
        .collect();

    let outcome = rescreen(&old, &after, groups(), &weights, &screened, threshold, 10).unwrap();
    assert!(!outcome.diff.is_empty());
    assert!(
        outcome.rescreened < screened.len(),
        "the delta must save work"
    );

    for (position, item) in screened.iter().enumerate() {
        let full: Vec<String> = after
            .screen(&item.query, threshold, 10, &mut scratch)
            .unwrap()
            .into_iter()
            .map(|m| m.entity_id)
            .collect();
        let ids_changed = {
            let mut a = full.clone();
            let mut b = item.matched.clone();
            a.sort();
            b.sort();
            a != b
        };
        let reported = outcome.changed.iter().find(|c| c.position == position);
        if ids_changed {
            let reported =
                reported.unwrap_or_else(|| panic!("{}: change not reported", item.query.name));
            let mut got: Vec<String> = reported
                .matches
                .iter()
                .map(|m| m.entity_id.clone())
                .collect();
            let mut want = full.clone();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{}", item.query.name);
        }
    }
}
