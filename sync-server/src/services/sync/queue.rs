//! One push transaction at a time per shop in this instance.
//!
//! Pushes of one shop touch the same stock balances and the same stock-stream head, so
//! their transactions conflict by design. MongoDB resolves that by aborting and retrying
//! one of them, but under many terminals the retries (and, on SecantusDB, lock waits)
//! made pushes time out and be resent, which conflicted again. Queueing them here turns
//! that storm into a short wait; instances still rely on the database for the rest.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

#[derive(Debug, Clone, Default)]
pub struct ShopQueue {
    shops: Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>,
}

impl ShopQueue {
    /// Waits for this shop's turn; the turn ends when the guard is dropped.
    pub async fn turn(&self, shop_id: &str) -> OwnedMutexGuard<()> {
        let lock = {
            let mut shops = self.shops.lock().unwrap_or_else(|e| e.into_inner());
            shops.entry(shop_id.to_owned()).or_default().clone()
        };
        lock.lock_owned().await
    }
}
