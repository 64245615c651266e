//! Applies a page of catalog stream changes (entity `product`) to the local catalog
//! inside the caller's transaction. Products keep the server's id; a delete
//! deactivates, never deletes.
//!
//! A page is applied as a handful of set-based statements (the page travels into SQLite
//! as one JSON parameter), not a dozen statements per product: an initial sync of
//! 50,000 products would otherwise spend its time in statement round trips. Every change
//! carries the product's full state, so only the last change of each product in a page
//! matters, and applying it equals applying them all in order.

use std::collections::HashMap;

use pos_shared::barcode::Barcode;
use pos_shared::sync::{CatalogProduct, Change, ChangeOp};
use serde::Deserialize;
use serde_json::json;

use super::pull::Applied;
use crate::catalog;
use crate::error::CoreResult;
use crate::store::Tx;

/// What a page did: changes applied and changes passed over.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Tally {
    pub rows: u64,
    pub skipped: u64,
}

impl Tally {
    pub(super) fn count(&mut self, change: &Change, applied: &Applied) {
        match applied {
            Applied::Done => self.rows += 1,
            Applied::Skipped(why) => {
                self.skipped += 1;
                tracing::warn!(cursor = change.cursor, id = %change.id, %why, "change skipped");
            }
        }
    }
}

/// The final state of one product in a page.
enum Final<'a> {
    Upsert(&'a Change, CatalogProduct),
    Delete(&'a Change),
}

/// Applies `changes` (in cursor order); `currency` is the terminal's (ISO code).
pub(super) async fn apply_page(
    tx: &mut Tx,
    now_ms: i64,
    currency: &str,
    changes: &[Change],
) -> CoreResult<Tally> {
    let mut tally = Tally::default();
    // Last change per product id, in the order those last changes appear.
    let mut last: HashMap<&str, usize> = HashMap::new();
    let mut finals: Vec<Option<Final<'_>>> = Vec::new();
    for change in changes {
        let state = match read(change) {
            Ok(state) => state,
            Err(why) => {
                tally.count(change, &Applied::Skipped(why));
                continue;
            }
        };
        let state = match last.insert(change.id.as_str(), finals.len()) {
            // Superseded within the page: counted as applied, its successor carries it.
            // A delete after an upsert keeps that state off sale, as applying both would.
            Some(i) => match (finals[i].take(), state) {
                (Some(Final::Upsert(first, mut p)), Final::Delete(_)) => {
                    p.active = false;
                    Final::Upsert(first, p)
                }
                (_, state) => state,
            },
            None => state,
        };
        tally.count(change, &Applied::Done);
        finals.push(Some(state));
    }
    let mut upserts = Vec::new();
    let mut deletes = Vec::new();
    for state in finals.into_iter().flatten() {
        match state {
            Final::Upsert(change, p) => upserts.push((change, p)),
            Final::Delete(change) => deletes.push(change.id.as_str()),
        }
    }
    let refused = write_products(tx, now_ms, currency, &upserts).await?;
    for (change, why) in refused {
        tally.rows -= 1;
        tally.count(change, &Applied::Skipped(why));
    }
    if !deletes.is_empty() {
        sqlx::query(
            "UPDATE products SET active = 0, updated_at_ms = ?1
             WHERE active = 1 AND id IN (SELECT value FROM json_each(?2))",
        )
        .bind(now_ms)
        .bind(json!(deletes).to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(tally)
}

/// The product state a change states, or why it cannot be used.
fn read(change: &Change) -> Result<Final<'_>, String> {
    if change.entity != "product" {
        // A newer server may put more on this stream; what this version cannot use is
        // passed over rather than blocking the products behind it.
        return Err(format!("unknown entity `{}`", change.entity));
    }
    match change.op {
        ChangeOp::Delete => Ok(Final::Delete(change)),
        ChangeOp::Upsert => {
            let data = change.data.as_ref().ok_or("upsert without data")?;
            let p = CatalogProduct::deserialize(data)
                .map_err(|e| format!("unreadable product: {e}"))?;
            Ok(Final::Upsert(change, p))
        }
    }
}

/// Writes the upserted products, their barcodes and any stock parked for them; returns
/// the changes refused as invalid (nothing of those is written).
async fn write_products<'a>(
    tx: &mut Tx,
    now_ms: i64,
    currency: &str,
    upserts: &[(&'a Change, CatalogProduct)],
) -> CoreResult<Vec<(&'a Change, String)>> {
    let mut refused = Vec::new();
    let mut taxes: HashMap<(u32, bool), String> = HashMap::new();
    let mut categories: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(upserts.len());
    let mut codes = Vec::new();
    // SKUs are unique locally; should the server ever send two products with one SKU in
    // a page, the earlier one steps aside as `SKU~ID`, as a later page would make it.
    let mut sku_owner: HashMap<String, usize> = HashMap::new();
    for (change, p) in upserts {
        let id = change.id.as_str();
        let (sku, name) = (p.sku.trim(), p.name.trim());
        if id.trim().is_empty() || sku.is_empty() || name.is_empty() {
            refused.push((
                *change,
                "a product needs an id, a SKU and a name".to_owned(),
            ));
            continue;
        }
        if p.price_minor < 0 {
            refused.push((*change, format!("price of {sku} is negative")));
            continue;
        }
        let key = (p.tax_rate_bp, p.tax_inclusive);
        let tax_id = match taxes.get(&key) {
            Some(t) => t.clone(),
            None => {
                let t = catalog::tax_rate_id(tx, p.tax_rate_bp, p.tax_inclusive).await?;
                taxes.insert(key, t.clone());
                t
            }
        };
        let category = p
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let cat_id = match category {
            None => None,
            Some(c) => match categories.get(c) {
                Some(id) => Some(id.clone()),
                None => {
                    let cid = catalog::category_id(tx, c).await?;
                    categories.insert(c.to_owned(), cid.clone());
                    Some(cid)
                }
            },
        };
        // A price in another currency cannot be charged here: keep the product, off sale.
        let wrong_currency = !p.currency.eq_ignore_ascii_case(currency);
        if wrong_currency {
            tracing::warn!(product = id, product_currency = %p.currency,
                terminal_currency = currency, "product priced in another currency; kept inactive");
        }
        if let Some(prev) = sku_owner.insert(sku.to_owned(), rows.len()) {
            let earlier: &mut serde_json::Value = &mut rows[prev];
            earlier[1] = json!(format!("{sku}~{}", earlier[0].as_str().unwrap_or_default()));
        }
        rows.push(json!([
            id,
            sku,
            name,
            catalog::normalize(name),
            cat_id,
            p.price_minor,
            tax_id,
            p.is_weighed,
            p.active && !wrong_currency,
            p.variant_of,
            p.variant_name,
        ]));
        for code in &p.barcodes {
            let code = code.trim();
            if code.is_empty() {
                continue;
            }
            // Scanner-normalised (UPC-A as 13 digits) so lookups are exact; codes that
            // are not GTINs (in-store labels) are kept as typed.
            let code =
                Barcode::parse(code).map_or_else(|_| code.to_owned(), |b| b.as_str().to_owned());
            codes.push(json!([code, id]));
        }
    }
    if rows.is_empty() {
        return Ok(refused);
    }
    let rows = serde_json::Value::Array(rows).to_string();
    // Another product holding a SKU this page gives out is renamed `SKU~ID`: the server's
    // current state wins, and the old row stays for the sales that reference it.
    sqlx::query(
        "UPDATE products SET sku = sku || '~' || id, updated_at_ms = ?1
         WHERE rowid IN (SELECT p.rowid FROM json_each(?2) j
                         JOIN products p ON p.sku = j.value ->> 1 AND p.id <> j.value ->> 0)",
    )
    .bind(now_ms)
    .bind(&rows)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO products (id, sku, name, name_norm, category_id, price_minor, tax_rate_id,
                               sold_by_weight, active, variant_of, variant_name, updated_at_ms)
         SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
                j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9,
                j.value ->> 10, ?1
         FROM json_each(?2) j WHERE true
         ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name = excluded.name,
             name_norm = excluded.name_norm, category_id = excluded.category_id,
             price_minor = excluded.price_minor, tax_rate_id = excluded.tax_rate_id,
             sold_by_weight = excluded.sold_by_weight, active = excluded.active,
             variant_of = excluded.variant_of, variant_name = excluded.variant_name,
             updated_at_ms = excluded.updated_at_ms",
    )
    .bind(now_ms)
    .bind(&rows)
    .execute(&mut **tx)
    .await?;
    // The page states each product's whole set of codes: others of it are deactivated
    // (kept, never deleted), listed ones attached even if another product had them.
    sqlx::query(
        "UPDATE barcodes SET active = 0
         WHERE active = 1 AND product_id IN (SELECT j.value ->> 0 FROM json_each(?1) j)",
    )
    .bind(&rows)
    .execute(&mut **tx)
    .await?;
    if !codes.is_empty() {
        sqlx::query(
            "INSERT INTO barcodes (code, product_id)
             SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?1) j WHERE true
             ON CONFLICT (code) DO UPDATE SET product_id = excluded.product_id, active = 1",
        )
        .bind(serde_json::Value::Array(codes).to_string())
        .execute(&mut **tx)
        .await?;
    }
    // Balances that arrived before their product (parked by the stock stream).
    sqlx::query(
        "INSERT INTO stock_balances (product_id, server_milli, updated_at_ms)
         SELECT u.product_id, u.server_milli, u.updated_at_ms FROM stock_balances_unmatched u
         WHERE u.product_id IN (SELECT j.value ->> 0 FROM json_each(?1) j)
         ON CONFLICT (product_id) DO NOTHING",
    )
    .bind(&rows)
    .execute(&mut **tx)
    .await?;
    // A staging row, not a record: once the product is known it has no further use.
    sqlx::query(
        "DELETE FROM stock_balances_unmatched
         WHERE product_id IN (SELECT j.value ->> 0 FROM json_each(?1) j)",
    )
    .bind(&rows)
    .execute(&mut **tx)
    .await?;
    Ok(refused)
}
