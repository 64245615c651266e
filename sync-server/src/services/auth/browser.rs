//! Browser sessions for the portal: the refresh token lives in an `HttpOnly`,
//! `SameSite=Strict` cookie on `/api/auth` that no script can read, and is never in a
//! response body. Requests opt in with `X-Kassa-Client: portal`; a cross-site page can
//! neither set that header without a CORS preflight nor send the strict cookie, which is
//! what stands against CSRF on refresh and logout.

use axum::{
    Json,
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};

use super::routes::Session;

pub const CLIENT_HEADER: &str = "x-kassa-client";
const COOKIE: &str = "kassa_refresh";
const COOKIE_PATH: &str = "/api/auth";

/// Whether the request comes from the portal (cookie sessions).
pub fn is_portal(headers: &HeaderMap) -> bool {
    headers
        .get(CLIENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("portal"))
}

/// The refresh token from the request's cookie, if any.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

/// `Secure` when the browser reached us over TLS (directly or through a proxy that says
/// so); a loopback demo over plain HTTP would otherwise never get its cookie back.
fn secure(headers: &HeaderMap) -> &'static str {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    if https { "; Secure" } else { "" }
}

fn set_cookie(value: &str, max_age: u64, headers: &HeaderMap) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; HttpOnly; SameSite=Strict; Path={COOKIE_PATH}; Max-Age={max_age}{}",
        secure(headers)
    ))
    .ok()
}

/// The session for a portal: the body without the refresh token, which goes into the
/// cookie instead.
pub fn session_response(session: Session, refresh_ttl_secs: u64, req: &HeaderMap) -> Response {
    let cookie = set_cookie(&session.refresh_token, refresh_ttl_secs, req);
    let mut body = serde_json::to_value(&session).unwrap_or_default();
    if let Some(map) = body.as_object_mut() {
        map.remove("refresh_token");
    }
    let mut response = Json(body).into_response();
    if let Some(c) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
    response
}

/// Clears the cookie (logout).
pub fn clear(response: &mut Response, req: &HeaderMap) {
    if let Some(c) = set_cookie("", 0, req) {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
}
