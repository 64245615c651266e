//! `kassa-bench desktop`: the terminal app in its real webview (Xvfb, tauri-driver,
//! WebKitWebDriver) on a standalone till with 100,000 products: scan to cart line,
//! keystroke to search results, start to PIN screen, login to sell screen, idle memory
//! of the whole app, and the keys a cashier presses for a sale.

mod core_share;
mod memory;
mod probes;
mod steps;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use kassa_tests::desktop::Desktop;
use pos_core::app::{StandaloneSetup, Till};
use pos_core::catalog_csv;
use rand::SeedableRng;
use rand::seq::IndexedRandom;

use crate::dataset::{self, GenProduct};
use crate::report::Row;
use crate::stats::{Samples, Summary};

const MANAGER_PIN: &str = "4321";
const CASHIER_PIN: &str = "1111";

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub products: usize,
    pub scans: usize,
    pub keystrokes: usize,
    pub workdir: Option<PathBuf>,
}

impl Config {
    pub fn full() -> Self {
        Self {
            seed: 7,
            products: 100_000,
            scans: 300,
            keystrokes: 100,
            workdir: None,
        }
    }

    pub fn quick() -> Self {
        Self {
            seed: 7,
            products: 1_000,
            scans: 30,
            keystrokes: 10,
            workdir: None,
        }
    }
}

/// The rows for RESULTS.md and notes under them.
#[derive(Debug)]
pub struct Outcome {
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

/// A standalone till with the generated catalog, a manager and a cashier, shift open.
async fn prepare(dir: &Path, products: &[GenProduct]) -> anyhow::Result<PathBuf> {
    let path = dir.join("terminal.db");
    let till = Till::open(&path).await?;
    till.setup_standalone(&StandaloneSetup {
        shop_name: "Bench Market".into(),
        currency: "EUR".into(),
        manager_name: "Mara Manager".into(),
        manager_pin: MANAGER_PIN.into(),
    })
    .await?;
    catalog_csv::import(till.db(), dataset::catalog_csv(products)?.as_slice()).await?;
    let role = pos_shared::role::Role::Cashier;
    pos_core::staff::add_approved(
        till.db(),
        "Cas Cashier",
        role,
        CASHIER_PIN,
        Some(MANAGER_PIN),
    )
    .await?;
    till.open_shift(10_000).await?;
    till.close().await;
    Ok(path)
}

/// What the in-app steps work from: the generated inputs and the engine's own timings.
struct Plan<'a> {
    products: &'a [GenProduct],
    codes: Vec<String>,
    typed: Vec<(String, String)>,
    queries: Vec<String>,
    core: core_share::CoreShare,
}

/// Runs the benchmark.
pub async fn run(cfg: &Config) -> anyhow::Result<Outcome> {
    let tmp = match &cfg.workdir {
        Some(d) => tempfile::tempdir_in(d)?,
        None => tempfile::tempdir()?,
    };
    let shop = dataset::generate(cfg.seed, cfg.products, 0)?;
    let db = prepare(tmp.path(), &shop.products)
        .await
        .context("preparing the till")?;
    let (codes, typed) = inputs(cfg, &shop.products)?;
    let queries: Vec<String> = typed.iter().map(|(a, b)| format!("{a}{b}")).collect();
    let core = core_share::measure(&db, CASHIER_PIN, &queries, &codes)
        .await
        .context("timing the till engine in process")?;
    let plan = Plan {
        products: &shop.products,
        codes,
        typed,
        queries,
        core,
    };
    let mut out = Outcome {
        rows: Vec::new(),
        notes: Vec::new(),
    };
    let started = Instant::now();
    let app = Desktop::start(&db, tmp.path(), 1280, 800).await;
    let done = in_app(&app, started, &plan, &mut out).await;
    // The screen as it was when a step failed, or the sell screen after the run.
    app.shot(if done.is_ok() {
        "bench-sell-1280"
    } else {
        "bench-failed"
    })
    .await;
    app.session.close_ref().await;
    drop(app);
    if let Some(note) = package_note() {
        out.notes.push(note);
    }
    done.map(|()| out)
}

/// The Debian package built beside the binary (`installers/build-deb.sh`), its file size
/// and installed size, if there is one.
fn package_note() -> Option<String> {
    let bin = kassa_tests::desktop::binary();
    let dir = bin.parent()?.join("bundle").join("deb");
    let deb = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())?;
    let bytes = std::fs::metadata(&deb).ok()?.len();
    let installed = std::process::Command::new("dpkg-deb")
        .args(["-f"])
        .arg(&deb)
        .arg("Installed-Size")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    Some(format!(
        "Debian package {}: {bytes} bytes ({}), installed size {installed} KiB.",
        deb.file_name()?.to_string_lossy(),
        crate::stats::fmt_bytes(bytes),
    ))
}

/// Every step in the running app, in order.
async fn in_app(
    app: &Desktop,
    started: Instant,
    plan: &Plan<'_>,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    steps::start_and_login(&app.session, started, out).await?;
    steps::scanning(&app.session, plan, out).await?;
    steps::typing(&app.session, plan, out).await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    steps::idle_memory(out);
    steps::keys(&app.session, plan.products, out).await
}

/// Which build of the app ran, from where it lives (`target/release/...`).
fn build_kind() -> String {
    let bin = kassa_tests::desktop::binary();
    let dir = bin.parent().and_then(|d| d.file_name());
    match dir.and_then(|d| d.to_str()) {
        Some("release") => "release build".into(),
        Some("debug") => "debug build".into(),
        _ => format!("the build at {}", bin.display()),
    }
}

/// The installed WebKitGTK, as dpkg knows it ("?" elsewhere).
fn webkit_version() -> String {
    std::process::Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "libwebkit2gtk-4.1-0"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_else(|| "?".into())
}

fn summary(s: &Samples) -> anyhow::Result<Summary> {
    s.summary().context("nothing measured")
}

/// The p95 the issue sets the target on, said in a note (the table shows p50/p99/max).
fn p95_note(what: &str, dom: &Samples, painted: &Samples, target_ms: u64) -> String {
    let p = |s: &Samples| {
        s.percentile(0.95)
            .map_or(-1.0, |d| d.as_secs_f64() * 1000.0)
    };
    let (d, f) = (p(dom), p(painted));
    let verdict = if f <= target_ms as f64 {
        "met"
    } else {
        "MISSED"
    };
    format!(
        "{what} p95: {d:.1} ms to the DOM, {f:.1} ms to the painted frame (target p95 ≤ {target_ms} ms: {verdict})."
    )
}

fn ms(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or(-1.0)
}

fn one(d: Duration) -> Summary {
    let mut s = Samples::with_capacity(1);
    s.push(d);
    s.summary().expect("one sample")
}

fn pair(v: &serde_json::Value) -> anyhow::Result<(Duration, Duration)> {
    let a = v[0].as_f64().unwrap_or(-1.0);
    let b = v[1].as_f64().unwrap_or(-1.0);
    anyhow::ensure!(a >= 0.0 && b >= 0.0, "the screen did not change within 5 s");
    Ok((
        Duration::from_secs_f64(a / 1000.0),
        Duration::from_secs_f64(b / 1000.0),
    ))
}

/// A search typed as its first two letters, then its third.
type TypedSearch = (String, String);

/// The codes to scan and the searches to type, drawn in the order the runs before kept so
/// that their figures stay comparable.
fn inputs(
    cfg: &Config,
    products: &[GenProduct],
) -> anyhow::Result<(Vec<String>, Vec<TypedSearch>)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(cfg.seed);
    let codes = (0..cfg.scans)
        .map(|_| {
            Ok(products
                .choose(&mut rng)
                .context("no products")?
                .barcode
                .clone())
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut typed = Vec::with_capacity(cfg.keystrokes);
    for _ in 0..cfg.keystrokes {
        let p = products.choose(&mut rng).context("no products")?;
        let chars: Vec<char> = p.name.to_lowercase().chars().collect();
        if chars.len() >= 3 {
            typed.push((chars[..2].iter().collect(), chars[2].to_string()));
        }
    }
    Ok((codes, typed))
}

/// The markdown for this benchmark's section of RESULTS.md.
pub fn section(cfg: &Config, out: &Outcome, when: &str, machine: &str) -> String {
    let mut s = format!(
        "## desktop (the terminal app in its real webview)\n\n{when} · seed {} · {} products, {} scans, {} keystrokes · {} under Xvfb, WebKitGTK {} via tauri-driver · {machine}\n\n",
        cfg.seed,
        cfg.products,
        cfg.scans,
        cfg.keystrokes,
        build_kind(),
        webkit_version(),
    );
    s.push_str(&crate::report::table(&out.rows));
    for n in &out.notes {
        s.push_str(&format!("\n{n}"));
    }
    s.push('\n');
    s
}

/// Runs, then writes the section into `results` (unless `quick`).
pub async fn run_and_write(cfg: &Config, results: &Path, quick: bool) -> anyhow::Result<Outcome> {
    let out = run(cfg).await?;
    if !quick {
        let when = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .context("formatting the run time")?;
        let dir = cfg.workdir.clone().unwrap_or_else(std::env::temp_dir);
        let machine = crate::machine::describe(&dir);
        crate::report::write_section(results, "desktop", &section(cfg, &out, &when, &machine))?;
    }
    Ok(out)
}
