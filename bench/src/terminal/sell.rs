//! Sale commits through `sales::complete` (what `pos sell` calls: one transaction with
//! the journal record, committed with `synchronous=FULL`), then the X and Z reports over
//! the shift those sales filled.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use pos_core::checkout::{self, Cart, Tender};
use pos_core::{journal, sales, shifts, till};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::load::Loaded;
use crate::dataset::GenProduct;
use crate::stats::Samples;

/// A typical cash sale: 3-5 scanned lines of 1-3 units, paid with the next 5 € note.
async fn cart(l: &Loaded, products: &[GenProduct], rng: &mut StdRng) -> anyhow::Result<Cart> {
    let mut cart = Cart::default();
    for _ in 0..rng.random_range(3..=5) {
        let p = products.choose(rng).context("empty catalog")?;
        let qty_milli = 1000 * rng.random_range(1..=3);
        till::add_code(&l.db, &l.terminal, &mut cart, &p.barcode, qty_milli).await?;
    }
    let total = checkout::price(&cart, l.terminal.currency)?.total_minor;
    cart.tenders.push(Tender::Cash {
        amount_minor: (total / 500 + 1) * 500,
    });
    Ok(cart)
}

/// Commits `n` sales; only `sales::complete` is timed (the cart is built while scanning).
pub async fn sales(
    l: &Loaded,
    products: &[GenProduct],
    rng: &mut StdRng,
    n: usize,
) -> anyhow::Result<Samples> {
    let mut s = Samples::with_capacity(n);
    for _ in 0..n {
        let cart = cart(l, products, rng).await?;
        s.time(sales::complete(&l.db, &l.terminal, &l.cashier, &cart, None))
            .await?;
    }
    Ok(s)
}

/// Commits `n` sales, one every `every` at most (scanning the next cart inside the gap),
/// the way even the busiest till sells; only `sales::complete` is timed.
pub async fn paced_sales(
    l: &Loaded,
    products: &[GenProduct],
    rng: &mut StdRng,
    n: usize,
    every: Duration,
) -> anyhow::Result<Samples> {
    let mut s = Samples::with_capacity(n);
    let mut next = tokio::time::Instant::now();
    for _ in 0..n {
        let cart = cart(l, products, rng).await?;
        tokio::time::sleep_until(next).await;
        next = tokio::time::Instant::now() + every;
        s.time(sales::complete(&l.db, &l.terminal, &l.cashier, &cart, None))
            .await?;
    }
    Ok(s)
}

/// Report latencies over the open shift.
#[derive(Debug)]
pub struct Reports {
    pub x: Samples,
    pub z: Duration,
    pub sales_in_z: i64,
    /// `journal::verify` once the shift is closed: the chain and every row against it.
    pub verify: Duration,
    /// `journal::verify_chain` (what `pos status` checks): the chain alone.
    pub chain: Duration,
    pub journal_records: i64,
}

/// `x_runs` X reports, then the Z report that closes the shift (counted cash = expected,
/// so no manager approval is involved).
pub async fn reports(l: &Loaded, x_runs: usize) -> anyhow::Result<Reports> {
    let shift = shifts::current(&l.db).await?.context("no open shift")?;
    let mut x = Samples::with_capacity(x_runs);
    let mut last = None;
    for _ in 0..x_runs.max(1) {
        last = Some(x.time(shifts::report(&l.db, &shift.id)).await?);
    }
    let report = last.context("no X report ran")?;
    let counted = BTreeMap::from([(
        "cash".to_owned(),
        report.expected.get("cash").copied().unwrap_or(0),
    )]);
    let mut z = Samples::default();
    let closed = z
        .time(shifts::close(&l.db, &l.terminal, &l.cashier, counted, None))
        .await?;
    let mut verify = Samples::default();
    let verified = verify.time(journal::verify(&l.db)).await?;
    let mut chain = Samples::default();
    chain.time(journal::verify_chain(&l.db)).await?;
    Ok(Reports {
        x,
        z: z.summary().context("Z was timed")?.max,
        sales_in_z: closed.report.sales_count,
        verify: verify.summary().context("verify was timed")?.max,
        chain: chain.summary().context("the chain walk was timed")?.max,
        journal_records: verified.records,
    })
}
