//! The till's devices as cashier verbs: what the printer and the drawer do once a sale is
//! completed, a receipt copy, the drawer opened without a sale, weighing a line, and the
//! Device settings a manager keeps. A device never blocks or undoes a sale: the receipt
//! is queued in the journal by the sale itself, and every device problem comes back as a
//! message for the cashier.
//!
//! One print lock serialises everything that talks to the printer (the drainer, a sale's
//! receipt, a copy, a drawer kick), so two of them never print the same receipt twice.

use std::time::Duration;

use pos_shared::Money;
use pos_shared::facts::DrawerReason;
use pos_shared::role::Role;

use super::device_views::{
    self, DeviceKind, DeviceSettings, DrawerStatus, PrintStatus, PrinterView, SaleDevicesView,
};
use super::views::{CartView, ShiftReportView};
use super::{Till, signed_in};
use crate::devices::at_sale::{self, AfterSale};
use crate::devices::config::{self, DeviceConfig, PrinterConfig, SerialConfig};
use crate::devices::layout::Document;
use crate::devices::{DeviceError, Printer, display, drain, drawer, encode, sample, scale};
use crate::error::{CoreError, CoreResult};
use crate::staff::{self, Staff};
use crate::store::get_i64_setting;
use crate::terminal::Terminal;
use crate::{LocalDb, print_queue, receipt, sales, seal};

/// How long a receipt copy may take to be confirmed while the cashier waits.
const COPY_WAIT: Duration = Duration::from_secs(15);

/// Which sale's devices are still to run, and what they did for the last one: a sale's
/// drawer opens once however often the receipt screen asks.
#[derive(Debug, Default)]
pub(super) struct AfterSaleState {
    pending: Option<String>,
    done: Option<SaleDevicesView>,
}

impl Till {
    /// Marks `sale_id` as the sale whose drawer and receipt are next (called by `complete`).
    pub(super) fn devices_due(&self, sale_id: &str) {
        let mut st = self.after_sale.lock().unwrap_or_else(|p| p.into_inner());
        st.pending = Some(sale_id.to_owned());
        st.done = None;
    }

    /// Opens the drawer for a cash sale and prints its receipt, once per sale; asking
    /// again answers what was done. A printer problem leaves the receipt queued.
    pub async fn after_sale(&self, sale_id: &str) -> CoreResult<SaleDevicesView> {
        let (t, staff) = self.who().await?;
        let due = {
            let mut st = self.after_sale.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(done) = st.done.as_ref().filter(|d| d.sale_id == sale_id) {
                return Ok(done.clone());
            }
            st.pending.take_if(|p| p == sale_id).is_some()
        };
        let _printing = self.print_lock.lock().await;
        let sale = sales::load(&self.db, sale_id).await?;
        let outcome = if due {
            at_sale::after_sale(&self.db, &t, &staff, &sale).await?
        } else {
            // Not this till's last sale (or asked twice at once): say where its
            // receipt stands without opening the drawer again.
            AfterSale {
                no_printer: config::load(&self.db).await?.printer.is_none(),
                ..AfterSale::default()
            }
        };
        let view = SaleDevicesView {
            sale_id: sale.id.clone(),
            print: print_status(&self.db, &sale.id, outcome.no_printer).await?,
            drawer: match (outcome.no_printer, outcome.drawer_opened) {
                (true, _) => DrawerStatus::NoDrawer,
                (false, Some(true)) => DrawerStatus::Opened,
                (false, Some(false)) => DrawerStatus::Failed,
                (false, None) => DrawerStatus::NotNeeded,
            },
            problem: (!outcome.problems.is_empty()).then(|| outcome.problems.join("; ")),
        };
        if due {
            let mut st = self.after_sale.lock().unwrap_or_else(|p| p.into_inner());
            st.done = Some(view.clone());
        }
        Ok(view)
    }

    /// What the devices did for `sale_id`, once they are done with it (the receipt
    /// screen asks when it missed the shell's event).
    pub fn sale_devices(&self, sale_id: &str) -> Option<SaleDevicesView> {
        let st = self.after_sale.lock().unwrap_or_else(|p| p.into_inner());
        st.done.clone().filter(|d| d.sale_id == sale_id)
    }

    /// Prints a copy of a sale's receipt (marked COPY) now. Not queued: a copy the printer
    /// could not take is reported, and the cashier asks again.
    pub async fn print_copy(&self, sale: &str) -> CoreResult<SaleDevicesView> {
        let (t, _) = self.who().await?;
        let id = sales::find_id(&self.db, sale).await?;
        let sale = sales::load(&self.db, &id).await?;
        let mut view = SaleDevicesView {
            sale_id: sale.id.clone(),
            print: PrintStatus::NoPrinter,
            drawer: DrawerStatus::NotNeeded,
            problem: None,
        };
        let Some(printer) = config::load(&self.db).await?.printer else {
            return Ok(view);
        };
        let key = seal::signing_key(&self.db).await?;
        let doc = Document::Receipt(receipt::build(&sale, &t, &key));
        let job = drain::job(&doc, &printer, true)?;
        let _printing = self.print_lock.lock().await;
        match print_now(printer, job).await {
            Ok(()) => view.print = PrintStatus::Printed,
            Err(e) => {
                view.print = PrintStatus::Queued;
                view.problem = Some(human(&e));
            }
        }
        Ok(view)
    }

    /// Opens the cash drawer without a sale: a manager's decision (their own role or
    /// `manager_pin`), recorded as a no-sale drawer movement of the open shift and as the
    /// opening itself. A till without a printer (so without a drawer port) records the
    /// no-sale for a drawer opened by hand.
    pub async fn open_drawer(
        &self,
        reason: &str,
        manager_pin: Option<&str>,
    ) -> CoreResult<ShiftReportView> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(CoreError::invalid("say why the drawer is opened"));
        }
        let Some(printer) = config::load(&self.db).await?.printer else {
            return self.cash_movement("no_sale", 0, reason, manager_pin).await;
        };
        let (_, staff) = self.who().await?;
        {
            let _printing = self.print_lock.lock().await;
            let connect = drain::connect_configured();
            drawer::no_sale(&self.db, &printer, &connect, &staff, reason, manager_pin).await?;
        }
        self.x_report().await
    }

    /// Sets a weighed line's quantity to what the scale reads now.
    pub async fn weigh(&self, line_id: &str) -> CoreResult<CartView> {
        let grams = self.read_scale().await?;
        self.set_qty(line_id, grams).await
    }

    /// A stable, positive weight from the configured scale, in grams.
    pub(super) async fn read_scale(&self) -> CoreResult<i64> {
        // Net of the till's tare, as `pos devices read-scale` reads it: the container's
        // weight is never sold.
        let w = scale::read_configured(&self.db).await?;
        if w.grams == 0 {
            return Err(CoreError::invalid(
                "the scale shows nothing; put the goods on the scale and weigh again",
            ));
        }
        Ok(w.grams)
    }

    /// Whether a scale is set up (a weighed product scanned then takes its weight).
    pub(super) async fn has_scale(&self) -> CoreResult<bool> {
        Ok(config::load(&self.db).await?.scale.is_some())
    }

    /// Prints what the queue holds, and the kitchen's order slips when a kitchen printer
    /// is set up; with `probe` and nothing to print, also asks the receipt printer how it
    /// is (paper, cover), so a problem shows before the next sale.
    pub async fn drain_printer(&self, probe: bool) -> CoreResult<PrinterView> {
        let t = self.terminal().await?;
        let printer = config::load(&self.db).await?.printer;
        let _printing = self.print_lock.lock().await;
        // Side by side, as at a sale: neither printer's trouble holds up the other.
        let (receipts, kitchen) = tokio::join!(
            self.drain_receipts(&t, printer, probe),
            at_sale::kitchen_slips(&self.db, &t)
        );
        let mut view = receipts?;
        let problems: Vec<String> = view.problem.take().into_iter().chain(kitchen?).collect();
        view.problem = (!problems.is_empty()).then(|| problems.join("; "));
        Ok(view)
    }

    /// The receipt printer's part of [`Self::drain_printer`] (the print lock is held).
    async fn drain_receipts(
        &self,
        t: &Terminal,
        printer: Option<PrinterConfig>,
        probe: bool,
    ) -> CoreResult<PrinterView> {
        let Some(printer) = printer else {
            return Ok(PrinterView {
                configured: false,
                waiting: 0,
                problem: None,
                at_ms: self.db.now_ms(),
            });
        };
        let state = drain::drain_once(&self.db, t, &printer, &drain::connect_configured()).await?;
        let mut problem = state.problem;
        if probe && problem.is_none() && state.waiting == 0 {
            problem = probe_printer(printer).await.err().map(|e| human(&e));
        }
        Ok(PrinterView {
            configured: true,
            waiting: state.waiting,
            problem,
            at_ms: state.at_ms,
        })
    }

    /// The Device settings form (managers).
    pub async fn device_settings(&self) -> CoreResult<DeviceSettings> {
        self.manager(None, "the device settings").await?;
        Ok(device_views::settings(&config::load(&self.db).await?))
    }

    /// Saves the Device settings for this terminal (a cashier needs a manager's PIN).
    pub async fn save_device_settings(
        &self,
        form: &DeviceSettings,
        manager_pin: Option<&str>,
    ) -> CoreResult<DeviceSettings> {
        self.manager(manager_pin, "changing the device settings")
            .await?;
        let before = config::load(&self.db).await?;
        let c = device_views::config(form, &before)?;
        config::save(&self.db, &c).await?;
        tracing::info!(?c, "device settings saved");
        Ok(device_views::settings(&c))
    }

    /// Tries one device as the form describes it (saved or not) and says what happened:
    /// a test page, a drawer pulse, a weight, a line on the display, a code scanned.
    pub async fn test_device(
        &self,
        kind: DeviceKind,
        form: &DeviceSettings,
        manager_pin: Option<&str>,
    ) -> CoreResult<String> {
        let (t, staff) = self.who().await?;
        self.manager(manager_pin, "testing the devices").await?;
        let c = device_views::config(form, &config::load(&self.db).await?)?;
        let missing = |what| CoreError::from(DeviceError::NotConfigured(what));
        match kind {
            DeviceKind::Printer => {
                let p = c.printer.ok_or_else(|| missing("printer"))?;
                let _printing = self.print_lock.lock().await;
                test_page(&t, p).await
            }
            DeviceKind::Drawer => {
                let p = c.printer.ok_or_else(|| missing("printer"))?;
                let _printing = self.print_lock.lock().await;
                let connect = drain::connect_configured();
                drawer::open(
                    &self.db,
                    &p,
                    &connect,
                    &staff,
                    DrawerReason::Test,
                    None,
                    None,
                )
                .await?;
                Ok("the drawer opened (recorded as a test)".to_owned())
            }
            DeviceKind::Scale => {
                let s = c.scale.ok_or_else(|| missing("scale"))?;
                let w = blocking(move || scale::Scale::open(&s)?.read()).await?;
                Ok(format!(
                    "the scale reads {}.{:03} kg{}",
                    w.grams / 1000,
                    w.grams % 1000,
                    if w.net { " net" } else { "" }
                ))
            }
            DeviceKind::Display => {
                let d = c.display.ok_or_else(|| missing("display"))?;
                show(d, ("Kassa".to_owned(), "display test".to_owned())).await?;
                Ok("the display shows \"Kassa / display test\"".to_owned())
            }
            DeviceKind::Scanner => {
                let s = c.scanner.ok_or_else(|| missing("scanner"))?;
                super::device_feeds::listen_once(s, Duration::from_secs(8)).await
            }
        }
    }

    /// The terminal and the signed-in staff member, cloned (the session lock is released
    /// before any device is touched).
    pub(super) async fn who(&self) -> CoreResult<(Terminal, Staff)> {
        let s = self.session.lock().await;
        let (t, staff) = signed_in(&s)?;
        Ok((t.clone(), staff.clone()))
    }

    /// Refuses `what` unless a manager is signed in or approves with `manager_pin`.
    async fn manager(&self, manager_pin: Option<&str>, what: &str) -> CoreResult<()> {
        let (_, staff) = self.who().await?;
        if staff.role.at_least(Role::ShopManager) {
            return Ok(());
        }
        let needed = || CoreError::ManagerApprovalRequired {
            action: what.to_owned(),
        };
        let approver = staff::login(&self.db, manager_pin.ok_or_else(needed)?).await?;
        if !approver.role.at_least(Role::ShopManager) {
            return Err(needed());
        }
        Ok(())
    }
}

/// Printed once the printer's cursor passed the sale's journal record.
async fn print_status(db: &LocalDb, sale_id: &str, no_printer: bool) -> CoreResult<PrintStatus> {
    if no_printer {
        return Ok(PrintStatus::NoPrinter);
    }
    let seq: Option<i64> = sqlx::query_scalar("SELECT journal_seq FROM sales WHERE id = ?")
        .bind(sale_id)
        .fetch_optional(db.pool())
        .await?;
    let through = get_i64_setting(db.pool(), print_queue::PRINTED_THROUGH, 0).await?;
    Ok(match seq {
        Some(seq) if seq <= through => PrintStatus::Printed,
        _ => PrintStatus::Queued,
    })
}

/// The money a display line shows: the amount without the currency code (20 columns).
pub(super) fn amount(minor: i64, t: &Terminal) -> String {
    Money::new(minor, t.currency).format()
}

/// Runs blocking device I/O off the async runtime.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, DeviceError> + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DeviceError::link("device", e))?
        .map_err(CoreError::from)
}

/// A device error as the cashier reads it (no command-line hints).
pub(super) fn human(e: &CoreError) -> String {
    super::ApiError::from(e).message
}

async fn print_now(p: PrinterConfig, job: Vec<u8>) -> CoreResult<()> {
    let wait = COPY_WAIT.min(Duration::from_secs(p.confirm_secs));
    blocking(move || Printer::connect(&p)?.print(&job, wait, |_| {})).await?;
    Ok(())
}

/// Connects and asks for the status; a printer that is not ready is an error saying why.
async fn probe_printer(p: PrinterConfig) -> CoreResult<()> {
    blocking(move || match Printer::connect(&p)?.status()? {
        Some(s) if !s.ready() => Err(DeviceError::PrinterNotReady(s)),
        _ => Ok(()),
    })
    .await
}

async fn test_page(t: &Terminal, p: PrinterConfig) -> CoreResult<String> {
    let page = sample::test_page(&t.shop_name, &p.connection.to_string(), p.columns());
    let finish = encode::Finish {
        cut: p.cut,
        qr_module: if p.columns() <= 32 { 3 } else { 4 },
    };
    let where_to = p.connection.to_string();
    print_now(p, encode::job(&page, finish)?).await?;
    Ok(format!("test page printed on {where_to}"))
}

/// Writes two lines to a pole display.
pub(super) async fn show(d: SerialConfig, (upper, lower): (String, String)) -> CoreResult<()> {
    blocking(move || display::Display::open(&d)?.show(&upper, &lower)).await
}

/// This terminal's device configuration (the shell starts the scanner and display by it).
pub async fn configuration(db: &LocalDb) -> CoreResult<DeviceConfig> {
    config::load(db).await
}
