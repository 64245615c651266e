//! Access tokens (HS256 JWT, short-lived) and the opaque refresh / device secrets.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use pos_shared::role::Role;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// What an access token asserts. Tenancy comes from here, never from request fields.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// User id, or terminal id for device tokens.
    pub sub: String,
    pub role: Role,
    /// Company of the user; absent for platform admins and customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    /// Shops a shop-scoped user (manager, cashier, terminal) may act in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sids: Vec<String>,
    /// True for a terminal's device credential.
    #[serde(default)]
    pub dev: bool,
    pub iat: u64,
    pub exp: u64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl_secs: u64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(<redacted>)")
    }
}

impl TokenKeys {
    pub fn new(secret: &str, access_ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is exact: a short TTL is the revocation mechanism for access tokens.
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            access_ttl_secs,
        }
    }

    pub fn issue(
        &self,
        sub: &str,
        role: Role,
        cid: Option<&str>,
        sids: &[String],
        dev: bool,
    ) -> anyhow::Result<String> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: sub.to_string(),
            role,
            cid: cid.map(str::to_string),
            sids: sids.to_vec(),
            dev,
            iat: now,
            exp: now + self.access_ttl_secs,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => ApiError::unauthorized(
                    "token_expired",
                    "the access token has expired; get a new one with POST /api/auth/refresh",
                ),
                _ => ApiError::unauthorized(
                    "invalid_token",
                    "the access token is not valid; log in again",
                ),
            })
    }
}

/// A random secret for refresh tokens, enrollment codes and device credentials.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Secrets are stored only as SHA-256: they are high-entropy, so a fast hash is enough and
/// lets us look them up by hash.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_carry_tenancy() {
        let keys = TokenKeys::new(&"k".repeat(32), 60);
        let t = keys
            .issue("u1", Role::ShopManager, Some("c1"), &["s1".into()], false)
            .unwrap();
        let c = keys.verify(&t).unwrap();
        assert_eq!(
            (c.sub.as_str(), c.role, c.cid.as_deref()),
            ("u1", Role::ShopManager, Some("c1"))
        );
        assert_eq!(c.sids, vec!["s1".to_string()]);
    }

    #[test]
    fn a_token_signed_with_another_key_is_rejected() {
        let t = TokenKeys::new(&"a".repeat(32), 60)
            .issue("u1", Role::PlatformAdmin, None, &[], false)
            .unwrap();
        let err = TokenKeys::new(&"b".repeat(32), 60).verify(&t).unwrap_err();
        assert_eq!(err.status(), 401);
    }
}
