//! Customers from the company's stream: found at this till with the server's balance,
//! plus this till's own account entries the server has not built into it yet.

use pos_shared::sync::{Change, ChangeOp, CompanyCustomer, Stream};

use super::pull::apply_page;
use super::test_support::*;
use crate::customers;
use crate::store::LocalDb;

fn customer(cursor: i64, id: &str, limit: i64, balance: i64, active: bool) -> Change {
    let c = CompanyCustomer {
        customer_id: id.into(),
        name: "Ann Baker".into(),
        phone: Some("+49 30 1234".into()),
        email: None,
        credit_limit_minor: limit,
        balance_minor: balance,
        active,
        placeholder: false,
    };
    Change {
        cursor,
        entity: "customer".into(),
        id: id.into(),
        op: ChangeOp::Upsert,
        data: Some(serde_json::to_value(c).unwrap()),
    }
}

async fn owed(db: &LocalDb, id: &str) -> (i64, i64) {
    let c = customers::get(db, id).await.unwrap();
    (c.credit_limit_minor, c.balance_minor)
}

async fn last_seq(db: &LocalDb) -> i64 {
    sqlx::query_scalar("SELECT max(seq) FROM journal")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_from_another_till_owes_the_same_here_and_own_payments_count_once() {
    let (_d, db) = terminal().await;
    apply(
        &db,
        &page(
            Stream::Customers,
            0,
            vec![customer(1, "c-ann", 5_000, 1_200, true)],
            1,
        ),
    )
    .await;
    let found = customers::list(&db).await.unwrap();
    assert_eq!(found.len(), 1, "the other till's customer is found here");
    assert_eq!(found[0].name, "Ann Baker");
    assert_eq!(owed(&db, "c-ann").await, (5_000, 1_200));

    let role = "shop_manager".parse().unwrap();
    let bo = crate::staff::add(&db, "Bo", role, "9876").await.unwrap();
    crate::shifts::open(&db, &bo, 0).await.unwrap();
    customers::pay_debt(&db, &bo, "c-ann", 200).await.unwrap();
    assert_eq!(
        owed(&db, "c-ann").await,
        (5_000, 1_000),
        "offline: server + own"
    );
    let paid_at = last_seq(&db).await;

    // A page read before the server built the payment: it still counts on top.
    let before = page(
        Stream::Customers,
        1,
        vec![customer(2, "c-ann", 6_000, 1_200, true)],
        2,
    );
    apply_page(&db, &before, Some(paid_at - 1)).await.unwrap();
    assert_eq!(
        owed(&db, "c-ann").await,
        (6_000, 1_000),
        "a new limit arrives; the payment is not in the server's balance yet"
    );

    // The page that includes it: counted once, by the server.
    let after = page(
        Stream::Customers,
        2,
        vec![customer(3, "c-ann", 6_000, 1_000, true)],
        3,
    );
    apply_page(&db, &after, Some(paid_at)).await.unwrap();
    assert_eq!(
        owed(&db, "c-ann").await,
        (6_000, 1_000),
        "not 800: counted once"
    );

    // A closed account is no longer offered at the till.
    apply(
        &db,
        &page(
            Stream::Customers,
            3,
            vec![customer(4, "c-ann", 6_000, 1_000, false)],
            4,
        ),
    )
    .await;
    assert!(customers::list(&db).await.unwrap().is_empty());
    assert!(
        customers::pay_debt(&db, &bo, "c-ann", 100).await.is_err(),
        "no new entries on a closed account"
    );
}

#[tokio::test]
async fn an_unreadable_customer_is_skipped_not_blocking() {
    let (_d, db) = terminal().await;
    let mut bad = customer(1, "c-x", 0, 0, true);
    bad.id = "c-other".into();
    let good = customer(2, "c-ok", 0, 300, true);
    let out = apply(&db, &page(Stream::Customers, 0, vec![bad, good], 2)).await;
    assert_eq!(
        out,
        super::pull::PageOutcome::Applied {
            rows: 1,
            skipped: 1
        }
    );
    assert_eq!(owed(&db, "c-ok").await, (0, 300));
}
