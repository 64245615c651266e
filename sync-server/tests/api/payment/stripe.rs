//! Stripe PaymentIntents through the payment service, against localstripe: the ledger
//! records each step once, events leave through the outbox, idempotency keys replay, and
//! refunds stop at the capture (which localstripe itself does not check).

use reqwest::StatusCode;
use serde_json::json;

use super::{key, kinds, localstripe::LocalStripe, open, payment_app, post_keyed};
use crate::events::Tap;

#[tokio::test]
async fn a_confirmed_intent_is_captured_in_the_ledger_and_announced() {
    let Some(peer) = LocalStripe::start().await else {
        return;
    };
    let app = payment_app(Some(&peer), None).await;
    let tap = Tap::bind(&app.prefix).await;
    let t = app.tenant("Card Shop").await;
    let p = open(
        &app,
        &t.manager,
        &t.shop_id,
        1234,
        json!({ "provider": "stripe", "payment_method": "pm_card_visa", "confirm": true }),
    )
    .await;
    assert_eq!(p["status"], "captured", "localstripe took the money: {p}");
    assert_eq!(p["captured_minor"], 1234);
    assert_eq!(p["currency"], "EUR", "the company's currency by default");
    assert!(
        p["provider_ref"].as_str().unwrap().starts_with("pi_"),
        "{p}"
    );
    assert_eq!(
        kinds(&p),
        ["attempt", "capture"],
        "the ledger shows the attempt and the capture"
    );
    let id = p["payment_id"].as_str().unwrap().to_string();
    let (status, read) = app.get(&format!("/api/payments/{id}"), &t.admin).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(
        read["transactions"], p["transactions"],
        "the ledger as stored"
    );
    let event = tap
        .wait_for("payment.captured", |v| {
            v["payload"]["payment_id"] == id.as_str()
        })
        .await;
    assert_eq!(event["payload"]["captured_minor"], 1234, "{event}");
    assert_eq!(event["company_id"], t.company_id.as_str());
}

#[tokio::test]
async fn a_manual_capture_holds_the_money_then_takes_part_of_it() {
    let Some(peer) = LocalStripe::start().await else {
        return;
    };
    let app = payment_app(Some(&peer), None).await;
    let tap = Tap::bind(&app.prefix).await;
    let t = app.tenant("Hold Shop").await;
    let p = open(
        &app,
        &t.manager,
        &t.shop_id,
        1000,
        json!({ "provider": "stripe",
        "payment_method": "pm_card_visa", "capture_method": "manual", "confirm": true }),
    )
    .await;
    assert_eq!(p["status"], "authorized", "{p}");
    let id = p["payment_id"].as_str().unwrap().to_string();
    tap.wait_for("payment.authorized", |v| {
        v["payload"]["payment_id"] == id.as_str()
    })
    .await;
    let path = format!("/api/payments/{id}/capture");
    let (status, over, _) = post_keyed(
        &app,
        &path,
        &t.manager,
        &key(),
        Some(json!({ "amount_minor": 1001 })),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "more than authorised: {over}"
    );
    let (status, captured, _) = post_keyed(
        &app,
        &path,
        &t.manager,
        &key(),
        Some(json!({ "amount_minor": 800 })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{captured}");
    assert_eq!(captured["status"], "captured");
    assert_eq!(
        captured["captured_minor"], 800,
        "what was captured, not what was held"
    );
    assert_eq!(captured["refundable_minor"], 800);
    assert_eq!(kinds(&captured), ["attempt", "authorization", "capture"]);
}

#[tokio::test]
async fn a_declined_card_fails_with_the_decline_reason() {
    let Some(peer) = LocalStripe::start().await else {
        return;
    };
    let app = payment_app(Some(&peer), None).await;
    let tap = Tap::bind(&app.prefix).await;
    let t = app.tenant("Decline Shop").await;
    let p = open(
        &app,
        &t.manager,
        &t.shop_id,
        700,
        json!({ "provider": "stripe",
        "payment_method": "pm_card_chargeCustomerFail", "confirm": true }),
    )
    .await;
    assert_eq!(p["status"], "failed", "{p}");
    assert_eq!(
        p["failure"]["code"], "card_declined",
        "the provider's reason: {p}"
    );
    assert_eq!(kinds(&p), ["attempt", "failure"]);
    let id = p["payment_id"].as_str().unwrap().to_string();
    let event = tap
        .wait_for("payment.failed", |v| {
            v["payload"]["payment_id"] == id.as_str()
        })
        .await;
    assert_eq!(event["payload"]["failure_code"], "card_declined");
}

#[tokio::test]
async fn the_same_idempotency_key_opens_one_payment() {
    let Some(peer) = LocalStripe::start().await else {
        return;
    };
    let app = payment_app(Some(&peer), None).await;
    let t = app.tenant("Retry Shop").await;
    let k = key();
    let body = json!({ "order_id": "order-1", "shop_id": t.shop_id, "amount_minor": 500,
        "provider": "stripe", "payment_method": "pm_card_visa", "confirm": true });
    let (s1, first, replay1) = post_keyed(
        &app,
        "/api/payments/intents",
        &t.manager,
        &k,
        Some(body.clone()),
    )
    .await;
    let (s2, second, replay2) = post_keyed(
        &app,
        "/api/payments/intents",
        &t.manager,
        &k,
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (s1, s2),
        (StatusCode::CREATED, StatusCode::CREATED),
        "{first} {second}"
    );
    assert!(!replay1 && replay2, "the second answer is the stored one");
    assert_eq!(first, second, "the same payment, answered as first");
    let (_, list) = app
        .get(&format!("/api/payments?shop_id={}", t.shop_id), &t.manager)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "one payment: {list}");
    let mut other = body;
    other["amount_minor"] = json!(501);
    let (status, refused, _) =
        post_keyed(&app, "/api/payments/intents", &t.manager, &k, Some(other)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["code"], "idempotency_key_reused");
    let (status, missing) = app.post("/api/payments/intents", Some(&t.manager),
        json!({ "order_id": "o", "shop_id": t.shop_id, "amount_minor": 5, "provider": "stripe" })).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no key, no payment: {missing}"
    );
}

#[tokio::test]
async fn refunds_stop_at_what_was_captured() {
    let Some(peer) = LocalStripe::start().await else {
        return;
    };
    let app = payment_app(Some(&peer), None).await;
    let tap = Tap::bind(&app.prefix).await;
    let t = app.tenant("Refund Shop").await;
    let p = open(
        &app,
        &t.manager,
        &t.shop_id,
        1000,
        json!({ "provider": "stripe", "payment_method": "pm_card_visa", "confirm": true }),
    )
    .await;
    let id = p["payment_id"].as_str().unwrap().to_string();
    let path = format!("/api/payments/{id}/refunds");
    let (status, over, _) = post_keyed(
        &app,
        &path,
        &t.manager,
        &key(),
        Some(json!({ "amount_minor": 1001 })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{over}");
    assert_eq!(over["code"], "refund_exceeds_capture");
    let k = key();
    let (status, part, _) = post_keyed(
        &app,
        &path,
        &t.manager,
        &k,
        Some(json!({ "amount_minor": 600 })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{part}");
    let (_, again, replayed) = post_keyed(
        &app,
        &path,
        &t.manager,
        &k,
        Some(json!({ "amount_minor": 600 })),
    )
    .await;
    assert!(replayed && again == part, "a retried refund refunds once");
    let (status, over, _) = post_keyed(
        &app,
        &path,
        &t.admin,
        &key(),
        Some(json!({ "amount_minor": 401 })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "400 left: {over}");
    let (status, rest, _) = post_keyed(
        &app,
        &path,
        &t.admin,
        &key(),
        Some(json!({ "amount_minor": 400 })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{rest}");
    assert_eq!(rest["status"], "refunded", "all of it back: {rest}");
    assert_eq!(
        (
            rest["refunded_minor"].as_i64(),
            rest["refundable_minor"].as_i64()
        ),
        (Some(1000), Some(0))
    );
    assert_eq!(kinds(&rest), ["attempt", "capture", "refund", "refund"]);
    let (status, _, _) = post_keyed(
        &app,
        &path,
        &t.manager,
        &key(),
        Some(json!({ "amount_minor": 1 })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing left to refund");
    tap.wait_for("payment.refunded", |v| {
        v["payload"]["payment_id"] == id.as_str() && v["payload"]["refunded_minor"] == 400
    })
    .await;
    assert_eq!(
        tap.count("payment.refunded", |v| v["payload"]["payment_id"]
            == id.as_str()),
        2,
        "one event per refund"
    );
}

#[tokio::test]
async fn another_company_s_payment_answers_404() {
    let Some(peer) = LocalStripe::start().await else {
        return;
    };
    let app = payment_app(Some(&peer), None).await;
    let a = app.tenant("Owner Shop").await;
    let b = app.tenant("Other Shop").await;
    let p = open(
        &app,
        &a.manager,
        &a.shop_id,
        900,
        json!({ "provider": "stripe", "payment_method": "pm_card_visa", "confirm": true }),
    )
    .await;
    let id = p["payment_id"].as_str().unwrap();
    let (status, _) = app.get(&format!("/api/payments/{id}"), &b.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for (path, body) in [
        ("refunds", json!({ "amount_minor": 1 })),
        ("capture", json!({})),
        ("confirm", json!({})),
    ] {
        let (status, v, _) = post_keyed(
            &app,
            &format!("/api/payments/{id}/{path}"),
            &b.admin,
            &key(),
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {v}");
    }
    let (status, _, _) = post_keyed(
        &app,
        "/api/payments/intents",
        &b.admin,
        &key(),
        Some(json!({
        "order_id": "o", "shop_id": a.shop_id, "amount_minor": 5, "provider": "stripe" })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another company's shop");
    let (_, still) = app.get(&format!("/api/payments/{id}"), &a.admin).await;
    assert_eq!(still["refunded_minor"], 0, "nothing moved: {still}");
}
