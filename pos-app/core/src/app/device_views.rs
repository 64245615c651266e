//! The devices as the terminal UI sees them: the Device settings form (one flat shape per
//! device, converted to and from `devices::config`), what the devices did after a sale,
//! the printer's state for the status bar, and a scan read by a serial scanner.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::views::ApiError;
use crate::devices::config::{
    Connection, DeviceConfig, DrawerConfig, PrinterConfig, ScannerConfig, SerialConfig,
};
use crate::error::CoreResult;

/// How the till reaches its receipt printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectionSettings {
    /// A network printer's raw port (9100 on nearly every model).
    Tcp { host: String, port: u16 },
    /// A serial or USB-CDC port.
    Serial { path: String, baud: u32 },
    /// A device node or file written to as is (`/dev/usb/lp0`).
    File { path: String },
}

/// The receipt printer and the cash drawer wired to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PrinterSettings {
    pub connection: ConnectionSettings,
    /// 58 or 80.
    pub paper_mm: u16,
    pub cut: bool,
    /// The drawer's kick pin: 2 (usual) or 5 (a second drawer).
    pub drawer_pin: u8,
    /// How long the drawer's solenoid is driven, 2 to 510 ms.
    pub pulse_ms: u16,
}

/// A serial device: its port and speed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SerialSettings {
    pub path: String,
    pub baud: u32,
}

/// The Device settings screen's form; `None` is "not connected".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeviceSettings {
    pub printer: Option<PrinterSettings>,
    pub scanner: Option<SerialSettings>,
    pub scale: Option<SerialSettings>,
    pub display: Option<SerialSettings>,
    /// The code page receipts are printed in (read only: Kassa prints CP858, which has
    /// the euro sign and the accents of western European languages).
    pub code_page: String,
}

/// Which device a Test button checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeviceKind {
    Printer,
    Drawer,
    Scanner,
    Scale,
    Display,
}

/// What the receipt printer did with a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PrintStatus {
    Printed,
    /// Kept in the print queue: it prints by itself once the printer is fixed.
    Queued,
    NoPrinter,
}

/// What the drawer did for a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DrawerStatus {
    Opened,
    /// The pulse could not be sent (see the problems).
    Failed,
    /// No cash was taken, so the drawer stayed shut.
    NotNeeded,
    NoDrawer,
}

/// What the devices did once a sale was completed (or a copy was asked for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SaleDevicesView {
    pub sale_id: String,
    pub print: PrintStatus,
    pub drawer: DrawerStatus,
    /// Why the printer or the drawer did not do its part, for the cashier.
    pub problem: Option<String>,
}

/// The receipt printer as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PrinterView {
    pub configured: bool,
    /// Receipts and refund slips still to print.
    pub waiting: i64,
    /// Why printing stopped (paper out, offline...); `None` when all is well.
    pub problem: Option<String>,
    pub at_ms: i64,
}

/// A code read by a serial scanner, or why it was refused (a bad check digit, a
/// symbology the till does not take): the `scan` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScanEvent {
    pub code: Option<String>,
    pub error: Option<ApiError>,
}

/// The serial port a [`SerialSettings`] names, checked.
fn serial(s: &SerialSettings) -> CoreResult<SerialConfig> {
    let (path, baud) = crate::devices::config::serial(&format!("{}@{}", s.path.trim(), s.baud))?;
    Ok(SerialConfig { path, baud })
}

fn serial_settings(s: &SerialConfig) -> SerialSettings {
    SerialSettings {
        path: s.path.clone(),
        baud: s.baud,
    }
}

/// The form's printer as a driver configuration, keeping what the form does not show
/// (columns, confirmation wait, the drawer's sensor level) from `before`.
pub(super) fn printer_config(
    p: &PrinterSettings,
    before: Option<&PrinterConfig>,
) -> CoreResult<PrinterConfig> {
    let connection = match &p.connection {
        ConnectionSettings::Tcp { host, port } => Connection::Tcp {
            host: host.trim().to_owned(),
            port: *port,
        },
        ConnectionSettings::Serial { path, baud } => {
            let s = serial(&SerialSettings {
                path: path.clone(),
                baud: *baud,
            })?;
            Connection::Serial {
                path: s.path,
                baud: s.baud,
            }
        }
        ConnectionSettings::File { path } => Connection::File {
            path: path.trim().to_owned(),
        },
    };
    if matches!(&connection, Connection::Tcp { host, .. } | Connection::File { path: host } if host.is_empty())
    {
        return Err(crate::error::CoreError::invalid(
            "enter the printer's address (host name or IP) or device path",
        ));
    }
    let mut c = match before {
        Some(b) => PrinterConfig {
            connection,
            paper_mm: p.paper_mm,
            ..b.clone()
        },
        None => PrinterConfig::new(connection, p.paper_mm)?,
    };
    c.cut = p.cut;
    c.drawer = DrawerConfig {
        pin: p.drawer_pin,
        on_ms: p.pulse_ms,
        ..c.drawer
    };
    c.check()?;
    Ok(c)
}

/// The whole form as this terminal's device configuration; `before` keeps what the form
/// does not show (the scanner's prefix and suffix, the printer's finer settings).
pub(super) fn config(s: &DeviceSettings, before: &DeviceConfig) -> CoreResult<DeviceConfig> {
    let scanner = s
        .scanner
        .as_ref()
        .map(|sc| -> CoreResult<ScannerConfig> {
            let port = serial(sc)?;
            Ok(match &before.scanner {
                Some(b) => ScannerConfig { port, ..b.clone() },
                None => ScannerConfig {
                    port,
                    prefix: String::new(),
                    suffix: "\r".into(),
                },
            })
        })
        .transpose()?;
    Ok(DeviceConfig {
        printer: match &s.printer {
            Some(p) => Some(printer_config(p, before.printer.as_ref())?),
            None => None,
        },
        scanner,
        scale: s.scale.as_ref().map(serial).transpose()?,
        display: s.display.as_ref().map(serial).transpose()?,
    })
}

/// This terminal's configuration as the form shows it.
pub(super) fn settings(c: &DeviceConfig) -> DeviceSettings {
    DeviceSettings {
        printer: c.printer.as_ref().map(|p| PrinterSettings {
            connection: match &p.connection {
                Connection::Tcp { host, port } => ConnectionSettings::Tcp {
                    host: host.clone(),
                    port: *port,
                },
                Connection::Serial { path, baud } => ConnectionSettings::Serial {
                    path: path.clone(),
                    baud: *baud,
                },
                Connection::File { path } => ConnectionSettings::File { path: path.clone() },
            },
            paper_mm: p.paper_mm,
            cut: p.cut,
            drawer_pin: p.drawer.pin,
            pulse_ms: p.drawer.on_ms,
        }),
        scanner: c.scanner.as_ref().map(|s| serial_settings(&s.port)),
        scale: c.scale.as_ref().map(serial_settings),
        display: c.display.as_ref().map(serial_settings),
        code_page: "CP858".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> DeviceSettings {
        DeviceSettings {
            printer: Some(PrinterSettings {
                connection: ConnectionSettings::Tcp {
                    host: " 10.0.0.5 ".into(),
                    port: 9100,
                },
                paper_mm: 58,
                cut: false,
                drawer_pin: 5,
                pulse_ms: 120,
            }),
            scanner: Some(SerialSettings {
                path: "/dev/ttyACM0".into(),
                baud: 9600,
            }),
            scale: None,
            display: Some(SerialSettings {
                path: "/dev/ttyUSB1".into(),
                baud: 19200,
            }),
            code_page: "CP858".into(),
        }
    }

    #[test]
    fn the_form_round_trips_and_keeps_what_it_does_not_show() {
        let before = DeviceConfig {
            scanner: Some(ScannerConfig {
                port: SerialConfig {
                    path: "/dev/old".into(),
                    baud: 9600,
                },
                prefix: "]E0".into(),
                suffix: "\r\n".into(),
            }),
            ..DeviceConfig::default()
        };
        let c = config(&form(), &before).unwrap();
        let p = c.printer.as_ref().unwrap();
        assert_eq!(
            p.connection.to_string(),
            "tcp:10.0.0.5:9100",
            "host trimmed"
        );
        assert_eq!(
            (p.columns(), p.cut, p.drawer.pin, p.drawer.on_ms),
            (32, false, 5, 120)
        );
        let sc = c.scanner.as_ref().unwrap();
        assert_eq!(
            (
                sc.port.path.as_str(),
                sc.prefix.as_str(),
                sc.suffix.as_str()
            ),
            ("/dev/ttyACM0", "]E0", "\r\n"),
            "the scanner's programmed prefix and suffix survive a save from the form"
        );
        assert_eq!(
            settings(&c).display,
            form().display,
            "what was saved is what the form shows again"
        );
    }

    #[test]
    fn bad_settings_are_refused_with_what_to_fix() {
        let mut f = form();
        f.printer.as_mut().unwrap().paper_mm = 76;
        let e = config(&f, &DeviceConfig::default()).unwrap_err();
        assert!(e.to_string().contains("58 or 80 mm"), "{e}");
        let mut f = form();
        f.display.as_mut().unwrap().baud = 1234;
        let e = config(&f, &DeviceConfig::default()).unwrap_err();
        assert!(e.to_string().contains("baud"), "{e}");
        let mut f = form();
        f.printer.as_mut().unwrap().connection = ConnectionSettings::Tcp {
            host: "  ".into(),
            port: 9100,
        };
        let e = config(&f, &DeviceConfig::default()).unwrap_err();
        assert!(e.to_string().contains("address"), "{e}");
    }
}
