//! Events reach RabbitMQ with the documented routing keys, and survive a RabbitMQ outage.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures::StreamExt;
use lapin::{
    Connection, ConnectionProperties, ExchangeKind,
    options::{
        BasicAckOptions, BasicConsumeOptions, ExchangeDeclareOptions, QueueBindOptions,
        QueueDeclareOptions,
    },
    types::FieldTable,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::harness::{amqp_uri, spawn_app, spawn_app_with};

/// A consumer bound to `#` on the test's exchange, recording every message.
pub struct Tap {
    seen: Arc<Mutex<Vec<Value>>>,
}

impl Tap {
    pub async fn bind(prefix: &str) -> Tap {
        let conn = Connection::connect(&amqp_uri(), ConnectionProperties::default())
            .await
            .unwrap();
        let ch = conn.create_channel().await.unwrap();
        let exchange = format!("{prefix}ecommerce_exchange");
        ch.exchange_declare(
            exchange.clone().into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
        let q = ch
            .queue_declare(
                "".into(),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .unwrap();
        ch.queue_bind(
            q.name().clone(),
            exchange.into(),
            "#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
        let mut consumer = ch
            .basic_consume(
                q.name().clone(),
                "tap".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        tokio::spawn(async move {
            let _keep = conn;
            while let Some(Ok(d)) = consumer.next().await {
                let mut v: Value = serde_json::from_slice(&d.data).unwrap_or(Value::Null);
                v["_routing_key"] = Value::String(d.routing_key.to_string());
                sink.lock().unwrap().push(v);
                let _ = d.ack(BasicAckOptions::default()).await;
            }
        });
        Tap { seen }
    }

    /// Waits until a message with `key` (and matching `pred`) arrived; returns it.
    pub async fn wait_for(&self, key: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(v) = self
                .seen
                .lock()
                .unwrap()
                .iter()
                .find(|v| v["_routing_key"] == key && pred(v))
            {
                return v.clone();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no {key} event arrived; saw {:?}",
                self.keys()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How many messages with `key` matching `pred` arrived so far.
    pub fn count(&self, key: &str, pred: impl Fn(&Value) -> bool) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|v| v["_routing_key"] == key && pred(v))
            .count()
    }

    fn keys(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|v| v["_routing_key"].as_str().unwrap_or("").to_string())
            .collect()
    }

    fn count_id(&self, id: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|v| v["id"] == id)
            .count()
    }
}

#[tokio::test]
async fn changes_are_announced_with_their_routing_keys() {
    let app = spawn_app().await;
    let tap = Tap::bind(&app.prefix).await;
    let t = app.tenant("Evented").await;
    let created = tap
        .wait_for("company.created", |v| {
            v["company_id"] == t.company_id.as_str()
        })
        .await;
    assert_eq!(created["payload"]["name"], "Evented");
    tap.wait_for("user.registered", |v| {
        v["company_id"] == t.company_id.as_str()
    })
    .await;
    tap.wait_for("shop.created", |v| {
        v["payload"]["shop_id"] == t.shop_id.as_str()
    })
    .await;
    tap.wait_for("shop.staff_added", |v| {
        v["payload"]["shop_id"] == t.shop_id.as_str()
    })
    .await;
    app.post(
        "/api/auth/login",
        None,
        json!({ "email": "ghost@x.test", "password": "nope-nope-nope" }),
    )
    .await;
    tap.wait_for("auth.login_failed", |v| {
        v["payload"]["email"] == "ghost@x.test"
    })
    .await;
    let enrolled = app.enroll(&t, "T").await;
    tap.wait_for("shop.terminal_enrolled", |v| {
        v["payload"]["terminal_id"] == enrolled["terminal_id"]
    })
    .await;
    app.call(
        reqwest::Method::PATCH,
        &format!("/api/companies/{}", t.company_id),
        Some(&t.admin),
        Some(json!({ "name": "Evented 2" })),
    )
    .await;
    tap.wait_for("company.updated", |v| {
        v["company_id"] == t.company_id.as_str()
    })
    .await;

    // The audit service consumed the same events into its hash chain.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (status, audit) = app.get("/api/audit?limit=200", &t.admin).await;
        assert_eq!(status, StatusCode::OK);
        let keys: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["routing_key"].as_str())
            .collect();
        if keys.contains(&"shop.terminal_enrolled") && keys.contains(&"company.created") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "audit log never caught up: {keys:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `host:port` of the broker in the test AMQP URI (between `@` and the vhost).
fn broker_addr() -> String {
    let uri = amqp_uri();
    let after_at = uri.rsplit_once('@').map_or(uri.as_str(), |(_, rest)| rest);
    after_at
        .split('/')
        .next()
        .unwrap_or("127.0.0.1:5672")
        .to_string()
}

/// A TCP proxy to RabbitMQ that the test can cut and restore.
struct Proxy {
    addr: std::net::SocketAddr,
    up: Arc<Mutex<CancellationToken>>,
}

impl Proxy {
    async fn start() -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(Mutex::new(CancellationToken::new()));
        let gate = up.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let generation = gate.lock().unwrap().clone();
                if generation.is_cancelled() {
                    continue; // down: drop the connection at once
                }
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(broker_addr()).await
                    else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        () = generation.cancelled() => {}
                    }
                });
            }
        });
        Proxy { addr, up }
    }

    fn cut(&self) {
        self.up.lock().unwrap().cancel();
    }

    fn restore(&self) {
        *self.up.lock().unwrap() = CancellationToken::new();
    }
}

#[tokio::test]
async fn an_event_written_during_a_rabbitmq_outage_is_delivered_once_after() {
    let proxy = Proxy::start().await;
    let addr = proxy.addr;
    let via_proxy = amqp_uri().replacen(&broker_addr(), &addr.to_string(), 1);
    let app = spawn_app_with(move |c| c.amqp.uri = via_proxy).await;
    let tap = Tap::bind(&app.prefix).await;
    let (company, admin) = app.create_company("Outage", "business").await;
    tap.wait_for("company.created", |v| v["company_id"] == company.as_str())
        .await;

    proxy.cut();
    let (status, shop) = app.create_shop(&admin, "Made offline").await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "writes do not wait for RabbitMQ: {shop}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        !tap.keys().contains(&"shop.created".to_string()),
        "nothing can be published while RabbitMQ is unreachable"
    );

    proxy.restore();
    let event = tap
        .wait_for("shop.created", |v| v["payload"]["shop_id"] == shop["id"])
        .await;
    let id = event["id"].as_str().unwrap().to_string();
    // Give any duplicate time to show up before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(tap.count_id(&id), 1, "delivered exactly once");
    let counts: HashMap<String, usize> = tap.keys().into_iter().fold(HashMap::new(), |mut m, k| {
        *m.entry(k).or_default() += 1;
        m
    });
    assert_eq!(
        counts.get("company.created"),
        Some(&1),
        "no replay of older events: {counts:?}"
    );
}

#[tokio::test]
async fn stock_falling_to_its_reorder_level_is_announced_once_and_listed() {
    let app = spawn_app().await;
    let tap = Tap::bind(&app.prefix).await;
    let t = app.tenant("Low Stock Co").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let level = |level_milli: i64| json!({ "shop_id": t.shop_id, "product_id": milk, "level_milli": level_milli });
    let put = |token: String, body: Value| {
        let app = &app;
        async move {
            app.call(
                reqwest::Method::PUT,
                "/api/inventory/reorder-levels",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let (_, cashier) = app.cashier(&t, "2468").await;
    let (status, _) = put(cashier, level(5_000)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "managers set reorder levels");
    let (status, body) = put(t.manager.clone(), level(-1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = put(t.manager.clone(), level(5_000)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["low"], true, "nothing in stock yet: {body}");

    let adjust = |delta_milli: i64, key: &str| {
        let body = json!({ "shop_id": t.shop_id, "product_id": milk,
            "delta_milli": delta_milli, "reason": "count", "idempotency_key": key });
        let app = &app;
        let manager = t.manager.clone();
        async move {
            let (status, b) = app
                .post("/api/inventory/adjustments", Some(&manager), body)
                .await;
            assert_eq!(status, StatusCode::OK, "{b}");
        }
    };
    adjust(6_000, "delivery").await; // 0 -> 6: rising, not low
    adjust(-2_000, "damage-1").await; // 6 -> 4: falls to the level
    adjust(-1_000, "damage-2").await; // 4 -> 3: still low, no second alarm
    let low = tap
        .wait_for("inventory.low_stock", |v| {
            v["payload"]["product_id"] == milk.as_str()
        })
        .await;
    assert_eq!(low["company_id"], t.company_id.as_str());
    assert_eq!(low["payload"]["on_hand_milli"], 4_000);
    assert_eq!(low["payload"]["level_milli"], 5_000);
    // The later adjustment's own event has arrived, so a second alarm would have too.
    tap.wait_for("inventory.adjusted", |v| {
        v["payload"]["delta_milli"] == -1_000
    })
    .await;
    let alarms = tap
        .keys()
        .iter()
        .filter(|k| *k == "inventory.low_stock")
        .count();
    assert_eq!(alarms, 1, "one alarm per crossing");

    let path = format!("/api/inventory/low-stock?shop_id={}", t.shop_id);
    let (status, list) = app.get(&path, &t.manager).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        list,
        json!([{ "product_id": milk, "sku": "MILK", "name": "Product MILK", "is_weighed": false,
            "on_hand_milli": 3_000, "level_milli": 5_000, "low": true }]),
        "listed with its SKU and name"
    );
    let other = app.tenant("Nosy Co").await;
    let (status, _) = app.get(&path, &other.manager).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another company cannot see this shop"
    );
}
