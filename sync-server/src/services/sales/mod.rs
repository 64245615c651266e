//! The sales service (salesdb): POS sales become orders (channel `pos`, status
//! `completed`), refunds link to their sale whichever arrives first, and the raw journal
//! of every terminal is kept (as the batches it was pushed in) for audit and replay
//! detection, and every till's shifts with their Z reports.

pub mod my_orders;
pub mod order_filter;
pub mod receipts_email;
pub mod routes;
pub mod saga;
pub mod shifts;
pub mod web_orders;
pub mod web_payment;

use futures::TryStreamExt;
use mongodb::{
    Collection, Database, IndexModel,
    bson::{Document, doc},
    options::IndexOptions,
};

use crate::{
    db::ServiceDb,
    gateway::tenancy::{Scoped, TenantScope},
    state::AppState,
    store::System,
};

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Sales)
}

/// The orders of `scope`.
pub fn orders_in(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::ORDERS, scope)
}

/// The refunds of `scope`.
pub fn refunds_in(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::REFUNDS, scope)
}

/// Every journal record a terminal pushed, as the batches it was acked in (see
/// `sync::batches`): unique by `(terminal_id, epoch, from)`, ranges never overlap. Read
/// across terminals by the projector's queue and the start-up backfill only; a push
/// stores its batch through [`journal_in`].
pub fn journal(state: &AppState, why: System) -> Collection<Document> {
    crate::store::system(&state.mongo, &crate::store::JOURNAL_BATCHES, why)
}

/// The journal batches of `scope` (a push stores its terminal's batch through this).
pub fn journal_in(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::JOURNAL_BATCHES, scope)
}

/// How far each terminal's batches are projected: `_id` = `{terminal}:{epoch}`. Kept apart
/// from [`terminals`] so a push and the projection of an earlier batch never write the
/// same document (which would abort one of the two transactions). The projector reads and
/// moves them by terminal ([`System::Projector`]); requests read them through
/// [`projections_in`].
pub fn projections(state: &AppState, why: System) -> Collection<Document> {
    crate::store::system(&state.mongo, &crate::store::SYNC_PROJECTIONS, why)
}

/// The projection positions of `scope`'s terminals.
pub fn projections_in(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::SYNC_PROJECTIONS, scope)
}

/// Upload positions carry this since projection left the push transaction; older ones
/// were projected when acked and are migrated at start.
pub const POSITION_VERSION: i32 = 2;

/// Records that could not be read, set aside with the reason (never lost, never blocking).
pub fn quarantine(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::QUARANTINE, scope)
}

/// Where each terminal's upload stands: `_id` = `{terminal}:{epoch}`.
pub fn terminals(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::SYNC_TERMINALS, scope)
}

/// `c` for creating its indexes at start-up.
fn indexed(state: &AppState, c: &crate::store::Tenant) -> Collection<Document> {
    crate::store::system(&state.mongo, c, System::Indexes)
}

pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let db = db(state);
    crate::events::outbox::ensure_indexes(&db).await?;
    indexed(state, &crate::store::JOURNAL_BATCHES)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "terminal_id": 1, "epoch": 1, "from": 1 })
                .options(IndexOptions::builder().unique(true).build())
                .build(),
        )
        .await?;
    // The projector's queue: waiting batches, oldest first.
    indexed(state, &crate::store::JOURNAL_BATCHES)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "projected": 1, "received_at": 1, "from": 1 })
                .build(),
        )
        .await?;
    migrate_positions(state).await?;
    stamp_projections(state).await?;
    indexed(state, &crate::store::SHIFTS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "opened_at_ms": -1 })
                .build(),
        )
        .await?;
    indexed(state, &crate::store::ORDERS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_id": 1, "created_at": -1 })
                .build(),
        )
        .await?;
    indexed(state, &crate::store::REFUNDS)
        .create_index(IndexModel::builder().keys(doc! { "sale_id": 1 }).build())
        .await?;
    // A receipt looked up by its number (the customer at the counter holds it).
    indexed(state, &crate::store::ORDERS)
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
    let uploads = crate::store::system::<Document>(
        &state.mongo,
        &crate::store::SYNC_TERMINALS,
        System::Backfill,
    );
    let old: Vec<Document> = uploads
        .find(doc! { "v": { "$exists": false } })
        .await?
        .try_collect()
        .await?;
    for t in old {
        let id = t.get_str("_id").unwrap_or_default();
        projections(state, System::Backfill)
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
        uploads
            .update_one(
                doc! { "_id": id },
                doc! { "$set": { "v": POSITION_VERSION } },
            )
            .await?;
    }
    Ok(())
}

/// Projection positions written before they named their company get it from their upload
/// position (same `_id`, which always names it), so requests can read them scoped.
async fn stamp_projections(state: &AppState) -> anyhow::Result<()> {
    let unnamed: Vec<Document> = projections(state, System::Backfill)
        .find(doc! { "company_id": { "$exists": false } })
        .projection(doc! { "_id": 1 })
        .await?
        .try_collect()
        .await?;
    let uploads = crate::store::system::<Document>(
        &state.mongo,
        &crate::store::SYNC_TERMINALS,
        System::Backfill,
    );
    for p in unnamed {
        let id = p.get_str("_id").unwrap_or_default();
        let company = uploads
            .find_one(doc! { "_id": id })
            .await?
            .and_then(|t| t.get_str("company_id").ok().map(str::to_owned));
        if let Some(company) = company {
            projections(state, System::Backfill)
                .update_one(
                    doc! { "_id": id },
                    doc! { "$set": { "company_id": company } },
                )
                .await?;
        }
    }
    Ok(())
}

/// This service's registration: what the server runs of it (see `services::registry`).
pub const SERVICE: crate::services::Service = crate::services::Service::new(
    "sales",
    ServiceDb::Sales,
    || routes::router().merge(receipts_email::router()),
    <Api as utoipa::OpenApi>::openapi,
)
.prepare("sales", |st| Box::pin(async move { prepare(&st).await }))
.outbox()
.consumer(saga::INBOX, |st, event| {
    Box::pin(async move { saga::handle(&st, event).await })
});

/// This service's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    routes::list_orders,
    routes::get_order,
    shifts::list_shifts,
    shifts::get_shift,
    receipts_email::email_receipt,
    web_orders::place_order,
    my_orders::my_orders,
    my_orders::get_web_order,
))]
struct Api;
