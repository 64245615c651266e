//! What a service is to the rest of the server: one [`Service`] value per service,
//! declared beside its code, so start-up, the gateway, the background tasks and the
//! OpenAPI document all learn about a service from the same place.

use axum::Router;
use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use crate::{
    config::Config,
    db::ServiceDb,
    events::{EventMessage, topology::Inbox},
    state::AppState,
};

/// A start-up step: idempotent, run before the first request. It takes the state by value
/// (a cheap clone) so a step is a plain `fn` and needs no lifetime in its type.
pub type Prepare = fn(AppState) -> BoxFuture<'static, anyhow::Result<()>>;

/// A task that runs until `cancel` (the sync projector, for one).
pub type Task = fn(AppState, CancellationToken) -> BoxFuture<'static, ()>;

/// Handles one delivery of an inbox; must be idempotent by event id.
pub type Handler = fn(AppState, EventMessage) -> BoxFuture<'static, anyhow::Result<()>>;

/// A service's inbox queue (with its bound routing keys) and what it does with each event.
#[derive(Clone, Copy)]
pub struct Consumer {
    pub inbox: Inbox,
    pub handle: Handler,
}

/// One service of the platform: everything the server needs to run it.
#[derive(Clone, Copy)]
pub struct Service {
    /// Its name in `services = [...]`.
    pub name: &'static str,
    /// A part that is not picked by name but runs inside another service's process: sync
    /// runs with sales, because projection writes salesdb in the same transaction.
    pub inside: Option<&'static str>,
    /// Services that write this one's database themselves (the projector, with sales,
    /// writes debtdb): with any of them running, the database is prepared, relayed and
    /// compacted even where the service itself is not run.
    pub written_by: &'static [&'static str],
    pub db: ServiceDb,
    /// The start-up step and the name it is logged under.
    pub prepare: Option<(&'static str, Prepare)>,
    pub routes: fn() -> Router<AppState>,
    /// Its part of the OpenAPI document.
    pub openapi: fn() -> utoipa::openapi::OpenApi,
    /// Writes events to an `outbox` in its database, which the relay must drain.
    pub outbox: bool,
    /// Keeps change streams in its database, which compaction must trim.
    pub change_log: bool,
    pub tasks: &'static [Task],
    pub consumer: Option<Consumer>,
}

impl Service {
    /// A service with a database, routes and an OpenAPI part and nothing else yet; the
    /// other `const fn`s add the rest, so a declaration names only what it has.
    pub const fn new(
        name: &'static str,
        db: ServiceDb,
        routes: fn() -> Router<AppState>,
        openapi: fn() -> utoipa::openapi::OpenApi,
    ) -> Self {
        Self {
            name,
            inside: None,
            written_by: &[],
            db,
            prepare: None,
            routes,
            openapi,
            outbox: false,
            change_log: false,
            tasks: &[],
            consumer: None,
        }
    }

    pub const fn prepare(mut self, step: &'static str, run: Prepare) -> Self {
        self.prepare = Some((step, run));
        self
    }

    pub const fn inside(mut self, host: &'static str) -> Self {
        self.inside = Some(host);
        self
    }

    pub const fn written_by(mut self, services: &'static [&'static str]) -> Self {
        self.written_by = services;
        self
    }

    pub const fn outbox(mut self) -> Self {
        self.outbox = true;
        self
    }

    pub const fn change_log(mut self) -> Self {
        self.change_log = true;
        self
    }

    pub const fn tasks(mut self, tasks: &'static [Task]) -> Self {
        self.tasks = tasks;
        self
    }

    pub const fn consumer(mut self, inbox: Inbox, handle: Handler) -> Self {
        self.consumer = Some(Consumer { inbox, handle });
        self
    }

    /// Whether this process serves it: its routes, tasks and consumer run.
    pub fn serves(&self, cfg: &Config) -> bool {
        cfg.runs(self.inside.unwrap_or(self.name))
    }

    /// Whether this process writes its database: it is prepared, relayed and compacted.
    pub fn stores(&self, cfg: &Config) -> bool {
        self.serves(cfg) || self.written_by.iter().any(|s| cfg.runs(s))
    }

    /// Whether `services = [...]` can name it.
    pub fn selectable(&self) -> bool {
        self.inside.is_none()
    }
}
