//! Upstream: sends the journal records the server has not acknowledged, oldest first, in
//! batches, and marks them `acked` only after the server's ack. Nothing is deleted; `acked`
//! is the one mutable column of the journal. A `gap` answer means the server is missing
//! records before the batch: resend from where it says, even records already marked here.

use pos_shared::sync::{PushRequest, PushResponse, SyncState};
use serde::Serialize;

use super::remote::Remote;
use crate::error::{CoreError, CoreResult};
use crate::journal::JournalRecord;
use crate::store::{LocalDb, get_i64_setting, get_setting};

/// Most records per push (the server takes up to `MAX_PUSH_RECORDS`, 1000).
pub const BATCH_RECORDS: usize = 500;
/// Most JSON bytes per push: the server's default body limit is 1 MiB and a batch of big
/// sales can pass it long before 500 records.
pub const BATCH_BYTES: usize = 768 * 1024;
/// Answers in a row that do not move the server forward before giving up.
const MAX_STALLS: u32 = 3;

/// What one push run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PushReport {
    /// Records newly marked acked on this terminal.
    pub pushed: i64,
    /// Batches sent.
    pub batches: u32,
    /// Records the server applied, already had (retries, replays) and set aside.
    pub applied: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    /// `gap` answers (records resent from where the server asked).
    pub gaps: u32,
    /// The server's `acked_through` after the last answer (0 when nothing was sent).
    pub acked_through: i64,
}

/// Records not yet acknowledged by the server.
pub async fn unacked_count(db: &LocalDb) -> CoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM journal WHERE acked = 0")
            .fetch_one(db.pool())
            .await?,
    )
}

/// Marks every record up to `acked_through` acknowledged; returns how many changed.
pub async fn mark_acked(db: &LocalDb, acked_through: i64) -> CoreResult<i64> {
    let mut tx = db.begin().await?;
    let done = sqlx::query("UPDATE journal SET acked = 1 WHERE seq <= ? AND acked = 0")
        .bind(acked_through)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(i64::try_from(done).unwrap_or(i64::MAX))
}

/// Sends `records` as one batch, as they are, and returns the server's answer without
/// marking anything (replay tests resend old batches with it).
pub async fn send_batch(db: &LocalDb, records: Vec<JournalRecord>) -> CoreResult<PushResponse> {
    let mut remote = Remote::for_terminal(db).await?;
    let request = request(db, records).await?;
    remote.push(&request).await
}

/// The server's view of this terminal's journal (`acked_through` for its epoch).
pub async fn server_state(db: &LocalDb) -> CoreResult<SyncState> {
    let mut remote = Remote::for_terminal(db).await?;
    let epoch = get_i64_setting(db.pool(), "epoch", 1).await?;
    remote.state(epoch).await
}

/// Pushes everything not yet acknowledged with this terminal's stored credential.
pub async fn push(db: &LocalDb) -> CoreResult<PushReport> {
    let mut remote = Remote::for_terminal(db).await?;
    push_with(db, &mut remote).await
}

/// Pushes everything not yet acknowledged over `remote`, up to the newest record when it
/// started (sales made meanwhile go with the next run).
pub async fn push_with(db: &LocalDb, remote: &mut Remote) -> CoreResult<PushReport> {
    let mut report = PushReport::default();
    let first_unacked: Option<i64> =
        sqlx::query_scalar("SELECT min(seq) FROM journal WHERE acked = 0")
            .fetch_one(db.pool())
            .await?;
    let Some(mut from) = first_unacked else {
        return Ok(report);
    };
    let last = last_seq(db).await?;
    let mut max_records = BATCH_RECORDS;
    let mut server_at: Option<i64> = None;
    let mut stalls = 0;
    while from <= last {
        let batch = read_batch(db, from, last, max_records).await?;
        let sent = batch.len();
        let request = request(db, batch).await?;
        let answer = match remote.push(&request).await {
            // Over the server's body limit: halve the batch and try again.
            Err(CoreError::Server { status: 413, .. }) if sent > 1 => {
                max_records = sent / 2;
                tracing::warn!(max_records, "push batch too large for the server; halving");
                continue;
            }
            other => other?,
        };
        report.batches += 1;
        let (acked_through, next) = match answer {
            PushResponse::Ack {
                acked_through,
                applied,
                duplicates,
                quarantined,
            } => {
                report.applied += u64::from(applied);
                report.duplicates += u64::from(duplicates);
                report.quarantined += u64::from(quarantined);
                (acked_through, acked_through + 1)
            }
            PushResponse::Gap {
                expected_seq,
                acked_through,
            } => {
                report.gaps += 1;
                tracing::warn!(from, expected_seq, acked_through, "push gap; resending");
                (acked_through, expected_seq.max(1))
            }
        };
        let local_last = last_seq(db).await?;
        if acked_through > local_last || next > local_last + 1 {
            return Err(CoreError::Diverged {
                local: local_last,
                server: acked_through.max(next - 1),
            });
        }
        report.pushed += mark_acked(db, acked_through).await?;
        report.acked_through = acked_through;
        // Progress is the server moving forward; an answer that does not is tolerated a
        // few times (a resend after a gap), never forever.
        if server_at.is_some_and(|at| acked_through <= at) {
            stalls += 1;
            if stalls >= MAX_STALLS {
                return Err(CoreError::Protocol(format!(
                    "the server stays at seq {acked_through} and keeps asking for seq {next}; contact support"
                )));
            }
        } else {
            stalls = 0;
        }
        server_at = Some(acked_through);
        from = next;
    }
    Ok(report)
}

pub(crate) async fn last_seq(db: &LocalDb) -> CoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM journal")
            .fetch_one(db.pool())
            .await?,
    )
}

pub(crate) async fn request(db: &LocalDb, records: Vec<JournalRecord>) -> CoreResult<PushRequest> {
    let terminal_id = get_setting(db.pool(), "terminal_id")
        .await?
        .ok_or(CoreError::NotInitialised)?;
    Ok(PushRequest {
        terminal_id,
        epoch: get_i64_setting(db.pool(), "epoch", 1).await?,
        records,
    })
}

/// Records `from..=to`, oldest first, at most `max_records` and about [`BATCH_BYTES`] of
/// JSON (always at least one record, so a huge one still goes alone).
pub(crate) async fn read_batch(
    db: &LocalDb,
    from: i64,
    to: i64,
    max_records: usize,
) -> CoreResult<Vec<JournalRecord>> {
    let rows = sqlx::query(
        "SELECT seq, id, terminal_id, epoch, hlc_ms, catalog_cursor, kind, payload, prev_hash,
                hash
         FROM journal WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?",
    )
    .bind(from)
    .bind(to)
    .bind(i64::try_from(max_records.max(1)).unwrap_or(i64::MAX))
    .fetch_all(db.pool())
    .await?;
    let mut batch = Vec::with_capacity(rows.len());
    let mut bytes = 0;
    for r in rows {
        let record = crate::journal::record_from_row(&r);
        let size = serde_json::to_string(&record).map_or(0, |s| s.len()) + 1;
        if !batch.is_empty() && bytes + size > BATCH_BYTES {
            break;
        }
        bytes += size;
        batch.push(record);
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{self, FactKind};

    #[tokio::test]
    async fn batches_stop_at_the_record_or_byte_budget() {
        let (_d, db) = crate::sync::test_support::terminal().await;
        // ~100 KB payloads: the byte budget, not the record count, ends the batch.
        let big = "x".repeat(100 * 1024);
        let mut tx = db.begin().await.unwrap();
        for _ in 0..12 {
            journal::append(&mut tx, 1, FactKind::CashMovement, &big)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let batch = read_batch(&db, 1, 12, BATCH_RECORDS).await.unwrap();
        assert_eq!(batch.len(), 7, "7 x ~100 KiB fit in {BATCH_BYTES} bytes");
        assert_eq!(batch[0].seq, 1);
        let small = read_batch(&db, 3, 12, 2).await.unwrap();
        let seqs: Vec<i64> = small.iter().map(|r| r.seq).collect();
        assert_eq!(
            seqs,
            [3, 4],
            "contiguous from the asked seq, at most max_records"
        );
        assert_eq!(
            read_batch(&db, 12, 12, 0).await.unwrap().len(),
            1,
            "never empty"
        );
        assert_eq!(unacked_count(&db).await.unwrap(), 12);
        assert_eq!(mark_acked(&db, 5).await.unwrap(), 5);
        assert_eq!(
            mark_acked(&db, 5).await.unwrap(),
            0,
            "acking again changes nothing"
        );
        assert_eq!(unacked_count(&db).await.unwrap(), 7);
    }
}
