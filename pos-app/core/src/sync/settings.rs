//! The settings keys sync keeps in the `settings` table (server address, device
//! credential, stream cursors, last outcome) and the small reads and writes on them.

use pos_shared::sync::Stream;

use crate::error::CoreResult;
use crate::store::{LocalDb, get_setting, set_setting};

/// Base URL of the server this terminal is enrolled with.
pub const SERVER_URL: &str = "server_url";
/// The terminal id the server issued; equals `terminal_id` once the terminal is set up
/// (kept apart so an enrollment interrupted before setup can be finished).
pub const DEVICE_TERMINAL_ID: &str = "device_terminal_id";
/// The device secret from enrollment, traded for short-lived tokens.
pub const DEVICE_SECRET: &str = "device_secret";
pub const COMPANY_ID: &str = "company_id";
pub const SHOP_ID: &str = "shop_id";
pub const ENROLLED_AT_MS: &str = "enrolled_at_ms";
/// When the last `sync_once` completed.
pub const LAST_SYNC_MS: &str = "last_sync_ms";
/// The last failed `sync_once`: message and time.
pub const LAST_SYNC_ERROR: &str = "last_sync_error";
pub const LAST_SYNC_ERROR_MS: &str = "last_sync_error_ms";
/// The receipt seal key the server has for this terminal (hex), once registered.
pub const RECEIPT_KEY_REGISTERED: &str = "receipt_key_registered";
/// The last device token and when it expires (`{ms} {token}`), reused by the next run
/// (`pos sync` from cron, a restarted app) instead of trading the secret again each time:
/// the server rate-limits that exchange.
pub const DEVICE_TOKEN: &str = "device_token";
/// The CA certificates (PEM) this till trusts for its server, when pinned at enrollment
/// (`pos enroll --ca-file`); empty or missing: the system's trust store.
pub const SERVER_CA_PEM: &str = "server_ca_pem";

/// A token kept for reuse must have this long left; a sync run takes far less.
const TOKEN_MARGIN_MS: i64 = 60_000;

/// The stored device token, when it is still good for at least a minute.
pub async fn cached_token(db: &LocalDb) -> CoreResult<Option<String>> {
    let Some(stored) = get_setting(db.pool(), DEVICE_TOKEN).await? else {
        return Ok(None);
    };
    let Some((expires, token)) = stored.split_once(' ') else {
        return Ok(None);
    };
    let good = expires
        .parse::<i64>()
        .is_ok_and(|at| at - db.now_ms() > TOKEN_MARGIN_MS);
    Ok((good && !token.is_empty()).then(|| token.to_owned()))
}

/// Keeps `token` for reuse until `expires_in_secs` from now; `None` forgets it (refused).
pub async fn store_token(db: &LocalDb, token: Option<(&str, u64)>) -> CoreResult<()> {
    let value = match token {
        Some((t, secs)) => {
            let ms = i64::try_from(secs).unwrap_or(0).saturating_mul(1000);
            format!("{} {t}", db.now_ms().saturating_add(ms))
        }
        None => String::new(),
    };
    set_setting(db.pool(), DEVICE_TOKEN, &value).await
}

/// The pinned CA (PEM text), if this till has one.
pub async fn server_ca(db: &LocalDb) -> CoreResult<Option<String>> {
    Ok(get_setting(db.pool(), SERVER_CA_PEM)
        .await?
        .filter(|pem| !pem.trim().is_empty()))
}

/// The setting holding a stream's cursor. The catalog's is the `catalog_cursor` every
/// journal record carries, so a fact says which catalog version it was made under.
pub fn cursor_key(stream: Stream) -> &'static str {
    match stream {
        Stream::Catalog => "catalog_cursor",
        Stream::Stock => "stock_cursor",
        Stream::Config => "config_cursor",
        Stream::Staff => "staff_cursor",
        Stream::Customers => "customers_cursor",
        Stream::Prices => "prices_cursor",
        Stream::Promotions => "promotions_cursor",
    }
}

/// The stored device credential and server, when this database has enrolled (or started
/// to: the terminal may not be set up yet).
#[derive(Clone)]
pub struct Enrollment {
    pub server_url: String,
    pub terminal_id: String,
    pub secret: String,
}

impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never goes to logs.
        f.debug_struct("Enrollment")
            .field("server_url", &self.server_url)
            .field("terminal_id", &self.terminal_id)
            .finish_non_exhaustive()
    }
}

/// The stored enrollment, if any.
pub async fn enrollment(db: &LocalDb) -> CoreResult<Option<Enrollment>> {
    let pool = db.pool();
    let (Some(server_url), Some(terminal_id), Some(secret)) = (
        get_setting(pool, SERVER_URL).await?,
        get_setting(pool, DEVICE_TERMINAL_ID).await?,
        get_setting(pool, DEVICE_SECRET).await?,
    ) else {
        return Ok(None);
    };
    Ok(Some(Enrollment {
        server_url,
        terminal_id,
        secret,
    }))
}

/// Remembers how a sync attempt ended, for `pos status`.
pub async fn record_outcome(db: &LocalDb, error: Option<&str>) -> CoreResult<()> {
    let now = db.now_ms().to_string();
    let mut tx = db.begin().await?;
    match error {
        None => set_setting(&mut *tx, LAST_SYNC_MS, &now).await?,
        Some(message) => {
            set_setting(&mut *tx, LAST_SYNC_ERROR, message).await?;
            set_setting(&mut *tx, LAST_SYNC_ERROR_MS, &now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
