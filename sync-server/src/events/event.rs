//! [`Event`]: every event this build publishes, one variant per routing key with its
//! payload type and version, so a publisher cannot pair a key with the wrong payload and
//! a consumer reads a typed payload instead of picking at JSON.

use super::{EventMessage, keys, payloads::*};

/// The table below is the one place a routing key meets its payload type and version; the
/// macro writes the enum and both directions of the mapping from it, so they cannot drift.
macro_rules! events {
    ($($variant:ident($payload:ty) = $key:path, v $version:literal;)*) => {
        /// A domain event. The wire form (routing key plus JSON payload in an
        /// [`EventMessage`]) is what it has always been; the version is the payload's
        /// schema, which only grows by optional fields: a breaking change gets a new key.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Event {
            $($variant($payload),)*
        }

        impl Event {
            pub fn routing_key(&self) -> &'static str {
                match self {
                    $(Event::$variant(_) => $key,)*
                }
            }

            pub fn version(&self) -> u32 {
                match self {
                    $(Event::$variant(_) => $version,)*
                }
            }

            fn payload(&self) -> serde_json::Result<serde_json::Value> {
                match self {
                    $(Event::$variant(p) => serde_json::to_value(p),)*
                }
            }

            /// The typed event `message` carries; `None` for a key this build does not
            /// publish (the audit log keeps those too, as the raw message).
            pub fn decode(message: &EventMessage) -> serde_json::Result<Option<Event>> {
                let payload = message.payload.clone();
                Ok(Some(match message.routing_key.as_str() {
                    $($key => Event::$variant(serde_json::from_value(payload)?),)*
                    _ => return Ok(None),
                }))
            }
        }
    };
}

events! {
    UserRegistered(UserRegistered) = keys::USER_REGISTERED, v 1;
    LoginFailed(LoginFailed) = keys::AUTH_LOGIN_FAILED, v 1;
    RefreshReused(RefreshReused) = keys::AUTH_REFRESH_REUSED, v 1;
    CompanyCreated(CompanyCreated) = keys::COMPANY_CREATED, v 1;
    CompanyUpdated(CompanyUpdated) = keys::COMPANY_UPDATED, v 1;
    ShopCreated(ShopCreated) = keys::SHOP_CREATED, v 1;
    ShopUpdated(ShopUpdated) = keys::SHOP_UPDATED, v 1;
    StaffAdded(StaffChanged) = keys::SHOP_STAFF_ADDED, v 1;
    StaffRemoved(StaffChanged) = keys::SHOP_STAFF_REMOVED, v 1;
    StaffPinSet(StaffChanged) = keys::SHOP_STAFF_PIN_SET, v 1;
    TerminalEnrolled(TerminalChanged) = keys::SHOP_TERMINAL_ENROLLED, v 1;
    TerminalRevoked(TerminalChanged) = keys::SHOP_TERMINAL_REVOKED, v 1;
    TerminalKeyRegistered(TerminalChanged) = keys::SHOP_TERMINAL_KEY_REGISTERED, v 1;
    ProductCreated(ProductChanged) = keys::PRODUCT_CREATED, v 1;
    ProductUpdated(ProductChanged) = keys::PRODUCT_UPDATED, v 1;
    ProductDeleted(ProductChanged) = keys::PRODUCT_DELETED, v 1;
    ProductsImported(ProductsImported) = keys::PRODUCTS_IMPORTED, v 1;
    PriceChanged(PriceChanged) = keys::PRICE_CHANGED, v 1;
    PromotionChanged(PromotionChanged) = keys::PROMOTION_CHANGED, v 1;
    InventoryAdjusted(InventoryAdjusted) = keys::INVENTORY_ADJUSTED, v 1;
    LowStock(LowStock) = keys::INVENTORY_LOW_STOCK, v 1;
    ExceptionResolved(ExceptionResolved) = keys::INVENTORY_EXCEPTION_RESOLVED, v 1;
    OrderCompleted(OrderCompleted) = keys::ORDER_COMPLETED, v 1;
    OrderRefunded(OrderRefunded) = keys::ORDER_REFUNDED, v 1;
    OrderCreated(WebOrderCreated) = keys::ORDER_CREATED, v 1;
    InventoryReserved(Reservation) = keys::INVENTORY_RESERVED, v 1;
    ReservationFailed(Reservation) = keys::INVENTORY_RESERVATION_FAILED, v 1;
    CustomerCreated(CustomerChanged) = keys::CUSTOMER_CREATED, v 1;
    CustomerUpdated(CustomerChanged) = keys::CUSTOMER_UPDATED, v 1;
    DebtCharged(DebtEntry) = keys::DEBT_CHARGED, v 1;
    DebtPaid(DebtEntry) = keys::DEBT_PAID, v 1;
    DebtRefunded(DebtEntry) = keys::DEBT_REFUNDED, v 1;
    Quarantined(Quarantined) = keys::SYNC_QUARANTINED, v 1;
    PaymentAuthorized(PaymentChanged) = keys::PAYMENT_AUTHORIZED, v 1;
    PaymentCaptured(PaymentChanged) = keys::PAYMENT_CAPTURED, v 1;
    PaymentFailed(PaymentChanged) = keys::PAYMENT_FAILED, v 1;
    PaymentRefunded(PaymentChanged) = keys::PAYMENT_REFUNDED, v 1;
}

impl Event {
    /// The message to record in an outbox: this event with its tenant and actor.
    pub fn message(&self, company_id: Option<&str>, actor: Option<&str>) -> EventMessage {
        // Payloads are plain structs with string keys, which always serialise.
        let payload = self.payload().unwrap_or_default();
        EventMessage::new(self.routing_key(), company_id, actor, payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_reads_back_as_the_event_it_was_written_from() {
        let sent = Event::TerminalRevoked(TerminalChanged {
            terminal_id: "t1".into(),
            shop_id: "s1".into(),
            name: None,
            config_shops: vec!["s1".into()],
        });
        let message = sent.message(Some("c1"), Some("u1"));
        assert_eq!(message.routing_key, "shop.terminal_revoked");
        assert_eq!(
            message.payload,
            serde_json::json!({ "terminal_id": "t1", "shop_id": "s1", "config_shops": ["s1"] }),
            "an absent optional field stays off the wire, as before the types"
        );
        let read = Event::decode(&message).expect("decodes");
        assert_eq!(read, Some(sent), "the same event comes back");
    }

    #[test]
    fn a_key_this_build_does_not_publish_is_none() {
        let m = EventMessage::new("order.shipped", None, None, serde_json::json!({}));
        assert_eq!(Event::decode(&m).expect("not an error"), None);
    }
}
