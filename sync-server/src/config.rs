//! Server configuration: embedded defaults, then an optional file, then `KASSA_*` variables.

use std::{net::SocketAddr, path::Path};

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use serde::Deserialize;

const DEFAULTS: &str = include_str!("default-config.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub listen: SocketAddr,
    pub services: Vec<String>,
    pub cors_origins: Vec<String>,
    pub portal_dir: String,
    pub mongodb: MongoConfig,
    pub amqp: AmqpConfig,
    pub auth: AuthConfig,
    pub limits: LimitsConfig,
    pub streams: StreamsConfig,
    #[serde(default)]
    pub smtp: SmtpConfig,
    #[serde(default)]
    pub payment: PaymentConfig,
}

/// The payment providers: where their APIs are and the credentials Kassa uses there. A
/// provider without credentials is refused per request (422 `provider_not_configured`),
/// so a server without payments configured starts and runs everything else.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct PaymentConfig {
    /// Stripe's API; a test peer (localstripe) is one setting away.
    pub stripe_api_base: String,
    pub stripe_secret_key: String,
    /// The endpoint secret (`whsec_...`) Stripe signs webhooks with.
    pub stripe_webhook_secret: String,
    /// How old a signed webhook may be (Stripe's libraries default to 300 s).
    pub stripe_webhook_tolerance_secs: u64,
    pub paypal_api_base: String,
    pub paypal_client_id: String,
    pub paypal_client_secret: String,
    /// The webhook's id at PayPal, which verify-webhook-signature checks deliveries against.
    pub paypal_webhook_id: String,
    /// Seconds a provider call may take before the request answers 503.
    pub provider_timeout_secs: u64,
}

impl Default for PaymentConfig {
    fn default() -> Self {
        Self {
            stripe_api_base: "https://api.stripe.com".into(),
            stripe_secret_key: String::new(),
            stripe_webhook_secret: String::new(),
            stripe_webhook_tolerance_secs: 300,
            paypal_api_base: "https://api-m.sandbox.paypal.com".into(),
            paypal_client_id: String::new(),
            paypal_client_secret: String::new(),
            paypal_webhook_id: String::new(),
            provider_timeout_secs: 20,
        }
    }
}

// Hand-written so the provider secrets never reach a log line.
impl std::fmt::Debug for PaymentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentConfig")
            .field("stripe_api_base", &self.stripe_api_base)
            .field("paypal_api_base", &self.paypal_api_base)
            .field("paypal_client_id", &self.paypal_client_id)
            .finish_non_exhaustive()
    }
}

/// The mail relay emailed receipts go through.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SmtpConfig {
    /// `smtp://host:port` (plain, a local relay), `smtp://host?tls=required` (STARTTLS) or
    /// `smtps://user:password@host` (TLS).
    pub url: String,
    /// The sender receipts come from.
    pub from: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            url: "smtp://127.0.0.1:1025".into(),
            from: "Kassa receipts <receipts@kassa.invalid>".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct StreamsConfig {
    /// Seconds between change-log compactions; 0 turns them off.
    pub compact_every_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MongoConfig {
    pub uri: String,
    pub db_prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AmqpConfig {
    pub uri: String,
    pub prefix: String,
    pub relay_poll_ms: u64,
}

#[derive(Clone, Deserialize)]
pub struct AuthConfig {
    pub jwt_secret: String,
    /// Signing keys retired by a rotation, still accepted until their tokens expire.
    #[serde(default)]
    pub jwt_previous_secrets: Vec<String>,
    pub access_ttl_secs: u64,
    pub refresh_ttl_secs: u64,
    pub enrollment_code_ttl_secs: u64,
    pub bootstrap_admin_email: String,
    pub bootstrap_admin_password: String,
}

// Hand-written so the signing key and bootstrap password never reach a log line.
impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("jwt_secret", &"<redacted>")
            .field("access_ttl_secs", &self.access_ttl_secs)
            .field("refresh_ttl_secs", &self.refresh_ttl_secs)
            .field("bootstrap_admin_email", &self.bootstrap_admin_email)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct LimitsConfig {
    pub body_bytes: usize,
    pub per_ip_per_second: u64,
    pub per_ip_burst: u32,
    pub login_attempts_per_minute: u32,
}

impl Config {
    /// Defaults, then `file` (if given), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::from_figment(Self::figment(file))
    }

    pub fn figment(file: Option<&Path>) -> Figment {
        let mut fig = Figment::from(Toml::string(DEFAULTS));
        if let Some(path) = file {
            fig = fig.merge(Toml::file_exact(path));
        }
        fig.merge(Env::prefixed("KASSA_").split("__").ignore(&["config"]))
    }

    pub fn from_figment(fig: Figment) -> Result<Self, ConfigError> {
        let cfg: Config = fig
            .extract()
            .map_err(|e| ConfigError(format!("configuration is not valid: {e}")))?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.auth.jwt_secret.len() < 32 {
            return Err(ConfigError(
                "auth.jwt_secret must be at least 32 characters: set KASSA_AUTH__JWT_SECRET \
                 (for example `openssl rand -hex 32`)"
                    .into(),
            ));
        }
        if self.auth.jwt_previous_secrets.iter().any(|s| s.len() < 32) {
            return Err(ConfigError(
                "auth.jwt_previous_secrets: every retired key is at least 32 characters".into(),
            ));
        }
        if self.auth.access_ttl_secs == 0 || self.auth.refresh_ttl_secs <= self.auth.access_ttl_secs
        {
            return Err(ConfigError(
                "auth.refresh_ttl_secs must be longer than auth.access_ttl_secs, both above 0"
                    .into(),
            ));
        }
        for s in &self.services {
            if s != "all" && !crate::services::names().any(|n| n == s) {
                let known: Vec<_> = crate::services::names().collect();
                return Err(ConfigError(format!(
                    "unknown service `{s}` in `services`; known: all, {}",
                    known.join(", ")
                )));
            }
        }
        if self.limits.body_bytes < 1024 || self.limits.per_ip_burst == 0 {
            return Err(ConfigError(
                "limits.body_bytes must be at least 1024 and limits.per_ip_burst above 0".into(),
            ));
        }
        if self.limits.login_attempts_per_minute == 0 || self.limits.per_ip_per_second == 0 {
            return Err(ConfigError("rate limits must be above 0".into()));
        }
        Ok(())
    }

    pub fn runs(&self, service: &str) -> bool {
        self.services.iter().any(|s| s == "all" || s == service)
    }
}

/// A configuration problem, phrased for the operator who has to fix it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

#[cfg(test)]
mod tests {
    use super::*;
    use figment::providers::Serialized;

    fn with(key: &str, value: &str) -> Result<Config, ConfigError> {
        let fig = Figment::from(Toml::string(DEFAULTS))
            .merge(Serialized::default("auth.jwt_secret", "x".repeat(32)))
            .merge(Serialized::default(key, value));
        Config::from_figment(fig)
    }

    #[test]
    fn defaults_need_only_a_secret() {
        let cfg = with("mongodb.db_prefix", "").expect("defaults plus a secret are valid");
        assert_eq!(
            cfg.listen.port(),
            8000,
            "the gateway port from the platform design"
        );
        assert!(cfg.runs("auth") && cfg.runs("shop"));
    }

    #[test]
    fn missing_secret_is_explained() {
        let err = Config::from_figment(Figment::from(Toml::string(DEFAULTS))).unwrap_err();
        assert!(err.0.contains("KASSA_AUTH__JWT_SECRET"), "{err}");
    }

    #[test]
    fn bad_listen_address_is_rejected_readably() {
        let err = with("listen", "not-an-address").unwrap_err();
        assert!(err.0.contains("listen"), "names the key: {err}");
    }
}
