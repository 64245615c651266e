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
