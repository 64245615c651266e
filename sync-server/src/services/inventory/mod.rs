//! The inventory service (inventorydb): the stock ledger of signed movements, balances per
//! shop and product kept in the same transaction, the per-shop stock stream, and the
//! exceptions managers must look at (oversold, price variance, over-refund, orphan refund),
//! and reorder levels: stock falling to a product's level raises `inventory.low_stock`.

pub mod balances;
pub mod exceptions;
pub mod ledger;
pub mod movements;
pub mod routes;

use mongodb::{Collection, Database, IndexModel, bson::Document, bson::doc};

use crate::{db::ServiceDb, state::AppState, streams};

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Inventory)
}

#[allow(clippy::disallowed_methods)] // TODO(tenancy): callers still filter by company_id by hand
pub fn movements(state: &AppState) -> Collection<Document> {
    crate::store::unconverted(&state.mongo, &crate::store::MOVEMENTS)
}

#[allow(clippy::disallowed_methods)] // TODO(tenancy): callers still filter by company_id by hand
pub fn balances(state: &AppState) -> Collection<Document> {
    crate::store::unconverted(&state.mongo, &crate::store::BALANCES)
}

#[allow(clippy::disallowed_methods)] // TODO(tenancy): callers still filter by company_id by hand
pub fn exceptions(state: &AppState) -> Collection<Document> {
    crate::store::unconverted(&state.mongo, &crate::store::EXCEPTIONS)
}

/// Reorder level per shop and product (`_id` = `shop:product`, like its balance).
#[allow(clippy::disallowed_methods)] // TODO(tenancy): callers still filter by company_id by hand
pub fn reorder_levels(state: &AppState) -> Collection<Document> {
    crate::store::unconverted(&state.mongo, &crate::store::REORDER_LEVELS)
}

pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let db = db(state);
    // A product's history in a shop, newest first (also serves the shop + product prefix).
    movements(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "product_id": 1, "at": -1 })
                .build(),
        )
        .await?;
    balances(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1 })
                .build(),
        )
        .await?;
    reorder_levels(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1 })
                .build(),
        )
        .await?;
    exceptions(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "at": -1 })
                .build(),
        )
        .await?;
    // The portal's open / resolved lists.
    exceptions(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "resolved": 1, "at": -1 })
                .build(),
        )
        .await?;
    streams::ensure_indexes(&db).await?;
    crate::events::outbox::ensure_indexes(&db).await?;
    Ok(())
}
