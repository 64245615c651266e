//! `kassa-bench sync`: Kassa and PouchDB side by side in one run, on the same data, with
//! every byte counted by the same proxy. A backlog of offline sales from many terminals
//! pushed at once, and a fresh terminal's first pull of a large catalog.

mod cloud;
mod compare;
mod data;
mod fanout;
mod kassa;
mod pouch;
mod proxy;
mod server;

use std::path::{Path, PathBuf};

use anyhow::Context;
use pos_shared::sync::CatalogProduct;

pub use compare::{FanoutSummary, Line, Measured, Pair, Phase, table};
pub use proxy::{Bytes, Proxy};

use crate::{dataset, machine, memory};

/// How big a run is.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub terminals: usize,
    pub sales_per_terminal: usize,
    /// Products the backlog terminals sell from (a shop's catalog, with opening stock).
    pub backlog_products: usize,
    /// Products of the initial sync.
    pub products: usize,
    /// Live terminals a price change fans out to, and how many changes are timed.
    pub fanout_terminals: usize,
    pub fanout_changes: usize,
    /// Where databases and data files go; a fresh temp dir when `None`.
    pub workdir: Option<PathBuf>,
}

impl Config {
    pub fn full() -> Self {
        Config {
            seed: 20_240_601,
            terminals: 10,
            sales_per_terminal: 1_000,
            backlog_products: 1_000,
            products: 50_000,
            fanout_terminals: 50,
            fanout_changes: 20,
            workdir: None,
        }
    }

    /// Seconds, not minutes: checks the harness end to end.
    pub fn quick() -> Self {
        Config {
            terminals: 2,
            sales_per_terminal: 20,
            backlog_products: 50,
            products: 500,
            fanout_terminals: 3,
            fanout_changes: 3,
            ..Config::full()
        }
    }
}

/// A finished run.
#[derive(Debug)]
pub struct Outcome {
    pub lines: Vec<Line>,
    pub notes: Vec<String>,
    pub machine: String,
}

fn say(msg: &str) {
    eprintln!("kassa-bench sync: {msg}");
}

/// The Kassa half: server in-process, everything through one proxy.
struct KassaRun {
    backlog: Phase,
    projected: std::time::Duration,
    /// After the projection, until every event of the backlog was published and audited.
    quiet: std::time::Duration,
    initial: Phase,
    sales: Vec<Vec<pos_shared::facts::Sale>>,
    catalog: Vec<CatalogProduct>,
    hwm: u64,
    import_secs: f64,
    retries: u32,
    fanout: Option<FanoutSummary>,
}

async fn run_kassa(cfg: &Config, dir: &Path) -> anyhow::Result<KassaRun> {
    let shop = dataset::generate(cfg.seed, cfg.products.max(cfg.backlog_products), 0)?;
    say("starting the Kassa server (in-process)");
    let server = server::start(dir).await?;
    let proxy = Proxy::start(server.addr).await?;
    let base = server.base();

    say("backlog tenant: catalog and opening stock");
    let tenant = cloud::Tenant::create(&base, "backlog").await?;
    let stocked = tenant
        .import(&shop.products[..cfg.backlog_products])
        .await?;
    const OPENING_UNITS: i64 = 1_000_000;
    tenant.open_stock(&stocked, OPENING_UNITS).await?;
    let backlog = kassa::backlog(
        dir,
        &tenant,
        &proxy,
        &stocked,
        cfg.terminals,
        cfg.sales_per_terminal,
        cfg.seed,
    )
    .await?;
    kassa::check_stock(&tenant, &stocked, &backlog.sales, OPENING_UNITS).await?;
    say("waiting for the server's background work (events published and audited)");
    let quiet = server.quiet().await?;

    say(&format!(
        "fan-out: {} live terminals, {} price changes",
        cfg.fanout_terminals, cfg.fanout_changes
    ));
    let tenant = cloud::Tenant::create(&base, "fanout").await?;
    let few = tenant
        .import(&shop.products[..cfg.backlog_products.min(200)])
        .await?;
    let product = few.first().context("the fan-out catalog is empty")?;
    let fan = fanout::run(
        dir,
        &tenant,
        &proxy.url(),
        product,
        cfg.fanout_terminals,
        cfg.fanout_changes,
    )
    .await?;
    server.quiet().await?;
    let fanout = fan.latencies.summary().map(|latency| FanoutSummary {
        terminals: fan.terminals,
        changes: fan.changes,
        latency,
    });

    say(&format!(
        "catalog tenant: importing {} products",
        cfg.products
    ));
    let tenant = cloud::Tenant::create(&base, "catalog").await?;
    let started = std::time::Instant::now();
    let catalog = tenant.import(&shop.products[..cfg.products]).await?;
    let import_secs = started.elapsed().as_secs_f64();
    say("Kassa initial sync of a fresh terminal");
    let initial = kassa::initial(dir, &tenant, &proxy, cfg.products as u64).await?;
    let hwm = memory::own_peak_rss()?;
    drop(proxy);
    server.stop_and_clean().await?;
    Ok(KassaRun {
        backlog: backlog.phase,
        projected: backlog.projected,
        quiet,
        initial,
        sales: backlog.sales,
        catalog,
        hwm,
        import_secs,
        retries: backlog.retries,
        fanout,
    })
}

/// The PouchDB half on the same sales and products.
struct PouchRun {
    backlog: Phase,
    initial: Phase,
    server_hwm: Option<u64>,
    client_hwm: Option<u64>,
    view_secs: f64,
    load_secs: f64,
    fanout: Option<crate::stats::Summary>,
}

async fn run_pouch(
    cfg: &Config,
    dir: &Path,
    sales: &Path,
    products: &Path,
) -> anyhow::Result<PouchRun> {
    say("starting pouchdb-server");
    let server = pouch::PouchServer::start(&dir.join("pouchdb-server")).await?;
    let proxy = Proxy::start(server.addr).await?;
    let (url, via) = (server.url(), proxy.url());

    say("PouchDB backlog replication, all clients at once");
    let work = dir.join("pouch-backlog");
    std::fs::create_dir_all(&work)?;
    let before = proxy.bytes();
    let push = pouch::script(
        "backlog.js",
        &[
            ("server", &url),
            ("proxy", &via),
            ("data", path_str(sales)?),
            ("workdir", path_str(&work)?),
        ],
    )
    .await?;
    let backlog = Phase {
        wall: pouch::millis(&push, "push_ms")?,
        bytes: proxy.bytes().since(before),
    };

    say("PouchDB initial sync of a fresh client");
    let work = dir.join("pouch-initial");
    std::fs::create_dir_all(&work)?;
    let before = proxy.bytes();
    let pull = pouch::script(
        "initial.js",
        &[
            ("server", &url),
            ("proxy", &via),
            ("data", path_str(products)?),
            ("workdir", path_str(&work)?),
        ],
    )
    .await?;
    let initial = Phase {
        wall: pouch::millis(&pull, "pull_ms")?,
        bytes: proxy.bytes().since(before),
    };
    say(&format!(
        "PouchDB fan-out: {} live clients, {} changes",
        cfg.fanout_terminals, cfg.fanout_changes
    ));
    let work = dir.join("pouch-fanout");
    std::fs::create_dir_all(&work)?;
    let (terminals, changes) = (
        cfg.fanout_terminals.to_string(),
        cfg.fanout_changes.to_string(),
    );
    let fan = pouch::script(
        "fanout.js",
        &[
            ("server", &url),
            ("proxy", &via),
            ("terminals", &terminals),
            ("changes", &changes),
            ("workdir", path_str(&work)?),
        ],
    )
    .await?;
    let mut latencies = crate::stats::Samples::default();
    for ms in fan["latencies_ms"]
        .as_array()
        .context("fanout.js gave no latencies")?
    {
        let ms = ms.as_f64().context("a latency is not a number")?;
        latencies.push(std::time::Duration::from_secs_f64(ms / 1000.0));
    }
    let server_hwm = server.peak_rss();
    server.stop().await;
    let client_hwm = [&push, &pull, &fan]
        .iter()
        .filter_map(|v| v["client_hwm_bytes"].as_u64())
        .max();
    Ok(PouchRun {
        backlog,
        initial,
        server_hwm,
        client_hwm,
        view_secs: pouch::millis(&push, "view_ms")?.as_secs_f64(),
        load_secs: pouch::millis(&pull, "server_load_ms")?.as_secs_f64(),
        fanout: latencies.summary(),
    })
}

fn path_str(p: &Path) -> anyhow::Result<&str> {
    p.to_str().context("the work directory path is not UTF-8")
}

/// Runs both systems and compares them.
pub async fn run(cfg: &Config) -> anyhow::Result<Outcome> {
    pouch::ensure_installed()?;
    let tmp = tempfile::Builder::new()
        .prefix("kassa-bench-sync-")
        .tempdir_in(cfg.workdir.clone().unwrap_or_else(std::env::temp_dir))?;
    let dir = tmp.path();

    let k = run_kassa(cfg, dir).await?;
    let (sales, products) = (dir.join("sales.json"), dir.join("products.json"));
    data::write_sales(&sales, &k.sales)?;
    data::write_products(&products, &k.catalog)?;
    let p = run_pouch(cfg, dir, &sales, &products).await?;

    let total_sales = (cfg.terminals * cfg.sales_per_terminal) as u64;
    let measured = Measured {
        terminals: cfg.terminals,
        sales: total_sales,
        backlog: Pair {
            kassa: k.backlog,
            pouch: p.backlog,
        },
        stock_ready: (
            k.projected,
            p.backlog.wall + std::time::Duration::from_secs_f64(p.view_secs),
        ),
        products: cfg.products as u64,
        initial: Pair {
            kassa: k.initial,
            pouch: p.initial,
        },
        kassa_process_hwm: k.hwm,
        pouch_server_hwm: p.server_hwm,
        pouch_client_hwm: p.client_hwm,
        fanout: k.fanout,
        pouch_fanout: p.fanout,
    };
    let n = cfg.terminals;
    let notes = vec![
        "Bytes: every byte of HTTP (headers included) both ways, counted by the same \
         loopback TCP proxy in front of each server; setup traffic (tenant, import, \
         PouchDB's server load and view query) bypasses it."
            .to_owned(),
        format!(
            "Kassa backlog = `pos_core::sync::push` on every terminal at once, from the first \
         request (device-token exchange included) to the last ack, which the server sends \
         once the batch is committed to MongoDB (one journal-batch document per push). \
         PouchDB backlog = `PouchDB.replicate` (default batches) of every client at once \
         into one `sales` database on pouchdb-server (LevelDB, its default settings); \
         the {n} clients run in one Node process. Kassa pushes that hit the terminal's \
         60 s request timeout were started again, as the sync daemon does: {} this run \
         (their time and bytes are counted).",
            k.retries
        ),
        format!(
            "Stock: PouchDB keeps it as a `_sum` map/reduce view over the sale documents, \
             built on first query after the push ({:.2} s) and matched against the \
             expected totals. Kassa's projector builds orders, movements and balances from \
             the stored batches after the acks; it was done {:.2} s after the first push, \
             and every balance matched opening stock less the sales. Both are in the row \
             \"time until stock reflects every sale\". The events of those sales were \
             then published to RabbitMQ and chained into the audit log {:.1} s later; each \
             later phase starts on a server with no background work left.",
            p.view_secs,
            k.projected.as_secs_f64(),
            k.quiet.as_secs_f64()
        ),
        format!(
            "Initial sync: Kassa = `pos_core::sync::enroll` of a fresh terminal (code \
             exchange, config, catalog and stock pull into SQLite); PouchDB = a fresh \
             client (LevelDB) replicating the `products` database. Loading the catalog \
             (not timed above) took {:.1} s through Kassa's bulk import and {:.1} s with \
             PouchDB bulkDocs.",
            k.import_secs, p.load_secs
        ),
        format!(
            "Fan-out: {} tills (pos-core, each on its own SQLite file) hold the live socket as \
             `pos sync --daemon` does; a manager changes one price over REST (`PATCH \
             /api/catalog/products/{{id}}`). Timed from just before that request is sent (so \
             the server's transaction is inside the figure) to the moment each till has \
             committed the change to its database (`LocalDb::watch_pages`). Changes start once \
             the manager's presence list shows every till online, plus 3 s for the tills' \
             catch-up reads to settle; an unmeasured first change proves every socket is up; {} changes, 150 ms apart. PouchDB: as \
             many clients (LevelDB, one Node process) each follow the server's database with \
             live replication (`PouchDB.replicate(..., {{live: true}})`, its long-poll \
             changes feed) through the same proxy; one document update is written to the \
             server, timed to each client's local `changes` event for it, with the same 3 s \
             pause, unmeasured first change and spacing.",
            cfg.fanout_terminals, cfg.fanout_changes
        ),
        "Memory: the Kassa server runs inside the bench process, so its row is the bench \
         process's VmHWM (server, the terminals and the generated data together); PouchDB's \
         is the pouchdb-server process's VmHWM, and its clients' the larger of the two \
         Node client processes."
            .to_owned(),
    ];
    Ok(Outcome {
        lines: compare::lines(&measured),
        notes,
        machine: machine::describe(dir),
    })
}

/// The markdown for this benchmark's section of RESULTS.md.
pub fn section(cfg: &Config, out: &Outcome, when: &str) -> String {
    let mut s = format!(
        "## sync (Kassa vs PouchDB)\n\n{when} · seed {} · {} terminals × {} sales, {} products · {}\n\n\
         `cargo run --release -p kassa-bench -- sync`\n\n",
        cfg.seed, cfg.terminals, cfg.sales_per_terminal, cfg.products, out.machine
    );
    s.push_str(&table(&out.lines));
    for n in &out.notes {
        s.push_str(&format!("\n{n}\n"));
    }
    let failed: Vec<&str> = out
        .lines
        .iter()
        .filter(|l| l.verdict == "FAIL")
        .map(|l| l.metric.as_str())
        .collect();
    s.push_str(&match failed.len() {
        0 => "\nEvery target met.\n".to_owned(),
        _ => format!("\nMissed: {}.\n", failed.join("; ")),
    });
    s
}

/// Runs, then writes the `sync` section into `results`.
pub async fn run_and_write(cfg: &Config, results: &Path) -> anyhow::Result<Outcome> {
    let out = run(cfg).await?;
    let when = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .context("formatting the run time")?;
    crate::report::write_section(results, "sync", &section(cfg, &out, &when))?;
    Ok(out)
}
