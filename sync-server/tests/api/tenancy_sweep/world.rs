//! Two companies, each with a shop holding one of everything a route can name (product,
//! promotion, customer, cashier, till, a sale with its shift and its oversold exception),
//! and a second shop in the first company: the ids the sweep aims at other tenants.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, Tenant, TestApp};
use crate::journal::Journal;

/// What a route's id can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Company,
    Shop,
    Product,
    Promotion,
    Customer,
    Exception,
    Order,
    Shift,
    User,
    Terminal,
    Payment,
    WebOrder,
}

impl Kind {
    /// Objects that belong to one shop: what a manager of another shop of the same
    /// company must not reach (company-wide ones, such as products, they may).
    pub fn shop_scoped(self) -> bool {
        matches!(
            self,
            Kind::Shop
                | Kind::Exception
                | Kind::Order
                | Kind::Shift
                | Kind::User
                | Kind::Terminal
                | Kind::Payment
                | Kind::WebOrder
        )
    }
}

/// One shop's objects, with names no other tenant's answer may ever contain.
pub struct ShopWorld {
    pub ids: HashMap<Kind, String>,
    pub secrets: Vec<String>,
}

/// A customer of the company's storefront: may order from any of its shops.
pub const STOREFRONT_CUSTOMER: &str = "storefront customer";

/// A company's callers (one token per role) and its first shop.
pub struct Caller {
    pub roles: Vec<(&'static str, String)>,
    pub shop: ShopWorld,
}

/// The tokens of company `t`: admin, manager, a cashier logged in by PIN, an enrolled till,
/// a customer who registered themselves and one of the company's storefront.
pub async fn callers(app: &TestApp, t: &Tenant, shop: ShopWorld) -> Caller {
    let (_, cashier) = app.cashier(t, "2580").await;
    let (_, device) = app.terminal(t, "Sweep till").await;
    let email = format!("customer-{}@sweep.test", uuid::Uuid::now_v7().simple());
    let (status, registered) = app
        .post(
            "/api/auth/register",
            None,
            json!({ "email": email, "password": PASSWORD, "name": "Sweep customer" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let customer = registered["access_token"].as_str().unwrap().to_string();
    let (_, shopper) = crate::web_orders::customer(app, &t.company_id).await;
    Caller {
        roles: vec![
            ("company admin", t.admin.clone()),
            ("shop manager", t.manager.clone()),
            ("cashier", cashier),
            ("terminal", device),
            ("customer", customer),
            (STOREFRONT_CUSTOMER, shopper),
        ],
        shop,
    }
}

/// Fills `shop` of tenant `t` (whose manager's token is `manager`) with one object of
/// every kind, named after `secret`; `product` reuses a company product when given.
pub async fn seed_shop(
    app: &TestApp,
    t: &Tenant,
    shop: &str,
    manager: &str,
    secret: &str,
    product: Option<&str>,
) -> ShopWorld {
    let mut ids = HashMap::from([
        (Kind::Company, t.company_id.clone()),
        (Kind::Shop, shop.to_string()),
    ]);
    let mut secrets = vec![secret.to_string()];
    let product = match product {
        Some(p) => p.to_string(),
        None => {
            let name = format!("{secret} coffee");
            let sku = format!("SW-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
            let body = json!({ "sku": sku, "name": name, "price_minor": 250, "tax_rate_bp": 1900 });
            let p = created(app, Method::POST, "/api/catalog/products", manager, body).await;
            secrets.push(name);
            p["id"].as_str().unwrap().to_string()
        }
    };
    ids.insert(Kind::Product, product.clone());

    let name = format!("{secret} deal");
    let body = json!({ "name": name, "shop_ids": [shop],
        "terms": { "type": "multi_buy", "product_id": product, "buy": 3, "pay": 2 } });
    let promo = created(app, Method::POST, "/api/catalog/promotions", manager, body).await;
    ids.insert(Kind::Promotion, promo["id"].as_str().unwrap().to_string());
    secrets.push(name);

    let name = format!("{secret} patron");
    let body = json!({ "name": name, "credit_limit_minor": 5000 });
    let customer = created(app, Method::POST, "/api/customers", manager, body).await;
    ids.insert(
        Kind::Customer,
        customer["customer_id"].as_str().unwrap().to_string(),
    );
    secrets.push(name);

    let name = format!("{secret} cashier");
    let body = json!({ "name": name, "role": "cashier", "pin": "1470" });
    let staff = created(
        app,
        Method::POST,
        &format!("/api/shops/{shop}/staff"),
        manager,
        body,
    )
    .await;
    ids.insert(Kind::User, staff["user_id"].as_str().unwrap().to_string());
    secrets.push(name);

    let name = format!("{secret} till");
    let (terminal, device) = app.terminal_at(shop, manager, &name).await;
    ids.insert(Kind::Terminal, terminal.clone());
    secrets.push(name);

    // A sale from empty stock: an order, its shift and an `oversold` exception.
    let shift = uuid::Uuid::now_v7().to_string();
    let mut journal = Journal::new(&terminal);
    journal.append("shift_opened", json!({ "id": shift }));
    let sale = journal.sale(&product, 1, 250);
    journal.sync(app, &device).await;
    ids.insert(Kind::Order, sale);
    let exceptions = listed(
        app,
        &format!("/api/inventory/exceptions?shop_id={shop}"),
        manager,
    )
    .await;
    ids.insert(
        Kind::Exception,
        exceptions[0]["id"].as_str().unwrap().to_string(),
    );
    listed(app, &format!("/api/sales/shifts?shop_id={shop}"), manager).await;
    let (status, _) = app
        .get(&format!("/api/sales/shifts/{shift}"), manager)
        .await;
    assert_eq!(status, StatusCode::OK, "the shift is readable by its id");
    ids.insert(Kind::Shift, shift);
    let body = json!({ "order_id": format!("{secret} order"), "shop_id": shop,
        "amount_minor": 250, "provider": "paypal" });
    let (status, payment, _) = crate::payment::post_keyed(
        app,
        "/api/payments/intents",
        manager,
        &crate::payment::key(),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "payment opened: {payment}");
    ids.insert(
        Kind::Payment,
        payment["payment_id"].as_str().unwrap().to_string(),
    );
    secrets.push(format!("{secret} order"));
    // A storefront customer's web order, delivered to a name only this shop's answers hold.
    let (_, shopper) = crate::web_orders::customer(app, &t.company_id).await;
    let name = format!("{secret} web");
    let web = crate::web_orders::order(app, &shopper, shop, &product, 1, &name).await;
    ids.insert(Kind::WebOrder, web["_id"].as_str().unwrap().to_string());
    secrets.push(name);
    ShopWorld { ids, secrets }
}

/// A second shop of `t` with its own manager (logged in); returns (shop, manager token).
pub async fn second_shop(app: &TestApp, t: &Tenant, name: &str) -> (String, String) {
    let (status, shop) = app.create_shop(&t.admin, name).await;
    assert_eq!(status, StatusCode::CREATED, "{shop}");
    let shop = shop["id"].as_str().unwrap().to_string();
    let email = format!("manager-{}@sweep.test", uuid::Uuid::now_v7().simple());
    let body = json!({ "name": format!("{name} manager"), "role": "shop_manager",
        "email": email, "password": PASSWORD, "pin": "3690" });
    let (status, m) = app.add_staff(&t.admin, &shop, body).await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    let token = app.login(&email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    (shop, token)
}

async fn created(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> Value {
    let (status, v) = app.call(method, path, Some(token), Some(body)).await;
    assert!(status.is_success(), "{path}: {status} {v}");
    v
}

async fn listed(app: &TestApp, path: &str, token: &str) -> Vec<Value> {
    let (status, v) = app.get(path, token).await;
    assert_eq!(status, StatusCode::OK, "{path}: {v}");
    let list = v.as_array().unwrap().clone();
    assert!(!list.is_empty(), "{path} lists the seeded object");
    list
}
