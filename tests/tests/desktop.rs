//! The cashier's terminal app end to end, in the real webview: `kassa-desktop` under
//! Xvfb driven by tauri-driver + WebKitWebDriver, against a real server on MongoDB
//! (SecantusDB) and RabbitMQ. Built and run by scripts/test.sh (`--run-ignored only`),
//! which sets `KASSA_DESKTOP_BIN` and `KASSA_SCREENSHOTS`.

use std::time::{Duration, Instant};

use kassa_tests::cloud::Cloud;
use kassa_tests::desktop::Desktop;
use kassa_tests::webdriver::Session;
use kassa_tests::{config, fresh_prefix, start, start_at};
use reqwest::Method;
use serde_json::json;

const MILK: &str = "4006381333931";
const BREAD: &str = "4000417025005";
const SHORT: Duration = Duration::from_secs(20);
const LONG: Duration = Duration::from_secs(60);

/// A tenant with milk (1.29) and bread (3.49) in stock and a cashier Alex (PIN 1111);
/// the manager's PIN is 4321.
async fn shop(base: &str, prefix: &str) -> Cloud {
    let cloud = Cloud::new(base, prefix).await;
    cloud.product("MILK", 129, MILK, 20).await;
    cloud.product("BREAD", 349, BREAD, 10).await;
    let (status, body) = cloud
        .call(
            Method::POST,
            &format!("/api/shops/{}/staff", cloud.shop_id),
            &cloud.company_admin,
            Some(json!({ "name": "Alex", "role": "cashier", "pin": "1111" })),
        )
        .await;
    assert!(status.is_success(), "cashier: {body}");
    cloud
}

/// First run: the enrollment screen, the catalog download, the PIN screen, a shift.
async fn enroll_and_open_shift(app: &Desktop, server: &str, code: &str, size: &str) {
    let s = &app.session;
    let url = s.wait("#setup-server-url", LONG).await.unwrap();
    s.wait_text("main", "Enrollment code", SHORT).await.unwrap();
    app.shot(&format!("01-first-run-{size}")).await;
    s.clear(&url).await.unwrap();
    s.type_into(&url, server).await.unwrap();
    let field = s.wait("#setup-code", SHORT).await.unwrap();
    s.type_into(&field, code).await.unwrap();
    s.click(&s.wait("#setup-connect", SHORT).await.unwrap())
        .await
        .unwrap();
    let pin = s.wait("#pin-input", LONG).await.unwrap();
    s.wait_text("main", "PIN", SHORT).await.unwrap();
    app.shot(&format!("02-pin-{size}")).await;
    s.type_into(&pin, "1111\n").await.unwrap();
    let float = s.wait("#float-amount", LONG).await.unwrap();
    s.type_into(&float, "50").await.unwrap();
    s.click(&s.wait("#open-shift", SHORT).await.unwrap())
        .await
        .unwrap();
    s.wait_text("#staff-name", "Alex", SHORT).await.unwrap();
    wait_gone(s, "#float-amount").await;
}

/// A keyboard-wedge scan: the code typed as one fast burst ending in Enter, into
/// whatever has focus.
async fn wedge(s: &Session, code: &str) {
    s.keys(&format!("{code}\n")).await.unwrap();
}

async fn wait_gone(s: &Session, css: &str) {
    let start = Instant::now();
    while s.find(css).await.unwrap().is_some() {
        assert!(start.elapsed() < SHORT, "`{css}` still shown");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_count(s: &Session, css: &str, n: usize) {
    let start = Instant::now();
    loop {
        let have = s.count(css).await.unwrap();
        if have == n {
            return;
        }
        if start.elapsed() >= SHORT {
            let dir = std::env::var_os("KASSA_SCREENSHOTS")
                .unwrap_or_else(|| std::env::temp_dir().into());
            let _ = s
                .screenshot(&std::path::Path::new(&dir).join("terminal-failure.png"))
                .await;
            panic!("{have} `{css}`, not {n} (screen saved as terminal-failure.png)");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The sealed code a receipt's QR carries, as a scanner would read it off the paper.
async fn receipt_code(s: &Session, receipt_no: &str) -> String {
    let v = s
        .script_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('receipt', { saleId: arguments[0] })
               .then(r => done(r.receipt_qr), e => done('ERROR ' + JSON.stringify(e)));",
            json!([receipt_no]),
        )
        .await
        .unwrap();
    let code = v.as_str().unwrap().to_owned();
    assert!(code.starts_with("KASSA1;"), "{code}");
    code
}

/// The natural width of the receipt screen's picture of the paper, once it has loaded.
async fn receipt_image_width(s: &Session) -> u64 {
    let img = s.wait("#receipt-image", SHORT).await.unwrap();
    let start = Instant::now();
    loop {
        let width = s
            .script(
                "return arguments[0].complete ? arguments[0].naturalWidth : 0",
                json!([{ kassa_tests::webdriver::ELEMENT: img.clone() }]),
            )
            .await
            .unwrap();
        let width = width.as_u64().unwrap_or(0);
        if width > 0 || start.elapsed() > SHORT {
            return width;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click(s: &Session, css: &str) {
    s.click(&s.wait(css, SHORT).await.unwrap()).await.unwrap();
}

async fn type_in(s: &Session, css: &str, text: &str) {
    let e = s.wait(css, SHORT).await.unwrap();
    s.clear(&e).await.unwrap();
    s.type_into(&e, text).await.unwrap();
}

#[tokio::test]
#[ignore = "drives the built desktop app under Xvfb; scripts/test.sh runs it"]
async fn a_cashier_enrolls_sells_parks_refunds_and_closes_the_shift_in_the_app() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = shop(&server.base, &prefix).await;
    let code = cloud.enrollment_code().await;
    let home = tempfile::tempdir().unwrap();
    let app = Desktop::start(&home.path().join("terminal.db"), home.path(), 1024, 768).await;
    let s = &app.session;
    enroll_and_open_shift(&app, &server.base, &code, "1024").await;

    // Scans land in the cart even while the search field has the focus, and the code
    // does not stay in the field.
    click(s, "#search").await;
    wedge(s, MILK).await;
    wait_count(s, ".cart-line", 1).await;
    wedge(s, MILK).await;
    s.wait_text("#total", "2.58", SHORT).await.unwrap();
    wedge(s, BREAD).await;
    s.wait_text("#total", "6.07", SHORT).await.unwrap();
    let search = s.find("#search").await.unwrap().unwrap();
    let left = s
        .script(
            "return arguments[0].value",
            json!([{ kassa_tests::webdriver::ELEMENT: search }]),
        )
        .await
        .unwrap();
    assert_eq!(left, json!(""), "a scan leaves nothing in the search field");
    app.shot("03-sell-1024").await;

    // Three milks instead of two.
    click(s, ".cart-line").await;
    s.keys("\u{E034}").await.unwrap(); // F4: edit the line
    type_in(s, "#line-qty", "3").await;
    click(s, "#line-apply-qty").await;
    s.wait_text("#total", "7.36", SHORT).await.unwrap();

    // Split payment: 5.00 on card, 5.00 cash, 2.64 change.
    s.keys("\u{E03A}").await.unwrap(); // F10: pay
    click(s, "#tender-card").await;
    type_in(s, "#tender-amount", "5").await;
    type_in(s, "#tender-reference", "T-1001").await;
    click(s, "#add-tender").await;
    click(s, "#tender-cash").await;
    type_in(s, "#tender-amount", "5").await;
    click(s, "#add-tender").await;
    s.wait_text("#pay-change", "2.64", SHORT).await.unwrap();
    app.shot("04-pay-1024").await;
    click(s, "#complete").await;
    s.wait_text("#receipt-preview", "Product BREAD", SHORT)
        .await
        .unwrap();
    s.wait_text("#change-due", "2.64", SHORT).await.unwrap();
    // The preview is the PNG of the ESC/POS job, on the 80 mm default with no printer.
    assert_eq!(
        receipt_image_width(s).await,
        576,
        "the receipt shows as printed, one pixel per dot of an 80 mm roll"
    );
    app.shot("05-receipt-1024").await;
    click(s, "#new-sale").await;

    // Park a sale, resume it, pay it exact with one key.
    wait_count(s, ".cart-line", 0).await;
    wedge(s, BREAD).await;
    wait_count(s, ".cart-line", 1).await;
    click(s, "#park").await;
    wait_count(s, ".cart-line", 0).await;
    click(s, "#parked").await;
    click(s, "#parked-list .parked-item button").await;
    wait_count(s, ".cart-line", 1).await;
    s.keys("\u{E03C}").await.unwrap(); // F12: exact cash
    s.wait_text("#receipt-no", "#2", SHORT).await.unwrap();
    click(s, "#new-sale").await;

    // Refund one milk of receipt #1 by scanning its QR; a manager approves.
    let qr = receipt_code(s, "1").await;
    click(s, "#refund").await;
    type_in(s, "#refund-code", &qr).await;
    click(s, "#refund-find").await;
    s.wait_text("#refund-sale", "1", SHORT).await.unwrap();
    click(s, r#".refund-line[data-line-no="2"] input.check"#).await;
    type_in(s, r#".refund-line[data-line-no="1"] input.qty"#, "1").await;
    click(s, "#refund-to-cash").await;
    app.shot("06-refund-1024").await;
    click(s, "#refund-submit").await;
    let manager = s.wait("#manager-pin", SHORT).await.unwrap();
    s.type_into(&manager, "4321\n").await.unwrap();
    s.wait_text("#refund-slip", "Product", SHORT).await.unwrap();

    // Z: counted cash, variance shown first, then closed.
    click(s, "#shift").await;
    type_in(s, "#z-counted-cash", "50").await;
    s.wait("#z-preview", SHORT).await.unwrap();
    app.shot("07-z-preview-1024").await;
    click(s, "#close-shift").await;
    if let Ok(m) = s.wait("#manager-pin", Duration::from_secs(2)).await {
        s.type_into(&m, "4321\n").await.unwrap();
    }
    s.wait("#z-text", SHORT).await.unwrap();
    app.shot("08-z-1024").await;

    // The server holds each of the two sales exactly once.
    let start = Instant::now();
    loop {
        let counts = cloud.order_counts().await;
        if counts.len() == 2 {
            assert!(counts.values().all(|n| *n == 1), "{counts:?}");
            break;
        }
        assert!(start.elapsed() < LONG, "orders on the server: {counts:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    app.session.close_ref().await;
    server.shut_down().await;
}

#[tokio::test]
#[ignore = "drives the built desktop app under Xvfb; scripts/test.sh runs it"]
async fn the_till_sells_and_refunds_offline_and_drains_when_the_server_is_back() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let addr = server.addr;
    let cloud = shop(&server.base, &prefix).await;
    let code = cloud.enrollment_code().await;
    let home = tempfile::tempdir().unwrap();
    let app = Desktop::start(&home.path().join("terminal.db"), home.path(), 1920, 1080).await;
    let s = &app.session;
    enroll_and_open_shift(&app, &server.base, &code, "1920").await;
    server.shut_down().await;

    wedge(s, MILK).await;
    wait_count(s, ".cart-line", 1).await;
    app.shot("10-sell-offline-1920").await;
    s.keys("\u{E03C}").await.unwrap();
    s.wait_text("#receipt-no", "#1", SHORT).await.unwrap();
    app.shot("11-receipt-1920").await;
    click(s, "#new-sale").await;
    click(s, "#refund").await;
    type_in(s, "#refund-code", "1").await;
    click(s, "#refund-find").await;
    s.wait_text("#refund-sale", "1", SHORT).await.unwrap();
    click(s, "#refund-submit").await;
    let manager = s.wait("#manager-pin", SHORT).await.unwrap();
    s.type_into(&manager, "4321\n").await.unwrap();
    s.wait("#refund-slip", SHORT).await.unwrap();
    let indicator = s.wait("#sync-indicator", SHORT).await.unwrap();
    let start = Instant::now();
    loop {
        let queued: i64 = s
            .attr(&indicator, "data-queued")
            .await
            .unwrap()
            .and_then(|q| q.parse().ok())
            .unwrap_or(0);
        if queued >= 2 {
            break;
        }
        assert!(
            start.elapsed() < SHORT,
            "the indicator shows {queued} queued"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.shot("12-offline-queued-1920").await;

    let server = start_at(config(&prefix), addr).await;
    let start = Instant::now();
    loop {
        let queued = s.attr(&indicator, "data-queued").await.unwrap();
        if queued.as_deref() == Some("0") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "still queued: {queued:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    app.shot("13-drained-1920").await;
    assert_eq!(cloud.order_counts().await.len(), 1);
    app.session.close_ref().await;
    server.shut_down().await;
}

#[tokio::test]
#[ignore = "drives the built desktop app under Xvfb; scripts/test.sh runs it"]
async fn a_manager_sets_up_the_receipt_printer_and_a_cash_sale_prints_its_receipt() {
    use pos_core::devices::decode::decode;
    use pos_core::devices::virtual_printer::VirtualPrinter;

    let printer = VirtualPrinter::start().expect("virtual printer on a free port");
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = shop(&server.base, &prefix).await;
    let code = cloud.enrollment_code().await;
    let home = tempfile::tempdir().unwrap();
    let app = Desktop::start(&home.path().join("terminal.db"), home.path(), 1024, 768).await;
    let s = &app.session;
    enroll_and_open_shift(&app, &server.base, &code, "1024").await;
    assert!(
        s.find("#nav-devices").await.unwrap().is_none(),
        "a cashier has no device settings"
    );

    // The manager takes over the till (quick user switch) and sets up the printer.
    click(s, "#lock").await;
    let pin = s.wait("#pin-input", SHORT).await.unwrap();
    s.type_into(&pin, "4321\n").await.unwrap();
    click(s, "#nav-devices").await;
    click(s, "#printer-on").await;
    click(s, "#printer-tcp").await;
    type_in(s, "#printer-host", &printer.addr().ip().to_string()).await;
    type_in(s, "#printer-port", &printer.addr().port().to_string()).await;
    click(s, "#test-printer").await;
    s.wait_text("#test-printer-result", "test page printed", SHORT)
        .await
        .unwrap();
    app.shot("09-devices-1024").await;
    click(s, "#devices-save").await;
    s.wait_text(".toaster", "saved", SHORT).await.unwrap();
    wait_gone(s, ".toaster .alert").await;
    let pages = printer.wait_for_jobs(1, SHORT);
    assert!(
        decode(&pages[0]).text().contains("TEST PRINT"),
        "the Test button printed the test page"
    );

    // A cash sale: the drawer opens and the receipt prints, and the screen says so.
    click(s, "#nav-sell").await;
    wedge(s, BREAD).await;
    wait_count(s, ".cart-line", 1).await;
    s.keys("\u{E03C}").await.unwrap(); // F12: exact cash
    s.wait_text("#receipt-no", "#1", SHORT).await.unwrap();
    s.wait("#print-status[data-print=\"printed\"]", SHORT)
        .await
        .unwrap();
    s.wait_text("#print-status", "Receipt printed", SHORT)
        .await
        .unwrap();
    app.shot("14-receipt-printed-1024").await;
    let jobs = printer.wait_for_jobs(2, SHORT);
    assert_eq!(jobs.len(), 2, "the test page, then the receipt");
    let receipt = decode(&jobs[1]).text();
    assert!(
        receipt.contains("3.49") && receipt.contains("Receipt #1"),
        "the printed receipt carries its number and total: {receipt}"
    );
    assert_eq!(printer.pulses().len(), 1, "the drawer opened for the cash");

    // A copy from the receipt screen says COPY.
    s.keys("\u{E038}").await.unwrap(); // F8: reprint
    s.wait_text("#copy-status", "Copy printed", SHORT)
        .await
        .unwrap();
    let jobs = printer.wait_for_jobs(3, SHORT);
    assert!(decode(&jobs[2]).text().contains("COPY"), "the copy says so");
    s.wait("#receipt-image[data-copy=\"true\"]", SHORT)
        .await
        .expect("after a reprint the screen shows the COPY as printed");
    app.session.close_ref().await;
    server.shut_down().await;
}
