//! GS1 variable-measure barcodes: scale labels whose EAN-13 carries an item code and a
//! price or weight (GS1 General Specifications §2.1.11, "restricted circulation" prefixes
//! 20-29). The field layout differs by country and scale, so it is configuration.

use serde::{Deserialize, Serialize};

use super::{Barcode, BarcodeError, Symbology, gs1_check_digit};
use crate::currency::Currency;
use crate::money::Money;
use crate::quantity::Quantity;

/// What the value field of a scale label holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    Price,
    Weight,
}

/// The decoded value of a scale label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Price of the weighed item, already in the sale currency.
    Price(Money),
    /// Weight in milli-units (grams when the unit is kilograms).
    Weight(Quantity),
}

/// A decoded scale label: look up `item_code` among weighed products, then sell it with
/// the embedded price or weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariableMeasure {
    /// The prefix that matched, e.g. "21"; some countries use it for the department.
    pub prefix: String,
    pub item_code: String,
    pub measure: Measure,
}

/// Field layout of a 13-digit scale label: `prefix | item | value | check digit`.
/// Each prefix's length plus `item_digits + value_digits + 1` must be 13. Barcodes are
/// matched in normalised form, so US UPC-A scale labels (number system 2) use prefix "02".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gs1Layout {
    pub prefixes: Vec<String>,
    pub item_digits: u8,
    pub value_digits: u8,
    pub kind: MeasureKind,
    /// Decimals in the value field: price with 2 reads 01234 as 12.34; weight with 3
    /// reads 01235 as 1.235 kg.
    pub decimals: u8,
}

impl Default for Gs1Layout {
    /// Prefixes 20-29, 5-digit item code, 5-digit price with 2 decimals, check digit.
    fn default() -> Self {
        Gs1Layout {
            prefixes: (20..=29).map(|p: u8| p.to_string()).collect(),
            item_digits: 5,
            value_digits: 5,
            kind: MeasureKind::Price,
            decimals: 2,
        }
    }
}

impl Gs1Layout {
    /// Checks the layout adds up to an EAN-13 and its decimals make sense.
    pub fn validate(&self) -> Result<(), BarcodeError> {
        let bad = |why: String| Err(BarcodeError::InvalidLayout(why));
        if self.prefixes.is_empty() || self.item_digits == 0 || self.value_digits == 0 {
            return bad("prefixes, item digits and value digits must not be empty".into());
        }
        for p in &self.prefixes {
            let used = p.len() + usize::from(self.item_digits) + usize::from(self.value_digits);
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || used != 12 {
                return bad(format!(
                    "prefix `{p}` plus item and value digits must make 12"
                ));
            }
        }
        if self.kind == MeasureKind::Weight && self.decimals > 3 {
            return bad("weights have at most 3 decimals (grams)".into());
        }
        Ok(())
    }

    /// Reads a scale label. `Ok(None)` when the barcode is not one of this layout's
    /// (an ordinary product code); an error when the layout cannot express `currency`.
    pub fn decode(
        &self,
        barcode: &Barcode,
        currency: Currency,
    ) -> Result<Option<VariableMeasure>, BarcodeError> {
        self.validate()?;
        let code = barcode.as_str();
        let prefix = self.prefixes.iter().find(|p| code.starts_with(p.as_str()));
        let (Symbology::Ean13, Some(prefix)) = (barcode.symbology(), prefix) else {
            return Ok(None);
        };
        let (item_code, rest) = code[prefix.len()..].split_at(usize::from(self.item_digits));
        let value: i64 = rest[..usize::from(self.value_digits)]
            .parse()
            .map_err(|_| BarcodeError::InvalidLayout("value field is not a number".into()))?;
        let measure = match self.kind {
            MeasureKind::Price => {
                Measure::Price(Money::new(value * self.price_scale(currency)?, currency))
            }
            MeasureKind::Weight => {
                Measure::Weight(Quantity::from_milli(value * self.weight_scale()))
            }
        };
        Ok(Some(VariableMeasure {
            prefix: prefix.clone(),
            item_code: item_code.to_owned(),
            measure,
        }))
    }

    /// Builds the label a scale would print, for in-store label printing and tests.
    pub fn encode(
        &self,
        prefix: &str,
        item_code: &str,
        measure: Measure,
    ) -> Result<Barcode, BarcodeError> {
        self.validate()?;
        if !self.prefixes.iter().any(|p| p == prefix) {
            return Err(BarcodeError::Unencodable(format!("prefix `{prefix}`")));
        }
        if item_code.len() != usize::from(self.item_digits)
            || !item_code.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(BarcodeError::Unencodable(format!(
                "item code `{item_code}`"
            )));
        }
        let (amount, scale) = match (self.kind, measure) {
            (MeasureKind::Price, Measure::Price(m)) => (m.minor, self.price_scale(m.currency)?),
            (MeasureKind::Weight, Measure::Weight(q)) => (q.milli(), self.weight_scale()),
            _ => return Err(BarcodeError::Unencodable(format!("{measure:?}"))),
        };
        let limit = 10_i64.pow(u32::from(self.value_digits));
        if amount < 0 || amount % scale != 0 || amount / scale >= limit {
            return Err(BarcodeError::Unencodable(format!("{measure:?}")));
        }
        let width = usize::from(self.value_digits);
        let body = format!("{prefix}{item_code}{:0width$}", amount / scale);
        Barcode::parse(&format!("{body}{}", gs1_check_digit(&body)?))
    }

    /// Minor units per step of the price field, e.g. 1 for EUR with 2 decimals.
    fn price_scale(&self, currency: Currency) -> Result<i64, BarcodeError> {
        let exp = currency.minor_units();
        match exp.checked_sub(u32::from(self.decimals)) {
            Some(diff) => Ok(10_i64.pow(diff)),
            None => Err(BarcodeError::InvalidLayout(format!(
                "{} price decimals but {currency} has {exp}",
                self.decimals
            ))),
        }
    }

    /// Milli-units per step of the weight field, e.g. 1 for 3 decimals (grams).
    fn weight_scale(&self) -> i64 {
        10_i64.pow(3_u32.saturating_sub(u32::from(self.decimals)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    #[test]
    fn default_layout_reads_an_embedded_price() {
        let label = Barcode::parse("2012345012349").unwrap();
        let decoded = Gs1Layout::default()
            .decode(&label, Currency::EUR)
            .unwrap()
            .unwrap();
        assert_eq!(decoded.item_code, "12345");
        assert_eq!(decoded.measure, Measure::Price(eur(1234)));
    }

    #[test]
    fn weight_layout_reads_grams() {
        let layout = Gs1Layout {
            prefixes: vec!["28".into()],
            kind: MeasureKind::Weight,
            decimals: 3,
            ..Gs1Layout::default()
        };
        let label = layout
            .encode("28", "00042", Measure::Weight(Quantity::from_milli(1235)))
            .unwrap();
        let decoded = layout.decode(&label, Currency::EUR).unwrap().unwrap();
        assert_eq!(decoded.measure, Measure::Weight(Quantity::from_milli(1235)));
    }

    #[test]
    fn ordinary_codes_are_not_scale_labels() {
        let ean = Barcode::parse("4006381333931").unwrap();
        assert_eq!(Gs1Layout::default().decode(&ean, Currency::EUR), Ok(None));
        let short = Barcode::parse("20123").unwrap();
        assert_eq!(Gs1Layout::default().decode(&short, Currency::EUR), Ok(None));
    }

    #[test]
    fn broken_layouts_are_reported_not_misread() {
        let layout = Gs1Layout {
            item_digits: 6,
            ..Gs1Layout::default()
        };
        let label = Barcode::parse("2012345012349").unwrap();
        assert!(matches!(
            layout.decode(&label, Currency::EUR),
            Err(BarcodeError::InvalidLayout(_))
        ));
        let yen = Gs1Layout::default().decode(&label, Currency::JPY);
        assert!(
            matches!(yen, Err(BarcodeError::InvalidLayout(_))),
            "2 decimals cannot be yen"
        );
    }

    #[test]
    fn values_that_do_not_fit_are_refused() {
        let layout = Gs1Layout::default();
        for m in [eur(-1), eur(100_000)] {
            assert!(
                layout.encode("20", "12345", Measure::Price(m)).is_err(),
                "{m}"
            );
        }
        assert!(layout.encode("20", "1234", Measure::Price(eur(1))).is_err());
        assert!(
            layout
                .encode("20", "12345", Measure::Weight(Quantity::ONE))
                .is_err()
        );
    }

    fn layout_and_label() -> impl Strategy<Value = (Gs1Layout, String, String, Measure)> {
        (1usize..=3, any::<bool>(), 0u8..=3, any::<u64>())
            .prop_flat_map(|(prefix_len, weight, decimals, seed)| {
                (1..=(11 - prefix_len))
                    .prop_map(move |item| (prefix_len, item, weight, decimals, seed))
            })
            .prop_map(|(prefix_len, item, weight, decimals, seed)| {
                let value_digits = 12 - prefix_len - item;
                let digits = format!("{seed:020}");
                let prefix = digits[..prefix_len].to_owned();
                let item_code = digits[prefix_len..prefix_len + item].to_owned();
                let value = (seed % 10_u64.pow(value_digits as u32)) as i64;
                let (kind, decimals, measure) = if weight {
                    let scale = 10_i64.pow(3 - u32::from(decimals));
                    (
                        MeasureKind::Weight,
                        decimals,
                        Measure::Weight(Quantity::from_milli(value * scale)),
                    )
                } else {
                    let decimals = decimals.min(2);
                    let scale = 10_i64.pow(2 - u32::from(decimals));
                    (
                        MeasureKind::Price,
                        decimals,
                        Measure::Price(eur(value * scale)),
                    )
                };
                let layout = Gs1Layout {
                    prefixes: vec![prefix.clone()],
                    item_digits: item as u8,
                    value_digits: value_digits as u8,
                    kind,
                    decimals,
                };
                (layout, prefix, item_code, measure)
            })
    }

    proptest! {
        #[test]
        fn encode_then_decode_round_trips((layout, prefix, item, measure) in layout_and_label()) {
            let label = layout.encode(&prefix, &item, measure).unwrap();
            prop_assert_eq!(validate_label(&label), Ok(()));
            let decoded = layout.decode(&label, Currency::EUR).unwrap();
            prop_assert_eq!(decoded, Some(VariableMeasure { prefix, item_code: item, measure }));
        }
    }

    fn validate_label(label: &Barcode) -> Result<(), BarcodeError> {
        super::super::validate_gtin(label.as_str())
    }
}
