//! The web order saga as sales follows it: inventory's answer moves a `pending` order to
//! `reserved` (and asks the payment service for its intent), or to `cancelled` with the
//! reason; a captured payment makes it `paid`. Each move is guarded by the status it
//! starts from, so a redelivered event finds nothing to change.

use mongodb::bson::{Document, doc};

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
    bindings: &[
        "inventory.reserved",
        "inventory.reservation_failed",
        "payment.captured",
    ],
};

/// Handles one delivery; events it does not follow are acknowledged untouched.
pub async fn handle(state: &AppState, message: EventMessage) -> anyhow::Result<()> {
    let Some(company) = message.company_id.as_deref() else {
        return Ok(());
    };
    match Event::decode(&message)? {
        Some(Event::InventoryReserved(r)) => {
            let set = doc! { "status": "reserved" };
            advance(state, company, &r.order_id, "pending", set).await?;
            super::web_payment::request(state, company, &r.order_id).await
        }
        Some(Event::ReservationFailed(r)) => {
            let reason = r
                .reason
                .unwrap_or_else(|| "stock could not be reserved".into());
            let set = doc! { "status": "cancelled", "cancel_reason": reason };
            advance(state, company, &r.order_id, "pending", set).await
        }
        Some(Event::PaymentCaptured(p)) => {
            let set = doc! { "status": "paid", "payment_id": &p.payment_id, "paid_at": now() };
            advance(state, company, &p.order_id, "reserved", set).await
        }
        _ => Ok(()),
    }
}

/// Moves a web order from `from` with `set`; one in another status is left as it is.
async fn advance(
    state: &AppState,
    company: &str,
    order_id: &str,
    from: &str,
    mut set: Document,
) -> anyhow::Result<()> {
    set.insert("updated_at", now());
    orders_in(state, &TenantScope::company(company))
        .update_one(
            doc! { "_id": order_id, "channel": "web", "status": from },
            doc! { "$set": set },
        )
        .await?;
    Ok(())
}
