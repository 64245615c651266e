//! In-process reads a cashier waits on: barcode lookup, scanning into a cart, and
//! search-as-you-type over names (typed one character at a time), SKUs and barcodes.

use anyhow::{Context, ensure};
use pos_core::catalog;
use pos_core::checkout::Cart;
use pos_core::till;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::load::Loaded;
use crate::dataset::GenProduct;
use crate::stats::Samples;

/// Results a search box shows (the CLI's default `--limit`).
pub const SEARCH_LIMIT: usize = 20;
const WARM_UP: usize = 500;

/// `catalog::by_barcode` on `n` random catalog barcodes; every one must be found.
pub async fn barcode(
    l: &Loaded,
    products: &[GenProduct],
    rng: &mut StdRng,
    n: usize,
) -> anyhow::Result<Samples> {
    for p in products.choose_multiple(rng, WARM_UP.min(n)) {
        catalog::by_barcode(&l.db, &p.barcode).await?;
    }
    let mut s = Samples::with_capacity(n);
    for _ in 0..n {
        let p = products.choose(rng).context("empty catalog")?;
        let found = s.time(catalog::by_barcode(&l.db, &p.barcode)).await?;
        ensure!(
            found.is_some_and(|f| f.sku == p.sku),
            "barcode {} not found",
            p.barcode
        );
    }
    Ok(s)
}

/// `till::add_code`: what one scan costs (parse, lookup, tax rate, new cart line).
pub async fn scan(
    l: &Loaded,
    products: &[GenProduct],
    rng: &mut StdRng,
    n: usize,
) -> anyhow::Result<Samples> {
    let mut s = Samples::with_capacity(n);
    let mut cart = Cart::default();
    for _ in 0..n {
        let p = products.choose(rng).context("empty catalog")?;
        s.time(till::add_code(
            &l.db,
            &l.terminal,
            &mut cart,
            &p.barcode,
            1000,
        ))
        .await?;
        cart.lines.clear();
    }
    Ok(s)
}

/// Search latencies split by what was typed.
#[derive(Debug, Default)]
pub struct SearchSamples {
    pub names: Samples,
    pub skus: Samples,
    pub barcodes: Samples,
}

/// Every prefix of `text` from `min_chars` characters on.
fn prefixes(text: &str, min_chars: usize) -> impl Iterator<Item = &str> {
    text.char_indices()
        .map(|(i, c)| &text[..i + c.len_utf8()])
        .skip(min_chars.saturating_sub(1))
}

async fn typed(l: &Loaded, text: &str, min_chars: usize, s: &mut Samples) -> anyhow::Result<()> {
    for q in prefixes(text, min_chars) {
        s.time(catalog::search(&l.db, q, SEARCH_LIMIT)).await?;
    }
    let full = catalog::search(&l.db, text, SEARCH_LIMIT).await?;
    ensure!(
        !full.is_empty(),
        "searching the whole of `{text}` found nothing"
    );
    Ok(())
}

/// Types `names` product names, then `codes` SKUs and barcodes, one character at a time.
pub async fn search(
    l: &Loaded,
    products: &[GenProduct],
    rng: &mut StdRng,
    names: usize,
    codes: usize,
) -> anyhow::Result<SearchSamples> {
    for p in products.choose_multiple(rng, WARM_UP.min(names)) {
        catalog::search(&l.db, &p.name, SEARCH_LIMIT).await?;
    }
    let mut out = SearchSamples::default();
    for p in products.choose_multiple(rng, names) {
        typed(l, &p.name, 1, &mut out.names).await?;
    }
    for p in products.choose_multiple(rng, codes) {
        // A SKU is only worth searching once its prefix is typed ("DAI-").
        typed(l, &p.sku, 3, &mut out.skus).await?;
        // Barcode prefixes: a company prefix narrows down quickly.
        typed(l, &p.barcode, 4, &mut out.barcodes).await?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::prefixes;

    #[test]
    fn prefixes_respect_characters() {
        let got: Vec<&str> = prefixes("Rosé", 2).collect();
        assert_eq!(got, ["Ro", "Ros", "Rosé"]);
    }
}
