//! localstripe, the Stripe API peer (PyPI, installed by scripts/install-deps.sh into
//! `.venv-localstripe`; ../shared/VERIFIED.md says what it models). Each test starts its
//! own on a free port bound to 127.0.0.1, with its own temp directory (its state is a
//! pickle there, so parallel tests share nothing), and it is killed on drop.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct LocalStripe {
    pub base: String,
    child: Child,
    _state: tempfile::TempDir,
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The venv's Python, where localstripe is installed (`KASSA_LOCALSTRIPE_VENV` overrides).
fn venv() -> PathBuf {
    std::env::var_os("KASSA_LOCALSTRIPE_VENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv-localstripe"),
        PathBuf::from,
    )
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local address").port()
}

impl LocalStripe {
    /// A fresh localstripe, or `None` (with a message) when it is not installed outside
    /// CI. Under `CI=true` a missing peer fails the test: CI must run what it claims to.
    pub async fn start() -> Option<LocalStripe> {
        let venv = venv();
        if !venv.join("bin/localstripe").exists() {
            let why = format!(
                "localstripe is not installed at {} (scripts/install-deps.sh installs it)",
                venv.display()
            );
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
            eprintln!("SKIPPED: {why}");
            return None;
        }
        let state = tempfile::tempdir().expect("temp dir for localstripe's state");
        let port = free_port();
        // Its CLI binds every interface; the app started by hand binds loopback only.
        let script = format!(
            "from localstripe.server import app; from aiohttp import web; \
             web.run_app(app, host='127.0.0.1', port={port}, print=None)"
        );
        let child = Command::new(venv.join("bin/python"))
            .args(["-c", &script])
            .env("TMPDIR", state.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("localstripe starts");
        let peer = LocalStripe {
            base: format!("http://127.0.0.1:{port}"),
            child,
            _state: state,
        };
        peer.wait_until_up(port).await;
        Some(peer)
    }

    /// Has localstripe deliver intent events to `url`, signed with `secret`.
    pub async fn register_webhook(&self, url: &str, secret: &str) {
        let form = [
            ("url", url),
            ("secret", secret),
            ("events[]", "payment_intent.succeeded"),
            ("events[]", "payment_intent.payment_failed"),
            ("events[]", "payment_intent.amount_capturable_updated"),
        ];
        let resp = reqwest::Client::new()
            .post(format!("{}/_config/webhooks/kassa", self.base))
            .basic_auth(super::STRIPE_KEY, Some(""))
            .form(&form)
            .send()
            .await
            .expect("localstripe reachable");
        assert!(
            resp.status().is_success(),
            "webhook registered: {}",
            resp.status()
        );
    }

    /// Confirms intent `pi` at localstripe directly, as a browser does with Stripe.js.
    pub async fn confirm_as_browser(&self, pi: &str) {
        let resp = reqwest::Client::new()
            .post(format!("{}/v1/payment_intents/{pi}/confirm", self.base))
            .basic_auth(super::STRIPE_KEY, Some(""))
            .send()
            .await
            .expect("localstripe reachable");
        assert!(resp.status().is_success(), "confirmed: {}", resp.status());
    }

    async fn wait_until_up(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "localstripe did not listen within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
