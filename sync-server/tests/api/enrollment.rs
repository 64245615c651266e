use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::spawn_app;

#[tokio::test]
async fn a_terminal_enrolls_once_gets_tokens_and_is_revoked() {
    let app = spawn_app().await;
    let t = app.tenant("Tills").await;
    let (status, code) = app
        .post(
            &format!("/api/shops/{}/enrollment-codes", t.shop_id),
            Some(&t.manager),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{code}");
    let (status, enrolled) = app
        .post(
            "/api/terminals/enroll",
            None,
            json!({ "code": code["code"].as_str().unwrap().to_lowercase(), "name": "Till 1" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "codes are case-insensitive: {enrolled}"
    );
    assert_eq!(enrolled["shop_id"], t.shop_id.as_str());
    let (status, again) = app
        .post(
            "/api/terminals/enroll",
            None,
            json!({ "code": code["code"], "name": "Till 2" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "single use: {again}");

    let terminal = enrolled["terminal_id"].as_str().unwrap();
    let (status, tok) = app
        .post(
            "/api/auth/device-token",
            None,
            json!({ "terminal_id": terminal, "secret": enrolled["secret"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tok}");
    let device = tok["access_token"].as_str().unwrap();
    let (status, shop) = app.get(&format!("/api/shops/{}", t.shop_id), device).await;
    assert_eq!(status, StatusCode::OK, "a terminal reads its shop: {shop}");
    let (status, _) = app
        .get(&format!("/api/shops/{}/staff", t.shop_id), device)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a terminal is not a manager");
    let (status, wrong) = app
        .post(
            "/api/auth/device-token",
            None,
            json!({ "terminal_id": terminal, "secret": "00" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{wrong}");

    let (_, list) = app
        .get(&format!("/api/shops/{}/terminals", t.shop_id), &t.manager)
        .await;
    assert_eq!(list[0]["name"], "Till 1");
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/shops/{}/terminals/{terminal}", t.shop_id),
            Some(&t.manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get(&format!("/api/shops/{}", t.shop_id), device).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "revocation applies to the next request, not at token expiry"
    );
    assert_eq!(body["code"], "terminal_revoked");
    let (status, _) = app
        .post(
            "/api/auth/device-token",
            None,
            json!({ "terminal_id": terminal, "secret": enrolled["secret"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
