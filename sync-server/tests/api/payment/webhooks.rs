//! Stripe webhooks: signed deliveries move a payment once, however often and in whatever
//! order they come; a delivery that is not Stripe's is refused.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sync_server::services::payment::signature::sign;

use super::{WEBHOOK_SECRET, key, kinds, localstripe::LocalStripe, open, payment_app, post_keyed};
use crate::{events::Tap, harness::TestApp};

/// Delivers `event` signed with `secret` at `t` (now when `None`).
async fn deliver(
    app: &TestApp,
    event: &Value,
    secret: &str,
    t: Option<i64>,
) -> (StatusCode, Value) {
    let body = event.to_string();
    let t = t.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
    let resp = app
        .http
        .post(format!("{}/api/payments/webhooks/stripe", app.base))
        .header("content-type", "application/json")
        .header("Stripe-Signature", sign(secret, t, body.as_bytes()))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// `payment_intent.succeeded` for `payment` as Stripe sends it (the intent, with Kassa's
/// id in its metadata), under a fresh event id.
fn succeeded(payment: &Value) -> Value {
    json!({ "id": format!("evt_{}", uuid::Uuid::now_v7().simple()), "object": "event",
        "type": "payment_intent.succeeded",
        "data": { "object": { "id": payment["provider_ref"], "object": "payment_intent",
            "amount": payment["amount_minor"], "amount_received": payment["amount_minor"],
            "currency": "eur", "status": "succeeded",
            "metadata": { "kassa_payment_id": payment["payment_id"] } } } })
}

#[tokio::test]
async fn a_webhook_before_the_api_reply_is_reconciled_and_twice_changes_nothing() {
    let Some(peer) = LocalStripe::start().await else {
        return;
    };
    let app = payment_app(Some(&peer), None).await;
    let tap = Tap::bind(&app.prefix).await;
    let t = app.tenant("Hook Shop").await;
    // Opened, not yet confirmed: Stripe's success report comes before Kassa's confirm reply.
    let p = open(
        &app,
        &t.manager,
        &t.shop_id,
        1500,
        json!({ "provider": "stripe", "payment_method": "pm_card_visa" }),
    )
    .await;
    assert_eq!(p["status"], "created", "{p}");
    let id = p["payment_id"].as_str().unwrap().to_string();
    let event = succeeded(&p);
    let (status, first) = deliver(&app, &event, WEBHOOK_SECRET, None).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        (first["outcome"].as_str(), first["status"].as_str()),
        (Some("applied"), Some("captured"))
    );
    let (status, again) = deliver(&app, &event, WEBHOOK_SECRET, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a redelivery is acknowledged: {again}"
    );
    assert_eq!(again["outcome"], "replayed", "and changes nothing: {again}");
    let (_, late) = deliver(&app, &succeeded(&p), WEBHOOK_SECRET, None).await;
    assert_eq!(
        late["status"], "captured",
        "another report of the same state: {late}"
    );
    // Kassa's own confirm now hears "succeeded" too: nothing moves twice.
    let (status, confirmed, _) = post_keyed(
        &app,
        &format!("/api/payments/{id}/confirm"),
        &t.manager,
        &key(),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "already captured, nothing to confirm: {confirmed}"
    );
    let (_, read) = app.get(&format!("/api/payments/{id}"), &t.manager).await;
    assert_eq!(
        kinds(&read),
        ["attempt", "capture"],
        "one capture in the ledger: {read}"
    );
    assert_eq!(read["transactions"][1]["source"], "webhook");
    tap.wait_for("payment.captured", |v| {
        v["payload"]["payment_id"] == id.as_str()
    })
    .await;
    // Give a wrongly duplicated event time to arrive before counting.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        tap.count("payment.captured", |v| v["payload"]["payment_id"]
            == id.as_str()),
        1,
        "announced once"
    );
}

#[tokio::test]
async fn a_late_webhook_of_an_earlier_state_changes_nothing() {
    let Some(peer) = LocalStripe::start().await else {
        return;
    };
    let app = payment_app(Some(&peer), None).await;
    let t = app.tenant("Late Shop").await;
    let p = open(
        &app,
        &t.manager,
        &t.shop_id,
        800,
        json!({ "provider": "stripe", "payment_method": "pm_card_visa", "confirm": true }),
    )
    .await;
    assert_eq!(p["status"], "captured");
    let mut failed = succeeded(&p);
    failed["type"] = json!("payment_intent.payment_failed");
    failed["data"]["object"]["status"] = json!("requires_payment_method");
    failed["data"]["object"]["last_payment_error"] =
        json!({ "code": "card_declined", "message": "late" });
    let (status, v) = deliver(&app, &failed, WEBHOOK_SECRET, None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        v["status"], "captured",
        "money taken does not fail afterwards: {v}"
    );
}

#[tokio::test]
async fn a_delivery_stripe_did_not_sign_is_refused() {
    let app = payment_app(None, None).await;
    let event =
        json!({ "id": "evt_x", "type": "payment_intent.succeeded", "data": { "object": {} } });
    let (status, v) = deliver(&app, &event, "whsec_someone_else", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "bad_signature");
    let hour_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
    let (status, v) = deliver(&app, &event, WEBHOOK_SECRET, Some(hour_ago)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a replay of an old delivery: {v}"
    );
    let (status, v) = app.post("/api/payments/webhooks/stripe", None, event).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no signature at all: {v}");
}

#[tokio::test]
async fn a_payment_confirmed_in_the_browser_is_captured_by_localstripe_s_signed_webhook() {
    let Some(peer) = LocalStripe::start().await else {
        return;
    };
    let app = payment_app(Some(&peer), None).await;
    peer.register_webhook(
        &format!("{}/api/payments/webhooks/stripe", app.base),
        WEBHOOK_SECRET,
    )
    .await;
    let tap = Tap::bind(&app.prefix).await;
    let t = app.tenant("Browser Shop").await;
    let p = open(
        &app,
        &t.manager,
        &t.shop_id,
        2100,
        json!({ "provider": "stripe", "payment_method": "pm_card_visa" }),
    )
    .await;
    let id = p["payment_id"].as_str().unwrap().to_string();
    // The customer's browser confirms with Stripe; only Stripe's webhook tells Kassa.
    peer.confirm_as_browser(p["provider_ref"].as_str().unwrap())
        .await;
    let event = tap
        .wait_for("payment.captured", |v| {
            v["payload"]["payment_id"] == id.as_str()
        })
        .await;
    assert_eq!(event["payload"]["captured_minor"], 2100, "{event}");
    let (_, read) = app.get(&format!("/api/payments/{id}"), &t.manager).await;
    assert_eq!(read["status"], "captured", "{read}");
    assert_eq!(
        read["transactions"][1]["source"], "webhook",
        "recorded from the signed delivery: {read}"
    );
}
