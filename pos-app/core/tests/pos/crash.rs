//! `kill -9` at random points: every sale the CLI reported is stored exactly once, the
//! journal verifies, and stock equals opening + movements after every restart.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use pos_core::{LocalDb, journal, stock};

use crate::harness::{
    CASHIER_PIN, OPENING_STOCK, PRODUCTS, Rng, cli_terminal, pos, pos_command, stderr,
};

const KILLS_WANTED: usize = 30;
const MAX_RUNS: usize = 200;

/// Checks the database after a crash; returns how many sales it holds.
async fn check(db_path: &Path, reported: &[String]) -> usize {
    let db = LocalDb::open(db_path)
        .await
        .expect("the database reopens after kill -9");
    let report = journal::verify(&db)
        .await
        .unwrap_or_else(|e| panic!("journal broken after a crash: {e}"));
    let records = journal::read_from(&db, 1).await.unwrap();
    let mut journaled: BTreeMap<String, usize> = BTreeMap::new();
    for r in records.iter().filter(|r| r.kind == "sale_completed") {
        let p: serde_json::Value = serde_json::from_str(&r.payload).unwrap();
        *journaled
            .entry(p["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    for id in reported {
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM sales WHERE id = ?")
            .bind(id)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(rows, 1, "reported sale {id} must be stored exactly once");
        assert_eq!(
            journaled.get(id),
            Some(&1),
            "reported sale {id} must be journaled exactly once"
        );
    }
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(
        sales as usize,
        journaled.len(),
        "sales rows and journal records match one to one"
    );
    let sold: BTreeMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT sku, sum(qty_milli) FROM sale_lines GROUP BY sku",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
    .into_iter()
    .collect();
    for level in stock::levels(&db, None).await.unwrap() {
        let want = OPENING_STOCK * 1000 - sold.get(&level.sku).copied().unwrap_or(0);
        assert_eq!(
            level.on_hand_milli, want,
            "stock of {} = opening + movements (sales only)",
            level.sku
        );
    }
    assert!(report.records as usize >= sales as usize);
    db.close().await;
    sales as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_dash_nine_never_loses_or_duplicates_a_sale() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    let open = pos(
        &db,
        &["shift", "open", "--pin", CASHIER_PIN, "--float", "100"],
    );
    assert!(open.status.success(), "{}", stderr(&open));
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("kill -9 test seed {seed}");
    let mut rng = Rng::new(seed);

    // How long one sale takes here, so kills land before, during and after the commit.
    let started = Instant::now();
    let probe = pos(
        &db,
        &[
            "--json",
            "sell",
            "--pin",
            CASHIER_PIN,
            "--item",
            "P00",
            "--cash",
            "100",
        ],
    );
    assert!(probe.status.success(), "{}", stderr(&probe));
    let mut sale_ms = started.elapsed().as_millis().max(5) as u64;
    let mut reported: Vec<String> = vec![
        serde_json::from_slice::<serde_json::Value>(&probe.stdout).unwrap()["sale_id"]
            .as_str()
            .unwrap()
            .to_owned(),
    ];

    let (mut kills, mut runs) = (0, 0);
    while kills < KILLS_WANTED && runs < MAX_RUNS {
        runs += 1;
        let item = format!("P{:02}x{}", rng.below(PRODUCTS as u64), 1 + rng.below(3));
        let mut child = pos_command(
            &db,
            &[
                "--json",
                "sell",
                "--pin",
                CASHIER_PIN,
                "--item",
                &item,
                "--cash",
                "500",
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        let spawned = Instant::now();
        // Aim anywhere inside a typical run (start-up, login, pricing, commit, print).
        let delay = rng.below(sale_ms.max(5) * 5 / 4);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let killed = matches!(child.try_wait(), Ok(None)) && child.kill().is_ok();
        let out = child.wait_with_output().unwrap();
        if !killed {
            // Runs finish faster or slower as other tests load the machine: track them.
            let took = spawned.elapsed().as_millis() as u64;
            sale_ms = (sale_ms * 2 + took) / 3;
        }
        if out.status.success() {
            let body: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("a finished sale prints JSON");
            reported.push(body["sale_id"].as_str().unwrap().to_owned());
        }
        if killed {
            kills += 1;
            check(&db, &reported).await;
        }
    }
    assert!(
        kills >= 20,
        "only {kills} kills landed in {runs} runs; the timing probe is off"
    );
    let stored = check(&db, &reported).await;
    assert!(stored >= reported.len(), "nothing reported is missing");
    eprintln!(
        "{kills} kills in {runs} runs, {} reported, {stored} stored",
        reported.len()
    );
}
