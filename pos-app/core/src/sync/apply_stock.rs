//! Applies stock stream changes (entity `balance`, id = product id) inside the caller's
//! transaction: the server's balance per product, which `stock::levels` adds this
//! terminal's pending movements to. Also flips movements to "included in the server
//! balance" once a stock pull has caught up (the rule is documented in `stock.rs`).

use pos_shared::sync::{Change, ChangeOp, StockBalance};

use super::pull::Applied;
use crate::error::CoreResult;
use crate::stock::set_server_balance;
use crate::store::Tx;

/// Applies one change.
pub(super) async fn apply(tx: &mut Tx, now_ms: i64, change: &Change) -> CoreResult<Applied> {
    if change.entity != "balance" {
        return Ok(Applied::Skipped(format!(
            "unknown entity `{}`",
            change.entity
        )));
    }
    let on_hand_milli = match (change.op, &change.data) {
        // No balance left on the server means nothing recorded there: zero.
        (ChangeOp::Delete, _) => 0,
        (ChangeOp::Upsert, None) => return Ok(Applied::Skipped("upsert without data".into())),
        (ChangeOp::Upsert, Some(data)) => {
            match serde_json::from_value::<StockBalance>(data.clone()) {
                Ok(b) => b.on_hand_milli,
                Err(e) => return Ok(Applied::Skipped(format!("unreadable balance: {e}"))),
            }
        }
    };
    let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM products WHERE id = ?")
        .bind(&change.id)
        .fetch_optional(&mut **tx)
        .await?;
    if known.is_some() {
        set_server_balance(tx, now_ms, &change.id, on_hand_milli).await?;
    } else {
        // The product's catalog change has not arrived (or never will, for a bad fact):
        // park the balance instead of blocking the stream; adopt_unmatched picks it up.
        sqlx::query(
            "INSERT INTO stock_balances_unmatched (product_id, server_milli, updated_at_ms)
             VALUES (?, ?, ?)
             ON CONFLICT (product_id) DO UPDATE SET server_milli = excluded.server_milli,
                 updated_at_ms = excluded.updated_at_ms",
        )
        .bind(&change.id)
        .bind(on_hand_milli)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(Applied::Done)
}

/// Moves a parked balance of a product that just arrived into `stock_balances`.
pub(super) async fn adopt_unmatched(tx: &mut Tx, product_id: &str) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO stock_balances (product_id, server_milli, updated_at_ms)
         SELECT product_id, server_milli, updated_at_ms FROM stock_balances_unmatched
         WHERE product_id = ?
         ON CONFLICT (product_id) DO NOTHING",
    )
    .bind(product_id)
    .execute(&mut **tx)
    .await?;
    // A staging row, not a record: once the product is known it has no further use.
    sqlx::query("DELETE FROM stock_balances_unmatched WHERE product_id = ?")
        .bind(product_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Counts this terminal's movements stated by journal records up to `acked_through` as
/// included in the server balances; called when a stock pull that started after those
/// acks reaches the head. Returns how many movements flipped.
pub(super) async fn mark_included(tx: &mut Tx, acked_through: i64) -> CoreResult<u64> {
    let done = sqlx::query(
        "UPDATE stock_movements SET in_server = 1
         WHERE in_server = 0 AND journal_seq IS NOT NULL AND journal_seq <= ?",
    )
    .bind(acked_through)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
