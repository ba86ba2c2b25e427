//! Bounded listings: every listing is one page of at most [`PAGE_LIMIT_MAX`] items, and a
//! cursor to the next. Nothing reads "all claims" to answer a request.

use serde::Serialize;
use serde::de::DeserializeOwned;
use store::RecordQuery;

use crate::types::*;
use crate::{House, HouseError};

/// Most items on one page.
pub const PAGE_LIMIT_MAX: usize = 500;
/// Items on a page when the caller does not say.
pub const PAGE_LIMIT_DEFAULT: usize = 50;
/// Longest cursor accepted, in bytes (a time and a record id, hex-encoded).
pub const CURSOR_BYTES_MAX: usize = 1_024;

/// Which page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// The `next` cursor of the page before; `None` for the first page.
    pub cursor: Option<String>,
    /// Items wanted: 1 to [`PAGE_LIMIT_MAX`]; `None` for [`PAGE_LIMIT_DEFAULT`].
    pub limit: Option<usize>,
    /// Newest first instead of oldest first.
    pub newest_first: bool,
}

/// One page of a listing.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last one.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The same page with each item changed.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

impl PageRequest {
    /// The number of items, checked.
    fn limit(&self) -> Result<usize, HouseError> {
        match self.limit {
            None => Ok(PAGE_LIMIT_DEFAULT),
            Some(n) if (1..=PAGE_LIMIT_MAX).contains(&n) => Ok(n),
            Some(n) => Err(HouseError::invalid(
                "limit",
                format!("{n}: 1 to {PAGE_LIMIT_MAX} items a page"),
            )),
        }
    }

    /// The position after which the page starts.
    fn after(&self) -> Result<Option<(u64, String)>, HouseError> {
        self.cursor.as_deref().map(decode_cursor).transpose()
    }
}

/// A cursor: the last item's time and id, hex-encoded so it is opaque and URL-safe.
fn encode_cursor(at: u64, id: &str) -> String {
    hex::encode(format!("{at}:{id}"))
}

fn decode_cursor(cursor: &str) -> Result<(u64, String), HouseError> {
    let bad = || HouseError::invalid("cursor", "not a cursor this listing gave");
    if cursor.len() > CURSOR_BYTES_MAX {
        return Err(bad());
    }
    let bytes = hex::decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (at, id) = text.split_once(':').ok_or_else(bad)?;
    Ok((at.parse().map_err(|_| bad())?, id.to_owned()))
}

impl House {
    /// One page of records of a kind, parsed.
    fn page<T: DeserializeOwned>(
        &self,
        mut query: RecordQuery,
        request: &PageRequest,
    ) -> Result<Page<T>, HouseError> {
        let limit = request.limit()?;
        query.after = request.after()?;
        query.newest_first = request.newest_first;
        // One more than asked tells whether a next page exists without a second read.
        query.limit = limit + 1;
        let mut records = self.store.records(&query)?;
        let more = records.len() > limit;
        records.truncate(limit);
        let next = match records.last() {
            Some(last) if more => Some(encode_cursor(last.at, &last.id)),
            _ => None,
        };
        let items = records
            .iter()
            .map(crate::parse)
            .collect::<Result<Vec<T>, HouseError>>()?;
        Ok(Page { items, next })
    }

    fn query(kind: &str, status: Option<&str>, party: Option<&str>) -> RecordQuery {
        RecordQuery {
            kind: kind.into(),
            status: status.map(str::to_owned),
            party: party.map(str::to_owned),
            ..RecordQuery::default()
        }
    }

    /// Participants, a page at a time, optionally in one state.
    pub fn participants_page(
        &self,
        status: Option<ParticipantStatus>,
        request: &PageRequest,
    ) -> Result<Page<ParticipantRecord>, HouseError> {
        let query = Self::query(
            kind::PARTICIPANT,
            status.map(ParticipantStatus::as_str),
            None,
        );
        self.page(query, request)
    }

    /// Claims, a page at a time: of one participant (either side), in one state, submitted
    /// within `[from, to]` (UTC nanoseconds).
    pub fn claims_page(
        &self,
        participant: Option<&str>,
        status: Option<ClaimStatus>,
        (from, to): (Option<u64>, Option<u64>),
        request: &PageRequest,
    ) -> Result<Page<ClaimRecord>, HouseError> {
        let mut query = Self::query(kind::CLAIM, status.map(ClaimStatus::as_str), participant);
        query.at_from = from;
        query.at_to = to;
        self.page(query, request)
    }

    /// Alerts, a page at a time: in one state, about one participant.
    pub fn alerts_page(
        &self,
        status: Option<AlertStatus>,
        participant: Option<&str>,
        request: &PageRequest,
    ) -> Result<Page<Alert>, HouseError> {
        let query = Self::query(kind::ALERT, status.map(AlertStatus::as_str), participant);
        self.page(query, request)
    }

    /// Cases, a page at a time, in one state.
    pub fn cases_page(
        &self,
        status: Option<CaseStatus>,
        request: &PageRequest,
    ) -> Result<Page<Case>, HouseError> {
        let query = Self::query(kind::CASE, status.map(CaseStatus::as_str), None);
        self.page(query, request)
    }

    /// Cycles, a page at a time, without their selections (see [`House::cycle`]).
    pub fn cycles_page(&self, request: &PageRequest) -> Result<Page<Cycle>, HouseError> {
        self.page(Self::query(kind::CYCLE, None, None), request)
    }

    /// Bank entries, a page at a time, in one state (`suspense`, `matched`, …).
    pub fn bank_entries_page(
        &self,
        status: Option<&str>,
        request: &PageRequest,
    ) -> Result<Page<BankEntry>, HouseError> {
        self.page(Self::query(kind::BANK_ENTRY, status, None), request)
    }

    /// Audit entries about one subject (`claim:ID`, `case:ID`…), oldest first, a page at a
    /// time: the cursor is the sequence number after which the page starts.
    pub fn audit_page(
        &self,
        subject: Option<&str>,
        request: &PageRequest,
    ) -> Result<Page<store::AuditRow>, HouseError> {
        let limit = request.limit()?;
        let after = match request.cursor.as_deref() {
            None => 0,
            Some(c) => c
                .parse::<u64>()
                .map_err(|_| HouseError::invalid("cursor", "not a cursor this listing gave"))?,
        };
        let mut rows = self.store.audit(after, subject, limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = match rows.last() {
            Some(last) if more => Some(last.seq.to_string()),
            _ => None,
        };
        Ok(Page { items: rows, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_anything_else_is_named() {
        let c = encode_cursor(1_700_000_000_000_000_000, "claim:a:b");
        assert_eq!(
            decode_cursor(&c).unwrap(),
            (1_700_000_000_000_000_000, "claim:a:b".to_owned())
        );
        for bad in ["", "zz", "3a", &"0".repeat(CURSOR_BYTES_MAX + 2)] {
            let e = decode_cursor(bad).unwrap_err();
            assert_eq!(e.field(), Some("cursor"), "{bad}");
        }
        let request = PageRequest {
            limit: Some(PAGE_LIMIT_MAX + 1),
            ..PageRequest::default()
        };
        assert_eq!(request.limit().unwrap_err().field(), Some("limit"));
    }
}
