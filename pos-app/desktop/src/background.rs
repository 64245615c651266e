//! Work the shell runs beside the screens: the sync daemon of an enrolled till, and the
//! events that keep the screens current (`sync` for the indicator, `catalog_changed`
//! when a synced page changed prices or stock).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pos_core::app::Till;
use pos_core::app::views::Progress;
use pos_core::sync::{self, DaemonOptions, Mode};
use tauri::{AppHandle, Emitter, Manager};

/// True while a first download (enrollment) runs: the indicator shows a progress bar.
static CATCHING_UP: AtomicBool = AtomicBool::new(false);
/// The daemon is started once per process.
static SYNCING: AtomicBool = AtomicBool::new(false);

/// How often the indicator is refreshed (queued count, online state).
const INDICATOR_EVERY: Duration = Duration::from_secs(2);
/// How often the first download's progress is pushed to the screens.
const CATCH_UP_EVERY: Duration = Duration::from_millis(250);
/// Queued receipt emails are handed to the server every this many indicator rounds.
const EMAILS_EVERY: u32 = 5;

/// While a first download runs, the indicator and the first-run screen get its progress
/// (catalog pages applied / pages in all) four times a second.
pub fn catching_up(app: &AppHandle, on: bool) {
    CATCHING_UP.store(on, Ordering::Release);
    if on {
        sync::progress::reset();
    }
    if let Some(till) = app.try_state::<Arc<Till>>() {
        let till = till.inner().clone();
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            emit_sync(&app, &till).await;
            while on && CATCHING_UP.load(Ordering::Acquire) {
                tokio::time::sleep(CATCH_UP_EVERY).await;
                emit_sync(&app, &till).await;
            }
        });
    }
}

/// Starts the pieces that run for the app's whole life.
pub fn start(app: &AppHandle, till: Arc<Till>) {
    start_sync(app, till.clone());
    let a = app.clone();
    let t = till.clone();
    tauri::async_runtime::spawn(async move {
        let mut round: u32 = 0;
        loop {
            emit_sync(&a, &t).await;
            round = round.wrapping_add(1);
            // Emailed receipts asked for while offline go out soon after the till is back,
            // without waiting for the live connection to drop and a full sync.
            if round.is_multiple_of(EMAILS_EVERY)
                && let Err(e) = t.flush_receipt_emails().await
            {
                tracing::debug!("receipt emails wait: {e}");
            }
            tokio::time::sleep(INDICATOR_EVERY).await;
        }
    });
    let a = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut pages = till.db().watch_pages();
        while pages.changed().await.is_ok() {
            if let Err(e) = a.emit("catalog_changed", ()) {
                tracing::warn!("cannot tell the screens about new prices or stock: {e}");
            }
        }
    });
}

/// Runs the sync daemon when the till is enrolled (again after an enrollment).
pub fn start_sync(app: &AppHandle, till: Arc<Till>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let enrolled = matches!(sync::status(till.db()).await, Ok(s) if s.mode == Mode::Enrolled);
        if !enrolled || SYNCING.swap(true, Ordering::AcqRel) {
            return;
        }
        let opts = DaemonOptions {
            interval: Duration::from_secs(10),
            ..DaemonOptions::default()
        };
        match sync::daemon::run(till.db(), opts, std::future::pending()).await {
            Ok(summary) => tracing::info!(?summary, "sync stopped"),
            Err(e) => {
                tracing::error!("sync stopped: {e}");
                let _ = app.emit("sync_stopped", e.to_string());
            }
        }
        SYNCING.store(false, Ordering::Release);
    });
}

async fn emit_sync(app: &AppHandle, till: &Till) {
    match till.sync_view().await {
        Ok(mut view) => {
            if CATCHING_UP.load(Ordering::Acquire) {
                let (done, total) = sync::progress::catalog().unwrap_or((0, 0));
                view.catching_up = Some(Progress { done, total });
            }
            if let Err(e) = app.emit("sync", view) {
                tracing::warn!("cannot update the sync indicator: {e}");
            }
        }
        Err(e) => tracing::warn!("sync status unreadable: {e}"),
    }
}
