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
use sqlx::Row;

use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, Tx};

pub use pos_shared::journal::{FactKind, GENESIS_HASH, JournalRecord};

/// Appends one fact inside `tx` and returns its record.
pub async fn append<P: Serialize>(
    tx: &mut Tx,
    now_ms: i64,
    kind: FactKind,
    payload: &P,
) -> CoreResult<JournalRecord> {
    // One statement for everything the record needs: each statement is a hop to sqlx's
    // SQLite worker, and this runs inside every sale's commit.
    let head = sqlx::query(
        "SELECT (SELECT value FROM settings WHERE key = 'terminal_id'),
                (SELECT value FROM settings WHERE key = 'epoch'),
                (SELECT value FROM settings WHERE key = 'catalog_cursor'),
                last.seq, last.hlc_ms, last.hash
         FROM (SELECT 1) LEFT JOIN
              (SELECT seq, hlc_ms, hash FROM journal ORDER BY seq DESC LIMIT 1) last",
    )
    .fetch_one(&mut **tx)
    .await?;
    let terminal_id: String = head
        .get::<Option<String>, _>(0)
        .ok_or(CoreError::NotInitialised)?;
    let epoch = setting_number("epoch", head.get(1), 1)?;
    let catalog_cursor = setting_number("catalog_cursor", head.get(2), 0)?;
    let (prev_seq, prev_hlc, prev_hash) = match head.get::<Option<i64>, _>(3) {
        Some(seq) => (seq, head.get::<i64, _>(4), head.get::<String, _>(5)),
        None => (0, i64::MIN, GENESIS_HASH.to_owned()),
    };
    let payload = serde_json::to_string(payload)
        .map_err(|e| CoreError::invalid(format!("journal payload does not serialise: {e}")))?;
    let mut record = JournalRecord {
        seq: prev_seq + 1,
        id: crate::store::new_id(),
        terminal_id,
        epoch,
        hlc_ms: now_ms.max(prev_hlc.saturating_add(1)),
        catalog_cursor,
        kind: kind.as_str().to_owned(),
        payload,
        prev_hash,
        hash: String::new(),
    };
    record.hash = record.expected_hash();
    sqlx::query(
        "INSERT INTO journal (seq, id, terminal_id, epoch, hlc_ms, catalog_cursor, kind, payload,
                              prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(record.seq)
    .bind(&record.id)
    .bind(&record.terminal_id)
    .bind(record.epoch)
    .bind(record.hlc_ms)
    .bind(record.catalog_cursor)
    .bind(&record.kind)
    .bind(&record.payload)
    .bind(&record.prev_hash)
    .bind(&record.hash)
    .execute(&mut **tx)
    .await?;
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

/// Walks the whole chain; the first bad record fails with its seq and the reason.
pub async fn verify(db: &LocalDb) -> CoreResult<VerifyReport> {
    let records = read_from(db, 1).await?;
    verify_records(&records)
}

/// The pure chain check behind [`verify`].
pub fn verify_records(records: &[JournalRecord]) -> CoreResult<VerifyReport> {
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut prev_hlc = i64::MIN;
    for (i, r) in records.iter().enumerate() {
        let bad = |reason: String| CoreError::JournalBroken { seq: r.seq, reason };
        let want_seq = i as i64 + 1;
        if r.seq != want_seq {
            return Err(bad(format!(
                "expected seq {want_seq} (the sequence has a gap)"
            )));
        }
        if r.prev_hash != prev_hash {
            return Err(bad(
                "prev_hash does not match the previous record's hash".into()
            ));
        }
        if r.hash != r.expected_hash() {
            return Err(bad("hash does not match the record's contents".into()));
        }
        if r.hlc_ms <= prev_hlc {
            return Err(bad("HLC time is not after the previous record's".into()));
        }
        if serde_json::from_str::<serde_json::Value>(&r.payload).is_err() {
            return Err(bad("payload is not valid JSON".into()));
        }
        prev_hash.clone_from(&r.hash);
        prev_hlc = r.hlc_ms;
    }
    Ok(VerifyReport {
        records: records.len() as i64,
        head_hash: prev_hash,
    })
}

/// Records with `seq >= from_seq`, in order (for export and sync).
pub async fn read_from(db: &LocalDb, from_seq: i64) -> CoreResult<Vec<JournalRecord>> {
    let rows = sqlx::query(
        "SELECT seq, id, terminal_id, epoch, hlc_ms, catalog_cursor, kind, payload, prev_hash,
                hash
         FROM journal WHERE seq >= ? ORDER BY seq",
    )
    .bind(from_seq)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(record_from_row).collect())
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
                FactKind::CashMovement,
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
