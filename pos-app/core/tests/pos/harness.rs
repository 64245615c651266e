//! Test terminal: a fresh database in a temp dir with a catalog, staff and helpers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pos_core::LocalDb;
use pos_core::staff::{self, Staff};
use pos_core::terminal::{self, InitRequest, Terminal};
use pos_shared::Currency;

pub const CASHIER_PIN: &str = "1234";
pub const MANAGER_PIN: &str = "9876";
pub const PRODUCTS: usize = 30;
pub const OPENING_STOCK: i64 = 1000;

/// A small deterministic PRNG (xorshift64*) so failures replay from the printed seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// The catalog CSV every test terminal starts with: SKU P00..P29, varied tax rates.
pub fn catalog_csv() -> String {
    let mut csv =
        String::from("sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive,category,stock\n");
    for i in 0..PRODUCTS {
        let (bp, inclusive) = match i % 3 {
            0 => (2000, true),
            1 => (700, true),
            _ => (825, false),
        };
        let price = 50 + (i as i64 * 37) % 2000;
        csv.push_str(&format!(
            "P{i:02},Product number {i},,{price},{bp},{inclusive},Cat{},{OPENING_STOCK}\n",
            i % 4
        ));
    }
    csv
}

pub struct TestTerminal {
    /// Keeps the temp dir alive for the test.
    pub _dir: tempfile::TempDir,
    pub db: LocalDb,
    pub terminal: Terminal,
    pub cashier: Staff,
    pub manager: Staff,
}

impl TestTerminal {
    /// Initialised terminal with the catalog, a cashier and a manager; no shift open.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = LocalDb::open(&dir.path().join("terminal.db"))
            .await
            .expect("open db");
        let terminal = terminal::init(
            &db,
            &InitRequest {
                currency: Currency::EUR,
                shop_name: "Test Shop".into(),
                company_name: "Test Co".into(),
                receipt_header: String::new(),
                receipt_footer: "Thanks".into(),
                cash_rounding_step: 0,
            },
        )
        .await
        .expect("init");
        pos_core::catalog_csv::import(&db, catalog_csv().as_bytes())
            .await
            .expect("import");
        let cashier = staff::add(&db, "Ana", pos_shared::role::Role::Cashier, CASHIER_PIN)
            .await
            .unwrap();
        let manager = staff::add(&db, "Bo", pos_shared::role::Role::ShopManager, MANAGER_PIN)
            .await
            .unwrap();
        Self {
            _dir: dir,
            db,
            terminal,
            cashier,
            manager,
        }
    }
}

/// Runs the built `pos` binary against `db`.
pub fn pos(db: &Path, args: &[&str]) -> Output {
    pos_command(db, args).output().expect("run pos")
}

pub fn pos_command(db: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pos"));
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("KASSA_POS_DB");
    cmd
}

/// A CLI-initialised terminal (init + catalog + staff), returning the db path.
pub fn cli_terminal(dir: &Path) -> PathBuf {
    let db = dir.join("cli.db");
    let csv = dir.join("catalog.csv");
    std::fs::write(&csv, catalog_csv()).unwrap();
    let csv = csv.to_str().unwrap().to_owned();
    for args in [
        vec![
            "init",
            "--currency",
            "EUR",
            "--shop",
            "CLI Shop",
            "--catalog-csv",
            &csv,
        ],
        vec![
            "staff",
            "add",
            "--name",
            "Bo",
            "--role",
            "shop_manager",
            "--pin",
            MANAGER_PIN,
        ],
        vec![
            "staff",
            "add",
            "--name",
            "Ana",
            "--role",
            "cashier",
            "--pin",
            CASHIER_PIN,
            "--manager-pin",
            MANAGER_PIN,
        ],
    ] {
        let out = pos(&db, &args);
        assert!(
            out.status.success(),
            "setup `{args:?}` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    db
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `pos --json ARGS`, which must succeed, and returns its JSON.
pub fn ok(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut with_json = vec!["--json"];
    with_json.extend_from_slice(args);
    let out = pos(db, &with_json);
    assert!(out.status.success(), "`{args:?}` failed: {}", stderr(&out));
    serde_json::from_str(stdout(&out).trim()).unwrap()
}
