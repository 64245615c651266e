//! The auth service (authdb): accounts, passwords, sessions (access + refresh tokens), staff
//! PINs, and terminal enrollment codes and device credentials.

pub mod accounts;
pub mod browser;
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
