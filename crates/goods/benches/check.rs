//! Checking goods lines: the bundled policy (rules, CHPL, mis-declaration words, units) and
//! price bands over every subheading, on lines already parsed and on CSV text.
//! `cargo bench -p goods`.
//!
//! The lines are spread over all 5,612 subheadings (so the tables are read at random places),
//! on four corridors, with one description in fifty holding a listed word and one line in
//! twenty priced outside its band.

use divan::{Bencher, black_box, counter::ItemsCount};
use goods::{
    BandSettings, Checker, Line, LineFields, LineReader, Nomenclature, Observation, Policy,
    PriceHistory, UnitKinds, Verdict,
};
use model::{CountryCode, Unit};
use rust_decimal::Decimal;

/// Lines per benchmark iteration.
const LINES: usize = 10_000;
/// Reference observations per subheading and corridor.
const OBSERVATIONS_PER_CELL: u32 = 6;
const CORRIDORS: [(&str, &str); 4] = [("DE", "IR"), ("FR", "IR"), ("IT", "IR"), ("IR", "DE")];
const DESCRIPTIONS: [&str; 8] = [
    "Goods as per pro-forma invoice 2024/117, packed in cartons on pallets",
    "Spare parts for industrial equipment, assorted, new",
    "Bulk commodity, first quality, shipped in 25 kg bags",
    "Consumer products, retail packaging, 12 pieces per carton",
    "Raw material for further processing, certificate of origin attached",
    "Assorted items for hospital use, sterile, single use",
    "Components for assembly, manufacturer part numbers on the packing list",
    "Agricultural produce, harvest 2025, phytosanitary certificate attached",
];
const FLAGGED: &str = "Hydraulic components for missile launchers, crated";

fn main() {
    divan::main();
}

/// A deterministic sequence (64-bit LCG), so every run checks the same lines.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

/// The unit a line of this code is declared in: the first fitting kind.
fn unit_for(kinds: UnitKinds) -> &'static str {
    [
        (UnitKinds::COUNT, "u"),
        (UnitKinds::MASS, "kg"),
        (UnitKinds::VOLUME, "l"),
        (UnitKinds::ENERGY, "kwh"),
    ]
    .into_iter()
    .find(|(kind, _)| kinds.contains(*kind))
    .map_or("kg", |(_, unit)| unit)
}

struct Fixture {
    checker: Checker,
    lines: Vec<Line>,
    csv: String,
}

fn fixture() -> Fixture {
    let nomenclature = Nomenclature::bundled().unwrap();
    let policy = Policy::bundled(&nomenclature).unwrap();
    let subheadings: Vec<_> = nomenclature.subheadings().collect();
    let mut history = PriceHistory::new();
    for subheading in &subheadings {
        let entry = policy.entry(*subheading);
        let unit: Unit = goods::parse_unit(unit_for(entry.units)).unwrap();
        for (origin, destination) in CORRIDORS {
            for i in 0..OBSERVATIONS_PER_CELL {
                history
                    .add(&Observation {
                        code: subheading.code(),
                        origin: Some(CountryCode::new(origin).unwrap()),
                        destination: Some(CountryCode::new(destination).unwrap()),
                        unit,
                        unit_value_minor: Decimal::from(1_000 + 40 * i),
                        currency: model::currency::from_code("EUR").unwrap(),
                        date: None,
                    })
                    .unwrap();
            }
        }
    }
    let bands = history.bands(BandSettings::default());
    let mut sequence = Sequence(7);
    let mut csv =
        String::from("id,hs_code,description,quantity,unit,value,currency,origin,destination\n");
    let mut lines = Vec::with_capacity(LINES);
    for n in 0..LINES {
        let subheading = subheadings[sequence.next(subheadings.len())];
        let unit = unit_for(policy.entry(subheading).units);
        let description = if sequence.next(50) == 0 {
            FLAGGED
        } else {
            DESCRIPTIONS[sequence.next(DESCRIPTIONS.len())]
        };
        let quantity = 1 + sequence.next(500);
        // Unit values around 10.00–11.20 EUR; one line in twenty at 30.00.
        let unit_value = if sequence.next(20) == 0 {
            3_000
        } else {
            1_000 + sequence.next(120)
        };
        let value_minor = quantity * unit_value;
        let (origin, destination) = CORRIDORS[sequence.next(CORRIDORS.len())];
        let code = subheading.code().to_string();
        let value = format!("{}.{:02}", value_minor / 100, value_minor % 100);
        let quantity = quantity.to_string();
        let id = format!("line-{n}");
        csv.push_str(&format!(
            "{id},{code},\"{description}\",{quantity},{unit},{value},EUR,{origin},{destination}\n"
        ));
        let fields = LineFields {
            id: &id,
            hs_code: &code,
            description,
            quantity: &quantity,
            unit,
            value: &value,
            currency: "EUR",
            origin,
            destination,
        };
        lines.push(Line::parse(&fields, &nomenclature).unwrap());
    }
    let checker = Checker::new(nomenclature, policy, Some(bands)).unwrap();
    Fixture {
        checker,
        lines,
        csv,
    }
}

/// Policy and price check of lines already parsed.
#[divan::bench]
fn check_parsed(bencher: Bencher) {
    let fixture = fixture();
    bencher.counter(ItemsCount::new(LINES)).bench_local(|| {
        let mut held = 0_usize;
        for line in &fixture.lines {
            let decision = fixture.checker.check(black_box(line));
            held += usize::from(decision.verdict != Verdict::Allow);
        }
        held
    });
}

/// CSV text read, every field checked, then policy and price check.
#[divan::bench]
fn parse_csv_and_check(bencher: Bencher) {
    let fixture = fixture();
    bencher.counter(ItemsCount::new(LINES)).bench_local(|| {
        let reader = LineReader::new(
            black_box(fixture.csv.as_bytes()),
            fixture.checker.nomenclature(),
        )
        .unwrap();
        let mut held = 0_usize;
        for line in reader {
            let decision = fixture.checker.check(&line.unwrap());
            held += usize::from(decision.verdict != Verdict::Allow);
        }
        held
    });
}

/// The reasons in words, as the CLI prints them (allocates; not on the hot path).
#[divan::bench]
fn check_and_render_reasons(bencher: Bencher) {
    let fixture = fixture();
    bencher.counter(ItemsCount::new(LINES)).bench_local(|| {
        let mut bytes = 0_usize;
        for line in &fixture.lines {
            let decision = fixture.checker.check(line);
            for reason in fixture.checker.reasons(line, &decision) {
                bytes += reason.message.len();
            }
        }
        bytes
    });
}
