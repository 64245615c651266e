//! Reading web orders: a customer sees its own (another's answers 404, as an unknown id
//! does), a company's managers see every web order of the shops they manage.

use axum::{
    Json,
    extract::{Path, Query, State},
};
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use pos_shared::role::Role;

use super::{orders_in, routes::json};
use crate::{
    error::{ApiError, ApiResult},
    gateway::{paging::Page, principal::Principal, tenancy::TenantScope},
    state::AppState,
};

/// The order as the API shows it: without the request fingerprint kept for retries.
fn view(mut d: Document) -> serde_json::Value {
    d.remove("request_fingerprint");
    json(d)
}

/// The calling customer's web orders, newest first.
#[utoipa::path(get, path = "/api/orders/mine", tag = "orders", security(("bearer" = [])), params(Page),
    responses((status = 200, description = "the customer's orders: lines, totals in minor units, status"),
        (status = 403, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn my_orders(
    State(state): State<AppState>,
    p: Principal,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<serde_json::Value>>> {
    let company = p.customer_of()?;
    let docs: Vec<Document> = orders_in(&state, &TenantScope::company(company))
        .find(doc! { "channel": "web", "customer_id": &p.id })
        .sort(doc! { "created_at": -1, "_id": -1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    Ok(Json(docs.into_iter().map(view).collect()))
}

/// One web order: the customer's own, or any of the caller's shops for managers and up.
#[utoipa::path(get, path = "/api/orders/{id}", tag = "orders", security(("bearer" = [])),
    responses((status = 200, description = "the order with its status and, once cancelled, `cancel_reason`"),
        (status = 403, body = pos_shared::error::WireError), (status = 404, body = pos_shared::error::WireError)))]
pub async fn get_web_order(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let found = if p.role == Role::Customer {
        orders_in(&state, &TenantScope::company(p.customer_of()?))
            .find_one(doc! { "_id": &id, "channel": "web", "customer_id": &p.id })
            .await?
    } else {
        p.require(Role::ShopManager)?;
        orders_in(&state, &p.scope())
            .find_one(doc! { "_id": &id, "channel": "web" })
            .await?
    };
    found
        .map(|d| Json(view(d)))
        .ok_or_else(|| ApiError::not_found("order"))
}
