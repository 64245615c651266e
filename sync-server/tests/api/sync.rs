//! Upstream push at the protocol level: hand-built, correctly chained journals (as a
//! terminal writes them) pushed, replayed, tampered with and pushed out of order.
//! End-to-end sync with real terminals lives in the `tests` crate.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Tenant, TestApp, assert_error_shape, spawn_app};
use crate::journal::{Journal, projected, push};

async fn balance(app: &TestApp, t: &Tenant, product: &str) -> i64 {
    let (status, list) = app
        .get(
            &format!("/api/inventory/balances?shop_id={}&limit=200", t.shop_id),
            &t.manager,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .find(|b| b["product_id"] == product)
        .map_or(0, |b| b["on_hand_milli"].as_i64().unwrap())
}

async fn orders(app: &TestApp, t: &Tenant) -> Vec<Value> {
    let (status, list) = app
        .get(
            &format!("/api/sales/orders?shop_id={}&limit=200", t.shop_id),
            &t.manager,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

#[tokio::test]
async fn batches_apply_once_and_replays_and_gaps_change_nothing() {
    let app = spawn_app().await;
    let t = app.tenant("Push Co").await;
    let (terminal, device) = app.terminal(&t, "Till 1").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let mut j = Journal::new(&terminal);
    for _ in 0..3 {
        j.sale(&milk, 2, 129);
    }
    j.append("shift_opened", json!({ "id": "s1" }));

    let (status, ack) = push(&app, &device, j.batch(1, 4)).await;
    assert_eq!(status, StatusCode::OK, "{ack}");
    assert_eq!(ack["status"], "ack");
    assert_eq!(ack["acked_through"], 4);
    assert_eq!(ack["applied"], 4);
    projected(&app, &device, 4).await;
    assert_eq!(orders(&app, &t).await.len(), 3);
    assert_eq!(
        balance(&app, &t, &milk).await,
        -6000,
        "3 sales of 2 from zero stock"
    );
    let order = &orders(&app, &t).await[0];
    assert_eq!(order["channel"], "pos");
    assert_eq!(order["status"], "completed");

    // The same batch again (a retry after a lost ack): all duplicates, nothing doubles.
    let (_, again) = push(&app, &device, j.batch(1, 4)).await;
    assert_eq!(again["status"], "ack", "{again}");
    assert_eq!(again["duplicates"], 4);
    assert_eq!(again["applied"], 0);
    assert_eq!(orders(&app, &t).await.len(), 3);
    assert_eq!(balance(&app, &t, &milk).await, -6000);

    // A batch after a hole is refused with the sequence the server expects.
    j.sale(&milk, 1, 129);
    j.sale(&milk, 1, 129);
    let (_, gap) = push(&app, &device, j.batch(6, 6)).await;
    assert_eq!(gap["status"], "gap", "{gap}");
    assert_eq!(gap["expected_seq"], 5);
    assert_eq!(
        orders(&app, &t).await.len(),
        3,
        "nothing of a gapped batch applies"
    );

    // An overlapping batch: the known prefix is skipped, the rest applied.
    let (_, overlap) = push(&app, &device, j.batch(3, 6)).await;
    assert_eq!(overlap["acked_through"], 6, "{overlap}");
    assert_eq!(overlap["duplicates"], 2);
    assert_eq!(overlap["applied"], 2);
    projected(&app, &device, 6).await;
    assert_eq!(orders(&app, &t).await.len(), 5);
    assert_eq!(balance(&app, &t, &milk).await, -8000);

    let (_, state) = app
        .sync_call(Method::GET, "/api/sync/state", &device, None)
        .await;
    assert_eq!(state["acked_through"], 6);

    // The stock stream carries the balance to the shop's terminals, and tells the asking
    // terminal that it includes its journal through seq 6.
    let (_, stock) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/stock?after=0&epoch=1",
            &device,
            None,
        )
        .await;
    let last = stock["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["id"], milk.as_str());
    assert_eq!(last["data"]["on_hand_milli"], -8000);
    assert_eq!(stock["included_through"], 6, "{stock}");
    let (_, catalog) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/catalog?after=0&epoch=1",
            &device,
            None,
        )
        .await;
    assert!(
        catalog.get("included_through").is_none(),
        "only stock pages speak of the journal: {catalog}"
    );
}

#[tokio::test]
async fn a_tampered_record_is_quarantined_without_blocking_the_rest() {
    let app = spawn_app().await;
    let t = app.tenant("Tamper Co").await;
    let (terminal, device) = app.terminal(&t, "Till 1").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let mut j = Journal::new(&terminal);
    j.sale(&milk, 1, 129);
    j.sale(&milk, 1, 129);
    j.sale(&milk, 1, 129);
    // Someone edits the second sale's payload after the fact.
    j.records[1].payload = j.records[1]
        .payload
        .replace("\"qty_milli\":1000", "\"qty_milli\":1");
    let (status, ack) = push(&app, &device, j.batch(1, 3)).await;
    assert_eq!(status, StatusCode::OK, "{ack}");
    assert_eq!(ack["acked_through"], 3, "the queue moves on");
    assert_eq!(ack["quarantined"], 1);
    assert_eq!(ack["applied"], 2);
    projected(&app, &device, 3).await;
    assert_eq!(orders(&app, &t).await.len(), 2);
    assert_eq!(balance(&app, &t, &milk).await, -2000);
}

#[tokio::test]
async fn a_record_that_cannot_be_built_is_quarantined_and_the_sales_after_it_follow() {
    let app = spawn_app().await;
    let t = app.tenant("Stuck Co").await;
    let (terminal, device) = app.terminal(&t, "Till 1").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let mut j = Journal::new(&terminal);
    j.sale(&milk, 1, 129);
    let (status, ack) = push(&app, &device, j.batch(1, 1)).await;
    assert_eq!(status, StatusCode::OK, "{ack}");
    projected(&app, &device, 1).await;
    // A faulty till journals the same sale a second time (same sale id, a new record),
    // then sells on. The order cannot be stored twice, so that record never builds.
    let again: Value = serde_json::from_str(&j.records[0].payload).unwrap();
    j.append("sale_completed", again);
    let next = j.sale(&milk, 2, 129);
    let (status, ack) = push(&app, &device, j.batch(2, 3)).await;
    assert_eq!(status, StatusCode::OK, "{ack}");
    assert_eq!(
        ack["acked_through"], 3,
        "stored: the ack does not wait for the build"
    );
    projected(&app, &device, 3).await;
    let ids: Vec<Value> = orders(&app, &t)
        .await
        .iter()
        .map(|o| o["id"].clone())
        .collect();
    assert_eq!(
        ids.len(),
        2,
        "the first sale once, and the sale after: {ids:?}"
    );
    assert!(ids.contains(&Value::String(next)), "{ids:?}");
    assert_eq!(
        balance(&app, &t, &milk).await,
        -3000,
        "1 + 2 sold, the copy not counted"
    );
    let (status, list) = app
        .get(
            &format!("/api/inventory/exceptions?shop_id={}", t.shop_id),
            &t.manager,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let set_aside: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "quarantined")
        .collect();
    assert_eq!(
        set_aside.len(),
        1,
        "managers see the record set aside: {list}"
    );
    assert_eq!(set_aside[0]["event_id"], j.records[1].id.as_str());
    assert!(
        set_aside[0]["detail"]
            .as_str()
            .unwrap()
            .contains("could not be built"),
        "{list}"
    );
}

#[tokio::test]
async fn oversold_and_price_variance_are_recorded_for_managers() {
    let app = spawn_app().await;
    let t = app.tenant("Except Co").await;
    let (terminal, device) = app.terminal(&t, "Till 1").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let mut j = Journal::new(&terminal);
    j.append(
        "stock_adjusted",
        json!({ "product_id": milk, "sku": "MILK", "delta_milli": 1000, "reason": "count", "staff_id": "m1" }),
    );
    j.sale(&milk, 1, 129);
    j.sale(&milk, 1, 99);
    let (_, ack) = push(&app, &device, j.batch(1, 3)).await;
    assert_eq!(ack["status"], "ack", "{ack}");
    projected(&app, &device, 3).await;
    assert_eq!(balance(&app, &t, &milk).await, -1000);
    let (status, listed) = app
        .get(
            &format!("/api/inventory/exceptions?shop_id={}", t.shop_id),
            &t.manager,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "oversold").count(),
        1,
        "{listed}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "price_variance").count(),
        1,
        "{listed}"
    );
    assert_eq!(kinds.len(), 2, "{listed}");
}

#[tokio::test]
async fn sync_refuses_bad_callers_and_bad_batches_clearly() {
    let app = spawn_app().await;
    let t = app.tenant("Guard Co").await;
    let (terminal, device) = app.terminal(&t, "Till 1").await;
    let (other_terminal, _) = app.terminal(&t, "Till 2").await;
    let mut j = Journal::new(&terminal);
    j.append("shift_opened", json!({}));
    j.append("shift_opened", json!({}));

    // No protocol header.
    let (status, err) = app
        .call(Method::GET, "/api/sync/state", Some(&device), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["code"], "unsupported_protocol", "{err}");
    // Version 1 is refused; version 2 terminals are still served.
    for (version, expected) in [("1", StatusCode::BAD_REQUEST), ("2", StatusCode::OK)] {
        let resp = app
            .http
            .get(format!("{}/api/sync/state", app.base))
            .header("x-kassa-protocol", version)
            .bearer_auth(&device)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), expected, "protocol {version}");
    }
    // A person's token is not a terminal.
    let (status, err) = app
        .sync_call(Method::GET, "/api/sync/state", &t.manager, None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    // Another terminal's journal.
    let mut body = j.batch(1, 2);
    body["terminal_id"] = json!(other_terminal);
    let (status, err) = push(&app, &device, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    // Not contiguous.
    let mut body = j.batch(1, 2);
    body["records"][1]["seq"] = json!(5);
    let (status, err) = push(&app, &device, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_error_shape(status, &err);
    // Empty.
    let (status, _) = push(
        &app,
        &device,
        json!({ "terminal_id": terminal, "epoch": 1, "records": [] }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Unknown stream.
    let (status, err) = app
        .sync_call(Method::GET, "/api/sync/streams/weather", &device, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    // A revoked terminal is turned away on its next request.
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/shops/{}/terminals/{terminal}", t.shop_id),
            Some(&t.manager),
            None,
        )
        .await;
    assert!(status.is_success(), "revoked: {status}");
    let (status, err) = push(&app, &device, j.batch(1, 2)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");
    assert_eq!(err["code"], "terminal_revoked");
}

#[tokio::test]
async fn a_retried_stock_adjustment_applies_once_and_reaches_the_stock_stream() {
    let app = spawn_app().await;
    let t = app.tenant("Stock Co").await;
    let (_, device) = app.terminal(&t, "Till 1").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let body = json!({ "shop_id": t.shop_id, "product_id": milk, "delta_milli": 12_000,
                       "reason": "delivery", "idempotency_key": "delivery-42" });
    for _ in 0..2 {
        let (status, b) = app
            .post("/api/inventory/adjustments", Some(&t.manager), body.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{b}");
        assert_eq!(b["on_hand_milli"], 12_000, "the retry does not double it");
    }
    assert_eq!(balance(&app, &t, &milk).await, 12_000);
    let (_, stock) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/stock?after=0",
            &device,
            None,
        )
        .await;
    assert_eq!(stock["head"], 1, "{stock}");
    assert_eq!(stock["changes"][0]["data"]["on_hand_milli"], 12_000);
    let (cashier_id, cashier) = app.cashier(&t, "1234").await;
    assert!(!cashier_id.is_empty());
    let (status, _) = app
        .post("/api/inventory/adjustments", Some(&cashier), body)
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "cashiers do not adjust stock"
    );
}
