//! The one error type of the terminal core; every variant says how to recover, in words
//! for the person at the till (front ends add their own hints: the `pos` CLI names its
//! commands, see `cli::describe`).

use pos_shared::error::WireError;

/// Everything the terminal core can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("the till's database failed ({0}); check that the disk has space, then retry")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}; restore the last backup or contact support")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "this database was written by a newer Kassa (schema {found}, this binary knows up to {known}); install the newer version instead of opening it with this one"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("this terminal is not set up yet; set it up (standalone or enrolled) first")]
    NotInitialised,
    #[error("this terminal is already set up; a new terminal needs a database of its own")]
    AlreadyInitialised,
    #[error("unknown barcode `{0}`; scan again or search the product by name")]
    UnknownBarcode(String),
    #[error("no product matches `{0}`; check the SKU or barcode")]
    UnknownProduct(String),
    #[error("wrong PIN; try again ({} before a lockout)", tries_left(*remaining))]
    WrongPin { remaining: i64 },
    #[error(
        "PIN entry is locked after too many wrong PINs; wait {seconds} s, or a manager lifts the lock with their PIN"
    )]
    LockedOut { seconds: i64 },
    #[error("{action} needs a manager; enter a manager PIN to approve it")]
    ManagerApprovalRequired { action: String },
    #[error("that PIN is already used by another staff member; choose a different PIN")]
    PinTaken,
    #[error("no shift is open; open one with the float counted into the drawer")]
    NoOpenShift,
    #[error("a shift is already open; close it with a Z report first")]
    ShiftAlreadyOpen,
    #[error("this cart was already completed as sale {sale_id}; start a new sale")]
    AlreadyCompleted { sale_id: String },
    #[error("the cart is empty; add at least one item")]
    EmptyCart,
    #[error("tendered {paid} but {due} is due; add another tender")]
    InsufficientTender {
        due: pos_shared::Money,
        paid: pos_shared::Money,
    },
    #[error("{0}")]
    TenderRejected(String),
    #[error(
        "customer credit limit exceeded: owes {owed}, limit {limit}, this sale adds {adding}; take another tender"
    )]
    CreditLimitExceeded {
        owed: pos_shared::Money,
        limit: pos_shared::Money,
        adding: pos_shared::Money,
    },
    #[error("cannot refund {requested} of line {line}: only {remaining} left to refund")]
    OverRefund {
        line: i64,
        requested: pos_shared::Quantity,
        remaining: pos_shared::Quantity,
    },
    #[error(
        "this receipt was for {receipt} and {refunded} of it is already refunded at this till; {requested} more is too much"
    )]
    RefundAboveReceipt {
        receipt: pos_shared::Money,
        refunded: pos_shared::Money,
        requested: pos_shared::Money,
    },
    #[error(
        "this receipt is from terminal {0}, whose key this till does not have yet; sync the till, or refund without a receipt"
    )]
    UnknownReceiptTerminal(String),
    #[error("{what} `{id}` not found; check the id")]
    NotFound { what: &'static str, id: String },
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("catalog CSV line {line}: {reason}; fix the file and import again")]
    CatalogCsv { line: usize, reason: String },
    #[error(
        "journal record seq {seq} is invalid: {reason}; the journal was altered, keep this database for audit"
    )]
    JournalBroken { seq: i64, reason: String },
    #[error("{0}; the tables were changed behind the journal, keep this database for audit")]
    RowsAltered(String),
    #[error("PIN hashing failed: {0}; retry, and reset the PIN if it persists")]
    PinHash(String),
    #[error("{0}")]
    Money(#[from] pos_shared::MoneyError),
    #[error("{0}")]
    Tax(#[from] pos_shared::tax::TaxError),
    #[error("file error: {0}; check the path and permissions")]
    Io(#[from] std::io::Error),
    #[error(
        "this terminal is not enrolled with a server; enroll a fresh terminal with an enrollment code a manager makes in the portal"
    )]
    NotEnrolled,
    #[error(
        "cannot reach the server at {url}: {detail}; check the network and the server address, then retry"
    )]
    Unreachable { url: String, detail: String },
    #[error(
        "server unreachable: {waiting} facts waiting; they will be sent when the connection is back ({detail})"
    )]
    Offline { waiting: i64, detail: String },
    #[error(
        "this terminal is already enrolled with {server}; another terminal needs a database of its own"
    )]
    AlreadyEnrolled { server: String },
    #[error(
        "enrollment with {server} did not finish; enroll again with the same server to finish it"
    )]
    EnrollmentUnfinished { server: String },
    #[error(
        "this terminal runs standalone and cannot be enrolled; enroll a fresh terminal instead"
    )]
    StandaloneTerminal,
    #[error(
        "the server already holds this terminal's journal up to seq {server} but this database ends at seq {local}: it is an older copy or belongs to another terminal; stop selling on it and contact support"
    )]
    Diverged { local: i64, server: i64 },
    #[error("terminal revoked: ask a manager to enroll it again")]
    TerminalRevoked,
    #[error("the server refused the request ({code}): {message}")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    #[error(
        "the server answered something this terminal cannot read: {0}; update Kassa on this terminal or contact support"
    )]
    Protocol(String),
    #[error("nobody is logged in at this till; enter your PIN")]
    LoggedOut,
    #[error(
        "{queued} sales and other facts are not on the server yet; connect the till and let it sync, or a manager's PIN confirms leaving them queued"
    )]
    UnsyncedFacts { queued: i64 },
    #[error(transparent)]
    Device(#[from] crate::devices::DeviceError),
}

impl CoreError {
    /// Stable machine-readable code, as in the wire error body.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Database(_) => "storage",
            CoreError::Migrate(_) => "migration_failed",
            CoreError::NewerSchema { .. } => "newer_schema",
            CoreError::NotInitialised => "not_initialised",
            CoreError::AlreadyInitialised => "already_initialised",
            CoreError::UnknownBarcode(_) => "unknown_barcode",
            CoreError::UnknownProduct(_) => "unknown_product",
            CoreError::WrongPin { .. } => "wrong_pin",
            CoreError::LockedOut { .. } => "locked_out",
            CoreError::ManagerApprovalRequired { .. } => "manager_approval_required",
            CoreError::PinTaken => "pin_taken",
            CoreError::NoOpenShift => "no_open_shift",
            CoreError::ShiftAlreadyOpen => "shift_already_open",
            CoreError::AlreadyCompleted { .. } => "already_completed",
            CoreError::EmptyCart => "empty_cart",
            CoreError::InsufficientTender { .. } => "insufficient_tender",
            CoreError::TenderRejected(_) => "tender_rejected",
            CoreError::CreditLimitExceeded { .. } => "credit_limit_exceeded",
            CoreError::OverRefund { .. } => "over_refund",
            CoreError::RefundAboveReceipt { .. } => "refund_above_receipt",
            CoreError::UnknownReceiptTerminal(_) => "unknown_receipt_terminal",
            CoreError::NotFound { .. } => "not_found",
            CoreError::Invalid(_) => "invalid_input",
            CoreError::CatalogCsv { .. } => "catalog_csv",
            CoreError::JournalBroken { .. } | CoreError::RowsAltered(_) => "journal_broken",
            CoreError::PinHash(_) => "pin_hash",
            CoreError::Money(_) => "invalid_amount",
            CoreError::Tax(_) => "tax",
            CoreError::Io(_) => "io",
            CoreError::NotEnrolled => "not_enrolled",
            CoreError::Unreachable { .. } => "unreachable",
            CoreError::Offline { .. } => "offline",
            CoreError::AlreadyEnrolled { .. } => "already_enrolled",
            CoreError::EnrollmentUnfinished { .. } => "enrollment_unfinished",
            CoreError::StandaloneTerminal => "standalone_terminal",
            CoreError::Diverged { .. } => "journal_diverged",
            CoreError::TerminalRevoked => "terminal_revoked",
            CoreError::Server { .. } => "server_refused",
            CoreError::Protocol(_) => "protocol",
            CoreError::LoggedOut => "logged_out",
            CoreError::UnsyncedFacts { .. } => "unsynced_facts",
            CoreError::Device(e) => e.code(),
        }
    }

    /// The `{code, message}` body for `--json` output and IPC.
    pub fn to_wire(&self) -> WireError {
        WireError::new(self.code(), self.to_string())
    }

    /// True when the server could not be reached at all (the terminal is offline, which
    /// is normal: facts wait in the journal), as opposed to a server that answered "no".
    pub fn is_offline(&self) -> bool {
        matches!(
            self,
            CoreError::Unreachable { .. } | CoreError::Offline { .. }
        )
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        CoreError::Invalid(msg.into())
    }
}

impl CoreError {
    /// An approval refusal that names the case ("a discount of 25.00 %, above the 20.00 %
    /// a cashier may give") instead of the action's general name; other errors pass.
    pub(crate) fn approval_for(self, action: impl FnOnce() -> String) -> CoreError {
        match self {
            CoreError::ManagerApprovalRequired { .. } => {
                CoreError::ManagerApprovalRequired { action: action() }
            }
            other => other,
        }
    }
}

/// Basis points as a percentage for messages: 2000 is "20.00 %".
pub(crate) fn percent(bp: i64) -> String {
    format!("{}.{:02} %", bp / 100, (bp % 100).abs())
}

/// Refuses an amount no till is meant to hold (`pos_shared::money::MAX_ENTRY_MINOR`), for
/// the core's entry points that take bare minor units, so a slip of the keyboard cannot
/// make a shift's or an account's sums overflow. `what` names it: "the opening float".
pub(crate) fn within_entry_limit(minor: i64, what: &str) -> CoreResult<()> {
    let max = pos_shared::money::MAX_ENTRY_MINOR;
    if minor.unsigned_abs() > max.unsigned_abs() {
        return Err(CoreError::invalid(format!(
            "{what} of {minor} minor units is more than one entry may hold ({max} at most); check the amount"
        )));
    }
    Ok(())
}

pub type CoreResult<T> = Result<T, CoreError>;

fn tries_left(n: i64) -> String {
    if n == 1 {
        "1 try left".to_owned()
    } else {
        format!("{n} tries left")
    }
}
