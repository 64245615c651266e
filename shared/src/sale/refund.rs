//! Refund math: how much of a sold line can still be refunded, and for how much.
//!
//! A partial refund of `q` units after `r` were already refunded returns
//! `round(total * (r + q) / sold) - round(total * r / sold)` (and likewise per tax).
//! Prorating the cumulative quantity, not each piece, means the refunds of a line add up
//! to exactly what was paid for it, however the customer splits them.

use serde::{Deserialize, Serialize};

use super::LineTotals;
use crate::ids::SaleLineId;
use crate::money::{Money, MoneyError};
use crate::quantity::Quantity;
use crate::tax::TaxAmount;

/// What one refund of part of a sale line gives back. Amounts are positive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRefund {
    pub line_id: SaleLineId,
    pub quantity: Quantity,
    pub net: Money,
    pub taxes: Vec<TaxAmount>,
    pub total: Money,
}

/// Why a refund was refused. Messages are for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("refund quantity must be more than zero: correct the quantity")]
    NonPositive,
    #[error(
        "only {refundable} of this item can still be refunded, not {requested}: lower the quantity"
    )]
    ExceedsRefundable {
        requested: Quantity,
        refundable: Quantity,
    },
}

/// What is left to refund of `sold` after `previous` refunds: never negative (offline
/// terminals may together refund more than was sold between syncs) and never more than
/// `sold` (a negative "previous refund" is ignored rather than trusted).
pub fn refundable_quantity(sold: Quantity, previous: &[Quantity]) -> Quantity {
    let refunded = previous
        .iter()
        .fold(0_i64, |acc, q| acc.saturating_add(q.milli().max(0)));
    Quantity::from_milli(sold.milli().saturating_sub(refunded).max(0))
}

/// Prices a refund of `quantity` of `line`, of which `already_refunded` was refunded
/// before (see [`refundable_quantity`]).
pub fn refund_line(
    line: &LineTotals,
    already_refunded: Quantity,
    quantity: Quantity,
) -> Result<LineRefund, RefundError> {
    if !quantity.is_positive() {
        return Err(RefundError::NonPositive);
    }
    let refundable = refundable_quantity(line.quantity, &[already_refunded]);
    if quantity > refundable {
        return Err(RefundError::ExceedsRefundable {
            requested: quantity,
            refundable,
        });
    }
    let (sold, before) = (line.quantity.milli(), already_refunded.milli().max(0));
    let after = before + quantity.milli(); // <= sold, checked above
    let prorate = |m: Money| -> Result<Money, MoneyError> {
        let (to, from) = (i128::from(after), i128::from(before));
        m.mul_div(to, i128::from(sold))?
            .checked_sub(m.mul_div(from, i128::from(sold))?)
    };
    let taxes = line
        .taxes
        .iter()
        .map(|t| {
            Ok(TaxAmount {
                rate_id: t.rate_id,
                amount: prorate(t.amount)?,
            })
        })
        .collect::<Result<Vec<_>, MoneyError>>()?;
    let total = prorate(line.total)?;
    let tax_sum = Money::sum(total.currency, taxes.iter().map(|t| t.amount))?;
    Ok(LineRefund {
        line_id: line.line_id,
        quantity,
        net: total.checked_sub(tax_sum)?,
        taxes,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use crate::ids::TaxRateId;
    use proptest::prelude::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    fn sold_line(quantity: Quantity, total: i64, tax: i64) -> LineTotals {
        LineTotals {
            line_id: SaleLineId::new(),
            quantity,
            base: eur(total),
            promotion_discount: eur(0),
            line_discount: eur(0),
            cart_discount: eur(0),
            amount: eur(total),
            net: eur(total - tax),
            taxes: vec![TaxAmount {
                rate_id: TaxRateId::new(),
                amount: eur(tax),
            }],
            total: eur(total),
        }
    }

    #[test]
    fn never_more_than_sold() {
        let three = Quantity::from_units(3);
        assert_eq!(
            refundable_quantity(three, &[Quantity::ONE]),
            Quantity::from_units(2)
        );
        assert_eq!(
            refundable_quantity(three, &[three, Quantity::ONE]),
            Quantity::ZERO
        );
        let line = sold_line(three, 1000, 167);
        assert_eq!(
            refund_line(&line, Quantity::from_units(2), Quantity::from_units(2)),
            Err(RefundError::ExceedsRefundable {
                requested: Quantity::from_units(2),
                refundable: Quantity::ONE
            })
        );
        assert!(
            refund_line(&line, Quantity::from_units(-5), Quantity::from_units(4)).is_err(),
            "a bogus negative history must not unlock more than was sold"
        );
        assert_eq!(
            refund_line(&line, Quantity::ZERO, Quantity::ZERO),
            Err(RefundError::NonPositive)
        );
    }

    #[test]
    fn partial_refunds_of_a_discounted_line_add_up() {
        // 3 items for 10.00 after a discount: refunds of 1 + 1 + 1 give 3.33 + 3.34 + 3.33.
        let line = sold_line(Quantity::from_units(3), 1000, 167);
        let totals: Vec<i64> = (0..3)
            .map(|r| {
                refund_line(&line, Quantity::from_units(r), Quantity::ONE)
                    .unwrap()
                    .total
                    .minor
            })
            .collect();
        assert_eq!(totals, [333, 334, 333]);
    }

    proptest! {
        #[test]
        fn refunds_in_any_split_return_exactly_the_line(
            total in 0i64..10_000_000,
            tax_pct in 0i64..50,
            cuts in prop::collection::vec(1i64..5_000, 1..6),
        ) {
            let sold: i64 = cuts.iter().sum();
            let line = sold_line(Quantity::from_milli(sold), total, total * tax_pct / 100);
            let (mut before, mut back, mut tax_back, mut net_back) = (0, 0, 0, 0);
            for cut in cuts {
                let r = refund_line(&line, Quantity::from_milli(before), Quantity::from_milli(cut)).unwrap();
                prop_assert!(r.total.minor >= 0 && r.total.minor <= total);
                before += cut;
                back += r.total.minor;
                tax_back += r.taxes[0].amount.minor;
                net_back += r.net.minor;
            }
            prop_assert_eq!(back, total, "a fully refunded line returns exactly what was paid");
            prop_assert_eq!(tax_back, line.taxes[0].amount.minor);
            prop_assert_eq!(net_back, line.net.minor);
            prop_assert_eq!(refundable_quantity(line.quantity, &[Quantity::from_milli(before)]), Quantity::ZERO);
        }
    }
}
