//! The PouchDB side: `pouchdb-server` (LevelDB on disk, its defaults) as a child process,
//! and the scripts in `bench/pouchdb/` that run PouchDB clients against it through the
//! counting proxy. The npm packages live in `bench/node_modules`, installed from the
//! committed lock file on first use.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::Value;
use tokio::process::{Child, Command};

/// `bench/`, where package.json, node_modules and the scripts are.
pub fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn have(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Makes sure node and the npm packages are there, running `npm ci` when node_modules is
/// missing (a fresh clone).
pub fn ensure_installed() -> anyhow::Result<()> {
    if !have("node") {
        bail!(
            "`node` is not installed: the PouchDB side of `kassa-bench sync` needs Node.js 18+ and npm"
        );
    }
    let dir = bench_dir();
    if dir.join("node_modules/pouchdb-server").exists()
        && dir.join("node_modules/pouchdb-node").exists()
    {
        return Ok(());
    }
    if !have("npm") {
        bail!(
            "`npm` is not installed: it is needed once to install PouchDB into {}/node_modules",
            dir.display()
        );
    }
    eprintln!(
        "kassa-bench sync: installing PouchDB with `npm ci` in {}",
        dir.display()
    );
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .status()
        .context("running npm ci")?;
    if !status.success() {
        bail!("`npm ci` in {} failed ({status})", dir.display());
    }
    Ok(())
}

/// A free loopback port (bound and released; the server takes it right after).
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A running pouchdb-server; killed when dropped.
#[derive(Debug)]
pub struct PouchServer {
    child: Child,
    pub addr: SocketAddr,
}

impl PouchServer {
    /// Starts pouchdb-server with its data, config and log in `dir`.
    pub async fn start(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let port = free_port()?;
        let bin = bench_dir().join("node_modules/pouchdb-server/bin/pouchdb-server");
        let log = std::fs::File::create(dir.join("server.out"))?;
        let child = Command::new("node")
            .arg(&bin)
            .args([
                "--port",
                &port.to_string(),
                "--host",
                "127.0.0.1",
                "--no-stdout-logs",
            ])
            .arg("--dir")
            .arg(dir)
            .arg("--config")
            .arg(dir.join("config.json"))
            .current_dir(dir)
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut server = PouchServer { child, addr };
        let http = reqwest::Client::new();
        for _ in 0..300 {
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "pouchdb-server exited at start ({status}); see {}/server.out",
                    dir.display()
                );
            }
            if http
                .get(server.url())
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server.child.kill().await.ok();
        bail!("pouchdb-server did not answer within 30 s")
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's peak resident set so far (VmHWM).
    pub fn peak_rss(&self) -> Option<u64> {
        self.child.id().and_then(crate::memory::peak_rss_of)
    }

    pub async fn stop(mut self) {
        self.child.kill().await.ok();
    }
}

/// Runs `bench/pouchdb/<script>` with `--name value` arguments and returns the JSON
/// object it prints last.
pub async fn script(name: &str, args: &[(&str, &str)]) -> anyhow::Result<Value> {
    let path = bench_dir().join("pouchdb").join(name);
    let mut cmd = Command::new("node");
    cmd.arg(&path).current_dir(bench_dir()).kill_on_drop(true);
    for (k, v) in args {
        cmd.arg(format!("--{k}")).arg(v);
    }
    let out = cmd
        .output()
        .await
        .with_context(|| format!("running {}", path.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "{name} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            stdout
        );
    }
    let last = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .context("no JSON line")?;
    serde_json::from_str(last).with_context(|| format!("{name} printed `{last}`"))
}

/// A millisecond field of a script's answer as a duration.
pub fn millis(v: &Value, field: &str) -> anyhow::Result<Duration> {
    let ms = v[field]
        .as_f64()
        .with_context(|| format!("no `{field}` in {v}"))?;
    Ok(Duration::from_secs_f64(ms / 1000.0))
}
