//! An in-process cache of barcode lookups, so a scan answers from memory.
//!
//! Another process may change the catalog (the sync daemon beside the till app), so the
//! cache is trusted only while the database's WAL file is untouched since the cache was
//! last validated (a `stat` and a 24-byte read, no SQL). When the WAL moved, one query reads the catalog
//! generation that triggers bump on every catalog change (migration 0004): unchanged
//! means the writes were sales and the cache stays; changed means it is dropped.
//!
//! A long-lived process (the till app, the benchmark) can also load every active code
//! at once ([`crate::catalog::warm_barcodes`]): then a code missing from memory is known
//! to be unknown without SQL, and a catalog change reloads the whole map in the
//! background while scans fall back to one query each.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use crate::catalog::Product;

/// Entries kept at most; a shop scans far fewer distinct codes between catalog changes.
const CAPACITY: usize = 250_000;

/// WAL mtime, length and header bytes 12..24 (checkpoint sequence and salts, which change
/// whenever the WAL restarts from its beginning, where length and a coarse mtime may not).
type Stamp = (SystemTime, u64, [u8; 12]);

#[derive(Debug, Default)]
struct State {
    /// WAL (mtime, length) when the entries were last known valid.
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
    wal: PathBuf,
    state: Mutex<State>,
}

impl BarcodeCache {
    pub(crate) fn new(db_path: &Path) -> Self {
        let mut wal = db_path.as_os_str().to_owned();
        wal.push("-wal");
        Self {
            wal: PathBuf::from(wal),
            state: Mutex::new(State::default()),
        }
    }

    /// The WAL's stamp. A missing or still empty WAL is a stamp too (nothing written
    /// since the last checkpoint): the next write creates it or fills its header, which
    /// changes the stamp. The database is always in WAL mode ([`crate::store`] sets it),
    /// so every write of any process passes through this file.
    pub(crate) fn stamp(&self) -> Option<Stamp> {
        use std::io::Read;
        let Ok(mut f) = std::fs::File::open(&self.wal) else {
            return Some((SystemTime::UNIX_EPOCH, 0, [0; 12]));
        };
        let m = f.metadata().ok()?;
        let mut header = [0u8; 24];
        let mut salts = [0u8; 12];
        if f.read_exact(&mut header).is_ok() {
            salts.copy_from_slice(&header[12..24]);
        }
        Some((m.modified().ok()?, m.len(), salts))
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
