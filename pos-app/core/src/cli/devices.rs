//! `pos devices`: set up the terminal's devices and use each one from the command line.

use std::time::Duration;

use serde_json::json;

use super::Outcome;
use super::devices_args::{DevicesCommand, SetDevice};
use super::devices_print::{
    blocking, drain_cmd, find_document, kitchen_config, print_now, printer_config, printer_status,
    render_png, test_print, to_json,
};
use crate::devices::config::{self, DeviceConfig, ScannerConfig, SerialConfig};
use crate::devices::{DeviceError, PrinterConfig, display, drain, drawer, kitchen, scale, scanner};
use crate::error::{CoreError, CoreResult};
use crate::terminal::Terminal;
use crate::{LocalDb, print_queue, staff};

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
        DevicesCommand::Drain { follow } => drain_cmd(db, t, &devices, *follow).await,
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
        DevicesCommand::ReadScale { tare_grams } => {
            let tare = match tare_grams {
                Some(g) => *g,
                None => scale::tare(db).await?,
            };
            read_scale(devices.scale, tare).await
        }
        DevicesCommand::RenderPng {
            id,
            job,
            out,
            paper,
            copy,
        } => {
            let source = (id.as_deref(), job.as_deref());
            render_png(db, t, &devices, source, out, *paper, *copy).await
        }
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

fn serial_text(s: &SerialConfig) -> String {
    format!("serial:{}@{}", s.path, s.baud)
}

fn printer_text(p: &PrinterConfig) -> String {
    format!(
        "{} ({} mm, {} columns, drawer pin {}, {} ms{})",
        p.connection,
        p.paper_mm,
        p.columns(),
        p.drawer.pin,
        p.drawer.on_ms,
        p.logo
            .as_ref()
            .map_or(String::new(), |l| format!(", logo {l}"))
    )
}

async fn list(db: &LocalDb, devices: &DeviceConfig) -> CoreResult<Outcome> {
    let waiting = print_queue::waiting(db).await?;
    let state = drain::last_state(db).await?;
    let (kitchen, tare) = (kitchen::load(db).await?, scale::tare(db).await?);
    let unset = || "not set up".to_owned();
    let mut lines = vec![
        format!(
            "printer: {}",
            devices.printer.as_ref().map_or_else(unset, printer_text)
        ),
        format!(
            "kitchen printer: {}",
            kitchen.as_ref().map_or_else(unset, |k| format!(
                "{} for {}",
                printer_text(&k.printer),
                k.categories.join(", ")
            ))
        ),
        format!(
            "scanner: {}",
            devices.scanner.as_ref().map_or_else(unset, |s| format!(
                "{} (prefix {:?}, suffix {:?})",
                serial_text(&s.port),
                s.prefix,
                s.suffix
            ))
        ),
        format!(
            "scale: {}",
            devices.scale.as_ref().map_or_else(unset, |s| format!(
                "{} (Toledo 8217, tare {tare} g)",
                serial_text(s)
            ))
        ),
        format!(
            "display: {}",
            devices
                .display
                .as_ref()
                .map_or_else(unset, |s| format!("{} (2x20)", serial_text(s)))
        ),
        format!("receipts and refund slips to print: {waiting}"),
    ];
    let kitchen_waiting = match &kitchen {
        Some(_) => Some(kitchen::waiting(db).await?),
        None => None,
    };
    if let Some(n) = kitchen_waiting {
        lines.push(format!(
            "sales the kitchen printer has yet to go through: {n}"
        ));
    }
    if let Some(p) = state.as_ref().and_then(|s| s.problem.as_ref()) {
        lines.push(format!("last printer problem: {p}"));
    }
    Ok(Outcome::new(
        json!({
            "devices": to_json(devices), "receipts_to_print": waiting,
            "printer_state": to_json(&state), "kitchen": to_json(&kitchen),
            "kitchen_waiting": kitchen_waiting, "scale_tare_grams": tare,
        }),
        lines.join("\n"),
    ))
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
        SetDevice::Scale { port, tare_grams } => {
            devices.scale = Some(serial(port)?);
            scale::set_tare(db, *tare_grams).await?;
            "scale"
        }
        SetDevice::Kitchen(a) => {
            let k = kitchen_config(a)?;
            kitchen::save(db, Some(&k)).await?;
            return Ok(Outcome::new(to_json(&k), "kitchen printer set up"));
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
        "kitchen" => {
            kitchen::save(db, None).await?;
            return Ok(Outcome::new(
                json!({ "kitchen": null }),
                "kitchen printer removed",
            ));
        }
        other => {
            return Err(CoreError::invalid(format!(
                "`{other}` is no device; say printer, kitchen, scanner, scale or display"
            )));
        }
    }
    config::save(db, &devices).await?;
    Ok(Outcome::new(to_json(&devices), format!("{device} removed")))
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

async fn read_scale(config: Option<SerialConfig>, tare: i64) -> CoreResult<Outcome> {
    let config = config.ok_or(DeviceError::NotConfigured("scale"))?;
    let w = blocking(move || scale::Scale::open(&config)?.read_net(tare)).await?;
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
