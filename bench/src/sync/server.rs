//! The Kassa server in-process: `sync_server::run` on a loopback port against RabbitMQ
//! and a MongoDB of the run's own: a SecantusDB started on a free port with its data (on
//! disk, WiredTiger, as durable as the dev store) in the run's work directory, stopped
//! and deleted with it. Dropping 100,000 documents one by one took SecantusDB longer
//! than the whole benchmark. `KASSA_BENCH_MONGODB_URI` points the run at another MongoDB
//! instead (a real one, say); its databases are then dropped at the end.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

pub const ADMIN_EMAIL: &str = "platform@bench.test";
pub const ADMIN_PASSWORD: &str = "platform-password";

/// SecantusDB as `scripts/services.sh up` installs it.
const SECANTUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/secantusd-py");

/// A running server; stops when dropped.
#[derive(Debug)]
pub struct Server {
    pub addr: SocketAddr,
    pub prefix: String,
    stop: CancellationToken,
    mongo_uri: String,
    /// The run's own SecantusDB, killed when dropped.
    own_mongo: Option<tokio::process::Child>,
}

/// Starts the run's SecantusDB under `dir`; answers its URI once it takes commands.
async fn own_mongo(dir: &Path) -> anyhow::Result<(String, tokio::process::Child)> {
    anyhow::ensure!(
        Path::new(SECANTUS).exists(),
        "{SECANTUS} is missing: run `scripts/services.sh up` once (it installs SecantusDB)"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let data = dir.join("mongo");
    std::fs::create_dir_all(&data)?;
    let log = std::fs::File::create(dir.join("mongo.log"))?;
    let child = tokio::process::Command::new(SECANTUS)
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--storage-path",
        ])
        .arg(&data)
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {SECANTUS}"))?;
    let uri = format!("mongodb://127.0.0.1:{port}/?directConnection=true");
    let client = mongodb::Client::with_uri_str(&uri).await?;
    for _ in 0..600 {
        let ping = client
            .database("admin")
            .run_command(mongodb::bson::doc! { "ping": 1 })
            .await;
        if ping.is_ok() {
            return Ok((uri, child));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!(
        "SecantusDB did not answer on port {port} within 60 s (see its log in {})",
        dir.display()
    )
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

    /// Waits until the server's background work is done: every outbox event published
    /// and the audit service no longer recording (its count unchanged for a second; an
    /// event published before its queue existed is never delivered to it, so the counts
    /// need not match). Phases are measured on a quiet server, as they would be on
    /// separate days; returns how long the wait took.
    pub async fn quiet(&self) -> anyhow::Result<std::time::Duration> {
        use mongodb::bson::{Document, doc};
        let started = std::time::Instant::now();
        let client = mongodb::Client::with_uri_str(&self.mongo_uri).await?;
        let names: Vec<String> = client
            .list_database_names()
            .await?
            .into_iter()
            .filter(|n| n.starts_with(&self.prefix))
            .collect();
        let (mut last_audited, mut steady) = (u64::MAX, 0);
        loop {
            let (mut events, mut waiting) = (0, 0);
            for name in &names {
                let outbox = client.database(name).collection::<Document>("outbox");
                events += outbox.count_documents(doc! {}).await?;
                waiting += outbox.count_documents(doc! { "published": false }).await?;
            }
            let audited = client
                .database(&format!("{}auditdb", self.prefix))
                .collection::<Document>("records")
                .count_documents(doc! {})
                .await?;
            steady = if audited == last_audited {
                steady + 1
            } else {
                0
            };
            last_audited = audited;
            if waiting == 0 && steady >= 4 {
                return Ok(started.elapsed());
            }
            anyhow::ensure!(
                started.elapsed() < std::time::Duration::from_secs(1800),
                "the server is still busy after 30 min: {waiting} events unpublished, \
                 {audited} of {events} audited"
            );
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }

    /// Stops the server and drops this run's databases, so runs do not pile up 50,000
    /// products each in the dev store.
    pub async fn stop_and_clean(mut self) -> anyhow::Result<()> {
        self.stop.cancel();
        if let Some(mut child) = self.own_mongo.take() {
            child.kill().await?;
            return Ok(());
        }
        let client = mongodb::Client::with_uri_str(&self.mongo_uri).await?;
        for name in client.list_database_names().await? {
            if name.starts_with(&self.prefix) {
                client.database(&name).drop().await?;
            }
        }
        Ok(())
    }
}

/// Starts the server and waits until it answers its health check.
pub async fn start(dir: &Path) -> anyhow::Result<Server> {
    let (mongo_uri, own_mongo) = match std::env::var("KASSA_BENCH_MONGODB_URI") {
        Ok(uri) => (uri, None),
        Err(_) => {
            let (uri, child) = own_mongo(dir).await?;
            (uri, Some(child))
        }
    };
    let prefix = sync_server::testing::fresh_prefix('b');
    let mut config = sync_server::testing::config(&prefix, ADMIN_EMAIL, ADMIN_PASSWORD);
    config.mongodb.uri = mongo_uri.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stop = CancellationToken::new();
    let token = stop.clone();
    let task = tokio::spawn(async move { sync_server::run(config, listener, token).await });
    let server = Server {
        addr,
        prefix,
        stop,
        mongo_uri,
        own_mongo,
    };
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
