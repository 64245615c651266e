//! The analytics service (analyticsdb, inbox `analytics.events`): rollups of every shop's
//! sales and refunds by local day and hour, product and tender, kept incrementally from
//! `order.completed` / `order.refunded` events, idempotently (an event id is applied
//! once), rebuildable from the stored orders; the dashboard, CSV export and live feed
//! read them.

pub mod facts;
pub mod live;
mod live_socket;
pub mod packs;
mod plan;
pub mod rebuild;
pub mod rollup;
pub mod routes;
mod tables;
mod variances;

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::tz::TimeZone;
use mongodb::bson::{Document, doc};
use mongodb::{ClientSession, Database};

use crate::{
    db::{Mongo, ServiceDb},
    events::EventMessage,
    events::topology::Inbox,
    gateway::tenancy::{Scoped, TenantScope},
    state::AppState,
    store::{self, System},
};

/// Sales and refunds, for the rollups and the live dashboard.
pub const INBOX: Inbox = Inbox {
    queue: "analytics.events",
    service: "analytics",
    bindings: &["order.completed", "order.refunded"],
};

/// analyticsdb itself (to list its collections; they are opened through `crate::store`).
fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Analytics)
}

/// The rollup collection `collection` (one of [`rollup::ALL`]) seen through `scope`.
pub fn rollup_in(
    mongo: &Mongo,
    collection: &str,
    scope: &TenantScope,
) -> mongodb::error::Result<Scoped<Document>> {
    Ok(store::scoped(mongo, rollup::declared(collection)?, scope))
}

/// The indexes the dashboard's reads ride: `{company_id, day}` (all the caller's shops,
/// one range over the company, the shops sifted after) and `{company_id, shop_id, day}`
/// (one shop); the month rollups the same with `month`. SecantusDB plans an index for a
/// filter of equalities and one range only, so the reads are shaped to that.
pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    for collection in &store::ROLLUPS {
        let at = if rollup::is_monthly(collection.name) {
            "month"
        } else {
            "day"
        };
        for keys in [
            doc! { "company_id": 1, at: 1 },
            doc! { "company_id": 1, "shop_id": 1, at: 1 },
        ] {
            store::system::<Document>(&state.mongo, collection, System::Indexes)
                .create_index(mongodb::IndexModel::builder().keys(keys).build())
                .await?;
        }
    }
    backfill_new_levels(state).await
}

/// Levels added after a store already holds counted sales (the `days` totals and the
/// month rollups came after the hourly ones, the month product packs after unpacked month
/// products, the month day packs after those) would start empty and show a year as
/// nothing: a server that finds hours counted but a level empty rebuilds each company's
/// rollups once from its orders, here, before the consumer starts, and drops the unpacked
/// month products. The rebuild writes final values, so two instances doing it at once
/// agree. Finding which levels are empty and which companies have counts looks across
/// companies (`System::Backfill`); each company's rebuild is scoped to it.
async fn backfill_new_levels(state: &AppState) -> anyhow::Result<()> {
    let has = |c: &'static store::Tenant| async move {
        store::system::<Document>(&state.mongo, c, System::Backfill)
            .find_one(doc! {})
            .await
            .map(|d| d.is_some())
    };
    let mut complete = true;
    for level in [
        &store::ROLLUP_DAYS,
        &store::ROLLUP_MONTH_PRODUCT_PACKS,
        &store::ROLLUP_MONTH_DAY_PACKS,
    ] {
        complete &= has(level).await?;
    }
    if complete {
        return Ok(());
    }
    let companies = store::system::<Document>(&state.mongo, &store::ROLLUP_HOURS, System::Backfill)
        .distinct("company_id", doc! {})
        .await?;
    for company in companies.iter().filter_map(mongodb::bson::Bson::as_str) {
        let (sales, refunds) = rebuild::company(state, company).await?;
        tracing::info!(
            company,
            sales,
            refunds,
            "analytics: new rollup levels filled from the orders"
        );
    }
    let legacy = &store::ROLLUP_LEGACY_MONTH_PRODUCTS;
    if db(state)
        .list_collection_names()
        .await?
        .iter()
        .any(|c| c == legacy.name)
    {
        store::system::<Document>(&state.mongo, legacy, System::Backfill)
            .drop()
            .await?;
    }
    Ok(())
}

/// Time zones of shops by (company, shop), read once per shop (a shop's zone hardly ever
/// changes; a restart picks up a change).
type Zones = HashMap<(String, String), TimeZone>;

fn zones() -> &'static Mutex<Zones> {
    static ZONES: std::sync::OnceLock<Mutex<Zones>> = std::sync::OnceLock::new();
    ZONES.get_or_init(Mutex::default)
}

/// The time zone of `company`'s shop `shop_id` (UTC when unknown or not a zone name).
pub async fn zone_of(state: &AppState, company: &str, shop_id: &str) -> TimeZone {
    let key = (company.to_owned(), shop_id.to_owned());
    if let Some(tz) = zones().lock().ok().and_then(|z| z.get(&key).cloned()) {
        return tz;
    }
    let name = crate::services::shop::shops_in(state, &TenantScope::company(company))
        .find_one(doc! { "_id": shop_id })
        .await
        .ok()
        .flatten()
        .map(|s| s.timezone)
        .unwrap_or_default();
    let tz = TimeZone::get(&name).unwrap_or(TimeZone::UTC);
    if let Ok(mut z) = zones().lock() {
        z.insert(key, tz.clone());
    }
    tz
}

/// Applies one event once: its id and its counter bumps in one transaction, so a
/// redelivered event (or a crash between the two) can never count twice. The consumer
/// serves every company, but each event names its company: what it counts is read and
/// written scoped to that company.
pub async fn apply(state: &AppState, event: EventMessage) -> anyhow::Result<()> {
    let Some(company) = event.company_id.clone() else {
        return Ok(());
    };
    let Some((shop, fact)) = facts::of_event(&event.routing_key, &event.payload) else {
        return Ok(());
    };
    let tz = zone_of(state, &company, &shop).await;
    let bumps = rollup::bumps(&company, &shop, &fact, &tz);
    let scope = TenantScope::company(&company);
    let ctx = (state.mongo.clone(), scope, event.id.clone(), bumps);
    let applied = state
        .mongo
        .transact(ctx, |s, (mongo, scope, id, bumps)| {
            Box::pin(async move {
                let applied = store::platform::<Document>(mongo, &store::ANALYTICS_APPLIED);
                // Looked up first: a duplicate-key error would abort the whole
                // transaction (and the driver would retry it forever).
                let seen = applied
                    .find_one(doc! { "_id": id.as_str() })
                    .session(&mut *s)
                    .await?;
                if seen.is_some() {
                    return Ok(false);
                }
                applied
                    .insert_one(doc! { "_id": id.as_str() })
                    .session(&mut *s)
                    .await?;
                write_bumps(mongo, scope, s, bumps).await?;
                Ok(true)
            })
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    if applied {
        live::publish(&company, &shop, &event);
    }
    Ok(())
}

/// Upserts each counter with `$inc` (its keys with `$setOnInsert`, a packed product's
/// keys and name with `$set`), in `scope`: the bumps' company.
pub async fn write_bumps(
    mongo: &Mongo,
    scope: &TenantScope,
    s: &mut ClientSession,
    bumps: &[rollup::Bump],
) -> mongodb::error::Result<()> {
    for b in bumps {
        let mut update = doc! { "$setOnInsert": b.set.clone(), "$inc": b.inc.clone() };
        if !b.put.is_empty() {
            update.insert("$set", b.put.clone());
        }
        rollup_in(mongo, b.collection, scope)?
            .update_one(doc! { "_id": &b.id }, update)
            .upsert(true)
            .session(&mut *s)
            .await?;
    }
    Ok(())
}

/// The company's currency for the figures' formatting (EUR when unknown).
pub async fn currency_of(state: &AppState, company: &str) -> String {
    crate::services::company::companies(state)
        .find_one(doc! { "_id": company })
        .await
        .ok()
        .flatten()
        .map_or_else(|| "EUR".into(), |c| c.settings.currency)
}

/// This service's registration: what the server runs of it (see `services::registry`).
pub const SERVICE: crate::services::Service = crate::services::Service::new(
    "analytics",
    ServiceDb::Analytics,
    routes::router,
    <Api as utoipa::OpenApi>::openapi,
)
.prepare("analytics", |st| {
    Box::pin(async move { prepare(&st).await })
})
.consumer(INBOX, |st, event| {
    Box::pin(async move { apply(&st, event).await })
});

/// This service's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(routes::dashboard, routes::export,))]
struct Api;
