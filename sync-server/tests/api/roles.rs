//! Every endpoint against every role: who gets in, who gets 403.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, assert_error_shape, spawn_app};

#[tokio::test]
async fn each_endpoint_admits_only_its_roles() {
    let app = spawn_app().await;
    let t = app.tenant("Roleco").await;
    let (cashier_id, cashier) = app.cashier(&t, "1212").await;
    app.post(
        "/api/auth/register",
        None,
        json!({ "email": "cust@example.test", "password": PASSWORD, "name": "Cu" }),
    )
    .await;
    let customer = app.login("cust@example.test", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let c = &t.company_id;
    let s = &t.shop_id;
    // (method, path, body, lowest role allowed): platform > company_admin > manager > cashier > customer
    let cases: Vec<(Method, String, Value, &str)> = vec![
        (
            Method::POST,
            "/api/companies".into(),
            json!({ "name": "X", "admin": { "email": "x@x.test", "password": PASSWORD, "name": "X" } }),
            "platform",
        ),
        (
            Method::PUT,
            format!("/api/companies/{c}/plan"),
            json!({ "name": "business" }),
            "platform",
        ),
        (
            Method::DELETE,
            format!("/api/companies/{c}"),
            Value::Null,
            "platform",
        ),
        (
            Method::PATCH,
            format!("/api/companies/{c}"),
            json!({ "name": "Roleco" }),
            "company_admin",
        ),
        (
            Method::PUT,
            format!("/api/companies/{c}/settings"),
            json!({ "currency": "EUR", "locale": "en", "timezone": "UTC", "tax_rates": [], "receipt_header": "", "receipt_footer": "" }),
            "company_admin",
        ),
        (
            Method::POST,
            "/api/shops".into(),
            json!({ "name": "Another" }),
            "company_admin",
        ),
        (
            Method::DELETE,
            format!("/api/shops/{s}"),
            Value::Null,
            "company_admin",
        ),
        (
            Method::POST,
            format!("/api/shops/{s}/staff"),
            json!({ "name": "M2", "role": "shop_manager", "email": "m2@x.test", "password": PASSWORD }),
            "company_admin",
        ),
        (
            Method::GET,
            "/api/audit".to_string(),
            Value::Null,
            "company_admin",
        ),
        (
            Method::GET,
            format!("/api/companies/{c}"),
            Value::Null,
            "manager",
        ),
        (
            Method::PATCH,
            format!("/api/shops/{s}"),
            json!({ "address": "2 Test Street" }),
            "manager",
        ),
        (
            Method::PUT,
            format!("/api/shops/{s}/hours"),
            json!({ "opening_hours": [] }),
            "manager",
        ),
        (
            Method::GET,
            format!("/api/shops/{s}/staff"),
            Value::Null,
            "manager",
        ),
        (
            Method::POST,
            format!("/api/shops/{s}/staff"),
            json!({ "name": "C2", "role": "cashier", "pin": "5555" }),
            "manager",
        ),
        (
            Method::PUT,
            format!("/api/shops/{s}/staff/{cashier_id}/pin"),
            json!({ "pin": "1212" }),
            "manager",
        ),
        (
            Method::POST,
            format!("/api/shops/{s}/locations"),
            json!({ "name": "Back room", "kind": "warehouse" }),
            "manager",
        ),
        (
            Method::POST,
            format!("/api/shops/{s}/enrollment-codes"),
            Value::Null,
            "manager",
        ),
        (
            Method::GET,
            format!("/api/shops/{s}/terminals"),
            Value::Null,
            "manager",
        ),
        (
            Method::GET,
            format!("/api/companies/{c}/settings"),
            Value::Null,
            "cashier",
        ),
        (
            Method::GET,
            format!("/api/shops/{s}"),
            Value::Null,
            "cashier",
        ),
        (
            Method::GET,
            format!("/api/shops/{s}/locations"),
            Value::Null,
            "cashier",
        ),
        (Method::GET, "/api/shops".into(), Value::Null, "cashier"),
    ];
    let rank = |r: &str| {
        [
            "platform",
            "company_admin",
            "manager",
            "cashier",
            "customer",
        ]
        .iter()
        .position(|x| *x == r)
        .unwrap()
    };
    let callers = [
        ("company_admin", &t.admin),
        ("manager", &t.manager),
        ("cashier", &cashier),
        ("customer", &customer),
    ];
    for (method, path, body, lowest) in &cases {
        for (who, token) in callers {
            let allowed = rank(who) <= rank(lowest);
            if allowed {
                continue; // allowed calls change state; they are exercised in their own tests
            }
            let body = (!body.is_null()).then(|| body.clone());
            let (status, resp) = app.call(method.clone(), path, Some(token), body).await;
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "{who} must not {method} {path}: got {status} {resp}"
            );
            assert_error_shape(status, &resp);
        }
        let (status, _) = app
            .call(
                method.clone(),
                path,
                None,
                (!body.is_null()).then(|| body.clone()),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token"
        );
    }
}

#[tokio::test]
async fn a_manager_cannot_promote_staff_to_manager() {
    let app = spawn_app().await;
    let t = app.tenant("Promo").await;
    let (status, body) = app.add_staff(&t.manager, &t.shop_id, json!({ "name": "Boss", "role": "shop_manager", "email": "boss@x.test", "password": PASSWORD })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app.add_staff(&t.admin, &t.shop_id, json!({ "name": "Boss", "role": "company_admin", "email": "boss@x.test", "password": PASSWORD })).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "staff roles only: {body}"
    );
}
