//! Recomputes a company's rollups from the stored orders and refunds: what the
//! incremental consumer must agree with (a test compares them), and the repair when a
//! rollup is in doubt. Event ids already applied stay recorded, so events delivered after
//! a rebuild still count once.

use futures::TryStreamExt;
use mongodb::bson::{Document, doc};

use super::facts::{Fact, RefundFacts, SaleFacts};
use super::{rollup, rollup_in, zone_of};
use crate::{gateway::tenancy::TenantScope, state::AppState};

/// Rebuilds every rollup of `company`; returns the sales and refunds counted. Meant as a
/// repair run while the analytics consumer is stopped: an event counted between reading
/// the orders and writing the figures would be overwritten. Restart the servers after it:
/// the dashboard keeps the rollup rows it read by their unit's event count, which a
/// rebuild does not move. Everything it reads and writes is scoped to `company`.
pub async fn company(state: &AppState, company: &str) -> anyhow::Result<(usize, usize)> {
    let scope = TenantScope::company(company);
    let sales: Vec<Document> = crate::services::sales::orders_in(state, &scope)
        .find(doc! { "channel": "pos" })
        .await?
        .try_collect()
        .await?;
    let refunds: Vec<Document> = crate::services::sales::refunds_in(state, &scope)
        .find(doc! {})
        .await?
        .try_collect()
        .await?;
    let mut bumps = Vec::new();
    for (docs, is_sale) in [(&sales, true), (&refunds, false)] {
        for d in docs {
            let shop = d.get_str("shop_id").unwrap_or_default().to_owned();
            let fact = if is_sale {
                Fact::Sale(mongodb::bson::from_document::<SaleFacts>(d.clone())?)
            } else {
                Fact::Refund(mongodb::bson::from_document::<RefundFacts>(d.clone())?)
            };
            let tz = zone_of(state, company, &shop).await;
            bumps.extend(rollup::bumps(company, &shop, &fact, &tz));
        }
    }
    write_final(state, &scope, &bumps).await?;
    Ok((sales.len(), refunds.len()))
}

/// Each counter's final value, written whole (the store's transactions do not take a
/// delete of many documents, so this is per document, in place), then the counters the
/// orders no longer give are removed.
async fn write_final(
    state: &AppState,
    scope: &TenantScope,
    bumps: &[rollup::Bump],
) -> anyhow::Result<()> {
    let mut finals: std::collections::BTreeMap<(&str, &str), Document> =
        std::collections::BTreeMap::new();
    for b in bumps {
        let d = finals
            .entry((b.collection, b.id.as_str()))
            .or_insert_with(|| {
                let mut d = b.set.clone();
                d.insert("_id", &b.id);
                d
            });
        rollup::fold(d, b);
    }
    for ((collection, id), d) in &finals {
        rollup_in(&state.mongo, collection, scope)?
            .replace_one(doc! { "_id": *id }, d)?
            .upsert(true)
            .await?;
    }
    for c in rollup::ALL {
        let keep: Vec<&str> = finals
            .keys()
            .filter(|(col, _)| *col == c)
            .map(|(_, id)| *id)
            .collect();
        rollup_in(&state.mongo, c, scope)?
            .delete_many(doc! { "_id": { "$nin": keep } })
            .await?;
    }
    Ok(())
}
