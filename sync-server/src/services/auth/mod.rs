//! The auth service (authdb): accounts, passwords, sessions (access + refresh tokens), staff
//! PINs, and terminal enrollment codes and device credentials.

pub mod accounts;
pub mod browser;
pub mod customers;
pub mod devices;
pub mod passwords;
pub mod refresh;
pub mod routes;
pub mod tokens;

use crate::{
    error::ApiError,
    events::{EventMessage, outbox},
    state::AppState,
};

pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    accounts::ensure_indexes(state).await?;
    refresh::ensure_indexes(state).await?;
    devices::ensure_indexes(state).await?;
    outbox::ensure_indexes(&accounts::db(state)).await?;
    accounts::bootstrap_admin(state)
        .await
        .map_err(|e| anyhow::anyhow!("could not create the bootstrap platform admin: {e}"))?;
    Ok(())
}

/// Records an auth event that has no other write to ride with.
pub(crate) async fn record_event(state: &AppState, event: EventMessage) -> Result<(), ApiError> {
    state
        .write((state.clone(), event), |s, (state, event)| {
            Box::pin(async move { outbox::record(&accounts::db(state), s, event).await })
        })
        .await
}

/// This service's registration: what the server runs of it (see `services::registry`).
pub const SERVICE: crate::services::Service = crate::services::Service::new(
    "auth",
    crate::db::ServiceDb::Auth,
    routes::router,
    <Api as utoipa::OpenApi>::openapi,
)
.prepare("auth", |st| Box::pin(async move { prepare(&st).await }))
.outbox();

/// This service's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    routes::register,
    customers::register_customer,
    routes::login,
    routes::refresh,
    routes::logout,
    routes::me,
    routes::update_me,
    routes::change_password,
    routes::pin_login,
    routes::device_token,
))]
struct Api;
