//! Settlement: bank files in (camt.054/053, pain.002), suspense items resolved by hand, the
//! deadline, unwinds, pay-outs retried, a cycle advanced.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, PathOf, QueryOf, RawBody};
use crate::idempotency;
use crate::policy::Action;
use crate::routes::{Paging, json, page_json};
use crate::state::AppState;

/// Largest bank file uploaded, in bytes: the ISO 20022 reader's limit.
pub const BANK_FILE_BYTES_MAX: usize = iso20022_limit();

const fn iso20022_limit() -> usize {
    house::iso20022::read::READ_BYTES_MAX
}

/// Imports a bank file (camt.054, camt.053 or pain.002, as the bank sent it) and advances the
/// cycles it completes. The same file twice changes nothing.
#[utoipa::path(post, path = "/settlement/bank-files", tag = "settlement",
    request_body(content = Vec<u8>, content_type = "application/xml"),
    responses((status = 200, body = Object), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    RawBody(bytes): RawBody<BANK_FILE_BYTES_MAX>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::SettlementImport)?;
    let actor = caller.actor().to_owned();
    let report = state
        .run(move |h| h.import_bank_file(&actor, &bytes))
        .await?;
    Ok(axum::Json(
        serde_json::to_value(report).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// Pays out what a cycle's pay-ins made final (also run after every import).
#[utoipa::path(post, path = "/cycles/{number}/advance", tag = "settlement", params(("number" = u64, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn advance(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(number): PathOf<u64>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::SettlementAdvance)?;
    let actor = caller.actor().to_owned();
    let report = state.run(move |h| h.advance(&actor, number)).await?;
    Ok(axum::Json(
        serde_json::to_value(report).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// Filters of the bank-entry listing.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EntryFilter {
    /// `suspense` (default), `matched`, `refunded`, `kept`, `noted` …
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
    #[serde(default)]
    pub newest_first: bool,
}

/// Bank entries, a page at a time: by default those in suspense, waiting for the operator.
#[utoipa::path(get, path = "/settlement/entries", tag = "settlement", params(EntryFilter),
    responses((status = 200, body = crate::routes::PageOf)), security(("bearer" = [])))]
pub async fn entries(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryOf(f): QueryOf<EntryFilter>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::SettlementSuspense)?;
    let status = f.status.unwrap_or_else(|| "suspense".into());
    let paging = Paging {
        cursor: f.cursor,
        limit: f.limit,
        newest_first: f.newest_first,
    };
    let page = state
        .run(move |h| h.bank_entries_page(Some(&status), &paging.request()))
        .await?;
    page_json(page)
}

/// What to do with money in suspense.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, tag = "action", rename_all = "snake_case")]
pub enum Resolution {
    /// Apply it as `participant`'s pay-in to cycle `cycle`.
    Match { cycle: u64, participant: String },
    /// Send it back to the sender (a pain.001 is written).
    Refund,
    /// Keep it for `participant`'s next request.
    Keep { participant: String },
}

/// A resolution as sent: `action` and the fields it takes, read flat so that an error names
/// its field (an internally tagged enum read by serde loses the path).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionBody {
    pub action: ResolutionAction,
    pub cycle: Option<u64>,
    pub participant: Option<String>,
}

/// The `action` of a resolution.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionAction {
    Match,
    Refund,
    Keep,
}

impl ResolutionBody {
    /// The resolution, naming a field its action needs and lacks, or does not take.
    pub fn resolution(self) -> ApiResult<Resolution> {
        fn needed<T>(value: Option<T>, field: &str) -> ApiResult<T> {
            value.ok_or_else(|| ApiError::invalid(field, format!("missing field `{field}`")))
        }
        fn unwanted<T>(value: &Option<T>, field: &str) -> ApiResult<()> {
            match value {
                Some(_) => Err(ApiError::invalid(
                    field,
                    format!("unknown field `{field}` for this action"),
                )),
                None => Ok(()),
            }
        }
        match self.action {
            ResolutionAction::Match => Ok(Resolution::Match {
                cycle: needed(self.cycle, "cycle")?,
                participant: needed(self.participant, "participant")?,
            }),
            ResolutionAction::Refund => {
                unwanted(&self.cycle, "cycle")?;
                unwanted(&self.participant, "participant")?;
                Ok(Resolution::Refund)
            }
            ResolutionAction::Keep => {
                unwanted(&self.cycle, "cycle")?;
                Ok(Resolution::Keep {
                    participant: needed(self.participant, "participant")?,
                })
            }
        }
    }
}

/// Resolves a bank entry in suspense: match, refund or keep.
#[utoipa::path(post, path = "/settlement/entries/{id}/resolve", tag = "settlement", params(("id" = String, Path)), request_body = Resolution,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn resolve(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    PathOf(id): PathOf<String>,
    JsonBody(body): JsonBody<ResolutionBody>,
) -> ApiResult<Response> {
    caller.may(Action::SettlementResolve)?;
    let r = body.resolution()?;
    let key = idempotency::key(&headers)?;
    let route = format!("resolve {id}");
    let hash = idempotency::request_hash(&route, &r);
    let actor = caller.actor().to_owned();
    let dir = state.settings.files_dir.clone();
    let st = Arc::clone(&state);
    Ok(
        idempotency::once(&state, &caller, key, &route, hash, || async move {
            let value = st
                .run(move |h| {
                    Ok(match r {
                        Resolution::Match { cycle, participant } => {
                            serde_json::to_value(h.match_entry(&actor, &id, cycle, &participant)?)
                        }
                        Resolution::Refund => {
                            let (entry, file) = h.refund_entry(&actor, &id, &dir)?;
                            serde_json::to_value(serde_json::json!({"entry": entry, "file": file}))
                        }
                        Resolution::Keep { participant } => {
                            serde_json::to_value(h.keep_entry(&actor, &id, &participant)?)
                        }
                    })
                })
                .await?
                .map_err(|e| ApiError::internal(&e))?;
            Ok((StatusCode::OK, value))
        })
        .await,
    )
}

/// Who leaves a cycle.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Unwind {
    pub participants: Vec<String>,
    pub reason: String,
    /// Also suspend them (with a case).
    #[serde(default)]
    pub suspend: bool,
}

/// Most participants unwound in one request.
pub const UNWIND_PARTICIPANTS_MAX: usize = 1_000;

/// Takes payers out of a cycle that waits for pay-ins: their claims leave, the selection is
/// recomputed on what remains.
#[utoipa::path(post, path = "/cycles/{number}/unwind", tag = "settlement", params(("number" = u64, Path)), request_body = Unwind,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn unwind(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    PathOf(number): PathOf<u64>,
    JsonBody(u): JsonBody<Unwind>,
) -> ApiResult<Response> {
    caller.may(Action::SettlementUnwind)?;
    if u.participants.is_empty() || u.participants.len() > UNWIND_PARTICIPANTS_MAX {
        return Err(ApiError::invalid(
            "participants",
            format!("1 to {UNWIND_PARTICIPANTS_MAX}"),
        ));
    }
    let key = idempotency::key(&headers)?;
    let route = format!("unwind {number}");
    let hash = idempotency::request_hash(&route, &u);
    let actor = caller.actor().to_owned();
    let st = Arc::clone(&state);
    Ok(
        idempotency::once(&state, &caller, key, &route, hash, || async move {
            let report = st
                .run(move |h| h.unwind(&actor, number, &u.participants, &u.reason, u.suspend))
                .await?;
            json(StatusCode::OK, &report)
        })
        .await,
    )
}

/// Unwinds every payer past its deadline.
#[utoipa::path(post, path = "/settlement/deadline", tag = "settlement",
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn deadline(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::SettlementDeadline)?;
    let actor = caller.actor().to_owned();
    let reports = state.run(move |h| h.unwind_overdue(&actor)).await?;
    Ok(axum::Json(
        serde_json::to_value(reports).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// Instructs a rejected pay-out again (a new pain.001).
#[utoipa::path(post, path = "/cycles/{number}/payouts/{participant}/retry", tag = "settlement",
    params(("number" = u64, Path), ("participant" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn retry(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf((number, participant)): PathOf<(u64, String)>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::SettlementRetry)?;
    let actor = caller.actor().to_owned();
    let position = state
        .run(move |h| h.retry_payout(&actor, number, &participant))
        .await?;
    Ok(axum::Json(
        serde_json::to_value(position).map_err(|e| ApiError::internal(&e))?,
    ))
}
