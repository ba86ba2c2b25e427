//! Reference unit values and the bands that flag trade-based money laundering: a price far
//! above the usual moves value to the exporter (over-invoicing), far below moves it to the
//! importer (under-invoicing).
//!
//! # Observations
//!
//! An observation is a unit value (minor units of a currency per unit of quantity) for a
//! six-digit code, optionally on a corridor (origin → destination). They come from a CSV of
//! reference prices (`hs6,origin,destination,unit,unit_value_minor,currency[,date]`) and from
//! the house's own accepted lines ([`PriceHistory::add_line`]). Quantities are brought to one
//! base unit per kind (t and g to kg, ml and m³ to l, dozens to items), so 2 t at EUR 1,000
//! and 2,000 kg at EUR 1,000 are the same price.
//!
//! # Bands
//!
//! Per cell, the band is `[Q1 − k·IQR, Q3 + k·IQR]` (Tukey's fences, `IQR = Q3 − Q1`, `k` the
//! setting `iqr_factor`, 1.5 by default), its low end floored at zero. Quartiles use the
//! linear interpolation of Hyndman and Fan's type 7 (the default of R, NumPy and
//! spreadsheets): for sorted values `x[0..n]` and `p` in {¼, ¾}, `h = (n − 1)·p` and
//! `Q = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`. All of it is exact decimal arithmetic.
//!
//! Cells, from the most specific: (subheading, origin, destination); (subheading, any
//! corridor); (heading, any corridor). A line uses the first cell with at least
//! `min_samples` observations. Every cell also has a base unit and a currency: observations
//! are compared only with lines of the same currency (no FX conversion: a rate would itself
//! be a choice an auditor must see, so a house that wants one converts its observations
//! before adding them) and the same kind of unit.
//!
//! Bands are computed once ([`PriceHistory::bands`]) into a hash map keyed by one packed
//! `u64`, so checking a line is at most three lookups and two multiplications.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;

use model::{CountryCode, Currency, Date, HsCode, Unit};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::csv_util::{Bounded, Columns, describe_csv_error};
use crate::error::CsvError;
use crate::lines::Line;
use crate::nomenclature::Nomenclature;
use crate::units::{BaseUnit, parse_unit};

/// Most observations a history may hold.
pub const OBSERVATIONS_MAX: usize = 5_000_000;
/// Largest unit value accepted, in minor units: far beyond any real price, small enough that
/// the band arithmetic cannot overflow.
pub const UNIT_VALUE_MINOR_MAX: i64 = 1_000_000_000_000_000;
/// The default `k` of the fences.
pub const IQR_FACTOR_DEFAULT: Decimal = Decimal::from_parts(15, 0, 0, false, 1);
/// The default minimum number of observations for a band.
pub const MIN_SAMPLES_DEFAULT: u32 = 5;
/// Decimals kept for unit values in minor units (after unit conversion).
const UNIT_VALUE_SCALE: u32 = 6;

/// How bands are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BandSettings {
    /// `k` in `[Q1 − k·IQR, Q3 + k·IQR]`.
    pub iqr_factor: Decimal,
    /// A cell with fewer observations has no band of its own; the next, wider cell is used.
    pub min_samples: u32,
}

impl Default for BandSettings {
    fn default() -> BandSettings {
        BandSettings {
            iqr_factor: IQR_FACTOR_DEFAULT,
            min_samples: MIN_SAMPLES_DEFAULT,
        }
    }
}

/// One reference price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The subheading.
    pub code: HsCode,
    /// Where the goods came from, if known.
    pub origin: Option<CountryCode>,
    /// Where they went, if known.
    pub destination: Option<CountryCode>,
    /// The unit the value is per.
    pub unit: Unit,
    /// Minor units of `currency` per one `unit`; positive.
    pub unit_value_minor: Decimal,
    /// The currency.
    pub currency: Currency,
    /// When it was observed (kept for the record, not used in bands).
    pub date: Option<Date>,
}

/// Why an observation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ObservationError {
    /// The unit value is not positive or too large.
    #[error("the unit value must be above 0 and at most {UNIT_VALUE_MINOR_MAX} minor units")]
    UnitValue,
    /// The unit has no base unit here.
    #[error("unit {0} cannot be compared")]
    Unit(Unit),
    /// The history is full.
    #[error("more than {OBSERVATIONS_MAX} observations")]
    Full,
}

/// An observation as kept: packed cell parts and the value per base unit.
#[derive(Debug, Clone, Copy)]
struct Stored {
    code: u32,
    corridor: Option<(u16, u16)>,
    base: BaseUnit,
    currency: u16,
    per_base: Decimal,
}

/// Observations to build bands from: reference prices and the house's accepted lines.
#[derive(Debug, Clone, Default)]
pub struct PriceHistory {
    stored: Vec<Stored>,
}

impl PriceHistory {
    /// An empty history.
    pub fn new() -> PriceHistory {
        PriceHistory::default()
    }

    /// The number of observations.
    pub fn len(&self) -> usize {
        self.stored.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.stored.is_empty()
    }

    /// Adds one observation.
    pub fn add(&mut self, observation: &Observation) -> Result<(), ObservationError> {
        let value = observation.unit_value_minor;
        if value <= Decimal::ZERO || value > Decimal::from(UNIT_VALUE_MINOR_MAX) {
            return Err(ObservationError::UnitValue);
        }
        let (base, factor) =
            BaseUnit::of(observation.unit).ok_or(ObservationError::Unit(observation.unit))?;
        let per_base = value
            .checked_div(factor)
            .ok_or(ObservationError::UnitValue)?
            .round_dp(UNIT_VALUE_SCALE);
        let corridor = observation
            .origin
            .zip(observation.destination)
            .map(|(o, d)| (country_tag(o), country_tag(d)));
        self.push(Stored {
            code: observation.code.subheading(),
            corridor,
            base,
            currency: observation.currency.numeric(),
            per_base,
        })
    }

    /// Adds an accepted goods line as an observation (its value over its quantity).
    pub fn add_line(&mut self, line: &Line) -> Result<(), ObservationError> {
        let goods = &line.goods;
        let quantity = goods.quantity();
        let value_minor = Decimal::from(goods.value().amount_minor());
        let (base, factor) =
            BaseUnit::of(quantity.unit()).ok_or(ObservationError::Unit(quantity.unit()))?;
        let per_base = quantity
            .value()
            .checked_mul(factor)
            .and_then(|q| value_minor.checked_div(q))
            .ok_or(ObservationError::UnitValue)?
            .round_dp(UNIT_VALUE_SCALE);
        if per_base <= Decimal::ZERO || per_base > Decimal::from(UNIT_VALUE_MINOR_MAX) {
            return Err(ObservationError::UnitValue);
        }
        self.push(Stored {
            code: goods.hs_code().subheading(),
            corridor: line
                .origin
                .zip(line.destination)
                .map(|(o, d)| (country_tag(o), country_tag(d))),
            base,
            currency: goods.value().currency().numeric(),
            per_base,
        })
    }

    fn push(&mut self, stored: Stored) -> Result<(), ObservationError> {
        if self.stored.len() >= OBSERVATIONS_MAX {
            return Err(ObservationError::Full);
        }
        self.stored.push(stored);
        Ok(())
    }

    /// Reads reference prices from CSV (`hs6,origin,destination,unit,unit_value_minor,
    /// currency[,date]`) and adds them. Every code must be a subheading of `nomenclature`;
    /// origin and destination are ISO 3166 alpha-2 codes, both or neither empty. An error
    /// names the line and the field; the observations before it stay added.
    pub fn read_csv(
        &mut self,
        input: impl Read,
        nomenclature: &Nomenclature,
    ) -> Result<(), CsvError> {
        let (bounded, record_start) = Bounded::new(input);
        let mut reader = csv::ReaderBuilder::new().from_reader(bounded);
        let header = reader
            .headers()
            .map_err(|e| describe_csv_error("prices", &e))?
            .clone();
        let columns = Columns::new(
            "prices",
            &header,
            &[
                "hs6",
                "origin",
                "destination",
                "unit",
                "unit_value_minor",
                "currency",
            ],
            &["date"],
        )?;
        let mut record = csv::StringRecord::new();
        loop {
            record_start.set(reader.position().byte());
            if !reader
                .read_record(&mut record)
                .map_err(|e| describe_csv_error("prices", &e))?
            {
                return Ok(());
            }
            let observation = parse_observation(&columns, &record, nomenclature)?;
            self.add(&observation).map_err(|e| CsvError {
                file: "prices",
                line: record.position().map(csv::Position::line),
                field: Some("unit_value_minor"),
                message: e.to_string(),
            })?;
        }
    }

    /// Computes the bands of every cell with enough observations.
    pub fn bands(&self, settings: BandSettings) -> PriceBands {
        let mut cells: HashMap<u64, Vec<Decimal>, KeyHash> = HashMap::default();
        for stored in &self.stored {
            let mut add = |key: u64| cells.entry(key).or_default().push(stored.per_base);
            let cell =
                |level, code, corridor| key(level, code, corridor, stored.base, stored.currency);
            if let Some(corridor) = stored.corridor {
                add(cell(BandBasis::Corridor, stored.code, Some(corridor)));
            }
            add(cell(BandBasis::Subheading, stored.code, None));
            add(cell(BandBasis::Heading, stored.code / 100, None));
        }
        let mut index: HashMap<u64, u32, KeyHash> = HashMap::default();
        let mut bands = Vec::new();
        for (cell, mut values) in cells {
            if values.len() < settings.min_samples as usize {
                continue;
            }
            values.sort_unstable();
            let band = Band::compute(cell, &values, settings);
            if let (Some(band), Ok(position)) = (band, u32::try_from(bands.len())) {
                index.insert(cell, position);
                bands.push(band);
            }
        }
        PriceBands {
            index,
            bands,
            settings,
        }
    }
}

/// Parses one row of the reference-price CSV.
fn parse_observation(
    columns: &Columns,
    record: &csv::StringRecord,
    nomenclature: &Nomenclature,
) -> Result<Observation, CsvError> {
    let line = record.position().map(csv::Position::line);
    let error = |field: &'static str, message: String| CsvError {
        file: "prices",
        line,
        field: Some(field),
        message,
    };
    let field = |name: &str| columns.get(record, name).trim();
    let code: HsCode = field("hs6")
        .parse()
        .map_err(|e: model::HsCodeError| error("hs6", e.to_string()))?;
    nomenclature
        .subheading(code)
        .map_err(|e| error("hs6", e.to_string()))?;
    let country = |name: &'static str| -> Result<Option<CountryCode>, CsvError> {
        let text = field(name);
        if text.is_empty() {
            return Ok(None);
        }
        CountryCode::new(text)
            .map(Some)
            .map_err(|e| error(name, e.to_string()))
    };
    let origin = country("origin")?;
    let destination = country("destination")?;
    if origin.is_some() != destination.is_some() {
        return Err(error(
            if origin.is_some() {
                "destination"
            } else {
                "origin"
            },
            "origin and destination are both given or both empty".to_owned(),
        ));
    }
    let unit = parse_unit(field("unit")).map_err(|e| error("unit", e.to_string()))?;
    let unit_value_minor = parse_decimal(field("unit_value_minor")).ok_or_else(|| {
        error(
            "unit_value_minor",
            format!(
                "{:?} is not a decimal number such as 1250 or 12.5",
                crate::echo(field("unit_value_minor"))
            ),
        )
    })?;
    let currency = model::currency::from_code(field("currency"))
        .map_err(|e| error("currency", e.to_string()))?;
    let date = match field("date") {
        "" => None,
        text => Some(
            text.parse::<Date>()
                .map_err(|e| error("date", e.to_string()))?,
        ),
    };
    Ok(Observation {
        code,
        origin,
        destination,
        unit,
        unit_value_minor,
        currency,
        date,
    })
}

/// A plain decimal: digits with at most one point, no sign, no exponent.
fn parse_decimal(text: &str) -> Option<Decimal> {
    let plain = !text.is_empty()
        && text.len() <= 40
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|&b| b == b'.').count() <= 1
        && text.bytes().any(|b| b.is_ascii_digit());
    if !plain {
        return None;
    }
    Decimal::from_str_exact(text).ok()
}

/// Which cell a band was computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BandBasis {
    /// The subheading on the line's corridor.
    Corridor,
    /// The subheading on any corridor.
    Subheading,
    /// The heading on any corridor.
    Heading,
}

impl BandBasis {
    /// `corridor`, `subheading` or `heading`.
    pub fn as_str(self) -> &'static str {
        match self {
            BandBasis::Corridor => "corridor",
            BandBasis::Subheading => "subheading",
            BandBasis::Heading => "heading",
        }
    }

    fn tag(self) -> u64 {
        match self {
            BandBasis::Corridor => 1,
            BandBasis::Subheading => 2,
            BandBasis::Heading => 3,
        }
    }
}

/// The band of one cell. Values are minor units of `currency` per one `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    /// The cell it was computed for.
    pub basis: BandBasis,
    /// How many observations it was computed from.
    pub samples: u32,
    /// First quartile.
    pub q1: Decimal,
    /// Third quartile.
    pub q3: Decimal,
    /// `max(0, Q1 − k·IQR)`.
    pub low: Decimal,
    /// `Q3 + k·IQR`.
    pub high: Decimal,
    /// The unit the values are per.
    pub unit: BaseUnit,
    /// The currency's ISO 4217 numeric code.
    pub currency: u16,
}

impl Band {
    fn compute(cell: u64, sorted: &[Decimal], settings: BandSettings) -> Option<Band> {
        let q1 = quantile(sorted, 1)?;
        let q3 = quantile(sorted, 3)?;
        let reach = settings.iqr_factor.checked_mul(q3.checked_sub(q1)?)?;
        let (basis, unit, currency) = unpack(cell)?;
        Some(Band {
            basis,
            samples: u32::try_from(sorted.len()).unwrap_or(u32::MAX),
            q1,
            q3,
            low: q1.checked_sub(reach)?.max(Decimal::ZERO),
            high: q3.checked_add(reach)?,
            unit,
            currency,
        })
    }
}

/// The quartile `quarter`/4 of sorted values, by linear interpolation (type 7).
pub fn quantile(sorted: &[Decimal], quarter: u32) -> Option<Decimal> {
    let last = sorted.len().checked_sub(1)?;
    let position = last.checked_mul(quarter as usize)?;
    let (index, remainder) = (position / 4, position % 4);
    let below = *sorted.get(index)?;
    if remainder == 0 {
        return Some(below);
    }
    let above = *sorted.get(index + 1)?;
    let fraction = Decimal::new(remainder as i64 * 25, 2);
    below.checked_add(fraction.checked_mul(above.checked_sub(below)?)?)
}

/// Which side of its band a line is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Above the band: value moves to the exporter's side.
    OverInvoicing,
    /// Below the band: value moves to the importer's side.
    UnderInvoicing,
}

impl Direction {
    /// `over_invoicing` or `under_invoicing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::OverInvoicing => "over_invoicing",
            Direction::UnderInvoicing => "under_invoicing",
        }
    }
}

/// The price check of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceOutcome<'a> {
    /// No reference prices were given, or the policy has no price check.
    NotChecked,
    /// No cell has enough observations in the line's currency and kind of unit.
    NoReference,
    /// The quantity or value is out of the range the arithmetic handles.
    NotComparable,
    /// Inside the band.
    Within(&'a Band),
    /// Outside the band.
    Outside {
        /// The band.
        band: &'a Band,
        /// Above or below.
        direction: Direction,
        /// The distance beyond the band times the quantity, in minor units, rounded half to
        /// even.
        value_moved_minor: i64,
    },
}

impl PriceOutcome<'_> {
    /// `not_checked`, `no_reference`, `not_comparable`, `within`, `over` or `under`.
    pub fn status(&self) -> &'static str {
        match self {
            PriceOutcome::NotChecked => "not_checked",
            PriceOutcome::NotComparable => "not_comparable",
            PriceOutcome::NoReference => "no_reference",
            PriceOutcome::Within(_) => "within",
            PriceOutcome::Outside { direction, .. } => match direction {
                Direction::OverInvoicing => "over",
                Direction::UnderInvoicing => "under",
            },
        }
    }

    /// Whether a band was there to compare the price with.
    pub fn was_compared(&self) -> bool {
        matches!(self, PriceOutcome::Within(_) | PriceOutcome::Outside { .. })
    }
}

/// The price check of one output line; unit values and bands are minor units per base unit,
/// as decimal strings (as in the reference-price CSV).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PriceReport {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_value_minor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<BandReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_moved_minor: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_moved: Option<String>,
}

/// A band as reported, in minor units per base unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BandReport {
    pub basis: &'static str,
    pub samples: u32,
    pub q1_minor: String,
    pub q3_minor: String,
    pub low_minor: String,
    pub high_minor: String,
}

impl PriceReport {
    /// What a line's price check found, for people and JSON.
    pub fn of(line: &Line, price: PriceOutcome<'_>) -> PriceReport {
        let status = price.status();
        let mut output = PriceReport {
            status,
            currency: None,
            unit: None,
            unit_value_minor: None,
            band: None,
            direction: None,
            value_moved_minor: None,
            value_moved: None,
        };
        if matches!(
            price,
            PriceOutcome::NotChecked | PriceOutcome::NotComparable
        ) {
            return output;
        }
        let value = line.goods.value();
        output.currency = Some(value.currency().code());
        output.unit = BaseUnit::of(line.goods.quantity().unit()).map(|(b, _)| b.code());
        output.unit_value_minor = unit_value_minor(line).map(decimal);
        let band = match price {
            PriceOutcome::Within(band) | PriceOutcome::Outside { band, .. } => Some(band),
            _ => None,
        };
        output.band = band.map(|band| BandReport {
            basis: band.basis.as_str(),
            samples: band.samples,
            q1_minor: decimal(band.q1),
            q3_minor: decimal(band.q3),
            low_minor: decimal(band.low),
            high_minor: decimal(band.high),
        });
        if let PriceOutcome::Outside {
            direction,
            value_moved_minor,
            ..
        } = price
        {
            output.direction = Some(direction.as_str());
            output.value_moved_minor = Some(value_moved_minor);
            output.value_moved = Some(crate::check::format_major(
                Decimal::from(value_moved_minor),
                value.exponent(),
            ));
        }
        output
    }
}

fn decimal(value: Decimal) -> String {
    value.normalize().to_string()
}

/// The bands of every cell with enough observations; see the module documentation.
#[derive(Debug, Clone)]
pub struct PriceBands {
    /// Cell → position in `bands`: small entries, so more of the index stays in cache.
    index: HashMap<u64, u32, KeyHash>,
    bands: Vec<Band>,
    settings: BandSettings,
}

impl PriceBands {
    /// The settings the bands were built with.
    pub fn settings(&self) -> BandSettings {
        self.settings
    }

    /// The number of cells with a band.
    pub fn len(&self) -> usize {
        self.bands.len()
    }

    /// Whether no cell has a band.
    pub fn is_empty(&self) -> bool {
        self.bands.is_empty()
    }

    /// The band a line is compared with: the most specific cell that has one.
    pub fn find(&self, line: &Line) -> Option<&Band> {
        let goods = &line.goods;
        let (base, _) = BaseUnit::of(goods.quantity().unit())?;
        let currency = goods.value().currency().numeric();
        let code = goods.hs_code().subheading();
        let corridor = line
            .origin
            .zip(line.destination)
            .map(|(o, d)| (country_tag(o), country_tag(d)));
        let lookup = |level, code, corridor| {
            let position = self
                .index
                .get(&key(level, code, corridor, base, currency))?;
            self.bands.get(*position as usize)
        };
        corridor
            .and_then(|c| lookup(BandBasis::Corridor, code, Some(c)))
            .or_else(|| lookup(BandBasis::Subheading, code, None))
            .or_else(|| lookup(BandBasis::Heading, code / 100, None))
    }

    /// Compares a line's value with its band.
    #[inline]
    pub fn check(&self, line: &Line) -> PriceOutcome<'_> {
        let Some(band) = self.find(line) else {
            return PriceOutcome::NoReference;
        };
        let goods = &line.goods;
        let value = Decimal::from(goods.value().amount_minor());
        let Some(quantity) = base_quantity(line) else {
            return PriceOutcome::NotComparable;
        };
        let (Some(high), Some(low)) = (
            band.high.checked_mul(quantity),
            band.low.checked_mul(quantity),
        ) else {
            return PriceOutcome::NotComparable;
        };
        let (direction, beyond) = if value > high {
            (Direction::OverInvoicing, value - high)
        } else if value < low {
            (Direction::UnderInvoicing, low - value)
        } else {
            return PriceOutcome::Within(band);
        };
        let moved = beyond.round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
        match i64::try_from(moved) {
            Ok(value_moved_minor) => PriceOutcome::Outside {
                band,
                direction,
                value_moved_minor,
            },
            Err(_) => PriceOutcome::NotComparable,
        }
    }
}

/// The line's quantity in its base unit.
pub fn base_quantity(line: &Line) -> Option<Decimal> {
    let quantity = line.goods.quantity();
    let (_, factor) = BaseUnit::of(quantity.unit())?;
    quantity.value().checked_mul(factor)
}

/// The line's value per base unit, in minor units, to [`UNIT_VALUE_SCALE`] decimals.
pub fn unit_value_minor(line: &Line) -> Option<Decimal> {
    let value = Decimal::from(line.goods.value().amount_minor());
    value
        .checked_div(base_quantity(line)?)
        .map(|v| v.round_dp(UNIT_VALUE_SCALE))
}

/// A country as a number below 676.
fn country_tag(country: CountryCode) -> u16 {
    let bytes = country.as_str().as_bytes();
    let letter = |i: usize| u16::from(bytes.get(i).copied().unwrap_or(b'A').saturating_sub(b'A'));
    letter(0) * 26 + letter(1)
}

/// Marks "no corridor" in a key.
const NO_COUNTRY: u64 = 1023;

/// Packs a cell into one `u64`: basis (2 bits), code (20), origin (10), destination (10),
/// base unit (4), currency (10).
fn key(
    basis: BandBasis,
    code: u32,
    corridor: Option<(u16, u16)>,
    base: BaseUnit,
    currency: u16,
) -> u64 {
    let (origin, destination) = corridor.map_or((NO_COUNTRY, NO_COUNTRY), |(o, d)| {
        (u64::from(o), u64::from(d))
    });
    basis.tag() << 62
        | u64::from(code & 0xf_ffff) << 42
        | origin << 32
        | destination << 22
        | base.tag() << 18
        | u64::from(currency & 0x3ff) << 8
}

/// The basis, unit and currency of a packed key.
fn unpack(key: u64) -> Option<(BandBasis, BaseUnit, u16)> {
    let basis = match key >> 62 {
        1 => BandBasis::Corridor,
        2 => BandBasis::Subheading,
        3 => BandBasis::Heading,
        _ => return None,
    };
    let unit = BaseUnit::from_tag((key >> 18) & 0xf)?;
    Some((basis, unit, ((key >> 8) & 0x3ff) as u16))
}

/// A hasher for packed keys: one multiplication. The keys are not chosen by an adversary
/// in a way that matters (a bad input file can only slow its own check down).
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

type KeyHash = BuildHasherDefault<KeyHasher>;

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, value: u64) {
        let mixed = (self.0 ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = mixed ^ (mixed >> 29);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn type_7_quartiles() {
        let values: Vec<Decimal> = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
            .iter()
            .map(|&v| Decimal::from(v))
            .collect();
        // R: quantile(1:10, c(.25, .75)) is 3.25, 7.75.
        assert_eq!(quantile(&values, 1), Some(dec("3.25")));
        assert_eq!(quantile(&values, 3), Some(dec("7.75")));
        assert_eq!(quantile(&values[..5], 1), Some(dec("2")));
        assert_eq!(quantile(&values[..1], 3), Some(dec("1")));
        assert_eq!(quantile(&[], 1), None);
    }

    #[test]
    fn keys_round_trip() {
        let k = key(BandBasis::Heading, 8542, None, BaseUnit::Item, 978);
        assert_eq!(unpack(k), Some((BandBasis::Heading, BaseUnit::Item, 978)));
        let de = CountryCode::new("DE").unwrap();
        let zz = CountryCode::new("ZZ").unwrap();
        assert_eq!(country_tag(zz), 675);
        assert_ne!(
            key(
                BandBasis::Corridor,
                100_199,
                Some((country_tag(de), 1)),
                BaseUnit::Kilogram,
                978
            ),
            key(
                BandBasis::Corridor,
                100_199,
                Some((1, country_tag(de))),
                BaseUnit::Kilogram,
                978
            ),
        );
    }

    #[test]
    fn plain_decimals() {
        assert_eq!(parse_decimal("1250"), Some(dec("1250")));
        assert_eq!(parse_decimal("12.5"), Some(dec("12.5")));
        for bad in ["", ".", "-1", "1e3", "1.2.3", "+1", " 1"] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }
}
