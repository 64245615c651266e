//! Where this terminal stands with its server, read from the local database only (no
//! network): enrolled or standalone, queued facts, stream cursors, last outcome.

use std::collections::BTreeMap;

use pos_shared::sync::Stream;
use serde::Serialize;

use super::push::unacked_count;
use super::settings::{self, cursor_key};
use crate::error::CoreResult;
use crate::store::{LocalDb, get_i64_setting, get_setting};

/// How the terminal runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Set up with `pos init`; never talks to a server.
    Standalone,
    /// Enrolled and set up: `pos sync` pushes and pulls.
    Enrolled,
    /// Holds a device credential but setup did not finish: run `pos enroll` again.
    Enrolling,
}

/// The sync part of `pos status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub mode: Mode,
    pub server_url: Option<String>,
    pub company_id: Option<String>,
    pub shop_id: Option<String>,
    /// Journal records (facts) the server has not acknowledged yet.
    pub queued: i64,
    /// Stored cursor per stream.
    pub cursors: BTreeMap<&'static str, i64>,
    /// When a sync last completed, UTC ms.
    pub last_sync_ms: Option<i64>,
    /// The last failed sync, whether or not a later one succeeded (compare the times).
    pub last_error: Option<String>,
    pub last_error_ms: Option<i64>,
}

/// Reads the sync status.
pub async fn status(db: &LocalDb) -> CoreResult<SyncStatus> {
    let pool = db.pool();
    let enrollment = settings::enrollment(db).await?;
    let initialised = get_setting(pool, "terminal_id").await?.is_some();
    let mode = match (&enrollment, initialised) {
        (Some(_), true) => Mode::Enrolled,
        (Some(_), false) => Mode::Enrolling,
        (None, _) => Mode::Standalone,
    };
    let mut cursors = BTreeMap::new();
    for stream in Stream::ALL {
        cursors.insert(
            stream.as_str(),
            get_i64_setting(pool, cursor_key(stream), 0).await?,
        );
    }
    let optional_ms = |key| async move {
        Ok::<_, crate::CoreError>(match get_setting(pool, key).await? {
            Some(_) => Some(get_i64_setting(pool, key, 0).await?),
            None => None,
        })
    };
    Ok(SyncStatus {
        mode,
        server_url: enrollment.map(|e| e.server_url),
        company_id: get_setting(pool, settings::COMPANY_ID).await?,
        shop_id: get_setting(pool, settings::SHOP_ID).await?,
        queued: unacked_count(db).await?,
        cursors,
        last_sync_ms: optional_ms(settings::LAST_SYNC_MS).await?,
        last_error: get_setting(pool, settings::LAST_SYNC_ERROR).await?,
        last_error_ms: optional_ms(settings::LAST_SYNC_ERROR_MS).await?,
    })
}
