//! `pos devices` and `pos sell` with a receipt printer: against the virtual printer, the
//! sale prints, the drawer opens and both are recorded; with the printer off, the sale
//! still completes and its receipt waits.

use pos_core::devices::decode::decode;
use pos_core::devices::virtual_printer::VirtualPrinter;

use crate::harness::{CASHIER_PIN, MANAGER_PIN, cli_terminal, ok, pos, stderr, stdout};

/// A till with `connection` as its printer and an open shift.
fn till_with_printer(dir: &std::path::Path, connection: &str, paper: &str) -> std::path::PathBuf {
    let db = cli_terminal(dir);
    let printer = [
        "devices",
        "set",
        "printer",
        "--connection",
        connection,
        "--paper",
        paper,
    ];
    ok(&db, &printer);
    ok(
        &db,
        &["shift", "open", "--pin", CASHIER_PIN, "--float", "50"],
    );
    db
}

const SALE: [&str; 7] = [
    "sell",
    "--pin",
    CASHIER_PIN,
    "--item",
    "P01x2",
    "--cash",
    "100",
];

#[test]
fn a_cash_sale_prints_and_opens_the_drawer_and_a_no_sale_needs_a_manager() {
    let dir = tempfile::tempdir().unwrap();
    let vp = VirtualPrinter::start().unwrap();
    let db = till_with_printer(dir.path(), &format!("tcp:{}", vp.addr()), "58");
    let sale = ok(&db, &SALE);
    assert_eq!(sale["devices"]["drawer_opened"], true, "{sale}");
    assert_eq!(sale["devices"]["printing"]["printed"], 1, "{sale}");
    let paper = decode(&vp.jobs()[0]);
    assert!(
        paper.lines().iter().any(|l| l.starts_with("TOTAL")),
        "{}",
        paper.text()
    );
    assert!(
        paper.lines().iter().all(|l| l.chars().count() <= 32),
        "58 mm"
    );
    assert_eq!(vp.pulses().len(), 1, "the drawer opened for the cash sale");

    let refused = pos(
        &db,
        &[
            "devices",
            "open-drawer",
            "--pin",
            CASHIER_PIN,
            "--reason",
            "change",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("needs a manager"),
        "{}",
        stderr(&refused)
    );
    ok(
        &db,
        &[
            "devices",
            "open-drawer",
            "--pin",
            CASHIER_PIN,
            "--reason",
            "change",
            "--manager-pin",
            MANAGER_PIN,
        ],
    );
    assert_eq!(vp.pulses().len(), 2);
    let x = ok(&db, &["shift", "x"]);
    assert_eq!(x["no_sale_count"], 1, "{x}");

    ok(&db, &["devices", "print", "1"]);
    let copy = decode(&vp.jobs()[1]);
    assert_eq!(copy.lines()[0], "*** COPY ***", "a reprint says so on top");
    let status = pos(&db, &["devices", "status"]);
    assert!(
        stdout(&status).contains("drawer open"),
        "{}",
        stdout(&status)
    );
    assert_eq!(ok(&db, &["devices", "list"])["receipts_to_print"], 0);
}

#[test]
fn a_sale_completes_with_the_printer_off_and_its_receipt_waits() {
    let dir = tempfile::tempdir().unwrap();
    let db = till_with_printer(dir.path(), "tcp:127.0.0.1:1", "80");
    let out = pos(&db, &SALE);
    assert!(
        out.status.success(),
        "the sale is not the printer's: {}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("the receipt stays queued"),
        "{}",
        stdout(&out)
    );
    let status = ok(&db, &["status"]);
    assert_eq!(status["receipts_to_print"], 1);
    let problem = status["printer_state"]["problem"]
        .as_str()
        .unwrap_or_default();
    assert!(problem.contains("cannot open the printer"), "{status}");

    let vp = VirtualPrinter::start().unwrap();
    let connection = format!("tcp:{}", vp.addr());
    ok(
        &db,
        &["devices", "set", "printer", "--connection", &connection],
    );
    let drained = ok(&db, &["devices", "drain"]);
    assert_eq!(
        (drained["printed"].as_i64(), drained["waiting"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(vp.jobs().len(), 1);
}

/// A 200 x 50 PNG logo: a filled box.
fn logo(dir: &std::path::Path) -> String {
    let mut r = pos_core::devices::raster::Raster::new(200, 50);
    (0..50).for_each(|y| (0..200).for_each(|x| r.set(x, y)));
    let path = dir.join("logo.png");
    std::fs::write(&path, pos_core::devices::raster::to_png(&r).unwrap()).unwrap();
    path.display().to_string()
}

/// (width, height, share of dark pixels) of a PNG the CLI wrote.
fn png_stats(path: &std::path::Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let pixels = &buf[..info.buffer_size()];
    let dark = pixels.iter().filter(|&&p| p < 128).count();
    (info.width, info.height, dark as f64 / pixels.len() as f64)
}

#[test]
fn a_receipt_with_a_logo_and_its_barcode_renders_as_the_png_the_printer_would_print() {
    let dir = tempfile::tempdir().unwrap();
    let vp = VirtualPrinter::start().unwrap();
    let db = till_with_printer(dir.path(), &format!("tcp:{}", vp.addr()), "80");
    let logo = logo(dir.path());
    let connection = format!("tcp:{}", vp.addr());
    ok(
        &db,
        &[
            "devices",
            "set",
            "printer",
            "--connection",
            &connection,
            "--logo",
            &logo,
        ],
    );
    ok(&db, &SALE);
    let printed = decode(&vp.jobs()[0]);
    assert_eq!(printed.barcodes(), ["0000000001"], "{}", printed.text());
    assert_eq!(printed.images()[0].width(), 200, "the logo on top");
    let job = dir.path().join("job.bin");
    std::fs::write(&job, &vp.jobs()[0]).unwrap();

    let from_job = dir.path().join("job.png");
    let out = ok(
        &db,
        &[
            "devices",
            "render-png",
            "--job",
            job.to_str().unwrap(),
            "--out",
            from_job.to_str().unwrap(),
        ],
    );
    assert_eq!(out["unknown_commands"], 0, "{out}");
    let (w, h, dark) = png_stats(&from_job);
    assert_eq!(w, 576, "80 mm paper");
    assert!((700..4000).contains(&h), "a receipt's length: {h} dots");
    assert!(
        (0.02..0.5).contains(&dark),
        "text, logo and codes, not blank: {dark}"
    );

    let from_sale = dir.path().join("sale.png");
    ok(
        &db,
        &[
            "devices",
            "render-png",
            "--id",
            "1",
            "--out",
            from_sale.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(&from_sale).unwrap(),
        std::fs::read(&from_job).unwrap(),
        "the preview of the sale is the picture of what was printed"
    );
}

#[test]
fn the_kitchen_printer_is_set_up_from_the_cli_and_prints_with_each_sale() {
    let dir = tempfile::tempdir().unwrap();
    let (front, kitchen) = (
        VirtualPrinter::start().unwrap(),
        VirtualPrinter::start().unwrap(),
    );
    let db = till_with_printer(dir.path(), &format!("tcp:{}", front.addr()), "80");
    let k = format!("tcp:{}", kitchen.addr());
    ok(
        &db,
        &[
            "devices",
            "set",
            "kitchen",
            "--connection",
            &k,
            "--paper",
            "58",
            "--categories",
            "Cat1",
            "--title",
            "BAR",
        ],
    );
    ok(&db, &SALE);
    assert_eq!(front.jobs().len(), 1);
    let slip = decode(&kitchen.wait_for_jobs(1, std::time::Duration::from_secs(5))[0]);
    assert_eq!(slip.lines()[..2], ["BAR", "Order #1"]);
    assert!(
        slip.lines().contains(&"2 x Product number 1".to_owned()),
        "{}",
        slip.text()
    );
    let listed = ok(&db, &["devices", "list"]);
    assert_eq!(listed["kitchen"]["categories"][0], "Cat1", "{listed}");
    assert_eq!(listed["kitchen_waiting"], 0);
    ok(&db, &["devices", "remove", "kitchen"]);
    assert!(ok(&db, &["devices", "list"])["kitchen"].is_null());
}

#[test]
fn a_usb_printer_that_is_not_plugged_in_and_a_bad_logo_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = till_with_printer(dir.path(), "usb:04b8:0e15", "80");
    let listed = ok(&db, &["devices", "list"]);
    assert_eq!(
        listed["devices"]["printer"]["connection"]["path"],
        "usb:04b8:0e15"
    );
    let status = pos(&db, &["devices", "status"]);
    assert!(!status.status.success());
    assert!(
        stderr(&status).contains("no USB device 04b8:0e15"),
        "{}",
        stderr(&status)
    );
    std::fs::write(dir.path().join("bad.png"), b"GIF89a").unwrap();
    let bad = dir.path().join("bad.png");
    let refused = pos(
        &db,
        &[
            "devices",
            "set",
            "printer",
            "--connection",
            "tcp:127.0.0.1",
            "--logo",
            bad.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("not a PNG"),
        "{}",
        stderr(&refused)
    );
}
