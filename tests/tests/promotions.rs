//! Company promotions end to end: a manager sets up "3 for 2" for the shop on the server,
//! the shop's till applies it once synced (the order on the server carries the discounted
//! total), and stops applying it once the manager ends it.

use kassa_tests::cloud::Cloud;
use kassa_tests::till::Till;
use kassa_tests::{config, fresh_prefix, start};
use reqwest::{Method, StatusCode};
use serde_json::json;

const MILK: &str = "4006381333931";

#[tokio::test]
async fn a_promotion_set_on_the_server_runs_at_the_till_until_ended() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 100).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till").await;
    assert_eq!(
        till.sell(MILK, 3).await.total_minor,
        387,
        "no promotion yet"
    );

    let (status, promo) = cloud
        .call(
            Method::POST,
            "/api/catalog/promotions",
            &cloud.manager,
            Some(json!({
                "name": "Milk 3 for 2",
                "terms": { "type": "multi_buy", "product_id": milk, "buy": 3, "pay": 2 },
                "shop_ids": [cloud.shop_id],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{promo}");
    // Not synced yet: the till sells at full price, offline as ever.
    assert_eq!(till.sell(MILK, 3).await.total_minor, 387);

    till.sync().await.expect("sync");
    let promoted = till.sell(MILK, 3).await;
    assert_eq!(promoted.total_minor, 258, "one of three is free");
    till.sync().await.expect("sync");
    till.wait_projected().await;
    let order = cloud.order(&promoted.id).await;
    assert_eq!(order["total_minor"], 258, "{order}");
    assert!(
        cloud.exceptions_of("price_variance").await.is_empty(),
        "a promotion is a discount, not a wrong price"
    );

    let (status, body) = cloud
        .call(
            Method::DELETE,
            &format!("/api/catalog/promotions/{}", promo["id"].as_str().unwrap()),
            &cloud.manager,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    till.sync().await.expect("sync");
    assert_eq!(till.sell(MILK, 3).await.total_minor, 387, "ended");
}
