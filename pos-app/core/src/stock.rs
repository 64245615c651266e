//! Stock as a ledger: the last server balance per product plus this terminal's own
//! movements not yet included in it. On hand = server balance + pending movements.
//!
//! The rule: a movement stays pending (`in_server = 0`) until the balance stored here
//! includes it. The server acks a pushed record when it is stored and builds its stock
//! movements later (projection); each stock page it serves says how far this terminal's
//! journal is built into the balances up to the page's head (`included_through`), and
//! once that head is applied the movements up to there stop counting as pending. So a
//! sale is never counted twice (in the balance and as pending) nor missed, whatever the
//! order of acks, projection and pulls. Standalone terminals never sync: every movement
//! stays pending on top of the opening balance from the CSV import.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::catalog;
use crate::error::{CoreError, CoreResult};
use crate::journal::{self, FactKind};
use crate::staff::Staff;
use crate::store::{LocalDb, Tx, new_id};

/// One product's stock position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    pub product_id: String,
    pub sku: String,
    pub name: String,
    pub server_milli: i64,
    pub pending_milli: i64,
    pub on_hand_milli: i64,
}

/// One movement to record; `journal_seq` is the record stating it (sale, refund,
/// adjustment), which decides when the server balance includes it.
#[derive(Debug, Clone, Copy)]
pub struct Movement<'a> {
    pub product_id: &'a str,
    /// Sales pass negative deltas.
    pub delta_milli: i64,
    pub reason: &'a str,
    pub ref_id: Option<&'a str>,
    pub journal_seq: i64,
}

/// Records one movement inside `tx`.
pub async fn record_movement(tx: &mut Tx, now_ms: i64, m: Movement<'_>) -> CoreResult<()> {
    record_movements(tx, now_ms, &[m]).await
}

/// Records several movements inside `tx` in one statement per few hundred.
pub async fn record_movements(tx: &mut Tx, now_ms: i64, moves: &[Movement<'_>]) -> CoreResult<()> {
    let mut q = sqlx::QueryBuilder::new("");
    push_movements(&mut q, now_ms, moves);
    q.build().execute(&mut **tx).await?;
    Ok(())
}

/// Appends the INSERTs of `moves` to a statement batch (a sale sends its movements
/// with its other rows in one trip to SQLite).
pub(crate) fn push_movements(
    q: &mut sqlx::QueryBuilder<sqlx::Sqlite>,
    now_ms: i64,
    moves: &[Movement<'_>],
) {
    for chunk in moves.chunks(200) {
        q.push(
            "INSERT INTO stock_movements (id, product_id, delta_milli, reason, ref_id,
                                          journal_seq, created_at_ms) ",
        );
        q.push_values(chunk, |mut row, m| {
            row.push_bind(new_id())
                .push_bind(m.product_id.to_owned())
                .push_bind(m.delta_milli)
                .push_bind(m.reason.to_owned())
                .push_bind(m.ref_id.map(str::to_owned))
                .push_bind(m.journal_seq)
                .push_bind(now_ms);
        });
        q.push(";\n");
    }
}

/// Sets the server balance (the opening stock when standalone).
pub async fn set_server_balance(
    tx: &mut Tx,
    now_ms: i64,
    product_id: &str,
    qty_milli: i64,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO stock_balances (product_id, server_milli, updated_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (product_id) DO UPDATE SET server_milli = excluded.server_milli,
             updated_at_ms = excluded.updated_at_ms",
    )
    .bind(product_id)
    .bind(qty_milli)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const LEVEL_SELECT: &str = "SELECT p.id, p.sku, p.name, coalesce(b.server_milli, 0),
        coalesce((SELECT sum(m.delta_milli) FROM stock_movements m
                  WHERE m.product_id = p.id AND m.in_server = 0), 0)
    FROM products p LEFT JOIN stock_balances b ON b.product_id = p.id";

/// The counted products among `product_ids` whose stock is now below zero: the till
/// sells on (a shelf can hold more than the records say), but says so. Products with no
/// counted balance (never imported or synced with stock) are not tracked, so not short.
pub async fn below_zero(db: &LocalDb, product_ids: &[&str]) -> CoreResult<Vec<StockLevel>> {
    let mut short = Vec::new();
    for id in product_ids {
        let sql = sqlx::AssertSqlSafe(format!(
            "{LEVEL_SELECT} WHERE p.id = ? AND b.product_id IS NOT NULL"
        ));
        if let Some(r) = sqlx::query(sql).bind(id).fetch_optional(db.pool()).await? {
            let level = level_of(&r);
            if level.on_hand_milli < 0 && !short.contains(&level) {
                short.push(level);
            }
        }
    }
    Ok(short)
}

fn level_of(r: &sqlx::sqlite::SqliteRow) -> StockLevel {
    let server: i64 = r.get(3);
    let pending: i64 = r.get(4);
    StockLevel {
        product_id: r.get(0),
        sku: r.get(1),
        name: r.get(2),
        server_milli: server,
        pending_milli: pending,
        on_hand_milli: server + pending,
    }
}

/// Stock levels of one SKU, or of every active product when `sku` is `None`.
pub async fn levels(db: &LocalDb, sku: Option<&str>) -> CoreResult<Vec<StockLevel>> {
    let rows = match sku {
        Some(sku) => {
            let sql = sqlx::AssertSqlSafe(format!("{LEVEL_SELECT} WHERE p.sku = ?"));
            let rows = sqlx::query(sql).bind(sku).fetch_all(db.pool()).await?;
            if rows.is_empty() {
                return Err(CoreError::UnknownProduct(sku.to_owned()));
            }
            rows
        }
        None => {
            let sql =
                sqlx::AssertSqlSafe(format!("{LEVEL_SELECT} WHERE p.active = 1 ORDER BY p.sku"));
            sqlx::query(sql).fetch_all(db.pool()).await?
        }
    };
    Ok(rows.iter().map(level_of).collect())
}

/// The stock level of one product by id.
pub async fn level_of_product(db: &LocalDb, product_id: &str) -> CoreResult<StockLevel> {
    let sql = sqlx::AssertSqlSafe(format!("{LEVEL_SELECT} WHERE p.id = ?"));
    let row = sqlx::query(sql)
        .bind(product_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref()
        .map(level_of)
        .ok_or_else(|| CoreError::UnknownProduct(product_id.to_owned()))
}

/// The first active barcode and the on-hand stock (when counted) of each of
/// `product_ids`, in one query: what a search result line shows beside the name.
pub async fn shelf_facts(
    db: &LocalDb,
    product_ids: &[String],
) -> CoreResult<std::collections::HashMap<String, (Option<String>, Option<i64>)>> {
    let ids = serde_json::to_string(product_ids).map_err(|e| CoreError::invalid(e.to_string()))?;
    let rows = sqlx::query(
        "SELECT p.id,
                (SELECT code FROM barcodes c WHERE c.product_id = p.id AND c.active = 1 LIMIT 1),
                CASE WHEN b.product_id IS NULL THEN NULL ELSE b.server_milli +
                    coalesce((SELECT sum(m.delta_milli) FROM stock_movements m
                              WHERE m.product_id = p.id AND m.in_server = 0), 0) END
         FROM products p LEFT JOIN stock_balances b ON b.product_id = p.id
         WHERE p.id IN (SELECT value FROM json_each(?))",
    )
    .bind(ids)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect())
}

/// A manual adjustment (count correction, damage) with its journal fact.
pub async fn adjust(
    db: &LocalDb,
    staff: &Staff,
    sku: &str,
    delta_milli: i64,
    reason: &str,
) -> CoreResult<StockLevel> {
    let product = catalog::by_sku(db, sku)
        .await?
        .ok_or_else(|| CoreError::UnknownProduct(sku.to_owned()))?;
    let now = db.now_ms();
    let mut tx = db.begin().await?;
    let record = journal::append(
        &mut tx,
        now,
        FactKind::StockAdjusted,
        &pos_shared::facts::StockAdjusted {
            product_id: product.id.clone(),
            sku: product.sku.clone(),
            delta_milli,
            reason: reason.to_owned(),
            staff_id: staff.id.clone(),
        },
    )
    .await?;
    let movement = Movement {
        product_id: &product.id,
        delta_milli,
        reason: "adjust",
        ref_id: None,
        journal_seq: record.seq,
    };
    record_movement(&mut tx, now, movement).await?;
    tx.commit().await?;
    let mut level = levels(db, Some(sku)).await?;
    level
        .pop()
        .ok_or_else(|| CoreError::UnknownProduct(sku.to_owned()))
}
