//! Payments taken in the portal: they lower what the customer owes through the same ledger
//! as a till's, reach the tills on the customers stream, apply once per client key, and are
//! refused clearly when wrong.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Tenant, TestApp, assert_error_shape, spawn_app};
use crate::journal::{Journal, SOLD_AT_MS, SaleSpec};

/// A customer who bought 12.00 on account at the shop's till; returns (customer id, till token).
async fn owing_customer(app: &TestApp, t: &Tenant) -> (String, String) {
    let (status, c) = app
        .post(
            "/api/customers",
            Some(&t.manager),
            json!({ "name": "Café Nord", "credit_limit_minor": 5000 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let customer = c["customer_id"].as_str().unwrap().to_owned();
    let tea = app.product(t, "TEA", 1200, "4006381333931").await;
    let (terminal, device) = app.terminal(t, "Till").await;
    let mut j = Journal::new(&terminal);
    j.sale_of(&SaleSpec {
        product: &tea,
        qty: 1,
        price: 1200,
        staff: "c1",
        at_ms: SOLD_AT_MS,
        on_account: Some(&customer),
    });
    j.sync(app, &device).await;
    let (_, account) = app
        .get(&format!("/api/customers/{customer}"), &t.manager)
        .await;
    assert_eq!(account["customer"]["balance_minor"], 1200, "{account}");
    (customer, device)
}

fn payment(t: &Tenant, amount_minor: i64, key: &str) -> Value {
    json!({ "amount_minor": amount_minor, "shop_id": t.shop_id, "idempotency_key": key })
}

#[tokio::test]
async fn a_payment_lowers_the_balance_once_and_reaches_the_tills() {
    let app = spawn_app().await;
    let t = app.tenant("Pay Co").await;
    let (customer, till) = owing_customer(&app, &t).await;
    let path = format!("/api/customers/{customer}/payments");

    let (status, paid) = app
        .post(&path, Some(&t.manager), payment(&t, 500, "k-1"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{paid}");
    assert_eq!(
        paid["customer"]["balance_minor"], 700,
        "12.00 owed, 5.00 paid: {paid}"
    );
    assert_eq!(paid["amount_minor"], 500);

    let (status, again) = app
        .post(&path, Some(&t.manager), payment(&t, 500, "k-1"))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a retry is answered, not applied again: {again}"
    );
    assert_eq!(again["payment_id"], paid["payment_id"]);
    assert_eq!(again["customer"]["balance_minor"], 700, "paid once");

    let (status, body) = app
        .post(&path, Some(&t.manager), payment(&t, 900, "k-1"))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the key was used for another amount: {body}"
    );
    assert_eq!(body["code"], "idempotency_key_reused");

    let (_, account) = app
        .get(&format!("/api/customers/{customer}"), &t.manager)
        .await;
    let entries = account["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "the sale and one payment: {account}");
    assert_eq!(
        (
            entries[0]["kind"].as_str(),
            entries[0]["amount_minor"].as_i64()
        ),
        (Some("payment"), Some(-500))
    );
    assert_eq!(entries[0]["shop_id"], t.shop_id.as_str());

    // Every till of the company hears the new balance.
    let (status, page) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/customers?after=0",
            &till,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let last = page["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["id"].as_str(), last["data"]["balance_minor"].as_i64()),
        (Some(customer.as_str()), Some(700))
    );
}

#[tokio::test]
async fn bad_payments_and_other_tenants_are_refused() {
    let app = spawn_app().await;
    let t = app.tenant("Strict Pay Co").await;
    let (customer, _) = owing_customer(&app, &t).await;
    let path = format!("/api/customers/{customer}/payments");

    for (body, field) in [
        (payment(&t, 0, "k-0"), "amount_minor"),
        (payment(&t, -5, "k-neg"), "amount_minor"),
        (payment(&t, 1_000_000_000_001, "k-big"), "amount_minor"),
        (payment(&t, 5, " "), "idempotency_key"),
    ] {
        let (status, answer) = app.post(&path, Some(&t.manager), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_error_shape(status, &answer);
        assert!(
            answer["message"].as_str().unwrap().contains(field),
            "names {field}: {answer}"
        );
    }

    let other = app.tenant("Other Pay Co").await;
    let (status, _) = app
        .post(&path, Some(&other.manager), payment(&other, 100, "x"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another company's customer");
    let (status, _) = app
        .post(&path, Some(&t.manager), payment(&other, 100, "y"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another company's shop");
    let (_, cashier) = app.cashier(&t, "2468").await;
    let (status, _) = app.post(&path, Some(&cashier), payment(&t, 100, "z")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "cashiers take payments at the till"
    );

    let (_, account) = app
        .get(&format!("/api/customers/{customer}"), &t.manager)
        .await;
    assert_eq!(
        account["customer"]["balance_minor"], 1200,
        "nothing refused was recorded"
    );
}
