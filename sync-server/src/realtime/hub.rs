//! In-process fan-out of "this stream moved" to every live socket of this instance.
//!
//! Only the stream key travels; each socket reads the changes after its own cursor, so a
//! slow socket that misses pokes (broadcast lag) still catches up on the next one.

use std::sync::Arc;

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// The poke meaning "every stream" ([`Hub::poke_all`]); no stream key looks like it.
pub const EVERY_STREAM: &str = "*";

#[derive(Debug, Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<str>>,
    closing: CancellationToken,
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
        }
    }

    /// Tells every socket following `stream` (a stream key) that it has new changes.
    pub fn poke(&self, stream: &str) {
        // No receivers is normal: no terminal is connected.
        let _ = self.tx.send(Arc::from(stream));
    }

    /// Tells every socket to look at all its streams: pokes may have been missed (the
    /// event bus was unreachable), so everyone catches up.
    pub fn poke_all(&self) {
        let _ = self.tx.send(Arc::from(EVERY_STREAM));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.tx.subscribe()
    }

    /// Cancelled when the server shuts down, so sockets close and shutdown can finish.
    pub fn closing(&self) -> &CancellationToken {
        &self.closing
    }
}
