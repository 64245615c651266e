//! The steps of `kassa-bench desktop` inside the running app, each adding its rows and
//! notes: start and login, scanning, typing a search, idle memory, keys per sale.

use std::time::{Duration, Instant};

use anyhow::Context;
use kassa_tests::webdriver::Session;
use serde_json::json;

use super::{CASHIER_PIN, Outcome, Plan, memory, ms, one, p95_note, pair, probes, summary};
use crate::dataset::GenProduct;
use crate::report::{Row, Target};
use crate::stats::Samples;

/// One timed action cut in three: the page's work before the IPC request left, the IPC
/// round trip (the engine included), and the page's work from the answer to the DOM.
#[derive(Debug, Default)]
struct Split {
    before: Samples,
    ipc: Samples,
    after: Samples,
}

impl Split {
    /// Adds a probe's `[dom, painted, ipc_start, ipc_end]` when the webview timed its IPC.
    fn add(&mut self, v: &serde_json::Value) {
        let at = |i: usize| v[i].as_f64().unwrap_or(-1.0);
        let (dom, start, end) = (at(0), at(2), at(3));
        if start < 0.0 || end < start || dom < end {
            return;
        }
        let d = |ms: f64| Duration::from_secs_f64(ms / 1000.0);
        self.before.push(d(start));
        self.ipc.push(d(end - start));
        self.after.push(d(dom - end));
    }

    /// Its three rows (none when the webview kept no resource timing for the IPC).
    fn rows(&self, what: &str, command: &str, out: &mut Outcome) {
        let parts = [
            (
                format!("{what}: the page before the `{command}` request"),
                &self.before,
            ),
            (
                format!("{what}: `{command}` IPC round trip, engine included"),
                &self.ipc,
            ),
            (
                format!("{what}: the page from the answer to the DOM"),
                &self.after,
            ),
        ];
        for (metric, samples) in parts {
            if let Some(sum) = samples.summary() {
                out.rows.push(Row::latency(metric, Target::Info, &sum));
            }
        }
    }
}

/// From process spawn to the PIN screen, then from the PIN to the sell screen.
pub(super) async fn start_and_login(
    s: &Session,
    started: Instant,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let pin = s.wait("#pin-input", Duration::from_secs(60)).await?;
    let to_pin = started.elapsed();
    let page_age = ms(&s.script(probes::PAGE_AGE, json!([])).await?);
    out.rows.push(Row::latency(
        "app start to PIN screen (process spawn, incl. Xvfb + driver)",
        Target::Max(Duration::from_millis(1500)),
        &one(to_pin),
    ));
    out.notes.push(format!("The page itself was {page_age:.0} ms old when the PIN screen was found (navigation start to PIN screen)."));
    let login = Instant::now();
    s.type_into(&pin, &format!("{CASHIER_PIN}\n")).await?;
    s.wait("#search", Duration::from_secs(10)).await?;
    out.rows.push(Row::latency(
        "PIN entered to usable sell screen (incl. one WebDriver round trip)",
        Target::Max(Duration::from_millis(500)),
        &one(login.elapsed()),
    ));
    Ok(())
}

/// Scan to cart line, in the webview and in the engine alone.
pub(super) async fn scanning(
    s: &Session,
    plan: &Plan<'_>,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let mut split = Split::default();
    let (dom, painted) = scans(s, &plan.codes, &mut split).await?;
    out.rows.push(Row::latency(
        "scan to cart line in the DOM",
        Target::p99(Duration::from_millis(33)),
        &summary(&dom)?,
    ));
    out.rows.push(Row::latency(
        "scan to the next painted frame",
        Target::p99(Duration::from_millis(33)),
        &summary(&painted)?,
    ));
    out.notes.push(p95_note("scan", &dom, &painted, 16));
    out.rows.push(Row::latency(
        "scan in pos-core alone (`Till::scan`, cart saved; in process)",
        Target::Info,
        &summary(&plan.core.scan)?,
    ));
    split.rows("scan", "scan", out);
    ipc_floor(s, out).await
}

/// The IPC's own cost: a command that does nothing (`app_version`) and one that prices
/// and returns the (empty) cart.
async fn ipc_floor(s: &Session, out: &mut Outcome) -> anyhow::Result<()> {
    for (cmd, metric) in [
        (
            "app_version",
            "IPC round trip, a command that does nothing (`app_version`)",
        ),
        ("cart", "IPC round trip, the empty cart priced (`cart`)"),
    ] {
        let times = s
            .script_async(probes::INVOKE_TIMES, json!([cmd, {}, 100]))
            .await?;
        let mut samples = Samples::with_capacity(100);
        for ms in times
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_f64())
        {
            anyhow::ensure!(ms >= 0.0, "the {cmd} command failed");
            samples.push(Duration::from_secs_f64(ms / 1000.0));
        }
        out.rows
            .push(Row::latency(metric, Target::Info, &summary(&samples)?));
    }
    Ok(())
}

/// Keystroke to search results, with the engine's and the IPC's shares of it.
pub(super) async fn typing(s: &Session, plan: &Plan<'_>, out: &mut Outcome) -> anyhow::Result<()> {
    let mut unchanged = 0;
    let mut split = Split::default();
    let (dom, painted) = keystrokes(s, &plan.typed, &mut unchanged, &mut split).await?;
    if unchanged > 0 {
        out.notes.push(format!(
            "{unchanged} keystrokes got no results shown for their query within 2 s (or typed a space, which asks nothing new) and are not timed."
        ));
    }
    out.rows.push(Row::latency(
        "keystroke to search results in the DOM",
        Target::Info,
        &summary(&dom)?,
    ));
    out.rows.push(Row::latency(
        "keystroke to the next painted frame",
        Target::Info,
        &summary(&painted)?,
    ));
    out.notes.push(p95_note("keystroke", &dom, &painted, 50));
    out.rows.push(Row::latency(
        "search in pos-core alone (`Till::search`, 200 hits; in process)",
        Target::Info,
        &summary(&plan.core.search)?,
    ));
    let ipc = search_ipc(s, &plan.queries).await?;
    out.rows.push(Row::latency(
        "search over IPC from the page (`invoke`, nothing rendered)",
        Target::Info,
        &summary(&ipc)?,
    ));
    split.rows("keystroke", "search", out);
    Ok(())
}

/// The whole app's memory at rest, and each process's part of it.
pub(super) fn idle_memory(out: &mut Outcome) {
    let Some(m) = memory::app_tree(&kassa_tests::desktop::binary()) else {
        out.notes
            .push("The app's processes were not found for the memory reading.".into());
        return;
    };
    out.rows.push(Row::value(
        "idle memory, whole app (RSS, all processes; target ≤ 150 MiB)",
        crate::stats::fmt_bytes(m.rss),
    ));
    out.rows.push(Row::value(
        "idle memory, whole app (PSS: shared pages split)",
        crate::stats::fmt_bytes(m.pss),
    ));
    out.notes.push(format!(
        "Processes measured (RSS / PSS): {}.",
        m.describe_each()
    ));
    if let Ok(t) = std::env::var("KASSA_WEBVIEW_TUNING") {
        out.notes
            .push(format!("Webview settings: KASSA_WEBVIEW_TUNING={t}."));
    }
}

/// The cashier's keys from the last scan to a receipt.
pub(super) async fn keys(
    s: &Session,
    products: &[GenProduct],
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let keys = keys_per_sale(s, products).await?;
    out.rows.push(Row::value(
        "keys from the last scan to a receipt: exact cash (≤ 2)",
        keys.0.to_string(),
    ));
    out.rows.push(Row::value(
        "keys from the last scan to a receipt: cash with change (≤ 4)",
        keys.1.to_string(),
    ));
    Ok(())
}

/// Scans `codes`; every 25 lines the sale is paid exact (F12, Enter) so the cart stays
/// the size of a real one.
async fn scans(
    s: &Session,
    codes: &[String],
    split: &mut Split,
) -> anyhow::Result<(Samples, Samples)> {
    let n = codes.len();
    let (mut dom, mut painted) = (Samples::with_capacity(n), Samples::with_capacity(n));
    for (i, code) in codes.iter().enumerate() {
        let v = s.script_async(probes::SCAN, json!([code])).await?;
        let (a, b) = pair(&v).with_context(|| format!("scanning {code}"))?;
        split.add(&v);
        dom.push(a);
        painted.push(b);
        if i % 25 == 24 {
            s.script(probes::PRESS, json!(["F12"])).await?;
            s.wait("#new-sale", Duration::from_secs(10)).await?;
            s.script(probes::PRESS, json!(["Enter"])).await?;
            s.wait("#search", Duration::from_secs(10)).await?;
        }
    }
    Ok((dom, painted))
}

/// Types the third letter of a product's name after its first two.
async fn keystrokes(
    s: &Session,
    typed: &[(String, String)],
    unchanged: &mut usize,
    split: &mut Split,
) -> anyhow::Result<(Samples, Samples)> {
    let n = typed.len();
    let (mut dom, mut painted) = (Samples::with_capacity(n), Samples::with_capacity(n));
    for (prefix, next) in typed {
        let v = s
            .script_async(probes::KEYSTROKE, json!([prefix, next]))
            .await?;
        // Timed to the results the page shows for the three letters (its `data-for`), not to
        // a visible change: sorted by name, two letters' first rows are often three's.
        match pair(&v) {
            Ok((a, b)) => {
                dom.push(a);
                painted.push(b);
                split.add(&v);
            }
            Err(_) => {
                if *unchanged < 3 {
                    eprintln!("keystroke {prefix:?}+{next:?} not timed: {v}");
                }
                *unchanged += 1
            }
        }
    }
    Ok((dom, painted))
}

/// The search command's round trip from the page, for each query (IPC and the engine).
async fn search_ipc(s: &Session, queries: &[String]) -> anyhow::Result<Samples> {
    let mut out = Samples::with_capacity(queries.len());
    for q in queries {
        let ms = ms(&s.script_async(probes::SEARCH_IPC, json!([q, 200])).await?);
        anyhow::ensure!(ms >= 0.0, "the search command failed for {q:?}");
        out.push(Duration::from_secs_f64(ms / 1000.0));
    }
    Ok(out)
}

/// Counts the keys the cashier presses after the last scan, through WebDriver's real
/// key events: exact cash (F12) and cash with change (F10, the amount, Enter).
async fn keys_per_sale(s: &Session, products: &[GenProduct]) -> anyhow::Result<(usize, usize)> {
    let p = products.first().context("no products")?;
    let search = s.wait("#search", Duration::from_secs(10)).await?;
    s.click(&search).await?;
    s.keys(&format!("{}\n", p.barcode)).await?;
    s.wait(".cart-line", Duration::from_secs(10)).await?;
    let exact = "\u{E03C}";
    s.keys(exact).await?;
    s.wait("#new-sale", Duration::from_secs(10)).await?;
    s.keys("\n").await?;
    s.wait("#search", Duration::from_secs(10)).await?;
    s.keys(&format!("{}\n", p.barcode)).await?;
    s.wait(".cart-line", Duration::from_secs(10)).await?;
    let tendered = (p.price_minor / 100 + 1).to_string();
    let change = format!("\u{E03A}{tendered}\n");
    s.keys("\u{E03A}").await?;
    s.wait("#tender-amount", Duration::from_secs(10)).await?;
    s.keys(&format!("{tendered}\n")).await?;
    s.wait("#change-due", Duration::from_secs(10)).await?;
    Ok((exact.chars().count(), change.chars().count()))
}
