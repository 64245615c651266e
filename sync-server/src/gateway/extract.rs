//! Request extractors that reject bad input with `{code, message, details}` instead of
//! axum's plain-text answers.

use axum::{
    extract::{FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::{StatusCode, request::Parts},
};
use pos_shared::error::WireError;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Json<T>` whose failures are 400 (syntax, types, missing fields, with the field path in
/// `details`), 413 (too large) or 415 (not JSON).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(rejection) => return Err(json_rejection(rejection)),
        };
        serde_path_to_error::deserialize::<_, T>(bytes)
            .map(ApiJson)
            .map_err(|e| {
                let field = match e.path().to_string() {
                    p if p == "." => field_of(&e.inner().to_string()),
                    p => p,
                };
                let reason = e.inner().to_string();
                ApiError::BadRequest(
                    WireError::new(
                        "invalid_body",
                        format!("the JSON body is not valid at `{field}`: {reason}"),
                    )
                    .with_field(field, reason),
                )
            })
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(WireError::new(
            "unsupported_media_type",
            "send the body as JSON with `Content-Type: application/json`",
        )),
        _ => ApiError::BadRequest(WireError::new(
            "bad_json",
            format!("the body is not valid JSON: {}", rejection.body_text()),
        )),
    }
}

/// Best effort: serde_json names the offending field in backticks.
fn field_of(reason: &str) -> String {
    reason
        .split('`')
        .nth(1)
        .map_or_else(|| "body".to_string(), str::to_string)
}

/// A UUID path segment; anything else is a 404 (an id that cannot exist is not found).
#[derive(Debug, Clone, Copy)]
pub struct IdPath(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found("object"))?;
        raw.parse()
            .map(IdPath)
            .map_err(|_| ApiError::not_found("object"))
    }
}

/// Two UUID path segments, such as `/shops/{shop}/staff/{user}`.
#[derive(Debug, Clone, Copy)]
pub struct IdPath2(pub uuid::Uuid, pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath2 {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((a, b)) =
            axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found("object"))?;
        match (a.parse(), b.parse()) {
            (Ok(a), Ok(b)) => Ok(IdPath2(a, b)),
            _ => Err(ApiError::not_found("object")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_is_taken_from_serde_message() {
        assert_eq!(
            field_of("missing field `email` at line 1 column 2"),
            "email"
        );
        assert_eq!(field_of("expected a string"), "body");
    }
}
