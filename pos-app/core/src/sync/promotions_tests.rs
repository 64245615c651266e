//! Company promotions from the server: the ones for this shop (or every shop) run at the
//! till within their window, categories are matched by name, and an ended promotion or one
//! moved to other shops stops applying.

use pos_shared::catalog::PromotionRule;
use pos_shared::sync::{Change, ChangeOp, CompanyPromotion, PromotionTerms, Stream};

use super::settings::SHOP_ID;
use super::test_support::*;
use crate::promotions;
use crate::store::{LocalDb, set_setting};

const SHOP: &str = "0190c0de-0000-7000-8000-00000000a001";
const OTHER_SHOP: &str = "0190c0de-0000-7000-8000-00000000a002";
const MILK_ID: &str = "0190c0de-0000-7000-8000-0000000000b1";

fn promo(cursor: i64, id: &str, terms: PromotionTerms, shops: &[&str]) -> Change {
    let p = CompanyPromotion {
        promotion_id: id.into(),
        name: format!("promo {id}"),
        terms,
        shop_ids: shops.iter().map(|s| (*s).to_owned()).collect(),
        starts_at_ms: Some(1_000),
        ends_at_ms: Some(2_000),
    };
    Change {
        cursor,
        entity: "promotion".into(),
        id: id.into(),
        op: ChangeOp::Upsert,
        data: Some(serde_json::to_value(p).unwrap()),
    }
}

fn ended(cursor: i64, id: &str) -> Change {
    Change {
        cursor,
        entity: "promotion".into(),
        id: id.into(),
        op: ChangeOp::Delete,
        data: None,
    }
}

async fn shop_terminal() -> (tempfile::TempDir, LocalDb) {
    let (dir, db) = terminal().await;
    set_setting(db.pool(), SHOP_ID, SHOP).await.unwrap();
    (dir, db)
}

/// Names of the promotions running at `at_ms`.
async fn running(db: &LocalDb, at_ms: i64) -> Vec<String> {
    let mut names: Vec<String> = promotions::active(db, at_ms)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    names.sort();
    names
}

const P1: &str = "0190c0de-0000-7000-8000-0000000000c1";
const P2: &str = "0190c0de-0000-7000-8000-0000000000c2";
const P3: &str = "0190c0de-0000-7000-8000-0000000000c3";

#[tokio::test]
async fn this_shops_promotions_run_in_their_window_and_stop_when_ended() {
    let (_d, db) = shop_terminal().await;
    let milk = product(MILK_ID, "MILK", &["4006381333931"], 129);
    apply(&db, &page(Stream::Catalog, 0, vec![upsert(1, &milk)], 1)).await;
    let three_for_two = PromotionTerms::MultiBuy {
        product_id: MILK_ID.into(),
        buy: 3,
        pay: 2,
    };
    let dairy = PromotionTerms::PercentOffCategory {
        category: "Grocery".into(),
        bp: 1500,
    };
    apply(
        &db,
        &page(
            Stream::Promotions,
            0,
            vec![
                promo(1, P1, three_for_two.clone(), &[]),
                promo(2, P2, dairy, &[SHOP]),
                promo(3, P3, three_for_two, &[OTHER_SHOP]),
            ],
            3,
        ),
    )
    .await;
    assert!(running(&db, 999).await.is_empty(), "not started yet");
    assert_eq!(
        running(&db, 1_500).await,
        [format!("promo {P1}"), format!("promo {P2}")],
        "every-shop and this-shop promotions run; the other shop's does not"
    );
    assert!(
        running(&db, 2_000).await.is_empty(),
        "ended at its end time"
    );

    // The category is this till's own row for "Grocery", the one its products carry.
    let rules = promotions::active(&db, 1_500).await.unwrap();
    let grocery = crate::catalog::by_sku(&db, "MILK")
        .await
        .unwrap()
        .unwrap()
        .category_id
        .unwrap();
    assert!(rules.iter().any(|p| matches!(&p.rule,
        PromotionRule::PercentOffCategory { category, bp: 1500 } if category.to_string() == grocery)));

    // Ended by a manager, and the other one moved to another shop: neither runs here.
    let moved = promo(
        5,
        P2,
        PromotionTerms::PercentOffCategory {
            category: "Grocery".into(),
            bp: 1500,
        },
        &[OTHER_SHOP],
    );
    apply(
        &db,
        &page(Stream::Promotions, 3, vec![ended(4, P1), moved], 5),
    )
    .await;
    assert!(running(&db, 1_500).await.is_empty());
}

#[tokio::test]
async fn a_promotion_checkout_would_refuse_is_passed_over() {
    let (_d, db) = shop_terminal().await;
    let broken = promo(
        1,
        P1,
        PromotionTerms::MultiBuy {
            product_id: MILK_ID.into(),
            buy: 2,
            pay: 2,
        },
        &[],
    );
    let not_an_id = promo(
        2,
        P2,
        PromotionTerms::MultiBuy {
            product_id: "milk".into(),
            buy: 3,
            pay: 2,
        },
        &[],
    );
    let good = promo(
        3,
        P3,
        PromotionTerms::BundlePrice {
            product_ids: vec![MILK_ID.into(), MILK_ID.into()],
            price_minor: 200,
        },
        &[],
    );
    let out = apply(
        &db,
        &page(Stream::Promotions, 0, vec![broken, not_an_id, good], 3),
    )
    .await;
    assert_eq!(
        out,
        super::pull::PageOutcome::Applied {
            rows: 1,
            skipped: 2
        }
    );
    assert_eq!(running(&db, 1_500).await, [format!("promo {P3}")]);
}
