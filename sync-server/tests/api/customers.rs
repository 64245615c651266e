//! The customers API: who may read and write customers, what is refused and how, and the
//! company's customers stream that brings them to the tills.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{assert_error_shape, spawn_app};

#[tokio::test]
async fn managers_keep_customers_and_every_till_of_the_company_receives_them() {
    let app = spawn_app().await;
    let t = app.tenant("Accounts Co").await;
    let (_, till) = app.terminal(&t, "Till").await;

    let (status, body) = app
        .post(
            "/api/customers",
            Some(&t.manager),
            json!({ "name": "  Café Nord ", "email": "", "credit_limit_minor": 2500 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["name"], "Café Nord", "trimmed");
    assert_eq!(body["email"], serde_json::Value::Null, "blank means none");
    assert_eq!(body["balance_minor"], 0);
    let id = body["customer_id"].as_str().unwrap().to_owned();

    for (bad, field) in [
        (json!({ "name": " " }), "name"),
        (json!({ "name": "A", "phone": "call me" }), "phone"),
        (
            json!({ "name": "A", "credit_limit_minor": -1 }),
            "credit_limit_minor",
        ),
    ] {
        let (status, body) = app.post("/api/customers", Some(&t.manager), bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_error_shape(status, &body);
        assert!(
            body["message"].as_str().unwrap().contains(field),
            "the message names `{field}`: {body}"
        );
    }
    let (status, body) = app
        .post(
            "/api/customers",
            Some(&t.manager),
            json!({ "name": "A", "balance_minor": 5 }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a balance is never set by hand: {body}"
    );

    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/customers/{id}"),
            Some(&t.manager),
            Some(json!({ "credit_limit_minor": 4000, "active": false })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["credit_limit_minor"].as_i64(),
            body["active"].as_bool()
        ),
        (Some(4000), Some(false))
    );

    // The till reads both versions in order; the last is the customer as it is now.
    let (status, page) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/customers?after=0",
            &till,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let changes = page["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{page}");
    assert_eq!(changes[1]["id"], id.as_str());
    assert_eq!(changes[1]["data"]["credit_limit_minor"], 4000);
    assert_eq!(changes[1]["data"]["active"], false);

    // A cashier may look customers up but not create them; a till may do neither here.
    let (_, cashier) = app.cashier(&t, "2468").await;
    let (status, list) = app.get("/api/customers?q=CAF", &cashier).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "prefix search ignores case"
    );
    let (status, body) = app
        .post("/api/customers", Some(&cashier), json!({ "name": "B" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app
        .post("/api/customers", Some(&till), json!({ "name": "B" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // Unknown ids and other companies' customers are not found.
    let other = app.tenant("Other Co").await;
    for who in [&other.manager, &t.manager] {
        let missing = if *who == t.manager {
            uuid::Uuid::now_v7().to_string()
        } else {
            id.clone()
        };
        let (status, body) = app.get(&format!("/api/customers/{missing}"), who).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_error_shape(status, &body);
    }
    let (_, other_till) = app.terminal(&other, "Other till").await;
    let (status, page) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/customers?after=0",
            &other_till,
            None,
        )
        .await;
    assert_eq!(
        (status, page["head"].as_i64()),
        (StatusCode::OK, Some(0)),
        "{page}"
    );
}
