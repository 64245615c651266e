//! Refunds and returns at the till: find the sale (receipt number, or the receipt's QR,
//! also another till's and offline), pick what comes back, refund it, show the slip.

use super::views::{RefundDone, RefundItem, SaleLineLookup, SaleLookup};
use super::{Till, signed_in};
use crate::devices::drawer;
use crate::error::{CoreError, CoreResult};
use crate::terminal::Terminal;
use crate::{LocalDb, catalog, refund_slip, refunds, sales, seal, sealed_refunds};

impl Till {
    /// Finds a sale to refund from what the cashier typed or scanned: a receipt number
    /// (`7`, `#7`), a sale id, or a receipt's QR code (this till's or another's).
    pub async fn find_sale(&self, text: &str) -> CoreResult<SaleLookup> {
        let t = self.terminal().await?;
        let text = text.trim();
        if text.is_empty() {
            return Err(CoreError::invalid(
                "scan the receipt's QR code or type its number",
            ));
        }
        if text.contains(';') {
            let issuer = seal::issuer(text)?;
            if issuer != t.terminal_id {
                return sealed_lookup(&self.db, &t, text).await;
            }
            let own = seal::verify(text, &seal::public_key_hex(&self.db).await?)?;
            return local_lookup(&self.db, &own.sale_id).await;
        }
        let id = sales::find_id(&self.db, text).await?;
        local_lookup(&self.db, &id).await
    }

    /// Refunds `items` of `sale` back to `to` (`cash`, `card`, `store_credit`, ...):
    /// lines by number for a sale of this till, products for another till's receipt.
    pub async fn refund(
        &self,
        sale: &SaleLookup,
        items: &[RefundItem],
        to: &str,
        reason: &str,
        manager_pin: Option<&str>,
    ) -> CoreResult<RefundDone> {
        let s = self.session.lock().await;
        let (t, staff) = signed_in(&s)?;
        let reason = reason_or_default(reason);
        let r = match (&sale.sale_id, &sale.receipt_code) {
            (Some(sale_id), _) => {
                let lines = items
                    .iter()
                    .map(|i| {
                        i.line_no
                            .map(|n| (n, i.qty_milli))
                            .ok_or_else(|| CoreError::invalid("pick the receipt lines to refund"))
                    })
                    .collect::<CoreResult<Vec<_>>>()?;
                refunds::with_receipt(&self.db, t, staff, sale_id, &lines, to, reason, manager_pin)
                    .await?
            }
            (None, Some(code)) => {
                let goods = product_items(&self.db, items).await?;
                sealed_refunds::with_sealed_receipt(
                    &self.db,
                    t,
                    staff,
                    code,
                    &goods,
                    to,
                    reason,
                    manager_pin,
                )
                .await?
            }
            (None, None) => return Err(CoreError::invalid("find the sale first")),
        };
        drawer::for_refund(&self.db, staff, to, &r.id).await;
        done(&self.db, t, &r.id).await
    }

    /// Takes goods back without a receipt (a manager approves; store credit or cash).
    pub async fn refund_without_receipt(
        &self,
        items: &[RefundItem],
        to: &str,
        reason: &str,
        manager_pin: Option<&str>,
    ) -> CoreResult<RefundDone> {
        let s = self.session.lock().await;
        let (t, staff) = signed_in(&s)?;
        let goods = product_items(&self.db, items).await?;
        let reason = reason_or_default(reason);
        let r =
            refunds::without_receipt(&self.db, t, staff, &goods, to, reason, manager_pin).await?;
        drawer::for_refund(&self.db, staff, to, &r.id).await;
        done(&self.db, t, &r.id).await
    }
}

fn reason_or_default(reason: &str) -> &str {
    match reason.trim() {
        "" => "customer return",
        r => r,
    }
}

/// Items as the core's refund takes them: (SKU, quantity).
async fn product_items(db: &LocalDb, items: &[RefundItem]) -> CoreResult<Vec<(String, i64)>> {
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        let id = i
            .product_id
            .as_deref()
            .ok_or_else(|| CoreError::invalid("scan or pick the items that come back"))?;
        out.push((catalog::product_by_id(db, id).await?.sku, i.qty_milli));
    }
    Ok(out)
}

async fn local_lookup(db: &LocalDb, sale_id: &str) -> CoreResult<SaleLookup> {
    let sale = sales::load(db, sale_id).await?;
    let mut lines = Vec::with_capacity(sale.lines.len());
    for l in &sale.lines {
        lines.push(SaleLineLookup {
            line_no: l.line_no,
            product_id: l.product_id.clone(),
            sku: l.sku.clone(),
            name: l.name.clone(),
            qty_milli: l.qty_milli,
            refundable_milli: refunds::left_to_refund(db, &sale.id, l.line_no).await?,
            gross_minor: l.gross_minor,
        });
    }
    let mut tenders: Vec<String> = sale.tenders.iter().map(|t| t.kind.clone()).collect();
    tenders.dedup();
    Ok(SaleLookup {
        sale_id: Some(sale.id.clone()),
        receipt_no: sale.receipt_no,
        completed_at_ms: sale.created_at_ms,
        total_minor: sale.total_minor,
        lines,
        tenders,
        receipt_code: None,
    })
}

/// Another till's receipt: only what its seal states is known here.
async fn sealed_lookup(db: &LocalDb, t: &Terminal, code: &str) -> CoreResult<SaleLookup> {
    let summary = sealed_refunds::check(db, t, code).await?;
    Ok(SaleLookup {
        sale_id: None,
        receipt_no: summary.receipt_no,
        completed_at_ms: summary.created_at_ms,
        total_minor: summary.total_minor,
        lines: Vec::new(),
        tenders: Vec::new(),
        receipt_code: Some(code.trim().to_owned()),
    })
}

async fn done(db: &LocalDb, t: &Terminal, refund_id: &str) -> CoreResult<RefundDone> {
    let stored = refunds::load(db, refund_id).await?;
    let slip = refund_slip::render_text(&refund_slip::build(&stored, t));
    Ok(RefundDone {
        refund_id: stored.refund.id.clone(),
        total_minor: stored.refund.total_minor,
        tender_kind: stored.refund.tender_kind.clone(),
        slip_text: slip,
    })
}
