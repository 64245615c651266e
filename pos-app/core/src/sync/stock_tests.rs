//! The stock a terminal shows: server balance + its own movements the balance cannot
//! include yet (journal record not acked, or acked after the last complete stock pull).

use pos_shared::sync::Stream;

use super::pull::{PageOutcome, apply_page};
use super::push::mark_acked;
use super::test_support::*;
use crate::stock;
use crate::store::LocalDb;

async fn on_hand(db: &LocalDb, sku: &str) -> (i64, i64, i64) {
    let l = stock::levels(db, Some(sku)).await.unwrap().remove(0);
    (l.server_milli, l.pending_milli, l.on_hand_milli)
}

async fn seller(db: &LocalDb) -> crate::staff::Staff {
    let role = "shop_manager".parse().unwrap();
    crate::staff::add(db, "Bo", role, "9876").await.unwrap()
}

#[tokio::test]
async fn balance_plus_own_unacked_movements() {
    let (_d, db) = terminal().await;
    let milk = product("p-milk", "MILK", &[], 129);
    apply(&db, &page(Stream::Catalog, 0, vec![upsert(1, &milk)], 1)).await;
    apply(
        &db,
        &page(Stream::Stock, 0, vec![balance(1, "p-milk", 10_000)], 1),
    )
    .await;
    assert_eq!(on_hand(&db, "MILK").await, (10_000, 0, 10_000));

    let bo = seller(&db).await;
    stock::adjust(&db, &bo, "MILK", -2_000, "damaged")
        .await
        .unwrap();
    assert_eq!(
        on_hand(&db, "MILK").await,
        (10_000, -2_000, 8_000),
        "offline: balance + own"
    );

    // Acked, but the balance stored here predates the ack: still counted on top.
    let acked_through: i64 = sqlx::query_scalar("SELECT max(seq) FROM journal")
        .fetch_one(db.pool())
        .await
        .unwrap();
    mark_acked(&db, acked_through).await.unwrap();
    assert_eq!(on_hand(&db, "MILK").await, (10_000, -2_000, 8_000));

    // A movement made after the ack stays pending through the pull.
    stock::adjust(&db, &bo, "MILK", -500, "damaged")
        .await
        .unwrap();

    // The pull after the ack reads the server's balance that includes the first one.
    let last = page(Stream::Stock, 1, vec![balance(2, "p-milk", 8_000)], 2);
    let out = apply_page(&db, &last, Some(acked_through)).await.unwrap();
    assert_eq!(
        out,
        PageOutcome::Applied {
            rows: 1,
            skipped: 0
        }
    );
    assert_eq!(
        on_hand(&db, "MILK").await,
        (8_000, -500, 7_500),
        "the acked movement is not counted twice, the unacked one still counts"
    );
}

#[tokio::test]
async fn balances_for_unknown_products_wait_for_the_product() {
    let (_d, db) = terminal().await;
    let out = apply(
        &db,
        &page(Stream::Stock, 0, vec![balance(1, "p-late", 3_000)], 1),
    )
    .await;
    assert_eq!(
        out,
        PageOutcome::Applied {
            rows: 1,
            skipped: 0
        },
        "never blocks the stream"
    );
    let late = product("p-late", "LATE", &[], 100);
    apply(&db, &page(Stream::Catalog, 0, vec![upsert(1, &late)], 1)).await;
    assert_eq!(on_hand(&db, "LATE").await, (3_000, 0, 3_000));
    apply(
        &db,
        &page(Stream::Stock, 1, vec![balance(2, "p-late", 2_000)], 2),
    )
    .await;
    assert_eq!(on_hand(&db, "LATE").await, (2_000, 0, 2_000));
}
