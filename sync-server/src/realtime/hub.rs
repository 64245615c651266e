//! In-process fan-out of "this stream moved" to every live socket of this instance.
//!
//! Only the stream key travels; each socket reads the changes after its own cursor, so a
//! slow socket that misses pokes (broadcast lag) still catches up on the next one.

use std::sync::Arc;

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

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

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.tx.subscribe()
    }

    /// Cancelled when the server shuts down, so sockets close and shutdown can finish.
    pub fn closing(&self) -> &CancellationToken {
        &self.closing
    }
}
