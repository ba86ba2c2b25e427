//! The store's integration tests, every one on SQLite and on PostgreSQL.

#[path = "../../../ledger/tests/it/reference.rs"]
mod reference;
#[path = "../../../ledger/tests/it/strategies.rs"]
mod strategies;
pub mod support;

mod bound;
mod concurrency;
mod heads;
mod model_based;
mod opening;
mod records;
mod scenarios;
mod tamper;
