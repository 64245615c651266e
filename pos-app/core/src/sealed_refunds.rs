//! Refunds against another till's receipt, before that till has synced: the receipt's
//! sealed QR code is checked against the issuing terminal's key (from the `config`
//! stream), the goods are priced at today's catalog price, and the refund can never
//! exceed what the receipt says was paid, less what this till already refunded of it.
//! The server links the refund to the sale's lines, by product, once the sale arrives;
//! a refund of more than was sold becomes an exception for managers.

use crate::error::{CoreError, CoreResult};
use crate::refunds::{self, Refund};
use crate::seal::{self, ReceiptSummary};
use crate::staff::{self, Action, Staff};
use crate::store::LocalDb;
use crate::terminal::Terminal;

/// Checks a scanned receipt code from another terminal of the shop; what it states when
/// genuine.
pub async fn check(db: &LocalDb, terminal: &Terminal, payload: &str) -> CoreResult<ReceiptSummary> {
    let issuer = seal::issuer(payload)?;
    if issuer == terminal.terminal_id {
        return Err(CoreError::invalid(
            "this receipt is from this till: refund it by its sale (`pos refund --sale ID --line N`)",
        ));
    }
    let known: Option<(Option<String>, bool)> =
        sqlx::query_as("SELECT public_key, active FROM terminal_keys WHERE terminal_id = ?")
            .bind(&issuer)
            .fetch_optional(db.pool())
            .await?;
    let (key, active) = match known {
        Some((Some(key), active)) => (key, active),
        _ => return Err(CoreError::UnknownReceiptTerminal(issuer)),
    };
    if !active {
        // A revoked (perhaps stolen) till still holds its key and could seal any total.
        return Err(CoreError::invalid(
            "this receipt is from a till that has been revoked; refund it without a receipt (a manager approves)",
        ));
    }
    let summary = seal::verify(payload, &key)?;
    if summary.currency != terminal.currency.as_str() {
        return Err(CoreError::invalid(format!(
            "this receipt was paid in {}; this till refunds in {}",
            summary.currency,
            terminal.currency.as_str()
        )));
    }
    Ok(summary)
}

/// Refunds `items` (barcode or SKU, quantity in milli-units) against the sealed receipt
/// `payload` from another till of the shop.
#[allow(clippy::too_many_arguments)]
pub async fn with_sealed_receipt(
    db: &LocalDb,
    terminal: &Terminal,
    staff: &Staff,
    payload: &str,
    items: &[(String, i64)],
    tender_kind: &str,
    reason: &str,
    manager_pin: Option<&str>,
) -> CoreResult<Refund> {
    let approved_by = staff::authorize(db, staff, Action::Refund, manager_pin).await?;
    let summary = check(db, terminal, payload).await?;
    if items.is_empty() {
        return Err(CoreError::invalid("scan at least one item to refund"));
    }
    // Matched to the sold lines by the server, which has the sale.
    let lines = refunds::at_catalog_price(db, terminal, items).await?;
    let refund = refunds::draft(
        Some(summary.sale_id.clone()),
        None,
        staff,
        approved_by,
        tender_kind,
        reason,
        lines,
        db.now_ms(),
    )?;
    let total = pos_shared::Money::new(summary.total_minor, terminal.currency);
    refunds::store(db, terminal, refund, Some(refunds::ReceiptLimit { total })).await
}

#[cfg(test)]
#[path = "sealed_refunds_tests.rs"]
mod tests;
