//! A small fake of PayPal's documented REST API, for tests only (no PayPal emulator exists
//! on the reachable registries): OAuth client credentials, Orders v2 create and capture
//! (refused until the customer approved, which the test does through `/fake/...`),
//! refunds of a capture, and verify-webhook-signature (a delivery is genuine when its
//! `PAYPAL-TRANSMISSION-SIG` is [`VALID_SIGNATURE`] and it names [`WEBHOOK_ID`]).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::post,
};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "fake-client";
pub const CLIENT_SECRET: &str = "fake-secret";
pub const WEBHOOK_ID: &str = "WH-FAKE-1";
pub const VALID_SIGNATURE: &str = "fake-valid-signature";
const TOKEN: &str = "fake-access-token";

#[derive(Default)]
struct Books {
    orders: HashMap<String, Value>,
    /// Answers by `PayPal-Request-Id`: PayPal replays them.
    answers: HashMap<String, (StatusCode, Value)>,
    captures: HashMap<String, String>,
}

type Shared = Arc<Mutex<Books>>;

pub struct PayPalFake {
    pub base: String,
    http: reqwest::Client,
    stop: tokio_util::sync::CancellationToken,
}

impl Drop for PayPalFake {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl PayPalFake {
    pub async fn start() -> PayPalFake {
        let books = Shared::default();
        let app = Router::new()
            .route("/v1/oauth2/token", post(token))
            .route("/v2/checkout/orders", post(create_order))
            .route("/v2/checkout/orders/{id}/capture", post(capture_order))
            .route("/v2/payments/captures/{id}/refund", post(refund_capture))
            .route("/v1/notifications/verify-webhook-signature", post(verify))
            .route("/fake/orders/{id}/approve", post(approve))
            .with_state(books);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let stop = tokio_util::sync::CancellationToken::new();
        let done = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { done.cancelled().await })
                .await;
        });
        PayPalFake {
            base,
            http: reqwest::Client::new(),
            stop,
        }
    }

    /// The customer approves order `id` on PayPal's page.
    pub async fn approve(&self, id: &str) {
        let resp = self
            .http
            .post(format!("{}/fake/orders/{id}/approve", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "the fake knows order {id}");
    }
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

fn error(status: StatusCode, name: &str, issue: &str) -> (StatusCode, Json<Value>) {
    let body = json!({ "name": name, "message": issue,
        "details": [{ "issue": issue, "description": format!("{issue} (fake)") }] });
    (status, Json(body))
}

async fn token(headers: HeaderMap) -> (StatusCode, Json<Value>) {
    use base64::Engine;
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Basic {expected}"))
    {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "CLIENT_AUTHENTICATION_FAILED",
        );
    }
    (
        StatusCode::OK,
        Json(json!({ "access_token": TOKEN, "token_type": "Bearer", "expires_in": 32400 })),
    )
}

/// Replays the answer stored under the request's `PayPal-Request-Id`, or runs `make`.
fn once(
    books: &Shared,
    headers: &HeaderMap,
    make: impl FnOnce(&mut Books) -> (StatusCode, Value),
) -> (StatusCode, Json<Value>) {
    let key = headers
        .get("paypal-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut b = books.lock().unwrap();
    if let Some((s, v)) = key.as_ref().and_then(|k| b.answers.get(k)) {
        return (*s, Json(v.clone()));
    }
    let (status, body) = make(&mut b);
    if let Some(k) = key {
        b.answers.insert(k, (status, body.clone()));
    }
    (status, Json(body))
}

async fn create_order(
    State(books): State<Shared>,
    headers: HeaderMap,
    Json(req): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_FAILURE",
            "INVALID_TOKEN",
        );
    }
    once(&books, &headers, |b| {
        let id = format!("FAKE{}", &uuid::Uuid::now_v7().simple().to_string()[16..]).to_uppercase();
        let order = json!({ "id": id, "status": "CREATED", "purchase_units": req["purchase_units"],
            "links": [{ "rel": "approve", "method": "GET", "href": format!("https://paypal.fake/checkoutnow?token={id}") }] });
        b.orders.insert(id, order.clone());
        (StatusCode::CREATED, order)
    })
}

async fn approve(State(books): State<Shared>, Path(id): Path<String>) -> StatusCode {
    match books.lock().unwrap().orders.get_mut(&id) {
        Some(order) => {
            order["status"] = json!("APPROVED");
            StatusCode::OK
        }
        None => StatusCode::NOT_FOUND,
    }
}

async fn capture_order(
    State(books): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_FAILURE",
            "INVALID_TOKEN",
        );
    }
    once(&books, &headers, |b| {
        let Some(order) = b.orders.get(&id).cloned() else {
            return (
                StatusCode::NOT_FOUND,
                json!({ "name": "RESOURCE_NOT_FOUND" }),
            );
        };
        if order["status"] != "APPROVED" {
            let (s, Json(v)) = error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "UNPROCESSABLE_ENTITY",
                "ORDER_NOT_APPROVED",
            );
            return (s, v);
        }
        let unit = &order["purchase_units"][0];
        let capture_id =
            format!("CAP{}", &uuid::Uuid::now_v7().simple().to_string()[16..]).to_uppercase();
        let capture = json!({ "id": capture_id, "status": "COMPLETED", "amount": unit["amount"],
            "custom_id": unit["custom_id"] });
        let done = json!({ "id": id, "status": "COMPLETED", "purchase_units": [{
            "reference_id": unit["reference_id"], "payments": { "captures": [capture] } }] });
        b.orders.insert(id.clone(), done.clone());
        b.captures.insert(capture_id, id.clone());
        (StatusCode::CREATED, done)
    })
}

async fn refund_capture(
    State(books): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(req): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_FAILURE",
            "INVALID_TOKEN",
        );
    }
    once(&books, &headers, |b| {
        if !b.captures.contains_key(&id) {
            return (
                StatusCode::NOT_FOUND,
                json!({ "name": "RESOURCE_NOT_FOUND" }),
            );
        }
        let refund =
            format!("REF{}", &uuid::Uuid::now_v7().simple().to_string()[16..]).to_uppercase();
        (
            StatusCode::CREATED,
            json!({ "id": refund, "status": "COMPLETED", "amount": req["amount"] }),
        )
    })
}

async fn verify(headers: HeaderMap, Json(req): Json<Value>) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_FAILURE",
            "INVALID_TOKEN",
        );
    }
    let genuine = req["transmission_sig"] == VALID_SIGNATURE && req["webhook_id"] == WEBHOOK_ID;
    let status = if genuine { "SUCCESS" } else { "FAILURE" };
    (
        StatusCode::OK,
        Json(json!({ "verification_status": status })),
    )
}
