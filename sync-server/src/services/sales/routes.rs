//! Sales HTTP API: the orders of a shop (POS sales included) and their refunds; shifts
//! are in `shifts`.

use axum::{
    Json, Router,
    extract::{Query, State},
    routing::get,
};
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use pos_shared::role::Role;

use super::{
    order_filter::{self, OrderQuery},
    orders_in, refunds_in,
};
use crate::{
    error::{ApiError, ApiResult},
    gateway::{paging::Page, principal::Principal, tenancy::TenantScope},
    services::shop::visible_shop,
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sales/orders", get(list_orders))
        .route("/sales/orders/{id}", get(get_order))
        .route("/sales/shifts", get(super::shifts::list_shifts))
        .route("/sales/shifts/{id}", get(super::shifts::get_shift))
        .route(
            "/orders",
            axum::routing::post(super::web_orders::place_order),
        )
        .route("/orders/mine", get(super::my_orders::my_orders))
        .route("/orders/{id}", get(super::my_orders::get_web_order))
}

/// A stored document as the API returns it (relaxed extended JSON).
pub(super) fn json(d: Document) -> serde_json::Value {
    Bson::Document(d).into_relaxed_extjson()
}

/// Orders of a shop, newest first (shop managers and up), narrowed by a time window, till,
/// staff member or receipt number; each carries `refunded_minor`, what its linked refunds
/// gave back so far.
#[utoipa::path(get, path = "/api/sales/orders", tag = "sales", security(("bearer" = [])), params(OrderQuery, Page),
    responses((status = 200, description = "orders as stored: lines, tenders, totals in minor units, and `refunded_minor`"),
        (status = 422, body = pos_shared::error::WireError)))]
pub async fn list_orders(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<OrderQuery>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<serde_json::Value>>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &q.shop_id).await?;
    let company = TenantScope::company(&shop.company_id);
    let mut docs: Vec<Document> = orders_in(&state, &company)
        .find(q.filter(&shop.id)?)
        .sort(doc! { "created_at": -1, "_id": -1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    let ids: Vec<&str> = docs.iter().filter_map(|d| d.get_str("_id").ok()).collect();
    let refunded = order_filter::refunded(&state, &company, &ids).await?;
    for d in &mut docs {
        let id = d.get_str("_id").unwrap_or_default();
        let amount = refunded.get(id).copied().unwrap_or_default();
        d.insert("refunded_minor", amount);
    }
    Ok(Json(docs.into_iter().map(json).collect()))
}

/// One order with the refunds linked to it.
#[utoipa::path(get, path = "/api/sales/orders/{id}", tag = "sales", security(("bearer" = [])),
    responses((status = 200, description = "the order and `refunds`"), (status = 404, body = pos_shared::error::WireError)))]
pub async fn get_order(
    State(state): State<AppState>,
    p: Principal,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    p.require(Role::ShopManager)?;
    let company = TenantScope::company(p.company()?);
    let mut order = orders_in(&state, &company)
        .find_one(doc! { "_id": &id })
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    let shop = order.get_str("shop_id").unwrap_or_default().to_string();
    if !p.scope().allows_shop(&shop) {
        return Err(ApiError::not_found("order"));
    }
    let linked: Vec<Document> = refunds_in(&state, &company)
        .find(doc! { "sale_id": &id })
        .await?
        .try_collect()
        .await?;
    let refunded: i64 = linked
        .iter()
        .map(|r| r.get_i64("total_minor").unwrap_or_default())
        .sum();
    order.insert("refunds", linked);
    order.insert("refunded_minor", refunded);
    Ok(Json(json(order)))
}
