//! The API's tests, one binary: a module per area. The router is driven in process through
//! `tower::ServiceExt::oneshot`, except in `serve`, where a socket is the point. Every test that
//! touches a database runs on SQLite and on PostgreSQL (`CLEARHOUSE_TEST_POSTGRES_URL`).

mod bad_input;
mod idempotency;
mod lifecycle;
mod lists_sync;
mod lists_update;
mod matrix;
mod preview;
mod scale_out;
mod serve;
mod story;
mod support;
