//! Resolving what sync found: a manager resolves an oversold exception with a note, the
//! resolution keeps who and when, a second resolve changes nothing, the list filters open
//! and resolved, and nobody outside the shop's reach can see or resolve it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Tenant, TestApp, assert_error_shape, spawn_app};
use crate::journal::Journal;

/// A shop where one more milk was sold than was in stock: one `oversold` exception.
async fn oversold(app: &TestApp, t: &Tenant) -> Value {
    let (terminal, device) = app.terminal(t, "Till 1").await;
    let milk = app.product(t, "MILK", 129, "4006381333931").await;
    let mut j = Journal::new(&terminal);
    j.sale(&milk, 1, 129);
    j.sync(app, &device).await;
    let open = list(app, t, &t.manager, "&status=open").await;
    assert_eq!(
        open.len(),
        1,
        "selling from empty stock is one exception: {open:?}"
    );
    assert_eq!(open[0]["kind"], "oversold");
    assert_eq!(open[0]["resolved"], false);
    open[0].clone()
}

async fn list(app: &TestApp, t: &Tenant, token: &str, filter: &str) -> Vec<Value> {
    let path = format!("/api/inventory/exceptions?shop_id={}{filter}", t.shop_id);
    let (status, body) = app.get(&path, token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

fn resolve_path(id: &Value) -> String {
    format!("/api/inventory/exceptions/{}/resolve", id.as_str().unwrap())
}

#[tokio::test]
async fn a_manager_resolves_an_oversold_exception_once_and_it_says_who_and_when() {
    let app = spawn_app().await;
    let t = app.tenant("Resolve Co").await;
    let found = oversold(&app, &t).await;
    let path = resolve_path(&found["id"]);

    let (status, body) = app
        .post(&path, Some(&t.manager), json!({ "note": "  " }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a resolution says what was done: {body}"
    );
    assert_error_shape(status, &body);
    assert!(body["message"].as_str().unwrap().contains("note"), "{body}");

    let note = "Counted the shelf: 0 left, stock corrected.";
    let (status, first) = app
        .post(&path, Some(&t.manager), json!({ "note": note }))
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["resolved"], true);
    assert_eq!(first["note"], note);
    assert_eq!(
        first["resolved_by_name"], "Manager",
        "the resolver is named"
    );
    assert!(
        first["resolved_by"].is_string() && first["resolved_at"].is_string(),
        "{first}"
    );

    // The company admin clicks too (or the manager's request is retried): the first stays.
    let (status, again) = app
        .post(&path, Some(&t.admin), json!({ "note": "something else" }))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "resolving again is not an error: {again}"
    );
    assert_eq!(again, first, "the first resolution is kept and answered");

    assert!(
        list(&app, &t, &t.manager, "&status=open").await.is_empty(),
        "no longer open"
    );
    let resolved = list(&app, &t, &t.manager, "&status=resolved").await;
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0], first, "the list shows the resolution");
    assert_eq!(
        list(&app, &t, &t.manager, "").await.len(),
        1,
        "no status: both"
    );
    assert_eq!(
        list(&app, &t, &t.manager, "&kind=price_variance")
            .await
            .len(),
        0
    );

    let (status, body) = app
        .get(
            &format!(
                "/api/inventory/exceptions?shop_id={}&status=done",
                t.shop_id
            ),
            &t.manager,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("status"),
        "{body}"
    );
}

#[tokio::test]
async fn exceptions_of_another_company_or_shop_cannot_be_resolved() {
    let app = spawn_app().await;
    let t = app.tenant("Mine Co").await;
    let found = oversold(&app, &t).await;
    let path = resolve_path(&found["id"]);
    let body = json!({ "note": "not mine" });

    let other = app.tenant("Other Co").await;
    let (status, answer) = app.post(&path, Some(&other.admin), body.clone()).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another company's id is unknown: {answer}"
    );
    assert_error_shape(status, &answer);

    // A manager of another shop of the same company does not reach this shop.
    let (status, shop) = app.create_shop(&t.admin, "Second shop").await;
    assert_eq!(status, StatusCode::CREATED);
    let email = format!("m2-{}@kassa.test", uuid::Uuid::now_v7().simple());
    let (status, _) = app
        .add_staff(&t.admin, shop["id"].as_str().unwrap(), json!({ "name": "M2", "role": "shop_manager", "email": email, "password": crate::harness::PASSWORD }))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let m2 = app.login(&email, crate::harness::PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = app.post(&path, Some(&m2), body.clone()).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another shop's exception is not theirs"
    );

    let (_, cashier) = app.cashier(&t, "2468").await;
    let (status, _) = app.post(&path, Some(&cashier), body.clone()).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "cashiers do not resolve exceptions"
    );

    let (status, _) = app
        .post(
            "/api/inventory/exceptions/no-such-id/resolve",
            Some(&t.manager),
            body,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        list(&app, &t, &t.manager, "&status=open").await.len(),
        1,
        "still open"
    );
}
