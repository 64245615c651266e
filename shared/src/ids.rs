//! Typed entity ids. Every id is a UUIDv7 so terminals can mint them offline and the
//! server still gets time-ordered keys (good index locality, rough creation order).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Defines one id newtype per entity so a `ShopId` can never be passed where a
/// `CompanyId` is expected.
macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident;)+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Mints a fresh UUIDv7 id from the system clock.
            // No `Default`: a default that silently invents an id hides missing data.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an id read from storage or the wire.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID, for storage layers.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )+};
}

id_type! {
    /// A tenant: owns shops, users and the catalog.
    CompanyId;
    /// One physical or online shop of a company.
    ShopId;
    /// A person who signs in (staff or customer account).
    UserId;
    /// One enrolled till.
    TerminalId;
    /// A sellable catalog product.
    ProductId;
    /// A variant (size, colour) of a product.
    VariantId;
    /// A catalog category.
    CategoryId;
    /// A configured tax rate.
    TaxRateId;
    /// A completed sale.
    SaleId;
    /// One line of a sale; refunds point at it.
    SaleLineId;
    /// A refund against an earlier sale.
    RefundId;
    /// A known customer (loyalty, on-account).
    CustomerId;
    /// A cashier shift between open and close (Z report).
    ShiftId;
    /// A journal/sync event.
    EventId;
    /// A place that holds stock (shop floor, back room, warehouse).
    LocationId;
    /// A catalog promotion.
    PromotionId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_v7() {
        let id = SaleId::new();
        assert_eq!(
            id.as_uuid().get_version_num(),
            7,
            "offline terminals rely on time-ordered v7 ids"
        );
    }

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id = ProductId::new();
        let parsed: ProductId = id.to_string().parse().unwrap();
        assert_eq!(parsed, id, "Display and FromStr must be inverse");

        let json = serde_json::to_value(id).unwrap();
        assert_eq!(
            json,
            serde_json::Value::String(id.to_string()),
            "ids are bare strings on the wire, not objects"
        );
        let back: ProductId = serde_json::from_value(json).unwrap();
        assert_eq!(back, id);
    }

    #[test]
    fn garbage_is_rejected() {
        assert!("not-a-uuid".parse::<ShopId>().is_err());
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let a = EventId::new();
        let b = EventId::new();
        assert!(a < b, "v7 ids minted in sequence must sort in sequence");
    }
}
