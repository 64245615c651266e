//! The dashboard's live feed: each counted sale or refund is announced to the portal
//! sockets of its company (this instance's; a multi-instance fan-out is the server-at-
//! scale work).

use std::sync::OnceLock;

use serde::Serialize;
use tokio::sync::broadcast;

use crate::events::EventMessage;

/// One announcement.
#[derive(Debug, Clone, Serialize)]
pub struct LiveEvent {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip)]
    pub company_id: String,
    pub shop_id: String,
    pub total_minor: i64,
    pub at: String,
}

fn channel() -> &'static broadcast::Sender<LiveEvent> {
    static CHANNEL: OnceLock<broadcast::Sender<LiveEvent>> = OnceLock::new();
    CHANNEL.get_or_init(|| broadcast::channel(1024).0)
}

pub fn subscribe() -> broadcast::Receiver<LiveEvent> {
    channel().subscribe()
}

pub fn publish(company: &str, shop: &str, event: &EventMessage) {
    let kind = if event.routing_key == crate::events::keys::ORDER_REFUNDED {
        "refund"
    } else {
        "order"
    };
    let total = event
        .payload
        .get("total_minor")
        .and_then(serde_json::Value::as_i64);
    // No receiver is normal (no dashboard open).
    let _ = channel().send(LiveEvent {
        kind,
        company_id: company.to_owned(),
        shop_id: shop.to_owned(),
        total_minor: total.unwrap_or(0),
        at: event.occurred_at.clone(),
    });
}
