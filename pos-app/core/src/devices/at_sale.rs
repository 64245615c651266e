//! What the devices do once a sale is committed: open the drawer for a cash sale, print
//! the receipt and the kitchen's order slip. The sale is already done, so every device problem comes back as a message
//! for the cashier, never as an error.

use pos_shared::facts::DrawerReason;
use serde::Serialize;

use super::drain::{self, PrinterState};
use super::{config, kitchen};
use crate::error::CoreResult;
use crate::sales::Sale;
use crate::staff::Staff;
use crate::store::LocalDb;
use crate::terminal::Terminal;

/// How long a till waiting on the spot lets a stuck printer take: the receipt stays
/// queued for the drainer after that.
const WAIT_SECS: u64 = 15;

/// What the devices did for one sale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AfterSale {
    /// No printer is set up: nothing was tried.
    pub no_printer: bool,
    /// `Some(true)` the drawer opened, `Some(false)` it did not (see `problems`).
    pub drawer_opened: Option<bool>,
    pub printing: Option<PrinterState>,
    pub problems: Vec<String>,
}

/// Opens the drawer when `sale` took cash, then prints what the queue holds, and the
/// kitchen's order slips when a kitchen printer is set up (its problems are listed in
/// `problems`, marked as the kitchen printer's).
pub async fn after_sale(
    db: &LocalDb,
    t: &Terminal,
    staff: &Staff,
    sale: &Sale,
) -> CoreResult<AfterSale> {
    // Side by side: the kitchen's slip never waits for a receipt printer out of paper.
    let (receipt, kitchen) =
        tokio::join!(receipt_printer(db, t, staff, sale), kitchen_slips(db, t));
    let mut out = receipt?;
    out.problems.extend(kitchen?);
    Ok(out)
}

/// Prints the kitchen's order slips; its problem, if any, for the cashier. The till's
/// background drainer calls it too, so a failed slip does not wait for the next sale.
pub(crate) async fn kitchen_slips(db: &LocalDb, t: &Terminal) -> CoreResult<Option<String>> {
    let Some(mut k) = kitchen::load(db).await? else {
        return Ok(None);
    };
    k.printer.confirm_secs = k.printer.confirm_secs.min(WAIT_SECS);
    let state = kitchen::drain_once(db, t, &k, &drain::connect_configured()).await?;
    Ok(state.problem.map(|p| format!("kitchen printer: {p}")))
}

async fn receipt_printer(
    db: &LocalDb,
    t: &Terminal,
    staff: &Staff,
    sale: &Sale,
) -> CoreResult<AfterSale> {
    let Some(mut printer) = config::load(db).await?.printer else {
        return Ok(AfterSale {
            no_printer: true,
            ..AfterSale::default()
        });
    };
    printer.confirm_secs = printer.confirm_secs.min(WAIT_SECS);
    let connect = drain::connect_configured();
    let mut out = AfterSale::default();
    if sale.tenders.iter().any(|t| t.kind == "cash") {
        let opened = super::drawer::open(
            db,
            &printer,
            &connect,
            staff,
            DrawerReason::Sale,
            Some(sale.id.clone()),
            None,
        )
        .await;
        if let Err(e) = &opened {
            out.problems.push(format!("cash drawer: {e}"));
        }
        out.drawer_opened = Some(opened.is_ok());
    }
    let state = drain::drain_once(db, t, &printer, &connect).await?;
    out.problems.extend(state.problem.clone());
    out.printing = Some(state);
    Ok(out)
}
