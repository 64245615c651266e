//! `spawn_app()`: a fresh server per test, and one method per endpoint the tests use.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sync_server::config::Config;
use tokio_util::sync::CancellationToken;

pub const ADMIN_EMAIL: &str = "platform@kassa.test";
pub const ADMIN_PASSWORD: &str = "platform-password";
pub const PASSWORD: &str = "company-password";

pub use sync_server::testing::{amqp_uri, mongo_uri};

pub fn test_config(prefix: &str) -> Config {
    sync_server::testing::config(prefix, ADMIN_EMAIL, ADMIN_PASSWORD)
}

pub struct TestApp {
    pub base: String,
    pub prefix: String,
    pub http: reqwest::Client,
    pub admin: String,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(tune: impl FnOnce(&mut Config)) -> TestApp {
    let prefix = sync_server::testing::fresh_prefix('t');
    let mut config = test_config(&prefix);
    tune(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        if let Err(e) = sync_server::run(config, listener, stop).await {
            eprintln!("test server failed: {e:#}");
        }
    });
    let mut app = TestApp {
        base,
        prefix,
        http: reqwest::Client::new(),
        admin: String::new(),
        shutdown,
    };
    let (status, body) = app
        .call(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "bootstrap admin can log in: {body}");
    app.admin = body["access_token"].as_str().unwrap().to_string();
    app
}

/// A company with its admin logged in, one shop, and a manager of that shop.
#[derive(Clone)]
pub struct Tenant {
    pub company_id: String,
    pub admin: String,
    pub shop_id: String,
    pub manager: String,
}

impl TestApp {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("server reachable");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/auth/login",
                None,
                json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login of {email}: {body}");
        body
    }

    pub async fn create_company(&self, name: &str, plan: &str) -> (String, String) {
        let email = format!(
            "admin-{}@{}.test",
            uuid::Uuid::now_v7().simple(),
            name.to_lowercase().replace(' ', "-")
        );
        let (status, body) = self
            .post("/api/companies", Some(&self.admin), json!({ "name": name, "plan": plan, "currency": "EUR", "admin": { "email": email, "password": PASSWORD, "name": format!("{name} admin") } }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "company created: {body}");
        let token = self.login(&email, PASSWORD).await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        (body["id"].as_str().unwrap().to_string(), token)
    }

    pub async fn create_shop(&self, admin: &str, name: &str) -> (StatusCode, Value) {
        self.post(
            "/api/shops",
            Some(admin),
            json!({ "name": name, "address": "1 Test Street" }),
        )
        .await
    }

    pub async fn add_staff(&self, token: &str, shop: &str, body: Value) -> (StatusCode, Value) {
        self.post(&format!("/api/shops/{shop}/staff"), Some(token), body)
            .await
    }

    /// A business-plan company with a shop and a logged-in manager.
    pub async fn tenant(&self, name: &str) -> Tenant {
        let (company_id, admin) = self.create_company(name, "business").await;
        let (status, shop) = self.create_shop(&admin, &format!("{name} Central")).await;
        assert_eq!(status, StatusCode::CREATED, "shop created: {shop}");
        let shop_id = shop["id"].as_str().unwrap().to_string();
        let email = format!("manager-{}@kassa.test", uuid::Uuid::now_v7().simple());
        let (status, member) = self
            .add_staff(&admin, &shop_id, json!({ "name": "Manager", "role": "shop_manager", "email": email, "password": PASSWORD, "pin": "4321" }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "manager added: {member}");
        let manager = self.login(&email, PASSWORD).await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        Tenant {
            company_id,
            admin,
            shop_id,
            manager,
        }
    }

    /// A cashier with a PIN, logged in by PIN; returns (user id, access token).
    pub async fn cashier(&self, t: &Tenant, pin: &str) -> (String, String) {
        let (status, c) = self
            .add_staff(
                &t.manager,
                &t.shop_id,
                json!({ "name": "Cashier", "role": "cashier", "pin": pin }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "cashier added: {c}");
        let id = c["user_id"].as_str().unwrap().to_string();
        // PIN login happens at a till of the shop.
        let (_, till) = self.terminal(t, "PIN till").await;
        let (status, s) = self
            .post(
                "/api/auth/pin-login",
                Some(&till),
                json!({ "shop_id": t.shop_id, "user_id": id, "pin": pin }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "cashier PIN login: {s}");
        (id, s["access_token"].as_str().unwrap().to_string())
    }

    /// Enrolls a terminal into the tenant's shop; returns the enrollment answer.
    pub async fn enroll(&self, t: &Tenant, name: &str) -> Value {
        self.enroll_at(&t.shop_id, &t.manager, name).await
    }

    /// Enrolls a terminal into `shop` with a code made by `token`'s holder.
    pub async fn enroll_at(&self, shop: &str, token: &str, name: &str) -> Value {
        let path = format!("/api/shops/{shop}/enrollment-codes");
        let (status, code) = self.post(&path, Some(token), json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "enrollment code: {code}");
        let body = json!({ "code": code["code"], "name": name });
        let (status, enrolled) = self.post("/api/terminals/enroll", None, body).await;
        assert_eq!(status, StatusCode::CREATED, "enrolled: {enrolled}");
        enrolled
    }
}

impl TestApp {
    /// A sync request: protocol header and a device token.
    pub async fn sync_call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(
                "x-kassa-protocol",
                pos_shared::sync::PROTOCOL_VERSION.to_string(),
            )
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("server reachable");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Enrolls a terminal and returns (terminal id, device token).
    pub async fn terminal(&self, t: &Tenant, name: &str) -> (String, String) {
        self.terminal_at(&t.shop_id, &t.manager, name).await
    }

    /// [`TestApp::terminal`] in any shop, with a code made by `token`'s holder.
    pub async fn terminal_at(&self, shop: &str, token: &str, name: &str) -> (String, String) {
        let enrolled = self.enroll_at(shop, token, name).await;
        let id = enrolled["terminal_id"].as_str().unwrap().to_string();
        let (status, tok) = self
            .post(
                "/api/auth/device-token",
                None,
                json!({ "terminal_id": id, "secret": enrolled["secret"] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "device token: {tok}");
        (id, tok["access_token"].as_str().unwrap().to_string())
    }

    /// Creates a catalog product as the tenant's manager; returns its id.
    pub async fn product(&self, t: &Tenant, sku: &str, price_minor: i64, barcode: &str) -> String {
        let (status, p) = self
            .post(
                "/api/catalog/products",
                Some(&t.manager),
                json!({ "sku": sku, "name": format!("Product {sku}"), "barcodes": [barcode],
                        "price_minor": price_minor, "tax_rate_bp": 1900 }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "product created: {p}");
        p["id"].as_str().unwrap().to_string()
    }
}

/// Every error body has a machine code and a human message.
pub fn assert_error_shape(status: StatusCode, body: &Value) {
    assert!(
        body["code"].is_string() && body["message"].is_string(),
        "{status} must carry {{code, message}}: {body}"
    );
}
