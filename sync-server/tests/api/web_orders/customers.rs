//! Storefront customers: registration into a company, and a token that opens no staff
//! endpoint.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{PASSWORD, assert_error_shape, spawn_app};

#[tokio::test]
async fn a_customer_registers_with_a_company_and_gets_no_staff_reach() {
    let app = spawn_app().await;
    let t = app.tenant("Webshop").await;
    let (id, token) = super::customer(&app, &t.company_id).await;
    let (status, me) = app.get("/api/auth/me", &token).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["role"], "customer");
    assert_eq!(me["id"], id.as_str());
    assert_eq!(me["company_id"], t.company_id.as_str());
    // The company is named, but none of its staff endpoints open.
    for path in [
        format!("/api/sales/orders?shop_id={}", t.shop_id),
        format!("/api/inventory/balances?shop_id={}", t.shop_id),
        "/api/catalog/products".to_string(),
        format!("/api/companies/{}", t.company_id),
    ] {
        let (status, body) = app.get(&path, &token).await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{path} -> {status}: {body}"
        );
    }
}

#[tokio::test]
async fn registration_refuses_unknown_companies_taken_emails_and_bad_input() {
    let app = spawn_app().await;
    let t = app.tenant("Webshop").await;
    let email = format!("dup-{}@kassa.test", uuid::Uuid::now_v7().simple());
    let body = |company: &str, email: &str, password: &str| json!({ "company_id": company, "email": email, "password": password, "name": "Shopper" });
    let path = "/api/auth/customers/register";
    let (status, b) = app.post(path, None, body("nope", &email, PASSWORD)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{b}");
    assert_error_shape(status, &b);
    let (status, _) = app
        .post(path, None, body(&t.company_id, &email, PASSWORD))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, b) = app
        .post(path, None, body(&t.company_id, &email, PASSWORD))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{b}");
    let (status, b) = app
        .post(path, None, body(&t.company_id, "not-an-email", PASSWORD))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_error_shape(status, &b);
    // The customer logs in like anyone else.
    let session = app.login(&email, PASSWORD).await;
    assert_eq!(session["user"]["role"], "customer");
}
