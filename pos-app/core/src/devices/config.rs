//! Which device sits on which port: one terminal's device settings, kept as one JSON value
//! (`devices`) in its settings table, so each till of a shop has its own.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::{DeviceError, DeviceResult};
use crate::error::CoreResult;
use crate::store::{LocalDb, get_setting, set_setting};

/// The settings key holding [`DeviceConfig`].
pub const SETTING: &str = "devices";

/// How the terminal reaches a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Connection {
    /// A network printer's raw port (9100 on nearly every model).
    Tcp { host: String, port: u16 },
    /// A device node or file written to as is (`/dev/usb/lp0`, a capture file); it cannot
    /// answer, so nothing is read back. A path `usb:VID:PID` names a USB printer by its
    /// ids: its node is looked up in sysfs each time it is opened ([`super::usb`]), so it
    /// is found again after a replug renumbers it. (A variant of its own would break the
    /// exhaustive matches of code that shows connections.)
    File { path: String },
    /// A serial or USB-CDC port (`/dev/ttyUSB0`, `/dev/ttyACM0`, a pty).
    Serial { path: String, baud: u32 },
}

/// Baud rates serial POS devices are set to.
const BAUDS: [u32; 7] = [2400, 4800, 9600, 19200, 38400, 57600, 115200];

impl FromStr for Connection {
    type Err = DeviceError;

    /// `tcp:HOST[:PORT]`, `file:PATH`, `usb:VID:PID` (hex ids) or `serial:PATH[@BAUD]`
    /// (9600 by default; PATH may be `usb:VID:PID` for a USB-CDC device).
    fn from_str(s: &str) -> DeviceResult<Self> {
        let bad = || {
            DeviceError::Config(format!(
                "`{s}` is not a connection; write tcp:HOST[:PORT], file:PATH, usb:VID:PID or serial:PATH[@BAUD]"
            ))
        };
        let (scheme, rest) = s.split_once(':').ok_or_else(bad)?;
        if rest.is_empty() {
            return Err(bad());
        }
        match scheme {
            "tcp" => {
                let (host, port) = match rest.rsplit_once(':') {
                    Some((h, p)) => (h, p.parse().map_err(|_| bad())?),
                    None => (rest, 9100),
                };
                Ok(Connection::Tcp {
                    host: host.to_owned(),
                    port,
                })
            }
            "file" => Ok(Connection::File {
                path: rest.to_owned(),
            }),
            "usb" => super::usb::UsbId::parse(rest).map(|id| Connection::File {
                path: id.to_string(),
            }),
            "serial" => serial(rest).map(|(path, baud)| Connection::Serial { path, baud }),
            _ => Err(bad()),
        }
    }
}

/// `PATH[@BAUD]`, the baud checked against the usual rates.
pub fn serial(spec: &str) -> DeviceResult<(String, u32)> {
    let (path, baud) = match spec.rsplit_once('@') {
        Some((p, b)) => (
            p,
            b.parse()
                .map_err(|_| DeviceError::Config(format!("baud `{b}` is not a number")))?,
        ),
        None => (spec, 9600),
    };
    if !BAUDS.contains(&baud) {
        return Err(DeviceError::Config(format!(
            "{baud} baud is not a serial rate POS devices use; pick one of {BAUDS:?}"
        )));
    }
    if path.is_empty() {
        return Err(DeviceError::Config("give the serial port's path".into()));
    }
    if let Some(ids) = path.strip_prefix("usb:") {
        super::usb::UsbId::parse(ids)?;
    }
    Ok((path.to_owned(), baud))
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Connection::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
            Connection::File { path } if super::usb::UsbId::parse(path).is_ok() => {
                f.write_str(path)
            }
            Connection::File { path } => write!(f, "file:{path}"),
            Connection::Serial { path, baud } => write!(f, "serial:{path}@{baud}"),
        }
    }
}

/// The cash drawer wired to the printer's drawer port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawerConfig {
    /// Connector pin 2 (the usual drawer) or 5 (a second drawer).
    pub pin: u8,
    /// How long the solenoid is driven; drawers want 50-200 ms.
    pub on_ms: u16,
    pub off_ms: u16,
    /// The drawer's switch reports open with pin 3 high (most drawers) or low.
    pub open_high: bool,
}

impl Default for DrawerConfig {
    fn default() -> Self {
        Self {
            pin: 2,
            on_ms: 100,
            off_ms: 500,
            open_high: true,
        }
    }
}

/// The receipt printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterConfig {
    pub connection: Connection,
    /// Paper width: 58 or 80 mm.
    pub paper_mm: u16,
    /// Characters per line in font A; by default 32 on 58 mm paper, 48 on 80 mm.
    #[serde(default)]
    pub columns: Option<usize>,
    /// Whether the printer has a cutter (otherwise the paper is fed for tearing off).
    #[serde(default = "yes")]
    pub cut: bool,
    #[serde(default)]
    pub drawer: DrawerConfig,
    /// How long a job may wait for the printer's confirmation while the printer is still
    /// answering (out of paper mid-receipt, cover open), before the connection is given up.
    #[serde(default = "confirm_secs")]
    pub confirm_secs: u64,
    /// A PNG printed on top of every receipt, scaled to the paper (`None`: no logo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
}

fn yes() -> bool {
    true
}

fn confirm_secs() -> u64 {
    600
}

impl PrinterConfig {
    pub fn new(connection: Connection, paper_mm: u16) -> DeviceResult<Self> {
        let c = Self {
            connection,
            paper_mm,
            columns: None,
            cut: true,
            drawer: DrawerConfig::default(),
            confirm_secs: confirm_secs(),
            logo: None,
        };
        c.check()?;
        Ok(c)
    }

    /// Characters per printed line.
    pub fn columns(&self) -> usize {
        self.columns
            .unwrap_or(if self.paper_mm <= 58 { 32 } else { 48 })
    }

    pub fn check(&self) -> DeviceResult<()> {
        if !matches!(self.paper_mm, 58 | 80) {
            return Err(DeviceError::Config(format!(
                "paper of {} mm: Kassa prints on 58 or 80 mm rolls",
                self.paper_mm
            )));
        }
        if let Some(c) = self.columns
            && !(24..=64).contains(&c)
        {
            return Err(DeviceError::Config(format!(
                "{c} columns: a receipt printer prints 24 to 64 characters a line"
            )));
        }
        let d = self.drawer;
        if !matches!(d.pin, 2 | 5) {
            return Err(DeviceError::Config(format!(
                "drawer pin {}: the drawer port has pins 2 and 5",
                d.pin
            )));
        }
        // ESC p counts in 2 ms steps up to 255: 510 ms at most.
        if d.on_ms == 0 || d.on_ms > 510 || d.off_ms > 510 {
            return Err(DeviceError::Config(
                "drawer pulse times are 2 to 510 ms".into(),
            ));
        }
        Ok(())
    }
}

/// A serial device: the port and its speed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SerialConfig {
    pub path: String,
    pub baud: u32,
}

/// A serial or USB-CDC barcode scanner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannerConfig {
    pub port: SerialConfig,
    /// Characters the scanner is programmed to send before each code, stripped.
    #[serde(default)]
    pub prefix: String,
    /// What ends each code (CR by default; CR LF and LF are also taken).
    #[serde(default = "cr")]
    pub suffix: String,
}

fn cr() -> String {
    "\r".into()
}

/// Every device of one terminal; `None` is "not connected".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceConfig {
    pub printer: Option<PrinterConfig>,
    pub scanner: Option<ScannerConfig>,
    /// A Toledo 8217 scale.
    pub scale: Option<SerialConfig>,
    /// A 2x20 customer pole display.
    pub display: Option<SerialConfig>,
}

/// This terminal's devices (none set up: all `None`).
pub async fn load(db: &LocalDb) -> CoreResult<DeviceConfig> {
    match get_setting(db.pool(), SETTING).await? {
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            DeviceError::Config(format!(
                "the stored device settings cannot be read ({e}); set the devices again"
            ))
            .into()
        }),
        None => Ok(DeviceConfig::default()),
    }
}

/// Stores `config`. A printer set up on a till that has been selling starts at the
/// journal's head, or its first job would be the till's whole history.
pub async fn save(db: &LocalDb, config: &DeviceConfig) -> CoreResult<()> {
    if let Some(p) = &config.printer {
        p.check()?;
    }
    let json = serde_json::to_string(config)
        .map_err(|e| DeviceError::Config(format!("device settings do not serialise: {e}")))?;
    let mut tx = db.begin().await?;
    set_setting(&mut *tx, SETTING, &json).await?;
    if config.printer.is_some() {
        sqlx::query(
            "INSERT OR IGNORE INTO settings (key, value)
             SELECT ?, coalesce(max(seq), 0) FROM journal",
        )
        .bind(crate::print_queue::PRINTED_THROUGH)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_parse_and_print_back() {
        for spec in [
            "tcp:10.0.0.5:9100",
            "file:/dev/usb/lp0",
            "serial:/dev/ttyUSB0@19200",
            "usb:04b8:0e15",
            "serial:usb:05e0:1200@9600",
        ] {
            let c: Connection = spec.parse().unwrap();
            assert_eq!(c.to_string(), spec);
        }
        let default_port: Connection = "tcp:printer.local".parse().unwrap();
        assert_eq!(default_port.to_string(), "tcp:printer.local:9100");
        assert!("usb:1234".parse::<Connection>().is_err());
        assert!("usb:04b8:zz15".parse::<Connection>().is_err());
        assert!("serial:usb:04b8@9600".parse::<Connection>().is_err());
        assert!(
            "serial:/dev/ttyS0@1234".parse::<Connection>().is_err(),
            "odd baud"
        );
    }

    #[test]
    fn paper_width_sets_the_columns_and_bad_settings_are_refused() {
        let tcp: Connection = "tcp:127.0.0.1".parse().unwrap();
        assert_eq!(PrinterConfig::new(tcp.clone(), 58).unwrap().columns(), 32);
        assert_eq!(PrinterConfig::new(tcp.clone(), 80).unwrap().columns(), 48);
        assert!(PrinterConfig::new(tcp.clone(), 76).is_err());
        let mut p = PrinterConfig::new(tcp, 80).unwrap();
        p.drawer.pin = 3;
        assert!(
            p.check().is_err(),
            "pin 3 is the drawer's sensor, not a kick pin"
        );
    }
}
