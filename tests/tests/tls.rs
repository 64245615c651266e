//! TLS between a till and its server, for real: a throwaway CA signs the server's
//! certificate, a TLS-terminating proxy (the role a load balancer plays in production)
//! serves https:// and wss:// in front of a real server, and a till enrolled with
//! `pos enroll --ca-file` syncs over both. A certificate from another CA is refused, with a
//! message saying so and a non-zero exit; without a pin the system's trust store decides
//! (and does not know the throwaway CA).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kassa_tests::cloud::Cloud;
use kassa_tests::till::{pos_binary, sell_on};
use kassa_tests::{config, fresh_prefix, start};
use pos_core::LocalDb;
use pos_core::error::CoreError;
use pos_shared::role::Role;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, ServerConfig};

const MILK: &str = "4006381333931";

/// A certificate authority of the test's own.
struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().expect("CA key");
        Self {
            issuer: CertifiedIssuer::self_signed(params, key).expect("CA certificate"),
        }
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server configuration for 127.0.0.1 and localhost, signed by this CA.
    fn server_config(&self) -> Arc<ServerConfig> {
        let params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("server params");
        let key = KeyPair::generate().expect("server key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("server certificate");
        let chain = vec![cert.der().clone()];
        let key = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).expect("key der");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        Arc::new(
            ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("protocol versions")
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .expect("server TLS config"),
        )
    }
}

/// A TLS-terminating proxy in front of `upstream`; the certificate it presents can be
/// swapped while it runs (a server whose certificate changed, or an impostor).
struct TlsProxy {
    base: String,
    config: Arc<Mutex<Arc<ServerConfig>>>,
}

impl TlsProxy {
    async fn start(upstream: SocketAddr, config: Arc<ServerConfig>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("https://{}", listener.local_addr().expect("addr"));
        let config = Arc::new(Mutex::new(config));
        let current = config.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let acceptor = TlsAcceptor::from(current.lock().expect("config").clone());
                tokio::spawn(async move {
                    // A refused handshake just ends this connection.
                    let Ok(mut tls) = acceptor.accept(client).await else {
                        return;
                    };
                    let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
                });
            }
        });
        Self { base, config }
    }

    fn present(&self, config: Arc<ServerConfig>) {
        *self.config.lock().expect("config") = config;
    }
}

/// `pos --db DB enroll ...`: (success, stdout + stderr).
async fn pos_enroll(
    db: &std::path::Path,
    server: &str,
    code: &str,
    ca: Option<&std::path::Path>,
) -> (bool, String) {
    let mut cmd = tokio::process::Command::new(pos_binary());
    cmd.arg("--db").arg(db).args([
        "enroll", "--server", server, "--code", code, "--name", "TLS till",
    ]);
    if let Some(ca) = ca {
        cmd.arg("--ca-file").arg(ca);
    }
    let out = cmd.output().await.expect("run pos enroll");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Holds the live socket until `done` holds (or 20 s pass); the session's outcome.
async fn live_until(
    db: &LocalDb,
    done: impl AsyncFn() -> bool,
) -> pos_core::error::CoreResult<pos_core::sync::live::LiveSummary> {
    let stop = async {
        for _ in 0..200 {
            if done().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    pos_core::sync::live::session(db, stop).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_pinned_to_its_ca_syncs_over_https_and_wss_and_refuses_any_other_certificate() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    cloud.product("MILK", 129, MILK, 100).await;

    let ours = TestCa::new("Kassa test CA");
    let theirs = TestCa::new("Someone else's CA");
    let proxy = TlsProxy::start(server.addr, ours.server_config()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let ca_file = dir.path().join("kassa-ca.pem");
    std::fs::write(&ca_file, ours.pem()).expect("write CA");

    // Without a pin the system's trust store decides, and it does not know our CA.
    let unpinned = dir.path().join("unpinned.db");
    let (ok, text) = pos_enroll(&unpinned, &proxy.base, &cloud.enrollment_code().await, None).await;
    assert!(
        !ok,
        "a certificate from an unknown CA is refused by default: {text}"
    );
    assert!(
        text.contains("not trusted by this machine"),
        "the refusal says why: {text}"
    );

    // Pinned to another CA: refused, with a message and a non-zero exit.
    let wrong_ca = dir.path().join("other-ca.pem");
    std::fs::write(&wrong_ca, theirs.pem()).expect("write CA");
    let refused = dir.path().join("refused.db");
    let (ok, text) = pos_enroll(
        &refused,
        &proxy.base,
        &cloud.enrollment_code().await,
        Some(&wrong_ca),
    )
    .await;
    assert!(!ok, "pinned to another CA, enrollment fails: {text}");
    assert!(
        text.contains("not signed by the CA this till is pinned to"),
        "the refusal says why: {text}"
    );

    // Pinned to ours: enrolls over https.
    let path = dir.path().join("till.db");
    let (ok, text) = pos_enroll(
        &path,
        &proxy.base,
        &cloud.enrollment_code().await,
        Some(&ca_file),
    )
    .await;
    assert!(ok, "enrolls with the pinned CA: {text}");
    let db = LocalDb::open(&path).await.expect("open till");
    let terminal = pos_core::terminal::load(&db).await.expect("terminal");
    let cashier = pos_core::staff::add(&db, "Ana", Role::Cashier, "1111")
        .await
        .expect("cashier");
    pos_core::shifts::open(&db, &cashier, 10_000)
        .await
        .expect("shift");

    // REST sync over https.
    let first = sell_on(&db, &terminal, &cashier, MILK, 1).await.id;
    pos_core::sync::sync_once(&db)
        .await
        .expect("sync over https");
    wait_for_order(&cloud, &first).await;

    // The live socket over wss: a sale goes up through it.
    let second = sell_on(&db, &terminal, &cashier, MILK, 1).await.id;
    let summary = live_until(&db, async || {
        pos_core::sync::unacked_count(&db).await.unwrap_or(1) == 0
    })
    .await
    .expect("live session over wss");
    assert!(
        summary.pushed >= 1,
        "the sale went up the socket: {summary:?}"
    );
    wait_for_order(&cloud, &second).await;

    // The server now presents a certificate from another CA (an impostor, or a proxy
    // that intercepts TLS): REST and the socket both refuse it.
    proxy.present(theirs.server_config());
    sell_on(&db, &terminal, &cashier, MILK, 1).await;
    match pos_core::sync::sync_once(&db).await {
        Err(CoreError::Offline { waiting, detail }) => {
            assert_eq!(waiting, 1, "the sale waits");
            assert!(
                detail.contains("not signed by the CA this till is pinned to"),
                "REST says why: {detail}"
            );
        }
        other => panic!("REST sync must refuse the other CA's certificate: {other:?}"),
    }
    match pos_core::sync::live::session(&db, std::future::pending()).await {
        Err(CoreError::Unreachable { detail, .. }) => assert!(
            detail.contains("not signed by the CA this till is pinned to"),
            "the socket says why: {detail}"
        ),
        other => panic!("the socket must refuse the other CA's certificate: {other:?}"),
    }
    let out = tokio::process::Command::new(pos_binary())
        .arg("--db")
        .arg(&path)
        .arg("sync")
        .output()
        .await
        .expect("run pos sync");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "`pos sync` exits non-zero");
    assert!(
        text.contains("not signed by the CA this till is pinned to"),
        "`pos sync` says why: {text}"
    );

    // The CA changed on purpose: the till is pinned to the new one (no enrollment code).
    // A change that would cut the till off is refused and the old pin kept.
    let (ok, text) = pos_repin(&path, &proxy.base, &["--system-ca"]).await;
    assert!(
        !ok,
        "the system's CAs do not verify this server: refused: {text}"
    );
    assert!(
        text.contains("not trusted by this machine"),
        "says why: {text}"
    );
    let other = wrong_ca.to_str().expect("path");
    let (ok, text) = pos_repin(&path, &proxy.base, &["--ca-file", other]).await;
    assert!(ok, "re-pinned to the server's new CA: {text}");
    pos_core::sync::sync_once(&db)
        .await
        .expect("sync under the new pin");
    assert_eq!(pos_core::sync::unacked_count(&db).await.unwrap(), 0);

    // The old CA's certificate is now the stranger.
    proxy.present(ours.server_config());
    sell_on(&db, &terminal, &cashier, MILK, 1).await;
    assert!(
        matches!(
            pos_core::sync::sync_once(&db).await,
            Err(CoreError::Offline { .. })
        ),
        "the old CA is no longer trusted"
    );
}

/// Waits until the server has built sale `id` into exactly one order (projection runs
/// after the push is acknowledged).
async fn wait_for_order(cloud: &Cloud, id: &str) {
    for _ in 0..600 {
        if cloud.order_counts().await.get(id) == Some(&1) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("sale {id} never became one order on the server");
}

/// `pos --db DB enroll --server SERVER ARGS...` on an enrolled till: (success, output).
async fn pos_repin(db: &std::path::Path, server: &str, args: &[&str]) -> (bool, String) {
    let out = tokio::process::Command::new(pos_binary())
        .arg("--db")
        .arg(db)
        .args(["enroll", "--server", server])
        .args(args)
        .output()
        .await
        .expect("run pos enroll");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}
