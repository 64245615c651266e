//! The stock ledger: signed movements, and balances that always equal their sum.
//!
//! A batch of movements for one shop is applied with a fixed number of round trips
//! whatever its size: read the touched balances, insert the movements, replace the touched
//! balances with their new values, and append one stock-stream change per product. All of
//! it runs inside the caller's transaction, so a concurrent writer of the same balances
//! conflicts and retries instead of losing an increment. A balance falling to its
//! product's reorder level records `inventory.low_stock` in the same transaction.

use std::collections::{BTreeMap, HashMap};

use futures::TryStreamExt;
use mongodb::{
    ClientSession,
    bson::{DateTime, Document, doc},
};
use pos_shared::sync::{ChangeOp, StockBalance};

use super::{balances, db, movements};
use crate::{
    events::{Event, outbox, payloads},
    state::AppState,
    streams,
};

/// One signed change of stock.
#[derive(Debug, Clone)]
pub struct Movement {
    /// Unique and derived from its source (event id + line), so a replay cannot double it.
    pub id: String,
    pub product_id: String,
    /// Thousandths of a unit; negative when goods leave.
    pub delta_milli: i64,
    /// `sale`, `refund`, `adjustment`, `opening`...
    pub reason: String,
    pub source_event: Option<String>,
    pub terminal_id: Option<String>,
}

fn balance_id(shop_id: &str, product_id: &str) -> String {
    format!("{shop_id}:{product_id}")
}

/// Applies `moves` to one shop's stock; returns the balance right after each movement, in
/// order (how callers tell which sale took stock below zero).
pub async fn apply(
    state: &AppState,
    s: &mut ClientSession,
    company_id: &str,
    shop_id: &str,
    moves: &[Movement],
    at: DateTime,
) -> mongodb::error::Result<Vec<i64>> {
    if moves.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = moves
        .iter()
        .map(|m| balance_id(shop_id, &m.product_id))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let scope = super::shop_scope(company_id, shop_id);
    let existing: Vec<Document> = balances(state, &scope)
        .find(doc! { "_id": { "$in": &ids } })
        .session(&mut *s)
        .await?
        .stream(&mut *s)
        .try_collect()
        .await?;
    let mut on_hand: HashMap<String, i64> = existing
        .iter()
        .filter_map(|d| {
            Some((
                d.get_str("product_id").ok()?.to_string(),
                d.get_i64("on_hand_milli").ok()?,
            ))
        })
        .collect();
    let before: HashMap<String, i64> = on_hand.clone();
    // Units held for web orders (`reservations`) ride along when a balance is rewritten.
    let reserved: HashMap<String, i64> = existing
        .iter()
        .filter_map(|d| {
            Some((
                d.get_str("product_id").ok()?.to_string(),
                d.get_i64("reserved_milli").ok()?,
            ))
        })
        .collect();
    let mut after = Vec::with_capacity(moves.len());
    // BTreeMap: the stream lists products in a stable order.
    let mut touched: BTreeMap<&str, i64> = BTreeMap::new();
    for m in moves {
        let bal = on_hand.entry(m.product_id.clone()).or_insert(0);
        *bal += m.delta_milli;
        after.push(*bal);
        touched.insert(&m.product_id, *bal);
    }
    let docs: Vec<Document> = moves
        .iter()
        .map(|m| {
            doc! {
                "_id": &m.id, "company_id": company_id, "shop_id": shop_id,
                "product_id": &m.product_id, "delta_milli": m.delta_milli, "reason": &m.reason,
                "source_event": &m.source_event, "terminal_id": &m.terminal_id, "at": at,
            }
        })
        .collect();
    movements(state, &scope)
        .insert_many(&docs)?
        .session(&mut *s)
        .await?;
    balances(state, &scope)
        .delete_many(doc! { "_id": { "$in": &ids } })
        .session(&mut *s)
        .await?;
    let new_docs: Vec<Document> = touched
        .iter()
        .map(|(product_id, bal)| {
            doc! {
                "_id": balance_id(shop_id, product_id), "company_id": company_id,
                "shop_id": shop_id, "product_id": *product_id, "on_hand_milli": *bal,
                "reserved_milli": reserved.get(*product_id).copied().unwrap_or(0),
                "updated_at": at,
            }
        })
        .collect();
    balances(state, &scope)
        .insert_many(&new_docs)?
        .session(&mut *s)
        .await?;
    let changes: Vec<streams::NewChange> = touched
        .iter()
        .map(|(product_id, bal)| streams::NewChange {
            entity: "balance",
            id: (*product_id).to_string(),
            op: ChangeOp::Upsert,
            data: serde_json::to_value(StockBalance {
                product_id: (*product_id).to_string(),
                on_hand_milli: *bal,
            })
            .ok(),
        })
        .collect();
    streams::append_many(&db(state), s, &streams::stock_key(shop_id), &changes).await?;
    announce_low_stock(state, s, company_id, shop_id, &ids, &before, &touched).await?;
    Ok(after)
}

/// Records `inventory.low_stock` for each product whose balance fell to or below its
/// reorder level in this write (once per crossing, not on every sale below it).
async fn announce_low_stock(
    state: &AppState,
    s: &mut ClientSession,
    company_id: &str,
    shop_id: &str,
    ids: &[String],
    before: &HashMap<String, i64>,
    touched: &BTreeMap<&str, i64>,
) -> mongodb::error::Result<()> {
    let levels: Vec<Document> =
        super::reorder_levels(state, &super::shop_scope(company_id, shop_id))
            .find(doc! { "_id": { "$in": ids } })
            .session(&mut *s)
            .await?
            .stream(&mut *s)
            .try_collect()
            .await?;
    for level in &levels {
        let (Ok(product_id), Ok(level_milli)) =
            (level.get_str("product_id"), level.get_i64("level_milli"))
        else {
            continue;
        };
        let was = before.get(product_id).copied().unwrap_or(0);
        let Some(&now_milli) = touched.get(product_id) else {
            continue;
        };
        if was > level_milli && now_milli <= level_milli {
            let event = Event::LowStock(payloads::LowStock {
                shop_id: shop_id.to_string(),
                product_id: product_id.to_string(),
                on_hand_milli: now_milli,
                level_milli,
            })
            .message(Some(company_id), None);
            outbox::record(&db(state), s, &event).await?;
        }
    }
    Ok(())
}

/// Current balances of `product_ids` in a shop of `company_id` (missing products have 0).
pub async fn on_hand(
    state: &AppState,
    company_id: &str,
    shop_id: &str,
    product_ids: &[String],
) -> mongodb::error::Result<HashMap<String, i64>> {
    let ids: Vec<String> = product_ids.iter().map(|p| balance_id(shop_id, p)).collect();
    let docs: Vec<Document> = balances(state, &super::shop_scope(company_id, shop_id))
        .find(doc! { "_id": { "$in": ids } })
        .await?
        .try_collect()
        .await?;
    Ok(docs
        .iter()
        .filter_map(|d| {
            Some((
                d.get_str("product_id").ok()?.to_string(),
                d.get_i64("on_hand_milli").ok()?,
            ))
        })
        .collect())
}
