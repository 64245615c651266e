//! The two front ends a cashier uses, the `pos` CLI and the till app's API, driving the
//! independent emupos simulator's printer and drawer (the driver-level emupos tests are in
//! devices.rs): a cash sale prints its receipt there once and opens its drawer.

use std::process::Command;

use kassa_tests::devices::{Emupos, Shop};
use pos_core::app::device_views::{ConnectionSettings, DeviceSettings, PrinterSettings};
use pos_core::app::{StandaloneSetup, Till};

fn pos(shop: &Shop, args: &[&str]) -> String {
    let out = Command::new(kassa_tests::till::pos_binary())
        .arg("--db")
        .arg(shop.db_path())
        .args(args)
        .output()
        .expect("run pos");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "pos {args:?} failed: {text}");
    text
}

#[tokio::test]
async fn the_cli_prints_a_cash_sale_on_emupos_and_opens_its_drawer() {
    let emupos = Emupos::start();
    let shop = Shop::open().await;
    let connection = format!("tcp:127.0.0.1:{}", emupos.tcp_port);
    pos(
        &shop,
        &["devices", "set", "printer", "--connection", &connection],
    );
    assert!(!emupos.drawer_open(), "the drawer starts shut");
    pos(
        &shop,
        &[
            "sell",
            "--pin",
            "4321",
            "--item",
            "4006381333931",
            "--cash",
            "5",
        ],
    );
    let receipts = emupos.wait_receipts(1);
    assert_eq!(receipts.len(), 1, "one sale, one receipt");
    assert!(
        receipts[0].contains("Crème brûlée") && receipts[0].contains("Bäckerei Müller"),
        "{}",
        receipts[0]
    );
    assert!(emupos.drawer_open(), "a cash sale opens the drawer");
}

#[tokio::test]
async fn the_till_app_prints_a_cash_sale_on_emupos_and_opens_its_drawer() {
    let emupos = Emupos::start();
    let dir = tempfile::tempdir().unwrap();
    let till = Till::open(&dir.path().join("till.db")).await.unwrap();
    till.setup_standalone(&StandaloneSetup {
        shop_name: "Café Zürich".into(),
        currency: "EUR".into(),
        manager_name: "Bo".into(),
        manager_pin: "4321".into(),
    })
    .await
    .unwrap();
    pos_core::catalog_csv::import(till.db(), kassa_tests::devices::CATALOG.as_bytes())
        .await
        .unwrap();
    till.open_shift(5000).await.unwrap();
    let printer = PrinterSettings {
        connection: ConnectionSettings::Tcp {
            host: "127.0.0.1".into(),
            port: emupos.tcp_port,
        },
        paper_mm: 80,
        cut: true,
        drawer_pin: 2,
        pulse_ms: 100,
    };
    let settings = DeviceSettings {
        printer: Some(printer),
        scanner: None,
        scale: None,
        display: None,
        code_page: "CP858".into(),
    };
    till.save_device_settings(&settings, None).await.unwrap();
    till.scan("4006381333931", None).await.unwrap();
    let sale = till.pay_exact_cash(None).await.unwrap();
    let done = till.after_sale(&sale.sale_id).await.unwrap();
    assert_eq!(done.problem, None);
    let receipts = emupos.wait_receipts(1);
    assert_eq!(receipts.len(), 1, "one sale, one receipt");
    assert!(
        receipts[0].contains("Crème brûlée") && receipts[0].contains("Café Zürich"),
        "{}",
        receipts[0]
    );
    assert!(emupos.drawer_open(), "a cash sale opens the drawer");
}
