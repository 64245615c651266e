//! Customer accounts end to end: a customer added in the portal or at one till is found at
//! every till of the company, what they owe is the same everywhere once the tills have
//! synced, the credit limit is checked against that shared balance offline, and the
//! server's balance is always the sum of the account's entries. Another company never
//! sees them.

use kassa_tests::cloud::Cloud;
use kassa_tests::till::Till;
use kassa_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, config, fresh_prefix, start, start_at};
use pos_core::checkout::{Cart, Tender};
use pos_core::error::CoreError;
use pos_core::{customers, sales, till};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const MILK: &str = "4006381333931";

/// Sells `qty` milk to `customer` on account; the till's answer.
async fn sell_on_account(t: &Till, customer: &str, qty: i64) -> pos_core::CoreResult<sales::Sale> {
    let mut cart = Cart::default();
    till::add_code(&t.db, &t.terminal, &mut cart, MILK, qty * 1000)
        .await
        .expect("scan");
    cart.customer_id = Some(customer.to_owned());
    let total = pos_core::checkout::price(&cart, t.terminal.currency)
        .expect("priced")
        .total_minor;
    cart.tenders = vec![Tender::OnAccount {
        amount_minor: total,
    }];
    sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None).await
}

async fn owed_at(t: &Till, customer: &str) -> (i64, i64) {
    let c = customers::get(&t.db, customer).await.expect("customer");
    (c.credit_limit_minor, c.balance_minor)
}

async fn synced(tills: &[&Till]) {
    for t in tills {
        t.sync().await.expect("sync");
        t.wait_projected().await;
    }
    for t in tills {
        t.sync().await.expect("sync after projection");
    }
}

/// The server's view of the account: (balance, sum of its entries, entries).
async fn on_server(cloud: &Cloud, customer: &str) -> (i64, i64, usize) {
    let (status, acc) = cloud
        .call(
            Method::GET,
            &format!("/api/customers/{customer}"),
            &cloud.manager,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "account: {acc}");
    let entries = acc["entries"].as_array().expect("entries");
    let sum = entries
        .iter()
        .map(|e| e["amount_minor"].as_i64().unwrap())
        .sum();
    (
        acc["customer"]["balance_minor"].as_i64().unwrap(),
        sum,
        entries.len(),
    )
}

#[tokio::test]
async fn a_customer_owes_the_same_at_every_till_and_on_the_server() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    cloud.product("MILK", 129, MILK, 100).await;
    let a = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till A").await;
    let b = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till B").await;

    // A manager opens an account in the portal.
    let (status, cafe) = cloud
        .call(
            Method::POST,
            "/api/customers",
            &cloud.manager,
            Some(json!({ "name": "Café Nord", "phone": "+49 40 123456",
                         "credit_limit_minor": 1000 })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "customer: {cafe}");
    let cafe = cafe["customer_id"].as_str().unwrap().to_owned();
    let (status, bad) = cloud
        .call(
            Method::POST,
            "/api/customers",
            &cloud.manager,
            Some(json!({ "name": "X", "email": "not-an-address" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad["message"].as_str().unwrap().contains("email"), "{bad}");

    // Till A finds it, and also opens an account of its own.
    a.sync().await.expect("sync A");
    assert_eq!(owed_at(&a, &cafe).await, (1000, 0));
    let who = &a.cashier;
    let ann = customers::add(
        &a.db,
        who,
        &customers::NewCustomer {
            name: "Ann Baker".into(),
            credit_limit_minor: 500,
            ..Default::default()
        },
    )
    .await
    .expect("customer at the till");
    let sale = sell_on_account(&a, &cafe, 4).await.expect("on account");
    assert_eq!(sale.total_minor, 516);
    assert_eq!(owed_at(&a, &cafe).await, (1000, 516));

    // Till B learns both, with what Café Nord owes, and takes a payment offline.
    synced(&[&a, &b]).await;
    assert_eq!(owed_at(&b, &cafe).await, (1000, 516), "B sees A's sale");
    assert_eq!(owed_at(&b, &ann.id).await, (500, 0), "B finds A's customer");
    customers::pay_debt(&b.db, &b.cashier, &cafe, 200)
        .await
        .expect("payment at B");
    assert_eq!(owed_at(&b, &cafe).await.1, 316);
    // The limit holds against the shared balance: 316 + 4 x 129 = 832 fits, 8 more do not.
    let refused = sell_on_account(&b, &cafe, 6)
        .await
        .expect_err("over the limit");
    assert!(
        matches!(refused, CoreError::CreditLimitExceeded { .. }),
        "refused for the limit: {refused}"
    );
    sell_on_account(&b, &cafe, 4)
        .await
        .expect("within the limit");
    assert_eq!(owed_at(&b, &cafe).await.1, 832);

    // Everyone agrees once both have synced, and each entry counts once.
    synced(&[&a, &b]).await;
    for t in [&a, &b] {
        assert_eq!(
            owed_at(t, &cafe).await,
            (1000, 832),
            "{}",
            t.terminal.terminal_id
        );
    }
    assert_eq!(
        on_server(&cloud, &cafe).await,
        (832, 832, 3),
        "the server's balance is the sum of the sale, payment and sale entries"
    );

    // The manager raises the limit; the tills get it with the balance they already had.
    let (status, raised) = cloud
        .call(
            Method::PATCH,
            &format!("/api/customers/{cafe}"),
            &cloud.manager,
            Some(json!({ "credit_limit_minor": 5000 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{raised}");
    assert_eq!(
        raised["balance_minor"], 832,
        "a PATCH never touches the balance"
    );
    a.sync().await.expect("sync A");
    assert_eq!(owed_at(&a, &cafe).await, (5000, 832));

    let (status, list) = cloud
        .call(Method::GET, "/api/customers?q=caf", &cloud.manager, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Café Nord"], "search by name prefix, any case");

    // Another company sees none of it.
    let other = other_company_manager(&cloud).await;
    let (status, _) = cloud
        .call(Method::GET, &format!("/api/customers/{cafe}"), &other, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "tenants are apart");
    let (status, list) = cloud
        .call(Method::GET, "/api/customers", &other, None)
        .await;
    assert_eq!((status, list), (StatusCode::OK, json!([])));
}

/// The company admin of a second tenant on the same server.
async fn other_company_manager(cloud: &Cloud) -> String {
    let login = |email: &str, password: &str| {
        let (http, url) = (cloud.http.clone(), format!("{}/api/auth/login", cloud.base));
        let body = json!({ "email": email, "password": password });
        async move {
            let v: Value = http
                .post(url)
                .json(&body)
                .send()
                .await
                .expect("login")
                .json()
                .await
                .expect("body");
            v["access_token"].as_str().expect("token").to_owned()
        }
    };
    let platform = login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, c) = cloud
        .call(
            Method::POST,
            "/api/companies",
            &platform,
            Some(json!({ "name": "Other Market", "plan": "business",
                "admin": { "name": "Olga", "email": "olga@other.test", "password": "company-password" } })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    login("olga@other.test", "company-password").await
}

#[tokio::test]
async fn a_server_upgraded_from_before_accounts_builds_them_from_the_journal() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let addr = server.addr;
    let cloud = Cloud::new(&server.base, &prefix).await;
    cloud.product("MILK", 129, MILK, 100).await;
    let a = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till A").await;
    let ann = customers::add(
        &a.db,
        &a.cashier,
        &customers::NewCustomer {
            name: "Ann Baker".into(),
            credit_limit_minor: 1000,
            ..Default::default()
        },
    )
    .await
    .expect("customer");
    sell_on_account(&a, &ann.id, 2).await.expect("on account");
    customers::pay_debt(&a.db, &a.cashier, &ann.id, 100)
        .await
        .expect("payment");
    synced(&[&a]).await;
    assert_eq!(owed_at(&a, &ann.id).await.1, 158);

    // A server from before customer accounts had no debtdb: its journal is all there is.
    cloud.drop_database("debtdb").await;
    server.shut_down().await;
    let _server = start_at(config(&prefix), addr).await;
    assert_eq!(
        on_server(&cloud, &ann.id).await,
        (158, 158, 2),
        "the sale and the payment, rebuilt once from the stored journal"
    );
    a.sync().await.expect("sync after the upgrade");
    assert_eq!(
        owed_at(&a, &ann.id).await,
        (1000, 158),
        "the till counts each entry once: neither lost nor doubled"
    );
}
