//! Stock locations of a shop: the sales floor, back rooms and warehouses.

use axum::{
    Json,
    extract::{Query, State},
    http::StatusCode,
};
use mongodb::bson::{DateTime, doc};
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::visible_shop;
use crate::{
    db::{now, rfc3339},
    error::{ApiError, ApiResult},
    gateway::{
        extract::{ApiJson, IdPath},
        paging::Page,
        principal::Principal,
        tenancy::Scoped,
    },
    services::auth::routes::check_name,
    state::AppState,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocationDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub company_id: String,
    pub shop_id: String,
    pub name: String,
    /// `store` (sellable floor) or `warehouse`.
    pub kind: String,
    pub created_at: DateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    pub id: String,
    pub shop_id: String,
    pub name: String,
    pub kind: String,
    pub created_at: String,
}

impl From<LocationDoc> for LocationView {
    fn from(l: LocationDoc) -> Self {
        Self {
            id: l.id,
            shop_id: l.shop_id,
            name: l.name,
            kind: l.kind,
            created_at: rfc3339(l.created_at),
        }
    }
}

pub fn locations(state: &AppState, p: &Principal) -> Scoped<LocationDoc> {
    crate::store::scoped(&state.mongo, &crate::store::LOCATIONS, &p.scope())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddLocation {
    #[schema(value_type = crate::openapi::fields::Name)]
    pub name: String,
    /// `store` or `warehouse`.
    #[schema(value_type = crate::openapi::fields::LocationKind)]
    pub kind: String,
}

#[utoipa::path(post, path = "/api/shops/{id}/locations", tag = "shops", security(("bearer" = [])), request_body = AddLocation, responses((status = 201, body = LocationView), (status = 422, body = pos_shared::error::WireError)))]
pub async fn add_location(
    State(state): State<AppState>,
    p: Principal,
    IdPath(shop_id): IdPath,
    ApiJson(req): ApiJson<AddLocation>,
) -> ApiResult<(StatusCode, Json<LocationView>)> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &shop_id.to_string()).await?;
    if req.kind != "store" && req.kind != "warehouse" {
        return Err(ApiError::invalid("kind", "must be store or warehouse"));
    }
    let loc = LocationDoc {
        id: uuid::Uuid::now_v7().to_string(),
        company_id: shop.company_id,
        shop_id: shop.id,
        name: check_name("name", &req.name)?,
        kind: req.kind,
        created_at: now(),
    };
    locations(&state, &p).insert_one(&loc)?.await?;
    Ok((StatusCode::CREATED, Json(loc.into())))
}

#[utoipa::path(get, path = "/api/shops/{id}/locations", tag = "shops", security(("bearer" = [])), params(Page), responses((status = 200, body = [LocationView])))]
pub async fn list_locations(
    State(state): State<AppState>,
    p: Principal,
    IdPath(shop_id): IdPath,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<LocationView>>> {
    p.require(Role::Cashier)?;
    let shop = visible_shop(&state, &p, &shop_id.to_string()).await?;
    let list = locations(&state, &p)
        .list(doc! { "shop_id": shop.id }, &page)
        .await?;
    Ok(Json(list.into_iter().map(LocationView::from).collect()))
}
