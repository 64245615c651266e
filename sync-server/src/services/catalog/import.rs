//! Bulk product import: a manager loads a whole catalog (a shop switching to Kassa, a
//! benchmark) in a few requests instead of one request per product. Rows are validated like
//! `POST /api/catalog/products`, then written in transactions of [`CHUNK`] products, each
//! with its catalog stream changes and one `product.imported` event, so terminals see
//! the products on the catalog stream exactly as if they had been created one by one.

use std::collections::HashSet;

use axum::{Json, extract::State, http::StatusCode};
use mongodb::{ClientSession, bson::doc};
use pos_shared::{
    role::Role,
    sync::{CatalogProduct, ChangeOp},
};

use super::routes::{
    CreateProduct, check_barcodes, check_price, check_sku, check_tax, duplicate_sku,
};
use super::{ProductDoc, db, products_in};
use crate::{
    db::now,
    error::{ApiError, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{extract::ApiJson, principal::Principal, tenancy::TenantScope},
    services::{auth::routes::check_name, company},
    state::AppState,
    streams,
};

/// Products per transaction: large enough that an import of 50,000 takes seconds, small
/// enough that a transaction stays well inside MongoDB's limits and lock times.
pub const CHUNK: usize = 1000;
/// Most products in one request (the body limit usually bites first).
pub const MAX_ROWS: usize = 10_000;

/// Adds many products to the company catalog (shop managers and up). Every row is checked
/// before anything is written; a SKU or barcode already in use fails the request with 409,
/// and chunks committed before that one stay (their products are on the stream).
#[utoipa::path(post, path = "/api/catalog/products/import", tag = "catalog", security(("bearer" = [])),
    request_body = [CreateProduct],
    responses((status = 201, body = [CatalogProduct]), (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn import_products(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(rows): ApiJson<Vec<CreateProduct>>,
) -> ApiResult<(StatusCode, Json<Vec<CatalogProduct>>)> {
    p.require(Role::ShopManager)?;
    if rows.is_empty() || rows.len() > MAX_ROWS {
        return Err(ApiError::invalid(
            "products",
            format!("must hold 1 to {MAX_ROWS} products"),
        ));
    }
    let company_id = p.company()?.to_string();
    let currency = company::settings(&state, &company_id).await?.currency;
    let docs = rows
        .iter()
        .enumerate()
        .map(|(i, r)| product(r, &company_id, &currency).map_err(|e| at_row(i, e)))
        .collect::<ApiResult<Vec<_>>>()?;
    unique_within(&docs)?;
    for chunk in docs.chunks(CHUNK) {
        let ctx = (state.clone(), chunk.to_vec(), p.id.clone());
        state
            .write(ctx, move |s, (state, chunk, actor)| {
                Box::pin(write_chunk(state, s, chunk, actor))
            })
            .await
            .map_err(duplicate_sku)?;
    }
    Ok((
        StatusCode::CREATED,
        Json(docs.iter().map(ProductDoc::wire).collect()),
    ))
}

/// One validated row as the catalog stores it.
fn product(r: &CreateProduct, company_id: &str, currency: &str) -> ApiResult<ProductDoc> {
    let t = now();
    Ok(ProductDoc {
        id: uuid::Uuid::now_v7().to_string(),
        company_id: company_id.to_string(),
        sku: check_sku(&r.sku)?,
        name: check_name("name", &r.name)?,
        category: r
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        barcodes: check_barcodes(&r.barcodes)?,
        price_minor: check_price(r.price_minor)?,
        currency: currency.to_string(),
        tax_rate_bp: check_tax(r.tax_rate_bp)?,
        tax_inclusive: r.tax_inclusive,
        is_weighed: r.is_weighed,
        active: true,
        created_at: t,
        updated_at: t,
        variant_of: None,
        variant_name: None,
    })
}

/// Names the row an error is about, so a manager can fix the file.
fn at_row(i: usize, e: ApiError) -> ApiError {
    match e {
        ApiError::Unprocessable(w) => ApiError::invalid(&format!("products[{i}]"), w.message),
        other => other,
    }
}

/// The unique index catches a SKU clash with stored products, but two rows of the same
/// request must be caught before a chunk half-commits them.
fn unique_within(docs: &[ProductDoc]) -> ApiResult<()> {
    let mut skus = HashSet::new();
    let mut codes = HashSet::new();
    for (i, d) in docs.iter().enumerate() {
        if !skus.insert(d.sku.as_str()) {
            return Err(ApiError::conflict(
                "sku_taken",
                format!("products[{i}]: SKU {} appears twice in the import", d.sku),
            ));
        }
        if let Some(c) = d.barcodes.iter().find(|c| !codes.insert(c.as_str())) {
            return Err(ApiError::conflict(
                "barcode_taken",
                format!("products[{i}]: barcode {c} appears twice in the import"),
            ));
        }
    }
    Ok(())
}

/// Writes one chunk: products, their stream changes and the chunk's event, in the
/// caller's transaction. A barcode another active product carries refuses the chunk (a
/// scan must find one product), as on single creates.
async fn write_chunk(
    state: &AppState,
    s: &mut ClientSession,
    chunk: &[ProductDoc],
    actor: &str,
) -> mongodb::error::Result<()> {
    let company_id = &chunk[0].company_id;
    super::barcodes::claim(state, s, chunk).await?;
    super::categories::ensure_in(state, s, company_id).await?;
    products_in(state, &TenantScope::company(company_id))
        .insert_many(chunk)?
        .session(&mut *s)
        .await?;
    let mut counts = super::categories::Tally::default();
    for d in chunk {
        counts.wrote(None, d);
    }
    super::categories::apply_in(state, s, company_id, &counts).await?;
    let changes = chunk
        .iter()
        .map(|d| {
            Ok(streams::NewChange {
                entity: "product",
                id: d.id.clone(),
                op: ChangeOp::Upsert,
                data: Some(serde_json::to_value(d.wire()).map_err(|e| {
                    mongodb::error::Error::custom(format!("product not encodable: {e}"))
                })?),
            })
        })
        .collect::<mongodb::error::Result<Vec<_>>>()?;
    let catalog = db(state);
    streams::append_many(&catalog, s, &streams::catalog_key(company_id), &changes).await?;
    // One event per chunk rather than per product: 50,000 single events would keep the
    // relay busy for minutes and tell consumers nothing more.
    let ids: Vec<&str> = chunk.iter().map(|d| d.id.as_str()).collect();
    let event = Event::ProductsImported(payloads::ProductsImported {
        count: chunk.len(),
        product_ids: ids.iter().map(|id| id.to_string()).collect(),
        from: None,
    })
    .message(Some(company_id), Some(actor));
    outbox::record(&catalog, s, &event).await?;
    Ok(())
}
