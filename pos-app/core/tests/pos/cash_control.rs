//! Drawer limits through the library: pay-outs beyond the drawer, amounts no till holds,
//! counts of tenders the till does not take, and refunds in the shift's tax table.

use std::collections::BTreeMap;

use pos_core::CoreError;
use pos_core::checkout::{Cart, Tender};
use pos_core::shifts::{self, CashKind};
use pos_core::{refunds, sales, till};
use pos_shared::money::MAX_ENTRY_MINOR;

use crate::harness::{MANAGER_PIN, TestTerminal};

#[tokio::test]
async fn paying_out_more_than_the_drawer_holds_needs_a_manager() {
    let t = TestTerminal::new().await;
    shifts::open(&t.db, &t.cashier, 5_000).await.unwrap();
    let out = |amount, pin| {
        shifts::cash_movement(
            &t.db,
            &t.cashier,
            CashKind::PaidOut,
            amount,
            "supplier",
            pin,
        )
    };
    let m = out(5_000, None).await.unwrap();
    assert_eq!(
        m.approved_by, None,
        "the whole float may go out without approval"
    );
    let err = out(1, None).await.unwrap_err();
    assert!(
        matches!(err, CoreError::ManagerApprovalRequired { .. }),
        "the drawer is empty now: {err}"
    );
    let m = out(2_500, Some(MANAGER_PIN)).await.unwrap();
    assert_eq!(m.approved_by.as_deref(), Some(t.manager.id.as_str()));
    let manager_out =
        shifts::cash_movement(&t.db, &t.manager, CashKind::PaidOut, 100, "bank", None).await;
    assert!(manager_out.is_ok(), "a manager approves their own pay-out");
    let shift = shifts::current(&t.db).await.unwrap().unwrap();
    let x = shifts::report(&t.db, &shift.id).await.unwrap();
    assert_eq!(x.paid_out_minor, 7_600);
    assert_eq!(
        x.expected["cash"], -2_600,
        "the report shows the drawer short"
    );
}

#[tokio::test]
async fn amounts_no_till_holds_are_refused_and_reports_keep_working() {
    let t = TestTerminal::new().await;
    let too_big = MAX_ENTRY_MINOR + 1;
    assert!(shifts::open(&t.db, &t.cashier, too_big).await.is_err());
    let shift = shifts::open(&t.db, &t.cashier, 0).await.unwrap();
    for _ in 0..2 {
        let err = shifts::cash_movement(&t.db, &t.cashier, CashKind::PaidIn, too_big, "typo", None)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("more than one entry"), "{err}");
    }
    let mut cart = Cart::default();
    till::add_code(&t.db, &t.terminal, &mut cart, "P01", 1000)
        .await
        .unwrap();
    cart.tenders = vec![Tender::Cash {
        amount_minor: i64::MAX / 2,
    }];
    let err = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("more than one entry"), "{err}");
    let x = shifts::report(&t.db, &shift.id).await.unwrap();
    assert_eq!(
        (x.paid_in_minor, x.sales_count),
        (0, 0),
        "nothing was recorded"
    );
    let counted = BTreeMap::from([("cash".to_owned(), too_big)]);
    assert!(
        shifts::close(&t.db, &t.terminal, &t.cashier, counted, None)
            .await
            .is_err()
    );
    let err = shifts::close(&t.db, &t.terminal, &t.cashier, BTreeMap::new(), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("count the cash"), "{err}");
    let counted = BTreeMap::from([("cash".to_owned(), 0)]);
    let z = shifts::close(&t.db, &t.terminal, &t.cashier, counted, None)
        .await
        .unwrap();
    assert_eq!(z.z_number, 1, "the shift still closes");
}

#[tokio::test]
async fn a_z_counts_only_tenders_the_till_takes() {
    let t = TestTerminal::new().await;
    shifts::open(&t.db, &t.cashier, 1_000).await.unwrap();
    for (kind, amount, want) in [
        ("bitcoin", 3, "`bitcoin` is not a tender"),
        ("cash", -5, "cannot be negative"),
    ] {
        let counted = BTreeMap::from([(kind.to_owned(), amount)]);
        let err = shifts::close(&t.db, &t.terminal, &t.cashier, counted, None)
            .await
            .unwrap_err();
        assert!(err.to_string().contains(want), "{kind}: {err}");
    }
    assert!(
        shifts::current(&t.db).await.unwrap().is_some(),
        "a refused Z leaves the shift open"
    );
}

#[tokio::test]
async fn a_refund_takes_its_tax_back_out_of_the_tax_table() {
    let t = TestTerminal::new().await;
    let shift = shifts::open(&t.db, &t.cashier, 10_000).await.unwrap();
    // P00 is 20 % inclusive, P01 7 % inclusive, P02 8.25 % exclusive (harness catalog).
    let mut cart = Cart::default();
    for sku in ["P00", "P01", "P02"] {
        till::add_code(&t.db, &t.terminal, &mut cart, sku, 2000)
            .await
            .unwrap();
    }
    let total = pos_core::checkout::price(&cart, t.terminal.currency)
        .unwrap()
        .total_minor;
    cart.tenders = vec![Tender::Card {
        amount_minor: total,
        reference: "A1".into(),
    }];
    let sale = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap();
    let before = shifts::report(&t.db, &shift.id).await.unwrap().taxes;
    // Everything of P00 and P02 comes back: one with the receipt, one without.
    refunds::with_receipt(
        &t.db,
        &t.terminal,
        &t.manager,
        &sale.id,
        &[(1, 2000)],
        "card",
        "faulty",
        None,
    )
    .await
    .unwrap();
    refunds::without_receipt(
        &t.db,
        &t.terminal,
        &t.manager,
        &[("P02".to_owned(), 2000)],
        "cash",
        "no receipt",
        None,
    )
    .await
    .unwrap();
    let after = shifts::report(&t.db, &shift.id).await.unwrap().taxes;
    let row = |rows: &[shifts::TaxRow], bp| {
        rows.iter()
            .find(|r| r.rate_bp == bp)
            .map(|r| (r.net_minor, r.tax_minor))
            .unwrap()
    };
    assert!(row(&before, 2000).1 > 0 && row(&before, 825).1 > 0);
    assert_eq!(
        row(&after, 2000),
        (0, 0),
        "the 20 % line was refunded in full"
    );
    assert_eq!(
        row(&after, 825),
        (0, 0),
        "the 8.25 % line too, at catalog price"
    );
    assert_eq!(row(&after, 700), row(&before, 700), "the 7 % line was kept");
}

#[tokio::test]
async fn a_refund_goes_back_the_way_the_sale_was_paid_and_only_from_cash_in_the_drawer() {
    let t = TestTerminal::new().await;
    shifts::open(&t.db, &t.cashier, 100).await.unwrap();
    let sell = |tender: Tender| {
        let t = &t;
        async move {
            let mut cart = Cart::default();
            till::add_code(&t.db, &t.terminal, &mut cart, "P01", 1000)
                .await
                .unwrap();
            cart.tenders = vec![tender];
            sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
                .await
                .unwrap()
        }
    };
    let refund = |sale_id: String, to: &'static str| {
        let t = &t;
        async move {
            refunds::with_receipt(
                &t.db,
                &t.terminal,
                &t.manager,
                &sale_id,
                &[(1, 1000)],
                to,
                "faulty",
                None,
            )
            .await
        }
    };
    // Paid 50.00 cash for one P01: the customer got the change back.
    let cash_sale = sell(Tender::Cash {
        amount_minor: 5_000,
    })
    .await;
    let err = refund(cash_sale.id.clone(), "card").await.unwrap_err();
    assert!(
        err.to_string().contains("this sale was paid cash"),
        "a cash sale does not become a card credit: {err}"
    );
    let card_sale = sell(Tender::Card {
        amount_minor: cash_sale.total_minor,
        reference: "A1".into(),
    })
    .await;
    let err = refund(card_sale.id.clone(), "cash").await.unwrap_err();
    assert!(
        err.to_string().contains("this sale was paid card"),
        "a card sale does not become cash in hand: {err}"
    );
    refund(card_sale.id.clone(), "card")
        .await
        .expect("back to the card it was paid with");

    // The drawer holds the 1.00 float plus one P01 in cash; take it all out but 0.10.
    let shift = shifts::current(&t.db).await.unwrap().unwrap();
    let drawer = shifts::report(&t.db, &shift.id).await.unwrap().expected["cash"];
    shifts::cash_movement(
        &t.db,
        &t.manager,
        CashKind::PaidOut,
        drawer - 10,
        "bank drop",
        None,
    )
    .await
    .unwrap();
    let err = refund(cash_sale.id.clone(), "cash").await.unwrap_err();
    assert!(
        err.to_string().contains("the drawer should hold 0.10"),
        "no cash refund the drawer cannot pay: {err}"
    );
    let x = shifts::report(&t.db, &shift.id).await.unwrap();
    assert_eq!(
        x.expected["cash"], 10,
        "nothing was paid out by the refusal"
    );
    shifts::cash_movement(&t.db, &t.cashier, CashKind::PaidIn, 5_000, "change", None)
        .await
        .unwrap();
    refund(cash_sale.id.clone(), "cash")
        .await
        .expect("with cash paid in, the refund goes through");
}
