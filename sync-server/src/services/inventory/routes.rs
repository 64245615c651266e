//! Inventory HTTP API: the routes, and the writes managers make to a shop's stock
//! (adjustments with a reason, reorder levels). Reads are in `balances`, `movements` and
//! `exceptions`.

use axum::{
    Json, Router,
    extract::State,
    routing::{get, post},
};
use mongodb::bson::doc;
use pos_shared::role::Role;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    balances::{self, BalanceView, LowStockView},
    exceptions, ledger, movements,
};
use crate::{
    db::{now, rfc3339},
    error::{ApiError, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{extract::ApiJson, principal::Principal, tenancy::TenantScope},
    services::shop::visible_shop,
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inventory/balances", get(balances::list_balances))
        .route("/inventory/movements", get(movements::list_movements))
        .route("/inventory/exceptions", get(exceptions::list_exceptions))
        .route(
            "/inventory/exceptions/{id}/resolve",
            post(exceptions::resolve_exception),
        )
        .route("/inventory/adjustments", post(adjust))
        .route(
            "/inventory/reorder-levels",
            axum::routing::put(set_reorder_level),
        )
        .route("/inventory/low-stock", get(balances::list_low_stock))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderLevel {
    pub shop_id: String,
    pub product_id: String,
    /// Stock at or below this (thousandths of a unit) is low; setting it again replaces it.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub level_milli: i64,
}

/// Sets a product's reorder level in a shop (managers). When a sale or adjustment takes
/// the balance from above the level to at or below it, `inventory.low_stock` is raised.
#[utoipa::path(put, path = "/api/inventory/reorder-levels", tag = "inventory", security(("bearer" = [])), request_body = ReorderLevel,
    responses((status = 200, body = LowStockView), (status = 404, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn set_reorder_level(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<ReorderLevel>,
) -> ApiResult<Json<LowStockView>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &req.shop_id).await?;
    if !(0..=1_000_000_000_000).contains(&req.level_milli) {
        return Err(ApiError::invalid(
            "level_milli",
            "must be between 0 and 10^12",
        ));
    }
    let product =
        crate::services::catalog::products_in(&state, &TenantScope::company(&shop.company_id))
            .find_one(doc! { "_id": &req.product_id })
            .await?
            .ok_or_else(|| ApiError::not_found("product"))?;
    let id = format!("{}:{}", shop.id, req.product_id);
    super::reorder_levels(&state, &TenantScope::company(&shop.company_id))
        .update_one(
            doc! { "_id": &id },
            doc! { "$set": { "company_id": &shop.company_id, "shop_id": &shop.id,
            "product_id": &req.product_id, "level_milli": req.level_milli,
            "updated_at": now() } },
        )
        .upsert(true)
        .await?;
    let product_ids = std::slice::from_ref(&req.product_id);
    let on_hand_milli = ledger::on_hand(&state, &shop.company_id, &shop.id, product_ids)
        .await?
        .get(&req.product_id)
        .copied()
        .unwrap_or_default();
    Ok(Json(LowStockView {
        product_id: req.product_id,
        sku: Some(product.sku),
        name: Some(product.name),
        is_weighed: product.is_weighed,
        on_hand_milli,
        level_milli: req.level_milli,
        low: on_hand_milli <= req.level_milli,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    pub shop_id: String,
    pub product_id: String,
    /// Signed change in thousandths of a unit (a delivery of 12 = 12000), not 0 (422).
    #[schema(minimum = -1_000_000_000_000_i64, maximum = 1_000_000_000_000_i64)]
    pub delta_milli: i64,
    /// Why: `delivery`, `count`, `damage`...
    #[schema(value_type = crate::openapi::fields::Reason)]
    pub reason: String,
    /// Makes a retried request harmless: the same key applies once.
    #[schema(value_type = crate::openapi::fields::IdempotencyKey)]
    pub idempotency_key: String,
}

/// Records a stock movement for a shop (deliveries, counts, damage; managers). Terminals
/// of the shop receive the new balance on their stock stream.
#[utoipa::path(post, path = "/api/inventory/adjustments", tag = "inventory", security(("bearer" = [])), request_body = Adjustment,
    responses((status = 200, body = BalanceView), (status = 404, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn adjust(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<Adjustment>,
) -> ApiResult<Json<BalanceView>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &req.shop_id).await?;
    if req.delta_milli == 0 || req.delta_milli.abs() > 1_000_000_000_000 {
        return Err(ApiError::invalid(
            "delta_milli",
            "must be non-zero and at most 10^12",
        ));
    }
    let reason = req.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 120 {
        return Err(ApiError::invalid("reason", "must be 1 to 120 characters"));
    }
    let key = req.idempotency_key.trim().to_string();
    if key.is_empty() || key.chars().count() > 100 {
        return Err(ApiError::invalid(
            "idempotency_key",
            "must be 1 to 100 characters",
        ));
    }
    let product =
        crate::services::catalog::products_in(&state, &TenantScope::company(&shop.company_id))
            .find_one(doc! { "_id": &req.product_id })
            .await?
            .ok_or_else(|| ApiError::not_found("product"))?;
    let movement = ledger::Movement {
        id: format!("adj:{}:{key}", shop.id),
        product_id: req.product_id.clone(),
        delta_milli: req.delta_milli,
        reason,
        source_event: None,
        terminal_id: None,
    };
    let ctx = (state.clone(), shop.clone(), movement, p.id.clone());
    let result = state
        .write(ctx, |s, (state, shop, m, actor)| {
            Box::pin(async move {
                let after = ledger::apply(
                    state,
                    s,
                    &shop.company_id,
                    &shop.id,
                    std::slice::from_ref(m),
                    now(),
                )
                .await?;
                // Who adjusted, for the product's stock history.
                super::movements(state, &super::shop_scope(&shop.company_id, &shop.id))
                    .update_one(doc! { "_id": &m.id }, doc! { "$set": { "actor": &*actor } })
                    .session(&mut *s)
                    .await?;
                let event = Event::InventoryAdjusted(payloads::InventoryAdjusted {
                    shop_id: shop.id.clone(),
                    product_id: m.product_id.clone(),
                    sku: None,
                    delta_milli: m.delta_milli,
                    reason: m.reason.clone(),
                })
                .message(Some(&shop.company_id), Some(actor));
                outbox::record(&super::db(state), s, &event).await?;
                Ok(after.last().copied().unwrap_or_default())
            })
        })
        .await;
    let on_hand_milli = match result {
        Ok(v) => v,
        // The same idempotency key again: already applied, answer with the balance.
        Err(ApiError::Conflict(_)) => {
            let product_ids = std::slice::from_ref(&req.product_id);
            ledger::on_hand(&state, &shop.company_id, &shop.id, product_ids)
                .await?
                .get(&req.product_id)
                .copied()
                .unwrap_or_default()
        }
        Err(e) => return Err(e),
    };
    Ok(Json(BalanceView {
        product_id: req.product_id,
        sku: Some(product.sku),
        name: Some(product.name),
        is_weighed: product.is_weighed,
        on_hand_milli,
        updated_at: Some(rfc3339(now())),
    }))
}
