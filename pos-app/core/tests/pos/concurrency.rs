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

/// Whether some process other than this one holds a lock on the WAL index's "in use"
/// byte (SQLite's DMS lock, byte 128 of the `-shm` file), asked with `F_GETLK` from a
/// separate process (a process never sees its own POSIX locks).
fn someone_holds_the_wal_index(shm: &std::path::Path) -> bool {
    let script = "import fcntl, os, struct, sys\n\
        fd = os.open(sys.argv[1], os.O_RDWR)\n\
        lk = struct.pack('hhqqi4x', fcntl.F_WRLCK, 0, 128, 1, 0)\n\
        held = struct.unpack('hhqqi4x', fcntl.fcntl(fd, fcntl.F_GETLK, lk))[0]\n\
        print('held' if held != fcntl.F_UNLCK else 'free')\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(shm)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim() == "held"
}

/// A till scanning beside other processes: a scan must not drop the till's SQLite locks.
/// Without its lock on the WAL index, a `pos` process opening the database believes it
/// is the only user and resets the index the till has mapped (in CI the till died of
/// SIGBUS).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanning_keeps_the_till_s_hold_on_the_database_for_other_processes() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    let till = LocalDb::open(&db).await.unwrap();
    let shm = std::path::PathBuf::from(format!("{}-shm", db.display()));
    assert!(
        someone_holds_the_wal_index(&shm),
        "an open till holds the WAL index"
    );
    for _ in 0..3 {
        // Each lookup reads the WAL index header to know whether its cache still holds.
        pos_core::catalog::by_barcode(&till, "4006381333931")
            .await
            .unwrap();
        assert!(
            someone_holds_the_wal_index(&shm),
            "a scan dropped the till's lock on the WAL index"
        );
    }
    let out = pos(&db, &["status"]);
    assert!(out.status.success(), "pos status: {}", stderr(&out));
}
