//! Shared page reads for live sockets: when one change wakes fifty sockets following the
//! same stream at the same cursor, one read of the change log serves them all, instead of
//! fifty reads queueing in front of each other (and of the next change).
//!
//! A socket only shares a read that started after the wake-up it answers, so it never
//! gets a page older than the change that woke it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use mongodb::Database;
use pos_shared::sync::Change;
use tokio::sync::OnceCell;

use crate::streams;

/// A page of one stream as `streams::page` returns it: changes, head, next cursor.
pub type Rows = (Vec<Change>, i64, i64);
type Flight = Arc<OnceCell<mongodb::error::Result<Arc<Rows>>>>;
/// A read of one stream after one cursor, of one page size.
type Read = (String, i64, i64);

/// Reads are forgotten this long after they started: a later wake-up cannot use them.
const KEEP: Duration = Duration::from_secs(2);

#[derive(Debug, Default, Clone)]
pub struct Flights {
    started: Arc<Mutex<HashMap<Read, (Instant, Flight)>>>,
}

impl Flights {
    /// The page of `stream` after `after`, from a read that started at `not_before` or
    /// later: one already under way when there is one, else a new one.
    pub async fn page(
        &self,
        db: &Database,
        stream: &str,
        after: i64,
        limit: i64,
        not_before: Instant,
    ) -> mongodb::error::Result<Arc<Rows>> {
        let flight = {
            let mut started = self.started.lock().unwrap_or_else(PoisonError::into_inner);
            let key = (stream.to_owned(), after, limit);
            match started.get(&key) {
                Some((at, flight)) if *at >= not_before => flight.clone(),
                _ => {
                    let now = Instant::now();
                    started.retain(|_, (at, _)| now.duration_since(*at) < KEEP);
                    let flight = Flight::default();
                    started.insert(key, (now, flight.clone()));
                    flight
                }
            }
        };
        flight
            .get_or_init(|| async { streams::page(db, stream, after, limit).await.map(Arc::new) })
            .await
            .clone()
    }
}
