//! Checkout through the library: promotions from the local catalog apply at commit,
//! manual discounts above the threshold need a manager.

use pos_core::checkout::{Cart, Discount, Tender};
use pos_core::{catalog, promotions, sales, shifts, till};
use pos_shared::catalog::{Promotion, PromotionRule};
use pos_shared::ids::{ProductId, PromotionId};

use crate::harness::{MANAGER_PIN, TestTerminal};

#[tokio::test]
async fn a_running_multibuy_promotion_applies_at_commit() {
    let t = TestTerminal::new().await;
    shifts::open(&t.db, &t.cashier, 0).await.unwrap();
    let p01 = catalog::by_sku(&t.db, "P01").await.unwrap().unwrap();
    let promo = Promotion {
        id: PromotionId::new(),
        name: "3 for 2".into(),
        rule: PromotionRule::MultiBuy {
            product: p01.id.parse::<ProductId>().unwrap(),
            buy: 3,
            pay: 2,
        },
    };
    promotions::save(&t.db, &promo, None, None).await.unwrap();
    let mut cart = Cart::default();
    till::add_code(&t.db, &t.terminal, &mut cart, "P01", 3000)
        .await
        .unwrap();
    cart.tenders = vec![Tender::Cash {
        amount_minor: 10 * p01.price_minor,
    }];
    let sale = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap();
    assert_eq!(
        sale.total_minor,
        2 * p01.price_minor,
        "three for the price of two"
    );
    assert_eq!(sale.discount_minor, p01.price_minor);
    assert_eq!(
        sale.approved_by, None,
        "promotions are not manual discounts: no approval needed"
    );
}

#[tokio::test]
async fn a_large_manual_discount_needs_a_manager_pin() {
    let t = TestTerminal::new().await;
    shifts::open(&t.db, &t.cashier, 0).await.unwrap();
    let mut cart = Cart::default();
    till::add_code(&t.db, &t.terminal, &mut cart, "P02", 1000)
        .await
        .unwrap();
    cart.discount = Some(Discount::Percent(5000));
    cart.tenders = vec![Tender::Cash {
        amount_minor: 100_000,
    }];
    let err = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "manager_approval_required");
    let sale = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, Some(MANAGER_PIN))
        .await
        .unwrap();
    assert_eq!(
        sale.approved_by.as_deref(),
        Some(t.manager.id.as_str()),
        "the approver is recorded"
    );
    let again = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, Some(MANAGER_PIN))
        .await
        .unwrap_err();
    assert_eq!(
        again.code(),
        "already_completed",
        "a retried commit never sells the cart twice"
    );
    for line in &mut cart.lines {
        line.id = uuid::Uuid::now_v7().to_string();
    }
    cart.discount = Some(Discount::Percent(1000));
    let small = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap();
    assert_eq!(small.approved_by, None, "10 % is under the 20 % threshold");
}
