//! The ledger's integration tests: one binary, one module per area.

mod codes;
mod journal;
mod model_based;
mod reference;
mod scenarios;
mod strategies;
mod support;
