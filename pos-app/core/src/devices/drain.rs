//! The print queue's drainer: prints each queued receipt and refund slip in journal order
//! and moves the printer's cursor past a document only once the printer confirmed it. A
//! printer that is off, out of paper or unplugged leaves the documents queued and is tried
//! again with backoff; sales never wait for any of this.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::config::PrinterConfig;
use super::encode::{self, Finish};
use super::error::{DeviceError, DeviceResult};
use super::layout::{self, Block, Document};
use super::printer::Printer;
use super::raster::{self, Raster};
use crate::error::{CoreError, CoreResult};
use crate::print_queue;
use crate::store::{LocalDb, set_setting};
use crate::terminal::Terminal;

/// Where the drainer last stood, for `pos status` and the app (settings key).
pub const STATE_SETTING: &str = "printer_state";
/// Longest pause between two tries at a printer that keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Opens the printer; tests put a wrapper around the link here.
pub type Connect = Arc<dyn Fn(&PrinterConfig) -> DeviceResult<Printer> + Send + Sync>;

/// The usual way to reach the configured printer.
pub fn connect_configured() -> Connect {
    Arc::new(Printer::connect)
}

/// The ESC/POS job for `doc` on the printer `config` describes, with its logo on top.
pub fn job(doc: &Document, config: &PrinterConfig, copy: bool) -> DeviceResult<Vec<u8>> {
    blocks_job(layout::blocks(doc, config.columns(), copy), config)
}

/// The job printing `blocks` on `config`'s printer: its logo on top, its QR size, its cut.
pub fn blocks_job(blocks: Vec<Block>, config: &PrinterConfig) -> DeviceResult<Vec<u8>> {
    let finish = Finish {
        cut: config.cut,
        qr_module: if config.columns() <= 32 { 3 } else { 4 },
    };
    let blocks = match logo(config) {
        Some(logo) => layout::with_logo(blocks, logo),
        None => blocks,
    };
    encode::job(&blocks, finish)
}

/// The configured logo. One that cannot be read is left off with a warning: a receipt
/// without its logo beats no receipt.
fn logo(config: &PrinterConfig) -> Option<Raster> {
    let path = config.logo.as_deref()?;
    match raster::logo(Path::new(path), raster::paper_dots(config.paper_mm)) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!(error = %e, "printing without the logo");
            None
        }
    }
}

/// The outcome of one pass over the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterState {
    pub printed: usize,
    /// Documents still waiting.
    pub waiting: i64,
    /// Why the pass stopped early, for the cashier.
    pub problem: Option<String>,
    pub at_ms: i64,
}

/// Prints what waits, oldest first, until the queue is empty or the printer fails. The
/// failure is returned in the state, never as an error: it is the printer's, not the
/// till's. Errors are the database's.
pub async fn drain_once(
    db: &LocalDb,
    t: &Terminal,
    config: &PrinterConfig,
    connect: &Connect,
) -> CoreResult<PrinterState> {
    let mut printed = 0;
    let mut printer: Option<Printer> = None;
    let problem = loop {
        let Some(next) = print_queue::next(db, 1).await?.pop() else {
            break None;
        };
        let bytes = job(&print_queue::document(db, t, &next).await?, config, false)?;
        let (back, result) = print_blocking(printer.take(), config, connect, bytes).await;
        printer = back;
        match result {
            Ok(()) => {
                print_queue::advance(db, next.seq).await?;
                printed += 1;
                tracing::info!(seq = next.seq, id = %next.id, "printed");
            }
            Err(e) => break Some(e.to_string()),
        }
    };
    let state = PrinterState {
        printed,
        waiting: print_queue::waiting(db).await?,
        problem,
        at_ms: db.now_ms(),
    };
    record(db, &state).await?;
    Ok(state)
}

/// Prints `bytes` on `printer` (connecting first when there is none) off the async
/// runtime; hands the printer back while it still works.
pub(super) async fn print_blocking(
    printer: Option<Printer>,
    config: &PrinterConfig,
    connect: &Connect,
    bytes: Vec<u8>,
) -> (Option<Printer>, DeviceResult<()>) {
    let (config, connect) = (config.clone(), connect.clone());
    let joined = tokio::task::spawn_blocking(move || {
        let mut p = match printer {
            Some(p) => p,
            None => match connect(&config) {
                Ok(p) => p,
                Err(e) => return (None, Err(e)),
            },
        };
        let wait = Duration::from_secs(config.confirm_secs);
        let mut told = false;
        let result = p.print(&bytes, wait, |s| {
            if !std::mem::replace(&mut told, true) {
                tracing::warn!(status = %s, "the printer stopped mid-receipt; waiting for it");
            }
        });
        match result {
            Ok(_) => (Some(p), Ok(())),
            Err(e) => (None, Err(e)),
        }
    })
    .await;
    joined.unwrap_or_else(|e| (None, Err(DeviceError::link("printer", e))))
}

/// Stores `state` when it says something new (a problem, or the queue's size changed).
async fn record(db: &LocalDb, state: &PrinterState) -> CoreResult<()> {
    record_as(db, STATE_SETTING, state).await
}

/// [`record`] under the settings key `key` (each printer keeps its own).
pub(super) async fn record_as(db: &LocalDb, key: &str, state: &PrinterState) -> CoreResult<()> {
    let before = state_at(db, key).await?;
    let same = before
        .as_ref()
        .is_some_and(|b| b.problem == state.problem && b.waiting == state.waiting);
    if !same {
        let json = serde_json::to_string(state)
            .map_err(|e| CoreError::invalid(format!("printer state: {e}")))?;
        set_setting(db.pool(), key, &json).await?;
    }
    Ok(())
}

/// What the drainer last reported, if it ever ran.
pub async fn last_state(db: &LocalDb) -> CoreResult<Option<PrinterState>> {
    state_at(db, STATE_SETTING).await
}

pub(super) async fn state_at(db: &LocalDb, key: &str) -> CoreResult<Option<PrinterState>> {
    let json = crate::store::get_setting(db.pool(), key).await?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

/// Drains until `stop` resolves: at once, again whenever `wake` is notified (a sale just
/// completed) or a second passed, and after a failure with backoff (1 s doubling to 30 s).
pub async fn run(
    db: &LocalDb,
    t: &Terminal,
    config: &PrinterConfig,
    connect: Connect,
    wake: Arc<tokio::sync::Notify>,
    stop: impl std::future::Future<Output = ()>,
) -> CoreResult<()> {
    keep_draining(|| drain_once(db, t, config, &connect), wake, stop).await
}

/// Runs `pass` until `stop` resolves, as [`run`] describes.
pub(super) async fn keep_draining<F, P>(
    mut pass: P,
    wake: Arc<tokio::sync::Notify>,
    stop: impl Future<Output = ()>,
) -> CoreResult<()>
where
    P: FnMut() -> F,
    F: Future<Output = CoreResult<PrinterState>>,
{
    tokio::pin!(stop);
    let mut backoff = Duration::from_secs(1);
    loop {
        let state = pass().await?;
        let pause = match &state.problem {
            Some(problem) => {
                tracing::warn!(%problem, waiting = state.waiting, retry_in = ?backoff, "printer");
                let p = backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                p
            }
            None => {
                backoff = Duration::from_secs(1);
                Duration::from_secs(1)
            }
        };
        tokio::select! {
            () = &mut stop => return Ok(()),
            () = wake.notified(), if state.problem.is_none() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}
