//! The checkout engine: a cart (lines, discounts, tenders) that can be parked, and its
//! pricing, which is pos-shared's `compute_totals` (promotions, line and cart
//! discounts, per-line tax, tenders, change). Nothing here touches the database.

use pos_shared::catalog::Promotion;
use pos_shared::ids::{CategoryId, CustomerId, ProductId, SaleLineId};
use pos_shared::sale::{self as shared_sale, NewSale, NewSaleLine, SaleError, TenderKind};
use pos_shared::tax::{TaxRate, TaxSummary};
use pos_shared::{Currency, Money, Quantity};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult};

pub use pos_shared::sale::Discount;

/// One line in the cart, with the price and tax captured when it was added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// Minted when the line is added; becomes the stored sale line's id.
    pub id: String,
    pub product_id: String,
    /// Lets category promotions find the line.
    #[serde(default)]
    pub category_id: Option<String>,
    pub sku: String,
    pub name: String,
    pub qty_milli: i64,
    pub unit_price_minor: i64,
    pub tax_rate_id: String,
    pub tax_rate_bp: u32,
    pub tax_inclusive: bool,
    pub discount: Option<Discount>,
    /// Weighed goods take fractional quantities; carts parked before this was kept read
    /// as piece goods, which only changes how the screen shows their quantity.
    #[serde(default)]
    pub sold_by_weight: bool,
}

/// How a sale is paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Tender {
    Cash {
        amount_minor: i64,
    },
    Card {
        amount_minor: i64,
        reference: String,
    },
    /// Spends the cart customer's store credit.
    StoreCredit {
        amount_minor: i64,
    },
    /// Adds to the cart customer's debt, within their credit limit.
    OnAccount {
        amount_minor: i64,
    },
}

impl Tender {
    pub fn amount_minor(&self) -> i64 {
        match self {
            Tender::Cash { amount_minor }
            | Tender::Card { amount_minor, .. }
            | Tender::StoreCredit { amount_minor }
            | Tender::OnAccount { amount_minor } => *amount_minor,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Tender::Cash { .. } => "cash",
            Tender::Card { .. } => "card",
            Tender::StoreCredit { .. } => "store_credit",
            Tender::OnAccount { .. } => "on_account",
        }
    }
}

/// A sale being built; serialisable so it can be parked and resumed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    pub discount: Option<Discount>,
    pub customer_id: Option<String>,
    pub tenders: Vec<Tender>,
    /// Set when the cart came from the parked list; completing or voiding it closes
    /// that parked entry in the same transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parked_id: Option<String>,
}

/// A priced line: every amount in minor units, `net + tax == gross`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub line_no: i64,
    /// Price x quantity before any discount.
    pub list_minor: i64,
    /// Promotion, line discount and this line's share of the cart discount.
    pub discount_minor: i64,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub gross_minor: i64,
}

/// A priced cart with its settlement so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub lines: Vec<PricedLine>,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub taxes: TaxSummary,
    pub paid_minor: i64,
    pub change_minor: i64,
    /// Signed adjustment from rounding the cash part: `paid - change == total + this`.
    pub cash_rounding_minor: i64,
    /// Still owed; zero once the tenders cover the total.
    pub due_minor: i64,
}

/// The tax rate a line is sold under, in pos-shared's form.
pub fn line_rate(line: &CartLine) -> CoreResult<TaxRate> {
    let id = line.tax_rate_id.parse().map_err(|_| {
        CoreError::invalid(format!("line {} has a malformed tax rate id", line.sku))
    })?;
    Ok(TaxRate {
        id,
        name: format!("{}.{:02}%", line.tax_rate_bp / 100, line.tax_rate_bp % 100),
        rate_bp: line.tax_rate_bp,
        inclusive: line.tax_inclusive,
    })
}

fn parse_id<T: std::str::FromStr>(text: &str, what: &str) -> CoreResult<T> {
    text.parse()
        .map_err(|_| CoreError::invalid(format!("{what} id `{text}` is malformed")))
}

/// What pricing needs besides the cart: the terminal's currency and cash rounding, and
/// the promotions running now.
#[derive(Debug, Clone, Copy)]
pub struct Pricing<'a> {
    pub currency: Currency,
    pub promotions: &'a [Promotion],
    /// Smallest cash step where small coins are gone (5 for CHF); `None` = minor unit.
    pub cash_rounding_step: Option<i64>,
}

impl Pricing<'_> {
    /// Plain pricing in `currency`: no promotions, no cash rounding.
    pub fn plain(currency: Currency) -> Pricing<'static> {
        Pricing {
            currency,
            promotions: &[],
            cash_rounding_step: None,
        }
    }
}

/// The cart in pos-shared's terms.
pub fn to_new_sale(cart: &Cart, pricing: &Pricing<'_>) -> CoreResult<NewSale> {
    let currency = pricing.currency;
    let lines = cart
        .lines
        .iter()
        .map(|l| {
            Ok(NewSaleLine {
                id: parse_id::<SaleLineId>(&l.id, "sale line")?,
                product_id: parse_id::<ProductId>(&l.product_id, "product")?,
                variant_id: None,
                category_id: l
                    .category_id
                    .as_deref()
                    .map(|c| parse_id::<CategoryId>(c, "category"))
                    .transpose()?,
                name: l.name.clone(),
                unit_price: Money::new(l.unit_price_minor, currency),
                quantity: Quantity::from_milli(l.qty_milli),
                tax_rates: vec![line_rate(l)?],
                discount: l.discount,
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    let customer = cart
        .customer_id
        .as_deref()
        .map(|c| parse_id::<CustomerId>(c, "customer"))
        .transpose()?;
    let tenders = cart
        .tenders
        .iter()
        .map(|t| {
            let kind = match t {
                Tender::Cash { .. } => TenderKind::Cash,
                Tender::Card { reference, .. } => TenderKind::Card {
                    reference: reference.clone(),
                },
                Tender::StoreCredit { .. } => TenderKind::StoreCredit,
                Tender::OnAccount { .. } => TenderKind::OnAccount {
                    customer: customer.ok_or_else(|| {
                        CoreError::TenderRejected(
                            "an on-account tender needs a customer on the sale".into(),
                        )
                    })?,
                },
            };
            Ok(shared_sale::Tender {
                kind,
                amount: Money::new(t.amount_minor(), currency).within_entry_limit()?,
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    Ok(NewSale {
        currency,
        lines,
        cart_discount: cart.discount,
        promotions: pricing.promotions.to_vec(),
        tenders,
        cash_rounding_step: pricing.cash_rounding_step,
    })
}

fn sale_error(e: SaleError, total: Money, paid: Money) -> CoreError {
    match e {
        SaleError::Empty => CoreError::EmptyCart,
        SaleError::InsufficientTender { .. } => CoreError::InsufficientTender { due: total, paid },
        SaleError::Money(m) => CoreError::Money(m),
        SaleError::Tax(t) => CoreError::Tax(t),
        SaleError::Promotion(p) => CoreError::Invalid(p.to_string()),
        other => CoreError::TenderRejected(other.to_string()),
    }
}

fn convert(t: shared_sale::SaleTotals) -> Totals {
    let lines = t
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| PricedLine {
            line_no: i as i64 + 1,
            list_minor: l.base.minor,
            discount_minor: l.promotion_discount.minor
                + l.line_discount.minor
                + l.cart_discount.minor,
            net_minor: l.net.minor,
            tax_minor: l.total.minor - l.net.minor,
            gross_minor: l.total.minor,
        })
        .collect();
    Totals {
        lines,
        subtotal_minor: t.subtotal.minor,
        discount_minor: t.discount_total.minor,
        tax_minor: t.tax_total.minor,
        total_minor: t.total.minor,
        taxes: t.taxes,
        paid_minor: t.paid.minor,
        change_minor: t.change.minor,
        cash_rounding_minor: t.cash_rounding.minor,
        due_minor: t.due.minor,
    }
}

/// Prices the cart as it stands, without promotions (a shortfall shows in `due_minor`).
pub fn price(cart: &Cart, currency: Currency) -> CoreResult<Totals> {
    price_with(cart, &Pricing::plain(currency))
}

/// Prices the cart as it stands with promotions and cash rounding.
pub fn price_with(cart: &Cart, pricing: &Pricing<'_>) -> CoreResult<Totals> {
    let currency = pricing.currency;
    let new_sale = to_new_sale(cart, pricing)?;
    shared_sale::running_totals(&new_sale)
        .map(convert)
        .map_err(|e| sale_error(e, Money::zero(currency), Money::zero(currency)))
}

/// Prices the cart for completion: it must have lines and be fully paid.
pub fn finalize(cart: &Cart, pricing: &Pricing<'_>) -> CoreResult<Totals> {
    let currency = pricing.currency;
    let running = price_with(cart, pricing)?;
    let new_sale = to_new_sale(cart, pricing)?;
    shared_sale::compute_totals(&new_sale)
        .map(convert)
        .map_err(|e| {
            let m = |minor| Money::new(minor, currency);
            sale_error(e, m(running.total_minor), m(running.paid_minor))
        })
}

/// The share of the list price taken off, in basis points (for approval thresholds).
pub fn discount_bp(totals: &Totals) -> i64 {
    if totals.subtotal_minor <= 0 {
        return 0;
    }
    i64::try_from(i128::from(totals.discount_minor) * 10_000 / i128::from(totals.subtotal_minor))
        .unwrap_or(i64::MAX)
}

#[cfg(test)]
#[path = "checkout_tests.rs"]
mod tests;
