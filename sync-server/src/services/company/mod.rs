//! The company service (companydb): tenants, their settings (currency, taxes, receipt
//! texts, locale) and subscription plans with the limits other services enforce.

pub mod model;
pub mod routes;

use mongodb::{Collection, Database, bson::doc};

use crate::{
    db::ServiceDb,
    error::{ApiError, ApiResult},
    events::outbox,
    state::AppState,
};
pub use model::{CompanyDoc, Plan};

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Company)
}

pub fn companies(state: &AppState) -> Collection<CompanyDoc> {
    crate::store::platform(&state.mongo, &crate::store::COMPANIES)
}

pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    outbox::ensure_indexes(&db(state)).await?;
    Ok(())
}

/// The plan limits of an active company: what shop and terminal creation check against.
/// (In a split deployment this is the company service's internal endpoint.)
pub async fn active_plan(state: &AppState, company_id: &str) -> ApiResult<Plan> {
    companies(state)
        .find_one(doc! { "_id": company_id, "status": "active" })
        .await?
        .map(|c| c.plan)
        .ok_or_else(|| {
            ApiError::forbidden("this company is not active; contact your Kassa provider")
        })
}

/// The settings of an active company (currency, tax rates): what the catalog resolves a
/// product's tax and currency from. (In a split deployment, an internal endpoint.)
pub async fn settings(state: &AppState, company_id: &str) -> ApiResult<model::Settings> {
    companies(state)
        .find_one(doc! { "_id": company_id, "status": "active" })
        .await?
        .map(|c| c.settings)
        .ok_or_else(|| {
            ApiError::forbidden("this company is not active; contact your Kassa provider")
        })
}

/// This service's registration: what the server runs of it (see `services::registry`).
pub const SERVICE: crate::services::Service = crate::services::Service::new(
    "company",
    ServiceDb::Company,
    routes::router,
    <Api as utoipa::OpenApi>::openapi,
)
.prepare("company", |st| Box::pin(async move { prepare(&st).await }))
.outbox();

/// This service's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    routes::create_company,
    routes::list_companies,
    routes::get_company,
    routes::update_company,
    routes::delete_company,
    routes::get_settings,
    routes::put_settings,
    routes::put_plan,
))]
struct Api;
