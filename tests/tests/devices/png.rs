//! A receipt with a logo, its barcode and a line outside the code page, printed on emupos
//! and drawn by Kassa's own decoder from the same bytes: both see the same paper.

use kassa_tests::devices::{Emupos, Shop, png_size};
use pos_core::devices::config::{self, DeviceConfig};
use pos_core::devices::decode::decode;
use pos_core::devices::layout::Document;
use pos_core::devices::raster::{self, Raster};
use pos_core::devices::{PrinterConfig, code128, drain, render};
use pos_core::{receipt, seal};

/// A 240 x 60 logo: a frame with a bar across.
fn logo_file(dir: &std::path::Path) -> String {
    let mut r = Raster::new(240, 60);
    for y in 0..60 {
        for x in 0..240 {
            if !(4..236).contains(&x) || !(4..56).contains(&y) || (26..34).contains(&y) {
                r.set(x, y);
            }
        }
    }
    let path = dir.join("logo.png");
    std::fs::write(&path, raster::to_png(&r).unwrap()).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn emupos_and_kassa_draw_the_same_receipt_with_logo_barcode_and_a_polish_line() {
    let emupos = Emupos::start();
    let shop = Shop::open().await;
    let dir = tempfile::tempdir().unwrap();
    let connection = format!("tcp:127.0.0.1:{}", emupos.tcp_port);
    let mut printer = PrinterConfig::new(connection.parse().unwrap(), 80).unwrap();
    printer.confirm_secs = 60;
    printer.logo = Some(logo_file(dir.path()));
    let devices = DeviceConfig {
        printer: Some(printer.clone()),
        ..DeviceConfig::default()
    };
    config::save(&shop.db, &devices).await.unwrap();
    let sale = shop
        .sell_codes(&[("4006381333931", 2000), ("ZUREK", 1000)], 5_000)
        .await;
    let connect = drain::connect_configured();
    let state = drain::drain_once(&shop.db, &shop.terminal, &printer, &connect)
        .await
        .unwrap();
    assert_eq!((state.printed, state.problem), (1, None));

    let printed = &emupos.wait_receipts(1)[0];
    let code = code128::receipt_code(sale.receipt_no);
    for expected in [
        "[image 240x60]".to_owned(),
        "[image 576x24]".to_owned(),
        format!("[barcode CODE128 {code}]"),
        "Bäckerei Müller".to_owned(),
        "Merci, à bientôt! Gutschein 5 €".to_owned(),
    ] {
        assert!(
            printed.contains(&expected),
            "{expected} missing:\n{printed}"
        );
    }
    assert!(!printed.contains("Zurek"), "no near form:\n{printed}");

    let key = seal::signing_key(&shop.db).await.unwrap();
    let doc = Document::Receipt(receipt::build(&sale, &shop.terminal, &key));
    let job = drain::job(&doc, &printer, false).unwrap();
    let decoded = decode(&job);
    assert!(decoded.unknown.is_empty(), "{:?}", decoded.unknown);
    assert_eq!(decoded.barcodes(), [code.as_str()]);
    let ours = render::paper(&decoded, raster::DOTS_80);
    let theirs = std::fs::read(&emupos.receipt_images()[0]).unwrap();
    let (w, h) = png_size(&theirs);
    assert_eq!(ours.width(), w, "the same paper width");
    let ratio = f64::from(ours.height()) / f64::from(h);
    assert!(
        (0.75..1.33).contains(&ratio),
        "ours {} dots long, emupos's {h}",
        ours.height()
    );
    let png = render::png(&decoded, raster::DOTS_80).unwrap();
    assert_eq!(png_size(&png), (ours.width(), ours.height()));
}
