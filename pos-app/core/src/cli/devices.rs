//! `pos devices`: set up the terminal's devices and use each one from the command line.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::Outcome;
use super::devices_args::{DevicesCommand, PrinterArgs, SetDevice};
use crate::devices::config::{self, DeviceConfig, DrawerConfig, ScannerConfig, SerialConfig};
use crate::devices::layout::Document;
use crate::devices::{
    DeviceError, Printer, PrinterConfig, display, drain, drawer, encode, sample, scale, scanner,
};
use crate::error::{CoreError, CoreResult};
use crate::terminal::Terminal;
use crate::{LocalDb, print_queue, receipt, refund_slip, refunds, sales, seal, staff};

fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

pub async fn run(db: &LocalDb, t: &Terminal, cmd: &DevicesCommand) -> CoreResult<Outcome> {
    let devices = config::load(db).await?;
    match cmd {
        DevicesCommand::List => list(db, &devices).await,
        DevicesCommand::Set(what) => set(db, devices, what).await,
        DevicesCommand::Remove { device } => remove(db, devices, device).await,
        DevicesCommand::Status => printer_status(printer(&devices)?).await,
        DevicesCommand::TestPrint => test_print(t, printer(&devices)?).await,
        DevicesCommand::Print { id } => {
            let doc = find_document(db, t, id).await?;
            print_now(
                printer(&devices)?,
                drain::job(&doc, printer(&devices)?, true)?,
            )
            .await
        }
        DevicesCommand::Drain { follow } => drain_cmd(db, t, printer(&devices)?, *follow).await,
        DevicesCommand::OpenDrawer {
            pin,
            reason,
            manager_pin,
        } => {
            let who = staff::login(db, pin).await?;
            let connect = drain::connect_configured();
            let p = printer(&devices)?;
            let (movement, fact) =
                drawer::no_sale(db, p, &connect, &who, reason, manager_pin.as_deref()).await?;
            Ok(Outcome::new(
                json!({ "movement_id": movement.id, "drawer_opened": to_json(&fact) }),
                format!("drawer opened (no sale: {}), recorded", movement.reason),
            ))
        }
        DevicesCommand::ListenScanner { count, seconds } => {
            listen(
                devices
                    .scanner
                    .ok_or(DeviceError::NotConfigured("scanner"))?,
                *count,
                *seconds,
            )
            .await
        }
        DevicesCommand::ReadScale => read_scale(devices.scale).await,
        DevicesCommand::Display {
            upper,
            lower,
            item,
            price,
            total,
        } => {
            let lines = match (item, price, total) {
                (Some(i), Some(p), Some(t)) => display::item_and_total(i, p, t),
                _ => (upper.clone(), lower.clone()),
            };
            show(
                devices
                    .display
                    .ok_or(DeviceError::NotConfigured("display"))?,
                lines,
            )
            .await
        }
    }
}

fn printer(devices: &DeviceConfig) -> CoreResult<&PrinterConfig> {
    Ok(devices
        .printer
        .as_ref()
        .ok_or(DeviceError::NotConfigured("printer"))?)
}

/// Runs blocking device I/O off the async runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, DeviceError> + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DeviceError::link("device", e))?
        .map_err(CoreError::from)
}

async fn list(db: &LocalDb, devices: &DeviceConfig) -> CoreResult<Outcome> {
    let waiting = print_queue::waiting(db).await?;
    let state = drain::last_state(db).await?;
    let name = |set: bool, what: String| if set { what } else { "not set up".to_owned() };
    let p = devices.printer.as_ref();
    let text = format!(
        "printer: {}\nscanner: {}\nscale: {}\ndisplay: {}\nreceipts and refund slips to print: {waiting}{}",
        name(
            p.is_some(),
            p.map_or(String::new(), |p| format!(
                "{} ({} mm, {} columns, drawer pin {}, {} ms)",
                p.connection,
                p.paper_mm,
                p.columns(),
                p.drawer.pin,
                p.drawer.on_ms
            ))
        ),
        devices
            .scanner
            .as_ref()
            .map_or("not set up".into(), |s| format!(
                "serial:{}@{} (prefix {:?}, suffix {:?})",
                s.port.path, s.port.baud, s.prefix, s.suffix
            )),
        devices
            .scale
            .as_ref()
            .map_or("not set up".into(), |s| format!(
                "serial:{}@{} (Toledo 8217)",
                s.path, s.baud
            )),
        devices
            .display
            .as_ref()
            .map_or("not set up".into(), |s| format!(
                "serial:{}@{} (2x20)",
                s.path, s.baud
            )),
        state
            .as_ref()
            .and_then(|s| s.problem.as_ref())
            .map_or(String::new(), |p| format!("\nlast printer problem: {p}")),
    );
    Ok(Outcome::new(
        json!({ "devices": to_json(devices), "receipts_to_print": waiting, "printer_state": to_json(&state) }),
        text,
    ))
}

fn printer_config(a: &PrinterArgs) -> CoreResult<PrinterConfig> {
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
    p.check()?;
    Ok(p)
}

/// `cr`, `lf` and `crlf` name the usual line ends; anything else is taken as written.
fn suffix(text: &str) -> String {
    match text.to_ascii_lowercase().as_str() {
        "cr" | "\\r" => "\r".into(),
        "lf" | "\\n" => "\n".into(),
        "crlf" | "\\r\\n" => "\r\n".into(),
        _ => text.to_owned(),
    }
}

fn serial(spec: &str) -> CoreResult<SerialConfig> {
    let (path, baud) = config::serial(spec)?;
    Ok(SerialConfig { path, baud })
}

async fn set(db: &LocalDb, mut devices: DeviceConfig, what: &SetDevice) -> CoreResult<Outcome> {
    let name = match what {
        SetDevice::Printer(a) => {
            devices.printer = Some(printer_config(a)?);
            "printer"
        }
        SetDevice::Scanner {
            port,
            prefix,
            suffix: end,
        } => {
            let port = serial(port)?;
            let (prefix, suffix) = (prefix.clone(), suffix(end));
            devices.scanner = Some(ScannerConfig {
                port,
                prefix,
                suffix,
            });
            "scanner"
        }
        SetDevice::Scale { port } => {
            devices.scale = Some(serial(port)?);
            "scale"
        }
        SetDevice::Display { port } => {
            devices.display = Some(serial(port)?);
            "display"
        }
    };
    config::save(db, &devices).await?;
    Ok(Outcome::new(to_json(&devices), format!("{name} set up")))
}

async fn remove(db: &LocalDb, mut devices: DeviceConfig, device: &str) -> CoreResult<Outcome> {
    match device {
        "printer" => devices.printer = None,
        "scanner" => devices.scanner = None,
        "scale" => devices.scale = None,
        "display" => devices.display = None,
        other => {
            return Err(CoreError::invalid(format!(
                "`{other}` is no device; say printer, scanner, scale or display"
            )));
        }
    }
    config::save(db, &devices).await?;
    Ok(Outcome::new(to_json(&devices), format!("{device} removed")))
}

async fn printer_status(p: &PrinterConfig) -> CoreResult<Outcome> {
    let p = p.clone();
    let status = blocking(move || Printer::connect(&p)?.status()).await?;
    let text = match &status {
        Some(s) => format!("printer: {s}"),
        None => "printer: connected; this connection cannot report status".to_owned(),
    };
    Ok(Outcome::new(json!({ "status": to_json(&status) }), text))
}

/// Prints `job` on the printer and waits for its confirmation.
async fn print_now(p: &PrinterConfig, job: Vec<u8>) -> CoreResult<Outcome> {
    let p = p.clone();
    let wait = Duration::from_secs(p.confirm_secs.min(30));
    let delivery = blocking(move || Printer::connect(&p)?.print(&job, wait, |_| {})).await?;
    let text = match delivery {
        crate::devices::printer::Delivery::Confirmed => "printed; the printer confirmed it",
        crate::devices::printer::Delivery::Sent => "sent to the printer",
    };
    Ok(Outcome::new(json!({ "printed": true }), text))
}

async fn test_print(t: &Terminal, p: &PrinterConfig) -> CoreResult<Outcome> {
    let page = sample::test_page(&t.shop_name, &p.connection.to_string(), p.columns());
    let finish = encode::Finish {
        cut: p.cut,
        qr_module: if p.columns() <= 32 { 3 } else { 4 },
    };
    print_now(p, encode::job(&page, finish)?).await
}

/// The receipt or slip `id` names (a sale id or receipt number, or a refund id).
async fn find_document(db: &LocalDb, t: &Terminal, id: &str) -> CoreResult<Document> {
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

async fn drain_cmd(
    db: &LocalDb,
    t: &Terminal,
    p: &PrinterConfig,
    follow: bool,
) -> CoreResult<Outcome> {
    let connect = drain::connect_configured();
    if follow {
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let wake = Arc::new(tokio::sync::Notify::new());
        drain::run(db, t, p, connect, wake, stop).await?;
        return Ok(Outcome::new(json!({ "stopped": true }), "stopped"));
    }
    let state = drain::drain_once(db, t, p, &connect).await?;
    let text = format!(
        "printed {}, {} still to print{}",
        state.printed,
        state.waiting,
        state
            .problem
            .as_ref()
            .map_or(String::new(), |p| format!(": {p}"))
    );
    Ok(Outcome::new(to_json(&state), text))
}

async fn listen(config: ScannerConfig, count: usize, seconds: u64) -> CoreResult<Outcome> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _thread = scanner::spawn(config, tx, Duration::from_secs(1));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let (mut scans, mut lines) = (Vec::new(), Vec::new());
    while scans.len() < count {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(Ok(code))) => {
                lines.push(format!("{code} ({:?})", code.symbology()));
                scans.push(json!({ "code": code.as_str(), "symbology": code.symbology() }));
            }
            Ok(Some(Err(e))) => {
                lines.push(format!("refused: {e}"));
                scans.push(json!({ "error": e.to_string(), "code": e.code() }));
            }
            Ok(None) | Err(_) => break,
        }
    }
    if scans.is_empty() {
        lines.push(format!("no scan within {seconds} s"));
    }
    Ok(Outcome::new(json!({ "scans": scans }), lines.join("\n")))
}

async fn read_scale(config: Option<SerialConfig>) -> CoreResult<Outcome> {
    let config = config.ok_or(DeviceError::NotConfigured("scale"))?;
    let w = blocking(move || scale::Scale::open(&config)?.read()).await?;
    let text = format!(
        "{}.{:03} kg{}",
        w.grams / 1000,
        w.grams % 1000,
        if w.net { " net" } else { "" }
    );
    Ok(Outcome::new(to_json(&w), text))
}

async fn show(config: SerialConfig, (upper, lower): (String, String)) -> CoreResult<Outcome> {
    let (u, l) = (upper.clone(), lower.clone());
    blocking(move || display::Display::open(&config)?.show(&u, &l)).await?;
    Ok(Outcome::new(
        json!({ "upper": upper, "lower": lower }),
        format!("{upper}\n{lower}"),
    ))
}
