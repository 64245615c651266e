//! Applies stock stream changes (entity `balance`, id = product id) inside the caller's
//! transaction: the server's balance per product, which `stock::levels` adds this
//! terminal's pending movements to (the rule for "pending" is documented in `stock.rs`
//! and applied by `pull::mark_included`).

use pos_shared::sync::{Change, ChangeOp, StockBalance};

use serde::Deserialize;

use super::apply_catalog::Tally;
use super::pull::Applied;
use crate::error::CoreResult;
use crate::store::Tx;

/// Applies a page of changes (in cursor order) as two set-based statements: the last
/// balance of each product wins, as applying them one by one would leave it.
pub(super) async fn apply_page(tx: &mut Tx, now_ms: i64, changes: &[Change]) -> CoreResult<Tally> {
    let mut tally = Tally::default();
    let mut balances: Vec<(&str, i64)> = Vec::with_capacity(changes.len());
    for change in changes {
        match read(change) {
            Ok(on_hand_milli) => {
                balances.push((change.id.as_str(), on_hand_milli));
                tally.count(change, &Applied::Done);
            }
            Err(why) => tally.count(change, &Applied::Skipped(why)),
        }
    }
    if balances.is_empty() {
        return Ok(tally);
    }
    // json_each walks the array in order, so a later balance of a product overwrites an
    // earlier one of the same page.
    let rows = serde_json::to_string(&balances).unwrap_or_default();
    sqlx::query(
        "INSERT INTO stock_balances (product_id, server_milli, updated_at_ms)
         SELECT j.value ->> 0, j.value ->> 1, ?1 FROM json_each(?2) j
         WHERE EXISTS (SELECT 1 FROM products p WHERE p.id = j.value ->> 0)
         ON CONFLICT (product_id) DO UPDATE SET server_milli = excluded.server_milli,
             updated_at_ms = excluded.updated_at_ms",
    )
    .bind(now_ms)
    .bind(&rows)
    .execute(&mut **tx)
    .await?;
    // The product's catalog change has not arrived (or never will, for a bad fact): park
    // the balance instead of blocking the stream; the catalog apply adopts it.
    sqlx::query(
        "INSERT INTO stock_balances_unmatched (product_id, server_milli, updated_at_ms)
         SELECT j.value ->> 0, j.value ->> 1, ?1 FROM json_each(?2) j
         WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = j.value ->> 0)
         ON CONFLICT (product_id) DO UPDATE SET server_milli = excluded.server_milli,
             updated_at_ms = excluded.updated_at_ms",
    )
    .bind(now_ms)
    .bind(&rows)
    .execute(&mut **tx)
    .await?;
    Ok(tally)
}

/// The on-hand quantity a change states, or why it cannot be used.
fn read(change: &Change) -> Result<i64, String> {
    if change.entity != "balance" {
        return Err(format!("unknown entity `{}`", change.entity));
    }
    match (change.op, &change.data) {
        // No balance left on the server means nothing recorded there: zero.
        (ChangeOp::Delete, _) => Ok(0),
        (ChangeOp::Upsert, None) => Err("upsert without data".into()),
        (ChangeOp::Upsert, Some(data)) => StockBalance::deserialize(data)
            .map(|b| b.on_hand_milli)
            .map_err(|e| format!("unreadable balance: {e}")),
    }
}
