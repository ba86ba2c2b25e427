//! The INSTEX files: claims in, per-claim results and payment instructions out.

use std::collections::HashMap;
use std::io::{self, BufReader, Read, Write};

use model::{ClaimId, ParticipantId, ZoneCode};

use super::setoff::read_header;
use super::{LineProblem, Lines, ReadError, echo, fields, is_blank, parse_amount, push_decimal};
use crate::instex::{CLAIMS_MAX, Claim, ClaimBook, Settlement, SubmittedAt};

/// The header of a claims file.
pub const CLAIMS_HEADER: &str =
    "id,debtor,debtor_zone,creditor,creditor_zone,amount,currency,priority,submitted_at";

/// A claims file: the book and the line of every claim.
#[derive(Debug, Clone)]
pub struct ClaimFile {
    /// The claims, in row order.
    pub book: ClaimBook,
    /// The line of every claim.
    pub lines: Vec<u64>,
}

/// Reads a claims file. With `zones`, a zone outside it is an error ("unknown zone"); without,
/// any valid zone code is accepted. Currencies must be ISO 4217 codes with a minor unit.
pub fn read_claims(input: impl Read, zones: Option<&[ZoneCode]>) -> Result<ClaimFile, ReadError> {
    let mut lines = Lines::new(BufReader::new(input));
    read_header(&mut lines, CLAIMS_HEADER)?;
    let mut claims = Vec::new();
    let mut numbers = Vec::new();
    let mut first_line: HashMap<ClaimId, u64> = HashMap::new();
    loop {
        let (number, line) = match lines.next_line() {
            Ok(Some(next)) => next,
            Ok(None) => break,
            Err(e) => return Err(ReadError::from_line_error(e)),
        };
        if is_blank(line) {
            continue;
        }
        if claims.len() >= CLAIMS_MAX {
            let problem = LineProblem::TooManyRows { max: CLAIMS_MAX };
            return Err(ReadError::line(number, problem));
        }
        let claim = parse_claim(line, zones).map_err(|p| ReadError::line(number, p))?;
        if let Some(&first) = first_line.get(&claim.id) {
            let id = claim.id.to_string();
            let problem = LineProblem::DuplicateId {
                id,
                first_line: first,
            };
            return Err(ReadError::line(number, problem));
        }
        first_line.insert(claim.id.clone(), number);
        claims.push(claim);
        numbers.push(number);
    }
    let book = ClaimBook::new(claims).map_err(|e| {
        let line = e.index().map_or(0, |i| numbers[i]);
        let reason = e.to_string();
        ReadError::line(
            line,
            LineProblem::Field {
                field: "claim",
                reason,
            },
        )
    })?;
    Ok(ClaimFile {
        book,
        lines: numbers,
    })
}

fn parse_claim(line: &[u8], zones: Option<&[ZoneCode]>) -> Result<Claim, LineProblem> {
    let [
        id,
        debtor,
        debtor_zone,
        creditor,
        creditor_zone,
        amount,
        currency,
        priority,
        at,
    ] = fields::<9>(line).ok_or(LineProblem::FieldCount {
        expected: 9,
        header: CLAIMS_HEADER,
    })?;
    let amount = parse_amount(amount)?;
    let claim = Claim {
        id: text(id, "id")?,
        debtor: text::<ParticipantId>(debtor, "debtor")?,
        debtor_zone: zone(debtor_zone, "debtor_zone", zones)?,
        creditor: text::<ParticipantId>(creditor, "creditor")?,
        creditor_zone: zone(creditor_zone, "creditor_zone", zones)?,
        amount: i64::try_from(amount).unwrap_or(i64::MAX),
        currency: currency_of(currency)?,
        priority: super::parse_u64(priority)
            .and_then(|p| u32::try_from(p).ok())
            .ok_or_else(|| bad("priority", priority, "is not an integer 0 to 4294967295"))?,
        submitted_at: std::str::from_utf8(at)
            .ok()
            .and_then(SubmittedAt::parse)
            .ok_or_else(|| {
                bad(
                    "submitted_at",
                    at,
                    "is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.fraction]Z",
                )
            })?,
    };
    if claim.debtor == claim.creditor {
        let party = claim.debtor.to_string();
        return Err(LineProblem::SameParty { party });
    }
    Ok(claim)
}

fn bad(field: &'static str, value: &[u8], why: &str) -> LineProblem {
    LineProblem::Field {
        field,
        reason: format!("{:?} {why}", echo(value)),
    }
}

fn text<T: std::str::FromStr>(value: &[u8], field: &'static str) -> Result<T, LineProblem>
where
    T::Err: std::fmt::Display,
{
    let s = std::str::from_utf8(value).map_err(|_| bad(field, value, "is not UTF-8"))?;
    s.parse::<T>().map_err(|e| LineProblem::Field {
        field,
        reason: e.to_string(),
    })
}

fn zone(
    value: &[u8],
    field: &'static str,
    zones: Option<&[ZoneCode]>,
) -> Result<ZoneCode, LineProblem> {
    let code: ZoneCode = text(value, field)?;
    match zones {
        Some(known) if !known.contains(&code) => Err(bad(field, value, "is an unknown zone")),
        _ => Ok(code),
    }
}

fn currency_of(value: &[u8]) -> Result<model::Currency, LineProblem> {
    let s = std::str::from_utf8(value).map_err(|_| bad("currency", value, "is not UTF-8"))?;
    let unknown = |e: model::CurrencyError| LineProblem::Field {
        field: "currency",
        reason: e.to_string(),
    };
    let currency = model::currency::from_code(s).map_err(unknown)?;
    model::currency::minor_unit_exponent(currency).map_err(unknown)?;
    Ok(currency)
}

/// Writes `id,cleared,set_off,queued` for every claim, in the book's order.
pub fn write_claim_results(
    mut out: impl Write,
    book: &ClaimBook,
    settlement: &Settlement,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 16);
    buf.extend_from_slice(b"id,cleared,set_off,queued\n");
    for (i, c) in book.claims().iter().enumerate() {
        let done = settlement.cleared[i];
        buf.extend_from_slice(c.id.as_str().as_bytes());
        for n in [done, settlement.set_off[i], c.amount - done] {
            buf.push(b',');
            push_decimal(&mut buf, u128::from(n.unsigned_abs()));
        }
        buf.push(b'\n');
        if buf.len() >= 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    out.flush()
}

/// Writes `zone,currency,participant,direction,amount` for every payment instruction; the
/// direction is `pays_house` or `paid_by_house` (the zone's house account).
pub fn write_payments(mut out: impl Write, settlement: &Settlement) -> io::Result<()> {
    let mut buf = Vec::new();
    buf.extend_from_slice(b"zone,currency,participant,direction,amount\n");
    for p in &settlement.payments {
        for part in [
            p.zone.as_str(),
            p.currency.code(),
            p.participant.as_str(),
            p.direction.as_str(),
        ] {
            buf.extend_from_slice(part.as_bytes());
            buf.push(b',');
        }
        push_decimal(&mut buf, p.amount);
        buf.push(b'\n');
    }
    out.write_all(&buf)?;
    out.flush()
}
