//! End-to-end test support: a real sync-server on port 0 against the local MongoDB and
//! RabbitMQ, with its own database and queue prefix.

use sync_server::config::Config;
pub use sync_server::testing::{amqp_uri, mongo_uri};
use tokio_util::sync::CancellationToken;

pub mod campaign;
pub mod cloud;
pub mod cut;
pub mod desktop;
pub mod devices;
pub mod process;
pub mod proxy;
pub mod till;
pub mod webdriver;

pub const ADMIN_EMAIL: &str = "platform@e2e.test";
pub const ADMIN_PASSWORD: &str = "platform-password";

pub fn config(prefix: &str) -> Config {
    sync_server::testing::config(prefix, ADMIN_EMAIL, ADMIN_PASSWORD)
}

pub fn fresh_prefix() -> String {
    sync_server::testing::fresh_prefix('e')
}

/// A running server; stops when dropped.
pub struct Server {
    pub base: String,
    pub addr: std::net::SocketAddr,
    stop: CancellationToken,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Server {
    /// Stops the server and waits until it no longer serves.
    pub async fn shut_down(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
        }
    }
}

pub async fn start(config: Config) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    serve(config, listener)
}

/// Starts a server on a given address (a restart on the port terminals already know),
/// retrying while the previous instance releases it.
pub async fn start_at(config: Config, addr: std::net::SocketAddr) -> Server {
    for _ in 0..100 {
        if let Ok(listener) = tokio::net::TcpListener::bind(addr).await {
            return serve(config, listener);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{addr} stayed busy");
}

/// Sends the server's and the tills' warnings to the test's captured output, so a failed
/// run says what the server and the tills saw (`KASSA_TEST_LOG` for more).
fn log_to_test_output() {
    let filter = std::env::var("KASSA_TEST_LOG").unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_test_writer()
        .try_init();
}

fn serve(config: Config, listener: tokio::net::TcpListener) -> Server {
    log_to_test_output();
    let addr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let stop = CancellationToken::new();
    let token = stop.clone();
    let task = tokio::spawn(async move {
        if let Err(e) = sync_server::run(config, listener, token).await {
            eprintln!("server failed: {e:#}");
        }
    });
    Server {
        base,
        addr,
        stop,
        task: Some(task),
    }
}
