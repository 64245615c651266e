//! In-process fan-out of "this stream moved" to every live socket of this instance.
//!
//! Only the stream key and the time of the poke travel; each socket reads the changes
//! after its own cursor (sockets at the same cursor share one read, see [`Flights`]), so
//! a slow socket that misses pokes (broadcast lag) still catches up on the next one.

use std::{sync::Arc, time::Instant};

use super::flights::Flights;

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// The poke meaning "every stream" ([`Hub::poke_all`]); no stream key looks like it.
pub const EVERY_STREAM: &str = "*";

/// "This stream moved", sent after the move committed.
#[derive(Debug, Clone)]
pub struct Poke {
    pub stream: Arc<str>,
    /// When the hub was told: a read started after this sees the move.
    pub at: Instant,
}

#[derive(Debug, Clone)]
pub struct Hub {
    tx: broadcast::Sender<Poke>,
    closing: CancellationToken,
    flights: Flights,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self {
            tx,
            closing: CancellationToken::new(),
            flights: Flights::default(),
        }
    }

    /// Tells every socket following `stream` (a stream key) that it has new changes.
    pub fn poke(&self, stream: &str) {
        // No receivers is normal: no terminal is connected.
        let _ = self.tx.send(Poke {
            stream: Arc::from(stream),
            at: Instant::now(),
        });
    }

    /// Tells every socket to look at all its streams: pokes may have been missed (the
    /// event bus was unreachable), so everyone catches up.
    pub fn poke_all(&self) {
        let _ = self.tx.send(Poke {
            stream: Arc::from(EVERY_STREAM),
            at: Instant::now(),
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Poke> {
        self.tx.subscribe()
    }

    /// Page reads shared by this instance's sockets.
    pub fn flights(&self) -> &Flights {
        &self.flights
    }

    /// Cancelled when the server shuts down, so sockets close and shutdown can finish.
    pub fn closing(&self) -> &CancellationToken {
        &self.closing
    }
}
