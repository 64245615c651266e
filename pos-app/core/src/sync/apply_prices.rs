//! Applies `prices` stream changes (entity `price`, id = product id) inside the caller's
//! transaction: the shop's own price of a product, which every product read at this till
//! uses instead of the catalog price; a `delete` goes back to the catalog price.

use pos_shared::sync::{Change, ChangeOp, ShopPrice};
use serde::Deserialize;

use super::apply_catalog::Tally;
use super::pull::Applied;
use crate::error::CoreResult;
use crate::store::Tx;

pub(super) async fn apply_page(tx: &mut Tx, now_ms: i64, changes: &[Change]) -> CoreResult<Tally> {
    let mut tally = Tally::default();
    for change in changes {
        let applied = match read(change) {
            Ok(Some(price_minor)) => {
                sqlx::query(
                    "INSERT INTO shop_prices (product_id, price_minor, updated_at_ms)
                     VALUES (?, ?, ?)
                     ON CONFLICT (product_id) DO UPDATE SET price_minor = excluded.price_minor,
                         updated_at_ms = excluded.updated_at_ms",
                )
                .bind(&change.id)
                .bind(price_minor)
                .bind(now_ms)
                .execute(&mut **tx)
                .await?;
                Applied::Done
            }
            Ok(None) => {
                sqlx::query("DELETE FROM shop_prices WHERE product_id = ?")
                    .bind(&change.id)
                    .execute(&mut **tx)
                    .await?;
                Applied::Done
            }
            Err(why) => Applied::Skipped(why),
        };
        tally.count(change, &applied);
    }
    Ok(tally)
}

/// The shop price a change sets (`None`: back to the catalog price), or why it cannot be
/// used.
fn read(change: &Change) -> Result<Option<i64>, String> {
    if change.entity != "price" {
        return Err(format!("unknown entity `{}`", change.entity));
    }
    let price = match (change.op, &change.data) {
        (ChangeOp::Delete, _) => return Ok(None),
        (ChangeOp::Upsert, None) => return Err("upsert without data".into()),
        (ChangeOp::Upsert, Some(data)) => {
            ShopPrice::deserialize(data).map_err(|e| format!("unreadable price: {e}"))?
        }
    };
    if price.product_id != change.id {
        return Err(format!(
            "price of {} under change id {}",
            price.product_id, change.id
        ));
    }
    if price.price_minor < 0 {
        return Err(format!("negative price {}", price.price_minor));
    }
    Ok(Some(price.price_minor))
}
