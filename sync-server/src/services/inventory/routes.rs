//! Inventory HTTP API: stock balances of a shop, and the exceptions sync found there.

use axum::{
    Json, Router,
    extract::{Query, State},
    routing::{get, post},
};
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{balances, exceptions, ledger};
use crate::{
    db::{now, rfc3339},
    error::{ApiError, ApiResult},
    events::{EventMessage, keys, outbox},
    gateway::{extract::ApiJson, paging::Page, principal::Principal},
    services::shop::visible_shop,
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inventory/balances", get(list_balances))
        .route("/inventory/exceptions", get(list_exceptions))
        .route("/inventory/adjustments", post(adjust))
        .route(
            "/inventory/reorder-levels",
            axum::routing::put(set_reorder_level),
        )
        .route("/inventory/low-stock", get(list_low_stock))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderLevel {
    pub shop_id: String,
    pub product_id: String,
    /// Stock at or below this (thousandths of a unit) is low; setting it again replaces it.
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
    crate::services::catalog::products(&state)
        .find_one(doc! { "_id": &req.product_id, "company_id": &shop.company_id })
        .await?
        .ok_or_else(|| ApiError::not_found("product"))?;
    let id = format!("{}:{}", shop.id, req.product_id);
    super::reorder_levels(&state)
        .update_one(
            doc! { "_id": &id },
            doc! { "$set": { "company_id": &shop.company_id, "shop_id": &shop.id,
            "product_id": &req.product_id, "level_milli": req.level_milli,
            "updated_at": now() } },
        )
        .upsert(true)
        .await?;
    let on_hand_milli = ledger::on_hand(&state, &shop.id, std::slice::from_ref(&req.product_id))
        .await?
        .get(&req.product_id)
        .copied()
        .unwrap_or_default();
    Ok(Json(LowStockView {
        product_id: req.product_id,
        on_hand_milli,
        level_milli: req.level_milli,
        low: on_hand_milli <= req.level_milli,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LowStockView {
    pub product_id: String,
    pub on_hand_milli: i64,
    pub level_milli: i64,
    /// At or below the reorder level.
    pub low: bool,
}

/// Products of a shop at or below their reorder level, lowest stock first.
#[utoipa::path(get, path = "/api/inventory/low-stock", tag = "inventory", security(("bearer" = [])), params(ShopQuery),
    responses((status = 200, body = [LowStockView]), (status = 403, body = pos_shared::error::WireError)))]
pub async fn list_low_stock(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<ShopQuery>,
) -> ApiResult<Json<Vec<LowStockView>>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &q.shop_id).await?;
    let levels: Vec<Document> = super::reorder_levels(&state)
        .find(doc! { "company_id": &shop.company_id, "shop_id": &shop.id })
        .await?
        .try_collect()
        .await?;
    let products: Vec<String> = levels
        .iter()
        .filter_map(|d| d.get_str("product_id").ok().map(str::to_owned))
        .collect();
    let on_hand = ledger::on_hand(&state, &shop.id, &products).await?;
    let mut low: Vec<LowStockView> = levels
        .iter()
        .filter_map(|d| {
            let product_id = d.get_str("product_id").ok()?.to_owned();
            let level_milli = d.get_i64("level_milli").ok()?;
            let on_hand_milli = on_hand.get(&product_id).copied().unwrap_or_default();
            (on_hand_milli <= level_milli).then_some(LowStockView {
                product_id,
                on_hand_milli,
                level_milli,
                low: true,
            })
        })
        .collect();
    low.sort_by(|a, b| {
        a.on_hand_milli
            .cmp(&b.on_hand_milli)
            .then_with(|| a.product_id.cmp(&b.product_id))
    });
    Ok(Json(low))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    pub shop_id: String,
    pub product_id: String,
    /// Signed change in thousandths of a unit (a delivery of 12 = 12000).
    pub delta_milli: i64,
    /// Why: `delivery`, `count`, `damage`...
    pub reason: String,
    /// Makes a retried request harmless: the same key applies once.
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
    if key.is_empty() || key.len() > 100 {
        return Err(ApiError::invalid(
            "idempotency_key",
            "must be 1 to 100 characters",
        ));
    }
    crate::services::catalog::products(&state)
        .find_one(doc! { "_id": &req.product_id, "company_id": &shop.company_id })
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
                let event = EventMessage::new(
                    keys::INVENTORY_ADJUSTED,
                    Some(&shop.company_id),
                    Some(actor),
                    serde_json::json!({
                        "shop_id": shop.id, "product_id": m.product_id,
                        "delta_milli": m.delta_milli, "reason": m.reason,
                    }),
                );
                outbox::record(&super::db(state), s, &event).await?;
                Ok(after.last().copied().unwrap_or_default())
            })
        })
        .await;
    let on_hand_milli = match result {
        Ok(v) => v,
        // The same idempotency key again: already applied, answer with the balance.
        Err(ApiError::Conflict(_)) => {
            ledger::on_hand(&state, &shop.id, std::slice::from_ref(&req.product_id))
                .await?
                .get(&req.product_id)
                .copied()
                .unwrap_or_default()
        }
        Err(e) => return Err(e),
    };
    Ok(Json(BalanceView {
        product_id: req.product_id,
        on_hand_milli,
        updated_at: rfc3339(now()),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ShopQuery {
    pub shop_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceView {
    pub product_id: String,
    /// Thousandths of a unit; negative when more was sold than the server knew of.
    pub on_hand_milli: i64,
    pub updated_at: String,
}

/// Stock on hand per product in a shop: the sum of every movement the server has.
#[utoipa::path(get, path = "/api/inventory/balances", tag = "inventory", security(("bearer" = [])), params(ShopQuery, Page),
    responses((status = 200, body = [BalanceView]), (status = 404, body = pos_shared::error::WireError)))]
pub async fn list_balances(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<ShopQuery>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<BalanceView>>> {
    p.require(Role::Cashier)?;
    let shop = visible_shop(&state, &p, &q.shop_id).await?;
    let docs: Vec<Document> = balances(&state)
        .find(doc! { "company_id": &shop.company_id, "shop_id": &shop.id })
        .sort(doc! { "product_id": 1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    Ok(Json(
        docs.iter()
            .map(|d| BalanceView {
                product_id: d.get_str("product_id").unwrap_or_default().to_string(),
                on_hand_milli: d.get_i64("on_hand_milli").unwrap_or_default(),
                updated_at: d
                    .get_datetime("updated_at")
                    .map(|t| rfc3339(*t))
                    .unwrap_or_default(),
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionView {
    pub id: String,
    /// `oversold`, `price_variance`, `over_refund`, `orphan_refund`, or `quarantined` (a
    /// journal record set aside unbuilt: tampered, unreadable, or failing to build).
    pub kind: String,
    pub event_id: String,
    pub terminal_id: String,
    pub detail: String,
    /// An orphan refund is resolved once its sale arrives.
    pub resolved: bool,
    pub at: String,
}

/// What sync found in a shop that a manager should look at, newest first.
#[utoipa::path(get, path = "/api/inventory/exceptions", tag = "inventory", security(("bearer" = [])), params(ShopQuery, Page),
    responses((status = 200, body = [ExceptionView]), (status = 403, body = pos_shared::error::WireError)))]
pub async fn list_exceptions(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<ShopQuery>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ExceptionView>>> {
    // A terminal reads the exceptions raised for its own facts (its sync indicator).
    let own_terminal = p.device.then(|| p.id.clone());
    if own_terminal.is_none() {
        p.require(Role::ShopManager)?;
    }
    let shop = visible_shop(&state, &p, &q.shop_id).await?;
    let mut filter = doc! { "company_id": &shop.company_id, "shop_id": &shop.id };
    if let Some(t) = own_terminal {
        filter.insert("terminal_id", t);
    }
    let docs: Vec<Document> = exceptions(&state)
        .find(filter)
        .sort(doc! { "at": -1, "_id": -1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    let s = |d: &Document, k: &str| d.get_str(k).unwrap_or_default().to_string();
    Ok(Json(
        docs.iter()
            .map(|d| ExceptionView {
                id: s(d, "_id"),
                kind: s(d, "kind"),
                event_id: s(d, "event_id"),
                terminal_id: s(d, "terminal_id"),
                detail: s(d, "detail"),
                resolved: d.get_bool("resolved").unwrap_or(false),
                at: d
                    .get_datetime("at")
                    .map(|t| rfc3339(*t))
                    .unwrap_or_default(),
            })
            .collect(),
    ))
}
