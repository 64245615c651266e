//! Stock movements: every change to on-hand stock is a signed movement with a reason,
//! so stock levels are a sum over an append-only log and every unit can be traced.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{LocationId, ProductId};
use crate::quantity::Quantity;

/// Why stock changed. The reason fixes the direction, except for corrections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockReason {
    /// Sold at a till (removes stock).
    Sale,
    /// Returned by a customer and put back on the shelf (adds stock).
    Refund,
    /// Manual correction: breakage, theft, found goods (either way).
    Adjustment,
    /// Stock count: the difference between counted and expected (either way).
    Count,
    /// Arrived from another location (adds stock).
    TransferIn,
    /// Sent to another location (removes stock).
    TransferOut,
    /// Delivered by a supplier (adds stock).
    Receiving,
}

impl StockReason {
    /// +1 when this reason must add stock, -1 when it must remove it, 0 when either.
    pub fn direction(self) -> i8 {
        match self {
            StockReason::Refund | StockReason::TransferIn | StockReason::Receiving => 1,
            StockReason::Sale | StockReason::TransferOut => -1,
            StockReason::Adjustment | StockReason::Count => 0,
        }
    }
}

/// One change to the stock of a product at a location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockMovement {
    pub product_id: ProductId,
    pub location_id: LocationId,
    /// Positive adds stock, negative removes it.
    pub delta: Quantity,
    pub reason: StockReason,
    /// The document that caused it: the sale, refund, transfer or delivery id.
    pub reference: Option<Uuid>,
}

/// Why a movement was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error("a {reason:?} movement cannot change stock by {delta}: check the quantity's sign")]
    WrongDirection {
        reason: StockReason,
        delta: Quantity,
    },
    #[error("stock level too large to compute: check the movements")]
    Overflow,
}

impl StockMovement {
    /// A movement whose sign matches its reason (a sale can only remove stock).
    pub fn new(
        product_id: ProductId,
        location_id: LocationId,
        delta: Quantity,
        reason: StockReason,
        reference: Option<Uuid>,
    ) -> Result<Self, StockError> {
        let movement = StockMovement {
            product_id,
            location_id,
            delta,
            reason,
            reference,
        };
        movement.validate()?;
        Ok(movement)
    }

    /// The correction a stock count implies: `counted - expected`.
    pub fn count(
        product_id: ProductId,
        location_id: LocationId,
        expected: Quantity,
        counted: Quantity,
    ) -> Result<Self, StockError> {
        let delta = counted.checked_sub(expected).ok_or(StockError::Overflow)?;
        Self::new(product_id, location_id, delta, StockReason::Count, None)
    }

    /// Checks the sign of `delta` against the reason. Zero is allowed only for
    /// corrections (a count that confirms the books).
    pub fn validate(&self) -> Result<(), StockError> {
        let ok = match self.reason.direction() {
            1 => self.delta.is_positive(),
            -1 => self.delta.is_negative(),
            _ => true,
        };
        if ok {
            Ok(())
        } else {
            Err(StockError::WrongDirection {
                reason: self.reason,
                delta: self.delta,
            })
        }
    }
}

/// On-hand stock of `product` at `location`: the sum of its movements. May be negative,
/// because offline tills keep selling what the books say is gone.
pub fn stock_level<'a>(
    movements: impl IntoIterator<Item = &'a StockMovement>,
    product: ProductId,
    location: LocationId,
) -> Result<Quantity, StockError> {
    movements
        .into_iter()
        .filter(|m| m.product_id == product && m.location_id == location)
        .try_fold(Quantity::ZERO, |level, m| {
            level.checked_add(m.delta).ok_or(StockError::Overflow)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_fix_the_direction() {
        let (p, l) = (ProductId::new(), LocationId::new());
        let out = Quantity::from_units(-2);
        assert!(StockMovement::new(p, l, out, StockReason::Sale, None).is_ok());
        assert_eq!(
            StockMovement::new(p, l, Quantity::ONE, StockReason::Sale, None),
            Err(StockError::WrongDirection {
                reason: StockReason::Sale,
                delta: Quantity::ONE
            })
        );
        assert!(StockMovement::new(p, l, out, StockReason::Receiving, None).is_err());
        assert!(StockMovement::new(p, l, out, StockReason::Adjustment, None).is_ok());
        assert!(StockMovement::new(p, l, Quantity::ZERO, StockReason::Refund, None).is_err());
    }

    #[test]
    fn level_is_the_sum_per_product_and_location() {
        let (p, l, other) = (ProductId::new(), LocationId::new(), LocationId::new());
        let moves = [
            StockMovement::new(p, l, Quantity::from_units(10), StockReason::Receiving, None)
                .unwrap(),
            StockMovement::new(p, l, Quantity::from_milli(-1500), StockReason::Sale, None).unwrap(),
            StockMovement::new(
                p,
                other,
                Quantity::from_units(5),
                StockReason::TransferIn,
                None,
            )
            .unwrap(),
            StockMovement::count(p, l, Quantity::from_milli(8500), Quantity::from_units(8))
                .unwrap(),
        ];
        assert_eq!(
            stock_level(&moves, p, l),
            Ok(Quantity::from_units(8)),
            "the count sets the level"
        );
        assert_eq!(stock_level(&moves, p, other), Ok(Quantity::from_units(5)));
    }
}
