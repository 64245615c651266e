//! The analytics service (analyticsdb, inbox `analytics.events`): rollups of every shop's
//! sales and refunds by local day and hour, product and tender, kept incrementally from
//! `order.completed` / `order.refunded` events, idempotently (an event id is applied
//! once), rebuildable from the stored orders; the dashboard, CSV export and live feed
//! read them.

pub mod facts;
pub mod live;
mod live_socket;
pub mod rebuild;
pub mod rollup;
pub mod routes;
mod variances;

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::tz::TimeZone;
use mongodb::bson::doc;
use mongodb::{ClientSession, Database};

use crate::{db::ServiceDb, events::EventMessage, events::topology::Inbox, state::AppState};

/// Sales and refunds, for the rollups and the live dashboard.
pub const INBOX: Inbox = Inbox {
    queue: "analytics.events",
    service: "analytics",
    bindings: &["order.completed", "order.refunded"],
};

/// Event ids already counted.
const APPLIED: &str = "applied";

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Analytics)
}

/// The indexes the dashboard's reads ride: `{company_id, day}` (all the caller's shops,
/// one range over the company, the shops sifted after) and `{company_id, shop_id, day}`
/// (one shop); the month rollups the same with `month`. SecantusDB plans an index for a
/// filter of equalities and one range only, so the reads are shaped to that.
pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    for collection in rollup::ALL {
        let at = if rollup::is_monthly(collection) {
            "month"
        } else {
            "day"
        };
        for keys in [
            doc! { "company_id": 1, at: 1 },
            doc! { "company_id": 1, "shop_id": 1, at: 1 },
        ] {
            db(state)
                .collection::<mongodb::bson::Document>(collection)
                .create_index(mongodb::IndexModel::builder().keys(keys).build())
                .await?;
        }
    }
    backfill_new_levels(state).await
}

/// Levels added after a store already holds counted sales (the `days` totals and the
/// month rollups came after the hourly ones, the month product packs after unpacked month
/// products) would start empty and show a year as nothing: a server that finds hours
/// counted but a level empty rebuilds each company's rollups once from its orders, here,
/// before the consumer starts, and drops the unpacked month products. The rebuild writes
/// final values, so two instances doing it at once agree.
async fn backfill_new_levels(state: &AppState) -> anyhow::Result<()> {
    let has = |c: &'static str| async move {
        db(state)
            .collection::<mongodb::bson::Document>(c)
            .find_one(doc! {})
            .await
            .map(|d| d.is_some())
    };
    if has(rollup::DAYS).await? && has(rollup::MONTH_PRODUCTS).await? {
        return Ok(());
    }
    let companies = db(state)
        .collection::<mongodb::bson::Document>(rollup::HOURS)
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
    let legacy = rollup::LEGACY_MONTH_PRODUCTS;
    if db(state)
        .list_collection_names()
        .await?
        .iter()
        .any(|c| c == legacy)
    {
        db(state)
            .collection::<mongodb::bson::Document>(legacy)
            .drop()
            .await?;
    }
    Ok(())
}

/// Time zones of shops, read once per shop (a shop's zone hardly ever changes; a
/// restart picks up a change).
fn zones() -> &'static Mutex<HashMap<String, TimeZone>> {
    static ZONES: std::sync::OnceLock<Mutex<HashMap<String, TimeZone>>> =
        std::sync::OnceLock::new();
    ZONES.get_or_init(Mutex::default)
}

/// The shop's time zone (UTC when unknown or not a zone name).
pub async fn zone_of(state: &AppState, shop_id: &str) -> TimeZone {
    if let Some(tz) = zones().lock().ok().and_then(|z| z.get(shop_id).cloned()) {
        return tz;
    }
    let name = crate::services::shop::shops(state)
        .find_one(doc! { "_id": shop_id })
        .await
        .ok()
        .flatten()
        .map(|s| s.timezone)
        .unwrap_or_default();
    let tz = TimeZone::get(&name).unwrap_or(TimeZone::UTC);
    if let Ok(mut z) = zones().lock() {
        z.insert(shop_id.to_owned(), tz.clone());
    }
    tz
}

/// Applies one event once: its id and its counter bumps in one transaction, so a
/// redelivered event (or a crash between the two) can never count twice.
pub async fn apply(state: &AppState, event: EventMessage) -> anyhow::Result<()> {
    let Some(company) = event.company_id.clone() else {
        return Ok(());
    };
    let Some((shop, fact)) = facts::of_event(&event.routing_key, &event.payload) else {
        return Ok(());
    };
    let tz = zone_of(state, &shop).await;
    let bumps = rollup::bumps(&company, &shop, &fact, &tz);
    let ctx = (db(state), event.id.clone(), bumps);
    let applied = state
        .mongo
        .transact(ctx, |s, (db, id, bumps)| {
            Box::pin(async move {
                // Looked up first: a duplicate-key error would abort the whole
                // transaction (and the driver would retry it forever).
                let seen = db
                    .collection::<mongodb::bson::Document>(APPLIED)
                    .find_one(doc! { "_id": id.as_str() })
                    .session(&mut *s)
                    .await?;
                if seen.is_some() {
                    return Ok(false);
                }
                db.collection::<mongodb::bson::Document>(APPLIED)
                    .insert_one(doc! { "_id": id.as_str() })
                    .session(&mut *s)
                    .await?;
                write_bumps(db, s, bumps).await?;
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
/// keys and name with `$set`).
pub async fn write_bumps(
    db: &Database,
    s: &mut ClientSession,
    bumps: &[rollup::Bump],
) -> mongodb::error::Result<()> {
    for b in bumps {
        let mut update = doc! { "$setOnInsert": b.set.clone(), "$inc": b.inc.clone() };
        if !b.put.is_empty() {
            update.insert("$set", b.put.clone());
        }
        db.collection::<mongodb::bson::Document>(b.collection)
            .update_one(doc! { "_id": &b.id }, update)
            .upsert(true)
            .session(&mut *s)
            .await?;
    }
    Ok(())
}

/// The company's currency for the figures' formatting (EUR when unknown).
pub async fn currency_of(state: &AppState, filter: &mongodb::bson::Document) -> String {
    let Ok(company) = filter.get_str("company_id") else {
        return "EUR".into();
    };
    crate::services::company::companies(state)
        .find_one(doc! { "_id": company })
        .await
        .ok()
        .flatten()
        .map_or_else(|| "EUR".into(), |c| c.settings.currency)
}
