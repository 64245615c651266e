//! Shop prices end to end: a manager sets a shop's own price, the shop's tills sell at it
//! once synced, the server checks sales against it (a till that had not synced yet is a
//! price variance), and removing it takes the tills back to the catalog price.

use kassa_tests::cloud::Cloud;
use kassa_tests::till::Till;
use kassa_tests::{config, fresh_prefix, start};
use reqwest::{Method, StatusCode};
use serde_json::json;

const MILK: &str = "4006381333931";

async fn set_shop_price(cloud: &Cloud, product: &str, price_minor: i64) {
    let (status, body) = cloud
        .call(
            Method::PUT,
            &format!("/api/shops/{}/prices/{product}", cloud.shop_id),
            &cloud.manager,
            Some(json!({ "price_minor": price_minor })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["catalog_price_minor"], 129, "{body}");
}

async fn unit_price_of_a_sale(t: &Till) -> i64 {
    t.sell(MILK, 1).await.lines[0].unit_price_minor
}

#[tokio::test]
async fn a_shop_price_reaches_the_tills_and_sales_are_checked_against_it() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 100).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till").await;
    assert_eq!(unit_price_of_a_sale(&till).await, 129);
    // The server checks a sale against the price it knows when the sale arrives.
    till.sync().await.expect("sync");
    till.wait_projected().await;

    set_shop_price(&cloud, &milk, 99).await;
    till.sync().await.expect("sync");
    assert_eq!(unit_price_of_a_sale(&till).await, 99, "the shop's price");
    till.sync().await.expect("sync");
    till.wait_projected().await;

    // Changed again while the till has not synced: its sale at 99 is a variance.
    set_shop_price(&cloud, &milk, 89).await;
    assert_eq!(unit_price_of_a_sale(&till).await, 99);
    till.sync().await.expect("sync");
    till.wait_projected().await;
    let variances = cloud.exceptions_of("price_variance").await;
    assert_eq!(
        variances.len(),
        1,
        "only the sale at the old shop price is a variance, not the sales at the catalog \
         price before the shop had its own, nor the one at 99 while it was 99: {variances:?}"
    );
    assert!(
        variances[0]["detail"]
            .as_str()
            .unwrap()
            .contains("shop's price is 89"),
        "{variances:?}"
    );
    assert_eq!(
        unit_price_of_a_sale(&till).await,
        89,
        "synced: the new price"
    );

    let (status, list) = cloud
        .call(
            Method::GET,
            &format!("/api/shops/{}/prices", cloud.shop_id),
            &cloud.manager,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["sku"], "MILK");
    assert_eq!(list[0]["price_minor"], 89);

    let (status, body) = cloud
        .call(
            Method::DELETE,
            &format!("/api/shops/{}/prices/{milk}", cloud.shop_id),
            &cloud.manager,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    till.sync().await.expect("sync");
    assert_eq!(
        unit_price_of_a_sale(&till).await,
        129,
        "back to the catalog"
    );
}
