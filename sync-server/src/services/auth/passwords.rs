//! Password and PIN hashing with argon2id, off the async runtime (it is deliberately slow).

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

use crate::error::ApiError;

/// Passwords use argon2's recommended defaults (19 MiB, 2 passes).
fn password_hasher() -> Argon2<'static> {
    Argon2::default()
}

/// PINs are 4-8 digits: no hash makes that space large, so the real protection is the
/// lockout and rate limit. A light argon2id keeps PIN login instant on a till and still
/// salts each hash so equal PINs do not look equal.
fn pin_hasher() -> Argon2<'static> {
    let params = Params::new(4096, 1, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash_password(password: String) -> Result<String, ApiError> {
    blocking(move || hash_with(&password_hasher(), &password)).await
}

pub async fn hash_pin(pin: String) -> Result<String, ApiError> {
    blocking(move || hash_with(&pin_hasher(), &pin)).await
}

/// True when `secret` matches `phc` (the parameters come from the stored hash).
pub async fn verify(secret: String, phc: String) -> Result<bool, ApiError> {
    blocking(move || {
        let parsed =
            PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        Ok(Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok())
    })
    .await
}

fn hash_with(hasher: &Argon2<'_>, secret: &str) -> Result<String, ApiError> {
    hasher
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
}

/// Password rules, phrased so the user knows what to change.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if chars < 10 {
        return Err(ApiError::invalid(
            "password",
            "must be at least 10 characters",
        ));
    }
    if chars > 256 {
        return Err(ApiError::invalid(
            "password",
            "must be at most 256 characters",
        ));
    }
    Ok(())
}

pub fn check_pin(pin: &str) -> Result<(), ApiError> {
    if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid("pin", "must be 4 to 8 digits"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ_per_salt() {
        let a = hash_pin("1234".into()).await.unwrap();
        let b = hash_pin("1234".into()).await.unwrap();
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("1234".into(), a.clone()).await.unwrap());
        assert!(!verify("4321".into(), a).await.unwrap());
        let p = hash_password("correct horse battery".into()).await.unwrap();
        assert!(
            p.starts_with("$argon2id$"),
            "argon2id as the design requires: {p}"
        );
        assert!(verify("correct horse battery".into(), p).await.unwrap());
    }

    #[test]
    fn weak_secrets_are_refused_with_reasons() {
        assert!(check_password("short").is_err());
        assert!(check_pin("12a4").is_err());
        assert!(check_pin("123").is_err());
        assert!(check_pin("123456").is_ok());
    }
}
