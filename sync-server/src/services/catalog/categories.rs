//! The company's categories: the names its products carry, with how many products on sale
//! each has. Managers pick from them (a "15 % off dairy" promotion names one); a category
//! exists while a product carries it, so there is nothing to create or delete.
//!
//! The counts are kept as products are written, not made when asked: a `$group` over the
//! company's products on every request took seconds with 100,000 products, and SecantusDB
//! serialises operations, so the whole portal waited for it (issue 23). `category_counts`
//! holds one document per company and category (`_id` = `{company}:{category}`,
//! `products` = how many active products carry it), changed with `$inc` inside the
//! transaction that writes the products ([`apply_in`]); a transaction that is retried
//! runs again from its start, so a retried write counts once. Beside them one mark per
//! company (`_id` = the company id) says its counts are kept. A company without the mark
//! (a store from before the counts, or products written by something that does not keep
//! them, such as the demo seeding) is counted whole once ([`recount_in`]): at start-up in
//! a store that has no counts at all ([`backfill`]), or else by the first write or read
//! that finds the mark missing.

use std::collections::BTreeMap;

use axum::{Json, extract::State};
use futures::TryStreamExt;
use mongodb::{
    ClientSession,
    bson::{Bson, Document, doc},
};
use pos_shared::role::Role;
use serde::Serialize;
use utoipa::ToSchema;

use super::ProductDoc;
use crate::{
    db::now,
    error::ApiResult,
    gateway::{
        principal::Principal,
        tenancy::{Scoped, TenantScope},
    },
    state::AppState,
    store::{self, System},
};

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
    let company = p.company()?;
    let mut docs = read(&state, company).await?;
    if !docs.iter().any(is_mark) {
        recount(&state, company).await?;
        docs = read(&state, company).await?;
    }
    let mut list: Vec<Category> = docs
        .iter()
        .filter_map(|d| {
            Some(Category {
                name: d.get_str("category").ok()?.to_owned(),
                products: number(d.get("products")?)?,
            })
        })
        .filter(|c| c.products > 0)
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(list))
}

/// The count documents and mark of `company`.
async fn read(state: &AppState, company: &str) -> mongodb::error::Result<Vec<Document>> {
    counts(state, company)
        .find(doc! {})
        .await?
        .try_collect()
        .await
}

fn counts(state: &AppState, company: &str) -> Scoped<Document> {
    store::scoped(
        &state.mongo,
        &store::CATEGORY_COUNTS,
        &TenantScope::company(company),
    )
}

fn key(company: &str, category: &str) -> String {
    format!("{company}:{category}")
}

/// The mark has no category.
fn is_mark(d: &Document) -> bool {
    !d.contains_key("category")
}

fn number(b: &Bson) -> Option<i64> {
    match b {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        _ => None,
    }
}

/// The category a product counts in: its own, while it is on sale.
fn counted(p: &ProductDoc) -> Option<&str> {
    if p.active {
        p.category.as_deref()
    } else {
        None
    }
}

/// How one transaction's product writes move the counts of their company.
#[derive(Debug, Default)]
pub struct Tally(BTreeMap<String, i64>);

impl Tally {
    /// `after` was written over `before` (`None`: it is new).
    pub fn wrote(&mut self, before: Option<&ProductDoc>, after: &ProductDoc) {
        if let Some(c) = before.and_then(counted) {
            *self.0.entry(c.to_owned()).or_default() -= 1;
        }
        if let Some(c) = counted(after) {
            *self.0.entry(c.to_owned()).or_default() += 1;
        }
    }
}

/// Makes sure `company`'s counts are kept, inside the caller's transaction and before it
/// writes products: a company without the mark is counted whole first (cheap for a new
/// company, which has none yet), so [`apply_in`] moves counts that hold.
pub async fn ensure_in(
    state: &AppState,
    s: &mut ClientSession,
    company: &str,
) -> mongodb::error::Result<()> {
    let mark = counts(state, company)
        .find_one_in(doc! { "_id": company }, s)
        .await?;
    if mark.is_none() {
        recount_in(state, s, company).await?;
    }
    Ok(())
}

/// Moves `company`'s counts by `tally`, inside the transaction that wrote the products.
pub async fn apply_in(
    state: &AppState,
    s: &mut ClientSession,
    company: &str,
    tally: &Tally,
) -> mongodb::error::Result<()> {
    let coll = counts(state, company);
    for (category, by) in tally.0.iter().filter(|(_, by)| **by != 0) {
        coll.update_one(
            doc! { "_id": key(company, category) },
            doc! { "$inc": { "products": by }, "$setOnInsert": { "category": category } },
        )
        .upsert(true)
        .session(&mut *s)
        .await?;
    }
    Ok(())
}

/// Counts `company`'s products on sale per category and stores the counts and the mark in
/// place of what was there, inside the caller's transaction.
pub async fn recount_in(
    state: &AppState,
    s: &mut ClientSession,
    company: &str,
) -> mongodb::error::Result<()> {
    let scope = TenantScope::company(company);
    let groups: Vec<Document> = super::products_in(state, &scope)
        .aggregate(vec![
            doc! { "$match": { "active": true, "category": { "$type": "string" } } },
            doc! { "$group": { "_id": "$category", "products": { "$sum": 1 } } },
        ])
        .session(&mut *s)
        .await?
        .stream(&mut *s)
        .try_collect()
        .await?;
    let coll = counts(state, company);
    coll.delete_many(doc! {}).session(&mut *s).await?;
    let mut docs = vec![doc! { "_id": company, "company_id": company, "counted_at": now() }];
    docs.extend(groups.iter().filter_map(|g| {
        let name = g.get_str("_id").ok()?;
        Some(doc! {
            "_id": key(company, name), "company_id": company, "category": name,
            "products": number(g.get("products")?)?,
        })
    }));
    coll.insert_many(&docs)?.session(&mut *s).await?;
    Ok(())
}

/// [`recount_in`] in a transaction of its own.
pub async fn recount(state: &AppState, company: &str) -> ApiResult<()> {
    let ctx = (state.clone(), company.to_owned());
    state
        .mongo
        .transact(ctx, |s, (state, company)| {
            Box::pin(recount_in(state, s, company))
        })
        .await
}

/// A store whose products were written before the counts existed has products and no
/// counts: each company is counted once here, at start-up, so no manager's first read
/// waits for it. A store with any counts is left alone (a company still without its mark
/// is counted by its first write or read). Counting in one transaction per company makes
/// two servers starting at once agree.
pub async fn backfill(state: &AppState) -> anyhow::Result<()> {
    let kept = store::system::<Document>(&state.mongo, &store::CATEGORY_COUNTS, System::Backfill)
        .find_one(doc! {})
        .await?;
    if kept.is_some() {
        return Ok(());
    }
    let companies = store::system::<Document>(&state.mongo, &store::PRODUCTS, System::Backfill)
        .distinct("company_id", doc! {})
        .await?;
    for company in companies.iter().filter_map(Bson::as_str) {
        recount(state, company)
            .await
            .map_err(|e| anyhow::anyhow!("counting the categories of {company}: {e:?}"))?;
        tracing::info!(company, "catalog: category counts made from the products");
    }
    Ok(())
}

/// `{company_id, category}`: a company's counts are one range.
pub async fn ensure_indexes(state: &AppState) -> mongodb::error::Result<()> {
    store::system::<Document>(&state.mongo, &store::CATEGORY_COUNTS, System::Indexes)
        .create_index(
            mongodb::IndexModel::builder()
                .keys(doc! { "company_id": 1, "category": 1 })
                .build(),
        )
        .await?;
    Ok(())
}
