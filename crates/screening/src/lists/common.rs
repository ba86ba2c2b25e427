//! What every parser shares: building an [`Entity`] with limits and de-duplication, and reading
//! the date shapes the lists use.

use crate::entity::{Entity, Identifier, Name, NameStrength, PartialDate, Schema};

use super::{ENTITIES_MAX, NAME_CHARS_MAX, NAMES_PER_ENTITY_MAX, countries};

/// Most identifiers, countries, dates or programmes kept on one entity: bounds memory on
/// hostile input (real entities have at most a few dozen).
const VALUES_PER_ENTITY_MAX: usize = 1_000;

/// Entities assembled from rows that may be spread over a file (CSL, UK), in order of first sight.
#[derive(Debug, Default)]
pub(crate) struct DraftsById {
    pub(crate) drafts: Vec<Draft>,
    by_id: std::collections::HashMap<String, usize>,
}

impl DraftsById {
    /// The draft with this id, created on first sight with `schema()`; an error past
    /// [`ENTITIES_MAX`].
    pub(crate) fn get_or_create(
        &mut self,
        source: &str,
        id: &str,
        schema: impl FnOnce() -> Schema,
    ) -> Result<&mut Draft, String> {
        let index = match self.by_id.get(id) {
            Some(&index) => index,
            None => {
                if self.drafts.len() >= ENTITIES_MAX {
                    return Err(format!("more than {ENTITIES_MAX} entities"));
                }
                self.by_id.insert(id.to_owned(), self.drafts.len());
                self.drafts.push(Draft::new(source, id, schema()));
                self.drafts.len() - 1
            }
        };
        Ok(&mut self.drafts[index])
    }
}

/// An entity being assembled from the parts of a list record.
#[derive(Debug)]
pub(crate) struct Draft {
    entity: Entity,
}

impl Draft {
    pub(crate) fn new(source: &str, native_id: &str, schema: Schema) -> Self {
        Draft {
            entity: Entity {
                id: format!("{source}:{native_id}"),
                schema,
                caption: String::new(),
                names: Vec::new(),
                birth_dates: Vec::new(),
                countries: Vec::new(),
                identifiers: Vec::new(),
                programs: Vec::new(),
                source: source.to_owned(),
            },
        }
    }

    pub(crate) fn schema(&self) -> Schema {
        self.entity.schema
    }

    pub(crate) fn set_schema(&mut self, schema: Schema) {
        self.entity.schema = schema;
    }

    pub(crate) fn has_names(&self) -> bool {
        !self.entity.names.is_empty()
    }

    /// Adds a name; blank names are ignored, a repeated one is merged (a strong or primary
    /// repetition upgrades the earlier one). Errors on absurd sizes.
    pub(crate) fn add_name(
        &mut self,
        full: &str,
        given: Option<&str>,
        family: Option<&str>,
        strength: NameStrength,
        primary: bool,
    ) -> Result<(), String> {
        let full = clean(full);
        if full.is_empty() {
            return Ok(());
        }
        let chars = full.chars().count();
        if chars > NAME_CHARS_MAX {
            return Err(format!(
                "a name of {chars} characters; at most {NAME_CHARS_MAX} are accepted"
            ));
        }
        if let Some(known) = self.entity.names.iter_mut().find(|n| n.full == full) {
            if strength == NameStrength::Strong {
                known.strength = NameStrength::Strong;
            }
            known.primary |= primary;
            return Ok(());
        }
        if self.entity.names.len() >= NAMES_PER_ENTITY_MAX {
            return Err(format!(
                "more than {NAMES_PER_ENTITY_MAX} names on one entity"
            ));
        }
        let part = |p: Option<&str>| p.map(clean).filter(|p| !p.is_empty());
        self.entity.names.push(Name {
            full,
            given: part(given),
            family: part(family),
            strength,
            primary,
        });
        Ok(())
    }

    /// Adds a country given as an ISO alpha-2 code already.
    pub(crate) fn add_country_code(&mut self, code: &str) {
        push_unique(&mut self.entity.countries, code.to_owned());
    }

    /// Adds a country given by name as the list writes it; unknown names are dropped.
    pub(crate) fn add_country_name(&mut self, name: &str) {
        if let Some(code) = countries::to_iso2(name) {
            self.add_country_code(code);
        }
    }

    pub(crate) fn add_birth_date(&mut self, date: PartialDate) {
        push_unique(&mut self.entity.birth_dates, date);
    }

    pub(crate) fn add_identifier(&mut self, kind: &str, value: &str, country: Option<&str>) {
        let value = clean(value);
        if value.is_empty() || value.len() > NAME_CHARS_MAX {
            return;
        }
        let identifier = Identifier {
            kind: clean(kind),
            value,
            country: country.map(str::to_owned),
        };
        push_unique(&mut self.entity.identifiers, identifier);
    }

    pub(crate) fn add_program(&mut self, program: &str) {
        let program = clean(program);
        if !program.is_empty() && program.len() <= NAME_CHARS_MAX {
            push_unique(&mut self.entity.programs, program);
        }
    }

    /// The finished entity: primary names first, the first primary as caption. An entity with no
    /// name cannot be screened, so that is an error.
    pub(crate) fn finish(mut self) -> Result<Entity, String> {
        if self.entity.names.is_empty() {
            return Err(format!("{} has no name", self.entity.id));
        }
        if !self.entity.names.iter().any(|n| n.primary) {
            self.entity.names[0].primary = true;
        }
        // A stable sort keeps the list's own order within primaries and within aliases.
        self.entity.names.sort_by_key(|n| !n.primary);
        self.entity.caption = self.entity.names[0].full.clone();
        Ok(self.entity)
    }
}

fn push_unique<T: PartialEq>(values: &mut Vec<T>, value: T) {
    if values.len() < VALUES_PER_ENTITY_MAX && !values.contains(&value) {
        values.push(value);
    }
}

/// Trims and collapses runs of whitespace (lists wrap long names over lines), and drops control
/// characters.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A year the lists can mean: anything else is a typo or garbage.
fn plausible_year(year: u32) -> Option<u16> {
    (1000..=2999)
        .contains(&year)
        .then(|| u16::try_from(year).ok())
        .flatten()
}

fn month_day(month: u32, day: u32) -> Option<(Option<u8>, Option<u8>)> {
    let month = match month {
        0 => None,
        1..=12 => u8::try_from(month).ok(),
        _ => return None,
    };
    let day = match day {
        0 => None,
        1..=31 => u8::try_from(day).ok(),
        _ => return None,
    };
    // A day without its month says nothing usable.
    Some((month, if month.is_some() { day } else { None }))
}

fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or the date part of an ISO date-time.
pub(crate) fn iso_date(text: &str) -> Option<PartialDate> {
    let text = text.trim();
    let date = text.split(['T', ' ']).next().unwrap_or("");
    let mut parts = date.split('-');
    let year = plausible_year(number(parts.next()?).filter(|_| date.len() >= 4)?)?;
    let month = parts.next().map(number).unwrap_or(Some(0))?;
    let day = parts.next().map(number).unwrap_or(Some(0))?;
    if parts.next().is_some() {
        return None;
    }
    let (month, day) = month_day(month, day)?;
    Some(PartialDate { year, month, day })
}

/// The `YYYY-MM-DD` at the start of an ISO date-time, if it is one (a list's own date).
pub(crate) fn iso_day(text: &str) -> Option<String> {
    let day = text.trim().get(..10)?;
    iso_date(day)
        .filter(|d| d.day.is_some())
        .map(|_| day.to_owned())
}

/// `DD/MM/YYYY` (UK, with `00` for an unknown part) or `MM/DD/YYYY` (US) when `month_first`.
pub(crate) fn slash_date(text: &str, month_first: bool) -> Option<PartialDate> {
    let mut parts = text.trim().split('/');
    let (a, b, year) = (
        number(parts.next()?)?,
        number(parts.next()?)?,
        number(parts.next()?)?,
    );
    if parts.next().is_some() {
        return None;
    }
    let (month, day) = if month_first { (a, b) } else { (b, a) };
    let (month, day) = month_day(month, day)?;
    Some(PartialDate {
        year: plausible_year(year)?,
        month,
        day,
    })
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_name(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    let prefix = word.get(..3)?;
    let index = MONTHS.iter().position(|m| *m == prefix)?;
    u32::try_from(index + 1).ok()
}

/// `06 Aug 1962`, `Aug 1962`, `1962` (OFAC remarks).
pub(crate) fn day_month_year(text: &str) -> Option<PartialDate> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (day, month, year) = match words.as_slice() {
        [year] => (0, 0, *year),
        [month, year] => (0, month_name(month)?, *year),
        [day, month, year] => (number(day)?, month_name(month)?, *year),
        _ => return None,
    };
    let (month, day) = month_day(month, day)?;
    Some(PartialDate {
        year: plausible_year(number(year)?)?,
        month,
        day,
    })
}

/// Most years spelled out for one "between" range; a wider range keeps only its bounds, since
/// every year of it would match too much.
const RANGE_YEARS_MAX: u16 = 10;

/// The years a birth-date range stands for: each year of a short range, the bounds of a long one.
pub(crate) fn year_range(from: PartialDate, to: PartialDate) -> Vec<PartialDate> {
    let year_only = |year| PartialDate {
        year,
        month: None,
        day: None,
    };
    // "01 Jan 1960 to 31 Dec 1962" says years, not days.
    let whole_years =
        (from.month, from.day, to.month, to.day) == (Some(1), Some(1), Some(12), Some(31));
    let years_only = from.month.is_none() && to.month.is_none();
    if (whole_years || years_only) && from.year <= to.year && to.year - from.year <= RANGE_YEARS_MAX
    {
        return (from.year..=to.year).map(year_only).collect();
    }
    vec![from, to]
}

/// The latest of some dates that is not an outlier: a date more than a year after every other
/// one is a typo (the DPL has a `Last_Update` of 3033-09-30), so it is skipped.
pub(crate) fn latest_plausible(mut dates: Vec<PartialDate>) -> Option<String> {
    dates.sort();
    dates.dedup();
    while dates.len() >= 2 {
        let last = dates[dates.len() - 1];
        let before = dates[dates.len() - 2];
        if last.year > before.year + 1 {
            dates.pop();
        } else {
            break;
        }
    }
    let date = dates.last()?;
    Some(match (date.month, date.day) {
        (Some(month), Some(day)) => format!("{:04}-{month:02}-{day:02}", date.year),
        (Some(month), None) => format!("{:04}-{month:02}", date.year),
        _ => format!("{:04}", date.year),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: u16, month: Option<u8>, day: Option<u8>) -> PartialDate {
        PartialDate { year, month, day }
    }

    #[test]
    fn dates_in_every_shape() {
        assert_eq!(iso_date("1962-08-06"), Some(date(1962, Some(8), Some(6))));
        assert_eq!(
            iso_date("2026-02-27T00:00:09.554Z"),
            Some(date(2026, Some(2), Some(27)))
        );
        assert_eq!(iso_date("1962"), Some(date(1962, None, None)));
        assert_eq!(iso_date("62"), None);
        assert_eq!(iso_date("1962-13-01"), None);
        assert_eq!(
            slash_date("00/00/1958", false),
            Some(date(1958, None, None))
        );
        assert_eq!(
            slash_date("22/12/1971", false),
            Some(date(1971, Some(12), Some(22)))
        );
        assert_eq!(
            slash_date("06/19/2003", true),
            Some(date(2003, Some(6), Some(19)))
        );
        assert_eq!(
            day_month_year("06 Aug 1962"),
            Some(date(1962, Some(8), Some(6)))
        );
        assert_eq!(day_month_year("Aug 1962"), Some(date(1962, Some(8), None)));
        assert_eq!(day_month_year("1962"), Some(date(1962, None, None)));
        assert_eq!(day_month_year("circa"), None);
    }

    #[test]
    fn ranges_and_outliers() {
        let y = |year| date(year, None, None);
        assert_eq!(year_range(y(1955), y(1958)).len(), 4);
        assert_eq!(year_range(y(1900), y(1980)), vec![y(1900), y(1980)]);
        let dates = vec![
            date(2023, Some(11), Some(28)),
            date(3033, Some(9), Some(30)),
        ];
        assert_eq!(latest_plausible(dates).as_deref(), Some("2023-11-28"));
    }

    #[test]
    fn names_merge_and_order() {
        let mut draft = Draft::new("x", "1", Schema::Person);
        draft
            .add_name("  MOIS ", None, None, NameStrength::Weak, false)
            .unwrap();
        draft
            .add_name("MINISTRY", None, None, NameStrength::Strong, true)
            .unwrap();
        draft
            .add_name("MOIS", None, None, NameStrength::Strong, false)
            .unwrap();
        let entity = draft.finish().unwrap();
        assert_eq!(entity.caption, "MINISTRY");
        assert_eq!(entity.names.len(), 2);
        assert_eq!(entity.names[1].strength, NameStrength::Strong);
        assert!(Draft::new("x", "2", Schema::Person).finish().is_err());
    }
}
