use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::spawn_app;

#[tokio::test]
async fn plan_limits_shops_and_terminals() {
    let app = spawn_app().await;
    let (company, admin) = app.create_company("Tiny", "starter").await;
    let (status, shop) = app.create_shop(&admin, "Only").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app.create_shop(&admin, "One too many").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "plan_limit");

    let shop_id = shop["id"].as_str().unwrap();
    let enroll = |n: u32| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let (_, code) = app
                .post(
                    &format!("/api/shops/{shop_id}/enrollment-codes"),
                    Some(&admin),
                    json!({}),
                )
                .await;
            app.post(
                "/api/terminals/enroll",
                None,
                json!({ "code": code["code"], "name": format!("Till {n}") }),
            )
            .await
        }
    };
    assert_eq!(enroll(1).await.0, StatusCode::CREATED);
    assert_eq!(enroll(2).await.0, StatusCode::CREATED);
    let (status, body) = enroll(3).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "starter allows 2 terminals: {body}"
    );
    assert_eq!(body["code"], "plan_limit");

    // The platform admin upgrades the plan; the limit moves with it.
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/companies/{company}/plan"),
            Some(&app.admin),
            Some(json!({ "name": "business" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.create_shop(&admin, "Now allowed").await.0,
        StatusCode::CREATED
    );
    assert_eq!(enroll(3).await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn concurrent_shop_creation_cannot_exceed_the_limit() {
    let app = spawn_app().await;
    let (_, admin) = app.create_company("Racer", "starter").await;
    let names: Vec<String> = (0..4).map(|i| format!("Shop {i}")).collect();
    let results = futures::future::join_all(names.iter().map(|n| app.create_shop(&admin, n))).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(
        created, 1,
        "exactly one shop fits a starter plan: {results:?}"
    );
}

#[tokio::test]
async fn concurrent_enrollments_cannot_exceed_the_terminal_limit() {
    let app = spawn_app().await;
    let (_, admin) = app.create_company("Tillrace", "starter").await;
    let (_, shop) = app.create_shop(&admin, "Only").await;
    let shop_id = shop["id"].as_str().unwrap();
    let mut codes = Vec::new();
    for _ in 0..4 {
        let (_, code) = app
            .post(
                &format!("/api/shops/{shop_id}/enrollment-codes"),
                Some(&admin),
                json!({}),
            )
            .await;
        codes.push(code["code"].as_str().unwrap().to_string());
    }
    let results = futures::future::join_all(codes.iter().map(|c| {
        app.post(
            "/api/terminals/enroll",
            None,
            json!({ "code": c, "name": "Till" }),
        )
    }))
    .await;
    let enrolled = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(
        enrolled, 2,
        "a starter plan holds two terminals: {results:?}"
    );
}
