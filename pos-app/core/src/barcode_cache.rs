//! An in-process cache of barcode lookups, so a scan answers from memory.
//!
//! Another process may change the catalog (the sync daemon beside the till app), so the
//! cache is trusted only while no commit has happened since it was last validated: the
//! stamp is the WAL index header at the start of the `-shm` file (a 48-byte read, no
//! SQL), which every commit rewrites as it becomes visible. When it moved, one query reads
//! the catalog generation that triggers bump on every catalog change (migration 0004):
//! unchanged means the writes were sales and the cache stays; changed means it is dropped.
//!
//! Not the WAL file itself: a commit appends its frames (and fsyncs them) BEFORE it
//! publishes them in the index, so a stamp of the WAL taken in between already showed the
//! commit while the generation read after it did not, and the cache kept the old price
//! for good (seen in CI: a till scanning the old price after the daemon stored a new one).
//!
//! A long-lived process (the till app, the benchmark) can also load every active code
//! at once ([`crate::catalog::warm_barcodes`]): then a code missing from memory is known
//! to be unknown without SQL, and a catalog change reloads the whole map in the
//! background while scans fall back to one query each.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::catalog::Product;

/// Entries kept at most; a shop scans far fewer distinct codes between catalog changes.
const CAPACITY: usize = 250_000;

/// The WAL index header (`WalIndexHdr`, the first 48 bytes of the `-shm` file): its change
/// counter, last committed frame, checksums and salts move with every commit, checkpoint
/// restart included.
type Stamp = [u8; 48];

#[derive(Debug, Default)]
struct State {
    /// The WAL index header when the entries were last known valid.
    stamp: Option<Stamp>,
    generation: i64,
    entries: HashMap<String, Option<Product>>,
    /// Every active code of `generation` is in `entries`.
    complete: bool,
    /// Someone asked for the full map: reload it after each catalog change.
    keep_warm: bool,
    warming: bool,
}

#[derive(Debug)]
pub(crate) struct BarcodeCache {
    shm: PathBuf,
    state: Mutex<State>,
}

/// Descriptors of `-shm` files, one per file (device and inode), never closed. Closing ANY
/// descriptor of a file drops every POSIX lock this process holds on it, SQLite's own
/// included: its readers' marks and the lock that tells another process the WAL index is
/// in use. Opening and closing the file on each scan let a `pos` process started beside
/// the till reset the WAL index under the till's mapping (SIGBUS in CI), and could let a
/// checkpoint overwrite pages a reader here still needed.
#[cfg(unix)]
static SHM_FILES: std::sync::LazyLock<Mutex<HashMap<(u64, u64), std::fs::File>>> =
    std::sync::LazyLock::new(Mutex::default);

#[cfg(unix)]
fn shm_header(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::{FileExt, MetadataExt};
    // stat, not open: the file SQLite uses now (it deletes and recreates the file when
    // the last connection anywhere closes and a new one opens).
    let meta = std::fs::metadata(path).ok()?;
    let mut files = SHM_FILES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let file = match files.entry((meta.dev(), meta.ino())) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(_) => {
            let file = std::fs::File::open(path).ok()?;
            // Keyed by what was opened, in case the file was replaced in between.
            let opened = file.metadata().ok()?;
            files.entry((opened.dev(), opened.ino())).or_insert(file)
        }
    };
    let mut header = [0u8; 48];
    file.read_exact_at(&mut header, 0).ok()?;
    Some(header)
}

/// No POSIX locks to keep elsewhere; without a cheap stamp every scan validates.
#[cfg(not(unix))]
fn shm_header(_path: &Path) -> Option<Stamp> {
    None
}

impl BarcodeCache {
    pub(crate) fn new(db_path: &Path) -> Self {
        let mut shm = db_path.as_os_str().to_owned();
        shm.push("-shm");
        Self {
            shm: PathBuf::from(shm),
            state: Mutex::new(State::default()),
        }
    }

    /// The WAL index header, or `None` (trust nothing: validate) when there is no
    /// `-shm` file to read, which only happens while no connection has the database open.
    pub(crate) fn stamp(&self) -> Option<Stamp> {
        shm_header(&self.shm)
    }

    /// The cached answer and generation while the WAL has not moved since validation:
    /// `Some((generation, None))` means valid but not cached yet (one query, no
    /// revalidation); `None` means the cache must be validated first.
    pub(crate) fn get(
        &self,
        code: &str,
        stamp: Option<Stamp>,
    ) -> Option<(i64, Option<Option<Product>>)> {
        let s = self.state.lock().ok()?;
        if stamp.is_none() || s.stamp != stamp {
            return None;
        }
        let hit = match s.entries.get(code) {
            Some(v) => Some(v.clone()),
            None if s.complete => Some(None),
            None => None,
        };
        Some((s.generation, hit))
    }

    /// Records that the catalog is at `generation` as of `stamp` (taken before the
    /// generation was read), dropping entries of an older catalog. True when the full map
    /// should be reloaded now (it was wanted and is not already being loaded).
    pub(crate) fn validate(&self, generation: i64, stamp: Option<Stamp>) -> bool {
        let Ok(mut s) = self.state.lock() else {
            return false;
        };
        if s.generation != generation {
            s.entries.clear();
            s.complete = false;
            s.generation = generation;
        }
        s.stamp = stamp;
        let reload = s.keep_warm && !s.complete && !s.warming;
        if reload {
            s.warming = true;
        }
        reload
    }

    /// Marks a full load as started; false if one already is.
    pub(crate) fn start_warming(&self) -> bool {
        let Ok(mut s) = self.state.lock() else {
            return false;
        };
        s.keep_warm = true;
        !std::mem::replace(&mut s.warming, true)
    }

    /// Installs a full map of `generation`, read in one snapshot after `stamp` was taken.
    /// Ignored when a newer catalog was seen meanwhile (its own reload follows).
    pub(crate) fn fill(
        &self,
        generation: i64,
        stamp: Option<Stamp>,
        entries: Option<HashMap<String, Option<Product>>>,
    ) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        s.warming = false;
        let Some(entries) = entries else {
            return;
        };
        if generation >= s.generation && entries.len() <= CAPACITY {
            s.generation = generation;
            s.stamp = stamp;
            s.entries = entries;
            s.complete = true;
        }
    }

    #[cfg(test)]
    pub(crate) fn is_complete(&self) -> bool {
        self.state.lock().map(|s| s.complete).unwrap_or(false)
    }

    pub(crate) fn put(&self, code: &str, generation: i64, value: Option<Product>) {
        if let Ok(mut s) = self.state.lock()
            && s.generation == generation
        {
            if s.entries.len() >= CAPACITY {
                s.entries.clear();
                s.complete = false;
            }
            s.entries.insert(code.to_owned(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::{self, ProductInput};
    use crate::store::LocalDb;

    fn input(sku: &str, barcode: &str, price: i64) -> ProductInput {
        serde_json::from_value(serde_json::json!({
            "sku": sku, "name": format!("Item {sku}"), "barcode": barcode,
            "price_minor": price, "tax_rate_bp": 1900, "tax_inclusive": true,
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn a_price_changed_by_another_process_is_seen_by_the_next_scan() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let till = LocalDb::open(&path).await.unwrap();
        let mut tx = till.begin().await.unwrap();
        catalog::upsert_product(&mut tx, 1, &input("A", "4006381333931", 100))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for _ in 0..3 {
            let p = catalog::by_barcode(&till, "4006381333931").await.unwrap();
            assert_eq!(p.unwrap().price_minor, 100);
        }
        // A second handle stands in for the sync daemon's process.
        let daemon = LocalDb::open(&path).await.unwrap();
        let mut tx = daemon.begin().await.unwrap();
        catalog::upsert_product(&mut tx, 2, &input("A", "4006381333931", 150))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let p = catalog::by_barcode(&till, "4006381333931").await.unwrap();
        assert_eq!(p.unwrap().price_minor, 150, "the cached price was dropped");
        assert!(
            catalog::by_barcode(&till, "5901234123457")
                .await
                .unwrap()
                .is_none()
        );
    }

    /// Scans keep coming while the daemon commits new prices: whatever moment a scan
    /// validated the cache at, the first scan after a commit returns shows its price.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_scan_during_a_commit_never_keeps_the_old_price() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let till = LocalDb::open(&path).await.unwrap();
        let daemon = LocalDb::open(&path).await.unwrap();
        for (version, price) in (1..=150).zip(100..) {
            let writer = {
                let daemon = daemon.clone();
                tokio::spawn(async move {
                    let mut tx = daemon.begin().await.unwrap();
                    catalog::upsert_product(&mut tx, version, &input("A", "4006381333931", price))
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                })
            };
            while !writer.is_finished() {
                catalog::by_barcode(&till, "4006381333931").await.unwrap();
            }
            writer.await.unwrap();
            let p = catalog::by_barcode(&till, "4006381333931").await.unwrap();
            assert_eq!(p.unwrap().price_minor, price, "commit {version} seen");
        }
    }

    #[tokio::test]
    async fn a_warm_map_answers_every_code_and_reloads_after_a_catalog_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let till = LocalDb::open(&path).await.unwrap();
        let mut tx = till.begin().await.unwrap();
        catalog::upsert_product(&mut tx, 1, &input("A", "4006381333931", 100))
            .await
            .unwrap();
        catalog::upsert_product(&mut tx, 1, &input("B", "5901234123457", 200))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(catalog::warm_barcodes(&till).await.unwrap(), 2);
        assert!(till.barcode_cache().is_complete());
        let a = catalog::by_barcode(&till, "4006381333931").await.unwrap();
        assert_eq!(a.unwrap().sku, "A");
        assert!(
            catalog::by_barcode(&till, "96385074")
                .await
                .unwrap()
                .is_none(),
            "a code outside the map is unknown"
        );

        let daemon = LocalDb::open(&path).await.unwrap();
        let mut tx = daemon.begin().await.unwrap();
        catalog::upsert_product(&mut tx, 2, &input("A", "4006381333931", 150))
            .await
            .unwrap();
        catalog::upsert_product(&mut tx, 2, &input("C", "96385074", 300))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let a = catalog::by_barcode(&till, "4006381333931").await.unwrap();
        assert_eq!(a.unwrap().price_minor, 150, "the old map is not trusted");
        let c = catalog::by_barcode(&till, "96385074").await.unwrap();
        assert_eq!(
            c.unwrap().sku,
            "C",
            "a new product scans before the reload ends"
        );
        let reloaded = async {
            while !till.barcode_cache().is_complete() {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(20), reloaded)
            .await
            .expect("the full map is reloaded in the background");
        let c = catalog::by_barcode(&till, "96385074").await.unwrap();
        assert_eq!(c.unwrap().price_minor, 300);
    }
}
