//! Safety net: whatever a layer or the router answers with a bare error status becomes
//! the JSON error body, so clients only ever parse one error shape.

use axum::{
    Json,
    body::Body,
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use pos_shared::error::WireError;

use crate::error::ApiError;

pub async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let is_text = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let text = if is_text {
        plain_text(body).await
    } else {
        None
    };
    let message = match text {
        // axum's own rejections say what was wrong ("Failed to deserialize query string:
        // offset: must be at most ..."): keep that for 4xx; a 5xx text is never sent.
        Some(text) if status.is_client_error() => text,
        _ => status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_string(),
    };
    let mut out = (status, Json(WireError::new(code, message))).into_response();
    for (k, v) in &parts.headers {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

/// The body as one short line of text, if it is one.
async fn plain_text(body: Body) -> Option<String> {
    let bytes = axum::body::to_bytes(body, 2048).await.ok()?;
    let text = std::str::from_utf8(&bytes).ok()?.trim();
    (!text.is_empty()).then(|| text.replace(['\n', '\r'], " "))
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound(WireError::new(
        "no_route",
        "no such endpoint; see /api/openapi.json for the API",
    ))
}

/// A panic in a handler becomes a logged 500 with the standard body, never a dropped
/// connection.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    ApiError::Internal(anyhow::anyhow!("handler panicked: {detail}")).into_response()
}
