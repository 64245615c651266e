//! Scanned product codes: normalisation, symbology and check-digit validation, plus
//! GS1 variable-measure (scale label) decoding. Errors tell the cashier what to do.

mod gtin;
mod variable;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use gtin::{CODE128_MAX_LEN, gs1_check_digit, upce_to_upca, validate_code128, validate_gtin};
pub use variable::{Gs1Layout, Measure, MeasureKind, VariableMeasure};

/// Why a scan or a scale layout was rejected. Messages are shown to the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("nothing was scanned: scan the item again")]
    Empty,
    #[error("check digit wrong (expected {expected}, read {found}): rescan or type the code")]
    CheckDigit { expected: u8, found: u8 },
    #[error("a product number has 8, 12, 13 or 14 digits, this one has {found}: rescan")]
    WrongLength { found: usize },
    #[error("barcode contains {0:?}, which Kassa cannot read: rescan or type the code")]
    InvalidCharacter(char),
    #[error("barcode is {found} characters long, more than {max}: rescan or type the code")]
    TooLong { found: usize, max: usize },
    #[error("not a UPC-E code (8 digits starting with 0 or 1): rescan")]
    NotUpcE,
    #[error("scale label layout is wrong ({0}): ask a manager to fix the scale settings")]
    InvalidLayout(String),
    #[error("{0} cannot be printed on this scale label: check the label layout")]
    Unencodable(String),
}

/// What kind of code a [`Barcode`] holds. UPC-A and UPC-E appear as `Ean13`: they are
/// EAN-13 codes with a leading zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    Ean13,
    Ean8,
    /// 14-digit GTIN with a non-zero indicator digit (outer cases, GS1 DataBar).
    Gtin14,
    /// Any other printable-ASCII payload (in-store labels, shelf codes).
    Code128,
}

/// A validated, normalised barcode, ready for catalog lookup.
///
/// Normalisation: surrounding whitespace is trimmed; spaces and hyphens typed inside a
/// number ("4 006381 333931") are dropped when the rest is a valid GTIN; UPC-A (12
/// digits) and GTIN-14 with indicator 0 become their 13-digit form. Scanners disagree on
/// whether they send UPC-A as 12 or 13 digits, so one stored form keeps lookups exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Barcode(String);

impl Barcode {
    /// Normalises and validates scanner or keyboard input.
    pub fn parse(input: &str) -> Result<Barcode, BarcodeError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(BarcodeError::Empty);
        }
        if trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Self::from_digits(trimmed);
        }
        let digits: String = trimmed
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if matches!(digits.len(), 8 | 12 | 13 | 14)
            && digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(code) = Self::from_digits(&digits)
        {
            return Ok(code);
        }
        validate_code128(trimmed)?;
        Ok(Barcode(trimmed.to_owned()))
    }

    fn from_digits(digits: &str) -> Result<Barcode, BarcodeError> {
        match digits.len() {
            // Eight digits that fail as an EAN-8 may be a UPC-E sent unexpanded (many
            // scanners ship so): its UPC-A form is what catalogs hold.
            8 => validate_gtin(digits)
                .map(|()| Barcode(digits.to_owned()))
                .or_else(|ean8| match upce_to_upca(digits) {
                    Ok(upca) => Ok(Barcode(format!("0{upca}"))),
                    Err(_) => Err(ean8),
                }),
            13 => validate_gtin(digits).map(|()| Barcode(digits.to_owned())),
            12 => validate_gtin(digits).map(|()| Barcode(format!("0{digits}"))),
            14 => {
                validate_gtin(digits)?;
                let short = digits.strip_prefix('0').unwrap_or(digits);
                Ok(Barcode(short.to_owned()))
            }
            _ => validate_code128(digits).map(|()| Barcode(digits.to_owned())),
        }
    }

    /// The normalised code, as stored in the catalog.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The kind of code, read from the normalised form.
    pub fn symbology(&self) -> Symbology {
        let digits = self.0.bytes().all(|b| b.is_ascii_digit());
        match self.0.len() {
            13 if digits => Symbology::Ean13,
            8 if digits => Symbology::Ean8,
            14 if digits => Symbology::Gtin14,
            _ => Symbology::Code128,
        }
    }
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Barcode {
    type Err = BarcodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Barcode::parse(s)
    }
}

impl TryFrom<String> for Barcode {
    type Error = BarcodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Barcode::parse(&s)
    }
}

impl From<Barcode> for String {
    fn from(b: Barcode) -> Self {
        b.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gtins_are_classified_and_normalised() {
        let ean = Barcode::parse(" 4006381333931\r\n").unwrap();
        assert_eq!(
            (ean.as_str(), ean.symbology()),
            ("4006381333931", Symbology::Ean13)
        );
        let upc = Barcode::parse("036000291452").unwrap();
        assert_eq!(
            upc.as_str(),
            "0036000291452",
            "UPC-A is stored in its 13-digit form"
        );
        assert_eq!(upc, Barcode::parse("0036000291452").unwrap());
        assert_eq!(
            Barcode::parse("96385074").unwrap().symbology(),
            Symbology::Ean8
        );
        assert_eq!(
            Barcode::parse("04252614").unwrap(),
            Barcode::parse("042100005264").unwrap(),
            "a UPC-E sent unexpanded is read as its UPC-A"
        );
        assert!(
            Barcode::parse("04252615").is_err(),
            "neither an EAN-8 nor a UPC-E check digit"
        );
        assert_eq!(
            Barcode::parse("00012345600012").unwrap().as_str(),
            "0012345600012"
        );
        assert_eq!(
            Barcode::parse("10012345600019").unwrap().symbology(),
            Symbology::Gtin14
        );
    }

    #[test]
    fn typed_separators_are_dropped_from_numbers_only() {
        assert_eq!(
            Barcode::parse("4 006381 333931").unwrap().as_str(),
            "4006381333931"
        );
        let internal = Barcode::parse("12-34").unwrap();
        assert_eq!(
            (internal.as_str(), internal.symbology()),
            ("12-34", Symbology::Code128)
        );
    }

    #[test]
    fn bad_scans_are_rejected_with_a_reason() {
        assert_eq!(Barcode::parse("   "), Err(BarcodeError::Empty));
        assert!(matches!(
            Barcode::parse("4006381333932"),
            Err(BarcodeError::CheckDigit { .. })
        ));
        assert!(matches!(
            Barcode::parse("ab\tc"),
            Err(BarcodeError::InvalidCharacter('\t'))
        ));
        let msg = Barcode::parse("4006381333932").unwrap_err().to_string();
        assert!(
            msg.contains("rescan"),
            "the cashier must learn what to do: {msg}"
        );
    }

    #[test]
    fn other_lengths_are_internal_codes() {
        let plu = Barcode::parse("4011").unwrap();
        assert_eq!(plu.symbology(), Symbology::Code128);
        assert_eq!(Barcode::parse("SKU-99/B").unwrap().as_str(), "SKU-99/B");
    }

    #[test]
    fn deserialising_validates() {
        let b: Barcode = serde_json::from_str("\"036000291452\"").unwrap();
        assert_eq!(serde_json::to_value(&b).unwrap(), "0036000291452");
        assert!(serde_json::from_str::<Barcode>("\"4006381333932\"").is_err());
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(input in "[ -~]{1,20}") {
            if let Ok(code) = Barcode::parse(&input) {
                prop_assert_eq!(Barcode::parse(code.as_str()), Ok(code.clone()));
            }
        }
    }
}
