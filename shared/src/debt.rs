//! Customer debt ("on account"): an append-only ledger of signed entries, the balance
//! it implies, and the credit-limit check made before charging more.

use serde::{Deserialize, Serialize};

use crate::customer::Customer;
use crate::ids::{CustomerId, RefundId, SaleId};
use crate::money::{Money, MoneyError};

/// What an entry records; it fixes the sign of the amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DebtKind {
    /// A sale paid on account: the customer owes more.
    Charge { sale: SaleId },
    /// A refund of an on-account sale: the customer owes less.
    Refund { refund: RefundId },
    /// Money received against the debt: the customer owes less.
    Payment,
}

/// One ledger entry. `amount` is signed: positive increases what the customer owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtEntry {
    pub customer_id: CustomerId,
    pub kind: DebtKind,
    pub amount: Money,
}

/// Why a ledger operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DebtError {
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("amount must be more than zero")]
    NonPositive,
    #[error("entry sign does not match its kind: charges add debt, refunds and payments reduce it")]
    WrongSign,
    #[error(
        "over the customer's credit limit: at most {available} more can go on account, take another payment method"
    )]
    CreditLimitExceeded { available: Money },
}

impl DebtEntry {
    /// Records a sale paid on account; `amount` is the positive amount charged.
    pub fn charge(customer_id: CustomerId, sale: SaleId, amount: Money) -> Result<Self, DebtError> {
        Self::signed(customer_id, DebtKind::Charge { sale }, amount, false)
    }

    /// Records a refund of an on-account sale; `amount` is the positive amount refunded.
    pub fn refund(
        customer_id: CustomerId,
        refund: RefundId,
        amount: Money,
    ) -> Result<Self, DebtError> {
        Self::signed(customer_id, DebtKind::Refund { refund }, amount, true)
    }

    /// Records a payment received; `amount` is the positive amount paid.
    pub fn payment(customer_id: CustomerId, amount: Money) -> Result<Self, DebtError> {
        Self::signed(customer_id, DebtKind::Payment, amount, true)
    }

    fn signed(
        customer_id: CustomerId,
        kind: DebtKind,
        amount: Money,
        reduces: bool,
    ) -> Result<Self, DebtError> {
        if !amount.is_positive() {
            return Err(DebtError::NonPositive);
        }
        let amount = if reduces {
            amount.checked_neg()?
        } else {
            amount
        };
        Ok(DebtEntry {
            customer_id,
            kind,
            amount,
        })
    }

    /// Checks an entry read from storage or the wire has the sign its kind implies.
    pub fn validate(&self) -> Result<(), DebtError> {
        let ok = match self.kind {
            DebtKind::Charge { .. } => self.amount.is_positive(),
            DebtKind::Refund { .. } | DebtKind::Payment => self.amount.is_negative(),
        };
        if ok {
            Ok(())
        } else {
            Err(DebtError::WrongSign)
        }
    }
}

/// What `customer` owes according to `entries` (other customers' entries are skipped).
/// Negative means the customer has credit.
pub fn balance<'a>(
    entries: impl IntoIterator<Item = &'a DebtEntry>,
    customer: CustomerId,
    currency: crate::Currency,
) -> Result<Money, DebtError> {
    let mine = entries
        .into_iter()
        .filter(|e| e.customer_id == customer)
        .map(|e| e.amount);
    Ok(Money::sum(currency, mine)?)
}

/// Refuses a new on-account `charge` that would take the customer, who owes `balance`,
/// over their credit limit.
pub fn check_credit(customer: &Customer, balance: Money, charge: Money) -> Result<(), DebtError> {
    let after = balance.checked_add(charge)?;
    if after.minor <= customer.credit_limit.minor {
        customer.credit_limit.same_currency(&after)?;
        return Ok(());
    }
    let left = customer.credit_limit.checked_sub(balance)?;
    let available = if left.is_negative() {
        Money::zero(left.currency)
    } else {
        left
    };
    Err(DebtError::CreditLimitExceeded { available })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    fn customer(limit: i64) -> Customer {
        Customer {
            id: CustomerId::new(),
            name: "Bob".into(),
            email: None,
            phone: None,
            credit_limit: eur(limit),
        }
    }

    #[test]
    fn balance_sums_charges_minus_payments_and_refunds() {
        let (c, other) = (CustomerId::new(), CustomerId::new());
        let ledger = [
            DebtEntry::charge(c, SaleId::new(), eur(5000)).unwrap(),
            DebtEntry::charge(other, SaleId::new(), eur(999)).unwrap(),
            DebtEntry::refund(c, RefundId::new(), eur(1000)).unwrap(),
            DebtEntry::payment(c, eur(1500)).unwrap(),
        ];
        assert!(ledger.iter().all(|e| e.validate().is_ok()));
        assert_eq!(balance(&ledger, c, Currency::EUR), Ok(eur(2500)));
        assert_eq!(balance(&[], c, Currency::EUR), Ok(eur(0)));
    }

    #[test]
    fn entries_must_be_positive_and_correctly_signed() {
        let c = CustomerId::new();
        assert_eq!(DebtEntry::payment(c, eur(0)), Err(DebtError::NonPositive));
        let forged = DebtEntry {
            customer_id: c,
            kind: DebtKind::Payment,
            amount: eur(100),
        };
        assert_eq!(forged.validate(), Err(DebtError::WrongSign));
    }

    #[test]
    fn credit_limit_is_enforced_with_the_headroom_shown() {
        let bob = customer(10_000);
        assert_eq!(
            check_credit(&bob, eur(6000), eur(4000)),
            Ok(()),
            "exactly at the limit is fine"
        );
        assert_eq!(
            check_credit(&bob, eur(6000), eur(4001)),
            Err(DebtError::CreditLimitExceeded {
                available: eur(4000)
            })
        );
        assert_eq!(
            check_credit(&bob, eur(12_000), eur(1)),
            Err(DebtError::CreditLimitExceeded { available: eur(0) }),
            "a customer already over the limit has no headroom, not negative headroom"
        );
        assert!(matches!(
            check_credit(&customer(0), eur(0), eur(1)),
            Err(DebtError::CreditLimitExceeded { .. })
        ));
        assert!(matches!(
            check_credit(&bob, eur(0), Money::new(1, Currency::USD)),
            Err(DebtError::Money(_))
        ));
    }
}
