//! Enrollment: trades a manager's code for this terminal's device credential, fetches the
//! terminal's configuration and sets the terminal up under the server's terminal id, then
//! registers its receipt seal key and pulls every stream for the first time.
//!
//! The credential is stored before anything else can fail (the code is single use and the
//! secret is shown once), so an enrollment cut short by the network is finished by running
//! `pos enroll` again with the same server.

use pos_shared::Currency;
use serde::Serialize;

use super::pull::{self, PullReport};
use super::remote::Remote;
use super::settings::{self, Enrollment};
use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, get_setting, set_setting};
use crate::terminal::{self, InitRequest, Terminal};

/// What an enrollment did.
#[derive(Debug, Clone, Serialize)]
pub struct EnrollReport {
    pub terminal: Terminal,
    pub server_url: String,
    pub company_id: String,
    pub shop_id: String,
    /// True when this finished an enrollment an earlier run had started.
    pub resumed: bool,
    /// The first catalog and stock pull; `None` when it failed (see `initial_pull_error`):
    /// the terminal is enrolled anyway and `pos sync` catches up.
    pub initial_pull: Option<PullReport>,
    pub initial_pull_error: Option<String>,
}

/// Enrolls this (not yet set up) database with `server` using a manager's `code`, naming
/// the terminal `name` for managers.
pub async fn enroll(
    db: &LocalDb,
    server: &str,
    code: &str,
    name: &str,
) -> CoreResult<EnrollReport> {
    enroll_pinned(db, server, code, name, None).await
}

/// [`enroll`], trusting only the CA certificates in `ca_pem` (PEM text) for this server
/// from now on, on REST and the live socket alike. `None` trusts the system's CAs, or
/// keeps the pin an interrupted enrollment stored.
pub async fn enroll_pinned(
    db: &LocalDb,
    server: &str,
    code: &str,
    name: &str,
    ca_pem: Option<&str>,
) -> CoreResult<EnrollReport> {
    if get_setting(db.pool(), "terminal_id").await?.is_some() {
        return Err(match get_setting(db.pool(), settings::SERVER_URL).await? {
            Some(server) => CoreError::AlreadyEnrolled { server },
            None => CoreError::StandaloneTerminal,
        });
    }
    let pending = settings::enrollment(db).await?;
    let ca = match (ca_pem, &pending) {
        (Some(pem), _) => Some(pem.to_owned()),
        (None, Some(_)) => settings::server_ca(db).await?,
        (None, None) => None,
    };
    let remote = Remote::with_ca(server, ca.as_deref())?;
    // Kept before the first call, so an interrupted enrollment resumes with the same pin.
    set_setting(
        db.pool(),
        settings::SERVER_CA_PEM,
        ca.as_deref().unwrap_or(""),
    )
    .await?;
    let (enrollment, resumed) = match pending {
        Some(pending) if pending.server_url == remote.base() => (pending, true),
        Some(pending) => {
            return Err(CoreError::EnrollmentUnfinished {
                server: pending.server_url,
            });
        }
        None => (first_contact(db, &remote, code, name).await?, false),
    };
    let mut remote = remote.with_credential(&enrollment.terminal_id, &enrollment.secret);
    let config = remote.config().await?;
    if config.terminal_id != enrollment.terminal_id {
        return Err(CoreError::Protocol(format!(
            "the server sent the configuration of terminal {} to terminal {}",
            config.terminal_id, enrollment.terminal_id
        )));
    }
    let currency = Currency::new(&config.currency).map_err(|_| {
        CoreError::Protocol(format!(
            "the shop's currency `{}` is not a currency code",
            config.currency
        ))
    })?;
    let shop_name = if config.shop_name.trim().is_empty() {
        config.shop_id.clone()
    } else {
        config.shop_name.clone()
    };
    let req = InitRequest {
        currency,
        shop_name,
        company_name: config.company_name.clone(),
        receipt_header: config.receipt_header.clone(),
        receipt_footer: config.receipt_footer.clone(),
        cash_rounding_step: terminal::default_cash_rounding(currency),
    };
    let mut extra = vec![
        (settings::COMPANY_ID, config.company_id.clone()),
        (settings::SHOP_ID, config.shop_id.clone()),
        (settings::ENROLLED_AT_MS, db.now_ms().to_string()),
    ];
    // The shop's zone, for receipts and reports; an older server sends none, and the
    // till keeps its own default (TZ, else UTC).
    if !config.timezone.trim().is_empty() {
        extra.push((crate::shop_time::SETTING, config.timezone.trim().to_owned()));
    }
    let terminal = terminal::init_with(db, &req, &enrollment.terminal_id, &extra).await?;
    tracing::info!(terminal_id = %terminal.terminal_id, server = remote.base(), "terminal enrolled");
    let first_sync = async {
        super::register_receipt_key(db, &mut remote).await?;
        pull::pull_with(db, &mut remote).await
    };
    let (initial_pull, initial_pull_error) = match first_sync.await {
        Ok(report) => {
            settings::record_outcome(db, None).await?;
            (Some(report), None)
        }
        Err(e) => {
            let message = e.to_string();
            settings::record_outcome(db, Some(&message)).await?;
            (None, Some(message))
        }
    };
    Ok(EnrollReport {
        terminal,
        server_url: remote.base().to_owned(),
        company_id: config.company_id,
        shop_id: config.shop_id,
        resumed,
        initial_pull,
        initial_pull_error,
    })
}

/// Pins an enrolled till to the CA certificates in `ca_pem` (a server whose CA changes,
/// or a till enrolled before it had a pin), or back to the system's trust store (`None`).
/// The server must be reachable and verify under the new trust first: a pin that would
/// cut the till off is refused and the old one kept.
pub async fn pin_server_ca(db: &LocalDb, ca_pem: Option<&str>) -> CoreResult<String> {
    if get_setting(db.pool(), "terminal_id").await?.is_none() {
        return Err(CoreError::NotEnrolled);
    }
    let e = settings::enrollment(db)
        .await?
        .ok_or(CoreError::NotEnrolled)?;
    let mut remote =
        Remote::with_ca(&e.server_url, ca_pem)?.with_credential(&e.terminal_id, &e.secret);
    remote.config().await?;
    set_setting(db.pool(), settings::SERVER_CA_PEM, ca_pem.unwrap_or("")).await?;
    tracing::info!(server = %e.server_url, pinned = ca_pem.is_some(), "server CA trust changed");
    Ok(e.server_url)
}

/// Redeems the code and stores the credential at once.
async fn first_contact(
    db: &LocalDb,
    remote: &Remote,
    code: &str,
    name: &str,
) -> CoreResult<Enrollment> {
    let (code, name) = (code.trim(), name.trim());
    if code.is_empty() {
        return Err(CoreError::invalid(
            "an enrollment code is needed; a manager creates one for the shop",
        ));
    }
    if name.is_empty() {
        return Err(CoreError::invalid(
            "the terminal needs a name managers recognise, such as \"Till 2\"",
        ));
    }
    let enrolled = remote.enroll(code, name).await?;
    let mut tx = db.begin().await?;
    for (key, value) in [
        (settings::SERVER_URL, remote.base()),
        (settings::DEVICE_TERMINAL_ID, &enrolled.terminal_id),
        (settings::DEVICE_SECRET, &enrolled.secret),
        (settings::COMPANY_ID, &enrolled.company_id),
        (settings::SHOP_ID, &enrolled.shop_id),
    ] {
        set_setting(&mut *tx, key, value).await?;
    }
    tx.commit().await?;
    Ok(Enrollment {
        server_url: remote.base().to_owned(),
        terminal_id: enrolled.terminal_id,
        secret: enrolled.secret,
    })
}
