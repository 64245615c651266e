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
    /// Names the signing key in each token's header, so the right key checks it.
    kid: String,
    decoding: DecodingKey,
    /// Keys retired by a rotation, by id: their tokens stay good until they expire (at
    /// most `access_ttl_secs`), so rotating the key logs nobody out.
    previous: Vec<(String, DecodingKey)>,
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
            kid: key_id(secret),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            previous: Vec::new(),
            validation,
            access_ttl_secs,
        }
    }

    /// Also accepts tokens signed with `secrets`, the keys a rotation retired.
    #[must_use]
    pub fn with_previous(mut self, secrets: &[String]) -> Self {
        self.previous = secrets
            .iter()
            .map(|s| (key_id(s), DecodingKey::from_secret(s.as_bytes())))
            .collect();
        self
    }

    /// The key that signed `token`, by the id in its header (the current key otherwise).
    fn key_for(&self, token: &str) -> &DecodingKey {
        let kid = jsonwebtoken::decode_header(token).ok().and_then(|h| h.kid);
        kid.and_then(|kid| self.previous.iter().find(|(id, _)| *id == kid))
            .map_or(&self.decoding, |(_, key)| key)
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
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, &claims, &self.encoding)?)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, self.key_for(token), &self.validation)
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

/// A key's public name: the first 8 bytes of its SHA-256, so the header reveals nothing.
fn key_id(secret: &str) -> String {
    hex::encode(&Sha256::digest(secret.as_bytes())[..8])
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

    #[test]
    fn a_rotated_key_keeps_its_tokens_good_until_they_expire() {
        let (old, new) = ("o".repeat(32), "n".repeat(32));
        let before = TokenKeys::new(&old, 60)
            .issue("u1", Role::ShopManager, Some("c1"), &[], false)
            .unwrap();
        let rotated = TokenKeys::new(&new, 60).with_previous(std::slice::from_ref(&old));
        assert_eq!(rotated.verify(&before).unwrap().sub, "u1");
        let after = rotated
            .issue("u2", Role::ShopManager, Some("c1"), &[], false)
            .unwrap();
        assert_eq!(rotated.verify(&after).unwrap().sub, "u2");
        // Once the old key is dropped from the list, its tokens stop working.
        assert!(TokenKeys::new(&new, 60).verify(&before).is_err());
        // A token naming a retired key but signed with another is still refused.
        let forged = TokenKeys::new(&"f".repeat(32), 60)
            .issue("u3", Role::PlatformAdmin, None, &[], false)
            .unwrap();
        assert!(rotated.verify(&forged).is_err());
    }
}
