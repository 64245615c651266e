//! The company's categories: the names its products carry, with how many products on sale
//! each has. Managers pick from them (a "15 % off dairy" promotion names one); a category
//! exists while a product carries it, so there is nothing to create or delete.

use axum::{Json, extract::State};
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use pos_shared::role::Role;
use serde::Serialize;
use utoipa::ToSchema;

use super::products;
use crate::{error::ApiResult, gateway::principal::Principal, state::AppState};

#[derive(Debug, Serialize, ToSchema)]
pub struct Category {
    pub name: String,
    /// Products on sale in it (variants count on their own).
    pub products: i64,
}

/// Categories of the caller's company, by name.
#[utoipa::path(get, path = "/api/catalog/categories", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = [Category])))]
pub async fn list_categories(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<Vec<Category>>> {
    p.require(Role::Cashier)?;
    let groups: Vec<Document> = products(&state)
        .aggregate(vec![
            doc! { "$match": {
                "company_id": p.company()?, "active": true, "category": { "$type": "string" },
            } },
            doc! { "$group": { "_id": "$category", "products": { "$sum": 1 } } },
            doc! { "$sort": { "_id": 1 } },
        ])
        .await?
        .try_collect()
        .await?;
    Ok(Json(
        groups
            .iter()
            .filter_map(|g| {
                Some(Category {
                    name: g.get_str("_id").ok()?.to_owned(),
                    products: match g.get("products")? {
                        mongodb::bson::Bson::Int32(n) => i64::from(*n),
                        mongodb::bson::Bson::Int64(n) => *n,
                        _ => return None,
                    },
                })
            })
            .collect(),
    ))
}
