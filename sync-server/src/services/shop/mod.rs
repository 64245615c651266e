//! The shop service (shopdb): shops, opening hours, locations and warehouses, staff per
//! shop, and the terminal registry.

pub mod locations;
pub mod routes;
pub mod staff;
pub mod terminals;

use futures::TryStreamExt;
use mongodb::{
    Database, IndexModel,
    bson::{DateTime, doc},
    options::IndexOptions,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    db::{ServiceDb, rfc3339},
    error::{ApiError, ApiResult},
    events::outbox,
    gateway::{
        principal::Principal,
        tenancy::{Scoped, TenantScope},
    },
    state::AppState,
    store::System,
};

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Shop)
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct OpeningHours {
    /// 0 = Monday … 6 = Sunday.
    #[schema(maximum = 6)]
    pub day: u8,
    /// Local time `HH:MM`, before `closes` (422 otherwise).
    #[schema(value_type = crate::openapi::fields::ClockTime)]
    pub opens: String,
    #[schema(value_type = crate::openapi::fields::ClockTime)]
    pub closes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShopDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub company_id: String,
    pub name: String,
    #[serde(default)]
    pub address: String,
    pub timezone: String,
    #[serde(default)]
    pub opening_hours: Vec<OpeningHours>,
    /// `active` or `closed` (shops are never hard-deleted: their sales stay).
    pub status: String,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShopView {
    pub id: String,
    pub company_id: String,
    pub name: String,
    pub address: String,
    pub timezone: String,
    pub opening_hours: Vec<OpeningHours>,
    pub status: String,
    pub created_at: String,
}

impl From<ShopDoc> for ShopView {
    fn from(s: ShopDoc) -> Self {
        Self {
            id: s.id,
            company_id: s.company_id,
            name: s.name,
            address: s.address,
            timezone: s.timezone,
            opening_hours: s.opening_hours,
            status: s.status,
            created_at: rfc3339(s.created_at),
        }
    }
}

/// The shops of `scope`.
pub fn shops_in(state: &AppState, scope: &TenantScope) -> Scoped<ShopDoc> {
    crate::store::scoped(&state.mongo, &crate::store::SHOPS, scope)
}

/// Shops as the caller may see them.
pub fn scoped_shops(state: &AppState, p: &Principal) -> Scoped<ShopDoc> {
    shops_in(state, &p.scope())
}

/// The open shop `id` if the caller may see it; 404 otherwise (also for other tenants').
pub async fn visible_shop(state: &AppState, p: &Principal, id: &str) -> ApiResult<ShopDoc> {
    scoped_shops(state, p)
        .find_one(doc! { "_id": id, "status": "active" })
        .await?
        .ok_or_else(|| ApiError::not_found("shop"))
}

pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let d = db(state);
    outbox::ensure_indexes(&d).await?;
    crate::streams::ensure_indexes(&d).await?;
    crate::store::system::<ShopDoc>(&state.mongo, &crate::store::SHOPS, System::Indexes)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "status": 1 })
                .build(),
        )
        .await?;
    crate::store::system::<mongodb::bson::Document>(
        &state.mongo,
        &crate::store::STAFF,
        crate::store::System::Indexes,
    )
    .create_index(
        IndexModel::builder()
            .keys(doc! { "shop_id": 1, "user_id": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build(),
    )
    .await?;
    crate::store::system::<mongodb::bson::Document>(
        &state.mongo,
        &crate::store::TERMINALS,
        crate::store::System::Indexes,
    )
    .create_index(
        IndexModel::builder()
            .keys(doc! { "company_id": 1, "status": 1 })
            .build(),
    )
    .await?;
    crate::store::system::<mongodb::bson::Document>(
        &state.mongo,
        &crate::store::LOCATIONS,
        crate::store::System::Indexes,
    )
    .create_index(IndexModel::builder().keys(doc! { "shop_id": 1 }).build())
    .await?;
    // Shops older than the config and staff streams: their tills learn what exists.
    let ids: Vec<mongodb::bson::Document> = crate::store::system::<mongodb::bson::Document>(
        &state.mongo,
        &crate::store::SHOPS,
        crate::store::System::Backfill,
    )
    .find(doc! {})
    .projection(doc! { "_id": 1 })
    .await?
    .try_collect()
    .await?;
    for id in ids.iter().filter_map(|d| d.get_str("_id").ok()) {
        staff::backfill_stream(state, id)
            .await
            .map_err(|e| anyhow::anyhow!("staff stream of shop {id}: {e}"))?;
        terminals::backfill_stream(state, id)
            .await
            .map_err(|e| anyhow::anyhow!("config stream of shop {id}: {e}"))?;
    }
    Ok(())
}

pub fn check_hours(hours: &[OpeningHours]) -> ApiResult<()> {
    fn minutes(t: &str) -> Option<u32> {
        // Digits only: `parse` alone would also take `+1:00`.
        let (h, m) = t.split_once(':')?;
        if h.len() != 2 || m.len() != 2 || !format!("{h}{m}").bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    }
    for (i, h) in hours.iter().enumerate() {
        if h.day > 6 {
            return Err(ApiError::invalid(
                &format!("opening_hours[{i}].day"),
                "must be 0 (Monday) to 6 (Sunday)",
            ));
        }
        match (minutes(&h.opens), minutes(&h.closes)) {
            (Some(o), Some(c)) if o < c => {}
            _ => {
                return Err(ApiError::invalid(
                    &format!("opening_hours[{i}]"),
                    "needs opens before closes, as HH:MM",
                ));
            }
        }
    }
    Ok(())
}

/// Plan-limited creations (shops, terminals) count existing ones and insert in one
/// transaction. Under snapshot isolation two such transactions do not conflict on a count,
/// so both could pass the limit (write skew). Each first writes the company's lock
/// document, which makes concurrent ones conflict; the driver retries the loser, which
/// then counts the winner's insert. A terminal's change to the config streams of every
/// shop takes it too, so it cannot miss a shop being created (`terminals::publish_in`).
pub async fn lock_plan_in(
    state: &AppState,
    session: &mut mongodb::ClientSession,
    company_id: &str,
) -> mongodb::error::Result<()> {
    crate::store::platform::<mongodb::bson::Document>(&state.mongo, &crate::store::PLAN_LOCKS)
        .update_one(doc! { "_id": company_id }, doc! { "$inc": { "v": 1_i64 } })
        .session(session)
        .await?;
    Ok(())
}

/// Creates the lock document outside any transaction (two transactions upserting the same
/// new document would fail with a duplicate key rather than a retryable conflict).
pub async fn ensure_plan_lock(state: &AppState, company_id: &str) -> ApiResult<()> {
    crate::store::platform::<mongodb::bson::Document>(&state.mongo, &crate::store::PLAN_LOCKS)
        .update_one(
            doc! { "_id": company_id },
            doc! { "$setOnInsert": { "v": 0_i64 } },
        )
        .upsert(true)
        .await
        .or_else(|e| {
            if crate::error::is_duplicate_key(&e) {
                Ok(Default::default())
            } else {
                Err(e)
            }
        })?;
    Ok(())
}

/// This service's registration: what the server runs of it (see `services::registry`).
pub const SERVICE: crate::services::Service = crate::services::Service::new(
    "shop",
    ServiceDb::Shop,
    routes::router,
    <Api as utoipa::OpenApi>::openapi,
)
.prepare("shop", |st| Box::pin(async move { prepare(&st).await }))
.outbox()
.change_log();

/// This service's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    routes::create_shop,
    routes::list_shops,
    routes::get_shop,
    routes::update_shop,
    routes::delete_shop,
    routes::put_hours,
    staff::add_staff,
    staff::list_staff,
    staff::remove_staff,
    staff::set_pin,
    locations::add_location,
    locations::list_locations,
    terminals::create_enrollment_code,
    terminals::enroll_terminal,
    terminals::list_terminals,
    terminals::revoke_terminal,
))]
struct Api;
