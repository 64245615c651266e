//! Turning a cart into totals: line pricing, discounts, tax and settlement.

use super::promotions;
use super::tender::settle;
use super::{Discount, LineTotals, NewSale, NewSaleLine, SaleError, SaleTotals};
use crate::currency::Currency;
use crate::money::Money;
use crate::tax::{TaxSummary, tax_line};

/// Totals for completing a sale: refuses an empty sale and any unpaid balance.
pub fn compute_totals(sale: &NewSale) -> Result<SaleTotals, SaleError> {
    if sale.lines.is_empty() {
        return Err(SaleError::Empty);
    }
    let totals = running_totals(sale)?;
    if totals.due.is_positive() {
        return Err(SaleError::InsufficientTender { due: totals.due });
    }
    Ok(totals)
}

/// Totals for the cart on screen while it is being rung up: an empty cart or a partly
/// paid one is fine, what is still owed is in `due`.
pub fn running_totals(sale: &NewSale) -> Result<SaleTotals, SaleError> {
    let currency = sale.currency;
    let bases: Vec<Money> = sale
        .lines
        .iter()
        .map(|l| line_base(l, currency))
        .collect::<Result<_, _>>()?;
    let promos = promotions::apply(&sale.promotions, &sale.lines, &bases, currency)?;

    let mut line_discounts = Vec::with_capacity(bases.len());
    let mut after = Vec::with_capacity(bases.len());
    for ((line, base), promo) in sale.lines.iter().zip(&bases).zip(&promos.per_line) {
        let remaining = base.checked_sub(*promo)?;
        let discount = line_discount(line, remaining)?;
        line_discounts.push(discount);
        after.push(remaining.checked_sub(discount)?);
    }
    let cart_shares = cart_discount(sale.cart_discount, &after, currency)?;

    let mut lines = Vec::with_capacity(bases.len());
    let mut taxes = TaxSummary::default();
    for (i, line) in sale.lines.iter().enumerate() {
        let amount = after[i].checked_sub(cart_shares[i])?;
        let tax = tax_line(amount, &line.tax_rates)?;
        taxes.add_line(&line.tax_rates, &tax)?;
        lines.push(LineTotals {
            line_id: line.id,
            quantity: line.quantity,
            base: bases[i],
            promotion_discount: promos.per_line[i],
            line_discount: line_discounts[i],
            cart_discount: cart_shares[i],
            amount,
            net: tax.net,
            taxes: tax.taxes,
            total: tax.gross,
        });
    }

    let discounts = lines
        .iter()
        .flat_map(|l| [l.promotion_discount, l.line_discount, l.cart_discount]);
    let tax_amounts = lines.iter().flat_map(|l| l.taxes.iter().map(|t| t.amount));
    let total = Money::sum(currency, lines.iter().map(|l| l.total))?;
    let settlement = settle(total, &sale.tenders, sale.cash_rounding_step)?;
    Ok(SaleTotals {
        subtotal: Money::sum(currency, bases.iter().copied())?,
        discount_total: Money::sum(currency, discounts)?,
        tax_total: Money::sum(currency, tax_amounts)?,
        total,
        taxes,
        promotions: promos.applied,
        paid: settlement.paid,
        cash_rounding: settlement.cash_rounding,
        change: settlement.change,
        due: settlement.due,
        lines,
    })
}

/// Unit price x quantity, after checking the line makes sense.
fn line_base(line: &NewSaleLine, currency: Currency) -> Result<Money, SaleError> {
    Money::zero(currency).same_currency(&line.unit_price)?;
    if !line.quantity.is_positive() {
        return Err(SaleError::InvalidQuantity {
            line: line.id,
            name: line.name.clone(),
        });
    }
    if line.unit_price.is_negative() {
        return Err(SaleError::NegativePrice {
            line: line.id,
            name: line.name.clone(),
        });
    }
    Ok(line.unit_price.mul_quantity(line.quantity)?)
}

fn line_discount(line: &NewSaleLine, remaining: Money) -> Result<Money, SaleError> {
    let discount = discount_of(line.discount, remaining)?;
    if too_large(line.discount, discount, remaining) {
        return Err(SaleError::LineDiscountTooLarge {
            line: line.id,
            name: line.name.clone(),
        });
    }
    Ok(discount)
}

/// The cart discount spread over lines in proportion to what is left of each.
fn cart_discount(
    discount: Option<Discount>,
    after: &[Money],
    currency: Currency,
) -> Result<Vec<Money>, SaleError> {
    let left = Money::sum(currency, after.iter().copied())?;
    let amount = discount_of(discount, left)?;
    if too_large(discount, amount, left) {
        return Err(SaleError::CartDiscountTooLarge);
    }
    let weights: Vec<u64> = after.iter().map(|m| m.minor.unsigned_abs()).collect();
    Ok(amount.allocate(&weights))
}

/// Over 100 % is refused even where rounding would hide it (100.01 % of 1.00 is 1.00).
fn too_large(discount: Option<Discount>, amount: Money, of: Money) -> bool {
    matches!(discount, Some(Discount::Percent(bp)) if i64::from(bp) > crate::money::BP_PER_WHOLE)
        || amount.minor > of.minor
}

fn discount_of(discount: Option<Discount>, of: Money) -> Result<Money, SaleError> {
    let amount = match discount {
        None => Money::zero(of.currency),
        Some(Discount::Percent(bp)) => of.percent(bp)?,
        Some(Discount::Amount(m)) => {
            of.same_currency(&m)?;
            m
        }
    };
    if amount.is_negative() {
        return Err(SaleError::NegativeDiscount);
    }
    Ok(amount)
}
