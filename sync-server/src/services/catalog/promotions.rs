//! Company promotions: a manager sets up "3 for 2", "15 % off dairy" or a bundle price once,
//! for every shop or for some, with an optional start and end; the tills apply it
//! automatically while it runs, offline too. Each change is one transaction with its
//! `promotions:{company}` stream change and its `promotion.changed` event.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::StatusCode,
    routing::get,
};
use mongodb::{
    ClientSession,
    bson::{DateTime, doc},
};
use pos_shared::{
    role::Role,
    sync::{ChangeOp, CompanyPromotion, PromotionTerms},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::{company_scope, db, products_in, routes::check_price};
use crate::{
    db::now,
    error::{ApiError, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{
        extract::{ApiJson, IdPath},
        paging::Page,
        principal::Principal,
        tenancy::{Scoped, TenantScope},
    },
    services::{auth::routes::check_name, shop::visible_shop},
    state::AppState,
    store::{self, System},
    streams,
};

/// Most products one bundle may list.
const MAX_BUNDLE: usize = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/catalog/promotions",
            get(list_promotions).post(create_promotion),
        )
        .route(
            "/catalog/promotions/{id}",
            get(get_promotion).put(put_promotion).delete(end_promotion),
        )
}

/// A promotion as the catalog service stores it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PromotionDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub company_id: String,
    pub name: String,
    pub terms: PromotionTerms,
    pub shop_ids: Vec<String>,
    pub starts_at: Option<DateTime>,
    pub ends_at: Option<DateTime>,
    /// False once a manager has ended it (kept for history, gone from the tills).
    pub active: bool,
    pub created_at: DateTime,
    pub updated_at: DateTime,
    pub updated_by: String,
}

impl PromotionDoc {
    pub fn wire(&self) -> CompanyPromotion {
        CompanyPromotion {
            promotion_id: self.id.clone(),
            name: self.name.clone(),
            terms: self.terms.clone(),
            shop_ids: self.shop_ids.clone(),
            starts_at_ms: self.starts_at.map(|t| t.timestamp_millis()),
            ends_at_ms: self.ends_at.map(|t| t.timestamp_millis()),
        }
    }

    fn view(&self) -> PromotionView {
        let at = |t: Option<DateTime>| {
            t.and_then(|t| {
                OffsetDateTime::from_unix_timestamp_nanos(
                    i128::from(t.timestamp_millis()) * 1_000_000,
                )
                .ok()
            })
        };
        PromotionView {
            id: self.id.clone(),
            name: self.name.clone(),
            terms: self.terms.clone(),
            shop_ids: self.shop_ids.clone(),
            starts_at: at(self.starts_at),
            ends_at: at(self.ends_at),
            active: self.active,
        }
    }
}

/// The promotions `scope` may see.
pub fn promotions(state: &AppState, scope: &TenantScope) -> Scoped<PromotionDoc> {
    store::scoped(&state.mongo, &store::PROMOTIONS, scope)
}

/// Whether another company's promotion has the id `id` (ids are chosen by the portal on
/// PUT, so one could be sent that is taken): such an id is answered as unknown.
async fn taken_elsewhere(state: &AppState, id: &str) -> mongodb::error::Result<bool> {
    let found = store::system::<PromotionDoc>(&state.mongo, &store::PROMOTIONS, System::Identify)
        .find_one(doc! { "_id": id })
        .await?;
    Ok(found.is_some())
}

/// A promotion to create or to replace by id.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionInput {
    pub name: String,
    pub terms: PromotionTerms,
    /// The shops it runs at; empty or absent: every shop (company admins only).
    #[serde(default)]
    pub shop_ids: Vec<String>,
    /// RFC 3339; absent: from now on.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<OffsetDateTime>,
    /// RFC 3339, exclusive; absent: until it is ended.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<OffsetDateTime>,
}

/// A promotion as managers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PromotionView {
    pub id: String,
    pub name: String,
    pub terms: PromotionTerms,
    pub shop_ids: Vec<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<OffsetDateTime>,
    pub active: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PromotionFilter {
    /// `true`: only promotions not ended by a manager (they may not have started yet).
    #[serde(default)]
    pub active: Option<bool>,
    /// Only those running at this shop (company-wide ones included).
    #[serde(default)]
    pub shop_id: Option<String>,
}

/// Creates a promotion (shop managers for their shops; company admins for every shop).
#[utoipa::path(post, path = "/api/catalog/promotions", tag = "catalog", security(("bearer" = [])), request_body = PromotionInput,
    responses((status = 201, body = PromotionView), (status = 404, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn create_promotion(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(input): ApiJson<PromotionInput>,
) -> ApiResult<(StatusCode, Json<PromotionView>)> {
    let doc = checked(&state, &p, uuid::Uuid::now_v7().to_string(), input).await?;
    save(&state, doc.clone()).await?;
    Ok((StatusCode::CREATED, Json(doc.view())))
}

/// Creates or replaces the promotion `id` (a portal that retries sends the same id, so a
/// retry never makes a second promotion). Replacing an ended promotion runs it again.
#[utoipa::path(put, path = "/api/catalog/promotions/{id}", tag = "catalog", security(("bearer" = [])), request_body = PromotionInput,
    responses((status = 200, body = PromotionView), (status = 404, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn put_promotion(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<PromotionInput>,
) -> ApiResult<Json<PromotionView>> {
    let id = id.to_string();
    let ours = promotions(&state, &company_scope(&p)?);
    if let Some(old) = ours.find_one(doc! { "_id": &id }).await? {
        // The caller must also be allowed to change the promotion as it stands, not
        // only as it will be.
        may_manage(&state, &p, &old.shop_ids).await?;
    } else if taken_elsewhere(&state, &id).await? {
        // An id another company uses is as good as unknown.
        return Err(ApiError::not_found("promotion"));
    }
    let mut doc = checked(&state, &p, id, input).await?;
    if let Some(old) = ours.find_one(doc! { "_id": &doc.id }).await? {
        doc.created_at = old.created_at;
    }
    save(&state, doc.clone()).await?;
    Ok(Json(doc.view()))
}

/// Ends a promotion: the tills stop applying it; the record stays for history.
#[utoipa::path(delete, path = "/api/catalog/promotions/{id}", tag = "catalog", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = pos_shared::error::WireError)))]
pub async fn end_promotion(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    let mut doc = find(&state, &p, &id.to_string()).await?;
    may_manage(&state, &p, &doc.shop_ids).await?;
    if doc.active {
        doc.active = false;
        doc.updated_at = now();
        doc.updated_by = p.id.clone();
        save(&state, doc).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/catalog/promotions/{id}", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = PromotionView), (status = 404, body = pos_shared::error::WireError)))]
pub async fn get_promotion(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<PromotionView>> {
    p.require(Role::Cashier)?;
    Ok(Json(find(&state, &p, &id.to_string()).await?.view()))
}

/// The company's promotions, newest first; `shop_id` (a shop the caller may see) keeps
/// those that run there.
#[utoipa::path(get, path = "/api/catalog/promotions", tag = "catalog", security(("bearer" = [])), params(Page, PromotionFilter),
    responses((status = 200, body = [PromotionView])))]
pub async fn list_promotions(
    State(state): State<AppState>,
    p: Principal,
    Query(page): Query<Page>,
    Query(filter): Query<PromotionFilter>,
) -> ApiResult<Json<Vec<PromotionView>>> {
    p.require(Role::Cashier)?;
    let mut q = doc! {};
    if let Some(active) = filter.active {
        q.insert("active", active);
    }
    if let Some(shop) = filter.shop_id {
        // Another company's shop, or one outside a manager's reach: 404, as everywhere.
        visible_shop(&state, &p, &shop).await?;
        q.insert(
            "$or",
            vec![doc! { "shop_ids": &shop }, doc! { "shop_ids": [] }],
        );
    }
    let docs = promotions(&state, &company_scope(&p)?)
        .list(q, &page)
        .await?;
    Ok(Json(docs.iter().map(PromotionDoc::view).collect()))
}

async fn find(state: &AppState, p: &Principal, id: &str) -> ApiResult<PromotionDoc> {
    promotions(state, &company_scope(p)?)
        .find_one(doc! { "_id": id })
        .await?
        .ok_or_else(|| ApiError::not_found("promotion"))
}

/// Company-wide promotions need a company admin; shop promotions a manager of each shop.
async fn may_manage(state: &AppState, p: &Principal, shop_ids: &[String]) -> ApiResult<()> {
    if shop_ids.is_empty() {
        return p.require(Role::CompanyAdmin);
    }
    p.require(Role::ShopManager)?;
    for shop in shop_ids {
        visible_shop(state, p, shop).await.map_err(|_| {
            ApiError::invalid("shop_ids", format!("shop {shop} is not one of yours"))
        })?;
    }
    Ok(())
}

/// Checks `input` as the tills would apply it, and that every product and shop it names
/// belongs to the caller's company.
async fn checked(
    state: &AppState,
    p: &Principal,
    id: String,
    input: PromotionInput,
) -> ApiResult<PromotionDoc> {
    let company_id = p.company()?.to_string();
    let name = check_name("name", &input.name)?;
    let mut shop_ids = input.shop_ids;
    shop_ids.sort();
    shop_ids.dedup();
    may_manage(state, p, &shop_ids).await?;
    let terms = check_terms(input.terms)?;
    let named: Vec<&String> = match &terms {
        PromotionTerms::PercentOffCategory { .. } => Vec::new(),
        PromotionTerms::MultiBuy { product_id, .. } => vec![product_id],
        PromotionTerms::BundlePrice { product_ids, .. } => product_ids.iter().collect(),
    };
    if !named.is_empty() {
        let mut wanted: Vec<&String> = named.clone();
        wanted.sort();
        wanted.dedup();
        let found = products_in(state, &TenantScope::company(&company_id))
            .count(doc! { "_id": { "$in": &wanted }, "active": true })
            .await?;
        if found != wanted.len() as u64 {
            return Err(ApiError::invalid(
                "terms",
                "names a product that is not in your active catalog",
            ));
        }
    }
    let at = |t: Option<OffsetDateTime>| {
        t.map(|t| DateTime::from_millis((t.unix_timestamp_nanos() / 1_000_000) as i64))
    };
    let (starts_at, ends_at) = (at(input.starts_at), at(input.ends_at));
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && e <= s
    {
        return Err(ApiError::invalid("ends_at", "must be after starts_at"));
    }
    let t = now();
    Ok(PromotionDoc {
        id,
        company_id,
        name,
        terms,
        shop_ids,
        starts_at,
        ends_at,
        active: true,
        created_at: t,
        updated_at: t,
        updated_by: p.id.clone(),
    })
}

/// The terms with names trimmed, or why no till could apply them.
fn check_terms(terms: PromotionTerms) -> ApiResult<PromotionTerms> {
    Ok(match terms {
        PromotionTerms::PercentOffCategory { category, bp } => {
            let category = category.trim().to_string();
            if category.is_empty() || category.chars().count() > 120 {
                return Err(ApiError::invalid(
                    "terms.category",
                    "must be 1 to 120 characters",
                ));
            }
            if !(1..=10_000).contains(&bp) {
                return Err(ApiError::invalid(
                    "terms.bp",
                    "must be 1 to 10000 (0.01 % to 100 %)",
                ));
            }
            PromotionTerms::PercentOffCategory { category, bp }
        }
        PromotionTerms::MultiBuy {
            product_id,
            buy,
            pay,
        } => {
            if buy < 2 || pay >= buy {
                return Err(ApiError::invalid(
                    "terms",
                    "a multi-buy pays for fewer units than are bought (buy 3, pay 2)",
                ));
            }
            PromotionTerms::MultiBuy {
                product_id,
                buy,
                pay,
            }
        }
        PromotionTerms::BundlePrice {
            product_ids,
            price_minor,
        } => {
            if product_ids.len() < 2 || product_ids.len() > MAX_BUNDLE {
                return Err(ApiError::invalid(
                    "terms.product_ids",
                    format!("a bundle lists 2 to {MAX_BUNDLE} products"),
                ));
            }
            PromotionTerms::BundlePrice {
                product_ids,
                price_minor: check_price(price_minor)?,
            }
        }
    })
}

/// Stores `doc` with its stream change and event, unless nothing a till sees changed.
async fn save(state: &AppState, doc: PromotionDoc) -> ApiResult<()> {
    state
        .write((state.clone(), doc), |s, (state, doc)| {
            Box::pin(async move { store(state, s, doc).await })
        })
        .await
}

async fn store(
    state: &AppState,
    s: &mut ClientSession,
    doc: &PromotionDoc,
) -> mongodb::error::Result<()> {
    let coll = promotions(state, &TenantScope::company(&doc.company_id));
    let old = coll.find_one_in(doc! { "_id": &doc.id }, s).await?;
    if old
        .as_ref()
        .is_some_and(|o| o.active == doc.active && o.wire() == doc.wire())
    {
        return Ok(());
    }
    coll.replace_one(doc! { "_id": &doc.id }, doc)?
        .upsert(true)
        .session(&mut *s)
        .await?;
    let (op, data) = if doc.active {
        let data = serde_json::to_value(doc.wire())
            .map_err(|e| mongodb::error::Error::custom(format!("promotion: {e}")))?;
        (ChangeOp::Upsert, Some(data))
    } else {
        (ChangeOp::Delete, None)
    };
    let d = db(state);
    let cursor = streams::append(
        &d,
        s,
        &streams::promotions_key(&doc.company_id),
        streams::NewChange {
            entity: "promotion",
            id: doc.id.clone(),
            op,
            data,
        },
    )
    .await?;
    let event = Event::PromotionChanged(payloads::PromotionChanged {
        promotion_id: doc.id.clone(),
        name: doc.name.clone(),
        active: doc.active,
        shop_ids: doc.shop_ids.clone(),
        cursor,
    })
    .message(Some(&doc.company_id), Some(&doc.updated_by));
    outbox::record(&d, s, &event).await
}
