//! `pos sync --daemon`: sync, wait, repeat until asked to stop. A server that cannot be
//! reached is normal for a till (the journal keeps the facts), so failures are logged and
//! retried with exponential backoff and jitter; only conditions no retry can fix (revoked,
//! diverged journal, not enrolled) end the loop.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;

use super::sync_once;

// The live session after each successful catch-up is why a connected till sees a portal
// price change in well under a second instead of after `interval`.
use crate::error::{CoreError, CoreResult};
use crate::store::LocalDb;

/// How often to sync and how far to back off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaemonOptions {
    /// Pause between successful syncs.
    pub interval: Duration,
    /// First pause after a failure; doubles per failure in a row.
    pub first_retry: Duration,
    /// Longest pause after failures.
    pub max_backoff: Duration,
    /// Hold the live socket between syncs (changes arrive as they happen); `false` polls
    /// every `interval` over REST only.
    pub live: bool,
}

impl Default for DaemonOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(30),
            first_retry: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            live: true,
        }
    }
}

/// What a daemon run did before it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DaemonSummary {
    pub cycles: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// Records newly acked over the run.
    pub pushed: i64,
}

/// Syncs every `opts.interval` until `shutdown` completes (Ctrl-C in the CLI). Stopping in
/// the middle of a sync is safe: acks and pages are only written in whole transactions.
pub async fn run(
    db: &LocalDb,
    opts: DaemonOptions,
    shutdown: impl Future<Output = ()>,
) -> CoreResult<DaemonSummary> {
    let mut summary = DaemonSummary::default();
    let mut failures: u32 = 0;
    tokio::pin!(shutdown);
    loop {
        summary.cycles += 1;
        let outcome = tokio::select! {
            outcome = sync_once(db) => outcome,
            () = &mut shutdown => return Ok(summary),
        };
        let pause = match outcome {
            Ok(report) => {
                failures = 0;
                summary.succeeded += 1;
                summary.pushed += report.push.pushed;
                tracing::info!(
                    pushed = report.push.pushed,
                    catalog = report.pull.catalog.rows,
                    stock = report.pull.stock.rows,
                    "sync done"
                );
                if opts.live {
                    match super::live::session(db, &mut shutdown).await {
                        // Only a shutdown ends a session without an error.
                        Ok(live) => {
                            summary.pushed += live.pushed;
                            return Ok(summary);
                        }
                        Err(e) if is_permanent(&e) => return Err(e),
                        Err(e) => {
                            tracing::warn!("live connection lost: {e}; reconnecting");
                            // Recorded like a failed sync, so `pos status` and the till's
                            // indicator say offline now, not at the next retry.
                            if let Err(w) =
                                super::settings::record_outcome(db, Some(&e.to_string())).await
                            {
                                tracing::warn!("cannot record the lost connection: {w}");
                            }
                            failures = failures.saturating_add(1);
                            backoff(&opts, failures)
                        }
                    }
                } else {
                    jitter(opts.interval, 0.9)
                }
            }
            Err(e) if is_permanent(&e) => return Err(e),
            Err(e) => {
                failures = failures.saturating_add(1);
                summary.failed += 1;
                let pause = backoff(&opts, failures);
                if e.is_offline() {
                    tracing::warn!(retry_in_s = pause.as_secs(), "{e}");
                } else {
                    tracing::error!(retry_in_s = pause.as_secs(), "sync failed: {e}");
                }
                pause
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = &mut shutdown => return Ok(summary),
        }
    }
}

/// Errors a retry cannot fix; the daemon stops on them instead of hammering the server.
fn is_permanent(e: &CoreError) -> bool {
    matches!(
        e,
        CoreError::TerminalRevoked
            | CoreError::Diverged { .. }
            | CoreError::NotEnrolled
            | CoreError::NotInitialised
            | CoreError::EnrollmentUnfinished { .. }
    )
}

/// The pause after `failures` failures in a row: doubling from `first_retry`, capped, and
/// jittered down to half so terminals that lost the server together do not return together.
pub fn backoff(opts: &DaemonOptions, failures: u32) -> Duration {
    let doubled = opts
        .first_retry
        .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(16)));
    jitter(doubled.min(opts.max_backoff), 0.5)
}

/// A random duration between `low * d` and `d`.
fn jitter(d: Duration, low: f64) -> Duration {
    d.mul_f64(rand::random_range(low..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let opts = DaemonOptions {
            interval: Duration::from_secs(30),
            first_retry: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
            live: false,
        };
        for _ in 0..50 {
            let first = backoff(&opts, 1);
            assert!(
                first >= Duration::from_secs(1) && first <= Duration::from_secs(2),
                "{first:?}"
            );
            let third = backoff(&opts, 3);
            assert!(
                third >= Duration::from_secs(4) && third <= Duration::from_secs(8),
                "{third:?}"
            );
            let late = backoff(&opts, 40);
            assert!(
                late >= Duration::from_secs(30) && late <= Duration::from_secs(60),
                "{late:?}"
            );
        }
    }
}
