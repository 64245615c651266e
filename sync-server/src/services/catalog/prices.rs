//! Shop prices: a shop manager sets the shop's own price of a product (a branch in a
//! dearer street, a clearance in one shop); the shop's tills sell at it instead of the
//! catalog price, and go back to the catalog price when it is removed. Each change is one
//! transaction with its `prices:{shop}` stream change and its `price.changed` event.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::StatusCode,
    routing::get,
};
use futures::TryStreamExt;
use mongodb::{
    ClientSession,
    bson::{Document, doc},
};
use pos_shared::{
    role::Role,
    sync::{ChangeOp, ShopPrice},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{db, products_in, routes::check_price};
use crate::{
    db::now,
    error::{ApiError, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{
        extract::{ApiJson, IdPath, IdPath2},
        paging::Page,
        principal::Principal,
        tenancy::{Scoped, TenantScope},
    },
    services::shop::visible_shop,
    state::AppState,
    store, streams,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shops/{shop}/prices", get(list_shop_prices))
        .route(
            "/shops/{shop}/prices/{product}",
            get(get_shop_price)
                .put(set_shop_price)
                .delete(remove_shop_price),
        )
}

/// The prices of one shop (`_id` = `{shop}:{product}`): a handler resolves the shop the
/// caller may see first, and reaches no other shop's prices.
pub fn shop_prices(state: &AppState, company_id: &str, shop_id: &str) -> Scoped<Document> {
    store::scoped(
        &state.mongo,
        &store::SHOP_PRICES,
        &TenantScope {
            company: Some(company_id.to_owned()),
            shops: Some(vec![shop_id.to_owned()]),
        },
    )
}

/// The shop's own prices of `product_ids` (product id -> price), inside a session.
pub async fn of_shop(
    state: &AppState,
    s: &mut ClientSession,
    company_id: &str,
    shop_id: &str,
    product_ids: &[&str],
) -> mongodb::error::Result<std::collections::HashMap<String, i64>> {
    let ids: Vec<String> = product_ids
        .iter()
        .map(|p| format!("{shop_id}:{p}"))
        .collect();
    let docs: Vec<Document> = shop_prices(state, company_id, shop_id)
        .find(doc! { "_id": { "$in": ids } })
        .session(&mut *s)
        .await?
        .stream(&mut *s)
        .try_collect()
        .await?;
    Ok(docs
        .iter()
        .filter_map(|d| {
            Some((
                d.get_str("product_id").ok()?.to_owned(),
                d.get_i64("price_minor").ok()?,
            ))
        })
        .collect())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetShopPrice {
    /// Minor units of the company currency.
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub price_minor: i64,
}

/// A product's price at one shop, beside its catalog price.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShopPriceView {
    pub shop_id: String,
    pub product_id: String,
    pub sku: String,
    pub price_minor: i64,
    pub catalog_price_minor: i64,
    pub currency: String,
}

/// What a product sells for in one shop, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectivePrice {
    pub shop_id: String,
    pub product_id: String,
    pub sku: String,
    pub name: String,
    /// What the shop's tills charge: the shop's own price if it has one, else the catalog's.
    pub price_minor: i64,
    /// `shop` (a price set for this shop) or `catalog`.
    pub source: String,
    pub shop_price_minor: Option<i64>,
    pub catalog_price_minor: i64,
    pub currency: String,
}

/// The price a product sells at in a shop (staff of the shop and up).
#[utoipa::path(get, path = "/api/shops/{shop}/prices/{product}", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = EffectivePrice), (status = 404, body = pos_shared::error::WireError)))]
pub async fn get_shop_price(
    State(state): State<AppState>,
    p: Principal,
    IdPath2(shop, product): IdPath2,
) -> ApiResult<Json<EffectivePrice>> {
    p.require(Role::Cashier)?;
    let shop = visible_shop(&state, &p, &shop.to_string()).await?;
    let product = products_in(&state, &TenantScope::company(&shop.company_id))
        .find_one(doc! { "_id": product.to_string(), "active": true })
        .await?
        .ok_or_else(|| ApiError::not_found("product"))?;
    let own = shop_prices(&state, &shop.company_id, &shop.id)
        .find_one(doc! { "_id": format!("{}:{}", shop.id, product.id) })
        .await?
        .and_then(|d| d.get_i64("price_minor").ok());
    Ok(Json(EffectivePrice {
        shop_id: shop.id,
        price_minor: own.unwrap_or(product.price_minor),
        source: if own.is_some() { "shop" } else { "catalog" }.into(),
        shop_price_minor: own,
        catalog_price_minor: product.price_minor,
        currency: product.currency,
        product_id: product.id,
        sku: product.sku,
        name: product.name,
    }))
}

/// Sets the shop's own price of a product (shop managers of that shop, and up). Setting
/// the same price again changes nothing and sends nothing to the tills.
#[utoipa::path(put, path = "/api/shops/{shop}/prices/{product}", tag = "catalog", security(("bearer" = [])), request_body = SetShopPrice,
    responses((status = 200, body = ShopPriceView), (status = 404, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn set_shop_price(
    State(state): State<AppState>,
    p: Principal,
    IdPath2(shop, product): IdPath2,
    ApiJson(req): ApiJson<SetShopPrice>,
) -> ApiResult<Json<ShopPriceView>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &shop.to_string()).await?;
    let price = check_price(req.price_minor)?;
    let product = products_in(&state, &TenantScope::company(&shop.company_id))
        .find_one(doc! { "_id": product.to_string(), "active": true })
        .await?
        .ok_or_else(|| ApiError::not_found("product"))?;
    let change = Change {
        state: state.clone(),
        shop_id: shop.id.clone(),
        company_id: shop.company_id.clone(),
        product_id: product.id.clone(),
        sku: product.sku.clone(),
        price_minor: Some(price),
        actor: p.id.clone(),
    };
    state
        .write(change, |s, c| Box::pin(async move { store(s, c).await }))
        .await?;
    Ok(Json(ShopPriceView {
        shop_id: shop.id,
        product_id: product.id,
        sku: product.sku,
        price_minor: price,
        catalog_price_minor: product.price_minor,
        currency: product.currency,
    }))
}

/// Takes the shop back to the catalog price of a product.
#[utoipa::path(delete, path = "/api/shops/{shop}/prices/{product}", tag = "catalog", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = pos_shared::error::WireError)))]
pub async fn remove_shop_price(
    State(state): State<AppState>,
    p: Principal,
    IdPath2(shop, product): IdPath2,
) -> ApiResult<StatusCode> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &shop.to_string()).await?;
    let id = format!("{}:{product}", shop.id);
    let existing = shop_prices(&state, &shop.company_id, &shop.id)
        .find_one(doc! { "_id": &id })
        .await?
        .ok_or_else(|| ApiError::not_found("shop price"))?;
    let change = Change {
        state: state.clone(),
        shop_id: shop.id.clone(),
        company_id: shop.company_id.clone(),
        product_id: product.to_string(),
        sku: existing.get_str("sku").unwrap_or_default().to_owned(),
        price_minor: None,
        actor: p.id.clone(),
    };
    state
        .write(change, |s, c| Box::pin(async move { store(s, c).await }))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One shop price to set (`Some`) or remove (`None`).
struct Change {
    state: AppState,
    shop_id: String,
    company_id: String,
    product_id: String,
    sku: String,
    price_minor: Option<i64>,
    actor: String,
}

async fn store(s: &mut ClientSession, c: &mut Change) -> mongodb::error::Result<()> {
    let state = c.state.clone();
    let id = format!("{}:{}", c.shop_id, c.product_id);
    let coll = shop_prices(&state, &c.company_id, &c.shop_id);
    let old = coll
        .find_one_in(doc! { "_id": &id }, s)
        .await?
        .and_then(|d| d.get_i64("price_minor").ok());
    if old == c.price_minor {
        return Ok(());
    }
    let (op, data) = match c.price_minor {
        Some(price) => {
            coll.replace_one(
                doc! { "_id": &id },
                &doc! { "_id": &id, "company_id": &c.company_id, "shop_id": &c.shop_id,
                "product_id": &c.product_id, "sku": &c.sku, "price_minor": price,
                "updated_at": now(), "updated_by": &c.actor },
            )?
            .upsert(true)
            .session(&mut *s)
            .await?;
            let wire = ShopPrice {
                product_id: c.product_id.clone(),
                price_minor: price,
            };
            let data = serde_json::to_value(wire)
                .map_err(|e| mongodb::error::Error::custom(format!("price: {e}")))?;
            (ChangeOp::Upsert, Some(data))
        }
        None => {
            coll.delete_one(doc! { "_id": &id })
                .session(&mut *s)
                .await?;
            (ChangeOp::Delete, None)
        }
    };
    let d = db(&state);
    let cursor = streams::append(
        &d,
        s,
        &streams::prices_key(&c.shop_id),
        streams::NewChange {
            entity: "price",
            id: c.product_id.clone(),
            op,
            data,
        },
    )
    .await?;
    let event = Event::PriceChanged(payloads::PriceChanged {
        shop_id: Some(c.shop_id.to_string()),
        product_id: c.product_id.to_string(),
        sku: c.sku.to_string(),
        old_price_minor: old,
        price_minor: c.price_minor,
        currency: None,
        cursor,
    })
    .message(Some(&c.company_id), Some(&c.actor));
    outbox::record(&d, s, &event).await
}

/// The shop's own prices, by SKU, each beside the catalog price.
#[utoipa::path(get, path = "/api/shops/{shop}/prices", tag = "catalog", security(("bearer" = [])), params(Page),
    responses((status = 200, body = [ShopPriceView]), (status = 404, body = pos_shared::error::WireError)))]
pub async fn list_shop_prices(
    State(state): State<AppState>,
    p: Principal,
    IdPath(shop): IdPath,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ShopPriceView>>> {
    p.require(Role::Cashier)?;
    let shop = visible_shop(&state, &p, &shop.to_string()).await?;
    let docs: Vec<Document> = shop_prices(&state, &shop.company_id, &shop.id)
        .find(doc! {})
        .sort(doc! { "sku": 1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    let ids: Vec<&str> = docs
        .iter()
        .filter_map(|d| d.get_str("product_id").ok())
        .collect();
    let catalog: std::collections::HashMap<String, (i64, String)> =
        products_in(&state, &TenantScope::company(&shop.company_id))
            .find(doc! { "_id": { "$in": &ids } })
            .await?
            .try_collect::<Vec<_>>()
            .await?
            .into_iter()
            .map(|p| (p.id, (p.price_minor, p.currency)))
            .collect();
    Ok(Json(
        docs.iter()
            .filter_map(|d| {
                let product_id = d.get_str("product_id").ok()?.to_owned();
                let (catalog_price_minor, currency) = catalog.get(&product_id)?.clone();
                Some(ShopPriceView {
                    shop_id: shop.id.clone(),
                    sku: d.get_str("sku").unwrap_or_default().to_owned(),
                    price_minor: d.get_i64("price_minor").ok()?,
                    product_id,
                    catalog_price_minor,
                    currency,
                })
            })
            .collect(),
    ))
}
