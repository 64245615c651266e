//! Kassa sync-server: the gateway and the platform services in one binary, on MongoDB
//! (one database per service) and RabbitMQ (one topic exchange, one inbox per consumer).

pub mod compaction;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod events;
pub mod gateway;
pub mod gzip;
pub mod health;
pub mod openapi;
pub mod portal;
pub mod realtime;
pub mod services;
pub mod state;
pub mod store;
pub mod streams;
pub mod testing;

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{
    config::Config, db::Mongo, events::bus::Bus, gateway::rate_limit::AccountLimiter,
    services::auth::tokens::TokenKeys, state::AppState,
};

/// Builds the shared state: connects MongoDB, creates indexes, bootstraps the platform
/// admin. RabbitMQ is connected by the background tasks, which retry until it is there.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let mongo = Mongo::connect(&config.mongodb.uri, &config.mongodb.db_prefix)
        .await
        .context("MongoDB URI is not valid")?;
    let state = AppState {
        tokens: Arc::new(
            TokenKeys::new(&config.auth.jwt_secret, config.auth.access_ttl_secs)
                .with_previous(&config.auth.jwt_previous_secrets),
        ),
        logins: AccountLimiter::per_minute(config.limits.login_attempts_per_minute),
        bus: Bus::new(&config.amqp.uri, &config.amqp.prefix),
        metrics: metrics_handle(),
        hub: realtime::Hub::new(),
        pushes: services::sync::queue::TerminalQueue::default(),
        projector: Arc::default(),
        mongo,
        config: Arc::new(config),
    };
    services::prepare(&state)
        .await
        .context("could not prepare the databases; is MongoDB running (scripts/services.sh up)?")?;
    Ok(state)
}

/// Serves `listener` until `shutdown` is cancelled, then drains in-flight requests and stops
/// the background tasks. Shared by `main` and the tests.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let mut tasks = services::spawn_background(&state, shutdown.clone());
    tasks.push(tokio::spawn(realtime::wake::run(
        state.bus.clone(),
        state.hub.clone(),
        shutdown.clone(),
    )));
    let hub = state.hub.clone();
    let closing = shutdown.clone();
    // Live sockets never end on their own; close them so graceful shutdown can finish.
    tokio::spawn(async move {
        closing.cancelled().await;
        hub.closing().cancel();
    });
    let app = gateway::router(state);
    tracing::info!(addr = %listener.local_addr()?, "sync-server listening");
    let stop = shutdown.clone();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<gateway::ConnectInfo>(),
    )
    .with_graceful_shutdown(async move { stop.cancelled().await })
    .await
    .context("server failed")?;
    shutdown.cancel();
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
    }
    Ok(())
}

/// One Prometheus recorder per process (tests run many servers in one process).
fn metrics_handle() -> metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> =
        std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed; then our handle stays empty.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
