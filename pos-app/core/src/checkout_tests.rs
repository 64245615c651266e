//! Unit and property tests for cart pricing on top of pos-shared's checkout math.

use super::*;
use proptest::prelude::*;

const RATE: &str = "01890000-0000-7000-8000-000000000001";
const PRODUCT: &str = "01890000-0000-7000-8000-000000000002";

fn line(price: i64, qty_milli: i64, bp: u32, inclusive: bool) -> CartLine {
    CartLine {
        id: uuid::Uuid::now_v7().to_string(),
        product_id: PRODUCT.into(),
        category_id: None,
        sku: "S".into(),
        name: "Thing".into(),
        qty_milli,
        unit_price_minor: price,
        tax_rate_id: RATE.into(),
        tax_rate_bp: bp,
        tax_inclusive: inclusive,
        discount: None,
        sold_by_weight: false,
    }
}

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

#[test]
fn inclusive_tax_is_extracted_and_exclusive_added() {
    let cart = Cart {
        lines: vec![line(1200, 1000, 2000, true)],
        ..Cart::default()
    };
    let t = price(&cart, Currency::EUR).unwrap();
    assert_eq!(
        (t.total_minor, t.tax_minor),
        (1200, 200),
        "12.00 incl. 20% holds 2.00 tax"
    );
    let cart = Cart {
        lines: vec![line(1000, 1000, 2000, false)],
        ..Cart::default()
    };
    let t = price(&cart, Currency::EUR).unwrap();
    assert_eq!(
        (t.total_minor, t.tax_minor),
        (1200, 200),
        "10.00 excl. 20% adds 2.00"
    );
}

#[test]
fn weighed_quantity_and_discounts() {
    let mut l = line(299, 1235, 0, true);
    l.discount = Some(Discount::Amount(eur(19)));
    let cart = Cart {
        lines: vec![l, line(100, 2000, 0, true)],
        discount: Some(Discount::Percent(1000)),
        ..Cart::default()
    };
    let t = price(&cart, Currency::EUR).unwrap();
    // 2.99 x 1.235 = 3.69; -0.19 = 3.50; + 2.00 = 5.50; -10 % = 4.95
    assert_eq!(t.subtotal_minor, 569);
    assert_eq!(t.total_minor, 495);
    assert_eq!(t.discount_minor, 74);
    assert_eq!(t.due_minor, 495, "nothing tendered yet");
}

#[test]
fn finalize_requires_full_payment_and_gives_cash_change() {
    let mut cart = Cart {
        lines: vec![line(1250, 1000, 0, true)],
        ..Cart::default()
    };
    cart.tenders = vec![Tender::Cash { amount_minor: 1000 }];
    assert!(matches!(
        finalize(&cart, &Pricing::plain(Currency::EUR)),
        Err(CoreError::InsufficientTender { due, paid }) if due.minor == 1250 && paid.minor == 1000
    ));
    cart.tenders = vec![
        Tender::Card {
            amount_minor: 1000,
            reference: "r".into(),
        },
        Tender::Cash { amount_minor: 500 },
    ];
    assert_eq!(
        finalize(&cart, &Pricing::plain(Currency::EUR))
            .unwrap()
            .change_minor,
        250
    );
    cart.tenders = vec![Tender::Card {
        amount_minor: 1300,
        reference: "r".into(),
    }];
    assert!(
        matches!(
            finalize(&cart, &Pricing::plain(Currency::EUR)),
            Err(CoreError::TenderRejected(_))
        ),
        "only cash gives change"
    );
    assert!(matches!(
        finalize(&Cart::default(), &Pricing::plain(Currency::EUR)),
        Err(CoreError::EmptyCart)
    ));
}

#[test]
fn chf_cash_is_rounded_to_five_centimes_but_card_is_not() {
    let chf = Pricing {
        currency: Currency::CHF,
        promotions: &[],
        cash_rounding_step: Some(5),
    };
    let mut cart = Cart {
        lines: vec![line(1232, 1000, 0, true)],
        ..Cart::default()
    };
    cart.tenders = vec![Tender::Cash { amount_minor: 2000 }];
    let t = finalize(&cart, &chf).unwrap();
    assert_eq!(
        (t.total_minor, t.cash_rounding_minor, t.change_minor),
        (1232, -2, 770),
        "12.32 is paid as 12.30"
    );
    cart.tenders = vec![Tender::Card {
        amount_minor: 1232,
        reference: "r".into(),
    }];
    assert_eq!(finalize(&cart, &chf).unwrap().cash_rounding_minor, 0);
}

#[test]
fn on_account_needs_a_customer() {
    let cart = Cart {
        lines: vec![line(100, 1000, 0, true)],
        tenders: vec![Tender::OnAccount { amount_minor: 100 }],
        ..Cart::default()
    };
    assert!(matches!(
        finalize(&cart, &Pricing::plain(Currency::EUR)),
        Err(CoreError::TenderRejected(_))
    ));
}

proptest! {
    #[test]
    fn totals_are_consistent(
        items in proptest::collection::vec((1i64..50_000, 1i64..5_000, 0u32..2500, any::<bool>(), 0u32..3000), 1..8),
        cart_bp in 0u32..5000,
    ) {
        let lines: Vec<CartLine> = items.iter().map(|&(p, q, bp, inc, d)| {
            let mut l = line(p, q, bp, inc);
            l.discount = Some(Discount::Percent(d));
            l
        }).collect();
        let cart = Cart { lines, discount: Some(Discount::Percent(cart_bp)), ..Cart::default() };
        let t = price(&cart, Currency::EUR).unwrap();
        let gross: i64 = t.lines.iter().map(|l| l.gross_minor).sum();
        prop_assert_eq!(gross, t.total_minor, "lines add up to the total");
        for l in &t.lines {
            prop_assert_eq!(l.net_minor + l.tax_minor, l.gross_minor, "net + tax == gross per line");
            prop_assert!(l.discount_minor <= l.list_minor, "a discount never exceeds the line");
        }
        let summary_tax: i64 = t.taxes.rates.iter().map(|r| r.tax.minor).sum();
        prop_assert_eq!(summary_tax, t.tax_minor, "the tax summary matches the lines");
        prop_assert!(discount_bp(&t) >= 0);
    }

    #[test]
    fn cash_change_is_paid_minus_due(price_minor in 1i64..1_000_000, extra in 0i64..100_000) {
        let cart = Cart {
            lines: vec![line(price_minor, 1000, 0, true)],
            tenders: vec![Tender::Cash { amount_minor: price_minor + extra }],
            ..Cart::default()
        };
        let t = finalize(&cart, &Pricing::plain(Currency::EUR)).unwrap();
        prop_assert_eq!(t.change_minor, extra);
    }
}
