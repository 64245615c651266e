//! The data both systems sync, written as JSON for the PouchDB scripts: the very sales the
//! Kassa terminals made (one document each) and the catalog the Kassa server holds.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use pos_shared::facts::Sale;
use pos_shared::sync::CatalogProduct;
use serde::Serialize;

#[derive(Serialize)]
struct SalesFile<'a> {
    /// One list of sales per terminal, in the order they were made.
    terminals: &'a [Vec<Sale>],
    /// Thousandths of a unit sold per product id: what the stock view must sum to.
    sold_milli: BTreeMap<&'a str, i64>,
}

/// Units sold per product over every sale.
fn sold(terminals: &[Vec<Sale>]) -> BTreeMap<&str, i64> {
    let mut out = BTreeMap::new();
    for line in terminals.iter().flatten().flat_map(|s| &s.lines) {
        *out.entry(line.product_id.as_str()).or_insert(0) += line.qty_milli;
    }
    out
}

pub fn write_sales(path: &Path, terminals: &[Vec<Sale>]) -> anyhow::Result<()> {
    let file = SalesFile {
        terminals,
        sold_milli: sold(terminals),
    };
    std::fs::write(path, serde_json::to_vec(&file)?)
        .with_context(|| format!("writing {}", path.display()))
}

pub fn write_products(path: &Path, products: &[CatalogProduct]) -> anyhow::Result<()> {
    std::fs::write(path, serde_json::to_vec(products)?)
        .with_context(|| format!("writing {}", path.display()))
}
