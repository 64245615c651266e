//! Serial devices on socat ptys: a scanner unplugged and plugged back in, and the scale's
//! tare kept by the till.

use std::time::Duration;

use kassa_tests::devices::{PtyPair, Shop};
use pos_core::devices::config::{self, DeviceConfig, ScannerConfig, SerialConfig};
use pos_core::devices::link::{self, Link};
use pos_core::devices::{DeviceError, scale, scanner};

async fn next_scan(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<scanner::ScanResult>,
) -> scanner::ScanResult {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a scan within 10 s")
        .expect("scanner running")
}

/// The device end of `pty`. Opening it is retried for a moment: a pty socat has just
/// made is sometimes still locked while it sets it up (seen with tests running side by
/// side), and this end is the test's stand-in hardware, not the driver under test.
fn device_end(pty: &PtyPair) -> link::Serial {
    let mut tries = 0;
    loop {
        match link::open_serial(&pty.b, 9600, "scanner", Duration::from_secs(1)) {
            Ok(wire) => return wire,
            Err(e) if tries < 20 => {
                tries += 1;
                eprintln!("device end not ready: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// Opens the device end of `pty` and scans `code` on it.
fn scan(pty: &PtyPair, code: &[u8]) -> link::Serial {
    let mut wire = device_end(pty);
    wire.send(code).unwrap();
    wire
}

#[tokio::test]
async fn a_scanner_unplugged_and_plugged_back_in_is_read_again() {
    let pty = PtyPair::open();
    let config = ScannerConfig {
        port: SerialConfig {
            path: pty.a.clone(),
            baud: 9600,
        },
        prefix: String::new(),
        suffix: "\r".into(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _reading = scanner::spawn(config, tx, Duration::from_millis(100));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _wire = scan(&pty, b"4006381333931\r");
    assert_eq!(next_scan(&mut rx).await.unwrap().as_str(), "4006381333931");

    drop(_wire);
    let dir = pty.unplug();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pty = PtyPair::open_in(dir);
    // The reader finds the port again within its retry pause; scan until it does.
    let mut wire = device_end(&pty);
    let mut got = None;
    for _ in 0..40 {
        // While the reader reopens the port, the device end can see a hang-up: plug it in
        // again rather than fail the scan (a real scanner's next trigger does the same).
        if let Err(e) = wire.send(b"96385074\r") {
            eprintln!("device end hung up ({e}); opening it again");
            wire = device_end(&pty);
            continue;
        }
        if let Ok(Some(scan)) = tokio::time::timeout(Duration::from_millis(250), rx.recv()).await {
            got = Some(scan);
            break;
        }
    }
    let code = got.expect("the scanner is read again after the replug");
    assert_eq!(code.unwrap().as_str(), "96385074");
}

/// A Toledo 8217 on `pty.b` answering each `W` with the next of `answers`.
fn fake_scale(pty: &PtyPair, answers: Vec<&'static [u8]>) -> std::thread::JoinHandle<()> {
    let mut device = link::open_serial(&pty.b, 9600, "scale", Duration::from_secs(1)).unwrap();
    std::thread::spawn(move || {
        for answer in answers {
            while device.read_byte(Duration::from_secs(5)).unwrap() != Some(b'\r') {}
            device.send(answer).unwrap();
        }
    })
}

#[tokio::test]
async fn the_tills_tare_comes_off_a_gross_weight_and_less_than_the_tare_is_refused() {
    let shop = Shop::open().await;
    let pty = PtyPair::open();
    let devices = DeviceConfig {
        scale: Some(SerialConfig {
            path: pty.a.clone(),
            baud: 9600,
        }),
        ..DeviceConfig::default()
    };
    config::save(&shop.db, &devices).await.unwrap();
    scale::set_tare(&shop.db, 235).await.unwrap();
    let fake = fake_scale(
        &pty,
        vec![b"\x0201.235\r", b"\x0200.100\r", b"\x0200.500N\r"],
    );
    let net = scale::read_configured(&shop.db).await.unwrap();
    assert_eq!(
        (net.grams, net.net),
        (1_000, true),
        "1.235 kg less the 235 g bowl"
    );
    let light = scale::read_configured(&shop.db).await;
    assert!(
        matches!(
            light,
            Err(pos_core::CoreError::Device(DeviceError::BelowTare {
                grams: 100,
                tare: 235
            }))
        ),
        "{light:?}"
    );
    let tared_on_scale = scale::read_configured(&shop.db).await.unwrap();
    assert_eq!(
        tared_on_scale.grams, 500,
        "the scale's own tare is not taken twice"
    );
    fake.join().unwrap();
    assert!(scale::set_tare(&shop.db, -5).await.is_err());
}
