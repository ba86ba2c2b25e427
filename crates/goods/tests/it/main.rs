//! Integration tests of the goods checks, one module per area.

mod default_policy;
mod lines;
mod nomenclature;
mod policy_file;
mod prices;
mod properties;
mod support;
