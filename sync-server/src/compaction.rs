//! Compaction of the change logs: a change is deleted once a newer change of the same
//! entity on the same stream exists. Every change carries the entity's full state (or
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
    bson::{Document, doc},
};
use tokio_util::sync::CancellationToken;

use crate::streams::CHANGES;

/// Deletes every change of `db`'s streams that a newer change of the same entity
/// supersedes; returns how many were deleted.
pub async fn compact(db: &Database) -> mongodb::error::Result<u64> {
    let changes = db.collection::<Document>(CHANGES);
    let superseded: Vec<Document> = changes
        .aggregate(vec![
            doc! { "$group": {
                "_id": { "stream": "$stream", "entity": "$entity", "id": "$id" },
                "newest": { "$max": "$cursor" },
                "n": { "$sum": 1 },
            } },
            doc! { "$match": { "n": { "$gt": 1 } } },
        ])
        .await?
        .try_collect()
        .await?;
    let mut deleted = 0;
    for group in &superseded {
        let (Ok(key), Ok(newest)) = (group.get_document("_id"), group.get_i64("newest")) else {
            continue;
        };
        let mut filter = key.clone();
        filter.insert("cursor", doc! { "$lt": newest });
        deleted += changes.delete_many(filter).await?.deleted_count;
    }
    Ok(deleted)
}

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
