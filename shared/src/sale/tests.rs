//! Checkout scenarios and properties through the public entry points.

use proptest::prelude::*;

use super::*;
use crate::catalog::PromotionRule;
use crate::ids::TaxRateId;

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

fn vat(bp: u32, inclusive: bool) -> TaxRate {
    TaxRate {
        id: TaxRateId::new(),
        name: format!("VAT {bp}"),
        rate_bp: bp,
        inclusive,
    }
}

fn line(product: ProductId, unit_price: i64, quantity: Quantity, rates: &[TaxRate]) -> NewSaleLine {
    NewSaleLine {
        id: SaleLineId::new(),
        product_id: product,
        variant_id: None,
        category_id: None,
        name: "item".into(),
        unit_price: eur(unit_price),
        quantity,
        tax_rates: rates.to_vec(),
        discount: None,
    }
}

fn sale(lines: Vec<NewSaleLine>) -> NewSale {
    NewSale {
        currency: Currency::EUR,
        lines,
        cart_discount: None,
        promotions: vec![],
        tenders: vec![],
        cash_rounding_step: None,
    }
}

fn cash(minor: i64) -> Tender {
    Tender {
        kind: TenderKind::Cash,
        amount: eur(minor),
    }
}

fn promo(rule: PromotionRule) -> Promotion {
    Promotion {
        id: PromotionId::new(),
        name: "promo".into(),
        rule,
    }
}

#[test]
fn inclusive_sale_paid_in_cash_gives_change() {
    let rate = vat(2000, true);
    let mut s = sale(vec![
        line(
            ProductId::new(),
            600,
            Quantity::from_units(2),
            std::slice::from_ref(&rate),
        ),
        line(ProductId::new(), 299, Quantity::from_milli(1235), &[rate]),
    ]);
    s.tenders = vec![cash(2000)];
    let t = compute_totals(&s).unwrap();
    assert_eq!(t.lines[1].base, eur(369), "2.99/kg x 1.235 kg");
    assert_eq!(t.total, eur(1569));
    assert_eq!(
        t.tax_total,
        eur(200 + 62),
        "12.00 -> 2.00, 3.69 -> 0.615 -> 0.62"
    );
    assert_eq!((t.paid, t.change, t.due), (eur(2000), eur(431), eur(0)));
    assert_eq!(t.taxes.rates.len(), 1, "one row per rate on the receipt");
}

#[test]
fn exclusive_tax_is_added_to_the_total() {
    let mut s = sale(vec![line(
        ProductId::new(),
        1000,
        Quantity::ONE,
        &[vat(825, false)],
    )]);
    s.tenders = vec![cash(1083)];
    let t = compute_totals(&s).unwrap();
    assert_eq!(
        (t.subtotal, t.tax_total, t.total),
        (eur(1000), eur(83), eur(1083))
    );
}

#[test]
fn line_and_cart_discounts_lose_no_cent() {
    let p = ProductId::new;
    let mut a = line(p(), 1000, Quantity::ONE, &[]);
    a.discount = Some(Discount::Percent(1000));
    let mut b = line(p(), 500, Quantity::ONE, &[]);
    b.discount = Some(Discount::Amount(eur(100)));
    let c = line(p(), 333, Quantity::ONE, &[]);
    let mut s = sale(vec![a, b, c]);
    s.cart_discount = Some(Discount::Amount(eur(100)));
    let t = running_totals(&s).unwrap();
    let shares: Vec<i64> = t.lines.iter().map(|l| l.cart_discount.minor).collect();
    // 1.00 over 9.00 / 4.00 / 3.33: exact shares 55.1 / 24.49 / 20.39, the spare cent
    // goes to the largest remainder.
    assert_eq!(shares, [55, 25, 20]);
    assert_eq!(t.discount_total, eur(100 + 100 + 100));
    assert_eq!(t.total, eur(1833 - 300));
}

#[test]
fn oversized_discounts_are_refused() {
    let mut l = line(ProductId::new(), 100, Quantity::ONE, &[]);
    l.discount = Some(Discount::Amount(eur(101)));
    assert!(matches!(
        running_totals(&sale(vec![l.clone()])),
        Err(SaleError::LineDiscountTooLarge { .. })
    ));
    l.discount = Some(Discount::Percent(10_001));
    assert!(matches!(
        running_totals(&sale(vec![l.clone()])),
        Err(SaleError::LineDiscountTooLarge { .. })
    ));
    l.discount = Some(Discount::Amount(eur(-1)));
    assert_eq!(
        running_totals(&sale(vec![l.clone()])),
        Err(SaleError::NegativeDiscount)
    );
    l.discount = None;
    let mut s = sale(vec![l]);
    s.cart_discount = Some(Discount::Amount(eur(101)));
    assert_eq!(running_totals(&s), Err(SaleError::CartDiscountTooLarge));
}

#[test]
fn bad_lines_are_refused() {
    let mut l = line(ProductId::new(), 100, Quantity::ZERO, &[]);
    assert!(matches!(
        running_totals(&sale(vec![l.clone()])),
        Err(SaleError::InvalidQuantity { .. })
    ));
    l.quantity = Quantity::ONE;
    l.unit_price = eur(-1);
    assert!(matches!(
        running_totals(&sale(vec![l.clone()])),
        Err(SaleError::NegativePrice { .. })
    ));
    l.unit_price = Money::new(100, Currency::USD);
    assert!(matches!(
        running_totals(&sale(vec![l])),
        Err(SaleError::Money(_))
    ));
}

#[test]
fn completing_requires_items_and_full_payment() {
    assert_eq!(compute_totals(&sale(vec![])), Err(SaleError::Empty));
    assert_eq!(
        running_totals(&sale(vec![])).unwrap().total,
        eur(0),
        "an empty cart shows zero"
    );
    let mut s = sale(vec![line(ProductId::new(), 1000, Quantity::ONE, &[])]);
    s.tenders = vec![cash(500)];
    assert_eq!(
        compute_totals(&s),
        Err(SaleError::InsufficientTender { due: eur(500) })
    );
    assert_eq!(running_totals(&s).unwrap().due, eur(500));
}

#[test]
fn swiss_cash_is_rounded_to_five_centimes() {
    let chf = |m| Money::new(m, Currency::CHF);
    let mut s = sale(vec![line(ProductId::new(), 0, Quantity::ONE, &[])]);
    s.currency = Currency::CHF;
    s.lines[0].unit_price = chf(1233);
    s.cash_rounding_step = Some(5);
    s.tenders = vec![Tender {
        kind: TenderKind::Cash,
        amount: chf(1300),
    }];
    let t = compute_totals(&s).unwrap();
    assert_eq!(
        (t.total, t.cash_rounding, t.change),
        (chf(1233), chf(2), chf(65))
    );
}

#[test]
fn three_for_two_frees_the_cheapest_unit() {
    let apple = ProductId::new();
    let mut s = sale(vec![
        line(apple, 100, Quantity::from_units(2), &[]),
        line(apple, 80, Quantity::from_units(2), &[]),
    ]);
    s.promotions = vec![promo(PromotionRule::MultiBuy {
        product: apple,
        buy: 3,
        pay: 2,
    })];
    let t = running_totals(&s).unwrap();
    let off: Vec<i64> = t.lines.iter().map(|l| l.promotion_discount.minor).collect();
    assert_eq!(off, [0, 80], "one group of three; the 0.80 unit is free");
    assert_eq!(t.promotions.len(), 1);
    assert_eq!(t.promotions[0].discount, eur(80));
}

#[test]
fn bundle_price_spreads_its_discount_and_needs_every_part() {
    let (burger, fries) = (ProductId::new(), ProductId::new());
    let mut s = sale(vec![
        line(burger, 600, Quantity::from_units(2), &[]),
        line(fries, 300, Quantity::ONE, &[]),
    ]);
    s.promotions = vec![promo(PromotionRule::BundlePrice {
        products: vec![burger, fries],
        price: eur(750),
    })];
    let t = running_totals(&s).unwrap();
    let off: Vec<i64> = t.lines.iter().map(|l| l.promotion_discount.minor).collect();
    assert_eq!(off, [100, 50], "1.50 off 9.00 of parts, in proportion 6:3");
    assert_eq!(
        t.total,
        eur(1500 - 150),
        "the second burger is not part of a bundle"
    );

    s.lines.pop();
    assert!(
        running_totals(&s).unwrap().promotions.is_empty(),
        "no fries, no bundle"
    );
}

#[test]
fn category_percent_and_weighed_items() {
    let fruit = CategoryId::new();
    let banana = ProductId::new();
    let mut l = line(banana, 199, Quantity::from_milli(1500), &[]);
    l.category_id = Some(fruit);
    let mut s = sale(vec![l]);
    s.promotions = vec![
        promo(PromotionRule::MultiBuy {
            product: banana,
            buy: 2,
            pay: 1,
        }),
        promo(PromotionRule::PercentOffCategory {
            category: fruit,
            bp: 1000,
        }),
    ];
    let t = running_totals(&s).unwrap();
    assert_eq!(t.lines[0].base, eur(299), "1.99 x 1.5 = 2.985 -> 2.99");
    assert_eq!(
        t.lines[0].promotion_discount,
        eur(30),
        "weighed lines skip multi-buy; 10 % of 2.99"
    );
}

#[test]
fn misconfigured_promotions_are_reported() {
    let p = ProductId::new();
    let mut s = sale(vec![line(p, 100, Quantity::ONE, &[])]);
    s.promotions = vec![promo(PromotionRule::MultiBuy {
        product: p,
        buy: 1,
        pay: 1,
    })];
    assert!(matches!(running_totals(&s), Err(SaleError::Promotion(_))));
}

fn arb_sale() -> impl Strategy<Value = NewSale> {
    let products = [ProductId::new(), ProductId::new(), ProductId::new()];
    let rates = [vat(2000, true), vat(700, true), vat(825, false)];
    let arb_line = (
        0usize..3,
        0i64..50_000,
        1i64..20_000,
        0u8..8,
        prop::option::of(0u32..=10_000),
    )
        .prop_map(move |(p, price, milli, rate_mask, bp)| {
            let chosen: Vec<TaxRate> = (0..3)
                .filter(|i| rate_mask & (1 << i) != 0)
                .map(|i| rates[i].clone())
                .collect();
            let mut l = line(products[p], price, Quantity::from_milli(milli), &chosen);
            l.discount = bp.map(Discount::Percent);
            l
        });
    (
        prop::collection::vec(arb_line, 1..6),
        prop::option::of(0u32..=10_000),
        any::<bool>(),
    )
        .prop_map(move |(lines, cart_bp, with_promos)| {
            let mut s = sale(lines);
            s.cart_discount = cart_bp.map(Discount::Percent);
            if with_promos {
                s.promotions = vec![
                    promo(PromotionRule::MultiBuy {
                        product: products[0],
                        buy: 3,
                        pay: 2,
                    }),
                    promo(PromotionRule::BundlePrice {
                        products: vec![products[1], products[2]],
                        price: eur(100),
                    }),
                ];
            }
            s
        })
}

proptest! {
    #[test]
    fn line_totals_add_up_to_the_sale_total(s in arb_sale()) {
        let t = running_totals(&s).unwrap();
        let sum: i64 = t.lines.iter().map(|l| l.total.minor).sum();
        prop_assert_eq!(sum, t.total.minor, "the receipt's lines must add up to its total");
        let exclusive: i64 = t.lines.iter().map(|l| l.total.minor - l.amount.minor).sum();
        prop_assert_eq!(t.total.minor, t.subtotal.minor - t.discount_total.minor + exclusive);
        prop_assert_eq!(t.taxes.tax_total(Currency::EUR).unwrap(), t.tax_total, "summary matches lines");
        for l in &t.lines {
            let taxes: i64 = l.taxes.iter().map(|x| x.amount.minor).sum();
            prop_assert_eq!(l.net.minor + taxes, l.total.minor);
            prop_assert!(!l.amount.is_negative(), "no line is discounted below zero");
        }
    }

    #[test]
    fn cart_discount_allocation_sums_to_the_discount(s in arb_sale(), off in 0i64..1000) {
        let mut s = s;
        s.cart_discount = Some(Discount::Amount(eur(off)));
        match running_totals(&s) {
            Ok(t) => {
                let shares: i64 = t.lines.iter().map(|l| l.cart_discount.minor).sum();
                prop_assert_eq!(shares, off, "every cent of the cart discount lands on a line");
            }
            Err(e) => prop_assert_eq!(e, SaleError::CartDiscountTooLarge),
        }
    }

    #[test]
    fn paying_in_cash_balances(s in arb_sale(), extra in 0i64..10_000, step in 1i64..=10) {
        let mut s = s;
        let total = running_totals(&s).unwrap().total.minor;
        s.tenders = vec![cash(total + step + extra)];
        s.cash_rounding_step = Some(step);
        let t = compute_totals(&s).unwrap();
        prop_assert_eq!(t.paid.minor - t.change.minor, t.total.minor + t.cash_rounding.minor);
        prop_assert!(2 * t.cash_rounding.minor.abs() <= step, "rounding stays within half a step");
    }
}
