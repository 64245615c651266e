//! The cloud side of an end-to-end test: a tenant with a shop and a manager created over
//! REST, and what the tests read back (orders, balances, exceptions), from the API where it
//! exists and straight from MongoDB for ledger sums no endpoint exposes.

use mongodb::bson::{Document, doc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{ADMIN_EMAIL, ADMIN_PASSWORD};

/// A company with one shop and its manager, on a running server.
pub struct Cloud {
    pub base: String,
    pub prefix: String,
    pub http: reqwest::Client,
    pub manager: String,
    /// The company admin's token (opens shops, enrolls tills anywhere in the company).
    pub company_admin: String,
    /// The platform admin's token (audit chain checks).
    pub platform_admin: String,
    pub shop_id: String,
    pub company_id: String,
}

impl Cloud {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("server reachable");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Sets up a tenant through the REST API as a platform admin would.
    pub async fn new(base: &str, prefix: &str) -> Self {
        let http = reqwest::Client::new();
        let login = |email: String, password: String| {
            let http = http.clone();
            let url = format!("{base}/api/auth/login");
            async move {
                let v: Value = http
                    .post(url)
                    .json(&json!({ "email": email, "password": password }))
                    .send()
                    .await
                    .expect("login")
                    .json()
                    .await
                    .expect("login body");
                v["access_token"].as_str().expect("token").to_string()
            }
        };
        let admin = login(ADMIN_EMAIL.into(), ADMIN_PASSWORD.into()).await;
        let mut cloud = Cloud {
            base: base.to_string(),
            prefix: prefix.to_string(),
            http: http.clone(),
            manager: String::new(),
            company_admin: String::new(),
            platform_admin: admin.clone(),
            shop_id: String::new(),
            company_id: String::new(),
        };
        let (status, company) = cloud
            .call(
                Method::POST,
                "/api/companies",
                &admin,
                Some(json!({ "name": "Sync Market", "plan": "business",
                    "admin": { "name": "Admin", "email": "admin@sync.test", "password": "company-password" } })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "company: {company}");
        cloud.company_id = company["id"].as_str().unwrap().to_string();
        let company_admin = login("admin@sync.test".into(), "company-password".into()).await;
        let (status, shop) = cloud
            .call(
                Method::POST,
                "/api/shops",
                &company_admin,
                Some(json!({ "name": "Sync Central" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "shop: {shop}");
        cloud.shop_id = shop["id"].as_str().unwrap().to_string();
        let (status, m) = cloud
            .call(
                Method::POST,
                &format!("/api/shops/{}/staff", cloud.shop_id),
                &company_admin,
                Some(
                    json!({ "name": "Mia", "role": "shop_manager", "email": "mia@sync.test",
                             "password": "company-password", "pin": "4321" }),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "manager: {m}");
        cloud.manager = login("mia@sync.test".into(), "company-password".into()).await;
        cloud.company_admin = company_admin;
        cloud
    }

    /// Opens another shop of the company with a manager whose till PIN is `pin`; returns
    /// the shop's id.
    pub async fn open_shop(&self, name: &str, manager_email: &str, pin: &str) -> String {
        let (status, shop) = self
            .call(
                Method::POST,
                "/api/shops",
                &self.company_admin,
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "shop: {shop}");
        let shop_id = shop["id"].as_str().unwrap().to_string();
        let (status, m) = self
            .call(
                Method::POST,
                &format!("/api/shops/{shop_id}/staff"),
                &self.company_admin,
                Some(
                    json!({ "name": name, "role": "shop_manager", "email": manager_email,
                             "password": "company-password", "pin": pin }),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "manager: {m}");
        shop_id
    }

    /// A single-use enrollment code for any shop of the company (the company admin's).
    pub async fn enrollment_code_at(&self, shop_id: &str) -> String {
        self.code(shop_id, &self.company_admin).await
    }

    /// An order with its linked refunds, as a manager of the first shop reads it.
    pub async fn order(&self, id: &str) -> Value {
        let (status, order) = self
            .call(
                Method::GET,
                &format!("/api/sales/orders/{id}"),
                &self.manager,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "order {id}: {order}");
        order
    }

    /// The server's stock of a product in a shop, in thousandths (REST, as a manager sees it).
    pub async fn balance_at(&self, shop_id: &str, product: &str) -> i64 {
        let (status, list) = self
            .call(
                Method::GET,
                &format!("/api/inventory/balances?shop_id={shop_id}&limit=500"),
                &self.company_admin,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list.as_array()
            .unwrap()
            .iter()
            .find(|b| b["product_id"] == product)
            .map_or(0, |b| b["on_hand_milli"].as_i64().unwrap())
    }

    /// A single-use enrollment code for the first shop, made by its manager.
    pub async fn enrollment_code(&self) -> String {
        self.code(&self.shop_id, &self.manager).await
    }

    async fn code(&self, shop_id: &str, token: &str) -> String {
        let (status, code) = self
            .call(
                Method::POST,
                &format!("/api/shops/{shop_id}/enrollment-codes"),
                token,
                Some(json!({})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "code: {code}");
        code["code"].as_str().unwrap().to_string()
    }

    /// A product with `stock` units in the shop; returns its id.
    pub async fn product(&self, sku: &str, price_minor: i64, barcode: &str, stock: i64) -> String {
        let (status, p) = self
            .call(
                Method::POST,
                "/api/catalog/products",
                &self.manager,
                Some(
                    json!({ "sku": sku, "name": format!("Product {sku}"), "barcodes": [barcode],
                             "price_minor": price_minor, "tax_rate_bp": 1900 }),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "product: {p}");
        let id = p["id"].as_str().unwrap().to_string();
        if stock != 0 {
            let (status, b) = self
                .call(
                    Method::POST,
                    "/api/inventory/adjustments",
                    &self.manager,
                    Some(json!({ "shop_id": self.shop_id, "product_id": id, "delta_milli": stock * 1000,
                                 "reason": "opening", "idempotency_key": format!("open-{sku}") })),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "stock: {b}");
        }
        id
    }

    pub async fn set_price(&self, product: &str, price_minor: i64) {
        let (status, p) = self
            .call(
                Method::PATCH,
                &format!("/api/catalog/products/{product}"),
                &self.manager,
                Some(json!({ "price_minor": price_minor })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "price: {p}");
    }

    pub async fn exceptions(&self) -> Vec<Value> {
        let (status, list) = self
            .call(
                Method::GET,
                &format!(
                    "/api/inventory/exceptions?shop_id={}&limit=200",
                    self.shop_id
                ),
                &self.manager,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list.as_array().unwrap().clone()
    }

    /// The shop's exceptions of one kind (`oversold`, `over_refund`...).
    pub async fn exceptions_of(&self, kind: &str) -> Vec<Value> {
        let mut list = self.exceptions().await;
        list.retain(|e| e["kind"] == kind);
        list
    }

    /// Drops one of this test's service databases (to stand for a server that never had
    /// it, such as one upgraded from an older version).
    pub async fn drop_database(&self, name: &str) {
        self.db(name).await.drop().await.expect("drop database");
    }

    /// Compacts every change log of this test's server now, as its timer would.
    pub async fn compact(&self) -> u64 {
        let mut deleted = 0;
        for name in ["ecommercedb", "inventorydb", "shopdb", "debtdb"] {
            deleted += sync_server::compaction::compact(&self.db(name).await)
                .await
                .expect("compaction");
        }
        deleted
    }

    pub async fn db(&self, name: &str) -> mongodb::Database {
        mongodb::Client::with_uri_str(crate::mongo_uri())
            .await
            .expect("mongo")
            .database(&format!("{}{name}", self.prefix))
    }

    /// Sale ids the server holds for the shop, with how many times each is there.
    pub async fn order_counts(&self) -> std::collections::HashMap<String, u32> {
        let orders: Vec<Document> = futures_collect(
            self.db("salesdb")
                .await
                .collection::<Document>("orders")
                .find(doc! { "shop_id": &self.shop_id })
                .await
                .expect("orders"),
        )
        .await;
        let mut counts = std::collections::HashMap::new();
        for o in orders {
            *counts
                .entry(o.get_str("_id").unwrap().to_string())
                .or_insert(0) += 1;
        }
        counts
    }

    /// Sequences of the records the server stored for a terminal, in order (read out of
    /// the batches they were pushed in).
    pub async fn sequences(&self, terminal_id: &str) -> Vec<i64> {
        let docs: Vec<Document> = futures_collect(
            self.db("salesdb")
                .await
                .collection::<Document>("journal_batches")
                .find(doc! { "terminal_id": terminal_id })
                .sort(doc! { "epoch": 1, "from": 1 })
                .await
                .expect("journal"),
        )
        .await;
        docs.iter()
            .flat_map(|d| {
                sync_server::services::sync::batches::Batch::from_doc(d)
                    .expect("a readable journal batch")
                    .records
            })
            .map(|r| r.seq)
            .collect()
    }

    /// (balance, sum of movements) of a product in the shop, straight from the ledger.
    pub async fn ledger(&self, product: &str) -> (i64, i64) {
        let inv = self.db("inventorydb").await;
        let balance = inv
            .collection::<Document>("balances")
            .find_one(doc! { "shop_id": &self.shop_id, "product_id": product })
            .await
            .expect("balance")
            .and_then(|d| d.get_i64("on_hand_milli").ok())
            .unwrap_or(0);
        let moves: Vec<Document> = futures_collect(
            inv.collection::<Document>("movements")
                .find(doc! { "shop_id": &self.shop_id, "product_id": product })
                .await
                .expect("movements"),
        )
        .await;
        let sum = moves
            .iter()
            .map(|d| d.get_i64("delta_milli").unwrap())
            .sum();
        (balance, sum)
    }
}

async fn futures_collect(mut cursor: mongodb::Cursor<Document>) -> Vec<Document> {
    let mut out = Vec::new();
    while cursor.advance().await.expect("cursor") {
        out.push(cursor.deserialize_current().expect("document"));
    }
    out
}
