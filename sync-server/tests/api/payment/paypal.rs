//! PayPal Orders v2 through the payment service, against the project's fake: the customer
//! approves, Kassa captures and refunds (never beyond the capture), and webhooks are
//! applied only when PayPal verifies them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    key, kinds, open, payment_app,
    paypal_fake::{PayPalFake, VALID_SIGNATURE},
    post_keyed,
};
use crate::harness::TestApp;

async fn deliver(app: &TestApp, event: &Value, signature: &str) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(format!("{}/api/payments/webhooks/paypal", app.base))
        .header("PAYPAL-TRANSMISSION-ID", uuid::Uuid::now_v7().to_string())
        .header("PAYPAL-TRANSMISSION-SIG", signature)
        .header("PAYPAL-AUTH-ALGO", "SHA256withRSA")
        .header("PAYPAL-CERT-URL", "https://api.paypal.fake/cert")
        .header("PAYPAL-TRANSMISSION-TIME", "2026-01-01T00:00:00Z")
        .json(event)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_paypal_order_is_approved_captured_and_refunded_up_to_its_capture() {
    let fake = PayPalFake::start().await;
    let app = payment_app(None, Some(&fake)).await;
    let t = app.tenant("Pal Shop").await;
    let p = open(
        &app,
        &t.manager,
        &t.shop_id,
        2500,
        json!({ "provider": "paypal" }),
    )
    .await;
    assert_eq!(
        p["status"], "requires_action",
        "the customer approves first: {p}"
    );
    assert!(
        p["approve_url"].as_str().unwrap().contains("checkoutnow"),
        "{p}"
    );
    let id = p["payment_id"].as_str().unwrap().to_string();
    let capture = format!("/api/payments/{id}/capture");
    let (status, early, _) = post_keyed(&app, &capture, &t.manager, &key(), Some(json!({}))).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not approved yet: {early}"
    );
    assert_eq!(early["code"], "provider_refused");
    fake.approve(p["provider_ref"].as_str().unwrap()).await;
    let (status, captured, _) =
        post_keyed(&app, &capture, &t.manager, &key(), Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{captured}");
    assert_eq!(
        (
            captured["status"].as_str(),
            captured["captured_minor"].as_i64()
        ),
        (Some("captured"), Some(2500))
    );
    let refunds = format!("/api/payments/{id}/refunds");
    let (status, part, _) = post_keyed(
        &app,
        &refunds,
        &t.admin,
        &key(),
        Some(json!({ "amount_minor": 1000 })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{part}");
    let (status, over, _) = post_keyed(
        &app,
        &refunds,
        &t.admin,
        &key(),
        Some(json!({ "amount_minor": 2000 })),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "1500 left: {over}"
    );
    assert_eq!(kinds(&part), ["attempt", "capture", "refund"]);

    // PayPal's own report of the capture, verified by PayPal: nothing moves twice.
    let event = json!({ "id": "WH-EVT-1", "event_type": "PAYMENT.CAPTURE.COMPLETED",
        "resource": { "id": captured["transactions"][1]["provider_ref"], "custom_id": id,
            "amount": { "currency_code": "EUR", "value": "25.00" },
            "supplementary_data": { "related_ids": { "order_id": p["provider_ref"] } } } });
    let (status, bad) = deliver(&app, &event, "forged").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "PayPal does not vouch for it: {bad}"
    );
    let (status, v) = deliver(&app, &event, VALID_SIGNATURE).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "captured");
    let (_, again) = deliver(&app, &event, VALID_SIGNATURE).await;
    assert_eq!(again["outcome"], "replayed");
    let (_, read) = app.get(&format!("/api/payments/{id}"), &t.manager).await;
    assert_eq!(read["refunded_minor"], 1000, "{read}");
    assert_eq!(
        kinds(&read),
        ["attempt", "capture", "refund"],
        "the ledger is unchanged"
    );
}
