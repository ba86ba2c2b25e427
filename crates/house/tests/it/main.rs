mod bad_input;
mod concurrency;
mod scenarios;
mod settlement_dir;
mod support;
