//! The till app's serial devices through its API, each on one end of a socat pty pair: a
//! weighed product scanned takes its weight from a Toledo 8217 scale, a weighed line is
//! weighed again with the Weigh button (less the till's tare), the pole display shows the last line and the
//! total, and a serial scanner's codes are checked (a bad check digit is refused, saying so).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use kassa_tests::devices::PtyPair;
use pos_core::app::Till;
use pos_core::app::device_views::{DeviceSettings, SerialSettings};
use pos_core::app::{DisplayLines, StandaloneSetup};

const CATALOG: &str = "sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive,sold_by_weight\n\
CHEESE,Emmentaler,,1990,700,true,true\n\
MILK,Milk,4006381333931,129,700,true,false\n";

/// A scale on `path` answering every `W` with `weight` (as the 8217 frames it).
fn scale(path: String, weights: Vec<&'static str>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut port = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .expect("the scale's end of the pty");
        let mut byte = [0u8; 1];
        for weight in weights {
            while port
                .read(&mut byte)
                .map(|n| n == 1 && byte[0] != b'W')
                .unwrap_or(false)
            {}
            let _ = port.read(&mut byte); // the CR after W
            port.write_all(format!("\x02{weight}\r").as_bytes())
                .unwrap();
        }
    })
}

async fn till(dir: &std::path::Path) -> Till {
    let till = Till::open(&dir.join("till.db")).await.unwrap();
    till.setup_standalone(&StandaloneSetup {
        shop_name: "Deli".into(),
        currency: "EUR".into(),
        manager_name: "Bo".into(),
        manager_pin: "4321".into(),
    })
    .await
    .unwrap();
    pos_core::catalog_csv::import(till.db(), CATALOG.as_bytes())
        .await
        .unwrap();
    till.open_shift(5000).await.unwrap();
    till
}

fn serial(path: &str) -> Option<SerialSettings> {
    Some(SerialSettings {
        path: path.to_owned(),
        baud: 9600,
    })
}

#[tokio::test]
async fn a_weighed_product_takes_its_weight_from_the_scale() {
    let dir = tempfile::tempdir().unwrap();
    let pair = PtyPair::open();
    let device = scale(pair.a.clone(), vec!["01.235", "00.535"]);
    let till = till(dir.path()).await;
    let settings = DeviceSettings {
        printer: None,
        scanner: None,
        scale: serial(&pair.b),
        display: None,
        code_page: "CP858".into(),
    };
    till.save_device_settings(&settings, None).await.unwrap();

    let cart = till
        .scan("CHEESE", None)
        .await
        .expect("weighed on the scale");
    assert_eq!(cart.lines[0].qty_milli, 1235, "1.235 kg from the scale");
    assert_eq!(cart.total_minor, 2458, "19.90 a kg x 1.235 kg");
    // A 35 g container set as the till's tare comes off the next weighing: the customer
    // pays for 500 g of cheese, not for the tub.
    pos_core::devices::scale::set_tare(till.db(), 35)
        .await
        .unwrap();
    let cart = till.weigh(&cart.lines[0].id).await.expect("weighed again");
    assert_eq!(cart.lines[0].qty_milli, 500, "0.535 kg less the 35 g tare");
    let cart = till.scan("MILK", None).await.unwrap();
    assert_eq!(
        cart.lines[1].qty_milli, 1000,
        "piece goods never ask the scale"
    );
    device.join().unwrap();
}

#[tokio::test]
async fn the_pole_display_shows_the_last_line_and_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let pair = PtyPair::open();
    let till = till(dir.path()).await;
    let settings = DeviceSettings {
        printer: None,
        scanner: None,
        scale: None,
        display: serial(&pair.b),
        code_page: "CP858".into(),
    };
    till.save_device_settings(&settings, None).await.unwrap();
    let mut display = std::fs::File::open(&pair.a).unwrap();
    let feed = till.display_feed();
    till.scan("MILK", None).await.unwrap();
    till.scan("MILK", None).await.unwrap();
    let lines: DisplayLines = feed.borrow().clone();
    till.show_on_display(lines)
        .await
        .expect("written to the display");

    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && got.iter().filter(|&&b| b == b'\r').count() < 2 {
            match display.read(&mut buf) {
                Ok(n) if n > 0 => got.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
        let _ = tx.send(got);
    });
    let bytes = rx
        .recv_timeout(Duration::from_secs(6))
        .expect("the display got bytes");
    let (upper, lower) = pos_core::devices::display::screen(&bytes);
    assert_eq!(upper, "Milk            2.58");
    assert_eq!(lower, "TOTAL           2.58");
}

#[tokio::test]
async fn a_serial_scanner_feeds_checked_codes_and_says_why_it_refused_one() {
    let dir = tempfile::tempdir().unwrap();
    let pair = PtyPair::open();
    let till = till(dir.path()).await;
    let settings = DeviceSettings {
        printer: None,
        scanner: serial(&pair.b),
        scale: None,
        display: None,
        code_page: "CP858".into(),
    };
    till.save_device_settings(&settings, None).await.unwrap();
    let mut feed = till
        .scanner_feed()
        .await
        .unwrap()
        .expect("a scanner is set up");
    let mut scanner = std::fs::OpenOptions::new()
        .write(true)
        .open(&pair.a)
        .unwrap();
    // A check digit off by one, then the real code.
    scanner
        .write_all(b"4006381333932\r4006381333931\r")
        .unwrap();
    let refused = tokio::time::timeout(Duration::from_secs(5), feed.next())
        .await
        .expect("a read")
        .expect("the feed runs");
    let error = refused.error.expect("refused");
    assert_eq!((refused.code, error.code.as_str()), (None, "bad_scan"));
    assert!(error.message.contains("4006381333932"), "{}", error.message);
    let read = tokio::time::timeout(Duration::from_secs(5), feed.next())
        .await
        .expect("a read")
        .expect("the feed runs");
    assert_eq!(read.code.as_deref(), Some("4006381333931"));
    let cart = till
        .scan(read.code.as_deref().unwrap(), None)
        .await
        .unwrap();
    assert_eq!(cart.lines[0].name, "Milk", "the scan lands in the cart");
}
