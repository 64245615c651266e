//! The `pos` command line: clap definitions only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

/// Kassa terminal, headless.
#[derive(Debug, Parser)]
#[command(
    name = "pos",
    version,
    about = "Kassa point of sale terminal (headless)"
)]
pub struct Cli {
    /// The terminal's SQLite database.
    #[arg(
        long,
        global = true,
        env = "KASSA_POS_DB",
        default_value = "./kassa-terminal.db"
    )]
    pub db: PathBuf,
    /// Machine-readable JSON output (errors as {code, message}).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up a standalone terminal (no server).
    Init(InitArgs),
    /// Import or update products from a CSV file, matched by SKU, all or nothing.
    ///
    /// The first row names the columns, in any order: sku, name, price_minor (minor units:
    /// 1.29 is 129), tax_rate_bp (basis points: 7 % is 700), tax_inclusive (true/false) are
    /// required; barcode, category, stock (opening level, e.g. 24 or 1.250) and
    /// sold_by_weight are optional. Comma-, semicolon- or tab-separated. Products not in the
    /// file are left alone; a blank stock keeps the product's current level.
    Import { file: PathBuf },
    /// Staff members and their PINs.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Check a PIN and show who it belongs to.
    Login {
        /// The PIN to check.
        #[arg(long)]
        pin: String,
        /// Log in as this staff member (name or id); wrong PINs then lock only them.
        #[arg(long)]
        staff: Option<String>,
    },
    /// Search the catalog by name, SKU or barcode.
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Ring up and complete a sale in one go.
    Sell(SellArgs),
    /// Ring up items and park the cart for later.
    Park {
        /// The PIN of the staff member doing this.
        #[arg(long)]
        pin: String,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        spec: SaleSpec,
    },
    /// List parked carts.
    Parked,
    /// Resume a parked cart, add items or tenders, and complete it.
    Resume {
        id: String,
        #[command(flatten)]
        sell: SellArgs,
    },
    /// Void an unpaid (parked) cart; recorded, cashiers need a manager PIN.
    Void {
        id: String,
        /// The PIN of the staff member doing this.
        #[arg(long)]
        pin: String,
        #[arg(long, default_value = "customer left")]
        reason: String,
        /// A manager's PIN: a cashier's void needs one.
        #[arg(long)]
        manager_pin: Option<String>,
    },
    /// Refund lines of a sale (with --sale) or items without a receipt (--item).
    Refund(RefundArgs),
    /// Shifts and the cash drawer.
    #[command(subcommand)]
    Shift(ShiftCommand),
    /// Customers and their accounts.
    #[command(subcommand)]
    Customers(CustomerCommand),
    /// Stock on hand (server balance + local movements); --adjust records a correction.
    Stock {
        sku: Option<String>,
        #[arg(long, allow_hyphen_values = true, requires_all = ["pin", "sku"])]
        adjust: Option<String>,
        #[arg(long, default_value = "count correction")]
        reason: String,
        /// The PIN of the staff member doing this.
        #[arg(long)]
        pin: Option<String>,
    },
    /// The tamper-evident journal.
    #[command(subcommand)]
    Journal(JournalCommand),
    /// Terminal, shift, journal and sync status.
    Status,
    /// Enroll this fresh database with a Kassa server using a manager's enrollment code.
    Enroll(EnrollArgs),
    /// Send queued facts to the server, then pull catalog and stock.
    Sync(SyncArgs),
    /// Print a sale's receipt or a refund's slip, or check a receipt's QR code (`pos receipt verify CODE`).
    Receipt(ReceiptArgs),
    /// Receipt printer, cash drawer, scanner, scale and pole display.
    #[command(subcommand)]
    Devices(super::devices_args::DevicesCommand),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReceiptArgs {
    /// The sale whose receipt to print again (its id, or its receipt number: 7 or #7),
    /// or the refund whose slip to print again. Printed again, it is marked COPY.
    pub sale_id: Option<String>,
    #[command(subcommand)]
    pub action: Option<ReceiptCommand>,
}

#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// Check a receipt's QR code offline: genuine, and what it states.
    Verify {
        /// The scanned code (`KASSA1;...`).
        code: String,
        /// The issuing terminal's public key (hex); this terminal's own by default.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// This terminal's public key, for checking its receipts elsewhere.
    Key,
}

#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// The server's address, e.g. https://kassa.example.com.
    #[arg(long)]
    pub server: String,
    /// The single-use code a manager created for the shop (not needed to finish an
    /// enrollment the network cut short).
    #[arg(long)]
    pub code: Option<String>,
    /// A name managers recognise, such as "Till 2" (default: this machine's host name).
    #[arg(long)]
    pub name: Option<String>,
    /// Trust only the CA certificate(s) in this PEM file for the server, from now on
    /// (REST and the live socket). Without it the system's trusted CAs decide. On a till
    /// already enrolled with this server it changes the pin, once the server verifies
    /// under the new one.
    #[arg(long, value_name = "PATH", conflicts_with = "system_ca")]
    pub ca_file: Option<std::path::PathBuf>,
    /// On a till already enrolled with this server: drop its pinned CA and trust the
    /// system's CAs again.
    #[arg(long)]
    pub system_ca: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Keep syncing until Ctrl-C, retrying with backoff while the server is unreachable.
    #[arg(long)]
    pub daemon: bool,
    /// Seconds between syncs in --daemon mode (with --poll, or while the live socket is down).
    #[arg(long, default_value_t = 30, requires = "daemon")]
    pub interval_secs: u64,
    /// In --daemon mode, poll over REST instead of holding the live socket.
    #[arg(long, requires = "daemon")]
    pub poll: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The shop's ISO 4217 currency code.
    #[arg(long, default_value = "EUR")]
    pub currency: String,
    /// The shop's name, printed on receipts.
    #[arg(long)]
    pub shop: String,
    #[arg(long, default_value = "")]
    pub company: String,
    /// Extra receipt header text (address, tax number).
    #[arg(long, default_value = "")]
    pub header: String,
    #[arg(long, default_value = "Thank you!")]
    pub footer: String,
    /// A catalog CSV to import (see `pos import --help`); checked before anything is set up.
    #[arg(long)]
    pub catalog_csv: Option<PathBuf>,
    /// Round cash payments to this many minor units (5 for CHF; default by currency).
    #[arg(long)]
    pub cash_rounding: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff member. Once staff exist, a manager's PIN must approve.
    Add {
        #[arg(long)]
        name: String,
        /// cashier, shop_manager or company_admin.
        #[arg(long, default_value = "cashier")]
        role: String,
        /// The new staff member's PIN: 4 to 8 digits.
        #[arg(long)]
        pin: String,
        /// A manager's PIN approving the new staff member (not needed for the very first).
        #[arg(long)]
        manager_pin: Option<String>,
    },
    List,
    /// Lift every PIN lockout: a manager names themselves and gives their own PIN.
    Unlock {
        /// The manager's name or id (their PIN is checked for them alone, so a
        /// terminal-wide lockout does not stop it).
        #[arg(long)]
        staff: String,
        /// The manager's PIN.
        #[arg(long)]
        pin: String,
    },
}

/// What goes into a sale; also the shape of a `--script` JSON file.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SaleSpec {
    /// Barcode or SKU, optionally with a quantity: 4006381333931x2, APPLEx1.250.
    #[arg(long = "item")]
    pub items: Vec<String>,
    /// Cart discount: 10% or an amount such as 1.50.
    #[arg(long, allow_hyphen_values = true)]
    pub discount: Option<String>,
    /// Line discount as LINE:DISCOUNT, e.g. 2:10% or 1:0.50.
    #[arg(long = "line-discount")]
    pub line_discounts: Vec<String>,
    /// Customer id (for on-account and store-credit tenders).
    #[arg(long)]
    pub customer: Option<String>,
    /// Cash handed over, e.g. 20 or 12.50 (change is given back).
    #[arg(long, allow_hyphen_values = true)]
    pub cash: Option<String>,
    /// AMOUNT:REFERENCE; repeat for several cards.
    #[arg(long, allow_hyphen_values = true)]
    pub card: Vec<String>,
    /// Amount paid from the customer's store credit (needs --customer).
    #[arg(long, allow_hyphen_values = true)]
    pub store_credit: Option<String>,
    /// Amount put on the customer's account (needs --customer; the credit limit applies).
    #[arg(long, allow_hyphen_values = true)]
    pub on_account: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct SellArgs {
    /// The PIN of the staff member doing this.
    #[arg(long)]
    pub pin: String,
    /// Approves a large discount when the seller is a cashier.
    #[arg(long)]
    pub manager_pin: Option<String>,
    /// Read the sale from a JSON file shaped like the flags ({"items": [...], "cash": "10"}).
    #[arg(long)]
    pub script: Option<PathBuf>,
    #[command(flatten)]
    pub spec: SaleSpec,
}

#[derive(Debug, Args)]
pub struct RefundArgs {
    /// The PIN of the staff member doing this.
    #[arg(long)]
    pub pin: String,
    /// A manager's PIN: every refund by a cashier needs one, with or without a receipt.
    #[arg(long)]
    pub manager_pin: Option<String>,
    /// The original sale: its id, or this till's receipt number (7 or #7). Without it,
    /// refund --item at catalog price.
    #[arg(long)]
    pub sale: Option<String>,
    /// LINE (all of it not yet refunded) or LINExQTY of the original sale.
    #[arg(long = "line")]
    pub lines: Vec<String>,
    /// The QR code of another till's receipt (scanned text): refund --item against it,
    /// before that till has synced.
    #[arg(long, conflicts_with = "sale")]
    pub receipt_code: Option<String>,
    /// Barcode or SKU[xQTY], for refunds without a receipt or with --receipt-code.
    #[arg(long = "item")]
    pub items: Vec<String>,
    /// cash, card, store_credit or on_account.
    #[arg(long, default_value = "cash")]
    pub to: String,
    #[arg(long, default_value = "customer return")]
    pub reason: String,
}

#[derive(Debug, Subcommand)]
pub enum ShiftCommand {
    Open {
        /// The PIN of the staff member doing this.
        #[arg(long)]
        pin: String,
        /// Cash in the drawer at opening, e.g. 150 or 150.00.
        #[arg(long, allow_hyphen_values = true, default_value = "0")]
        float: String,
    },
    /// X report of the open shift.
    X,
    /// Close the shift with a Z report: --counted cash=123.45 [--counted card=...].
    Z {
        /// The PIN of the staff member doing this.
        #[arg(long)]
        pin: String,
        #[arg(long)]
        counted: Vec<String>,
        /// A manager's PIN: a cash variance above the threshold needs one.
        #[arg(long)]
        manager_pin: Option<String>,
    },
    /// A stored Z report by number.
    ShowZ { number: i64 },
    /// Put cash into the drawer that is not a sale (change from the bank, say).
    CashIn {
        /// The PIN of the staff member doing this.
        #[arg(long)]
        pin: String,
        /// The amount, e.g. 20 or 20.00.
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        #[arg(long)]
        reason: String,
    },
    /// Take cash out of the drawer (a supplier paid, a bank drop).
    CashOut {
        /// The PIN of the staff member doing this.
        #[arg(long)]
        pin: String,
        /// The amount, e.g. 20 or 20.00.
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        #[arg(long)]
        reason: String,
        /// A manager's PIN: a cashier paying out more than the drawer should hold needs one.
        #[arg(long)]
        manager_pin: Option<String>,
    },
    /// Open the drawer without a sale (logged).
    NoSale {
        /// The PIN of the staff member doing this.
        #[arg(long)]
        pin: String,
        #[arg(long, default_value = "no sale")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    Add {
        /// The PIN of the staff member doing this.
        #[arg(long)]
        pin: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long, allow_hyphen_values = true, default_value = "0")]
        credit_limit: String,
    },
    List,
    /// Record a payment towards a customer's debt.
    Pay {
        /// The PIN of the staff member doing this.
        #[arg(long)]
        pin: String,
        #[arg(long)]
        customer: String,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Walk the hash chain; exits non-zero naming the first bad record.
    Verify,
    /// Print records as JSON lines (with --json: one JSON array), a page at a time.
    Export {
        #[arg(long, default_value_t = 1)]
        from: i64,
    },
}
