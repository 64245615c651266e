//! Catalog HTTP API: managers create, change and retire products; everyone in the company
//! can read and search them.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::StatusCode,
    routing::get,
};
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use pos_shared::{barcode::Barcode, role::Role, sync::CatalogProduct};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{ProductDoc, company_scope, products_in, store_in};
use crate::{
    db::now,
    error::{ApiError, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{extract::ApiJson, extract::IdPath, paging::Page, principal::Principal},
    services::{auth::routes::check_name, company},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(super::prices::router())
        .merge(super::promotions::router())
        .merge(super::variants::router())
        .route("/catalog/products", get(list_products).post(create_product))
        .route(
            "/catalog/products/import",
            axum::routing::post(super::import::import_products),
        )
        .route(
            "/catalog/products/import.csv",
            axum::routing::post(super::sheet::import_csv),
        )
        .route(
            "/catalog/products/export.csv",
            get(super::sheet::export_csv),
        )
        .route(
            "/catalog/categories",
            get(super::categories::list_categories),
        )
        .route(
            "/catalog/products/{id}",
            get(get_product)
                .patch(update_product)
                .delete(delete_product),
        )
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProduct {
    #[schema(value_type = crate::openapi::fields::Sku)]
    pub sku: String,
    #[schema(value_type = crate::openapi::fields::Name)]
    pub name: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub barcodes: Vec<String>,
    /// Price in minor units of the company currency.
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub price_minor: i64,
    /// Tax rate in basis points (1900 = 19 %).
    #[schema(maximum = 10_000)]
    pub tax_rate_bp: u32,
    #[serde(default = "yes")]
    pub tax_inclusive: bool,
    #[serde(default)]
    pub is_weighed: bool,
}

fn yes() -> bool {
    true
}

/// Only the fields sent change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProduct {
    #[schema(value_type = Option<crate::openapi::fields::Sku>)]
    pub sku: Option<String>,
    #[schema(value_type = Option<crate::openapi::fields::Name>)]
    pub name: Option<String>,
    pub category: Option<String>,
    pub barcodes: Option<Vec<String>>,
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub price_minor: Option<i64>,
    #[schema(maximum = 10_000)]
    pub tax_rate_bp: Option<u32>,
    pub tax_inclusive: Option<bool>,
    pub is_weighed: Option<bool>,
    /// Variants only: "XL / blue".
    pub variant_name: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ProductQuery {
    /// Name, SKU or barcode prefix (case-insensitive on names).
    pub q: Option<String>,
}

pub(super) fn check_sku(sku: &str) -> ApiResult<String> {
    let s = sku.trim();
    if s.is_empty() || s.chars().count() > 64 || s.chars().any(char::is_whitespace) {
        return Err(ApiError::invalid(
            "sku",
            "must be 1 to 64 characters without spaces",
        ));
    }
    Ok(s.to_string())
}

pub(super) fn check_price(price: i64) -> ApiResult<i64> {
    if !(0..=10_000_000_000).contains(&price) {
        return Err(ApiError::invalid(
            "price_minor",
            "must be between 0 and 10,000,000,000 minor units",
        ));
    }
    Ok(price)
}

pub(super) fn check_tax(bp: u32) -> ApiResult<u32> {
    if bp > 10_000 {
        return Err(ApiError::invalid(
            "tax_rate_bp",
            "must be 0 to 10000 (100 %)",
        ));
    }
    Ok(bp)
}

pub(super) fn check_barcodes(codes: &[String]) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(codes.len());
    for c in codes {
        let b =
            Barcode::parse(c).map_err(|e| ApiError::invalid("barcodes", format!("`{c}`: {e}")))?;
        if !out.iter().any(|o| o == b.as_str()) {
            out.push(b.as_str().to_string());
        }
    }
    Ok(out)
}

pub(super) fn duplicate_sku(e: ApiError) -> ApiError {
    match e {
        ApiError::Conflict(w) if w.code == "already_exists" => {
            ApiError::conflict("sku_taken", "another product of this company has this SKU")
        }
        other => other,
    }
}

/// Adds a product to the company catalog (shop managers and up).
#[utoipa::path(post, path = "/api/catalog/products", tag = "catalog", security(("bearer" = [])), request_body = CreateProduct,
    responses((status = 201, body = CatalogProduct), (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn create_product(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<CreateProduct>,
) -> ApiResult<(StatusCode, Json<CatalogProduct>)> {
    p.require(Role::ShopManager)?;
    let company_id = p.company()?.to_string();
    let settings = company::settings(&state, &company_id).await?;
    let t = now();
    let product = ProductDoc {
        id: uuid::Uuid::now_v7().to_string(),
        company_id,
        sku: check_sku(&req.sku)?,
        name: check_name("name", &req.name)?,
        category: req
            .category
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        barcodes: check_barcodes(&req.barcodes)?,
        price_minor: check_price(req.price_minor)?,
        currency: settings.currency,
        tax_rate_bp: check_tax(req.tax_rate_bp)?,
        tax_inclusive: req.tax_inclusive,
        is_weighed: req.is_weighed,
        active: true,
        created_at: t,
        updated_at: t,
        variant_of: None,
        variant_name: None,
    };
    save(
        &state,
        &p,
        product.clone(),
        Event::ProductCreated,
        None,
        Vec::new(),
    )
    .await
    .map_err(duplicate_sku)?;
    Ok((StatusCode::CREATED, Json(product.wire())))
}

/// Writes `product`, its stream change and its events in one transaction, with the
/// variants whose inherited fields (or retirement) follow from it.
pub(super) async fn save(
    state: &AppState,
    p: &Principal,
    product: ProductDoc,
    event: fn(payloads::ProductChanged) -> Event,
    old_price: Option<i64>,
    variants: Vec<ProductDoc>,
) -> ApiResult<()> {
    let ctx = (state.clone(), product, p.id.clone(), variants);
    state
        .write(ctx, move |s, (state, product, actor, variants)| {
            Box::pin(async move {
                super::barcodes::claim(state, s, std::slice::from_ref(&*product)).await?;
                if variants.iter().any(|v| !v.active) {
                    super::barcodes::claim(state, s, variants).await?;
                }
                let company = product.company_id.as_str();
                super::categories::ensure_in(state, s, company).await?;
                let mut counts = super::categories::Tally::default();
                let cursor = store_in(state, s, product, &mut counts).await?;
                let db = super::db(state);
                for v in variants.iter() {
                    let cursor = store_in(state, s, v, &mut counts).await?;
                    let event = if v.active {
                        Event::ProductUpdated
                    } else {
                        Event::ProductDeleted
                    };
                    let e = event(payloads::ProductChanged {
                        product_id: v.id.clone(),
                        sku: v.sku.clone(),
                        cursor,
                        variant_of: v.variant_of.clone(),
                    })
                    .message(Some(&v.company_id), Some(actor));
                    outbox::record(&db, s, &e).await?;
                }
                let mut events = vec![
                    event(payloads::ProductChanged {
                        product_id: product.id.clone(),
                        sku: product.sku.clone(),
                        cursor,
                        variant_of: None,
                    })
                    .message(Some(&product.company_id), Some(actor)),
                ];
                if let Some(old) = old_price.filter(|old| *old != product.price_minor) {
                    let price = payloads::PriceChanged {
                        shop_id: None,
                        product_id: product.id.clone(),
                        sku: product.sku.clone(),
                        old_price_minor: Some(old),
                        price_minor: Some(product.price_minor),
                        currency: Some(product.currency.clone()),
                        cursor,
                    };
                    events.push(
                        Event::PriceChanged(price).message(Some(&product.company_id), Some(actor)),
                    );
                }
                for e in &events {
                    outbox::record(&db, s, e).await?;
                }
                super::categories::apply_in(state, s, company, &counts).await?;
                Ok(())
            })
        })
        .await
}

pub(super) async fn visible_product(
    state: &AppState,
    p: &Principal,
    id: &str,
) -> ApiResult<ProductDoc> {
    products_in(state, &company_scope(p)?)
        .find_one(doc! { "_id": id })
        .await?
        .ok_or_else(|| ApiError::not_found("product"))
}

/// One product of the caller's company. A deleted product is retired, not erased: it is
/// still answered here, with `active: false`, because past sales and reports name it.
#[utoipa::path(get, path = "/api/catalog/products/{id}", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = CatalogProduct), (status = 404, body = pos_shared::error::WireError)))]
pub async fn get_product(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<CatalogProduct>> {
    p.require(Role::Cashier)?;
    Ok(Json(
        visible_product(&state, &p, &id.to_string()).await?.wire(),
    ))
}

/// Products of the caller's company, by SKU; `q` narrows by name, SKU or barcode prefix.
#[utoipa::path(get, path = "/api/catalog/products", tag = "catalog", security(("bearer" = [])), params(Page, ProductQuery),
    responses((status = 200, body = [CatalogProduct])))]
pub async fn list_products(
    State(state): State<AppState>,
    p: Principal,
    Query(page): Query<Page>,
    Query(q): Query<ProductQuery>,
) -> ApiResult<Json<Vec<CatalogProduct>>> {
    p.require(Role::Cashier)?;
    let mut filter: Document = doc! { "active": true };
    let Some(q) = q.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
        let docs = super::listing::page(&state, p.company()?, &page).await?;
        return Ok(Json(docs.iter().map(ProductDoc::wire).collect()));
    };
    {
        let prefix = crate::db::prefix_regex(q);
        filter.insert(
            "$or",
            vec![
                doc! { "name": { "$regex": &prefix, "$options": "i" } },
                doc! { "sku": { "$regex": &prefix } },
                doc! { "barcodes": { "$regex": &prefix } },
            ],
        );
    }
    let docs: Vec<ProductDoc> = products_in(&state, &company_scope(&p)?)
        .find(filter)
        .sort(doc! { "sku": 1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    Ok(Json(docs.iter().map(ProductDoc::wire).collect()))
}

/// Changes a product; a new price reaches terminals on the catalog stream and is
/// announced as `price.changed`.
#[utoipa::path(patch, path = "/api/catalog/products/{id}", tag = "catalog", security(("bearer" = [])), request_body = UpdateProduct,
    responses((status = 200, body = CatalogProduct), (status = 404, body = pos_shared::error::WireError), (status = 409, description = "`product_retired`: the product was deleted; create it again", body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn update_product(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<UpdateProduct>,
) -> ApiResult<Json<CatalogProduct>> {
    p.require(Role::ShopManager)?;
    let mut product = visible_product(&state, &p, &id.to_string()).await?;
    if !product.active {
        return Err(ApiError::conflict(
            "product_retired",
            "this product was deleted; create it again instead",
        ));
    }
    let old_price = product.price_minor;
    super::variants::check_update(&product, &req)?;
    if let Some(v) = &req.variant_name {
        let parent =
            visible_product(&state, &p, product.variant_of.as_deref().unwrap_or("")).await?;
        let v = super::variants::check_variant_name(v)?;
        product.name = super::variants::display_name(&parent.name, &v);
        product.variant_name = Some(v);
    }
    if let Some(sku) = &req.sku {
        product.sku = check_sku(sku)?;
    }
    if let Some(name) = &req.name {
        product.name = check_name("name", name)?;
    }
    if let Some(c) = &req.category {
        product.category = Some(c.trim().to_string()).filter(|c| !c.is_empty());
    }
    if let Some(b) = &req.barcodes {
        product.barcodes = check_barcodes(b)?;
    }
    if let Some(price) = req.price_minor {
        product.price_minor = check_price(price)?;
    }
    if let Some(bp) = req.tax_rate_bp {
        product.tax_rate_bp = check_tax(bp)?;
    }
    if let Some(inc) = req.tax_inclusive {
        product.tax_inclusive = inc;
    }
    if let Some(w) = req.is_weighed {
        product.is_weighed = w;
    }
    product.updated_at = now();
    let variants = super::variants::following(&state, &product).await?;
    save(
        &state,
        &p,
        product.clone(),
        Event::ProductUpdated,
        Some(old_price),
        variants,
    )
    .await
    .map_err(duplicate_sku)?;
    Ok(Json(product.wire()))
}

/// Retires a product: terminals stop selling it; past sales keep it. It is not erased:
/// `GET /api/catalog/products/{id}` still answers it with `active: false`, it can no longer
/// be changed (409), and deleting it again changes nothing (204).
#[utoipa::path(delete, path = "/api/catalog/products/{id}", tag = "catalog", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = pos_shared::error::WireError)))]
pub async fn delete_product(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    p.require(Role::ShopManager)?;
    let mut product = visible_product(&state, &p, &id.to_string()).await?;
    if product.active {
        product.active = false;
        product.updated_at = now();
        let variants = super::variants::following(&state, &product).await?;
        save(&state, &p, product, Event::ProductDeleted, None, variants).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
