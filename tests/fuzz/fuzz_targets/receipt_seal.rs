//! The sealed QR on a receipt, scanned at any till for a refund: forged, truncated or
//! garbage payloads are refused with a message, never a panic; and any summary the till
//! seals verifies back to exactly itself.
#![no_main]
use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;
use pos_core::seal::{self, ReceiptSummary};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let key = SigningKey::from_bytes(&[7; 32]);
    let public: String = key
        .verifying_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let _ = seal::issuer(text);
    let _ = seal::verify(text, &public);
    let _ = seal::verify(text, text);
    if let Some(summary) = summary_from(text) {
        let payload = seal::seal(&key, &summary);
        assert_eq!(seal::verify(&payload, &public).ok(), Some(summary));
    }
});

/// Six `;`-separated fields, as a till fills them (ids never hold a `;`).
fn summary_from(text: &str) -> Option<ReceiptSummary> {
    let fields: Vec<&str> = text.split(';').collect();
    let [terminal, sale, no, created, total, currency] = fields.as_slice() else {
        return None;
    };
    Some(ReceiptSummary {
        terminal_id: (*terminal).to_owned(),
        sale_id: (*sale).to_owned(),
        receipt_no: no.parse().ok()?,
        created_at_ms: created.parse().ok()?,
        total_minor: total.parse().ok()?,
        currency: (*currency).to_owned(),
    })
}
