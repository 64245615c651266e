//! Moves events from the services' outboxes to RabbitMQ with publisher confirms. An event
//! is marked published only after the broker confirmed it; if RabbitMQ is away the events
//! wait in MongoDB and leave, in order, once it is back. Consumers dedupe by event id, so
//! the rare re-publish after a crash between confirm and mark is harmless.

use std::time::Duration;

use futures::TryStreamExt;
use lapin::{
    BasicProperties, Channel,
    options::{BasicPublishOptions, ConfirmSelectOptions},
};
use mongodb::{
    Database,
    bson::{Document, doc},
};
use tokio_util::sync::CancellationToken;

use super::{EventMessage, bus::Bus, topology};

/// Largest number of events published before waiting for their confirms.
const BATCH: i64 = 500;
const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub async fn run(bus: Bus, dbs: Vec<Database>, poll: Duration, cancel: CancellationToken) {
    let mut backoff = Duration::from_millis(100);
    while !cancel.is_cancelled() {
        let (conn, channel) = match connect(&bus).await {
            Ok(pair) => pair,
            Err(e) => {
                bus.set_connected(false);
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "event relay cannot reach RabbitMQ");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = cancel.cancelled() => return,
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        bus.set_connected(true);
        backoff = Duration::from_millis(100);
        loop {
            match relay_pending(&bus, &channel, &dbs).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "event relay lost RabbitMQ; events stay in the outbox");
                    break;
                }
            }
            tokio::select! {
                () = bus.woken() => {}
                () = tokio::time::sleep(poll) => {}
                () = cancel.cancelled() => break,
            }
            if !channel.status().connected() {
                break;
            }
        }
        bus.set_connected(false);
        let _ = conn.close(200, "relay restarting".into()).await;
    }
}

async fn connect(bus: &Bus) -> anyhow::Result<(lapin::Connection, Channel)> {
    let (conn, channel) = bus.open_channel("kassa-outbox-relay").await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    topology::declare_exchanges(&channel, bus.names()).await?;
    Ok((conn, channel))
}

/// Publishes one batch from each outbox; returns how many events were confirmed.
async fn relay_pending(bus: &Bus, channel: &Channel, dbs: &[Database]) -> anyhow::Result<usize> {
    let mut total = 0;
    for db in dbs {
        let coll = crate::store::internal::<Document>(db, &crate::store::OUTBOX);
        let pending: Vec<Document> = coll
            .find(doc! { "published": false })
            .sort(doc! { "_id": 1 })
            .limit(BATCH)
            .await?
            .try_collect()
            .await?;
        if pending.is_empty() {
            continue;
        }
        let mut confirms = Vec::with_capacity(pending.len());
        for raw in pending {
            let event = match EventMessage::from_outbox_doc(raw.clone()) {
                Ok(e) => e,
                Err(e) => {
                    // Cannot happen for events this code wrote; park it so it does not block.
                    tracing::error!(error = %e, id = ?raw.get("_id"), "unreadable outbox entry skipped");
                    coll.update_one(
                        doc! { "_id": raw.get("_id") },
                        doc! { "$set": { "published": true, "unreadable": true } },
                    )
                    .await?;
                    continue;
                }
            };
            let body = serde_json::to_vec(&event)?;
            let props = BasicProperties::default()
                .with_message_id(event.id.clone().into())
                .with_content_type("application/json".into())
                .with_delivery_mode(2)
                .with_type(event.routing_key.clone().into());
            let confirm = channel
                .basic_publish(
                    bus.names().exchange().into(),
                    event.routing_key.clone().into(),
                    BasicPublishOptions::default(),
                    &body,
                    props,
                )
                .await?;
            confirms.push((event.id, confirm));
        }
        let mut acked = Vec::with_capacity(confirms.len());
        for (id, confirm) in confirms {
            if confirm.await?.is_ack() {
                acked.push(id);
            } else {
                tracing::warn!(%id, "broker refused an event; it will be retried");
            }
        }
        if !acked.is_empty() {
            coll.update_many(
                doc! { "_id": { "$in": &acked } },
                doc! { "$set": { "published": true, "published_at": crate::db::now() } },
            )
            .await?;
            metrics::counter!("kassa_events_published_total").increment(acked.len() as u64);
        }
        total += acked.len();
    }
    Ok(total)
}
