//! A full trading day through the library: open, 200 mixed sales, refunds, drawer
//! movements, Z report; the Z must equal what the journal says happened.

use std::collections::BTreeMap;

use pos_core::checkout::{Cart, Discount, Tender};
use pos_core::customers::{self, NewCustomer};
use pos_core::journal;
use pos_core::refunds::{self, Refund};
use pos_core::sales::{self, Sale};
use pos_core::shifts::{self, CashKind};
use pos_core::{stock, till};
use pos_shared::Money;

use crate::harness::{OPENING_STOCK, PRODUCTS, Rng, TestTerminal};

async fn ring_up(t: &TestTerminal, rng: &mut Rng, i: u64) -> Cart {
    let mut cart = Cart::default();
    for _ in 0..=rng.below(3) {
        let sku = format!("P{:02}", rng.below(PRODUCTS as u64));
        let qty = 1000 * (1 + rng.below(3) as i64);
        till::add_code(&t.db, &t.terminal, &mut cart, &sku, qty)
            .await
            .unwrap();
    }
    if i.is_multiple_of(7) {
        cart.lines[0].discount = Some(Discount::Percent(500));
    }
    if i.is_multiple_of(11) {
        cart.discount = Some(Discount::Amount(Money::new(10, t.terminal.currency)));
    }
    cart
}

fn pay(cart: &mut Cart, total: i64, i: u64, customer: &str) {
    cart.tenders = match i % 5 {
        0 | 1 => vec![Tender::Cash {
            amount_minor: (total / 1000 + 1) * 1000,
        }],
        2 => vec![Tender::Card {
            amount_minor: total,
            reference: format!("AUTH{i}"),
        }],
        3 => vec![
            Tender::Card {
                amount_minor: total / 2,
                reference: format!("SPLIT{i}"),
            },
            Tender::Cash {
                amount_minor: total - total / 2 + 50,
            },
        ],
        _ => {
            cart.customer_id = Some(customer.to_owned());
            vec![Tender::OnAccount {
                amount_minor: total,
            }]
        }
    };
}

#[tokio::test]
async fn z_report_equals_the_sum_over_the_journal() {
    let t = TestTerminal::new().await;
    let mut rng = Rng::new(0x05ee_dda7);
    let shift = shifts::open(&t.db, &t.cashier, 10_000).await.unwrap();
    let customer = customers::add(
        &t.db,
        &t.cashier,
        &NewCustomer {
            name: "Tab".into(),
            credit_limit_minor: 100_000_000,
            ..NewCustomer::default()
        },
    )
    .await
    .unwrap();
    let mut sold: Vec<Sale> = Vec::new();
    let mut refunded: Vec<Refund> = Vec::new();
    for i in 0..200u64 {
        let mut cart = ring_up(&t, &mut rng, i).await;
        let total = pos_core::checkout::price(&cart, t.terminal.currency)
            .unwrap()
            .total_minor;
        pay(&mut cart, total, i, &customer.id);
        let sale = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
            .await
            .unwrap();
        assert_eq!(
            sale.total_minor, total,
            "the stored total is the priced total"
        );
        if i.is_multiple_of(15) {
            let r = refunds::with_receipt(
                &t.db,
                &t.terminal,
                &t.manager,
                &sale.id,
                &[(1, 1000)],
                "cash",
                "faulty",
                None,
            )
            .await
            .unwrap();
            refunded.push(r);
        }
        if i.is_multiple_of(40) {
            shifts::cash_movement(&t.db, &t.cashier, CashKind::PaidIn, 2_000, "coins", None)
                .await
                .unwrap();
            shifts::cash_movement(&t.db, &t.cashier, CashKind::PaidOut, 700, "milkman", None)
                .await
                .unwrap();
        }
        sold.push(sale);
    }
    let x = shifts::report(&t.db, &shift.id).await.unwrap();
    let counted = BTreeMap::from([("cash".to_owned(), x.expected["cash"])]);
    let z = shifts::close(&t.db, &t.terminal, &t.cashier, counted, None)
        .await
        .unwrap();
    assert_eq!(z.z_number, 1, "the first Z of a terminal is number 1");
    assert!(
        z.variance.values().all(|v| *v == 0),
        "counted what was expected: {:?}",
        z.variance
    );

    // Recompute the day from the journal alone.
    let records = journal::read_from(&t.db, 1).await.unwrap();
    let mut j_sales = 0;
    let (mut j_total, mut j_tax, mut j_refunds, mut j_in, mut j_out) = (0, 0, 0, 0, 0);
    let mut j_tenders: BTreeMap<String, i64> = BTreeMap::new();
    for r in &records {
        let p: serde_json::Value = serde_json::from_str(&r.payload).unwrap();
        match r.kind.as_str() {
            "sale_completed" => {
                let s: Sale = serde_json::from_value(p).unwrap();
                j_sales += 1;
                j_total += s.total_minor;
                j_tax += s.tax_minor;
                for tender in &s.tenders {
                    *j_tenders.entry(tender.kind.clone()).or_default() += tender.amount_minor;
                }
                *j_tenders.entry("cash".into()).or_default() -= s.change_minor;
            }
            "refund_issued" => {
                let rf: Refund = serde_json::from_value(p).unwrap();
                j_refunds += rf.total_minor;
                *j_tenders.entry(rf.tender_kind.clone()).or_default() -= rf.total_minor;
            }
            "cash_movement" => match p["kind"].as_str().unwrap() {
                "paid_in" => j_in += p["amount_minor"].as_i64().unwrap(),
                "paid_out" => j_out += p["amount_minor"].as_i64().unwrap(),
                _ => {}
            },
            _ => {}
        }
    }
    let r = &z.report;
    assert_eq!(r.sales_count, 200);
    assert_eq!(
        j_sales, r.sales_count,
        "every sale has exactly one journal record"
    );
    assert_eq!(j_total, r.sales_total_minor, "Z sales total == journal");
    assert_eq!(j_tax, r.tax_minor, "Z tax == journal");
    assert_eq!(j_refunds, r.refunds_total_minor, "Z refunds == journal");
    assert_eq!(
        (j_in, j_out),
        (r.paid_in_minor, r.paid_out_minor),
        "drawer movements == journal"
    );
    assert_eq!(j_tenders, r.tenders, "takings per tender == journal");
    assert_eq!(
        r.expected["cash"],
        10_000 + j_tenders["cash"] + j_in - j_out,
        "expected cash is float + cash takings + paid in - paid out"
    );
    // The tax table: per rate, sold lines minus what was refunded of them.
    let mut rate_of = BTreeMap::new();
    let mut j_taxes: BTreeMap<(u32, bool), (i64, i64)> = BTreeMap::new();
    for s in &sold {
        for l in &s.lines {
            let rate = (l.tax_rate_bp, l.tax_inclusive);
            rate_of.insert(l.id.clone(), rate);
            let row = j_taxes.entry(rate).or_default();
            *row = (row.0 + l.net_minor, row.1 + l.tax_minor);
        }
    }
    for rf in &refunded {
        for l in &rf.lines {
            let rate = rate_of[l.sale_line_id.as_deref().expect("refunds with a receipt")];
            let row = j_taxes.entry(rate).or_default();
            *row = (row.0 - (l.amount_minor - l.tax_minor), row.1 - l.tax_minor);
        }
    }
    let z_taxes: BTreeMap<(u32, bool), (i64, i64)> = r
        .taxes
        .iter()
        .map(|t| ((t.rate_bp, t.inclusive), (t.net_minor, t.tax_minor)))
        .collect();
    assert!(!refunded.is_empty());
    assert_eq!(
        z_taxes, j_taxes,
        "Z tax table == sales minus refunds per rate"
    );
    let z_record = records
        .iter()
        .rfind(|r| r.kind == "shift_closed")
        .expect("Z is journaled");
    let z_from_journal: shifts::ZReport = serde_json::from_str(&z_record.payload).unwrap();
    assert_eq!(z_from_journal, z, "the journaled Z is the Z");
    assert_eq!(
        shifts::z_report(&t.db, 1).await.unwrap(),
        z,
        "the stored Z is frozen"
    );
    journal::verify(&t.db)
        .await
        .expect("the day's journal verifies");

    // Stock: opening - sold + refunded, per product.
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for s in &sold {
        for l in &s.lines {
            *expected
                .entry(l.sku.clone())
                .or_insert(OPENING_STOCK * 1000) -= l.qty_milli;
        }
    }
    for rf in &refunded {
        for l in &rf.lines {
            *expected
                .entry(l.sku.clone())
                .or_insert(OPENING_STOCK * 1000) += l.qty_milli;
        }
    }
    for level in stock::levels(&t.db, None).await.unwrap() {
        let want = expected
            .get(&level.sku)
            .copied()
            .unwrap_or(OPENING_STOCK * 1000);
        assert_eq!(
            level.on_hand_milli, want,
            "stock of {} = opening - sold + refunded",
            level.sku
        );
    }
    let owed = customers::get(&t.db, &customer.id)
        .await
        .unwrap()
        .balance_minor;
    assert_eq!(
        owed,
        j_tenders.get("on_account").copied().unwrap_or(0),
        "on-account sales are owed"
    );
}

#[tokio::test]
async fn closed_shift_is_immutable_and_sales_need_an_open_shift() {
    let t = TestTerminal::new().await;
    shifts::open(&t.db, &t.cashier, 0).await.unwrap();
    let z = shifts::close(
        &t.db,
        &t.terminal,
        &t.cashier,
        BTreeMap::from([("cash".into(), 0)]),
        None,
    )
    .await
    .unwrap();
    let tamper = sqlx::query("UPDATE shifts SET z_report = '{}' WHERE z_number = ?")
        .bind(z.z_number)
        .execute(t.db.pool())
        .await;
    assert!(tamper.is_err(), "a closed shift cannot be edited");
    let mut cart = Cart::default();
    till::add_code(&t.db, &t.terminal, &mut cart, "P01", 1000)
        .await
        .unwrap();
    cart.tenders = vec![Tender::Cash {
        amount_minor: 100_000,
    }];
    let err = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "no_open_shift");
    let opened = shifts::open(&t.db, &t.cashier, 0).await.unwrap();
    assert!(
        shifts::open(&t.db, &t.cashier, 0).await.is_err(),
        "one open shift at a time"
    );
    let sale = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap();
    assert_eq!(sale.shift_id, opened.id);
}

#[tokio::test]
async fn large_variance_needs_a_manager_and_refunds_never_exceed_the_sale() {
    let t = TestTerminal::new().await;
    shifts::open(&t.db, &t.cashier, 5_000).await.unwrap();
    let mut cart = Cart::default();
    till::add_code(&t.db, &t.terminal, &mut cart, "P03", 2000)
        .await
        .unwrap();
    cart.tenders = vec![Tender::Cash {
        amount_minor: 100_000,
    }];
    let sale = sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap();
    let m = Some(crate::harness::MANAGER_PIN);
    let first = refunds::with_receipt(
        &t.db,
        &t.terminal,
        &t.cashier,
        &sale.id,
        &[(1, 1000)],
        "cash",
        "r",
        m,
    )
    .await
    .unwrap();
    assert_eq!(first.approved_by.as_deref(), Some(t.manager.id.as_str()));
    let over = refunds::with_receipt(
        &t.db,
        &t.terminal,
        &t.cashier,
        &sale.id,
        &[(1, 1500)],
        "cash",
        "r",
        m,
    )
    .await;
    assert_eq!(
        over.unwrap_err().code(),
        "over_refund",
        "only one unit is left to refund"
    );
    let second = refunds::with_receipt(
        &t.db,
        &t.terminal,
        &t.cashier,
        &sale.id,
        &[(1, 1000)],
        "cash",
        "r",
        m,
    )
    .await
    .unwrap();
    assert_eq!(
        first.total_minor + second.total_minor,
        sale.total_minor,
        "refunds add up to what was paid"
    );
    let short = BTreeMap::from([("cash".into(), 0)]);
    let err = shifts::close(&t.db, &t.terminal, &t.cashier, short.clone(), None)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        "manager_approval_required",
        "a 50.00 shortfall needs a manager"
    );
    let z = shifts::close(&t.db, &t.terminal, &t.cashier, short, m)
        .await
        .unwrap();
    assert_eq!(z.variance["cash"], -5_000);
    assert_eq!(z.approved_by.as_deref(), Some(t.manager.id.as_str()));
}
