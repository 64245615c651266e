//! `kassa-bench`: runs a benchmark and rewrites its section of `bench/RESULTS.md`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use kassa_bench::sync;
use kassa_bench::terminal::{self, PosBinary};

/// Kassa benchmarks.
#[derive(Debug, Parser)]
#[command(name = "kassa-bench", about = "Kassa benchmarks")]
struct Cli {
    /// Results file whose section the benchmark replaces.
    #[arg(long, global = true, default_value_os_t = default_results())]
    results: PathBuf,
    #[command(subcommand)]
    command: Bench,
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// The terminal core: 100k products, 10k customers, 10k sales on local SQLite.
    Terminal {
        /// RNG seed (the same seed generates the same shop and the same sales).
        #[arg(long)]
        seed: Option<u64>,
        /// The `pos` binary to measure (default: beside kassa-bench, built if missing).
        #[arg(long)]
        pos_bin: Option<PathBuf>,
        /// Directory for the temporary database (default: the system temp dir).
        #[arg(long)]
        workdir: Option<PathBuf>,
        /// A 1,000-product run that checks the harness in seconds.
        #[arg(long)]
        quick: bool,
        /// Products in the local catalog (default 100,000): a smaller shop loads faster
        /// when trying a change to the sale path.
        #[arg(long)]
        products: Option<usize>,
        /// Sales committed (default 10,000).
        #[arg(long)]
        sales: Option<usize>,
    },
    /// The terminal app in its real webview (needs the built `kassa-desktop`, Xvfb and
    /// tauri-driver; `KASSA_DESKTOP_BIN` names the binary).
    Desktop {
        /// RNG seed of the generated catalog and scans.
        #[arg(long)]
        seed: Option<u64>,
        /// Directory for the temporary database.
        #[arg(long)]
        workdir: Option<PathBuf>,
        /// 1,000 products and a few dozen scans: checks the harness; RESULTS.md untouched.
        #[arg(long)]
        quick: bool,
    },
    /// Devices: sale to first receipt byte at a TCP printer, receipt render, scan to cart.
    Devices(kassa_bench::devices::Args),
    /// Manager portal: seeds a year of sales, 100k products and the rollups (scripts/portal-bench.sh).
    Portal(kassa_bench::portal::Args),
    /// Sync, Kassa vs PouchDB: a 10 × 1,000-sale offline backlog pushed at once, and a
    /// fresh terminal pulling 50,000 products; bytes counted by the same proxy.
    Sync {
        /// RNG seed of the generated catalog and sales.
        #[arg(long)]
        seed: Option<u64>,
        /// Directory for the temporary databases and data files (default: system temp).
        #[arg(long)]
        workdir: Option<PathBuf>,
        /// 2 terminals × 20 sales and 500 products: checks the harness in seconds and
        /// leaves RESULTS.md alone.
        #[arg(long)]
        quick: bool,
        /// Products in the initial-sync catalog (default 50,000).
        #[arg(long)]
        products: Option<usize>,
        /// Backlog terminals (default 10).
        #[arg(long)]
        terminals: Option<usize>,
        /// Offline sales per backlog terminal (default 1,000).
        #[arg(long)]
        sales: Option<usize>,
        /// Live terminals of the fan-out (default 50).
        #[arg(long)]
        fanout_terminals: Option<usize>,
        /// Price changes timed in the fan-out (default 20).
        #[arg(long)]
        fanout_changes: Option<usize>,
    },
}

fn default_results() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("RESULTS.md")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Bench::Terminal {
            seed,
            pos_bin,
            workdir,
            quick,
            products,
            sales,
        } => {
            let mut cfg = if quick {
                terminal::Config {
                    pos: PosBinary::Auto,
                    ..terminal::Config::tiny()
                }
            } else {
                terminal::Config::full()
            };
            cfg.seed = seed.unwrap_or(cfg.seed);
            cfg.workdir = workdir;
            cfg.products = products.unwrap_or(cfg.products);
            cfg.sales = sales.unwrap_or(cfg.sales);
            if let Some(p) = pos_bin {
                cfg.pos = PosBinary::Path(p);
            }
            let out = terminal::run_and_write(&cfg, &cli.results).await?;
            print!("{}", kassa_bench::report::table(&out.rows));
            for n in &out.notes {
                println!("{n}");
            }
            eprintln!("results written to {}", cli.results.display());
        }
        Bench::Desktop {
            seed,
            workdir,
            quick,
        } => {
            let mut cfg = if quick {
                kassa_bench::desktop::Config::quick()
            } else {
                kassa_bench::desktop::Config::full()
            };
            cfg.seed = seed.unwrap_or(cfg.seed);
            cfg.workdir = workdir;
            let out = kassa_bench::desktop::run_and_write(&cfg, &cli.results, quick).await?;
            print!("{}", kassa_bench::report::table(&out.rows));
            for n in &out.notes {
                println!("{n}");
            }
        }
        Bench::Devices(args) => kassa_bench::devices::main(args, &cli.results).await?,
        Bench::Portal(args) => kassa_bench::portal::main(args).await?,
        Bench::Sync {
            seed,
            workdir,
            quick,
            products,
            terminals,
            sales,
            fanout_terminals,
            fanout_changes,
        } => {
            let mut cfg = if quick {
                sync::Config::quick()
            } else {
                sync::Config::full()
            };
            cfg.seed = seed.unwrap_or(cfg.seed);
            cfg.workdir = workdir;
            cfg.products = products.unwrap_or(cfg.products);
            cfg.terminals = terminals.unwrap_or(cfg.terminals);
            cfg.sales_per_terminal = sales.unwrap_or(cfg.sales_per_terminal);
            cfg.fanout_terminals = fanout_terminals.unwrap_or(cfg.fanout_terminals);
            cfg.fanout_changes = fanout_changes.unwrap_or(cfg.fanout_changes);
            let out = if quick {
                sync::run(&cfg).await?
            } else {
                sync::run_and_write(&cfg, &cli.results).await?
            };
            print!("{}", sync::table(&out.lines));
            for n in &out.notes {
                println!("{n}");
            }
            if quick {
                eprintln!("quick run: {} left as it is", cli.results.display());
            } else {
                eprintln!("results written to {}", cli.results.display());
            }
        }
    }
    Ok(())
}
