//! Downstream change streams: every change to synced state gets a dense cursor in commit
//! order, so a terminal reading `after=N` never skips a late commit.
//!
//! Each stream has a head document (`stream_heads`) incremented in the same transaction as
//! the change it numbers. Two writers of one stream therefore conflict on the head and one
//! retries: cursors are handed out in commit order with no holes.
//!
//! A large write (a catalog import chunk, the balances of a push batch) also stores its
//! changes as one **pack**: a single document holding the whole range `(from, to]` as
//! gzipped JSON, written in the same transaction. A terminal whose cursor sits at a
//! pack's start gets the whole pack as its page, one document read instead of a
//! thousand: a fresh terminal's first sync of a big catalog is bound by how fast it can
//! store rows, not by the store's per-document cost. The log stays the source of truth;
//! a pack is an exact, immutable copy of a range of it, so it can never disagree.

use futures::TryStreamExt;
use mongodb::{
    ClientSession, Database, IndexModel,
    bson::{self, Document, doc},
    options::{FindOneAndUpdateOptions, IndexOptions, ReturnDocument},
};
use pos_shared::sync::{Change, ChangeOp};

/// Most cursor ranges of `limit` one page reads while it finds too few changes in them (a
/// compacted log has holes: see `compaction`).
const SPARSE_RANGES: i64 = 32;

/// Writes of at least this many changes are also stored as a pack.
const PACK_FROM: usize = 200;

/// The stream key of a company's catalog.
pub fn catalog_key(company_id: &str) -> String {
    format!("catalog:{company_id}")
}

/// The stream key of a shop's stock balances.
pub fn stock_key(shop_id: &str) -> String {
    format!("stock:{shop_id}")
}

/// The stream key of a shop's terminals and their receipt keys.
pub fn config_key(shop_id: &str) -> String {
    format!("config:{shop_id}")
}

/// The stream key of a company's customers and their account balances.
pub fn customers_key(company_id: &str) -> String {
    format!("customers:{company_id}")
}

/// The stream key of a shop's own prices.
pub fn prices_key(shop_id: &str) -> String {
    format!("prices:{shop_id}")
}

/// The stream key of a company's promotions.
pub fn promotions_key(company_id: &str) -> String {
    format!("promotions:{company_id}")
}

/// The stream key of a shop's staff.
pub fn staff_key(shop_id: &str) -> String {
    format!("staff:{shop_id}")
}

pub async fn ensure_indexes(db: &Database) -> mongodb::error::Result<()> {
    crate::store::internal::<Document>(db, &crate::store::STREAM_CHANGES)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "stream": 1, "cursor": 1 })
                .options(IndexOptions::builder().unique(true).build())
                .build(),
        )
        .await?;
    // What compaction deletes through (`compaction`).
    crate::store::internal::<Document>(db, &crate::store::STREAM_CHANGES)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "stream": 1, "entity": 1, "id": 1, "cursor": 1 })
                .build(),
        )
        .await?;
    crate::store::internal::<Document>(db, &crate::store::STREAM_PACKS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "stream": 1, "from": 1 })
                .options(IndexOptions::builder().unique(true).build())
                .build(),
        )
        .await?;
    Ok(())
}

/// Records one change on `stream` inside the caller's transaction; returns its cursor.
pub async fn append(
    db: &Database,
    session: &mut ClientSession,
    stream: &str,
    change: NewChange,
) -> mongodb::error::Result<i64> {
    append_many(db, &mut *session, stream, std::slice::from_ref(&change)).await?;
    head_of(db, &mut Some(session), stream).await
}

/// One change to record with [`append_many`].
#[derive(Debug, Clone)]
pub struct NewChange {
    pub entity: &'static str,
    pub id: String,
    pub op: ChangeOp,
    pub data: Option<serde_json::Value>,
}

/// Records several changes on `stream` in two round trips (one head bump, one insert),
/// inside the caller's transaction; they get consecutive cursors in the given order.
pub async fn append_many(
    db: &Database,
    session: &mut ClientSession,
    stream: &str,
    changes: &[NewChange],
) -> mongodb::error::Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let n = i64::try_from(changes.len()).unwrap_or(i64::MAX);
    let head = crate::store::internal::<Document>(db, &crate::store::STREAM_HEADS)
        .find_one_and_update(doc! { "_id": stream }, doc! { "$inc": { "head": n } })
        .with_options(
            FindOneAndUpdateOptions::builder()
                .upsert(true)
                .return_document(ReturnDocument::After)
                .build(),
        )
        .session(&mut *session)
        .await?
        .and_then(|d| d.get_i64("head").ok())
        .ok_or_else(|| mongodb::error::Error::custom("stream head not returned"))?;
    let first = head - n + 1;
    if changes.len() >= PACK_FROM {
        insert_pack(db, &mut *session, stream, first, changes).await?;
    }
    let mut docs = Vec::with_capacity(changes.len());
    for (cursor, c) in (first..).zip(changes) {
        let data = match &c.data {
            Some(v) => Some(bson::to_bson(v).map_err(|e| {
                mongodb::error::Error::custom(format!("change not encodable: {e}"))
            })?),
            None => None,
        };
        docs.push(doc! {
            "stream": stream,
            "cursor": cursor,
            "entity": c.entity,
            "id": &c.id,
            "op": match c.op { ChangeOp::Upsert => "upsert", ChangeOp::Delete => "delete" },
            "data": data,
        });
    }
    crate::store::internal::<Document>(db, &crate::store::STREAM_CHANGES)
        .insert_many(docs)
        .session(session)
        .await?;
    Ok(())
}

/// Stores `changes` (cursors from `first` on) as one pack.
async fn insert_pack(
    db: &Database,
    session: &mut ClientSession,
    stream: &str,
    first: i64,
    changes: &[NewChange],
) -> mongodb::error::Result<()> {
    let wire: Vec<Change> = (first..)
        .zip(changes)
        .map(|(cursor, c)| Change {
            cursor,
            entity: c.entity.to_owned(),
            id: c.id.clone(),
            op: c.op,
            data: c.data.clone(),
        })
        .collect();
    let to = first - 1 + i64::try_from(wire.len()).unwrap_or(i64::MAX);
    let packed = crate::gzip::pack(&wire)
        .map_err(|e| mongodb::error::Error::custom(format!("change pack {e}")))?;
    crate::store::internal::<Document>(db, &crate::store::STREAM_PACKS)
        .insert_one(doc! {
            "stream": stream,
            "from": first - 1,
            "to": to,
            "changes": bson::Binary { subtype: bson::spec::BinarySubtype::Generic, bytes: packed },
        })
        .session(session)
        .await?;
    Ok(())
}

/// The pack starting right after `after`, if one ends at or before `head`.
async fn pack_at(
    db: &Database,
    s: &mut Option<&mut ClientSession>,
    stream: &str,
    after: i64,
    head: i64,
) -> mongodb::error::Result<Option<Vec<Change>>> {
    let packs = crate::store::internal::<Document>(db, &crate::store::STREAM_PACKS);
    let find = packs.find_one(doc! { "stream": stream, "from": after });
    let found = match s {
        Some(s) => find.session(&mut **s).await?,
        None => find.await?,
    };
    let Some(pack) = found else {
        return Ok(None);
    };
    match pack.get_i64("to") {
        Ok(to) if to <= head => {}
        _ => return Ok(None),
    }
    let Ok(bytes) = pack.get_binary_generic("changes") else {
        tracing::warn!(
            stream,
            after,
            "unreadable change pack; serving the log instead"
        );
        return Ok(None);
    };
    match crate::gzip::unpack::<Vec<Change>>(bytes) {
        Ok(changes) => Ok(Some(changes)),
        Err(e) => {
            tracing::warn!(
                stream,
                after,
                "unreadable change pack ({e}); serving the log instead"
            );
            Ok(None)
        }
    }
}

/// The newest cursor of `stream` (0 when it has no changes).
pub async fn head(db: &Database, stream: &str) -> mongodb::error::Result<i64> {
    head_of(db, &mut None, stream).await
}

async fn head_of(
    db: &Database,
    s: &mut Option<&mut ClientSession>,
    stream: &str,
) -> mongodb::error::Result<i64> {
    let heads = crate::store::internal::<Document>(db, &crate::store::STREAM_HEADS);
    let find = heads.find_one(doc! { "_id": stream });
    let found = match s {
        Some(s) => find.session(&mut **s).await?,
        None => find.await?,
    };
    Ok(found.and_then(|d| d.get_i64("head").ok()).unwrap_or(0))
}

/// Up to `limit` changes after `after`, oldest first, with the stream head and the
/// cursor the page reaches (`next_after`); or, when a pack starts at `after`, the whole
/// pack (which may hold more than `limit`).
///
/// The head is read first: a change committed between the two reads is simply served
/// on the next page, and nothing above the head returned is ever skipped. Cursors are
/// dense until compacted, so a page is the range `(after, after + limit]`: asking for
/// that range rather than `$gt` + `limit` keeps every read one bounded index range,
/// however far the head is (a store that fetches a whole range before limiting it would
/// otherwise make a catch-up quadratic). The page reaches the range's end even if
/// changes in it are missing, so a hole can never stall a terminal, and a compacted
/// stretch of the log is read several ranges at a time.
pub async fn page(
    db: &Database,
    stream: &str,
    after: i64,
    limit: i64,
) -> mongodb::error::Result<(Vec<Change>, i64, i64)> {
    page_in(db, None, stream, after, limit).await
}

/// [`page`], read inside `session` when there is one (a snapshot transaction that also
/// reads something the page must agree with).
pub async fn page_in(
    db: &Database,
    mut session: Option<&mut ClientSession>,
    stream: &str,
    after: i64,
    limit: i64,
) -> mongodb::error::Result<(Vec<Change>, i64, i64)> {
    let s = &mut session;
    let head = head_of(db, s, stream).await?;
    let upto = head.min(after.saturating_add(limit.max(1)));
    if upto <= after {
        return Ok((Vec::new(), head, after));
    }
    if let Some(changes) = pack_at(db, s, stream, after, head).await? {
        let to = changes.last().map_or(after, |c| c.cursor);
        return Ok((changes, head, to));
    }
    // A compacted log has holes: while a range yields less than half a page, the next
    // range is read too, each one bounded, until the page fills or the head is reached.
    // `reached` is where the page ends: a range's end, or its last change read when the
    // page filled inside it.
    let mut docs: Vec<Document> = Vec::new();
    let (mut from, mut upto, mut reached) = (after, upto, after);
    for _ in 0..SPARSE_RANGES {
        let want = limit - i64::try_from(docs.len()).unwrap_or(limit);
        let log = crate::store::internal::<Document>(db, &crate::store::STREAM_CHANGES);
        let find = log
            .find(doc! { "stream": stream, "cursor": { "$gt": from, "$lte": upto } })
            .sort(doc! { "cursor": 1 })
            .limit(want);
        let more: Vec<Document> = match s {
            Some(s) => {
                let mut cursor = find.session(&mut **s).await?;
                cursor.stream(s).try_collect().await?
            }
            None => find.await?.try_collect().await?,
        };
        let filled = i64::try_from(more.len()).unwrap_or(i64::MAX) >= want;
        reached = match (filled, more.last()) {
            (true, Some(last)) => last.get_i64("cursor").unwrap_or(upto),
            _ => upto,
        };
        docs.extend(more);
        if filled || docs.len() * 2 >= usize::try_from(limit).unwrap_or(usize::MAX) || upto >= head
        {
            break;
        }
        (from, upto) = (upto, head.min(upto.saturating_add(limit)));
    }
    let changes = docs
        .into_iter()
        .map(|d| {
            let data = match d.get("data") {
                None | Some(bson::Bson::Null) => None,
                Some(b) => Some(b.clone().into_relaxed_extjson()),
            };
            Change {
                cursor: d.get_i64("cursor").unwrap_or_default(),
                entity: d.get_str("entity").unwrap_or_default().to_string(),
                id: d.get_str("id").unwrap_or_default().to_string(),
                op: if d.get_str("op") == Ok("delete") {
                    ChangeOp::Delete
                } else {
                    ChangeOp::Upsert
                },
                data,
            }
        })
        .collect();
    Ok((changes, head, reached))
}
