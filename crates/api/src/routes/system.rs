//! Liveness, readiness, metrics, the OpenAPI document, and who the caller is.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use house::HouseError;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::metrics::gauge;
use crate::policy::Action;
use crate::state::AppState;

/// The answer of `/healthz` and `/readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lists_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Alive: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok",
        lists_version: None,
        problem: None,
    })
}

/// Ready: the database answers, holds a clearing house, and this server holds the sanctions
/// lists in force for it (a version another server put in force is loaded from the lists
/// directory first; while it cannot be, not ready, naming the version).
#[utoipa::path(get, path = "/readyz", tag = "system", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let checked = state
        .run(|house| {
            if house
                .store()
                .record(house::kind::CONFIG, "house")?
                .is_none()
            {
                return Ok(Some("the database holds no clearing house".to_owned()));
            }
            match house.lists_in_force() {
                Ok(lists) if lists.screener.entities().is_empty() => {
                    Ok(Some("no sanctions lists loaded".to_owned()))
                }
                Ok(_) => Ok(None),
                Err(e @ HouseError::ListsOutOfDate { .. }) => Ok(Some(e.to_string())),
                Err(e) => Err(e),
            }
        })
        .await;
    let problem = checked.unwrap_or_else(|_| Some("the database does not answer".to_owned()));
    let status = if problem.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let body = Health {
        status: if problem.is_some() {
            "unavailable"
        } else {
            "ok"
        },
        lists_version: Some(state.house.lists().version.clone()),
        problem,
    };
    (status, axum::Json(body)).into_response()
}

/// Prometheus metrics (text format 0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<Arc<AppState>>) -> ApiResult<Response> {
    let mut out = String::new();
    state.metrics.render(&mut out);
    let counts = state
        .run(|house| {
            let store = house.store();
            Ok([
                store.count_by_status(house::kind::CLAIM)?,
                store.count_by_status(house::kind::ALERT)?,
                store.count_by_status(house::kind::CASE)?,
            ])
        })
        .await?;
    let as_f64 = |rows: &Vec<(String, u64)>| -> Vec<(String, f64)> {
        rows.iter().map(|(s, n)| (s.clone(), *n as f64)).collect()
    };
    gauge(
        &mut out,
        "clearhouse_claims",
        "Claims by status.",
        "status",
        &as_f64(&counts[0]),
    );
    gauge(
        &mut out,
        "clearhouse_alerts",
        "Alerts by status (open: to review).",
        "status",
        &as_f64(&counts[1]),
    );
    gauge(
        &mut out,
        "clearhouse_cases",
        "Cases by status.",
        "status",
        &as_f64(&counts[2]),
    );
    // The lists in force for the house; those this server holds while it cannot load them
    // (`/readyz` says so).
    let lists = state
        .lists_in_force()
        .await
        .unwrap_or_else(|_| state.house.lists());
    let list_age = state
        .settings
        .source
        .list_store()
        .manifest_of(&lists.version)
        .ok()
        .flatten()
        .map(|m| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            now.saturating_sub(m.created_at) as f64
        })
        .unwrap_or(-1.0);
    gauge(
        &mut out,
        "clearhouse_lists_age_seconds",
        "Age of the sanctions lists in force (-1: the bundled lists).",
        "version",
        &[(lists.version.clone(), list_age)],
    );
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response())
}

/// The calling user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub name: String,
    pub role: String,
    pub participant: Option<String>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/me", tag = "users", responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn me(caller: Caller) -> ApiResult<axum::Json<Me>> {
    caller.may(Action::WhoAmI)?;
    Ok(axum::Json(Me {
        name: caller.user.name.clone(),
        role: caller.user.role.as_str().to_owned(),
        participant: caller.user.participant.clone(),
    }))
}
