//! Product variants: each has its own SKU, barcode and price and reaches the tills as a
//! product of its own; its name, category and tax follow its product, retiring the product
//! retires them, and what belongs to the product cannot be changed on a variant.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{assert_error_shape, spawn_app};

#[tokio::test]
async fn variants_sell_on_their_own_and_follow_their_product() {
    let app = spawn_app().await;
    let t = app.tenant("Variant Co").await;
    let (_, till) = app.terminal(&t, "Till").await;
    let (status, shirt) = app
        .post(
            "/api/catalog/products",
            Some(&t.manager),
            json!({ "sku": "TEE", "name": "T-shirt", "category": "Clothing",
                    "price_minor": 1500, "tax_rate_bp": 1900 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{shirt}");
    let shirt_id = shirt["id"].as_str().unwrap().to_owned();
    let variants = format!("/api/catalog/products/{shirt_id}/variants");

    let (status, xl) = app
        .post(
            &variants,
            Some(&t.manager),
            json!({ "variant_name": "XL", "sku": "TEE-XL", "barcodes": ["5901234123457"],
                    "price_minor": 1700 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{xl}");
    assert_eq!(xl["name"], "T-shirt XL");
    assert_eq!(xl["category"], "Clothing", "inherited");
    assert_eq!(xl["variant_of"], shirt_id.as_str());
    let (status, s) = app
        .post(
            &variants,
            Some(&t.manager),
            json!({ "variant_name": "S", "sku": "TEE-S", "barcodes": ["8712345678906"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    assert_eq!(
        s["price_minor"], 1500,
        "the product's price when none is given"
    );

    let (status, listed) = app.get(&variants, &t.manager).await;
    assert_eq!(status, StatusCode::OK);
    let skus: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["TEE-S", "TEE-XL"]);

    // Renaming and re-taxing the product carries over to its variants, in one step.
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/catalog/products/{shirt_id}"),
            Some(&t.manager),
            Some(json!({ "name": "Tee", "tax_rate_bp": 700 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/catalog?after=0",
            &till,
            None,
        )
        .await;
    let latest = |id: &str| -> Value {
        page["changes"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|c| c["id"] == id)
            .map(|c| c["data"].clone())
            .unwrap()
    };
    let xl_now = latest(xl["id"].as_str().unwrap());
    assert_eq!(xl_now["name"], "Tee XL", "{page}");
    assert_eq!(xl_now["tax_rate_bp"], 700);
    assert_eq!(xl_now["price_minor"], 1700, "its own price stays");

    // A variant's own fields change on it; its product's fields do not.
    let xl_path = format!("/api/catalog/products/{}", xl["id"].as_str().unwrap());
    let (status, body) = app
        .call(
            Method::PATCH,
            &xl_path,
            Some(&t.manager),
            Some(json!({ "category": "Shoes" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(status, &body);
    let (status, body) = app
        .call(
            Method::PATCH,
            &xl_path,
            Some(&t.manager),
            Some(json!({ "variant_name": "XXL", "price_minor": 1800 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "Tee XXL");
    // No variants of variants.
    let (status, body) = app
        .post(
            &format!("{xl_path}/variants"),
            Some(&t.manager),
            json!({ "variant_name": "tall", "sku": "TEE-XXL-T" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A SKU in use is a conflict, as for any product.
    let (status, body) = app
        .post(
            &variants,
            Some(&t.manager),
            json!({ "variant_name": "M", "sku": "TEE" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Retiring the product retires its variants, and frees their barcodes.
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/catalog/products/{shirt_id}"),
            Some(&t.manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, listed) = app.get(&variants, &t.manager).await;
    assert_eq!(listed, json!([]));
    let (status, body) = app
        .post(
            "/api/catalog/products",
            Some(&t.manager),
            json!({ "sku": "NEW", "name": "New", "barcodes": ["5901234123457"],
                    "price_minor": 100, "tax_rate_bp": 700 }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the retired variant's code is free: {body}"
    );

    // Another company cannot add variants to it.
    let other = app.tenant("Other Variant Co").await;
    let (status, _) = app
        .post(
            &variants,
            Some(&other.manager),
            json!({ "variant_name": "M", "sku": "X-M" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
