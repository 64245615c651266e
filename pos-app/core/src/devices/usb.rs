//! USB devices named by vendor and product id (`usb:04b8:0e15`), found through sysfs
//! rather than libusb: the kernel already drives them (usblp for printers, cdc_acm or a
//! USB-serial driver for scanners), so the till only needs the device node the driver
//! made, and no udev rule or libusb build is needed. The lookup runs at each open, so a
//! device replugged into another port (and renumbered) is found again.

use std::fmt;
use std::path::{Path, PathBuf};

use super::error::{DeviceError, DeviceResult};

/// Where the kernel lists USB devices and their interfaces.
pub const SYSFS: &str = "/sys/bus/usb/devices";

/// A USB vendor and product id, as `lsusb` shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbId {
    pub vid: u16,
    pub pid: u16,
}

impl UsbId {
    /// `VID:PID` in hex (`04b8:0e15`), with or without a `usb:` in front.
    pub fn parse(text: &str) -> DeviceResult<Self> {
        let bad = || {
            DeviceError::Config(format!(
                "`{text}` is not a USB id; write VID:PID in hex as lsusb shows it, e.g. usb:04b8:0e15"
            ))
        };
        let ids = text.strip_prefix("usb:").unwrap_or(text);
        let (v, p) = ids.split_once(':').ok_or_else(bad)?;
        let hex = |s: &str| {
            (1..=4)
                .contains(&s.len())
                .then(|| u16::from_str_radix(s, 16).ok())
                .flatten()
                .ok_or_else(bad)
        };
        Ok(Self {
            vid: hex(v)?,
            pid: hex(p)?,
        })
    }
}

impl fmt::Display for UsbId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "usb:{:04x}:{:04x}", self.vid, self.pid)
    }
}

/// Which node of the device is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The usblp node (`/dev/usb/lpN`).
    Printer,
    /// A serial port: `ttyACMN` (cdc_acm) or `ttyUSBN` (FTDI, PL2303, CH340...).
    Serial,
}

fn read_id(dir: &Path, file: &str) -> Option<u16> {
    let text = std::fs::read_to_string(dir.join(file)).ok()?;
    u16::from_str_radix(text.trim(), 16).ok()
}

fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The node name `kind` finds in one interface directory.
fn node_in(interface: &Path, kind: Kind) -> Option<String> {
    let (sub, prefixes): (Option<&str>, &[&str]) = match kind {
        Kind::Printer => (Some("usbmisc"), &["lp"]),
        Kind::Serial => (None, &["ttyACM", "ttyUSB"]),
    };
    let wanted = |n: &String| prefixes.iter().any(|p| n.starts_with(p));
    let direct = names(&interface.join(sub.unwrap_or(".")))
        .into_iter()
        .find(wanted);
    // cdc_acm puts its port under `tty/`; USB-serial drivers put it in the interface.
    direct.or_else(|| {
        (kind == Kind::Serial)
            .then(|| names(&interface.join("tty")).into_iter().find(wanted))
            .flatten()
    })
}

/// The device node (under `dev`) of the first device in `sysfs` with `id` that has a
/// `kind` interface; devices are taken in sysfs name order, so the choice is stable.
pub fn find_node(sysfs: &Path, dev: &Path, id: UsbId, kind: Kind) -> Option<PathBuf> {
    for device in names(sysfs).iter().filter(|n| !n.contains(':')) {
        let dir = sysfs.join(device);
        if read_id(&dir, "idVendor") != Some(id.vid) || read_id(&dir, "idProduct") != Some(id.pid) {
            continue;
        }
        let prefix = format!("{device}:");
        let interfaces = names(&dir).into_iter().chain(names(sysfs));
        for interface in interfaces.filter(|n| n.starts_with(&prefix)) {
            let at = if dir.join(&interface).is_dir() {
                dir.join(&interface)
            } else {
                sysfs.join(&interface)
            };
            if let Some(node) = node_in(&at, kind) {
                return Some(match kind {
                    Kind::Printer => dev.join("usb").join(node),
                    Kind::Serial => dev.join(node),
                });
            }
        }
    }
    None
}

/// `path` itself, or for `usb:VID:PID` the node the device has right now.
pub fn resolve(path: &str, kind: Kind, device: &'static str) -> DeviceResult<String> {
    if !path.starts_with("usb:") {
        return Ok(path.to_owned());
    }
    let id = UsbId::parse(path)?;
    find_node(Path::new(SYSFS), Path::new("/dev"), id, kind)
        .map(|p| p.display().to_string())
        .ok_or_else(|| DeviceError::Unavailable {
            device,
            place: id.to_string(),
            detail: format!(
                "no USB device {:04x}:{:04x} with a {} interface is plugged in (see lsusb)",
                id.vid,
                id.pid,
                if kind == Kind::Printer {
                    "printer"
                } else {
                    "serial"
                }
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake `/sys/bus/usb/devices`: a hub, an Epson printer on usblp, a Honeywell scanner
    /// on cdc_acm (port under tty/) and an FTDI scale adapter (port in the interface).
    fn sysfs() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let dev = |name: &str, vid: &str, pid: &str, node: &str| {
            let d = dir.path().join(name);
            std::fs::create_dir_all(d.join(format!("{name}:1.0")).join(node)).unwrap();
            std::fs::write(d.join("idVendor"), format!("{vid}\n")).unwrap();
            std::fs::write(d.join("idProduct"), format!("{pid}\n")).unwrap();
        };
        dev("usb1", "1d6b", "0002", "");
        dev("1-1", "04b8", "0e15", "usbmisc/lp1");
        dev("1-2", "0c2e", "0b61", "tty/ttyACM0");
        dev("1-3", "0403", "6001", "ttyUSB2");
        dir
    }

    #[test]
    fn printers_and_serial_ports_are_found_by_their_ids() {
        let sys = sysfs();
        let find = |id: &str, kind| {
            find_node(
                sys.path(),
                Path::new("/dev"),
                UsbId::parse(id).unwrap(),
                kind,
            )
            .map(|p| p.display().to_string())
        };
        assert_eq!(
            find("04b8:0e15", Kind::Printer).as_deref(),
            Some("/dev/usb/lp1")
        );
        assert_eq!(
            find("0c2e:0b61", Kind::Serial).as_deref(),
            Some("/dev/ttyACM0")
        );
        assert_eq!(
            find("0403:6001", Kind::Serial).as_deref(),
            Some("/dev/ttyUSB2")
        );
        assert_eq!(
            find("04b8:0e15", Kind::Serial),
            None,
            "a printer is no serial port"
        );
        assert_eq!(find("04b8:0202", Kind::Printer), None, "not plugged in");
    }

    #[test]
    fn ids_parse_as_lsusb_writes_them() {
        assert_eq!(
            UsbId::parse("usb:04B8:e15").unwrap(),
            UsbId {
                vid: 0x04b8,
                pid: 0x0e15
            }
        );
        assert_eq!(
            UsbId::parse("04b8:0e15").unwrap().to_string(),
            "usb:04b8:0e15"
        );
        for bad in ["04b8", "04b8:", "xyz:0e15", "04b80:1"] {
            assert!(UsbId::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            resolve("usb:ffff:fffe", Kind::Printer, "printer"),
            Err(DeviceError::Unavailable { .. })
        ));
        assert_eq!(
            resolve("/dev/usb/lp0", Kind::Printer, "printer").unwrap(),
            "/dev/usb/lp0"
        );
    }
}
