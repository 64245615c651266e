//! What a till hears back from its server besides stock and prices: a receipt a customer
//! asked to have emailed is queued at the till (also while offline), handed to the server
//! once the sale is there and delivered over SMTP once (checked in maildev's inbox, an
//! SMTP peer from npm), and the exceptions the server raised for this till's sales come
//! down to it (and only its own).
//!
//! maildev is looked up at `KASSA_MAILDEV`, else `.maildev/node_modules/.bin/maildev` in the
//! workspace (`npm i --prefix .maildev maildev@3.0.0`, done by scripts/install-deps.sh).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kassa_tests::cloud::Cloud;
use kassa_tests::till::Till;
use kassa_tests::{config, fresh_prefix, start};
use pos_core::sync::{exceptions, receipt_emails};
use serde_json::Value;

const MILK: &str = "4006381333931";

/// A running maildev; stopped when dropped.
struct Maildev {
    child: Child,
    smtp: u16,
    web: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Maildev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn maildev_bin() -> PathBuf {
    let path = std::env::var_os("KASSA_MAILDEV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../.maildev/node_modules/.bin/maildev"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "maildev not found at {}: install it with `npm i --prefix .maildev maildev@3.0.0` in the workspace (scripts/install-deps.sh does), or set KASSA_MAILDEV",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl Maildev {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (smtp, web) = (free_port(), free_port());
        let child = Command::new(maildev_bin())
            .args(["--smtp", &smtp.to_string(), "--web", &web.to_string()])
            .args([
                "--ip",
                "127.0.0.1",
                "--web-ip",
                "127.0.0.1",
                "--mail-directory",
            ])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("maildev starts");
        let m = Self {
            child,
            smtp,
            web,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(m.url("/api/healthz")).await.is_err() {
            assert!(Instant::now() < deadline, "maildev did not come up in 30 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        m
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.web)
    }

    async fn inbox(&self) -> Vec<Value> {
        let v: Value = reqwest::get(self.url("/api/email"))
            .await
            .expect("maildev answers")
            .json()
            .await
            .expect("json");
        v.as_array().cloned().unwrap_or_default()
    }
}

#[tokio::test]
async fn an_emailed_receipt_waits_offline_and_is_delivered_once() {
    let mail = Maildev::start().await;
    let prefix = fresh_prefix();
    let mut cfg = config(&prefix);
    cfg.smtp.url = format!("smtp://127.0.0.1:{}", mail.smtp);
    let server = start(cfg).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    cloud.product("MILK", 129, MILK, 20).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 1").await;

    // Asked for before the sale reached the server: it waits at the till.
    let sale = till.sell(MILK, 3).await;
    let queued = receipt_emails::queue(&till.db, &sale.id, "ana@example.com")
        .await
        .expect("queued");
    assert_eq!(
        receipt_emails::waiting(&till.db).await.unwrap().len(),
        1,
        "the request is kept at the till until the server took it"
    );
    till.sync().await.expect("sync");
    till.wait_projected().await;
    // The first sync may have asked before the server built the order; the next one sends.
    till.sync().await.expect("sync again");
    assert!(
        receipt_emails::waiting(&till.db).await.unwrap().is_empty(),
        "sent once the sale is on the server"
    );

    let deadline = Instant::now() + Duration::from_secs(20);
    let inbox = loop {
        let inbox = mail.inbox().await;
        if !inbox.is_empty() || Instant::now() > deadline {
            break inbox;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(inbox.len(), 1, "one email: {inbox:?}");
    let email = &inbox[0];
    assert_eq!(email["to"][0]["address"], "ana@example.com");
    let text = email["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Receipt #1") && text.contains("3 x") && text.contains("3.87"),
        "the receipt's number, lines and total: {text}"
    );

    // The same request again (an answer lost on the way back) sends nothing new.
    let mut remote = pos_core::sync::Remote::for_terminal(&till.db)
        .await
        .unwrap();
    let path = format!("/api/receipts/{}/email", sale.id);
    let body = serde_json::json!({ "request_id": queued.id, "email": "ana@example.com" });
    let again: Value = remote
        .call(reqwest::Method::POST, &path, Some(&body))
        .await
        .expect("a retry is answered");
    assert_eq!(again["status"], "already_sent", "{again}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        mail.inbox().await.len(),
        1,
        "a retried request is sent once"
    );
    server.shut_down().await;
}

#[tokio::test]
async fn a_till_gets_the_exceptions_raised_for_its_own_sales() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    cloud.product("MILK", 129, MILK, 2).await;
    let one = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 1").await;
    let two = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 2").await;

    // Till 1 sells five milks of the two in stock: the server says it oversold.
    one.sell(MILK, 5).await;
    one.sync().await.expect("sync");
    one.wait_projected().await;
    one.sync().await.expect("sync again");
    let mine = exceptions::kept(&one.db).await.unwrap();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0].kind, "oversold");
    assert!(mine[0].at_ms() > 0, "it says when");

    two.sync().await.expect("sync");
    assert!(
        exceptions::kept(&two.db).await.unwrap().is_empty(),
        "another till's exception is not this till's"
    );
    server.shut_down().await;
}
