//! The kitchen printer beside the receipt printer, on two virtual printers: order slips of
//! the kitchen's categories without prices, and a queue of its own.

use kassa_tests::devices::Shop;
use pos_core::devices::config::{self, DeviceConfig};
use pos_core::devices::decode::decode;
use pos_core::devices::kitchen::{self, KitchenConfig};
use pos_core::devices::virtual_printer::{Fault, VirtualPrinter};
use pos_core::devices::{PrinterConfig, at_sale, drain};
use pos_core::print_queue;

fn printer(vp: &VirtualPrinter, paper_mm: u16) -> PrinterConfig {
    let mut p = PrinterConfig::new(vp.connection(), paper_mm).expect("printer");
    p.confirm_secs = 10;
    p
}

/// A shop with a receipt printer `front` and a kitchen printer for desserts and soups.
async fn shop_with_two(
    front: &VirtualPrinter,
    kitchen_vp: &VirtualPrinter,
) -> (Shop, KitchenConfig) {
    let shop = Shop::open().await;
    let devices = DeviceConfig {
        printer: Some(printer(front, 80)),
        ..DeviceConfig::default()
    };
    config::save(&shop.db, &devices).await.expect("devices");
    let k = KitchenConfig {
        printer: printer(kitchen_vp, 58),
        categories: vec!["desserts".into(), " Soups ".into()],
        title: "KITCHEN".into(),
    };
    kitchen::save(&shop.db, Some(&k)).await.expect("kitchen");
    (shop, k)
}

async fn after(shop: &Shop, sale: &pos_core::sales::Sale) -> at_sale::AfterSale {
    at_sale::after_sale(&shop.db, &shop.terminal, &shop.manager, sale)
        .await
        .expect("devices never fail a sale")
}

#[tokio::test]
async fn a_sale_prints_its_receipt_and_the_kitchen_gets_its_lines_without_prices() {
    let (front, kitchen_vp) = (
        VirtualPrinter::start().unwrap(),
        VirtualPrinter::start().unwrap(),
    );
    let (shop, _) = shop_with_two(&front, &kitchen_vp).await;
    let codes = [("4006381333931", 2000), ("KASE", 1000), ("ZUREK", 1000)];
    let sale = shop.sell_codes(&codes, 5_000).await;
    let done = after(&shop, &sale).await;
    assert!(done.problems.is_empty(), "{done:?}");
    assert_eq!(front.jobs().len(), 1, "the customer's receipt");
    let slips = kitchen_vp.jobs();
    assert_eq!(slips.len(), 1, "one order slip");
    let slip = decode(&slips[0]);
    let lines = slip.lines();
    assert_eq!(lines[0], "KITCHEN");
    assert_eq!(lines[1], format!("Order #{}", sale.receipt_no));
    assert!(lines.contains(&"2 x Crème brûlée".to_owned()), "{lines:?}");
    assert_eq!(
        slip.images().len(),
        1,
        "the soup's Polish name printed as a raster:\n{}",
        slip.text()
    );
    assert!(
        !slip.text().contains("Käse"),
        "hot food is not this printer's"
    );
    assert!(
        !slip.text().contains("3.50") && !slip.text().contains("7.00"),
        "no prices on a slip:\n{}",
        slip.text()
    );
    assert!(lines.iter().all(|l| l.chars().count() <= 32), "58 mm");

    let nothing_for_the_kitchen = shop.sell_codes(&[("KASE", 1000)], 2_000).await;
    after(&shop, &nothing_for_the_kitchen).await;
    assert_eq!(front.jobs().len(), 2);
    assert_eq!(kitchen_vp.jobs().len(), 1, "no empty slip");
    assert_eq!(
        kitchen::waiting(&shop.db).await.unwrap(),
        0,
        "but it was gone through"
    );
}

#[tokio::test]
async fn the_kitchen_printer_drains_on_its_own_and_prints_each_slip_once() {
    let (front, kitchen_vp) = (
        VirtualPrinter::start().unwrap(),
        VirtualPrinter::start().unwrap(),
    );
    let (shop, k) = shop_with_two(&front, &kitchen_vp).await;
    kitchen_vp.set_fault(Fault::CoverOpen, true);
    let first = shop.sell_codes(&[("4006381333931", 1000)], 1_000).await;
    let done = after(&shop, &first).await;
    assert!(
        done.problems
            .iter()
            .any(|p| p.starts_with("kitchen printer:") && p.contains("cover open")),
        "{done:?}"
    );
    let second = shop.sell_codes(&[("ZUREK", 2000)], 2_000).await;
    after(&shop, &second).await;
    assert_eq!(
        front.jobs().len(),
        2,
        "receipts are not held up by the kitchen"
    );
    assert_eq!(print_queue::waiting(&shop.db).await.unwrap(), 0);
    assert_eq!(kitchen::waiting(&shop.db).await.unwrap(), 2);
    let shown = kitchen::last_state(&shop.db).await.unwrap().expect("state");
    assert!(shown.problem.is_some_and(|p| p.contains("cover open")));

    kitchen_vp.set_fault(Fault::CoverOpen, false);
    let connect = drain::connect_configured();
    let state = kitchen::drain_once(&shop.db, &shop.terminal, &k, &connect)
        .await
        .unwrap();
    assert_eq!((state.printed, state.waiting, state.problem), (2, 0, None));
    let again = kitchen::drain_once(&shop.db, &shop.terminal, &k, &connect)
        .await
        .unwrap();
    assert_eq!(again.printed, 0);
    let orders: Vec<String> = kitchen_vp
        .jobs()
        .iter()
        .map(|j| decode(j).lines()[1].clone())
        .collect();
    assert_eq!(
        orders,
        [
            format!("Order #{}", first.receipt_no),
            format!("Order #{}", second.receipt_no)
        ],
        "each once, in order"
    );
}

#[tokio::test]
async fn a_kitchen_printer_set_up_late_starts_at_the_next_sale() {
    let shop = Shop::open().await;
    shop.sell_codes(&[("4006381333931", 1000)], 1_000).await;
    let kitchen_vp = VirtualPrinter::start().unwrap();
    let k = KitchenConfig {
        printer: printer(&kitchen_vp, 80),
        categories: vec!["Desserts".into()],
        title: "BAR".into(),
    };
    kitchen::save(&shop.db, Some(&k)).await.unwrap();
    assert_eq!(
        kitchen::waiting(&shop.db).await.unwrap(),
        0,
        "not the till's history"
    );
    let refused = KitchenConfig {
        categories: vec![" ".into()],
        ..k.clone()
    };
    assert!(kitchen::save(&shop.db, Some(&refused)).await.is_err());
    kitchen::save(&shop.db, None).await.unwrap();
    assert_eq!(kitchen::load(&shop.db).await.unwrap(), None);
}
