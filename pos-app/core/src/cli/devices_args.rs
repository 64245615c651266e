//! `pos devices`: clap definitions only.

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// The devices set up on this terminal, and the printer's queue.
    List,
    /// Set up (or change) a device.
    #[command(subcommand)]
    Set(SetDevice),
    /// Forget a device: printer, kitchen, scanner, scale or display.
    Remove { device: String },
    /// Ask the printer how it is (online, paper, cover, drawer).
    Status,
    /// Print a test page: accents, the euro sign, a QR code and a cut.
    TestPrint,
    /// Print a sale's receipt or a refund's slip again on the printer, marked COPY.
    Print {
        /// A sale id or receipt number (7 or #7), or a refund id.
        id: String,
    },
    /// Print the queued receipts and refund slips (and the kitchen's order slips);
    /// --follow keeps printing new ones.
    Drain {
        #[arg(long)]
        follow: bool,
    },
    /// Open the cash drawer without a sale (a no-sale, recorded with its reason).
    OpenDrawer {
        /// The PIN of the staff member opening it.
        #[arg(long)]
        pin: String,
        #[arg(long)]
        reason: String,
        /// A manager's PIN: a cashier's no-sale needs one.
        #[arg(long)]
        manager_pin: Option<String>,
    },
    /// Print each barcode the scanner reads, checked, until --count scans or --seconds.
    ListenScanner {
        #[arg(long, default_value_t = 1)]
        count: usize,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
    },
    /// Read a stable weight from the scale, the till's tare taken off.
    ReadScale {
        /// The container's weight for this reading, instead of the configured tare.
        #[arg(long)]
        tare_grams: Option<i64>,
    },
    /// Draw a receipt as a PNG: a sale or refund as the printer would print it, or a
    /// captured ESC/POS job (raw bytes, e.g. from a file: connection).
    RenderPng {
        /// A sale id or receipt number, or a refund id.
        #[arg(long, conflicts_with = "job", required_unless_present = "job")]
        id: Option<String>,
        /// A file of ESC/POS bytes.
        #[arg(long)]
        job: Option<std::path::PathBuf>,
        /// Where to write the PNG.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Paper width in mm for --job (a sale uses the printer's setting, else 80).
        #[arg(long, default_value_t = 80)]
        paper: u16,
        /// Mark the receipt as a COPY, as a reprint is.
        #[arg(long)]
        copy: bool,
    },
    /// Show two lines on the pole display (or the item and total form).
    Display {
        #[arg(long, default_value = "")]
        upper: String,
        #[arg(long, default_value = "")]
        lower: String,
        /// Shows "ITEM  PRICE" over "TOTAL  AMOUNT" (with --price and --total).
        #[arg(long, requires_all = ["price", "total"])]
        item: Option<String>,
        #[arg(long)]
        price: Option<String>,
        #[arg(long)]
        total: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SetDevice {
    /// The receipt printer (with the cash drawer on its drawer port).
    Printer(PrinterArgs),
    /// A second printer for the kitchen or bar: order slips (no prices) of the lines
    /// in its categories, printed as each sale completes.
    Kitchen(KitchenArgs),
    /// A serial or USB-CDC barcode scanner.
    Scanner {
        /// PATH[@BAUD], e.g. /dev/ttyACM0@9600, or usb:VID:PID@BAUD to find a USB-CDC
        /// scanner by its ids (lsusb) wherever it is plugged in.
        #[arg(long)]
        port: String,
        /// Characters the scanner sends before each code.
        #[arg(long, default_value = "")]
        prefix: String,
        /// What ends each code: cr (default), lf, crlf, or the characters themselves.
        #[arg(long, default_value = "cr")]
        suffix: String,
    },
    /// A Mettler Toledo 8217 scale.
    Scale {
        /// PATH[@BAUD], e.g. /dev/ttyUSB1@9600 (or usb:VID:PID@BAUD).
        #[arg(long)]
        port: String,
        /// The container's weight, taken off every gross reading (0: none).
        #[arg(long, default_value_t = 0)]
        tare_grams: i64,
    },
    /// A 2x20 customer pole display.
    Display {
        #[arg(long)]
        port: String,
    },
}

#[derive(Debug, Args)]
pub struct KitchenArgs {
    #[command(flatten)]
    pub printer: PrinterArgs,
    /// The categories printed there, comma-separated (e.g. "Hot food,Desserts").
    #[arg(long)]
    pub categories: String,
    /// The slip's heading.
    #[arg(long, default_value = "KITCHEN")]
    pub title: String,
}

#[derive(Debug, Args)]
pub struct PrinterArgs {
    /// tcp:HOST[:PORT] (port 9100 by default), serial:PATH[@BAUD], file:PATH (a device
    /// node such as /dev/usb/lp0) or usb:VID:PID (a USB printer by its ids, see lsusb).
    #[arg(long)]
    pub connection: String,
    /// A PNG printed on top of every receipt, scaled to the paper's width.
    #[arg(long)]
    pub logo: Option<String>,
    /// Paper width in mm: 58 or 80.
    #[arg(long, default_value_t = 80)]
    pub paper: u16,
    /// Characters per line, when the printer's differs from 32 (58 mm) or 48 (80 mm).
    #[arg(long)]
    pub columns: Option<usize>,
    /// The printer has no cutter: feed the paper out for tearing off.
    #[arg(long)]
    pub no_cut: bool,
    /// The drawer port pin to pulse: 2 or 5.
    #[arg(long, default_value_t = 2)]
    pub drawer_pin: u8,
    /// How long to drive the drawer's solenoid, in ms (2-510).
    #[arg(long, default_value_t = 100)]
    pub pulse_ms: u16,
    /// The drawer's switch reports open with a low level (most report high).
    #[arg(long)]
    pub drawer_open_low: bool,
    /// How long a job may wait for a printer stopped mid-receipt before it is sent again.
    #[arg(long, default_value_t = 600)]
    pub confirm_secs: u64,
}
