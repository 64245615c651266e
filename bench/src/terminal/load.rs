//! Builds the benchmark terminal through pos-core's public API, the way `pos init
//! --catalog-csv`, `pos staff add`, `pos customers add` and `pos shift open` do.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use pos_core::customers::{self, NewCustomer};
use pos_core::staff::{self, Staff};
use pos_core::terminal::{self, InitRequest, Terminal};
use pos_core::{LocalDb, catalog_csv, shifts};
use pos_shared::Currency;
use pos_shared::role::Role;

use crate::dataset::{Shop, catalog_csv as to_csv};
use crate::stats::Samples;

/// The cashier's PIN; the `pos` child process sells with it too.
pub const CASHIER_PIN: &str = "1234";
const MANAGER_PIN: &str = "9876";

/// A loaded terminal database and how long loading took.
#[derive(Debug)]
pub struct Loaded {
    pub db: LocalDb,
    pub path: PathBuf,
    pub terminal: Terminal,
    pub cashier: Staff,
    pub import: Duration,
    pub customer_adds: Samples,
}

/// Creates the database at `dir/terminal.db` and loads `shop` into it.
pub async fn load(dir: &Path, shop: &Shop) -> anyhow::Result<Loaded> {
    let path = dir.join("terminal.db");
    let db = LocalDb::open(&path)
        .await
        .context("opening the terminal db")?;
    let req = InitRequest {
        currency: Currency::EUR,
        shop_name: "Bench Market".into(),
        company_name: "Kassa Bench GmbH".into(),
        receipt_header: "Bench Market, Hauptstr. 1".into(),
        receipt_footer: "Thank you!".into(),
        cash_rounding_step: 0,
    };
    let terminal = terminal::init(&db, &req).await?;
    let manager = staff::add(&db, "Mara Manager", Role::ShopManager, MANAGER_PIN).await?;
    let cashier = staff::add(&db, "Cas Cashier", Role::Cashier, CASHIER_PIN).await?;
    let csv = to_csv(&shop.products)?;
    let started = Instant::now();
    let report = catalog_csv::import(&db, csv.as_slice()).await?;
    let import = started.elapsed();
    anyhow::ensure!(report.products == shop.products.len(), "import lost rows");
    let mut customer_adds = Samples::with_capacity(shop.customers.len());
    for c in &shop.customers {
        let new = NewCustomer {
            name: c.name.clone(),
            phone: Some(c.phone.clone()),
            email: Some(c.email.clone()),
            credit_limit_minor: c.credit_limit_minor,
        };
        customer_adds
            .time(customers::add(&db, &manager, &new))
            .await
            .with_context(|| format!("adding customer {}", c.email))?;
    }
    shifts::open(&db, &cashier, 20_000).await?;
    Ok(Loaded {
        db,
        path,
        terminal,
        cashier,
        import,
        customer_adds,
    })
}

/// Size of the database file after checkpointing the WAL into it (WAL truncated).
pub async fn db_size(db: &LocalDb, path: &Path) -> anyhow::Result<u64> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db.pool())
        .await?;
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    Ok(std::fs::metadata(path)?.len() + wal_len)
}
