//! The API's one error type and its mapping to `{code, message, details}` with a status.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use pos_shared::error::WireError;

/// Every way a request can fail. Each variant maps to exactly one status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed (bad JSON, wrong types, missing fields).
    #[error("{0}")]
    BadRequest(WireError),
    /// 401: no valid credentials.
    #[error("{0}")]
    Unauthorized(WireError),
    /// 403: authenticated, but the role may not do this.
    #[error("{0}")]
    Forbidden(WireError),
    /// 404: no such object for this caller (also what other tenants' objects look like).
    #[error("{0}")]
    NotFound(WireError),
    /// 409: the change clashes with existing state (duplicate, limit, wrong state).
    #[error("{0}")]
    Conflict(WireError),
    /// 413: the body is larger than the configured limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    #[error("{0}")]
    UnsupportedMediaType(WireError),
    /// 422: well-formed, but a value is not acceptable.
    #[error("{0}")]
    Unprocessable(WireError),
    /// 429: slow down; retry after the given number of seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503: a dependency (MongoDB, RabbitMQ) is unavailable.
    #[error("{0}")]
    Unavailable(WireError),
    /// 500: a bug or an unexpected failure. The cause is logged, never sent.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(WireError::new(
            "not_found",
            format!("{what} not found; check the id and that it belongs to your company"),
        ))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(WireError::new("forbidden", message))
    }

    pub fn unauthorized(code: &str, message: impl Into<String>) -> Self {
        Self::Unauthorized(WireError::new(code, message))
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::Conflict(WireError::new(code, message))
    }

    /// 422 for one field whose value is not acceptable.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Self::Unprocessable(
            WireError::new("invalid_field", format!("`{field}` {reason}"))
                .with_field(field, reason),
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn body(&self) -> WireError {
        match self {
            Self::BadRequest(w)
            | Self::Unauthorized(w)
            | Self::Forbidden(w)
            | Self::NotFound(w)
            | Self::Conflict(w)
            | Self::UnsupportedMediaType(w)
            | Self::Unprocessable(w)
            | Self::Unavailable(w) => w.clone(),
            Self::PayloadTooLarge => WireError::new(
                "payload_too_large",
                "the request body is larger than this server accepts; send less data per request",
            ),
            Self::TooManyRequests { retry_after_secs } => WireError::new(
                "rate_limited",
                format!("too many requests; retry in {retry_after_secs} s"),
            ),
            Self::Internal(_) => WireError::new(
                "internal",
                "something went wrong on the server; it has been logged, please retry",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = ?cause, "request failed");
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if let Self::TooManyRequests { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<mongodb::error::Error> for ApiError {
    fn from(e: mongodb::error::Error) -> Self {
        if let Some(custom) = e.get_custom::<ApiErrorBox>() {
            return custom.to_api_error();
        }
        if is_duplicate_key(&e) {
            return Self::conflict(
                "already_exists",
                "an object with the same unique value already exists",
            );
        }
        if matches!(
            *e.kind,
            mongodb::error::ErrorKind::ServerSelection { .. } | mongodb::error::ErrorKind::Io(_)
        ) {
            tracing::error!(error = %e, "MongoDB unavailable");
            return Self::Unavailable(WireError::new(
                "database_unavailable",
                "the database is not reachable right now; retry shortly",
            ));
        }
        Self::Internal(anyhow::Error::new(e).context("MongoDB operation failed"))
    }
}

/// True when MongoDB refused a write because a unique index already holds the value.
pub fn is_duplicate_key(e: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    match &*e.kind {
        ErrorKind::Write(WriteFailure::WriteError(w)) => w.code == 11000,
        ErrorKind::Command(c) => c.code == 11000,
        ErrorKind::InsertMany(i) => i
            .write_errors
            .as_ref()
            .is_some_and(|errs| errs.iter().any(|w| w.code == 11000)),
        _ => e.to_string().contains("E11000"),
    }
}

/// Carries an [`ApiError`] out of a MongoDB transaction callback (which must return a
/// driver error) so the handler still answers with the right status.
#[derive(Debug, Clone)]
pub struct ApiErrorBox {
    status: u16,
    body: WireError,
}

impl ApiErrorBox {
    pub fn wrap(e: ApiError) -> mongodb::error::Error {
        let status = e.status().as_u16();
        let body = e.body();
        if let ApiError::Internal(cause) = &e {
            tracing::error!(error = ?cause, "failure inside a transaction");
        }
        mongodb::error::Error::custom(ApiErrorBox { status, body })
    }

    fn to_api_error(&self) -> ApiError {
        let w = self.body.clone();
        match self.status {
            400 => ApiError::BadRequest(w),
            401 => ApiError::Unauthorized(w),
            403 => ApiError::Forbidden(w),
            404 => ApiError::NotFound(w),
            409 => ApiError::Conflict(w),
            415 => ApiError::UnsupportedMediaType(w),
            422 => ApiError::Unprocessable(w),
            503 => ApiError::Unavailable(w),
            _ => ApiError::Internal(anyhow::anyhow!("{w}")),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
