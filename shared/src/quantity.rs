//! Quantities in thousandths of a unit, so weighed goods (1.235 kg) and counted goods
//! (3 pieces) share one exact integer type and no float ever reaches a total.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A signed quantity in milli-units: `Quantity::from_milli(1235)` is 1.235 kg,
/// `Quantity::from_units(3)` is three pieces. Signed because stock movements and
/// refunds go both ways.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Quantity(i64);

/// Milli-units per whole unit.
const MILLI: i64 = 1000;

/// Why a quantity could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a quantity: use a number with at most 3 decimals, e.g. 2 or 1.235")]
pub struct QuantityError(pub String);

impl Quantity {
    /// Nothing.
    pub const ZERO: Quantity = Quantity(0);
    /// One whole unit (1000 milli-units).
    pub const ONE: Quantity = Quantity(MILLI);

    /// A quantity given in thousandths (grams when the unit is kilograms).
    pub const fn from_milli(milli: i64) -> Self {
        Quantity(milli)
    }

    /// A whole number of units. Takes `i32` so the conversion can never overflow.
    pub const fn from_units(units: i32) -> Self {
        Quantity(units as i64 * MILLI)
    }

    /// The quantity in thousandths.
    pub const fn milli(self) -> i64 {
        self.0
    }

    /// True when this is a whole number of units (promotions such as 3-for-2 count these).
    pub const fn is_whole(self) -> bool {
        self.0 % MILLI == 0
    }

    /// The number of whole units, or `None` for fractional (weighed) quantities.
    pub const fn whole_units(self) -> Option<i64> {
        if self.is_whole() {
            Some(self.0 / MILLI)
        } else {
            None
        }
    }

    /// More than zero.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Less than zero (stock leaving, a refund).
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// `None` on overflow.
    pub fn checked_add(self, rhs: Quantity) -> Option<Quantity> {
        self.0.checked_add(rhs.0).map(Quantity)
    }

    /// `None` on overflow.
    pub fn checked_sub(self, rhs: Quantity) -> Option<Quantity> {
        self.0.checked_sub(rhs.0).map(Quantity)
    }

    /// `None` for `i64::MIN` milli-units.
    pub fn checked_neg(self) -> Option<Quantity> {
        self.0.checked_neg().map(Quantity)
    }
}

/// Whole quantities print as integers ("3"), fractional ones with three decimals
/// ("1.235"), which is what receipts show for weighed items.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, frac) = (abs / MILLI as u64, abs % MILLI as u64);
        if frac == 0 {
            write!(f, "{sign}{whole}")
        } else {
            write!(f, "{sign}{whole}.{frac:03}")
        }
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || QuantityError(s.to_owned());
        let milli = crate::money::parse_scaled(s.trim(), 3).ok_or_else(err)?;
        Ok(Quantity(milli))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_a_receipt() {
        assert_eq!(Quantity::from_units(3).to_string(), "3");
        assert_eq!(Quantity::from_milli(1235).to_string(), "1.235");
        assert_eq!(Quantity::from_milli(50).to_string(), "0.050");
        assert_eq!(Quantity::from_milli(-1500).to_string(), "-1.500");
        assert_eq!(Quantity::from_milli(i64::MIN).milli(), i64::MIN);
        assert!(!Quantity::from_milli(i64::MIN).to_string().is_empty());
    }

    #[test]
    fn parses_what_it_displays() {
        for q in [0, 1, 999, 1000, 1235, -1500, 42_000] {
            let q = Quantity::from_milli(q);
            assert_eq!(q.to_string().parse::<Quantity>().unwrap(), q);
        }
        assert_eq!(
            "1.5".parse::<Quantity>().unwrap(),
            Quantity::from_milli(1500)
        );
    }

    #[test]
    fn rejects_too_precise_or_malformed_input() {
        for bad in ["", "1.2345", "abc", "1,5", "1.", ".", "--1"] {
            assert!(bad.parse::<Quantity>().is_err(), "`{bad}` must be rejected");
        }
    }

    #[test]
    fn whole_units_only_for_whole_quantities() {
        assert_eq!(Quantity::from_units(4).whole_units(), Some(4));
        assert_eq!(Quantity::from_milli(4500).whole_units(), None);
    }
}
