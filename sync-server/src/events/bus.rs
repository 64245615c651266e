//! The process's handle on RabbitMQ: where it is, how names are prefixed, whether the relay
//! is currently connected, and the wake-up bell rung after each committed change.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use lapin::{Channel, Connection, ConnectionProperties};
use tokio::sync::Notify;

use super::topology::Names;

#[derive(Debug, Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    uri: String,
    names: Names,
    connected: AtomicBool,
    wake: Notify,
}

impl Bus {
    pub fn new(uri: &str, prefix: &str) -> Self {
        Self {
            inner: Arc::new(Inner {
                uri: uri.to_string(),
                names: Names::new(prefix),
                connected: AtomicBool::new(false),
                wake: Notify::new(),
            }),
        }
    }

    pub fn names(&self) -> &Names {
        &self.inner.names
    }

    /// Opens a fresh connection and channel. Each relay/consumer owns its own, so one
    /// failing never takes the others down.
    pub async fn open_channel(&self, name: &str) -> lapin::Result<(Connection, Channel)> {
        let props = ConnectionProperties::default().with_connection_name(name.to_string().into());
        let conn = Connection::connect(&self.inner.uri, props).await?;
        let channel = conn.create_channel().await?;
        Ok((conn, channel))
    }

    /// Tells the relay there is something new in an outbox, so events leave at once rather
    /// than on the next poll.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    pub async fn woken(&self) {
        self.inner.wake.notified().await;
    }

    pub fn set_connected(&self, up: bool) {
        self.inner.connected.store(up, Ordering::Relaxed);
    }

    /// Whether the relay's last attempt to reach RabbitMQ succeeded.
    pub fn is_connected(&self) -> bool {
        self.inner.connected.load(Ordering::Relaxed)
    }
}
