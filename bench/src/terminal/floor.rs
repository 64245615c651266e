//! The disk's floor for a durable commit, measured on the same filesystem in the same
//! run: a bare SQLite `BEGIN; INSERT; COMMIT` with WAL and `synchronous=FULL` (what our
//! store sets), and a raw 4 KiB append + `fdatasync`. No sale commit can beat these.

use std::io::Write;
use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};

use crate::stats::Samples;

/// `n` single-row transactions on a fresh database in `dir`.
pub async fn bare_sqlite(dir: &Path, n: usize) -> anyhow::Result<Samples> {
    let mut conn = SqliteConnectOptions::new()
        .filename(dir.join("floor.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await?;
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .execute(&mut conn)
        .await?;
    let body = "x".repeat(200);
    let mut s = Samples::with_capacity(n);
    for _ in 0..n {
        s.time(async {
            let mut tx = conn.begin().await?;
            sqlx::query("INSERT INTO t (body) VALUES (?)")
                .bind(&body)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })
        .await?;
    }
    conn.close().await?;
    Ok(s)
}

/// `n` appends of 4 KiB each made durable with `fdatasync`.
pub fn fdatasync(dir: &Path, n: usize) -> anyhow::Result<Samples> {
    let mut file = std::fs::File::create(dir.join("floor.bin"))?;
    let block = [0x5au8; 4096];
    let mut s = Samples::with_capacity(n);
    for _ in 0..n {
        let started = std::time::Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        s.push(started.elapsed());
    }
    Ok(s)
}
