//! Settling a total with tenders: cash rounding, change, and what is still owed.
//!
//! Rules: card, store-credit and on-account tenders are taken first and may not exceed
//! the total (they cannot give change). Cash pays the rest; when a cash rounding step is
//! set, the cash part is rounded to it (nearest step, halves away from zero) and the
//! difference is recorded as `cash_rounding`. Only cash produces change.

use super::{SaleError, Tender, TenderKind};
use crate::money::Money;

/// The payment half of [`super::SaleTotals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Settlement {
    pub paid: Money,
    pub cash_rounding: Money,
    pub change: Money,
    pub due: Money,
}

/// Settles `total` with `tenders`. A shortfall is reported in `due`, not as an error, so
/// the running cart can show it; completing the sale turns it into an error.
pub(super) fn settle(
    total: Money,
    tenders: &[Tender],
    step: Option<i64>,
) -> Result<Settlement, SaleError> {
    let zero = Money::zero(total.currency);
    let (mut cash, mut other) = (zero, zero);
    for tender in tenders {
        if !tender.amount.is_positive() {
            return Err(SaleError::InvalidTender);
        }
        match tender.kind {
            TenderKind::Cash => cash = cash.checked_add(tender.amount)?,
            _ => other = other.checked_add(tender.amount)?,
        }
    }
    let remaining = total.checked_sub(other)?;
    if remaining.is_negative() {
        return Err(SaleError::NonCashOverpayment {
            excess: remaining.checked_neg()?,
        });
    }
    let paid = cash.checked_add(other)?;
    if cash.is_zero() {
        return Ok(Settlement {
            paid,
            cash_rounding: zero,
            change: zero,
            due: remaining,
        });
    }
    let cash_due = match step {
        Some(step) => remaining.round_to_step(step)?,
        None => remaining,
    };
    let cash_rounding = cash_due.checked_sub(remaining)?;
    let short = cash_due.checked_sub(cash)?;
    let (change, due) = if short.is_positive() {
        (zero, short)
    } else {
        (short.checked_neg()?, zero)
    };
    Ok(Settlement {
        paid,
        cash_rounding,
        change,
        due,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn chf(minor: i64) -> Money {
        Money::new(minor, Currency::CHF)
    }

    fn cash(minor: i64) -> Tender {
        Tender {
            kind: TenderKind::Cash,
            amount: chf(minor),
        }
    }

    fn card(minor: i64) -> Tender {
        Tender {
            kind: TenderKind::Card {
                reference: "auth-1".into(),
            },
            amount: chf(minor),
        }
    }

    #[test]
    fn cash_gets_rounded_and_changed() {
        let s = settle(chf(1233), &[cash(2000)], Some(5)).unwrap();
        assert_eq!(
            (s.cash_rounding, s.change, s.due),
            (chf(2), chf(765), chf(0))
        );
        assert_eq!(
            s.paid.minor - s.change.minor,
            1233 + 2,
            "paid - change = total + rounding"
        );
    }

    #[test]
    fn card_pays_exactly_and_is_never_rounded() {
        let s = settle(chf(1233), &[card(1233)], Some(5)).unwrap();
        assert_eq!((s.cash_rounding, s.change, s.due), (chf(0), chf(0), chf(0)));
    }

    #[test]
    fn split_tender_rounds_only_the_cash_part() {
        // 12.33 - 10.00 card = 2.33 cash -> 2.35 when paying with 5-centime coins.
        let s = settle(chf(1233), &[card(1000), cash(500)], Some(5)).unwrap();
        assert_eq!((s.cash_rounding, s.change), (chf(2), chf(265)));
    }

    #[test]
    fn shortfall_is_reported_as_due() {
        let s = settle(chf(1000), &[cash(600)], None).unwrap();
        assert_eq!((s.due, s.change), (chf(400), chf(0)));
        let s = settle(chf(1000), &[], None).unwrap();
        assert_eq!(s.due, chf(1000));
    }

    #[test]
    fn non_cash_cannot_overpay_and_tenders_must_be_positive() {
        assert_eq!(
            settle(chf(1000), &[card(1200)], None),
            Err(SaleError::NonCashOverpayment { excess: chf(200) })
        );
        assert_eq!(
            settle(chf(1000), &[cash(0)], None),
            Err(SaleError::InvalidTender)
        );
        let usd = Tender {
            kind: TenderKind::Cash,
            amount: Money::new(1, Currency::USD),
        };
        assert!(matches!(
            settle(chf(1), &[usd], None),
            Err(SaleError::Money(_))
        ));
    }
}
