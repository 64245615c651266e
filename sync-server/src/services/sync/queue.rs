//! One push transaction at a time per terminal in this instance.
//!
//! Pushes of one terminal move the same upload position, so their transactions conflict
//! by design: a terminal that resends after a timeout while its first attempt is still
//! committing would make MongoDB abort and retry one of them. Queueing them here turns
//! that into a short wait; instances still rely on the database for the rest.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

#[derive(Debug, Clone, Default)]
pub struct TerminalQueue {
    terminals: Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>,
}

impl TerminalQueue {
    /// Waits for this terminal's turn; the turn ends when the guard is dropped.
    pub async fn turn(&self, terminal_id: &str) -> OwnedMutexGuard<()> {
        let lock = {
            let mut terminals = self.terminals.lock().unwrap_or_else(|e| e.into_inner());
            terminals.entry(terminal_id.to_owned()).or_default().clone()
        };
        lock.lock_owned().await
    }
}
