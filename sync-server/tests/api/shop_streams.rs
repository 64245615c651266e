//! The shop's `config` and `staff` streams: what a till learns about its fellow terminals
//! (their receipt keys) and about the people who may log in at it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{assert_error_shape, spawn_app};

const KEY_A: &str = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
const KEY_B: &str = "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025";

/// The latest state per id on `stream`, read from the start as a new till would.
async fn stream_state(
    app: &crate::harness::TestApp,
    device: &str,
    stream: &str,
) -> std::collections::HashMap<String, Value> {
    let (status, page) = app
        .sync_call(
            Method::GET,
            &format!("/api/sync/streams/{stream}?after=0&limit=100"),
            device,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["next_after"], page["head"], "one page holds it all");
    page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["data"].clone()))
        .collect()
}

#[tokio::test]
async fn terminals_register_their_receipt_key_once_and_the_shop_sees_it() {
    let app = spawn_app().await;
    let t = app.tenant("Keys Co").await;
    let (a_id, a) = app.terminal(&t, "Till A").await;
    let (b_id, b) = app.terminal(&t, "Till B").await;
    let put = |device: String, key: &str| {
        let app = &app;
        let body = json!({ "public_key": key });
        async move {
            app.sync_call(Method::PUT, "/api/sync/receipt-key", &device, Some(body))
                .await
        }
    };

    let seen = stream_state(&app, &b, "config").await;
    assert_eq!(
        seen[&a_id]["receipt_public_key"],
        Value::Null,
        "enrolled, no key yet"
    );
    assert_eq!(seen[&a_id]["active"], true);

    let (status, body) = put(a.clone(), KEY_A).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["public_key"], KEY_A);
    let (status, _) = put(a.clone(), &KEY_A.to_uppercase()).await;
    assert_eq!(status, StatusCode::OK, "the same key again is a retry");
    let (status, body) = put(a.clone(), KEY_B).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a terminal keeps one key: {body}"
    );
    assert_eq!(body["code"], "receipt_key_registered");
    let (status, body) = put(b.clone(), "not-hex").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(status, &body);

    let seen = stream_state(&app, &b, "config").await;
    assert_eq!(
        seen[&a_id]["receipt_public_key"], KEY_A,
        "B can check A's receipts"
    );
    assert_eq!(seen[&b_id]["receipt_public_key"], Value::Null);

    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/shops/{}/terminals/{a_id}", t.shop_id),
            Some(&t.manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let seen = stream_state(&app, &b, "config").await;
    assert_eq!(seen[&a_id]["active"], false, "revocation reaches the shop");
    assert_eq!(
        seen[&a_id]["receipt_public_key"], KEY_A,
        "its old receipts stay checkable"
    );

    // Another company's terminal sees nothing of this shop.
    let other = app.tenant("Other Co").await;
    let (_, stranger) = app.terminal(&other, "Their till").await;
    let theirs = stream_state(&app, &stranger, "config").await;
    assert!(
        !theirs.contains_key(&a_id) && !theirs.contains_key(&b_id),
        "{theirs:?}"
    );
}

#[tokio::test]
async fn staff_reach_the_tills_with_their_pin_and_leave_them_when_removed() {
    let app = spawn_app().await;
    let t = app.tenant("Staff Co").await;
    let (_, till) = app.terminal(&t, "Till").await;
    let (status, cashier) = app
        .add_staff(
            &t.manager,
            &t.shop_id,
            json!({ "name": "Cy", "role": "cashier", "pin": "2468" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cashier}");
    let cy = cashier["user_id"].as_str().unwrap().to_owned();

    let seen = stream_state(&app, &till, "staff").await;
    assert_eq!(seen.len(), 2, "the manager and Cy: {seen:?}");
    assert_eq!(seen[&cy]["role"], "cashier");
    assert_eq!(seen[&cy]["active"], true);
    let first_hash = seen[&cy]["pin_hash"].as_str().unwrap().to_owned();
    assert!(first_hash.starts_with("$argon2id$"), "{first_hash}");
    assert!(!first_hash.contains("2468"), "never the PIN itself");

    // A till logs in by PIN alone: a PIN someone in the shop has is refused.
    let (status, body) = app
        .add_staff(
            &t.manager,
            &t.shop_id,
            json!({ "name": "Dee", "role": "cashier", "pin": "4321" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "the manager's PIN: {body}");
    assert_eq!(body["code"], "pin_taken");
    let pin_path = format!("/api/shops/{}/staff/{cy}/pin", t.shop_id);
    let (status, body) = app
        .call(
            Method::PUT,
            &pin_path,
            Some(&t.manager),
            Some(json!({ "pin": "4321" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = app
        .call(
            Method::PUT,
            &pin_path,
            Some(&t.manager),
            Some(json!({ "pin": "1357" })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let seen = stream_state(&app, &till, "staff").await;
    let new_hash = seen[&cy]["pin_hash"].as_str().unwrap();
    assert_ne!(new_hash, first_hash, "the new PIN reaches the till");

    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/shops/{}/staff/{cy}", t.shop_id),
            Some(&t.manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let seen = stream_state(&app, &till, "staff").await;
    assert_eq!(seen[&cy]["active"], false);
    assert_eq!(
        seen[&cy]["pin_hash"],
        Value::Null,
        "no PIN left at the till"
    );
}

#[tokio::test]
async fn a_server_started_on_older_data_puts_existing_staff_and_terminals_on_the_streams() {
    let app = crate::harness::spawn_app().await;
    let t = app.tenant("Old Co").await;
    let (till_id, till) = app.terminal(&t, "Till").await;
    let (status, _) = app
        .add_staff(
            &t.manager,
            &t.shop_id,
            json!({ "name": "Cy", "role": "cashier", "pin": "2468" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, north) = app.create_shop(&t.admin, "Old Co North").await;
    assert_eq!(status, StatusCode::CREATED, "{north}");
    let north = north["id"].as_str().unwrap().to_owned();
    let (north_till_id, north_till) = app.terminal_at(&north, &t.admin, "North till").await;
    // As if staff and terminals were created by a version without these streams.
    let client = mongodb::Client::with_uri_str(crate::harness::mongo_uri())
        .await
        .unwrap();
    let shopdb = client.database(&format!("{}shopdb", app.prefix));
    shopdb
        .collection::<mongodb::bson::Document>("stream_backfills")
        .delete_many(mongodb::bson::doc! {})
        .await
        .unwrap();
    for key in [
        format!("staff:{}", t.shop_id),
        format!("config:{}", t.shop_id),
        format!("config:{north}"),
    ] {
        shopdb
            .collection::<mongodb::bson::Document>("stream_heads")
            .delete_one(mongodb::bson::doc! { "_id": &key })
            .await
            .unwrap();
        shopdb
            .collection::<mongodb::bson::Document>("changes")
            .delete_many(mongodb::bson::doc! { "stream": &key })
            .await
            .unwrap();
    }
    assert!(stream_state(&app, &till, "staff").await.is_empty());

    // The next server on the same data fills the streams in.
    let prefix = app.prefix.clone();
    let upgraded = crate::harness::spawn_app_with(move |c| {
        c.mongodb.db_prefix = prefix.clone();
        c.amqp.prefix = prefix;
    })
    .await;
    let staff = stream_state(&upgraded, &till, "staff").await;
    assert_eq!(staff.len(), 2, "the manager and Cy: {staff:?}");
    assert!(
        staff.values().all(|s| s["pin_hash"].is_string()),
        "{staff:?}"
    );
    // Each shop's tills learn every till of the company: receipts are refundable anywhere.
    for device in [&till, &north_till] {
        let terminals = stream_state(&upgraded, device, "config").await;
        assert_eq!(terminals.len(), 2, "{terminals:?}");
        assert_eq!(terminals[&till_id]["active"], true, "{terminals:?}");
        assert_eq!(terminals[&north_till_id]["active"], true, "{terminals:?}");
    }
}
