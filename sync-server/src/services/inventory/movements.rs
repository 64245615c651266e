//! A product's stock history in a shop: every movement of the ledger, newest first, with
//! why it happened (sale, refund, adjustment reason), where it came from (the till and
//! journal record, or the manager who adjusted) and the balance right after it.

use axum::{
    Json,
    extract::{Query, State},
};
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ledger, movements};
use crate::{
    db::rfc3339,
    error::{ApiError, ApiResult},
    gateway::{
        paging::Page,
        principal::Principal,
        tenancy::{Scoped, TenantScope},
    },
    services::{catalog, shop::visible_shop},
    state::AppState,
};

#[derive(Debug, Deserialize, IntoParams)]
pub struct MovementQuery {
    pub shop_id: String,
    pub product_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovementView {
    pub id: String,
    /// Signed thousandths of a unit: negative when goods left.
    pub delta_milli: i64,
    /// What the shop's stock was right after this movement.
    pub balance_after_milli: i64,
    /// `sale`, `refund`, or the reason a manager gave (`delivery`, `count`, `damage`...).
    pub reason: String,
    /// `till` (a sale, refund or count recorded at a till) or `portal` (an adjustment).
    pub source: String,
    /// The till it came from.
    pub terminal_id: Option<String>,
    /// The till's journal record it was built from.
    pub source_event: Option<String>,
    /// Who adjusted, for adjustments made in the portal or API.
    pub actor: Option<String>,
    /// RFC 3339 UTC, when the server recorded it.
    pub at: String,
}

/// Stock movements of one product in one shop, newest first (managers).
#[utoipa::path(get, path = "/api/inventory/movements", tag = "inventory", security(("bearer" = [])), params(MovementQuery, Page),
    responses((status = 200, body = [MovementView]), (status = 403, body = pos_shared::error::WireError), (status = 404, body = pos_shared::error::WireError)))]
pub async fn list_movements(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<MovementQuery>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<MovementView>>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &q.shop_id).await?;
    catalog::products_in(&state, &TenantScope::company(&shop.company_id))
        .find_one(doc! { "_id": &q.product_id })
        .await?
        .ok_or_else(|| ApiError::not_found("product"))?;
    let moves = movements(&state, &TenantScope::company(&shop.company_id));
    let filter = doc! { "shop_id": &shop.id, "product_id": &q.product_id };
    let docs: Vec<Document> = moves
        .find(filter.clone())
        .sort(doc! { "at": -1, "_id": -1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    // The balance after the newest movement of this page is today's balance less every
    // newer movement (the pages before this one).
    let product = std::slice::from_ref(&q.product_id);
    let now = ledger::on_hand(&state, &shop.company_id, &shop.id, product)
        .await?
        .get(&q.product_id)
        .copied()
        .unwrap_or_default();
    let mut after = now - newer_sum(&moves, filter, page.offset).await?;
    let mut out = Vec::with_capacity(docs.len());
    for d in &docs {
        let delta_milli = d.get_i64("delta_milli").unwrap_or_default();
        out.push(view(d, delta_milli, after));
        after -= delta_milli;
    }
    Ok(Json(out))
}

fn view(d: &Document, delta_milli: i64, balance_after_milli: i64) -> MovementView {
    let opt = |k: &str| d.get_str(k).ok().map(str::to_owned);
    let actor = opt("actor");
    let terminal_id = opt("terminal_id");
    MovementView {
        id: opt("_id").unwrap_or_default(),
        delta_milli,
        balance_after_milli,
        reason: opt("reason").unwrap_or_default(),
        source: if terminal_id.is_some() {
            "till"
        } else {
            "portal"
        }
        .into(),
        terminal_id,
        source_event: opt("source_event"),
        actor,
        at: d
            .get_datetime("at")
            .map(|t| rfc3339(*t))
            .unwrap_or_default(),
    }
}

/// Sum of the `skip` newest movements matching `filter` (0 for the first page).
async fn newer_sum(
    moves: &Scoped<Document>,
    filter: Document,
    skip: u64,
) -> mongodb::error::Result<i64> {
    if skip == 0 {
        return Ok(0);
    }
    let skip = i64::try_from(skip).unwrap_or(i64::MAX);
    let rows: Vec<Document> = moves
        .aggregate(vec![
            doc! { "$match": filter },
            doc! { "$sort": { "at": -1, "_id": -1 } },
            doc! { "$limit": skip },
            doc! { "$group": { "_id": null, "sum": { "$sum": "$delta_milli" } } },
        ])
        .await?
        .try_collect()
        .await?;
    Ok(rows
        .first()
        .and_then(|d| {
            d.get_i64("sum")
                .ok()
                .or_else(|| d.get_i32("sum").ok().map(i64::from))
        })
        .unwrap_or_default())
}
