//! Devices end to end: the printer and its queue, the drawer, a serial scanner, the scale
//! and the pole display, each against emupos (an independent simulator, so the drivers
//! are not only judged by Kassa's own decoder) and against the project's own virtual
//! hardware (socat ptys). Needs emupos (Python 3.13) and socat; see `kassa_tests::devices`.
//! The kitchen printer, receipt images and serial replugs have modules of their own.

#[path = "devices/kitchen.rs"]
mod kitchen;
#[path = "devices/png.rs"]
mod png;
#[path = "devices/serial.rs"]
mod serial;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kassa_tests::devices::{Emupos, PtyPair, Shop};
use pos_core::checkout::Cart;
use pos_core::devices::config::{self, DeviceConfig, ScannerConfig, SerialConfig};
use pos_core::devices::drain::{self, Connect};
use pos_core::devices::link::{self, Link};
use pos_core::devices::{
    DeviceError, DeviceResult, Printer, PrinterConfig, display, drawer, layout, scale, scanner,
};
use pos_core::{print_queue, receipt, sales, seal};

async fn set_printer(shop: &Shop, connection: &str) -> PrinterConfig {
    let mut p = PrinterConfig::new(connection.parse().expect("connection"), 80).expect("printer");
    p.confirm_secs = 60;
    let devices = DeviceConfig {
        printer: Some(p.clone()),
        ..DeviceConfig::default()
    };
    config::save(&shop.db, &devices)
        .await
        .expect("save devices");
    p
}

async fn drain(shop: &Shop, printer: &PrinterConfig) -> drain::PrinterState {
    drain::drain_once(
        &shop.db,
        &shop.terminal,
        printer,
        &drain::connect_configured(),
    )
    .await
    .expect("drain")
}

/// The receipt as Kassa lays it out, line by line, without the QR code.
async fn expected_lines(shop: &Shop, sale: &sales::Sale) -> (Vec<String>, String) {
    let key = seal::signing_key(&shop.db).await.expect("key");
    let r = receipt::build(sale, &shop.terminal, &key);
    let text = layout::to_text(&layout::receipt_blocks(&r, 48, false), 10_000);
    let lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("KASSA1;"))
        .map(str::to_owned)
        .collect();
    (lines, r.qr_payload)
}

/// Checks that emupos's text of the receipt holds Kassa's lines, in order, and the QR.
async fn assert_printed(shop: &Shop, sale: &sales::Sale, printed: &str) {
    let (expected, qr) = expected_lines(shop, sale).await;
    let got: Vec<&str> = printed.lines().map(str::trim).collect();
    let mut at = 0;
    for line in &expected {
        let found = got[at..].iter().position(|g| g == line);
        assert!(
            found.is_some(),
            "`{line}` missing or out of order in:\n{printed}"
        );
        at += found.unwrap_or(0) + 1;
    }
    assert!(
        printed.contains(&format!("[qr {qr}]")),
        "sealed QR code:\n{printed}"
    );
    let total = got
        .iter()
        .find(|l| l.starts_with("TOTAL"))
        .expect("total line");
    assert!(total.ends_with("19.90"), "{total}");
}

#[tokio::test]
async fn emupos_prints_a_receipt_with_accents_and_the_euro_over_tcp() {
    let emupos = Emupos::start();
    let shop = Shop::open().await;
    let printer = set_printer(&shop, &format!("tcp:127.0.0.1:{}", emupos.tcp_port)).await;
    let sale = shop.sell().await;
    let state = drain(&shop, &printer).await;
    assert_eq!((state.printed, state.waiting, state.problem), (1, 0, None));
    let receipts = emupos.wait_receipts(1);
    assert_eq!(receipts.len(), 1, "one sale, one receipt");
    for accented in [
        "Bäckerei Müller",
        "Grüße aus Köln",
        "Merci, à bientôt! Gutschein 5 €",
    ] {
        assert!(
            receipts[0].contains(accented),
            "{accented}:\n{}",
            receipts[0]
        );
    }
    assert_printed(&shop, &sale, &receipts[0]).await;
    assert_eq!(
        emupos.receipt_images().len(),
        1,
        "emupos drew the receipt as a PNG"
    );
}

/// A Berlin shop's receipt shows Berlin's wall time: 02:08 UTC is 03:08 CET in December.
#[tokio::test]
async fn emupos_prints_the_shops_local_time() {
    let emupos = Emupos::start();
    let shop = Shop::in_zone("Europe/Berlin", 1_796_695_724_000).await;
    let printer = set_printer(&shop, &format!("tcp:127.0.0.1:{}", emupos.tcp_port)).await;
    let sale = shop.sell().await;
    drain(&shop, &printer).await;
    let printed = &emupos.wait_receipts(1)[0];
    assert!(
        printed
            .lines()
            .map(str::trim)
            .any(|l| l.starts_with("Receipt #1") && l.ends_with("2026-12-08 03:08 CET")),
        "the receipt's time in Berlin:\n{printed}"
    );
    assert_printed(&shop, &sale, printed).await;
}

#[tokio::test]
async fn emupos_prints_the_same_receipt_over_a_serial_pty() {
    let emupos = Emupos::start();
    let shop = Shop::open().await;
    let printer = set_printer(&shop, &format!("serial:{}@9600", emupos.link("front"))).await;
    let sale = shop.sell().await;
    let state = drain(&shop, &printer).await;
    assert_eq!((state.printed, state.problem), (1, None));
    assert_printed(&shop, &sale, &emupos.wait_receipts(1)[0]).await;
}

/// A link that sets a printer fault after the first `at` bytes of the job: the paper runs
/// out in the middle of the receipt.
struct FaultMidway {
    inner: Box<dyn Link>,
    at: usize,
    fault: Option<Box<dyn FnOnce() + Send>>,
}

impl Link for FaultMidway {
    fn send(&mut self, bytes: &[u8]) -> DeviceResult<()> {
        match self.fault.take() {
            Some(fault) if bytes.len() > self.at => {
                self.inner.send(&bytes[..self.at])?;
                std::thread::sleep(Duration::from_millis(300));
                fault();
                self.inner.send(&bytes[self.at..])
            }
            other => {
                self.fault = other;
                self.inner.send(bytes)
            }
        }
    }

    fn read_byte(&mut self, timeout: Duration) -> DeviceResult<Option<u8>> {
        self.inner.read_byte(timeout)
    }

    fn answers(&self) -> bool {
        self.inner.answers()
    }
}

#[tokio::test]
async fn emupos_paper_out_mid_receipt_keeps_it_queued_and_prints_it_once_after_refill() {
    let emupos = Arc::new(Emupos::start());
    let shop = Shop::open().await;
    let printer = set_printer(&shop, &format!("tcp:127.0.0.1:{}", emupos.tcp_port)).await;
    let fired = Arc::new(Mutex::new(false));
    let (e, f) = (emupos.clone(), fired.clone());
    let connect: Connect = Arc::new(move |p: &PrinterConfig| {
        let inner = link::open(&p.connection, "printer", Duration::from_secs(3))?;
        let (e, f) = (e.clone(), f.clone());
        let fault = move || {
            e.fault("front", "paper-out", true);
            *f.lock().unwrap() = true;
        };
        let midway = FaultMidway {
            inner,
            at: 300,
            fault: Some(Box::new(fault)),
        };
        Ok(Printer::new(Box::new(midway), p.drawer))
    });
    let sale = shop.sell().await;
    let (db, t, p, c) = (
        shop.db.clone(),
        shop.terminal.clone(),
        printer.clone(),
        connect.clone(),
    );
    let draining = tokio::spawn(async move { drain::drain_once(&db, &t, &p, &c).await });
    for _ in 0..100 {
        if *fired.lock().unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!draining.is_finished(), "the job waits for the paper");
    assert!(
        emupos.receipts().is_empty(),
        "a half-printed receipt is not complete"
    );
    assert_eq!(
        print_queue::waiting(&shop.db).await.unwrap(),
        1,
        "still queued"
    );
    sales::load(&shop.db, &sale.id)
        .await
        .expect("the sale stays committed");
    emupos.fault("front", "paper-out", false);
    let state = draining.await.expect("join").expect("drain");
    assert_eq!((state.printed, state.waiting), (1, 0));
    let again = drain::drain_once(&shop.db, &shop.terminal, &printer, &connect)
        .await
        .unwrap();
    assert_eq!(again.printed, 0, "nothing left to print");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let receipts = emupos.receipts();
    assert_eq!(receipts.len(), 1, "printed exactly once");
    assert_printed(&shop, &sale, &receipts[0]).await;
}

#[tokio::test]
async fn a_sale_completes_while_the_emupos_printer_is_offline_and_prints_once_it_is_back() {
    let emupos = Emupos::start();
    let shop = Shop::open().await;
    set_printer(&shop, &format!("tcp:127.0.0.1:{}", emupos.tcp_port)).await;
    emupos.fault("front", "offline", true);
    let sale = shop.sell().await;
    let after =
        pos_core::devices::at_sale::after_sale(&shop.db, &shop.terminal, &shop.manager, &sale)
            .await
            .expect("devices after the sale never fail it");
    assert!(!after.problems.is_empty(), "the cashier is told: {after:?}");
    assert_eq!(after.printing.as_ref().map(|p| p.waiting), Some(1));
    assert_eq!(
        after.drawer_opened,
        Some(true),
        "the real-time pulse opens it anyway"
    );
    sales::load(&shop.db, &sale.id).await.expect("committed");
    emupos.fault("front", "offline", false);
    let printer = config::load(&shop.db).await.unwrap().printer.unwrap();
    let state = drain(&shop, &printer).await;
    assert_eq!((state.printed, state.waiting), (1, 0));
    assert_eq!(emupos.wait_receipts(1).len(), 1);
}

#[tokio::test]
async fn emupos_drawer_opens_on_the_pulse_and_the_opening_is_journaled() {
    let emupos = Emupos::start();
    let shop = Shop::open().await;
    let printer = set_printer(&shop, &format!("tcp:127.0.0.1:{}", emupos.tcp_port)).await;
    assert!(!emupos.drawer_open());
    let (movement, fact) = drawer::no_sale(
        &shop.db,
        &printer,
        &drain::connect_configured(),
        &shop.manager,
        "change for the parking meter",
        None,
    )
    .await
    .expect("no-sale");
    assert!(emupos.drawer_open(), "emupos saw the pulse");
    let recorded = drawer_records(&shop).await;
    assert!(
        recorded
            .iter()
            .any(|p| p.contains(&movement.id) && p.contains("no_sale")),
        "{recorded:?}"
    );
    assert_eq!(fact.pin, 2);
    let mut p = Printer::connect(&printer).unwrap();
    assert!(
        p.status().unwrap().unwrap().drawer_open,
        "read back with DLE EOT"
    );
}

async fn drawer_records(shop: &Shop) -> Vec<String> {
    pos_core::journal::read_from(&shop.db, 0)
        .await
        .expect("journal")
        .into_iter()
        .filter(|r| r.kind == "drawer_opened")
        .map(|r| r.payload)
        .collect()
}

#[tokio::test]
async fn emupos_scale_weight_becomes_a_weighed_line_and_unstable_or_negative_is_refused() {
    let emupos = Emupos::start();
    let shop = Shop::open().await;
    let port = SerialConfig {
        path: emupos.link("deli"),
        baud: 9600,
    };
    emupos.cli(&["scale", "set", "1.234kg", "--device", "deli"]);
    let p = port.clone();
    let w = tokio::task::spawn_blocking(move || scale::Scale::open(&p)?.read())
        .await
        .unwrap()
        .expect("stable weight");
    assert_eq!(w.grams, 1235, "5 g divisions round 1234 g up");
    let mut cart = Cart::default();
    pos_core::till::add_code(&shop.db, &shop.terminal, &mut cart, "EMMENTAL", w.grams)
        .await
        .expect("a weighed line");
    assert_eq!(cart.lines[0].qty_milli, 1235);
    let p = port.clone();
    let bowl = tokio::task::spawn_blocking(move || scale::Scale::open(&p)?.read_net(235))
        .await
        .unwrap()
        .expect("net weight");
    assert_eq!(
        (bowl.grams, bowl.net),
        (1000, true),
        "the till's tare taken off"
    );
    emupos.cli(&["scale", "set", "0.8kg", "--device", "deli", "--unstable"]);
    let p = port.clone();
    let moving = tokio::task::spawn_blocking(move || scale::Scale::open(&p)?.read())
        .await
        .unwrap();
    assert!(
        matches!(moving, Err(DeviceError::ScaleNotStable(_))),
        "{moving:?}"
    );
    emupos.cli(&["scale", "set", "--device", "deli", "--", "-100g"]);
    let negative = tokio::task::spawn_blocking(move || scale::Scale::open(&port)?.read())
        .await
        .unwrap();
    assert!(
        matches!(
            negative,
            Err(DeviceError::NegativeWeight | DeviceError::ScaleNotStable(_))
        ),
        "{negative:?}"
    );
}

async fn next_scan(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<scanner::ScanResult>,
) -> scanner::ScanResult {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a scan within 10 s")
        .expect("scanner running")
}

#[tokio::test]
async fn emupos_serial_scan_adds_the_item_and_a_malformed_scan_is_refused() {
    let emupos = Emupos::start();
    let shop = Shop::open().await;
    let config = ScannerConfig {
        port: SerialConfig {
            path: emupos.link("lane2"),
            baud: 9600,
        },
        prefix: String::new(),
        suffix: "\r".into(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _reading = scanner::spawn(config, tx, Duration::from_millis(200));
    tokio::time::sleep(Duration::from_millis(500)).await;
    emupos.cli(&[
        "scan",
        "4006381333931",
        "--device",
        "lane2",
        "--countdown",
        "0",
    ]);
    let code = next_scan(&mut rx).await.expect("a good scan");
    let mut cart = Cart::default();
    pos_core::till::add_code(&shop.db, &shop.terminal, &mut cart, code.as_str(), 1000)
        .await
        .expect("the scanned item");
    assert_eq!(cart.lines[0].name, "Crème brûlée");
    emupos.cli(&[
        "scan",
        "4006381333932",
        "--device",
        "lane2",
        "--countdown",
        "0",
    ]);
    let bad = next_scan(&mut rx).await.expect_err("a wrong check digit");
    assert!(bad.to_string().contains("check digit wrong"), "{bad}");
}

#[tokio::test]
async fn socat_scanner_strips_prefix_and_suffix_and_refuses_bad_reads() {
    let pty = PtyPair::open();
    let config = ScannerConfig {
        port: SerialConfig {
            path: pty.a.clone(),
            baud: 9600,
        },
        prefix: "]E0".into(),
        suffix: "\r\n".into(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _reading = scanner::spawn(config, tx, Duration::from_millis(200));
    let mut wire = link::open_serial(&pty.b, 9600, "scanner", Duration::from_secs(1)).unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    wire.send(b"]E04006381333931\r\n").unwrap();
    assert_eq!(next_scan(&mut rx).await.unwrap().as_str(), "4006381333931");
    wire.send(b"]E04006381333932\r\n").unwrap();
    let misread = next_scan(&mut rx)
        .await
        .expect_err("an EAN-13 with a wrong check digit");
    assert!(misread.to_string().starts_with("bad scan"), "{misread}");
    wire.send(b"]E012\x0734\r\n").unwrap();
    let control = next_scan(&mut rx).await.expect_err("a control character");
    assert!(
        control.to_string().contains("control character"),
        "{control}"
    );
}

#[tokio::test]
async fn socat_scale_answers_like_a_toledo_8217() {
    let pty = PtyPair::open();
    let mut device = link::open_serial(&pty.b, 9600, "scale", Duration::from_secs(1)).unwrap();
    let answers: [&[u8]; 3] = [b"\x0201.235\r", b"\x02?\x01\r", b"\x02?\x04\r"];
    let fake = std::thread::spawn(move || {
        for answer in answers {
            while device.read_byte(Duration::from_secs(5)).unwrap() != Some(b'\r') {}
            device.send(answer).unwrap();
        }
    });
    let mut s = scale::Scale::new(Box::new(
        link::open_serial(&pty.a, 9600, "scale", Duration::from_secs(1)).unwrap(),
    ));
    assert_eq!(s.read().unwrap().grams, 1235);
    assert!(matches!(s.read(), Err(DeviceError::ScaleNotStable(_))));
    assert!(matches!(s.read(), Err(DeviceError::NegativeWeight)));
    fake.join().unwrap();
}

#[tokio::test]
async fn socat_pole_display_shows_the_last_item_and_the_total() {
    let pty = PtyPair::open();
    let mut device = link::open_serial(&pty.b, 9600, "display", Duration::from_secs(1)).unwrap();
    let mut d = display::Display::open(&SerialConfig {
        path: pty.a.clone(),
        baud: 9600,
    })
    .unwrap();
    let (upper, lower) = display::item_and_total("Käse Spätzle", "12.90", "19.90");
    d.show(&upper, &lower).unwrap();
    let mut got = Vec::new();
    while let Some(b) = device.read_byte(Duration::from_millis(500)).unwrap() {
        got.push(b);
    }
    let screen = display::screen(&got);
    assert_eq!(screen.0, "Käse Spätzle   12.90");
    assert_eq!(
        screen.1, "TOTAL          19.90",
        "the display shows the total"
    );
}
