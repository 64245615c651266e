//! The payload of every event this build publishes, as the JSON it has always had on the
//! wire: a field some publishers leave out is an `Option` skipped when empty, so a payload
//! written through these types is byte-for-byte what the stored outbox rows hold.

use pos_shared::{
    facts::{Refund, Sale},
    role::Role,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRegistered {
    pub user_id: String,
    pub role: Role,
    pub name: String,
    pub shop_ids: Vec<String>,
    pub has_email: bool,
}

/// A password login names the email tried; a PIN login the account and whether it locked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoginFailed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_account: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshReused {
    pub user_id: String,
    pub family: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyCreated {
    pub company_id: String,
    pub name: String,
    pub plan: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyUpdated {
    pub company_id: String,
    pub changed: Vec<String>,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopCreated {
    pub shop_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopUpdated {
    pub shop_id: String,
    pub changed: Vec<String>,
}

/// Added carries the member's role and name; removed and PIN set only who.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffChanged {
    pub shop_id: String,
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `config_shops`: every shop whose config stream the change was written to (a terminal
/// is on the config stream of each shop of its company). Enrolment also names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TerminalChanged {
    pub terminal_id: String,
    pub shop_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub config_shops: Vec<String>,
}

/// `cursor` is the catalog stream's position of the change; a variant names its parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductChanged {
    pub product_id: String,
    pub sku: String,
    pub cursor: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_of: Option<String>,
}

/// `from` is `csv` for a spreadsheet import, absent for the JSON import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductsImported {
    pub count: usize,
    pub product_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// A catalog price names its currency; a shop's own price names the shop and has no old
/// price when it is the shop's first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceChanged {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    pub product_id: String,
    pub sku: String,
    pub old_price_minor: Option<i64>,
    pub price_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    pub cursor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionChanged {
    pub promotion_id: String,
    pub name: String,
    pub active: bool,
    pub shop_ids: Vec<String>,
    pub cursor: i64,
}

/// By hand (no SKU) or from a till's stock count (with it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryAdjusted {
    pub shop_id: String,
    pub product_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub delta_milli: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LowStock {
    pub shop_id: String,
    pub product_id: String,
    pub on_hand_milli: i64,
    pub level_milli: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExceptionResolved {
    pub exception_id: String,
    pub kind: String,
    pub shop_id: String,
    pub note: String,
}

/// The whole sale rides along, so consumers (analytics) need no read of salesdb. `S` lets
/// a consumer read only the part it needs (see `analytics::facts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderCompleted<S = Sale> {
    pub order_id: String,
    pub channel: String,
    pub shop_id: String,
    pub terminal_id: String,
    pub receipt_no: i64,
    pub total_minor: i64,
    pub currency: String,
    pub sale: S,
}

/// `linked`: the sale it refunds was already on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRefunded<R = Refund> {
    pub refund_id: String,
    pub order_id: Option<String>,
    pub linked: bool,
    pub shop_id: String,
    pub total_minor: i64,
    pub refund: R,
}

/// From the API it says whether the account is open; from a till, where it was created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerChanged {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
}

/// One account entry; `balance_minor` is the customer's balance after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DebtEntry {
    pub customer_id: String,
    pub amount_minor: i64,
    pub kind: String,
    pub ref_id: String,
    pub shop_id: String,
    pub balance_minor: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quarantined {
    pub event_id: String,
    pub seq: i64,
    pub reason: String,
}

/// A payment entering a state (`payment.authorized`, `.captured`, `.failed`) or one of its
/// refunds (`payment.refunded`, once per refund, partial ones too). Amounts in minor units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentChanged {
    pub payment_id: String,
    pub order_id: String,
    pub shop_id: String,
    /// `stripe` or `paypal`.
    pub provider: String,
    pub amount_minor: i64,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    /// This refund's amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
}

/// A web order placed (status `pending`): what inventory reserves and the saga follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebOrderCreated {
    pub order_id: String,
    pub shop_id: String,
    pub customer_id: String,
    pub lines: Vec<WebOrderLine>,
    pub total_minor: i64,
    pub currency: String,
}

/// One line of a web order, priced from the catalog when the order was placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebOrderLine {
    pub product_id: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
}

/// What inventory made of a web order: its units held (`inventory.reserved`) or not
/// (`inventory.reservation_failed`, with the reason and the product that fell short).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reservation {
    pub order_id: String,
    pub shop_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
}
