//! The `clearhouse` binary, run as a user runs it, on SQLite and on PostgreSQL.

/// The test databases and the clock, shared with the store's and the house's tests.
use test_support as support;

mod clear_cmd;
mod crash;
mod goods_cmd;
mod house_cmd;
mod imbalance_cmd;
mod input_files;
mod ledger_cmd;
mod readme;
mod run;
mod screen_cmd;
mod user_cmd;
mod verify_cmd;
