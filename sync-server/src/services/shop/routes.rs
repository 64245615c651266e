//! Shop endpoints: company admins create and change shops; staff see the shops they work in.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::StatusCode,
    routing::{delete, get, post, put},
};
use mongodb::bson::{self, Document, doc};
use pos_shared::role::Role;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    OpeningHours, ShopDoc, ShopView, check_hours, db, scoped_shops, shops_in, visible_shop,
};
use crate::{
    db::now,
    error::{ApiError, ApiErrorBox, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{
        extract::{ApiJson, IdPath},
        paging::Page,
        principal::Principal,
        tenancy::TenantScope,
    },
    services::{auth::routes::check_name, company},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shops", get(list_shops).post(create_shop))
        .route(
            "/shops/{id}",
            get(get_shop).patch(update_shop).delete(delete_shop),
        )
        .route("/shops/{id}/hours", put(put_hours))
        .route(
            "/shops/{id}/staff",
            get(super::staff::list_staff).post(super::staff::add_staff),
        )
        .route(
            "/shops/{id}/staff/{user}",
            delete(super::staff::remove_staff),
        )
        .route("/shops/{id}/staff/{user}/pin", put(super::staff::set_pin))
        .route(
            "/shops/{id}/locations",
            get(super::locations::list_locations).post(super::locations::add_location),
        )
        .route(
            "/shops/{id}/enrollment-codes",
            post(super::terminals::create_enrollment_code),
        )
        .route(
            "/shops/{id}/terminals",
            get(super::terminals::list_terminals),
        )
        .route(
            "/shops/{id}/terminals/{terminal}",
            delete(super::terminals::revoke_terminal),
        )
        .route("/terminals/enroll", post(super::terminals::enroll_terminal))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateShop {
    #[schema(value_type = crate::openapi::fields::Name)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    /// IANA zone; default UTC.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub opening_hours: Vec<OpeningHours>,
}

/// Creates a shop (company admins) within the company plan's shop limit.
#[utoipa::path(post, path = "/api/shops", tag = "shops", security(("bearer" = [])), request_body = CreateShop,
    responses((status = 201, body = ShopView), (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn create_shop(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<CreateShop>,
) -> ApiResult<(StatusCode, Json<ShopView>)> {
    p.require(Role::CompanyAdmin)?;
    let company_id = p.company()?.to_string();
    let name = check_name("name", &req.name)?;
    check_hours(&req.opening_hours)?;
    let plan = company::active_plan(&state, &company_id).await?;
    super::ensure_plan_lock(&state, &company_id).await?;
    let t = now();
    let shop = ShopDoc {
        id: uuid::Uuid::now_v7().to_string(),
        company_id,
        name,
        address: req.address.trim().to_string(),
        timezone: req.timezone.unwrap_or_else(|| "UTC".into()),
        opening_hours: req.opening_hours,
        status: "active".into(),
        created_at: t,
        updated_at: t,
    };
    let ctx = (state.clone(), shop.clone(), plan.max_shops, p.id.clone());
    state
        .write(ctx, |s, (state, shop, max, actor)| {
            Box::pin(async move {
                super::lock_plan_in(state, s, &shop.company_id).await?;
                let company = shops_in(state, &TenantScope::company(&shop.company_id));
                let n = company
                    .count_documents(doc! { "status": "active" })
                    .session(&mut *s)
                    .await?;
                if n >= u64::from(*max) {
                    return Err(ApiErrorBox::wrap(ApiError::conflict(
                        "plan_limit",
                        format!(
                            "your plan allows {max} shop(s); upgrade the plan or close a shop first"
                        ),
                    )));
                }
                company.insert_one(shop)?.session(&mut *s).await?;
                super::terminals::fill_config_in(state, s, &shop.company_id, &shop.id).await?;
                let event = Event::ShopCreated(payloads::ShopCreated {
                    shop_id: shop.id.clone(),
                    name: shop.name.clone(),
                })
                .message(Some(&shop.company_id), Some(actor));
                outbox::record(&db(state), s, &event).await
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(shop.into())))
}

#[utoipa::path(get, path = "/api/shops", tag = "shops", security(("bearer" = [])), params(Page), responses((status = 200, body = [ShopView])))]
pub async fn list_shops(
    State(state): State<AppState>,
    p: Principal,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ShopView>>> {
    p.require(Role::Cashier)?;
    if p.role == Role::PlatformAdmin {
        // Platform admins see tenants through /api/companies, not their shops' details.
        p.company()?;
    }
    let list = scoped_shops(&state, &p)
        .list(doc! { "status": "active" }, &page)
        .await?;
    Ok(Json(list.into_iter().map(ShopView::from).collect()))
}

#[utoipa::path(get, path = "/api/shops/{id}", tag = "shops", security(("bearer" = [])), responses((status = 200, body = ShopView), (status = 404, body = pos_shared::error::WireError)))]
pub async fn get_shop(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<ShopView>> {
    p.require(Role::Cashier)?;
    Ok(Json(
        visible_shop(&state, &p, &id.to_string()).await?.into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateShop {
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::fields::Name>)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64)]
    pub timezone: Option<String>,
}

#[utoipa::path(patch, path = "/api/shops/{id}", tag = "shops", security(("bearer" = [])), request_body = UpdateShop, responses((status = 200, body = ShopView), (status = 422, body = pos_shared::error::WireError)))]
pub async fn update_shop(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<UpdateShop>,
) -> ApiResult<Json<ShopView>> {
    p.require(Role::ShopManager)?;
    let mut set = doc! {};
    if let Some(n) = &req.name {
        set.insert("name", check_name("name", n)?);
    }
    if let Some(a) = &req.address {
        set.insert("address", a.trim());
    }
    if let Some(tz) = &req.timezone {
        if tz.is_empty() || tz.chars().count() > 64 {
            return Err(ApiError::invalid(
                "timezone",
                "must be an IANA zone such as Europe/Berlin",
            ));
        }
        set.insert("timezone", tz.as_str());
    }
    change(&state, &p, &id.to_string(), set).await?;
    Ok(Json(
        visible_shop(&state, &p, &id.to_string()).await?.into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct HoursRequest {
    pub opening_hours: Vec<OpeningHours>,
}

#[utoipa::path(put, path = "/api/shops/{id}/hours", tag = "shops", security(("bearer" = [])), request_body = HoursRequest, responses((status = 200, body = ShopView), (status = 422, body = pos_shared::error::WireError)))]
pub async fn put_hours(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<HoursRequest>,
) -> ApiResult<Json<ShopView>> {
    p.require(Role::ShopManager)?;
    check_hours(&req.opening_hours)?;
    let hours = bson::to_bson(&req.opening_hours).map_err(|e| ApiError::Internal(e.into()))?;
    change(&state, &p, &id.to_string(), doc! { "opening_hours": hours }).await?;
    Ok(Json(
        visible_shop(&state, &p, &id.to_string()).await?.into(),
    ))
}

/// Closes a shop (company admins). Its history stays; it no longer counts against the plan.
#[utoipa::path(delete, path = "/api/shops/{id}", tag = "shops", security(("bearer" = [])), responses((status = 204), (status = 404, body = pos_shared::error::WireError)))]
pub async fn delete_shop(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    p.require(Role::CompanyAdmin)?;
    change(&state, &p, &id.to_string(), doc! { "status": "closed" }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Applies `set` to a visible shop and records `shop.updated` in one transaction.
async fn change(state: &AppState, p: &Principal, id: &str, mut set: Document) -> ApiResult<()> {
    let shop = visible_shop(state, p, id).await?;
    let changed: Vec<String> = set.keys().cloned().collect();
    set.insert("updated_at", now());
    let ctx = (
        state.clone(),
        scoped_shops(state, p),
        shop,
        set,
        changed,
        p.id.clone(),
    );
    state
        .write(ctx, |s, (state, scoped, shop, set, changed, actor)| {
            Box::pin(async move {
                scoped
                    .update_one_in(doc! { "_id": &shop.id }, doc! { "$set": set.clone() }, s)
                    .await?;
                let event = Event::ShopUpdated(payloads::ShopUpdated {
                    shop_id: shop.id.clone(),
                    changed: changed.clone(),
                })
                .message(Some(&shop.company_id), Some(actor));
                outbox::record(&db(state), s, &event).await
            })
        })
        .await
}
