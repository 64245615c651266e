//! Kassa's own idempotency keys on every payment write (the Stripe test peer ignores
//! Stripe's): a client sends `Idempotency-Key`; the first request with a key runs and its
//! answer is stored under `company:key`; the same key again gets that answer back (with
//! `Idempotent-Replayed: true`), and the same key with another request is refused. An
//! answer that says nothing about the money (503: the provider did not answer) is not
//! stored, so a retry runs again; the provider gets a key derived from Kassa's, so it does
//! not take the money twice either.

use std::future::Future;

use axum::{
    Json,
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use mongodb::bson::{DateTime, Document, doc};
use pos_shared::error::WireError;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::requests;
use crate::{
    db::now,
    error::{ApiError, ApiResult, is_duplicate_key},
    gateway::tenancy::TenantScope,
    state::AppState,
};

/// A claim older than this whose request never finished (the server stopped) is taken
/// over by the next request with its key.
const ABANDONED_MS: i64 = 60_000;

/// The request's `Idempotency-Key`: 1 to 100 visible characters.
pub fn key(headers: &HeaderMap) -> ApiResult<String> {
    let invalid = || {
        ApiError::invalid(
            "Idempotency-Key",
            "header is required on payment writes: 1 to 100 visible characters, chosen once per operation and sent again on a retry",
        )
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .ok_or_else(invalid)?;
    let visible = key.chars().all(|c| c.is_ascii_graphic());
    if key.is_empty() || key.len() > 100 || !visible {
        return Err(invalid());
    }
    Ok(key.to_owned())
}

/// What makes two requests "the same": the operation and its body.
pub fn fingerprint(operation: &str, body: &Value) -> String {
    hex::encode(Sha256::digest(format!("{operation}\n{body}").as_bytes()))
}

/// Runs `work` once per `company` and `key`; every later call with the key answers what
/// the first one did.
pub async fn once<F>(
    state: &AppState,
    company: &str,
    key: &str,
    fingerprint: String,
    work: F,
) -> ApiResult<Response>
where
    F: Future<Output = ApiResult<(StatusCode, Value)>>,
{
    let id = format!("{company}:{key}");
    if let Some(answer) = claim(state, company, &id, &fingerprint).await? {
        return Ok(answer);
    }
    let scope = TenantScope::company(company);
    match work.await {
        Ok((status, body)) => {
            remember(state, &scope, &id, status, &body).await?;
            Ok((status, Json(body)).into_response())
        }
        Err(e) if e.status().is_client_error() => {
            let body = serde_json::to_value(e.body()).unwrap_or_default();
            remember(state, &scope, &id, e.status(), &body).await?;
            Err(e)
        }
        Err(e) => {
            requests(state, &scope)
                .delete_one(doc! { "_id": &id, "state": "pending" })
                .await?;
            Err(e)
        }
    }
}

/// Claims the key; `Some(answer)` when the request must not run (a replay or a refusal).
async fn claim(
    state: &AppState,
    company: &str,
    id: &str,
    fingerprint: &str,
) -> ApiResult<Option<Response>> {
    let scope = TenantScope::company(company);
    let coll = requests(state, &scope);
    let pending = doc! { "_id": id, "company_id": company, "fingerprint": fingerprint,
    "state": "pending", "at": now() };
    match coll.insert_one(&pending)?.await {
        Ok(_) => return Ok(None),
        Err(e) if is_duplicate_key(&e) => {}
        Err(e) => return Err(e.into()),
    }
    let earlier = coll
        .find_one(doc! { "_id": id })
        .await?
        .ok_or_else(in_progress)?;
    if earlier.get_str("fingerprint").ok() != Some(fingerprint) {
        return Err(ApiError::conflict(
            "idempotency_key_reused",
            "this Idempotency-Key was used for another request; send a new key for a new operation",
        ));
    }
    if earlier.get_str("state").ok() == Some("done") {
        return Ok(Some(replay(&earlier)));
    }
    take_over(state, &scope, id, &earlier).await.map(|()| None)
}

/// A pending claim: still running (409), or abandoned and now this request's.
async fn take_over(
    state: &AppState,
    scope: &TenantScope,
    id: &str,
    earlier: &Document,
) -> ApiResult<()> {
    let at = earlier.get_datetime("at").copied().unwrap_or(DateTime::MIN);
    if now().timestamp_millis() - at.timestamp_millis() < ABANDONED_MS {
        return Err(in_progress());
    }
    let moved = requests(state, scope)
        .update_one(
            doc! { "_id": id, "state": "pending", "at": at },
            doc! { "$set": { "at": now() } },
        )
        .await?;
    if moved.modified_count == 0 {
        return Err(in_progress());
    }
    Ok(())
}

fn in_progress() -> ApiError {
    ApiError::conflict(
        "request_in_progress",
        "a request with this Idempotency-Key is still running; retry it in a few seconds",
    )
}

async fn remember(
    state: &AppState,
    scope: &TenantScope,
    id: &str,
    status: StatusCode,
    body: &Value,
) -> ApiResult<()> {
    requests(state, scope)
        .update_one(
            doc! { "_id": id },
            doc! { "$set": { "state": "done", "status": i32::from(status.as_u16()),
            "body": body.to_string(), "done_at": now() } },
        )
        .await?;
    Ok(())
}

/// The stored answer, as first given.
fn replay(earlier: &Document) -> Response {
    let status = earlier
        .get_i32("status")
        .ok()
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let body: Value = earlier
        .get_str("body")
        .ok()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or_else(|| {
            serde_json::to_value(WireError::new("internal", "stored answer unreadable"))
                .unwrap_or_default()
        });
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
