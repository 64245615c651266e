//! The devices' background work: the print queue drained with backoff (`printer` events
//! for the status bar), a serial scanner read on its own thread (`scan` events, taken by
//! the screens like a keyboard-wedge scan), the pole display following the cart, and a
//! sale's drawer and receipt run after the sale returned (`sale_devices` events). The
//! rules are the till's; this only moves results to the screens.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pos_core::app::Till;
use pos_core::app::device_views::{DrawerStatus, PrintStatus, PrinterView, SaleDevicesView};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::oneshot;

/// The pause between two passes over an empty, healthy print queue.
const IDLE: Duration = Duration::from_secs(2);
/// Longest pause between tries at a printer that keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How often an idle printer is asked how it is (paper, cover), in passes.
const PROBE_EVERY: u32 = 15;

/// The running scanner's stop switch, and the printer's last state for a screen that
/// opens after the last event.
#[derive(Default)]
pub struct Devices {
    scanner: Mutex<Option<(oneshot::Sender<()>, JoinHandle<()>)>>,
    printer: Mutex<Option<PrinterView>>,
}

impl Devices {
    pub fn printer(&self) -> Option<PrinterView> {
        self.printer.lock().ok().and_then(|p| p.clone())
    }
}

/// Starts the device work that runs for the app's whole life.
pub fn start(app: &AppHandle, till: Arc<Till>) {
    app.manage(Devices::default());
    let (a, t) = (app.clone(), till.clone());
    tauri::async_runtime::spawn(async move { restart_scanner(&a, t).await });
    tauri::async_runtime::spawn(drain_printer(app.clone(), till.clone()));
    tauri::async_runtime::spawn(follow_display(till));
}

/// Opens the drawer and prints the receipt of a sale just completed, off the screens'
/// path, and tells the receipt screen how it went.
pub fn after_sale(app: &AppHandle, till: Arc<Till>, sale_id: String) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let view = till.after_sale(&sale_id).await.unwrap_or_else(|e| {
            tracing::error!(sale = %sale_id, "devices after the sale: {e}");
            SaleDevicesView {
                sale_id: sale_id.clone(),
                print: PrintStatus::Queued,
                drawer: DrawerStatus::Failed,
                problem: Some(pos_core::app::ApiError::from(e).message),
            }
        });
        if let Err(e) = app.emit("sale_devices", view) {
            tracing::warn!("cannot tell the receipt screen what the printer did: {e}");
        }
    });
}

/// (Re)starts reading the configured scanner after its settings changed; stops the
/// previous one first (its port is opened exclusively).
pub async fn restart_scanner(app: &AppHandle, till: Arc<Till>) {
    stop_scanner(app).await;
    let (stop, stopped) = oneshot::channel();
    let task = tauri::async_runtime::spawn(read_scanner(app.clone(), till, stopped));
    if let Some(devices) = app.try_state::<Devices>()
        && let Ok(mut slot) = devices.scanner.lock()
    {
        *slot = Some((stop, task));
    }
}

async fn read_scanner(app: AppHandle, till: Arc<Till>, mut stopped: oneshot::Receiver<()>) {
    let mut feed = match till.scanner_feed().await {
        Ok(Some(feed)) => feed,
        Ok(None) => return,
        Err(e) => return tracing::warn!("the scanner cannot start: {e}"),
    };
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            scan = feed.next() => match scan {
                Some(event) => {
                    if let Err(e) = app.emit("scan", event) {
                        tracing::warn!("cannot hand a scan to the screens: {e}");
                    }
                }
                None => break,
            },
        }
    }
    // Dropping the feed joins the scanner's thread: not on the async runtime.
    let _ = tauri::async_runtime::spawn_blocking(move || drop(feed)).await;
}

/// Stops the scanner and waits until its port is free (a scanner test needs it).
pub async fn stop_scanner(app: &AppHandle) {
    let running = app
        .try_state::<Devices>()
        .and_then(|d| d.scanner.lock().ok().and_then(|mut slot| slot.take()));
    if let Some((stop, task)) = running {
        let _ = stop.send(());
        let _ = task.await;
    }
}

/// Drains the print queue for the app's life: every couple of seconds while all is well,
/// with backoff (1 s doubling to 30 s) while the printer fails, and emits `printer`
/// whenever what the status bar shows changed.
async fn drain_printer(app: AppHandle, till: Arc<Till>) {
    let mut backoff = Duration::from_secs(1);
    let mut pass: u32 = 0;
    loop {
        pass = pass.wrapping_add(1);
        let pause = match till.drain_printer(pass % PROBE_EVERY == 1).await {
            Ok(view) => {
                let failing = view.problem.is_some();
                publish(&app, view);
                if failing {
                    let p = backoff;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    p
                } else {
                    backoff = Duration::from_secs(1);
                    IDLE
                }
            }
            // Not set up yet, or the database is busy: try again later.
            Err(e) => {
                tracing::debug!("print queue not drained: {e}");
                IDLE
            }
        };
        tokio::time::sleep(pause).await;
    }
}

fn publish(app: &AppHandle, view: PrinterView) {
    let Some(devices) = app.try_state::<Devices>() else {
        return;
    };
    let Ok(mut last) = devices.printer.lock() else {
        return;
    };
    let same = last.as_ref().is_some_and(|l| {
        l.problem == view.problem && l.waiting == view.waiting && l.configured == view.configured
    });
    if !same {
        if let Some(p) = &view.problem {
            tracing::warn!(problem = %p, waiting = view.waiting, "printer");
        }
        if let Err(e) = app.emit("printer", &view) {
            tracing::warn!("cannot update the printer status: {e}");
        }
    }
    *last = Some(view);
}

/// Writes what the till wants the customer to see to the pole display, newest only.
async fn follow_display(till: Arc<Till>) {
    let mut lines = till.display_feed();
    while lines.changed().await.is_ok() {
        let now = lines.borrow_and_update().clone();
        if let Err(e) = till.show_on_display(now).await {
            tracing::warn!("pole display: {e}");
        }
    }
}
