//! The till's application API: one handle (`Till`) that owns the terminal database, the
//! logged-in staff member and the live cart, with one method per cashier verb. The
//! terminal app's commands and any other front end call these and nothing below them,
//! so every rule (approvals, refunds, shifts, sync) holds the same way in each.

mod cart;
mod convert;
mod device_feeds;
pub mod device_views;
mod devices;
mod email;
mod lookup;
mod preview;
mod refund;
mod sale;
mod session;
mod shift;
mod sync_view;
pub mod views;

#[cfg(test)]
mod device_tests;
#[cfg(test)]
mod tests;

use std::path::Path;

use tokio::sync::Mutex;

use crate::checkout::Cart;
use crate::devices::DeviceError;
use crate::error::{CoreError, CoreResult};
use crate::staff::Staff;
use crate::store::LocalDb;
use crate::terminal::{self, Terminal};

pub use device_feeds::{DisplayLines, ScannerFeed};
pub use devices::configuration as device_configuration;
pub use preview::ReceiptPreview;
pub use session::StandaloneSetup;
pub use views::ApiError;

impl From<&CoreError> for ApiError {
    /// The message a person at the till reads: the core's own, except where the core's
    /// wording points at the command line.
    fn from(e: &CoreError) -> Self {
        let message = match e {
            CoreError::Device(DeviceError::NotConfigured(what)) => {
                format!("no {what} is set up on this till; a manager sets it up under Devices")
            }
            other => other.to_string(),
        };
        ApiError {
            code: e.code().to_owned(),
            message,
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        ApiError::from(&e)
    }
}

/// What the till holds between verbs. Guarded by one lock: verbs from a fast scanner and
/// a click arriving together apply one after the other, never interleaved.
#[derive(Debug, Default)]
struct Session {
    terminal: Option<Terminal>,
    staff: Option<Staff>,
    locked: bool,
    cart: Cart,
    last_line_no: Option<i64>,
    warnings: Vec<String>,
}

/// The cashier's terminal as an application: open it once per database.
#[derive(Debug)]
pub struct Till {
    db: LocalDb,
    session: Mutex<Session>,
    /// Held by whatever talks to the printer, so no receipt prints twice.
    print_lock: Mutex<()>,
    /// The sale whose drawer and receipt are next, and what they did for the last one.
    after_sale: std::sync::Mutex<devices::AfterSaleState>,
    /// What the pole display shows (the shell writes it to the device).
    display: tokio::sync::watch::Sender<DisplayLines>,
}

impl Till {
    /// Opens (or creates) the terminal database at `path` and restores the cart that was
    /// being rung up when the app last stopped, crash or power cut included.
    pub async fn open(path: &Path) -> CoreResult<Self> {
        Self::with_db(LocalDb::open(path).await?).await
    }

    /// Wraps an already opened database (tests use a manual clock).
    pub async fn with_db(db: LocalDb) -> CoreResult<Self> {
        let terminal = match terminal::load(&db).await {
            Ok(t) => Some(t),
            Err(CoreError::NotInitialised) => None,
            Err(e) => return Err(e),
        };
        let cart = cart::restore(&db).await?;
        Ok(Self {
            db,
            session: Mutex::new(Session {
                terminal,
                cart,
                ..Session::default()
            }),
            print_lock: Mutex::new(()),
            after_sale: std::sync::Mutex::default(),
            display: tokio::sync::watch::Sender::new(DisplayLines::default()),
        })
    }

    /// The database underneath (the shell's sync task and page watcher use it).
    pub fn db(&self) -> &LocalDb {
        &self.db
    }

    /// Closes the database cleanly (checkpoints the WAL).
    pub async fn close(self) {
        self.db.close().await;
    }
}

/// The logged-in, unlocked staff member, or the error the PIN screen answers.
fn signed_in(s: &Session) -> CoreResult<(&Terminal, &Staff)> {
    let t = s.terminal.as_ref().ok_or(CoreError::NotInitialised)?;
    match (&s.staff, s.locked) {
        (Some(staff), false) => Ok((t, staff)),
        _ => Err(CoreError::LoggedOut),
    }
}
