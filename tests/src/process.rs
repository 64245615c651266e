//! The real `sync-server` binary as a child process, so a test can `kill -9` it in the
//! middle of a transaction (an in-process server would finish its in-flight requests).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{ADMIN_EMAIL, ADMIN_PASSWORD};

pub struct ServerProcess {
    child: Child,
    pub base: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free local address for a server that will be restarted on it.
pub fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

impl ServerProcess {
    /// Starts `sync-server serve` on `addr` with the test's database prefix and waits
    /// until it answers.
    pub async fn spawn(prefix: &str, addr: SocketAddr) -> Self {
        Self::spawn_with(prefix, addr, &crate::mongo_uri(), &crate::amqp_uri()).await
    }

    /// [`ServerProcess::spawn`] reaching MongoDB and RabbitMQ at the given URIs (through
    /// a [`crate::cut::TcpCut`], for instance).
    pub async fn spawn_with(prefix: &str, addr: SocketAddr, mongo: &str, amqp: &str) -> Self {
        let bin = crate::till::sibling_binary("sync-server");
        let mut server = Self {
            base: format!("http://{addr}"),
            child: Command::new(bin)
                .arg("serve")
                .env("KASSA_LISTEN", addr.to_string())
                .env("KASSA_MONGODB__URI", mongo)
                .env("KASSA_MONGODB__DB_PREFIX", prefix)
                .env("KASSA_AMQP__URI", amqp)
                .env("KASSA_AMQP__PREFIX", prefix)
                .env("KASSA_AMQP__RELAY_POLL_MS", "100")
                // The same secret as the in-process test config: tokens survive restarts.
                .env(
                    "KASSA_AUTH__JWT_SECRET",
                    "test-secret-test-secret-test-secret!",
                )
                // A fault campaign runs for hours on the tokens it logged in with at the
                // start; a 15-minute access token would fail its later checks, not the server.
                .env("KASSA_AUTH__ACCESS_TTL_SECS", "86400")
                .env("KASSA_AUTH__BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL)
                .env("KASSA_AUTH__BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .env("KASSA_LIMITS__PER_IP_PER_SECOND", "10000")
                .env("KASSA_LIMITS__PER_IP_BURST", "10000")
                .env("KASSA_LIMITS__LOGIN_ATTEMPTS_PER_MINUTE", "1000")
                // Start-up steps are logged, so a server slow to come up says where it waits.
                .env("RUST_LOG", "warn,kassa::startup=info")
                .stdout(Stdio::inherit())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawn sync-server"),
        };
        let started = Instant::now();
        let http = reqwest::Client::new();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(r) = http.get(format!("{}/api/health", server.base)).send().await
                && r.status().is_success()
            {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("sync-server exited with {status}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("sync-server did not come up on {addr}");
    }

    /// SIGKILL: no graceful shutdown, in-flight transactions are cut.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
