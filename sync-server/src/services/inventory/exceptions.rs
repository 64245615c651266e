//! The exceptions sync found in a shop (oversold, price variance, over-refund, orphan
//! refund, quarantined records): listed for managers, open or resolved, and resolved by a
//! manager with a note saying what was done, kept with who resolved it and when.

use axum::{
    Json,
    extract::{Query, State},
};
use futures::TryStreamExt;
use mongodb::{
    bson::{Document, doc},
    options::ReturnDocument,
};
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::exceptions as collection;
use crate::{
    db::{now, rfc3339},
    error::{ApiError, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{extract::ApiJson, paging::Page, principal::Principal, tenancy::TenantScope},
    services::{auth::accounts, shop::visible_shop},
    state::AppState,
};

/// Longest note a resolution keeps.
const MAX_NOTE: usize = 500;

#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionView {
    pub id: String,
    /// `oversold`, `price_variance`, `over_refund`, `orphan_refund`, `unknown_customer`, or
    /// `quarantined` (a journal record set aside unbuilt: tampered, unreadable, or failing
    /// to build).
    pub kind: String,
    pub event_id: String,
    pub terminal_id: String,
    pub detail: String,
    /// Resolved by a manager, or (an orphan refund) by its sale arriving.
    pub resolved: bool,
    pub at: String,
    /// RFC 3339 UTC, when it was resolved.
    pub resolved_at: Option<String>,
    /// The user who resolved it; absent when sync resolved it (an orphan refund's sale
    /// arrived).
    pub resolved_by: Option<String>,
    /// That user's name when they resolved it.
    pub resolved_by_name: Option<String>,
    /// What the manager wrote they did.
    pub note: Option<String>,
}

impl ExceptionView {
    fn of(d: &Document) -> Self {
        let s = |k: &str| d.get_str(k).unwrap_or_default().to_string();
        let opt = |k: &str| d.get_str(k).ok().map(str::to_string);
        let at = |k: &str| d.get_datetime(k).ok().map(|t| rfc3339(*t));
        Self {
            id: s("_id"),
            kind: s("kind"),
            event_id: s("event_id"),
            terminal_id: s("terminal_id"),
            detail: s("detail"),
            resolved: d.get_bool("resolved").unwrap_or(false),
            at: at("at").unwrap_or_default(),
            resolved_at: at("resolved_at"),
            resolved_by: opt("resolved_by"),
            resolved_by_name: opt("resolved_by_name"),
            note: opt("note"),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExceptionQuery {
    pub shop_id: String,
    /// `open` or `resolved`; absent (or empty): both.
    #[param(pattern = "^(|open|resolved)$")]
    pub status: Option<String>,
    /// One kind only (`oversold`, `price_variance`, ...); absent: every kind.
    pub kind: Option<String>,
}

/// The list filter: shop, and optionally open/resolved and kind (422 on unknown values).
fn filter(shop_id: &str, q: &ExceptionQuery) -> ApiResult<Document> {
    let mut f = doc! { "shop_id": shop_id };
    match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {}
        Some("open") => {
            f.insert("resolved", doc! { "$ne": true });
        }
        Some("resolved") => {
            f.insert("resolved", true);
        }
        Some(_) => return Err(ApiError::invalid("status", "must be `open` or `resolved`")),
    }
    if let Some(kind) = q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        // Any kind name is accepted (sync may learn new ones); an unknown one lists nothing.
        f.insert("kind", kind);
    }
    Ok(f)
}

/// What sync found in a shop that a manager should look at, newest first; `status` and
/// `kind` narrow it.
#[utoipa::path(get, path = "/api/inventory/exceptions", tag = "inventory", security(("bearer" = [])), params(ExceptionQuery, Page),
    responses((status = 200, body = [ExceptionView]), (status = 403, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn list_exceptions(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<ExceptionQuery>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ExceptionView>>> {
    // A terminal reads the exceptions raised for its own facts (its sync indicator).
    let own_terminal = p.device.then(|| p.id.clone());
    if own_terminal.is_none() {
        p.require(Role::ShopManager)?;
    }
    let shop = visible_shop(&state, &p, &q.shop_id).await?;
    let mut f = filter(&shop.id, &q)?;
    if let Some(t) = own_terminal {
        f.insert("terminal_id", t);
    }
    let docs: Vec<Document> = collection(&state, &TenantScope::company(&shop.company_id))
        .find(f)
        .sort(doc! { "at": -1, "_id": -1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    Ok(Json(docs.iter().map(ExceptionView::of).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolve {
    /// What was done about it (1 to 500 characters): "counted the shelf, stock corrected".
    #[schema(value_type = crate::openapi::fields::Note)]
    pub note: String,
}

/// Resolves an exception with a note (managers of its shop and company admins). Resolving
/// one already resolved changes nothing and answers 200 with the first resolution, so a
/// retried request and two managers clicking at once both end well.
#[utoipa::path(post, path = "/api/inventory/exceptions/{id}/resolve", tag = "inventory", security(("bearer" = [])), request_body = Resolve,
    params(("id" = String, Path, description = "the exception's id")),
    responses((status = 200, body = ExceptionView), (status = 403, body = pos_shared::error::WireError),
        (status = 404, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn resolve_exception(
    State(state): State<AppState>,
    p: Principal,
    axum::extract::Path(id): axum::extract::Path<String>,
    ApiJson(req): ApiJson<Resolve>,
) -> ApiResult<Json<ExceptionView>> {
    p.require(Role::ShopManager)?;
    let note = req.note.trim().to_string();
    if note.is_empty() || note.chars().count() > MAX_NOTE {
        return Err(ApiError::invalid(
            "note",
            format!("must say what was done, 1 to {MAX_NOTE} characters"),
        ));
    }
    let found = collection(&state, &TenantScope::company(p.company()?))
        .find_one(doc! { "_id": &id })
        .await?
        .filter(|d| {
            p.scope()
                .allows_shop(d.get_str("shop_id").unwrap_or_default())
        })
        .ok_or_else(|| ApiError::not_found("exception"))?;
    if found.get_bool("resolved").unwrap_or(false) {
        return Ok(Json(ExceptionView::of(&found)));
    }
    let name = accounts::find(&state, &p.id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let ctx = (state.clone(), found, p.id.clone(), name, note);
    let stored = state
        .write(ctx, |s, (state, found, actor, name, note)| {
            Box::pin(async move {
                let id = found.get_str("_id").unwrap_or_default().to_string();
                let company = TenantScope::company(found.get_str("company_id").unwrap_or_default());
                // Only an open one changes: of two managers resolving at once, the first
                // resolution stays and the second reads it back.
                let updated = collection(state, &company)
                    .find_one_and_update(
                        doc! { "_id": &id, "resolved": { "$ne": true } },
                        doc! { "$set": { "resolved": true, "resolved_at": now(),
                        "resolved_by": &*actor, "resolved_by_name": &*name, "note": &*note } },
                    )
                    .return_document(ReturnDocument::After)
                    .session(&mut *s)
                    .await?;
                let Some(updated) = updated else {
                    return collection(state, &company)
                        .find_one(doc! { "_id": &id })
                        .session(&mut *s)
                        .await?
                        .ok_or_else(|| mongodb::error::Error::custom("exception vanished"));
                };
                let event = Event::ExceptionResolved(payloads::ExceptionResolved {
                    exception_id: id.to_string(),
                    kind: updated.get_str("kind").unwrap_or_default().to_string(),
                    shop_id: updated.get_str("shop_id").unwrap_or_default().to_string(),
                    note: note.to_string(),
                })
                .message(updated.get_str("company_id").ok(), Some(actor));
                outbox::record(&super::db(state), s, &event).await?;
                Ok(updated)
            })
        })
        .await?;
    Ok(Json(ExceptionView::of(&stored)))
}
