//! Product variants (a T-shirt in S, M and L): each variant is a catalog product of its
//! own, with its own SKU, barcodes, price and stock, that takes its name, category and tax
//! from the product it is a variant of. Tills therefore sell, price, count and refund a
//! variant exactly like any product; renaming or re-taxing the product carries over to
//! its variants in the same transaction, and retiring it retires them.

use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use futures::TryStreamExt;
use mongodb::bson::doc;
use pos_shared::{role::Role, sync::CatalogProduct};
use serde::Deserialize;
use utoipa::ToSchema;

use super::routes::{
    UpdateProduct, check_barcodes, check_price, check_sku, duplicate_sku, save, visible_product,
};
use super::{ProductDoc, company_scope, products_in};
use crate::gateway::tenancy::TenantScope;
use crate::{
    db::now,
    error::{ApiError, ApiResult},
    events::Event,
    gateway::{
        extract::{ApiJson, IdPath},
        principal::Principal,
    },
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/catalog/products/{id}/variants",
        get(list_variants).post(create_variant),
    )
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVariant {
    /// What tells it apart, e.g. "XL / blue"; the till shows "{product} {variant_name}".
    #[schema(value_type = crate::openapi::fields::VariantName)]
    pub variant_name: String,
    #[schema(value_type = crate::openapi::fields::Sku)]
    pub sku: String,
    #[serde(default)]
    pub barcodes: Vec<String>,
    /// Its own price; absent: the product's price now (it does not follow later changes).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub price_minor: Option<i64>,
}

/// Adds a variant to a product (shop managers and up).
#[utoipa::path(post, path = "/api/catalog/products/{id}/variants", tag = "catalog", security(("bearer" = [])), request_body = CreateVariant,
    responses((status = 201, body = CatalogProduct), (status = 404, body = pos_shared::error::WireError), (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn create_variant(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<CreateVariant>,
) -> ApiResult<(StatusCode, Json<CatalogProduct>)> {
    p.require(Role::ShopManager)?;
    let parent = visible_product(&state, &p, &id.to_string()).await?;
    if !parent.active {
        return Err(ApiError::conflict(
            "product_retired",
            "this product was deleted; variants need a product on sale",
        ));
    }
    if parent.variant_of.is_some() {
        return Err(ApiError::invalid(
            "id",
            "is itself a variant; add variants to its product",
        ));
    }
    let variant_name = check_variant_name(&req.variant_name)?;
    let t = now();
    let variant = ProductDoc {
        id: uuid::Uuid::now_v7().to_string(),
        company_id: parent.company_id.clone(),
        sku: check_sku(&req.sku)?,
        name: display_name(&parent.name, &variant_name),
        category: parent.category.clone(),
        barcodes: check_barcodes(&req.barcodes)?,
        price_minor: match req.price_minor {
            Some(price) => check_price(price)?,
            None => parent.price_minor,
        },
        currency: parent.currency.clone(),
        tax_rate_bp: parent.tax_rate_bp,
        tax_inclusive: parent.tax_inclusive,
        is_weighed: parent.is_weighed,
        active: true,
        created_at: t,
        updated_at: t,
        variant_of: Some(parent.id.clone()),
        variant_name: Some(variant_name),
    };
    save(
        &state,
        &p,
        variant.clone(),
        Event::ProductCreated,
        None,
        Vec::new(),
    )
    .await
    .map_err(duplicate_sku)?;
    Ok((StatusCode::CREATED, Json(variant.wire())))
}

/// A product's variants on sale, by SKU.
#[utoipa::path(get, path = "/api/catalog/products/{id}/variants", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = [CatalogProduct]), (status = 404, body = pos_shared::error::WireError)))]
pub async fn list_variants(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<Vec<CatalogProduct>>> {
    p.require(Role::Cashier)?;
    let parent = visible_product(&state, &p, &id.to_string()).await?;
    let mut docs = of_product(&state, &company_scope(&p)?, &parent.id).await?;
    docs.sort_by(|a, b| a.sku.cmp(&b.sku));
    Ok(Json(docs.iter().map(ProductDoc::wire).collect()))
}

/// "T-shirt" and "XL / blue" make "T-shirt XL / blue".
pub(super) fn display_name(product: &str, variant: &str) -> String {
    format!("{product} {variant}")
}

pub(super) fn check_variant_name(name: &str) -> ApiResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 60 {
        return Err(ApiError::invalid(
            "variant_name",
            "must be 1 to 60 characters",
        ));
    }
    Ok(n.to_string())
}

/// What a change may touch: a variant's name, category and tax are its product's.
pub(super) fn check_update(product: &ProductDoc, req: &UpdateProduct) -> ApiResult<()> {
    if product.variant_of.is_none() {
        return match req.variant_name {
            Some(_) => Err(ApiError::invalid(
                "variant_name",
                "is for variants; add one with POST /api/catalog/products/{id}/variants",
            )),
            None => Ok(()),
        };
    }
    let inherited = [
        ("name", req.name.is_some()),
        ("category", req.category.is_some()),
        ("tax_rate_bp", req.tax_rate_bp.is_some()),
        ("tax_inclusive", req.tax_inclusive.is_some()),
        ("is_weighed", req.is_weighed.is_some()),
    ];
    match inherited.iter().find(|(_, sent)| *sent) {
        Some((field, _)) => Err(ApiError::invalid(
            field,
            "of a variant is its product's; change the product (or send variant_name)",
        )),
        None => Ok(()),
    }
}

/// The active variants of `product` as they must be after it is saved as it now stands:
/// its name, category and tax carried over, retired with it. Unchanged ones are left out.
pub(super) async fn following(
    state: &AppState,
    product: &ProductDoc,
) -> ApiResult<Vec<ProductDoc>> {
    if product.variant_of.is_some() {
        return Ok(Vec::new());
    }
    let scope = TenantScope::company(&product.company_id);
    let variants = of_product(state, &scope, &product.id).await?;
    let t = now();
    Ok(variants
        .into_iter()
        .filter_map(|v| {
            let name = display_name(&product.name, v.variant_name.as_deref().unwrap_or(""));
            let next = ProductDoc {
                name,
                category: product.category.clone(),
                tax_rate_bp: product.tax_rate_bp,
                tax_inclusive: product.tax_inclusive,
                is_weighed: product.is_weighed,
                active: product.active,
                ..v.clone()
            };
            (next != v).then_some(ProductDoc {
                updated_at: t,
                ..next
            })
        })
        .collect())
}

/// The active variants of `product`. Asked by `variant_of` and company alone, so the
/// sparse `{company_id, variant_of}` index answers it; with `active` in the filter too,
/// SecantusDB found no index for all three and read the whole company's catalog (3.5 s
/// with 100,000 products on every change of a product).
async fn of_product(
    state: &AppState,
    scope: &TenantScope,
    product: &str,
) -> mongodb::error::Result<Vec<ProductDoc>> {
    let all: Vec<ProductDoc> = products_in(state, scope)
        .find(doc! { "variant_of": product })
        .await?
        .try_collect()
        .await?;
    Ok(all.into_iter().filter(|v| v.active).collect())
}
