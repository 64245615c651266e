//! The shop's own prices: every way a till finds a product (scan, SKU, search) sells it at
//! the shop's price while there is one, and at the catalog price again once it is removed.

use pos_shared::sync::{Change, ChangeOp, Stream};

use super::test_support::*;
use crate::catalog;
use crate::store::LocalDb;

const MILK: &str = "4006381333931";

fn price(cursor: i64, product_id: &str, price_minor: Option<i64>) -> Change {
    Change {
        cursor,
        entity: "price".into(),
        id: product_id.into(),
        op: if price_minor.is_some() {
            ChangeOp::Upsert
        } else {
            ChangeOp::Delete
        },
        data: price_minor
            .map(|p| serde_json::json!({ "product_id": product_id, "price_minor": p })),
    }
}

/// The price the till sells milk at, found by barcode, by SKU and by name search.
async fn milk_prices(db: &LocalDb) -> [i64; 3] {
    let scanned = catalog::by_barcode(db, MILK).await.unwrap().unwrap();
    let by_sku = catalog::by_sku(db, "MILK").await.unwrap().unwrap();
    let searched = catalog::search(db, "product milk", 5).await.unwrap();
    [
        scanned.price_minor,
        by_sku.price_minor,
        searched[0].price_minor,
    ]
}

#[tokio::test]
async fn the_shop_price_wins_wherever_the_product_is_found_until_removed() {
    let (_d, db) = terminal().await;
    let milk = product("p-milk", "MILK", &[MILK], 129);
    apply(&db, &page(Stream::Catalog, 0, vec![upsert(1, &milk)], 1)).await;
    assert_eq!(milk_prices(&db).await, [129; 3], "catalog price");

    apply(
        &db,
        &page(Stream::Prices, 0, vec![price(1, "p-milk", Some(99))], 1),
    )
    .await;
    assert_eq!(
        milk_prices(&db).await,
        [99; 3],
        "the scan cache was not trusted"
    );

    // A new catalog price does not undo the shop's own price...
    let dearer = product("p-milk", "MILK", &[MILK], 139);
    apply(&db, &page(Stream::Catalog, 1, vec![upsert(2, &dearer)], 2)).await;
    assert_eq!(milk_prices(&db).await, [99; 3]);
    // ...removing it goes back to the catalog's current price.
    apply(
        &db,
        &page(Stream::Prices, 1, vec![price(2, "p-milk", None)], 2),
    )
    .await;
    assert_eq!(milk_prices(&db).await, [139; 3]);
}

#[tokio::test]
async fn a_price_before_its_product_waits_and_bad_prices_are_skipped() {
    let (_d, db) = terminal().await;
    let bad = Change {
        data: Some(serde_json::json!({ "product_id": "p-milk", "price_minor": -5 })),
        ..price(2, "p-milk", Some(0))
    };
    let out = apply(
        &db,
        &page(
            Stream::Prices,
            0,
            vec![price(1, "p-milk", Some(89)), bad],
            2,
        ),
    )
    .await;
    assert_eq!(
        out,
        super::pull::PageOutcome::Applied {
            rows: 1,
            skipped: 1
        },
        "a negative price is passed over, not blocking"
    );
    let milk = product("p-milk", "MILK", &[MILK], 129);
    apply(&db, &page(Stream::Catalog, 0, vec![upsert(1, &milk)], 1)).await;
    assert_eq!(milk_prices(&db).await, [89; 3], "the early price applies");
}
