//! The payment service against its providers' peers: localstripe for Stripe (skipped with
//! a message when it is not installed outside CI) and the project's PayPal fake.

pub mod localstripe;
pub mod paypal_fake;

mod paypal;
mod stripe;
mod webhooks;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, spawn_app_with};
use localstripe::LocalStripe;
use paypal_fake::PayPalFake;

pub const STRIPE_KEY: &str = "sk_test_kassa";
pub const WEBHOOK_SECRET: &str = "whsec_kassa_test";

/// A server whose providers are the given peers.
pub async fn payment_app(stripe: Option<&LocalStripe>, paypal: Option<&PayPalFake>) -> TestApp {
    let stripe = stripe.map(|s| s.base.clone());
    let paypal = paypal.map(|p| p.base.clone());
    spawn_app_with(move |c| {
        if let Some(base) = stripe {
            c.payment.stripe_api_base = base;
            c.payment.stripe_secret_key = STRIPE_KEY.into();
        }
        c.payment.stripe_webhook_secret = WEBHOOK_SECRET.into();
        if let Some(base) = paypal {
            c.payment.paypal_api_base = base;
            c.payment.paypal_client_id = paypal_fake::CLIENT_ID.into();
            c.payment.paypal_client_secret = paypal_fake::CLIENT_SECRET.into();
            c.payment.paypal_webhook_id = paypal_fake::WEBHOOK_ID.into();
        }
    })
    .await
}

/// A POST with an `Idempotency-Key`; returns the status, the body and whether the answer
/// was a replay.
pub async fn post_keyed(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: Option<Value>,
) -> (StatusCode, Value, bool) {
    let mut req = app
        .http
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("Idempotency-Key", key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("server reachable");
    let status = resp.status();
    let replayed = resp.headers().get("idempotent-replayed").is_some();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
        replayed,
    )
}

/// A fresh key.
pub fn key() -> String {
    format!("k-{}", uuid::Uuid::now_v7().simple())
}

/// Opens a payment of `amount` for a new order of `shop`; asserts it was created.
pub async fn open(app: &TestApp, token: &str, shop: &str, amount: i64, extra: Value) -> Value {
    let mut body = json!({ "order_id": uuid::Uuid::now_v7().to_string(), "shop_id": shop, "amount_minor": amount });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, payment, _) =
        post_keyed(app, "/api/payments/intents", token, &key(), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "payment opened: {payment}");
    payment
}

/// The kinds of a payment's ledger entries, oldest first.
pub fn kinds(payment: &Value) -> Vec<String> {
    payment["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}
