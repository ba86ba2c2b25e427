//! Integration tests of the screening crate: list parsers, matching, delta rescreening.

mod delta;
mod lists;
mod matching;
mod support;
mod yente;
