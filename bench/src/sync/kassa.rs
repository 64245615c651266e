//! The Kassa side: real terminals (pos-core on their own SQLite files) enrolled through
//! the counting proxy, selling offline through the same code as the till, then pushing
//! their journals at once; and a fresh terminal's first pull of a large catalog.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use futures::future::try_join_all;
use pos_core::LocalDb;
use pos_core::checkout::{self, Cart, Tender};
use pos_core::staff::Staff;
use pos_core::terminal::Terminal;
use pos_core::{sales, shifts, staff, terminal, till};
use pos_shared::facts::Sale;
use pos_shared::role::Role;
use pos_shared::sync::CatalogProduct;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::cloud::Tenant;
use super::compare::Phase;
use super::proxy::Proxy;

/// An enrolled terminal with a cashier on an open shift.
struct Till {
    db: LocalDb,
    terminal: Terminal,
    cashier: Staff,
}

async fn enroll(dir: &Path, n: usize, tenant: &Tenant, proxy: &Proxy) -> anyhow::Result<Till> {
    let db = LocalDb::open(&dir.join(format!("till-{n}.db"))).await?;
    let code = tenant.enrollment_code().await?;
    pos_core::sync::enroll(&db, &proxy.url(), &code, &format!("Till {n}")).await?;
    let terminal = terminal::load(&db).await?;
    let cashier = staff::add(&db, "Ana", Role::Cashier, "1111").await?;
    shifts::open(&db, &cashier, 0).await?;
    Ok(Till {
        db,
        terminal,
        cashier,
    })
}

/// A typical cash sale: 3-5 scanned lines of 1-3 units, paid with the next 5.00 note.
async fn sell_one(t: &Till, products: &[CatalogProduct], rng: &mut StdRng) -> anyhow::Result<Sale> {
    let mut cart = Cart::default();
    for _ in 0..rng.random_range(3..=5) {
        let p = products.choose(rng).context("empty catalog")?;
        let code = p.barcodes.first().context("product without a barcode")?;
        let qty_milli = 1000 * rng.random_range(1..=3);
        till::add_code(&t.db, &t.terminal, &mut cart, code, qty_milli).await?;
    }
    let total = checkout::price(&cart, t.terminal.currency)?.total_minor;
    cart.tenders.push(Tender::Cash {
        amount_minor: (total / 500 + 1) * 500,
    });
    Ok(sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None).await?)
}

async fn sell(
    t: &Till,
    products: &[CatalogProduct],
    seed: u64,
    n: usize,
) -> anyhow::Result<Vec<Sale>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(sell_one(t, products, &mut rng).await?);
    }
    Ok(out)
}

/// What the backlog run produced: the measured push and every sale, per terminal, for the
/// PouchDB side to replay.
#[derive(Debug)]
pub struct Backlog {
    pub phase: Phase,
    /// From the first push until the server had built every acked sale into orders and
    /// stock (and the balances were checked against the sales).
    pub projected: std::time::Duration,
    pub sales: Vec<Vec<Sale>>,
    /// Pushes that timed out and were started again (as the sync daemon would).
    pub retries: u32,
}

/// Most timed-out pushes per terminal before the run gives up.
const MAX_RETRIES: u32 = 20;

/// Pushes until everything is acked, starting again after a timeout like the terminal's
/// sync daemon does; returns (records applied, retries). Retried requests stay in the
/// byte count and the time: they are what the backlog really costs.
async fn push_all(t: &Till) -> anyhow::Result<(u64, u32)> {
    let (mut applied, mut retries) = (0, 0);
    loop {
        match pos_core::sync::push(&t.db).await {
            Ok(r) => applied += r.applied,
            Err(e) if e.is_offline() && retries < MAX_RETRIES => {
                retries += 1;
                eprintln!(
                    "kassa-bench sync: {}: push retried after: {e}",
                    t.terminal.terminal_id
                );
            }
            Err(e) => return Err(e.into()),
        }
        if pos_core::sync::unacked_count(&t.db).await? == 0 {
            return Ok((applied, retries));
        }
    }
}

/// `terminals` terminals each sell `per_terminal` sales without syncing, then all push at
/// once. Timed from the first push request to the last ack: an ack means the server has
/// committed the batch (orders, movements, balances) in one MongoDB transaction.
pub async fn backlog(
    dir: &Path,
    tenant: &Tenant,
    proxy: &Proxy,
    products: &[CatalogProduct],
    terminals: usize,
    per_terminal: usize,
    seed: u64,
) -> anyhow::Result<Backlog> {
    let mut tills = Vec::with_capacity(terminals);
    for n in 1..=terminals {
        tills.push(enroll(dir, n, tenant, proxy).await?);
    }
    eprintln!(
        "kassa-bench sync: {terminals} Kassa terminals selling {per_terminal} sales each, offline"
    );
    let sales = try_join_all(
        tills
            .iter()
            .zip(0u64..)
            .map(|(t, i)| sell(t, products, seed + i, per_terminal)),
    )
    .await?;
    eprintln!("kassa-bench sync: Kassa backlog push, all terminals at once");
    let before = proxy.bytes();
    let started = Instant::now();
    let reports = try_join_all(tills.iter().map(push_all)).await?;
    let wall = started.elapsed();
    let bytes = proxy.bytes().since(before);
    eprintln!(
        "kassa-bench sync: Kassa backlog stored in {:.2} s; waiting for the projection",
        wall.as_secs_f64()
    );
    for (t, (applied, _)) in tills.iter().zip(&reports) {
        let left = pos_core::sync::unacked_count(&t.db).await?;
        ensure!(
            left == 0,
            "terminal {} still has {left} unacked records",
            t.terminal.terminal_id
        );
        // `applied` undercounts when a timed-out attempt committed and its retry came
        // back as duplicates; nothing left unacked is the protocol's proof of storage.
        let _ = applied;
    }
    let projected = await_projection(tenant, terminals, started).await?;
    eprintln!(
        "kassa-bench sync: Kassa backlog projected {:.2} s after the first push",
        projected.as_secs_f64()
    );
    Ok(Backlog {
        phase: Phase { wall, bytes },
        projected,
        sales,
        retries: reports.iter().map(|(_, r)| r).sum(),
    })
}

/// Polls what managers see until every terminal's acked journal is built into orders and
/// stock; returns the time since `started`.
async fn await_projection(
    tenant: &Tenant,
    terminals: usize,
    started: Instant,
) -> anyhow::Result<std::time::Duration> {
    let limit = std::time::Duration::from_secs(1800);
    loop {
        let positions = tenant.positions().await?;
        let behind: i64 = positions.iter().map(|(a, p)| a - p).sum();
        if positions.len() == terminals && behind == 0 {
            return Ok(started.elapsed());
        }
        ensure!(
            started.elapsed() < limit,
            "the server had not built the backlog after {limit:?} ({behind} records behind)"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Every product's balance is its opening stock less what the terminals sold.
pub async fn check_stock(
    tenant: &Tenant,
    products: &[CatalogProduct],
    sales: &[Vec<Sale>],
    opening_units: i64,
) -> anyhow::Result<()> {
    let mut expected: std::collections::HashMap<&str, i64> = products
        .iter()
        .map(|p| (p.id.as_str(), opening_units * 1000))
        .collect();
    for line in sales.iter().flatten().flat_map(|s| &s.lines) {
        *expected.entry(line.product_id.as_str()).or_default() -= line.qty_milli;
    }
    let actual = tenant.balances().await?;
    let wrong = expected
        .iter()
        .filter(|(id, want)| actual.get(**id) != Some(*want))
        .count();
    ensure!(
        wrong == 0,
        "{wrong} of {} balances disagree with the sales",
        expected.len()
    );
    Ok(())
}

/// A fresh terminal enrolls and pulls the whole catalog: timed from the enrollment call
/// to its return, which is when every product is in the terminal's database.
pub async fn initial(
    dir: &Path,
    tenant: &Tenant,
    proxy: &Proxy,
    expected: u64,
) -> anyhow::Result<Phase> {
    let db = LocalDb::open(&dir.join("fresh-till.db")).await?;
    let code = tenant.enrollment_code().await?;
    let before = proxy.bytes();
    let started = Instant::now();
    let report = pos_core::sync::enroll(&db, &proxy.url(), &code, "Fresh till").await?;
    let wall = started.elapsed();
    let bytes = proxy.bytes().since(before);
    let Some(pull) = report.initial_pull else {
        bail!(
            "the initial pull failed: {}",
            report.initial_pull_error.unwrap_or_default()
        );
    };
    ensure!(
        pull.catalog.rows == expected && pull.catalog.cursor == pull.catalog.head,
        "the fresh terminal pulled {} of {expected} products",
        pull.catalog.rows
    );
    Ok(Phase { wall, bytes })
}
