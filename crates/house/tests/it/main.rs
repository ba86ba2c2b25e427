mod bad_input;
mod concurrency;
mod scenarios;
mod support;
