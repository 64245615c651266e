//! The receipt printer driver: status read back, a job printed and confirmed, the drawer
//! kicked. Blocking, over any [`Link`]; one `Printer` per open connection.

use std::time::{Duration, Instant};

use super::config::{DrawerConfig, PrinterConfig};
use super::encode;
use super::error::{DeviceError, DeviceResult};
use super::link::{self, Link};
use super::printer_status::{self, PrinterStatus};

/// How long a status byte may take: printers answer DLE EOT within milliseconds.
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a job waiting for its confirmation checks what the printer is doing.
const POLL: Duration = Duration::from_secs(1);
/// A printer that reports ready this long after a job without confirming it does not
/// implement `GS r`; the job is taken as printed rather than printed again and again.
const READY_GRACE: Duration = Duration::from_secs(10);

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The printer said it processed the whole job.
    Confirmed,
    /// Written to a link that cannot answer (a device file): as good as it gets.
    Sent,
}

/// An open receipt printer.
pub struct Printer {
    link: Box<dyn Link>,
    drawer: DrawerConfig,
    /// A `GS r` answer arrived: the last job has been processed.
    confirmed: bool,
}

impl Printer {
    pub fn new(link: Box<dyn Link>, drawer: DrawerConfig) -> Self {
        Self {
            link,
            drawer,
            confirmed: false,
        }
    }

    /// Connects to the printer `config` names.
    pub fn connect(config: &PrinterConfig) -> DeviceResult<Self> {
        let link = link::open(&config.connection, "printer", Duration::from_secs(3))?;
        Ok(Self::new(link, config.drawer))
    }

    /// The next status byte; any other byte is a job's confirmation, noted on the way.
    fn status_byte(&mut self) -> DeviceResult<u8> {
        let deadline = Instant::now() + STATUS_TIMEOUT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.link.read_byte(left)? {
                Some(b) if printer_status::is_status_byte(b) => return Ok(b),
                Some(_) => self.confirmed = true,
                None => break,
            }
        }
        Err(DeviceError::link(
            "printer",
            "no answer to a status request",
        ))
    }

    /// What the printer says about itself; `None` when the link cannot answer.
    pub fn status(&mut self) -> DeviceResult<Option<PrinterStatus>> {
        if !self.link.answers() {
            return Ok(None);
        }
        let mut replies = [0u8; 4];
        for (n, reply) in (1u8..=4).zip(replies.iter_mut()) {
            self.link.send(&printer_status::request(n))?;
            *reply = self.status_byte()?;
        }
        PrinterStatus::from_replies(replies, self.drawer.open_high)
            .map(Some)
            .ok_or_else(|| DeviceError::Protocol {
                device: "printer",
                detail: format!("status bytes {replies:02x?}"),
            })
    }

    /// Prints `job` and waits until the printer confirms it. A printer that is not ready
    /// gets nothing. A printer stopped mid-job (paper out) keeps the rest of the job and
    /// prints it once the fault is cleared; this waits for that up to `wait`, calling
    /// `stuck` with the status each time it asks, so the job is never sent twice while
    /// the printer still holds it.
    pub fn print(
        &mut self,
        job: &[u8],
        wait: Duration,
        mut stuck: impl FnMut(&PrinterStatus),
    ) -> DeviceResult<Delivery> {
        if let Some(s) = self.status()?
            && !s.ready()
        {
            return Err(DeviceError::PrinterNotReady(s));
        }
        self.link.send(job)?;
        if !self.link.answers() {
            return Ok(Delivery::Sent);
        }
        self.confirmed = false;
        self.link.send(&encode::CONFIRM)?;
        let start = Instant::now();
        let mut ready_since: Option<Instant> = None;
        let mut last = PrinterStatus::default();
        while start.elapsed() < wait {
            if let Some(b) = self.link.read_byte(POLL)? {
                self.confirmed |= !printer_status::is_status_byte(b);
            }
            if self.confirmed {
                return Ok(Delivery::Confirmed);
            }
            last = self.status()?.unwrap_or_default();
            if self.confirmed {
                return Ok(Delivery::Confirmed);
            }
            if last.ready() {
                let since = *ready_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= READY_GRACE {
                    tracing::warn!("the printer does not confirm jobs (GS r); taken as printed");
                    return Ok(Delivery::Confirmed);
                }
            } else {
                ready_since = None;
                stuck(&last);
            }
        }
        Err(DeviceError::Unconfirmed {
            secs: wait.as_secs(),
            status: last.to_string(),
        })
    }

    /// Opens the drawer. `ESC p` waits behind any data a fault holds up, so a printer that
    /// is not ready gets the real-time pulse `DLE DC4 1` instead (in 100 ms steps): the
    /// drawer opens for a cash sale even with the paper out.
    pub fn kick(&mut self) -> DeviceResult<()> {
        let ready = self.status()?.is_none_or(|s| s.ready());
        if ready {
            self.link.send(&encode::drawer_pulse(&self.drawer))
        } else {
            let m = if self.drawer.pin == 5 { 1 } else { 0 };
            let t = u8::try_from(self.drawer.on_ms.div_ceil(100).clamp(1, 8)).unwrap_or(1);
            self.link.send(&[0x10, 0x14, 1, m, t])
        }
    }
}
