//! The terminal side of sync protocol v5 (docs/sync-protocol.md): enrollment, pushing the
//! journal upstream, pulling the catalog, prices, stock, config, staff, customers and
//! promotions streams downstream, the daemon loop and the status `pos status` shows.
//!
//! Nothing here is on the sale path: selling only writes the local database, and sync
//! moves what was written whenever the server is reachable.

mod apply_catalog;
mod apply_config;
mod apply_customers;
mod apply_prices;
mod apply_promotions;
mod apply_staff;
mod apply_stock;
pub mod daemon;
pub mod enroll;
pub mod exceptions;
pub mod live;
pub mod progress;
pub mod pull;
pub mod push;
pub mod receipt_emails;
pub mod remote;
pub mod settings;
pub mod status;
pub mod tls;

#[cfg(test)]
mod customers_tests;
#[cfg(test)]
mod offline_tests;
#[cfg(test)]
mod prices_tests;
#[cfg(test)]
mod promotions_tests;
#[cfg(test)]
mod pull_tests;
#[cfg(test)]
mod staff_tests;
#[cfg(test)]
mod stock_tests;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod variants_tests;

use serde::Serialize;

pub use daemon::{DaemonOptions, DaemonSummary};
pub use enroll::{EnrollReport, enroll, enroll_pinned, pin_server_ca};
pub use pull::{PullReport, StreamPull, pull, pull_with};
pub use push::{PushReport, mark_acked, push, push_with, send_batch, server_state, unacked_count};
pub use remote::Remote;
pub use status::{Mode, SyncStatus, status};

use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, get_setting};

/// What one `sync_once` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub push: PushReport,
    pub pull: PullReport,
}

/// One full sync: push every unacked record, then pull every stream to its head. Push goes
/// first so the balances pulled already include this terminal's acked movements.
///
/// The outcome is recorded for `pos status`. A server that cannot be reached is
/// [`CoreError::Offline`] (with the number of facts waiting); check [`CoreError::is_offline`].
pub async fn sync_once(db: &LocalDb) -> CoreResult<SyncReport> {
    let result = match run_once(db).await {
        Err(CoreError::Unreachable { url, detail }) => Err(CoreError::Offline {
            waiting: unacked_count(db).await?,
            detail: format!("cannot reach {url}: {detail}"),
        }),
        other => other,
    };
    match &result {
        Ok(_) => settings::record_outcome(db, None).await?,
        Err(CoreError::NotEnrolled) => {}
        Err(e) => settings::record_outcome(db, Some(&e.to_string())).await?,
    }
    result
}

async fn run_once(db: &LocalDb) -> CoreResult<SyncReport> {
    let mut remote = Remote::for_terminal(db).await?;
    if get_setting(db.pool(), "terminal_id").await?.is_none() {
        return Err(CoreError::EnrollmentUnfinished {
            server: remote.base().to_owned(),
        });
    }
    // Sales go up first whatever happens to the key: a refused key only means other
    // tills cannot check this till's receipts yet, and it is tried again next sync.
    if let Err(e) = register_receipt_key(db, &mut remote).await {
        if e.is_offline() || matches!(e, CoreError::TerminalRevoked) {
            return Err(e);
        }
        tracing::warn!("receipt key not registered: {e}");
    }
    let push = push_with(db, &mut remote).await?;
    let pull = pull_with(db, &mut remote).await?;
    after_sync(db, &mut remote).await?;
    Ok(SyncReport { push, pull })
}

/// What rides on a sync once the facts are up: emailed receipts go out (their sales are on
/// the server now), and the exceptions the server raised for this till come down. Neither
/// fails the sync unless the server is gone.
async fn after_sync(db: &LocalDb, remote: &mut Remote) -> CoreResult<()> {
    if let Err(e) = receipt_emails::flush(db, remote).await {
        if e.is_offline() {
            return Err(e);
        }
        tracing::warn!("emailed receipts not handed over: {e}");
    }
    if let Err(e) = exceptions::refresh(db, remote).await {
        if e.is_offline() {
            return Err(e);
        }
        tracing::warn!("the server's exceptions for this till could not be read: {e}");
    }
    Ok(())
}

/// Gives the server this terminal's receipt seal key once, so the shop's other tills can
/// check its receipts offline (they get it on the `config` stream).
pub async fn register_receipt_key(db: &LocalDb, remote: &mut Remote) -> CoreResult<()> {
    let key = crate::seal::public_key_hex(db).await?;
    if get_setting(db.pool(), settings::RECEIPT_KEY_REGISTERED)
        .await?
        .as_deref()
        == Some(&key)
    {
        return Ok(());
    }
    remote.put_receipt_key(&key).await?;
    crate::store::set_setting(db.pool(), settings::RECEIPT_KEY_REGISTERED, &key).await?;
    Ok(())
}
