//! The exceptions the server raised for this terminal's facts (sold below zero stock, a
//! price that differs from the shop's, more refunded than sold, ...): fetched with the
//! device token after each sync and kept as a read-only copy, so the sync indicator shows
//! them offline too. Managers resolve them on the server, after which they drop out here.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::remote::Remote;
use super::settings;
use crate::error::CoreResult;
use crate::store::{LocalDb, get_setting, set_setting};

/// The settings key holding the last fetched list (JSON).
pub const SETTING: &str = "server_exceptions";
/// The newest this many are kept: a till shows what to look at, the portal the history.
const KEEP: u32 = 100;

/// One exception as the server lists it (`GET /api/inventory/exceptions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerException {
    pub id: String,
    pub kind: String,
    #[serde(default)]
    pub event_id: String,
    #[serde(default)]
    pub terminal_id: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub resolved: bool,
    /// RFC 3339.
    #[serde(default)]
    pub at: String,
}

impl ServerException {
    /// When it was raised, UTC ms (0 when the server sent no time).
    pub fn at_ms(&self) -> i64 {
        time::OffsetDateTime::parse(&self.at, &time::format_description::well_known::Rfc3339)
            .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
            .unwrap_or(0)
    }
}

/// Fetches the open exceptions of this terminal and replaces the kept copy; returns how
/// many there are.
pub async fn refresh(db: &LocalDb, remote: &mut Remote) -> CoreResult<usize> {
    let Some(shop) = get_setting(db.pool(), settings::SHOP_ID).await? else {
        return Ok(0);
    };
    let me = get_setting(db.pool(), settings::DEVICE_TERMINAL_ID).await?;
    let path = format!("/api/inventory/exceptions?shop_id={shop}&status=open&limit={KEEP}");
    let mut list: Vec<ServerException> = remote.call::<(), _>(Method::GET, &path, None).await?;
    // The server answers a terminal with its own exceptions only; this holds even if an
    // older server lists the whole shop.
    list.retain(|e| !e.resolved && me.as_deref().is_none_or(|me| e.terminal_id == me));
    let json = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
    set_setting(db.pool(), SETTING, &json).await?;
    Ok(list.len())
}

/// The exceptions as last fetched, newest first (none before the first fetch).
pub async fn kept(db: &LocalDb) -> CoreResult<Vec<ServerException>> {
    let json = get_setting(db.pool(), SETTING).await?;
    Ok(json
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default())
}
