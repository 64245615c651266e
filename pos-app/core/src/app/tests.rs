//! The till API as a cashier uses it: set up, log in, ring up, pay, park, refund, close
//! the shift, and get the cart back after a crash.

use std::collections::BTreeMap;
use std::path::Path;

use super::views::{DiscountView, RefundItem};
use super::{StandaloneSetup, Till};

const CATALOG: &str = "sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive,stock,category,sold_by_weight\n\
MILK,Milk 1L,4006381333931,129,700,true,24,Dairy,false\n\
BREAD,Rye bread,4000417025005,349,700,true,10,Bakery,false\n\
APPLES,Apples per kg,,299,700,true,,Fruit,true\n";

/// A standalone till with the catalog above, manager Bo (4321) logged in, cashier Ana
/// (1111) added, and a shift open with a 50.00 float.
pub(super) async fn till(dir: &Path) -> Till {
    let till = Till::open(&dir.join("till.db")).await.unwrap();
    till.setup_standalone(&StandaloneSetup {
        shop_name: "Corner Shop".into(),
        currency: "EUR".into(),
        manager_name: "Bo".into(),
        manager_pin: "4321".into(),
    })
    .await
    .unwrap();
    crate::catalog_csv::import(till.db(), CATALOG.as_bytes())
        .await
        .unwrap();
    crate::staff::add_approved(
        till.db(),
        "Ana",
        pos_shared::role::Role::Cashier,
        "1111",
        Some("4321"),
    )
    .await
    .unwrap();
    till.open_shift(5000).await.unwrap();
    till
}

#[tokio::test]
async fn a_first_run_sets_up_a_standalone_till_and_logs_the_manager_in() {
    let dir = tempfile::tempdir().unwrap();
    let till = Till::open(&dir.path().join("t.db")).await.unwrap();
    let first = till.session().await.unwrap();
    assert!(
        first.terminal.is_none(),
        "a new till shows the first-run screen"
    );
    let bad = till
        .setup_standalone(&StandaloneSetup {
            shop_name: "Shop".into(),
            currency: "EURO".into(),
            manager_name: "Bo".into(),
            manager_pin: "4321".into(),
        })
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("currency"), "{bad}");
    assert!(
        till.session().await.unwrap().terminal.is_none(),
        "a refused setup leaves nothing"
    );
    let s = till
        .setup_standalone(&StandaloneSetup {
            shop_name: "Shop".into(),
            currency: "eur".into(),
            manager_name: "Bo".into(),
            manager_pin: "4321".into(),
        })
        .await
        .unwrap();
    let t = s.terminal.unwrap();
    assert_eq!((t.currency.as_str(), t.minor_digits), ("EUR", 2));
    assert_eq!(s.staff.unwrap().role, "shop_manager");
    assert!(s.shift.is_none());
}

#[tokio::test]
async fn scanning_twice_adds_to_the_line_and_exact_cash_completes_the_sale() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    till.login_pin("1111").await.unwrap();
    till.scan("4006381333931", None).await.unwrap();
    let cart = till.scan("4006381333931", None).await.unwrap();
    assert_eq!(cart.lines.len(), 1, "the same item again bumps its line");
    assert_eq!(cart.lines[0].qty_milli, 2000);
    assert_eq!(cart.total_minor, 258);
    assert_eq!(cart.last_line_no, Some(1));
    let cart = till.scan("bread", None).await.unwrap();
    assert_eq!((cart.lines.len(), cart.total_minor), (2, 607));
    let sale = till.pay_exact_cash(None).await.unwrap();
    assert_eq!(
        (sale.receipt_no, sale.total_minor, sale.change_minor),
        (1, 607, 0)
    );
    assert!(sale.receipt_text.contains("Rye bread"));
    assert!(sale.receipt_qr.starts_with("KASSA1;"));
    assert!(
        till.cart().await.unwrap().lines.is_empty(),
        "the next sale starts empty"
    );
    let copy = till.receipt("1").await.unwrap();
    assert!(copy.receipt_text.contains("COPY"));
}

#[tokio::test]
async fn split_tenders_give_change_from_cash_and_a_short_payment_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    till.login_pin("1111").await.unwrap();
    till.scan("BREAD", Some(3000)).await.unwrap();
    till.add_tender("card", 500, Some("T-77")).await.unwrap();
    let short = till.complete(None).await.unwrap_err();
    assert_eq!(short.code(), "insufficient_tender");
    let cart = till.add_tender("cash", 1000, None).await.unwrap();
    assert_eq!(
        (cart.total_minor, cart.change_minor, cart.due_minor),
        (1047, 453, 0)
    );
    let sale = till.complete(None).await.unwrap();
    assert_eq!(sale.change_minor, 453);
    let x = till.x_report().await.unwrap();
    assert_eq!(x.expected["cash"], 5000 + 1000 - 453);
}

#[tokio::test]
async fn the_cart_survives_a_crash_and_a_completed_one_does_not_come_back() {
    let dir = tempfile::tempdir().unwrap();
    {
        let till = till(dir.path()).await;
        till.login_pin("1111").await.unwrap();
        till.scan("MILK", Some(3000)).await.unwrap();
        till.scan("APPLES", Some(1250)).await.unwrap();
        // Dropped without closing: the process died mid-sale.
    }
    let till = Till::open(&dir.path().join("till.db")).await.unwrap();
    let s = till.session().await.unwrap();
    assert!(
        s.staff.is_none(),
        "after a restart the cashier logs in again"
    );
    let cart = till.cart().await.unwrap();
    assert_eq!(cart.lines.len(), 2);
    assert_eq!(cart.lines[1].qty_milli, 1250);
    assert!(cart.lines[1].sold_by_weight);
    assert!(till.scan("MILK", None).await.unwrap_err().code() == "logged_out");
    till.login_pin("1111").await.unwrap();
    till.pay_exact_cash(None).await.unwrap();
    drop(till);
    let till = Till::open(&dir.path().join("till.db")).await.unwrap();
    assert!(till.cart().await.unwrap().lines.is_empty());
}

#[tokio::test]
async fn a_cashier_needs_a_manager_for_a_price_change_and_a_large_discount() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    till.login_pin("1111").await.unwrap();
    let cart = till.scan("BREAD", None).await.unwrap();
    let line = cart.lines[0].id.clone();
    let refused = till.set_price(&line, 100, None).await.unwrap_err();
    assert_eq!(refused.code(), "manager_approval_required");
    let cart = till.set_price(&line, 300, Some("4321")).await.unwrap();
    assert_eq!(cart.total_minor, 300);
    till.line_discount(&line, Some(DiscountView::Percent { bp: 5000 }))
        .await
        .unwrap();
    let refused = till.pay_exact_cash(None).await.unwrap_err();
    assert_eq!(refused.code(), "manager_approval_required");
    assert_eq!(
        till.cart().await.unwrap().lines.len(),
        1,
        "a refusal keeps the cart"
    );
    let sale = till.complete(Some("4321")).await.unwrap();
    assert_eq!(sale.total_minor, 150);
}

#[tokio::test]
async fn a_parked_cart_resumes_and_a_void_needs_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    till.login_pin("1111").await.unwrap();
    till.scan("MILK", None).await.unwrap();
    let empty = till.park(Some("wallet in the car")).await.unwrap();
    assert!(empty.lines.is_empty());
    let parked = till.parked().await.unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(
        (parked[0].staff_name.as_str(), parked[0].total_minor),
        ("Ana", Some(129))
    );
    let cart = till.resume(&parked[0].id).await.unwrap();
    assert_eq!(cart.lines.len(), 1);
    till.pay_exact_cash(None).await.unwrap();
    assert!(
        till.parked().await.unwrap().is_empty(),
        "a completed parked cart leaves the list"
    );
    till.scan("MILK", None).await.unwrap();
    assert_eq!(
        till.clear_cart(" ", Some("4321")).await.unwrap_err().code(),
        "invalid_input"
    );
    assert!(
        till.clear_cart("customer left", Some("4321"))
            .await
            .unwrap()
            .lines
            .is_empty()
    );
}

#[tokio::test]
async fn a_refund_by_receipt_number_or_qr_goes_back_as_paid() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    till.login_pin("1111").await.unwrap();
    till.scan("MILK", Some(2000)).await.unwrap();
    till.scan("BREAD", None).await.unwrap();
    let sale = till.pay_exact_cash(None).await.unwrap();
    let by_no = till.find_sale("#1").await.unwrap();
    let by_qr = till.find_sale(&sale.receipt_qr).await.unwrap();
    assert_eq!(
        by_no, by_qr,
        "the QR of this till's receipt finds the same sale"
    );
    assert_eq!(by_no.lines[0].refundable_milli, 2000);
    assert_eq!(by_no.tenders, ["cash"]);
    let item = RefundItem {
        line_no: Some(1),
        product_id: None,
        qty_milli: 1000,
    };
    let refused = till
        .refund(&by_no, std::slice::from_ref(&item), "cash", "", None)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "manager_approval_required");
    let done = till
        .refund(&by_no, &[item], "cash", "", Some("4321"))
        .await
        .unwrap();
    assert_eq!(done.total_minor, 129);
    assert!(done.slip_text.contains("Milk 1L"));
    let again = till.find_sale("1").await.unwrap();
    assert_eq!(again.lines[0].refundable_milli, 1000);
}

#[tokio::test]
async fn the_z_preview_shows_the_variance_before_the_close_needs_a_manager() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    till.login_pin("1111").await.unwrap();
    till.scan("MILK", None).await.unwrap();
    till.pay_exact_cash(None).await.unwrap();
    let counted = BTreeMap::from([("cash".to_owned(), 4000)]);
    let preview = till.preview_close(&counted).await.unwrap();
    assert_eq!(preview.variance["cash"], 4000 - 5129);
    assert!(preview.needs_manager && !preview.final_report);
    assert!(
        till.session().await.unwrap().shift.is_some(),
        "a preview writes nothing"
    );
    let refused = till.close_shift(counted.clone(), None).await.unwrap_err();
    assert_eq!(refused.code(), "manager_approval_required");
    let z = till.close_shift(counted, Some("4321")).await.unwrap();
    assert_eq!((z.z_number, z.closed_by.as_str()), (1, "Ana"));
    assert_eq!(z.approved_by.as_deref(), Some("Bo"));
    assert!(till.session().await.unwrap().shift.is_none());
}

#[tokio::test]
async fn lock_keeps_the_cart_and_another_pin_switches_user() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    till.login_pin("1111").await.unwrap();
    till.scan("MILK", None).await.unwrap();
    let locked = till.lock().await.unwrap();
    assert!(locked.locked);
    assert_eq!(
        till.scan("MILK", None).await.unwrap_err().code(),
        "logged_out"
    );
    assert_eq!(
        till.login_pin("9999").await.unwrap_err().code(),
        "wrong_pin"
    );
    let bo = till.login_pin("4321").await.unwrap();
    assert_eq!(bo.staff.unwrap().name, "Bo");
    assert_eq!(till.cart().await.unwrap().lines.len(), 1);
    let out = till.logout(None).await.unwrap();
    assert!(
        out.staff.is_none(),
        "a standalone till has nothing queued to lose"
    );
}

#[tokio::test]
async fn search_and_quick_keys_show_barcode_and_stock() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    let hits = till.search("mil", 10).await.unwrap();
    assert_eq!(hits[0].sku, "MILK");
    assert_eq!(hits[0].barcode.as_deref(), Some("4006381333931"));
    assert_eq!(hits[0].on_hand_milli, Some(24_000));
    let keys = till.quick_keys().await.unwrap();
    let names: Vec<&str> = keys.iter().map(|g| g.category.as_str()).collect();
    assert_eq!(names, ["Bakery", "Dairy", "Fruit"]);
    let apples = &keys[2].products[0];
    assert!(apples.sold_by_weight);
    assert_eq!(
        apples.on_hand_milli, None,
        "uncounted stock shows as unknown"
    );
}

#[tokio::test]
async fn a_customer_added_at_the_till_buys_on_account_and_pays_it_off() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    till.login_pin("4321").await.unwrap();
    let c = till
        .add_customer("Eva Klein", Some("0170 123"), None)
        .await
        .unwrap();
    till.scan("BREAD", None).await.unwrap();
    let refused = till.add_tender("on_account", 349, None).await.unwrap_err();
    assert_eq!(
        refused.code(),
        "invalid_input",
        "on account needs the customer"
    );
    till.attach_customer(Some(&c.id)).await.unwrap();
    till.add_tender("on_account", 349, None).await.unwrap();
    let over = till.complete(None).await.unwrap_err();
    assert_eq!(
        over.code(),
        "credit_limit_exceeded",
        "no credit limit set yet"
    );
    till.attach_customer(None).await.unwrap();
    till.pay_exact_cash(None).await.unwrap();
    let found = till.customers("eva").await.unwrap();
    assert_eq!(found.len(), 1);
    assert!(till.customers("nobody").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_ca_that_is_not_a_certificate_is_refused_before_any_call_and_the_till_stays_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let till = Till::open(&dir.path().join("till.db")).await.unwrap();
    // Port 9 (discard) on localhost: if the PEM check came after the call, this would
    // fail as "unreachable" instead.
    let err = till
        .enroll(
            "http://127.0.0.1:9",
            "CODE-1",
            "Till 1",
            Some("not a certificate"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input", "{err}");
    assert!(err.to_string().contains("BEGIN CERTIFICATE"), "{err}");
    assert!(till.session().await.unwrap().terminal.is_none());
}
