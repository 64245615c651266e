//! The journal: the terminal's append-only, hash-chained log of facts.
//!
//! Every fact is appended in the same transaction as the rows it describes, so a
//! row without its record (or the reverse) cannot survive a crash. Records carry what
//! sync needs (UUIDv7 id, terminal id, epoch, dense seq, HLC time, catalog cursor).
//!
//! Hash: `hash = hex(SHA-256(prev_hash_hex || canonical))` where `canonical` is each of
//! id, terminal_id, epoch, seq, hlc_ms, catalog_cursor, kind, payload written as
//! `<byte length>:<bytes>;` (length-prefixed, so no field can bleed into the next).
//! The first record's `prev_hash` is 64 zeros.
//!
//! HLC: a simple hybrid logical clock, `hlc = max(wall_ms, previous_hlc + 1)` stored as
//! i64 milliseconds. It never goes backwards even when the wall clock does, and stays
//! close to wall time so records remain readable as timestamps.

use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, Tx};

pub use pos_shared::journal::{FactKind, GENESIS_HASH, JournalRecord};

/// The journal's columns of a caller's one-row SELECT: what the next record needs (the
/// terminal's identity and cursor, the last record's seq, time and hash). A sale reads
/// these in the same statement as its own checks: each statement is a hop to sqlx's
/// SQLite worker, and this runs inside every sale's commit.
pub(crate) const HEAD_COLUMNS: &str = "(SELECT value FROM settings WHERE key = 'terminal_id'),
    (SELECT value FROM settings WHERE key = 'epoch'),
    (SELECT value FROM settings WHERE key = 'catalog_cursor'),
    (SELECT seq FROM journal ORDER BY seq DESC LIMIT 1),
    (SELECT hlc_ms FROM journal ORDER BY seq DESC LIMIT 1),
    (SELECT hash FROM journal ORDER BY seq DESC LIMIT 1)";

/// Where the chain stands: read with [`HEAD_COLUMNS`], turned into the next record.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    terminal_id: String,
    epoch: i64,
    catalog_cursor: i64,
    last: Option<(i64, i64, String)>,
}

impl Head {
    /// Reads [`HEAD_COLUMNS`] starting at column `at` of `row`.
    pub(crate) fn from_row(row: &SqliteRow, at: usize) -> CoreResult<Self> {
        let terminal_id = row
            .get::<Option<String>, _>(at)
            .ok_or(CoreError::NotInitialised)?;
        let last = row
            .get::<Option<i64>, _>(at + 3)
            .map(|seq| (seq, row.get(at + 4), row.get(at + 5)));
        Ok(Self {
            terminal_id,
            epoch: setting_number("epoch", row.get(at + 1), 1)?,
            catalog_cursor: setting_number("catalog_cursor", row.get(at + 2), 0)?,
            last,
        })
    }

    /// The head once `record` (made by [`Head::next`] from this head) is stored.
    pub(crate) fn after(mut self, record: &JournalRecord) -> Self {
        self.last = Some((record.seq, record.hlc_ms, record.hash.clone()));
        self
    }

    /// The record stating `payload` that follows this head.
    pub(crate) fn next<P: Serialize>(
        self,
        now_ms: i64,
        kind: FactKind,
        payload: &P,
    ) -> CoreResult<JournalRecord> {
        let (prev_seq, prev_hlc, prev_hash) =
            self.last.unwrap_or((0, i64::MIN, GENESIS_HASH.to_owned()));
        let payload = serde_json::to_string(payload)
            .map_err(|e| CoreError::invalid(format!("journal payload does not serialise: {e}")))?;
        let mut record = JournalRecord {
            seq: prev_seq + 1,
            id: crate::store::new_id(),
            terminal_id: self.terminal_id,
            epoch: self.epoch,
            hlc_ms: now_ms.max(prev_hlc.saturating_add(1)),
            catalog_cursor: self.catalog_cursor,
            kind: kind.as_str().to_owned(),
            payload,
            prev_hash,
            hash: String::new(),
        };
        record.hash = record.expected_hash();
        Ok(record)
    }
}

/// Appends the INSERT of `record` (and a `;`) to a statement batch.
pub(crate) fn push_insert(q: &mut QueryBuilder<Sqlite>, record: &JournalRecord) {
    q.push(
        "INSERT INTO journal (seq, id, terminal_id, epoch, hlc_ms, catalog_cursor, kind, payload,
                              prev_hash, hash) VALUES (",
    );
    let mut v = q.separated(", ");
    v.push_bind(record.seq)
        .push_bind(record.id.clone())
        .push_bind(record.terminal_id.clone())
        .push_bind(record.epoch)
        .push_bind(record.hlc_ms)
        .push_bind(record.catalog_cursor)
        .push_bind(record.kind.clone())
        .push_bind(record.payload.clone())
        .push_bind(record.prev_hash.clone())
        .push_bind(record.hash.clone());
    q.push(");\n");
}

/// Appends one fact inside `tx` and returns its record.
pub async fn append<P: Serialize>(
    tx: &mut Tx,
    now_ms: i64,
    kind: FactKind,
    payload: &P,
) -> CoreResult<JournalRecord> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {HEAD_COLUMNS}"));
    let row = sqlx::query(sql).fetch_one(&mut **tx).await?;
    let record = Head::from_row(&row, 0)?.next(now_ms, kind, payload)?;
    let mut q = QueryBuilder::new("");
    push_insert(&mut q, &record);
    q.build().execute(&mut **tx).await?;
    tracing::debug!(seq = record.seq, kind = %record.kind, "journal record appended");
    Ok(record)
}

fn setting_number(key: &str, value: Option<String>, default: i64) -> CoreResult<i64> {
    value.map_or(Ok(default), |v| {
        v.parse()
            .map_err(|_| CoreError::invalid(format!("setting `{key}` is not a number: {v}")))
    })
}

/// Result of a successful chain walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub records: i64,
    pub head_hash: String,
}

/// Records a walk of the journal (verify, export) holds in memory at once: a till with
/// years of sales has millions of records.
const RECORDS_PER_READ: i64 = 2_000;

/// Walks the whole chain (the first bad record fails with its seq and the reason), then
/// checks that the sales, refunds and drawer movements stored still say what it states.
/// The chain is read a page at a time, so memory stays flat however long it is.
pub async fn verify(db: &LocalDb) -> CoreResult<VerifyReport> {
    let report = walk_chain(db, RECORDS_PER_READ).await?;
    crate::journal_audit::check_rows(db).await?;
    Ok(report)
}

/// Only the hash chain of [`verify`] (what `pos status` reports): a walk of the
/// records without the audit of the rows against them, which takes longer.
pub async fn verify_chain(db: &LocalDb) -> CoreResult<VerifyReport> {
    walk_chain(db, RECORDS_PER_READ).await
}

/// The chain check of [`verify`], reading `page` records at a time.
async fn walk_chain(db: &LocalDb, page: i64) -> CoreResult<VerifyReport> {
    let mut walk = ChainWalk::default();
    loop {
        let records = read_page(db, walk.next_seq(), page).await?;
        for r in &records {
            walk.check(r)?;
        }
        if (records.len() as i64) < page {
            return Ok(walk.report());
        }
    }
}

/// The pure chain check behind [`verify`].
pub fn verify_records(records: &[JournalRecord]) -> CoreResult<VerifyReport> {
    let mut walk = ChainWalk::default();
    for r in records {
        walk.check(r)?;
    }
    Ok(walk.report())
}

/// Where a walk along the chain stands: what the next record must follow.
#[derive(Debug)]
struct ChainWalk {
    checked: i64,
    prev_hash: String,
    prev_hlc: i64,
}

impl Default for ChainWalk {
    fn default() -> Self {
        Self {
            checked: 0,
            prev_hash: GENESIS_HASH.to_owned(),
            prev_hlc: i64::MIN,
        }
    }
}

impl ChainWalk {
    fn next_seq(&self) -> i64 {
        self.checked + 1
    }

    fn check(&mut self, r: &JournalRecord) -> CoreResult<()> {
        let bad = |reason: String| CoreError::JournalBroken { seq: r.seq, reason };
        let want_seq = self.next_seq();
        if r.seq != want_seq {
            return Err(bad(format!(
                "expected seq {want_seq} (the sequence has a gap)"
            )));
        }
        if r.prev_hash != self.prev_hash {
            return Err(bad(
                "prev_hash does not match the previous record's hash".into()
            ));
        }
        if r.hash != r.expected_hash() {
            return Err(bad("hash does not match the record's contents".into()));
        }
        if r.hlc_ms <= self.prev_hlc {
            return Err(bad("HLC time is not after the previous record's".into()));
        }
        if serde_json::from_str::<serde_json::Value>(&r.payload).is_err() {
            return Err(bad("payload is not valid JSON".into()));
        }
        self.prev_hash.clone_from(&r.hash);
        self.prev_hlc = r.hlc_ms;
        self.checked += 1;
        Ok(())
    }

    fn report(self) -> VerifyReport {
        VerifyReport {
            records: self.checked,
            head_hash: self.prev_hash,
        }
    }
}

/// How [`export`] writes records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line (`pos journal export`).
    JsonLines,
    /// One JSON array (`pos --json journal export`).
    JsonArray,
}

/// Writes the records from `from_seq` on to `out` a page at a time, so an export of
/// years of records needs no more memory than one page. Returns how many it wrote.
pub async fn export(
    db: &LocalDb,
    from_seq: i64,
    format: ExportFormat,
    out: &mut (impl std::io::Write + ?Sized),
) -> CoreResult<i64> {
    export_paged(db, from_seq, format, out, RECORDS_PER_READ).await
}

async fn export_paged(
    db: &LocalDb,
    from_seq: i64,
    format: ExportFormat,
    out: &mut (impl std::io::Write + ?Sized),
    page: i64,
) -> CoreResult<i64> {
    let array = format == ExportFormat::JsonArray;
    let (mut next, mut written) = (from_seq, 0_i64);
    if array {
        out.write_all(b"[")?;
    }
    loop {
        let records = read_page(db, next, page).await?;
        for r in &records {
            if written > 0 {
                out.write_all(if array { b"," } else { b"\n" })?;
            }
            serde_json::to_writer(&mut *out, r)
                .map_err(|e| CoreError::invalid(format!("journal record {}: {e}", r.seq)))?;
            written += 1;
            next = r.seq + 1;
        }
        if (records.len() as i64) < page {
            break;
        }
    }
    out.write_all(if array {
        b"]\n"
    } else if written > 0 {
        b"\n"
    } else {
        b""
    })?;
    Ok(written)
}

/// At most `limit` records from `from_seq` on, in order (a negative `limit`: all).
async fn read_page(db: &LocalDb, from_seq: i64, limit: i64) -> CoreResult<Vec<JournalRecord>> {
    let rows = sqlx::query(
        "SELECT seq, id, terminal_id, epoch, hlc_ms, catalog_cursor, kind, payload, prev_hash,
                hash
         FROM journal WHERE seq >= ? ORDER BY seq LIMIT ?",
    )
    .bind(from_seq)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(record_from_row).collect())
}

/// Records with `seq >= from_seq`, in order, all at once (sync pages and tests; a walk
/// of the whole journal reads it `RECORDS_PER_READ` at a time instead).
pub async fn read_from(db: &LocalDb, from_seq: i64) -> CoreResult<Vec<JournalRecord>> {
    // SQLite reads a negative LIMIT as none.
    read_page(db, from_seq, -1).await
}

/// Columns, in order: seq, id, terminal_id, epoch, hlc_ms, catalog_cursor, kind,
/// payload, prev_hash, hash.
pub(crate) fn record_from_row(r: &sqlx::sqlite::SqliteRow) -> JournalRecord {
    JournalRecord {
        seq: r.get(0),
        id: r.get(1),
        terminal_id: r.get(2),
        epoch: r.get(3),
        hlc_ms: r.get(4),
        catalog_cursor: r.get(5),
        kind: r.get(6),
        payload: r.get(7),
        prev_hash: r.get(8),
        hash: r.get(9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::set_setting;

    async fn db() -> (tempfile::TempDir, LocalDb) {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("j.db")).await.unwrap();
        set_setting(db.pool(), "terminal_id", "t-1").await.unwrap();
        (dir, db)
    }

    async fn append_n(db: &LocalDb, n: i64, wall: i64) {
        for i in 0..n {
            let mut tx = db.begin().await.unwrap();
            append(
                &mut tx,
                wall,
                // A kind whose rows `verify` does not cross-check: these facts have none.
                FactKind::StockAdjusted,
                &serde_json::json!({ "i": i }),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
    }

    #[tokio::test]
    async fn chain_is_dense_and_verifies() {
        let (_d, db) = db().await;
        append_n(&db, 5, 1_000).await;
        let report = verify(&db).await.unwrap();
        assert_eq!(report.records, 5);
        let recs = read_from(&db, 1).await.unwrap();
        let seqs: Vec<i64> = recs.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3, 4, 5], "seq must be dense from 1");
        let hlcs: Vec<i64> = recs.iter().map(|r| r.hlc_ms).collect();
        assert_eq!(
            hlcs,
            vec![1_000, 1_001, 1_002, 1_003, 1_004],
            "a stuck wall clock still yields increasing HLC times"
        );
    }

    #[tokio::test]
    async fn rolled_back_transaction_leaves_no_record() {
        let (_d, db) = db().await;
        let mut tx = db.begin().await.unwrap();
        append(&mut tx, 1, FactKind::ShiftOpened, &1).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(verify(&db).await.unwrap().records, 0);
    }

    #[tokio::test]
    async fn records_cannot_be_updated_or_deleted_through_sql() {
        let (_d, db) = db().await;
        append_n(&db, 1, 5).await;
        let upd = sqlx::query("UPDATE journal SET payload = '{}'")
            .execute(db.pool())
            .await;
        assert!(upd.is_err(), "the immutability trigger must refuse updates");
        let del = sqlx::query("DELETE FROM journal").execute(db.pool()).await;
        assert!(del.is_err(), "the journal is never deleted from");
    }

    #[tokio::test]
    async fn tampering_names_the_first_bad_record() {
        let (_d, db) = db().await;
        append_n(&db, 4, 10).await;
        let mut recs = read_from(&db, 1).await.unwrap();
        recs[2].payload = r#"{"i":99}"#.into();
        let err = verify_records(&recs).unwrap_err();
        assert!(
            matches!(err, CoreError::JournalBroken { seq: 3, .. }),
            "the altered record (seq 3) must be named, got {err}"
        );
        let mut recs = read_from(&db, 1).await.unwrap();
        recs.remove(1);
        let err = verify_records(&recs).unwrap_err();
        assert!(
            matches!(err, CoreError::JournalBroken { seq: 3, .. }),
            "a gap is named: {err}"
        );
    }

    #[tokio::test]
    async fn the_chain_is_walked_a_page_at_a_time_across_page_boundaries() {
        let (_d, db) = db().await;
        append_n(&db, 10, 10).await;
        let head = read_from(&db, 1).await.unwrap().pop().unwrap();
        for page in [3, 5, 10, 11] {
            let report = walk_chain(&db, page).await.unwrap();
            assert_eq!(
                (report.records, report.head_hash.as_str()),
                (10, head.hash.as_str())
            );
        }
        sqlx::raw_sql(
            "DROP TRIGGER journal_no_update; DROP TRIGGER no_delete_journal;
             UPDATE journal SET payload = '{\"i\":99}' WHERE seq = 8;",
        )
        .execute(db.pool())
        .await
        .unwrap();
        let err = walk_chain(&db, 3).await.unwrap_err();
        assert!(
            matches!(err, CoreError::JournalBroken { seq: 8, .. }),
            "a record in the third page is named: {err}"
        );
        sqlx::query("DELETE FROM journal WHERE seq = 7")
            .execute(db.pool())
            .await
            .unwrap();
        let err = walk_chain(&db, 3).await.unwrap_err();
        assert!(
            matches!(err, CoreError::JournalBroken { seq: 8, ref reason } if reason.contains("gap")),
            "a gap where a page starts is named: {err}"
        );
    }

    #[tokio::test]
    async fn an_export_across_pages_holds_every_record_once_in_order() {
        let (_d, db) = db().await;
        append_n(&db, 10, 10).await;
        let all = read_from(&db, 1).await.unwrap();
        let export = |from, format| {
            let db = &db;
            async move {
                let mut out = Vec::new();
                let n = export_paged(db, from, format, &mut out, 3).await.unwrap();
                (n, String::from_utf8(out).unwrap())
            }
        };
        let (n, lines) = export(1, ExportFormat::JsonLines).await;
        let parsed: Vec<JournalRecord> = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!((n, parsed), (10, all.clone()));
        let (n, array) = export(5, ExportFormat::JsonArray).await;
        let parsed: Vec<JournalRecord> = serde_json::from_str(&array).unwrap();
        assert_eq!((n, parsed), (6, all[4..].to_vec()));
        assert_eq!(
            export(11, ExportFormat::JsonLines).await,
            (0, String::new())
        );
        assert_eq!(
            export(11, ExportFormat::JsonArray).await,
            (0, "[]\n".to_owned())
        );
    }

    proptest::proptest! {
        #[test]
        fn any_single_field_change_breaks_the_hash(
            payload in "[a-z0-9]{0,20}", cursor in 0i64..1000, flip in 0usize..4
        ) {
            let mut r = JournalRecord {
                seq: 1, id: "e".into(), terminal_id: "t".into(), epoch: 1, hlc_ms: 7,
                catalog_cursor: cursor, kind: "k".into(), payload: format!("\"{payload}\""),
                prev_hash: GENESIS_HASH.into(), hash: String::new(),
            };
            let h = r.expected_hash();
            match flip {
                0 => r.catalog_cursor += 1,
                1 => r.payload.push(' '),
                2 => r.epoch += 1,
                _ => r.kind.push('x'),
            }
            proptest::prop_assert_ne!(h, r.expected_hash());
        }
    }
}
