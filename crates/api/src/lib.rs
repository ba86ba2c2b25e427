//! The HTTP API of the clearing house: every party works through it (participating firms,
//! compliance officers, the operator, banks' files, the auditor).
//!
//! - [`app`] builds the router (testable without a socket); [`serve`] runs it until SIGTERM or
//!   SIGINT, letting requests in flight finish.
//! - Every route names an [`policy::Action`]; [`policy::TABLE`] alone decides who may do it.
//! - House calls run on tokio's blocking pool ([`state::AppState::run`]): the store's clients
//!   block, and a long `verify` or cycle never holds a thread that serves requests.
//! - Errors are `{"error": {"code", "message", "field"}}` ([`error::ApiError`]).
//! - The OpenAPI 3.1 document is generated from the handlers' annotations and served at
//!   `/api/v1/openapi.json`.

pub mod auth;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod metrics;
pub mod policy;
pub mod rate;
pub mod routes;
pub mod state;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use state::{AppState, Settings};

/// Time a request may take, except the long ones below.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Time a cycle run or preview, a bank-file import, a list upload or update, or `verify` may take.
pub const LONG_REQUEST_TIMEOUT: Duration = Duration::from_secs(900);
/// Time requests in flight get to finish after SIGTERM or SIGINT.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// The header carrying the request id (set by the client or made here), echoed in the answer.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The document's frame; paths come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clearhouse",
        description = "An open, compliance-first trade clearing house: claims cleared across economic zones without a payment crossing the border, every party and goods line screened, everything on a tamper-evident double-entry ledger."
    ),
    modifiers(&BearerAuth),
    components(schemas(error::ErrorBody, error::ErrorDetail)),
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The routes under `/api/v1` that may take long.
fn long_routes() -> OpenApiRouter<Arc<AppState>> {
    use routes::*;
    OpenApiRouter::new()
        .routes(routes!(cycles::run))
        .routes(routes!(cycles::preview))
        .routes(routes!(settlement::import))
        .routes(routes!(reference::verify))
        .routes(routes!(reference::upload, reference::lists))
        .routes(routes!(reference::update))
        .layer(DefaultBodyLimit::max(reference::LIST_UPLOAD_BYTES_MAX))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            LONG_REQUEST_TIMEOUT,
        ))
}

/// The routes under `/api/v1` answered within [`REQUEST_TIMEOUT`].
fn short_routes() -> OpenApiRouter<Arc<AppState>> {
    use routes::*;
    OpenApiRouter::new()
        .routes(routes!(system::me))
        .routes(routes!(users::add, users::list))
        .routes(routes!(users::revoke))
        .routes(routes!(users::token))
        .routes(routes!(participants::onboard, participants::list))
        .routes(routes!(participants::show))
        .routes(routes!(participants::suspend))
        .routes(routes!(participants::reinstate))
        .routes(routes!(claims::submit, claims::list))
        .routes(routes!(claims::batch))
        .routes(routes!(claims::show))
        .routes(routes!(claims::accept))
        .routes(routes!(claims::dispute))
        .routes(routes!(claims::withdraw))
        .routes(routes!(cases::alerts))
        .routes(routes!(cases::alert))
        .routes(routes!(cases::cases))
        .routes(routes!(cases::case))
        .routes(routes!(cases::decide))
        .routes(routes!(cases::reassign))
        .routes(routes!(cycles::list))
        .routes(routes!(cycles::show))
        .routes(routes!(cycles::files))
        .routes(routes!(cycles::file))
        .routes(routes!(cycles::statement))
        .routes(routes!(settlement::advance))
        .routes(routes!(settlement::entries))
        .routes(routes!(settlement::resolve))
        .routes(routes!(settlement::unwind))
        .routes(routes!(settlement::deadline))
        .routes(routes!(settlement::retry))
        .routes(routes!(reference::imbalance))
        .routes(routes!(reference::goods_check))
        .routes(routes!(reference::screen))
        .routes(routes!(reference::audit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
}

/// The router and the OpenAPI document it was built with.
pub fn app_and_doc(state: Arc<AppState>) -> (Router, utoipa::openapi::OpenApi) {
    let api = OpenApiRouter::new()
        .merge(short_routes())
        .merge(long_routes());
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api)
        .routes(routes!(routes::system::healthz))
        .routes(routes!(routes::system::readyz))
        .routes(routes!(routes::system::metrics))
        .routes(routes!(routes::yente::match_entities))
        .routes(routes!(routes::yente::search))
        .routes(routes!(routes::yente::entity))
        .routes(routes!(routes::yente::catalog))
        .split_for_parts();
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    // The document is a route too, so that it lists every route the router serves.
    doc.paths.add_path_operation(
        "/api/v1/openapi.json",
        vec![utoipa::openapi::HttpMethod::Get],
        utoipa::openapi::path::OperationBuilder::new()
            .tag("system")
            .operation_id(Some("openapi"))
            .summary(Some("This document (OpenAPI 3.1)."))
            .response(
                "200",
                utoipa::openapi::ResponseBuilder::new()
                    .description("The OpenAPI document")
                    .content(
                        "application/json",
                        utoipa::openapi::ContentBuilder::new().build(),
                    ),
            ),
    );
    // Written once: a handler is cloned for every request, and so would a document it held.
    let served = axum::body::Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
    let router = router
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    )],
                    served,
                )
            }),
        )
        .fallback(|| async { error::ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            error::ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take this method",
            )
        })
        .layer(middleware::from_fn_with_state(Arc::clone(&state), track))
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static(
            REQUEST_ID_HEADER,
        )))
        .layer(SetRequestIdLayer::new(
            HeaderName::from_static(REQUEST_ID_HEADER),
            NextRequestId::default(),
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            error::ApiError::internal(&"a handler panicked").into_response()
        }))
        .with_state(state);
    (router, doc)
}

/// The router (see [`app_and_doc`]).
pub fn app(state: Arc<AppState>) -> Router {
    app_and_doc(state).0
}

/// Request ids: a per-process prefix and a counter.
#[derive(Clone, Default)]
struct NextRequestId {
    n: Arc<AtomicU64>,
}

impl MakeRequestId for NextRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.n.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        HeaderValue::from_str(&format!("{pid:x}-{n:x}"))
            .ok()
            .map(RequestId::new)
    }
}

/// Counts and times each request by its matched route, and logs it with its request id.
async fn track(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let response = tracing::Instrument::instrument(next.run(request), span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .request(method.as_str(), &route, status, elapsed);
    span.in_scope(|| {
        tracing::info!(status, elapsed_ms = elapsed.as_secs_f64() * 1e3, "answered");
    });
    response
}

/// Serves on a bound listener until `shutdown` completes.
pub async fn serve_on(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app(state);
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stopping.send(());
    });
    let grace = async move {
        let _ = stopped.await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => result,
        () = grace => {
            tracing::warn!("requests still in flight after the grace period; stopping");
            Ok(())
        }
    }
}

/// SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
