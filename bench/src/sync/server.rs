//! The Kassa server in-process: `sync_server::run` on a loopback port against the dev
//! MongoDB (`KASSA_BENCH_MONGODB_URI`) and RabbitMQ, under a fresh database prefix so a
//! run never reads another run's data.

use std::net::SocketAddr;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

pub const ADMIN_EMAIL: &str = "platform@bench.test";
pub const ADMIN_PASSWORD: &str = "platform-password";

/// The MongoDB the bench writes to (`scripts/services.sh up` starts one here).
pub fn mongo_uri() -> String {
    std::env::var("KASSA_BENCH_MONGODB_URI")
        .unwrap_or_else(|_| "mongodb://127.0.0.1:27017/?directConnection=true".into())
}

/// A running server; stops when dropped.
#[derive(Debug)]
pub struct Server {
    pub addr: SocketAddr,
    pub prefix: String,
    stop: CancellationToken,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Server {
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and drops this run's databases, so runs do not pile up 50,000
    /// products each in the dev store.
    pub async fn stop_and_clean(self) -> anyhow::Result<()> {
        self.stop.cancel();
        let client = mongodb::Client::with_uri_str(mongo_uri()).await?;
        for name in client.list_database_names().await? {
            if name.starts_with(&self.prefix) {
                client.database(&name).drop().await?;
            }
        }
        Ok(())
    }
}

/// Starts the server and waits until it answers its health check.
pub async fn start() -> anyhow::Result<Server> {
    let prefix = sync_server::testing::fresh_prefix('b');
    let mut config = sync_server::testing::config(&prefix, ADMIN_EMAIL, ADMIN_PASSWORD);
    config.mongodb.uri = mongo_uri();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stop = CancellationToken::new();
    let token = stop.clone();
    let task = tokio::spawn(async move { sync_server::run(config, listener, token).await });
    let server = Server { addr, prefix, stop };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if task.is_finished() {
            let out = task.await.context("server task")?;
            out.context(
                "the Kassa server stopped at start (is MongoDB up? scripts/services.sh up)",
            )?;
            anyhow::bail!("the Kassa server stopped at start");
        }
        let health = http
            .get(format!("{}/api/health", server.base()))
            .send()
            .await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return Ok(server);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("the Kassa server did not answer within 30 s")
}
