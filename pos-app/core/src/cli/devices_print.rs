//! `pos devices` for the printers: status, test page, reprints, draining the queues, and
//! receipts drawn as PNG.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::Outcome;
use super::devices_args::{KitchenArgs, PrinterArgs};
use crate::devices::config::{DeviceConfig, DrawerConfig};
use crate::devices::kitchen::{self, KitchenConfig};
use crate::devices::layout::Document;
use crate::devices::{
    DeviceError, Printer, PrinterConfig, decode, drain, encode, raster, render, sample,
};
use crate::error::{CoreError, CoreResult};
use crate::terminal::Terminal;
use crate::{LocalDb, receipt, refund_slip, refunds, sales, seal};

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
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

pub(super) fn printer_config(a: &PrinterArgs) -> CoreResult<PrinterConfig> {
    let mut p = PrinterConfig::new(a.connection.parse()?, a.paper)?;
    p.columns = a.columns;
    p.cut = !a.no_cut;
    p.confirm_secs = a.confirm_secs;
    p.drawer = DrawerConfig {
        pin: a.drawer_pin,
        on_ms: a.pulse_ms,
        open_high: !a.drawer_open_low,
        ..DrawerConfig::default()
    };
    if let Some(logo) = &a.logo {
        // Read now, so a bad file is reported at setup rather than skipped on receipts.
        let path = std::fs::canonicalize(logo)
            .map_err(|e| DeviceError::Config(format!("cannot read the logo {logo}: {e}")))?;
        raster::logo(&path, raster::paper_dots(p.paper_mm))?;
        p.logo = Some(path.display().to_string());
    }
    p.check()?;
    Ok(p)
}

pub(super) fn kitchen_config(a: &KitchenArgs) -> CoreResult<KitchenConfig> {
    Ok(KitchenConfig {
        printer: printer_config(&a.printer)?,
        categories: a
            .categories
            .split(',')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect(),
        title: a.title.clone(),
    })
}

pub(super) async fn printer_status(p: &PrinterConfig) -> CoreResult<Outcome> {
    let p = p.clone();
    let status = blocking(move || Printer::connect(&p)?.status()).await?;
    let text = match &status {
        Some(s) => format!("printer: {s}"),
        None => "printer: connected; this connection cannot report status".to_owned(),
    };
    Ok(Outcome::new(json!({ "status": to_json(&status) }), text))
}

/// Prints `job` on the printer and waits for its confirmation.
pub(super) async fn print_now(p: &PrinterConfig, job: Vec<u8>) -> CoreResult<Outcome> {
    let p = p.clone();
    let wait = Duration::from_secs(p.confirm_secs.min(30));
    let delivery = blocking(move || Printer::connect(&p)?.print(&job, wait, |_| {})).await?;
    let text = match delivery {
        crate::devices::printer::Delivery::Confirmed => "printed; the printer confirmed it",
        crate::devices::printer::Delivery::Sent => "sent to the printer",
    };
    Ok(Outcome::new(json!({ "printed": true }), text))
}

pub(super) async fn test_print(t: &Terminal, p: &PrinterConfig) -> CoreResult<Outcome> {
    let page = sample::test_page(&t.shop_name, &p.connection.to_string(), p.columns());
    let finish = encode::Finish {
        cut: p.cut,
        qr_module: if p.columns() <= 32 { 3 } else { 4 },
    };
    print_now(p, encode::job(&page, finish)?).await
}

/// The receipt or slip `id` names (a sale id or receipt number, or a refund id).
pub(super) async fn find_document(db: &LocalDb, t: &Terminal, id: &str) -> CoreResult<Document> {
    match sales::find_id(db, id).await {
        Ok(sale_id) => {
            let sale = sales::load(db, &sale_id).await?;
            let key = seal::signing_key(db).await?;
            Ok(Document::Receipt(receipt::build(&sale, t, &key)))
        }
        Err(CoreError::NotFound { .. }) => {
            let stored = refunds::load(db, id)
                .await
                .map_err(|_| CoreError::NotFound {
                    what: "sale or refund",
                    id: id.to_owned(),
                })?;
            Ok(Document::RefundSlip(refund_slip::build(&stored, t)))
        }
        Err(e) => Err(e),
    }
}

fn state_text(who: &str, s: &drain::PrinterState) -> String {
    format!(
        "{who}: printed {}, {} still to print{}",
        s.printed,
        s.waiting,
        s.problem
            .as_ref()
            .map_or(String::new(), |p| format!(": {p}"))
    )
}

/// Drains the receipt printer's queue and the kitchen printer's, whichever is set up.
pub(super) async fn drain_cmd(
    db: &LocalDb,
    t: &Terminal,
    devices: &DeviceConfig,
    follow: bool,
) -> CoreResult<Outcome> {
    let kitchen = kitchen::load(db).await?;
    if devices.printer.is_none() && kitchen.is_none() {
        return Err(DeviceError::NotConfigured("printer").into());
    }
    if follow {
        return follow_both(db, t, devices.printer.as_ref(), kitchen.as_ref()).await;
    }
    let connect = drain::connect_configured();
    let (mut value, mut lines) = (json!({}), Vec::new());
    if let Some(p) = &devices.printer {
        let state = drain::drain_once(db, t, p, &connect).await?;
        lines.push(state_text("receipts", &state));
        value = to_json(&state);
    }
    if let Some(k) = &kitchen {
        let state = kitchen::drain_once(db, t, k, &connect).await?;
        lines.push(state_text("kitchen", &state));
        value["kitchen"] = to_json(&state);
    }
    Ok(Outcome::new(value, lines.join("\n")))
}

async fn follow_both(
    db: &LocalDb,
    t: &Terminal,
    printer: Option<&PrinterConfig>,
    kitchen: Option<&KitchenConfig>,
) -> CoreResult<Outcome> {
    let (wake, connect) = (
        Arc::new(tokio::sync::Notify::new()),
        drain::connect_configured(),
    );
    let stop = || async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let receipts = async {
        match printer {
            Some(p) => drain::run(db, t, p, connect.clone(), wake.clone(), stop()).await,
            None => Ok(()),
        }
    };
    let slips = async {
        match kitchen {
            Some(k) => kitchen::run(db, t, k, connect.clone(), wake.clone(), stop()).await,
            None => Ok(()),
        }
    };
    let (a, b) = tokio::join!(receipts, slips);
    a.and(b)?;
    Ok(Outcome::new(json!({ "stopped": true }), "stopped"))
}

/// `pos devices render-png`: a document as its printer would print it, or a job file.
pub(super) async fn render_png(
    db: &LocalDb,
    t: &Terminal,
    devices: &DeviceConfig,
    source: (Option<&str>, Option<&std::path::Path>),
    out: &std::path::Path,
    paper: u16,
    copy: bool,
) -> CoreResult<Outcome> {
    let (job, paper) = match source {
        (Some(id), _) => {
            let doc = find_document(db, t, id).await?;
            let printer = match &devices.printer {
                Some(p) => p.clone(),
                None => PrinterConfig::new("file:/dev/null".parse()?, paper)?,
            };
            (drain::job(&doc, &printer, copy)?, printer.paper_mm)
        }
        (None, Some(file)) => {
            let bytes = std::fs::read(file).map_err(|e| {
                CoreError::invalid(format!("cannot read the job {}: {e}", file.display()))
            })?;
            (bytes, paper)
        }
        (None, None) => return Err(CoreError::invalid("give --id or --job")),
    };
    let decoded = decode::decode(&job);
    let paper_raster = render::paper(&decoded, raster::paper_dots(paper));
    let png = raster::to_png(&paper_raster)?;
    std::fs::write(out, &png)
        .map_err(|e| CoreError::invalid(format!("cannot write {}: {e}", out.display())))?;
    let (w, h) = (paper_raster.width(), paper_raster.height());
    Ok(Outcome::new(
        json!({
            "out": out.display().to_string(), "width": w, "height": h,
            "text": decoded.text(), "unknown_commands": decoded.unknown.len(),
        }),
        format!("{} ({w} x {h} dots)\n{}", out.display(), decoded.text()),
    ))
}
