//! The web order saga as sales follows it: inventory's answer moves a `pending` order to
//! `reserved`, or to `cancelled` with the reason. Each move is guarded by the status it
//! starts from, so a redelivered event finds nothing to change.

use mongodb::bson::doc;

use super::orders_in;
use crate::{
    db::now,
    events::{Event, EventMessage, topology::Inbox},
    gateway::tenancy::TenantScope,
    state::AppState,
};

/// The sales service's inbox (the platform design's `order.events`).
pub const INBOX: Inbox = Inbox {
    queue: "order.events",
    service: "sales",
    bindings: &["inventory.reserved", "inventory.reservation_failed"],
};

/// Handles one delivery; events it does not follow are acknowledged untouched.
pub async fn handle(state: &AppState, message: EventMessage) -> anyhow::Result<()> {
    let Some(company) = message.company_id.as_deref() else {
        return Ok(());
    };
    let (order_id, set) = match Event::decode(&message)? {
        Some(Event::InventoryReserved(r)) => (r.order_id, doc! { "status": "reserved" }),
        Some(Event::ReservationFailed(r)) => {
            let reason = r
                .reason
                .unwrap_or_else(|| "stock could not be reserved".into());
            (
                r.order_id,
                doc! { "status": "cancelled", "cancel_reason": reason },
            )
        }
        _ => return Ok(()),
    };
    let mut set = set;
    set.insert("updated_at", now());
    orders_in(state, &TenantScope::company(company))
        .update_one(
            doc! { "_id": &order_id, "channel": "web", "status": "pending" },
            doc! { "$set": set },
        )
        .await?;
    Ok(())
}
