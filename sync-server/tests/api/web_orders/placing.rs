//! Placing and reading web orders: catalog prices, the idempotency key, and each customer
//! seeing only their own orders.

use reqwest::StatusCode;
use serde_json::json;

use super::{address, customer, order, place};
use crate::harness::{assert_error_shape, spawn_app};

#[tokio::test]
async fn an_order_is_pending_priced_from_the_catalog_and_placed_once_per_key() {
    let app = spawn_app().await;
    let t = app.tenant("Webshop").await;
    let tea = app.product(&t, "TEA", 450, "4000000000013").await;
    let (me, token) = customer(&app, &t.company_id).await;
    let body = json!({ "shop_id": t.shop_id, "lines": [{ "sku": "TEA", "quantity": 3 }],
        "delivery_address": address("Ada") });
    let (status, first) = place(&app, &token, Some("order-1"), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "pending");
    assert_eq!(first["channel"], "web");
    assert_eq!(first["customer_id"], me.as_str());
    assert_eq!(first["lines"][0]["product_id"], tea.as_str());
    assert_eq!(first["lines"][0]["unit_price_minor"], 450);
    assert_eq!(first["total_minor"], 1350);
    assert_eq!(first["delivery_address"]["country"], "DE");
    // A retry answers the same order; the same key with another body is refused.
    let (status, again) = place(&app, &token, Some("order-1"), &body).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["_id"], first["_id"]);
    let mut other = body.clone();
    other["lines"][0]["quantity"] = json!(4);
    let (status, b) = place(&app, &token, Some("order-1"), &other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{b}");
    let (status, mine) = app.get("/api/orders/mine", &token).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(
        mine.as_array().unwrap().len(),
        1,
        "one order for two calls: {mine}"
    );
}

#[tokio::test]
async fn bad_orders_are_refused_with_their_reason() {
    let app = spawn_app().await;
    let t = app.tenant("Webshop").await;
    let tea = app.product(&t, "TEA", 450, "4000000000013").await;
    let (_, token) = customer(&app, &t.company_id).await;
    let good = json!({ "shop_id": t.shop_id, "lines": [{ "product_id": tea, "quantity": 1 }],
        "delivery_address": address("Ada") });
    let (status, b) = place(&app, &token, None, &good).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no key: {b}");
    assert_error_shape(status, &b);
    let mut priced = good.clone();
    priced["lines"][0]["unit_price_minor"] = json!(1);
    let (status, b) = place(&app, &token, Some("k-price"), &priced).await;
    // A body the schema does not allow is a 400, as on every route (`ApiJson`).
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a price from the client: {b}"
    );
    for (field, value) in [("quantity", json!(0)), ("product_id", json!("nope"))] {
        let mut bad = good.clone();
        bad["lines"][0][field] = value;
        let (status, b) = place(&app, &token, Some(&format!("k-{field}")), &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {b}");
        assert_error_shape(status, &b);
    }
    let mut shop = good.clone();
    shop["shop_id"] = json!("nope");
    let (status, b) = place(&app, &token, Some("k-shop"), &shop).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{b}");
    let (status, b) = place(&app, &t.manager, Some("k-staff"), &good).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "staff do not shop: {b}");
}

#[tokio::test]
async fn a_customer_reads_only_their_own_orders_and_managers_read_their_company() {
    let app = spawn_app().await;
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    let tea = app.product(&a, "TEA", 450, "4000000000013").await;
    let (_, ada) = customer(&app, &a.company_id).await;
    let (_, bob) = customer(&app, &a.company_id).await;
    let (_, eve) = customer(&app, &b.company_id).await;
    let placed = order(&app, &ada, &a.shop_id, &tea, 1, "Ada").await;
    let path = format!("/api/orders/{}", placed["_id"].as_str().unwrap());
    let (status, seen) = app.get(&path, &ada).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["delivery_address"]["name"], "Ada");
    for (who, token) in [
        ("another customer", &bob),
        ("another company's customer", &eve),
        ("another company's manager", &b.manager),
    ] {
        let (status, body) = app.get(&path, token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}: {body}");
        assert_error_shape(status, &body);
    }
    let (_, others) = app.get("/api/orders/mine", &bob).await;
    assert_eq!(others, json!([]), "Bob has no orders");
    let (status, seen) = app.get(&path, &a.manager).await;
    assert_eq!(status, StatusCode::OK, "the shop's manager sees it: {seen}");
}
