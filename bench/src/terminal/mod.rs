//! `kassa-bench terminal`: pos-core on a shop-sized database (100k products, 10k
//! customers, 10k sales) — lookups, search-as-you-type, durable sale commits, X/Z
//! reports, file sizes and peak memory, held to the terminal's latency targets.

mod child;
mod floor;
mod load;
mod lookup;
mod sell;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::report::{Row, Target};
use crate::stats::{Samples, fmt_bytes};
use crate::{dataset, machine, memory};

pub use child::PosBinary;

/// How big a run is. [`Config::full`] is the benchmark; tests use [`Config::tiny`].
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub products: usize,
    pub customers: usize,
    pub sales: usize,
    /// Sales committed after the back-to-back ones at a till's pace, one per `pace`.
    pub paced_sales: usize,
    pub pace: Duration,
    pub barcode_lookups: usize,
    pub scans: usize,
    /// Product names typed one character at a time.
    pub typed_names: usize,
    /// SKUs and barcodes typed one character at a time (each).
    pub typed_codes: usize,
    pub x_reports: usize,
    pub floor_commits: usize,
    /// Paced in-place syncs, one per `pace`.
    pub floor_paced: usize,
    pub pos_runs: usize,
    pub pos: PosBinary,
    /// Where the database lives; a fresh temp dir when `None`.
    pub workdir: Option<PathBuf>,
}

impl Config {
    pub fn full() -> Self {
        Config {
            seed: 20_240_601,
            products: 100_000,
            customers: 10_000,
            sales: 10_000,
            paced_sales: 2_000,
            pace: Duration::from_millis(25),
            barcode_lookups: 50_000,
            scans: 10_000,
            typed_names: 400,
            typed_codes: 200,
            x_reports: 20,
            floor_commits: 2_000,
            floor_paced: 400,
            pos_runs: 5,
            pos: PosBinary::Auto,
            workdir: None,
        }
    }

    pub fn tiny() -> Self {
        Config {
            products: 1_000,
            customers: 50,
            sales: 50,
            paced_sales: 10,
            barcode_lookups: 500,
            scans: 100,
            typed_names: 10,
            typed_codes: 5,
            x_reports: 2,
            floor_commits: 20,
            floor_paced: 5,
            pos_runs: 1,
            pos: PosBinary::Skip,
            ..Config::full()
        }
    }
}

/// What a run produced: the table rows and the text around them.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
    pub machine: String,
}

fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}

fn latency(rows: &mut Vec<Row>, metric: String, target: Target, s: &Samples) {
    if let Some(sum) = s.summary() {
        rows.push(Row::latency(metric, target, &sum));
    }
}

/// Runs the terminal benchmark; progress goes to stderr.
pub async fn run(cfg: &Config) -> anyhow::Result<Outcome> {
    let tmp = tempfile::Builder::new()
        .prefix("kassa-bench-")
        .tempdir_in(cfg.workdir.clone().unwrap_or_else(std::env::temp_dir))?;
    let dir = tmp.path();
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let (mut rows, mut notes) = (Vec::new(), Vec::new());
    let step = |what: &str| eprintln!("kassa-bench terminal: {what}");

    step("generating the shop");
    let shop = dataset::generate(cfg.seed, cfg.products, cfg.customers)?;
    step("loading products and customers through pos-core");
    let l = load::load(dir, &shop).await?;
    let size_loaded = load::db_size(&l.db, &l.path).await?;
    let products = &shop.products;

    step("barcode lookups, scans, search-as-you-type");
    // A one-shot `pos` process answers each scan with one SQL query; the till app keeps
    // the whole barcode map in memory. Both are measured.
    let cold = lookup::barcode(&l, products, &mut rng, cfg.barcode_lookups / 5).await?;
    let warming = Instant::now();
    let codes = pos_core::catalog::warm_barcodes(&l.db).await?;
    let mut warm_load = Samples::default();
    warm_load.push(warming.elapsed());
    let barcode = lookup::barcode(&l, products, &mut rng, cfg.barcode_lookups).await?;
    let scans = lookup::scan(&l, products, &mut rng, cfg.scans).await?;
    let search = lookup::search(&l, products, &mut rng, cfg.typed_names, cfg.typed_codes).await?;

    step("disk floor: bare SQLite commits and fdatasync");
    let bare = floor::bare_sqlite(dir, cfg.floor_commits).await?;
    let fsync = floor::fdatasync(dir, cfg.floor_commits)?;
    let in_place = floor::fdatasync_in_place(dir, cfg.floor_commits, Duration::ZERO)?;
    let in_place_paced = floor::fdatasync_in_place(dir, cfg.floor_paced, cfg.pace)?;

    step(&format!("committing {} sales", cfg.sales));
    let started = Instant::now();
    let sales = sell::sales(&l, products, &mut rng, cfg.sales).await?;
    notes.push(format!(
        "{} sales (scanning included) took {:.1} s.",
        cfg.sales,
        started.elapsed().as_secs_f64()
    ));
    step(&format!(
        "committing {} sales, one per {} ms",
        cfg.paced_sales,
        cfg.pace.as_millis()
    ));
    let paced = sell::paced_sales(&l, products, &mut rng, cfg.paced_sales, cfg.pace).await?;
    step("X and Z reports");
    let reports = sell::reports(&l, cfg.x_reports).await?;
    let size_sold = load::db_size(&l.db, &l.path).await?;

    step("peak memory of a `pos sell` process");
    let pos = child::pos_sales(&l, products, &cfg.pos, cfg.pos_runs).await?;
    l.db.close().await;

    let search_all = [&search.names, &search.skus, &search.barcodes]
        .into_iter()
        .fold(Samples::default(), |mut all, s| {
            all.extend(s);
            all
        });
    let ten_ms = Target::p99(Duration::from_millis(10));
    let z_target = Target::Max(Duration::from_millis(200));
    let n_sales = reports.sales_in_z;
    latency(
        &mut rows,
        "barcode lookup (`catalog::by_barcode`, map in memory as in the till app)".into(),
        Target::p99(us(50)),
        &barcode,
    );
    latency(
        &mut rows,
        "barcode lookup, one SQL query each (no map in memory, as in a one-shot `pos`)".into(),
        Target::Info,
        &cold,
    );
    latency(
        &mut rows,
        format!("loading the barcode map into memory ({codes} codes, once per app start)"),
        Target::Info,
        &warm_load,
    );
    latency(
        &mut rows,
        "scan into cart (`till::add_code`: parse, lookup, tax rate)".into(),
        Target::Info,
        &scans,
    );
    latency(
        &mut rows,
        "search-as-you-type: product names, 1 char at a time".into(),
        ten_ms,
        &search.names,
    );
    latency(
        &mut rows,
        "search: SKU prefixes (3+ chars)".into(),
        ten_ms,
        &search.skus,
    );
    latency(
        &mut rows,
        "search: barcode prefixes (4+ digits)".into(),
        ten_ms,
        &search.barcodes,
    );
    latency(
        &mut rows,
        "search: all queries above".into(),
        ten_ms,
        &search_all,
    );
    let sale_target = Target::P99 {
        limit: Duration::from_millis(1),
        fallback: Some(Duration::from_millis(5)),
    };
    latency(
        &mut rows,
        "sale commit incl. fsync (`sales::complete`, 3-5 lines, cash)".into(),
        sale_target,
        &sales,
    );
    latency(
        &mut rows,
        format!(
            "sale commit incl. fsync, one sale per {} ms (a till's pace, 100x a busy one's)",
            cfg.pace.as_millis()
        ),
        Target::Info,
        &paced,
    );
    latency(
        &mut rows,
        "floor: bare SQLite BEGIN; INSERT; COMMIT (WAL, synchronous=FULL)".into(),
        Target::Info,
        &bare,
    );
    latency(
        &mut rows,
        "floor: 4 KiB append + fdatasync".into(),
        Target::Info,
        &fsync,
    );
    latency(
        &mut rows,
        "floor: 4 KiB overwrite in place + fdatasync (no metadata)".into(),
        Target::Info,
        &in_place,
    );
    latency(
        &mut rows,
        format!(
            "floor: the same, one per {} ms (the disk after a pause)",
            cfg.pace.as_millis()
        ),
        Target::Info,
        &in_place_paced,
    );
    latency(
        &mut rows,
        format!("X report (`shifts::report`) over {n_sales} sales"),
        z_target,
        &reports.x,
    );
    let mut z = Samples::default();
    z.push(reports.z);
    latency(
        &mut rows,
        format!("Z report (`shifts::close`) over {n_sales} sales"),
        z_target,
        &z,
    );
    let mut verify = Samples::default();
    verify.push(reports.verify);
    latency(
        &mut rows,
        format!(
            "`pos journal verify` over {} records (hash chain, then every sale, refund and drawer row against it)",
            reports.journal_records
        ),
        Target::Info,
        &verify,
    );
    let mut chain = Samples::default();
    chain.push(reports.chain);
    latency(
        &mut rows,
        format!(
            "hash chain alone over {} records (what `pos status` checks)",
            reports.journal_records
        ),
        Target::Info,
        &chain,
    );
    let mut import = Samples::default();
    import.push(l.import);
    latency(
        &mut rows,
        format!(
            "catalog import, {} products in one transaction",
            cfg.products
        ),
        Target::Info,
        &import,
    );
    latency(
        &mut rows,
        "customer create (`customers::add`, own commit)".into(),
        Target::Info,
        &l.customer_adds,
    );
    rows.push(Row::value(
        format!(
            "database size after load ({} products, {} customers)",
            cfg.products, cfg.customers
        ),
        fmt_bytes(size_loaded),
    ));
    rows.push(Row::value(
        format!("database size after {} sales", cfg.sales),
        fmt_bytes(size_sold),
    ));
    rows.push(Row::value(
        "peak RSS of kassa-bench (VmHWM)",
        fmt_bytes(memory::own_peak_rss()?),
    ));
    match pos {
        Some(pos) => {
            rows.push(Row::value(
                format!("peak RSS of one `pos sell` process ({})", pos.how),
                fmt_bytes(pos.peak_rss_bytes),
            ));
            latency(
                &mut rows,
                "`pos sell` process, start to exit (barcode sale)".into(),
                Target::Info,
                &pos.wall,
            );
        }
        None => notes.push("`pos` binary not found: its peak RSS was not measured.".into()),
    }
    if let (Some(s), Some(b)) = (sales.summary(), bare.summary()) {
        notes.push(format!(
            "Sale commit p99 is {:.1}x the bare SQLite commit p99 on the same disk ({:.2} ms vs {:.2} ms).",
            s.p99.as_secs_f64() / b.p99.as_secs_f64().max(1e-9),
            s.p99.as_secs_f64() * 1e3,
            b.p99.as_secs_f64() * 1e3,
        ));
    }
    Ok(Outcome {
        rows,
        notes,
        machine: machine::describe(dir),
    })
}

/// The markdown for this benchmark's section of RESULTS.md.
pub fn section(cfg: &Config, out: &Outcome, when: &str) -> String {
    let mut s = format!(
        "## terminal (pos-core)\n\n{when} · seed {} · {} products, {} customers, {} sales · {}\n\n",
        cfg.seed, cfg.products, cfg.customers, cfg.sales, out.machine
    );
    s.push_str(&crate::report::table(&out.rows));
    for n in &out.notes {
        s.push_str(&format!("\n{n}"));
    }
    let failed: Vec<&str> = out
        .rows
        .iter()
        .filter(|r| r.failed())
        .map(|r| r.metric.as_str())
        .collect();
    s.push_str(&match failed.len() {
        0 => "\n\nEvery target met.\n".to_owned(),
        _ => format!("\n\nMissed: {}.\n", failed.join("; ")),
    });
    s
}

/// Runs, then writes the section into `results` (creating the file if needed).
pub async fn run_and_write(cfg: &Config, results: &std::path::Path) -> anyhow::Result<Outcome> {
    let out = run(cfg).await?;
    let when = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .context("formatting the run time")?;
    crate::report::write_section(results, "terminal", &section(cfg, &out, &when))?;
    Ok(out)
}
