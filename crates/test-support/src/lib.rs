//! What the workspace's tests share, and nothing else uses: a dependency under
//! `[dev-dependencies]` only, never of a library or the binary.
//!
//! - [`shared_data`]: a file or folder of the workplace's shared data (test data kept outside
//!   the repository), or a failure naming the missing path.
//! - With the `db` feature: [`TestDb`], a fresh SQLite file or a fresh PostgreSQL schema that
//!   disappears with the test, and [`TestClock`], a clock the test sets by hand. PostgreSQL tests
//!   never skip: without a server they fail and say which server they looked for.
//! - With the `house` feature: [`lists`] and [`checker`], the house's reference data built once
//!   per test binary.

#[cfg(feature = "db")]
mod db;
#[cfg(feature = "house")]
mod reference;
mod shared;

#[cfg(feature = "db")]
pub use db::{SECOND, T0, TestClock, TestDb, each_backend, postgres_base_url};
#[cfg(feature = "house")]
pub use reference::{checker, lists};
pub use shared::{SHARED_DATA_ENV, shared_data};
