//! Web order reservations: `order.created` holds the order's units out of the same
//! balances the tills decrement (`reserved_milli` beside `on_hand_milli`), so two web
//! orders never get the same last unit; the outcome leaves as `inventory.reserved` or
//! `inventory.reservation_failed`. Offline tills still sell from `on_hand_milli` alone and
//! can oversell; that stays the sync exceptions' case.

use std::collections::HashMap;

use futures::TryStreamExt;
use mongodb::{
    ClientSession,
    bson::{Document, doc},
};

use super::{balances, db, shop_scope};
use crate::{
    events::{Event, EventMessage, outbox, payloads, topology::Inbox},
    gateway::tenancy::{Scoped, TenantScope},
    state::AppState,
};

/// The inventory service's inbox (the platform design's `inventory.events`; the bindings
/// of the tills' events join it when their consumer is built).
pub const INBOX: Inbox = Inbox {
    queue: "inventory.events",
    service: "inventory",
    bindings: &["order.created", "payment.captured"],
};

pub fn reservations(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::RESERVATIONS, scope)
}

/// Handles one delivery: a web order's `order.created` is reserved once, its
/// `payment.captured` turns the held units into a sale once; anything else bound here is
/// acknowledged untouched.
pub async fn handle(state: &AppState, message: EventMessage) -> anyhow::Result<()> {
    let company = message.company_id.clone().ok_or_else(|| {
        anyhow::anyhow!("{} {} names no company", message.routing_key, message.id)
    })?;
    let order = match Event::decode(&message)? {
        Some(Event::OrderCreated(order)) => order,
        Some(Event::PaymentCaptured(paid)) => {
            return super::web_sales::sell(state, &company, &paid.order_id, &paid.shop_id).await;
        }
        _ => return Ok(()),
    };
    state
        .write(
            (state.clone(), company, order),
            |s, (state, company, order)| {
                Box::pin(async move { reserve(state, s, company, order).await })
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("reserving order: {e:?}"))?;
    Ok(())
}

/// Holds every line or none. The reservation document, keyed by order, makes a replayed
/// event (or a redelivery) find the outcome already recorded and change nothing.
async fn reserve(
    state: &AppState,
    s: &mut ClientSession,
    company: &str,
    order: &payloads::WebOrderCreated,
) -> mongodb::error::Result<()> {
    let scope = shop_scope(company, &order.shop_id);
    let held = reservations(state, &scope);
    if held
        .find_one(doc! { "_id": &order.order_id })
        .session(&mut *s)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let available = available(state, s, &scope, order).await?;
    let short = order
        .lines
        .iter()
        .find(|l| available.get(&l.product_id).copied().unwrap_or(0) < l.quantity * 1000);
    let (status, reason, event) = match short {
        Some(line) => {
            let reason = format!(
                "out of stock: {} available",
                available.get(&line.product_id).copied().unwrap_or(0).max(0) / 1000
            );
            let outcome = outcome(order, Some(reason.clone()), Some(line.product_id.clone()));
            ("failed", Some(reason), Event::ReservationFailed(outcome))
        }
        None => {
            hold(state, s, &scope, order).await?;
            (
                "held",
                None,
                Event::InventoryReserved(outcome(order, None, None)),
            )
        }
    };
    let lines: Vec<Document> = order
        .lines
        .iter()
        .map(|l| doc! { "product_id": &l.product_id, "quantity_milli": l.quantity * 1000 })
        .collect();
    held.insert_one(&doc! {
        "_id": &order.order_id, "company_id": company, "shop_id": &order.shop_id,
        "status": status, "reason": reason, "lines": lines, "at": crate::db::now(),
    })?
    .session(&mut *s)
    .await?;
    outbox::record(&db(state), s, &event.message(Some(company), None)).await
}

fn outcome(
    order: &payloads::WebOrderCreated,
    reason: Option<String>,
    product_id: Option<String>,
) -> payloads::Reservation {
    payloads::Reservation {
        order_id: order.order_id.clone(),
        shop_id: order.shop_id.clone(),
        reason,
        product_id,
    }
}

/// What web orders may still take of each product: on hand less what is already held.
async fn available(
    state: &AppState,
    s: &mut ClientSession,
    scope: &TenantScope,
    order: &payloads::WebOrderCreated,
) -> mongodb::error::Result<HashMap<String, i64>> {
    let products: Vec<&str> = order.lines.iter().map(|l| l.product_id.as_str()).collect();
    let found: Vec<Document> = balances(state, scope)
        .find(doc! { "product_id": { "$in": products } })
        .session(&mut *s)
        .await?
        .stream(&mut *s)
        .try_collect()
        .await?;
    Ok(found
        .iter()
        .filter_map(|b| {
            let on_hand = b.get_i64("on_hand_milli").ok()?;
            let held = b.get_i64("reserved_milli").unwrap_or(0);
            Some((b.get_str("product_id").ok()?.to_owned(), on_hand - held))
        })
        .collect())
}

/// Raises each line's `reserved_milli`. Writing the balance itself is what makes two
/// orders reserving the same product conflict (one transaction retries and sees the other).
async fn hold(
    state: &AppState,
    s: &mut ClientSession,
    scope: &TenantScope,
    order: &payloads::WebOrderCreated,
) -> mongodb::error::Result<()> {
    for l in &order.lines {
        balances(state, scope)
            .update_one(
                doc! { "product_id": &l.product_id },
                doc! { "$inc": { "reserved_milli": l.quantity * 1000 } },
            )
            .session(&mut *s)
            .await?;
    }
    Ok(())
}
