//! Set-off without I/O: solving a generated invoice network, and reading its CSV text.
//! `cargo bench -p netting`. The side-by-side run against OR-tools is `bench/netting/run.sh`.

use divan::{Bencher, black_box, counter::ItemsCount};
use netting::csv::read_obligations;
use netting::setoff::set_off;
use netting::{Network, Obligation};

fn main() {
    divan::main();
}

/// A deterministic network with skewed degrees: firm `i` is picked with weight about `1/i`
/// (a multiplicative congruential generator, no external crate), amounts spread over 1..=10^5.
fn generated(firms: u32, obligations: usize) -> Network {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 11
    };
    let mut pick = |n: u32| -> u32 {
        // Skewed: the square of a uniform variate favours small indices.
        let u = (next() % 1_000_000) as f64 / 1_000_000.0;
        ((u * u) * f64::from(n)) as u32 % n
    };
    let mut list = Vec::with_capacity(obligations);
    while list.len() < obligations {
        let (debtor, creditor) = (pick(firms), pick(firms));
        if debtor != creditor {
            let amount = 1 + u64::from(pick(100_000));
            list.push(Obligation {
                debtor,
                creditor,
                amount,
            });
        }
    }
    Network::new(firms as usize, list).expect("valid network")
}

fn csv_text(network: &Network) -> String {
    let mut text = String::from("id,debtor,creditor,amount\n");
    for (i, o) in network.obligations().iter().enumerate() {
        text += &format!("{i},{},{},{}\n", o.debtor, o.creditor, o.amount);
    }
    text
}

/// Solve 100,000 obligations between 10,000 firms.
#[divan::bench(sample_count = 10)]
fn solve_100k(bencher: Bencher) {
    let network = generated(10_000, 100_000);
    bencher
        .counter(ItemsCount::new(network.obligations().len()))
        .bench(|| set_off(black_box(&network)).expect("solve"));
}

/// Read 100,000 obligations from CSV text.
#[divan::bench(sample_count = 10)]
fn read_100k(bencher: Bencher) {
    let text = csv_text(&generated(10_000, 100_000));
    bencher
        .counter(ItemsCount::new(100_000usize))
        .bench(|| read_obligations(black_box(text.as_bytes())).expect("read"));
}
