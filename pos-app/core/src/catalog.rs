//! The local catalog: products, barcodes, categories and tax rates; lookup by code,
//! fast search, and the standalone CSV import.
//!
//! Search must stay fast on 100k products: prefixes use range scans on indexed
//! columns (`name_norm`, `sku`, `barcodes.code`), substrings use the FTS5 trigram
//! index `products_fts`, so nothing scans the table.

use pos_shared::barcode::{Barcode, BarcodeError};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, Tx, new_id};

/// A sellable product with the tax rate it is sold under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub price_minor: i64,
    pub tax_rate_bp: u32,
    pub tax_inclusive: bool,
    pub category: Option<String>,
    pub category_id: Option<String>,
    pub sold_by_weight: bool,
    /// The tax rate row a cart line records (the engine checks the rate by it).
    pub tax_rate_id: String,
}

/// A product as sold here: the shop's own price (prices stream) wins over the catalog's.
const PRODUCT_SELECT: &str = "SELECT p.id, p.sku, p.name,
        coalesce(sp.price_minor, p.price_minor), t.rate_bp, t.inclusive,
        c.name, p.sold_by_weight, p.category_id, p.tax_rate_id
    FROM products p
    JOIN tax_rates t ON t.id = p.tax_rate_id
    LEFT JOIN categories c ON c.id = p.category_id
    LEFT JOIN shop_prices sp ON sp.product_id = p.id";

fn product_from_row(r: &SqliteRow) -> Product {
    Product {
        id: r.get(0),
        sku: r.get(1),
        name: r.get(2),
        price_minor: r.get(3),
        tax_rate_bp: u32::try_from(r.get::<i64, _>(4)).unwrap_or(0),
        tax_inclusive: r.get::<i64, _>(5) != 0,
        category: r.get(6),
        sold_by_weight: r.get::<i64, _>(7) != 0,
        category_id: r.get(8),
        tax_rate_id: r.get(9),
    }
}

/// Lower-cases and collapses whitespace: the form names are searched in.
pub fn normalize(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Upper bound for a prefix range scan: every string starting with `prefix` sorts
/// below `prefix + U+10FFFF` under SQLite's binary collation.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// A product by id (inactive ones too: old sales point at them).
pub async fn product_by_id(db: &LocalDb, id: &str) -> CoreResult<Product> {
    let sql = sqlx::AssertSqlSafe(format!("{PRODUCT_SELECT} WHERE p.id = ?"));
    let row = sqlx::query(sql).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref()
        .map(product_from_row)
        .ok_or_else(|| CoreError::UnknownProduct(id.to_owned()))
}

/// The variants on sale of a product (its sizes, colours), by SKU: what a screen offers
/// when the cashier picks the product itself. Each is sold like any product.
pub async fn variants_of(db: &LocalDb, product_id: &str) -> CoreResult<Vec<Product>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PRODUCT_SELECT} WHERE p.variant_of = ? AND p.active = 1 ORDER BY p.sku"
    ));
    let rows = sqlx::query(sql)
        .bind(product_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(product_from_row).collect())
}

/// An active product by exact barcode; answered from memory while the catalog has not
/// changed (see [`crate::barcode_cache`]).
pub async fn by_barcode(db: &LocalDb, code: &str) -> CoreResult<Option<Product>> {
    let cache = db.barcode_cache();
    let stamp = cache.stamp();
    let generation = match cache.get(code, stamp) {
        Some((_, Some(hit))) => return Ok(hit),
        Some((generation, None)) => generation,
        None => {
            let generation: i64 =
                sqlx::query_scalar("SELECT n FROM catalog_generation WHERE id = 1")
                    .fetch_one(db.pool())
                    .await?;
            if cache.validate(generation, stamp) {
                let db = db.clone();
                tokio::spawn(async move {
                    if let Err(e) = load_barcodes(&db).await {
                        tracing::warn!("reloading the barcode map failed: {e}");
                    }
                });
            }
            if let Some((_, Some(hit))) = cache.get(code, stamp) {
                return Ok(hit);
            }
            generation
        }
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "{PRODUCT_SELECT} JOIN barcodes b ON b.product_id = p.id
         WHERE b.code = ? AND b.active = 1 AND p.active = 1"
    ));
    let row = sqlx::query(sql)
        .bind(code)
        .fetch_optional(db.pool())
        .await?;
    let product = row.as_ref().map(product_from_row);
    cache.put(code, generation, product.clone());
    Ok(product)
}

/// Loads every active barcode into memory so scans never wait on SQL, and keeps the map
/// loaded: after a catalog change it is reloaded in the background. For long-lived
/// processes (the till app); a one-shot `pos` command is faster without it. Returns
/// the number of codes loaded.
pub async fn warm_barcodes(db: &LocalDb) -> CoreResult<usize> {
    if !db.barcode_cache().start_warming() {
        return Ok(0);
    }
    load_barcodes(db).await
}

async fn load_barcodes(db: &LocalDb) -> CoreResult<usize> {
    let cache = db.barcode_cache();
    let stamp = cache.stamp();
    let loaded = read_barcode_map(db).await;
    let count = loaded.as_ref().map_or(0, |(_, m)| m.len());
    match loaded {
        Ok((generation, map)) => cache.fill(generation, stamp, Some(map)),
        Err(e) => {
            cache.fill(0, stamp, None);
            return Err(e);
        }
    }
    Ok(count)
}

/// The catalog generation and every active code with its product, from one snapshot.
async fn read_barcode_map(
    db: &LocalDb,
) -> CoreResult<(i64, std::collections::HashMap<String, Option<Product>>)> {
    let mut tx = db.pool().begin().await?;
    let generation: i64 = sqlx::query_scalar("SELECT n FROM catalog_generation WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    // PRODUCT_SELECT's columns, then the code.
    let rows = sqlx::query(
        "SELECT p.id, p.sku, p.name, coalesce(sp.price_minor, p.price_minor), t.rate_bp,
                t.inclusive, c.name, p.sold_by_weight, p.category_id, p.tax_rate_id, b.code
         FROM barcodes b
         JOIN products p ON p.id = b.product_id
         JOIN tax_rates t ON t.id = p.tax_rate_id
         LEFT JOIN categories c ON c.id = p.category_id
         LEFT JOIN shop_prices sp ON sp.product_id = p.id
         WHERE b.active = 1 AND p.active = 1",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let map = rows
        .iter()
        .map(|r| (r.get::<String, _>(10), Some(product_from_row(r))))
        .collect();
    Ok((generation, map))
}

/// An active product by exact SKU.
pub async fn by_sku(db: &LocalDb, sku: &str) -> CoreResult<Option<Product>> {
    let sql = sqlx::AssertSqlSafe(format!("{PRODUCT_SELECT} WHERE p.sku = ? AND p.active = 1"));
    let row = sqlx::query(sql).bind(sku).fetch_optional(db.pool()).await?;
    Ok(row.as_ref().map(product_from_row))
}

/// Finds products for a search box: exact code, then name prefix, SKU prefix,
/// barcode prefix, then name/SKU substring (3+ characters), without duplicates.
pub async fn search(db: &LocalDb, query: &str, limit: usize) -> CoreResult<Vec<Product>> {
    let q = normalize(query);
    if q.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let lim = i64::try_from(limit).unwrap_or(i64::MAX);
    let raw = query.trim();
    let mut found: Vec<Product> = Vec::new();
    let push = |rows: Vec<SqliteRow>, found: &mut Vec<Product>| {
        for r in &rows {
            let p = product_from_row(r);
            if found.len() < limit && !found.iter().any(|f| f.id == p.id) {
                found.push(p);
            }
        }
    };
    if let Some(p) = by_barcode(db, raw).await?.or(by_sku(db, raw).await?) {
        found.push(p);
    }
    let queries: [(&str, String, String); 3] = [
        ("WHERE p.name_norm >= ?1 AND p.name_norm < ?2 AND p.active = 1 ORDER BY p.name_norm LIMIT ?3", q.clone(), prefix_end(&q)),
        ("WHERE p.sku >= ?1 AND p.sku < ?2 AND p.active = 1 ORDER BY p.sku LIMIT ?3", raw.to_owned(), prefix_end(raw)),
        ("JOIN barcodes b ON b.product_id = p.id
          WHERE b.code >= ?1 AND b.code < ?2 AND b.active = 1 AND p.active = 1 ORDER BY b.code LIMIT ?3", raw.to_owned(), prefix_end(raw)),
    ];
    for (clause, lo, hi) in queries {
        if found.len() >= limit {
            break;
        }
        let sql = sqlx::AssertSqlSafe(format!("{PRODUCT_SELECT} {clause}"));
        let rows = sqlx::query(sql)
            .bind(lo)
            .bind(hi)
            .bind(lim)
            .fetch_all(db.pool())
            .await?;
        push(rows, &mut found);
    }
    // Each quoted word of 3+ characters is a substring the trigram index finds; several
    // words must all match, in any order ("lemon 420" finds "lemon curd 420g").
    let words: Vec<String> = q
        .split(' ')
        .filter(|w| w.chars().count() >= 3)
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if found.len() < limit && !words.is_empty() {
        let phrase = words.join(" ");
        let sql = sqlx::AssertSqlSafe(format!(
            "{PRODUCT_SELECT} WHERE p.rowid IN
               (SELECT rowid FROM products_fts WHERE products_fts MATCH ?1 LIMIT ?2)
             AND p.active = 1 ORDER BY p.name_norm"
        ));
        let rows = sqlx::query(sql)
            .bind(phrase)
            .bind(lim * 2)
            .fetch_all(db.pool())
            .await?;
        push(rows, &mut found);
    }
    Ok(found)
}

/// The first `per_category` products (by name) of each active category, categories by
/// name: the quick-key grid of the sell screen.
pub async fn by_category(
    db: &LocalDb,
    per_category: i64,
) -> CoreResult<Vec<(String, Vec<Product>)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PRODUCT_SELECT} WHERE p.id IN (
            SELECT id FROM (SELECT p2.id, row_number() OVER
                (PARTITION BY p2.category_id ORDER BY p2.name_norm) AS n
             FROM products p2 WHERE p2.active = 1 AND p2.category_id IS NOT NULL)
            WHERE n <= ?1)
         ORDER BY c.name, p.name_norm"
    ));
    let rows = sqlx::query(sql)
        .bind(per_category)
        .fetch_all(db.pool())
        .await?;
    let mut groups: Vec<(String, Vec<Product>)> = Vec::new();
    for p in rows.iter().map(product_from_row) {
        let name = p.category.clone().unwrap_or_default();
        match groups.last_mut() {
            Some((last, list)) if *last == name => list.push(p),
            _ => groups.push((name, vec![p])),
        }
    }
    Ok(groups)
}

/// A product to create or update, as the CSV import (or a sync) provides it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProductInput {
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub barcode: Option<String>,
    pub price_minor: i64,
    pub tax_rate_bp: u32,
    pub tax_inclusive: bool,
    #[serde(default)]
    pub category: Option<String>,
    /// Opening stock in units, decimals allowed for weighed goods (`1.250`).
    #[serde(default)]
    pub stock: Option<String>,
    #[serde(default)]
    pub sold_by_weight: bool,
}

pub(crate) async fn tax_rate_id(tx: &mut Tx, rate_bp: u32, inclusive: bool) -> CoreResult<String> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM tax_rates WHERE rate_bp = ? AND inclusive = ?")
            .bind(i64::from(rate_bp))
            .bind(inclusive)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = new_id();
    let name = format!(
        "{}.{:02}% {}",
        rate_bp / 100,
        rate_bp % 100,
        if inclusive { "incl." } else { "excl." }
    );
    sqlx::query("INSERT INTO tax_rates (id, name, rate_bp, inclusive) VALUES (?, ?, ?, ?)")
        .bind(&id)
        .bind(name)
        .bind(i64::from(rate_bp))
        .bind(inclusive)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

pub(crate) async fn category_id(tx: &mut Tx, name: &str) -> CoreResult<String> {
    let id = new_id();
    sqlx::query("INSERT INTO categories (id, name) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")
        .bind(&id)
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(
        sqlx::query_scalar("SELECT id FROM categories WHERE name = ?")
            .bind(name)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// The highest tax rate a product may carry: 100 %, in basis points. Anything above is
/// taken to be a rate typed in the wrong unit.
pub const MAX_TAX_RATE_BP: u32 = 10_000;

/// Refuses a product no till should sell: no SKU or name, a negative or absurd price, a
/// tax rate above 100 %.
pub(crate) fn check_input(p: &ProductInput) -> CoreResult<()> {
    if p.sku.trim().is_empty() || p.name.trim().is_empty() {
        return Err(CoreError::invalid("a product needs a SKU and a name"));
    }
    if p.price_minor < 0 {
        return Err(CoreError::invalid(format!(
            "price of {} is negative",
            p.sku
        )));
    }
    crate::error::within_entry_limit(p.price_minor, &format!("the price of {}", p.sku))?;
    if p.tax_rate_bp > MAX_TAX_RATE_BP {
        return Err(CoreError::invalid(format!(
            "tax rate of {} is {} basis points ({}.{:02} %); rates are in basis points (7 % is 700) and at most {MAX_TAX_RATE_BP}",
            p.sku,
            p.tax_rate_bp,
            p.tax_rate_bp / 100,
            p.tax_rate_bp % 100
        )));
    }
    // A code stored as typed but not readable by `Barcode::parse` could never be scanned.
    if let Some(code) = p
        .barcode
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        && let Err(e) = Barcode::parse(code)
    {
        let why = match e {
            BarcodeError::CheckDigit { expected, .. } => {
                format!("its check digit is wrong (a valid code ends in {expected})")
            }
            other => other.to_string(),
        };
        return Err(CoreError::invalid(format!(
            "barcode `{code}` of {} could never be scanned: {why}; correct it or leave it empty",
            p.sku
        )));
    }
    Ok(())
}

/// Checks `p` and finds (or creates) its tax rate and category rows.
async fn resolve(tx: &mut Tx, p: &ProductInput) -> CoreResult<(String, Option<String>)> {
    check_input(p)?;
    let tax_id = tax_rate_id(tx, p.tax_rate_bp, p.tax_inclusive).await?;
    let cat_id = match category_name(p) {
        Some(c) => Some(category_id(tx, c).await?),
        None => None,
    };
    Ok((tax_id, cat_id))
}

/// The product's category as stored: trimmed, `None` when blank.
pub(crate) fn category_name(p: &ProductInput) -> Option<&str> {
    p.category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// `code` as it is stored and looked up: scanner-normalised (UPC-A as 13 digits) so
/// lookups are exact; codes that are not valid GTINs (in-store labels) are kept as typed.
pub fn normalize_barcode(code: &str) -> String {
    let code = code.trim();
    Barcode::parse(code).map_or_else(|_| code.to_owned(), |b| b.as_str().to_owned())
}

/// Points `code` at `product_id` (re-activating it), in scanner-normalised form.
async fn attach_barcode(tx: &mut Tx, product_id: &str, code: &str) -> CoreResult<()> {
    let code = normalize_barcode(code);
    if code.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO barcodes (code, product_id) VALUES (?, ?)
         ON CONFLICT (code) DO UPDATE SET product_id = excluded.product_id, active = 1",
    )
    .bind(code)
    .bind(product_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Creates or updates (by SKU) one product inside `tx`; returns its id.
pub async fn upsert_product(tx: &mut Tx, now_ms: i64, p: &ProductInput) -> CoreResult<String> {
    let (tax_id, cat_id) = resolve(tx, p).await?;
    let id: String = sqlx::query_scalar(
        "INSERT INTO products (id, sku, name, name_norm, category_id, price_minor, tax_rate_id,
                               sold_by_weight, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (sku) DO UPDATE SET name = excluded.name, name_norm = excluded.name_norm,
             category_id = excluded.category_id, price_minor = excluded.price_minor,
             tax_rate_id = excluded.tax_rate_id, sold_by_weight = excluded.sold_by_weight,
             active = 1, updated_at_ms = excluded.updated_at_ms
         RETURNING id",
    )
    .bind(new_id())
    .bind(p.sku.trim())
    .bind(p.name.trim())
    .bind(normalize(&p.name))
    .bind(cat_id)
    .bind(p.price_minor)
    .bind(tax_id)
    .bind(p.sold_by_weight)
    .bind(now_ms)
    .fetch_one(&mut **tx)
    .await?;
    if let Some(code) = p.barcode.as_deref() {
        attach_barcode(tx, &id, code).await?;
    }
    Ok(id)
}

/// Appends to a statement batch what [`upsert_product`] writes, for a product already
/// checked ([`check_input`]) whose tax rate and category ids are known: the bulk import
/// sends many products per trip to SQLite. The barcode and the opening stock
/// (`stock_milli`, the server balance) find the product by its SKU.
pub(crate) fn push_upsert_by_sku(
    q: &mut sqlx::QueryBuilder<sqlx::Sqlite>,
    now_ms: i64,
    p: &ProductInput,
    tax_id: &str,
    cat_id: Option<&str>,
    stock_milli: Option<i64>,
) {
    let sku = p.sku.trim().to_owned();
    q.push(
        "INSERT INTO products (id, sku, name, name_norm, category_id, price_minor, tax_rate_id,
                               sold_by_weight, updated_at_ms) VALUES (",
    );
    q.separated(", ")
        .push_bind(new_id())
        .push_bind(sku.clone())
        .push_bind(p.name.trim().to_owned())
        .push_bind(normalize(&p.name))
        .push_bind(cat_id.map(str::to_owned))
        .push_bind(p.price_minor)
        .push_bind(tax_id.to_owned())
        .push_bind(p.sold_by_weight)
        .push_bind(now_ms);
    q.push(
        ") ON CONFLICT (sku) DO UPDATE SET name = excluded.name, name_norm = excluded.name_norm,
             category_id = excluded.category_id, price_minor = excluded.price_minor,
             tax_rate_id = excluded.tax_rate_id, sold_by_weight = excluded.sold_by_weight,
             active = 1, updated_at_ms = excluded.updated_at_ms;\n",
    );
    let code = p
        .barcode
        .as_deref()
        .map(normalize_barcode)
        .unwrap_or_default();
    if !code.is_empty() {
        q.push("INSERT INTO barcodes (code, product_id) VALUES (");
        q.push_bind(code);
        q.push(", (SELECT id FROM products WHERE sku = ");
        q.push_bind(sku.clone());
        q.push(
            ")) ON CONFLICT (code) DO UPDATE SET product_id = excluded.product_id, active = 1;\n",
        );
    }
    if let Some(milli) = stock_milli {
        q.push("INSERT INTO stock_balances (product_id, server_milli, updated_at_ms) VALUES (");
        q.push("(SELECT id FROM products WHERE sku = ");
        q.push_bind(sku);
        q.push("), ");
        q.push_bind(milli);
        q.push(", ");
        q.push_bind(now_ms);
        q.push(
            ") ON CONFLICT (product_id) DO UPDATE SET server_milli = excluded.server_milli,
                 updated_at_ms = excluded.updated_at_ms;\n",
        );
    }
}

/// Creates or updates the product with exactly this `id` inside `tx`, active. Synced
/// products keep the server's id so sales (and the facts pushed) name the server's product.
///
/// SKUs are unique here, so if another product still holds `p.sku` (the server moved the
/// SKU, e.g. after deleting the old product) that one is renamed to `SKU~ID`: the server's
/// current state wins, and the old row stays for the sales that reference it.
pub async fn upsert_product_with_id(
    tx: &mut Tx,
    now_ms: i64,
    id: &str,
    p: &ProductInput,
) -> CoreResult<()> {
    if id.trim().is_empty() {
        return Err(CoreError::invalid("a synced product needs an id"));
    }
    let (tax_id, cat_id) = resolve(tx, p).await?;
    sqlx::query(
        "UPDATE products SET sku = sku || '~' || id, updated_at_ms = ?
         WHERE sku = ? AND id <> ?",
    )
    .bind(now_ms)
    .bind(p.sku.trim())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO products (id, sku, name, name_norm, category_id, price_minor, tax_rate_id,
                               sold_by_weight, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name = excluded.name,
             name_norm = excluded.name_norm, category_id = excluded.category_id,
             price_minor = excluded.price_minor, tax_rate_id = excluded.tax_rate_id,
             sold_by_weight = excluded.sold_by_weight, active = 1,
             updated_at_ms = excluded.updated_at_ms",
    )
    .bind(id)
    .bind(p.sku.trim())
    .bind(p.name.trim())
    .bind(normalize(&p.name))
    .bind(cat_id)
    .bind(p.price_minor)
    .bind(tax_id)
    .bind(p.sold_by_weight)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    if let Some(code) = p.barcode.as_deref() {
        attach_barcode(tx, id, code).await?;
    }
    Ok(())
}

/// Makes `codes` exactly the active barcodes of `product_id`: others of it are
/// deactivated (kept, never deleted), listed ones attached even if another product had them.
pub async fn replace_barcodes(tx: &mut Tx, product_id: &str, codes: &[String]) -> CoreResult<()> {
    sqlx::query("UPDATE barcodes SET active = 0 WHERE product_id = ? AND active = 1")
        .bind(product_id)
        .execute(&mut **tx)
        .await?;
    for code in codes {
        attach_barcode(tx, product_id, code).await?;
    }
    Ok(())
}

/// Takes a product off sale (never deleted: old sales point at it); false when unknown.
pub async fn deactivate_product(tx: &mut Tx, now_ms: i64, id: &str) -> CoreResult<bool> {
    let done = sqlx::query("UPDATE products SET active = 0, updated_at_ms = ? WHERE id = ?")
        .bind(now_ms)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn input(sku: &str, name: &str, barcode: &str, price: i64) -> ProductInput {
        ProductInput {
            sku: sku.into(),
            name: name.into(),
            barcode: Some(barcode.into()),
            price_minor: price,
            tax_rate_bp: 2000,
            tax_inclusive: true,
            category: Some("Grocery".into()),
            stock: None,
            sold_by_weight: false,
        }
    }

    async fn seeded(n: usize) -> (tempfile::TempDir, LocalDb) {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("c.db")).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        upsert_product(
            &mut tx,
            1,
            &input("MILK-1", "Whole Milk 1L", "4006381333931", 129),
        )
        .await
        .unwrap();
        upsert_product(
            &mut tx,
            1,
            &input("BRD-2", "Rye  Bread", "5901234123457", 249),
        )
        .await
        .unwrap();
        for i in 0..n {
            let name = format!("Filler product {i:06}");
            let body = format!("29{i:010}");
            let check = pos_shared::barcode::gs1_check_digit(&body).unwrap();
            upsert_product(
                &mut tx,
                1,
                &input(&format!("F{i:06}"), &name, &format!("{body}{check}"), 100),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        (dir, db)
    }

    #[tokio::test]
    async fn lookups_by_code_and_sku() {
        let (_d, db) = seeded(0).await;
        let p = by_barcode(&db, "4006381333931").await.unwrap().unwrap();
        assert_eq!(p.sku, "MILK-1");
        assert_eq!((p.tax_rate_bp, p.tax_inclusive), (2000, true));
        assert_eq!(
            by_sku(&db, "BRD-2").await.unwrap().unwrap().name,
            "Rye  Bread"
        );
        assert!(by_barcode(&db, "000").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn search_by_prefix_substring_sku_and_barcode() {
        let (_d, db) = seeded(0).await;
        let names = |v: Vec<Product>| v.into_iter().map(|p| p.sku).collect::<Vec<_>>();
        assert_eq!(names(search(&db, "whole", 10).await.unwrap()), ["MILK-1"]);
        assert_eq!(
            names(search(&db, "MILK", 10).await.unwrap()),
            ["MILK-1"],
            "name prefix, any case"
        );
        assert_eq!(
            names(search(&db, "rye bread", 10).await.unwrap()),
            ["BRD-2"],
            "whitespace collapsed"
        );
        assert_eq!(
            names(search(&db, "bread", 10).await.unwrap()),
            ["BRD-2"],
            "substring via FTS"
        );
        assert_eq!(
            names(search(&db, "BRD", 10).await.unwrap()),
            ["BRD-2"],
            "SKU prefix"
        );
        assert_eq!(
            names(search(&db, "590123", 10).await.unwrap()),
            ["BRD-2"],
            "barcode prefix"
        );
        assert_eq!(
            names(search(&db, "milk whole", 10).await.unwrap()),
            ["MILK-1"],
            "words in any order"
        );
        assert!(search(&db, "zzz", 10).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn upsert_by_sku_updates_in_place() {
        let (_d, db) = seeded(0).await;
        let mut tx = db.begin().await.unwrap();
        upsert_product(
            &mut tx,
            2,
            &input("MILK-1", "Skimmed Milk", "4006381333931", 99),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let p = by_sku(&db, "MILK-1").await.unwrap().unwrap();
        assert_eq!((p.name.as_str(), p.price_minor), ("Skimmed Milk", 99));
        assert_eq!(
            names_of(search(&db, "skimmed", 5).await.unwrap()),
            ["MILK-1"],
            "FTS follows updates"
        );
        assert!(
            search(&db, "whole", 5).await.unwrap().is_empty(),
            "old name left the index"
        );
    }

    fn names_of(v: Vec<Product>) -> Vec<String> {
        v.into_iter().map(|p| p.sku).collect()
    }

    #[tokio::test]
    async fn search_finds_by_name_sku_barcode_prefix_and_words_among_many() {
        // Speed is measured by `kassa-bench terminal`, not here.
        let (_d, db) = seeded(3_000).await;
        for (q, sku) in [
            ("filler product 001999", "F001999"),
            ("F00150", "F001500"),
            ("290000000123", "F000123"),
            ("duct 002999", "F002999"),
            ("milk", "MILK-1"),
        ] {
            let found = search(&db, q, 20).await.unwrap();
            assert!(
                found.iter().any(|p| p.sku == sku),
                "`{q}` finds {sku}: {:?}",
                found.iter().map(|p| &p.sku).collect::<Vec<_>>()
            );
        }
    }
}
