//! What `scripts/run.sh` promises: demo data seeded, the server healthy, every demo login
//! working, and seeding again changing nothing.

use std::time::{Duration, Instant};

use kassa_tests::{config, fresh_prefix, start};
use mongodb::bson::{Document, doc};
use serde_json::{Value, json};
use sync_server::demo;

async fn post(
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> (reqwest::StatusCode, Value) {
    let mut req = http.post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("server reachable");
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn demo_seed_gives_a_healthy_server_with_working_logins() {
    let prefix = fresh_prefix();
    let state = sync_server::build_state(config(&prefix))
        .await
        .expect("state");
    let summary = demo::seed(&state).await.expect("seed");
    assert!(
        summary.contains(demo::ADMIN_EMAIL),
        "the summary tells the newcomer how to log in: {summary}"
    );
    let again = demo::seed(&state).await.expect("second seed");
    assert_eq!(summary, again, "seeding is idempotent");

    let server = start(config(&prefix)).await;
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let resp = http
            .get(format!("{}/api/health", server.base))
            .send()
            .await
            .expect("health");
        if resp.status().is_success() {
            break;
        }
        assert!(Instant::now() < deadline, "server never became healthy");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let (status, admin) = post(
        &http,
        format!("{}/api/auth/login", server.base),
        None,
        json!({ "email": demo::ADMIN_EMAIL, "password": demo::DEMO_PASSWORD }),
    )
    .await;
    assert!(status.is_success(), "demo admin logs in: {admin}");
    let admin_token = admin["access_token"].as_str().unwrap();
    let shops: Value = http
        .get(format!("{}/api/shops", server.base))
        .bearer_auth(admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        shops.as_array().map(Vec::len),
        Some(2),
        "two demo shops: {shops}"
    );
    let downtown = shops
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Downtown")
        .expect("Downtown shop");
    let shop_id = downtown["id"].as_str().unwrap();

    let (status, manager) = post(
        &http,
        format!("{}/api/auth/login", server.base),
        None,
        json!({ "email": demo::MANAGER_EMAIL, "password": demo::DEMO_PASSWORD }),
    )
    .await;
    assert!(status.is_success(), "demo manager logs in: {manager}");
    let staff: Value = http
        .get(format!("{}/api/shops/{shop_id}/staff", server.base))
        .bearer_auth(manager["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Cashiers log in by PIN at a till of the shop: enroll one.
    let manager_token = manager["access_token"].as_str().unwrap();
    let (status, code) = post(
        &http,
        format!("{}/api/shops/{shop_id}/enrollment-codes", server.base),
        Some(manager_token),
        json!({}),
    )
    .await;
    assert!(status.is_success(), "enrollment code: {code}");
    let (status, enrolled) = post(
        &http,
        format!("{}/api/terminals/enroll", server.base),
        None,
        json!({ "code": code["code"], "name": "Demo till" }),
    )
    .await;
    assert!(status.is_success(), "enrolled: {enrolled}");
    let (status, device) = post(
        &http,
        format!("{}/api/auth/device-token", server.base),
        None,
        json!({ "terminal_id": enrolled["terminal_id"], "secret": enrolled["secret"] }),
    )
    .await;
    assert!(status.is_success(), "device token: {device}");
    let till = device["access_token"].as_str().unwrap();
    for (name, pin) in demo::CASHIER_PINS {
        let cashier = staff
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} employed: {staff}"));
        let (status, body) = post(
            &http,
            format!("{}/api/auth/pin-login", server.base),
            Some(till),
            json!({ "shop_id": shop_id, "user_id": cashier["user_id"], "pin": pin }),
        )
        .await;
        assert!(status.is_success(), "{name} logs in with PIN {pin}: {body}");
    }

    let settings: Value = http
        .get(format!(
            "{}/api/companies/{}/settings",
            server.base,
            admin["user"]["company_id"].as_str().unwrap()
        ))
        .bearer_auth(admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        settings["tax_rates"].as_array().map(Vec::len),
        Some(2),
        "demo taxes configured: {settings}"
    );

    let client = mongodb::Client::with_uri_str(kassa_tests::mongo_uri())
        .await
        .unwrap();
    let products = client
        .database(&format!("{prefix}ecommercedb"))
        .collection::<Document>("products");
    assert_eq!(
        products.count_documents(doc! {}).await.unwrap(),
        demo::PRODUCTS as u64
    );
    let with_barcode = products
        .count_documents(doc! { "barcodes.0": { "$regex": "^[0-9]{13}$" } })
        .await
        .unwrap();
    assert_eq!(
        with_barcode,
        demo::PRODUCTS as u64,
        "every product has an EAN-13"
    );
    let balances = client
        .database(&format!("{prefix}inventorydb"))
        .collection::<Document>("balances");
    assert_eq!(
        balances
            .count_documents(doc! { "on_hand_milli": { "$gt": 0 } })
            .await
            .unwrap(),
        2 * demo::PRODUCTS as u64,
        "opening stock in both shops"
    );
    // Opening stock is a ledger: each balance is the sum of its movements.
    let movements = client
        .database(&format!("{prefix}inventorydb"))
        .collection::<Document>("movements");
    assert_eq!(
        movements
            .count_documents(doc! { "reason": "opening" })
            .await
            .unwrap(),
        2 * demo::PRODUCTS as u64
    );
    // Terminals receive the whole catalog through its stream.
    let head = client
        .database(&format!("{prefix}ecommercedb"))
        .collection::<Document>("stream_heads")
        .find_one(doc! { "_id": { "$regex": "^catalog:" } })
        .await
        .unwrap()
        .expect("the catalog stream exists");
    assert_eq!(head.get_i64("head").unwrap(), demo::PRODUCTS as i64);
}
