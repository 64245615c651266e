//! The printer's state as read back with DLE EOT 1-4 (Epson ESC/POS reference, "DLE EOT":
//! real-time status, answered at once even while printing is stopped by a fault).

use std::fmt;

use serde::{Deserialize, Serialize};

/// `DLE EOT n`: ask for status byte n (1 printer, 2 offline cause, 3 error cause, 4 roll
/// paper sensor).
pub fn request(n: u8) -> [u8; 3] {
    [0x10, 0x04, n]
}

/// What the printer said about itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterStatus {
    pub online: bool,
    pub cover_open: bool,
    pub paper_near_end: bool,
    pub paper_out: bool,
    /// An error (cutter jam, head too hot...) stopped the printer.
    pub error: bool,
    /// The drawer's sensor (connector pin 3), read with the configured open level.
    pub drawer_open: bool,
}

/// Every DLE EOT reply has the pattern 0xx1xx10: bits 1 and 4 set, 0 and 7 clear.
pub fn is_status_byte(b: u8) -> bool {
    b & 0x93 == 0x12
}

impl PrinterStatus {
    /// Reads the four replies (n = 1..=4, in order). `drawer_open_high`: the drawer
    /// reports open with pin 3 high (most drawers; some report it low).
    pub fn from_replies(replies: [u8; 4], drawer_open_high: bool) -> Option<Self> {
        if !replies.iter().all(|&b| is_status_byte(b)) {
            return None;
        }
        let [printer, offline, error, paper] = replies;
        let pin3_high = printer & 0x04 != 0;
        Some(Self {
            online: printer & 0x08 == 0,
            cover_open: offline & 0x04 != 0,
            paper_out: offline & 0x20 != 0 || paper & 0x60 != 0,
            paper_near_end: paper & 0x0C != 0,
            error: offline & 0x40 != 0 || error & 0x68 != 0,
            drawer_open: pin3_high == drawer_open_high,
        })
    }

    /// Ready to take a job: online, paper in, cover shut, no error.
    pub fn ready(&self) -> bool {
        self.online && !self.paper_out && !self.cover_open && !self.error
    }
}

impl fmt::Display for PrinterStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.paper_out {
            parts.push("out of paper");
        } else if self.paper_near_end {
            parts.push("paper near its end");
        }
        if self.cover_open {
            parts.push("cover open");
        }
        if self.error {
            parts.push("printer error");
        }
        if !self.online && parts.is_empty() {
            parts.push("offline");
        }
        if self.drawer_open {
            parts.push("drawer open");
        }
        if parts.is_empty() {
            parts.push("ready");
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_of_a_ready_printer_read_as_ready() {
        let s = PrinterStatus::from_replies([0x12; 4], true).expect("valid replies");
        assert!(s.ready(), "{s}");
        assert_eq!(s.to_string(), "ready");
    }

    #[test]
    fn paper_out_and_cover_open_stop_the_printer() {
        // Bytes as an Epson TM-T20III sends them with the roll empty.
        let out = PrinterStatus::from_replies([0x1A, 0x32, 0x12, 0x7E], true).unwrap();
        assert!(out.paper_out && !out.online && !out.ready(), "{out}");
        let cover = PrinterStatus::from_replies([0x1A, 0x16, 0x12, 0x12], true).unwrap();
        assert!(cover.cover_open && !cover.ready());
        assert_eq!(cover.to_string(), "cover open");
    }

    #[test]
    fn drawer_sensor_level_is_configurable() {
        let high = PrinterStatus::from_replies([0x16, 0x12, 0x12, 0x12], true).unwrap();
        assert!(high.drawer_open);
        let low = PrinterStatus::from_replies([0x16, 0x12, 0x12, 0x12], false).unwrap();
        assert!(!low.drawer_open);
    }

    #[test]
    fn bytes_that_are_not_status_replies_are_refused() {
        assert_eq!(
            PrinterStatus::from_replies([0x00, 0x12, 0x12, 0x12], true),
            None
        );
    }
}
