//! The sync indicator: whether the till reaches its server, how many facts wait, and
//! a sync on demand.

use super::Till;
use super::views::SyncView;
use crate::error::CoreResult;
use crate::sync::{self, Mode};

impl Till {
    /// What the sync indicator shows. The till counts as online when its last sync
    /// attempt succeeded (the background sync retries within seconds of a failure).
    pub async fn sync_view(&self) -> CoreResult<SyncView> {
        let st = sync::status(&self.db).await?;
        let online = match (st.last_sync_ms, st.last_error_ms) {
            (Some(ok), Some(err)) => ok >= err,
            (Some(_), None) => true,
            (None, _) => false,
        };
        Ok(SyncView {
            mode: match st.mode {
                Mode::Standalone => "standalone",
                Mode::Enrolled => "enrolled",
                Mode::Enrolling => "enrolling",
            }
            .to_owned(),
            online: online && st.mode == Mode::Enrolled,
            queued: st.queued,
            last_sync_ms: st.last_sync_ms,
            last_error: if online { None } else { st.last_error },
            catching_up: None,
            exceptions: Vec::new(),
        })
    }

    /// Syncs now (the cashier pressed the indicator); an unreachable server is reported
    /// in the view, not as an error, since selling goes on.
    pub async fn sync_now(&self) -> CoreResult<SyncView> {
        if sync::status(&self.db).await?.mode == Mode::Enrolled
            && let Err(e) = sync::sync_once(&self.db).await
        {
            tracing::warn!("sync on demand failed: {e}");
        }
        self.sync_view().await
    }
}
