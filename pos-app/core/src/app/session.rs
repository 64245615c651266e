//! Setting the till up, and who is at it: first run (standalone or enrolled), PIN login,
//! lock, quick user switch and logout.

use pos_shared::role::Role;

use super::views::{SessionView, StaffView};
use super::{Session, Till, convert};
use crate::error::{CoreError, CoreResult};
use crate::store::get_setting;
use crate::terminal::{self, InitRequest};
use crate::{shifts, staff, sync};

/// Settings the screens read besides the terminal's own.
const LOCALE: &str = "ui_locale";
const IDLE_LOCK_SECS: &str = "idle_lock_secs";
/// Lock a till nobody has touched for two minutes (a cashier walking away).
const DEFAULT_IDLE_LOCK_SECS: i64 = 120;

/// What a standalone till needs on its first run.
#[derive(Debug, Clone)]
pub struct StandaloneSetup {
    pub shop_name: String,
    pub currency: String,
    pub manager_name: String,
    pub manager_pin: String,
}

impl Till {
    /// Who is at the till and what it is set up for.
    pub async fn session(&self) -> CoreResult<SessionView> {
        let s = self.session.lock().await;
        self.view(&s).await
    }

    async fn view(&self, s: &Session) -> CoreResult<SessionView> {
        let pool = self.db.pool();
        let terminal = match &s.terminal {
            Some(t) => {
                let server = get_setting(pool, sync::settings::SERVER_URL).await?;
                let locale = get_setting(pool, LOCALE).await?;
                Some(convert::terminal(
                    t,
                    server,
                    locale.unwrap_or_else(|| default_locale(t.currency.as_str())),
                    // The zone receipts use (UTC when the setting names none known),
                    // so the screens and the paper agree.
                    t.time_zone.name().to_owned(),
                ))
            }
            None => None,
        };
        let shift = match &s.terminal {
            Some(_) => match shifts::current(&self.db).await? {
                Some(x) => {
                    let mut view = convert::shift(&x);
                    view.opened_by = staff::name_of(&self.db, &x.opened_by).await?;
                    Some(view)
                }
                None => None,
            },
            None => None,
        };
        Ok(SessionView {
            terminal,
            staff: s.staff.as_ref().map(convert::staff),
            locked: s.locked,
            shift,
            idle_lock_secs: crate::store::get_i64_setting(
                pool,
                IDLE_LOCK_SECS,
                DEFAULT_IDLE_LOCK_SECS,
            )
            .await?,
        })
    }

    /// Sets up a standalone till: the shop, its currency and the first manager, who is
    /// then logged in.
    pub async fn setup_standalone(&self, setup: &StandaloneSetup) -> CoreResult<SessionView> {
        let mut s = self.session.lock().await;
        if s.terminal.is_some() {
            return Err(CoreError::AlreadyInitialised);
        }
        let currency = terminal::shop_currency(&setup.currency)?;
        if setup.shop_name.trim().is_empty() || setup.manager_name.trim().is_empty() {
            return Err(CoreError::invalid(
                "enter the shop's name and the manager's name",
            ));
        }
        // The PIN is checked before anything is written, so a bad one leaves no half
        // set-up till behind.
        staff::hash_pin(&setup.manager_pin)?;
        let req = InitRequest {
            currency,
            shop_name: setup.shop_name.trim().to_owned(),
            company_name: String::new(),
            receipt_header: setup.shop_name.trim().to_owned(),
            receipt_footer: "Thank you!".to_owned(),
            cash_rounding_step: terminal::default_cash_rounding(currency),
        };
        let t = terminal::init(&self.db, &req).await?;
        let manager = staff::add(
            &self.db,
            setup.manager_name.trim(),
            Role::ShopManager,
            &setup.manager_pin,
        )
        .await?;
        s.terminal = Some(t);
        s.staff = Some(manager);
        s.locked = false;
        self.view(&s).await
    }

    /// Enrolls this fresh till with a server using a manager's code; the catalog and
    /// stock download before it returns (the shell reports progress meanwhile). With
    /// `ca_pem` (PEM text of a company's own CA) the till trusts only that CA for this
    /// server from now on; without it, the system's trusted CAs.
    pub async fn enroll(
        &self,
        server_url: &str,
        code: &str,
        name: &str,
        ca_pem: Option<&str>,
    ) -> CoreResult<SessionView> {
        let mut s = self.session.lock().await;
        if s.terminal.is_some() {
            return Err(CoreError::AlreadyInitialised);
        }
        let ca_pem = ca_pem.map(str::trim).filter(|pem| !pem.is_empty());
        if let Some(pem) = ca_pem {
            sync::tls::parse_ca(pem)?;
        }
        let report =
            sync::enroll_pinned(&self.db, server_url.trim(), code.trim(), name, ca_pem).await?;
        if let Some(e) = &report.initial_pull_error {
            tracing::warn!("enrolled, first download incomplete: {e}");
        }
        s.terminal = Some(report.terminal);
        self.view(&s).await
    }

    /// Logs in by PIN. With a till locked by someone else, another PIN switches user and
    /// the cart stays for whoever finishes it.
    pub async fn login_pin(&self, pin: &str) -> CoreResult<SessionView> {
        let mut s = self.session.lock().await;
        if s.terminal.is_none() {
            return Err(CoreError::NotInitialised);
        }
        let who = staff::login(&self.db, pin).await?;
        s.staff = Some(who);
        s.locked = false;
        self.view(&s).await
    }

    /// Locks the till (idle, or the cashier stepping away); the cart is kept.
    pub async fn lock(&self) -> CoreResult<SessionView> {
        let mut s = self.session.lock().await;
        if s.staff.is_some() {
            s.locked = true;
        }
        self.view(&s).await
    }

    /// Logs out. While facts wait for the server a logout (which may precede shutting
    /// the till down or handing it over) needs a manager's PIN, and says how many wait.
    pub async fn logout(&self, manager_pin: Option<&str>) -> CoreResult<SessionView> {
        let mut s = self.session.lock().await;
        self.confirm_leaving_unsynced(manager_pin).await?;
        s.staff = None;
        s.locked = false;
        self.view(&s).await
    }

    /// Refuses to quit, log out or reset with facts still queued for the server unless a
    /// manager's PIN confirms; standalone tills have nothing to wait for.
    pub async fn confirm_leaving_unsynced(&self, manager_pin: Option<&str>) -> CoreResult<i64> {
        let status = sync::status(&self.db).await?;
        if status.mode == sync::Mode::Standalone || status.queued == 0 {
            return Ok(0);
        }
        let refused = || CoreError::UnsyncedFacts {
            queued: status.queued,
        };
        let pin = manager_pin.ok_or_else(refused)?;
        let approver = staff::login(&self.db, pin).await?;
        if staff::needs_manager(approver.role, staff::Action::ManageStaff) {
            return Err(refused());
        }
        tracing::warn!(queued = status.queued, approver = %approver.id, "leaving with unsynced facts");
        Ok(status.queued)
    }

    /// Staff who can log in here (for the user-switch list).
    pub async fn staff_list(&self) -> CoreResult<Vec<StaffView>> {
        Ok(staff::list(&self.db)
            .await?
            .iter()
            .map(convert::staff)
            .collect())
    }
}

/// English until the shop's `ui_locale` setting says otherwise (the cashier can switch
/// the screens' language at any time).
fn default_locale(_currency: &str) -> String {
    "en".to_owned()
}
