//! What a rollup is built from: a sale or a refund as the till recorded it, read either
//! from an `order.completed` / `order.refunded` event or from the stored order, so the
//! incremental rollup and the rebuild cannot read them differently.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct LineFacts {
    pub product_id: String,
    pub sku: String,
    #[serde(default)]
    pub name: String,
    pub qty_milli: i64,
    pub gross_minor: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TenderFacts {
    pub kind: String,
    pub amount_minor: i64,
}

/// A completed sale.
#[derive(Debug, Clone, Deserialize)]
pub struct SaleFacts {
    pub created_at_ms: i64,
    pub total_minor: i64,
    #[serde(default)]
    pub change_minor: i64,
    pub lines: Vec<LineFacts>,
    pub tenders: Vec<TenderFacts>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RefundLineFacts {
    pub product_id: String,
    pub sku: String,
    pub qty_milli: i64,
    pub amount_minor: i64,
}

/// A refund (positive amounts that come off the figures).
#[derive(Debug, Clone, Deserialize)]
pub struct RefundFacts {
    pub created_at_ms: i64,
    pub total_minor: i64,
    pub tender_kind: String,
    pub lines: Vec<RefundLineFacts>,
}

/// One sale or refund of a shop.
#[derive(Debug, Clone)]
pub enum Fact {
    Sale(SaleFacts),
    Refund(RefundFacts),
}

/// The fact an event carries, if it is one analytics counts. The payload is read as the
/// event's own type with only the sale or refund narrowed to what a rollup needs.
pub fn of_event(routing_key: &str, payload: &serde_json::Value) -> Option<(String, Fact)> {
    use crate::events::{
        keys,
        payloads::{OrderCompleted, OrderRefunded},
    };
    match routing_key {
        keys::ORDER_COMPLETED => {
            let o: OrderCompleted<SaleFacts> = serde_json::from_value(payload.clone()).ok()?;
            Some((o.shop_id, Fact::Sale(o.sale)))
        }
        keys::ORDER_REFUNDED => {
            let r: OrderRefunded<RefundFacts> = serde_json::from_value(payload.clone()).ok()?;
            Some((r.shop_id, Fact::Refund(r.refund)))
        }
        _ => None,
    }
}
