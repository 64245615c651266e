//! Standalone catalog import from CSV: columns found by their header names, every row
//! checked before anything is written, then applied in one transaction (all or nothing).
//! `stock` becomes the opening server balance; left blank, a product keeps its level.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use pos_shared::Quantity;
use pos_shared::money::MAX_ENTRY_MINOR;
use serde::Serialize;

use sqlx::QueryBuilder;

use crate::catalog::{
    MAX_TAX_RATE_BP, ProductInput, category_id, category_name, check_input, normalize_barcode,
    push_upsert_by_sku, tax_rate_id,
};
use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, get_setting};

/// Columns every file must have, by header name.
pub const REQUIRED_COLUMNS: [&str; 5] =
    ["sku", "name", "price_minor", "tax_rate_bp", "tax_inclusive"];
/// Columns a file may have.
pub const OPTIONAL_COLUMNS: [&str; 4] = ["barcode", "category", "stock", "sold_by_weight"];

/// Products sent to SQLite per trip (each is up to three statements).
const ROWS_PER_TRIP: usize = 100;

const MAX_SKU_CHARS: usize = 64;
const MAX_NAME_CHARS: usize = 200;

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Rows imported: `created + updated`.
    pub products: usize,
    pub created: usize,
    pub updated: usize,
    /// Rows whose `stock` set the product's opening level.
    pub stock_set: usize,
}

/// One checked product row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogRow {
    /// The row's line in the file (the header is line 1).
    pub line: usize,
    pub product: ProductInput,
    pub stock_milli: Option<i64>,
}

/// A whole file, parsed and checked; nothing written yet.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogFile {
    pub rows: Vec<CatalogRow>,
}

fn bad(line: usize, reason: impl Into<String>) -> CoreError {
    CoreError::CatalogCsv {
        line,
        reason: reason.into(),
    }
}

/// Parses a bool the way spreadsheets write it.
fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" => Some(true),
        "0" | "false" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// The separator of the header line: spreadsheets set to many European locales save
/// `;`-separated "CSV", and tab-separated exports are common too.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let header = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |d: u8| header.iter().filter(|b| **b == d).count();
    [b';', b'\t']
        .into_iter()
        .filter(|d| count(*d) > count(b','))
        .max_by_key(|d| count(*d))
        .unwrap_or(b',')
}

/// Where each known column is in the file.
struct Columns {
    at: HashMap<&'static str, usize>,
    count: usize,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> CoreResult<Columns> {
        let known = || REQUIRED_COLUMNS.iter().chain(&OPTIONAL_COLUMNS);
        let mut at = HashMap::new();
        for (i, raw) in header.iter().enumerate() {
            let name = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
            let Some(col) = known().find(|c| **c == name) else {
                return Err(bad(
                    1,
                    format!(
                        "unknown column `{}`; the columns are {} (required) and {} (optional)",
                        raw.trim(),
                        REQUIRED_COLUMNS.join(", "),
                        OPTIONAL_COLUMNS.join(", ")
                    ),
                ));
            };
            if at.insert(*col, i).is_some() {
                return Err(bad(1, format!("column `{col}` appears twice")));
            }
        }
        let missing: Vec<&str> = REQUIRED_COLUMNS
            .into_iter()
            .filter(|c| !at.contains_key(c))
            .collect();
        if !missing.is_empty() {
            return Err(bad(
                1,
                format!(
                    "the header row lacks {}; the first row must name the columns, e.g. {}",
                    missing.join(", "),
                    REQUIRED_COLUMNS.join(",")
                ),
            ));
        }
        Ok(Columns {
            at,
            count: header.len(),
        })
    }

    fn get<'r>(&self, rec: &'r csv::StringRecord, col: &str) -> &'r str {
        self.at
            .get(col)
            .and_then(|i| rec.get(*i))
            .unwrap_or("")
            .trim()
    }

    fn row(&self, rec: &csv::StringRecord, line: usize) -> CoreResult<CatalogRow> {
        if rec.len() != self.count {
            return Err(bad(
                line,
                format!(
                    "{} fields, but the header names {} columns (a stray separator, or a value with a comma that needs \"quotes\"?)",
                    rec.len(),
                    self.count
                ),
            ));
        }
        let field = |col| self.get(rec, col);
        let sku = field("sku");
        let name = field("name");
        if sku.is_empty() || name.is_empty() {
            return Err(bad(line, "every product needs a sku and a name"));
        }
        if sku.chars().count() > MAX_SKU_CHARS || name.chars().count() > MAX_NAME_CHARS {
            return Err(bad(
                line,
                format!("a sku is at most {MAX_SKU_CHARS} characters and a name {MAX_NAME_CHARS}"),
            ));
        }
        let price = field("price_minor");
        let price_minor: i64 = price.parse().map_err(|_| {
            let hint = if price.contains(['.', ',']) {
                " (price_minor counts minor units: 1.29 is written 129)"
            } else {
                ""
            };
            bad(
                line,
                format!("price_minor `{price}` is not a whole number{hint}"),
            )
        })?;
        if !(0..=MAX_ENTRY_MINOR).contains(&price_minor) {
            return Err(bad(
                line,
                format!("price_minor {price_minor} must be between 0 and {MAX_ENTRY_MINOR}"),
            ));
        }
        let rate = field("tax_rate_bp");
        let tax_rate_bp: u32 = rate
            .parse()
            .ok()
            .filter(|bp| *bp <= MAX_TAX_RATE_BP)
            .ok_or_else(|| {
                bad(
                    line,
                    format!(
                        "tax_rate_bp `{rate}` must be basis points from 0 to {MAX_TAX_RATE_BP} (7 % is 700)"
                    ),
                )
            })?;
        let inclusive = field("tax_inclusive");
        let tax_inclusive = parse_bool(inclusive).ok_or_else(|| {
            bad(
                line,
                format!("tax_inclusive `{inclusive}` must be true or false (also yes/no, 1/0)"),
            )
        })?;
        let weighed = field("sold_by_weight");
        let sold_by_weight = if weighed.is_empty() {
            false
        } else {
            parse_bool(weighed).ok_or_else(|| {
                bad(
                    line,
                    format!("sold_by_weight `{weighed}` must be true or false"),
                )
            })?
        };
        let stock = field("stock");
        let stock_milli = if stock.is_empty() {
            None
        } else {
            let q: Quantity = stock.parse().map_err(|_| {
                bad(
                    line,
                    format!("stock `{stock}` is not a quantity such as 24 or 1.250"),
                )
            })?;
            if q.milli() < 0 {
                return Err(bad(
                    line,
                    format!("opening stock `{stock}` cannot be negative"),
                ));
            }
            Some(q.milli())
        };
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Ok(CatalogRow {
            line,
            product: ProductInput {
                sku: sku.to_owned(),
                name: name.to_owned(),
                barcode: non_empty(field("barcode")),
                price_minor,
                tax_rate_bp,
                tax_inclusive,
                category: non_empty(field("category")),
                stock: non_empty(stock),
                sold_by_weight,
            },
            stock_milli,
        })
    }
}

/// A product check's refusal, as the file line it came from.
fn on_line(line: usize, e: CoreError) -> CoreError {
    match e {
        CoreError::Invalid(reason) => bad(line, reason),
        other => other,
    }
}

/// Reads and checks a whole catalog file; writes nothing. Every problem names its line.
pub fn parse<R: Read>(mut reader: R) -> CoreResult<CatalogFile> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if text.iter().take(8192).any(|b| *b == 0) {
        return Err(bad(1, "this is not a text file; export the sheet as CSV"));
    }
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(
            1,
            format!(
                "the file is empty; the first row names the columns, e.g. {}",
                REQUIRED_COLUMNS.join(",")
            ),
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(sniff_delimiter(text))
        .from_reader(text);
    let header = rdr
        .headers()
        .map_err(|e| bad(1, format!("the header row cannot be read: {e}")))?;
    let columns = Columns::from_header(header)?;
    let mut rows = Vec::new();
    let mut skus: HashMap<String, usize> = HashMap::new();
    let mut barcodes: HashMap<String, usize> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            bad(line, e.to_string())
        })?;
        let line = rec.position().map_or(rows.len() + 2, |p| p.line() as usize);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let row = columns.row(&rec, line)?;
        check_input(&row.product).map_err(|e| on_line(line, e))?;
        if let Some(first) = skus.insert(row.product.sku.clone(), line) {
            return Err(bad(
                line,
                format!("sku `{}` is already on line {first}", row.product.sku),
            ));
        }
        if let Some(code) = row.product.barcode.as_deref()
            && let Some(first) = barcodes.insert(normalize_barcode(code), line)
        {
            return Err(bad(
                line,
                format!("barcode `{code}` is already on line {first}"),
            ));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(bad(2, "the file has a header row but no products"));
    }
    Ok(CatalogFile { rows })
}

/// Writes a checked file in one transaction: products are created or updated by SKU;
/// products not in the file are left as they are.
pub async fn apply(db: &LocalDb, file: &CatalogFile) -> CoreResult<ImportReport> {
    // An enrolled terminal's catalog is server state: local products would carry ids the
    // server does not know, and the next pull would not correct them.
    if let Some(server) = get_setting(db.pool(), crate::sync::settings::SERVER_URL).await? {
        return Err(CoreError::invalid(format!(
            "this terminal is enrolled with {server}: its catalog comes from the server; change products there and run `pos sync`"
        )));
    }
    let now = db.now_ms();
    let mut tx = db.begin().await?;
    let mut report = ImportReport {
        products: 0,
        created: 0,
        updated: 0,
        stock_set: 0,
    };
    let existing: HashSet<String> = sqlx::query_scalar("SELECT sku FROM products")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    // A catalog has a handful of rates and categories: each is looked up once.
    let mut tax_ids: HashMap<(u32, bool), String> = HashMap::new();
    let mut category_ids: HashMap<String, String> = HashMap::new();
    for chunk in file.rows.chunks(ROWS_PER_TRIP) {
        let mut q = QueryBuilder::new("");
        for row in chunk {
            let p = &row.product;
            check_input(p).map_err(|e| on_line(row.line, e))?;
            let rate = (p.tax_rate_bp, p.tax_inclusive);
            let tax_id = match tax_ids.get(&rate) {
                Some(id) => id.clone(),
                None => {
                    let id = tax_rate_id(&mut tx, rate.0, rate.1).await?;
                    tax_ids.insert(rate, id.clone());
                    id
                }
            };
            let cat_id = match category_name(p) {
                Some(name) => Some(match category_ids.get(name) {
                    Some(id) => id.clone(),
                    None => {
                        let id = category_id(&mut tx, name).await?;
                        category_ids.insert(name.to_owned(), id.clone());
                        id
                    }
                }),
                None => None,
            };
            push_upsert_by_sku(&mut q, now, p, &tax_id, cat_id.as_deref(), row.stock_milli);
            if row.stock_milli.is_some() {
                report.stock_set += 1;
            }
            if existing.contains(p.sku.trim()) {
                report.updated += 1;
            } else {
                report.created += 1;
            }
            report.products += 1;
        }
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    tracing::info!(products = report.products, "catalog imported");
    Ok(report)
}

/// Parses, checks and applies a catalog file.
pub async fn import<R: Read>(db: &LocalDb, reader: R) -> CoreResult<ImportReport> {
    apply(db, &parse(reader)?).await
}

impl ImportReport {
    /// One line for people.
    pub fn describe(&self) -> String {
        format!(
            "imported {} products ({} new, {} updated); opening stock set for {}",
            self.products, self.created, self.updated, self.stock_set
        )
    }
}

#[cfg(test)]
#[path = "catalog_csv_tests.rs"]
mod tests;
