//! Screening shaped like OpenSanctions yente's API, at the server's root (`/match/{dataset}`,
//! `/search/{dataset}`, `/entities/{id}`, `/catalog`), so that tools written for yente point at
//! Clearhouse unchanged. Authenticated like every route: `Authorization: Bearer <token>` or
//! yente's `ApiKey <token>`.

use std::sync::Arc;

use axum::extract::State;
use screening::yente::{self, ListMeta, MatchParams, MatchRequest, SearchParams, YenteError};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{PathOf, QueryOf, RawBody};
use crate::policy::Action;
use crate::state::AppState;

/// Largest `/match` body, in bytes (100 queries of a few names each).
pub const MATCH_BODY_BYTES_MAX: usize = 1024 * 1024;

fn answer(e: YenteError) -> ApiError {
    match e {
        YenteError::InvalidField { field, message } => ApiError::invalid(field, message),
        YenteError::UnknownDataset(d) => ApiError::not_found(format!("no dataset {d}")),
        YenteError::NotFound(id) => ApiError::not_found(format!("no entity {id}")),
        other => ApiError::invalid("(query)", other.to_string()),
    }
}

/// Matches entity queries (FollowTheMoney: schema and properties) against the lists in force,
/// as yente's `POST /match/{dataset}`.
#[utoipa::path(post, path = "/match/{dataset}", tag = "yente",
    params(("dataset" = String, Path, description = "`default`, `sanctions` or a source dataset")),
    request_body(content = Object, description = "{\"queries\": {\"q1\": {\"schema\": \"Person\", \"properties\": {\"name\": [...]}}}}"),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn match_entities(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(dataset): PathOf<String>,
    QueryOf(params): QueryOf<MatchParams>,
    RawBody(body): RawBody<MATCH_BODY_BYTES_MAX>,
) -> ApiResult<axum::Json<yente::MatchResponse>> {
    caller.may(Action::Match)?;
    // A body that is not JSON is 400 `malformed_json`, as at every other route.
    let body: serde_json::Value = crate::extract::decode(&body)?;
    let request = MatchRequest::from_value(body).map_err(answer)?;
    let lists = state.lists_in_force().await?;
    let response = tokio::task::spawn_blocking(move || {
        // One scratch space per blocking thread, kept between requests.
        screening::with_scratch(|scratch| {
            yente::match_entities_with(&lists.screener, &dataset, &params, &request, scratch)
        })
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(answer)?;
    Ok(axum::Json(response))
}

/// Searches the lists by text, as yente's `GET /search/{dataset}?q=`.
#[utoipa::path(get, path = "/search/{dataset}", tag = "yente",
    params(("dataset" = String, Path), ("q" = String, Query), ("limit" = Option<usize>, Query), ("offset" = Option<usize>, Query)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn search(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(dataset): PathOf<String>,
    QueryOf(params): QueryOf<SearchParams>,
) -> ApiResult<axum::Json<yente::SearchResponse>> {
    caller.may(Action::Match)?;
    let lists = state.lists_in_force().await?;
    let response =
        tokio::task::spawn_blocking(move || yente::search(&lists.screener, &dataset, &params))
            .await
            .map_err(|e| ApiError::internal(&e))?
            .map_err(answer)?;
    Ok(axum::Json(response))
}

/// One listed entity, as yente's `GET /entities/{id}`.
#[utoipa::path(get, path = "/entities/{id}", tag = "yente", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn entity(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(id): PathOf<String>,
) -> ApiResult<axum::Json<yente::EntityResponse>> {
    caller.may(Action::Match)?;
    let lists = state.lists_in_force().await?;
    yente::entity(&lists.screener, &id)
        .map(axum::Json)
        .map_err(answer)
}

/// The datasets, as yente's `GET /catalog`.
#[utoipa::path(get, path = "/catalog", tag = "yente",
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn catalog(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<axum::Json<yente::Catalog>> {
    caller.may(Action::Match)?;
    let lists = state.lists_in_force().await?;
    let store = state.settings.source.list_store();
    // The dates of the lists in force come from the version's manifest (the bundled lists'
    // from no manifest: their dates stay unknown).
    let version = lists.version.clone();
    let metas: Vec<ListMeta> = tokio::task::spawn_blocking(move || store.manifest_of(&version))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok()
        .flatten()
        .map(|m| {
            m.lists
                .iter()
                .map(|l| ListMeta {
                    source: l.source.clone(),
                    date: l.date.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(axum::Json(yente::catalog(
        &lists.screener,
        &lists.version,
        &metas,
    )))
}
