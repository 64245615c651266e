//! Applies `promotions` stream changes (entity `promotion`, id = promotion id) inside the
//! caller's transaction: the company's promotions become rows of the local `promotions`
//! table that checkout applies while they run. A promotion for other shops, or one a
//! manager ended, is kept switched off rather than deleted, like every other record.

use pos_shared::Currency;
use pos_shared::catalog::{Promotion, PromotionRule};
use pos_shared::ids::{CategoryId, ProductId, PromotionId};
use pos_shared::money::Money;
use pos_shared::sync::{Change, ChangeOp, CompanyPromotion, PromotionTerms};
use serde::Deserialize;

use super::apply_catalog::Tally;
use super::pull::Applied;
use super::settings::SHOP_ID;
use crate::catalog;
use crate::error::CoreResult;
use crate::store::{Tx, get_setting};

pub(super) async fn apply_page(
    tx: &mut Tx,
    currency: &str,
    changes: &[Change],
) -> CoreResult<Tally> {
    let shop = get_setting(&mut **tx, SHOP_ID).await?.unwrap_or_default();
    let mut tally = Tally::default();
    for change in changes {
        let applied = match read(change) {
            Err(why) => Applied::Skipped(why),
            Ok(Some(p)) if p.shop_ids.is_empty() || p.shop_ids.contains(&shop) => {
                match to_rule(tx, currency, p).await? {
                    Ok((promotion, starts, ends)) => {
                        store(tx, &promotion, starts, ends).await?;
                        Applied::Done
                    }
                    Err(why) => Applied::Skipped(why),
                }
            }
            // Ended, or moved to other shops: off here, kept for history.
            Ok(_) => {
                sqlx::query("UPDATE promotions SET active = 0 WHERE id = ? AND active = 1")
                    .bind(&change.id)
                    .execute(&mut **tx)
                    .await?;
                Applied::Done
            }
        };
        tally.count(change, &applied);
    }
    Ok(tally)
}

/// The promotion a change states (`None`: ended), or why it cannot be used.
fn read(change: &Change) -> Result<Option<CompanyPromotion>, String> {
    if change.entity != "promotion" {
        return Err(format!("unknown entity `{}`", change.entity));
    }
    match (change.op, &change.data) {
        (ChangeOp::Delete, _) => Ok(None),
        (ChangeOp::Upsert, None) => Err("upsert without data".into()),
        (ChangeOp::Upsert, Some(data)) => {
            let p = CompanyPromotion::deserialize(data)
                .map_err(|e| format!("unreadable promotion: {e}"))?;
            if p.promotion_id != change.id {
                return Err(format!(
                    "promotion {} under change id {}",
                    p.promotion_id, change.id
                ));
            }
            Ok(Some(p))
        }
    }
}

type Scheduled = (Promotion, Option<i64>, Option<i64>);

/// The checkout rule of a company promotion: categories by name become this till's
/// category rows (created when the catalog has not brought them yet).
async fn to_rule(
    tx: &mut Tx,
    currency: &str,
    p: CompanyPromotion,
) -> CoreResult<Result<Scheduled, String>> {
    let product = |id: &str| {
        id.parse::<ProductId>()
            .map_err(|_| format!("product id `{id}` is not an id"))
    };
    let rule = match p.terms {
        PromotionTerms::PercentOffCategory { category, bp } => {
            let local = catalog::category_id(tx, category.trim()).await?;
            match local.parse::<CategoryId>() {
                Ok(category) => PromotionRule::PercentOffCategory { category, bp },
                Err(_) => return Ok(Err(format!("category row `{local}` has no usable id"))),
            }
        }
        PromotionTerms::MultiBuy {
            product_id,
            buy,
            pay,
        } => match product(&product_id) {
            Ok(product) => PromotionRule::MultiBuy { product, buy, pay },
            Err(why) => return Ok(Err(why)),
        },
        PromotionTerms::BundlePrice {
            product_ids,
            price_minor,
        } => {
            let Ok(currency) = currency.parse::<Currency>() else {
                return Ok(Err(format!("terminal currency `{currency}` is not set")));
            };
            match product_ids.iter().map(|id| product(id)).collect() {
                Ok(products) => PromotionRule::BundlePrice {
                    products,
                    price: Money::new(price_minor, currency),
                },
                Err(why) => return Ok(Err(why)),
            }
        }
    };
    let Ok(id) = p.promotion_id.parse::<PromotionId>() else {
        return Ok(Err(format!(
            "promotion id `{}` is not an id",
            p.promotion_id
        )));
    };
    let promotion = Promotion {
        id,
        name: p.name,
        rule,
    };
    // A rule checkout would refuse must not reach it: every sale would then fail.
    if let Err(e) = promotion.validate() {
        return Ok(Err(e.to_string()));
    }
    Ok(Ok((promotion, p.starts_at_ms, p.ends_at_ms)))
}

async fn store(
    tx: &mut Tx,
    promotion: &Promotion,
    starts_ms: Option<i64>,
    ends_ms: Option<i64>,
) -> CoreResult<()> {
    let rule = serde_json::to_string(promotion)
        .map_err(|e| crate::error::CoreError::invalid(e.to_string()))?;
    sqlx::query(
        "INSERT INTO promotions (id, name, kind, params, starts_ms, ends_ms, active)
         VALUES (?, ?, 'company', ?, ?, ?, 1)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
             params = excluded.params, starts_ms = excluded.starts_ms,
             ends_ms = excluded.ends_ms, active = 1",
    )
    .bind(promotion.id.to_string())
    .bind(&promotion.name)
    .bind(rule)
    .bind(starts_ms)
    .bind(ends_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
