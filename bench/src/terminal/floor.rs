//! The disk's floor for a durable commit, measured on the same filesystem in the same
//! run: a bare SQLite `BEGIN; INSERT; COMMIT` with WAL and `synchronous=FULL` (what our
//! store sets), a raw 4 KiB append + `fdatasync`, and a 4 KiB overwrite of an already
//! written block + `fdatasync` (no size change for the filesystem to journal: the best
//! case a WAL that has started over can hit), back to back and at a till's pace. No
//! sale commit can beat these.

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

/// `n` overwrites of 4 KiB blocks written and synced beforehand, each made durable with
/// `fdatasync`, one every `every` (zero: back to back): the disk's cache flush alone,
/// with no file size or extent to journal. Paced, it shows what a sync costs after the
/// machine sat idle, which is what a till selling at a human pace pays.
pub fn fdatasync_in_place(
    dir: &Path,
    n: usize,
    every: std::time::Duration,
) -> anyhow::Result<Samples> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::create(dir.join("floor-in-place.bin"))?;
    let offsets = (0..n as u64).map(|i| i * 4096);
    for at in offsets.clone() {
        file.write_all_at(&[0x5au8; 4096], at)?;
    }
    file.sync_all()?;
    let block = [0xa5u8; 4096];
    let mut s = Samples::with_capacity(n);
    for at in offsets {
        std::thread::sleep(every);
        let started = std::time::Instant::now();
        file.write_all_at(&block, at)?;
        file.sync_data()?;
        s.push(started.elapsed());
    }
    Ok(s)
}
