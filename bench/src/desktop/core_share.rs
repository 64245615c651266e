//! The till engine's share of the two latencies the webview times: the same searches and
//! scans through `Till` in this process, on the same database, before the app opens it.
//! What the webview measures beyond these is IPC, the screen's JavaScript and rendering.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use pos_core::app::Till;

use crate::stats::Samples;

/// In-process timings.
#[derive(Debug)]
pub struct CoreShare {
    /// `Till::search` of each keystroke's full query (the limit the sell screen asks for).
    pub search: Samples,
    /// `Till::scan` of each code, the live cart saved as the app saves it.
    pub scan: Samples,
}

/// What the sell screen asks `search` for.
const SEARCH_LIMIT: usize = 200;

/// Times `queries` and `codes` through a till opened on `db` as `pin`; every 25 scans the
/// sale is paid, and the cart is left empty for the app.
pub async fn measure(
    db: &Path,
    pin: &str,
    queries: &[String],
    codes: &[String],
) -> anyhow::Result<CoreShare> {
    let till = Till::open(db).await?;
    till.login_pin(pin).await?;
    let mut search = Samples::with_capacity(queries.len());
    for q in queries {
        // The first two letters first, as the cashier typed them.
        let short: String = q.chars().take(2).collect();
        till.search(&short, SEARCH_LIMIT).await?;
        search.push(timed(till.search(q, SEARCH_LIMIT)).await?);
    }
    let mut scan = Samples::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        scan.push(timed(till.scan(code, None)).await.context("scanning")?);
        if i % 25 == 24 {
            till.pay_exact_cash(None).await?;
        }
    }
    if !till.cart().await?.lines.is_empty() {
        till.pay_exact_cash(None).await?;
    }
    till.close().await;
    Ok(CoreShare { search, scan })
}

async fn timed<T, E>(work: impl Future<Output = Result<T, E>>) -> Result<Duration, E> {
    let started = Instant::now();
    work.await?;
    Ok(started.elapsed())
}
