//! The bundled default policy, code by code: whitelist, military, CHPL, dual use,
//! mis-declaration and units.

use goods::Verdict::{Allow, Block, Hold};
use goods::{Policy, Verdict};

use crate::support::{default_checker, line, nomenclature, outcome};

/// `(code, description, quantity unit, verdict, reason codes in order)`.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Verdict,
    &'static [&'static str],
);

const CASES: &[Case] = &[
    // Humanitarian whitelist: food 01–24.
    (
        "0101.21",
        "Pure-bred breeding horses",
        "u",
        Allow,
        &["humanitarian"],
    ),
    (
        "100199",
        "Wheat for milling",
        "kg",
        Allow,
        &["humanitarian"],
    ),
    ("1101.00", "Wheat flour", "t", Allow, &["humanitarian"]),
    (
        "0402.10",
        "Milk powder for infants",
        "kg",
        Allow,
        &["humanitarian"],
    ),
    (
        "1006.30",
        "Rice, semi-milled",
        "KGM",
        Allow,
        &["humanitarian"],
    ),
    (
        "2106.90",
        "Food preparations, therapeutic food RUTF",
        "kg",
        Allow,
        &["humanitarian"],
    ),
    ("2201.10", "Mineral water", "l", Allow, &["humanitarian"]),
    // Pharmaceuticals (30) and medical goods.
    (
        "3004.90",
        "Medicaments, packaged for retail sale",
        "kg",
        Allow,
        &["humanitarian"],
    ),
    (
        "3004.10",
        "Penicillin tablets",
        "u",
        Allow,
        &["humanitarian"],
    ),
    (
        "3002.41",
        "Vaccines for human medicine",
        "u",
        Allow,
        &["humanitarian"],
    ),
    (
        "3006.50",
        "First-aid boxes and kits",
        "u",
        Allow,
        &["humanitarian"],
    ),
    ("3005.90", "Bandages", "kg", Allow, &["humanitarian"]),
    ("9018.31", "Syringes", "u", Allow, &["humanitarian"]),
    (
        "9018.90",
        "Medical instruments",
        "u",
        Allow,
        &["humanitarian"],
    ),
    (
        "9019.20",
        "Oxygen therapy and artificial respiration apparatus",
        "u",
        Allow,
        &["humanitarian"],
    ),
    (
        "9021.10",
        "Orthopaedic appliances",
        "u",
        Allow,
        &["humanitarian"],
    ),
    (
        "9022.14",
        "X-ray apparatus for medical use",
        "u",
        Allow,
        &["humanitarian"],
    ),
    (
        "4015.12",
        "Nitrile examination gloves",
        "pr",
        Allow,
        &["humanitarian"],
    ),
    ("9402.90", "Hospital beds", "u", Allow, &["humanitarian"]),
    (
        "3822.19",
        "Diagnostic test kits",
        "u",
        Allow,
        &["humanitarian"],
    ),
    (
        "8419.20",
        "Autoclave sterilisers for hospitals",
        "u",
        Allow,
        &["humanitarian"],
    ),
    ("8713.10", "Wheelchairs", "u", Allow, &["humanitarian"]),
    ("2941.10", "Amoxicillin", "kg", Allow, &["humanitarian"]),
    // Toxins inside the pharmaceutical chapter: the subheading rule wins.
    (
        "3002.90",
        "Cultures of micro-organisms",
        "kg",
        Hold,
        &["dual_use"],
    ),
    // Arms and military goods.
    (
        "9301.10",
        "Artillery weapons",
        "u",
        Block,
        &["military", "misdeclaration"],
    ),
    (
        "9301.90",
        "Military weapons",
        "u",
        Block,
        &["military", "misdeclaration"],
    ),
    ("9306.30", "Cartridges", "u", Block, &["military"]),
    ("9303.20", "Sporting shotguns", "u", Block, &["military"]),
    (
        "871000",
        "Armoured fighting vehicles",
        "u",
        Block,
        &["military"],
    ),
    ("8906.10", "Warships", "u", Block, &["military"]),
    (
        "3602.00",
        "Prepared explosives for quarrying",
        "kg",
        Hold,
        &["military", "misdeclaration"],
    ),
    // CHPL: dual-use hold plus the tier.
    (
        "8542.31",
        "Microcontrollers",
        "u",
        Hold,
        &["dual_use", "chpl"],
    ),
    (
        "854232",
        "DRAM memory chips",
        "u",
        Hold,
        &["dual_use", "chpl"],
    ),
    ("8541.10", "Diodes", "u", Hold, &["dual_use", "chpl"]),
    (
        "8517.62",
        "Network routers",
        "u",
        Hold,
        &["dual_use", "chpl"],
    ),
    (
        "8526.91",
        "GNSS receivers",
        "u",
        Hold,
        &["dual_use", "chpl"],
    ),
    (
        "8532.24",
        "Multilayer ceramic capacitors",
        "u",
        Hold,
        &["not_whitelisted", "chpl"],
    ),
    (
        "8482.10",
        "Ball bearings",
        "u",
        Hold,
        &["not_whitelisted", "chpl"],
    ),
    (
        "8807.30",
        "Aircraft parts",
        "kg",
        Hold,
        &["dual_use", "chpl"],
    ),
    (
        "8457.10",
        "Machining centres",
        "u",
        Hold,
        &["dual_use", "chpl"],
    ),
    (
        "8466.93",
        "Parts of machine tools",
        "kg",
        Hold,
        &["dual_use", "chpl"],
    ),
    (
        "8471.50",
        "Server processing units",
        "u",
        Hold,
        &["not_whitelisted", "chpl"],
    ),
    (
        "9013.10",
        "Telescopic sights",
        "u",
        Hold,
        &["dual_use", "chpl"],
    ),
    // Dual use with the Annex I category.
    (
        "8806.10",
        "Passenger aircraft, unmanned",
        "u",
        Hold,
        &["dual_use"],
    ),
    (
        "880610",
        "Unmanned aircraft for passengers",
        "u",
        Hold,
        &["dual_use"],
    ),
    (
        "8802.40",
        "Aeroplanes over 15,000 kg",
        "u",
        Hold,
        &["dual_use"],
    ),
    (
        "8411.12",
        "Turbojets of a thrust over 25 kN",
        "u",
        Hold,
        &["dual_use"],
    ),
    (
        "8411.82",
        "Gas turbines over 5,000 kW",
        "u",
        Hold,
        &["dual_use"],
    ),
    ("8412.10", "Reaction engines", "u", Hold, &["dual_use"]),
    (
        "9014.20",
        "Instruments for aeronautical navigation",
        "u",
        Hold,
        &["dual_use", "chpl"],
    ),
    ("8526.10", "Radar apparatus", "u", Hold, &["dual_use"]),
    (
        "8456.11",
        "Laser cutting machines",
        "u",
        Hold,
        &["dual_use"],
    ),
    (
        "8458.11",
        "Horizontal CNC lathes",
        "u",
        Hold,
        &["dual_use", "chpl"],
    ),
    ("8517.13", "Smartphones", "u", Hold, &["dual_use"]),
    (
        "2844.10",
        "Natural uranium",
        "kg",
        Hold,
        &["dual_use", "misdeclaration"],
    ),
    ("2845.10", "Heavy water", "kg", Hold, &["dual_use"]),
    ("8401.10", "Nuclear reactors", "u", Hold, &["dual_use"]),
    (
        "8401.20",
        "Machinery for isotopic separation",
        "u",
        Hold,
        &["dual_use"],
    ),
    (
        "8421.19",
        "Laboratory centrifuges",
        "u",
        Hold,
        &["dual_use", "misdeclaration"],
    ),
    ("6815.11", "Carbon fibres", "kg", Hold, &["dual_use"]),
    (
        "2931.90",
        "Organo-phosphorus compounds",
        "kg",
        Hold,
        &["dual_use"],
    ),
    ("9027.50", "Spectrometers", "u", Hold, &["dual_use", "chpl"]),
    (
        "8486.20",
        "Wafer steppers",
        "u",
        Hold,
        &["dual_use", "chpl"],
    ),
    // Anything else: the default.
    (
        "6109.10",
        "Cotton T-shirts",
        "u",
        Hold,
        &["not_whitelisted"],
    ),
    ("8703.23", "Passenger cars", "u", Hold, &["not_whitelisted"]),
    (
        "4802.56",
        "Printing paper",
        "kg",
        Hold,
        &["not_whitelisted"],
    ),
    // Mis-declaration: any code, whatever its verdict.
    (
        "1101.00",
        "Wheat flour with guidance kit",
        "kg",
        Hold,
        &["humanitarian", "misdeclaration"],
    ),
    (
        "3004.90",
        "Medicaments; missile fuel",
        "kg",
        Hold,
        &["humanitarian", "misdeclaration"],
    ),
    (
        "1905.90",
        "Biscuits shaped like UAVs",
        "kg",
        Hold,
        &["humanitarian", "misdeclaration"],
    ),
    (
        "0713.10",
        "Dried peas, gyroscopes, warheads",
        "kg",
        Hold,
        &["humanitarian", "misdeclaration", "misdeclaration"],
    ),
    (
        "9018.90",
        "Anti-drone surgical kit",
        "u",
        Hold,
        &["humanitarian", "misdeclaration"],
    ),
    (
        "1101.00",
        "Wheat flour, rocketry-free",
        "kg",
        Allow,
        &["humanitarian"],
    ),
    (
        "1101.00",
        "Flour for guidancecounsellors",
        "kg",
        Allow,
        &["humanitarian"],
    ),
    // Units: kilograms for a count-based heading, count for a bulk commodity.
    (
        "9018.31",
        "Syringes",
        "kg",
        Hold,
        &["humanitarian", "unit_mismatch"],
    ),
    (
        "1001.99",
        "Wheat",
        "u",
        Hold,
        &["humanitarian", "unit_mismatch"],
    ),
    (
        "8703.23",
        "Passenger cars",
        "t",
        Hold,
        &["not_whitelisted", "unit_mismatch"],
    ),
    (
        "2716.00",
        "Electrical energy",
        "kg",
        Hold,
        &["not_whitelisted", "unit_mismatch"],
    ),
    (
        "2716.00",
        "Electrical energy",
        "MWH",
        Hold,
        &["not_whitelisted"],
    ),
    ("2204.21", "Wine in bottles", "l", Allow, &["humanitarian"]),
];

#[test]
fn table() {
    let checker = default_checker();
    let mut failures = Vec::new();
    for &(code, description, unit, verdict, codes) in CASES {
        let line = line(code, description, "10", unit, "1000.00");
        let (got_verdict, got_codes) = outcome(checker, &line);
        if got_verdict != verdict || got_codes != codes {
            failures.push(format!(
                "{code} {description:?} {unit}: expected {verdict:?} {codes:?}, got {got_verdict:?} {got_codes:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn reasons_name_tier_category_and_word() {
    let checker = default_checker();
    let reasons = |code, description, unit| {
        let line = line(code, description, "1", unit, "10.00");
        let decision = checker.check(&line);
        checker.reasons(&line, &decision)
    };
    let chip = reasons("8542.31", "Microcontrollers", "u");
    assert!(
        chip[0].message.contains("category 3A"),
        "{}",
        chip[0].message
    );
    assert!(chip[0].basis.contains("2021/821"));
    assert!(
        chip[1].message.contains("tier 1 (TIER_1)"),
        "{}",
        chip[1].message
    );
    assert_eq!(chip[1].verdict, Hold);
    let uav = reasons("8806.10", "UAV", "u");
    assert!(uav[0].message.contains("category 9A"), "{}", uav[0].message);
    let bearing = reasons("8482.10", "Ball bearings", "u");
    assert!(
        bearing[1].message.contains("tier 3.B"),
        "{}",
        bearing[1].message
    );
    let flour = reasons("1101.00", "Wheat flour with GUIDANCE kits", "kg");
    assert_eq!(flour[1].code, "misdeclaration");
    assert!(
        flour[1]
            .message
            .contains(r#"says "GUIDANCE" (listed word "guidance")"#),
        "{}",
        flour[1].message
    );
    let gloves = reasons("9018.31", "Syringes", "kg");
    assert!(
        gloves[1]
            .message
            .contains("KGM (mass), but 9018.31 is traded by mass or count")
            || gloves[1].message.contains("traded by count"),
        "{}",
        gloves[1].message
    );
}

#[test]
fn every_chpl_item_is_held_with_its_tier() {
    let checker = default_checker();
    let chpl = goods::Chpl::bundled(nomenclature()).unwrap();
    assert_eq!(chpl.entries().len(), 50);
    for (subheading, tier) in chpl.entries() {
        let code = subheading.code().to_string();
        let line = line(&code, "Goods", "1", "u", "10.00");
        let decision = checker.check(&line);
        assert!(decision.verdict >= Hold, "{code}");
        let reasons = checker.reasons(&line, &decision);
        let chpl_reason = reasons.iter().find(|r| r.code == "chpl").unwrap();
        assert!(chpl_reason.message.contains(tier.name()), "{code}");
    }
}

#[test]
fn policy_covers_every_subheading() {
    let nomenclature = nomenclature();
    let policy = Policy::bundled(nomenclature).unwrap();
    let mut by_verdict = [0_usize; 3];
    for subheading in nomenclature.subheadings() {
        let entry = policy.entry(subheading);
        by_verdict[policy.ruling(entry.rule).verdict as usize] += 1;
    }
    // Food, pharmaceuticals and medical goods are about a fifth of HS 2022.
    assert!(by_verdict[0] > 1_000, "{by_verdict:?}");
    assert!(by_verdict[2] >= 10, "{by_verdict:?}");
    assert_eq!(
        by_verdict.iter().sum::<usize>(),
        nomenclature.subheading_count()
    );
}

#[test]
fn most_severe_reason_wins() {
    let checker = default_checker();
    // A blocked code stays blocked with every other finding.
    let line = line("9301.90", "Missile launcher", "5", "kg", "1.00");
    let (verdict, codes) = outcome(checker, &line);
    assert_eq!(verdict, Block);
    assert_eq!(codes, ["military", "misdeclaration", "unit_mismatch"]);
}
