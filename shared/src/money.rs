//! Money as an integer count of minor units (cents) plus its currency. Every operation is
//! checked: currencies never mix silently and overflow is an error, not a wrap or panic.
//!
//! Rounding: wherever a result falls between two minor units (quantity times price,
//! percentages, tax) it is rounded half away from zero, so `-x` always rounds to the
//! negation of `x` and a refund mirrors its sale exactly.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::currency::Currency;
use crate::quantity::Quantity;

/// Basis points per whole: 1 bp = 0.01 %, 10 000 bp = 100 %.
pub const BP_PER_WHOLE: i64 = 10_000;

/// The largest amount, in minor units, that one typed entry may hold: a price, a tender,
/// a float, a drawer movement, a count, a credit limit. A shift's sums of millions of such
/// entries still fit an `i64`, so one slip of the keyboard cannot make its reports overflow.
pub const MAX_ENTRY_MINOR: i64 = 1_000_000_000_000;

/// Why a money operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {left} and {right} amounts: use one currency per sale")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("amount too large to compute: check the price and quantity")]
    Overflow,
    #[error("`{0}` is not a currency code: use three letters such as EUR")]
    InvalidCurrency(String),
    #[error("`{0}` is not an amount: use digits and at most the currency's decimals, e.g. 12.34")]
    InvalidAmount(String),
    #[error("cash rounding step must be at least 1 minor unit, got {0}")]
    InvalidStep(i64),
    #[error("{0} is more than one entry may hold ({1} at most); check the amount")]
    EntryTooLarge(String, String),
}

/// An amount in minor units of `currency`: `Money::new(1234, Currency::EUR)` is EUR 12.34.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// `minor` units of `currency`.
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Nothing, in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    /// Exactly zero.
    pub const fn is_zero(&self) -> bool {
        self.minor == 0
    }

    /// Below zero (a refund, a discount as a signed amount).
    pub const fn is_negative(&self) -> bool {
        self.minor < 0
    }

    /// Above zero.
    pub const fn is_positive(&self) -> bool {
        self.minor > 0
    }

    /// Fails with `CurrencyMismatch` unless both amounts share a currency.
    pub fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// Sum; fails on mixed currencies or overflow.
    pub fn checked_add(self, rhs: Money) -> Result<Money, MoneyError> {
        self.same_currency(&rhs)?;
        self.with(self.minor.checked_add(rhs.minor))
    }

    /// Difference; fails on mixed currencies or overflow.
    pub fn checked_sub(self, rhs: Money) -> Result<Money, MoneyError> {
        self.same_currency(&rhs)?;
        self.with(self.minor.checked_sub(rhs.minor))
    }

    /// Negation; fails only for `i64::MIN`.
    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        self.with(self.minor.checked_neg())
    }

    /// Multiplies by a whole count, e.g. unit price times 3 pieces.
    pub fn checked_mul(self, count: i64) -> Result<Money, MoneyError> {
        self.with(self.minor.checked_mul(count))
    }

    /// Sums amounts that must all be in `currency`; an empty iterator gives zero.
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// Price times a (possibly fractional) quantity: 2.99/kg x 1.235 kg = 3.69 (3.69265
    /// rounded half away from zero to the minor unit).
    pub fn mul_quantity(self, quantity: Quantity) -> Result<Money, MoneyError> {
        self.mul_div(i128::from(quantity.milli()), 1000)
    }

    /// `bp` basis points of this amount (2000 bp = 20 %), rounded half away from zero.
    pub fn percent(self, bp: u32) -> Result<Money, MoneyError> {
        self.mul_div(i128::from(bp), i128::from(BP_PER_WHOLE))
    }

    /// `self * num / den` rounded half away from zero; `den` must be positive.
    pub(crate) fn mul_div(self, num: i128, den: i128) -> Result<Money, MoneyError> {
        if den <= 0 {
            return Err(MoneyError::Overflow);
        }
        let product = i128::from(self.minor)
            .checked_mul(num)
            .ok_or(MoneyError::Overflow)?;
        let rounded = div_round_half_away(product, den);
        self.with(i64::try_from(rounded).ok())
    }

    /// Rounds to the nearest multiple of `step` minor units, halves away from zero. This
    /// is cash rounding where small coins are gone: CHF uses step 5 (12.32 -> 12.30,
    /// 12.33 -> 12.35), SEK step 100 (whole kronor, 0.50 rounds up).
    pub fn round_to_step(self, step: i64) -> Result<Money, MoneyError> {
        if step < 1 {
            return Err(MoneyError::InvalidStep(step));
        }
        let steps = div_round_half_away(i128::from(self.minor), i128::from(step));
        let minor = steps
            .checked_mul(i128::from(step))
            .and_then(|m| i64::try_from(m).ok());
        self.with(minor)
    }

    /// Splits this amount in proportion to `weights` by the largest-remainder method.
    ///
    /// Each part gets the floor of its exact share; the leftover minor units (fewer than
    /// the number of parts) go one each to the largest fractional remainders, ties to the
    /// earlier index. So parts always sum to `self` exactly and no part is a whole minor
    /// unit away from its exact share. Negative amounts split like their absolute value,
    /// negated. All-zero weights split equally; no weights give no parts.
    pub fn allocate(&self, weights: &[u64]) -> Vec<Money> {
        let mut total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
        let equal = vec![1u64; weights.len()];
        let weights = if total == 0 {
            total = weights.len() as u128;
            equal.as_slice()
        } else {
            weights
        };
        if total == 0 {
            return Vec::new();
        }
        let whole = u128::from(self.minor.unsigned_abs());
        let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
        let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
        for (i, &w) in weights.iter().enumerate() {
            let exact = whole * u128::from(w);
            parts.push(exact / total);
            remainders.push((exact % total, i));
        }
        let leftover = whole - parts.iter().sum::<u128>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in remainders.iter().take(leftover as usize) {
            parts[i] += 1;
        }
        let sign: i128 = if self.minor < 0 { -1 } else { 1 };
        parts
            .into_iter()
            // Every part is at most |self.minor| with self's sign, so it fits in i64.
            .map(|p| Money::new((sign * p as i128) as i64, self.currency))
            .collect()
    }

    /// The amount as plain decimal text with the currency's decimals, no grouping and no
    /// symbol: "12.34", "-0.05", "1234" for JPY, "1.234" for KWD.
    pub fn format(&self) -> String {
        let decimals = self.currency.minor_units();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if decimals == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10_u64.pow(decimals);
        let (major, minor) = (abs / scale, abs % scale);
        format!("{sign}{major}.{minor:0width$}", width = decimals as usize)
    }

    /// Parses text such as "12.34" or "-3" into `currency`; more decimals than the
    /// currency has (e.g. "1.234" EUR) are rejected rather than rounded.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        parse_scaled(text.trim(), currency.minor_units())
            .map(|minor| Money::new(minor, currency))
            .ok_or_else(|| MoneyError::InvalidAmount(text.to_owned()))
    }

    /// `self` if a person could mean it as one entry, else [`MoneyError::EntryTooLarge`]
    /// (see [`MAX_ENTRY_MINOR`]).
    pub fn within_entry_limit(self) -> Result<Money, MoneyError> {
        if self.minor.unsigned_abs() <= MAX_ENTRY_MINOR.unsigned_abs() {
            return Ok(self);
        }
        Err(MoneyError::EntryTooLarge(
            self.to_string(),
            Money::new(MAX_ENTRY_MINOR, self.currency).to_string(),
        ))
    }

    fn with(self, minor: Option<i64>) -> Result<Money, MoneyError> {
        minor
            .map(|minor| Money::new(minor, self.currency))
            .ok_or(MoneyError::Overflow)
    }
}

/// "12.34 EUR".
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.format(), self.currency)
    }
}

/// Integer division rounding half away from zero; `den` must be positive.
pub(crate) fn div_round_half_away(num: i128, den: i128) -> i128 {
    let (q, r) = (num / den, num % den);
    // |r| < den and every caller's den fits in an i64, so doubling cannot overflow.
    if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    }
}

/// Parses `-?digits(.digits)?` with at most `decimals` fraction digits into an integer
/// scaled by `10^decimals`. `None` for anything else, including overflow.
pub(crate) fn parse_scaled(text: &str, decimals: u32) -> Option<i64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = match body.split_once('.') {
        Some((int, frac)) if !frac.is_empty() => (int, frac),
        Some(_) => return None,
        None => (body, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !all_digits(int) || !all_digits(frac) || frac.len() > decimals as usize {
        return None;
    }
    let padded = format!("{int}{frac:0<width$}", width = decimals as usize);
    let magnitude: i128 = padded.parse().ok()?;
    let signed = if negative { -magnitude } else { magnitude };
    i64::try_from(signed).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    #[test]
    fn mixing_currencies_is_refused() {
        let err = eur(100)
            .checked_add(Money::new(100, Currency::USD))
            .unwrap_err();
        assert!(matches!(err, MoneyError::CurrencyMismatch { .. }));
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert_eq!(eur(i64::MAX).checked_add(eur(1)), Err(MoneyError::Overflow));
        assert_eq!(eur(i64::MIN).checked_neg(), Err(MoneyError::Overflow));
        assert_eq!(eur(i64::MAX).checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(
            eur(i64::MAX).mul_quantity(Quantity::from_units(2)),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn weighed_price_rounds_half_away_from_zero() {
        // 2.99/kg x 1.235 kg = 3.69265 -> 3.69
        assert_eq!(
            eur(299).mul_quantity(Quantity::from_milli(1235)),
            Ok(eur(369))
        );
        // 1.00 x 0.005 = 0.005 -> 0.01, and the refund mirrors it
        assert_eq!(eur(100).mul_quantity(Quantity::from_milli(5)), Ok(eur(1)));
        assert_eq!(eur(-100).mul_quantity(Quantity::from_milli(5)), Ok(eur(-1)));
    }

    #[test]
    fn percent_is_in_basis_points() {
        assert_eq!(eur(1000).percent(2000), Ok(eur(200)), "20 % of 10.00");
        assert_eq!(
            eur(5).percent(5000),
            Ok(eur(3)),
            "2.5 cents rounds away from zero"
        );
        assert_eq!(eur(-5).percent(5000), Ok(eur(-3)));
    }

    #[test]
    fn cash_rounding_goes_to_the_nearest_step() {
        let chf = |m| Money::new(m, Currency::CHF);
        assert_eq!(chf(1232).round_to_step(5), Ok(chf(1230)));
        assert_eq!(chf(1233).round_to_step(5), Ok(chf(1235)));
        assert_eq!(chf(-1233).round_to_step(5), Ok(chf(-1235)));
        let sek = |m| Money::new(m, Currency::SEK);
        assert_eq!(
            sek(1050).round_to_step(100),
            Ok(sek(1100)),
            "halves round up"
        );
        assert_eq!(chf(1).round_to_step(0), Err(MoneyError::InvalidStep(0)));
    }

    #[test]
    fn allocation_hands_out_leftover_cents_in_order() {
        let parts: Vec<i64> = eur(100)
            .allocate(&[1, 1, 1])
            .iter()
            .map(|m| m.minor)
            .collect();
        assert_eq!(parts, [34, 33, 33], "ties go to the earliest part");
        let parts: Vec<i64> = eur(-100)
            .allocate(&[1, 1, 1])
            .iter()
            .map(|m| m.minor)
            .collect();
        assert_eq!(parts, [-34, -33, -33]);
        let parts: Vec<i64> = eur(10).allocate(&[0, 0]).iter().map(|m| m.minor).collect();
        assert_eq!(parts, [5, 5], "all-zero weights split equally");
        assert!(eur(10).allocate(&[]).is_empty());
        let parts: Vec<i64> = eur(i64::MIN)
            .allocate(&[1])
            .iter()
            .map(|m| m.minor)
            .collect();
        assert_eq!(parts, [i64::MIN]);
    }

    #[test]
    fn formats_with_the_currency_decimals() {
        assert_eq!(eur(1234).format(), "12.34");
        assert_eq!(eur(-5).format(), "-0.05");
        assert_eq!(Money::new(1234, Currency::JPY).format(), "1234");
        assert_eq!(Money::new(1234, Currency::KWD).format(), "1.234");
        assert_eq!(eur(i64::MIN).format(), "-92233720368547758.08");
        assert_eq!(eur(1234).to_string(), "12.34 EUR");
    }

    #[test]
    fn entries_above_the_limit_are_refused() {
        assert_eq!(
            eur(MAX_ENTRY_MINOR).within_entry_limit(),
            Ok(eur(MAX_ENTRY_MINOR))
        );
        assert_eq!(eur(-250).within_entry_limit(), Ok(eur(-250)));
        let err = eur(MAX_ENTRY_MINOR + 1).within_entry_limit().unwrap_err();
        assert!(err.to_string().contains("10000000000.01 EUR"), "{err}");
    }

    #[test]
    fn parses_amounts_strictly() {
        assert_eq!(Money::parse("12.34", Currency::EUR), Ok(eur(1234)));
        assert_eq!(Money::parse("12.3", Currency::EUR), Ok(eur(1230)));
        assert_eq!(Money::parse("-3", Currency::EUR), Ok(eur(-300)));
        for bad in ["1.234", "", "1,00", "12.", "x", "99999999999999999999"] {
            assert!(
                Money::parse(bad, Currency::EUR).is_err(),
                "`{bad}` must be rejected"
            );
        }
        assert!(
            Money::parse("1.5", Currency::JPY).is_err(),
            "yen has no decimals"
        );
    }

    #[test]
    fn serialises_as_minor_and_code() {
        assert_eq!(
            serde_json::to_value(eur(1234)).unwrap(),
            serde_json::json!({"minor": 1234, "currency": "EUR"})
        );
    }

    proptest! {
        #[test]
        fn allocation_is_exact_and_fair(
            minor in any::<i64>(),
            weights in proptest::collection::vec(0u64..1_000_000_000, 1..12),
        ) {
            let parts = eur(minor).allocate(&weights);
            prop_assert_eq!(parts.len(), weights.len());
            let sum: i128 = parts.iter().map(|p| i128::from(p.minor)).sum();
            prop_assert_eq!(sum, i128::from(minor), "allocation must neither lose nor create a cent");

            let total: i128 = weights.iter().map(|&w| i128::from(w)).sum();
            let (total, weights): (i128, Vec<i128>) = if total == 0 {
                (weights.len() as i128, vec![1; weights.len()])
            } else {
                (total, weights.iter().map(|&w| i128::from(w)).collect())
            };
            for (part, w) in parts.iter().zip(weights) {
                // |part - minor*w/total| < 1, scaled by total to stay in integers.
                let diff = (i128::from(part.minor) * total - i128::from(minor) * w).abs();
                prop_assert!(diff < total, "part {} strays a whole unit from its share", part.minor);
            }
        }

        #[test]
        fn format_then_parse_round_trips(minor in any::<i64>()) {
            for currency in [Currency::EUR, Currency::JPY, Currency::KWD] {
                let m = Money::new(minor, currency);
                prop_assert_eq!(Money::parse(&m.format(), currency), Ok(m));
            }
        }

        #[test]
        fn rounding_is_symmetric(minor in -1_000_000_000i64..1_000_000_000, milli in 0i64..100_000) {
            let q = Quantity::from_milli(milli);
            prop_assert_eq!(eur(-minor).mul_quantity(q), eur(minor).mul_quantity(q).and_then(Money::checked_neg));
        }
    }
}
