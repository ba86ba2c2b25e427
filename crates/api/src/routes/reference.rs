//! What every party looks things up in: the imbalance, the lists (and their upload and update),
//! goods, screening, the audit trail, and `verify`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use house::list_store::ListStoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, OptionalJsonBody, QueryOf};
use crate::idempotency;
use crate::policy::Action;
use crate::routes::{json, page_json};
use crate::state::AppState;

/// Largest list upload (all its files), in bytes.
pub const LIST_UPLOAD_BYTES_MAX: usize = 1024 * 1024 * 1024;
/// Most files in one list upload.
pub const LIST_UPLOAD_FILES_MAX: usize = 32;
/// Most hits answered for one screened name.
pub const SCREEN_HITS_MAX: usize = 50;

/// How many cycles the imbalance looks back on.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImbalanceQuery {
    /// The last cycles to show (default 10).
    pub cycles: Option<usize>,
}

/// What waits for a counter-flow per zone pair, and what the last cycles left waiting.
#[utoipa::path(get, path = "/imbalance", tag = "reference", params(ImbalanceQuery),
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn imbalance(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryOf(q): QueryOf<ImbalanceQuery>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::Imbalance)?;
    let cycles = q.cycles.unwrap_or(house::IMBALANCE_CYCLES_DEFAULT);
    if cycles > house::IMBALANCE_CYCLES_MAX {
        return Err(ApiError::invalid(
            "cycles",
            format!("at most {}", house::IMBALANCE_CYCLES_MAX),
        ));
    }
    let report = state.run(move |h| h.imbalance(cycles)).await?;
    Ok(axum::Json(
        serde_json::to_value(report).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// The lists in force and the versions kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListsStatus {
    /// The version this server screens against.
    pub version: String,
    pub entities: usize,
    /// The version the database names in force for the whole house (`null` while none was
    /// ever put in force); when it is not `version`, this server cannot load it and refuses
    /// what screens (503 `lists_out_of_date`).
    pub in_force: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<house::list_store::Manifest>,
}

/// The lists in force (a version another server put in force loaded first), and every version
/// kept with its counts per source.
#[utoipa::path(get, path = "/lists", tag = "lists",
    responses((status = 200, body = ListsStatus)), security(("bearer" = [])))]
pub async fn lists(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<axum::Json<ListsStatus>> {
    caller.may(Action::ListsStatus)?;
    let store = state.settings.source.list_store();
    let (lists, in_force, versions) = state
        .run(move |h| {
            let lists = match h.lists_in_force() {
                // Answered as it stands: `in_force` then says which version is missing here.
                Err(house::HouseError::ListsOutOfDate { .. }) => h.lists(),
                other => other?,
            };
            let in_force = h.lists_in_force_record()?.map(|r| r.version);
            Ok((lists, in_force, store.versions()?))
        })
        .await?;
    Ok(axum::Json(ListsStatus {
        version: lists.version.clone(),
        entities: lists.screener.entities().len(),
        in_force,
        versions,
    }))
}

/// Makes a new version of the lists from files uploaded (multipart, one part per file, its
/// file name the list file's name), puts it in force and rescreens the house against it.
#[utoipa::path(post, path = "/lists", tag = "lists",
    request_body(content = Object, content_type = "multipart/form-data", description = "list files (OFAC CSV sets, UN XML, EU FSF XML, UK CSV, FtM JSON lines); `allow_shrink=true` as a part to accept a list that lost more than 10 %"),
    responses((status = 200, body = Object), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn upload(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::ListsImport)?;
    // axum's own rejection is plain text: answered as every error is.
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the list files come as multipart/form-data (with its boundary)",
        )
    })?;
    let mut files = Vec::new();
    let mut allow_shrink = false;
    let mut total = 0usize;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request("bad_multipart", e.body_text()))?
    {
        let name = field.file_name().map(str::to_owned);
        let part = field.name().unwrap_or("").to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::bad_request("bad_multipart", e.body_text()))?;
        total += bytes.len();
        if total > LIST_UPLOAD_BYTES_MAX {
            return Err(ApiError::too_large(LIST_UPLOAD_BYTES_MAX));
        }
        match name {
            Some(name) if !name.is_empty() => {
                if files.len() == LIST_UPLOAD_FILES_MAX {
                    return Err(ApiError::invalid(
                        "files",
                        format!("at most {LIST_UPLOAD_FILES_MAX}"),
                    ));
                }
                let name = std::path::Path::new(&name)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .ok_or_else(|| ApiError::invalid("files", "a file without a name"))?;
                files.push(screening::lists::InputFile {
                    name,
                    bytes: bytes.to_vec(),
                });
            }
            _ if part == "allow_shrink" => allow_shrink = bytes.as_ref() == b"true",
            _ => return Err(ApiError::invalid(part, "not a file and not allow_shrink")),
        }
    }
    if files.is_empty() {
        return Err(ApiError::invalid("files", "no list file was uploaded"));
    }
    let actor = caller.actor().to_owned();
    let st = Arc::clone(&state);
    let report = state
        .run(move |_| {
            let records = files
                .iter()
                .map(|f| house::list_store::FileRecord::of(&f.name, &f.bytes, "uploaded"))
                .collect();
            install(&st, &actor, files, records, allow_shrink)
        })
        .await?;
    Ok(axum::Json(report))
}

/// Puts a new version of the lists in force, for an upload and an update alike: makes it in
/// the list store from `files` over the version in force (all parsed first; the shrink guard
/// unless `allow_shrink`), swaps it into the running house and rescreens the house against it.
/// Runs on the blocking pool, one install at a time ([`AppState::lists_installing`]).
fn install(
    state: &AppState,
    actor: &str,
    files: Vec<screening::lists::InputFile>,
    records: Vec<house::list_store::FileRecord>,
    allow_shrink: bool,
) -> Result<serde_json::Value, house::HouseError> {
    let _installing = state
        .lists_installing
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let installed = state
        .settings
        .source
        .list_store()
        .install(files, records, allow_shrink)?;
    let report = state.house.rescreen(actor, installed.lists())?;
    Ok(serde_json::json!({
        "version": installed.manifest.version,
        "previous": installed.previous,
        "lists": installed.manifest.lists,
        "rescreen": report,
    }))
}

/// What an update may ask: which of the server's list sources to fetch, and whether a list that
/// lost entities is accepted.
///
/// Never an address. The addresses are the operator's configuration (`serve --list-source`,
/// over the published ones), in `Settings::list_sources`: a server that fetched an
/// address a client gave would be a server-side request forgery, letting whoever holds a token
/// make the server reach what only the server can (its loopback, the internal network, a cloud
/// metadata endpoint), with what came back stored as a list version and shown in answers.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListsUpdate {
    /// Fetch only these files, by the name each is stored under (`sdn.csv`,
    /// `UN_consolidated.xml`); every configured source when absent or empty.
    #[serde(default)]
    pub only: Vec<String>,
    /// Accept a list that lost more than 10 % of its entities since the version in force.
    #[serde(default)]
    pub allow_shrink: bool,
}

/// Time all the files of one update may take to download: within [`crate::LONG_REQUEST_TIMEOUT`],
/// leaving the rest to install the new version and rescreen the house.
pub const LIST_DOWNLOADS_TIME_MAX: Duration = Duration::from_secs(600);
const _: () = assert!(LIST_DOWNLOADS_TIME_MAX.as_secs() < crate::LONG_REQUEST_TIMEOUT.as_secs());
/// Seconds an operator is told to wait after a failed download (`Retry-After`): a list
/// publisher that is down is seldom back within the second.
pub const LIST_DOWNLOAD_RETRY_AFTER_SECONDS: u64 = 60;

/// Sets its flag when dropped: a handler whose answer nobody waits for any more (the request's
/// time ran out, the client went away) tells the blocking work it started not to install.
struct Abandoned(Arc<AtomicBool>);

impl Drop for Abandoned {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Fetches the official list files from the addresses the server is configured with, makes them
/// a new version, puts it in force and rescreens the house, as an upload does. A file that
/// cannot be fetched or read (no answer, an HTTP error, not a list) is 503 naming it, and the
/// lists in force stay.
#[utoipa::path(post, path = "/lists/update", tag = "lists", request_body(content = Option<ListsUpdate>, description = "optional; no body fetches every configured source"),
    params(("Idempotency-Key" = Option<String>, Header, description = "scoped to the caller")),
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    OptionalJsonBody(body): OptionalJsonBody<ListsUpdate>,
) -> ApiResult<Response> {
    caller.may(Action::ListsUpdate)?;
    let key = idempotency::key(&headers)?;
    if body.only.len() > house::list_store::SOURCES_MAX {
        return Err(ApiError::invalid(
            "only",
            format!("at most {} names", house::list_store::SOURCES_MAX),
        ));
    }
    let sources = house::list_store::select(&state.settings.list_sources, &body.only).map_err(
        |e| match e {
            ListStoreError::UnknownSource { index, name } => ApiError::invalid(
                format!("only[{index}]"),
                format!("{name:?} is not among this server's list sources"),
            ),
            other => ApiError::from(house::HouseError::from(other)),
        },
    )?;
    if sources.is_empty() {
        return Err(ApiError::conflict(
            "no_list_sources",
            "this server has no list sources configured (serve --list-source FILE=URL)",
        ));
    }
    let hash = idempotency::request_hash("update lists", &body);
    let actor = caller.actor().to_owned();
    let allow_shrink = body.allow_shrink;
    let st = Arc::clone(&state);
    Ok(
        idempotency::once(&state, &caller, key, "update lists", hash, || async move {
            let abandoned = Arc::new(AtomicBool::new(false));
            let _guard = Abandoned(Arc::clone(&abandoned));
            let work = Arc::clone(&st);
            let report = st
                .run_api(move |_| {
                    let (files, records) =
                        house::list_store::download(&sources, Some(LIST_DOWNLOADS_TIME_MAX))
                            .map_err(|e| fetch_failed(&e.to_string()))?;
                    if abandoned.load(Ordering::Relaxed) {
                        return Err(ApiError::unavailable(
                            "the update was abandoned before it was installed",
                        ));
                    }
                    install(&work, &actor, files, records, allow_shrink)
                        .map_err(|e| unreadable_download(e, &sources))
                })
                .await?;
            json(StatusCode::OK, &report)
        })
        .await,
    )
}

/// A list file that could not be fetched: 503, the message naming the file and its address.
fn fetch_failed(message: &str) -> ApiError {
    ApiError {
        retry_after: Some(LIST_DOWNLOAD_RETRY_AFTER_SECONDS),
        ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "download_failed", message)
    }
}

/// An install that failed: a file fetched that is not a list this house reads is a failed
/// download (503, naming the file: the publisher's fault, not the caller's); anything else is
/// answered as an upload's would be (a list that shrank is 422 `list_shrank`).
fn unreadable_download(e: house::HouseError, sources: &[house::list_store::Source]) -> ApiError {
    if let house::HouseError::Lists(ListStoreError::Parse { source, .. }) = &e
        && let Some(fetched) = sources.iter().find(|s| s.name == source.file)
    {
        return fetch_failed(&format!(
            "{source}: the file fetched from {} is not a list this house reads (the lists in \
             force are unchanged)",
            fetched.shown_url()
        ));
    }
    ApiError::from(e)
}

/// Goods lines to check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoodsCheck {
    /// Origin country (ISO 3166 alpha-2) for the price bands.
    #[serde(default)]
    pub origin: String,
    /// Destination country.
    #[serde(default)]
    pub destination: String,
    /// The lines, as in a claim.
    #[schema(value_type = Vec<Object>)]
    pub goods_lines: Vec<model::GoodsLine>,
}

/// Checks goods lines against the export-control policy, the humanitarian whitelist and the
/// price bands, as a claim's would be: the policy's answer before sending.
#[utoipa::path(post, path = "/goods/check", tag = "reference", request_body = GoodsCheck,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn goods_check(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(g): JsonBody<GoodsCheck>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::GoodsCheck)?;
    let lines = state
        .run(move |h| h.check_goods_lines(&g.goods_lines, &g.origin, &g.destination))
        .await?;
    Ok(axum::Json(serde_json::json!({ "lines": lines })))
}

/// A name to screen.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenRequest {
    pub name: String,
    /// `Person`, `Organization` (`Company`), `LegalEntity`, `Vessel`, `Airplane`; any if absent.
    pub schema: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    /// Lowest score reported (default the house's threshold).
    pub threshold: Option<f64>,
    /// Most hits (default 10, at most 50).
    pub limit: Option<usize>,
}

/// Screens one name against the lists in force, each hit with how it matched.
#[utoipa::path(post, path = "/screening", tag = "reference", request_body = ScreenRequest,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn screen(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(r): JsonBody<ScreenRequest>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::Screen)?;
    let limit = r.limit.unwrap_or(10);
    if limit == 0 || limit > SCREEN_HITS_MAX {
        return Err(ApiError::invalid(
            "limit",
            format!("1 to {SCREEN_HITS_MAX}"),
        ));
    }
    let threshold = r
        .threshold
        .unwrap_or(state.house.config().config.screening_threshold);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ApiError::invalid("threshold", "0 to 1"));
    }
    let mut query = screening::Query::name(r.name.clone());
    query.schema = r
        .schema
        .as_deref()
        .map(|s| {
            screening::entity::parse_schema_or_any(s)
                .map_err(|e| ApiError::invalid("schema", e.to_string()))
        })
        .transpose()?
        .flatten();
    query.facts.birth_date = r
        .birth_date
        .as_deref()
        .and_then(screening::screener::parse_partial_date);
    query.facts.countries = r.countries;
    let lists = state.lists_in_force().await?;
    let matches = tokio::task::spawn_blocking(move || {
        lists
            .screener
            .screen(&query, threshold, limit, &mut screening::Scratch::default())
            .map(|m| (m, lists.version.clone()))
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|e| ApiError::invalid("name", e.to_string()))?;
    Ok(axum::Json(serde_json::json!({
        "lists_version": matches.1,
        "threshold": threshold,
        "hits": matches.0,
    })))
}

/// The audit trail's filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only entries about this subject (`claim:ID`, `case:ID`, `participant:ID`, `cycle:N`).
    pub subject: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

/// The audit trail, oldest first, a page at a time.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = crate::routes::PageOf)), security(("bearer" = [])))]
pub async fn audit(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryOf(q): QueryOf<AuditQuery>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::Audit)?;
    let request = house::PageRequest {
        cursor: q.cursor,
        limit: q.limit,
        newest_first: false,
    };
    let subject = q.subject;
    let page = state
        .run(move |h| h.audit_page(subject.as_deref(), &request))
        .await?;
    page_json(page.map(|row| crate::routes::cases::audit_json(&row)))
}

/// Recomputes both journals' hash chains, replays the ledger and checks every record of the
/// house against the audit entry that wrote it. Runs on its own connection: claims go on.
#[utoipa::path(post, path = "/verify", tag = "audit",
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn verify(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    caller.may(Action::Verify)?;
    let value = state
        .run(|h| {
            let heads = h.store().heads()?;
            let ledger = h.store().verify()?;
            let report = h.verify()?;
            let ok = ledger.problems.is_empty() && report.is_ok();
            Ok(serde_json::json!({
                "ok": ok,
                "receipt": heads.to_string(),
                "journal_entries": ledger.entries,
                "accounts": ledger.accounts,
                "transfers": ledger.transfers,
                "audit_entries": report.audit_entries,
                "participants": report.participants,
                "claims": report.claims,
                "cycles": report.cycles,
                "problems": ledger.problems.iter().chain(&report.problems).collect::<Vec<_>>(),
            }))
        })
        .await?;
    Ok((StatusCode::OK, axum::Json(value)))
}
