//! The dashboard's rollups from real till sales: figures that match the sales, a
//! rebuild from the stored orders that gives the same figures (the month packs included),
//! levels an older store lacks filled at start-up, a replayed event that changes nothing,
//! and a live message on the open dashboard's socket for a new sale.

use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use kassa_tests::cloud::Cloud;
use kassa_tests::till::Till;
use kassa_tests::{config, fresh_prefix, start};
use mongodb::bson::{Document, doc};
use reqwest::Method;
use serde_json::Value;
use sync_server::events::EventMessage;
use sync_server::services::analytics;

/// Every rollup document of the company, in a stable order.
async fn snapshot(cloud: &Cloud) -> Vec<Document> {
    let db = cloud.db("analyticsdb").await;
    let mut all = Vec::new();
    for c in analytics::rollup::ALL {
        let mut docs: Vec<Document> = db
            .collection::<Document>(c)
            .find(doc! { "company_id": &cloud.company_id })
            .sort(doc! { "_id": 1 })
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        all.append(&mut docs);
    }
    all
}

async fn dashboard(cloud: &Cloud, today: &str) -> Value {
    let (status, d) = cloud
        .call(
            Method::GET,
            &format!("/api/analytics/dashboard?from={today}&to={today}"),
            &cloud.manager,
            None,
        )
        .await;
    assert!(status.is_success(), "{d}");
    d
}

#[tokio::test]
async fn rollups_match_the_sales_rebuild_the_same_and_a_replay_changes_nothing() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    cloud.product("MILK", 129, "4006381333931", 50).await;
    cloud.product("BREAD", 349, "4000417025005", 50).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 1").await;
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();

    let (ws, _) = tokio_tungstenite::connect_async(format!(
        "{}/api/analytics/live?access_token={}",
        server.base.replace("http://", "ws://"),
        cloud.manager
    ))
    .await
    .expect("the live socket opens for a manager");
    let (_, mut incoming) = ws.split();

    till.sell("4006381333931", 2).await;
    till.sell("4000417025005", 1).await;
    till.sell("4006381333931", 1).await;
    till.sync().await.expect("sync");
    till.wait_projected().await;

    let start = Instant::now();
    let d = loop {
        let d = dashboard(&cloud, &today).await;
        if d["totals"]["orders"] == 3 {
            break d;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "dashboard: {d}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(d["totals"]["sales_minor"], 3 * 129 + 349);
    assert_eq!(d["top_products"][0]["sku"], "MILK");
    assert_eq!(d["top_products"][0]["qty_milli"], 3000);
    assert_eq!(d["tenders"][0]["kind"], "cash");
    assert_eq!(
        d["tenders"][0]["amount_minor"],
        3 * 129 + 349,
        "change is not takings"
    );

    let msg = tokio::time::timeout(Duration::from_secs(10), incoming.next())
        .await
        .expect("a live message within 10 s")
        .expect("socket open")
        .expect("a frame");
    let live: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
    assert_eq!(
        (live["type"].as_str(), live["shop_id"].as_str()),
        (Some("order"), Some(cloud.shop_id.as_str()))
    );

    let incremental = snapshot(&cloud).await;
    let state = sync_server::build_state(config(&prefix)).await.unwrap();
    let (sales, refunds) = analytics::rebuild::company(&state, &cloud.company_id)
        .await
        .unwrap();
    assert_eq!((sales, refunds), (3, 0));
    assert_eq!(
        snapshot(&cloud).await,
        incremental,
        "the rebuild gives the same rollups"
    );

    // The month day packs hold the same day totals as the `days` rollup (what the
    // dashboard's plan reads instead of every day of the range).
    let adb = cloud.db("analyticsdb").await;
    let packed: Vec<Document> = adb
        .collection::<Document>(analytics::rollup::MONTH_DAYS)
        .find(doc! { "company_id": &cloud.company_id })
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let unpacked: Vec<Document> = packed.iter().flat_map(analytics::packs::days_in).collect();
    let orders: i64 = unpacked.iter().map(|d| d.get_i64("orders").unwrap()).sum();
    let sales: i64 = unpacked
        .iter()
        .map(|d| d.get_i64("sales_minor").unwrap())
        .sum();
    assert_eq!((orders, sales), (3, 3 * 129 + 349), "{packed:?}");
    assert_eq!(packed.len(), 1, "one pack per shop and month: {packed:?}");

    // A store counted before the month day packs existed (every other level there): the
    // server fills them from the orders when it starts.
    adb.collection::<Document>(analytics::rollup::MONTH_DAYS)
        .drop()
        .await
        .unwrap();
    assert_ne!(snapshot(&cloud).await, incremental);
    analytics::prepare(&state).await.unwrap();
    assert_eq!(
        snapshot(&cloud).await,
        incremental,
        "start-up fills the month day packs an older store lacks"
    );

    // A store counted before the day totals and month levels existed: the server fills
    // them from the orders when it starts, so a year does not read as nothing.
    for c in analytics::rollup::ALL {
        if c == analytics::rollup::DAYS || analytics::rollup::is_monthly(c) {
            adb.collection::<Document>(c).drop().await.unwrap();
        }
    }
    assert_ne!(snapshot(&cloud).await, incremental);
    analytics::prepare(&state).await.unwrap();
    assert_eq!(
        snapshot(&cloud).await,
        incremental,
        "start-up fills the levels an older store lacks"
    );

    // A redelivered order.completed (the relay can publish twice) counts once.
    let audit: Document = cloud
        .db("auditdb")
        .await
        .collection::<Document>("records")
        .find_one(doc! { "routing_key": "order.completed" })
        .await
        .unwrap()
        .expect("the sale's event was audited");
    let event = EventMessage {
        id: audit.get_str("_id").unwrap().to_owned(),
        routing_key: "order.completed".into(),
        company_id: Some(cloud.company_id.clone()),
        actor: None,
        occurred_at: audit.get_str("occurred_at").unwrap().to_owned(),
        payload: serde_json::from_str(audit.get_str("payload").unwrap()).unwrap(),
    };
    analytics::apply(&state, event).await.unwrap();
    assert_eq!(
        snapshot(&cloud).await,
        incremental,
        "a replay changes nothing"
    );

    let (status, csv) = {
        let r = cloud
            .http
            .get(format!(
                "{}/api/analytics/export.csv?from={today}&to={today}&table=products",
                server.base
            ))
            .bearer_auth(&cloud.manager)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    };
    assert!(status.is_success(), "{csv}");
    assert!(
        csv.starts_with("product_id,sku,name,qty_milli,sales_minor"),
        "{csv}"
    );
    assert!(csv.contains("MILK"), "{csv}");
    let (status, bad) = cloud
        .call(
            Method::GET,
            "/api/analytics/dashboard?from=2026-13-01&to=2026-12-01",
            &cloud.manager,
            None,
        )
        .await;
    assert_eq!(
        (status.as_u16(), bad["code"].as_str()),
        (422, Some("invalid_field")),
        "{bad}"
    );
    server.shut_down().await;
}
