//! Values read from text: amounts, datetimes, dates, codes and namespaces. Pure functions; an
//! error is a message, which the caller places (line and path).

use model::calendar::{parse_time_of_day, utc_date, utc_ns};
use model::currency::minor_unit_exponent;
use model::{Currency, Date};

use super::xml::echo;

/// The most digits of an amount in minor units (the schemas' `totalDigits`).
const AMOUNT_DIGITS_MAX: usize = 18;
/// The prefix of every ISO 20022 message namespace.
const NAMESPACE_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:";
/// The largest UTC offset of a datetime, in hours (real zones go from -12 to +14).
const OFFSET_HOURS_MAX: i64 = 14;

/// A non-negative decimal amount (`1234.5`, `+0.50`, `7.`) in minor units of `currency`.
///
/// Refused: a sign `-`, more decimals than the currency has (even zeros: `10.000` EUR), more
/// than [`AMOUNT_DIGITS_MAX`] digits in minor units, anything but digits and one point.
pub(super) fn amount_minor(text: &str, currency: Currency) -> Result<i64, String> {
    let exponent = usize::from(minor_unit_exponent(currency).map_err(|e| e.to_string())?);
    if text.starts_with('-') {
        return Err(format!("the amount {} is negative", echo(text)));
    }
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(format!("{} is not a decimal amount", echo(text)));
    }
    if fraction.len() > exponent {
        return Err(format!(
            "the amount {} has {} decimals; {} has {exponent}",
            echo(text),
            fraction.len(),
            currency.code()
        ));
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() + exponent > AMOUNT_DIGITS_MAX {
        return Err(format!(
            "the amount {} has more than {AMOUNT_DIGITS_MAX} digits in minor units of {}",
            echo(text),
            currency.code()
        ));
    }
    // At most 18 digits, so below 10^18 < i64::MAX: no step overflows.
    let padding = std::iter::repeat_n(b'0', exponent - fraction.len());
    let minor = whole
        .bytes()
        .chain(fraction.bytes())
        .chain(padding)
        .fold(0i64, |sum, digit| sum * 10 + i64::from(digit - b'0'));
    Ok(minor)
}

/// An `ISODateTime` (`YYYY-MM-DDThh:mm:ss[.f]` with `Z`, `±hh:mm` or no zone, which is UTC) in
/// UTC nanoseconds since 1970-01-01.
pub(super) fn datetime_ns(text: &str) -> Result<u64, String> {
    let expected = || {
        format!(
            "{} is not a datetime YYYY-MM-DDThh:mm:ss[+hh:mm]",
            echo(text)
        )
    };
    if !text.is_ascii() {
        return Err(expected());
    }
    let (date, time) = text.split_once('T').ok_or_else(expected)?;
    let date: Date = date.parse().map_err(|_| expected())?;
    let (time, offset_s) = split_zone(time).ok_or_else(expected)?;
    let nanos_of_day = parse_time_of_day(time).ok_or_else(expected)?;
    let outside = || format!("the datetime {} is outside 1970 to 2554", echo(text));
    let midnight_ns = utc_ns(date, 0).ok_or_else(outside)?;
    let local_ns = i128::from(midnight_ns) + i128::from(nanos_of_day);
    let utc = local_ns - i128::from(offset_s) * 1_000_000_000;
    u64::try_from(utc).map_err(|_| outside())
}

/// An `ISODate` (`YYYY-MM-DD`, a zone after it is allowed and dropped).
pub(super) fn date(text: &str) -> Result<Date, String> {
    let expected = || format!("{} is not a date YYYY-MM-DD", echo(text));
    let day = text.get(..10).ok_or_else(expected)?;
    let zone = text.get(10..).ok_or_else(expected)?;
    if !zone.is_empty() && !matches!(split_zone(zone), Some(("", _))) {
        return Err(expected());
    }
    day.parse::<Date>().map_err(|e| e.to_string())
}

/// The UTC date of a datetime.
pub(super) fn datetime_date(text: &str) -> Result<Date, String> {
    Ok(utc_date(datetime_ns(text)?))
}

/// Splits a zone suffix (`Z`, `+hh:mm`, `-hh:mm`) off an ASCII time: the time and the offset in
/// seconds east of UTC. No zone is offset 0. `None` for a malformed offset.
fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(time) = time.strip_suffix('Z') {
        return Some((time, 0));
    }
    let b = time.as_bytes();
    let Some(at) = b.len().checked_sub(6) else {
        return Some((time, 0));
    };
    let sign = match b[at] {
        b'+' => 1,
        b'-' => -1,
        _ => return Some((time, 0)),
    };
    let two = |i: usize| -> Option<i64> {
        let (x, y) = (*b.get(i)?, *b.get(i + 1)?);
        (x.is_ascii_digit() && y.is_ascii_digit()).then(|| i64::from((x - b'0') * 10 + (y - b'0')))
    };
    let (hours, minutes) = (two(at + 1)?, two(at + 4)?);
    if b[at + 3] != b':' || hours > OFFSET_HOURS_MAX || minutes > 59 {
        return None;
    }
    Some((time.get(..at)?, sign * (hours * 3_600 + minutes * 60)))
}

/// `CRDT` is a credit (true), `DBIT` a debit (false).
pub(super) fn credit_debit(text: &str) -> Result<bool, String> {
    match text {
        "CRDT" => Ok(true),
        "DBIT" => Ok(false),
        _ => Err(format!("{} is neither CRDT nor DBIT", echo(text))),
    }
}

/// An `xs:boolean`: `true`, `false`, `1` or `0`.
pub(super) fn boolean(text: &str) -> Result<bool, String> {
    match text {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("{} is not a boolean (true or false)", echo(text))),
    }
}

/// An ISO 4217 currency code that has a minor unit (so that money in it has a scale).
pub(super) fn currency(code: &str) -> Result<Currency, String> {
    let currency = model::currency::from_code(code).map_err(|e| e.to_string())?;
    minor_unit_exponent(currency).map_err(|e| e.to_string())?;
    Ok(currency)
}

/// An ISO 20022 message namespace split into message (`camt.054`) and version (`8` for
/// `.001.08`); `None` for any other namespace.
pub(super) fn iso_message(namespace: &str) -> Option<(&str, u8)> {
    let id = namespace.strip_prefix(NAMESPACE_PREFIX)?;
    let message = id.get(..8)?;
    let version = id.get(8..)?.strip_prefix(".001.")?;
    if version.len() != 2 || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((message, version.parse().ok()?))
}

/// What a namespace is, for an error saying what was found.
pub(super) fn describe_namespace(namespace: &str) -> String {
    match iso_message(namespace) {
        Some((message, version)) => format!("{message}.001.{version:02}"),
        None => format!("the namespace {}", echo(namespace)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        currency("EUR").expect("EUR")
    }

    #[test]
    fn amounts_are_read_exactly() {
        assert_eq!(amount_minor("1234.56", eur()), Ok(123_456));
        assert_eq!(amount_minor("1234.5", eur()), Ok(123_450));
        assert_eq!(amount_minor("1234", eur()), Ok(123_400));
        assert_eq!(amount_minor("+0.01", eur()), Ok(1));
        assert_eq!(amount_minor(".5", eur()), Ok(50));
        assert_eq!(amount_minor("7.", eur()), Ok(700));
        assert_eq!(amount_minor("0000000000000000000012.00", eur()), Ok(1_200));
        assert_eq!(
            amount_minor("9999999999999999.99", eur()),
            Ok(999_999_999_999_999_999)
        );
        let jpy = currency("JPY").expect("JPY");
        assert_eq!(amount_minor("1500", jpy), Ok(1_500));
        assert!(amount_minor("1500.0", jpy).is_err());
        let bhd = currency("BHD").expect("BHD");
        assert_eq!(amount_minor("1.234", bhd), Ok(1_234));
    }

    #[test]
    fn bad_amounts_are_refused() {
        for bad in [
            "",
            ".",
            "-1.00",
            "-0",
            "1,00",
            "1.2.3",
            "1e3",
            " 1",
            "10.001",
            "10.000",
            "10000000000000000.00",
            "99999999999999999999",
            "0x10",
            "١٢",
        ] {
            assert!(amount_minor(bad, eur()).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn datetimes_convert_offsets_to_utc() {
        let utc = datetime_ns("2026-11-24T10:15:30Z").expect("utc");
        assert_eq!(datetime_ns("2026-11-24T10:15:30"), Ok(utc));
        assert_eq!(datetime_ns("2026-11-24T11:15:30+01:00"), Ok(utc));
        assert_eq!(datetime_ns("2026-11-24T05:15:30-05:00"), Ok(utc));
        assert_eq!(datetime_ns("2026-11-24T10:15:30.5Z"), Ok(utc + 500_000_000));
        assert_eq!(
            datetime_ns("2026-11-24T11:15:30.25+01:00"),
            Ok(utc + 250_000_000)
        );
        assert_eq!(
            datetime_date("2026-11-25T00:30:00+01:00"),
            Ok(Date::new(2026, 11, 24).expect("date"))
        );
        for bad in [
            "2026-11-24",
            "2026-11-24T25:00:00",
            "2026-11-24T10:15:30+15:00",
            "2026-11-24T10:15:30+01",
            "1970-01-01T00:30:00+01:00",
            "1969-12-31T23:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-24T10:15:30+01:0x",
            "é026-11-24T10:15:30Z",
        ] {
            assert!(datetime_ns(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn dates_may_carry_a_zone() {
        let day = Date::new(2026, 11, 24).expect("date");
        assert_eq!(date("2026-11-24"), Ok(day));
        assert_eq!(date("2026-11-24Z"), Ok(day));
        assert_eq!(date("2026-11-24+01:00"), Ok(day));
        for bad in [
            "2026-11-2",
            "2026-11-24T",
            "2026-11-24+1",
            "2026-02-30",
            "24.11.2026",
        ] {
            assert!(date(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn namespaces_name_message_and_version() {
        assert_eq!(
            iso_message("urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"),
            Some(("camt.054", 8))
        );
        assert_eq!(
            iso_message("urn:iso:std:iso:20022:tech:xsd:pain.002.001.12"),
            Some(("pain.002", 12))
        );
        for other in [
            "urn:iso:std:iso:20022:tech:xsd:camt.054.001.8",
            "urn:iso:std:iso:20022:tech:xsd:camt.054.002.08",
            "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08x",
            "http://example.com/camt.054.001.08",
            "",
        ] {
            assert_eq!(iso_message(other), None, "{other}");
        }
    }
}
