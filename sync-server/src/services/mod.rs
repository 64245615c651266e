//! The platform services. Each owns one MongoDB database and, if it consumes events, one
//! inbox queue; `services` in the configuration picks which run in this process. Every
//! service declares itself once, as a `SERVICE` in its module, and [`ALL`] lists them.

pub mod analytics;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod company;
pub mod debt;
pub mod inventory;
pub mod payment;
pub mod registry;
pub mod sales;
pub mod shop;
pub mod sync;

use std::time::Duration;

use axum::Router;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use registry::Service;

use crate::{
    config::Config,
    events::{consumer, relay},
    state::AppState,
};

/// Every service, in start-up order. The order matters: sales' start-up runs before
/// debt's, and sync's backfill after both (it reads what they prepared), all before
/// analytics, which counts what is stored on a first start.
pub const ALL: &[Service] = &[
    auth::SERVICE,
    company::SERVICE,
    shop::SERVICE,
    audit::SERVICE,
    catalog::SERVICE,
    inventory::SERVICE,
    sales::SERVICE,
    debt::SERVICE,
    sync::SERVICE,
    analytics::SERVICE,
    payment::SERVICE,
];

/// The names `services = [...]` accepts (besides `all`).
pub fn names() -> impl Iterator<Item = &'static str> {
    ALL.iter().filter(|s| s.selectable()).map(|s| s.name)
}

/// Routes of the services this instance runs.
pub fn routes(cfg: &Config) -> Router<AppState> {
    ALL.iter()
        .filter(|s| s.serves(cfg))
        .fold(Router::new(), |r, s| r.merge((s.routes)()))
}

/// Indexes and bootstrap data, idempotent, before the first request.
pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    for service in ALL.iter().filter(|s| s.stores(&state.config)) {
        if let Some((name, run)) = service.prepare {
            step(name, run(state.clone())).await?;
        }
    }
    Ok(())
}

/// One start-up step, logged with its duration under `kassa::startup` so a server that is
/// slow to come up says which step holds it (`RUST_LOG=kassa::startup=info`).
async fn step(
    name: &str,
    work: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    tracing::info!(target: "kassa::startup", step = name, "preparing");
    let done = work.await;
    let ms = started.elapsed().as_millis();
    tracing::info!(target: "kassa::startup", step = name, ms, ok = done.is_ok(), "prepared");
    done
}

/// The outbox relay (for every service that publishes), change-log compaction, each
/// service's own tasks and the inbox consumers.
pub fn spawn_background(state: &AppState, cancel: CancellationToken) -> Vec<JoinHandle<()>> {
    let cfg = &state.config;
    let stored = || ALL.iter().filter(|s| s.stores(cfg));
    let outboxes = stored().filter(|s| s.outbox);
    let mut tasks = vec![tokio::spawn(relay::run(
        state.bus.clone(),
        outboxes.map(|s| state.mongo.db(s.db)).collect(),
        Duration::from_millis(cfg.amqp.relay_poll_ms),
        cancel.clone(),
    ))];
    let logs: Vec<_> = stored()
        .filter(|s| s.change_log)
        .map(|s| state.mongo.db(s.db))
        .collect();
    if cfg.streams.compact_every_secs > 0 && !logs.is_empty() {
        tasks.push(tokio::spawn(crate::compaction::run(
            logs,
            Duration::from_secs(cfg.streams.compact_every_secs),
            cancel.clone(),
        )));
    }
    for service in ALL.iter().filter(|s| s.serves(cfg)) {
        for task in service.tasks {
            tasks.push(tokio::spawn(task(state.clone(), cancel.clone())));
        }
        if let Some(c) = service.consumer {
            let st = state.clone();
            let handle = move |event| (c.handle)(st.clone(), event);
            let run = consumer::run(state.bus.clone(), c.inbox, handle, cancel.clone());
            tasks.push(tokio::spawn(run));
        }
    }
    tasks
}
