//! Applying promotions to a cart.
//!
//! Rules, chosen to be predictable for cashiers and reproducible on the server:
//! - Promotions apply in the order given; each sees the discounts granted before it.
//! - `MultiBuy` and `BundlePrice` work on whole units. A unit used by one of them is
//!   not available to a later unit-based promotion; weighed (fractional) lines never
//!   take part.
//! - `MultiBuy` uses the cheapest matching units and makes the cheapest of those free.
//! - `BundlePrice` takes units from lines in cart order and only applies when the
//!   bundle is cheaper than its parts; its discount is spread over the used units in
//!   proportion to their price (largest remainder, so no cent is lost).
//! - `PercentOffCategory` takes its percentage off what is left of each matching line.
//! - No line is ever discounted below zero.

use super::{AppliedPromotion, NewSaleLine, SaleError};
use crate::catalog::{Promotion, PromotionRule};
use crate::currency::Currency;
use crate::ids::{CategoryId, ProductId};
use crate::money::Money;

/// Per-line promotion discounts and the promotions that granted something.
pub(super) struct PromotionOutcome {
    pub per_line: Vec<Money>,
    pub applied: Vec<AppliedPromotion>,
}

/// Applies `promotions` to `lines`, whose undiscounted amounts are `bases`.
pub(super) fn apply(
    promotions: &[Promotion],
    lines: &[NewSaleLine],
    bases: &[Money],
    currency: Currency,
) -> Result<PromotionOutcome, SaleError> {
    let mut cart = Cart {
        lines,
        bases,
        units_left: lines
            .iter()
            .map(|l| l.quantity.whole_units().unwrap_or(0))
            .collect(),
        discounts: vec![Money::zero(currency); lines.len()],
        zero: Money::zero(currency),
    };
    let mut applied = Vec::new();
    for promo in promotions {
        promo.validate()?;
        let granted = match &promo.rule {
            PromotionRule::PercentOffCategory { category, bp } => {
                cart.percent_off(*category, *bp)?
            }
            PromotionRule::MultiBuy { product, buy, pay } => {
                cart.multi_buy(*product, *buy, *pay)?
            }
            PromotionRule::BundlePrice { products, price } => cart.bundle(products, *price)?,
        };
        if granted.is_positive() {
            applied.push(AppliedPromotion {
                promotion_id: promo.id,
                name: promo.name.clone(),
                discount: granted,
            });
        }
    }
    Ok(PromotionOutcome {
        per_line: cart.discounts,
        applied,
    })
}

struct Cart<'a> {
    lines: &'a [NewSaleLine],
    bases: &'a [Money],
    /// Whole units not yet used by a unit-based promotion.
    units_left: Vec<i64>,
    discounts: Vec<Money>,
    zero: Money,
}

impl Cart<'_> {
    fn percent_off(&mut self, category: CategoryId, bp: u32) -> Result<Money, SaleError> {
        let mut total = self.zero;
        for i in 0..self.lines.len() {
            if self.lines[i].category_id == Some(category) {
                let off = self.remaining(i)?.percent(bp)?;
                total = total.checked_add(self.grant(i, off)?)?;
            }
        }
        Ok(total)
    }

    fn multi_buy(&mut self, product: ProductId, buy: u32, pay: u32) -> Result<Money, SaleError> {
        let mut units = self.units_of(product);
        let available: i64 = units.iter().map(|&(_, n)| n).sum();
        let groups = available / i64::from(buy);
        let (mut to_use, mut free) = (groups * i64::from(buy), groups * i64::from(buy - pay));
        units.sort_by_key(|&(i, _)| (self.lines[i].unit_price.minor, i));
        let mut total = self.zero;
        for (i, n) in units {
            let used = n.min(to_use);
            let free_here = used.min(free);
            self.units_left[i] -= used;
            to_use -= used;
            free -= free_here;
            let off = self.lines[i].unit_price.checked_mul(free_here)?;
            total = total.checked_add(self.grant(i, off)?)?;
        }
        Ok(total)
    }

    fn bundle(&mut self, products: &[ProductId], price: Money) -> Result<Money, SaleError> {
        let mut needed: Vec<(ProductId, i64)> = Vec::new();
        for &p in products {
            match needed.iter_mut().find(|(q, _)| *q == p) {
                Some((_, n)) => *n += 1,
                None => needed.push((p, 1)),
            }
        }
        let bundles = needed
            .iter()
            .map(|&(p, n)| self.units_of(p).iter().map(|&(_, u)| u).sum::<i64>() / n)
            .min()
            .unwrap_or(0);
        let mut used: Vec<(usize, i64)> = Vec::new();
        for &(p, n) in &needed {
            let mut want = n * bundles;
            for (i, avail) in self.units_of(p) {
                let take = avail.min(want);
                if take > 0 {
                    used.push((i, take));
                }
                want -= take;
            }
        }
        let parts: Vec<Money> = used
            .iter()
            .map(|&(i, n)| self.lines[i].unit_price.checked_mul(n))
            .collect::<Result<_, _>>()?;
        let regular = Money::sum(price.currency, parts.iter().copied())?;
        let off = regular.checked_sub(price.checked_mul(bundles)?)?;
        if !off.is_positive() {
            return Ok(self.zero);
        }
        let weights: Vec<u64> = parts.iter().map(|m| m.minor.unsigned_abs()).collect();
        let mut total = self.zero;
        for (&(i, n), share) in used.iter().zip(off.allocate(&weights)) {
            self.units_left[i] -= n;
            total = total.checked_add(self.grant(i, share)?)?;
        }
        Ok(total)
    }

    /// Lines of `product` with unused whole units, in cart order.
    fn units_of(&self, product: ProductId) -> Vec<(usize, i64)> {
        (0..self.lines.len())
            .filter(|&i| self.lines[i].product_id == product && self.units_left[i] > 0)
            .map(|i| (i, self.units_left[i]))
            .collect()
    }

    fn remaining(&self, i: usize) -> Result<Money, SaleError> {
        Ok(self.bases[i].checked_sub(self.discounts[i])?)
    }

    /// Adds up to `off` to line `i`'s discount without taking it below zero; returns
    /// what was actually granted.
    fn grant(&mut self, i: usize, off: Money) -> Result<Money, SaleError> {
        let remaining = self.remaining(i)?;
        let granted = if off.minor > remaining.minor {
            remaining
        } else {
            off
        };
        self.discounts[i] = self.discounts[i].checked_add(granted)?;
        Ok(granted)
    }
}
