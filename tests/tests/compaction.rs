//! Compacted change logs: once superseded changes are deleted, a new terminal receives
//! each product once however often it changed, a terminal that was away reads only the
//! newest state of what changed, and both end where the server is.

use kassa_tests::cloud::Cloud;
use kassa_tests::till::Till;
use kassa_tests::{config, fresh_prefix, start};

/// A valid EAN-13 in the 200 in-store range for product `n`.
fn ean(n: u32) -> String {
    let body = format!("200{n:09}");
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

#[tokio::test]
async fn terminals_far_behind_read_the_compacted_log_as_a_snapshot() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let mut products = Vec::new();
    for n in 0..20 {
        let id = cloud.product(&format!("P{n:02}"), 100, &ean(n), 50).await;
        products.push(id);
    }
    let away = Till::enroll(&server.base, &cloud.enrollment_code().await, "Away").await;
    away.sell(&ean(0), 2).await;
    away.sync().await.expect("sync");
    away.wait_projected().await;

    // A busy month while the till is away: one product repriced 60 times, another 30.
    for price in 1..=60 {
        cloud.set_price(&products[0], 100 + price).await;
    }
    for price in 1..=30 {
        cloud.set_price(&products[1], 200 + price).await;
    }
    // Two rounds: the first records each stream's head, the second deletes below it.
    cloud.compact().await;
    let deleted = cloud.compact().await;
    assert!(
        deleted >= 59 + 29,
        "every superseded price change is gone, and more: {deleted}"
    );
    assert_eq!(cloud.compact().await, 0, "nothing left to compact");

    // A new till gets the catalog as it is now: each product once.
    let dir = tempfile::tempdir().unwrap();
    let db = pos_core::LocalDb::open(&dir.path().join("t.db"))
        .await
        .unwrap();
    let code = cloud.enrollment_code().await;
    let enrolled = pos_core::sync::enroll(&db, &server.base, &code, "New")
        .await
        .expect("enroll");
    let pull = enrolled.initial_pull.expect("initial pull");
    assert_eq!(
        pull.catalog.rows, 20,
        "each product once, not its 90 changes"
    );
    assert_eq!(pull.catalog.cursor, pull.catalog.head);
    let p0 = pos_core::catalog::by_barcode(&db, &ean(0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p0.price_minor, 160, "the newest price");

    // The till that was away reads only the newest state of the two repriced products.
    let report = away.sync().await.expect("sync");
    assert_eq!(report.pull.catalog.rows, 2, "{:?}", report.pull.catalog);
    assert_eq!(away.sell(&ean(0), 1).await.lines[0].unit_price_minor, 160);
    assert_eq!(away.sell(&ean(1), 1).await.lines[0].unit_price_minor, 230);
    away.sync().await.expect("sync");
    away.wait_projected().await;
    away.sync().await.expect("sync");
    let (balance, sum) = cloud.ledger(&products[0]).await;
    assert_eq!((balance, sum), (47_000, 47_000), "50 less the 2 + 1 sold");
    assert_eq!(away.stock("P00").await, balance);
}
