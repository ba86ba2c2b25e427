//! The Common High Priority List (CHPL): the HS subheadings of battlefield goods that the
//! EU, the US, the UK and Japan ask exporters and banks to watch for diversion to Russia, in
//! tiers of priority (1 highest: integrated circuits; 2: other electronics; 3.A/3.B: more
//! electronics and parts; 4.A/4.B: machine tools and their parts).
//!
//! The bundled copy (`data/chpl_hs6.csv`, 50 subheadings in HS 2022) is read at load and
//! never copied by hand into the policy. Its source is noted in `data/NOTICE.md`.

use std::io::Read;

use model::HsCode;

use crate::csv_util::{Columns, describe_csv_error};
use crate::error::CsvError;
use crate::nomenclature::{Nomenclature, Subheading};

const BUNDLED_CHPL: &str = include_str!("../data/chpl_hs6.csv");
/// Most entries a CHPL file may have (the published list has 50).
pub const CHPL_ENTRIES_MAX: usize = 10_000;

/// A priority tier of the CHPL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Tier 1: electronic integrated circuits.
    T1,
    /// Tier 2: other electronics (communication, navigation, capacitors).
    T2,
    /// Tier 3.A: electronic components and computers.
    T3A,
    /// Tier 3.B: bearings, optics, navigation instruments, aircraft parts.
    T3B,
    /// Tier 4.A: manufacturing and test equipment for electronics.
    T4A,
    /// Tier 4.B: machine tools and their parts.
    T4B,
}

impl Tier {
    /// The tier as the list writes it: `TIER_3_A`.
    pub fn code(self) -> &'static str {
        match self {
            Tier::T1 => "TIER_1",
            Tier::T2 => "TIER_2",
            Tier::T3A => "TIER_3_A",
            Tier::T3B => "TIER_3_B",
            Tier::T4A => "TIER_4_A",
            Tier::T4B => "TIER_4_B",
        }
    }

    /// The tier as people write it: `tier 3.A`.
    pub fn name(self) -> &'static str {
        match self {
            Tier::T1 => "tier 1",
            Tier::T2 => "tier 2",
            Tier::T3A => "tier 3.A",
            Tier::T3B => "tier 3.B",
            Tier::T4A => "tier 4.A",
            Tier::T4B => "tier 4.B",
        }
    }

    fn parse(text: &str) -> Option<Tier> {
        Some(match text {
            "TIER_1" => Tier::T1,
            "TIER_2" => Tier::T2,
            "TIER_3_A" => Tier::T3A,
            "TIER_3_B" => Tier::T3B,
            "TIER_4_A" => Tier::T4A,
            "TIER_4_B" => Tier::T4B,
            _ => return None,
        })
    }
}

/// The CHPL: which subheadings are listed, in which tier.
#[derive(Debug, Clone)]
pub struct Chpl {
    entries: Vec<(Subheading, Tier)>,
}

impl Chpl {
    /// The bundled list, checked against `nomenclature`.
    pub fn bundled(nomenclature: &Nomenclature) -> Result<Chpl, CsvError> {
        Chpl::read(BUNDLED_CHPL.as_bytes(), nomenclature)
    }

    /// Reads a list with the columns `hs6,tier[,hs2022_description]`; every code must be a
    /// subheading of `nomenclature`, and appear once.
    pub fn read(input: impl Read, nomenclature: &Nomenclature) -> Result<Chpl, CsvError> {
        let mut reader = csv::ReaderBuilder::new().from_reader(input);
        let header = reader
            .headers()
            .map_err(|e| describe_csv_error("chpl", &e))?;
        let columns = Columns::new("chpl", header, &["hs6", "tier"], &["hs2022_description"])?;
        let mut entries: Vec<(Subheading, Tier)> = Vec::new();
        let mut record = csv::StringRecord::new();
        while reader
            .read_record(&mut record)
            .map_err(|e| describe_csv_error("chpl", &e))?
        {
            let line = record.position().map(csv::Position::line);
            let error = |field, message: String| CsvError {
                file: "chpl",
                line,
                field: Some(field),
                message,
            };
            let code: HsCode = columns
                .get(&record, "hs6")
                .parse()
                .map_err(|e: model::HsCodeError| error("hs6", e.to_string()))?;
            let subheading = nomenclature
                .subheading(code)
                .map_err(|e| error("hs6", e.to_string()))?;
            let tier_text = columns.get(&record, "tier");
            let tier = Tier::parse(tier_text).ok_or_else(|| {
                error(
                    "tier",
                    format!(
                        "unknown tier {:?}: expected TIER_1, TIER_2, TIER_3_A, TIER_3_B, TIER_4_A or TIER_4_B",
                        crate::echo(tier_text)
                    ),
                )
            })?;
            if entries.iter().any(|(s, _)| *s == subheading) {
                return Err(error("hs6", format!("{code} is listed twice")));
            }
            if entries.len() >= CHPL_ENTRIES_MAX {
                return Err(error(
                    "hs6",
                    format!("more than {CHPL_ENTRIES_MAX} entries"),
                ));
            }
            entries.push((subheading, tier));
        }
        Ok(Chpl { entries })
    }

    /// Every listed subheading with its tier.
    pub fn entries(&self) -> &[(Subheading, Tier)] {
        &self.entries
    }
}
