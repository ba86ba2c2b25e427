//! The netting crate's integration tests: one binary, one module per area.

mod csv_files;
mod instex;
mod instex_allowance;
mod setoff;
mod shipped;
mod support;
