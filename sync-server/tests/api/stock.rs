//! Stock as a manager reads it: balances and low-stock lists named by SKU and product name
//! and searched on the server, and a product's movement history with the balance after
//! each movement.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Tenant, TestApp, spawn_app};
use crate::journal::Journal;

async fn adjust(app: &TestApp, t: &Tenant, product: &str, delta_milli: i64, reason: &str) {
    let body = json!({ "shop_id": t.shop_id, "product_id": product, "delta_milli": delta_milli,
        "reason": reason, "idempotency_key": uuid::Uuid::now_v7().to_string() });
    let (status, b) = app
        .post("/api/inventory/adjustments", Some(&t.manager), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
}

async fn listed(app: &TestApp, t: &Tenant, path: &str) -> Vec<Value> {
    let (status, body) = app.get(path, &t.manager).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body.as_array().unwrap().clone()
}

fn skus(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["sku"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn balances_and_low_stock_carry_names_and_are_searched_on_the_server() {
    let app = spawn_app().await;
    let t = app.tenant("Stock Co").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let tea = app.product(&t, "TEA", 250, "4006381333948").await;
    let oat = app.product(&t, "OAT", 199, "4006381333955").await;
    adjust(&app, &t, &milk, 5000, "delivery").await;
    adjust(&app, &t, &tea, 2000, "delivery").await;

    let all = listed(
        &app,
        &t,
        &format!("/api/inventory/balances?shop_id={}", t.shop_id),
    )
    .await;
    assert_eq!(all.len(), 2, "products whose stock moved: {all:?}");
    let milk_row = all
        .iter()
        .find(|r| r["product_id"] == milk.as_str())
        .unwrap();
    assert_eq!(
        (milk_row["sku"].as_str(), milk_row["name"].as_str()),
        (Some("MILK"), Some("Product MILK"))
    );
    assert_eq!(milk_row["on_hand_milli"], 5000);

    let base = format!("/api/inventory/balances?shop_id={}&q=", t.shop_id);
    assert_eq!(
        skus(&listed(&app, &t, &format!("{base}product%20m")).await),
        ["MILK"],
        "name prefix, any case"
    );
    assert_eq!(
        skus(&listed(&app, &t, &format!("{base}TE")).await),
        ["TEA"],
        "SKU prefix"
    );
    assert_eq!(
        skus(&listed(&app, &t, &format!("{base}4006381333931")).await),
        ["MILK"],
        "barcode"
    );
    let found = listed(&app, &t, &format!("{base}OAT")).await;
    assert_eq!(
        found.len(),
        1,
        "a product never stocked here is found with none: {found:?}"
    );
    assert_eq!(
        (
            found[0]["product_id"].as_str(),
            found[0]["on_hand_milli"].as_i64()
        ),
        (Some(oat.as_str()), Some(0))
    );
    assert!(found[0]["updated_at"].is_null(), "{found:?}");
    let paged = listed(&app, &t, &format!("{base}product&limit=2&offset=1")).await;
    assert_eq!(skus(&paged), ["OAT", "TEA"], "a search pages by SKU");

    for (product, level) in [(&milk, 5000), (&tea, 3000), (&oat, 0)] {
        let (status, body) = app
            .call(
                Method::PUT,
                "/api/inventory/reorder-levels",
                Some(&t.manager),
                Some(json!({ "shop_id": t.shop_id, "product_id": product, "level_milli": level })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body["sku"].as_str().is_some_and(|s| !s.is_empty()),
            "named: {body}"
        );
    }
    let low_path = format!("/api/inventory/low-stock?shop_id={}", t.shop_id);
    let low = listed(&app, &t, &low_path).await;
    assert_eq!(
        skus(&low),
        ["OAT", "TEA", "MILK"],
        "lowest stock first, named"
    );
    assert_eq!(low[1]["name"], "Product TEA");
    assert_eq!(
        skus(&listed(&app, &t, &format!("{low_path}&q=mi")).await),
        ["MILK"]
    );
    assert!(
        listed(&app, &t, &format!("{low_path}&q=nothing"))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_products_history_lists_each_movement_with_its_reason_source_and_balance_after() {
    let app = spawn_app().await;
    let t = app.tenant("History Co").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    adjust(&app, &t, &milk, 5000, "delivery").await;
    adjust(&app, &t, &milk, -1000, "damage").await;
    let (terminal, device) = app.terminal(&t, "Till 1").await;
    let mut j = Journal::new(&terminal);
    j.sale(&milk, 1, 129);
    j.sync(&app, &device).await;

    let path = format!(
        "/api/inventory/movements?shop_id={}&product_id={milk}",
        t.shop_id
    );
    let history = listed(&app, &t, &path).await;
    let seen: Vec<(&str, i64, i64)> = history
        .iter()
        .map(|m| {
            (
                m["reason"].as_str().unwrap(),
                m["delta_milli"].as_i64().unwrap(),
                m["balance_after_milli"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("sale", -1000, 3000),
            ("damage", -1000, 4000),
            ("delivery", 5000, 5000)
        ],
        "newest first"
    );
    assert_eq!(
        (
            history[0]["source"].as_str(),
            history[0]["terminal_id"].as_str()
        ),
        (Some("till"), Some(terminal.as_str()))
    );
    assert_eq!(history[1]["source"], "portal");
    assert!(
        history[1]["actor"].is_string(),
        "who adjusted is kept: {}",
        history[1]
    );

    let second = listed(&app, &t, &format!("{path}&limit=1&offset=1")).await;
    assert_eq!(second.len(), 1);
    assert_eq!(
        (
            second[0]["reason"].as_str(),
            second[0]["balance_after_milli"].as_i64()
        ),
        (Some("damage"), Some(4000)),
        "a later page still knows the balance"
    );

    let other = app.tenant("Elsewhere Co").await;
    let foreign = app.product(&other, "MILK", 129, "4006381333931").await;
    let (status, _) = app
        .get(
            &format!(
                "/api/inventory/movements?shop_id={}&product_id={foreign}",
                t.shop_id
            ),
            &t.manager,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another company's product");
    let (_, cashier) = app.cashier(&t, "2468").await;
    let (status, _) = app.get(&path, &cashier).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "stock history is for managers"
    );
}
