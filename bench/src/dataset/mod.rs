//! Deterministic shop data: products with realistic names, categories, valid EAN-13
//! barcodes, prices and VAT rates, and customers. A fixed seed gives the same shop on
//! every run, so results stay comparable.

mod words;

use anyhow::{Context, ensure};
use pos_shared::barcode::gs1_check_digit;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use words::{BRANDS, CATEGORIES, FIRST_NAMES, GS1_COUNTRY_PREFIXES, LAST_NAMES, VARIANTS};

/// Items one brand can number under its company prefix (5-digit item reference).
const ITEMS_PER_BRAND: usize = 100_000;

/// One generated product, in the columns of pos-core's catalog CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenProduct {
    pub sku: String,
    pub name: String,
    pub barcode: String,
    pub price_minor: i64,
    pub tax_rate_bp: u32,
    pub category: &'static str,
    pub stock: u32,
}

/// One generated customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenCustomer {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub credit_limit_minor: i64,
}

/// A generated shop: its catalog and its customers.
#[derive(Debug, Clone)]
pub struct Shop {
    pub products: Vec<GenProduct>,
    pub customers: Vec<GenCustomer>,
}

/// Appends the GS1 check digit to a 12-digit body.
pub fn ean13(body: &str) -> anyhow::Result<String> {
    ensure!(body.len() == 12, "an EAN-13 body has 12 digits: {body}");
    let check = gs1_check_digit(body).context("EAN-13 body")?;
    Ok(format!("{body}{check}"))
}

/// 7-digit GS1 company prefix of brand `i`: country prefix + 4-digit company number,
/// distinct for every brand.
fn company_prefix(i: usize) -> String {
    let country = GS1_COUNTRY_PREFIXES[i % GS1_COUNTRY_PREFIXES.len()];
    format!("{country}{:04}", 1000 + i * 97 % 9000)
}

/// Shelf price inside `band`, log-uniform (cheap items are common) and ending in 9.
fn price(rng: &mut StdRng, (lo, hi): (i64, i64)) -> i64 {
    let (lo, hi) = (lo as f64, hi as f64);
    let raw = (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp();
    ((raw / 10.0).round() as i64 * 10 - 1).max(9)
}

/// Generates `products` products and `customers` customers from `seed`.
pub fn generate(seed: u64, products: usize, customers: usize) -> anyhow::Result<Shop> {
    ensure!(
        products <= BRANDS.len() * ITEMS_PER_BRAND,
        "at most {} products fit the brands' barcode ranges",
        BRANDS.len() * ITEMS_PER_BRAND
    );
    let mut rng = StdRng::seed_from_u64(seed);
    let mut next_item = vec![0usize; BRANDS.len()];
    let mut out = Vec::with_capacity(products);
    for i in 0..products {
        let cat = &CATEGORIES[rng.random_range(0..CATEGORIES.len())];
        let mut brand = rng.random_range(0..BRANDS.len());
        while next_item[brand] >= ITEMS_PER_BRAND {
            brand = (brand + 1) % BRANDS.len();
        }
        let item = next_item[brand];
        next_item[brand] += 1;
        let variant = *VARIANTS.choose(&mut rng).unwrap_or(&"");
        let noun = cat.nouns.choose(&mut rng).unwrap_or(&"Item");
        let size = cat.sizes.choose(&mut rng).unwrap_or(&"1 pc");
        let name = [BRANDS[brand], variant, noun, size]
            .iter()
            .filter(|w| !w.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        out.push(GenProduct {
            sku: format!("{}-{i:06}", cat.sku_prefix),
            name,
            barcode: ean13(&format!("{}{item:05}", company_prefix(brand)))?,
            price_minor: price(&mut rng, cat.price_band),
            tax_rate_bp: cat.tax_rate_bp,
            category: cat.name,
            stock: rng.random_range(0..200),
        });
    }
    let customers = (0..customers)
        .map(|i| {
            let first = FIRST_NAMES.choose(&mut rng).unwrap_or(&"Alex");
            let last = LAST_NAMES.choose(&mut rng).unwrap_or(&"Doe");
            GenCustomer {
                name: format!("{first} {last}"),
                phone: format!("+49 30 {:07}", rng.random_range(0..10_000_000)),
                email: format!("{}.{i}@example.com", first.to_lowercase()),
                credit_limit_minor: [0, 0, 5_000, 10_000, 20_000][i % 5],
            }
        })
        .collect();
    Ok(Shop {
        products: out,
        customers,
    })
}

/// The catalog as the CSV `pos init --catalog-csv` reads.
pub fn catalog_csv(products: &[GenProduct]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "sku",
        "name",
        "barcode",
        "price_minor",
        "tax_rate_bp",
        "tax_inclusive",
        "category",
        "stock",
    ])?;
    for p in products {
        w.write_record([
            p.sku.as_str(),
            &p.name,
            &p.barcode,
            &p.price_minor.to_string(),
            &p.tax_rate_bp.to_string(),
            "true",
            p.category,
            &p.stock.to_string(),
        ])?;
    }
    w.into_inner().context("finishing the catalog CSV")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean13_matches_a_printed_code() {
        assert_eq!(ean13("400638133393").unwrap(), "4006381333931");
    }

    #[test]
    fn same_seed_same_shop() {
        let a = generate(7, 200, 10).unwrap();
        let b = generate(7, 200, 10).unwrap();
        assert_eq!(
            a.products, b.products,
            "a fixed seed must reproduce the catalog"
        );
        assert_eq!(a.customers, b.customers);
    }
}
