//! The platform services. Each owns one MongoDB database and, if it consumes events, one
//! inbox queue; `services` in the configuration picks which run in this process.

pub mod analytics;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod company;
pub mod debt;
pub mod inventory;
pub mod sales;
pub mod shop;
pub mod sync;

use std::time::Duration;

use axum::Router;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::{
    config::Config,
    db::ServiceDb,
    events::{consumer, relay, topology},
    state::AppState,
};

/// Routes of the services this instance runs.
pub fn routes(cfg: &Config) -> Router<AppState> {
    let mut r = Router::new();
    if cfg.runs("auth") {
        r = r.merge(auth::routes::router());
    }
    if cfg.runs("company") {
        r = r.merge(company::routes::router());
    }
    if cfg.runs("shop") {
        r = r.merge(shop::routes::router());
    }
    if cfg.runs("audit") {
        r = r.merge(audit::routes::router());
    }
    if cfg.runs("ecommerce") {
        r = r.merge(catalog::routes::router());
    }
    if cfg.runs("inventory") {
        r = r.merge(inventory::routes::router());
    }
    if cfg.runs("sales") {
        // Projection writes salesdb and inventorydb in one transaction: it runs with sales.
        r = r
            .merge(sales::routes::router())
            .merge(sales::receipts_email::router())
            .merge(sync::routes::router());
    }
    if cfg.runs("debt") {
        r = r.merge(debt::routes::router());
    }
    if cfg.runs("analytics") {
        r = r.merge(analytics::routes::router());
    }
    r
}

/// Indexes and bootstrap data, idempotent, before the first request.
pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let cfg = &state.config;
    if cfg.runs("auth") {
        auth::prepare(state).await?;
    }
    if cfg.runs("company") {
        company::prepare(state).await?;
    }
    if cfg.runs("shop") {
        shop::prepare(state).await?;
    }
    if cfg.runs("audit") {
        audit::prepare(state).await?;
    }
    if cfg.runs("ecommerce") {
        catalog::prepare(state).await?;
    }
    if cfg.runs("inventory") {
        inventory::prepare(state).await?;
    }
    if cfg.runs("sales") {
        sales::prepare(state).await?;
    }
    // The projector (with sales) writes customer accounts too.
    if cfg.runs("debt") || cfg.runs("sales") {
        debt::prepare(state).await?;
    }
    if cfg.runs("sales") {
        sync::backfill::run(state).await?;
    }
    if cfg.runs("analytics") {
        analytics::prepare(state).await?;
    }
    Ok(())
}

/// The outbox relay (for every service that publishes) and the inbox consumers.
pub fn spawn_background(state: &AppState, cancel: CancellationToken) -> Vec<JoinHandle<()>> {
    let cfg = &state.config;
    let mut outboxes = Vec::new();
    for (name, db) in [
        ("auth", ServiceDb::Auth),
        ("company", ServiceDb::Company),
        ("shop", ServiceDb::Shop),
        ("ecommerce", ServiceDb::Ecommerce),
        ("inventory", ServiceDb::Inventory),
        ("sales", ServiceDb::Sales),
    ] {
        if cfg.runs(name) {
            outboxes.push(state.mongo.db(db));
        }
    }
    if cfg.runs("debt") || cfg.runs("sales") {
        outboxes.push(state.mongo.db(ServiceDb::Debt));
    }
    let mut tasks = vec![tokio::spawn(relay::run(
        state.bus.clone(),
        outboxes,
        Duration::from_millis(cfg.amqp.relay_poll_ms),
        cancel.clone(),
    ))];
    let mut logs = Vec::new();
    for (name, db) in [
        ("ecommerce", ServiceDb::Ecommerce),
        ("inventory", ServiceDb::Inventory),
        ("shop", ServiceDb::Shop),
        ("debt", ServiceDb::Debt),
    ] {
        // The projector (with sales) writes the customers stream too.
        if cfg.runs(name) || (db == ServiceDb::Debt && cfg.runs("sales")) {
            logs.push(state.mongo.db(db));
        }
    }
    if cfg.streams.compact_every_secs > 0 && !logs.is_empty() {
        tasks.push(tokio::spawn(crate::compaction::run(
            logs,
            Duration::from_secs(cfg.streams.compact_every_secs),
            cancel.clone(),
        )));
    }
    if cfg.runs("sales") {
        tasks.push(tokio::spawn(sync::projector::run(
            state.clone(),
            cancel.clone(),
        )));
    }
    if cfg.runs("analytics") {
        let st = state.clone();
        tasks.push(tokio::spawn(consumer::run(
            state.bus.clone(),
            analytics::INBOX,
            move |event| {
                let st = st.clone();
                async move { analytics::apply(&st, event).await }
            },
            cancel.clone(),
        )));
    }
    if cfg.runs("audit") {
        let st = state.clone();
        tasks.push(tokio::spawn(consumer::run(
            state.bus.clone(),
            topology::AUDIT_INBOX,
            move |event| {
                let st = st.clone();
                async move {
                    audit::append(&st, event)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))
                }
            },
            cancel,
        )));
    }
    tasks
}
