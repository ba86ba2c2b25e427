//! Participants: onboarding (every name screened), listing, one participant, suspension.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use house::{HouseError, OnboardingInput, ParticipantStatus};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Caller, Scope};
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, PathOf, QueryOf};
use crate::idempotency;
use crate::policy::Action;
use crate::routes::{Paging, Reason, json, page_json};
use crate::state::AppState;

/// Onboards a participant: its legal name, owners, directors and bank are screened; it is
/// active, pending review (a case is opened) or rejected. The same details again answer the
/// record as it is.
#[utoipa::path(post, path = "/participants", tag = "participants",
    params(("Idempotency-Key" = Option<String>, Header, description = "scoped to the caller")),
    request_body(content = Object, description = "the participant's details (as `clearhouse participant add --file`)"),
    responses((status = 201, body = Object), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn onboard(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(input): JsonBody<OnboardingInput>,
) -> ApiResult<Response> {
    caller.may(Action::ParticipantsAdd)?;
    let key = idempotency::key(&headers)?;
    let hash = idempotency::request_hash("onboard", &input);
    let actor = caller.actor().to_owned();
    let st = Arc::clone(&state);
    Ok(
        idempotency::once(&state, &caller, key, "onboard", hash, || async move {
            let record = st.run(move |h| h.onboard(&actor, &input)).await?;
            json(StatusCode::CREATED, &record)
        })
        .await,
    )
}

/// Filters of the participant listing.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ParticipantFilter {
    /// `active`, `pending_review`, `suspended`, `rejected`.
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
    #[serde(default)]
    pub newest_first: bool,
}

/// Participants, a page at a time (a participant user sees itself only).
#[utoipa::path(get, path = "/participants", tag = "participants", params(ParticipantFilter),
    responses((status = 200, body = crate::routes::PageOf)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryOf(f): QueryOf<ParticipantFilter>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let scope = caller.may(Action::ParticipantsList)?;
    let status: Option<ParticipantStatus> = f
        .status
        .as_deref()
        .map(|s| {
            serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
                ApiError::invalid("status", format!("{s:?} is not a participant status"))
            })
        })
        .transpose()?;
    if let Scope::Own(own) = scope {
        let record = state.run(move |h| h.participant(&own)).await?;
        return page_json(house::Page {
            items: vec![record],
            next: None,
        });
    }
    let paging = Paging {
        cursor: f.cursor,
        limit: f.limit,
        newest_first: f.newest_first,
    };
    let page = state
        .run(move |h| h.participants_page(status, &paging.request()))
        .await?;
    page_json(page)
}

/// One participant with its screening results.
#[utoipa::path(get, path = "/participants/{id}", tag = "participants", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn show(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(id): PathOf<String>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let scope = caller.may(Action::ParticipantsShow)?;
    if !scope.covers(&[&id]) {
        return Err(HouseError::NotFound {
            kind: "participant",
            id,
        }
        .into());
    }
    let record = state.run(move |h| h.participant(&id)).await?;
    Ok(axum::Json(
        serde_json::to_value(record).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// Suspends a participant (it leaves the cycles it settles in) or, with `reinstate`, lifts a
/// suspension the operator made.
#[utoipa::path(post, path = "/participants/{id}/suspend", tag = "participants", params(("id" = String, Path)), request_body = Reason,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn suspend(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(id): PathOf<String>,
    JsonBody(r): JsonBody<Reason>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::ParticipantsSuspend)?;
    let actor = caller.actor().to_owned();
    let record = state
        .run(move |h| h.suspend_participant(&actor, &id, &r.reason))
        .await?;
    Ok(axum::Json(
        serde_json::to_value(record).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// Lifts a suspension the operator made (one with open alerts waits for its case).
#[utoipa::path(post, path = "/participants/{id}/reinstate", tag = "participants", params(("id" = String, Path)), request_body = Reason,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn reinstate(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(id): PathOf<String>,
    JsonBody(r): JsonBody<Reason>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::ParticipantsSuspend)?;
    let actor = caller.actor().to_owned();
    let record = state
        .run(move |h| h.reinstate_participant(&actor, &id, &r.reason))
        .await?;
    Ok(axum::Json(
        serde_json::to_value(record).map_err(|e| ApiError::internal(&e))?,
    ))
}
