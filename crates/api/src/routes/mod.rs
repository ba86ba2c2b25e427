//! The routes, one module per area. Each handler names its [`Action`](crate::policy::Action)
//! first, so that the policy table decides access before anything is read.

// utoipa's `params(Type)` expands to a qualified path the lint flags in code we do not write.
#![allow(unused_qualifications)]

pub mod cases;
pub mod claims;
pub mod cycles;
pub mod participants;
pub mod reference;
pub mod settlement;
pub mod system;
pub mod users;
pub mod yente;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiResult;

/// A page of a listing: `items`, and `next`, the cursor of the next page (absent on the last).
#[derive(Debug, Serialize, ToSchema)]
pub struct PageOf {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
    pub next: Option<String>,
}

/// Paging parameters every listing takes.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// The `next` cursor of the page before.
    pub cursor: Option<String>,
    /// Items on the page: 1 to 500 (default 50).
    pub limit: Option<usize>,
    /// `true`: newest first.
    #[serde(default)]
    pub newest_first: bool,
}

impl Paging {
    pub fn request(&self) -> house::PageRequest {
        house::PageRequest {
            cursor: self.cursor.clone(),
            limit: self.limit,
            newest_first: self.newest_first,
        }
    }
}

/// A JSON answer with a status.
pub fn json<T: Serialize>(
    status: StatusCode,
    value: &T,
) -> ApiResult<(StatusCode, serde_json::Value)> {
    serde_json::to_value(value)
        .map(|v| (status, v))
        .map_err(|e| crate::error::ApiError::internal(&e))
}

/// A page as JSON.
pub fn page_json<T: Serialize>(page: house::Page<T>) -> ApiResult<axum::Json<serde_json::Value>> {
    serde_json::to_value(page)
        .map(axum::Json)
        .map_err(|e| crate::error::ApiError::internal(&e))
}

/// A reason given with a decision, a dispute or a withdrawal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
}
