//! INSTEX claims and their validation.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use model::calendar::parse_time_of_day;
use model::{ClaimId, Currency, Date, ParticipantId, ZoneCode};

/// Most claims in one clearing cycle.
pub const CLAIMS_MAX: usize = 10_000_000;
/// Nanoseconds in a day.
const DAY_NANOS: u64 = 86_400 * 1_000_000_000;

/// When a claim was submitted, in UTC, to the nanosecond: the order of claims of equal priority.
/// Text form: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubmittedAt {
    date: Date,
    nanos_of_day: u64,
}

impl SubmittedAt {
    /// A time of day on `date`; `None` if `nanos_of_day` is a day or more.
    pub fn new(date: Date, nanos_of_day: u64) -> Option<SubmittedAt> {
        (nanos_of_day < DAY_NANOS).then_some(SubmittedAt { date, nanos_of_day })
    }

    /// The day and the nanoseconds into it.
    pub fn parts(&self) -> (Date, u64) {
        (self.date, self.nanos_of_day)
    }

    /// Parses the text form.
    pub fn parse(text: &str) -> Option<SubmittedAt> {
        let (date, rest) = match text.split_once('T') {
            Some((date, rest)) => (date, Some(rest)),
            None => (text, None),
        };
        let date: Date = date.parse().ok()?;
        let Some(rest) = rest else {
            return SubmittedAt::new(date, 0);
        };
        SubmittedAt::new(date, parse_time_of_day(rest.strip_suffix('Z')?)?)
    }
}

impl fmt::Display for SubmittedAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.nanos_of_day / 1_000_000_000;
        let nanos = self.nanos_of_day % 1_000_000_000;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        write!(f, "{}T{h:02}:{m:02}:{s:02}", self.date)?;
        if nanos != 0 {
            write!(f, ".{nanos:09}")?;
        }
        f.write_str("Z")
    }
}

/// One claim: `debtor` (in `debtor_zone`) owes `creditor` (in `creditor_zone`) `amount` minor
/// units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The claim's id, unique in a book.
    pub id: ClaimId,
    /// Who owes.
    pub debtor: ParticipantId,
    /// The debtor's zone.
    pub debtor_zone: ZoneCode,
    /// Who is owed.
    pub creditor: ParticipantId,
    /// The creditor's zone.
    pub creditor_zone: ZoneCode,
    /// Amount in minor units, 1 to `i64::MAX`.
    pub amount: i64,
    /// The currency (one with a minor unit).
    pub currency: Currency,
    /// Lower is served first (humanitarian goods ahead).
    pub priority: u32,
    /// Earlier is served first among equal priorities.
    pub submitted_at: SubmittedAt,
}

impl Claim {
    /// Whether debtor and creditor are in different zones.
    pub fn is_cross_border(&self) -> bool {
        self.debtor_zone != self.creditor_zone
    }

    /// The selection order: priority, then submission time, then id.
    pub fn rank_cmp(&self, other: &Claim) -> Ordering {
        (self.priority, self.submitted_at, &self.id).cmp(&(
            other.priority,
            other.submitted_at,
            &other.id,
        ))
    }
}

/// Why a set of claims is not a valid book; `index` is the claim's position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimError {
    /// More claims than [`CLAIMS_MAX`].
    #[error("more than {CLAIMS_MAX} claims")]
    TooMany,
    /// The amount is not positive.
    #[error("claim {id}: amount {amount} is not positive")]
    NonPositiveAmount {
        /// Position.
        index: usize,
        /// The claim.
        id: ClaimId,
        /// The amount.
        amount: i64,
    },
    /// Debtor and creditor are the same participant.
    #[error("claim {id}: debtor and creditor are the same participant {participant}")]
    SameParticipant {
        /// Position.
        index: usize,
        /// The claim.
        id: ClaimId,
        /// The participant.
        participant: ParticipantId,
    },
    /// The currency has no minor unit.
    #[error("claim {id}: currency {} cannot hold money", .currency.code())]
    Currency {
        /// Position.
        index: usize,
        /// The claim.
        id: ClaimId,
        /// The currency.
        currency: Currency,
    },
    /// The id was used by an earlier claim.
    #[error("claim {id}: duplicate id, first used by claim number {first}")]
    DuplicateId {
        /// Position.
        index: usize,
        /// The claim.
        id: ClaimId,
        /// Position of the first use.
        first: usize,
    },
    /// A participant appears in two zones.
    #[error(
        "claim {id}: participant {participant} is in zone {zone}, but in zone {earlier_zone} in claim number {first}"
    )]
    ParticipantZone {
        /// Position.
        index: usize,
        /// The claim.
        id: ClaimId,
        /// The participant.
        participant: ParticipantId,
        /// The zone given here.
        zone: ZoneCode,
        /// The zone given first.
        earlier_zone: ZoneCode,
        /// Position of the first claim naming the participant.
        first: usize,
    },
}

impl ClaimError {
    /// The position of the offending claim.
    pub fn index(&self) -> Option<usize> {
        match self {
            ClaimError::TooMany => None,
            ClaimError::NonPositiveAmount { index, .. }
            | ClaimError::SameParticipant { index, .. }
            | ClaimError::Currency { index, .. }
            | ClaimError::DuplicateId { index, .. }
            | ClaimError::ParticipantZone { index, .. } => Some(*index),
        }
    }
}

/// A validated set of claims: unique ids, positive amounts, debtor ≠ creditor, currencies with a
/// minor unit, and every participant in one zone (so that a payment instruction can name the
/// zone of its participant without doubt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimBook {
    claims: Vec<Claim>,
    zone_of: HashMap<ParticipantId, ZoneCode>,
}

impl ClaimBook {
    /// Validates `claims`.
    pub fn new(claims: Vec<Claim>) -> Result<ClaimBook, ClaimError> {
        if claims.len() > CLAIMS_MAX {
            return Err(ClaimError::TooMany);
        }
        let mut first_of_id: HashMap<&ClaimId, usize> = HashMap::new();
        let mut zone_of: HashMap<ParticipantId, (ZoneCode, usize)> = HashMap::new();
        for (index, c) in claims.iter().enumerate() {
            check_claim(index, c)?;
            if let Some(&first) = first_of_id.get(&c.id) {
                let id = c.id.clone();
                return Err(ClaimError::DuplicateId { index, id, first });
            }
            first_of_id.insert(&c.id, index);
            for (p, z) in [(&c.debtor, &c.debtor_zone), (&c.creditor, &c.creditor_zone)] {
                let (earlier, first) = zone_of.entry(p.clone()).or_insert((z.clone(), index));
                if earlier != z {
                    return Err(ClaimError::ParticipantZone {
                        index,
                        id: c.id.clone(),
                        participant: p.clone(),
                        zone: z.clone(),
                        earlier_zone: earlier.clone(),
                        first: *first,
                    });
                }
            }
        }
        let zone_of = zone_of.into_iter().map(|(p, (z, _))| (p, z)).collect();
        Ok(ClaimBook { claims, zone_of })
    }

    /// The claims, in the order given.
    pub fn claims(&self) -> &[Claim] {
        &self.claims
    }

    /// The zone of a participant named by a claim.
    pub fn zone_of(&self, participant: &ParticipantId) -> Option<&ZoneCode> {
        self.zone_of.get(participant)
    }
}

fn check_claim(index: usize, c: &Claim) -> Result<(), ClaimError> {
    if c.amount <= 0 {
        let (id, amount) = (c.id.clone(), c.amount);
        return Err(ClaimError::NonPositiveAmount { index, id, amount });
    }
    if c.debtor == c.creditor {
        let (id, participant) = (c.id.clone(), c.debtor.clone());
        return Err(ClaimError::SameParticipant {
            index,
            id,
            participant,
        });
    }
    if model::currency::minor_unit_exponent(c.currency).is_err() {
        let (id, currency) = (c.id.clone(), c.currency);
        return Err(ClaimError::Currency {
            index,
            id,
            currency,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submitted_at_reads_a_date_or_a_utc_time_to_the_nanosecond() {
        let date: Date = "2026-01-02".parse().unwrap();
        let at = |nanos| SubmittedAt::new(date, nanos);
        assert_eq!(SubmittedAt::parse("2026-01-02"), at(0));
        assert_eq!(
            SubmittedAt::parse("2026-01-02T01:02:03Z"),
            at(3_723_000_000_000)
        );
        assert_eq!(
            SubmittedAt::parse("2026-01-02T00:00:00.5Z"),
            at(500_000_000)
        );
        let t = SubmittedAt::parse("2026-01-02T23:59:59.123456789Z").unwrap();
        assert_eq!(t.to_string(), "2026-01-02T23:59:59.123456789Z");
        for bad in [
            "2026-01-02T01:02:03",
            "2026-01-02T24:00:00Z",
            "2026-01-02T01:60:00Z",
            "2026-01-02T1:02:03Z",
            "2026-01-02T01:02:03.Z",
            "2026-01-02T01:02:03.1234567890Z",
            "2026-01-02T",
            "2026-13-02",
        ] {
            assert_eq!(SubmittedAt::parse(bad), None, "{bad}");
        }
    }
}
