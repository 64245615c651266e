//! Terminal enrollment codes and device credentials. A manager makes a short-lived,
//! single-use code; a terminal trades it for a long-lived secret scoped to one shop; a
//! revoked credential stops working on the next request.

use mongodb::{
    ClientSession, Collection, IndexModel,
    bson::{DateTime, doc},
    options::IndexOptions,
};
use serde::{Deserialize, Serialize};

use super::tokens::{random_secret, secret_hash};
use crate::{
    db::now,
    error::{ApiError, ApiErrorBox},
    state::AppState,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollmentCodeDoc {
    #[serde(rename = "_id")]
    pub hash: String,
    pub company_id: String,
    pub shop_id: String,
    pub created_by: String,
    pub expires_at: DateTime,
    #[serde(default)]
    pub used_at: Option<DateTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceDoc {
    /// The terminal id.
    #[serde(rename = "_id")]
    pub id: String,
    pub company_id: String,
    pub shop_id: String,
    pub secret_hash: String,
    pub revoked: bool,
    pub created_at: DateTime,
}

fn codes(state: &AppState) -> Collection<EnrollmentCodeDoc> {
    crate::store::platform(&state.mongo, &crate::store::ENROLLMENT_CODES)
}

fn devices(state: &AppState) -> Collection<DeviceDoc> {
    crate::store::platform(&state.mongo, &crate::store::DEVICES)
}

pub async fn ensure_indexes(state: &AppState) -> mongodb::error::Result<()> {
    let ttl = IndexOptions::builder()
        .expire_after(std::time::Duration::from_secs(86_400))
        .build();
    codes(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "expires_at": 1 })
                .options(ttl)
                .build(),
        )
        .await?;
    Ok(())
}

/// Human-typable: 12 characters from an alphabet without 0/O/1/I, grouped by dashes.
pub fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let raw = random_secret(12);
    let chars: Vec<char> = raw
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let v = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0);
            ALPHABET[usize::from(v) % ALPHABET.len()] as char
        })
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase().replace(' ', "")
}

pub async fn create_code(
    state: &AppState,
    company_id: &str,
    shop_id: &str,
    created_by: &str,
) -> Result<(String, DateTime), ApiError> {
    let code = new_code();
    let ttl_ms = i64::try_from(
        state
            .config
            .auth
            .enrollment_code_ttl_secs
            .saturating_mul(1000),
    )
    .unwrap_or(i64::MAX);
    let expires_at = DateTime::from_millis(now().timestamp_millis().saturating_add(ttl_ms));
    codes(state)
        .insert_one(EnrollmentCodeDoc {
            hash: secret_hash(&normalize_code(&code)),
            company_id: company_id.to_string(),
            shop_id: shop_id.to_string(),
            created_by: created_by.to_string(),
            expires_at,
            used_at: None,
        })
        .await?;
    Ok((code, expires_at))
}

/// Uses up `code` inside the caller's transaction; (company, shop) it was made for.
pub async fn redeem_code_in(
    state: &AppState,
    session: &mut ClientSession,
    code: &str,
) -> mongodb::error::Result<(String, String)> {
    let used = codes(state)
        .find_one_and_update(
            doc! { "_id": secret_hash(&normalize_code(code)), "used_at": null, "expires_at": { "$gt": now() } },
            doc! { "$set": { "used_at": now() } },
        )
        .session(session)
        .await?;
    used.map(|c| (c.company_id, c.shop_id)).ok_or_else(|| {
        ApiErrorBox::wrap(ApiError::unauthorized(
            "invalid_enrollment_code",
            "this enrollment code is wrong, expired or already used; ask a manager for a new one",
        ))
    })
}

/// Creates the device credential in the caller's transaction; returns the secret, shown once.
pub async fn create_credential_in(
    state: &AppState,
    session: &mut ClientSession,
    terminal_id: &str,
    company_id: &str,
    shop_id: &str,
) -> mongodb::error::Result<String> {
    let secret = random_secret(32);
    devices(state)
        .insert_one(DeviceDoc {
            id: terminal_id.to_string(),
            company_id: company_id.to_string(),
            shop_id: shop_id.to_string(),
            secret_hash: secret_hash(&secret),
            revoked: false,
            created_at: now(),
        })
        .session(session)
        .await?;
    Ok(secret)
}

pub async fn revoke_in(
    state: &AppState,
    session: &mut ClientSession,
    terminal_id: &str,
) -> mongodb::error::Result<()> {
    devices(state)
        .update_one(
            doc! { "_id": terminal_id },
            doc! { "$set": { "revoked": true } },
        )
        .session(session)
        .await?;
    Ok(())
}

/// Checked on every device request, so revocation is immediate.
pub async fn is_active(state: &AppState, terminal_id: &str) -> Result<bool, ApiError> {
    Ok(devices(state)
        .find_one(doc! { "_id": terminal_id, "revoked": false })
        .await?
        .is_some())
}

/// The device doc when `secret` is right and the device is not revoked.
pub async fn authenticate(
    state: &AppState,
    terminal_id: &str,
    secret: &str,
) -> Result<DeviceDoc, ApiError> {
    let found = devices(state)
        .find_one(doc! { "_id": terminal_id, "secret_hash": secret_hash(secret) })
        .await?;
    match found {
        Some(d) if !d.revoked => Ok(d),
        Some(_) => Err(ApiError::unauthorized(
            "terminal_revoked",
            "this terminal has been revoked; ask a manager to enroll it again",
        )),
        None => Err(ApiError::unauthorized(
            "invalid_device_credential",
            "unknown terminal or wrong secret; enroll the terminal again",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_normalize() {
        let c = new_code();
        assert_eq!(c.len(), 14, "three groups of four plus two dashes: {c}");
        assert!(!c.contains('0') && !c.contains('O') && !c.contains('I') && !c.contains('1'));
        assert_eq!(normalize_code(&format!(" {} ", c.to_lowercase())), c);
    }
}
