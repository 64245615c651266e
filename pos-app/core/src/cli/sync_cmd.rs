//! The sync commands of the `pos` CLI (`enroll`, `sync [--daemon]`) and the sync lines of
//! `pos status`.

use std::time::Duration;

use super::Outcome;
use super::args::{EnrollArgs, SyncArgs};
use crate::LocalDb;
use crate::error::CoreResult;
use crate::shop_time::ShopZone;
use crate::sync::{self, DaemonOptions, Mode, SyncReport, SyncStatus};

fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

pub(super) async fn enroll(db: &LocalDb, a: &EnrollArgs) -> CoreResult<Outcome> {
    let name = a.name.clone().unwrap_or_else(default_name);
    let ca = a
        .ca_file
        .as_deref()
        .map(sync::tls::read_ca_file)
        .transpose()?;
    let code = a.code.as_deref().unwrap_or("");
    // An enrolled till changing whom it trusts for its own server (no code needed).
    if (ca.is_some() || a.system_ca)
        && let Some(e) = sync::settings::enrollment(db).await?
        && crate::store::get_setting(db.pool(), "terminal_id")
            .await?
            .is_some()
        && sync::Remote::new(&a.server)?.base() == e.server_url
    {
        let server = sync::pin_server_ca(db, ca.as_deref()).await?;
        let text = match &a.ca_file {
            Some(path) => format!(
                "{server} is now trusted only under the CA in {}",
                path.display()
            ),
            None => format!("{server} is now trusted under the system's CAs"),
        };
        return Ok(Outcome::new(
            serde_json::json!({ "server_url": server, "ca_pinned": ca.is_some() }),
            text,
        ));
    }
    if a.system_ca {
        return Err(crate::error::CoreError::invalid(
            "--system-ca changes the trust of a till enrolled with this server; a new enrollment trusts the system's CAs unless --ca-file is given",
        ));
    }
    let r = sync::enroll_pinned(db, &a.server, code, &name, ca.as_deref()).await?;
    let mut text = format!(
        "terminal {} {} with {} for {} ({})",
        r.terminal.terminal_id,
        if r.resumed {
            "finished enrolling"
        } else {
            "enrolled"
        },
        r.server_url,
        r.terminal.shop_name,
        r.terminal.currency
    );
    match (&r.initial_pull, &r.initial_pull_error) {
        (Some(p), _) => text.push_str(&format!(
            "\npulled {} products and {} stock balances",
            p.catalog.rows, p.stock.rows
        )),
        (None, Some(e)) => text.push_str(&format!(
            "\nthe first catalog pull failed ({e}); run `pos sync` to catch up"
        )),
        (None, None) => {}
    }
    Ok(Outcome::new(to_json(&r), text))
}

/// The terminal name managers see when none is given: this machine's host name.
fn default_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "Kassa terminal".to_owned())
}

pub(super) async fn sync(db: &LocalDb, a: &SyncArgs) -> CoreResult<Outcome> {
    if !a.daemon {
        let r = sync::sync_once(db).await?;
        return Ok(Outcome::new(to_json(&r), report_text(&r)));
    }
    let opts = DaemonOptions {
        interval: Duration::from_secs(a.interval_secs.max(1)),
        live: !a.poll,
        ..DaemonOptions::default()
    };
    let summary = sync::daemon::run(db, opts, stop_signal()).await?;
    Ok(Outcome::new(
        to_json(&summary),
        format!(
            "stopped after {} syncs ({} failed), {} facts sent",
            summary.cycles, summary.failed, summary.pushed
        ),
    ))
}

/// Completes on Ctrl-C, or SIGTERM from a service manager.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        // Without a signal handler the daemon can still be killed; never stop on our own.
        std::future::pending::<()>().await;
    }
}

fn report_text(r: &SyncReport) -> String {
    let p = &r.push;
    format!(
        "pushed {} facts in {} batches (applied {}, duplicates {}, quarantined {})\npulled catalog {} changes (cursor {}), stock {} changes (cursor {})",
        p.pushed,
        p.batches,
        p.applied,
        p.duplicates,
        p.quarantined,
        r.pull.catalog.rows,
        r.pull.catalog.cursor,
        r.pull.stock.rows,
        r.pull.stock.cursor
    )
}

/// The sync lines of `pos status`, times in the shop's zone (the JSON keeps UTC ms).
pub(super) fn status_text(s: &SyncStatus, zone: &ShopZone) -> String {
    let server = s.server_url.as_deref().unwrap_or("?");
    let mode = match s.mode {
        Mode::Standalone => "standalone (no server)".to_owned(),
        Mode::Enrolled => format!("enrolled with {server}"),
        Mode::Enrolling => format!("enrollment with {server} unfinished; run `pos enroll` again"),
    };
    let cursors = s
        .cursors
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = format!(
        "sync: {mode}\nqueued facts: {}; cursors: {cursors}",
        s.queued
    );
    text.push_str(&format!(
        "\nlast sync: {}",
        s.last_sync_ms
            .map_or("never".to_owned(), |at| zone.format(at))
    ));
    // An error older than the last success is history, not the current state.
    if let (Some(e), Some(at)) = (&s.last_error, s.last_error_ms)
        && s.last_sync_ms.is_none_or(|ok| at > ok)
    {
        text.push_str(&format!("\nlast error ({}): {e}", zone.format(at)));
    }
    text
}
