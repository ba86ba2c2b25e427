//! Parsing the bundled lists (the offline default): all of them, and each format alone.
//! `cargo bench -p screening --bench parse`.

use screening::lists::{self, Input, bundled_files, ofac};

fn main() {
    divan::main();
}

fn file(name: &str) -> &'static [u8] {
    bundled_files()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| bytes)
        .unwrap_or(&[])
}

#[divan::bench(sample_count = 10)]
fn all_bundled() -> usize {
    lists::bundled()
        .map(|lists| lists.iter().map(|l| l.entities.len()).sum())
        .unwrap_or(0)
}

#[divan::bench(sample_count = 10)]
fn ofac_sdn() -> usize {
    let input = Input::new("sdn.csv", file("ofac_sdn_2024-05-03.csv"));
    ofac::parse(ofac::OfacKind::Sdn, input, None, None, None).map_or(0, |l| l.entities.len())
}

#[divan::bench(sample_count = 10)]
fn un() -> usize {
    lists::un::parse("un.xml", file("UN_consolidated.xml")).map_or(0, |l| l.entities.len())
}

#[divan::bench(sample_count = 10)]
fn csl() -> usize {
    let bytes = file("us_csl_2023.csv");
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    lists::csl::parse("csl.csv", &bytes[..end]).map_or(0, |l| l.entities.len())
}
