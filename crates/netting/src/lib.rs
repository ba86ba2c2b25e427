//! The clearing engine of Clearhouse: exact multilateral set-off and INSTEX zone-balanced
//! settlement.
//!
//! - [`setoff`]: clear the largest possible part of an obligation network without money, every
//!   firm keeping its net position (the min-cost-flow formulation of MTCS). The result is the
//!   exact optimum and comes with potentials that prove it.
//! - [`check`]: recompute every invariant of a set-off result, and verify the proof.
//! - [`instex`]: zone-balanced settlement of cross-border claims, priority first, with the
//!   domestic payment plan and its checker.
//! - [`csv`]: read and write the clearing files.
//!
//! **Architecture invariant:** this crate does no I/O (readers and writers take `impl Read` and
//! `impl Write`), reads no clock and holds no global state. Progress is reported through an
//! [`setoff::Observer`] the caller supplies.

pub mod check;
pub mod csv;
pub mod instex;
mod network;
pub mod setoff;

pub use network::{AMOUNT_MAX, FIRMS_MAX, Network, NetworkError, OBLIGATIONS_MAX, Obligation};
