//! Cycles: preview, run, list, show, their files, and statements (JSON, CSV, camt.053).

use std::path::{Component, Path};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use house::{CycleOptions, HouseError, PreviewOptions};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, Scope};
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, PathOf, QueryOf};
use crate::idempotency;
use crate::policy::Action;
use crate::routes::{Paging, json, page_json};
use crate::state::AppState;

/// Largest settlement file served, in bytes.
pub const FILE_BYTES_MAX: u64 = 512 * 1024 * 1024;

/// How to run a cycle.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunCycle {
    /// Take claims submitted up to this time (RFC 3339); default now.
    pub cutoff: Option<String>,
    /// Pay-ins are due by then (RFC 3339); default the run plus the configured hours.
    pub deadline: Option<String>,
    /// Run domestic set-off first; default as configured.
    pub set_off_domestic: Option<bool>,
}

fn time(field: &str, text: &Option<String>) -> ApiResult<Option<u64>> {
    text.as_deref()
        .map(|t| {
            model::calendar::parse_utc(t).ok_or_else(|| {
                ApiError::invalid(
                    field,
                    format!("{t:?} is not an RFC 3339 time (2026-12-06T10:00:00Z)"),
                )
            })
        })
        .transpose()
}

/// Runs a clearing cycle: the INSTEX selection is fixed and each payer's pay-in requested;
/// nobody is paid until the pay-ins it depends on arrived.
#[utoipa::path(post, path = "/cycles", tag = "cycles", request_body = RunCycle,
    params(("Idempotency-Key" = Option<String>, Header, description = "scoped to the caller")),
    responses((status = 201, body = Object), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn run(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RunCycle>,
) -> ApiResult<Response> {
    caller.may(Action::CyclesRun)?;
    let key = idempotency::key(&headers)?;
    let hash = idempotency::request_hash("run cycle", &body);
    let options = CycleOptions {
        cutoff: time("cutoff", &body.cutoff)?,
        deadline: time("deadline", &body.deadline)?,
        set_off_domestic: body.set_off_domestic,
        out_dir: state.settings.files_dir.clone(),
        // Taken in the cycle's own commit: another server given the same request at once
        // answers the same cycle instead of running a second.
        idempotency: key
            .as_ref()
            .map(|k| (format!("{}/{k}", caller.actor()), hash.clone())),
    };
    let actor = caller.actor().to_owned();
    let st = Arc::clone(&state);
    Ok(
        idempotency::once(&state, &caller, key, "run cycle", hash, || async move {
            let started = Instant::now();
            let report = st.run(move |h| h.run_cycle(&actor, &options)).await?;
            st.metrics.cycle(started.elapsed());
            json(StatusCode::CREATED, &report)
        })
        .await,
    )
}

/// What to preview: the options of the run it stands for, less the deadline (which changes
/// nothing of what clears).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewCycle {
    /// Take claims submitted up to this time (RFC 3339); default now.
    pub cutoff: Option<String>,
    /// Run domestic set-off first; default as configured.
    pub set_off_domestic: Option<bool>,
}

/// What a cycle run now would clear, computed as `POST /cycles` computes it, with nothing
/// written: the claims that would clear (whole or in part) and those that would stay, and
/// why; each participant's position (pay-in, pay-out or flat) in its zone's currency; each
/// zone's totals and liquidity moves; the claims a run would deem accepted first.
#[utoipa::path(post, path = "/cycles/preview", tag = "cycles", request_body = PreviewCycle,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn preview(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body): JsonBody<PreviewCycle>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    caller.may(Action::CyclesPreview)?;
    let options = PreviewOptions {
        cutoff: time("cutoff", &body.cutoff)?,
        set_off_domestic: body.set_off_domestic,
    };
    let preview = state.run(move |h| h.preview_cycle(&options)).await?;
    Ok(axum::Json(
        serde_json::to_value(preview).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// Cycles, a page at a time, without their selections.
#[utoipa::path(get, path = "/cycles", tag = "cycles", params(Paging),
    responses((status = 200, body = crate::routes::PageOf)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryOf(paging): QueryOf<Paging>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let scope = caller.may(Action::CyclesList)?;
    let mut page = state.run(move |h| h.cycles_page(&paging.request())).await?;
    if let Scope::Own(p) = &scope {
        for cycle in &mut page.items {
            narrow(cycle, p);
        }
    }
    page_json(page)
}

/// What a participant sees of a cycle: its own position, claims and unwind; never another
/// firm's position or payments, nor the files and where they lie.
fn narrow(cycle: &mut house::Cycle, p: &str) {
    cycle.claims.retain(|c| c.creditor == p || c.debtor == p);
    cycle.positions.retain(|x| x.participant == p);
    cycle.unwinds.retain(|u| u.participant == p);
    cycle.payments.clear();
    cycle.files.clear();
    cycle.directory.clear();
}

/// One cycle: its selection, positions, payments, zone totals and files. A participant sees
/// its own position and claims only.
#[utoipa::path(get, path = "/cycles/{number}", tag = "cycles", params(("number" = u64, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn show(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(number): PathOf<u64>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let scope = caller.may(Action::CyclesShow)?;
    let mut cycle = state.run(move |h| h.cycle(number)).await?;
    if let Scope::Own(p) = &scope {
        narrow(&mut cycle, p);
    }
    Ok(axum::Json(
        serde_json::to_value(cycle).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// A file of a cycle, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileEntry {
    /// Its path in the cycle's directory (`EU/requests-EU.pain013.xml`): the `name` to
    /// download it by, its `/` written `%2F`.
    pub name: String,
    pub bytes: u64,
    pub sha256: Option<String>,
}

/// The cycle's directory, checked to lie under the files directory.
fn cycle_dir(state: &AppState, number: u64) -> std::path::PathBuf {
    state.settings.files_dir.join(format!("cycle-{number}"))
}

/// A file's path inside a cycle's directory: plain components only, nothing that climbs out
/// or hides.
fn file_name(name: &str) -> ApiResult<&str> {
    let path = Path::new(name);
    let plain = name.len() <= 255
        && path.components().count() <= 4
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(n) if !n.to_string_lossy().starts_with('.')));
    if plain && !name.is_empty() {
        Ok(name)
    } else {
        Err(ApiError::bad_request("bad_path", "not a file of this cycle").with_field("name".into()))
    }
}

/// The files a cycle wrote, as its record lists them: payment requests (pain.013 and CSV),
/// pay-outs (pain.001), statements (camt.053 and CSV), each under its zone's folder.
#[utoipa::path(get, path = "/cycles/{number}/files", tag = "cycles", params(("number" = u64, Path)),
    responses((status = 200, body = Vec<FileEntry>), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn files(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(number): PathOf<u64>,
) -> ApiResult<axum::Json<Vec<FileEntry>>> {
    caller.may(Action::CycleFiles)?;
    let cycle = state.run(move |h| h.cycle(number)).await?;
    let dir = cycle_dir(&state, number);
    let out = tokio::task::spawn_blocking(move || {
        let mut out: Vec<FileEntry> = cycle
            .files
            .iter()
            .filter_map(|f| {
                // A file of the record that is not on this server's disk is not served here.
                let meta = std::fs::metadata(dir.join(&f.path)).ok()?;
                meta.is_file().then(|| FileEntry {
                    name: f.path.clone(),
                    bytes: meta.len(),
                    sha256: Some(f.sha256.clone()),
                })
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    Ok(axum::Json(out))
}

/// Downloads one file of a cycle, by its path as listed (`EU%2Frequests-EU.csv`).
#[utoipa::path(get, path = "/cycles/{number}/files/{name}", tag = "cycles", params(("number" = u64, Path), ("name" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn file(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf((number, name)): PathOf<(u64, String)>,
) -> ApiResult<Response> {
    caller.may(Action::CycleFiles)?;
    let name = file_name(&name)?.to_owned();
    let cycle = state.run(move |h| h.cycle(number)).await?;
    // Only what the cycle's record lists is served: never another file of the directory.
    if !cycle.files.iter().any(|f| f.path == name) {
        return Err(ApiError::not_found(format!(
            "cycle {number} has no file {name}"
        )));
    }
    let path = cycle_dir(&state, number).join(&name);
    let bytes = tokio::task::spawn_blocking(move || {
        std::fs::metadata(&path)
            .ok()
            .filter(|m| m.is_file() && m.len() <= FILE_BYTES_MAX)?;
        std::fs::read(&path).ok()
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .ok_or_else(|| ApiError::not_found(format!("cycle {number} has no file {name}")))?;
    let shown = Path::new(&name)
        .file_name()
        .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned());
    Ok(download(&shown, bytes))
}

fn download(name: &str, bytes: Vec<u8>) -> Response {
    let content_type = if name.ends_with(".xml") {
        "application/xml"
    } else if name.ends_with(".csv") {
        "text/csv; charset=utf-8"
    } else {
        "application/octet-stream"
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// The statement format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatementQuery {
    /// `json` (default), `csv` or `camt053`.
    pub format: Option<String>,
}

/// A participant's statement of its account at the house for one cycle.
#[utoipa::path(get, path = "/cycles/{number}/statements/{participant}", tag = "cycles",
    params(("number" = u64, Path), ("participant" = String, Path), StatementQuery),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn statement(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf((number, participant)): PathOf<(u64, String)>,
    QueryOf(q): QueryOf<StatementQuery>,
) -> ApiResult<Response> {
    let scope = caller.may(Action::Statements)?;
    if !scope.covers(&[&participant]) {
        return Err(HouseError::NotFound {
            kind: "participant",
            id: participant,
        }
        .into());
    }
    let format = q.format.unwrap_or_else(|| "json".into());
    match format.as_str() {
        "json" => {
            let s = state
                .run(move |h| h.statement(&participant, number))
                .await?;
            Ok(axum::Json(s).into_response())
        }
        "csv" | "camt053" => {
            let who = participant.clone();
            let (xml, csv) = state.run(move |h| h.statement_files(&who, number)).await?;
            Ok(if format == "csv" {
                download(&format!("statement-{number}-{participant}.csv"), csv)
            } else {
                download(&format!("statement-{number}-{participant}.xml"), xml)
            })
        }
        other => Err(ApiError::invalid(
            "format",
            format!("{other:?}: json, csv or camt053"),
        )),
    }
}
