//! Several `pos` processes selling at once on one database: every sale commits, receipt
//! numbers and journal sequence stay dense, the chain verifies.

use pos_core::{LocalDb, journal};

use crate::harness::{CASHIER_PIN, cli_terminal, pos, pos_command, stderr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tills_on_one_file_serialise_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    assert!(
        pos(&db, &["shift", "open", "--pin", CASHIER_PIN])
            .status
            .success()
    );
    let children: Vec<_> = (0..12)
        .map(|i| {
            let item = format!("P{:02}", i % 10);
            pos_command(
                &db,
                &[
                    "sell",
                    "--pin",
                    CASHIER_PIN,
                    "--item",
                    &item,
                    "--cash",
                    "100",
                ],
            )
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a concurrent sale failed: {}",
            stderr(&out)
        );
    }
    let local = LocalDb::open(&db).await.unwrap();
    let receipts: Vec<i64> = sqlx::query_scalar("SELECT receipt_no FROM sales ORDER BY receipt_no")
        .fetch_all(local.pool())
        .await
        .unwrap();
    assert_eq!(
        receipts,
        (1..=12).collect::<Vec<_>>(),
        "receipt numbers are dense and unique"
    );
    let report = journal::verify(&local).await.expect("the chain verifies");
    assert_eq!(report.records, 13, "shift opened + 12 sales");
}
