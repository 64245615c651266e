//! A real terminal in an end-to-end test: pos-core on its own SQLite file, enrolled into
//! the test's cloud, with a cashier and an open shift, selling through the same code the
//! `pos` CLI and the desktop app use.

use pos_core::LocalDb;
use pos_core::checkout::{Cart, Tender};
use pos_core::staff::Staff;
use pos_core::terminal::Terminal;
use pos_core::{sales, shifts, staff, stock, terminal, till};
use pos_shared::role::Role;

pub struct Till {
    _dir: tempfile::TempDir,
    /// The terminal's database file (for the `pos` binary).
    pub path: std::path::PathBuf,
    pub db: LocalDb,
    pub terminal: Terminal,
    pub cashier: Staff,
}

impl Till {
    /// Enrolls a fresh terminal with `code` and opens a shift.
    pub async fn enroll(server: &str, code: &str, name: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("terminal.db");
        let db = LocalDb::open(&path).await.expect("open db");
        pos_core::sync::enroll(&db, server, code, name)
            .await
            .expect("enroll");
        let terminal = terminal::load(&db).await.expect("terminal");
        let cashier = staff::add(&db, "Ana", Role::Cashier, "1111")
            .await
            .expect("cashier");
        // 100.00 of change in the drawer: a cash refund is paid from cash that is there.
        shifts::open(&db, &cashier, 10_000).await.expect("shift");
        Self {
            _dir: dir,
            path,
            db,
            terminal,
            cashier,
        }
    }

    /// Sells `qty` of the product with `code` for cash; returns the sale id.
    pub async fn sell(&self, code: &str, qty: i64) -> sales::Sale {
        sell_on(&self.db, &self.terminal, &self.cashier, code, qty).await
    }

    /// Stock the terminal shows for a SKU, in thousandths.
    pub async fn stock(&self, sku: &str) -> i64 {
        stock::levels(&self.db, Some(sku))
            .await
            .expect("stock")
            .first()
            .map_or(0, |l| l.on_hand_milli)
    }

    pub async fn sync(&self) -> pos_core::error::CoreResult<pos_core::sync::SyncReport> {
        pos_core::sync::sync_once(&self.db).await
    }

    /// Waits until the server has built everything it acked from this terminal into
    /// orders and stock (acks come when a batch is stored; the projector follows).
    pub async fn wait_projected(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let state = pos_core::sync::server_state(&self.db)
                .await
                .expect("sync state");
            assert!(
                state.projected_through <= state.acked_through,
                "the server never builds beyond what it stored: {state:?}"
            );
            if state.projected_through == state.acked_through {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server has not built this terminal's journal within 120 s: {state:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// The `pos` binary built beside this test binary (`target/<profile>/pos`).
pub fn pos_binary() -> std::path::PathBuf {
    sibling_binary("pos")
}

/// A workspace binary built beside this test binary (`target/<profile>/<name>`).
pub fn sibling_binary(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let bin = profile_dir.join(name);
    assert!(
        bin.exists(),
        "{} is missing: build the workspace first (`cargo build --workspace`)",
        bin.display()
    );
    bin
}

/// A cash sale of `qty` of `code` through any handle on a till's database (one opened
/// with another clock, say).
pub async fn sell_on(
    db: &LocalDb,
    terminal: &Terminal,
    cashier: &Staff,
    code: &str,
    qty: i64,
) -> sales::Sale {
    let mut cart = Cart::default();
    till::add_code(db, terminal, &mut cart, code, qty * 1000)
        .await
        .expect("scan");
    cart.tenders = vec![Tender::Cash {
        amount_minor: 1_000_000,
    }];
    sales::complete(db, terminal, cashier, &cart, None)
        .await
        .expect("sale")
}
