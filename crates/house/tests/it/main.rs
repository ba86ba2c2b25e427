mod bad_input;
mod concurrency;
mod integrity;
mod scenarios;
mod support;
