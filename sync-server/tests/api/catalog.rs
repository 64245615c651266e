//! The catalog service and its stream: what a manager changes reaches the company's
//! terminals as dense, ordered changes, and nothing reaches another company.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{assert_error_shape, spawn_app};

#[tokio::test]
async fn product_changes_reach_the_company_stream_in_order() {
    let app = spawn_app().await;
    let t = app.tenant("Catalog Co").await;
    let (_, device) = app.terminal(&t, "Till 1").await;

    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let bread = app.product(&t, "BREAD", 249, "5901234123457").await;
    let (status, changed) = app
        .call(
            Method::PATCH,
            &format!("/api/catalog/products/{milk}"),
            Some(&t.manager),
            Some(json!({ "price_minor": 139 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["price_minor"], 139);
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/catalog/products/{bread}"),
            Some(&t.manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (status, page) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/catalog?after=0",
            &device,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let changes = page["changes"].as_array().unwrap();
    let cursors: Vec<i64> = changes
        .iter()
        .map(|c| c["cursor"].as_i64().unwrap())
        .collect();
    assert_eq!(cursors, vec![1, 2, 3, 4], "dense cursors in commit order");
    assert_eq!(page["head"], 4);
    assert_eq!(page["next_after"], 4);
    assert_eq!(changes[2]["id"], milk.as_str());
    assert_eq!(
        changes[2]["data"]["price_minor"], 139,
        "the new price travels"
    );
    assert_eq!(changes[3]["id"], bread.as_str());
    assert_eq!(changes[3]["op"], "delete");

    let (_, rest) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/catalog?after=2&limit=1",
            &device,
            None,
        )
        .await;
    assert_eq!(rest["changes"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_after"], 3);

    let (_, listed) = app.get("/api/catalog/products", &t.manager).await;
    let skus: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, vec!["MILK"], "a deleted product is no longer listed");

    // Another company's terminal reads its own (empty) catalog, never this one.
    let other = app.tenant("Other Co").await;
    let (_, other_device) = app.terminal(&other, "Till X").await;
    let (_, theirs) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/catalog?after=0",
            &other_device,
            None,
        )
        .await;
    assert_eq!(theirs["head"], 0, "{theirs}");
    let (status, _) = app
        .get(&format!("/api/catalog/products/{milk}"), &other.manager)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_products_are_refused_with_a_reason() {
    let app = spawn_app().await;
    let t = app.tenant("Strict Co").await;
    app.product(&t, "A-1", 100, "4006381333931").await;
    let cases = [
        (
            json!({ "sku": "A-1", "name": "Again", "price_minor": 1, "tax_rate_bp": 0 }),
            StatusCode::CONFLICT,
            "sku_taken",
        ),
        (
            json!({ "sku": "B-1", "name": "Same code", "barcodes": ["4006381333931"], "price_minor": 1, "tax_rate_bp": 0 }),
            StatusCode::CONFLICT,
            "barcode_taken",
        ),
        (
            json!({ "sku": "C-1", "name": "Bad code", "barcodes": ["4006381333932"], "price_minor": 1, "tax_rate_bp": 0 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            json!({ "sku": "D-1", "name": "Negative", "price_minor": -5, "tax_rate_bp": 0 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            json!({ "sku": "E-1", "name": "Tax", "price_minor": 5, "tax_rate_bp": 10_001 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            json!({ "sku": "F-1", "name": "Float", "price_minor": 1.5, "tax_rate_bp": 0 }),
            StatusCode::BAD_REQUEST,
            "",
        ),
    ];
    for (body, want, code) in cases {
        let (status, err) = app
            .post("/api/catalog/products", Some(&t.manager), body.clone())
            .await;
        assert_eq!(status, want, "{body} -> {err}");
        assert_error_shape(status, &err);
        if !code.is_empty() {
            assert_eq!(err["code"], code, "{body} -> {err}");
        }
    }
    let (_, cashier) = app.cashier(&t, "1234").await;
    let (status, _) = app
        .post(
            "/api/catalog/products",
            Some(&cashier),
            json!({ "sku": "G-1", "name": "Nope", "price_minor": 1, "tax_rate_bp": 0 }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "cashiers do not edit the catalog"
    );
    let (status, _) = app.get("/api/catalog/products", &cashier).await;
    assert_eq!(status, StatusCode::OK, "cashiers can read it");
}

#[tokio::test]
async fn a_bulk_import_reaches_the_stream_and_refuses_bad_rows() {
    let app = spawn_app().await;
    let t = app.tenant("Import Co").await;
    let (_, device) = app.terminal(&t, "Till 1").await;
    let row = |sku: &str, code: &str| {
        json!({ "sku": sku, "name": format!("Product {sku}"), "barcodes": [code],
                "price_minor": 199, "tax_rate_bp": 700 })
    };
    let path = "/api/catalog/products/import";

    let (_, cashier) = app.cashier(&t, "2468").await;
    let (status, body) = app
        .post(path, Some(&cashier), json!([row("A", "4006381333931")]))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "managers only: {body}");

    let (status, body) = app
        .post(
            path,
            Some(&t.manager),
            json!([row("A", "4006381333931"), { "sku": "B", "name": "B", "price_minor": -1, "tax_rate_bp": 0 }]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(status, &body);
    assert!(
        body["message"].as_str().unwrap().contains("products[1]"),
        "the bad row is named: {body}"
    );
    let (status, body) = app
        .post(
            path,
            Some(&t.manager),
            json!([row("A", "4006381333931"), row("A", "5901234123457")]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "SKU twice: {body}");
    let (status, body) = app.post(path, Some(&t.manager), json!([])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "empty: {body}");

    let (status, body) = app
        .post(
            path,
            Some(&t.manager),
            json!([row("A", "4006381333931"), row("B", "5901234123457")]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ids: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(body[0]["sku"], "A");

    let (status, page) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/catalog?after=0",
            &device,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let changes = page["changes"].as_array().unwrap();
    let streamed: Vec<&str> = changes.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        streamed, ids,
        "imported products are on the stream in order"
    );
    assert_eq!(page["head"], 2, "nothing from the refused imports");
    assert_eq!(changes[1]["data"]["price_minor"], 199);

    let (status, body) = app
        .post(path, Some(&t.manager), json!([row("C", "4006381333931")]))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "barcode in use: {body}");
    let (status, body) = app
        .post(path, Some(&t.manager), json!([row("B", "96385074")]))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "SKU in use: {body}");
    assert_eq!(body["code"], "sku_taken");
}

#[tokio::test]
async fn a_barcode_is_freed_when_its_product_retires_or_drops_it() {
    let app = spawn_app().await;
    let t = app.tenant("Codes Co").await;
    let a = app.product(&t, "A-1", 100, "4006381333931").await;
    let b = app.product(&t, "B-1", 100, "5901234123457").await;
    // B drops its code for a new one; A's code stays taken.
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/catalog/products/{b}"),
            Some(&t.manager),
            Some(json!({ "barcodes": ["96385074"] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = app
        .post(
            "/api/catalog/products",
            Some(&t.manager),
            json!({ "sku": "C-1", "name": "C", "barcodes": ["4006381333931"], "price_minor": 1, "tax_rate_bp": 0 }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["code"], "barcode_taken");
    app.product(&t, "D-1", 100, "5901234123457").await;
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/catalog/products/{a}"),
            Some(&t.manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    app.product(&t, "E-1", 100, "4006381333931").await;
}

#[tokio::test]
async fn a_large_import_is_served_whole_from_its_pack_and_agrees_with_the_log() {
    let app = spawn_app().await;
    let t = app.tenant("Pack Co").await;
    let (_, device) = app.terminal(&t, "Till 1").await;
    let rows: Vec<_> = (0..300)
        .map(|i| {
            json!({ "sku": format!("P{i:03}"), "name": format!("Product {i}"),
                    "barcodes": [], "price_minor": 100 + i, "tax_rate_bp": 700 })
        })
        .collect();
    let (status, body) = app
        .post(
            "/api/catalog/products/import",
            Some(&t.manager),
            json!(rows),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let page = |after: i64, limit: i64| {
        let app = &app;
        let device = &device;
        async move {
            let (status, page) = app
                .sync_call(
                    Method::GET,
                    &format!("/api/sync/streams/catalog?after={after}&limit={limit}"),
                    device,
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            page
        }
    };
    // From the pack's start: the whole import in one page, whatever the limit.
    let whole = page(0, 100).await;
    assert_eq!(whole["head"], 300);
    assert_eq!(whole["next_after"], 300, "one page carries the pack");
    let packed = whole["changes"].as_array().unwrap();
    assert_eq!(packed.len(), 300);
    // From inside it: the log, limited as asked, with the same changes.
    let mut from_log = Vec::new();
    let mut after = 0;
    let first = page(5, 100).await;
    assert_eq!(first["changes"].as_array().unwrap().len(), 100);
    assert_eq!(first["next_after"], 105);
    for c in packed.iter().take(5) {
        from_log.push(c.clone());
        after = c["cursor"].as_i64().unwrap();
    }
    while after < 300 {
        let p = page(after, 100).await;
        from_log.extend(p["changes"].as_array().unwrap().iter().cloned());
        after = p["next_after"].as_i64().unwrap();
    }
    assert_eq!(&from_log, packed, "the pack is an exact copy of the log");
    assert_eq!(packed[299]["data"]["sku"], "P299");
    assert_eq!(packed[299]["data"]["price_minor"], 399);
}
