//! The kitchen or bar printer: a second printer that gets an order slip (quantities and
//! names, no prices) for the lines of each completed sale whose products are in its
//! categories. Its cursor in the journal is its own, so it drains independently: a
//! receipt printer out of paper never holds up the kitchen, nor the other way round.
//! Kept under its own settings key beside [`super::config::SETTING`], so the terminal's
//! device settings keep their shape.

use std::sync::Arc;

use pos_shared::journal::FactKind;
use serde::{Deserialize, Serialize};

use super::config::PrinterConfig;
use super::drain::{self, Connect, PrinterState};
use super::error::DeviceError;
use super::layout::{Align, Block};
use crate::error::CoreResult;
use crate::receipt::{truncate, two_col_in};
use crate::sales::Sale;
use crate::shop_time::ShopZone;
use crate::store::{LocalDb, get_i64_setting, get_setting, set_setting};
use crate::terminal::Terminal;

/// The settings key holding [`KitchenConfig`] (absent: no kitchen printer).
pub const SETTING: &str = "kitchen_printer";
/// The journal sequence of the last sale the kitchen printer is done with.
pub const PRINTED_THROUGH: &str = "kitchen_printed_through_seq";
/// Where its drainer last stood (a [`PrinterState`]).
pub const STATE_SETTING: &str = "kitchen_printer_state";

/// The kitchen (or bar) printer and what it gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitchenConfig {
    pub printer: PrinterConfig,
    /// Categories whose lines are printed here (compared ignoring case).
    pub categories: Vec<String>,
    /// The slip's heading: "KITCHEN", "BAR".
    #[serde(default = "kitchen")]
    pub title: String,
}

fn kitchen() -> String {
    "KITCHEN".into()
}

/// The kitchen printer, if one is set up.
pub async fn load(db: &LocalDb) -> CoreResult<Option<KitchenConfig>> {
    match get_setting(db.pool(), SETTING).await? {
        Some(json) => serde_json::from_str(&json).map(Some).map_err(|e| {
            DeviceError::Config(format!(
                "the kitchen printer's settings cannot be read ({e}); set it again"
            ))
            .into()
        }),
        None => Ok(None),
    }
}

/// Sets up (or with `None` removes) the kitchen printer. One newly set up starts at the
/// journal's head: it prints the orders from now on, not the till's history.
pub async fn save(db: &LocalDb, config: Option<&KitchenConfig>) -> CoreResult<()> {
    let was_set = load(db).await?.is_some();
    let mut tx = db.begin().await?;
    match config {
        Some(c) => {
            c.printer.check()?;
            if c.categories.iter().all(|c| c.trim().is_empty()) {
                return Err(DeviceError::Config(
                    "name the categories the kitchen printer prints (--categories Food,Drinks)"
                        .into(),
                )
                .into());
            }
            let json = serde_json::to_string(c)
                .map_err(|e| DeviceError::Config(format!("kitchen printer settings: {e}")))?;
            set_setting(&mut *tx, SETTING, &json).await?;
            if !was_set {
                let head: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM journal")
                    .fetch_one(&mut *tx)
                    .await?;
                set_setting(&mut *tx, PRINTED_THROUGH, &head.to_string()).await?;
            }
        }
        None => {
            sqlx::query("DELETE FROM settings WHERE key IN (?, ?)")
                .bind(SETTING)
                .bind(STATE_SETTING)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// "2", "1.235": a quantity in thousandths as the kitchen reads it.
fn quantity(milli: i64) -> String {
    if milli % 1000 == 0 {
        return (milli / 1000).to_string();
    }
    let text = format!("{}.{:03}", milli / 1000, (milli % 1000).abs());
    text.trim_end_matches('0').to_owned()
}

/// What the kitchen makes for one sale: (quantity, name) of each of its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderSlip {
    pub title: String,
    pub receipt_no: i64,
    pub date: String,
    pub lines: Vec<(String, String)>,
}

/// The slip laid out on `width` columns: large quantities and names, no prices.
pub fn slip_blocks(slip: &OrderSlip, width: usize) -> Vec<Block> {
    let big = |text: String, align| Block::Line {
        text: truncate(&text, width),
        align,
        bold: true,
        tall: true,
    };
    let plain = |text: String| Block::Line {
        text,
        align: Align::Left,
        bold: false,
        tall: false,
    };
    let rule = "-".repeat(width);
    let mut out = vec![
        big(slip.title.clone(), Align::Center),
        big(format!("Order #{}", slip.receipt_no), Align::Center),
        plain(truncate(&slip.date, width)),
        plain(rule.clone()),
    ];
    out.extend(
        slip.lines
            .iter()
            .map(|(qty, name)| big(format!("{qty} x {name}"), Align::Left)),
    );
    out.push(plain(rule));
    out.push(plain(two_col_in(
        "Items",
        &slip.lines.len().to_string(),
        width,
    )));
    out
}

/// The lines of `sale` in `categories` as a slip; `None` when it has none.
pub async fn slip_for(
    db: &LocalDb,
    config: &KitchenConfig,
    sale: &Sale,
    zone: &ShopZone,
) -> CoreResult<Option<OrderSlip>> {
    let mut lines = Vec::new();
    for l in &sale.lines {
        let category: Option<String> = sqlx::query_scalar(
            "SELECT c.name FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = ?",
        )
        .bind(&l.product_id)
        .fetch_optional(db.pool())
        .await?;
        let ours = category.is_some_and(|c| {
            let c = c.trim().to_lowercase();
            config
                .categories
                .iter()
                .any(|k| k.trim().to_lowercase() == c)
        });
        if ours {
            lines.push((quantity(l.qty_milli), l.name.clone()));
        }
    }
    let date = zone.format(sale.created_at_ms);
    Ok((!lines.is_empty()).then(|| OrderSlip {
        title: config.title.clone(),
        receipt_no: sale.receipt_no,
        date,
        lines,
    }))
}

/// The next sale past the kitchen's cursor: (journal seq, sale id).
async fn next_sale(db: &LocalDb) -> CoreResult<Option<(i64, String)>> {
    let through = get_i64_setting(db.pool(), PRINTED_THROUGH, 0).await?;
    let row: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT seq, payload ->> 'id' FROM journal WHERE seq > ? AND kind = ? ORDER BY seq LIMIT 1",
    )
    .bind(through)
    .bind(FactKind::SaleCompleted.as_str())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(seq, id)| id.map(|id| (seq, id))))
}

/// Moves the kitchen's cursor to `seq` (never backwards).
async fn advance(db: &LocalDb, seq: i64) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value
         WHERE CAST(settings.value AS INTEGER) < CAST(excluded.value AS INTEGER)",
    )
    .bind(PRINTED_THROUGH)
    .bind(seq.to_string())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Sales the kitchen printer has not dealt with yet (with or without kitchen lines).
pub async fn waiting(db: &LocalDb) -> CoreResult<i64> {
    let through = get_i64_setting(db.pool(), PRINTED_THROUGH, 0).await?;
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM journal WHERE seq > ? AND kind = ?")
            .bind(through)
            .bind(FactKind::SaleCompleted.as_str())
            .fetch_one(db.pool())
            .await?,
    )
}

/// Prints the order slips that wait, oldest first, until none is left or the printer
/// fails; a sale without kitchen lines just moves the cursor. As [`drain::drain_once`],
/// a printer problem comes back in the state, never as an error.
pub async fn drain_once(
    db: &LocalDb,
    t: &Terminal,
    config: &KitchenConfig,
    connect: &Connect,
) -> CoreResult<PrinterState> {
    let (mut printed, mut printer) = (0, None);
    let problem = loop {
        let Some((seq, id)) = next_sale(db).await? else {
            break None;
        };
        let sale = crate::sales::load(db, &id).await?;
        let Some(slip) = slip_for(db, config, &sale, &t.time_zone).await? else {
            advance(db, seq).await?;
            continue;
        };
        let blocks = slip_blocks(&slip, config.printer.columns());
        let bytes = drain::blocks_job(blocks, &config.printer)?;
        let (back, result) =
            drain::print_blocking(printer.take(), &config.printer, connect, bytes).await;
        printer = back;
        match result {
            Ok(()) => {
                advance(db, seq).await?;
                printed += 1;
                tracing::info!(seq, receipt_no = sale.receipt_no, "order slip printed");
            }
            Err(e) => break Some(e.to_string()),
        }
    };
    let state = PrinterState {
        printed,
        waiting: waiting(db).await?,
        problem,
        at_ms: db.now_ms(),
    };
    drain::record_as(db, STATE_SETTING, &state).await?;
    Ok(state)
}

/// What the kitchen printer's drainer last reported.
pub async fn last_state(db: &LocalDb) -> CoreResult<Option<PrinterState>> {
    drain::state_at(db, STATE_SETTING).await
}

/// Drains the kitchen printer until `stop`, as [`drain::run`] does the receipt printer.
pub async fn run(
    db: &LocalDb,
    t: &Terminal,
    config: &KitchenConfig,
    connect: Connect,
    wake: Arc<tokio::sync::Notify>,
    stop: impl std::future::Future<Output = ()>,
) -> CoreResult<()> {
    drain::keep_draining(|| drain_once(db, t, config, &connect), wake, stop).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_as_a_cook_would_say_them() {
        assert_eq!(quantity(2000), "2");
        assert_eq!(quantity(1235), "1.235");
        assert_eq!(quantity(500), "0.5");
    }

    #[test]
    fn a_slip_has_the_order_number_and_no_prices() {
        let slip = OrderSlip {
            title: "BAR".into(),
            receipt_no: 42,
            date: "2026-12-07 10:00 CET".into(),
            lines: vec![("2".into(), "Crème brûlée".into())],
        };
        let text = super::super::layout::to_text(&slip_blocks(&slip, 32), 32);
        assert!(
            text.contains("Order #42") && text.contains("2 x Crème brûlée"),
            "{text}"
        );
        assert!(!text.contains('€') && !text.contains("3.50"));
    }
}
