mod bad_input;
mod concurrency;
mod imbalance;
mod integrity;
mod scenarios;
mod settlement;
mod settlement_dir;
mod support;
