//! Reading the audit log: platform admins see everything, company admins their company.

use axum::{
    Json, Router,
    extract::{Query, State},
    routing::get,
};
use mongodb::bson::doc;
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AuditRecord, ChainReport, records_in, verify_chain};
use crate::{
    error::ApiResult,
    gateway::{paging::Page, principal::Principal},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(list_audit))
        .route("/audit/verify", get(verify_audit))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    pub id: String,
    pub seq: i64,
    pub routing_key: String,
    pub company_id: Option<String>,
    pub actor: Option<String>,
    pub occurred_at: String,
    pub payload: serde_json::Value,
    pub hash: String,
}

impl From<AuditRecord> for AuditView {
    fn from(r: AuditRecord) -> Self {
        Self {
            payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
            id: r.id,
            seq: r.seq,
            routing_key: r.routing_key,
            company_id: r.company_id,
            actor: r.actor,
            occurred_at: r.occurred_at,
            hash: r.hash,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditFilter {
    /// Only this routing key, e.g. `auth.login_failed`.
    #[serde(default)]
    pub key: Option<String>,
}

/// Newest first.
#[utoipa::path(get, path = "/api/audit", tag = "audit", security(("bearer" = [])), params(Page, AuditFilter), responses((status = 200, body = [AuditView])))]
pub async fn list_audit(
    State(state): State<AppState>,
    p: Principal,
    Query(page): Query<Page>,
    Query(filter): Query<AuditFilter>,
) -> ApiResult<Json<Vec<AuditView>>> {
    p.require(Role::CompanyAdmin)?;
    let scoped = records_in(&state, &p.scope());
    let extra = match filter.key {
        Some(k) => doc! { "routing_key": k },
        None => doc! {},
    };
    let list = scoped.list(extra, &page).await?;
    Ok(Json(list.into_iter().map(AuditView::from).collect()))
}

/// Walks the whole hash chain (platform admins): proves no record was changed or removed.
#[utoipa::path(get, path = "/api/audit/verify", tag = "audit", security(("bearer" = [])), responses((status = 200, body = ChainReport)))]
pub async fn verify_audit(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<ChainReport>> {
    p.require(Role::PlatformAdmin)?;
    Ok(Json(verify_chain(&state).await?))
}
