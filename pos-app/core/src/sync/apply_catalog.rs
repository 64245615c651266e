//! Applies catalog stream changes (entity `product`) to the local catalog inside the
//! caller's transaction, through the catalog module so synced products behave exactly
//! like imported ones. Products keep the server's id; a delete deactivates, never deletes.

use pos_shared::sync::{CatalogProduct, Change, ChangeOp};

use super::apply_stock;
use super::pull::Applied;
use crate::catalog::{self, ProductInput};
use crate::error::{CoreError, CoreResult};
use crate::store::Tx;

/// Applies one change; `currency` is the terminal's (ISO code).
pub(super) async fn apply(
    tx: &mut Tx,
    now_ms: i64,
    currency: &str,
    change: &Change,
) -> CoreResult<Applied> {
    if change.entity != "product" {
        // A newer server may put more on this stream; what this version cannot use is
        // passed over rather than blocking the products behind it.
        return Ok(Applied::Skipped(format!(
            "unknown entity `{}`",
            change.entity
        )));
    }
    match change.op {
        ChangeOp::Delete => {
            catalog::deactivate_product(tx, now_ms, &change.id).await?;
            Ok(Applied::Done)
        }
        ChangeOp::Upsert => {
            let Some(data) = &change.data else {
                return Ok(Applied::Skipped("upsert without data".into()));
            };
            let product: CatalogProduct = match serde_json::from_value(data.clone()) {
                Ok(p) => p,
                Err(e) => return Ok(Applied::Skipped(format!("unreadable product: {e}"))),
            };
            upsert(tx, now_ms, currency, &change.id, &product).await
        }
    }
}

async fn upsert(
    tx: &mut Tx,
    now_ms: i64,
    currency: &str,
    id: &str,
    p: &CatalogProduct,
) -> CoreResult<Applied> {
    let input = ProductInput {
        sku: p.sku.clone(),
        name: p.name.clone(),
        barcode: None,
        price_minor: p.price_minor,
        tax_rate_bp: p.tax_rate_bp,
        tax_inclusive: p.tax_inclusive,
        category: p.category.clone(),
        stock: None,
        sold_by_weight: p.is_weighed,
    };
    match catalog::upsert_product_with_id(tx, now_ms, id, &input).await {
        Ok(()) => {}
        // Validation runs before any write, so the transaction is still clean.
        Err(CoreError::Invalid(reason)) => return Ok(Applied::Skipped(reason)),
        Err(e) => return Err(e),
    }
    catalog::replace_barcodes(tx, id, &p.barcodes).await?;
    // A price in another currency cannot be charged here: keep the product, off sale.
    let wrong_currency = !p.currency.eq_ignore_ascii_case(currency);
    if wrong_currency {
        tracing::warn!(product = id, product_currency = %p.currency, terminal_currency = currency,
            "product priced in another currency; kept inactive");
    }
    if !p.active || wrong_currency {
        catalog::deactivate_product(tx, now_ms, id).await?;
    }
    apply_stock::adopt_unmatched(tx, id).await?;
    Ok(Applied::Done)
}
