//! The bundled HS 2022 nomenclature: counts, hierarchy, lookups and errors.

use goods::{Chpl, CodeQuery, Level, Nomenclature, NomenclatureError};
use model::HsCode;

use crate::support::nomenclature;

fn query(text: &str) -> CodeQuery {
    CodeQuery::parse(text).unwrap()
}

#[test]
fn bundled_counts() {
    let n = nomenclature();
    // HS 2022 without chapters 77 (reserved), 98 and 99 (national use).
    assert_eq!(n.subheading_count(), 5_612);
    let chapters = (1..=97)
        .filter(|c| n.contains(CodeQuery::parse(&format!("{c:02}")).unwrap()))
        .count();
    assert_eq!(chapters, 96);
    assert!(!n.contains(query("77")));
    assert!(!n.contains(query("99")));
}

#[test]
fn hierarchy_is_complete() {
    let n = nomenclature();
    for subheading in n.subheadings() {
        let code = subheading.code();
        assert!(!n.description(subheading).is_empty(), "{code}");
        let heading = CodeQuery::parse(&format!("{:04}", code.heading())).unwrap();
        assert!(n.contains(heading), "{code}: heading missing");
        let classification = n.classify(CodeQuery::subheading(code)).unwrap();
        assert!(!classification.section.description.is_empty(), "{code}");
        assert_eq!(n.find(code), Some(subheading));
    }
}

#[test]
fn classify_a_subheading() {
    let c = nomenclature().classify(query("8542.31")).unwrap();
    assert_eq!(c.level, Level::Subheading);
    assert_eq!(c.section.code, "XVI");
    assert!(
        c.section
            .description
            .starts_with("Machinery and mechanical appliances")
    );
    assert_eq!(c.chapter.code, "85");
    assert!(c.chapter.description.starts_with("Electrical machinery"));
    let heading = c.heading.unwrap();
    assert_eq!(heading.code, "8542");
    assert_eq!(heading.description, "Electronic integrated circuits");
    let subheading = c.subheading.unwrap();
    assert_eq!(subheading.code, "8542.31");
    assert!(
        subheading
            .description
            .contains("processors and controllers")
    );
    assert!(c.children.is_empty());
}

#[test]
fn classify_heading_and_chapter() {
    let n = nomenclature();
    for form in ["8542", "85.42"] {
        let c = n.classify(query(form)).unwrap();
        assert_eq!(c.level, Level::Heading);
        assert!(c.subheading.is_none());
        let children: Vec<&str> = c.children.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            children,
            ["8542.31", "8542.32", "8542.33", "8542.39", "8542.90"]
        );
    }
    let chapter = n.classify(query("93")).unwrap();
    assert_eq!(chapter.section.code, "XIX");
    assert!(chapter.heading.is_none());
    assert_eq!(chapter.children.len(), 7, "9301 to 9307");
    let horses = n.classify(query("010121")).unwrap();
    assert_eq!(horses.chapter.code, "01");
    assert_eq!(horses.subheading.unwrap().code, "0101.21");
}

#[test]
fn unknown_codes_are_named() {
    let n = nomenclature();
    let err = n.classify(query("8542.99")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "HS code 8542.99 is not a subheading of HS 2022; heading 8542 has 8542.31, 8542.32, 8542.33, 8542.39, 8542.90"
    );
    let err = n.classify(query("8599")).unwrap_err().to_string();
    assert!(
        err.starts_with("HS code 8599 is not a heading of HS 2022; chapter 85 has 8501, 8502"),
        "{err}"
    );
    assert!(err.ends_with(", …"), "{err}");
    let err = n.classify(query("77")).unwrap_err();
    assert_eq!(err.to_string(), "HS code 77 is not a chapter of HS 2022");
    let err = n.subheading(HsCode::new(120_000).unwrap()).unwrap_err();
    assert!(matches!(err, NomenclatureError::Unknown { .. }));
    let err = CodeQuery::parse("8542.3").unwrap_err();
    assert!(
        err.to_string()
            .starts_with(r#"invalid HS code "8542.3": expected 2, 4 or 6 digits"#)
    );
}

#[test]
fn chpl_codes_are_subheadings() {
    let chpl = Chpl::bundled(nomenclature()).unwrap();
    let tiers: std::collections::BTreeSet<&str> =
        chpl.entries().iter().map(|(_, tier)| tier.code()).collect();
    assert_eq!(tiers.len(), 6);
    let bad = "hs6,tier\n854231,TIER_1\n854299,TIER_2\n";
    let err = Chpl::read(bad.as_bytes(), nomenclature()).unwrap_err();
    assert_eq!(err.line, Some(3));
    assert_eq!(err.field, Some("hs6"));
    let bad = "hs6,tier\n854231,TIER_9\n";
    let err = Chpl::read(bad.as_bytes(), nomenclature()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("chpl line 2, field tier: unknown tier \"TIER_9\""),
        "{err}"
    );
}

#[test]
fn malformed_nomenclature_data() {
    let sections = "section,name\nI,Live animals\n";
    let read = |hs: &str| Nomenclature::read(hs.as_bytes(), sections.as_bytes());
    let good = "section,hscode,description,parent,level\nI,01,Animals,TOTAL,2\nI,0101,Horses,01,4\nI,010121,Pure-bred,0101,6\n";
    let n = read(good).unwrap();
    assert_eq!(n.subheading_count(), 1);
    let cases = [
        (
            "I,01,Animals,TOTAL,2\nI,010121,Pure-bred,0101,6\n",
            "line 3: subheading 0101.21: its heading is not listed before it",
        ),
        (
            "I,01,Animals,TOTAL,2\nI,0101,Horses,01,4\nI,0101,Horses,01,4\n",
            "line 4: heading 0101 listed twice",
        ),
        (
            "I,01,Animals,TOTAL,2\nI,011,Horses,01,4\n",
            "line 3: field hscode: \"011\" is not a code of 4 digits",
        ),
        (
            "I,01,Animals,TOTAL,3\n",
            "line 2: field level: \"3\" is not 2, 4 or 6",
        ),
        ("II,01,Animals,TOTAL,2\n", "line 2: unknown section \"II\""),
        (
            "I,01,,TOTAL,2\n",
            "line 2: field description: must have 1 to 1024 bytes",
        ),
    ];
    for (rows, expected) in cases {
        let text = format!("section,hscode,description,parent,level\n{rows}");
        let err = read(&text).unwrap_err().to_string();
        assert_eq!(err, format!("nomenclature {expected}"), "{rows:?}");
    }
    let err = read("section,code\n").unwrap_err().to_string();
    assert!(err.contains("unknown column \"code\""), "{err}");
}
