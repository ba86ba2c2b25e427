//! Users: the operator adds users (each gets a one-time token), lists, revokes, and gives a
//! new token.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use house::users::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, PathOf, QueryOf};
use crate::idempotency;
use crate::policy::Action;
use crate::routes::json;
use crate::state::AppState;

/// A user to add.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    /// `participant`, `officer`, `supervisor`, `operator` or `auditor`.
    #[schema(value_type = String)]
    pub role: Role,
    /// The participant a `participant` user acts for.
    pub participant: Option<String>,
}

/// Adds a user; the answer carries its API token, shown this once (only a hash is kept). With
/// an Idempotency-Key, a repeat answers the first answer again, token included.
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "scoped to the caller")),
    responses((status = 201, body = Object), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn add(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(u): JsonBody<NewUser>,
) -> ApiResult<Response> {
    caller.may(Action::UsersAdd)?;
    let key = idempotency::key(&headers)?;
    let hash = idempotency::request_hash("add user", &u);
    let actor = caller.actor().to_owned();
    let st = Arc::clone(&state);
    Ok(
        idempotency::once(&state, &caller, key, "add user", hash, || async move {
            let (user, token) = st
                .run(move |h| h.add_user(&actor, &u.name, u.role, u.participant.as_deref()))
                .await?;
            json(
                StatusCode::CREATED,
                &serde_json::json!({ "user": user, "token": token.reveal() }),
            )
        })
        .await,
    )
}

/// Paging of the user listing (by name).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserPaging {
    /// The last name of the page before.
    pub after: Option<String>,
    pub limit: Option<usize>,
}

/// Users, by name, a page at a time.
#[utoipa::path(get, path = "/users", tag = "users", params(UserPaging),
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryOf(p): QueryOf<UserPaging>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::UsersList)?;
    let limit = p.limit.unwrap_or(house::PAGE_LIMIT_DEFAULT);
    if limit == 0 || limit > house::PAGE_LIMIT_MAX {
        return Err(ApiError::invalid(
            "limit",
            format!("1 to {}", house::PAGE_LIMIT_MAX),
        ));
    }
    let users = state
        .run(move |h| h.users(p.after.as_deref(), limit))
        .await?;
    let next = (users.len() == limit)
        .then(|| users.last().map(|u| u.name.clone()))
        .flatten();
    Ok(axum::Json(
        serde_json::json!({ "items": users, "next": next }),
    ))
}

/// Revokes a user: its token stops working at once.
#[utoipa::path(post, path = "/users/{name}/revoke", tag = "users", params(("name" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(name): PathOf<String>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::UsersRevoke)?;
    let actor = caller.actor().to_owned();
    let user = state.run(move |h| h.revoke_user(&actor, &name)).await?;
    Ok(axum::Json(
        serde_json::to_value(user).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// Gives a user a new token (the old one stops working), shown this once.
#[utoipa::path(post, path = "/users/{name}/token", tag = "users", params(("name" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn token(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(name): PathOf<String>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::UsersToken)?;
    let actor = caller.actor().to_owned();
    let token = state.run(move |h| h.new_token(&actor, &name)).await?;
    Ok(axum::Json(serde_json::json!({ "token": token.reveal() })))
}
