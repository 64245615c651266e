//! Fan-out: one price changed in the cloud reaching every connected terminal of the shop.
//! Each terminal is a real till (pos-core on its own SQLite file) holding the live socket
//! as the sync daemon does; a change counts as arrived at a terminal when its catalog
//! page is committed to that terminal's database.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use futures::future::try_join_all;
use pos_core::LocalDb;
use pos_core::store::PageCommitted;
use pos_shared::sync::{CatalogProduct, Stream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::cloud::Tenant;
use crate::stats::Samples;

/// Longest wait for one change to reach every terminal before the run is called broken.
const ARRIVAL_LIMIT: Duration = Duration::from_secs(20);
/// Quiet time after the last till came online and before the first change: fifty tills
/// connecting together read every stream, and a change is measured on a shop at work, not
/// in the seconds after a reconnect storm. PouchDB's clients get the same pause.
const SETTLE: Duration = Duration::from_secs(3);
/// Pause between changes, so each is measured on its own rather than in a queue.
const BETWEEN_CHANGES: Duration = Duration::from_millis(150);

/// Commit-to-terminal latencies, one per terminal per change.
#[derive(Debug, Default)]
pub struct Fanout {
    pub terminals: usize,
    pub changes: usize,
    pub latencies: Samples,
}

async fn enroll(dir: &Path, n: usize, tenant: &Tenant, base: &str) -> anyhow::Result<LocalDb> {
    let db = LocalDb::open(&dir.join(format!("fanout-{n}.db"))).await?;
    let code = tenant.enrollment_code().await?;
    pos_core::sync::enroll(&db, base, &code, &format!("Fan-out till {n}")).await?;
    Ok(db)
}

/// Waits until a catalog page is committed after the receiver's last seen value.
async fn next_catalog_page(
    rx: &mut watch::Receiver<Option<PageCommitted>>,
) -> anyhow::Result<Instant> {
    loop {
        rx.changed()
            .await
            .context("a terminal's database went away")?;
        if matches!(*rx.borrow_and_update(), Some(p) if p.stream == Stream::Catalog) {
            return Ok(Instant::now());
        }
    }
}

/// Changes the price of `product` once per round and times its arrival at `terminals`
/// live tills, once every till is online and the server has settled. A first, unmeasured
/// change proves every socket is up.
pub async fn run(
    dir: &Path,
    tenant: &Tenant,
    base: &str,
    product: &CatalogProduct,
    terminals: usize,
    rounds: usize,
) -> anyhow::Result<Fanout> {
    let dbs = try_join_all((0..terminals).map(|n| enroll(dir, n, tenant, base))).await?;
    let stop = CancellationToken::new();
    let sessions: Vec<_> = dbs
        .iter()
        .map(|db| {
            let (db, stop) = (db.clone(), stop.clone());
            tokio::spawn(
                async move { pos_core::sync::live::session(&db, stop.cancelled_owned()).await },
            )
        })
        .collect();
    let connecting = Instant::now();
    while tenant.online().await? < terminals {
        ensure!(
            connecting.elapsed() < ARRIVAL_LIMIT,
            "{terminals} tills did not come online within {ARRIVAL_LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "kassa-bench sync: fan-out: {terminals} tills online after {:.1} s; settling {SETTLE:?}",
        connecting.elapsed().as_secs_f64()
    );
    tokio::time::sleep(SETTLE).await;

    let mut out = Fanout {
        terminals,
        changes: rounds,
        latencies: Samples::with_capacity(terminals * rounds),
    };
    let mut price = product.price_minor;
    for round in 0..=rounds {
        let mut watchers: Vec<_> = dbs.iter().map(LocalDb::watch_pages).collect();
        for w in &mut watchers {
            w.mark_unchanged();
        }
        price += 1;
        let started = Instant::now();
        tenant.set_price(&product.id, price).await?;
        let committed = started.elapsed();
        let arrived = tokio::time::timeout(
            ARRIVAL_LIMIT,
            try_join_all(watchers.iter_mut().map(next_catalog_page)),
        )
        .await
        .with_context(|| format!("price change {round} did not reach every terminal"))??;
        // Where a slow change lost its time: the REST call (the server's transaction)
        // or after it (event relay, wake-up, reads, the tills' commits).
        let first = arrived.iter().min().map(|at| at.duration_since(started));
        let last = arrived.iter().max().map(|at| at.duration_since(started));
        eprintln!(
            "kassa-bench sync: fan-out change {round}: REST {:.1} ms, first till {:.1} ms, last {:.1} ms",
            committed.as_secs_f64() * 1e3,
            first.unwrap_or_default().as_secs_f64() * 1e3,
            last.unwrap_or_default().as_secs_f64() * 1e3,
        );
        if round > 0 {
            for at in arrived {
                out.latencies.push(at.duration_since(started));
            }
        }
        tokio::time::sleep(BETWEEN_CHANGES).await;
    }

    stop.cancel();
    for s in sessions {
        if let Err(e) = s.await? {
            bail!("a live session failed: {e}");
        }
    }
    for db in &dbs {
        let local: i64 = sqlx::query_scalar("SELECT price_minor FROM products WHERE id = ?")
            .bind(&product.id)
            .fetch_one(db.pool())
            .await?;
        ensure!(
            local == price,
            "a terminal holds price {local}, not {price}"
        );
    }
    Ok(out)
}
