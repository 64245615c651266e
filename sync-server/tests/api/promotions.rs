//! Company promotions over REST and the promotions stream: a promotion reaches the
//! company's tills, a retry or an unchanged save sends nothing twice, ending one tells the
//! tills, bad terms are refused with a clear error, shop managers only manage their own
//! shops' promotions, and other tenants see none of it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_error_shape, spawn_app};

async fn promotions_page(app: &TestApp, device: &str) -> Value {
    let (status, page) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/promotions?after=0",
            device,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

#[tokio::test]
async fn a_promotion_reaches_the_tills_once_and_ending_it_tells_them() {
    let app = spawn_app().await;
    let t = app.tenant("Promo Co").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let (_, till) = app.terminal(&t, "Till").await;

    let id = uuid::Uuid::now_v7();
    let path = format!("/api/catalog/promotions/{id}");
    let body = json!({
        "name": "Milk 3 for 2",
        "terms": { "type": "multi_buy", "product_id": milk, "buy": 3, "pay": 2 },
        "starts_at": "2026-01-01T00:00:00Z",
    });
    let (status, made) = app
        .call(Method::PUT, &path, Some(&t.admin), Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(made["active"], true);
    assert_eq!(made["starts_at"], "2026-01-01T00:00:00Z");
    // The portal retried: same id, same terms, nothing new for the tills.
    let (status, _) = app
        .call(Method::PUT, &path, Some(&t.admin), Some(body))
        .await;
    assert_eq!(status, StatusCode::OK);

    let page = promotions_page(&app, &till).await;
    let changes = page["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{page}");
    assert_eq!(changes[0]["entity"], "promotion");
    assert_eq!(changes[0]["data"]["terms"]["buy"], 3);
    assert_eq!(changes[0]["data"]["starts_at_ms"], 1_767_225_600_000_i64);

    let (status, list) = app
        .get("/api/catalog/promotions?active=true", &t.manager)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1);

    let (status, _) = app.call(Method::DELETE, &path, Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let page = promotions_page(&app, &till).await;
    assert_eq!(page["changes"][1]["op"], "delete", "{page}");
    let (_, one) = app.get(&path, &t.manager).await;
    assert_eq!(one["active"], false, "kept for history: {one}");
    let (_, list) = app
        .get("/api/catalog/promotions?active=true", &t.manager)
        .await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn bad_terms_and_other_peoples_promotions_are_refused() {
    let app = spawn_app().await;
    let t = app.tenant("Strict Promo Co").await;
    let milk = app.product(&t, "MILK", 129, "4006381333931").await;
    let other = app.tenant("Other Promo Co").await;
    let theirs = app.product(&other, "TEA", 300, "5901234123457").await;

    let post = |token: String, body: Value| {
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/api/catalog/promotions",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    for (body, why) in [
        (
            json!({ "name": "free", "terms": { "type": "multi_buy", "product_id": milk, "buy": 2, "pay": 2 } }),
            "pays for as many as it buys",
        ),
        (
            json!({ "name": "too much", "terms": { "type": "percent_off_category", "category": "Dairy", "bp": 10001 } }),
            "more than 100 %",
        ),
        (
            json!({ "name": "theirs", "terms": { "type": "multi_buy", "product_id": theirs, "buy": 3, "pay": 2 } }),
            "another company's product",
        ),
        (
            json!({ "name": "lonely", "terms": { "type": "bundle_price", "product_ids": [milk], "price_minor": 100 } }),
            "a bundle of one",
        ),
        (
            json!({ "name": "backwards", "terms": { "type": "percent_off_category", "category": "Dairy", "bp": 500 },
                    "starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z" }),
            "ends before it starts",
        ),
    ] {
        let (status, body) = post(t.admin.clone(), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
        assert_error_shape(status, &body);
    }

    // A shop manager runs promotions in their own shop, not company-wide ones.
    let dairy = json!({ "type": "percent_off_category", "category": "Dairy", "bp": 1000 });
    let (status, body) = post(
        t.manager.clone(),
        json!({ "name": "Dairy -10 %", "terms": dairy }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, mine) = post(
        t.manager.clone(),
        json!({ "name": "Dairy -10 %", "terms": dairy, "shop_ids": [t.shop_id] }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{mine}");
    let (status, body) = post(
        t.manager.clone(),
        json!({ "name": "Dairy -10 %", "terms": dairy, "shop_ids": [other.shop_id] }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Another company neither sees, changes nor ends it.
    let path = format!("/api/catalog/promotions/{}", mine["id"].as_str().unwrap());
    let (status, _) = app.get(&path, &other.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            Method::PUT,
            &path,
            Some(&other.admin),
            Some(json!({ "name": "mine now", "terms": dairy })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(Method::DELETE, &path, Some(&other.admin), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/api/catalog/promotions", &other.admin).await;
    assert_eq!(list, json!([]));
    let (_, till) = app.terminal(&other, "Their till").await;
    assert_eq!(promotions_page(&app, &till).await["head"], 0);
}
