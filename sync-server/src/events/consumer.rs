//! The loop a service reads its inbox with: manual ack after the handler's write, poison
//! messages to the dead-letter queue, reconnect with backoff.

use std::{future::Future, time::Duration};

use futures::StreamExt;
use lapin::{
    Channel,
    options::{
        BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, BasicRejectOptions,
    },
    types::FieldTable,
};
use tokio_util::sync::CancellationToken;

use super::{
    EventMessage,
    bus::Bus,
    topology::{self, Inbox},
};

/// How many unacked deliveries one consumer holds: enough to keep a round trip's worth in
/// flight without one slow instance hoarding the queue.
const PREFETCH: u16 = 32;

/// Consumes `inbox` until cancelled. `handle` must be idempotent by event id: a message can
/// arrive twice (redelivery after a lost ack, a relay re-publish).
pub async fn run<H, Fut>(bus: Bus, inbox: Inbox, handle: H, cancel: CancellationToken)
where
    H: Fn(EventMessage) -> Fut + Send + Sync,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let mut backoff = Duration::from_millis(100);
    while !cancel.is_cancelled() {
        match consume(&bus, &inbox, &handle, &cancel).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, queue = inbox.queue, "consumer lost RabbitMQ; reconnecting");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = cancel.cancelled() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

async fn consume<H, Fut>(
    bus: &Bus,
    inbox: &Inbox,
    handle: &H,
    cancel: &CancellationToken,
) -> anyhow::Result<()>
where
    H: Fn(EventMessage) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let (conn, channel) = bus
        .open_channel(&format!("kassa-{}-consumer", inbox.service))
        .await?;
    setup(&channel, bus, inbox).await?;
    let mut deliveries = channel
        .basic_consume(
            bus.names().queue(inbox).into(),
            format!("kassa-{}", inbox.service).into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    loop {
        let delivery = tokio::select! {
            d = deliveries.next() => d,
            () = cancel.cancelled() => {
                let _ = conn.close(200, "shutdown".into()).await;
                return Ok(());
            }
        };
        let Some(delivery) = delivery else {
            anyhow::bail!("delivery stream ended");
        };
        let delivery = delivery?;
        let event: EventMessage = match serde_json::from_slice(&delivery.data) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, queue = inbox.queue, "malformed event sent to dead letters");
                delivery
                    .reject(BasicRejectOptions { requeue: false })
                    .await?;
                continue;
            }
        };
        let id = event.id.clone();
        match handle(event).await {
            Ok(()) => {
                delivery.ack(BasicAckOptions::default()).await?;
            }
            Err(e) if delivery.redelivered => {
                tracing::error!(error = ?e, %id, queue = inbox.queue, "event failed twice; sent to dead letters");
                delivery
                    .reject(BasicRejectOptions { requeue: false })
                    .await?;
            }
            Err(e) => {
                tracing::warn!(error = ?e, %id, queue = inbox.queue, "event failed; requeued once");
                delivery
                    .nack(BasicNackOptions {
                        requeue: true,
                        multiple: false,
                    })
                    .await?;
            }
        }
    }
}

async fn setup(channel: &Channel, bus: &Bus, inbox: &Inbox) -> lapin::Result<()> {
    channel
        .basic_qos(PREFETCH, BasicQosOptions::default())
        .await?;
    topology::declare_inbox(channel, bus.names(), inbox).await
}
