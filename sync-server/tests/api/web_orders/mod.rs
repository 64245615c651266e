//! The web order saga (issue 26 §2): storefront customers, placing orders, and what the
//! inventory, payment and sales services make of them.

mod customers;
#[allow(clippy::disallowed_methods)] // inspects what the server stored, as a test may
mod paying;
mod placing;
#[allow(clippy::disallowed_methods)] // inspects what the server stored, as a test may
mod reserving;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};

/// Registers a customer of `company`'s storefront; returns (user id, access token).
pub async fn customer(app: &TestApp, company: &str) -> (String, String) {
    let email = format!("shopper-{}@kassa.test", uuid::Uuid::now_v7().simple());
    let body =
        json!({ "company_id": company, "email": email, "password": PASSWORD, "name": "Shopper" });
    let (status, s) = app.post("/api/auth/customers/register", None, body).await;
    assert_eq!(status, StatusCode::CREATED, "customer registered: {s}");
    (
        s["user"]["id"].as_str().unwrap().to_string(),
        s["access_token"].as_str().unwrap().to_string(),
    )
}

/// A delivery address whose name is `name`.
pub fn address(name: &str) -> Value {
    json!({ "name": name, "line1": "1 Web Street", "postal_code": "10115", "city": "Berlin", "country": "de" })
}

/// POST /api/orders with `key`; returns the status and body.
pub async fn place(
    app: &TestApp,
    token: &str,
    key: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    let mut req = app
        .http
        .post(format!("{}/api/orders", app.base))
        .bearer_auth(token)
        .json(body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let resp = req.send().await.expect("server reachable");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Places an order of `quantity` × `product` at `shop`; asserts it was created.
pub async fn order(
    app: &TestApp,
    token: &str,
    shop: &str,
    product: &str,
    quantity: i64,
    name: &str,
) -> Value {
    let body = json!({ "shop_id": shop, "lines": [{ "product_id": product, "quantity": quantity }],
        "delivery_address": address(name) });
    let (status, order) = place(app, token, Some(&crate::payment::key()), &body).await;
    assert_eq!(status, StatusCode::CREATED, "order placed: {order}");
    order
}
