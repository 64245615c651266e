//! Shifts and Z reports on the server: every till's shifts as they were opened and
//! closed (the Z report exactly as the till sealed it into its journal), so managers see
//! each cash-up, its counted and expected amounts and its variance without going to the
//! till. Written by the projector in the batch's transaction; read over REST.

use axum::{
    Json,
    extract::{Query, State},
};
use futures::TryStreamExt;
use mongodb::{
    ClientSession,
    bson::{self, Bson, DateTime, Document, doc},
};
use pos_shared::role::Role;
use serde::Deserialize;
use utoipa::IntoParams;

use super::routes::json;
use crate::{
    error::{ApiError, ApiResult},
    gateway::{
        paging::Page,
        principal::Principal,
        tenancy::{Scoped, TenantScope},
    },
    services::{shop::visible_shop, sync::ingest::Source},
    state::AppState,
};

/// The shifts of `scope`.
pub fn shifts_in(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::SHIFTS, scope)
}

/// A shift fact of one journal record: the shift as opened, or its Z report.
#[derive(Debug, Clone)]
pub enum ShiftFact {
    Opened(serde_json::Value),
    Closed(serde_json::Value),
}

fn bson_of(v: &serde_json::Value) -> mongodb::error::Result<Bson> {
    bson::to_bson(v).map_err(|e| mongodb::error::Error::custom(format!("shift fact: {e}")))
}

/// Stores the shift facts of one batch, in journal order, inside the projector's
/// transaction. Replays change nothing: opening only inserts, closing sets the same Z.
pub async fn apply(
    state: &AppState,
    s: &mut ClientSession,
    src: &Source,
    facts: &[ShiftFact],
    at: DateTime,
) -> mongodb::error::Result<()> {
    let company = TenantScope::company(&src.company_id);
    for fact in facts {
        let (id, update) = match fact {
            ShiftFact::Opened(v) => (
                v["id"].as_str(),
                doc! { "$setOnInsert": {
                    "status": "open",
                    "opened_by": bson_of(&v["opened_by"])?,
                    "opened_at_ms": bson_of(&v["opened_at_ms"])?,
                    "opening_float_minor": bson_of(&v["opening_float_minor"])?,
                    "company_id": &src.company_id, "shop_id": &src.shop_id,
                    "terminal_id": &src.terminal_id, "received_at": at,
                } },
            ),
            ShiftFact::Closed(z) => (
                z["report"]["shift_id"].as_str(),
                doc! {
                    "$set": {
                        "status": "closed",
                        "z_number": bson_of(&z["z_number"])?,
                        "closed_at_ms": bson_of(&z["closed_at_ms"])?,
                        "closed_by": bson_of(&z["closed_by"])?,
                        "z_report": bson_of(z)?,
                    },
                    "$setOnInsert": {
                        "company_id": &src.company_id, "shop_id": &src.shop_id,
                        "terminal_id": &src.terminal_id, "received_at": at,
                    },
                },
            ),
        };
        let Some(id) = id else {
            tracing::warn!(terminal = %src.terminal_id, "shift fact without a shift id; kept in the journal only");
            continue;
        };
        shifts_in(state, &company)
            .update_one(doc! { "_id": id }, update)
            .upsert(true)
            .session(&mut *s)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ShiftQuery {
    pub shop_id: String,
}

/// A shop's shifts, newest first, each with its Z report once closed (managers).
#[utoipa::path(get, path = "/api/sales/shifts", tag = "sales", security(("bearer" = [])), params(ShiftQuery, Page),
    responses((status = 200, description = "shifts as stored: status, float, and the Z report (totals, tenders, counted, variance) once closed"), (status = 404, body = pos_shared::error::WireError)))]
pub async fn list_shifts(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<ShiftQuery>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<serde_json::Value>>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &q.shop_id).await?;
    let docs: Vec<Document> = shifts_in(&state, &TenantScope::company(&shop.company_id))
        .find(doc! { "shop_id": &shop.id })
        .sort(doc! { "opened_at_ms": -1, "_id": -1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    Ok(Json(docs.into_iter().map(json).collect()))
}

/// One shift with its Z report.
#[utoipa::path(get, path = "/api/sales/shifts/{id}", tag = "sales", security(("bearer" = [])),
    responses((status = 200, description = "the shift"), (status = 404, body = pos_shared::error::WireError)))]
pub async fn get_shift(
    State(state): State<AppState>,
    p: Principal,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    p.require(Role::ShopManager)?;
    let shift = shifts_in(&state, &TenantScope::company(p.company()?))
        .find_one(doc! { "_id": &id })
        .await?
        .ok_or_else(|| ApiError::not_found("shift"))?;
    if !p
        .scope()
        .allows_shop(shift.get_str("shop_id").unwrap_or_default())
    {
        return Err(ApiError::not_found("shift"));
    }
    Ok(Json(json(shift)))
}
