//! The printer, its queue and the drawer against the virtual printer: what a customer
//! gets on paper, and what happens when the paper runs out.

use std::sync::Arc;
use std::time::Duration;

use pos_shared::Currency;
use pos_shared::facts::DrawerReason;
use pos_shared::role::Role;

use super::config::{self, DeviceConfig, PrinterConfig};
use super::decode::decode;
use super::drain::{self, Connect};
use super::virtual_printer::{Fault, VirtualPrinter};
use crate::checkout::{Cart, Tender};
use crate::staff::Staff;
use crate::terminal::{InitRequest, Terminal};
use crate::{LocalDb, print_queue, sales};

const CATALOG: &str = "sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive\n\
CREME,Crème brûlée,4006381333931,350,700,true\n\
KASE,Käse Spätzle,,1290,1900,true\n";

struct Shop {
    _dir: tempfile::TempDir,
    db: LocalDb,
    t: Terminal,
    ana: Staff,
}

async fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let db = LocalDb::open(&dir.path().join("till.db")).await.unwrap();
    shop_on(dir, db).await
}

/// A shop in `zone` whose clock stands at `at_ms`.
async fn shop_at(zone: &str, at_ms: i64) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(crate::clock::ManualClock::at(at_ms));
    let db = LocalDb::open_with_clock(&dir.path().join("till.db"), clock)
        .await
        .unwrap();
    crate::store::set_setting(db.pool(), crate::shop_time::SETTING, zone)
        .await
        .unwrap();
    shop_on(dir, db).await
}

async fn shop_on(dir: tempfile::TempDir, db: LocalDb) -> Shop {
    let req = InitRequest {
        currency: Currency::EUR,
        shop_name: "Bäckerei Müller".into(),
        company_name: String::new(),
        receipt_header: "Grüße aus Köln".into(),
        receipt_footer: "Merci, à bientôt! Gutschein 5 €".into(),
        cash_rounding_step: 0,
    };
    let t = crate::terminal::init(&db, &req).await.unwrap();
    crate::catalog_csv::import(&db, CATALOG.as_bytes())
        .await
        .unwrap();
    let ana = crate::staff::add(&db, "Ana", Role::ShopManager, "1234")
        .await
        .unwrap();
    crate::shifts::open(&db, &ana, 10_000).await.unwrap();
    Shop {
        _dir: dir,
        db,
        t,
        ana,
    }
}

impl Shop {
    async fn sell(&self) -> sales::Sale {
        let mut cart = Cart::default();
        crate::till::add_code(&self.db, &self.t, &mut cart, "4006381333931", 2000)
            .await
            .unwrap();
        crate::till::add_code(&self.db, &self.t, &mut cart, "KASE", 1000)
            .await
            .unwrap();
        cart.tenders = vec![Tender::Cash {
            amount_minor: 2_000,
        }];
        sales::complete(&self.db, &self.t, &self.ana, &cart, None)
            .await
            .unwrap()
    }

    async fn printer(&self, vp: &VirtualPrinter, paper_mm: u16) -> PrinterConfig {
        let mut p = PrinterConfig::new(vp.connection(), paper_mm).unwrap();
        p.confirm_secs = 30;
        let devices = DeviceConfig {
            printer: Some(p.clone()),
            ..DeviceConfig::default()
        };
        config::save(&self.db, &devices).await.unwrap();
        p
    }
}

fn connect() -> Connect {
    drain::connect_configured()
}

async fn drain(shop: &Shop, printer: &PrinterConfig) -> drain::PrinterState {
    drain::drain_once(&shop.db, &shop.t, printer, &connect())
        .await
        .unwrap()
}

/// The job's TOTAL line carries the sale's 19.90.
fn assert_total(job: &[u8]) {
    let lines = decode(job).lines();
    let total = lines.iter().find(|l| l.starts_with("TOTAL"));
    assert!(total.is_some_and(|t| t.ends_with("19.90")), "{lines:?}");
}

#[tokio::test]
async fn a_receipt_with_accents_and_the_euro_prints_over_tcp_as_its_text_and_total() {
    let shop = shop().await;
    let vp = VirtualPrinter::start().unwrap();
    let printer = shop.printer(&vp, 80).await;
    let sale = shop.sell().await;
    let state = drain(&shop, &printer).await;
    assert_eq!((state.printed, state.waiting, state.problem), (1, 0, None));
    let jobs = vp.jobs();
    assert_eq!(jobs.len(), 1, "one sale, one receipt");
    let paper = decode(&jobs[0]);
    assert!(
        paper.unknown.is_empty(),
        "Kassa sends only known commands: {:?}",
        paper.unknown
    );
    let lines = paper.lines();
    for expected in [
        "Bäckerei Müller",
        "Grüße aus Köln",
        "Merci, à bientôt! Gutschein 5 €",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected} missing:\n{}",
            paper.text()
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Crème brûlée") && l.ends_with("7.00"))
    );
    let total = lines
        .iter()
        .find(|l| l.starts_with("TOTAL"))
        .expect("a total line");
    assert!(total.ends_with("19.90"), "{total}");
    assert_eq!(sale.total_minor, 1990);
    assert_eq!(paper.qr_codes().len(), 1, "the sealed QR code");
    assert!(paper.qr_codes()[0].contains(&sale.id));
    assert_eq!(paper.cuts(), 1);
    for l in paper.lines() {
        assert!(
            l.chars().count() <= 48,
            "80 mm paper holds 48 characters: {l}"
        );
    }
}

/// The printed time is the shop's wall time: 02:08 UTC is 03:08 in Berlin in December.
#[tokio::test]
async fn a_berlin_receipt_prints_the_shops_local_time() {
    let shop = shop_at("Europe/Berlin", 1_796_695_724_000).await;
    let vp = VirtualPrinter::start().unwrap();
    let printer = shop.printer(&vp, 80).await;
    shop.sell().await;
    drain(&shop, &printer).await;
    let paper = decode(&vp.jobs()[0]);
    assert!(
        paper
            .lines()
            .iter()
            .any(|l| l.starts_with("Receipt #1") && l.ends_with("2026-12-08 03:08 CET")),
        "the receipt's time in Berlin:\n{}",
        paper.text()
    );
    assert!(!paper.text().contains("02:08"), "{}", paper.text());
}

#[tokio::test]
async fn a_58_mm_roll_gets_32_columns() {
    let shop = shop().await;
    let vp = VirtualPrinter::start().unwrap();
    let printer = shop.printer(&vp, 58).await;
    shop.sell().await;
    drain(&shop, &printer).await;
    let paper = decode(&vp.jobs()[0]);
    for l in paper.lines() {
        assert!(l.chars().count() <= 32, "too wide for 58 mm: {l}");
    }
    assert_total(&vp.jobs()[0]);
}

#[tokio::test]
async fn paper_out_mid_receipt_keeps_the_job_queued_and_prints_it_once_when_refilled() {
    let shop = shop().await;
    let vp = VirtualPrinter::start().unwrap();
    let printer = shop.printer(&vp, 80).await;
    vp.paper_runs_out_after(120);
    let sale = shop.sell().await;
    let (db, t, p) = (shop.db.clone(), shop.t.clone(), printer.clone());
    let draining = tokio::spawn(async move { drain::drain_once(&db, &t, &p, &connect()).await });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!draining.is_finished(), "the job waits for the printer");
    assert_eq!(vp.jobs().len(), 0, "nothing completed on an empty roll");
    assert_eq!(
        print_queue::waiting(&shop.db).await.unwrap(),
        1,
        "still queued"
    );
    sales::load(&shop.db, &sale.id)
        .await
        .expect("the sale is committed meanwhile");
    vp.set_fault(Fault::PaperOut, false);
    let state = draining.await.unwrap().unwrap();
    assert_eq!((state.printed, state.waiting), (1, 0));
    drain(&shop, &printer).await;
    assert_eq!(vp.jobs().len(), 1, "printed exactly once");
    assert_total(&vp.jobs()[0]);
}

#[tokio::test]
async fn a_printer_with_a_fault_gets_no_job_until_it_is_cleared() {
    let shop = shop().await;
    let vp = VirtualPrinter::start().unwrap();
    let printer = shop.printer(&vp, 80).await;
    vp.set_fault(Fault::CoverOpen, true);
    shop.sell().await;
    let state = drain(&shop, &printer).await;
    assert_eq!(state.printed, 0);
    assert!(
        state
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("cover open")),
        "{state:?}"
    );
    let shown = drain::last_state(&shop.db)
        .await
        .unwrap()
        .expect("state kept for pos status");
    assert_eq!(shown.waiting, 1);
    vp.set_fault(Fault::CoverOpen, false);
    let state = drain(&shop, &printer).await;
    assert_eq!((state.printed, state.waiting), (1, 0));
    assert_eq!(vp.jobs().len(), 1, "printed exactly once");
}

#[tokio::test]
async fn sales_complete_while_the_printer_is_off_and_print_in_order_once_it_is_back() {
    let shop = shop().await;
    let vp = VirtualPrinter::start().unwrap();
    let printer = shop.printer(&vp, 80).await;
    let mut off = printer.clone();
    off.connection = "tcp:127.0.0.1:1".parse().unwrap();
    let first = shop.sell().await;
    let second = shop.sell().await;
    let state = drain(&shop, &off).await;
    assert_eq!((state.printed, state.waiting), (0, 2));
    assert!(state.problem.unwrap().contains("cannot open the printer"));
    drain(&shop, &printer).await;
    let qr: Vec<String> = vp
        .jobs()
        .iter()
        .map(|j| decode(j).qr_codes()[0].to_owned())
        .collect();
    assert_eq!(qr.len(), 2);
    assert!(
        qr[0].contains(&first.id) && qr[1].contains(&second.id),
        "journal order"
    );
}

#[tokio::test]
async fn the_drainer_prints_a_sale_as_soon_as_it_is_woken() {
    let shop = shop().await;
    let vp = VirtualPrinter::start().unwrap();
    let printer = shop.printer(&vp, 80).await;
    let wake = Arc::new(tokio::sync::Notify::new());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (db, t, w) = (shop.db.clone(), shop.t.clone(), wake.clone());
    let running = tokio::spawn(async move {
        let stop = async {
            let _ = stop_rx.await;
        };
        drain::run(&db, &t, &printer, connect(), w, stop).await
    });
    shop.sell().await;
    wake.notify_one();
    for _ in 0..500 {
        if !vp.jobs().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        vp.jobs().len(),
        1,
        "printed without waiting for the next poll"
    );
    stop_tx.send(()).unwrap();
    running.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_drawer_pulse_is_sent_and_the_opening_journaled() {
    let shop = shop().await;
    let vp = VirtualPrinter::start().unwrap();
    let mut printer = shop.printer(&vp, 80).await;
    printer.drawer.on_ms = 120;
    let cashier = crate::staff::add(&shop.db, "Bo", Role::Cashier, "2222")
        .await
        .unwrap();
    let refused =
        super::drawer::no_sale(&shop.db, &printer, &connect(), &cashier, "change", None).await;
    assert!(matches!(
        refused,
        Err(crate::CoreError::ManagerApprovalRequired { .. })
    ));
    assert!(vp.pulses().is_empty(), "no pulse without a manager");
    let (movement, fact) = super::drawer::no_sale(
        &shop.db,
        &printer,
        &connect(),
        &cashier,
        "change",
        Some("1234"),
    )
    .await
    .unwrap();
    assert_eq!(vp.pulses(), [(2, 120, 500)]);
    assert!(vp.drawer_open());
    assert_eq!(fact.reason, DrawerReason::NoSale);
    assert_eq!(fact.reference.as_deref(), Some(movement.id.as_str()));
    assert_eq!(fact.approved_by.as_deref(), Some(shop.ana.id.as_str()));
    let payload: String = sqlx::query_scalar(
        "SELECT payload FROM journal WHERE kind = 'drawer_opened' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(shop.db.pool())
    .await
    .unwrap();
    assert!(payload.contains("\"no_sale\""), "{payload}");
    crate::journal::verify(&shop.db)
        .await
        .expect("the chain holds");
}

#[tokio::test]
async fn the_drawer_opens_even_with_the_paper_out() {
    let shop = shop().await;
    let vp = VirtualPrinter::start().unwrap();
    let printer = shop.printer(&vp, 80).await;
    vp.set_fault(Fault::PaperOut, true);
    let sale = shop.sell().await;
    super::drawer::open(
        &shop.db,
        &printer,
        &connect(),
        &shop.ana,
        DrawerReason::Sale,
        Some(sale.id),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        vp.pulses(),
        [(2, 100, 100)],
        "the real-time pulse, in 100 ms steps"
    );
}
