//! `LocalDb`: the terminal's one SQLite file, its pragmas, migrations and settings.
//!
//! WAL keeps readers off the writer's back; `synchronous=FULL` makes every commit
//! (and so every journal record) durable before the CLI reports it, which the
//! kill -9 test relies on.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::clock::{Clock, SystemClock};
use crate::error::{CoreError, CoreResult};

/// Migrations compiled into this binary; the newest one is the schema it understands.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A write transaction on the local database.
pub type Tx = Transaction<'static, Sqlite>;

/// Handle on the local database; cheap to clone.
#[derive(Clone)]
pub struct LocalDb {
    pool: SqlitePool,
    writer: SqlitePool,
    clock: Arc<dyn Clock>,
    barcodes: Arc<crate::barcode_cache::BarcodeCache>,
    receipt_key: Arc<std::sync::OnceLock<ed25519_dalek::SigningKey>>,
    pages: Arc<tokio::sync::watch::Sender<Option<PageCommitted>>>,
    wal: Arc<WalUpkeep>,
    sale_context: Arc<crate::sale_context::Kept>,
}

/// Commits, and where checkpoints stand. Commits never checkpoint inline
/// (`wal_autocheckpoint=0`: a checkpoint's fsync of the main file would land on the
/// cashier's sale). A checkpoint runs in the background once the writer has been quiet
/// for [`QUIET`], so at a till's pace it fits in the pause between two sales and no
/// sale waits on it; only a burst of [`CHECKPOINT_AT_MOST`] commits without a pause
/// gets one while sales keep coming (see [`LocalDb::wrote`]).
#[derive(Debug, Default)]
struct WalUpkeep {
    commits: std::sync::atomic::AtomicU64,
    /// `commits` when the last checkpoint started.
    checkpointed: std::sync::atomic::AtomicU64,
    running: std::sync::atomic::AtomicBool,
    /// A task is waiting for the writer to go quiet.
    waiting: std::sync::atomic::AtomicBool,
}

/// How long the writer must be quiet before a checkpoint starts: less than the pause
/// between two sales at even the busiest till, more than the gap between statements
/// of one burst of writes (a sync page, a CSV import).
const QUIET: Duration = Duration::from_millis(10);

/// Commits after which a checkpoint runs even though writes keep coming: about 90 MB
/// of WAL for sales, which stays under `journal_size_limit` (so the file is not cut
/// back and grown again by the next burst).
const CHECKPOINT_AT_MOST: u64 = 1024;

/// The WAL is cut back to this size when it starts over (see [`CHECKPOINT_AT_MOST`]).
const WAL_SIZE_LIMIT: &str = "134217728";

/// WAL frames left uncopied below which the writer's own connection finishes a
/// checkpoint (a few sales: one sale waits a millisecond or so for it).
const CATCH_UP_FRAMES: i64 = 128;

/// Background checkpoint passes before giving up on catching up until the next round.
const CATCH_UP_PASSES: usize = 8;

impl std::fmt::Debug for LocalDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalDb").finish_non_exhaustive()
    }
}

/// A stream page now stored, with the cursor it moved the stream to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCommitted {
    pub stream: pos_shared::sync::Stream,
    pub cursor: i64,
}

/// A fresh UUIDv7 id as stored text (time-ordered, mintable offline).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The newest schema version this binary knows.
pub fn known_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

impl LocalDb {
    /// Opens (creating if missing) the database at `path` and migrates it.
    pub async fn open(path: &Path) -> CoreResult<Self> {
        Self::open_with_clock(path, Arc::new(SystemClock)).await
    }

    /// Like [`LocalDb::open`] with an injected clock (tests drive lockouts with it).
    pub async fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> CoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Statement journals (what an upsert needs to undo itself inside a longer
            // transaction) stay in memory: in a file they cost a catalog import of 20,000
            // products 340,000 writes.
            .pragma("temp_store", "memory")
            .pragma("wal_autocheckpoint", "0")
            .pragma("journal_size_limit", WAL_SIZE_LIMIT);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        // SQLite drops a connection's whole page cache whenever ANOTHER connection has
        // written since its last read. Writes only ever run one at a time, so they get
        // one connection of their own: sale after sale it finds the index pages a sale
        // touches still cached, instead of reading them again from the OS.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_lazy_with(options);
        check_schema_version(&pool).await?;
        MIGRATOR.run(&pool).await?;
        crate::file_access::restrict_to_owner(path)?;
        // user_version mirrors the newest applied migration so a tool without sqlx
        // (or an older binary) can read it with one PRAGMA.
        let known = known_schema_version();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA user_version = {known}"
        )))
        .execute(&pool)
        .await?;
        Ok(Self {
            pool,
            writer,
            clock,
            barcodes: Arc::new(crate::barcode_cache::BarcodeCache::new(path)),
            receipt_key: Arc::default(),
            pages: Arc::new(tokio::sync::watch::Sender::new(None)),
            wal: Arc::default(),
            sale_context: Arc::default(),
        })
    }

    pub(crate) fn sale_context(&self) -> &crate::sale_context::Kept {
        &self.sale_context
    }

    /// Write commits this handle has reported through [`LocalDb::wrote`].
    pub(crate) fn commits(&self) -> u64 {
        self.wal.commits.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn barcode_cache(&self) -> &crate::barcode_cache::BarcodeCache {
        &self.barcodes
    }

    pub(crate) fn receipt_key_cell(&self) -> &std::sync::OnceLock<ed25519_dalek::SigningKey> {
        &self.receipt_key
    }

    /// The newest stream page a sync committed here: a screen showing prices or stock
    /// refreshes when it changes instead of polling the database.
    pub fn watch_pages(&self) -> tokio::sync::watch::Receiver<Option<PageCommitted>> {
        self.pages.subscribe()
    }

    pub(crate) fn page_committed(&self, page: PageCommitted) {
        self.pages.send_replace(Some(page));
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The one connection write transactions run on (see [`LocalDb::open`]).
    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// Current UTC time in milliseconds from the injected clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Starts a write transaction. `BEGIN IMMEDIATE` takes the write lock up front so
    /// two writers queue on the busy timeout instead of failing on lock upgrade.
    pub async fn begin(&self) -> CoreResult<Tx> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Call after committing a write: checkpoints the WAL in the background once the
    /// writer goes quiet, or at once after [`CHECKPOINT_AT_MOST`] commits.
    ///
    /// SQLite only writes the WAL from its start again once a checkpoint has copied ALL
    /// of it. Appending to the file instead costs every commit's fsync a file-size
    /// update on top of the data, and a checkpoint's own writes and fsync make any sale
    /// committing meanwhile wait for them at the disk. So checkpoints wait for a pause
    /// (at a till's pace: right after each sale, done long before the next one), and a
    /// burst without pauses gets one only every [`CHECKPOINT_AT_MOST`] commits. That
    /// one repeats while it gains on the sales, and once only a few sales' frames are
    /// left, the writer's connection copies those itself, between two sales: the next
    /// commit starts the WAL over, and from then on commits overwrite blocks the file
    /// already has.
    pub fn wrote(&self) {
        use std::sync::atomic::Ordering;
        let n = self.wal.commits.fetch_add(1, Ordering::AcqRel) + 1;
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        // Saturating: a checkpoint started by a later commit may already count this one.
        let since = n.saturating_sub(self.wal.checkpointed.load(Ordering::Acquire));
        if since >= CHECKPOINT_AT_MOST {
            if !self.wal.running.swap(true, Ordering::AcqRel) {
                let db = self.clone();
                runtime.spawn(async move { db.checkpoint_now().await });
            }
            return;
        }
        if self.wal.waiting.swap(true, Ordering::AcqRel) {
            return;
        }
        let db = self.clone();
        runtime.spawn(async move {
            // Quiet means: no commit during one whole QUIET, and no checkpoint running.
            loop {
                let seen = db.wal.commits.load(Ordering::Acquire);
                tokio::time::sleep(QUIET).await;
                if db.wal.commits.load(Ordering::Acquire) == seen
                    && !db.wal.running.load(Ordering::Acquire)
                {
                    break;
                }
            }
            db.wal.waiting.store(false, Ordering::Release);
            let pending = db.wal.commits.load(Ordering::Acquire)
                > db.wal.checkpointed.load(Ordering::Acquire);
            if pending && !db.wal.running.swap(true, Ordering::AcqRel) {
                db.checkpoint_now().await;
            }
        });
    }

    /// Runs [`LocalDb::checkpoint`] for a caller that set `running`, and clears it.
    async fn checkpoint_now(&self) {
        use std::sync::atomic::Ordering;
        let started = self.wal.commits.load(Ordering::Acquire);
        self.wal.checkpointed.store(started, Ordering::Release);
        if let Err(e) = self.checkpoint().await {
            // Closing the pools checkpoints on its own, so a pass cut short by a `pos`
            // command exiting is no fault worth a warning on the cashier's terminal.
            if self.pool.is_closed() || self.writer.is_closed() {
                tracing::debug!("background WAL checkpoint stopped by closing: {e}");
            } else {
                tracing::warn!("background WAL checkpoint failed: {e}");
            }
        }
        self.wal.running.store(false, Ordering::Release);
    }

    /// Copies the WAL into the database until it can start over (see [`LocalDb::wrote`]).
    ///
    /// A pass reports the WAL's length when it began, not the frames sales appended
    /// while it ran; the next pass's length shows those. Once a pass had little to chase,
    /// the writer's connection copies the rest between two writes and starts the WAL over.
    async fn checkpoint(&self) -> CoreResult<()> {
        let mut before = 0;
        for _ in 0..CATCH_UP_PASSES {
            // (busy, frames in the WAL, frames copied); -1 frames when not in WAL mode.
            let (_, frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&self.pool)
                .await?;
            // A WAL that started over meanwhile is shorter than before.
            let added = if frames >= before {
                frames - before
            } else {
                frames
            };
            if added <= CATCH_UP_FRAMES {
                let (_, frames, copied): (i64, i64, i64) =
                    sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                        .fetch_one(&self.writer)
                        .await?;
                if frames > 0 && copied == frames {
                    self.start_wal_over().await?;
                }
                return Ok(());
            }
            before = frames;
        }
        Ok(())
    }

    /// Makes the write at which SQLite starts a fully copied WAL over.
    ///
    /// Starting over writes a new WAL header, and with `synchronous=FULL` SQLite syncs
    /// that header before the first commit's frames: a second fsync on the first commit
    /// after every checkpoint. At a till's pace that is every sale. Made here, right
    /// after the checkpoint and still in the pause, the sale only syncs its own frames.
    async fn start_wal_over(&self) -> CoreResult<()> {
        sqlx::query("UPDATE wal_restarts SET at_ms = ? WHERE id = 1")
            .bind(self.now_ms())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Closes the pools, checkpointing the WAL.
    pub async fn close(self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// Refuses a database whose schema is newer than this binary's migrations.
async fn check_schema_version(pool: &SqlitePool) -> CoreResult<()> {
    let known = known_schema_version();
    let user_version: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(pool)
        .await?;
    let has_migrations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await?;
    let applied: i64 = if has_migrations > 0 {
        sqlx::query_scalar("SELECT coalesce(max(version), 0) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await?
    } else {
        0
    };
    let found = user_version.max(applied);
    if found > known {
        return Err(CoreError::NewerSchema { found, known });
    }
    Ok(())
}

/// Reads one setting inside or outside a transaction.
pub async fn get_setting<'e, E>(exec: E, key: &str) -> CoreResult<Option<String>>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(exec)
            .await?,
    )
}

/// Writes (inserts or replaces) one setting.
pub async fn set_setting<'e, E>(exec: E, key: &str, value: &str) -> CoreResult<()>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(exec)
    .await?;
    Ok(())
}

/// Reads a numeric setting, falling back to `default` when unset.
pub async fn get_i64_setting<'e, E>(exec: E, key: &str, default: i64) -> CoreResult<i64>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    match get_setting(exec, key).await? {
        Some(v) => i64::from_str(&v)
            .map_err(|_| CoreError::invalid(format!("setting `{key}` is not a number: {v}"))),
        None => Ok(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opens_migrates_and_sets_wal() {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("t.db")).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal", "the journal relies on WAL mode");
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(
            sync, 2,
            "synchronous must be FULL (2) so commits survive power loss"
        );
        let v: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(v, known_schema_version());
    }

    #[tokio::test]
    async fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let db = LocalDb::open(&path).await.unwrap();
        sqlx::query("PRAGMA user_version = 9999")
            .execute(db.pool())
            .await
            .unwrap();
        db.close().await;
        let err = LocalDb::open(&path).await.unwrap_err();
        assert!(
            matches!(err, CoreError::NewerSchema { found: 9999, .. }),
            "a newer schema must be refused, got {err}"
        );
        assert!(err.to_string().contains("newer Kassa"));
    }

    #[tokio::test]
    async fn reopening_is_idempotent_and_settings_persist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let db = LocalDb::open(&path).await.unwrap();
        set_setting(db.pool(), "shop_name", "Corner").await.unwrap();
        db.close().await;
        let db = LocalDb::open(&path).await.unwrap();
        assert_eq!(
            get_setting(db.pool(), "shop_name")
                .await
                .unwrap()
                .as_deref(),
            Some("Corner")
        );
    }

    /// `commits` writes of about `pages` pages each, as fast as they go.
    async fn write_burst(db: &LocalDb, commits: u64, pages: usize) {
        let body = "x".repeat(3000);
        for n in 0..commits {
            let mut tx = db.begin().await.unwrap();
            for k in 0..pages {
                set_setting(&mut *tx, &format!("k{k}"), &format!("{n}{body}"))
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
            db.wrote();
        }
    }

    fn wal_len(dir: &Path) -> u64 {
        std::fs::metadata(dir.join("t.db-wal")).unwrap().len()
    }

    /// Under steady writing the WAL must still start over now and then, or it grows by
    /// every commit and each fsync pays for growing the file.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_starts_over_while_writes_keep_coming() {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("t.db")).await.unwrap();
        // A burst checkpoint every CHECKPOINT_AT_MOST commits leaves at most about that many.
        let (commits, pages) = (5 * CHECKPOINT_AT_MOST, 2);
        write_burst(&db, commits, pages).await;
        let wal = wal_len(dir.path());
        let appended = commits * pages as u64 * (4096 + 24);
        assert!(
            wal < appended / 3,
            "{commits} commits of {pages} pages each left a {wal}-byte WAL: it never started over"
        );
    }

    /// At a till's pace the checkpoint runs in the pause after a sale: the WAL starts
    /// over after every pause and never holds more than the last burst.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pause_between_writes_checkpoints_the_wal() {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("t.db")).await.unwrap();
        let (bursts, commits, pages) = (6, 40, 5);
        for _ in 0..bursts {
            write_burst(&db, commits, pages).await;
            tokio::time::sleep(QUIET * 20).await;
        }
        // A commit writes its pages plus an index page or two.
        let burst = commits * (pages as u64 + 2) * (4096 + 24);
        let wal = wal_len(dir.path());
        assert!(
            wal <= 2 * burst,
            "{bursts} bursts of at most {burst} bytes with pauses left a {wal}-byte WAL: \
             the pauses did not checkpoint it"
        );
    }

    /// The WAL header's first salt: SQLite changes it each time the WAL starts over.
    fn wal_salt(dir: &Path) -> [u8; 4] {
        let wal = std::fs::read(dir.join("t.db-wal")).unwrap();
        wal[16..20].try_into().unwrap()
    }

    /// Starting the WAL over syncs its new header: that happens in the pause after the
    /// checkpoint, so the next sale's commit syncs only its own frames.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_starts_over_in_the_pause_not_in_the_next_sale() {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("t.db")).await.unwrap();
        for round in 0..3 {
            write_burst(&db, 5, 2).await;
            let written = wal_salt(dir.path());
            tokio::time::sleep(QUIET * 20).await;
            assert_ne!(
                wal_salt(dir.path()),
                written,
                "round {round}: the WAL had not started over after a pause"
            );
        }
    }

    /// Migration 7 gives a till's existing account entries the journal record they came
    /// from, so the customers stream can count them once (a sale by its row, a payment
    /// by its journal payload).
    #[tokio::test]
    async fn existing_account_entries_learn_their_journal_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let old = SqlitePool::connect_with(options).await.unwrap();
        MIGRATOR.run_to(6, &old).await.unwrap();
        sqlx::raw_sql(
            "INSERT INTO staff (id, name, role, pin_hash, created_at_ms)
                 VALUES ('s', 'Ann', 'cashier', 'h', 0);
             INSERT INTO shifts (id, opened_by, opened_at_ms, opening_float_minor)
                 VALUES ('sh', 's', 0, 0);
             INSERT INTO customers (id, name, credit_limit_minor, created_at_ms)
                 VALUES ('c', 'Cafe', 1000, 0);
             INSERT INTO sales (id, receipt_no, shift_id, staff_id, customer_id, currency,
                 subtotal_minor, discount_minor, tax_minor, total_minor, paid_minor,
                 change_minor, journal_seq, created_at_ms)
                 VALUES ('sa', 1, 'sh', 's', 'c', 'EUR', 300, 0, 0, 300, 300, 0, 4, 0);
             INSERT INTO journal (seq, id, terminal_id, epoch, hlc_ms, catalog_cursor, kind,
                 payload, prev_hash, hash)
                 VALUES (7, 'j7', 't', 1, 0, 0, 'debt_payment',
                     '{\"payment_id\":\"p\",\"customer_id\":\"c\"}', 'x', 'y');
             INSERT INTO debt_entries (id, customer_id, amount_minor, kind, ref_id, created_at_ms)
                 VALUES ('e1', 'c', 300, 'on_account', 'sa', 0),
                        ('e2', 'c', -100, 'payment', 'p', 0);",
        )
        .execute(&old)
        .await
        .unwrap();
        old.close().await;

        let db = LocalDb::open(&path).await.unwrap();
        let seqs: Vec<(String, Option<i64>, i64)> =
            sqlx::query_as("SELECT id, journal_seq, in_server FROM debt_entries ORDER BY id")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert_eq!(
            seqs,
            vec![("e1".into(), Some(4), 0), ("e2".into(), Some(7), 0)],
            "pending, and tied to the sale's and the payment's records"
        );
        let c = crate::customers::get(&db, "c").await.unwrap();
        assert_eq!(
            c.balance_minor, 200,
            "the balance is unchanged by the upgrade"
        );
    }

    #[tokio::test]
    async fn rows_are_never_hard_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("t.db")).await.unwrap();
        sqlx::query(
            "INSERT INTO staff (id, name, role, pin_hash, created_at_ms) VALUES ('s', 'A', 'cashier', 'h', 0)",
        )
        .execute(db.pool())
        .await
        .unwrap();
        let res = sqlx::query("DELETE FROM staff").execute(db.pool()).await;
        let err = res.expect_err("the no-delete trigger must refuse");
        assert!(err.to_string().contains("never deleted"), "{err}");
    }
}
