//! The one-hop sale on a kept context, against a second handle on the same file (another
//! process, as far as SQLite is concerned) writing in between.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pos_shared::catalog::{Promotion, PromotionRule};

use crate::checkout::{Cart, Tender};
use crate::error::CoreError;
use crate::sales::{self, Sale};
use crate::staff::Staff;
use crate::store::LocalDb;
use crate::terminal::Terminal;
use crate::{journal, promotions, shifts, stock, till};

const MILK: &str = "4006381333931";

async fn setup() -> (tempfile::TempDir, PathBuf, LocalDb, Terminal, Staff) {
    let (dir, db, t, staff) = crate::till::tests::setup().await;
    shifts::open(&db, &staff, 0).await.unwrap();
    let path = dir.path().join("till.db");
    (dir, path, db, t, staff)
}

async fn cart(db: &LocalDb, t: &Terminal, units: i64) -> Cart {
    let mut cart = Cart::default();
    till::add_code(db, t, &mut cart, MILK, units * 1000)
        .await
        .unwrap();
    cart.tenders = vec![Tender::Cash {
        amount_minor: 10_000,
    }];
    cart
}

async fn sell(db: &LocalDb, t: &Terminal, staff: &Staff, units: i64) -> Result<Sale, CoreError> {
    sales::complete(db, t, staff, &cart(db, t, units).await, None).await
}

async fn stored_sales(db: &LocalDb) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_kept_context_commits_in_one_hop_and_a_stale_one_writes_nothing() {
    let (_dir, path, a, t, staff) = setup().await;
    let first = sell(&a, &t, &staff, 1).await.unwrap();
    let kept = a
        .sale_context()
        .take_if(a.commits())
        .expect("kept after a sale");
    assert_eq!(kept.receipt_no, first.receipt_no + 1);
    let c = cart(&a, &t, 1).await;
    let now = a.now_ms();
    let second = sales::tests_commit_kept(&a, &t, &staff, &c, now, kept)
        .await
        .expect("a current context commits");
    assert_eq!(second.receipt_no, first.receipt_no + 1);

    // Another process takes the next receipt number and journal record.
    let b = LocalDb::open(&path).await.unwrap();
    let theirs = sell(&b, &t, &staff, 1).await.unwrap();
    let stale = a
        .sale_context()
        .take_if(a.commits())
        .expect("still kept here");
    let c = cart(&a, &t, 1).await;
    let before = stored_sales(&a).await;
    let refused = sales::tests_commit_kept(&a, &t, &staff, &c, a.now_ms(), stale).await;
    assert!(refused.is_err(), "a stale head is refused: {refused:?}");
    assert_eq!(
        stored_sales(&a).await,
        before,
        "and nothing of it is stored"
    );

    // The ordinary path reads afresh and sells.
    let next = sell(&a, &t, &staff, 1).await.unwrap();
    assert_eq!(next.receipt_no, theirs.receipt_no + 1);
    journal::verify(&a).await.expect("one unbroken chain");
}

#[tokio::test]
async fn sales_stay_right_whatever_another_process_changes_between_them() {
    let (_dir, path, a, t, staff) = setup().await;
    let b = LocalDb::open(&path).await.unwrap();
    let mut receipts = vec![sell(&a, &t, &staff, 1).await.unwrap().receipt_no];
    receipts.push(sell(&a, &t, &staff, 1).await.unwrap().receipt_no);

    // A stock count elsewhere moves the journal head.
    stock::adjust(&b, &staff, "MILK", 5000, "count")
        .await
        .unwrap();
    receipts.push(sell(&a, &t, &staff, 1).await.unwrap().receipt_no);

    // A promotion saved elsewhere applies to the very next sale here.
    let milk = crate::catalog::by_sku(&a, "MILK").await.unwrap().unwrap();
    let two_for_one = Promotion {
        id: pos_shared::ids::PromotionId::new(),
        name: "2 for 1".into(),
        rule: PromotionRule::MultiBuy {
            product: milk.id.parse().unwrap(),
            buy: 2,
            pay: 1,
        },
    };
    promotions::save(&b, &two_for_one, None, None)
        .await
        .unwrap();
    let promoted = sell(&a, &t, &staff, 2).await.unwrap();
    assert_eq!(promoted.total_minor, 129, "one of two is free");
    receipts.push(promoted.receipt_no);

    // The shift closed elsewhere: no sale lands on it.
    let counted = BTreeMap::from([("cash".to_string(), 0)]);
    shifts::close(&b, &t, &staff, counted, Some("1234"))
        .await
        .unwrap();
    let closed = sell(&a, &t, &staff, 1).await;
    assert!(matches!(closed, Err(CoreError::NoOpenShift)), "{closed:?}");
    // A new shift elsewhere: the next sale here lands on it.
    let shift = shifts::open(&b, &staff, 0).await.unwrap();
    let on_new = sell(&a, &t, &staff, 1).await.unwrap();
    assert_eq!(on_new.shift_id, shift.id);
    receipts.push(on_new.receipt_no);

    let dense: Vec<i64> = (1..=5).collect();
    assert_eq!(receipts, dense, "receipt numbers stay consecutive");
    journal::verify(&a).await.expect("one unbroken chain");
}
