//! The state every handler shares: cheap-clone handles, built once at start.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::{
    config::Config, db::Mongo, events::bus::Bus, gateway::rate_limit::AccountLimiter,
    services::auth::tokens::TokenKeys,
};

#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub mongo: Mongo,
    pub bus: Bus,
    pub tokens: Arc<TokenKeys>,
    pub logins: AccountLimiter,
    pub metrics: PrometheusHandle,
    pub hub: crate::realtime::Hub,
    pub pushes: crate::services::sync::queue::TerminalQueue,
    /// Wakes the projector when a push has stored a batch, and tells it when pushes are
    /// in flight.
    pub projector: Arc<crate::services::sync::projector::Projector>,
}

impl AppState {
    /// Runs a write transaction (which records its events in an outbox) and then wakes
    /// the relay so the events leave at once.
    pub async fn write<R, C, F>(&self, ctx: C, f: F) -> crate::error::ApiResult<R>
    where
        F: for<'b> FnMut(
            &'b mut mongodb::ClientSession,
            &'b mut C,
        ) -> futures::future::BoxFuture<'b, mongodb::error::Result<R>>,
    {
        let out = self.mongo.transact(ctx, f).await?;
        self.bus.wake();
        Ok(out)
    }
}
