//! Alerts and cases: the officers' queue, a case with the explanation of every hit, decisions
//! under four eyes (the house compares authenticated users), reassignment by a supervisor.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use house::{AlertStatus, CaseStatus, Verdict};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, PathOf, QueryOf};
use crate::idempotency;
use crate::policy::Action;
use crate::routes::{Paging, json, page_json};
use crate::state::AppState;

/// An audit entry as JSON, its body parsed.
pub fn audit_json(row: &store::AuditRow) -> serde_json::Value {
    serde_json::json!({
        "seq": row.seq,
        "at": model::calendar::utc_timestamp(row.at),
        "actor": row.actor,
        "action": row.action,
        "subject": row.subject,
        "body": serde_json::from_str::<serde_json::Value>(&row.body).unwrap_or(serde_json::Value::Null),
    })
}

fn parse_enum<T: serde::de::DeserializeOwned>(field: &str, text: &str) -> ApiResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| ApiError::invalid(field, format!("{text:?} is not one of the states")))
}

/// Filters of the alert listing.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertFilter {
    /// `open`, `in_case`, `closed` …
    pub status: Option<String>,
    pub participant: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
    #[serde(default)]
    pub newest_first: bool,
}

/// Alerts, a page at a time, oldest first (the queue's order).
#[utoipa::path(get, path = "/alerts", tag = "review", params(AlertFilter),
    responses((status = 200, body = crate::routes::PageOf)), security(("bearer" = [])))]
pub async fn alerts(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryOf(f): QueryOf<AlertFilter>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::AlertsList)?;
    let status: Option<AlertStatus> = f
        .status
        .as_deref()
        .map(|s| parse_enum("status", s))
        .transpose()?;
    let paging = Paging {
        cursor: f.cursor,
        limit: f.limit,
        newest_first: f.newest_first,
    };
    let participant = f.participant;
    let page = state
        .run(move |h| h.alerts_page(status, participant.as_deref(), &paging.request()))
        .await?;
    page_json(page)
}

/// One alert.
#[utoipa::path(get, path = "/alerts/{id}", tag = "review", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn alert(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(id): PathOf<String>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::AlertsShow)?;
    let alert = state.run(move |h| h.alert(&id)).await?;
    Ok(axum::Json(
        serde_json::to_value(alert).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// Filters of the case listing.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CaseFilter {
    /// `open`, `awaiting_second`, `released`, `rejected` …
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
    #[serde(default)]
    pub newest_first: bool,
}

/// Cases, a page at a time.
#[utoipa::path(get, path = "/cases", tag = "review", params(CaseFilter),
    responses((status = 200, body = crate::routes::PageOf)), security(("bearer" = [])))]
pub async fn cases(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryOf(f): QueryOf<CaseFilter>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::CasesList)?;
    let status: Option<CaseStatus> = f
        .status
        .as_deref()
        .map(|s| parse_enum("status", s))
        .transpose()?;
    let paging = Paging {
        cursor: f.cursor,
        limit: f.limit,
        newest_first: f.newest_first,
    };
    let page = state
        .run(move |h| h.cases_page(status, &paging.request()))
        .await?;
    page_json(page)
}

/// A case with its alerts (each hit with its explanation) and its audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    #[schema(value_type = Object)]
    pub case: house::Case,
    #[schema(value_type = Vec<Object>)]
    pub alerts: Vec<house::Alert>,
    #[schema(value_type = Vec<Object>)]
    pub audit: Vec<serde_json::Value>,
}

/// One case.
#[utoipa::path(get, path = "/cases/{id}", tag = "review", params(("id" = String, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn case(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(id): PathOf<String>,
) -> ApiResult<axum::Json<CaseView>> {
    caller.may(Action::CasesShow)?;
    let (case, alerts, audit) = state.run(move |h| h.case(&id)).await?;
    Ok(axum::Json(CaseView {
        case,
        alerts,
        audit: audit.iter().map(audit_json).collect(),
    }))
}

/// An officer's decision.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `release` (needs a second, different officer) or `reject`.
    #[schema(value_type = String)]
    pub verdict: Verdict,
    pub reason: String,
}

/// Decides a case as the calling officer: a release proposed by one officer is confirmed by
/// another; nobody confirms their own proposal.
#[utoipa::path(post, path = "/cases/{id}/decision", tag = "review", params(("id" = String, Path)), request_body = Decision,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn decide(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    PathOf(id): PathOf<String>,
    JsonBody(d): JsonBody<Decision>,
) -> ApiResult<Response> {
    caller.may(Action::CasesDecide)?;
    let key = idempotency::key(&headers)?;
    let route = format!("decide {id}");
    let hash = idempotency::request_hash(&route, &d);
    let actor = caller.actor().to_owned();
    let st = Arc::clone(&state);
    Ok(
        idempotency::once(&state, &caller, key, &route, hash, || async move {
            let outcome = st
                .run(move |h| h.decide(&actor, &id, d.verdict, &d.reason))
                .await?;
            json(StatusCode::OK, &outcome)
        })
        .await,
    )
}

/// Who gets a case.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reassignment {
    pub to: String,
    pub reason: String,
}

/// A supervisor gives a case to another officer.
#[utoipa::path(post, path = "/cases/{id}/reassign", tag = "review", params(("id" = String, Path)), request_body = Reassignment,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn reassign(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    PathOf(id): PathOf<String>,
    JsonBody(r): JsonBody<Reassignment>,
) -> ApiResult<Response> {
    caller.may(Action::CasesReassign)?;
    let key = idempotency::key(&headers)?;
    let route = format!("reassign {id}");
    let hash = idempotency::request_hash(&route, &r);
    let actor = caller.actor().to_owned();
    let st = Arc::clone(&state);
    Ok(
        idempotency::once(&state, &caller, key, &route, hash, || async move {
            let case = st
                .run(move |h| h.reassign(&actor, &id, &r.to, &r.reason))
                .await?;
            json(StatusCode::OK, &case)
        })
        .await,
    )
}
