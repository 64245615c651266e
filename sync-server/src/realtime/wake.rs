//! Wakes the hub from the event bus: every instance binds its own exclusive queue to the
//! events that move a stream, so a price changed through instance A reaches sockets held
//! by instance B.

use std::time::Duration;

use futures::StreamExt;
use lapin::{
    options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions},
    types::FieldTable,
};
use tokio_util::sync::CancellationToken;

use super::Hub;
use crate::{
    events::{EventMessage, bus::Bus, topology},
    streams,
};

/// Routing keys whose events move a stream.
const BINDINGS: [&str; 8] = [
    "product.#",
    "price.#",
    "promotion.#",
    "inventory.#",
    "order.#",
    "shop.#",
    "customer.#",
    "debt.#",
];

/// The stream keys an event moves.
pub fn streams_of(event: &EventMessage) -> Vec<String> {
    let Some(company) = event.company_id.as_deref() else {
        return Vec::new();
    };
    let (domain, what) = event
        .routing_key
        .split_once('.')
        .unwrap_or((event.routing_key.as_str(), ""));
    let shop = || event.payload.get("shop_id").and_then(|s| s.as_str());
    match domain {
        "shop" if what.starts_with("staff_") => {
            shop().map(streams::staff_key).into_iter().collect()
        }
        // A terminal is on the config stream of every shop of its company.
        "shop" if what.starts_with("terminal_") => match event.payload.get("config_shops") {
            Some(serde_json::Value::Array(shops)) => shops
                .iter()
                .filter_map(|s| s.as_str())
                .map(streams::config_key)
                .collect(),
            _ => shop().map(streams::config_key).into_iter().collect(),
        },
        "price" if shop().is_some() => shop().map(streams::prices_key).into_iter().collect(),
        "product" | "price" => vec![streams::catalog_key(company)],
        "promotion" => vec![streams::promotions_key(company)],
        "customer" | "debt" => vec![streams::customers_key(company)],
        "inventory" | "order" => event
            .payload
            .get("shop_id")
            .and_then(|s| s.as_str())
            .map(|shop| vec![streams::stock_key(shop)])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Pokes `hub` for every stream-moving event until cancelled; reconnects with backoff.
pub async fn run(bus: Bus, hub: Hub, cancel: CancellationToken) {
    let mut backoff = Duration::from_millis(100);
    while !cancel.is_cancelled() {
        if let Err(e) = listen(&bus, &hub, &cancel).await {
            tracing::warn!(error = %e, "realtime wake-up lost RabbitMQ; reconnecting");
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = cancel.cancelled() => return,
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
        } else {
            return;
        }
    }
}

async fn listen(bus: &Bus, hub: &Hub, cancel: &CancellationToken) -> anyhow::Result<()> {
    let (conn, channel) = bus.open_channel("kassa-realtime").await?;
    topology::declare_exchanges(&channel, bus.names()).await?;
    // Server-named, exclusive and auto-deleted: one per instance, gone with it.
    let queue = channel
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    for key in BINDINGS {
        channel
            .queue_bind(
                queue.name().clone(),
                bus.names().exchange().into(),
                key.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    // Events published while no queue was bound (start-up, a lost connection) woke
    // nobody: every socket catches up now that none will be missed.
    hub.poke_all();
    let mut deliveries = channel
        .basic_consume(
            queue.name().clone(),
            "kassa-realtime".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..Default::default()
            },
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
        if let Ok(event) = serde_json::from_slice::<EventMessage>(&delivery?.data) {
            for key in streams_of(&event) {
                hub.poke(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::keys;

    fn terminal_event(payload: serde_json::Value) -> EventMessage {
        EventMessage::new(
            keys::SHOP_TERMINAL_KEY_REGISTERED,
            Some("c1"),
            Some("t1"),
            payload,
        )
    }

    #[test]
    fn a_terminal_change_wakes_the_tills_of_every_shop_it_was_written_to() {
        let e = terminal_event(
            serde_json::json!({ "terminal_id": "t1", "shop_id": "s1", "config_shops": ["s1", "s2"] }),
        );
        assert_eq!(streams_of(&e), vec!["config:s1", "config:s2"]);
    }

    #[test]
    fn an_event_from_before_company_wide_keys_wakes_its_own_shop() {
        let e = terminal_event(serde_json::json!({ "terminal_id": "t1", "shop_id": "s1" }));
        assert_eq!(streams_of(&e), vec!["config:s1"]);
    }
}
