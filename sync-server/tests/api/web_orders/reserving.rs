//! Reservation: inventory holds a web order's units out of the tills' stock ledger once
//! per order, and sales follows its answer (`reserved`, or `cancelled` with the reason).

use std::time::Duration;

use mongodb::bson::{Document, doc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{customer, order};
use crate::harness::{Tenant, TestApp, spawn_app};

/// Puts `units` of `product` on the shelf of the tenant's shop.
pub async fn stock(app: &TestApp, t: &Tenant, product: &str, units: i64) {
    let body = json!({ "shop_id": t.shop_id, "product_id": product, "delta_milli": units * 1000,
        "reason": "delivery", "idempotency_key": crate::payment::key() });
    let (status, b) = app
        .post("/api/inventory/adjustments", Some(&t.manager), body)
        .await;
    assert!(status.is_success(), "stock delivered: {b}");
}

/// The order once it has left `from`, waiting for the saga's events.
pub async fn settled(app: &TestApp, token: &str, order: &Value, from: &str) -> Value {
    let path = format!("/api/orders/{}", order["_id"].as_str().unwrap());
    for _ in 0..100 {
        let (status, o) = app.get(&path, token).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        if o["status"] != from {
            return o;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("order {path} stayed {from}");
}

async fn db(app: &TestApp, name: &str) -> mongodb::Database {
    let client = mongodb::Client::with_uri_str(sync_server::testing::mongo_uri())
        .await
        .unwrap();
    client.database(&format!("{}{name}", app.prefix))
}

#[tokio::test]
async fn reserved_units_are_not_sold_twice_and_a_short_order_is_cancelled_with_the_reason() {
    let app = spawn_app().await;
    let t = app.tenant("Webshop").await;
    let tea = app.product(&t, "TEA", 450, "4000000000013").await;
    stock(&app, &t, &tea, 5).await;
    let (_, ada) = customer(&app, &t.company_id).await;
    let first = order(&app, &ada, &t.shop_id, &tea, 2, "Ada").await;
    assert_eq!(
        settled(&app, &ada, &first, "pending").await["status"],
        "reserved"
    );
    // Three of five are left for the web: four cannot be held.
    let second = order(&app, &ada, &t.shop_id, &tea, 4, "Ada").await;
    let cancelled = settled(&app, &ada, &second, "pending").await;
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert_eq!(cancelled["cancel_reason"], "out of stock: 3 available");
    let third = order(&app, &ada, &t.shop_id, &tea, 3, "Ada").await;
    assert_eq!(
        settled(&app, &ada, &third, "pending").await["status"],
        "reserved"
    );
    // The tills' stock is untouched until the orders are paid.
    let balance = db(&app, "inventorydb")
        .await
        .collection::<Document>("balances")
        .find_one(doc! { "product_id": &tea })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(balance.get_i64("on_hand_milli").unwrap(), 5000);
    assert_eq!(balance.get_i64("reserved_milli").unwrap(), 5000);
}

#[tokio::test]
async fn an_order_beyond_the_stock_is_cancelled_with_the_reason() {
    let app = spawn_app().await;
    let t = app.tenant("Webshop").await;
    let tea = app.product(&t, "TEA", 450, "4000000000013").await;
    stock(&app, &t, &tea, 5).await;
    let (_, ada) = customer(&app, &t.company_id).await;
    let big = order(&app, &ada, &t.shop_id, &tea, 10, "Ada").await;
    let cancelled = settled(&app, &ada, &big, "pending").await;
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert_eq!(cancelled["cancel_reason"], "out of stock: 5 available");
}

#[tokio::test]
async fn a_replayed_order_created_reserves_once() {
    let app = spawn_app().await;
    let t = app.tenant("Webshop").await;
    let tea = app.product(&t, "TEA", 450, "4000000000013").await;
    stock(&app, &t, &tea, 5).await;
    let (_, ada) = customer(&app, &t.company_id).await;
    let first = order(&app, &ada, &t.shop_id, &tea, 2, "Ada").await;
    assert_eq!(
        settled(&app, &ada, &first, "pending").await["status"],
        "reserved"
    );
    // A crash between the broker's confirm and the relay's mark publishes it again.
    let outbox = db(&app, "salesdb").await.collection::<Document>("outbox");
    let replayed = outbox
        .update_one(
            doc! { "routing_key": "order.created" },
            doc! { "$set": { "published": false } },
        )
        .await
        .unwrap();
    assert_eq!(replayed.modified_count, 1);
    for _ in 0..100 {
        let again = outbox
            .find_one(doc! { "routing_key": "order.created" })
            .await
            .unwrap()
            .unwrap();
        if again.get_bool("published").unwrap_or(false) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Three are still free: the replay held nothing more.
    let next = order(&app, &ada, &t.shop_id, &tea, 3, "Ada").await;
    assert_eq!(
        settled(&app, &ada, &next, "pending").await["status"],
        "reserved"
    );
    let inventory = db(&app, "inventorydb").await;
    let balance = inventory
        .collection::<Document>("balances")
        .find_one(doc! { "product_id": &tea })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(balance.get_i64("reserved_milli").unwrap(), 5000);
    let held = inventory
        .collection::<Document>("reservations")
        .count_documents(doc! {})
        .await
        .unwrap();
    assert_eq!(held, 2, "one reservation per order");
}
