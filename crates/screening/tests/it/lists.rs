//! List parsers: counts on the bundled lists, known entries, and that a cut or garbled file is
//! an error naming the file and the place, never a shorter list or a panic.

use std::path::PathBuf;

use proptest::prelude::*;

use screening::entity::{Entity, NameStrength, PartialDate, Schema};
use screening::lists::{
    self, Input, InputFile, ListFormat, ParseError, ParsedList, Position, bundled_files,
    ofac::{self, OfacKind},
};

fn fixture(path: &str) -> Vec<u8> {
    let full = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/")).join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
}

fn bundled_file(name: &str) -> &'static [u8] {
    bundled_files()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| b)
        .expect("bundled")
}

fn bundled() -> Vec<ParsedList> {
    lists::bundled().expect("the bundled lists parse")
}

fn list(lists: &[ParsedList], format: ListFormat) -> &ParsedList {
    lists
        .iter()
        .find(|l| l.format == format)
        .expect("list present")
}

fn entity<'a>(list: &'a ParsedList, id: &str) -> &'a Entity {
    list.entities
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("{id} not in {}", list.source))
}

fn names(entity: &Entity) -> Vec<&str> {
    entity.names.iter().map(|n| n.full.as_str()).collect()
}

fn year(year: u16, month: Option<u8>, day: Option<u8>) -> PartialDate {
    PartialDate { year, month, day }
}

fn ofac_2021() -> ParsedList {
    let files = [
        "ofac_sdn_2021.csv",
        "ofac_alt_2021.csv",
        "ofac_add_2021.csv",
        "ofac_sdn_comments_2021.csv",
    ]
    .map(|name| InputFile {
        name: name.to_owned(),
        bytes: fixture(&format!("ofac_2021/{name}")),
    });
    let mut parsed = lists::parse_files(files.to_vec()).expect("the 2021 set parses");
    assert_eq!(
        parsed.len(),
        1,
        "one set, companions grouped with their main file"
    );
    parsed.remove(0)
}

#[test]
fn bundled_counts() {
    let lists = bundled();
    assert_eq!(lists.len(), 6);
    let count = |format| list(&lists, format).entities.len();
    assert_eq!(count(ListFormat::OfacSdn), 14_965);
    assert_eq!(count(ListFormat::OfacCons), 442);
    assert_eq!(count(ListFormat::EuFsf), 3);
    // The bundled CSL copy has 4,226 complete rows; 7 OFAC entries appear on two sub-lists.
    assert_eq!(count(ListFormat::UsCsl), 4_219);
    assert_eq!(count(ListFormat::UsBisDpl), 665);
    let un = list(&lists, ListFormat::UnSc);
    let persons = un
        .entities
        .iter()
        .filter(|e| e.schema == Schema::Person)
        .count();
    assert_eq!((persons, un.entities.len() - persons), (730, 273));
}

#[test]
fn bundled_dates_and_sources() {
    let lists = bundled();
    let date = |format| list(&lists, format).date.clone();
    assert_eq!(date(ListFormat::OfacSdn).as_deref(), Some("2024-05-03"));
    assert_eq!(date(ListFormat::OfacCons), None);
    assert_eq!(date(ListFormat::UnSc).as_deref(), Some("2026-02-27"));
    assert_eq!(date(ListFormat::EuFsf).as_deref(), Some("2019-01-10"));
    assert_eq!(date(ListFormat::UsCsl).as_deref(), Some("2023-11-16"));
    assert_eq!(date(ListFormat::UsBisDpl).as_deref(), Some("2023-11-28"));
    for parsed in &lists {
        assert_eq!(parsed.source, parsed.format.source());
        for e in &parsed.entities {
            assert!(e.id.starts_with(&format!("{}:", parsed.source)), "{}", e.id);
            assert_eq!(e.source, parsed.source);
            assert_eq!(e.caption, e.names[0].full);
            assert!(e.names[0].primary);
            assert!(
                e.countries
                    .iter()
                    .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
            );
        }
    }
}

#[test]
fn ofac_mois_with_weak_remark_aliases() {
    let lists = bundled();
    let mois = entity(list(&lists, ListFormat::OfacSdn), "us_ofac_sdn:12111");
    assert_eq!(
        mois.caption,
        "IRANIAN MINISTRY OF INTELLIGENCE AND SECURITY"
    );
    assert_eq!(mois.schema, Schema::Organization);
    assert_eq!(
        names(mois),
        [
            "IRANIAN MINISTRY OF INTELLIGENCE AND SECURITY",
            "MOIS",
            "VEVAK"
        ]
    );
    assert!(
        mois.names[1..]
            .iter()
            .all(|n| n.strength == NameStrength::Weak && !n.primary)
    );
    assert!(
        mois.programs.iter().any(|p| p == "SDGT")
            && mois.programs.iter().any(|p| p == "HOSTAGES-EO14078")
    );
}

#[test]
fn ofac_2021_set_merges_alt_add_and_comments() {
    let sdn = ofac_2021();
    assert_eq!(sdn.format, ListFormat::OfacSdn);
    assert_eq!(sdn.entities.len(), 8_976);
    let mois = entity(&sdn, "us_ofac_sdn:12111");
    let all = names(mois);
    for alias in ["MOIS", "VEVAK", "VEZARAT-E ETTELA'AT VA AMNIAT-E KESHVAR"] {
        assert!(all.contains(&alias), "{alias} in {all:?}");
    }
    let strong = mois
        .names
        .iter()
        .find(|n| n.full.starts_with("VEZARAT"))
        .unwrap();
    assert_eq!(strong.strength, NameStrength::Strong);
    assert!(mois.countries.contains(&"IR".to_owned()));
    // 28263's remarks continue in sdn_comments.csv, which ends with a weak alias.
    let lazarus_linked = entity(&sdn, "us_ofac_sdn:28264");
    assert!(
        names(lazarus_linked).contains(&"khaleesi"),
        "{:?}",
        names(lazarus_linked)
    );
}

#[test]
fn ofac_persons_split_last_first() {
    let lists = bundled();
    let cons = list(&lists, ListFormat::OfacCons);
    let haniya = entity(cons, "us_ofac_cons:9639");
    assert_eq!(haniya.schema, Schema::Person);
    assert_eq!(haniya.names[0].family.as_deref(), Some("HANIYA"));
    assert_eq!(haniya.names[0].given.as_deref(), Some("Ismail Abdul Salah"));
    assert_eq!(haniya.birth_dates, [year(1962, None, None)]);
    assert!(names(haniya).contains(&"HANIYYA, Ismaeel"));
}

#[test]
fn eu_sample_persons() {
    let lists = bundled();
    let eu = list(&lists, ListFormat::EuFsf);
    let assadi = entity(eu, "eu_fsf:900101");
    assert_eq!(names(assadi), ["Assadollah ASSADI", "Assadollah Asadi"]);
    assert_eq!(assadi.names[0].family.as_deref(), Some("ASSADI"));
    assert_eq!(assadi.birth_dates, [year(1971, Some(12), Some(22))]);
    assert_eq!(assadi.identifiers[0].kind, "Passport");
    assert_eq!(assadi.identifiers[0].value, "D9016657");
    assert_eq!(assadi.identifiers[0].country.as_deref(), Some("IR"));
    assert_eq!(assadi.programs, ["TERR"]);
    let hashemi = entity(eu, "eu_fsf:900201");
    assert_eq!(hashemi.caption, "Saeid HASHEMI MOGHADAM");
    assert_eq!(hashemi.birth_dates, [year(1962, Some(8), Some(6))]);
    assert_eq!(hashemi.countries, ["IR"]);
    assert_eq!(entity(eu, "eu_fsf:900301").schema, Schema::Organization);
}

#[test]
fn eu_prefixes_do_not_matter() {
    let text = String::from_utf8(bundled_file("eu_fsf_sample.xml").to_vec()).unwrap();
    let prefixed = text
        .replace("<export xmlns=", "<fsd:export xmlns:fsd=")
        .replace("</export>", "</fsd:export>")
        .replace("<sanctionEntity", "<fsd:sanctionEntity")
        .replace("</sanctionEntity>", "</fsd:sanctionEntity>");
    let parsed = lists::eu::parse("prefixed.xml", prefixed.as_bytes()).unwrap();
    assert_eq!(
        parsed.entities,
        lists::eu::parse("plain.xml", text.as_bytes())
            .unwrap()
            .entities
    );
}

#[test]
fn un_entries() {
    let lists = bundled();
    let un = list(&lists, ListFormat::UnSc);
    let aiai = entity(un, "un_sc:QDe.002");
    assert_eq!(aiai.schema, Schema::Organization);
    assert_eq!(aiai.caption, "AL-ITIHAAD AL-ISLAMIYA / AIAI");
    let original = aiai
        .names
        .iter()
        .find(|n| n.full == "الاتحاد الاسلامي")
        .expect("original script name");
    assert_eq!(original.strength, NameStrength::Strong);
    let badege = entity(un, "un_sc:CDi.001");
    assert_eq!(badege.caption, "ERIC BADEGE");
    assert_eq!(badege.birth_dates, [year(1971, None, None)]);
    assert_eq!(badege.countries, ["CD", "RW"]);
    assert_eq!(badege.programs, ["DRC"]);
    let weak = un
        .entities
        .iter()
        .flat_map(|e| &e.names)
        .filter(|n| n.strength == NameStrength::Weak)
        .count();
    assert!(weak > 500, "UN Low-quality aliases are weak ({weak})");
    let between = un
        .entities
        .iter()
        .filter(|e| e.birth_dates.len() >= 2)
        .count();
    assert!(between > 30);
}

#[test]
fn csl_and_dpl_rows() {
    let lists = bundled();
    let csl = list(&lists, ListFormat::UsCsl);
    let telecom = entity(csl, "us_csl:30882");
    assert_eq!(telecom.schema, Schema::Organization);
    assert!(names(telecom).contains(&"CHINA TELECOM CORP LTD"));
    assert!(telecom.programs.iter().any(|p| p == "CMIC"));
    assert_eq!(telecom.countries, ["CN"]);
    assert!(
        telecom
            .identifiers
            .iter()
            .any(|i| i.kind == "USCC" && i.value == "9111000071093019X7")
    );
    let merged = entity(csl, "us_csl:17014");
    assert!(
        merged.programs.iter().any(|p| p == "SSI")
            && merged.programs.iter().any(|p| p == "NS-MBS List")
    );
    let dpl = list(&lists, ListFormat::UsBisDpl);
    let first = entity(dpl, "us_bis_dpl:1");
    assert_eq!(
        (first.caption.as_str(), first.schema),
        ("I. ASH", Schema::LegalEntity)
    );
    assert_eq!(first.countries, ["US"]);
    assert_eq!(entity(dpl, "us_bis_dpl:665").caption, "ZIMO SHENG");
}

#[test]
fn csl_as_published_is_refused_at_its_cut() {
    let err = lists::csl::parse("us_csl_2023.csv", bundled_file("us_csl_2023.csv")).unwrap_err();
    assert_eq!(err.file, "us_csl_2023.csv");
    assert_eq!(err.position, Position::Line(4_233));
    assert!(err.message.contains("never closed"), "{err}");
}

#[test]
fn uk_fcdo_layout() {
    let parsed = lists::uk::parse(
        "uk.csv",
        fixture("uk/uk_sanctions_list_sample.csv").as_slice(),
    )
    .unwrap();
    assert_eq!(parsed.date.as_deref(), Some("2026-02-13"));
    assert_eq!(parsed.entities.len(), 3);
    let irgc = entity(&parsed, "uk_hmt:15948");
    assert_eq!(irgc.caption, "ISLAMIC REVOLUTIONARY GUARD CORPS");
    assert_eq!(irgc.schema, Schema::Organization);
    let irgc_alias = irgc.names.iter().find(|n| n.full == "IRGC").unwrap();
    assert_eq!(irgc_alias.strength, NameStrength::Weak);
    assert!(names(irgc).contains(&"سپاه پاسداران انقلاب اسلامی"));
    assert_eq!(irgc.countries, ["IR"]);
    let salami = entity(&parsed, "uk_hmt:15949");
    assert_eq!(
        names(salami),
        ["Hossein SALAMI", "حسین سلامی", "Hussein SALAMI"]
    );
    assert_eq!(salami.names[0].family.as_deref(), Some("SALAMI"));
    assert_eq!(salami.birth_dates, [year(1960, None, None)]);
    assert_eq!(salami.identifiers[0].value, "Z12345678");
    let ship = entity(&parsed, "uk_hmt:IRN0101");
    assert_eq!(
        (ship.schema, ship.caption.as_str()),
        (Schema::Vessel, "ADRIAN DARYA 1")
    );
    assert_eq!(ship.identifiers[0].kind, "IMO");
}

#[test]
fn uk_ofsi_layout() {
    let parsed = lists::uk::parse(
        "ConList.csv",
        fixture("uk/ofsi_conlist_sample.csv").as_slice(),
    )
    .unwrap();
    assert_eq!(parsed.date.as_deref(), Some("2026-07-15"));
    let salami = entity(&parsed, "uk_hmt:15949");
    assert_eq!(salami.caption, "Hossein SALAMI");
    assert_eq!(salami.countries, ["IR"]);
    let irgc = entity(&parsed, "uk_hmt:15948");
    assert_eq!(irgc.names[1].strength, NameStrength::Weak);
}

const FTM: &str = r#"{"id": "NK-abc", "schema": "Person", "caption": "Saeid Hashemi Moghadam", "properties": {"name": ["Saeid Hashemi Moghadam"], "firstName": ["Saeid"], "lastName": ["Hashemi Moghadam"], "alias": ["Saeed Hashemi"], "weakAlias": ["Hashemi"], "birthDate": ["1962-08-06"], "nationality": ["ir"], "passportNumber": ["D1"], "programId": ["EU-TERR"]}, "datasets": ["eu_fsf"], "last_change": "2024-01-02T03:04:05"}
{"id": "addr-1", "schema": "Address", "properties": {"full": ["Tehran"]}, "datasets": ["eu_fsf"]}
{"id": "NK-def", "schema": "Company", "properties": {"name": ["Example Trading LLC"], "country": ["ae"], "sanctions": [{"id": "s1", "schema": "Sanction", "properties": {"program": ["IRAN"]}}]}, "datasets": ["eu_fsf"]}
"#;

#[test]
fn ftm_lines() {
    let parsed = lists::ftm::parse("entities.ftm.json", FTM.as_bytes()).unwrap();
    assert_eq!(parsed.source, "eu_fsf");
    assert_eq!(parsed.date.as_deref(), Some("2024-01-02"));
    assert_eq!(parsed.entities.len(), 2);
    let person = entity(&parsed, "eu_fsf:NK-abc");
    assert_eq!(person.names[0].given.as_deref(), Some("Saeid"));
    assert_eq!(person.names[2].strength, NameStrength::Weak);
    assert_eq!(person.countries, ["IR"]);
    assert_eq!(person.birth_dates, [year(1962, Some(8), Some(6))]);
    let company = entity(&parsed, "eu_fsf:NK-def");
    assert_eq!(
        (company.schema, company.programs.as_slice()),
        (Schema::Organization, ["IRAN".to_owned()].as_slice())
    );
    let mixed = FTM.replacen(r#""datasets": ["eu_fsf"]"#, r#""datasets": ["x", "y"]"#, 1);
    assert_eq!(
        lists::ftm::parse("m.json", mixed.as_bytes())
            .unwrap()
            .entities[0]
            .id,
        "ftm:NK-abc"
    );
    let broken = FTM.replacen("\"Company\"", "\"Company", 1);
    let err = lists::ftm::parse("b.json", broken.as_bytes()).unwrap_err();
    assert_eq!(err.position, Position::Line(3));
}

#[test]
fn detect_every_format() {
    let head = |bytes: &'static [u8]| &bytes[..bytes.len().min(4096)];
    for (name, format) in [
        ("ofac_sdn_2024-05-03.csv", ListFormat::OfacSdn),
        ("ofac_cons_prim.csv", ListFormat::OfacCons),
        ("ofac_cons_alt.csv", ListFormat::OfacCons),
        ("UN_consolidated.xml", ListFormat::UnSc),
        ("eu_fsf_sample.xml", ListFormat::EuFsf),
        ("us_csl_2023.csv", ListFormat::UsCsl),
        ("us_bis_dpl_2023.txt", ListFormat::UsBisDpl),
    ] {
        assert_eq!(
            lists::detect(name, head(bundled_file(name))),
            Some(format),
            "{name}"
        );
    }
    let uk = fixture("uk/uk_sanctions_list_sample.csv");
    assert_eq!(
        lists::detect("UK-Sanctions-List.csv", &uk),
        Some(ListFormat::UkHmt)
    );
    assert_eq!(
        lists::detect("x.json", FTM.as_bytes()),
        Some(ListFormat::FollowTheMoney)
    );
    assert_eq!(lists::detect("x.txt", b"hello"), None);
    assert_eq!(
        ofac::classify("sdn_comments.csv", b"123,\"abc\"\r\n"),
        Some((OfacKind::Sdn, ofac::OfacPart::Comments))
    );
}

#[test]
fn mismatched_ofac_set_is_an_error() {
    let sdn = bundled_file("ofac_sdn_2024-05-03.csv");
    let alt = std::fs::read(test_support::shared_data("lists/ofac_alt_2025.csv")).unwrap();
    let err = ofac::parse(
        OfacKind::Sdn,
        Input::new("sdn.csv", sdn),
        Some(Input::new("alt.csv", alt.as_slice())),
        None,
        None,
    )
    .unwrap_err();
    assert_eq!(err.file, "alt.csv");
    assert!(err.message.contains("not in the main file"), "{err}");
    let orphan = InputFile {
        name: "cons_alt.csv".to_owned(),
        bytes: bundled_file("ofac_cons_alt.csv").to_vec(),
    };
    assert!(lists::parse_files(vec![orphan]).is_err());
}

#[test]
fn error_messages_name_file_and_place() {
    let err = ofac::parse(
        OfacKind::Sdn,
        Input::new("ofac_sdn.csv", &b"1234,\"X\",-0- \r\n\x1a"[..]),
        None,
        None,
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ofac_sdn.csv line 1: expected 12 fields, found 3"
    );
    let un = bundled_file("UN_consolidated.xml");
    let frank = un
        .windows(17)
        .position(|w| w == b"<FIRST_NAME>FRANK")
        .unwrap();
    let un = &un[..frank + 15];
    let err = lists::un::parse("UN_consolidated.xml", un).unwrap_err();
    assert!(matches!(err.position, Position::Byte(_)));
    assert!(
        err.to_string().starts_with("UN_consolidated.xml byte "),
        "{err}"
    );
    assert!(
        err.message
            .contains("unexpected end of file inside <FIRST_NAME>"),
        "{err}"
    );
    let in_tag = lists::un::parse(
        "UN_consolidated.xml",
        &bundled_file("UN_consolidated.xml")[..20_481],
    );
    assert!(in_tag.unwrap_err().message.contains("inside <"));
    let empty: ParseError = lists::un::parse("x.xml", &b""[..]).unwrap_err();
    assert_eq!(empty.file, "x.xml");
    let long_name = format!(
        "1,\"{}\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a",
        "A".repeat(10_000)
    );
    let err = ofac::parse(
        OfacKind::Sdn,
        Input::new("long.csv", long_name.as_bytes()),
        None,
        None,
        None,
    )
    .unwrap_err();
    assert!(err.message.contains("10000 characters"), "{err}");
}

/// The parser for one bundled file alone (OFAC main files without companions).
fn parse_alone(name: &str, bytes: &[u8]) -> Result<ParsedList, ParseError> {
    match name {
        "UN_consolidated.xml" => lists::un::parse(name, bytes),
        "eu_fsf_sample.xml" => lists::eu::parse(name, bytes),
        "us_csl_2023.csv" => lists::csl::parse(name, bytes),
        "us_bis_dpl_2023.txt" => lists::dpl::parse(name, bytes),
        "ofac_cons_prim.csv" => {
            ofac::parse(OfacKind::Cons, Input::new(name, bytes), None, None, None)
        }
        _ => ofac::parse(OfacKind::Sdn, Input::new(name, bytes), None, None, None),
    }
}

/// Files whose cuts are all visible (XML, OFAC main files with their 0x1A marker), and those
/// where a cut right after a line end cannot be told from a shorter file.
const CUT_FILES: [(&str, bool); 6] = [
    ("ofac_sdn_2024-05-03.csv", true),
    ("ofac_cons_prim.csv", true),
    ("UN_consolidated.xml", true),
    ("eu_fsf_sample.xml", true),
    ("us_csl_2023.csv", false),
    ("us_bis_dpl_2023.txt", false),
];

fn whole(name: &str) -> &'static [u8] {
    let bytes = bundled_file(name);
    if name == "us_csl_2023.csv" {
        // The bundled copy is itself cut after its last complete row (see lists::bundled).
        let end = bytes.iter().rposition(|&b| b == b'\n').unwrap();
        return &bytes[..=end];
    }
    bytes
}

fn check_cut(name: &str, all_visible: bool, fraction: f64) {
    let bytes = whole(name);
    let full = parse_alone(name, bytes).unwrap().entities.len();
    let cut = ((bytes.len() - 1) as f64 * fraction) as usize;
    let part = &bytes[..cut];
    // Trailing whitespace after the last element or marker is no content.
    let only_trailing_space = bytes[cut..].iter().all(u8::is_ascii_whitespace);
    match parse_alone(name, part) {
        Err(err) => {
            assert_eq!(err.file, name);
            if cut > 0 {
                assert_ne!(err.position, Position::Unknown, "{err}");
            }
        }
        Ok(parsed) if only_trailing_space => assert_eq!(parsed.entities.len(), full),
        Ok(parsed) => {
            assert!(
                !all_visible,
                "{name} cut at {cut} parsed with {} of {full}",
                parsed.entities.len()
            );
            // A cut that removes only a row's line ending leaves the row whole: undetectable.
            let row_whole = part.last() == Some(&b'\n') || matches!(bytes[cut], b'\n' | b'\r');
            assert!(row_whole, "{name} cut at {cut} inside a row parsed");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn cut_files_are_errors(index in 0usize..CUT_FILES.len(), fraction in 0.0f64..1.0) {
        let (name, all_visible) = CUT_FILES[index];
        check_cut(name, all_visible, fraction);
    }

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for name in ["ofac_sdn.csv", "UN_consolidated.xml", "eu_fsf_sample.xml", "us_csl_2023.csv", "us_bis_dpl_2023.txt"] {
            let _ = parse_alone(name, &bytes);
        }
        let _ = lists::uk::parse("uk.csv", bytes.as_slice());
        let _ = lists::ftm::parse("f.json", bytes.as_slice());
        let _ = lists::parse_files(vec![InputFile { name: "x".to_owned(), bytes: bytes.clone() }]);
    }

    #[test]
    fn mutated_lists_never_panic(index in 0usize..CUT_FILES.len(), at in 0.0f64..1.0, byte in any::<u8>()) {
        let (name, _) = CUT_FILES[index];
        let mut bytes = whole(name)[..whole(name).len().min(64 * 1024)].to_vec();
        let position = ((bytes.len() - 1) as f64 * at) as usize;
        bytes[position] = byte;
        let _ = parse_alone(name, &bytes);
    }
}

#[test]
fn cuts_at_line_ends_of_marked_files_are_seen() {
    let bytes = bundled_file("ofac_cons_prim.csv");
    let ends: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    for &end in ends.iter().step_by(37) {
        if end < bytes.len() - 1 {
            assert!(
                parse_alone("ofac_cons_prim.csv", &bytes[..end]).is_err(),
                "cut at {end}"
            );
        }
    }
}
