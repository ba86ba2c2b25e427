//! `Idempotency-Key` on every POST that creates or changes something: scoped to the caller, the
//! same key and body answer the first answer again (status and body), another body is 409.
//!
//! The first answer is kept as a record (kind `api_response`) with an audit event, so that it
//! survives a restart and is shared by every server on one database. Requests with the same key
//! to one server wait for each other; the house's own checks (a claim id, a participant id, a
//! case's state) keep two servers from doing one thing twice when the same key reaches both
//! at the same instant.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{Applied, AuditEvent, Change, Expect, Record};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The header.
pub const HEADER: &str = "idempotency-key";
/// The header on an answer given again.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// Longest key accepted, in bytes.
pub const KEY_BYTES_MAX: usize = 255;
/// The record kind of kept answers.
pub const KIND: &str = "api_response";

/// Locks by key, so that requests with one key to one server run one after the other.
#[derive(Debug, Default)]
pub struct KeyLocks {
    locks: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
}

impl KeyLocks {
    async fn lock(&self, id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self
                .locks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Forget the locks nobody holds, so the map stays as small as the requests in flight.
            if locks.len() > 1_024 {
                locks.retain(|_, weak| weak.strong_count() > 0);
            }
            match locks.get(id).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    locks.insert(id.to_owned(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }
}

/// A kept answer.
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    user: String,
    route: String,
    request_sha256: String,
    status: u16,
    body: serde_json::Value,
}

/// The key a request carries, checked.
pub fn key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .ok()
        .filter(|t| {
            !t.is_empty() && t.len() <= KEY_BYTES_MAX && t.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or_else(|| {
            ApiError::invalid(
                "Idempotency-Key",
                format!("1 to {KEY_BYTES_MAX} printable ASCII characters"),
            )
        })?;
    Ok(Some(text.to_owned()))
}

/// The hash of what a request asks: its route and its decoded body.
pub fn request_hash(route: &str, body: &impl Serialize) -> String {
    let mut h = Sha256::new();
    h.update(route.as_bytes());
    h.update([0]);
    h.update(serde_json::to_vec(body).unwrap_or_default());
    hex::encode(h.finalize())
}

/// Runs `work` once per (caller, key): a repeat with the same request gets the kept answer, with
/// another request a 409. Without a key, `work` just runs. Answers of 5xx and 429 are not kept
/// (the request may be tried again), nor 422 (invalid input: nothing was done, nothing is
/// written, and the corrected request may come under the same key); every other answer is.
pub async fn once<F, Fut>(
    state: &Arc<AppState>,
    caller: &Caller,
    key: Option<String>,
    route: &str,
    request_sha256: String,
    work: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ApiResult<(StatusCode, serde_json::Value)>>,
{
    let Some(key) = key else {
        return answer(work().await);
    };
    let id = hex::encode(Sha256::digest(format!("{}\0{key}", caller.actor())));
    let _guard = state.keys.lock(&id).await;
    let read_id = id.clone();
    let kept = state
        .run(move |house| Ok(house.store().record(KIND, &read_id)?))
        .await;
    match kept {
        Err(e) => return e.into_response(),
        Ok(Some(record)) => return replay(&record, route, &request_sha256),
        Ok(None) => {}
    }
    let result = work().await;
    let (status, body) = match &result {
        Ok((status, body)) => (*status, body.clone()),
        Err(e) => (
            e.status,
            serde_json::to_value(error_body(e)).unwrap_or_default(),
        ),
    };
    let kept = !(status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::UNPROCESSABLE_ENTITY);
    if kept {
        let kept = Kept {
            user: caller.actor().to_owned(),
            route: route.to_owned(),
            request_sha256,
            status: status.as_u16(),
            body,
        };
        if let Err(e) = keep(state, caller.actor(), &id, kept).await {
            tracing::warn!(error = ?e.message, "an idempotent answer could not be kept");
        }
    }
    answer(result)
}

fn error_body(e: &ApiError) -> crate::error::ErrorBody {
    crate::error::ErrorBody {
        error: crate::error::ErrorDetail {
            code: e.code,
            message: e.message.clone(),
            field: e.field.clone(),
        },
    }
}

fn answer(result: ApiResult<(StatusCode, serde_json::Value)>) -> Response {
    match result {
        Ok((status, body)) => (status, axum::Json(body)).into_response(),
        Err(e) => e.into_response(),
    }
}

fn replay(record: &Record, route: &str, request_sha256: &str) -> Response {
    let Ok(kept) = serde_json::from_str::<Kept>(&record.body) else {
        return ApiError::internal(&format!("kept answer {} does not parse", record.id))
            .into_response();
    };
    if kept.route != route || kept.request_sha256 != request_sha256 {
        return ApiError::conflict(
            "idempotency_conflict",
            "this Idempotency-Key was used before for another request",
        )
        .into_response();
    }
    let status = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK);
    let mut response = (status, axum::Json(kept.body)).into_response();
    response
        .headers_mut()
        .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

async fn keep(state: &Arc<AppState>, actor: &str, id: &str, kept: Kept) -> ApiResult<()> {
    let actor = actor.to_owned();
    let id = id.to_owned();
    state
        .run(move |house| {
            let body = serde_json::to_string(&kept).unwrap_or_default();
            let now = (house.clock())();
            let change = Change {
                expect: vec![Expect {
                    kind: KIND.into(),
                    id: id.clone(),
                    version: None,
                }],
                put: vec![Record {
                    kind: KIND.into(),
                    id: id.clone(),
                    version: 1,
                    status: kept.status.to_string(),
                    party: actor.clone(),
                    counterparty: String::new(),
                    at: now,
                    body,
                }],
                audit: vec![AuditEvent {
                    actor,
                    action: "api.answer_kept".into(),
                    subject: format!("{KIND}:{id}"),
                    body: serde_json::json!({
                        "route": kept.route,
                        "request_sha256": kept.request_sha256,
                        "status": kept.status,
                    })
                    .to_string(),
                }],
                ..Change::default()
            };
            match house.store().apply_change(change)? {
                // Another server kept an answer for this key first: that one stands.
                Applied::Committed { .. } | Applied::Conflict { .. } => Ok(()),
                Applied::Refused { .. } => Err(house::HouseError::Corrupt {
                    kind: KIND.into(),
                    id,
                    message: "refused".into(),
                }),
            }
        })
        .await
}
