//! Calendar dates without time or zone: due dates and birth dates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::echo;

/// The earliest year of a [`Date`].
pub const DATE_YEAR_MIN: u16 = 1;
/// The latest year of a [`Date`]: years have four digits.
pub const DATE_YEAR_MAX: u16 = 9999;

/// A day of the proleptic Gregorian calendar, years [`DATE_YEAR_MIN`] to [`DATE_YEAR_MAX`].
///
/// The text form is ISO 8601 `YYYY-MM-DD`, used by `Display`, `FromStr` and serde. The order
/// is chronological. The crate reads no clock: whether a date is in the past is the caller's
/// question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    // Field order makes the derived `Ord` chronological.
    year: u16,
    month: u8,
    day: u8,
}

/// Why a date was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text is not `YYYY-MM-DD`.
    #[error("invalid date {input:?}: expected YYYY-MM-DD")]
    Format {
        /// The rejected text (shortened if long).
        input: String,
    },
    /// The year is outside [`DATE_YEAR_MIN`]..=[`DATE_YEAR_MAX`].
    #[error("invalid date: year {year} is outside {DATE_YEAR_MIN}..={DATE_YEAR_MAX}")]
    Year {
        /// The rejected year.
        year: u16,
    },
    /// The month is outside 1..=12.
    #[error("invalid date: month {month} is outside 1..=12")]
    Month {
        /// The rejected month.
        month: u8,
    },
    /// The day does not exist in that month (29 February of a common year, say).
    #[error("invalid date: {year:04}-{month:02} has no day {day} (it has {days})")]
    Day {
        /// The year.
        year: u16,
        /// The month.
        month: u8,
        /// The rejected day.
        day: u8,
        /// The number of days in that month.
        days: u8,
    },
}

/// Whether `year` is a Gregorian leap year.
fn is_leap_year(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// The number of days in `month` (1..=12) of `year`.
fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// The date `year`-`month`-`day`, if it exists in the calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date, DateError> {
        if !(DATE_YEAR_MIN..=DATE_YEAR_MAX).contains(&year) {
            return Err(DateError::Year { year });
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::Month { month });
        }
        let days = days_in_month(year, month);
        if !(1..=days).contains(&day) {
            return Err(DateError::Day {
                year,
                month,
                day,
                days,
            });
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(&self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{:04}-{:02}-{:02}", self.year, self.month, self.day);
        f.pad(&text)
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// Parses exactly `YYYY-MM-DD` (ten characters, ASCII digits, `-` separators).
    fn from_str(s: &str) -> Result<Date, DateError> {
        let format_error = || DateError::Format { input: echo(s) };
        let digits = |range: std::ops::Range<usize>| -> Result<u16, DateError> {
            let part = s.get(range).ok_or_else(format_error)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format_error());
            }
            part.parse().map_err(|_| format_error())
        };
        if s.len() != 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
            return Err(format_error());
        }
        let year = digits(0..4)?;
        let month = u8::try_from(digits(5..7)?).map_err(|_| format_error())?;
        let day = u8::try_from(digits(8..10)?).map_err(|_| format_error())?;
        Date::new(year, month, day)
    }
}

impl TryFrom<String> for Date {
    type Error = DateError;

    fn try_from(value: String) -> Result<Date, DateError> {
        value.parse()
    }
}

impl From<Date> for String {
    fn from(date: Date) -> String {
        date.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_rules() {
        assert!(Date::new(2024, 2, 29).is_ok());
        assert!(Date::new(2000, 2, 29).is_ok());
        assert!(Date::new(1900, 2, 29).is_err());
        assert!(Date::new(2023, 2, 29).is_err());
        assert!(Date::new(2023, 4, 31).is_err());
        assert!(Date::new(2023, 12, 31).is_ok());
        assert!(Date::new(2023, 13, 1).is_err());
        assert!(Date::new(2023, 0, 1).is_err());
        assert!(Date::new(2023, 1, 0).is_err());
        assert!(Date::new(0, 1, 1).is_err());
        assert!(Date::new(10_000, 1, 1).is_err());
        assert_eq!(
            Date::new(2023, 2, 29).unwrap_err().to_string(),
            "invalid date: 2023-02 has no day 29 (it has 28)"
        );
    }

    #[test]
    fn text_form() {
        let date: Date = "2024-02-29".parse().unwrap();
        assert_eq!((date.year(), date.month(), date.day()), (2024, 2, 29));
        assert_eq!(date.to_string(), "2024-02-29");
        assert_eq!(Date::new(7, 1, 2).unwrap().to_string(), "0007-01-02");
        for bad in [
            "",
            "2024-2-29",
            "2024/02/29",
            "24-02-29",
            "2024-02-29T00:00",
            "+024-02-29",
            "2024-0a-29",
            "2024-02-2é",
            "２０２４-02-29",
            "2024-02--1",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad:?}");
        }
        assert_eq!(
            "2024-2-29".parse::<Date>().unwrap_err().to_string(),
            r#"invalid date "2024-2-29": expected YYYY-MM-DD"#
        );
    }

    #[test]
    fn order_is_chronological() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert!(d("2023-12-31") < d("2024-01-01"));
        assert!(d("2024-01-31") < d("2024-02-01"));
    }

    #[test]
    fn serde_as_string() {
        let date = Date::new(2026, 3, 31).unwrap();
        assert_eq!(serde_json::to_string(&date).unwrap(), r#""2026-03-31""#);
        assert_eq!(
            serde_json::from_str::<Date>(r#""2026-03-31""#).unwrap(),
            date
        );
        assert!(serde_json::from_str::<Date>(r#""2026-02-30""#).is_err());
    }
}
