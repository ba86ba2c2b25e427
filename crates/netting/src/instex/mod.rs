//! INSTEX zone-balanced settlement: cross-border claims are cleared only as far as, per
//! currency, every zone pays out as much as it takes in (or, with a liquidity provider's
//! [`Allowance`], up to the allowance more), so no payment crosses a border; domestic claims are
//! settled through the zone's house account.
//!
//! [`settle`] and [`settle_with_allowances`] select and plan; [`check_settlement`] and
//! [`check_settlement_with_allowances`] recompute every invariant.

mod allowance;
mod check;
mod claims;
mod settle;

pub use allowance::Allowance;
pub use check::{InstexViolation, check_settlement, check_settlement_with_allowances};
pub use claims::{CLAIMS_MAX, Claim, ClaimBook, ClaimError, SubmittedAt};
pub use settle::{
    Direction, Options, Payment, Settlement, ZoneTotals, settle, settle_with_allowances,
};
