//! Rows changed behind the journal's back: `journal::verify` compares the sales, refunds
//! and drawer movements reports are built from with the facts the journal states.

use pos_core::checkout::{Cart, Tender};
use pos_core::shifts::{self, CashKind};
use pos_core::{journal, refunds, sales, till};

use crate::harness::TestTerminal;

async fn run(t: &TestTerminal, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(t.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn an_edit_to_a_sale_refund_or_drawer_row_fails_verify_naming_the_row() {
    let t = TestTerminal::new().await;
    shifts::open(&t.db, &t.cashier, 5_000).await.unwrap();
    let mut cart = Cart::default();
    for sku in ["P01", "P02"] {
        till::add_code(&t.db, &t.terminal, &mut cart, sku, 2_000)
            .await
            .unwrap();
    }
    cart.tenders = vec![
        Tender::Card {
            amount_minor: 100,
            reference: "A1".into(),
        },
        Tender::Cash {
            amount_minor: 10_000,
        },
    ];
    let sale = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap();
    let refund = refunds::with_receipt(
        &t.db,
        &t.terminal,
        &t.manager,
        &sale.id,
        &[(1, 1_000)],
        "cash",
        "dented",
        None,
    )
    .await
    .unwrap();
    let paid_in = shifts::cash_movement(&t.db, &t.cashier, CashKind::PaidIn, 500, "coins", None)
        .await
        .unwrap();
    journal::verify(&t.db).await.expect("untouched rows agree");

    let (s, r, m) = (&sale.id, &refund.id, &paid_in.id);
    let cases = [
        (
            format!("UPDATE sales SET total_minor = total_minor - 100 WHERE id = '{s}'"),
            Some(format!(
                "UPDATE sales SET total_minor = total_minor + 100 WHERE id = '{s}'"
            )),
            format!("sale {s}, journal seq"),
            "its row differs from the sale",
        ),
        (
            format!("UPDATE sale_lines SET qty_milli = 1000 WHERE sale_id = '{s}' AND line_no = 2"),
            Some(format!(
                "UPDATE sale_lines SET qty_milli = 2000 WHERE sale_id = '{s}' AND line_no = 2"
            )),
            format!("sale {s}"),
            "its lines differ",
        ),
        (
            format!("UPDATE tenders SET kind = 'cash' WHERE sale_id = '{s}' AND kind = 'card'"),
            Some(format!(
                "UPDATE tenders SET kind = 'card' WHERE sale_id = '{s}' AND reference = 'A1'"
            )),
            format!("sale {s}"),
            "its tenders differ",
        ),
        (
            format!("UPDATE refunds SET tender_kind = 'card' WHERE id = '{r}'"),
            Some(format!(
                "UPDATE refunds SET tender_kind = 'cash' WHERE id = '{r}'"
            )),
            format!("refund {r}"),
            "its row differs from the refund",
        ),
        (
            format!("UPDATE refund_lines SET qty_milli = 2000 WHERE refund_id = '{r}'"),
            Some(format!(
                "UPDATE refund_lines SET qty_milli = 1000 WHERE refund_id = '{r}'"
            )),
            format!("refund {r}"),
            "its lines differ",
        ),
        (
            format!("UPDATE cash_movements SET amount_minor = 50 WHERE id = '{m}'"),
            Some(format!(
                "UPDATE cash_movements SET amount_minor = 500 WHERE id = '{m}'"
            )),
            format!("drawer movement {m}"),
            "its row differs from the drawer movement",
        ),
        (
            format!(
                "INSERT INTO cash_movements (id, shift_id, kind, amount_minor, reason, staff_id,
                                             created_at_ms)
                 SELECT 'forged', shift_id, 'paid_out', 400, 'x', staff_id, created_at_ms
                 FROM cash_movements WHERE id = '{m}'"
            ),
            // Rows are never deleted (a trigger says so): the forged one stays, so last.
            None,
            "drawer movement forged".to_owned(),
            "no journal record states it",
        ),
    ];
    for (tamper, undo, names, how) in cases {
        run(&t, &tamper).await;
        let err = journal::verify(&t.db).await.unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&names) && text.contains(how),
            "{tamper}\n  gave: {text}"
        );
        assert_eq!(err.code(), "journal_broken");
        if let Some(undo) = undo {
            run(&t, &undo).await;
            journal::verify(&t.db)
                .await
                .unwrap_or_else(|e| panic!("after undoing `{tamper}`: {e}"));
        }
    }
}
