//! The audit service (auditdb): an append-only, hash-chained log of every event on the bus
//! (its inbox binds `#`). Each record's hash covers the previous record's hash, so removing
//! or editing any record breaks the chain from there on.

pub mod routes;

use mongodb::{
    Collection, Database, IndexModel,
    bson::{DateTime, doc},
    options::ReturnDocument,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    db::{ServiceDb, now},
    error::{ApiError, ApiErrorBox, ApiResult},
    events::EventMessage,
    gateway::tenancy::{Scoped, TenantScope},
    state::AppState,
    store::System,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The event id: a redelivered event hits the unique `_id` and is skipped.
    #[serde(rename = "_id")]
    pub id: String,
    pub seq: i64,
    pub routing_key: String,
    pub company_id: Option<String>,
    pub actor: Option<String>,
    pub occurred_at: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
    pub recorded_at: DateTime,
}

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Audit)
}

/// The whole chain, across companies: appending and verifying it are the one job that
/// reads it so ([`System::AuditChain`]); readers of a company's records use [`records_in`].
fn chain(state: &AppState) -> Collection<AuditRecord> {
    crate::store::system(
        &state.mongo,
        &crate::store::AUDIT_RECORDS,
        System::AuditChain,
    )
}

/// The records of `scope` (company admins see their company's, platform admins all).
pub fn records_in(state: &AppState, scope: &TenantScope) -> Scoped<AuditRecord> {
    crate::store::scoped(&state.mongo, &crate::store::AUDIT_RECORDS, scope)
}

pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let records = crate::store::system::<AuditRecord>(
        &state.mongo,
        &crate::store::AUDIT_RECORDS,
        System::Indexes,
    );
    records
        .create_index(
            IndexModel::builder()
                .keys(doc! { "seq": 1 })
                .options(
                    mongodb::options::IndexOptions::builder()
                        .unique(true)
                        .build(),
                )
                .build(),
        )
        .await?;
    records
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "seq": -1 })
                .build(),
        )
        .await?;
    // The chain head exists before the first event, so appenders only ever update it
    // (concurrent upserts of a missing document can clash on its key).
    let created = crate::store::platform::<mongodb::bson::Document>(
        &state.mongo,
        &crate::store::AUDIT_CHAIN_HEAD,
    )
    .update_one(
        doc! { "_id": "head" },
        doc! { "$setOnInsert": { "seq": 0_i64, "hash": "genesis" } },
    )
    .upsert(true)
    .await;
    match created {
        Err(e) if !crate::error::is_duplicate_key(&e) => Err(e.into()),
        _ => Ok(()),
    }
}

pub fn chain_hash(prev: &str, seq: i64, event: &EventMessage, payload: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        &event.id,
        &event.routing_key,
        event.company_id.as_deref().unwrap_or(""),
        event.actor.as_deref().unwrap_or(""),
        &event.occurred_at,
        payload,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// Appends one event; a duplicate (same event id) is a no-op, so redelivery is harmless.
pub async fn append(state: &AppState, event: EventMessage) -> ApiResult<()> {
    if chain(state)
        .find_one(doc! { "_id": &event.id })
        .await?
        .is_some()
    {
        return Ok(());
    }
    let event_id = event.id.clone();
    let result = state
        .mongo
        .transact((state.clone(), event), |s, (state, event)| {
            Box::pin(async move {
                // The head document serialises appenders: concurrent ones conflict and retry.
                let head = crate::store::platform::<mongodb::bson::Document>(
                    &state.mongo,
                    &crate::store::AUDIT_CHAIN_HEAD,
                )
                .find_one_and_update(doc! { "_id": "head" }, doc! { "$inc": { "seq": 1_i64 } })
                .upsert(true)
                .return_document(ReturnDocument::After)
                .session(&mut *s)
                .await?
                .ok_or_else(|| {
                    ApiErrorBox::wrap(ApiError::Internal(anyhow::anyhow!("no chain head")))
                })?;
                let seq = head.get_i64("seq").unwrap_or(1);
                let prev = head.get_str("hash").unwrap_or("genesis").to_string();
                let payload = event.payload.to_string();
                let hash = chain_hash(&prev, seq, event, &payload);
                chain(state)
                    .insert_one(AuditRecord {
                        id: event.id.clone(),
                        seq,
                        routing_key: event.routing_key.clone(),
                        company_id: event.company_id.clone(),
                        actor: event.actor.clone(),
                        occurred_at: event.occurred_at.clone(),
                        payload,
                        prev_hash: prev,
                        hash: hash.clone(),
                        recorded_at: now(),
                    })
                    .session(&mut *s)
                    .await?;
                crate::store::platform::<mongodb::bson::Document>(
                    &state.mongo,
                    &crate::store::AUDIT_CHAIN_HEAD,
                )
                .update_one(doc! { "_id": "head" }, doc! { "$set": { "hash": hash } })
                .session(s)
                .await?;
                Ok(())
            })
        })
        .await;
    match result {
        // Only a record with this event id makes a clash a duplicate. Any other clash (two
        // first appenders creating the chain head at once, say) must not swallow the
        // event: the error goes back to the consumer, which redelivers it.
        Err(ApiError::Conflict(e)) => {
            if chain(state)
                .find_one(doc! { "_id": &event_id })
                .await?
                .is_some()
            {
                Ok(())
            } else {
                Err(ApiError::Conflict(e))
            }
        }
        other => other,
    }
}

/// Result of walking the audit chain.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    pub records: u64,
    /// Sequence number of the first record whose hash or link does not hold.
    pub first_bad_seq: Option<i64>,
    pub reason: Option<String>,
}

/// Recomputes every hash in order; the first record that does not match is reported.
pub async fn verify_chain(state: &AppState) -> ApiResult<ChainReport> {
    use futures::TryStreamExt;
    let mut cursor = chain(state).find(doc! {}).sort(doc! { "seq": 1 }).await?;
    let mut prev = String::from("genesis");
    let mut expected_seq = 1_i64;
    let mut n = 0_u64;
    while let Some(r) = cursor.try_next().await? {
        n += 1;
        let bad = |reason: &str| ChainReport {
            records: n,
            first_bad_seq: Some(r.seq),
            reason: Some(reason.to_string()),
        };
        if r.seq != expected_seq {
            return Ok(bad("a record is missing before this one"));
        }
        if r.prev_hash != prev {
            return Ok(bad("does not link to the previous record"));
        }
        let event = EventMessage {
            id: r.id.clone(),
            routing_key: r.routing_key.clone(),
            company_id: r.company_id.clone(),
            actor: r.actor.clone(),
            occurred_at: r.occurred_at.clone(),
            payload: serde_json::Value::Null,
        };
        if chain_hash(&r.prev_hash, r.seq, &event, &r.payload) != r.hash {
            return Ok(bad("content was changed after it was recorded"));
        }
        prev = r.hash;
        expected_seq += 1;
    }
    Ok(ChainReport {
        records: n,
        first_bad_seq: None,
        reason: None,
    })
}

/// Every event on the bus: the audit log keeps them all.
pub const INBOX: crate::events::topology::Inbox = crate::events::topology::Inbox {
    queue: "audit.events",
    service: "audit",
    bindings: &["#"],
};

/// This service's registration: what the server runs of it (see `services::registry`).
pub const SERVICE: crate::services::Service = crate::services::Service::new(
    "audit",
    ServiceDb::Audit,
    routes::router,
    <Api as utoipa::OpenApi>::openapi,
)
.prepare("audit", |st| Box::pin(async move { prepare(&st).await }))
.consumer(INBOX, |st, event| {
    Box::pin(async move { append(&st, event).await.map_err(|e| anyhow::anyhow!("{e}")) })
});

/// This service's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(routes::list_audit, routes::verify_audit,))]
struct Api;
