mod bad_input;
mod concurrency;
mod integrity;
mod scenarios;
mod settlement;
mod settlement_dir;
mod support;
