//! The providers behind one trait: what Kassa asks of a payment provider and what it hears
//! back, in Kassa's terms (a [`Reply`] with a [`Status`]), so the ledger never reads a
//! provider's JSON.

use std::{sync::OnceLock, time::Duration};

use futures::future::BoxFuture;
use pos_shared::error::WireError;

use super::{
    model::{Failure, PaymentDoc, ProviderName, Status},
    paypal::PayPal,
    stripe::Stripe,
};
use crate::{config::PaymentConfig, error::ApiError};

/// A payment to open at the provider.
#[derive(Debug, Clone)]
pub struct NewIntent<'a> {
    pub payment_id: &'a str,
    pub order_id: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub manual_capture: bool,
    /// Stripe: a payment method to attach (e.g. `pm_card_visa` in tests).
    pub payment_method: Option<&'a str>,
    /// Sent as the provider's idempotency key (`Idempotency-Key`, `PayPal-Request-Id`).
    pub key: &'a str,
}

/// What the provider says a payment is now.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The provider's id of the payment.
    pub reference: String,
    pub status: Status,
    /// What was captured, when `status` is captured.
    pub captured_minor: Option<i64>,
    /// What refunds name at the provider, when it differs from `reference`.
    pub capture_ref: Option<String>,
    pub failure: Option<Failure>,
    pub client_secret: Option<String>,
    pub approve_url: Option<String>,
}

impl Reply {
    pub fn new(reference: impl Into<String>, status: Status) -> Self {
        Self {
            reference: reference.into(),
            status,
            captured_minor: None,
            capture_ref: None,
            failure: None,
            client_secret: None,
            approve_url: None,
        }
    }
}

/// A refund the provider accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundReply {
    pub reference: String,
}

/// Why a provider call did not give an answer about the money.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// This server has no credentials for the provider.
    #[error("{0} is not configured on this server")]
    NotConfigured(&'static str),
    /// The provider refused the request (wrong state, invalid amount): a 4xx of theirs.
    #[error("the provider refused: {code}: {message}")]
    Refused { code: String, message: String },
    /// Not reachable, timed out, or a 5xx: the outcome is unknown, retry with the same key.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
}

pub type ProviderResult<T> = Result<T, ProviderError>;

impl From<ProviderError> for ApiError {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::NotConfigured(name) => ApiError::invalid(
                "provider",
                format!(
                    "{name} is not configured on this server; ask the operator to set its credentials, or use another provider"
                ),
            ),
            ProviderError::Refused { code, message } => ApiError::Unprocessable(WireError::new(
                "provider_refused",
                format!("the payment provider refused the request ({code}): {message}"),
            )),
            ProviderError::Unavailable(why) => {
                tracing::warn!(%why, "payment provider unavailable");
                ApiError::Unavailable(WireError::new(
                    "provider_unavailable",
                    "the payment provider did not answer; retry with the same Idempotency-Key",
                ))
            }
        }
    }
}

/// What Kassa asks of every provider. Methods return boxed futures so the routes can hold
/// a `&dyn Provider` whichever provider a payment names.
pub trait Provider: Send + Sync {
    fn create<'a>(&'a self, intent: &'a NewIntent<'a>) -> BoxFuture<'a, ProviderResult<Reply>>;
    /// Stripe confirms server-side; PayPal's approval is the customer's (refused).
    fn confirm<'a>(
        &'a self,
        p: &'a PaymentDoc,
        payment_method: Option<&'a str>,
        key: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Reply>>;
    fn capture<'a>(
        &'a self,
        p: &'a PaymentDoc,
        amount_minor: i64,
        key: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Reply>>;
    fn cancel<'a>(
        &'a self,
        p: &'a PaymentDoc,
        key: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Reply>>;
    fn refund<'a>(
        &'a self,
        p: &'a PaymentDoc,
        amount_minor: i64,
        key: &'a str,
    ) -> BoxFuture<'a, ProviderResult<RefundReply>>;
}

/// The provider `name` as configured, or why it cannot be used.
pub fn provider(cfg: &PaymentConfig, name: ProviderName) -> ProviderResult<Box<dyn Provider>> {
    match name {
        ProviderName::Stripe => Ok(Box::new(Stripe::from_config(cfg)?)),
        ProviderName::Paypal => Ok(Box::new(PayPal::from_config(cfg)?)),
    }
}

/// One HTTP client for every provider call (connection pools are per client).
pub fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default()
    })
}

/// A transport failure as the caller sees it: the outcome is unknown.
pub fn unavailable(e: reqwest::Error) -> ProviderError {
    ProviderError::Unavailable(e.without_url().to_string())
}

/// A provider key derived from Kassa's: stable across retries, and of a length and
/// alphabet every provider accepts (and no client text at the provider).
pub fn provider_key(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    format!("kassa-{}", hex::encode(&h.finalize()[..16]))
}
