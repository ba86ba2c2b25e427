//! The integration tests of iso20022, in one test binary.

mod read_camt;
mod read_fixtures;
mod read_hostile;
mod read_pain002;
mod read_support;
