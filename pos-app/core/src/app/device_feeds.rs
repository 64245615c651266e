//! The devices that run beside the screens: a serial scanner read on its own thread, whose
//! codes reach the sell screen as a keyboard-wedge scan would, and the customer's pole
//! display, which follows the cart (the last item rung up and the total).

use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::Till;
use super::device_views::ScanEvent;
use super::devices::{amount, show};
use super::views::{ApiError, CartView};
use crate::devices::config::{self, ScannerConfig};
use crate::devices::display;
use crate::devices::scanner::{self, ScanResult, ScannerThread};
use crate::error::{CoreError, CoreResult};
use crate::receipt::two_col_in;
use crate::terminal::Terminal;

/// How soon a scanner that went away (unplugged) is looked for again.
const SCANNER_RETRY: Duration = Duration::from_secs(2);

/// The two lines of the pole display.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisplayLines {
    pub upper: String,
    pub lower: String,
}

/// A running serial scanner; reading stops when this is dropped.
pub struct ScannerFeed {
    _thread: ScannerThread,
    scans: mpsc::UnboundedReceiver<ScanResult>,
}

impl ScannerFeed {
    /// The next scan, checked; `None` once the scanner thread ended.
    pub async fn next(&mut self) -> Option<ScanEvent> {
        self.scans.recv().await.map(|scan| scan_event(&scan))
    }
}

fn scan_event(scan: &ScanResult) -> ScanEvent {
    match scan {
        Ok(code) => ScanEvent {
            code: Some(code.as_str().to_owned()),
            error: None,
        },
        Err(e) => ScanEvent {
            code: None,
            error: Some(ApiError {
                code: e.code().to_owned(),
                message: e.to_string(),
            }),
        },
    }
}

impl Till {
    /// Starts reading the configured serial scanner, if one is set up.
    pub async fn scanner_feed(&self) -> CoreResult<Option<ScannerFeed>> {
        let Some(c) = config::load(&self.db).await?.scanner else {
            return Ok(None);
        };
        let (tx, scans) = mpsc::unbounded_channel();
        tracing::info!(port = %c.port.path, "reading the serial scanner");
        Ok(Some(ScannerFeed {
            _thread: scanner::spawn(c, tx, SCANNER_RETRY),
            scans,
        }))
    }

    /// What the pole display should show, updated on every cart change.
    pub fn display_feed(&self) -> watch::Receiver<DisplayLines> {
        self.display.subscribe()
    }

    /// Writes `lines` to the pole display when one is set up.
    pub async fn show_on_display(&self, lines: DisplayLines) -> CoreResult<()> {
        if let Some(d) = config::load(&self.db).await?.display {
            show(d, (lines.upper, lines.lower)).await?;
        }
        Ok(())
    }

    /// The display follows a changed cart: the line just rung up (or changed) and the
    /// total; an empty cart shows the shop's name.
    pub(super) fn display_cart(&self, t: &Terminal, view: &CartView) {
        let lines = match view
            .last_line_no
            .and_then(|n| view.lines.iter().find(|l| l.line_no == n))
            .or_else(|| view.lines.last())
        {
            Some(line) => {
                let (upper, lower) = display::item_and_total(
                    &line.name,
                    &amount(line.gross_minor, t),
                    &amount(view.total_minor, t),
                );
                DisplayLines { upper, lower }
            }
            None => DisplayLines {
                upper: t.shop_name.clone(),
                lower: String::new(),
            },
        };
        self.display.send_if_modified(|now| {
            let changed = *now != lines;
            *now = lines;
            changed
        });
    }

    /// After a sale: its total and the change to hand back.
    pub(super) fn display_sale(&self, t: &Terminal, total_minor: i64, change_minor: i64) {
        let line = |label, minor| two_col_in(label, &amount(minor, t), display::COLUMNS);
        self.display.send_replace(DisplayLines {
            upper: line("TOTAL", total_minor),
            lower: line("CHANGE", change_minor),
        });
    }
}

/// The Test button of the scanner: opens its port and waits for one code.
pub(super) async fn listen_once(c: ScannerConfig, within: Duration) -> CoreResult<String> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let port = c.port.path.clone();
    // Opening the port first says at once whether the scanner is there at all.
    let link = crate::devices::link::open_serial(&port, c.port.baud, "scanner", within);
    drop(link.map_err(CoreError::from)?);
    let _thread = scanner::spawn(c, tx, SCANNER_RETRY);
    match tokio::time::timeout(within, rx.recv()).await {
        Ok(Some(Ok(code))) => Ok(format!("scanned {code} ({:?})", code.symbology())),
        Ok(Some(Err(e))) => Err(e.into()),
        Ok(None) | Err(_) => Ok(format!(
            "the scanner's port {port} is open but no code came within {} s; scan a barcode while testing",
            within.as_secs()
        )),
    }
}
