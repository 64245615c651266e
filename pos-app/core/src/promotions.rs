//! Promotions stored on the terminal (pos-shared `Promotion` rules as JSON) and the
//! ones running at a given time, which checkout applies automatically.

use pos_shared::catalog::Promotion;

use crate::error::{CoreError, CoreResult};
use crate::store::LocalDb;

/// Stores (or replaces, by id) a promotion running from `starts_ms` until `ends_ms`
/// (either open-ended when `None`).
pub async fn save(
    db: &LocalDb,
    promotion: &Promotion,
    starts_ms: Option<i64>,
    ends_ms: Option<i64>,
) -> CoreResult<()> {
    promotion
        .validate()
        .map_err(|e| CoreError::invalid(e.to_string()))?;
    let rule = serde_json::to_string(promotion).map_err(|e| CoreError::invalid(e.to_string()))?;
    sqlx::query(
        "INSERT INTO promotions (id, name, kind, params, starts_ms, ends_ms) VALUES (?, ?, 'rule', ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, params = excluded.params,
             starts_ms = excluded.starts_ms, ends_ms = excluded.ends_ms, active = 1",
    )
    .bind(promotion.id.to_string())
    .bind(&promotion.name)
    .bind(rule)
    .bind(starts_ms)
    .bind(ends_ms)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Promotions running at `now_ms`, oldest first (the order checkout applies them in).
pub async fn active(db: &LocalDb, now_ms: i64) -> CoreResult<Vec<Promotion>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT params FROM promotions
         WHERE active = 1 AND (starts_ms IS NULL OR starts_ms <= ?1)
           AND (ends_ms IS NULL OR ends_ms > ?1)
         ORDER BY id",
    )
    .bind(now_ms)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|json| {
            serde_json::from_str(json)
                .map_err(|e| CoreError::invalid(format!("stored promotion is unreadable: {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pos_shared::catalog::PromotionRule;
    use pos_shared::ids::{ProductId, PromotionId};

    #[tokio::test]
    async fn only_running_valid_promotions_apply() {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("p.db")).await.unwrap();
        let promo = |buy, pay| Promotion {
            id: PromotionId::new(),
            name: "3 for 2".into(),
            rule: PromotionRule::MultiBuy {
                product: ProductId::new(),
                buy,
                pay,
            },
        };
        save(&db, &promo(3, 2), Some(100), Some(200)).await.unwrap();
        save(&db, &promo(3, 2), None, None).await.unwrap();
        assert!(
            save(&db, &promo(2, 2), None, None).await.is_err(),
            "pay < buy is enforced"
        );
        assert_eq!(
            active(&db, 50).await.unwrap().len(),
            1,
            "the first has not started"
        );
        assert_eq!(active(&db, 150).await.unwrap().len(), 2);
        assert_eq!(
            active(&db, 200).await.unwrap().len(),
            1,
            "the first has ended"
        );
    }
}
