//! INSTEX zone-balanced settlement: cross-border claims are cleared only as far as, per
//! currency, every zone pays out as much as it takes in, so no payment crosses a border; domestic
//! claims are settled through the zone's house account.
//!
//! [`settle`] selects and plans; [`check_settlement`] recomputes every invariant.

mod check;
mod claims;
mod settle;

pub use check::{InstexViolation, check_settlement};
pub use claims::{CLAIMS_MAX, Claim, ClaimBook, ClaimError, SubmittedAt};
pub use settle::{Direction, Options, Payment, Settlement, ZoneTotals, settle};
