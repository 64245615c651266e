//! Serial and USB-CDC barcode scanners: a code per line, with the prefix and suffix the
//! scanner is programmed to add stripped, checked (EAN-13/8, UPC-A/E, GTIN-14, Code 128)
//! before it reaches the cart. The port is read on its own thread and reopened after an
//! unplug, so a scanner pulled out mid-shift comes back by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use pos_shared::barcode::Barcode;

use super::config::ScannerConfig;
use super::error::{DeviceError, DeviceResult};
use super::link::{self, Link};

/// Longest line a scanner sends (a GS1-128 code is at most 48 characters; room for AIs).
const MAX_LINE: usize = 256;

/// A read from the scanner: the checked code, or why it was refused.
pub type ScanResult = Result<Barcode, DeviceError>;

/// Checks one line the scanner sent, `prefix` stripped.
pub fn check(line: &str, prefix: &str) -> ScanResult {
    let code = line.strip_prefix(prefix).unwrap_or(line).trim();
    if let Some(bad) = code.chars().find(|c| c.is_control()) {
        return Err(DeviceError::BadScan(format!(
            "the scanner sent a control character ({:#04x}); check its prefix and suffix settings, then scan again",
            u32::from(bad)
        )));
    }
    Barcode::parse(code).map_err(|e| DeviceError::BadScan(format!("bad scan `{code}`: {e}")))
}

/// Reads lines ending with `suffix` from a scanner's link.
pub struct LineReader {
    link: Box<dyn Link>,
    suffix: Vec<u8>,
    buf: Vec<u8>,
}

impl LineReader {
    pub fn new(link: Box<dyn Link>, suffix: &str) -> Self {
        Self {
            link,
            suffix: suffix.as_bytes().to_vec(),
            buf: Vec::new(),
        }
    }

    /// Whether `b` ends a line: the suffix's last byte, and for the usual CR or LF suffix
    /// either of them, since scanners differ on CR, LF or CR LF.
    fn ends(&self, b: u8) -> bool {
        let line_end = self.suffix.iter().all(|s| matches!(s, b'\r' | b'\n'));
        if line_end {
            matches!(b, b'\r' | b'\n')
        } else {
            self.buf.ends_with(&self.suffix)
        }
    }

    /// The next non-empty line, waiting at most `timeout` for each byte.
    pub fn next_line(&mut self, timeout: Duration) -> DeviceResult<Option<String>> {
        while let Some(b) = self.link.read_byte(timeout)? {
            self.buf.push(b);
            if self.ends(b) {
                let cut = if self.suffix.iter().all(|s| matches!(s, b'\r' | b'\n')) {
                    1
                } else {
                    self.suffix.len()
                };
                let mut line = std::mem::take(&mut self.buf);
                line.truncate(line.len().saturating_sub(cut));
                if !line.is_empty() {
                    return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
                }
            } else if self.buf.len() > MAX_LINE {
                self.buf.clear();
                return Err(DeviceError::BadScan(
                    "the scanner sent a line without an end; set its suffix to CR (Enter)".into(),
                ));
            }
        }
        Ok(None)
    }
}

/// A scanner read on its own thread; stops when dropped.
pub struct ScannerThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for ScannerThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts reading `config`'s scanner: every checked scan (or refusal) goes to `scans`.
/// A port that cannot be opened, or goes away, is tried again every `retry`.
pub fn spawn(
    config: ScannerConfig,
    scans: tokio::sync::mpsc::UnboundedSender<ScanResult>,
    retry: Duration,
) -> ScannerThread {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        while !flag.load(Ordering::Relaxed) && !scans.is_closed() {
            if let Err(e) = read_until_gone(&config, &scans, &flag) {
                tracing::warn!(error = %e, "scanner");
                std::thread::sleep(retry);
            }
        }
    });
    ScannerThread {
        stop,
        thread: Some(thread),
    }
}

fn read_until_gone(
    config: &ScannerConfig,
    scans: &tokio::sync::mpsc::UnboundedSender<ScanResult>,
    stop: &AtomicBool,
) -> DeviceResult<()> {
    let port = &config.port;
    let link = link::open_serial(&port.path, port.baud, "scanner", Duration::from_millis(200))?;
    let mut reader = LineReader::new(Box::new(link), &config.suffix);
    while !stop.load(Ordering::Relaxed) {
        let scan = match reader.next_line(Duration::from_millis(200)) {
            Ok(Some(line)) => check(&line, &config.prefix),
            Ok(None) => continue,
            Err(e @ DeviceError::BadScan(_)) => Err(e),
            Err(e) => return Err(e),
        };
        if scans.send(scan).is_err() {
            break;
        }
    }
    Ok(())
}
