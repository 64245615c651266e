//! Standalone catalog import: one CSV with columns
//! `sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive,category,stock`, applied in
//! one transaction (all or nothing). `stock` becomes the opening server balance.

use std::io::Read;

use pos_shared::Quantity;
use serde::Serialize;

use crate::catalog::{ProductInput, upsert_product};
use crate::error::{CoreError, CoreResult};
use crate::stock::set_server_balance;
use crate::store::{LocalDb, get_setting};

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub products: usize,
}

/// Parses a bool the way spreadsheets write it.
fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" => Some(true),
        "0" | "false" | "no" | "n" | "" => Some(false),
        _ => None,
    }
}

fn row_to_input(rec: &csv::StringRecord, line: usize) -> CoreResult<ProductInput> {
    let field = |i: usize| rec.get(i).unwrap_or("").trim();
    let bad = |reason: String| CoreError::CatalogCsv { line, reason };
    let price_minor = field(3)
        .parse()
        .map_err(|_| bad(format!("price_minor `{}` is not an integer", field(3))))?;
    let tax_rate_bp = field(4)
        .parse()
        .map_err(|_| bad(format!("tax_rate_bp `{}` is not a whole number", field(4))))?;
    let tax_inclusive = parse_bool(field(5))
        .ok_or_else(|| bad(format!("tax_inclusive `{}` is not true/false", field(5))))?;
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Ok(ProductInput {
        sku: field(0).to_owned(),
        name: field(1).to_owned(),
        barcode: non_empty(field(2)),
        price_minor,
        tax_rate_bp,
        tax_inclusive,
        category: non_empty(field(6)),
        stock: non_empty(field(7)),
        sold_by_weight: false,
    })
}

/// Imports products from CSV text (with a header row).
pub async fn import<R: Read>(db: &LocalDb, reader: R) -> CoreResult<ImportReport> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    // An enrolled terminal's catalog is server state: local products would carry ids the
    // server does not know, and the next pull would not correct them.
    if let Some(server) = get_setting(db.pool(), crate::sync::settings::SERVER_URL).await? {
        return Err(CoreError::invalid(format!(
            "this terminal is enrolled with {server}: its catalog comes from the server; change products there and run `pos sync`"
        )));
    }
    let now = db.now_ms();
    let mut tx = db.begin().await?;
    let mut products = 0;
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| CoreError::CatalogCsv {
            line,
            reason: e.to_string(),
        })?;
        let input = row_to_input(&rec, line)?;
        let id = upsert_product(&mut tx, now, &input)
            .await
            .map_err(|e| match e {
                CoreError::Invalid(reason) => CoreError::CatalogCsv { line, reason },
                other => other,
            })?;
        if let Some(stock) = &input.stock {
            let qty: Quantity = stock.parse().map_err(|_| CoreError::CatalogCsv {
                line,
                reason: format!("stock `{stock}` is not a quantity"),
            })?;
            set_server_balance(&mut tx, now, &id, qty.milli()).await?;
        }
        products += 1;
    }
    tx.commit().await?;
    tracing::info!(products, "catalog imported");
    Ok(ImportReport { products })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{catalog, stock};

    #[tokio::test]
    async fn imports_products_barcodes_and_opening_stock() {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("c.db")).await.unwrap();
        let csv = "sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive,category,stock\n\
                   MILK,\"Milk, whole 1L\",4006381333931,129,700,true,Dairy,24\n\
                   APPL,Apples,036000291452,299,700,1,Fruit,10.5\n";
        let report = import(&db, csv.as_bytes()).await.unwrap();
        assert_eq!(report.products, 2);
        let milk = catalog::by_barcode(&db, "4006381333931")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(milk.name, "Milk, whole 1L", "quoted commas survive");
        assert!(
            catalog::by_barcode(&db, "0036000291452")
                .await
                .unwrap()
                .is_some(),
            "UPC-A is stored in its 13-digit form"
        );
        let lv = stock::levels(&db, Some("APPL")).await.unwrap();
        assert_eq!(lv[0].on_hand_milli, 10_500);
    }

    #[tokio::test]
    async fn a_bad_row_names_its_line_and_imports_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("c.db")).await.unwrap();
        let csv = "sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive,category,stock\n\
                   A,Ok,,100,0,true,,\nB,Bad,,ten,0,true,,\n";
        let err = import(&db, csv.as_bytes()).await.unwrap_err();
        assert!(
            matches!(err, CoreError::CatalogCsv { line: 3, .. }),
            "got {err}"
        );
        assert!(
            catalog::by_sku(&db, "A").await.unwrap().is_none(),
            "the import is atomic"
        );
    }
}
