//! The sales service (salesdb): POS sales become orders (channel `pos`, status
//! `completed`), refunds link to their sale whichever arrives first, and the raw journal
//! of every terminal is kept (as the batches it was pushed in) for audit and replay
//! detection, and every till's shifts with their Z reports.

pub mod order_filter;
pub mod receipts_email;
pub mod routes;
pub mod shifts;

use futures::TryStreamExt;
use mongodb::{
    Collection, Database, IndexModel,
    bson::{Document, doc},
    options::IndexOptions,
};

use crate::{db::ServiceDb, state::AppState};

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Sales)
}

#[allow(clippy::disallowed_methods)] // TODO(tenancy): callers still filter by company_id by hand
pub fn orders(state: &AppState) -> Collection<Document> {
    crate::store::unconverted(&state.mongo, &crate::store::ORDERS)
}

#[allow(clippy::disallowed_methods)] // TODO(tenancy): callers still filter by company_id by hand
pub fn refunds(state: &AppState) -> Collection<Document> {
    crate::store::unconverted(&state.mongo, &crate::store::REFUNDS)
}

/// Every journal record a terminal pushed, as the batches it was acked in (see
/// `sync::batches`): unique by `(terminal_id, epoch, from)`, ranges never overlap.
#[allow(clippy::disallowed_methods)] // TODO(tenancy): callers still filter by company_id by hand
pub fn journal(state: &AppState) -> Collection<Document> {
    crate::store::unconverted(&state.mongo, &crate::store::JOURNAL_BATCHES)
}

/// How far each terminal's batches are projected: `_id` = `{terminal}:{epoch}`. Kept apart
/// from [`terminals`] so a push and the projection of an earlier batch never write the
/// same document (which would abort one of the two transactions).
#[allow(clippy::disallowed_methods)] // TODO(tenancy): callers still filter by company_id by hand
pub fn projections(state: &AppState) -> Collection<Document> {
    crate::store::unconverted(&state.mongo, &crate::store::SYNC_PROJECTIONS)
}

/// Upload positions carry this since projection left the push transaction; older ones
/// were projected when acked and are migrated at start.
pub const POSITION_VERSION: i32 = 2;

/// Records that could not be read, set aside with the reason (never lost, never blocking).
#[allow(clippy::disallowed_methods)] // TODO(tenancy): callers still filter by company_id by hand
pub fn quarantine(state: &AppState) -> Collection<Document> {
    crate::store::unconverted(&state.mongo, &crate::store::QUARANTINE)
}

/// Where each terminal's upload stands: `_id` = `{terminal}:{epoch}`.
#[allow(clippy::disallowed_methods)] // TODO(tenancy): callers still filter by company_id by hand
pub fn terminals(state: &AppState) -> Collection<Document> {
    crate::store::unconverted(&state.mongo, &crate::store::SYNC_TERMINALS)
}

pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let db = db(state);
    crate::events::outbox::ensure_indexes(&db).await?;
    journal(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "terminal_id": 1, "epoch": 1, "from": 1 })
                .options(IndexOptions::builder().unique(true).build())
                .build(),
        )
        .await?;
    // The projector's queue: waiting batches, oldest first.
    journal(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "projected": 1, "received_at": 1, "from": 1 })
                .build(),
        )
        .await?;
    migrate_positions(state).await?;
    shifts::shifts(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "opened_at_ms": -1 })
                .build(),
        )
        .await?;
    orders(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "created_at": -1 })
                .build(),
        )
        .await?;
    refunds(state)
        .create_index(IndexModel::builder().keys(doc! { "sale_id": 1 }).build())
        .await?;
    // A receipt looked up by its number (the customer at the counter holds it).
    orders(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "receipt_no": 1 })
                .build(),
        )
        .await?;
    Ok(())
}

/// Positions written when pushes were projected in the ack's own transaction: everything
/// acked was built, so the projection starts where the upload stands.
async fn migrate_positions(state: &AppState) -> anyhow::Result<()> {
    let old: Vec<Document> = terminals(state)
        .find(doc! { "v": { "$exists": false } })
        .await?
        .try_collect()
        .await?;
    for t in old {
        let id = t.get_str("_id").unwrap_or_default();
        projections(state)
            .update_one(
                doc! { "_id": id },
                doc! { "$setOnInsert": {
                    "terminal_id": t.get_str("terminal_id").unwrap_or_default(),
                    "shop_id": t.get_str("shop_id").unwrap_or_default(),
                    "epoch": t.get_i64("epoch").unwrap_or(1),
                    "projected_through": t.get_i64("acked_through").unwrap_or(0),
                    "projected_hash": t.get_str("last_hash").unwrap_or(pos_shared::journal::GENESIS_HASH),
                } },
            )
            .upsert(true)
            .await?;
        terminals(state)
            .update_one(
                doc! { "_id": id },
                doc! { "$set": { "v": POSITION_VERSION } },
            )
            .await?;
    }
    Ok(())
}
