//! The HTTP client a terminal talks to its server with: base URL, a device token fetched
//! lazily (and fetched again once when the server answers 401), the protocol header on
//! `/api/sync/*`, and server answers mapped to [`CoreError`]s a cashier or manager can act
//! on. A server that cannot be reached is [`CoreError::Unreachable`], never confused with
//! a server that refused.

use std::time::Duration;

use pos_shared::error::WireError;
use pos_shared::sync::{
    ChangesPage, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest, PushResponse, ReceiptKey, Stream,
    SyncState, TerminalConfig,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{settings, tls};
use crate::error::{CoreError, CoreResult};
use crate::store::LocalDb;

/// A dead network should be noticed quickly; the till never waits on it anyway.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Long enough for the server to apply a full push batch in one transaction.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Request bodies from this size on go gzipped (push batches: a few hundred bytes per sale
/// of repetitive JSON); smaller ones are not worth the header.
const GZIP_FROM_BYTES: usize = 1024;

/// `json` gzipped at the fastest level: on a till the CPU is cheaper than the uplink.
fn gzip(json: &[u8]) -> CoreResult<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(json.len() / 4),
        flate2::Compression::fast(),
    );
    enc.write_all(json)
        .and_then(|()| enc.finish())
        .map_err(|e| CoreError::invalid(format!("cannot compress the request: {e}")))
}

/// `POST /api/terminals/enroll` answer (sync-server `services::shop::terminals::Enrolled`).
#[derive(Clone, Deserialize)]
pub struct Enrolled {
    pub terminal_id: String,
    pub secret: String,
    pub company_id: String,
    pub shop_id: String,
}

impl std::fmt::Debug for Enrolled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolled")
            .field("terminal_id", &self.terminal_id)
            .field("company_id", &self.company_id)
            .field("shop_id", &self.shop_id)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct EnrollRequest<'a> {
    code: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct DeviceTokenRequest<'a> {
    terminal_id: &'a str,
    secret: &'a str,
}

/// `POST /api/auth/device-token` answer; the token and how long it lasts.
#[derive(Deserialize)]
struct DeviceToken {
    access_token: String,
    #[serde(default)]
    expires_in: u64,
}

#[derive(Clone)]
struct Credential {
    terminal_id: String,
    secret: String,
}

/// A connection to one server; keeps the device token between calls.
pub struct Remote {
    http: reqwest::Client,
    /// The TLS configuration both REST and the live socket use.
    tls: std::sync::Arc<rustls::ClientConfig>,
    /// True when only a pinned CA is trusted (changes what a certificate error says).
    pinned: bool,
    base: String,
    credential: Option<Credential>,
    token: Option<String>,
    /// Where the token is kept between runs (an enrolled terminal's database).
    keep: Option<LocalDb>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the secret nor the token go to logs.
        f.debug_struct("Remote")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Remote {
    /// A client for `base` (e.g. `https://kassa.example.com`), without credentials yet,
    /// trusting the system's CAs.
    pub fn new(base: &str) -> CoreResult<Self> {
        Self::with_ca(base, None)
    }

    /// A client for `base` that trusts only the CA certificates in `ca_pem` (PEM text)
    /// when given, the system's CAs otherwise. A pin needs an https:// address.
    pub fn with_ca(base: &str, ca_pem: Option<&str>) -> CoreResult<Self> {
        let base = base.trim().trim_end_matches('/');
        let rest = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"));
        if rest.is_none_or(str::is_empty) {
            return Err(CoreError::invalid(format!(
                "server address `{base}` must start with http:// or https://, e.g. https://kassa.example.com"
            )));
        }
        if ca_pem.is_some() && !base.starts_with("https://") {
            return Err(CoreError::invalid(format!(
                "a pinned CA needs an https:// server address, not `{base}`"
            )));
        }
        let tls = tls::client_config(ca_pem)?;
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .tls_backend_preconfigured(rustls::ClientConfig::clone(&tls))
            .build()
            .map_err(|e| CoreError::invalid(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Self {
            http,
            tls,
            pinned: ca_pem.is_some(),
            base: base.to_owned(),
            credential: None,
            token: None,
            keep: None,
        })
    }

    /// The client of an enrolled terminal, from its stored settings.
    pub async fn for_terminal(db: &LocalDb) -> CoreResult<Self> {
        let e = settings::enrollment(db)
            .await?
            .ok_or(CoreError::NotEnrolled)?;
        let ca = settings::server_ca(db).await?;
        let mut remote =
            Self::with_ca(&e.server_url, ca.as_deref())?.with_credential(&e.terminal_id, &e.secret);
        remote.token = settings::cached_token(db).await?;
        remote.keep = Some(db.clone());
        Ok(remote)
    }

    /// Signs further calls in as this terminal.
    #[must_use]
    pub fn with_credential(mut self, terminal_id: &str, secret: &str) -> Self {
        self.credential = Some(Credential {
            terminal_id: terminal_id.to_owned(),
            secret: secret.to_owned(),
        });
        self.token = None;
        self
    }

    /// The server address, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The TLS configuration of this client, for the live socket.
    pub(crate) fn tls_config(&self) -> std::sync::Arc<rustls::ClientConfig> {
        self.tls.clone()
    }

    /// What a person reads when `e` is a refusal of the server's certificate.
    pub(crate) fn certificate_refusal(
        &self,
        e: &(dyn std::error::Error + 'static),
    ) -> Option<String> {
        tls::explain(e, self.pinned)
    }

    /// What a person reads about a failed connection: a certificate refusal said as one,
    /// anything else as its root cause.
    pub(crate) fn connection_detail(&self, e: &(dyn std::error::Error + 'static)) -> String {
        if let Some(why) = self.certificate_refusal(e) {
            return why;
        }
        let mut cause = e;
        while let Some(inner) = cause.source() {
            cause = inner;
        }
        cause.to_string()
    }

    /// Trades an enrollment code for a device credential (no token needed).
    pub async fn enroll(&self, code: &str, name: &str) -> CoreResult<Enrolled> {
        let body = EnrollRequest { code, name };
        let resp = self
            .send(Method::POST, "/api/terminals/enroll", None, Some(&body))
            .await?;
        self.decode(resp).await
    }

    /// `GET /api/sync/config`: what the terminal is set up with.
    pub async fn config(&mut self) -> CoreResult<TerminalConfig> {
        self.call::<(), _>(Method::GET, "/api/sync/config", None)
            .await
    }

    /// `GET /api/sync/state`: how far the server has this terminal's journal of `epoch`.
    pub async fn state(&mut self, epoch: i64) -> CoreResult<SyncState> {
        let path = format!("/api/sync/state?epoch={epoch}");
        self.call::<(), _>(Method::GET, &path, None).await
    }

    /// `POST /api/sync/push` with one batch.
    pub async fn push(&mut self, request: &PushRequest) -> CoreResult<PushResponse> {
        self.call(Method::POST, "/api/sync/push", Some(request))
            .await
    }

    /// `PUT /api/sync/receipt-key`: registers this terminal's receipt seal key.
    pub async fn put_receipt_key(&mut self, public_key: &str) -> CoreResult<ReceiptKey> {
        let body = ReceiptKey {
            public_key: public_key.to_owned(),
        };
        self.call(Method::PUT, "/api/sync/receipt-key", Some(&body))
            .await
    }

    /// One page of `stream` after cursor `after`; `epoch` is this terminal's journal
    /// epoch, so stock pages say how much of its journal their balances include.
    pub async fn page(
        &mut self,
        stream: Stream,
        after: i64,
        limit: u32,
        epoch: i64,
    ) -> CoreResult<ChangesPage> {
        let path = format!(
            "/api/sync/streams/{}?after={after}&limit={limit}&epoch={epoch}",
            stream.as_str()
        );
        self.call::<(), _>(Method::GET, &path, None).await
    }

    /// A call with the device token. A 401 other than a revoked terminal (an expired or
    /// rotated signing key) gets one more try with a fresh token.
    pub async fn call<B: Serialize, T: DeserializeOwned>(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> CoreResult<T> {
        let mut retried = false;
        loop {
            let token = self.token().await?;
            let resp = self.send(method.clone(), path, Some(&token), body).await?;
            if resp.status() == StatusCode::UNAUTHORIZED {
                let err = self.error_of(resp).await;
                if retried || matches!(err, CoreError::TerminalRevoked) {
                    return Err(err);
                }
                tracing::debug!(%err, "device token refused; fetching a fresh one");
                self.token = None;
                self.keep_token(None).await;
                retried = true;
                continue;
            }
            return self.decode(resp).await;
        }
    }

    /// The device token, fetched from `POST /api/auth/device-token` when missing.
    pub(crate) async fn token(&mut self) -> CoreResult<String> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let cred = self.credential.clone().ok_or(CoreError::NotEnrolled)?;
        let body = DeviceTokenRequest {
            terminal_id: &cred.terminal_id,
            secret: &cred.secret,
        };
        let resp = self
            .send(Method::POST, "/api/auth/device-token", None, Some(&body))
            .await?;
        let answer: DeviceToken = self.decode(resp).await?;
        self.token = Some(answer.access_token.clone());
        self.keep_token(Some((&answer.access_token, answer.expires_in)))
            .await;
        Ok(answer.access_token)
    }

    /// Stores (or forgets) the token for the next run. Failing to store it only costs
    /// one more exchange next time, so it never fails the call.
    async fn keep_token(&self, token: Option<(&str, u64)>) {
        if let Some(db) = &self.keep
            && let Err(e) = settings::store_token(db, token).await
        {
            tracing::warn!(%e, "could not keep the device token for the next run");
        }
    }

    async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> CoreResult<reqwest::Response> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if path.starts_with("/api/sync/") {
            req = req.header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string());
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            let json = serde_json::to_vec(b)
                .map_err(|e| CoreError::invalid(format!("cannot encode the request: {e}")))?;
            req = req.header(reqwest::header::CONTENT_TYPE, "application/json");
            req = if json.len() >= GZIP_FROM_BYTES {
                req.header(reqwest::header::CONTENT_ENCODING, "gzip")
                    .body(gzip(&json)?)
            } else {
                req.body(json)
            };
        }
        req.send().await.map_err(|e| self.unreachable(&e))
    }

    fn unreachable(&self, e: &reqwest::Error) -> CoreError {
        let detail = if e.is_timeout() {
            "no answer in time".to_owned()
        } else {
            // reqwest's own message repeats the URL; the root cause (connection refused,
            // unknown host, bad certificate) is what a person can act on.
            self.connection_detail(e)
        };
        CoreError::Unreachable {
            url: self.base.clone(),
            detail,
        }
    }

    async fn decode<T: DeserializeOwned>(&self, resp: reqwest::Response) -> CoreResult<T> {
        if !resp.status().is_success() {
            return Err(self.error_of(resp).await);
        }
        let text = resp.text().await.map_err(|e| self.unreachable(&e))?;
        serde_json::from_str(&text).map_err(|e| {
            CoreError::Protocol(format!(
                "{e} in `{}`",
                text.chars().take(200).collect::<String>()
            ))
        })
    }

    /// Maps an error answer to the error a person can act on, keeping the server's message.
    async fn error_of(&self, resp: reqwest::Response) -> CoreError {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        let wire: WireError = serde_json::from_str(&text).unwrap_or_else(|_| {
            // Not a Kassa body: a proxy, a load balancer or an older server answered.
            let snippet: String = text.trim().chars().take(200).collect();
            WireError::new(
                format!("http_{}", status.as_u16()),
                format!(
                    "{status} from {}{}",
                    self.base,
                    if snippet.is_empty() {
                        String::new()
                    } else {
                        format!(": {snippet}")
                    }
                ),
            )
        });
        if wire.code == "terminal_revoked" {
            return CoreError::TerminalRevoked;
        }
        CoreError::Server {
            status: status.as_u16(),
            code: wire.code,
            message: wire.message,
        }
    }
}
