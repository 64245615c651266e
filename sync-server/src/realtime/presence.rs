//! Presence: which terminals of a shop are online, when they were last heard from, how
//! many facts wait on them, and how far their journal has reached the server. Stored in
//! MongoDB so every server instance sees the sockets the others hold.

use axum::{
    Json,
    extract::{Path, State},
};
use futures::TryStreamExt;
use mongodb::bson::{DateTime, Document, doc};
use pos_shared::role::Role;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    db::rfc3339,
    error::ApiResult,
    gateway::{
        principal::Principal,
        tenancy::{Scoped, TenantScope},
    },
    services::{sales, shop::visible_shop, sync::ingest::Source},
    state::AppState,
};

/// Keyed by terminal id; every write names the terminal's own company and shop, and is
/// scoped to its company (the filter stays one terminal's document, as before).
fn presence(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    crate::store::scoped(&state.mongo, &crate::store::PRESENCE, scope)
}

/// A socket opened (or a heartbeat arrived) for `src`.
pub async fn seen(state: &AppState, src: &Source, queued: i64, connected: bool) {
    let mut set = doc! {
        "company_id": &src.company_id, "shop_id": &src.shop_id, "online": true,
        "last_seen": DateTime::now(), "queued": queued,
    };
    if connected {
        set.insert("connected_at", DateTime::now());
    }
    let r = presence(state, &src.company())
        .update_one(doc! { "_id": &src.terminal_id }, doc! { "$set": set })
        .upsert(true)
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, terminal = %src.terminal_id, "presence not recorded");
    }
}

pub async fn gone(state: &AppState, src: &Source) {
    let r = presence(state, &src.company())
        .update_one(
            doc! { "_id": &src.terminal_id },
            doc! { "$set": { "online": false, "last_seen": DateTime::now() } },
        )
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, terminal = %src.terminal_id, "presence not recorded");
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TerminalPresence {
    pub terminal_id: String,
    pub name: String,
    pub online: bool,
    pub last_seen: Option<String>,
    /// Facts waiting on the terminal at its last heartbeat.
    pub queued: i64,
    /// Highest journal sequence the server holds (current epoch).
    pub acked_through: i64,
    /// Highest sequence built into orders and stock; behind `acked_through` while the
    /// server works through a backlog.
    pub projected_through: i64,
    pub last_push_at: Option<String>,
}

/// The shop's terminals: online or not, last heard from, queued facts, last sync.
#[utoipa::path(get, path = "/api/shops/{id}/presence", tag = "terminals", security(("bearer" = [])),
    responses((status = 200, body = [TerminalPresence]), (status = 404, body = pos_shared::error::WireError)))]
pub async fn list(
    State(state): State<AppState>,
    p: Principal,
    Path(shop_id): Path<String>,
) -> ApiResult<Json<Vec<TerminalPresence>>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &shop_id).await?;
    let company = TenantScope::company(&shop.company_id);
    let terminals: Vec<Document> =
        crate::store::scoped::<Document>(&state.mongo, &crate::store::TERMINALS, &company)
            .find(doc! { "shop_id": &shop.id, "status": "active" })
            .sort(doc! { "name": 1 })
            .await?
            .try_collect()
            .await?;
    let seen: Vec<Document> = presence(&state, &company)
        .find(doc! { "shop_id": &shop.id })
        .await?
        .try_collect()
        .await?;
    let pushes: Vec<Document> = sales::terminals(&state, &company)
        .find(doc! { "shop_id": &shop.id })
        .sort(doc! { "epoch": 1 })
        .await?
        .try_collect()
        .await?;
    let projections: Vec<Document> = sales::projections_in(&state, &company)
        .find(doc! { "shop_id": &shop.id })
        .await?
        .try_collect()
        .await?;
    let time = |d: &Document, k: &str| d.get_datetime(k).ok().map(|t| rfc3339(*t));
    Ok(Json(
        terminals
            .iter()
            .map(|t| {
                let id = t.get_str("_id").unwrap_or_default();
                let pr = seen.iter().find(|d| d.get_str("_id") == Ok(id));
                let push = pushes.iter().rfind(|d| d.get_str("terminal_id") == Ok(id));
                TerminalPresence {
                    terminal_id: id.to_string(),
                    name: t.get_str("name").unwrap_or_default().to_string(),
                    online: pr.is_some_and(|d| d.get_bool("online").unwrap_or(false)),
                    last_seen: pr.and_then(|d| time(d, "last_seen")),
                    queued: pr.and_then(|d| d.get_i64("queued").ok()).unwrap_or(0),
                    acked_through: push
                        .and_then(|d| d.get_i64("acked_through").ok())
                        .unwrap_or(0),
                    projected_through: push
                        .and_then(|d| d.get_str("_id").ok())
                        .and_then(|key| projections.iter().find(|d| d.get_str("_id") == Ok(key)))
                        .and_then(|d| d.get_i64("projected_through").ok())
                        .unwrap_or(0),
                    last_push_at: push.and_then(|d| time(d, "last_push_at")),
                }
            })
            .collect(),
    ))
}
