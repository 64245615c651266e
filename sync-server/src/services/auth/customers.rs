//! A storefront's customers: self-registration into one company (role `customer`, the
//! least rights: no staff endpoint, only its own web orders).

use axum::{Json, extract::State, http::StatusCode};
use mongodb::bson::doc;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    accounts, passwords,
    routes::{Session, check_name, open_customer},
};
use crate::{
    error::{ApiError, ApiResult},
    gateway::extract::ApiJson,
    services::company,
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerRegistration {
    /// The company whose storefront this is.
    pub company_id: String,
    #[schema(value_type = crate::openapi::fields::Email)]
    pub email: String,
    #[schema(value_type = crate::openapi::fields::Password)]
    pub password: String,
    #[schema(value_type = crate::openapi::fields::Name)]
    pub name: String,
}

/// Self-service sign-up of a customer of one company's storefront. The account belongs to
/// that company (its orders are the company's), but the token opens no staff endpoint.
#[utoipa::path(post, path = "/api/auth/customers/register", tag = "auth", request_body = CustomerRegistration,
    responses((status = 201, body = Session), (status = 404, body = pos_shared::error::WireError),
        (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError),
        (status = 429, body = pos_shared::error::WireError)))]
pub async fn register_customer(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CustomerRegistration>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let email = accounts::normalize_email(&req.email)?;
    let name = check_name("name", &req.name)?;
    passwords::check_password(&req.password)?;
    state.logins.check(&format!("register:{email}"))?;
    // Only an active company sells; a suspended or unknown one answers the same 404.
    let active = company::companies(&state)
        .find_one(doc! { "_id": req.company_id.trim(), "status": "active" })
        .await?
        .ok_or_else(|| ApiError::not_found("company"))?;
    open_customer(&state, email, name, req.password, Some(active.id)).await
}
