//! Sanctions screening: list parsers into one entity model, name normalisation and
//! transliteration, a candidate index and an explained scorer.
//!
//! Pure: parsers take `impl Read`, nothing reads a clock or the network.

pub mod delta;
pub mod entity;
pub mod groups;
pub mod index;
pub mod keys;
pub mod lists;
pub mod normalize;
pub mod score;
pub mod screener;
pub mod translit;
pub mod yente;

pub use entity::{Entity, Schema};
pub use screener::{
    DEFAULT_LIMIT, DEFAULT_THRESHOLD, Match, Query, Scratch, Screener, compare, with_scratch,
};
