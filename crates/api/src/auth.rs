//! Who calls: a Bearer token (or yente's `ApiKey` scheme) looked up in the house, and what the
//! policy table lets that user do.

use std::sync::Arc;

use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::header;
use axum::http::request::Parts;
use house::users::{Role, User};

use crate::error::ApiError;
use crate::policy::{self, Access, Action};
use crate::state::AppState;

/// Longest Authorization header value read, in bytes.
pub const AUTHORIZATION_BYTES_MAX: usize = 512;

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
}

/// What a caller may reach for one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    All,
    /// Only what concerns this participant.
    Own(String),
}

impl Scope {
    /// Whether a record about `parties` (creditor, debtor, participant …) is in scope.
    pub fn covers(&self, parties: &[&str]) -> bool {
        match self {
            Scope::All => true,
            Scope::Own(p) => parties.contains(&p.as_str()),
        }
    }

    /// The participant a listing is narrowed to, if any.
    pub fn participant(&self) -> Option<&str> {
        match self {
            Scope::All => None,
            Scope::Own(p) => Some(p),
        }
    }
}

impl Caller {
    /// The name recorded in audit events.
    pub fn actor(&self) -> &str {
        &self.user.name
    }

    /// Whether this caller may do `action`, and on what.
    pub fn may(&self, action: Action) -> Result<Scope, ApiError> {
        match policy::access(action, self.user.role) {
            Access::No => Err(ApiError::forbidden(format!(
                "a {} may not do this",
                self.user.role.as_str()
            ))),
            Access::All => Ok(Scope::All),
            Access::Own => match (&self.user.role, &self.user.participant) {
                (Role::Participant, Some(p)) => Ok(Scope::Own(p.clone())),
                _ => Err(ApiError::forbidden("this user acts for no participant")),
            },
        }
    }
}

/// The token of a request: `Authorization: Bearer <token>` (or `ApiKey <token>`, as yente
/// clients send it).
fn token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    if value.len() > AUTHORIZATION_BYTES_MAX {
        return None;
    }
    let (scheme, token) = value.split_once(' ')?;
    let known = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("apikey");
    known.then(|| token.trim())
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let token = token(parts).ok_or_else(ApiError::unauthorized)?.to_owned();
        let user = state
            .read_short(move |house| house.authenticate(&token))
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if let Err(wait) = state.rate.check(&user.name) {
            return Err(ApiError {
                retry_after: Some(wait.as_secs().max(1)),
                ..ApiError::new(
                    axum::http::StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "too many requests for this token; slow down",
                )
            });
        }
        parts.extensions.insert(user.name.clone());
        let caller = Caller { user };
        // The role is checked against the route's action before the handler reads anything
        // else of the request: a refused caller gets 403 whatever its body or parameters.
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map(MatchedPath::as_str);
        if let Some(action) = route.and_then(|r| policy::route_action(parts.method.as_str(), r)) {
            caller.may(action)?;
        }
        Ok(caller)
    }
}
