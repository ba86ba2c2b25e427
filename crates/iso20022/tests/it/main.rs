//! Integration tests of iso20022, in one test binary: every message type written with realistic
//! content and validated against the official ISO 20022 schema with `xmllint`, and the readers
//! of the bank files (camt.053/054, pain.002) on hand-written fixtures and hostile input.

mod camt053;
mod camt054;
mod errors;
mod pain001;
mod pain002;
mod pain013;
mod read_camt;
mod read_fixtures;
mod read_hostile;
mod read_pain002;
mod read_support;
mod robustness;
mod support;
