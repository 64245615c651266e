//! The product list's pages without a search: keyset reads over page marks.
//!
//! SecantusDB fetches every document a filter's index range covers before it sorts and
//! limits, so `find({company_id, active}).sort({sku}).skip().limit(50)` read the whole
//! catalog (100,000 products: seconds) for every page. Here the list keeps, per company,
//! the SKU of every 50th active product (`product_marks`, one small document) tagged with
//! the catalog stream's head it was made at; a page is then one bounded range of the
//! `{company_id, active, sku}` index: `[mark(offset), mark(offset + limit) + 50)`. Every
//! catalog write moves the catalog stream's head (they all record their change in the
//! same transaction), so marks made at another head are stale and are made again from
//! the SKUs (one read of the catalog); a write between reading the head and reading the
//! SKUs makes marks newer than their tag, which only costs one more remake.

use futures::TryStreamExt;
use mongodb::bson::{Document, doc};

use super::{ProductDoc, db, products_in};
use crate::{
    gateway::{paging::Page, tenancy::TenantScope},
    state::AppState,
    store, streams,
};

/// Active products between two marks.
const STEP: usize = 50;

/// The marks of `company` at the catalog's current head.
async fn marks(state: &AppState, company: &str) -> mongodb::error::Result<Vec<String>> {
    let db = db(state);
    let scope = TenantScope::company(company);
    // Keyed by the company id: the scope alone names the one document.
    let marks = store::scoped::<Document>(&state.mongo, &store::PRODUCT_MARKS, &scope);
    let head = streams::head(&db, &streams::catalog_key(company)).await?;
    let stored = marks.find_one(doc! {}).await?;
    if let Some(d) = stored.filter(|d| d.get_i64("head").ok() == Some(head)) {
        return Ok(d
            .get_array("marks")
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default());
    }
    let rows: Vec<Document> = products_in(state, &scope)
        .with_type::<Document>()
        .find(doc! { "active": true })
        .projection(doc! { "_id": 0, "sku": 1 })
        .await?
        .try_collect()
        .await?;
    let mut skus: Vec<String> = rows
        .iter()
        .filter_map(|d| d.get_str("sku").ok().map(str::to_owned))
        .collect();
    skus.sort_unstable();
    let list: Vec<String> = skus.into_iter().step_by(STEP).collect();
    let stored = doc! { "_id": company, "head": head, "marks": &list };
    marks.replace_one(doc! {}, &stored)?.upsert(true).await?;
    Ok(list)
}

/// Active products of `company` by SKU, `page.offset` skipped, at most `page.limit`.
pub async fn page(
    state: &AppState,
    company: &str,
    page: &Page,
) -> mongodb::error::Result<Vec<ProductDoc>> {
    let marks = marks(state, company).await?;
    let offset = usize::try_from(page.offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(page.limit_i64()).unwrap_or(50);
    let first = offset / STEP;
    let Some(lo) = marks.get(first) else {
        return Ok(Vec::new());
    };
    let mut sku = doc! { "$gte": lo };
    if let Some(hi) = marks.get(offset.saturating_add(limit).div_ceil(STEP)) {
        sku.insert("$lt", hi);
    }
    let mut docs: Vec<ProductDoc> = products_in(state, &TenantScope::company(company))
        .find(doc! { "active": true, "sku": sku })
        .await?
        .try_collect()
        .await?;
    docs.sort_by(|a, b| a.sku.cmp(&b.sku));
    Ok(docs
        .into_iter()
        .skip(offset - first * STEP)
        .take(limit)
        .collect())
}
