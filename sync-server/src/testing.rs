//! Support for tests that run a real server: an isolated configuration with its own
//! database and queue prefix. `scripts/test.sh` points the tests at a throwaway store and
//! broker vhost, so nothing needs removing afterwards.

use figment::providers::Serialized;

use crate::config::Config;

pub fn mongo_uri() -> String {
    std::env::var("KASSA_TEST_MONGODB_URI")
        .unwrap_or_else(|_| "mongodb://127.0.0.1:27017/?directConnection=true".into())
}

pub fn amqp_uri() -> String {
    std::env::var("KASSA_TEST_AMQP_URI")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// A short prefix unique to one test (database names are limited to 64 bytes).
pub fn fresh_prefix(tag: char) -> String {
    format!("{tag}{}_", &uuid::Uuid::now_v7().simple().to_string()[20..])
}

/// Port 0, the prefix on every database and queue, a known bootstrap admin, generous
/// rate limits (tests that check limits lower them).
pub fn config(prefix: &str, admin_email: &str, admin_password: &str) -> Config {
    let fig = Config::figment(None)
        .merge(Serialized::default("listen", "127.0.0.1:0"))
        .merge(Serialized::default("mongodb.uri", mongo_uri()))
        .merge(Serialized::default("mongodb.db_prefix", prefix))
        .merge(Serialized::default("amqp.uri", amqp_uri()))
        .merge(Serialized::default("amqp.prefix", prefix))
        .merge(Serialized::default("amqp.relay_poll_ms", 100))
        .merge(Serialized::default(
            "auth.jwt_secret",
            "test-secret-test-secret-test-secret!",
        ))
        .merge(Serialized::default(
            "auth.bootstrap_admin_email",
            admin_email,
        ))
        .merge(Serialized::default(
            "auth.bootstrap_admin_password",
            admin_password,
        ))
        .merge(Serialized::default("limits.per_ip_per_second", 10_000))
        .merge(Serialized::default("limits.per_ip_burst", 10_000))
        .merge(Serialized::default(
            "limits.login_attempts_per_minute",
            1000,
        ));
    Config::from_figment(fig).expect("test configuration is valid")
}
