//! Shop prices over REST and the per-shop prices stream: only that shop's tills receive
//! them, bad input is refused with a clear error, and other tenants cannot touch them.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{Tenant, assert_error_shape, spawn_app};

#[tokio::test]
async fn a_shop_price_goes_to_that_shops_tills_only() {
    let app = spawn_app().await;
    let t = app.tenant("Prices Co").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let (_, till) = app.terminal(&t, "Till").await;
    let (status, shop2) = app.create_shop(&t.admin, "Prices Co Uptown").await;
    assert_eq!(status, StatusCode::CREATED, "{shop2}");
    let uptown = Tenant {
        shop_id: shop2["id"].as_str().unwrap().to_owned(),
        manager: t.admin.clone(),
        ..t.clone()
    };
    let (_, uptown_till) = app.terminal(&uptown, "Uptown till").await;

    let path = format!("/api/shops/{}/prices/{milk}", t.shop_id);
    let put = |token: String, body: serde_json::Value| {
        let (app, path) = (&app, path.clone());
        async move { app.call(Method::PUT, &path, Some(&token), Some(body)).await }
    };
    let (status, body) = put(t.manager.clone(), json!({ "price_minor": -1 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error_shape(status, &body);
    let (status, body) = put(t.manager.clone(), json!({ "price_minor": 99 })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = put(t.manager.clone(), json!({ "price_minor": 99 })).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "setting the same price again is fine"
    );

    let page = |device: String| {
        let app = &app;
        async move {
            let (status, page) = app
                .sync_call(
                    Method::GET,
                    "/api/sync/streams/prices?after=0",
                    &device,
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            page
        }
    };
    let here = page(till.clone()).await;
    let changes = here["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "the repeat sent nothing: {here}");
    assert_eq!(changes[0]["id"], milk.as_str());
    assert_eq!(changes[0]["data"]["price_minor"], 99);
    assert_eq!(
        page(uptown_till).await["head"],
        0,
        "another shop keeps the catalog price"
    );

    let other = app.tenant("Other Co").await;
    let (status, body) = put(other.manager.clone(), json!({ "price_minor": 1 })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let unknown = format!("/api/shops/{}/prices/{}", t.shop_id, uuid::Uuid::now_v7());
    let (status, body) = app
        .call(
            Method::PUT,
            &unknown,
            Some(&t.manager),
            Some(json!({ "price_minor": 1 })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let (status, _) = app
        .call(Method::DELETE, &path, Some(&t.manager), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app
        .call(Method::DELETE, &path, Some(&t.manager), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already gone: {body}");
    let here = page(till).await;
    assert_eq!(here["changes"][1]["op"], "delete", "{here}");
}

#[tokio::test]
async fn the_effective_price_is_the_shops_own_or_else_the_catalogs() {
    let app = spawn_app().await;
    let t = app.tenant("Effective Co").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let path = format!("/api/shops/{}/prices/{milk}", t.shop_id);
    let (_, cashier) = app.cashier(&t, "2468").await;

    let (status, body) = app.get(&path, &cashier).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "staff of the shop may read it: {body}"
    );
    assert_eq!(
        (
            body["price_minor"].as_i64(),
            body["source"].as_str(),
            body["shop_price_minor"].is_null()
        ),
        (Some(129), Some("catalog"), true),
        "{body}"
    );
    assert_eq!(body["sku"], "MILK");

    let (status, _) = app
        .call(
            Method::PUT,
            &path,
            Some(&t.manager),
            Some(json!({ "price_minor": 99 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = app.get(&path, &t.manager).await;
    assert_eq!(
        (
            body["price_minor"].as_i64(),
            body["source"].as_str(),
            body["catalog_price_minor"].as_i64()
        ),
        (Some(99), Some("shop"), Some(129)),
        "{body}"
    );

    let (status, _) = app
        .call(Method::DELETE, &path, Some(&t.manager), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, body) = app.get(&path, &t.manager).await;
    assert_eq!(
        body["price_minor"], 129,
        "back to the catalog price: {body}"
    );

    let other = app.tenant("Other Effective Co").await;
    let (status, body) = app.get(&path, &other.manager).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error_shape(status, &body);
    let (status, _) = app
        .get(
            &format!("/api/shops/{}/prices/{}", t.shop_id, uuid::Uuid::now_v7()),
            &t.manager,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unknown product");
}
