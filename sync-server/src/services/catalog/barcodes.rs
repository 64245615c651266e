//! The barcode registry: one document per (company, barcode) keyed by `_id`, so "is this
//! code free?" is a primary-key insert, not a scan of the products' barcode arrays (which
//! grew with the catalog and, on a 50,000-product import, outlasted the transaction).

use mongodb::{
    ClientSession,
    bson::{Document, doc},
};

use super::ProductDoc;
use crate::{
    error::{ApiError, ApiErrorBox, is_duplicate_key},
    gateway::tenancy::{Scoped, TenantScope},
    state::AppState,
    store::{self, System},
};

/// The codes of one company.
fn registry(state: &AppState, company_id: &str) -> Scoped<Document> {
    store::scoped(
        &state.mongo,
        &store::BARCODES,
        &TenantScope::company(company_id),
    )
}

fn key(company_id: &str, code: &str) -> String {
    format!("{company_id}:{code}")
}

/// Makes `products`' codes theirs, inside the caller's transaction: codes they held
/// before are released first (an edit may drop or keep them); a code another product
/// holds refuses the whole write with 409 `barcode_taken`. The products are of one
/// company (a write never spans two; codes of another would be refused).
pub async fn claim(
    state: &AppState,
    s: &mut ClientSession,
    products: &[ProductDoc],
) -> mongodb::error::Result<()> {
    let Some(first) = products.first() else {
        return Ok(());
    };
    let registry = registry(state, &first.company_id);
    let ids: Vec<&str> = products.iter().map(|p| p.id.as_str()).collect();
    registry
        .delete_many(doc! { "product_id": { "$in": &ids } })
        .session(&mut *s)
        .await?;
    let docs: Vec<Document> = products
        .iter()
        .filter(|p| p.active)
        .flat_map(|p| {
            p.barcodes.iter().map(|code| {
                doc! { "_id": key(&p.company_id, code), "company_id": &p.company_id,
                "code": code, "product_id": &p.id }
            })
        })
        .collect();
    if docs.is_empty() {
        return Ok(());
    }
    match registry.insert_many(&docs)?.session(&mut *s).await {
        Ok(_) => Ok(()),
        Err(e) if is_duplicate_key(&e) => Err(ApiErrorBox::wrap(ApiError::conflict(
            "barcode_taken",
            "a barcode is already used by another product of this company",
        ))),
        Err(e) => Err(e),
    }
}

pub async fn ensure_indexes(state: &AppState) -> mongodb::error::Result<()> {
    store::system::<Document>(&state.mongo, &store::BARCODES, System::Indexes)
        .create_index(
            mongodb::IndexModel::builder()
                .keys(doc! { "product_id": 1 })
                .build(),
        )
        .await?;
    Ok(())
}
