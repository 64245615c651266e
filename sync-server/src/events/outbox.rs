//! The transactional outbox: an event is written in the same MongoDB transaction as the
//! change it announces, so a change is never committed without its event (or vice versa).

use mongodb::{ClientSession, Database, bson::Document};

use super::EventMessage;

pub const COLLECTION: &str = "outbox";

/// Adds `event` to `db`'s outbox inside the caller's transaction.
pub async fn record(
    db: &Database,
    session: &mut ClientSession,
    event: &EventMessage,
) -> mongodb::error::Result<()> {
    let doc = event
        .to_outbox_doc()
        .map_err(|e| mongodb::error::Error::custom(format!("event not encodable: {e}")))?;
    crate::store::internal::<Document>(db, &crate::store::OUTBOX)
        .insert_one(doc)
        .session(session)
        .await?;
    Ok(())
}

/// Index the relay scans by.
pub async fn ensure_indexes(db: &Database) -> mongodb::error::Result<()> {
    use mongodb::{IndexModel, bson::doc};
    crate::store::internal::<Document>(db, &crate::store::OUTBOX)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "published": 1, "_id": 1 })
                .build(),
        )
        .await?;
    Ok(())
}
