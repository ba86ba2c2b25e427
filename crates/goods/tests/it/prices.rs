//! Price bands: quartiles, fallbacks from corridor to subheading to heading, over- and
//! under-invoicing with the value moved, currencies and units, the CSV of reference prices.

use goods::{
    BandBasis, BandSettings, Direction, Observation, PriceBands, PriceHistory, PriceOutcome,
    Verdict,
};
use model::{CountryCode, Unit};
use rust_decimal::Decimal;

use crate::support::{checker_with, corridor_line, default_policy, line, nomenclature, outcome};

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn observation(
    code: &str,
    corridor: Option<(&str, &str)>,
    unit: Unit,
    value: &str,
    currency: &str,
) -> Observation {
    Observation {
        code: code.parse().unwrap(),
        origin: corridor.map(|(o, _)| CountryCode::new(o).unwrap()),
        destination: corridor.map(|(_, d)| CountryCode::new(d).unwrap()),
        unit,
        unit_value_minor: dec(value),
        currency: model::currency::from_code(currency).unwrap(),
        date: None,
    }
}

/// Wheat (1001.99) in EUR per kg: five observations on DE→IR at 100…140 minor units, three
/// more on FR→IR, and durum wheat (1001.19) at 50 for the heading.
fn history() -> PriceHistory {
    let mut history = PriceHistory::new();
    let mut add = |code, corridor, value| {
        history
            .add(&observation(code, corridor, Unit::Kilogram, value, "EUR"))
            .unwrap();
    };
    for value in ["100", "110", "120", "130", "140"] {
        add("1001.99", Some(("DE", "IR")), value);
    }
    for value in ["300", "310", "320"] {
        add("1001.99", Some(("FR", "IR")), value);
    }
    for value in ["50", "50", "50", "50"] {
        add("1001.19", None, value);
    }
    history
}

fn bands() -> PriceBands {
    history().bands(BandSettings::default())
}

#[test]
fn corridor_band_by_interquartile_method() {
    let bands = bands();
    let wheat = corridor_line("1001.99", "Wheat", "10", "kg", "12.00", "DE", "IR");
    // Values 100..140: Q1 110, Q3 130, IQR 20, fences 110 − 30 and 130 + 30.
    let PriceOutcome::Within(band) = bands.check(&wheat) else {
        panic!("{:?}", bands.check(&wheat))
    };
    assert_eq!(band.basis, BandBasis::Corridor);
    assert_eq!(
        (band.samples, band.q1, band.q3),
        (5, dec("110"), dec("130"))
    );
    assert_eq!((band.low, band.high), (dec("80"), dec("160")));
}

#[test]
fn fallback_to_subheading_then_heading() {
    let bands = bands();
    // FR→IR has 3 observations, fewer than 5: the subheading's 8 on all corridors are used.
    let french = corridor_line("1001.99", "Wheat", "10", "kg", "12.00", "FR", "IR");
    let band = bands.find(&french).unwrap();
    assert_eq!((band.basis, band.samples), (BandBasis::Subheading, 8));
    // Values 100,110,120,130,140,300,310,320: h = 7/4, Q1 = 110 + 0.75·10; h = 21/4, Q3 = 300 + 0.25·10.
    assert_eq!((band.q1, band.q3), (dec("117.50"), dec("302.50")));
    // No corridor given: the subheading too.
    let unknown = line("1001.99", "Wheat", "10", "kg", "12.00");
    assert_eq!(bands.find(&unknown).unwrap().basis, BandBasis::Subheading);
    // 1001.19 has 4 observations: the heading 1001 with all 12.
    let durum = line("1001.19", "Durum wheat", "10", "kg", "5.00");
    let band = bands.find(&durum).unwrap();
    assert_eq!((band.basis, band.samples), (BandBasis::Heading, 12));
    // Nothing for barley.
    let barley = line("1003.90", "Barley", "10", "kg", "5.00");
    assert_eq!(bands.check(&barley), PriceOutcome::NoReference);
}

#[test]
fn min_samples_is_a_setting() {
    let settings = BandSettings {
        min_samples: 3,
        ..BandSettings::default()
    };
    let bands = history().bands(settings);
    let french = corridor_line("1001.99", "Wheat", "10", "kg", "31.00", "FR", "IR");
    let band = bands.find(&french).unwrap();
    assert_eq!((band.basis, band.samples), (BandBasis::Corridor, 3));
    let strict = history().bands(BandSettings {
        min_samples: 13,
        ..BandSettings::default()
    });
    assert!(strict.is_empty());
}

#[test]
fn over_and_under_invoicing_with_value_moved() {
    let bands = bands();
    // 10 kg for EUR 20.00 = 200 minor/kg, 40 above the high fence 160: 400 minor moved.
    let over = corridor_line("1001.99", "Wheat", "10", "kg", "20.00", "DE", "IR");
    let PriceOutcome::Outside {
        band,
        direction,
        value_moved_minor,
    } = bands.check(&over)
    else {
        panic!()
    };
    assert_eq!(direction, Direction::OverInvoicing);
    assert_eq!(value_moved_minor, 400);
    assert_eq!(band.high, dec("160"));
    // 1 t for EUR 50.00 = 5 minor/kg, 75 below the low fence 80 on 1000 kg: 75,000 minor.
    let under = corridor_line("1001.99", "Wheat", "1", "t", "50.00", "DE", "IR");
    let PriceOutcome::Outside {
        direction,
        value_moved_minor,
        ..
    } = bands.check(&under)
    else {
        panic!()
    };
    assert_eq!(direction, Direction::UnderInvoicing);
    assert_eq!(value_moved_minor, 75_000);
    // On the fences: within.
    for value in ["16.00", "8.00"] {
        let edge = corridor_line("1001.99", "Wheat", "10", "kg", value, "DE", "IR");
        assert!(
            matches!(bands.check(&edge), PriceOutcome::Within(_)),
            "{value}"
        );
    }
    // A fraction of a minor unit moved is rounded half to even: 160 × 0.003125 kg is 0.5
    // minor, so 1 minor moves 0.5 → 0 and 2 minor move 1.5 → 2.
    for (value, moved) in [("0.01", 0), ("0.02", 2)] {
        let tiny = corridor_line("1001.99", "Wheat", "0.003125", "kg", value, "DE", "IR");
        let PriceOutcome::Outside {
            value_moved_minor, ..
        } = bands.check(&tiny)
        else {
            panic!()
        };
        assert_eq!(value_moved_minor, moved, "{value}");
    }
}

#[test]
fn held_with_band_direction_and_value_in_the_reason() {
    let checker = checker_with(default_policy(), Some(bands()));
    let over = corridor_line("1001.99", "Wheat", "10", "kg", "20.00", "DE", "IR");
    let decision = checker.check(&over);
    assert_eq!(decision.verdict, Verdict::Hold);
    let reasons = checker.reasons(&over, &decision);
    assert_eq!(reasons[1].code, "over_invoicing");
    assert_eq!(
        reasons[1].message,
        "Unit value outside its reference band: unit value 2.00 EUR/KGM is above the band 0.80 to 1.60 EUR/KGM (corridor of 5 observations, DE to IR); over-invoicing: estimated value moved EUR 4.00"
    );
    let within = corridor_line("1001.99", "Wheat", "10", "kg", "12.00", "DE", "IR");
    assert_eq!(
        outcome(&checker, &within),
        (Verdict::Allow, vec!["humanitarian".to_owned()])
    );
}

#[test]
fn only_same_currency_and_kind_of_unit() {
    let bands = bands();
    let dollars = model::Money::parse("20.00", "USD").unwrap();
    let mut usd = corridor_line("1001.99", "Wheat", "10", "kg", "20.00", "DE", "IR");
    usd.goods = model::GoodsLine::new(model::GoodsLineInput {
        hs_code: usd.goods.hs_code(),
        description: "Wheat".into(),
        quantity: usd.goods.quantity(),
        value: dollars,
    })
    .unwrap();
    assert_eq!(bands.check(&usd), PriceOutcome::NoReference);
    let litres = corridor_line("1001.99", "Wheat", "10", "l", "20.00", "DE", "IR");
    assert_eq!(bands.check(&litres), PriceOutcome::NoReference);
    // Tonnes and grams are kilograms.
    let grams = corridor_line("1001.99", "Wheat", "1000", "g", "1.20", "DE", "IR");
    assert!(matches!(bands.check(&grams), PriceOutcome::Within(_)));
}

#[test]
fn observations_in_other_units_are_converted() {
    let mut history = PriceHistory::new();
    for value in ["100000", "110000", "120000", "130000", "140000"] {
        history
            .add(&observation("7204.49", None, Unit::Tonne, value, "EUR"))
            .unwrap();
    }
    let bands = history.bands(BandSettings::default());
    let scrap = line("7204.49", "Steel scrap", "10", "kg", "12.00");
    let band = bands.find(&scrap).unwrap();
    assert_eq!((band.q1, band.q3), (dec("110"), dec("130")));
    assert_eq!(band.unit.code(), "KGM");
}

#[test]
fn house_history_adds_accepted_lines() {
    let mut history = PriceHistory::new();
    for value in ["10.00", "11.00", "12.00", "13.00", "14.00"] {
        let accepted = corridor_line("3004.90", "Paracetamol", "10", "kg", value, "DE", "IR");
        history.add_line(&accepted).unwrap();
    }
    let bands = history.bands(BandSettings::default());
    let probe = corridor_line("3004.90", "Paracetamol", "10", "kg", "12.00", "DE", "IR");
    let band = bands.find(&probe).unwrap();
    assert_eq!(band.basis, BandBasis::Corridor);
    assert_eq!((band.q1, band.q3), (dec("110"), dec("130")));
}

#[test]
fn observation_limits() {
    let mut history = PriceHistory::new();
    assert!(
        history
            .add(&observation("1001.99", None, Unit::Kilogram, "0", "EUR"))
            .is_err()
    );
    let huge = (goods::UNIT_VALUE_MINOR_MAX as i128 + 1).to_string();
    assert!(
        history
            .add(&observation("1001.99", None, Unit::Kilogram, &huge, "EUR"))
            .is_err()
    );
    assert!(history.is_empty());
}

#[test]
fn reference_price_csv() {
    let csv = "hs6,origin,destination,unit,unit_value_minor,currency,date\n\
               100199,DE,IR,kg,100,EUR,2025-01-02\n\
               1001.99,DE,IR,KGM,110.5,EUR,\n\
               100199,,,t,120000,EUR,2025-03-01\n";
    let mut history = PriceHistory::new();
    history.read_csv(csv.as_bytes(), nomenclature()).unwrap();
    assert_eq!(history.len(), 3);
    let no_date =
        "hs6,origin,destination,unit,unit_value_minor,currency\n100199,DE,IR,kg,100,EUR\n";
    history
        .read_csv(no_date.as_bytes(), nomenclature())
        .unwrap();
    assert_eq!(history.len(), 4);
}

#[test]
fn reference_price_csv_errors_name_line_and_field() {
    let header = "hs6,origin,destination,unit,unit_value_minor,currency,date\n";
    let cases = [
        (
            "100199,DE,IR,kg,100,EUR,\n100299,DE,IR,kg,100,EUR,\n",
            "prices line 3, field hs6: HS code 1002.99 is not a subheading of HS 2022; heading 1002 has 1002.10, 1002.90",
        ),
        (
            "100199,DE,ir,kg,100,EUR,\n",
            "prices line 2, field destination: invalid country code \"ir\"",
        ),
        (
            "100199,DE,,kg,100,EUR,\n",
            "prices line 2, field destination: origin and destination are both given or both empty",
        ),
        (
            "100199,DE,IR,kilos,100,EUR,\n",
            "prices line 2, field unit: unknown unit of measure \"kilos\"",
        ),
        (
            "100199,DE,IR,kg,-5,EUR,\n",
            "prices line 2, field unit_value_minor: \"-5\" is not a decimal number",
        ),
        (
            "100199,DE,IR,kg,0,EUR,\n",
            "prices line 2, field unit_value_minor: the unit value must be above 0",
        ),
        (
            "100199,DE,IR,kg,100,EURO,\n",
            "prices line 2, field currency:",
        ),
        (
            "100199,DE,IR,kg,100,EUR,2025-13-01\n",
            "prices line 2, field date:",
        ),
        (
            "100199,DE,IR,kg,100\n",
            "prices line 2: 5 fields, but the header has 7",
        ),
    ];
    for (rows, expected) in cases {
        let mut history = PriceHistory::new();
        let err = history
            .read_csv(format!("{header}{rows}").as_bytes(), nomenclature())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(expected), "{err}\nexpected {expected}");
    }
    let mut history = PriceHistory::new();
    let err = history
        .read_csv("hs6,unit\n".as_bytes(), nomenclature())
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("prices line 1: header: missing column origin"),
        "{err}"
    );
}
