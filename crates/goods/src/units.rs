//! Units of quantity: which kinds of unit fit an HS code, how units convert for price
//! comparison, and the short spellings people type.
//!
//! The WCO gives a standard unit of quantity per subheading (kg, u, l, m², 2u, carat, …). That
//! table is not public domain, so this module derives a simplified one, by chapter with a few
//! heading exceptions (see [`expected_kinds`]). It only flags a unit of the wrong *kind* (mass
//! for a count-based code, count for a bulk commodity); a chapter with mixed practice accepts
//! every kind, so the check errs towards silence.

use model::Unit;
use rust_decimal::Decimal;

/// A set of unit kinds, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnitKinds(u16);

impl UnitKinds {
    /// Mass: kg, g, t.
    pub const MASS: UnitKinds = UnitKinds(1);
    /// Volume: l, ml, m³, litres of pure alcohol.
    pub const VOLUME: UnitKinds = UnitKinds(1 << 1);
    /// Count: items, pieces, pairs, dozens, sets.
    pub const COUNT: UnitKinds = UnitKinds(1 << 2);
    /// Length: m.
    pub const LENGTH: UnitKinds = UnitKinds(1 << 3);
    /// Area: m².
    pub const AREA: UnitKinds = UnitKinds(1 << 4);
    /// Energy: kWh, MWh.
    pub const ENERGY: UnitKinds = UnitKinds(1 << 5);
    /// Carats (precious stones).
    pub const CARAT: UnitKinds = UnitKinds(1 << 6);
    /// Grams of fissile isotopes.
    pub const FISSILE: UnitKinds = UnitKinds(1 << 7);
    /// Every kind: the check does not apply.
    pub const ANY: UnitKinds = UnitKinds(0xff);

    const NAMES: [(UnitKinds, &'static str); 8] = [
        (UnitKinds::MASS, "mass"),
        (UnitKinds::VOLUME, "volume"),
        (UnitKinds::COUNT, "count"),
        (UnitKinds::LENGTH, "length"),
        (UnitKinds::AREA, "area"),
        (UnitKinds::ENERGY, "energy"),
        (UnitKinds::CARAT, "carats"),
        (UnitKinds::FISSILE, "fissile grams"),
    ];

    /// The union of two sets.
    pub const fn or(self, other: UnitKinds) -> UnitKinds {
        UnitKinds(self.0 | other.0)
    }

    /// Whether every kind of `other` is in `self`.
    pub const fn contains(self, other: UnitKinds) -> bool {
        self.0 & other.0 == other.0
    }

    /// The kind of a unit.
    pub fn of(unit: Unit) -> UnitKinds {
        match unit {
            Unit::Kilogram | Unit::Gram | Unit::Tonne => UnitKinds::MASS,
            Unit::Litre | Unit::Millilitre | Unit::LitrePureAlcohol | Unit::CubicMetre => {
                UnitKinds::VOLUME
            }
            Unit::NumberOfArticles
            | Unit::One
            | Unit::Piece
            | Unit::Pair
            | Unit::Dozen
            | Unit::Set => UnitKinds::COUNT,
            Unit::Metre => UnitKinds::LENGTH,
            Unit::SquareMetre => UnitKinds::AREA,
            Unit::KilowattHour | Unit::MegawattHour => UnitKinds::ENERGY,
            Unit::Carat => UnitKinds::CARAT,
            Unit::GramFissileIsotopes => UnitKinds::FISSILE,
            // A unit added to the model later: never flagged until classified here.
            _ => UnitKinds::ANY,
        }
    }

    /// The names of the kinds, joined with " or ": "count or mass".
    pub fn describe(self) -> String {
        if self == UnitKinds::ANY {
            return "any".to_owned();
        }
        UnitKinds::NAMES
            .iter()
            .filter(|(kind, _)| self.contains(*kind))
            .map(|(_, name)| *name)
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

const M: UnitKinds = UnitKinds::MASS;
const V: UnitKinds = UnitKinds::VOLUME;
const C: UnitKinds = UnitKinds::COUNT;
const MV: UnitKinds = M.or(V);
const MC: UnitKinds = M.or(C);
const TEXTILE: UnitKinds = M.or(UnitKinds::AREA).or(UnitKinds::LENGTH);
const ANY: UnitKinds = UnitKinds::ANY;

/// The unit kinds that fit a subheading, from the simplified WCO table:
///
/// - count (`u`): machinery, electrical equipment, vehicles, aircraft, ships, instruments,
///   clocks, musical instruments, arms, furniture, toys, apparel, footwear (chapters 61–62,
///   64–65, 84–95, 97); a subheading whose description speaks of parts, accessories, wire or
///   cable also takes mass, as its WCO unit mostly is kg;
/// - mass or volume: food, minerals, fuels, chemicals, fertilisers (01–38, less the exceptions
///   below) and base metals (72, 74, 75, 78–81);
/// - mass, area or length: textile yarns and fabrics (50–60);
/// - every kind: chapters of mixed practice (39–49, 63, 66–71, 73, 76, 82, 83, 96).
///
/// Exceptions by heading: live animals 0101–0106 count or mass; cigarettes 2402 count or
/// mass; electrical energy 2716 energy; radioactive elements and isotopes 2844–2845 mass or
/// fissile grams; pharmaceuticals 3002–3006 and diagnostic reagents 3822 mass, volume or count
/// (doses, packs, test kits); wood
/// 4403–4407 volume or mass; precious stones 7102–7104 carats or mass.
pub fn expected_kinds(code: u32, description: &str) -> UnitKinds {
    let heading = code / 100;
    let chapter = code / 10_000;
    if let Some(kinds) = heading_exception(heading) {
        return kinds;
    }
    let kinds = match chapter {
        1..=38 => MV,
        50..=60 => TEXTILE,
        61 | 62 | 64 | 65 | 84..=95 | 97 => C,
        72 | 74 | 75 | 78..=81 => M,
        _ => ANY,
    };
    if kinds == C && mentions_bulk_parts(description) {
        return MC;
    }
    kinds
}

fn heading_exception(heading: u32) -> Option<UnitKinds> {
    Some(match heading {
        101..=106 => MC,
        2402 => MC,
        2716 => UnitKinds::ENERGY,
        2844 | 2845 => M.or(UnitKinds::FISSILE),
        3002..=3006 | 3822 => MV.or(C),
        4403..=4407 => MV,
        7102..=7104 => M.or(UnitKinds::CARAT),
        _ => return None,
    })
}

/// Whether a description names goods sold by weight within a count-based chapter.
fn mentions_bulk_parts(description: &str) -> bool {
    const WORDS: [&str; 8] = [
        "part",
        "parts",
        "accessories",
        "wire",
        "cable",
        "cables",
        "waste",
        "scrap",
    ];
    description
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|word| WORDS.iter().any(|w| w.eq_ignore_ascii_case(word)))
}

/// The unit prices are compared in: one per kind, so that 2 t and 2,000 kg are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BaseUnit {
    /// Kilogram.
    Kilogram,
    /// Litre.
    Litre,
    /// Litre of pure alcohol.
    LitrePureAlcohol,
    /// One item.
    Item,
    /// One pair.
    Pair,
    /// One set.
    Set,
    /// Metre.
    Metre,
    /// Square metre.
    SquareMetre,
    /// Kilowatt hour.
    KilowattHour,
    /// Metric carat.
    Carat,
    /// Gram of fissile isotopes.
    GramFissile,
}

impl BaseUnit {
    /// The UN/CEFACT code of the base unit.
    pub fn code(self) -> &'static str {
        match self {
            BaseUnit::Kilogram => "KGM",
            BaseUnit::Litre => "LTR",
            BaseUnit::LitrePureAlcohol => "LPA",
            BaseUnit::Item => "C62",
            BaseUnit::Pair => "PR",
            BaseUnit::Set => "SET",
            BaseUnit::Metre => "MTR",
            BaseUnit::SquareMetre => "MTK",
            BaseUnit::KilowattHour => "KWH",
            BaseUnit::Carat => "CTM",
            BaseUnit::GramFissile => "GFI",
        }
    }

    /// Every base unit, in declaration order (the order of [`BaseUnit::tag`]).
    pub const ALL: [BaseUnit; 11] = [
        BaseUnit::Kilogram,
        BaseUnit::Litre,
        BaseUnit::LitrePureAlcohol,
        BaseUnit::Item,
        BaseUnit::Pair,
        BaseUnit::Set,
        BaseUnit::Metre,
        BaseUnit::SquareMetre,
        BaseUnit::KilowattHour,
        BaseUnit::Carat,
        BaseUnit::GramFissile,
    ];

    /// A small number for packing into index keys (below 16).
    pub(crate) fn tag(self) -> u64 {
        self as u64
    }

    /// The base unit of a [`BaseUnit::tag`].
    pub(crate) fn from_tag(tag: u64) -> Option<BaseUnit> {
        BaseUnit::ALL.get(usize::try_from(tag).ok()?).copied()
    }

    /// The base unit of `unit` and how many base units one `unit` is (1 t = 1000 kg).
    /// `None` for a unit this module does not know yet.
    pub fn of(unit: Unit) -> Option<(BaseUnit, Decimal)> {
        let one = Decimal::ONE;
        let thousand = Decimal::ONE_THOUSAND;
        let thousandth = Decimal::new(1, 3);
        Some(match unit {
            Unit::Kilogram => (BaseUnit::Kilogram, one),
            Unit::Gram => (BaseUnit::Kilogram, thousandth),
            Unit::Tonne => (BaseUnit::Kilogram, thousand),
            Unit::Litre => (BaseUnit::Litre, one),
            Unit::Millilitre => (BaseUnit::Litre, thousandth),
            Unit::CubicMetre => (BaseUnit::Litre, thousand),
            Unit::LitrePureAlcohol => (BaseUnit::LitrePureAlcohol, one),
            Unit::NumberOfArticles | Unit::One | Unit::Piece => (BaseUnit::Item, one),
            Unit::Dozen => (BaseUnit::Item, Decimal::new(12, 0)),
            Unit::Pair => (BaseUnit::Pair, one),
            Unit::Set => (BaseUnit::Set, one),
            Unit::Metre => (BaseUnit::Metre, one),
            Unit::SquareMetre => (BaseUnit::SquareMetre, one),
            Unit::KilowattHour => (BaseUnit::KilowattHour, one),
            Unit::MegawattHour => (BaseUnit::KilowattHour, thousand),
            Unit::Carat => (BaseUnit::Carat, one),
            Unit::GramFissileIsotopes => (BaseUnit::GramFissile, one),
            _ => return None,
        })
    }
}

/// Parses a unit: a UN/CEFACT code (`KGM`, `C62`, as the model spells them) or one of the
/// WCO's short forms, case-insensitive: `kg`, `g`, `t`, `l`, `ml`, `m3`, `m`, `m2`, `u`,
/// `pcs`, `2u`/`pr`, `12u`, `set`, `kwh`, `1000kwh`/`mwh`, `carat`, `lpa`.
pub fn parse_unit(text: &str) -> Result<Unit, model::QuantityError> {
    if let Ok(unit) = Unit::from_code(text) {
        return Ok(unit);
    }
    let unit = match text.to_ascii_lowercase().as_str() {
        "kg" => Unit::Kilogram,
        "g" => Unit::Gram,
        "t" => Unit::Tonne,
        "l" => Unit::Litre,
        "ml" => Unit::Millilitre,
        "lpa" | "l alc. 100 %" => Unit::LitrePureAlcohol,
        "m" => Unit::Metre,
        "m2" | "m²" => Unit::SquareMetre,
        "m3" | "m³" => Unit::CubicMetre,
        "u" | "pcs" | "pc" => Unit::NumberOfArticles,
        "2u" | "pr" | "pair" | "pairs" => Unit::Pair,
        "12u" | "dozen" => Unit::Dozen,
        "set" | "sets" => Unit::Set,
        "kwh" => Unit::KilowattHour,
        "1000kwh" | "1000 kwh" | "mwh" => Unit::MegawattHour,
        "carat" | "ct" => Unit::Carat,
        _ => return Unit::from_code(text),
    };
    Ok(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_chapter() {
        assert_eq!(expected_kinds(100_199, "Wheat and meslin"), MV);
        assert_eq!(expected_kinds(854_231, "Electronic integrated circuits"), C);
        assert_eq!(
            expected_kinds(
                847_330,
                "Parts and accessories of the machines of heading 8471"
            ),
            MC
        );
        assert_eq!(
            expected_kinds(271_600, "Electrical energy"),
            UnitKinds::ENERGY
        );
        assert_eq!(expected_kinds(392_690, "Plastics; other articles"), ANY);
        assert_eq!(expected_kinds(520_100, "Cotton"), TEXTILE);
        assert!(!C.contains(UnitKinds::of(Unit::Kilogram)));
        assert!(MC.contains(UnitKinds::of(Unit::Dozen)));
        assert_eq!(MC.describe(), "mass or count");
        assert_eq!(ANY.describe(), "any");
    }

    #[test]
    fn every_unit_has_a_kind_and_a_base() {
        for &unit in Unit::ALL {
            assert_ne!(UnitKinds::of(unit), UnitKinds::ANY, "{unit}");
            let (_, factor) = BaseUnit::of(unit).unwrap();
            assert!(factor > Decimal::ZERO);
        }
    }

    #[test]
    fn base_unit_tags() {
        for unit in BaseUnit::ALL {
            assert_eq!(BaseUnit::from_tag(unit.tag()), Some(unit));
        }
    }

    #[test]
    fn unit_spellings() {
        assert_eq!(parse_unit("KGM").unwrap(), Unit::Kilogram);
        assert_eq!(parse_unit("kg").unwrap(), Unit::Kilogram);
        assert_eq!(parse_unit("U").unwrap(), Unit::NumberOfArticles);
        assert_eq!(parse_unit("2u").unwrap(), Unit::Pair);
        assert_eq!(parse_unit("m3").unwrap(), Unit::CubicMetre);
        assert!(parse_unit("kilos").is_err());
        assert!(parse_unit("").is_err());
    }
}
