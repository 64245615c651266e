//! Upstream ingest: one pushed batch of a terminal's journal stored in ONE MongoDB
//! transaction, idempotently, then acked; the projector builds orders and stock from it
//! afterwards.
//!
//! The terminal's position (`acked_through`, last hash) is read inside the transaction:
//! records at or below it are duplicates and change nothing; a batch starting after a hole
//! is answered with the expected sequence; the new records are stored as one batch
//! document and the position moved, all or nothing. The ack leaves only after the commit,
//! so an acked record is durable. A push costs two writes whatever its size, which is what
//! lets a shop's backlog upload at network speed: building ten documents per sale happens
//! in [`super::project`], off the terminal's path.

use mongodb::{
    ClientSession,
    action::FindOne,
    bson::{DateTime, Document, doc},
};
use pos_shared::{
    journal::{GENESIS_HASH, JournalRecord},
    sync::{MAX_PUSH_RECORDS, PushRequest, PushResponse},
};

use crate::{error::ApiError, gateway::tenancy::TenantScope, services::sales, state::AppState};

use super::{batches::Batch, project};

/// The terminal a batch comes from, as its token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub company_id: String,
    pub shop_id: String,
    pub terminal_id: String,
}

impl Source {
    /// What the terminal's facts may touch: its own company, and its shop.
    pub fn scope(&self) -> TenantScope {
        TenantScope {
            company: Some(self.company_id.clone()),
            shops: Some(vec![self.shop_id.clone()]),
        }
    }

    /// The terminal's company: what its facts may read (a refund of another shop's sale).
    pub fn company(&self) -> TenantScope {
        TenantScope::company(&self.company_id)
    }
}

/// Where `src`'s upload stands for one epoch: the highest sequence stored and that
/// record's hash (0 and the genesis hash before its first push).
pub async fn position(
    state: &AppState,
    s: Option<&mut ClientSession>,
    src: &Source,
    epoch: i64,
) -> mongodb::error::Result<(i64, String)> {
    let uploads = sales::terminals(state, &src.company());
    let find = uploads.find_one(doc! { "_id": position_id(&src.terminal_id, epoch) });
    chain_position(find, s, ("acked_through", "last_hash")).await
}

/// The `_id` of a terminal's upload and projection positions for one epoch.
pub(super) fn position_id(terminal_id: &str, epoch: i64) -> String {
    format!("{terminal_id}:{epoch}")
}

/// A `(sequence, hash)` position kept per terminal and epoch (`_id` =
/// [`position_id`]) under the `fields` names, as `find` reads it; 0 and the genesis
/// hash when there is none yet. Uploads and projections each keep one.
pub(super) async fn chain_position(
    find: FindOne<'_, Document>,
    s: Option<&mut ClientSession>,
    (seq_field, hash_field): (&str, &str),
) -> mongodb::error::Result<(i64, String)> {
    let d = match s {
        Some(s) => find.session(s).await?,
        None => find.await?,
    };
    Ok(d.map_or((0, GENESIS_HASH.to_string()), |d| {
        (
            d.get_i64(seq_field).unwrap_or(0),
            d.get_str(hash_field).unwrap_or(GENESIS_HASH).to_string(),
        )
    }))
}

/// Checks and stores a pushed batch (REST or socket) in one transaction, then wakes the
/// projector.
pub async fn submit(
    state: &AppState,
    src: Source,
    req: PushRequest,
) -> crate::error::ApiResult<PushResponse> {
    check_batch(&src, &req)?;
    let _pushing = state.projector.pushing();
    let _turn = state.pushes.turn(&src.terminal_id).await;
    let started = std::time::Instant::now();
    let ctx = (state.clone(), src, req);
    let resp = state
        .write(ctx, |s, (state, src, req)| {
            Box::pin(async move { store(state, s, src, req).await })
        })
        .await?;
    state.projector.wake();
    metrics::histogram!("kassa_sync_push_seconds").record(started.elapsed().as_secs_f64());
    Ok(resp)
}

fn check_batch(src: &Source, req: &PushRequest) -> crate::error::ApiResult<()> {
    if req.terminal_id != src.terminal_id {
        return Err(ApiError::forbidden(
            "a terminal may push only its own journal (terminal_id differs from the token)",
        ));
    }
    if req.epoch < 1 {
        return Err(ApiError::invalid("epoch", "must be 1 or more"));
    }
    if req.records.is_empty() || req.records.len() > MAX_PUSH_RECORDS {
        return Err(ApiError::invalid(
            "records",
            format!("send 1 to {MAX_PUSH_RECORDS} records per push"),
        ));
    }
    if req.records[0].seq < 1 {
        return Err(ApiError::invalid("records", "sequences start at 1"));
    }
    // Checked: a record claiming seq i64::MAX has no successor (and must not overflow).
    if req
        .records
        .windows(2)
        .any(|w| w[0].seq.checked_add(1) != Some(w[1].seq))
    {
        return Err(ApiError::invalid(
            "records",
            "records must be contiguous and oldest first (seq n, n+1, ...)",
        ));
    }
    Ok(())
}

/// Stores one batch; called inside a transaction that may be retried, so it only reads
/// its inputs.
pub async fn store(
    state: &AppState,
    s: &mut ClientSession,
    src: &Source,
    req: &PushRequest,
) -> mongodb::error::Result<PushResponse> {
    let (acked, last_hash) = position(state, Some(&mut *s), src, req.epoch).await?;
    let first = req.records.first().map_or(acked + 1, |r| r.seq);
    if first > acked + 1 {
        return Ok(PushResponse::Gap {
            expected_seq: acked + 1,
            acked_through: acked,
        });
    }
    let fresh: Vec<JournalRecord> = req
        .records
        .iter()
        .filter(|r| r.seq > acked)
        .cloned()
        .collect();
    let duplicates = u32::try_from(req.records.len() - fresh.len()).unwrap_or(u32::MAX);
    let (Some(head), Some(last)) = (fresh.first(), fresh.last()) else {
        return Ok(PushResponse::Ack {
            acked_through: acked,
            applied: 0,
            duplicates,
            quarantined: 0,
        });
    };
    // The same reading the projector will make, so the ack's counts are what it builds.
    let mut prev = last_hash.as_str();
    let mut quarantined = 0u32;
    for rec in &fresh {
        if project::is_quarantined(rec, prev, src, req.epoch) {
            quarantined += 1;
        }
        prev = &rec.hash;
    }
    let (from, to, last_hash) = (head.seq, last.seq, last.hash.clone());
    let applied = u32::try_from(fresh.len()).unwrap_or(u32::MAX) - quarantined;
    let at = DateTime::now();
    let batch = Batch {
        src: src.clone(),
        epoch: req.epoch,
        from,
        to,
        records: fresh,
    };
    sales::journal_in(state, &src.scope())
        .insert_one(&batch.to_doc(at)?)?
        .session(&mut *s)
        .await?;
    sales::terminals(state, &src.company())
        .update_one(
            doc! { "_id": position_id(&src.terminal_id, req.epoch) },
            doc! {
                "$set": {
                    "terminal_id": &src.terminal_id, "epoch": req.epoch,
                    "company_id": &src.company_id, "shop_id": &src.shop_id,
                    "acked_through": to, "last_hash": &last_hash, "last_push_at": at,
                    "v": sales::POSITION_VERSION,
                },
            },
        )
        .upsert(true)
        .session(&mut *s)
        .await?;
    Ok(PushResponse::Ack {
        acked_through: to,
        applied,
        duplicates,
        quarantined,
    })
}

#[cfg(test)]
mod tests {
    use pos_shared::journal::JournalRecord;

    use super::*;

    fn record(seq: i64) -> JournalRecord {
        JournalRecord {
            seq,
            id: format!("r{seq}"),
            terminal_id: "t".into(),
            epoch: 1,
            hlc_ms: 0,
            catalog_cursor: 0,
            kind: "sale_completed".into(),
            payload: "{}".into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn a_batch_running_past_the_last_sequence_is_refused_not_a_panic() {
        let src = Source {
            company_id: "c".into(),
            shop_id: "s".into(),
            terminal_id: "t".into(),
        };
        let batch = |seqs: &[i64]| PushRequest {
            terminal_id: "t".into(),
            epoch: 1,
            records: seqs.iter().map(|&s| record(s)).collect(),
        };
        assert!(check_batch(&src, &batch(&[1, 2, 3])).is_ok());
        let err = check_batch(&src, &batch(&[i64::MAX, 1])).unwrap_err();
        assert_eq!(err.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    }
}
