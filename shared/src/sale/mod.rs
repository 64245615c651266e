//! Checkout math: a cart (`NewSale`) in, every total a receipt needs out. Pure and
//! deterministic, so the terminal, the server and an auditor recompute the same cents.
//!
//! Order of operations per line: unit price x quantity (rounded half away from zero) ->
//! promotions -> the line's own discount -> its share of the cart discount -> tax
//! (see [`crate::tax`] for the tax rounding policy). Then tenders settle the total.

mod checkout;
mod promotions;
mod refund;
mod tender;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::catalog::{InvalidPromotion, Promotion};
use crate::currency::Currency;
use crate::ids::{CategoryId, CustomerId, ProductId, PromotionId, SaleLineId, VariantId};
use crate::money::{Money, MoneyError};
use crate::quantity::Quantity;
use crate::tax::{TaxAmount, TaxError, TaxRate, TaxSummary};

pub use checkout::{compute_totals, running_totals};
pub use refund::{LineRefund, RefundError, refund_line, refundable_quantity};

/// A sale being rung up, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSale {
    pub currency: Currency,
    pub lines: Vec<NewSaleLine>,
    /// Spread over the lines in proportion to their amounts after line discounts.
    pub cart_discount: Option<Discount>,
    /// Promotions currently running; applied in this order.
    pub promotions: Vec<Promotion>,
    pub tenders: Vec<Tender>,
    /// Smallest cash step in minor units where small coins are gone (5 for CHF,
    /// 100 for SEK). `None` takes cash to the minor unit.
    pub cash_rounding_step: Option<i64>,
}

/// One item on the receipt. Price, name and tax rates are copied from the catalog when
/// the item is scanned, so the sale records what the customer actually saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSaleLine {
    pub id: SaleLineId,
    pub product_id: ProductId,
    pub variant_id: Option<VariantId>,
    /// Needed by category promotions.
    pub category_id: Option<CategoryId>,
    pub name: String,
    /// Per unit, or per kilogram for weighed items.
    pub unit_price: Money,
    pub quantity: Quantity,
    pub tax_rates: Vec<TaxRate>,
    pub discount: Option<Discount>,
}

/// A manual discount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discount {
    /// Basis points off (1000 = 10 %), rounded half away from zero.
    Percent(u32),
    /// A fixed amount off the whole line (or cart), not per unit.
    Amount(Money),
}

/// How the customer pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TenderKind {
    Cash,
    Card {
        reference: String,
    },
    StoreCredit,
    /// Charged to the customer's account (see [`crate::debt`]).
    OnAccount {
        customer: CustomerId,
    },
}

/// One payment towards the sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tender {
    pub kind: TenderKind,
    pub amount: Money,
}

/// Everything computed for one line. `net + Σ taxes == total` and
/// `base - promotion_discount - line_discount - cart_discount == amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTotals {
    pub line_id: SaleLineId,
    pub quantity: Quantity,
    /// Unit price x quantity.
    pub base: Money,
    pub promotion_discount: Money,
    pub line_discount: Money,
    pub cart_discount: Money,
    /// After all discounts, in the same terms as the price (tax-inclusive or not).
    pub amount: Money,
    pub net: Money,
    pub taxes: Vec<TaxAmount>,
    /// What the customer pays for this line: `amount` plus any exclusive tax.
    pub total: Money,
}

/// A promotion that gave a discount on this sale, for the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedPromotion {
    pub promotion_id: PromotionId,
    pub name: String,
    pub discount: Money,
}

/// The receipt's numbers. When fully paid:
/// `paid - change == total + cash_rounding` and `due` is zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleTotals {
    pub lines: Vec<LineTotals>,
    /// Sum of line bases, before any discount.
    pub subtotal: Money,
    /// Promotions, line and cart discounts together.
    pub discount_total: Money,
    pub tax_total: Money,
    /// Sum of line totals.
    pub total: Money,
    pub taxes: TaxSummary,
    pub promotions: Vec<AppliedPromotion>,
    /// Sum of all tenders, including cash later given back as change.
    pub paid: Money,
    /// Signed adjustment from rounding the cash part to `cash_rounding_step`.
    pub cash_rounding: Money,
    pub change: Money,
    /// Still owed; only [`running_totals`] returns it non-zero.
    pub due: Money,
}

/// Why a sale cannot be totalled or completed. Messages are for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaleError {
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Tax(#[from] TaxError),
    #[error(transparent)]
    Promotion(#[from] InvalidPromotion),
    #[error("the sale has no items: scan an item first")]
    Empty,
    #[error("quantity of `{name}` must be more than zero: correct the quantity")]
    InvalidQuantity { line: SaleLineId, name: String },
    #[error("price of `{name}` cannot be negative: use a refund instead")]
    NegativePrice { line: SaleLineId, name: String },
    #[error("discount on `{name}` is more than its price: lower the discount")]
    LineDiscountTooLarge { line: SaleLineId, name: String },
    #[error("a discount cannot be negative: enter it as a positive amount")]
    NegativeDiscount,
    #[error("cart discount is more than the sale: lower the discount")]
    CartDiscountTooLarge,
    #[error("a payment must be more than zero: remove or correct it")]
    InvalidTender,
    #[error(
        "card, credit and account payments exceed the total by {excess}: lower them, only cash gives change"
    )]
    NonCashOverpayment { excess: Money },
    #[error("customer still owes {due}: take another payment")]
    InsufficientTender { due: Money },
}
