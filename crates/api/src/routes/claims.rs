//! Claims: submit (one or a batch), list, show with checks and audit trail, and the debtor's
//! acceptance or dispute, the creditor's withdrawal.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use house::{ClaimRecord, ClaimStatus, ClaimSubmission, HouseError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, Scope};
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, PathOf, QueryOf};
use crate::idempotency;
use crate::policy::Action;
use crate::routes::{Paging, Reason, json, page_json};
use crate::state::AppState;

/// Most claims in one batch.
pub const BATCH_CLAIMS_MAX: usize = 100;
/// Largest batch body, in bytes (a hundred claims of up to 100 goods lines each).
pub const BATCH_BODY_BYTES_MAX: usize = 8 * 1024 * 1024;
/// Most audit entries shown with a claim (the newest are a `GET /audit?subject=claim:ID` away).
pub const CLAIM_AUDIT_MAX: usize = 200;

/// A claim as a participant submits it: the house's claim document; `idempotency_key` may be
/// left out when the `Idempotency-Key` header gives it.
fn submission(
    caller: &Caller,
    headers: &HeaderMap,
    mut body: serde_json::Value,
    field: &str,
) -> ApiResult<ClaimSubmission> {
    let header = idempotency::key(headers)?;
    let object = body
        .as_object_mut()
        .ok_or_else(|| ApiError::invalid(field_or_body(field), "a claim is a JSON object"))?;
    match (object.get("idempotency_key"), header) {
        (None, Some(key)) => {
            object.insert("idempotency_key".into(), serde_json::Value::String(key));
        }
        (Some(serde_json::Value::String(k)), Some(key)) if *k != key => {
            return Err(ApiError::invalid(
                join(field, "idempotency_key"),
                "differs from the Idempotency-Key header",
            ));
        }
        (None, None) => {
            return Err(ApiError::invalid(
                join(field, "idempotency_key"),
                "give an Idempotency-Key header (or idempotency_key in the claim)",
            ));
        }
        _ => {}
    }
    let bytes = serde_json::to_vec(&body).map_err(|e| ApiError::internal(&e))?;
    let s: ClaimSubmission = crate::extract::decode(&bytes).map_err(|mut e| {
        e.field = e.field.map(|f| join(field, &f));
        e
    })?;
    if let Scope::Own(p) = caller.may(Action::ClaimsSubmit)?
        && s.creditor != p
    {
        return Err(ApiError::forbidden(format!(
            "{} submits claims as creditor {p} only",
            caller.actor()
        ))
        .with_field(join(field, "creditor")));
    }
    Ok(s)
}

fn field_or_body(field: &str) -> String {
    if field.is_empty() {
        "(body)".into()
    } else {
        field.into()
    }
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

/// Submits a claim; every check runs. 201 when accepted or held for review, with the claim;
/// the same key and body again give the first answer.
#[utoipa::path(post, path = "/claims", tag = "claims",
    params(("Idempotency-Key" = Option<String>, Header, description = "scoped to the caller")),
    request_body(content = Object, description = "a claim: id, creditor, debtor, invoice_number, amount, due_date, incoterms, invoice_counterparty, goods_lines"),
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn submit(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.may(Action::ClaimsSubmit)?;
    let s = submission(&caller, &headers, body, "")?;
    let actor = caller.actor().to_owned();
    let outcome = state
        .run(move |house| house.submit_claim(&actor, &s))
        .await?;
    // A repeat gets the first answer again: the same status and body, marked as a replay.
    let mut response = axum::response::IntoResponse::into_response((
        StatusCode::CREATED,
        axum::Json(&outcome.claim),
    ));
    if outcome.replayed {
        response.headers_mut().insert(
            idempotency::REPLAYED_HEADER,
            axum::http::HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

/// The answer for one claim of a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItem {
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub claim: Option<ClaimRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::error::ErrorDetail>,
}

/// A batch of claims.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// Up to 100 claims, each with its own `idempotency_key`.
    #[schema(value_type = Vec<Object>)]
    pub claims: Vec<serde_json::Value>,
}

/// Submits up to 100 claims; each is checked and answered on its own (one refused does not
/// stop the others), in order.
#[utoipa::path(post, path = "/claims/batch", tag = "claims", request_body = Batch,
    responses((status = 200, body = Vec<BatchItem>), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn batch(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(batch): JsonBody<Batch, BATCH_BODY_BYTES_MAX>,
) -> ApiResult<axum::Json<Vec<BatchItem>>> {
    caller.may(Action::ClaimsSubmit)?;
    if batch.claims.is_empty() || batch.claims.len() > BATCH_CLAIMS_MAX {
        return Err(ApiError::invalid(
            "claims",
            format!(
                "{} claims: 1 to {BATCH_CLAIMS_MAX} a batch",
                batch.claims.len()
            ),
        ));
    }
    let no_header = HeaderMap::new();
    let mut submissions = Vec::with_capacity(batch.claims.len());
    for (i, body) in batch.claims.into_iter().enumerate() {
        submissions.push(submission(
            &caller,
            &no_header,
            body,
            &format!("claims[{i}]"),
        ));
    }
    let actor = caller.actor().to_owned();
    let items = state
        .run_api(move |house| {
            Ok(submissions
                .into_iter()
                .map(|s| {
                    let result =
                        s.and_then(|s| house.submit_claim(&actor, &s).map_err(ApiError::from));
                    match result {
                        Ok(o) => BatchItem {
                            status: 201,
                            claim: Some(o.claim),
                            error: None,
                        },
                        Err(e) => BatchItem {
                            status: e.status.as_u16(),
                            claim: None,
                            error: Some(crate::error::ErrorDetail {
                                code: e.code,
                                message: e.message,
                                field: e.field,
                            }),
                        },
                    }
                })
                .collect())
        })
        .await?;
    Ok(axum::Json(items))
}

/// Filters of the claim listing.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ClaimFilter {
    /// Only in this state (`queued`, `held`, `awaiting_acceptance`, …).
    pub status: Option<String>,
    /// Only those of this participant, either side (a participant user sees its own only).
    pub participant: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
    #[serde(default)]
    pub newest_first: bool,
}

fn claim_status(text: &str) -> ApiResult<ClaimStatus> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| ApiError::invalid("status", format!("{text:?} is not a claim status")))
}

/// Claims, a page at a time, oldest first unless `newest_first`.
#[utoipa::path(get, path = "/claims", tag = "claims", params(ClaimFilter),
    responses((status = 200, body = crate::routes::PageOf), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryOf(filter): QueryOf<ClaimFilter>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let scope = caller.may(Action::ClaimsList)?;
    let participant = match (&scope, filter.participant) {
        (Scope::Own(own), Some(p)) if *own != p => {
            return Err(
                ApiError::forbidden("a participant lists its own claims only")
                    .with_field("participant".to_owned()),
            );
        }
        (Scope::Own(own), _) => Some(own.clone()),
        (Scope::All, p) => p,
    };
    let status = filter.status.as_deref().map(claim_status).transpose()?;
    let paging = Paging {
        cursor: filter.cursor,
        limit: filter.limit,
        newest_first: filter.newest_first,
    };
    let page = state
        .run(move |house| {
            house.claims_page(
                participant.as_deref(),
                status,
                (None, None),
                &paging.request(),
            )
        })
        .await?;
    page_json(page)
}

/// A claim with its checks and what happened to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimView {
    #[schema(value_type = Object)]
    pub claim: ClaimRecord,
    /// The audit entries about it, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub audit: Vec<serde_json::Value>,
}

/// Reads a claim the caller may see: a participant only the claims it is a party to (another
/// firm's claim is "not found", so ids cannot be probed).
fn visible(house: &house::House, scope: &Scope, id: &str) -> ApiResult<ClaimRecord> {
    let claim = house.claim(id)?;
    let s = &claim.submission;
    if !scope.covers(&[&s.creditor, &s.debtor]) {
        return Err(HouseError::NotFound {
            kind: "claim",
            id: id.to_owned(),
        }
        .into());
    }
    Ok(claim)
}

/// One claim, its checks (with every input and finding) and its audit trail.
#[utoipa::path(get, path = "/claims/{id}", tag = "claims", params(("id" = String, Path)),
    responses((status = 200, body = ClaimView), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathOf(id): PathOf<String>,
) -> ApiResult<axum::Json<ClaimView>> {
    let scope = caller.may(Action::ClaimsShow)?;
    let view = state
        .run_api(move |house| {
            let claim = visible(house, &scope, &id)?;
            let request = house::PageRequest {
                limit: Some(CLAIM_AUDIT_MAX),
                ..Default::default()
            };
            let audit = house.audit_page(Some(&format!("claim:{id}")), &request)?;
            let audit = audit
                .items
                .iter()
                .map(crate::routes::cases::audit_json)
                .collect();
            Ok(ClaimView { claim, audit })
        })
        .await?;
    Ok(axum::Json(view))
}

/// What the debtor or creditor does to a claim.
#[derive(Debug, Clone, Copy)]
enum Move {
    Accept,
    Dispute,
    Withdraw,
}

async fn transition(
    state: Arc<AppState>,
    caller: Caller,
    headers: HeaderMap,
    id: String,
    step: Move,
    reason: Option<String>,
) -> ApiResult<Response> {
    let action = match step {
        Move::Accept => Action::ClaimsAccept,
        Move::Dispute => Action::ClaimsDispute,
        Move::Withdraw => Action::ClaimsWithdraw,
    };
    let Scope::Own(participant) = caller.may(action)? else {
        return Err(ApiError::forbidden("only a participant answers its claims"));
    };
    let key = idempotency::key(&headers)?;
    let route = format!("{step:?} {id}");
    let hash = idempotency::request_hash(&route, &reason);
    let actor = caller.actor().to_owned();
    let st = Arc::clone(&state);
    Ok(
        idempotency::once(&state, &caller, key, &route, hash, || async move {
            let claim = st
                .run(move |house| {
                    // Another firm's claim is "not found" to this one.
                    let claim = house.claim(&id)?;
                    let s = &claim.submission;
                    if s.creditor != participant && s.debtor != participant {
                        return Err(HouseError::NotFound { kind: "claim", id });
                    }
                    let reason = reason.as_deref().unwrap_or("");
                    match step {
                        Move::Accept => house.accept_claim(&actor, &participant, &id),
                        Move::Dispute => house.dispute_claim(&actor, &participant, &id, reason),
                        Move::Withdraw => house.withdraw_claim(&actor, &participant, &id, reason),
                    }
                })
                .await?;
            json(StatusCode::OK, &claim)
        })
        .await,
    )
}

/// The debtor accepts a claim made on it: it enters clearing.
#[utoipa::path(post, path = "/claims/{id}/accept", tag = "claims", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn accept(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    PathOf(id): PathOf<String>,
) -> ApiResult<Response> {
    transition(state, caller, headers, id, Move::Accept, None).await
}

/// The debtor disputes a claim made on it, with a reason: its reservation is released.
#[utoipa::path(post, path = "/claims/{id}/dispute", tag = "claims", params(("id" = String, Path)), request_body = Reason,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn dispute(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    PathOf(id): PathOf<String>,
    JsonBody(body): JsonBody<Reason>,
) -> ApiResult<Response> {
    transition(state, caller, headers, id, Move::Dispute, Some(body.reason)).await
}

/// The creditor withdraws its claim before it clears, with a reason.
#[utoipa::path(post, path = "/claims/{id}/withdraw", tag = "claims", params(("id" = String, Path)), request_body = Reason,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn withdraw(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    PathOf(id): PathOf<String>,
    JsonBody(body): JsonBody<Reason>,
) -> ApiResult<Response> {
    transition(
        state,
        caller,
        headers,
        id,
        Move::Withdraw,
        Some(body.reason),
    )
    .await
}
