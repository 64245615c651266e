//! Domain events: the envelope, the outbox that stores them with the change, the relay that
//! publishes them to RabbitMQ, and the consumer loop services read their inbox with.

pub mod bus;
pub mod consumer;
mod event;
pub mod outbox;
pub mod payloads;
pub mod relay;
pub mod topology;

pub use event::Event;

use mongodb::bson::{self, Document};
use serde::{Deserialize, Serialize};

/// Routing keys published by the services of this build (`<domain>.<event>`); [`Event`]
/// pairs each with its payload type.
pub mod keys {
    pub const USER_REGISTERED: &str = "user.registered";
    pub const AUTH_LOGIN_FAILED: &str = "auth.login_failed";
    pub const AUTH_REFRESH_REUSED: &str = "auth.refresh_reused";
    pub const COMPANY_CREATED: &str = "company.created";
    pub const COMPANY_UPDATED: &str = "company.updated";
    pub const SHOP_CREATED: &str = "shop.created";
    pub const SHOP_UPDATED: &str = "shop.updated";
    pub const SHOP_STAFF_ADDED: &str = "shop.staff_added";
    pub const SHOP_STAFF_REMOVED: &str = "shop.staff_removed";
    pub const SHOP_STAFF_PIN_SET: &str = "shop.staff_pin_set";
    pub const SHOP_TERMINAL_ENROLLED: &str = "shop.terminal_enrolled";
    pub const SHOP_TERMINAL_REVOKED: &str = "shop.terminal_revoked";
    pub const SHOP_TERMINAL_KEY_REGISTERED: &str = "shop.terminal_key_registered";
    pub const PRODUCT_CREATED: &str = "product.created";
    pub const PRODUCT_UPDATED: &str = "product.updated";
    pub const PRODUCT_DELETED: &str = "product.deleted";
    pub const PRODUCTS_IMPORTED: &str = "product.imported";
    pub const PRICE_CHANGED: &str = "price.changed";
    pub const PROMOTION_CHANGED: &str = "promotion.changed";
    pub const ORDER_COMPLETED: &str = "order.completed";
    pub const ORDER_REFUNDED: &str = "order.refunded";
    pub const ORDER_CREATED: &str = "order.created";
    pub const INVENTORY_RESERVED: &str = "inventory.reserved";
    pub const INVENTORY_RESERVATION_FAILED: &str = "inventory.reservation_failed";
    pub const INVENTORY_ADJUSTED: &str = "inventory.adjusted";
    pub const INVENTORY_LOW_STOCK: &str = "inventory.low_stock";
    pub const INVENTORY_EXCEPTION_RESOLVED: &str = "inventory.exception_resolved";
    pub const CUSTOMER_CREATED: &str = "customer.created";
    pub const CUSTOMER_UPDATED: &str = "customer.updated";
    pub const DEBT_CHARGED: &str = "debt.charged";
    pub const DEBT_PAID: &str = "debt.paid";
    pub const DEBT_REFUNDED: &str = "debt.refunded";
    pub const SYNC_QUARANTINED: &str = "sync.quarantined";
    pub const PAYMENT_AUTHORIZED: &str = "payment.authorized";
    pub const PAYMENT_CAPTURED: &str = "payment.captured";
    pub const PAYMENT_FAILED: &str = "payment.failed";
    pub const PAYMENT_REFUNDED: &str = "payment.refunded";
}

/// One event as stored in an outbox and as published (JSON) on the exchange.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EventMessage {
    /// UUIDv7: unique, and ordered by creation time so the relay keeps order.
    pub id: String,
    pub routing_key: String,
    /// The tenant the event belongs to; `None` for platform-level events.
    pub company_id: Option<String>,
    /// Who caused it (user or terminal id), when known.
    pub actor: Option<String>,
    /// RFC 3339 UTC.
    pub occurred_at: String,
    pub payload: serde_json::Value,
}

impl EventMessage {
    pub fn new(
        routing_key: &str,
        company_id: Option<&str>,
        actor: Option<&str>,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            routing_key: routing_key.to_string(),
            company_id: company_id.map(str::to_string),
            actor: actor.map(str::to_string),
            occurred_at: crate::db::rfc3339(crate::db::now()),
            payload,
        }
    }

    pub(crate) fn to_outbox_doc(&self) -> bson::ser::Result<Document> {
        let mut d = bson::to_document(self)?;
        d.insert("_id", self.id.clone());
        d.remove("id");
        d.insert("published", false);
        Ok(d)
    }

    pub(crate) fn from_outbox_doc(mut d: Document) -> bson::de::Result<Self> {
        if let Some(id) = d.remove("_id") {
            d.insert("id", id);
        }
        d.remove("published");
        d.remove("published_at");
        bson::from_document(d)
    }
}
