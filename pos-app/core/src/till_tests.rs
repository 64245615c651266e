//! Tests of code resolution (GS1 scale labels), parking and voids.

use super::*;
use crate::catalog::{ProductInput, upsert_product};
use crate::terminal::{InitRequest, init};
use pos_shared::barcode::Measure;
use pos_shared::role::Role;
use pos_shared::{Currency, Money, Quantity};

/// A terminal with apples by weight, a cheese counter and milk (`4006381333931`, 1.29),
/// and a shop manager Ana (PIN 1234); no shift open. The database is `till.db` in the
/// returned directory.
pub(crate) async fn setup() -> (tempfile::TempDir, LocalDb, Terminal, Staff) {
    let dir = tempfile::tempdir().unwrap();
    let db = LocalDb::open(&dir.path().join("till.db")).await.unwrap();
    let t = init(
        &db,
        &InitRequest {
            currency: Currency::EUR,
            shop_name: "S".into(),
            company_name: String::new(),
            receipt_header: String::new(),
            receipt_footer: String::new(),
            cash_rounding_step: 0,
        },
    )
    .await
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    for (sku, name, barcode, price) in [
        ("12345", "Apples per kg", None, 299),
        ("54321", "Cheese counter", None, 0),
        ("MILK", "Milk", Some("4006381333931"), 129),
    ] {
        let p = ProductInput {
            sku: sku.into(),
            name: name.into(),
            barcode: barcode.map(Into::into),
            price_minor: price,
            tax_rate_bp: 700,
            tax_inclusive: true,
            category: None,
            stock: None,
            sold_by_weight: barcode.is_none(),
        };
        upsert_product(&mut tx, 1, &p).await.unwrap();
    }
    tx.commit().await.unwrap();
    let staff = crate::staff::add(&db, "Ana", Role::ShopManager, "1234")
        .await
        .unwrap();
    (dir, db, t, staff)
}

#[tokio::test]
async fn scale_labels_carry_weight_or_price() {
    let (_d, db, t, _s) = setup().await;
    let weight = t.gs1_layouts[0]
        .encode("21", "12345", Measure::Weight(Quantity::from_milli(1235)))
        .unwrap();
    let price = t.gs1_layouts[1]
        .encode(
            "23",
            "54321",
            Measure::Price(Money::new(455, Currency::EUR)),
        )
        .unwrap();
    let mut cart = Cart::default();
    add_code(&db, &t, &mut cart, weight.as_str(), 1000)
        .await
        .unwrap();
    add_code(&db, &t, &mut cart, price.as_str(), 1000)
        .await
        .unwrap();
    add_code(&db, &t, &mut cart, "4006381333931", 2000)
        .await
        .unwrap();
    assert_eq!(
        (cart.lines[0].sku.as_str(), cart.lines[0].qty_milli),
        ("12345", 1235),
        "weight label"
    );
    assert_eq!(
        (cart.lines[1].qty_milli, cart.lines[1].unit_price_minor),
        (1000, 455),
        "price label sells one unit at the printed price"
    );
    assert_eq!(cart.lines[2].qty_milli, 2000);
    let totals = crate::checkout::price(&cart, t.currency).unwrap();
    assert_eq!(
        totals.lines[0].gross_minor, 369,
        "2.99/kg x 1.235 kg = 3.69"
    );
    let unknown = t.gs1_layouts[0]
        .encode("21", "99999", Measure::Weight(Quantity::from_milli(500)))
        .unwrap();
    let err = add_code(&db, &t, &mut cart, unknown.as_str(), 1000)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unknown_barcode");
}

#[tokio::test]
async fn typed_codes_are_forgiving_but_piece_goods_stay_whole() {
    let (_d, db, t, _s) = setup().await;
    let mut cart = Cart::default();
    add_code(&db, &t, &mut cart, "milk", 2000).await.unwrap();
    assert_eq!(
        cart.lines[0].sku, "MILK",
        "a SKU typed in lower case is found"
    );
    let err = add_code(&db, &t, &mut cart, "MILK", 1500)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("sold by the piece"),
        "1.5 cartons of milk: {err}"
    );
    add_code(&db, &t, &mut cart, "12345", 1500)
        .await
        .expect("apples are weighed: 1.5 kg is fine");
    assert_eq!(cart.lines.len(), 2, "the refused line was not added");
    let err = add_code(&db, &t, &mut cart, "NOPE", 1000)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unknown_product", "letters are a SKU: {err}");
    let err = add_code(&db, &t, &mut cart, "4006381333948", 1000)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unknown_barcode", "digits are a barcode: {err}");
}

#[tokio::test]
async fn parked_carts_survive_until_completed_or_voided() {
    let (_d, db, t, staff) = setup().await;
    let mut cart = Cart::default();
    add_code(&db, &t, &mut cart, "MILK", 1000).await.unwrap();
    add_code(&db, &t, &mut cart, "12345", 500).await.unwrap();
    void_line(&db, &staff, &mut cart, 2).await.unwrap();
    assert_eq!(cart.lines.len(), 1, "the voided line left the cart");
    let id = park(&db, &staff, &cart, Some("back soon")).await.unwrap();
    let resumed = resume(&db, &id).await.unwrap();
    assert_eq!(
        resumed.lines, cart.lines,
        "resuming gives the same lines back"
    );
    let parked = list_parked(&db, &t).await.unwrap();
    assert_eq!(parked.len(), 1, "still parked until paid or voided");
    let expected = crate::checkout::price(&cart, t.currency)
        .unwrap()
        .total_minor;
    assert!(expected > 0);
    assert_eq!(
        parked[0].total_minor,
        Some(expected),
        "the list shows what the customer owes"
    );
    void_sale(&db, &staff, &resumed, "walked out", None)
        .await
        .unwrap();
    assert!(list_parked(&db, &t).await.unwrap().is_empty());
    assert!(
        resume(&db, &id).await.is_err(),
        "a voided cart cannot be resumed"
    );
    let kinds: Vec<String> = crate::journal::read_from(&db, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(
        kinds,
        ["line_voided", "sale_voided"],
        "both voids are journaled"
    );
    assert!(
        park(&db, &staff, &Cart::default(), None).await.is_err(),
        "nothing to park"
    );
}
