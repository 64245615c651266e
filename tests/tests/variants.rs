//! Product variants end to end: a manager adds sizes to a product; the till sells a size
//! by its own barcode at its own price, its stock is counted apart from the other sizes on
//! the server and at the till, and renaming the product renames the sizes at the till.

use kassa_tests::cloud::Cloud;
use kassa_tests::till::Till;
use kassa_tests::{config, fresh_prefix, start};
use reqwest::{Method, StatusCode};
use serde_json::json;

const XL_CODE: &str = "5901234123457";

#[tokio::test]
async fn a_size_sells_and_counts_on_its_own() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let shirt = cloud.product("TEE", 1500, "4006381333931", 0).await;
    let size = |name: &str, sku: &str, code: &str, price: Option<i64>| {
        let cloud = &cloud;
        let body =
            json!({ "variant_name": name, "sku": sku, "barcodes": [code], "price_minor": price });
        let path = format!("/api/catalog/products/{shirt}/variants");
        async move {
            let (status, v) = cloud
                .call(Method::POST, &path, &cloud.manager, Some(body))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{v}");
            v["id"].as_str().unwrap().to_owned()
        }
    };
    let xl = size("XL", "TEE-XL", XL_CODE, Some(1700)).await;
    let s = size("S", "TEE-S", "8712345678906", None).await;
    for (id, units) in [(&xl, 5), (&s, 5)] {
        let (status, b) = cloud
            .call(
                Method::POST,
                "/api/inventory/adjustments",
                &cloud.manager,
                Some(
                    json!({ "shop_id": cloud.shop_id, "product_id": id, "delta_milli": units * 1000,
                             "reason": "opening", "idempotency_key": format!("open-{id}") }),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{b}");
    }
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till").await;

    let sale = till.sell(XL_CODE, 2).await;
    assert_eq!(sale.total_minor, 3400, "the size's own price");
    assert_eq!(sale.lines[0].name, "Product TEE XL");
    assert_eq!(till.stock("TEE-XL").await, 3000);
    assert_eq!(till.stock("TEE-S").await, 5000, "other sizes untouched");
    till.sync().await.expect("sync");
    till.wait_projected().await;
    assert_eq!(cloud.ledger(&xl).await, (3000, 3000));
    assert_eq!(cloud.ledger(&s).await, (5000, 5000));
    assert!(cloud.exceptions_of("price_variance").await.is_empty());

    let (status, body) = cloud
        .call(
            Method::PATCH,
            &format!("/api/catalog/products/{shirt}"),
            &cloud.manager,
            Some(json!({ "name": "Tee" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    till.sync().await.expect("sync");
    let names: Vec<String> = pos_core::catalog::variants_of(&till.db, &shirt)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Tee S", "Tee XL"]);
}
