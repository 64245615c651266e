//! Applying catalog pages: products under the server's ids, deletes deactivate, the cursor
//! moves with the rows in one transaction, bad rows are passed over, bad pages refused.

use pos_shared::sync::{Change, ChangeOp, Stream};

use super::pull::{PageOutcome, apply_page, check_page, cursor};
use super::test_support::*;
use crate::catalog;
use crate::error::CoreError;

#[tokio::test]
async fn catalog_upserts_keep_server_ids_and_move_the_cursor() {
    let (_d, db) = terminal().await;
    let milk = product("p-milk", "MILK", &["4006381333931"], 129);
    let bread = product("p-bread", "BREAD", &["5901234123457", "2000000000015"], 249);
    let out = apply(
        &db,
        &page(
            Stream::Catalog,
            0,
            vec![upsert(1, &milk), upsert(2, &bread)],
            2,
        ),
    )
    .await;
    assert_eq!(
        out,
        PageOutcome::Applied {
            rows: 2,
            skipped: 0
        }
    );
    assert_eq!(cursor(&db, Stream::Catalog).await.unwrap(), 2);
    let found = catalog::by_barcode(&db, "4006381333931")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        found.id, "p-milk",
        "sales must reference the server's product id"
    );
    assert_eq!((found.price_minor, found.tax_rate_bp), (129, 700));
    assert_eq!(
        catalog::by_barcode(&db, "2000000000015")
            .await
            .unwrap()
            .unwrap()
            .id,
        "p-bread"
    );
    let t = crate::terminal::load(&db).await.unwrap();
    assert_eq!(
        t.catalog_cursor, 2,
        "journal records carry the catalog cursor"
    );

    // A later change replaces price and barcodes; the dropped code stops scanning.
    let mut bread2 = bread.clone();
    bread2.price_minor = 259;
    bread2.barcodes = vec!["5901234123457".into()];
    apply(&db, &page(Stream::Catalog, 2, vec![upsert(3, &bread2)], 3)).await;
    let p = catalog::by_sku(&db, "BREAD").await.unwrap().unwrap();
    assert_eq!((p.id.as_str(), p.price_minor), ("p-bread", 259));
    assert!(
        catalog::by_barcode(&db, "2000000000015")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn delete_deactivates_and_keeps_the_row() {
    let (_d, db) = terminal().await;
    let milk = product("p-milk", "MILK", &["4006381333931"], 129);
    apply(
        &db,
        &page(
            Stream::Catalog,
            0,
            vec![upsert(1, &milk), delete(2, "p-milk")],
            2,
        ),
    )
    .await;
    assert!(
        catalog::by_barcode(&db, "4006381333931")
            .await
            .unwrap()
            .is_none(),
        "off sale"
    );
    assert!(catalog::search(&db, "MILK", 5).await.unwrap().is_empty());
    let kept = catalog::product_by_id(&db, "p-milk").await.unwrap();
    assert_eq!(kept.sku, "MILK", "old sales still find their product");
    // Upserting again brings it back.
    apply(&db, &page(Stream::Catalog, 2, vec![upsert(3, &milk)], 3)).await;
    assert!(
        catalog::by_barcode(&db, "4006381333931")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn inactive_or_foreign_currency_products_are_kept_off_sale() {
    let (_d, db) = terminal().await;
    let mut off = product("p-off", "OFF", &["111"], 100);
    off.active = false;
    let mut usd = product("p-usd", "USD", &["222"], 100);
    usd.currency = "USD".into();
    apply(
        &db,
        &page(
            Stream::Catalog,
            0,
            vec![upsert(1, &off), upsert(2, &usd)],
            2,
        ),
    )
    .await;
    assert!(catalog::by_sku(&db, "OFF").await.unwrap().is_none());
    assert!(
        catalog::by_sku(&db, "USD").await.unwrap().is_none(),
        "cannot charge USD in EUR"
    );
    assert!(catalog::product_by_id(&db, "p-usd").await.is_ok());
}

#[tokio::test]
async fn a_sku_moved_to_a_new_product_renames_the_old_one() {
    let (_d, db) = terminal().await;
    let old = product("p-old", "SKU1", &["111"], 100);
    let new = product("p-new", "SKU1", &["222"], 200);
    let changes = vec![upsert(1, &old), delete(2, "p-old"), upsert(3, &new)];
    apply(&db, &page(Stream::Catalog, 0, changes, 3)).await;
    assert_eq!(
        catalog::by_sku(&db, "SKU1").await.unwrap().unwrap().id,
        "p-new"
    );
    assert_eq!(
        catalog::product_by_id(&db, "p-old").await.unwrap().sku,
        "SKU1~p-old"
    );
}

#[tokio::test]
async fn rows_and_cursor_commit_together_or_not_at_all() {
    let (_d, db) = terminal().await;
    // Make the second product's write fail inside the page's transaction.
    sqlx::query(
        "CREATE TRIGGER boom BEFORE INSERT ON barcodes WHEN new.code = 'BOOM'
         BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    )
    .execute(db.pool())
    .await
    .unwrap();
    let good = product("p-good", "GOOD", &["111"], 100);
    let bad = product("p-bad", "BAD", &["BOOM"], 100);
    let page1 = page(
        Stream::Catalog,
        0,
        vec![upsert(1, &good), upsert(2, &bad)],
        2,
    );
    let err = apply_page(&db, &page1, None).await.unwrap_err();
    assert!(matches!(err, CoreError::Database(_)), "{err}");
    assert_eq!(
        cursor(&db, Stream::Catalog).await.unwrap(),
        0,
        "cursor unchanged"
    );
    assert!(
        catalog::product_by_id(&db, "p-good").await.is_err(),
        "no row of a failed page survives"
    );
}

#[tokio::test]
async fn a_page_for_an_old_cursor_writes_nothing() {
    let (_d, db) = terminal().await;
    let p = product("p-1", "ONE", &[], 100);
    apply(&db, &page(Stream::Catalog, 0, vec![upsert(1, &p)], 1)).await;
    let mut stale = p.clone();
    stale.price_minor = 1;
    let out = apply(&db, &page(Stream::Catalog, 0, vec![upsert(1, &stale)], 1)).await;
    assert_eq!(
        out,
        PageOutcome::Moved(1),
        "another sync already applied it"
    );
    assert_eq!(
        catalog::product_by_id(&db, "p-1")
            .await
            .unwrap()
            .price_minor,
        100
    );
}

#[tokio::test]
async fn unreadable_rows_are_skipped_not_blocking() {
    let (_d, db) = terminal().await;
    let odd = Change {
        cursor: 1,
        entity: "price_list".into(),
        id: "x".into(),
        op: ChangeOp::Upsert,
        data: None,
    };
    let broken = Change {
        cursor: 2,
        entity: "product".into(),
        id: "p-2".into(),
        op: ChangeOp::Upsert,
        data: Some(serde_json::json!({ "sku": 5 })),
    };
    let negative = product("p-3", "NEG", &[], -5);
    let fine = product("p-4", "FINE", &[], 5);
    let changes = vec![odd, broken, upsert(3, &negative), upsert(4, &fine)];
    let out = apply(&db, &page(Stream::Catalog, 0, changes, 4)).await;
    assert_eq!(
        out,
        PageOutcome::Applied {
            rows: 1,
            skipped: 3
        }
    );
    assert_eq!(cursor(&db, Stream::Catalog).await.unwrap(), 4);
    assert!(catalog::by_sku(&db, "FINE").await.unwrap().is_some());
}

#[test]
fn pages_that_would_corrupt_the_cursor_are_refused() {
    let p = product("p", "P", &[], 1);
    let ok = page(Stream::Catalog, 5, vec![upsert(6, &p), upsert(7, &p)], 9);
    assert!(check_page(&ok, Stream::Catalog, 5).is_ok());
    assert!(check_page(&ok, Stream::Stock, 5).is_err(), "wrong stream");
    assert!(
        check_page(&ok, Stream::Catalog, 4).is_err(),
        "not the page asked for"
    );
    let backwards = page(Stream::Catalog, 5, vec![upsert(7, &p), upsert(6, &p)], 9);
    assert!(check_page(&backwards, Stream::Catalog, 5).is_err());
    let stuck = page(Stream::Catalog, 5, vec![], 9);
    assert!(
        check_page(&stuck, Stream::Catalog, 5).is_err(),
        "an empty page below the head would loop forever"
    );
    let up_to_date = page(Stream::Catalog, 9, vec![], 9);
    assert!(check_page(&up_to_date, Stream::Catalog, 9).is_ok());
}

#[tokio::test]
async fn one_page_can_swap_skus_and_move_a_barcode_between_products() {
    let (_d, db) = terminal().await;
    let a = product("p-a", "SKU-A", &["4006381333931"], 100);
    let b = product("p-b", "SKU-B", &["96385074"], 200);
    apply(
        &db,
        &page(Stream::Catalog, 0, vec![upsert(1, &a), upsert(2, &b)], 2),
    )
    .await;
    // Both SKUs change hands and A's barcode moves to B, all in one page.
    let a2 = product("p-a", "SKU-B", &[], 110);
    let b2 = product("p-b", "SKU-A", &["4006381333931", "96385074"], 210);
    apply(
        &db,
        &page(Stream::Catalog, 2, vec![upsert(3, &a2), upsert(4, &b2)], 4),
    )
    .await;
    assert_eq!(
        catalog::by_sku(&db, "SKU-B").await.unwrap().unwrap().id,
        "p-a"
    );
    assert_eq!(
        catalog::by_sku(&db, "SKU-A").await.unwrap().unwrap().id,
        "p-b"
    );
    let scanned = catalog::by_barcode(&db, "4006381333931")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((scanned.id.as_str(), scanned.price_minor), ("p-b", 210));
    assert_eq!(catalog::search(&db, "96385074", 5).await.unwrap().len(), 1);
}
