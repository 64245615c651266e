//! A paid web order leaves the shelf: its held units become `sale` movements in the
//! tills' stock ledger and stop being held, in one transaction, once per order.

use mongodb::{
    ClientSession,
    bson::{Document, doc},
};

use super::{balances, ledger, reservations::reservations, shop_scope};
use crate::{db::now, state::AppState};

/// Sells what `order_id` holds, if it holds anything (a payment of no web order, or a
/// redelivered capture, finds nothing held and changes nothing).
pub async fn sell(
    state: &AppState,
    company: &str,
    order_id: &str,
    shop: &str,
) -> anyhow::Result<()> {
    let ctx = (
        state.clone(),
        company.to_owned(),
        order_id.to_owned(),
        shop.to_owned(),
    );
    state
        .write(ctx, |s, (state, company, order, shop)| {
            Box::pin(async move { sell_in(state, s, company, order, shop).await })
        })
        .await
        .map_err(|e| anyhow::anyhow!("selling a web order's reservation: {e:?}"))
}

async fn sell_in(
    state: &AppState,
    s: &mut ClientSession,
    company: &str,
    order: &str,
    shop: &str,
) -> mongodb::error::Result<()> {
    let scope = shop_scope(company, shop);
    let held = reservations(state, &scope);
    let Some(r) = held
        .find_one(doc! { "_id": order, "status": "held" })
        .session(&mut *s)
        .await?
    else {
        return Ok(());
    };
    let lines: Vec<(String, i64)> = r
        .get_array("lines")
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_document())
                .filter_map(line)
                .collect()
        })
        .unwrap_or_default();
    // Released first, so the ledger's rewrite of each balance carries the lower hold.
    for (product, milli) in &lines {
        balances(state, &scope)
            .update_one(
                doc! { "product_id": product },
                doc! { "$inc": { "reserved_milli": -milli } },
            )
            .session(&mut *s)
            .await?;
    }
    let moves: Vec<ledger::Movement> = lines
        .iter()
        .enumerate()
        .map(|(i, (product, milli))| ledger::Movement {
            id: format!("web:{order}:{i}"),
            product_id: product.clone(),
            delta_milli: -milli,
            reason: "sale".into(),
            source_event: Some(order.to_owned()),
            terminal_id: None,
        })
        .collect();
    let t = now();
    ledger::apply(state, s, company, shop, &moves, t).await?;
    held.update_one(
        doc! { "_id": order },
        doc! { "$set": { "status": "sold", "sold_at": t } },
    )
    .session(&mut *s)
    .await?;
    Ok(())
}

fn line(d: &Document) -> Option<(String, i64)> {
    Some((
        d.get_str("product_id").ok()?.to_owned(),
        d.get_i64("quantity_milli").ok()?,
    ))
}
