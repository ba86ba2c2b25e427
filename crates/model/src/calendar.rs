//! One calendar for the workspace: UTC instants as nanoseconds since 1970-01-01 (what the
//! house's clock gives), their civil dates and RFC 3339 text, and the way back.
//!
//! Pure: nothing here reads a clock. Every `u64` of nanoseconds is a real instant (1970-01-01 to
//! 2554-07-21), so the conversions from an instant are total; the conversions to one return
//! `None` outside that range.

use crate::Date;

/// Nanoseconds in a second.
pub const SECOND_NS: u64 = 1_000_000_000;
/// Nanoseconds in a day (UTC has no leap seconds here, as in POSIX time).
pub const DAY_NS: u64 = 86_400 * SECOND_NS;
const NANOS_PER_SECOND: u64 = SECOND_NS;
const SECONDS_PER_DAY: u64 = 86_400;

/// The UTC civil date and second of day of an instant: (year, month, day, second of day).
///
/// Days since 1970-01-01 are turned into a Gregorian date by counting 400-year eras from
/// 0000-03-01 (so that the leap day ends a year). A `u64` of nanoseconds reaches 2554, so the
/// year fits `u16` and every intermediate value is non-negative.
fn civil(ns: u64) -> (u16, u8, u8, u64) {
    let seconds = ns / NANOS_PER_SECOND;
    let days = seconds / SECONDS_PER_DAY;
    let second_of_day = seconds % SECONDS_PER_DAY;
    // 719_468 days from 0000-03-01 to 1970-01-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z - era * 146_097; // 0..=146_096
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153; // 0 = March … 11 = February
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    // Bounds: year 1970..=2554, month 1..=12, day 1..=31, so the narrowing casts are exact.
    (year as u16, month as u8, day as u8, second_of_day)
}

/// The instant as RFC 3339 UTC to the second, such as `2026-11-24T10:15:30Z`.
///
/// Sub-second nanoseconds are dropped (truncated, never rounded up).
pub fn utc_timestamp(ns: u64) -> String {
    let (year, month, day, second_of_day) = civil(ns);
    let hour = second_of_day / 3_600;
    let minute = second_of_day / 60 % 60;
    let second = second_of_day % 60;
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// The UTC calendar date of the instant.
///
/// Total: every `u64` of nanoseconds falls between 1970-01-01 and 2554-07-21.
pub fn utc_date(ns: u64) -> Date {
    let (year, month, day, _) = civil(ns);
    Date::new(year, month, day).expect("civil() yields a real date in years 1970..=2554")
}

/// The instant `nanos_of_day` into `date` (UTC), in nanoseconds since 1970-01-01: the inverse
/// of [`utc_date`]. `None` before 1970 or past what a `u64` holds.
pub fn utc_ns(date: Date, nanos_of_day: u64) -> Option<u64> {
    let (month, day) = (i64::from(date.month()), i64::from(date.day()));
    // Years counted from March, as in `civil`, so that the leap day ends a year.
    let year = i64::from(date.year()) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = u64::try_from(era * 146_097 + day_of_era - 719_468).ok()?;
    days.checked_mul(SECONDS_PER_DAY * NANOS_PER_SECOND)?
        .checked_add(nanos_of_day)
}

/// Parses an RFC 3339 UTC instant, `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (or a bare date, taken
/// as its midnight), into nanoseconds: the inverse of [`utc_timestamp`]. Offsets other than
/// `Z` and instants outside 1970..2554 give `None`.
pub fn parse_utc(text: &str) -> Option<u64> {
    let (date, rest) = match text.split_once('T') {
        Some((date, rest)) => (date, Some(rest)),
        None => (text, None),
    };
    let date: Date = date.parse().ok()?;
    let Some(rest) = rest else {
        return utc_ns(date, 0);
    };
    utc_ns(date, parse_time_of_day(rest.strip_suffix('Z')?)?)
}

/// `HH:MM:SS[.fraction]` as nanoseconds of the day; at most 9 fraction digits.
pub fn parse_time_of_day(time: &str) -> Option<u64> {
    let (hms, fraction) = match time.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (time, None),
    };
    let b = hms.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<u64> {
        let (x, y) = (b[i], b[i + 1]);
        (x.is_ascii_digit() && y.is_ascii_digit())
            .then(|| u64::from(x - b'0') * 10 + u64::from(y - b'0'))
    };
    let (h, m, s) = (two(0)?, two(3)?, two(6)?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let mut nanos = 0u64;
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        nanos = f.parse::<u64>().ok()? * 10u64.pow(9 - f.len() as u32);
    }
    Some(((h * 60 + m) * 60 + s) * NANOS_PER_SECOND + nanos)
}

/// The date `days` after `date` (before, if negative); `None` outside years 1970..2554.
pub fn add_days(date: Date, days: i64) -> Option<Date> {
    let start = utc_ns(date, 0)?;
    let shift = days.unsigned_abs().checked_mul(DAY_NS)?;
    let moved = if days >= 0 {
        start.checked_add(shift)?
    } else {
        start.checked_sub(shift)?
    };
    Some(utc_date(moved))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_24_2026_S: u64 = 1_795_478_400;

    fn ns(seconds: u64) -> u64 {
        seconds * NANOS_PER_SECOND
    }

    #[test]
    fn utc_conversions() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_date(0), Date::new(1970, 1, 1).expect("date"));
        assert_eq!(utc_timestamp(ns(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(
            utc_date(ns(951_782_400)),
            Date::new(2000, 2, 29).expect("date")
        );
        assert_eq!(utc_timestamp(ns(951_782_400) - 1), "2000-02-28T23:59:59Z");
        assert_eq!(utc_timestamp(ns(NOV_24_2026_S)), "2026-11-24T00:00:00Z");
        assert_eq!(
            utc_timestamp(ns(NOV_24_2026_S + 36_930)),
            "2026-11-24T10:15:30Z"
        );
        assert_eq!(utc_timestamp(ns(1_709_251_199)), "2024-02-29T23:59:59Z");
        assert_eq!(utc_timestamp(ns(1_709_251_200)), "2024-03-01T00:00:00Z");
        assert_eq!(utc_timestamp(ns(4_107_542_400)), "2100-03-01T00:00:00Z");
        assert_eq!(utc_timestamp(ns(1_767_225_599)), "2025-12-31T23:59:59Z");
        assert_eq!(utc_timestamp(u64::MAX), "2554-07-21T23:34:33Z");
        assert_eq!(utc_date(u64::MAX), Date::new(2554, 7, 21).expect("date"));
        let before_1970 = Date::new(1969, 12, 31).expect("date");
        assert_eq!(utc_ns(before_1970, 0), None);
        assert_eq!(utc_ns(Date::new(2554, 7, 22).expect("date"), 0), None);
    }

    #[test]
    fn utc_dates_agree_with_a_day_count() {
        // Walk every day from 1970 to 2200 and compare with counting days per month.
        let mut days: u64 = 0;
        for year in 1970u16..2200 {
            for month in 1u8..=12 {
                let leap = year.is_multiple_of(4)
                    && (!year.is_multiple_of(100) || year.is_multiple_of(400));
                let length = match month {
                    2 if leap => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                for day in 1..=length {
                    let expected = Date::new(year, month, day).expect("date");
                    assert_eq!(utc_date(ns(days * SECONDS_PER_DAY + 43_200)), expected);
                    assert_eq!(utc_ns(expected, 0), Some(ns(days * SECONDS_PER_DAY)));
                    days += 1;
                }
            }
        }
    }

    #[test]
    fn text_round_trips() {
        for s in [0, 951_782_400, NOV_24_2026_S + 36_930] {
            assert_eq!(parse_utc(&utc_timestamp(ns(s))), Some(ns(s)));
        }
        assert_eq!(
            parse_utc("2026-11-24T10:15:30.5Z"),
            Some(ns(NOV_24_2026_S + 36_930) + 500_000_000)
        );
        assert_eq!(parse_utc("2026-11-24"), Some(ns(NOV_24_2026_S)));
        for bad in [
            "2026-11-24T10:15:30",
            "2026-11-24T10:15:30+01:00",
            "2026-11-24T24:00:00Z",
            "1969-12-31",
            "x",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
        let d = Date::new(2024, 2, 28).expect("date");
        assert_eq!(add_days(d, 1), Some(Date::new(2024, 2, 29).expect("date")));
        assert_eq!(
            add_days(d, -365),
            Some(Date::new(2023, 2, 28).expect("date"))
        );
    }
}
