//! Stock levels of a shop as managers read them: on-hand balances and the products at or
//! below their reorder level, each with the product's SKU and name (read from the catalog
//! in one query per page, so a page never costs a request per row), and a search by name,
//! SKU or barcode.

use std::collections::HashMap;

use axum::{
    Json,
    extract::{Query, State},
};
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{balances, ledger};
use crate::{
    db::{prefix_regex, rfc3339},
    error::ApiResult,
    gateway::{paging::Page, principal::Principal, tenancy::TenantScope},
    services::{catalog, shop::visible_shop},
    state::AppState,
};

#[derive(Debug, Deserialize, IntoParams)]
pub struct StockQuery {
    pub shop_id: String,
    /// Start of a product's name or SKU (any case) or barcode.
    pub q: Option<String>,
}

impl StockQuery {
    fn search(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }
}

/// What a stock row shows of its product.
#[derive(Debug, Clone, Default)]
pub(super) struct ProductName {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub is_weighed: bool,
}

/// SKU, name and unit of `ids` in the company's catalog (retired products included: their
/// stock and history still matter), in one query.
pub(super) async fn names(
    state: &AppState,
    company_id: &str,
    ids: &[String],
) -> mongodb::error::Result<HashMap<String, ProductName>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found: Vec<catalog::ProductDoc> =
        catalog::products_in(state, &TenantScope::company(company_id))
            .find(doc! { "_id": { "$in": ids } })
            .await?
            .try_collect()
            .await?;
    Ok(found
        .into_iter()
        .map(|p| {
            let name = ProductName {
                sku: Some(p.sku),
                name: Some(p.name),
                is_weighed: p.is_weighed,
            };
            (p.id, name)
        })
        .collect())
}

/// The catalog filter of a stock search: name or SKU (any case) or barcode starting with `q`.
fn search_filter(q: &str) -> Document {
    let prefix = prefix_regex(q);
    doc! { "$or": [
        { "name": { "$regex": &prefix, "$options": "i" } },
        { "sku": { "$regex": &prefix, "$options": "i" } },
        { "barcodes": { "$regex": &prefix } },
    ] }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceView {
    pub product_id: String,
    /// The product's SKU and name; absent if the catalog has no such product.
    pub sku: Option<String>,
    pub name: Option<String>,
    /// Sold by weight: quantities are grams (thousandths of a kilogram).
    pub is_weighed: bool,
    /// Thousandths of a unit; negative when more was sold than the server knew of.
    pub on_hand_milli: i64,
    /// RFC 3339 UTC of the last movement; absent for a product whose stock never moved in
    /// this shop (found by a search: it has none).
    pub updated_at: Option<String>,
}

/// Stock on hand per product in a shop: the sum of every movement the server has. Without
/// `q`, the products that have a balance, in the order they were created; with `q`, every
/// product matching it by SKU (a product never stocked here shows 0).
#[utoipa::path(get, path = "/api/inventory/balances", tag = "inventory", security(("bearer" = [])), params(StockQuery, Page),
    responses((status = 200, body = [BalanceView]), (status = 404, body = pos_shared::error::WireError)))]
pub async fn list_balances(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<StockQuery>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<BalanceView>>> {
    p.require(Role::Cashier)?;
    let shop = visible_shop(&state, &p, &q.shop_id).await?;
    if let Some(text) = q.search() {
        return Ok(Json(
            search_balances(&state, &shop.company_id, &shop.id, text, &page).await?,
        ));
    }
    let docs: Vec<Document> = balances(&state, &TenantScope::company(&shop.company_id))
        .find(doc! { "shop_id": &shop.id })
        .sort(doc! { "product_id": 1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    let ids: Vec<String> = docs
        .iter()
        .filter_map(|d| d.get_str("product_id").ok().map(str::to_owned))
        .collect();
    let names = names(&state, &shop.company_id, &ids).await?;
    Ok(Json(
        docs.iter()
            .map(|d| {
                let product_id = d.get_str("product_id").unwrap_or_default().to_string();
                let n = names.get(&product_id).cloned().unwrap_or_default();
                BalanceView {
                    sku: n.sku,
                    name: n.name,
                    is_weighed: n.is_weighed,
                    on_hand_milli: d.get_i64("on_hand_milli").unwrap_or_default(),
                    updated_at: d.get_datetime("updated_at").ok().map(|t| rfc3339(*t)),
                    product_id,
                }
            })
            .collect(),
    ))
}

/// A page of the catalog's matches for `q`, by SKU, each with its balance in the shop.
async fn search_balances(
    state: &AppState,
    company_id: &str,
    shop_id: &str,
    q: &str,
    page: &Page,
) -> mongodb::error::Result<Vec<BalanceView>> {
    let found: Vec<catalog::ProductDoc> =
        catalog::products_in(state, &TenantScope::company(company_id))
            .find(search_filter(q))
            .sort(doc! { "sku": 1 })
            .skip(page.offset)
            .limit(page.limit_i64())
            .await?
            .try_collect()
            .await?;
    let keys: Vec<String> = found
        .iter()
        .map(|p| format!("{shop_id}:{}", p.id))
        .collect();
    let stored: HashMap<String, Document> = balances(state, &TenantScope::company(company_id))
        .find(doc! { "_id": { "$in": keys } })
        .await?
        .try_collect::<Vec<Document>>()
        .await?
        .into_iter()
        .filter_map(|d| Some((d.get_str("product_id").ok()?.to_owned(), d)))
        .collect();
    Ok(found
        .into_iter()
        .map(|p| {
            let b = stored.get(&p.id);
            BalanceView {
                on_hand_milli: b
                    .and_then(|d| d.get_i64("on_hand_milli").ok())
                    .unwrap_or_default(),
                updated_at: b
                    .and_then(|d| d.get_datetime("updated_at").ok())
                    .map(|t| rfc3339(*t)),
                sku: Some(p.sku),
                name: Some(p.name),
                is_weighed: p.is_weighed,
                product_id: p.id,
            }
        })
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LowStockView {
    pub product_id: String,
    pub sku: Option<String>,
    pub name: Option<String>,
    pub is_weighed: bool,
    pub on_hand_milli: i64,
    pub level_milli: i64,
    /// At or below the reorder level.
    pub low: bool,
}

/// Products of a shop at or below their reorder level, lowest stock first; `q` narrows them
/// by name, SKU or barcode.
#[utoipa::path(get, path = "/api/inventory/low-stock", tag = "inventory", security(("bearer" = [])), params(StockQuery),
    responses((status = 200, body = [LowStockView]), (status = 403, body = pos_shared::error::WireError)))]
pub async fn list_low_stock(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<StockQuery>,
) -> ApiResult<Json<Vec<LowStockView>>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &q.shop_id).await?;
    let levels: HashMap<String, i64> =
        super::reorder_levels(&state, &TenantScope::company(&shop.company_id))
            .find(doc! { "shop_id": &shop.id })
            .await?
            .try_collect::<Vec<Document>>()
            .await?
            .iter()
            .filter_map(|d| {
                Some((
                    d.get_str("product_id").ok()?.to_owned(),
                    d.get_i64("level_milli").ok()?,
                ))
            })
            .collect();
    let products: Vec<String> = levels.keys().cloned().collect();
    let on_hand = ledger::on_hand(&state, &shop.company_id, &shop.id, &products).await?;
    let low_ids: Vec<String> = products
        .into_iter()
        .filter(|id| on_hand.get(id).copied().unwrap_or_default() <= levels[id])
        .collect();
    let names: HashMap<String, ProductName> = match q.search() {
        Some(text) => {
            let mut f = search_filter(text);
            f.insert("_id", doc! { "$in": &low_ids });
            let found: Vec<catalog::ProductDoc> =
                catalog::products_in(&state, &TenantScope::company(&shop.company_id))
                    .find(f)
                    .await?
                    .try_collect()
                    .await?;
            found
                .into_iter()
                .map(|p| {
                    let n = ProductName {
                        sku: Some(p.sku),
                        name: Some(p.name),
                        is_weighed: p.is_weighed,
                    };
                    (p.id, n)
                })
                .collect()
        }
        None => names(&state, &shop.company_id, &low_ids).await?,
    };
    let searching = q.search().is_some();
    let mut low: Vec<LowStockView> = low_ids
        .into_iter()
        // A search keeps only the products it found; without one, every low product shows
        // (named when the catalog still has it).
        .filter(|id| !searching || names.contains_key(id))
        .map(|product_id| {
            let n = names.get(&product_id).cloned().unwrap_or_default();
            LowStockView {
                on_hand_milli: on_hand.get(&product_id).copied().unwrap_or_default(),
                level_milli: levels[&product_id],
                low: true,
                sku: n.sku,
                name: n.name,
                is_weighed: n.is_weighed,
                product_id,
            }
        })
        .collect();
    low.sort_by(|a, b| {
        a.on_hand_milli
            .cmp(&b.on_hand_milli)
            .then_with(|| a.sku.cmp(&b.sku))
            .then_with(|| a.product_id.cmp(&b.product_id))
    });
    Ok(Json(low))
}
