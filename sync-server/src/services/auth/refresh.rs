//! Rotating refresh tokens. Each use retires the token and issues the next one in the same
//! family; presenting a retired token again means it was stolen (or replayed), so the whole
//! family is revoked and its holder must log in again.

use mongodb::{
    Collection, IndexModel,
    bson::{DateTime, doc},
    options::{IndexOptions, ReturnDocument},
};
use serde::{Deserialize, Serialize};

use super::tokens::{random_secret, secret_hash};
use crate::{
    db::now,
    error::ApiError,
    events::{Event, payloads},
    state::AppState,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshDoc {
    /// SHA-256 of the token; the token itself is never stored.
    #[serde(rename = "_id")]
    pub hash: String,
    pub family: String,
    pub user_id: String,
    pub expires_at: DateTime,
    #[serde(default)]
    pub used_at: Option<DateTime>,
    #[serde(default)]
    pub revoked: bool,
}

fn tokens(state: &AppState) -> Collection<RefreshDoc> {
    crate::store::platform(&state.mongo, &crate::store::REFRESH_TOKENS)
}

pub async fn ensure_indexes(state: &AppState) -> mongodb::error::Result<()> {
    // Expired tokens disappear by themselves a day after expiry.
    let ttl = IndexOptions::builder()
        .expire_after(std::time::Duration::from_secs(86_400))
        .build();
    tokens(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "expires_at": 1 })
                .options(ttl)
                .build(),
        )
        .await?;
    tokens(state)
        .create_index(IndexModel::builder().keys(doc! { "family": 1 }).build())
        .await?;
    tokens(state)
        .create_index(IndexModel::builder().keys(doc! { "user_id": 1 }).build())
        .await?;
    Ok(())
}

/// Starts a new family (at login) or continues one (at refresh); returns the token.
pub async fn issue(
    state: &AppState,
    user_id: &str,
    family: Option<String>,
) -> Result<String, ApiError> {
    let token = random_secret(32);
    let ttl_ms =
        i64::try_from(state.config.auth.refresh_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let doc = RefreshDoc {
        hash: secret_hash(&token),
        family: family.unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
        user_id: user_id.to_string(),
        expires_at: DateTime::from_millis(now().timestamp_millis().saturating_add(ttl_ms)),
        used_at: None,
        revoked: false,
    };
    tokens(state).insert_one(&doc).await?;
    Ok(token)
}

/// Retires `token` and returns (user id, family) for issuing the next one.
pub async fn rotate(state: &AppState, token: &str) -> Result<(String, String), ApiError> {
    let hash = secret_hash(token);
    let claimed = tokens(state)
        .find_one_and_update(
            doc! { "_id": &hash, "used_at": null, "revoked": false },
            doc! { "$set": { "used_at": now() } },
        )
        .return_document(ReturnDocument::Before)
        .await?;
    if let Some(t) = claimed {
        if t.expires_at < now() {
            return Err(ApiError::unauthorized(
                "refresh_expired",
                "the session has expired; log in again",
            ));
        }
        return Ok((t.user_id, t.family));
    }
    match tokens(state).find_one(doc! { "_id": &hash }).await? {
        Some(seen) => {
            revoke_family(state, &seen.family).await?;
            report_reuse(state, &seen).await?;
            Err(ApiError::unauthorized(
                "refresh_reused",
                "this refresh token was already used, so the session was closed for safety; log in again",
            ))
        }
        None => Err(ApiError::unauthorized(
            "invalid_refresh",
            "unknown refresh token; log in again",
        )),
    }
}

pub async fn revoke_family(state: &AppState, family: &str) -> Result<(), ApiError> {
    tokens(state)
        .update_many(
            doc! { "family": family },
            doc! { "$set": { "revoked": true } },
        )
        .await?;
    Ok(())
}

/// Logout: closes the session the token belongs to. Unknown tokens are fine (idempotent).
pub async fn revoke_by_token(state: &AppState, token: &str) -> Result<(), ApiError> {
    if let Some(t) = tokens(state)
        .find_one(doc! { "_id": secret_hash(token) })
        .await?
    {
        revoke_family(state, &t.family).await?;
    }
    Ok(())
}

pub async fn revoke_user(state: &AppState, user_id: &str) -> Result<(), ApiError> {
    tokens(state)
        .update_many(
            doc! { "user_id": user_id },
            doc! { "$set": { "revoked": true } },
        )
        .await?;
    Ok(())
}

async fn report_reuse(state: &AppState, seen: &RefreshDoc) -> Result<(), ApiError> {
    let company = super::accounts::find(state, &seen.user_id)
        .await?
        .and_then(|u| u.company_id);
    let event = Event::RefreshReused(payloads::RefreshReused {
        user_id: seen.user_id.clone(),
        family: seen.family.clone(),
    })
    .message(company.as_deref(), Some(&seen.user_id));
    super::record_event(state, event).await
}
