//! The receipt seal: each terminal's Ed25519 key and the signed summary in a receipt's QR
//! code. Anyone holding the terminal's public key (the server, another terminal of the
//! shop, an auditor) can check a receipt offline, so a refund can be looked up without a
//! network and a forged receipt is caught.
//!
//! Payload: `KASSA1;{terminal};{sale};{receipt_no};{created_ms};{total_minor};{currency};{sig}`
//! where `sig` is base64url (no padding) of the Ed25519 signature over everything before
//! the last `;`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sqlx::SqliteConnection;

use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, get_setting, set_setting};

const PREFIX: &str = "KASSA1";
const SECRET_KEY: &str = "receipt_signing_key";
const PUBLIC_KEY: &str = "receipt_public_key";

/// What a sealed receipt states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptSummary {
    pub terminal_id: String,
    pub sale_id: String,
    pub receipt_no: i64,
    pub created_at_ms: i64,
    pub total_minor: i64,
    pub currency: String,
}

impl ReceiptSummary {
    fn text(&self) -> String {
        format!(
            "{PREFIX};{};{};{};{};{};{}",
            self.terminal_id,
            self.sale_id,
            self.receipt_no,
            self.created_at_ms,
            self.total_minor,
            self.currency
        )
    }
}

/// The terminal's signing key, created on first use and kept in the settings table (as
/// protected as the database file itself).
pub async fn signing_key(db: &LocalDb) -> CoreResult<SigningKey> {
    if let Some(hex_seed) = get_setting(db.pool(), SECRET_KEY).await? {
        return decode_seed(&hex_seed);
    }
    let mut tx = db.begin().await?;
    let key = signing_key_in(&mut tx).await?;
    tx.commit().await?;
    Ok(key)
}

/// The signing key for a sale being committed in `tx`. A stored key never changes, so
/// once read it is kept in memory; a key created by this transaction is only kept once
/// a later call finds it stored (the transaction may still roll back).
pub(crate) async fn key_for_sale(
    db: &LocalDb,
    tx: &mut SqliteConnection,
) -> CoreResult<SigningKey> {
    if let Some(key) = db.receipt_key_cell().get() {
        return Ok(key.clone());
    }
    if let Some(hex_seed) = get_setting(&mut *tx, SECRET_KEY).await? {
        let key = decode_seed(&hex_seed)?;
        let _ = db.receipt_key_cell().set(key.clone());
        return Ok(key);
    }
    signing_key_in(tx).await
}

/// [`signing_key`] inside the caller's transaction, so the first sale creates the key
/// atomically with itself (two processes can never seal with different keys).
pub async fn signing_key_in(conn: &mut SqliteConnection) -> CoreResult<SigningKey> {
    if let Some(existing) = get_setting(&mut *conn, SECRET_KEY).await? {
        return decode_seed(&existing);
    }
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    set_setting(&mut *conn, SECRET_KEY, &hex::encode(key.to_bytes())).await?;
    set_setting(
        &mut *conn,
        PUBLIC_KEY,
        &hex::encode(key.verifying_key().to_bytes()),
    )
    .await?;
    Ok(key)
}

/// The hex public key others verify this terminal's receipts with.
pub async fn public_key_hex(db: &LocalDb) -> CoreResult<String> {
    Ok(hex::encode(
        signing_key(db).await?.verifying_key().to_bytes(),
    ))
}

fn decode_seed(hex_seed: &str) -> CoreResult<SigningKey> {
    let bytes: [u8; 32] = hex::decode(hex_seed)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| CoreError::invalid("the stored receipt signing key is damaged"))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// The QR payload for `summary`, signed with `key`.
pub fn seal(key: &SigningKey, summary: &ReceiptSummary) -> String {
    let text = summary.text();
    let sig = key.sign(text.as_bytes());
    format!("{text};{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// The terminal a scanned payload claims to come from (not yet checked: see [`verify`]).
pub fn issuer(payload: &str) -> CoreResult<String> {
    let (text, _) = payload
        .trim()
        .rsplit_once(';')
        .ok_or_else(|| CoreError::invalid("this is not a Kassa receipt code"))?;
    Ok(parse(text)?.terminal_id)
}

/// Checks a scanned payload against a terminal's public key; the summary when genuine.
pub fn verify(payload: &str, public_key_hex: &str) -> CoreResult<ReceiptSummary> {
    let fake = || {
        CoreError::invalid(
            "this receipt code is not genuine: its signature does not match the terminal",
        )
    };
    let (text, sig_b64) = payload
        .trim()
        .rsplit_once(';')
        .ok_or_else(|| CoreError::invalid("this is not a Kassa receipt code"))?;
    let summary = parse(text)?;
    let key_bytes: [u8; 32] = hex::decode(public_key_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| CoreError::invalid("the public key must be 64 hex characters"))?;
    let key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|_| CoreError::invalid("the public key is not valid"))?;
    let sig_bytes: [u8; 64] = URL_SAFE_NO_PAD
        .decode(sig_b64)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(fake)?;
    key.verify(text.as_bytes(), &Signature::from_bytes(&sig_bytes))
        .map_err(|_| fake())?;
    Ok(summary)
}

fn parse(text: &str) -> CoreResult<ReceiptSummary> {
    let bad = || CoreError::invalid("this is not a Kassa receipt code");
    let parts: Vec<&str> = text.split(';').collect();
    let [prefix, terminal, sale, no, created, total, currency] = parts.as_slice() else {
        return Err(bad());
    };
    if *prefix != PREFIX {
        return Err(bad());
    }
    Ok(ReceiptSummary {
        terminal_id: (*terminal).to_owned(),
        sale_id: (*sale).to_owned(),
        receipt_no: no.parse().map_err(|_| bad())?,
        created_at_ms: created.parse().map_err(|_| bad())?,
        total_minor: total.parse().map_err(|_| bad())?,
        currency: (*currency).to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> ReceiptSummary {
        ReceiptSummary {
            terminal_id: "t1".into(),
            sale_id: "s1".into(),
            receipt_no: 42,
            created_at_ms: 1_700_000_000_000,
            total_minor: 1157,
            currency: "EUR".into(),
        }
    }

    #[test]
    fn a_sealed_receipt_verifies_and_any_edit_is_caught() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let public = hex::encode(key.verifying_key().to_bytes());
        let payload = seal(&key, &summary());
        assert_eq!(verify(&payload, &public).unwrap(), summary());
        let forged = payload.replace(";1157;", ";1;");
        assert!(
            verify(&forged, &public).is_err(),
            "a changed total must not verify"
        );
        let other = hex::encode(
            SigningKey::from_bytes(&[8u8; 32])
                .verifying_key()
                .to_bytes(),
        );
        assert!(
            verify(&payload, &other).is_err(),
            "another terminal's key must not verify it"
        );
        assert!(verify("hello", &public).is_err());
    }

    #[tokio::test]
    async fn the_key_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("t.db")).await.unwrap();
        let a = public_key_hex(&db).await.unwrap();
        let b = public_key_hex(&db).await.unwrap();
        assert_eq!(a, b, "one key per terminal");
        assert_eq!(a.len(), 64);
    }
}
