//! The inventory service (inventorydb): the stock ledger of signed movements, balances per
//! shop and product kept in the same transaction, the per-shop stock stream, and the
//! exceptions managers must look at (oversold, price variance, over-refund, orphan refund),
//! and reorder levels: stock falling to a product's level raises `inventory.low_stock`.

pub mod balances;
pub mod exceptions;
pub mod ledger;
pub mod movements;
pub mod reservations;
pub mod routes;
pub mod web_sales;

use mongodb::{Collection, Database, IndexModel, bson::Document, bson::doc};

use crate::{
    db::ServiceDb,
    gateway::tenancy::{Scoped, TenantScope},
    state::AppState,
    store::System,
    streams,
};

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Inventory)
}

/// One shop of `company`: what a write to its stock may touch.
pub fn shop_scope(company: &str, shop: &str) -> TenantScope {
    TenantScope {
        company: Some(company.to_owned()),
        shops: Some(vec![shop.to_owned()]),
    }
}

pub fn movements(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::MOVEMENTS, scope)
}

pub fn balances(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::BALANCES, scope)
}

pub fn exceptions(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::EXCEPTIONS, scope)
}

/// Reorder level per shop and product (`_id` = `shop:product`, like its balance).
pub fn reorder_levels(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::REORDER_LEVELS, scope)
}

/// `c` for creating its indexes at start-up.
fn indexed(state: &AppState, c: &crate::store::Tenant) -> Collection<Document> {
    crate::store::system(&state.mongo, c, System::Indexes)
}

pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let db = db(state);
    // A product's history in a shop, newest first (also serves the shop + product prefix).
    indexed(state, &crate::store::MOVEMENTS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "product_id": 1, "at": -1 })
                .build(),
        )
        .await?;
    indexed(state, &crate::store::BALANCES)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1 })
                .build(),
        )
        .await?;
    indexed(state, &crate::store::REORDER_LEVELS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1 })
                .build(),
        )
        .await?;
    indexed(state, &crate::store::EXCEPTIONS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "at": -1 })
                .build(),
        )
        .await?;
    // The portal's open / resolved lists.
    indexed(state, &crate::store::EXCEPTIONS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "resolved": 1, "at": -1 })
                .build(),
        )
        .await?;
    indexed(state, &crate::store::RESERVATIONS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "status": 1 })
                .build(),
        )
        .await?;
    streams::ensure_indexes(&db).await?;
    crate::events::outbox::ensure_indexes(&db).await?;
    Ok(())
}

/// This service's registration: what the server runs of it (see `services::registry`).
pub const SERVICE: crate::services::Service = crate::services::Service::new(
    "inventory",
    ServiceDb::Inventory,
    routes::router,
    <Api as utoipa::OpenApi>::openapi,
)
.prepare("inventory", |st| {
    Box::pin(async move { prepare(&st).await })
})
.outbox()
.change_log()
.consumer(reservations::INBOX, |st, event| {
    Box::pin(async move { reservations::handle(&st, event).await })
});

/// This service's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    balances::list_balances,
    exceptions::list_exceptions,
    exceptions::resolve_exception,
    movements::list_movements,
    routes::adjust,
    routes::set_reorder_level,
    balances::list_low_stock,
))]
struct Api;
