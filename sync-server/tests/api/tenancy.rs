//! Company A can neither see nor change anything of company B, even with B's ids.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::spawn_app;

#[tokio::test]
async fn company_a_cannot_reach_company_b_objects() {
    let app = spawn_app().await;
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    let (b_cashier, _) = app.cashier(&b, "8080").await;
    let enrolled = app.enroll(&b, "Till B").await;
    let b_terminal = enrolled["terminal_id"].as_str().unwrap();

    let (bc, bs) = (&b.company_id, &b.shop_id);
    let probes = [
        (Method::GET, format!("/api/companies/{bc}"), None),
        (Method::GET, format!("/api/companies/{bc}/settings"), None),
        (
            Method::PATCH,
            format!("/api/companies/{bc}"),
            Some(json!({ "name": "Pwned" })),
        ),
        (
            Method::PUT,
            format!("/api/companies/{bc}/settings"),
            Some(
                json!({ "currency": "USD", "locale": "en", "timezone": "UTC", "tax_rates": [], "receipt_header": "", "receipt_footer": "" }),
            ),
        ),
        (Method::GET, format!("/api/shops/{bs}"), None),
        (
            Method::PATCH,
            format!("/api/shops/{bs}"),
            Some(json!({ "name": "Pwned" })),
        ),
        (Method::DELETE, format!("/api/shops/{bs}"), None),
        (
            Method::PUT,
            format!("/api/shops/{bs}/hours"),
            Some(json!({ "opening_hours": [] })),
        ),
        (Method::GET, format!("/api/shops/{bs}/staff"), None),
        (
            Method::POST,
            format!("/api/shops/{bs}/staff"),
            Some(json!({ "name": "Mole", "role": "cashier", "pin": "1111" })),
        ),
        (
            Method::DELETE,
            format!("/api/shops/{bs}/staff/{b_cashier}"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/shops/{bs}/staff/{b_cashier}/pin"),
            Some(json!({ "pin": "0000" })),
        ),
        (Method::GET, format!("/api/shops/{bs}/locations"), None),
        (
            Method::POST,
            format!("/api/shops/{bs}/locations"),
            Some(json!({ "name": "X", "kind": "store" })),
        ),
        (
            Method::POST,
            format!("/api/shops/{bs}/enrollment-codes"),
            None,
        ),
        (Method::GET, format!("/api/shops/{bs}/terminals"), None),
        (
            Method::DELETE,
            format!("/api/shops/{bs}/terminals/{b_terminal}"),
            None,
        ),
        // A's own shop path with B's object ids.
        (
            Method::DELETE,
            format!("/api/shops/{}/staff/{b_cashier}", a.shop_id),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/shops/{}/terminals/{b_terminal}", a.shop_id),
            None,
        ),
    ];
    // A's company admin may do all of these in A, so only tenancy stops them: 404, the
    // same answer as for ids that do not exist.
    for (method, path, body) in &probes {
        let (status, resp) = app
            .call(method.clone(), path, Some(&a.admin), body.clone())
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "A's admin must not see {method} {path}: {resp}"
        );
    }
    // A's manager is stopped by role (403) or tenancy (404), never let through.
    for (method, path, body) in &probes {
        let (status, resp) = app
            .call(method.clone(), path, Some(&a.manager), body.clone())
            .await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "A's manager must not {method} {path}: {status} {resp}"
        );
    }
    // Lists show only A's objects.
    let (_, shops) = app.get("/api/shops", &a.admin).await;
    assert!(
        shops
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["company_id"] == a.company_id.as_str()),
        "{shops}"
    );
    let (_, companies) = app.get("/api/companies", &a.admin).await;
    assert_eq!(companies.as_array().unwrap().len(), 1, "{companies}");
    assert_eq!(companies[0]["id"], a.company_id.as_str());
    let (_, audit) = app.get("/api/audit", &a.admin).await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["company_id"] == a.company_id.as_str()),
        "audit is per tenant: {audit}"
    );

    // B's objects are untouched.
    let (_, shop) = app.get(&format!("/api/shops/{bs}"), &b.admin).await;
    assert_ne!(shop["name"], "Pwned");
    let (_, staff) = app.get(&format!("/api/shops/{bs}/staff"), &b.manager).await;
    assert!(
        staff
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["user_id"] == b_cashier.as_str()),
        "B's cashier still employed"
    );
}

#[tokio::test]
async fn a_manager_sees_only_their_own_shops() {
    let app = spawn_app().await;
    let t = app.tenant("Twoshop").await;
    let (status, other) = app.create_shop(&t.admin, "Second").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .get(
            &format!("/api/shops/{}", other["id"].as_str().unwrap()),
            &t.manager,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the manager of shop 1 does not manage shop 2"
    );
    let (_, list) = app.get("/api/shops", &t.manager).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let (_, list) = app.get("/api/shops", &t.admin).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        2,
        "the company admin sees both: {list}"
    );
}

/// The debt service reads customers and their accounts only through `Scoped`: company A
/// finds none of company B's customers, by id, by search, to change or to take a payment
/// for, and B's account stays as it was.
#[tokio::test]
async fn company_a_cannot_read_or_charge_company_b_customers() {
    let app = spawn_app().await;
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    let (status, created) = app
        .post(
            "/api/customers",
            Some(&b.manager),
            json!({ "name": "Bertha Beta", "credit_limit_minor": 5000 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["customer_id"].as_str().unwrap();
    let path = format!("/api/customers/{id}");
    let (status, _) = app.get(&path, &b.manager).await;
    assert_eq!(status, StatusCode::OK, "B's manager reads B's customer");

    for token in [&a.admin, &a.manager] {
        let (status, body) = app.get(&path, token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, list) = app.get("/api/customers?q=bertha", token).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list, json!([]), "B's customer is not in A's search");
        let (status, body) = app
            .call(
                Method::PATCH,
                &path,
                Some(token),
                Some(json!({ "name": "Pwned" })),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = app
            .post(
                &format!("{path}/payments"),
                Some(token),
                json!({ "shop_id": &a.shop_id, "amount_minor": 100, "idempotency_key": "k1" }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }

    let (_, account) = app.get(&path, &b.manager).await;
    assert_eq!(account["customer"]["name"], "Bertha Beta");
    assert_eq!(account["customer"]["balance_minor"], 0);
    assert_eq!(
        account["entries"],
        json!([]),
        "no payment reached B's account"
    );
}
