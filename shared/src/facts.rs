//! Facts as a terminal records them and the server ingests them: the journal payloads of
//! sales, refunds, stock adjustments, new customers and debt payments. Amounts are the
//! ones actually applied at the till (integer minor units), so a price changed on the
//! server later never rewrites a sale.

use serde::{Deserialize, Serialize};

/// A sold line, with the price actually applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    pub id: String,
    pub line_no: i64,
    pub product_id: String,
    pub sku: String,
    pub name: String,
    /// Thousandths of a unit (1.235 kg = 1235).
    pub qty_milli: i64,
    pub unit_price_minor: i64,
    pub discount_minor: i64,
    pub tax_rate_bp: u32,
    pub tax_inclusive: bool,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub gross_minor: i64,
}

/// One tender of a sale: `cash`, `card`, `store_credit` or `on_account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleTender {
    pub kind: String,
    pub amount_minor: i64,
    pub reference: Option<String>,
}

/// A completed sale: the `sale_completed` fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    pub id: String,
    pub receipt_no: i64,
    pub shift_id: String,
    pub staff_id: String,
    pub approved_by: Option<String>,
    pub customer_id: Option<String>,
    pub currency: String,
    /// UTC milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    pub lines: Vec<SaleLine>,
    pub tenders: Vec<SaleTender>,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub change_minor: i64,
    /// Cash rounding (CHF 5 centimes...): `paid - change == total + cash_rounding`.
    #[serde(default)]
    pub cash_rounding_minor: i64,
}

/// One refunded line; amounts positive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    /// The sold line it returns, when refunded with a receipt.
    pub sale_line_id: Option<String>,
    pub product_id: String,
    pub sku: String,
    pub qty_milli: i64,
    pub amount_minor: i64,
    pub tax_minor: i64,
    /// Whether the goods went back to stock.
    pub restock: bool,
}

/// A refund: the `refund_issued` fact. `sale_id` is `None` for a refund without receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub sale_id: Option<String>,
    pub shift_id: String,
    pub staff_id: String,
    pub approved_by: Option<String>,
    pub customer_id: Option<String>,
    pub reason: String,
    /// cash, card, store_credit or on_account.
    pub tender_kind: String,
    pub total_minor: i64,
    pub tax_minor: i64,
    pub lines: Vec<RefundLine>,
    pub created_at_ms: i64,
}

/// A customer recorded at a till: the `customer_created` fact. The id is minted by the
/// till (UUIDv7), so the customer can buy on account there before the server knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCreated {
    pub customer_id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub credit_limit_minor: i64,
    pub staff_id: String,
}

/// Cash paid at a till towards a customer's debt: the `debt_payment` fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtPayment {
    pub payment_id: String,
    pub customer_id: String,
    /// Positive: what the customer paid.
    pub amount_minor: i64,
    pub shift_id: String,
    pub staff_id: String,
}

/// A manual stock correction (count, damage): the `stock_adjusted` fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjusted {
    pub product_id: String,
    pub sku: String,
    pub delta_milli: i64,
    pub reason: String,
    pub staff_id: String,
}

/// Why a till's cash drawer was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawerReason {
    /// Change for a sale paid in cash.
    Sale,
    /// Cash paid back for a refund.
    Refund,
    /// Opened without a sale (approved by a manager).
    NoSale,
    PaidIn,
    PaidOut,
    /// Checking the drawer from the device settings.
    Test,
}

/// The drawer opened: the `drawer_opened` fact. `reference` is the sale, refund or drawer
/// movement it opened for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawerOpened {
    pub reason: DrawerReason,
    pub reference: Option<String>,
    pub staff_id: String,
    pub approved_by: Option<String>,
    pub shift_id: Option<String>,
    /// The drawer port pin pulsed (2 or 5).
    pub pin: u8,
}
