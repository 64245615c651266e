//! The projector: a background task that builds orders and stock from stored journal
//! batches, oldest first and each terminal's in sequence order, so pushes are acked as
//! soon as they are stored. Woken by every push; also polls, so batches stored by another
//! instance (or before a restart) are built too. Several instances may run it: two that
//! pick the same batch conflict in MongoDB and the loser finds it built. A batch that keeps
//! failing is built record by record and the record that fails is quarantined.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{
    batches::Batch,
    project::{self, Outcome, Step},
};
use crate::{
    error::{ApiError, ApiResult},
    services::sales,
    state::AppState,
    store::System,
};

/// Failed attempts after which a batch is built one record at a time (see
/// [`record_by_record`]).
const CAREFUL_AFTER: i64 = 3;
/// How often waiting batches are looked for without a wake-up.
const POLL: Duration = Duration::from_secs(2);
/// Pushes go first: a batch is built once no push has been in flight for this long...
const QUIET: Duration = Duration::from_millis(100);
/// ...or once a round has waited this long in all, so a steady stream of pushes cannot
/// starve projection (a round builds one batch per waiting terminal).
const MOST_DEFERRED: Duration = Duration::from_secs(2);

/// What the projector and the pushes of this instance share: the wake-up, and whether
/// terminals are waiting for acks right now. A terminal waits on its push; nobody waits on
/// a projection, and both compete for the same database, so a push never queues behind a
/// batch being built if it can be helped.
#[derive(Debug)]
pub struct Projector {
    wake: Notify,
    pushing: AtomicUsize,
    last_push: Mutex<Instant>,
}

impl Default for Projector {
    fn default() -> Self {
        Self {
            wake: Notify::new(),
            pushing: AtomicUsize::new(0),
            last_push: Mutex::new(Instant::now()),
        }
    }
}

/// A push in flight; dropping it records when the push ended.
pub struct Pushing<'a>(&'a Projector);

impl Drop for Pushing<'_> {
    fn drop(&mut self) {
        *self.0.last_push.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.0.pushing.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Projector {
    /// Marks a push in flight until the guard drops.
    pub fn pushing(&self) -> Pushing<'_> {
        self.pushing.fetch_add(1, Ordering::SeqCst);
        Pushing(self)
    }

    /// A batch was stored: build it soon.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Waits until no push is in flight and none ended within [`QUIET`], or until
    /// `deadline` (the round's share of waiting is spent).
    async fn yield_to_pushes(&self, deadline: Instant) {
        while Instant::now() < deadline {
            let ended = *self.last_push.lock().unwrap_or_else(|e| e.into_inner());
            if self.pushing.load(Ordering::SeqCst) == 0 && ended.elapsed() >= QUIET {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Runs until `cancel`.
pub async fn run(state: AppState, cancel: CancellationToken) {
    loop {
        let built = match round(&state).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "projection round failed; trying again");
                0
            }
        };
        if built == 0 {
            tokio::select! {
                () = state.projector.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                () = cancel.cancelled() => return,
            }
        } else if cancel.is_cancelled() {
            return;
        }
    }
}

/// Builds the next batch of every terminal that has batches waiting: the one right after
/// its projected position, found by sequence (`from`), never by arrival time, which the
/// clocks of two instances may disagree on. Terminals waiting longest go first, and a
/// terminal whose batch fails holds back only itself. Returns how many were built.
async fn round(state: &AppState) -> anyhow::Result<usize> {
    let heads: Vec<Document> = sales::journal(state, System::Projector)
        .aggregate(vec![
            doc! { "$match": { "projected": false } },
            doc! { "$group": {
                "_id": { "terminal": "$terminal_id", "epoch": "$epoch" },
                "from": { "$min": "$from" },
                "since": { "$min": "$received_at" },
                // Only a terminal's lowest batch is ever tried, so this is its count.
                "failures": { "$max": { "$ifNull": ["$failures", 0] } },
            } },
            doc! { "$sort": { "since": 1 } },
        ])
        .await?
        .try_collect()
        .await?;
    if heads.is_empty() {
        return Ok(0);
    }
    let deadline = Instant::now() + MOST_DEFERRED;
    let mut built = 0;
    for head in heads {
        state.projector.yield_to_pushes(deadline).await;
        let key = head.get_document("_id")?;
        let (terminal, epoch) = (key.get_str("terminal")?, key.get_i64("epoch")?);
        let id = Batch::id(terminal, epoch, head.get_i64("from")?);
        let started = std::time::Instant::now();
        let failures = head.get_i32("failures").map(i64::from);
        let outcome = if failures.or_else(|_| head.get_i64("failures")).unwrap_or(0) < CAREFUL_AFTER
        {
            step(state, &id, Step::Whole).await
        } else {
            record_by_record(state, &id).await
        };
        match outcome {
            Ok(Outcome::Projected | Outcome::Progressed) => {
                built += 1;
                metrics::histogram!("kassa_sync_projection_seconds")
                    .record(started.elapsed().as_secs_f64());
            }
            // The lowest waiting batch does not follow the projected position: records
            // in between are in no waiting batch. Nothing here can fill that hole.
            Ok(Outcome::Waiting) => {
                tracing::error!(batch = %id, "journal batch does not follow the projected position; projection of this terminal is stuck");
            }
            // The database is away: not the batch's fault, so not counted against it.
            Err(ApiError::Unavailable(_)) => {}
            Err(e) => {
                tracing::warn!(batch = %id, error = %e, "journal batch not projected; retrying later");
                sales::journal(state, System::Projector)
                    .update_one(
                        doc! { "_id": &id },
                        doc! { "$inc": { "failures": 1 }, "$set": { "last_error": format!("{e:#}") } },
                    )
                    .await?;
            }
        }
    }
    Ok(built)
}

async fn step(state: &AppState, id: &str, step: Step) -> ApiResult<Outcome> {
    let ctx = (state.clone(), id.to_owned(), step);
    state
        .write(ctx, |s, (state, id, step)| {
            Box::pin(async move { project::project(state, s, id, step).await })
        })
        .await
}

/// A batch that failed [`CAREFUL_AFTER`] times as a whole is built one record at a time.
/// A record that then fails on its own in [`CAREFUL_AFTER`] rounds in a row is
/// quarantined with the error (for managers and support), so one unbuildable fact never
/// holds back the terminal's later sales, while a passing fault (a write conflict, a
/// failover) never sets a good sale aside.
async fn record_by_record(state: &AppState, id: &str) -> ApiResult<Outcome> {
    loop {
        let next = next_seq(state, id).await?;
        let outcome = match step(state, id, Step::NextRecord).await {
            Err(e @ ApiError::Unavailable(_)) => return Err(e),
            Err(e) => {
                if record_failures(state, id, next).await? < CAREFUL_AFTER {
                    return Err(e);
                }
                tracing::error!(batch = %id, seq = next, error = %e, "journal record cannot be built; quarantining it");
                let reason = format!("could not be built into orders and stock: {e:#}");
                step(state, id, Step::QuarantineNext { seq: next, reason }).await?
            }
            Ok(outcome) => outcome,
        };
        if outcome != Outcome::Progressed {
            return Ok(outcome);
        }
    }
}

/// The sequence of the next record to build for batch `id` (`{terminal}:{epoch}:{from}`).
async fn next_seq(state: &AppState, id: &str) -> ApiResult<i64> {
    let mut parts = id.rsplitn(3, ':');
    let (_from, epoch, terminal) = (parts.next(), parts.next(), parts.next());
    let (Some(epoch), Some(terminal)) = (epoch.and_then(|e| e.parse().ok()), terminal) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "malformed batch id {id}"
        )));
    };
    Ok(project::projected(state, None, terminal, epoch).await?.0 + 1)
}

/// Counts one more failure of record `seq` of batch `id` on its own; the count so far
/// (a different record failing starts again at one).
async fn record_failures(state: &AppState, id: &str, seq: i64) -> ApiResult<i64> {
    let batch = sales::journal(state, System::Projector)
        .find_one(doc! { "_id": id })
        .await?
        .unwrap_or_default();
    let count = if batch.get_i64("failing_seq").ok() == Some(seq) {
        batch.get_i64("failing_count").unwrap_or(0) + 1
    } else {
        1
    };
    sales::journal(state, System::Projector)
        .update_one(
            doc! { "_id": id },
            doc! { "$set": { "failing_seq": seq, "failing_count": count } },
        )
        .await?;
    Ok(count)
}
