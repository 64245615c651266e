//! Sync with terminals: the protocol check, upstream ingest of journal batches and their
//! projection into orders and stock, and the
//! downstream change streams. Endpoints accept device tokens only: a terminal pushes its
//! own journal and reads its own company's and shop's streams.

pub mod backfill;
pub mod batches;
pub mod ingest;
pub mod project;
pub mod projector;
pub mod protocol;
pub mod queue;
pub mod routes;

/// This service's registration: what the server runs of it (see `services::registry`).
pub const SERVICE: crate::services::Service = crate::services::Service::new(
    "sync",
    crate::db::ServiceDb::Sales,
    routes::router,
    <Api as utoipa::OpenApi>::openapi,
)
// Projection writes salesdb and inventorydb in one transaction: it runs with sales.
.inside("sales")
.prepare("sync backfill", |st| {
    Box::pin(async move { backfill::run(&st).await })
})
.tasks(&[|st, cancel| Box::pin(projector::run(st, cancel))]);

/// This service's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    routes::config,
    routes::state_of,
    routes::push,
    routes::stream_page,
    routes::receipt_key,
))]
struct Api;
