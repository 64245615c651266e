//! `kassa-bench devices`: the receipt printer and the scanner as a till uses them. A sale
//! completed to the first byte of its receipt at a printer on TCP (the project's virtual
//! printer, the drainer woken by the sale as in the app); the time to lay out and encode
//! a receipt, and to draw its PNG preview; a scan on a serial port (a socat pty pair) to
//! the item in the cart.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use kassa_tests::devices::Shop;
use pos_core::checkout::Cart;
use pos_core::devices::config::{self, DeviceConfig, ScannerConfig, SerialConfig};
use pos_core::devices::layout::Document;
use pos_core::devices::link::{self, Link};
use pos_core::devices::raster::{self, Raster};
use pos_core::devices::virtual_printer::VirtualPrinter;
use pos_core::devices::{PrinterConfig, drain, render, scanner};
use pos_core::{receipt, seal};

use crate::report::{Row, Target};
use crate::stats::Samples;

/// `kassa-bench devices` options.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Sales printed (default 300).
    #[arg(long, default_value_t = 300)]
    pub sales: usize,
    /// Scans read (default 500).
    #[arg(long, default_value_t = 500)]
    pub scans: usize,
    /// Receipts encoded for the render timing (default 2,000).
    #[arg(long, default_value_t = 2_000)]
    pub renders: usize,
    /// A few of each: checks the harness; RESULTS.md untouched.
    #[arg(long)]
    pub quick: bool,
}

/// Runs the benchmark, prints its table, and (unless quick) writes its section.
pub async fn main(args: Args, results: &Path) -> anyhow::Result<()> {
    let args = if args.quick {
        Args {
            sales: 20,
            scans: 30,
            renders: 50,
            ..args
        }
    } else {
        args
    };
    let rows = run(&args).await?;
    let table = crate::report::table(&rows);
    print!("{table}");
    if !args.quick {
        let when = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .context("formatting the run time")?;
        let machine = crate::machine::describe(&std::env::temp_dir());
        let body = format!(
            "## devices (printer, scanner)\n\n{when} · {} sales, {} scans, {} receipts encoded · {machine}\n\n`cargo run --release -p kassa-bench -- devices`\n\n{table}\n{NOTES}",
            args.sales, args.scans, args.renders
        );
        crate::report::write_section(results, "devices", &body)?;
        eprintln!("results written to {}", results.display());
    }
    Ok(())
}

const NOTES: &str = "Printer: `pos_core::devices::virtual_printer` on 127.0.0.1 (answers DLE EOT and GS r as an Epson TM does); the drainer (`drain::run`) is woken by each sale as the app wakes it, connects, reads the four status bytes, sends the job and waits for the printer's GS r confirmation; one sale at a time, the next once the receipt is confirmed. \"First byte\" is the receipt's `ESC @` arriving at the printer. Render: `drain::job` (layout + ESC/POS) of a 3-line receipt on 80 mm paper, and `render::document_png` (the same, decoded and drawn as a PNG). Scan: `scanner::spawn` reading a socat pty pair; timed from writing the code and CR on the scanner's end to `till::add_code` returning with the line in the cart.";

async fn run(args: &Args) -> anyhow::Result<Vec<Row>> {
    let mut rows = print_rows(args.sales).await?;
    rows.extend(render_rows(args.renders).await?);
    rows.push(scan_row(args.scans).await?);
    Ok(rows)
}

fn summary(s: &Samples) -> anyhow::Result<crate::stats::Summary> {
    s.summary().context("nothing was measured")
}

async fn print_rows(sales: usize) -> anyhow::Result<Vec<Row>> {
    let shop = Shop::open().await;
    let vp = VirtualPrinter::start()?;
    let mut printer = PrinterConfig::new(vp.connection(), 80)?;
    printer.confirm_secs = 30;
    let devices = DeviceConfig {
        printer: Some(printer.clone()),
        ..DeviceConfig::default()
    };
    config::save(&shop.db, &devices).await?;
    let wake = Arc::new(tokio::sync::Notify::new());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (db, t, w) = (shop.db.clone(), shop.terminal.clone(), wake.clone());
    let drainer = tokio::spawn(async move {
        let stop = async {
            let _ = stop_rx.await;
        };
        drain::run(&db, &t, &printer, drain::connect_configured(), w, stop).await
    });
    let (mut first, mut start, mut done) =
        (Samples::default(), Samples::default(), Samples::default());
    for i in 0..sales {
        shop.sell().await;
        let sold = Instant::now();
        wake.notify_one();
        let deadline = sold + Duration::from_secs(30);
        while vp.jobs().len() <= i {
            anyhow::ensure!(
                Instant::now() < deadline,
                "receipt {i} was not printed in 30 s"
            );
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let timing = vp.timings()[i];
        let since =
            |at: Option<Instant>| at.map_or(Duration::ZERO, |a| a.saturating_duration_since(sold));
        first.push(since(timing.first_byte));
        start.push(since(timing.start));
        done.push(timing.end.saturating_duration_since(sold));
    }
    let _ = stop_tx.send(());
    drainer.await??;
    let ms = Duration::from_millis;
    Ok(vec![
        Row::latency(
            "sale completed → first byte of its receipt (`ESC @`) at a TCP printer (virtual), drainer woken by the sale",
            Target::p99(ms(100)),
            &summary(&start)?,
        ),
        Row::latency(
            "sale completed → the printer's first byte (its status query)",
            Target::Info,
            &summary(&first)?,
        ),
        Row::latency(
            "sale completed → whole receipt at the printer (cut received)",
            Target::Info,
            &summary(&done)?,
        ),
    ])
}

/// The sale's receipt as a document, and a printer config with a logo.
async fn receipt_doc(shop: &Shop) -> anyhow::Result<Document> {
    let sale = shop
        .sell_codes(
            &[("4006381333931", 2000), ("KASE", 1000), ("ZUREK", 1000)],
            5_000,
        )
        .await;
    let key = seal::signing_key(&shop.db).await?;
    Ok(Document::Receipt(receipt::build(
        &sale,
        &shop.terminal,
        &key,
    )))
}

fn timed<T>(n: usize, mut op: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<Samples> {
    let mut s = Samples::with_capacity(n);
    for _ in 0..n {
        let at = Instant::now();
        std::hint::black_box(op()?);
        s.push(at.elapsed());
    }
    Ok(s)
}

async fn render_rows(n: usize) -> anyhow::Result<Vec<Row>> {
    let shop = Shop::open().await;
    let doc = receipt_doc(&shop).await?;
    let plain = PrinterConfig::new("file:/dev/null".parse()?, 80)?;
    let dir = tempfile::tempdir()?;
    let mut logo = Raster::new(300, 80);
    (0..80).for_each(|y| {
        (0..300)
            .filter(|x| (x + y) % 3 == 0)
            .for_each(|x| logo.set(x, y))
    });
    let path = dir.path().join("logo.png");
    std::fs::write(&path, raster::to_png(&logo)?)?;
    let mut with_logo = plain.clone();
    with_logo.logo = Some(path.display().to_string());
    let encode = timed(n, || Ok(drain::job(&doc, &plain, false)?))?;
    let encode_logo = timed(n, || Ok(drain::job(&doc, &with_logo, false)?))?;
    let png = timed(n / 10 + 1, || {
        Ok(render::document_png(&doc, &with_logo, false)?)
    })?;
    let ms = Duration::from_millis;
    Ok(vec![
        Row::latency(
            "receipt render: layout + ESC/POS bytes (3 lines, one printed as a raster, barcode, QR; 80 mm)",
            Target::p99(ms(5)),
            &summary(&encode)?,
        ),
        Row::latency(
            "the same with a 300 x 80 logo",
            Target::Info,
            &summary(&encode_logo)?,
        ),
        Row::latency(
            "receipt preview PNG (`render::document_png`: encode, decode, draw, PNG)",
            Target::p99(ms(100)),
            &summary(&png)?,
        ),
    ])
}

/// Two linked ptys from socat (`a` for the scanner's reader, `b` its device end).
fn socat(dir: &Path) -> anyhow::Result<(Child, String, String)> {
    let (a, b) = (dir.join("a"), dir.join("b"));
    let child = Command::new("socat")
        .arg(format!("pty,raw,echo=0,link={}", a.display()))
        .arg(format!("pty,raw,echo=0,link={}", b.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("socat (apt-get install socat)")?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(a.exists() && b.exists()) {
        anyhow::ensure!(Instant::now() < deadline, "socat made no ptys");
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((child, a.display().to_string(), b.display().to_string()))
}

async fn scan_row(n: usize) -> anyhow::Result<Row> {
    let shop = Shop::open().await;
    let dir = tempfile::tempdir()?;
    let (mut child, a, b) = socat(dir.path())?;
    let config = ScannerConfig {
        port: SerialConfig {
            path: a,
            baud: 9600,
        },
        prefix: String::new(),
        suffix: "\r".into(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let reader = scanner::spawn(config, tx, Duration::from_millis(100));
    let mut wire = link::open_serial(&b, 9600, "scanner", Duration::from_secs(1))?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut samples, mut cart) = (Samples::with_capacity(n), Cart::default());
    for _ in 0..n {
        let at = Instant::now();
        wire.send(b"4006381333931\r")?;
        let code = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .context("no scan within 5 s")?
            .context("scanner stopped")??;
        pos_core::till::add_code(&shop.db, &shop.terminal, &mut cart, code.as_str(), 1000).await?;
        samples.push(at.elapsed());
    }
    let scanned: i64 = cart.lines.iter().map(|l| l.qty_milli).sum();
    anyhow::ensure!(scanned == 1000 * n as i64, "every scan is in the cart");
    drop(reader);
    let _ = child.kill();
    let _ = child.wait();
    Ok(Row::latency(
        "scan on a serial port (socat pty) → item in the cart (`till::add_code`)",
        Target::p99(Duration::from_millis(50)),
        &summary(&samples)?,
    ))
}
