//! The sync protocol version check every `/api/sync/*` handler extracts: requests without
//! `x-kassa-protocol: N`, for a version N this server speaks, are refused with 400
//! `unsupported_protocol`.

use axum::{extract::FromRequestParts, http::request::Parts};
use mongodb::{Database, bson::Document};
use pos_shared::{
    error::WireError,
    sync::{OLDEST_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION},
};

use crate::{error::ApiError, events::EventMessage};

/// Proof that the request speaks a protocol version this server serves. Over REST the
/// versions differ only in which streams exist, and each page names its stream.
#[derive(Debug, Clone, Copy)]
pub struct SyncProtocol;

/// True for the versions this server serves.
pub fn speaks(v: u32) -> bool {
    (OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&v)
}

impl<S: Send + Sync> FromRequestParts<S> for SyncProtocol {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let sent = parts
            .headers
            .get(PROTOCOL_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        if sent.and_then(|v| v.parse().ok()).is_some_and(speaks) {
            return Ok(SyncProtocol);
        }
        let what = sent.map_or_else(
            || format!("no `{PROTOCOL_HEADER}` header was sent"),
            |v| format!("`{PROTOCOL_HEADER}: {v}` is not supported"),
        );
        Err(ApiError::BadRequest(WireError::new(
            "unsupported_protocol",
            format!(
                "{what}; this server speaks sync protocol {OLDEST_PROTOCOL_VERSION} to {PROTOCOL_VERSION}: send `{PROTOCOL_HEADER}: {PROTOCOL_VERSION}` (update the terminal if it speaks another version)"
            ),
        )))
    }
}

/// The header as a required parameter of every operation that extracts [`SyncProtocol`].
impl utoipa::IntoParams for SyncProtocol {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::{
            Required, Type,
            path::{ParameterBuilder, ParameterIn},
            schema::ObjectBuilder,
        };
        vec![
            ParameterBuilder::new()
                .name(PROTOCOL_HEADER)
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some("The sync protocol version the terminal speaks."))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(OLDEST_PROTOCOL_VERSION))
                        .maximum(Some(PROTOCOL_VERSION)),
                ))
                .build(),
        ]
    }
}

/// Adds many events to `db`'s outbox inside the caller's transaction (one round trip).
pub async fn record_events(
    db: &Database,
    session: &mut mongodb::ClientSession,
    events: &[EventMessage],
) -> mongodb::error::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let docs = events
        .iter()
        .map(EventMessage::to_outbox_doc)
        .collect::<Result<Vec<Document>, _>>()
        .map_err(|e| mongodb::error::Error::custom(format!("event not encodable: {e}")))?;
    crate::store::internal::<Document>(db, &crate::store::OUTBOX)
        .insert_many(docs)
        .session(session)
        .await?;
    Ok(())
}
