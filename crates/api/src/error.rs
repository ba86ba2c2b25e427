//! One error type for every route: `{"error": {"code", "message", "field"}}` with the status its
//! kind calls for. Internal failures are logged in full (with the request id) and answered
//! without details: never a stack trace, SQL or a file path.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use house::{ErrorKind, HouseError};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code (`invalid_field`, `not_found`, `forbidden`, …).
    pub code: &'static str,
    /// For a person.
    pub message: String,
    /// The input field at fault, as a path (`goods_lines[2].hs_code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Seconds to wait before trying again (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// The same error, about a field.
    pub fn with_field(mut self, field: String) -> ApiError {
        self.field = Some(field);
        self
    }

    /// A field that is not acceptable (422).
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            field: Some(field.into()),
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                message.into(),
            )
        }
    }

    /// A request that is not readable at all (400).
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid API token is needed: Authorization: Bearer <token>",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    pub fn too_large(limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is larger than the limit of {limit} bytes for this route"),
        )
    }

    /// Something broke inside: logged here with its details, answered without them.
    pub fn internal(what: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %what, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred; it was logged with this request's id",
        )
    }

    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError {
            retry_after: Some(1),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
        }
    }
}

/// Seconds a client is told to wait (`Retry-After`) when the server cannot screen against the
/// lists in force: a version reaches a server's lists directory by an operator's hand, seldom
/// within the second.
pub const LISTS_OUT_OF_DATE_RETRY_AFTER_SECONDS: u64 = 30;

impl From<HouseError> for ApiError {
    fn from(e: HouseError) -> ApiError {
        let code = e.code();
        if let HouseError::ListsOutOfDate { .. } = e {
            // Its message names the version and why, and nothing internal: the operator
            // needs it to put the version where this server loads it from.
            tracing::warn!(error = %e, "lists out of date");
            return ApiError {
                retry_after: Some(LISTS_OUT_OF_DATE_RETRY_AFTER_SECONDS),
                ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, e.to_string())
            };
        }
        match e.kind() {
            ErrorKind::Invalid => ApiError {
                field: e.field().map(str::to_owned),
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, e.to_string())
            },
            ErrorKind::NotFound => ApiError::new(StatusCode::NOT_FOUND, code, e.to_string()),
            ErrorKind::Forbidden => ApiError::new(StatusCode::FORBIDDEN, code, e.to_string()),
            ErrorKind::Conflict => ApiError::new(StatusCode::CONFLICT, code, e.to_string()),
            ErrorKind::Unavailable => {
                tracing::warn!(error = %e, "unavailable");
                ApiError {
                    retry_after: Some(1),
                    ..ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        code,
                        "the clearing house cannot answer now; try again",
                    )
                }
            }
            _ => ApiError::internal(&e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                field: self.field,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// What a handler answers.
pub type ApiResult<T> = Result<T, ApiError>;
