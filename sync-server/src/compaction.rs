//! Compaction of the change logs: a change is deleted once a newer change of the same
//! entity on the same stream exists (and has for a whole round: see [`compact`]). Every change carries the entity's full state (or
//! its deletion), so what is left is, per stream, exactly one change per entity: the
//! current state at the cursor where it last changed.
//!
//! That makes the log its own snapshot. A terminal far behind (or new) reads the same
//! pages as always and gets each entity once instead of its whole history; a terminal
//! close to the head reads the few recent changes as before. Readers already step over
//! holes (`streams::page` reads cursor ranges), and a change is only ever deleted in
//! favour of one with a higher cursor, which a reader at any position still has ahead of
//! it: no reader can miss an entity's newest state. This is the log compaction of Kafka
//! topics and PowerSync buckets, rather than a separate snapshot format terminals would
//! need a second code path for.

use std::time::Duration;

use futures::TryStreamExt;
use mongodb::{
    Database,
    bson::{Bson, Document, doc},
};
use tokio_util::sync::CancellationToken;

/// Deletes, on every stream of `db`, the changes that a newer change of the same entity
/// at or below the head seen by the previous round supersedes; returns how many. The
/// first round on a stream only records its head.
///
/// Why one round of grace: a page is read as "head, then the range up to it". If a
/// change below that head were deleted in favour of one committed after the head was
/// read, the page would lack both, and a till applying `included_through` with it would
/// count its own sales as in a balance it has not received yet, until the next page.
/// A newer change at or below the previous round's head was committed a whole interval
/// ago, long before any page being read now.
pub async fn compact(db: &Database) -> mongodb::error::Result<u64> {
    let heads: Vec<Document> = crate::store::internal::<Document>(db, &crate::store::STREAM_HEADS)
        .find(doc! {})
        .await?
        .try_collect()
        .await?;
    let marks = crate::store::internal::<Document>(db, &crate::store::COMPACTION_MARKS);
    let mut deleted = 0;
    for h in &heads {
        let (Ok(stream), Ok(head)) = (h.get_str("_id"), h.get_i64("head")) else {
            continue;
        };
        let mark = marks
            .find_one(doc! { "_id": stream })
            .await?
            .and_then(|d| d.get_i64("head").ok());
        if let Some(mark) = mark {
            deleted += compact_stream(db, stream, mark).await?;
        }
        marks
            .update_one(doc! { "_id": stream }, doc! { "$set": { "head": head } })
            .upsert(true)
            .await?;
    }
    Ok(deleted)
}

/// One stream: per entity, every change below its newest at or below `mark`, deleted by
/// `_id` in chunks.
async fn compact_stream(db: &Database, stream: &str, mark: i64) -> mongodb::error::Result<u64> {
    let changes = crate::store::internal::<Document>(db, &crate::store::STREAM_CHANGES);
    let groups: Vec<Document> = changes
        .aggregate(vec![
            doc! { "$match": { "stream": stream, "cursor": { "$lte": mark } } },
            doc! { "$group": {
                "_id": { "entity": "$entity", "id": "$id" },
                "newest": { "$max": "$cursor" },
                "n": { "$sum": 1 },
                "docs": { "$push": { "c": "$cursor", "i": "$_id" } },
            } },
            doc! { "$match": { "n": { "$gt": 1 } } },
        ])
        .await?
        .try_collect()
        .await?;
    let mut superseded: Vec<Bson> = Vec::new();
    for g in &groups {
        let (Ok(newest), Ok(docs)) = (g.get_i64("newest"), g.get_array("docs")) else {
            continue;
        };
        superseded.extend(docs.iter().filter_map(|d| {
            let d = d.as_document()?;
            (d.get_i64("c").ok()? < newest).then(|| d.get("i").cloned())?
        }));
    }
    let mut deleted = 0;
    for chunk in superseded.chunks(DELETE_CHUNK) {
        deleted += changes
            .delete_many(doc! { "_id": { "$in": chunk } })
            .await?
            .deleted_count;
    }
    Ok(deleted)
}

/// Changes deleted per request.
const DELETE_CHUNK: usize = 1000;

/// Compacts `dbs` every `every` until cancelled (the first round after one interval, so
/// a starting server serves first). A failed round is logged and retried next time.
pub async fn run(dbs: Vec<Database>, every: Duration, cancel: CancellationToken) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = cancel.cancelled() => return,
        }
        for db in &dbs {
            match compact(db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(db = db.name(), deleted = n, "change log compacted"),
                Err(e) => {
                    tracing::warn!(db = db.name(), error = %e, "change log compaction failed")
                }
            }
        }
    }
}
