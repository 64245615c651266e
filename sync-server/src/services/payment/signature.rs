//! `Stripe-Signature` verification: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">`
//! with the endpoint's secret, and a tolerance on `t` so an old delivery cannot be
//! replayed later (replays within it are caught by event id in the ledger).
//! <https://docs.stripe.com/webhooks#verify-manually>

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header, or one without `t=` and `v1=`")]
    Malformed,
    #[error("the signature does not match the payload")]
    Mismatch,
    #[error("the signature's timestamp is outside the tolerance window")]
    Stale,
}

/// Checks `header` over `payload` with `secret` at time `now` (unix seconds).
pub fn verify(
    header: &str,
    payload: &[u8],
    secret: &str,
    tolerance_secs: u64,
    now: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.extend(hex::decode(sig).ok()),
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    // Any v1 may match: Stripe signs with every active secret while one is rolled.
    let matches = signatures
        .iter()
        .any(|sig| mac(secret, t, payload).verify_slice(sig).is_ok());
    if !matches {
        return Err(SignatureError::Mismatch);
    }
    if now.abs_diff(t) > tolerance_secs {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// The header Stripe would send for `payload` at `t` (tests sign their own deliveries).
pub fn sign(secret: &str, t: i64, payload: &[u8]) -> String {
    let sig = mac(secret, t, payload).finalize().into_bytes();
    format!("t={t},v1={}", hex::encode(sig))
}

fn mac(secret: &str, t: i64, payload: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";
    const BODY: &[u8] = br#"{"id":"evt_1"}"#;

    #[test]
    fn a_signed_payload_verifies_within_the_window() {
        let header = sign(SECRET, 1_000, BODY);
        assert_eq!(verify(&header, BODY, SECRET, 300, 1_100), Ok(()));
    }

    #[test]
    fn a_changed_payload_or_another_secret_is_refused() {
        let header = sign(SECRET, 1_000, BODY);
        let other = br#"{"id":"evt_2"}"#;
        assert_eq!(
            verify(&header, other, SECRET, 300, 1_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, BODY, "whsec_other", 300, 1_000),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn an_old_delivery_is_refused_and_a_missing_part_is_malformed() {
        let header = sign(SECRET, 1_000, BODY);
        assert_eq!(
            verify(&header, BODY, SECRET, 300, 1_301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify("v1=abcd", BODY, SECRET, 300, 1_000),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify("t=1000", BODY, SECRET, 300, 1_000),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let good = sign(SECRET, 1_000, BODY);
        let header = format!("t=1000,v1={},{}", "00".repeat(32), &good[7..]);
        assert_eq!(verify(&header, BODY, SECRET, 300, 1_000), Ok(()));
    }
}
