//! Tax rates and the split of a line amount into net, per-rate tax and gross, plus the
//! per-rate summary printed on receipts and Z reports.
//!
//! Rounding policy (applies everywhere Kassa computes tax):
//! - Tax is computed **per line**, after all discounts on that line, then summed. Line
//!   taxes therefore always add up to the receipt's tax total.
//! - Rates are additive, never compounded: a line with 20 % and 5 % is taxed 25 % of net.
//! - **Inclusive** rates (the price contains the tax): the line's total inclusive tax is
//!   `gross * Σbp / (10000 + Σbp)` rounded half away from zero, `net = gross - tax`, so
//!   `net + taxes == gross` exactly. With several inclusive rates the total is split per
//!   rate in proportion to `rate_bp` by largest remainder (`Money::allocate`): leftover
//!   minor units go to the largest remainders, ties to the rate listed first.
//! - **Exclusive** rates (tax added on top): each rate's tax is `net * bp / 10000`
//!   rounded half away from zero, computed on the net left after inclusive rates.
//! - Half away from zero means a refund's tax is exactly the negation of the sale's.

use serde::{Deserialize, Serialize};

use crate::ids::TaxRateId;
use crate::money::{BP_PER_WHOLE, Money, MoneyError};

/// A configured tax, e.g. "VAT 20 %" = `rate_bp: 2000`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRate {
    pub id: TaxRateId,
    pub name: String,
    /// Rate in basis points: 2000 = 20.00 %, 550 = 5.50 %.
    pub rate_bp: u32,
    /// True when prices already contain this tax (EU style), false when it is added at
    /// the till (US sales tax style).
    pub inclusive: bool,
}

/// One rate's share of a line's tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxAmount {
    pub rate_id: TaxRateId,
    pub amount: Money,
}

/// A line amount broken down: `net + Σ taxes == gross` always holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxBreakdown {
    pub net: Money,
    /// One entry per rate, in the order the rates were given.
    pub taxes: Vec<TaxAmount>,
    pub gross: Money,
}

/// Why tax could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxError {
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("tax rate `{name}` is listed twice on one item: fix the product's tax rates")]
    DuplicateRate { rate: TaxRateId, name: String },
}

/// Taxes a line `amount` with each rate's own `inclusive` flag: inclusive rates are
/// extracted from `amount`, exclusive ones are added on the remaining net.
pub fn tax_line(amount: Money, rates: &[TaxRate]) -> Result<TaxBreakdown, TaxError> {
    reject_duplicates(rates)?;
    let (inclusive, exclusive): (Vec<&TaxRate>, Vec<&TaxRate>) =
        rates.iter().partition(|r| r.inclusive);
    let (net, inc_taxes) = extract(amount, &inclusive)?;
    let exc_taxes = add_on(net, &exclusive)?;
    let added = Money::sum(amount.currency, exc_taxes.iter().map(|t| t.amount))?;
    // Report taxes in the caller's rate order so receipts list them predictably.
    let mut taxes: Vec<TaxAmount> = inc_taxes.into_iter().chain(exc_taxes).collect();
    taxes.sort_by_key(|t| rates.iter().position(|r| r.id == t.rate_id));
    Ok(TaxBreakdown {
        net,
        taxes,
        gross: amount.checked_add(added)?,
    })
}

/// Treats every rate as inclusive: splits `gross` into net and per-rate tax.
pub fn split_inclusive(gross: Money, rates: &[TaxRate]) -> Result<TaxBreakdown, TaxError> {
    reject_duplicates(rates)?;
    let (net, taxes) = extract(gross, &rates.iter().collect::<Vec<_>>())?;
    Ok(TaxBreakdown { net, taxes, gross })
}

/// Treats every rate as exclusive: computes each rate's tax on `net` and the gross.
pub fn add_exclusive(net: Money, rates: &[TaxRate]) -> Result<TaxBreakdown, TaxError> {
    reject_duplicates(rates)?;
    let taxes = add_on(net, &rates.iter().collect::<Vec<_>>())?;
    let gross = net.checked_add(Money::sum(net.currency, taxes.iter().map(|t| t.amount))?)?;
    Ok(TaxBreakdown { net, taxes, gross })
}

fn extract(gross: Money, rates: &[&TaxRate]) -> Result<(Money, Vec<TaxAmount>), MoneyError> {
    if rates.is_empty() {
        return Ok((gross, Vec::new()));
    }
    let total_bp: i128 = rates.iter().map(|r| i128::from(r.rate_bp)).sum();
    let tax = gross.mul_div(total_bp, i128::from(BP_PER_WHOLE) + total_bp)?;
    let weights: Vec<u64> = rates.iter().map(|r| u64::from(r.rate_bp)).collect();
    let taxes = rates
        .iter()
        .zip(tax.allocate(&weights))
        .map(|(r, amount)| TaxAmount {
            rate_id: r.id,
            amount,
        })
        .collect();
    Ok((gross.checked_sub(tax)?, taxes))
}

fn add_on(net: Money, rates: &[&TaxRate]) -> Result<Vec<TaxAmount>, MoneyError> {
    rates
        .iter()
        .map(|r| {
            Ok(TaxAmount {
                rate_id: r.id,
                amount: net.percent(r.rate_bp)?,
            })
        })
        .collect()
}

fn reject_duplicates(rates: &[TaxRate]) -> Result<(), TaxError> {
    for (i, r) in rates.iter().enumerate() {
        if rates[..i].iter().any(|earlier| earlier.id == r.id) {
            return Err(TaxError::DuplicateRate {
                rate: r.id,
                name: r.name.clone(),
            });
        }
    }
    Ok(())
}

/// One rate's row on a receipt or Z report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxSummaryLine {
    pub rate_id: TaxRateId,
    pub name: String,
    pub rate_bp: u32,
    pub inclusive: bool,
    /// Sum of the nets of the lines this rate applied to (the taxable base).
    pub net: Money,
    pub tax: Money,
}

impl TaxSummaryLine {
    /// Net plus this rate's tax, as printed in the "gross" column.
    pub fn gross(&self) -> Result<Money, MoneyError> {
        self.net.checked_add(self.tax)
    }
}

/// Tax aggregated per rate across lines (a receipt) or sales (a Z report), rows in the
/// order each rate was first seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaxSummary {
    pub rates: Vec<TaxSummaryLine>,
}

impl TaxSummary {
    /// Adds one taxed line. `rates` must be the rates the breakdown was computed with;
    /// a rate missing from the breakdown contributes nothing.
    pub fn add_line(&mut self, rates: &[TaxRate], line: &TaxBreakdown) -> Result<(), MoneyError> {
        for tax in &line.taxes {
            if let Some(rate) = rates.iter().find(|r| r.id == tax.rate_id) {
                self.add_row(TaxSummaryLine {
                    rate_id: rate.id,
                    name: rate.name.clone(),
                    rate_bp: rate.rate_bp,
                    inclusive: rate.inclusive,
                    net: line.net,
                    tax: tax.amount,
                })?;
            }
        }
        Ok(())
    }

    /// Folds another summary in, e.g. each sale of a shift into the Z report.
    pub fn merge(&mut self, other: &TaxSummary) -> Result<(), MoneyError> {
        other
            .rates
            .iter()
            .try_for_each(|row| self.add_row(row.clone()))
    }

    /// Total tax over all rates; zero in `currency` when empty.
    pub fn tax_total(&self, currency: crate::Currency) -> Result<Money, MoneyError> {
        Money::sum(currency, self.rates.iter().map(|r| r.tax))
    }

    fn add_row(&mut self, row: TaxSummaryLine) -> Result<(), MoneyError> {
        match self.rates.iter_mut().find(|r| r.rate_id == row.rate_id) {
            Some(existing) => {
                existing.net = existing.net.checked_add(row.net)?;
                existing.tax = existing.tax.checked_add(row.tax)?;
            }
            None => self.rates.push(row),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use proptest::prelude::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    fn rate(name: &str, rate_bp: u32, inclusive: bool) -> TaxRate {
        TaxRate {
            id: TaxRateId::new(),
            name: name.into(),
            rate_bp,
            inclusive,
        }
    }

    fn amounts(b: &TaxBreakdown) -> Vec<i64> {
        b.taxes.iter().map(|t| t.amount.minor).collect()
    }

    #[test]
    fn inclusive_vat_is_extracted_from_the_price() {
        let vat = rate("VAT 20%", 2000, true);
        let b = tax_line(eur(1200), std::slice::from_ref(&vat)).unwrap();
        assert_eq!(
            (b.net, amounts(&b), b.gross),
            (eur(1000), vec![200], eur(1200))
        );

        // 10.00 * 20/120 = 1.666.. -> 1.67; the net takes the rest.
        let b = tax_line(eur(1000), &[vat]).unwrap();
        assert_eq!((b.net, amounts(&b)), (eur(833), vec![167]));
    }

    #[test]
    fn several_inclusive_rates_share_one_rounded_total() {
        let rates = [rate("A", 1000, true), rate("B", 1000, true)];
        // total tax = 1.01 * 2000/12000 = 0.1683 -> 0.17, split 9/8 (tie to the first).
        let b = split_inclusive(eur(101), &rates).unwrap();
        assert_eq!((b.net, amounts(&b)), (eur(84), vec![9, 8]));
    }

    #[test]
    fn exclusive_tax_is_added_per_rate() {
        let rates = [rate("State", 600, false), rate("City", 225, false)];
        let b = tax_line(eur(999), &rates).unwrap();
        // 9.99 * 6 % = 0.5994 -> 0.60; 9.99 * 2.25 % = 0.224775 -> 0.22
        assert_eq!(
            (b.net, amounts(&b), b.gross),
            (eur(999), vec![60, 22], eur(1081))
        );
    }

    #[test]
    fn mixed_rates_add_exclusive_tax_on_the_inclusive_net() {
        let rates = [rate("Levy", 1000, false), rate("VAT", 2000, true)];
        let b = tax_line(eur(1200), &rates).unwrap();
        assert_eq!(b.net, eur(1000));
        assert_eq!(
            amounts(&b),
            vec![100, 200],
            "taxes are reported in the rates' order"
        );
        assert_eq!(b.gross, eur(1300));
    }

    #[test]
    fn refund_tax_mirrors_the_sale() {
        let rates = [rate("VAT", 1900, true), rate("Extra", 700, false)];
        let sale = tax_line(eur(1999), &rates).unwrap();
        let refund = tax_line(eur(-1999), &rates).unwrap();
        assert_eq!(refund.net.minor, -sale.net.minor);
        assert_eq!(refund.gross.minor, -sale.gross.minor);
        let negated: Vec<i64> = amounts(&sale).iter().map(|a| -a).collect();
        assert_eq!(amounts(&refund), negated);
    }

    #[test]
    fn the_same_rate_twice_is_refused() {
        let vat = rate("VAT", 2000, true);
        let err = tax_line(eur(100), &[vat.clone(), vat]).unwrap_err();
        assert!(matches!(err, TaxError::DuplicateRate { .. }), "{err}");
    }

    #[test]
    fn summary_aggregates_per_rate() {
        let vat = rate("VAT 20%", 2000, true);
        let food = rate("VAT 5.5%", 550, true);
        let mut summary = TaxSummary::default();
        for (amount, rates) in [
            (1200, vec![vat.clone()]),
            (211, vec![food.clone()]),
            (600, vec![vat]),
        ] {
            let b = tax_line(eur(amount), &rates).unwrap();
            summary.add_line(&rates, &b).unwrap();
        }
        assert_eq!(summary.rates.len(), 2);
        let row = &summary.rates[0];
        assert_eq!(
            (row.net, row.tax, row.gross().unwrap()),
            (eur(1500), eur(300), eur(1800))
        );
        let mut z = TaxSummary::default();
        z.merge(&summary).unwrap();
        z.merge(&summary).unwrap();
        assert_eq!(z.tax_total(Currency::EUR).unwrap(), eur(2 * (300 + 11)));
    }

    proptest! {
        #[test]
        fn inclusive_split_adds_back_to_gross(
            gross in -10_000_000_000i64..10_000_000_000,
            bps in proptest::collection::vec(0u32..5000, 1..4),
        ) {
            let rates: Vec<TaxRate> = bps.iter().map(|&bp| rate("r", bp, true)).collect();
            let b = split_inclusive(eur(gross), &rates).unwrap();
            let taxes: i64 = amounts(&b).iter().sum();
            prop_assert_eq!(b.net.minor + taxes, gross, "net + taxes must equal gross exactly");
            prop_assert!(b.net.minor.abs() <= gross.abs(), "net never exceeds gross");
            prop_assert!(amounts(&b).iter().all(|t| t.signum() * gross.signum() >= 0), "tax has the sign of the sale");
        }

        #[test]
        fn exclusive_gross_is_net_plus_taxes(
            net in -10_000_000_000i64..10_000_000_000,
            bps in proptest::collection::vec(0u32..5000, 0..4),
        ) {
            let rates: Vec<TaxRate> = bps.iter().map(|&bp| rate("r", bp, false)).collect();
            let b = add_exclusive(eur(net), &rates).unwrap();
            let taxes: i64 = amounts(&b).iter().sum();
            prop_assert_eq!(b.gross.minor, net + taxes);
        }
    }
}
