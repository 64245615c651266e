//! The till's devices as a cashier meets them, against the virtual printer: a cash sale
//! opens the drawer and prints its receipt once, a printer out of paper keeps the receipt
//! queued and prints it when refilled, copies say COPY, and device settings are a
//! manager's.

use std::time::Duration;

use super::Till;
use super::device_views::{
    ConnectionSettings, DeviceKind, DeviceSettings, DrawerStatus, PrintStatus, PrinterSettings,
};
use super::tests::till;
use crate::devices::PrinterConfig;
use crate::devices::decode::decode;
use crate::devices::kitchen::{self, KitchenConfig};
use crate::devices::virtual_printer::{Fault, VirtualPrinter};

fn form(vp: &VirtualPrinter) -> DeviceSettings {
    DeviceSettings {
        printer: Some(PrinterSettings {
            connection: ConnectionSettings::Tcp {
                host: vp.addr().ip().to_string(),
                port: vp.addr().port(),
            },
            paper_mm: 80,
            cut: true,
            drawer_pin: 2,
            pulse_ms: 100,
        }),
        scanner: None,
        scale: None,
        display: None,
        code_page: "CP858".into(),
    }
}

/// The till of `tests::till` with the virtual printer set up by the manager, then the
/// cashier Ana logged in.
async fn till_with_printer(dir: &std::path::Path, vp: &VirtualPrinter) -> Till {
    let till = till(dir).await;
    till.save_device_settings(&form(vp), None).await.unwrap();
    till.login_pin("1111").await.unwrap();
    till
}

fn printed(job: &[u8]) -> String {
    decode(job).text()
}

#[tokio::test]
async fn a_cash_sale_opens_the_drawer_and_prints_its_receipt_once() {
    let dir = tempfile::tempdir().unwrap();
    let vp = VirtualPrinter::start().unwrap();
    let till = till_with_printer(dir.path(), &vp).await;
    till.scan("4006381333931", None).await.unwrap();
    let sale = till.pay_exact_cash(None).await.unwrap();
    let done = till.after_sale(&sale.sale_id).await.unwrap();
    assert_eq!(
        (done.print, done.drawer, done.problem.as_deref()),
        (PrintStatus::Printed, DrawerStatus::Opened, None)
    );
    let again = till.after_sale(&sale.sale_id).await.unwrap();
    assert_eq!(again, done, "asking again answers what was done");
    assert_eq!(vp.pulses().len(), 1, "the drawer opens once per sale");
    let jobs = vp.wait_for_jobs(1, Duration::from_secs(5));
    assert_eq!(jobs.len(), 1, "one receipt, not two");
    let text = printed(&jobs[0]);
    assert!(text.contains("Milk 1L") && text.contains("1.29"), "{text}");
    assert!(!text.contains("COPY"), "{text}");

    let copy = till.print_copy(&sale.sale_id).await.unwrap();
    assert_eq!(copy.print, PrintStatus::Printed);
    let jobs = vp.wait_for_jobs(2, Duration::from_secs(5));
    assert!(printed(&jobs[1]).contains("COPY"), "{}", printed(&jobs[1]));
    assert_eq!(vp.pulses().len(), 1, "a copy opens no drawer");
}

#[tokio::test]
async fn a_printer_out_of_paper_keeps_the_receipt_until_it_is_refilled() {
    let dir = tempfile::tempdir().unwrap();
    let vp = VirtualPrinter::start().unwrap();
    let till = till_with_printer(dir.path(), &vp).await;
    vp.set_fault(Fault::PaperOut, true);
    till.scan("4000417025005", None).await.unwrap();
    till.add_tender("card", 349, Some("T-1")).await.unwrap();
    let sale = till.complete(None).await.unwrap();
    let done = till.after_sale(&sale.sale_id).await.unwrap();
    assert_eq!(done.print, PrintStatus::Queued);
    assert_eq!(
        done.drawer,
        DrawerStatus::NotNeeded,
        "a card sale leaves the drawer shut"
    );
    let problem = done.problem.unwrap_or_default();
    assert!(problem.contains("out of paper"), "{problem}");
    let status = till.drain_printer(true).await.unwrap();
    assert_eq!(status.waiting, 1);
    assert!(
        status.problem.is_some(),
        "the status bar shows the paper is out"
    );

    vp.set_fault(Fault::PaperOut, false);
    let status = till.drain_printer(true).await.unwrap();
    assert_eq!((status.waiting, status.problem), (0, None));
    let jobs = vp.wait_for_jobs(1, Duration::from_secs(5));
    assert_eq!(jobs.len(), 1);
    assert!(printed(&jobs[0]).contains("Rye bread"));
}

#[tokio::test]
async fn without_a_printer_the_sale_says_so_and_settings_are_a_managers() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    till.login_pin("1111").await.unwrap();
    till.scan("4006381333931", None).await.unwrap();
    let sale = till.pay_exact_cash(None).await.unwrap();
    let done = till.after_sale(&sale.sale_id).await.unwrap();
    assert_eq!(
        (done.print, done.drawer),
        (PrintStatus::NoPrinter, DrawerStatus::NoDrawer)
    );

    let vp = VirtualPrinter::start().unwrap();
    let refused = till
        .save_device_settings(&form(&vp), None)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "manager_approval_required");
    let wrong = till
        .save_device_settings(&form(&vp), Some("1111"))
        .await
        .unwrap_err();
    assert_eq!(
        wrong.code(),
        "manager_approval_required",
        "a cashier's own PIN"
    );
    till.save_device_settings(&form(&vp), Some("4321"))
        .await
        .unwrap();
    let msg = till
        .test_device(DeviceKind::Printer, &form(&vp), Some("4321"))
        .await
        .unwrap();
    assert!(msg.contains("test page printed"), "{msg}");
    let page = printed(&vp.wait_for_jobs(1, Duration::from_secs(5))[0]);
    assert!(page.contains("TEST PRINT"), "{page}");

    let missing = till
        .test_device(DeviceKind::Scale, &form(&vp), Some("4321"))
        .await
        .unwrap_err();
    let api = super::ApiError::from(&missing);
    assert_eq!(api.code, "device_not_configured");
    assert!(
        !api.message.contains("pos ") && api.message.contains("Devices"),
        "the app's message points at its own screen: {}",
        api.message
    );
}

#[tokio::test]
async fn a_no_sale_opens_the_drawer_with_a_managers_pin() {
    let dir = tempfile::tempdir().unwrap();
    let vp = VirtualPrinter::start().unwrap();
    let till = till_with_printer(dir.path(), &vp).await;
    let refused = till
        .open_drawer("change for the bakery", None)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "manager_approval_required");
    assert!(vp.pulses().is_empty(), "the drawer stayed shut");
    let x = till
        .open_drawer("change for the bakery", Some("4321"))
        .await
        .unwrap();
    assert_eq!(x.no_sale_count, 1, "counted in the X report");
    assert_eq!(vp.pulses().len(), 1);
}

#[tokio::test]
async fn the_pole_display_follows_the_last_line_and_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let till = till(dir.path()).await;
    till.login_pin("1111").await.unwrap();
    let shown = till.display_feed();
    till.scan("4006381333931", None).await.unwrap();
    till.scan("4000417025005", None).await.unwrap();
    let lines = shown.borrow().clone();
    assert_eq!(lines.upper, "Rye bread       3.49");
    assert_eq!(lines.lower, "TOTAL           4.78");
    till.add_tender("cash", 500, None).await.unwrap();
    till.complete(None).await.unwrap();
    let lines = shown.borrow().clone();
    assert_eq!(
        (lines.upper.as_str(), lines.lower.as_str()),
        ("TOTAL           4.78", "CHANGE          0.22")
    );
}

/// The reasons the drawer opened for, oldest first, from the journal.
async fn drawer_reasons(till: &Till) -> Vec<String> {
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM journal WHERE kind = 'drawer_opened' ORDER BY seq")
            .fetch_all(till.db().pool())
            .await
            .unwrap();
    payloads
        .iter()
        .map(|p| serde_json::from_str::<serde_json::Value>(p).unwrap()["reason"].to_string())
        .collect()
}

#[tokio::test]
async fn cash_paid_in_paid_out_and_refunded_opens_the_drawer_on_record() {
    let dir = tempfile::tempdir().unwrap();
    let vp = VirtualPrinter::start().unwrap();
    let till = till_with_printer(dir.path(), &vp).await;
    till.scan("4006381333931", None).await.unwrap();
    let sale = till.pay_exact_cash(None).await.unwrap();
    till.after_sale(&sale.sale_id).await.unwrap();
    till.cash_movement("paid_in", 2000, "change from the bank", Some("4321"))
        .await
        .unwrap();
    till.cash_movement("paid_out", 500, "window cleaner", Some("4321"))
        .await
        .unwrap();
    let found = till.find_sale("#1").await.unwrap();
    let item = super::views::RefundItem {
        line_no: Some(1),
        product_id: None,
        qty_milli: 1000,
    };
    till.refund(&found, &[item], "cash", "", Some("4321"))
        .await
        .unwrap();
    assert_eq!(vp.pulses().len(), 4, "one pulse per time cash moved");
    assert_eq!(
        drawer_reasons(&till).await,
        [r#""sale""#, r#""paid_in""#, r#""paid_out""#, r#""refund""#]
    );
    crate::journal::verify(till.db())
        .await
        .expect("the chain holds");
}

#[tokio::test]
async fn the_background_drainer_prints_a_kitchen_slip_once_the_paper_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let (front, kitchen_vp) = (
        VirtualPrinter::start().unwrap(),
        VirtualPrinter::start().unwrap(),
    );
    let till = till_with_printer(dir.path(), &front).await;
    let mut printer = PrinterConfig::new(kitchen_vp.connection(), 80).unwrap();
    printer.confirm_secs = 5;
    let k = KitchenConfig {
        printer,
        categories: vec!["Dairy".into()],
        title: "KITCHEN".into(),
    };
    kitchen::save(till.db(), Some(&k)).await.unwrap();
    kitchen_vp.set_fault(Fault::PaperOut, true);
    till.scan("4006381333931", None).await.unwrap();
    let sale = till.pay_exact_cash(None).await.unwrap();
    let done = till.after_sale(&sale.sale_id).await.unwrap();
    assert_eq!(
        done.print,
        PrintStatus::Printed,
        "the receipt is not held up"
    );
    assert!(done.problem.is_some_and(|p| p.contains("kitchen printer")));

    kitchen_vp.set_fault(Fault::PaperOut, false);
    let status = till.drain_printer(false).await.unwrap();
    assert_eq!(status.problem, None);
    assert_eq!(kitchen::waiting(till.db()).await.unwrap(), 0);
    till.drain_printer(false).await.unwrap();
    let slips = kitchen_vp.wait_for_jobs(1, Duration::from_secs(5));
    assert_eq!(
        slips.len(),
        1,
        "the slip printed once, without another sale"
    );
    assert!(
        printed(&slips[0]).contains("Milk 1L"),
        "{}",
        printed(&slips[0])
    );
    assert_eq!(front.jobs().len(), 1, "the receipt was not printed again");
}

#[tokio::test]
async fn a_refund_prints_its_slip_through_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let vp = VirtualPrinter::start().unwrap();
    let till = till_with_printer(dir.path(), &vp).await;
    till.scan("4006381333931", None).await.unwrap();
    let sale = till.pay_exact_cash(None).await.unwrap();
    till.after_sale(&sale.sale_id).await.unwrap();
    let found = till.find_sale("#1").await.unwrap();
    let item = super::views::RefundItem {
        line_no: Some(1),
        product_id: None,
        qty_milli: 1000,
    };
    till.refund(&found, &[item], "cash", "", Some("4321"))
        .await
        .unwrap();
    let status = till.drain_printer(false).await.unwrap();
    assert_eq!((status.waiting, status.problem), (0, None));
    let jobs = vp.wait_for_jobs(2, Duration::from_secs(5));
    assert_eq!(jobs.len(), 2, "the receipt, then the refund slip");
    let slip = decode(&jobs[1]);
    assert!(
        slip.lines()
            .iter()
            .any(|l| l.starts_with("REFUND TOTAL") && l.ends_with("-1.29")),
        "{}",
        slip.text()
    );
}
