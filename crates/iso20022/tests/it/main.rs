//! Integration tests of the iso20022 writers: every message type written with realistic
//! content and validated against the official ISO 20022 schema with `xmllint`.

mod camt053;
mod camt054;
mod errors;
mod pain001;
mod pain002;
mod pain013;
mod robustness;
mod support;
