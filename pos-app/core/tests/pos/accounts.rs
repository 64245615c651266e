//! Customer accounts: on-account sales within the credit limit, debt payments, and
//! store credit earned by a refund then spent.

use pos_core::checkout::{Cart, Tender};
use pos_core::customers::{self, NewCustomer};
use pos_core::{refunds, sales, shifts, till};

use crate::harness::TestTerminal;

/// One P10 charged fully to the customer's account; returns the cart and its total.
async fn on_account_cart(t: &TestTerminal, customer: &str) -> (Cart, i64) {
    let mut cart = Cart::default();
    till::add_code(&t.db, &t.terminal, &mut cart, "P10", 1000)
        .await
        .unwrap();
    cart.customer_id = Some(customer.to_owned());
    let total = pos_core::checkout::price(&cart, t.terminal.currency)
        .unwrap()
        .total_minor;
    cart.tenders = vec![Tender::OnAccount {
        amount_minor: total,
    }];
    (cart, total)
}

#[tokio::test]
async fn credit_limit_debt_payment_and_store_credit() {
    let t = TestTerminal::new().await;
    shifts::open(&t.db, &t.cashier, 0).await.unwrap();
    let c = customers::add(
        &t.db,
        &t.cashier,
        &NewCustomer {
            name: " Dora ".into(),
            phone: Some("+49 30 1234567".into()),
            credit_limit_minor: 1_000,
            ..NewCustomer::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        customers::get(&t.db, &c.id).await.unwrap(),
        c,
        "what `add` returns is what was stored"
    );
    assert_eq!(c.name, "Dora");
    // P10 costs 4.20; the limit is 10.00.
    let (cart, total) = on_account_cart(&t, &c.id).await;
    let first = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap();
    sales::complete(
        &t.db,
        &t.terminal,
        &t.cashier,
        &on_account_cart(&t, &c.id).await.0,
        None,
    )
    .await
    .unwrap();
    let err = sales::complete(
        &t.db,
        &t.terminal,
        &t.cashier,
        &on_account_cart(&t, &c.id).await.0,
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.code(),
        "credit_limit_exceeded",
        "a third 4.20 passes the 10.00 limit"
    );
    assert_eq!(
        customers::get(&t.db, &c.id).await.unwrap().balance_minor,
        2 * total
    );

    let after = customers::pay_debt(&t.db, &t.cashier, &c.id, total)
        .await
        .unwrap();
    assert_eq!(after.balance_minor, total, "a payment lowers the debt");
    let shift = shifts::current(&t.db).await.unwrap().unwrap();
    let x = shifts::report(&t.db, &shift.id).await.unwrap();
    assert_eq!(
        x.debt_payments_minor, total,
        "the payment is cash in the drawer"
    );
    assert_eq!(
        x.expected["cash"], total,
        "expected cash includes debt payments"
    );

    // Refund the first sale to store credit: the customer ends up owed nothing...
    refunds::with_receipt(
        &t.db,
        &t.terminal,
        &t.manager,
        &first.id,
        &[(1, 1000)],
        "store_credit",
        "gift",
        None,
    )
    .await
    .unwrap();
    assert_eq!(customers::get(&t.db, &c.id).await.unwrap().balance_minor, 0);
    // ...and another refund-worth of credit can be spent later.
    let mut cart = Cart::default();
    till::add_code(&t.db, &t.terminal, &mut cart, "P10", 1000)
        .await
        .unwrap();
    cart.customer_id = Some(c.id.clone());
    cart.tenders = vec![Tender::StoreCredit {
        amount_minor: total,
    }];
    let err = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        "tender_rejected",
        "no store credit left to spend"
    );
}
