//! The cloud side of the Kassa run, over REST as a platform admin and a manager would do
//! it: a company with a shop and a manager, enrollment codes, the bulk product import and
//! opening stock. These calls go straight to the server, not through the counting proxy:
//! they are setup, not sync.

use anyhow::{Context, bail};
use pos_shared::sync::CatalogProduct;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::server::{ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::dataset::GenProduct;

/// Products per import request (the server's body limit is 1 MiB).
const IMPORT_BATCH: usize = 1000;

/// A company with one shop and its logged-in manager.
#[derive(Debug)]
pub struct Tenant {
    base: String,
    http: reqwest::Client,
    manager: String,
    pub shop_id: String,
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> anyhow::Result<(StatusCode, Value)> {
    let mut req = http.request(method, format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req
        .send()
        .await
        .with_context(|| format!("calling {path}"))?;
    let status = resp.status();
    Ok((status, resp.json().await.unwrap_or(Value::Null)))
}

async fn expect(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Value,
    want: StatusCode,
) -> anyhow::Result<Value> {
    let (status, v) = call(http, base, method, path, token, Some(body)).await?;
    if status != want {
        bail!("{path}: expected {want}, got {status}: {v}");
    }
    Ok(v)
}

async fn login(
    http: &reqwest::Client,
    base: &str,
    email: &str,
    pw: &str,
) -> anyhow::Result<String> {
    let body = json!({ "email": email, "password": pw });
    let v = expect(
        http,
        base,
        Method::POST,
        "/api/auth/login",
        None,
        body,
        StatusCode::OK,
    )
    .await?;
    v["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("login answered without a token")
}

impl Tenant {
    /// Creates company `tag` with a shop and a shop manager.
    pub async fn create(base: &str, tag: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::new();
        let admin = login(&http, base, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        let (owner, pw) = (format!("admin@{tag}.bench"), "company-password");
        let body = json!({ "name": format!("Bench {tag}"), "plan": "business",
            "admin": { "name": "Admin", "email": owner, "password": pw } });
        let created = StatusCode::CREATED;
        expect(
            &http,
            base,
            Method::POST,
            "/api/companies",
            Some(&admin),
            body,
            created,
        )
        .await?;
        let owner_token = login(&http, base, &owner, pw).await?;
        let body = json!({ "name": format!("{tag} Central") });
        let shop = expect(
            &http,
            base,
            Method::POST,
            "/api/shops",
            Some(&owner_token),
            body,
            created,
        )
        .await?;
        let shop_id = shop["id"].as_str().context("shop id")?.to_owned();
        let manager = format!("manager@{tag}.bench");
        let body = json!({ "name": "Mia", "role": "shop_manager", "email": manager,
            "password": pw, "pin": "4321" });
        let path = format!("/api/shops/{shop_id}/staff");
        expect(
            &http,
            base,
            Method::POST,
            &path,
            Some(&owner_token),
            body,
            created,
        )
        .await?;
        let manager = login(&http, base, &manager, pw).await?;
        Ok(Tenant {
            base: base.to_owned(),
            http,
            manager,
            shop_id,
        })
    }

    async fn post(&self, path: &str, body: Value, want: StatusCode) -> anyhow::Result<Value> {
        expect(
            &self.http,
            &self.base,
            Method::POST,
            path,
            Some(&self.manager),
            body,
            want,
        )
        .await
    }

    /// A single-use enrollment code for the shop.
    pub async fn enrollment_code(&self) -> anyhow::Result<String> {
        let path = format!("/api/shops/{}/enrollment-codes", self.shop_id);
        let v = self.post(&path, json!({}), StatusCode::CREATED).await?;
        v["code"]
            .as_str()
            .map(str::to_owned)
            .context("enrollment code")
    }

    /// Imports `products` through `POST /api/catalog/products/import`; returns them as the
    /// catalog stream carries them (with their server ids), in order.
    pub async fn import(&self, products: &[GenProduct]) -> anyhow::Result<Vec<CatalogProduct>> {
        let mut out = Vec::with_capacity(products.len());
        for batch in products.chunks(IMPORT_BATCH) {
            let rows: Vec<Value> = batch
                .iter()
                .map(|p| {
                    json!({ "sku": p.sku, "name": p.name, "category": p.category,
                        "barcodes": [p.barcode], "price_minor": p.price_minor,
                        "tax_rate_bp": p.tax_rate_bp })
                })
                .collect();
            let v = self
                .post(
                    "/api/catalog/products/import",
                    Value::Array(rows),
                    StatusCode::CREATED,
                )
                .await?;
            out.extend(serde_json::from_value::<Vec<CatalogProduct>>(v)?);
        }
        Ok(out)
    }

    /// A manager's price change in the portal (`PATCH /api/catalog/products/{id}`).
    pub async fn set_price(&self, product_id: &str, price_minor: i64) -> anyhow::Result<()> {
        expect(
            &self.http,
            &self.base,
            Method::PATCH,
            &format!("/api/catalog/products/{product_id}"),
            Some(&self.manager),
            json!({ "price_minor": price_minor }),
            StatusCode::OK,
        )
        .await
        .map(drop)
    }

    /// Opening stock of `units` for each product, so the backlog does not turn every sale
    /// into an oversold exception (a cost real shops do not pay).
    pub async fn open_stock(&self, products: &[CatalogProduct], units: i64) -> anyhow::Result<()> {
        for p in products {
            let body = json!({ "shop_id": self.shop_id, "product_id": p.id,
                "delta_milli": units * 1000, "reason": "opening",
                "idempotency_key": format!("open-{}", p.id) });
            self.post("/api/inventory/adjustments", body, StatusCode::OK)
                .await?;
        }
        Ok(())
    }

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let (status, v) = call(
            &self.http,
            &self.base,
            Method::GET,
            path,
            Some(&self.manager),
            None,
        )
        .await?;
        if status != StatusCode::OK {
            bail!("{path}: expected 200, got {status}: {v}");
        }
        Ok(v)
    }

    /// Each terminal of the shop as the manager sees it: (acked_through,
    /// projected_through).
    pub async fn positions(&self) -> anyhow::Result<Vec<(i64, i64)>> {
        let v = self
            .get(&format!("/api/shops/{}/presence", self.shop_id))
            .await?;
        v.as_array()
            .context("presence is a list")?
            .iter()
            .map(|t| {
                let n = |k: &str| t[k].as_i64().with_context(|| format!("presence {k}: {t}"));
                Ok((n("acked_through")?, n("projected_through")?))
            })
            .collect()
    }

    /// How many terminals of the shop hold a live socket right now.
    pub async fn online(&self) -> anyhow::Result<usize> {
        let v = self
            .get(&format!("/api/shops/{}/presence", self.shop_id))
            .await?;
        Ok(v.as_array()
            .context("presence is a list")?
            .iter()
            .filter(|t| t["online"] == true)
            .count())
    }

    /// On-hand stock per product id, in thousandths, as the inventory API lists it.
    pub async fn balances(&self) -> anyhow::Result<std::collections::HashMap<String, i64>> {
        const PAGE: usize = 200;
        let mut out = std::collections::HashMap::new();
        for offset in (0..).step_by(PAGE) {
            let v = self
                .get(&format!(
                    "/api/inventory/balances?shop_id={}&limit={PAGE}&offset={offset}",
                    self.shop_id
                ))
                .await?;
            let rows = v.as_array().context("balances are a list")?;
            for b in rows {
                let id = b["product_id"].as_str().context("balance product")?;
                let on_hand = b["on_hand_milli"].as_i64().context("balance on hand")?;
                out.insert(id.to_owned(), on_hand);
            }
            if rows.len() < PAGE {
                break;
            }
        }
        Ok(out)
    }
}
