//! The sales service (salesdb): POS sales become orders (channel `pos`, status
//! `completed`), refunds link to their sale whichever arrives first, and the raw journal
//! of every terminal is kept for audit and replay detection.

pub mod routes;

use mongodb::{
    Collection, Database, IndexModel,
    bson::{Document, doc},
    options::IndexOptions,
};

use crate::{db::ServiceDb, state::AppState};

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Sales)
}

pub fn orders(state: &AppState) -> Collection<Document> {
    db(state).collection("orders")
}

pub fn refunds(state: &AppState) -> Collection<Document> {
    db(state).collection("refunds")
}

/// Every journal record a terminal pushed, unique by `(terminal_id, epoch, seq)` and by id.
pub fn journal(state: &AppState) -> Collection<Document> {
    db(state).collection("journal")
}

/// Records that could not be read, set aside with the reason (never lost, never blocking).
pub fn quarantine(state: &AppState) -> Collection<Document> {
    db(state).collection("quarantine")
}

/// Where each terminal's upload stands: `_id` = `{terminal}:{epoch}`.
pub fn terminals(state: &AppState) -> Collection<Document> {
    db(state).collection("sync_terminals")
}

pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let db = db(state);
    crate::events::outbox::ensure_indexes(&db).await?;
    journal(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "terminal_id": 1, "epoch": 1, "seq": 1 })
                .options(IndexOptions::builder().unique(true).build())
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
    Ok(())
}
