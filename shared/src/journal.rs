//! The journal record both sides agree on: what a terminal appends for every fact and
//! pushes to the server, and the hash chain either side can verify.
//!
//! Hash: `hash = hex(SHA-256(prev_hash_hex || canonical))` where `canonical` is each of
//! id, terminal_id, epoch, seq, hlc_ms, catalog_cursor, kind, payload written as
//! `<byte length>:<bytes>;` (length-prefixed, so no field can bleed into the next).
//! The first record's `prev_hash` is [`GENESIS_HASH`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What kind of fact a record states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    SaleCompleted,
    RefundIssued,
    SaleVoided,
    LineVoided,
    StockAdjusted,
    CashMovement,
    ShiftOpened,
    ShiftClosed,
    CustomerCreated,
    DebtPayment,
    /// The cash drawer was opened (the pulse was sent), with why.
    DrawerOpened,
}

impl FactKind {
    pub const ALL: [FactKind; 11] = [
        FactKind::SaleCompleted,
        FactKind::RefundIssued,
        FactKind::SaleVoided,
        FactKind::LineVoided,
        FactKind::StockAdjusted,
        FactKind::CashMovement,
        FactKind::ShiftOpened,
        FactKind::ShiftClosed,
        FactKind::CustomerCreated,
        FactKind::DebtPayment,
        FactKind::DrawerOpened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FactKind::SaleCompleted => "sale_completed",
            FactKind::RefundIssued => "refund_issued",
            FactKind::SaleVoided => "sale_voided",
            FactKind::LineVoided => "line_voided",
            FactKind::StockAdjusted => "stock_adjusted",
            FactKind::CashMovement => "cash_movement",
            FactKind::ShiftOpened => "shift_opened",
            FactKind::ShiftClosed => "shift_closed",
            FactKind::CustomerCreated => "customer_created",
            FactKind::DebtPayment => "debt_payment",
            FactKind::DrawerOpened => "drawer_opened",
        }
    }

    pub fn parse(s: &str) -> Option<FactKind> {
        FactKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One journal record, as stored on the terminal and sent on the wire. `payload` is the
/// exact JSON text that was hashed, kept as text so the hash stays verifiable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JournalRecord {
    pub seq: i64,
    pub id: String,
    pub terminal_id: String,
    pub epoch: i64,
    pub hlc_ms: i64,
    pub catalog_cursor: i64,
    pub kind: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl JournalRecord {
    /// The hash this record must carry given its fields and `prev_hash`.
    pub fn expected_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.prev_hash.as_bytes());
        for field in [
            self.id.as_str(),
            self.terminal_id.as_str(),
            &self.epoch.to_string(),
            &self.seq.to_string(),
            &self.hlc_ms.to_string(),
            &self.catalog_cursor.to_string(),
            self.kind.as_str(),
            self.payload.as_str(),
        ] {
            h.update(field.len().to_string().as_bytes());
            h.update(b":");
            h.update(field.as_bytes());
            h.update(b";");
        }
        hex::encode(h.finalize())
    }

    /// True when the stored hash matches the content.
    pub fn hash_holds(&self) -> bool {
        self.expected_hash() == self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> JournalRecord {
        let mut r = JournalRecord {
            seq: 1,
            id: "01".into(),
            terminal_id: "t".into(),
            epoch: 1,
            hlc_ms: 5,
            catalog_cursor: 0,
            kind: "sale_completed".into(),
            payload: "{}".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        };
        r.hash = r.expected_hash();
        r
    }

    #[test]
    fn any_changed_field_breaks_the_hash() {
        let base = record();
        assert!(base.hash_holds());
        let mut edited = base.clone();
        edited.payload = "{\"total\":1}".into();
        assert!(!edited.hash_holds(), "payload edits are detected");
        let mut edited = base;
        edited.seq = 2;
        assert!(!edited.hash_holds(), "renumbering is detected");
    }

    #[test]
    fn kinds_round_trip() {
        for k in FactKind::ALL {
            assert_eq!(FactKind::parse(k.as_str()), Some(k));
        }
    }
}
