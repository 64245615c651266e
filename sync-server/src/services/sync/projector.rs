//! The projector: a background task that builds orders and stock from stored journal
//! batches, oldest first and each terminal's in sequence order, so pushes are acked as
//! soon as they are stored. Woken by every push; also polls, so batches stored by another
//! instance (or before a restart) are built too. Several instances may run it: two that
//! pick the same batch conflict in MongoDB and the loser finds it built.

use std::{
    collections::HashSet,
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

use super::project::{self, Outcome};
use crate::{services::sales, state::AppState};

/// How often waiting batches are looked for without a wake-up.
const POLL: Duration = Duration::from_secs(2);
/// Batches read per round; a round ends early when nothing could be built.
const ROUND: i64 = 64;
/// Pushes go first: a batch is built once no push has been in flight for this long...
const QUIET: Duration = Duration::from_millis(100);
/// ...or after this much waiting, so a steady stream of pushes cannot starve projection.
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

    /// Waits until no push is in flight and none ended within [`QUIET`], or at most
    /// [`MOST_DEFERRED`].
    async fn yield_to_pushes(&self) {
        let started = Instant::now();
        while started.elapsed() < MOST_DEFERRED {
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

/// Builds the waiting batches it can; returns how many.
async fn round(state: &AppState) -> anyhow::Result<usize> {
    let waiting: Vec<Document> = sales::journal(state)
        .find(doc! { "projected": false })
        .sort(doc! { "received_at": 1, "from": 1 })
        .projection(doc! { "terminal_id": 1, "epoch": 1 })
        .limit(ROUND)
        .await?
        .try_collect()
        .await?;
    // A terminal whose batch waits or failed is skipped for the rest of the round, so its
    // later batches never overtake it.
    let mut held: HashSet<(String, i64)> = HashSet::new();
    let mut built = 0;
    for b in waiting {
        let id = b.get_str("_id").unwrap_or_default().to_string();
        let key = (
            b.get_str("terminal_id").unwrap_or_default().to_string(),
            b.get_i64("epoch").unwrap_or(0),
        );
        if held.contains(&key) {
            continue;
        }
        state.projector.yield_to_pushes().await;
        let started = std::time::Instant::now();
        let outcome = state
            .write((state.clone(), id.clone()), |s, (state, id)| {
                Box::pin(async move { project::project(state, s, id).await })
            })
            .await;
        match outcome {
            Ok(Outcome::Projected) => {
                built += 1;
                metrics::histogram!("kassa_sync_projection_seconds")
                    .record(started.elapsed().as_secs_f64());
            }
            Ok(Outcome::Waiting) => {
                held.insert(key);
            }
            Err(e) => {
                tracing::warn!(batch = %id, error = %e, "journal batch not projected; retrying later");
                held.insert(key);
            }
        }
    }
    Ok(built)
}
