//! Company endpoints: platform admins manage tenants; company admins their own settings.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::StatusCode,
    routing::{get, put},
};
use mongodb::bson::{self, doc};
use pos_shared::role::Role;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    companies, db,
    model::{CompanyDoc, CompanyView, Plan, Settings, check_currency},
};
use crate::{
    db::now,
    error::{ApiError, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{
        extract::{ApiJson, IdPath},
        paging::Page,
        principal::Principal,
        tenancy::{Scoped, TenantKeys},
    },
    services::auth::{accounts, passwords, routes::check_name},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/companies", get(list_companies).post(create_company))
        .route(
            "/companies/{id}",
            get(get_company)
                .patch(update_company)
                .delete(delete_company),
        )
        .route(
            "/companies/{id}/settings",
            get(get_settings).put(put_settings),
        )
        .route("/companies/{id}/plan", put(put_plan))
}

const KEYS: TenantKeys = TenantKeys {
    company: "_id",
    shop: None,
};

fn scoped(state: &AppState, p: &Principal) -> Scoped<CompanyDoc> {
    Scoped::new(companies(state), &p.scope(), KEYS)
}

async fn load(state: &AppState, p: &Principal, id: &str) -> ApiResult<CompanyDoc> {
    scoped(state, p)
        .find_one(doc! { "_id": id, "status": { "$ne": "deleted" } })
        .await?
        .ok_or_else(|| ApiError::not_found("company"))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCompanyAdmin {
    #[schema(value_type = crate::openapi::fields::Email)]
    pub email: String,
    #[schema(value_type = crate::openapi::fields::Password)]
    pub password: String,
    #[schema(value_type = crate::openapi::fields::Name)]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateCompany {
    #[schema(value_type = crate::openapi::fields::Name)]
    pub name: String,
    /// ISO 4217; default EUR.
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::fields::CurrencyCode>)]
    pub currency: Option<String>,
    /// starter (default), business or enterprise.
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::fields::PlanName>)]
    pub plan: Option<String>,
    /// The company's first admin account.
    pub admin: NewCompanyAdmin,
}

/// Creates a tenant and its first company admin in one transaction (platform admins).
#[utoipa::path(post, path = "/api/companies", tag = "companies", security(("bearer" = [])), request_body = CreateCompany,
    responses((status = 201, body = CompanyView), (status = 403, body = pos_shared::error::WireError), (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn create_company(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<CreateCompany>,
) -> ApiResult<(StatusCode, Json<CompanyView>)> {
    p.require(Role::PlatformAdmin)?;
    let name = check_name("name", &req.name)?;
    let currency = check_currency(req.currency.as_deref().unwrap_or("EUR"))?;
    let plan = Plan::named(req.plan.as_deref().unwrap_or("starter"))?;
    let email = accounts::normalize_email(&req.admin.email)?;
    let admin_name = check_name("admin.name", &req.admin.name)?;
    passwords::check_password(&req.admin.password)?;
    let t = now();
    let company = CompanyDoc {
        id: uuid::Uuid::now_v7().to_string(),
        name,
        status: "active".into(),
        plan,
        settings: Settings::defaults(&currency),
        created_at: t,
        updated_at: t,
    };
    let admin = accounts::NewAccount {
        id: uuid::Uuid::now_v7().to_string(),
        email: Some(email),
        name: admin_name,
        password_hash: Some(passwords::hash_password(req.admin.password).await?),
        role: Role::CompanyAdmin,
        company_id: Some(company.id.clone()),
        shop_ids: Vec::new(),
        pin_hash: None,
    };
    let actor = p.id.clone();
    state
        .write(
            (state.clone(), company.clone(), admin, actor),
            |s, (state, company, admin, actor)| {
                Box::pin(async move {
                    companies(state)
                        .insert_one(&*company)
                        .session(&mut *s)
                        .await?;
                    let event = Event::CompanyCreated(payloads::CompanyCreated {
                        company_id: company.id.clone(),
                        name: company.name.clone(),
                        plan: company.plan.name.clone(),
                    })
                    .message(Some(&company.id), Some(actor));
                    outbox::record(&db(state), s, &event).await?;
                    accounts::create_in(state, s, admin, Some(actor)).await
                })
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(company.into())))
}

/// Platform admins see every company; everyone else only their own.
#[utoipa::path(get, path = "/api/companies", tag = "companies", security(("bearer" = [])), params(Page), responses((status = 200, body = [CompanyView])))]
pub async fn list_companies(
    State(state): State<AppState>,
    p: Principal,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<CompanyView>>> {
    p.require(Role::ShopManager)?;
    let list = scoped(&state, &p)
        .list(doc! { "status": { "$ne": "deleted" } }, &page)
        .await?;
    Ok(Json(list.into_iter().map(CompanyView::from).collect()))
}

#[utoipa::path(get, path = "/api/companies/{id}", tag = "companies", security(("bearer" = [])), responses((status = 200, body = CompanyView), (status = 404, body = pos_shared::error::WireError)))]
pub async fn get_company(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<CompanyView>> {
    p.require(Role::ShopManager)?;
    Ok(Json(load(&state, &p, &id.to_string()).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateCompany {
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::fields::Name>)]
    pub name: Option<String>,
    /// `active` or `suspended`; platform admins only.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^(active|suspended)$")]
    pub status: Option<String>,
}

#[utoipa::path(patch, path = "/api/companies/{id}", tag = "companies", security(("bearer" = [])), request_body = UpdateCompany, responses((status = 200, body = CompanyView), (status = 422, body = pos_shared::error::WireError)))]
pub async fn update_company(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<UpdateCompany>,
) -> ApiResult<Json<CompanyView>> {
    p.require(Role::CompanyAdmin)?;
    let id = id.to_string();
    load(&state, &p, &id).await?;
    let mut set = doc! { "updated_at": now() };
    if let Some(name) = &req.name {
        set.insert("name", check_name("name", name)?);
    }
    if let Some(status) = &req.status {
        p.require(Role::PlatformAdmin)?;
        if status != "active" && status != "suspended" {
            return Err(ApiError::invalid("status", "must be active or suspended"));
        }
        set.insert("status", status.clone());
    }
    update(&state, &p, &id, set, "company").await?;
    Ok(Json(load(&state, &p, &id).await?.into()))
}

/// Soft-deletes a tenant (platform admins): its data stays for audit, nobody can use it.
#[utoipa::path(delete, path = "/api/companies/{id}", tag = "companies", security(("bearer" = [])), responses((status = 204), (status = 404, body = pos_shared::error::WireError)))]
pub async fn delete_company(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    p.require(Role::PlatformAdmin)?;
    let id = id.to_string();
    load(&state, &p, &id).await?;
    update(
        &state,
        &p,
        &id,
        doc! { "status": "deleted", "updated_at": now() },
        "company",
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/companies/{id}/settings", tag = "companies", security(("bearer" = [])), responses((status = 200, body = Settings)))]
pub async fn get_settings(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<Settings>> {
    p.require(Role::Cashier)?;
    Ok(Json(load(&state, &p, &id.to_string()).await?.settings))
}

#[utoipa::path(put, path = "/api/companies/{id}/settings", tag = "companies", security(("bearer" = [])), request_body = Settings, responses((status = 200, body = CompanyView), (status = 422, body = pos_shared::error::WireError)))]
pub async fn put_settings(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    ApiJson(mut settings): ApiJson<Settings>,
) -> ApiResult<Json<CompanyView>> {
    p.require(Role::CompanyAdmin)?;
    settings.validate()?;
    let id = id.to_string();
    load(&state, &p, &id).await?;
    let value = bson::to_bson(&settings).map_err(|e| ApiError::Internal(e.into()))?;
    update(
        &state,
        &p,
        &id,
        doc! { "settings": value, "updated_at": now() },
        "settings",
    )
    .await?;
    Ok(Json(load(&state, &p, &id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanRequest {
    #[schema(value_type = crate::openapi::fields::AnyPlanName)]
    pub name: String,
    /// For `custom` plans (u32's whole range: utoipa alone would say int32).
    #[serde(default)]
    #[schema(format = Int64, minimum = 0, maximum = 4_294_967_295_u64)]
    pub max_shops: Option<u32>,
    #[serde(default)]
    #[schema(format = Int64, minimum = 0, maximum = 4_294_967_295_u64)]
    pub max_terminals: Option<u32>,
}

/// Changes a company's plan (platform admins). A `custom` plan needs `max_shops` and
/// `max_terminals` (422 without them).
#[utoipa::path(put, path = "/api/companies/{id}/plan", tag = "companies", security(("bearer" = [])), request_body = PlanRequest, responses((status = 200, body = CompanyView), (status = 422, body = pos_shared::error::WireError)))]
pub async fn put_plan(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<PlanRequest>,
) -> ApiResult<Json<CompanyView>> {
    p.require(Role::PlatformAdmin)?;
    let plan = match (req.name.as_str(), req.max_shops, req.max_terminals) {
        ("custom", Some(s), Some(t)) => Plan {
            name: "custom".into(),
            max_shops: s,
            max_terminals: t,
        },
        ("custom", _, _) => {
            return Err(ApiError::invalid(
                "max_shops",
                "a custom plan needs max_shops and max_terminals",
            ));
        }
        (name, _, _) => Plan::named(name)?,
    };
    let id = id.to_string();
    load(&state, &p, &id).await?;
    let value = bson::to_bson(&plan).map_err(|e| ApiError::Internal(e.into()))?;
    update(
        &state,
        &p,
        &id,
        doc! { "plan": value, "updated_at": now() },
        "plan",
    )
    .await?;
    Ok(Json(load(&state, &p, &id).await?.into()))
}

/// Applies `set` and records `company.updated` in one transaction; returns the new state.
async fn update(
    state: &AppState,
    p: &Principal,
    id: &str,
    set: mongodb::bson::Document,
    what: &str,
) -> ApiResult<()> {
    let changed: Vec<String> = set.keys().filter(|k| *k != "updated_at").cloned().collect();
    let scoped = scoped(state, p);
    let ctx = (
        state.clone(),
        scoped,
        id.to_string(),
        set,
        p.id.clone(),
        changed,
        what.to_string(),
    );
    state
        .write(ctx, |s, (state, scoped, id, set, actor, changed, what)| {
            Box::pin(async move {
                scoped
                    .update_one_in(doc! { "_id": &*id }, doc! { "$set": set.clone() }, s)
                    .await?;
                let event = Event::CompanyUpdated(payloads::CompanyUpdated {
                    company_id: id.to_string(),
                    changed: changed.clone(),
                    what: what.to_string(),
                })
                .message(Some(id), Some(actor));
                outbox::record(&db(state), s, &event).await
            })
        })
        .await
}
