//! ISO-4217 currency codes and their minor-unit exponents, which decide how many
//! decimals an integer amount of minor units represents.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::money::MoneyError;

/// A three-letter ISO-4217 code, always stored uppercase.
///
/// Parsing accepts any case (`"eur"` becomes `EUR`) so hand-typed configuration works,
/// but anything other than three ASCII letters is rejected.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// Current ISO-4217 currencies that shops sell in (no metals, funds or test codes), sorted.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
    "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
    "ZWL",
];

/// True when `currency` is a code a shop can sell in. `Currency::new` accepts any three
/// letters so stored data always loads; setting up a terminal checks with this.
pub fn is_iso_4217(currency: Currency) -> bool {
    ISO_4217.binary_search(&currency.as_str()).is_ok()
}

/// ISO-4217 currencies without minor units.
const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
/// ISO-4217 currencies with thousandths (fils, baisa, millimes).
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
/// ISO-4217 units of account with four decimals.
const FOUR_DECIMALS: &[&str] = &["CLF", "UYW"];

impl Currency {
    // The currencies tests and defaults use; any other code goes through `new`.
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Pound sterling.
    pub const GBP: Currency = Currency(*b"GBP");
    /// Swiss franc (cash rounds to 0.05).
    pub const CHF: Currency = Currency(*b"CHF");
    /// Swedish krona (cash rounds to whole kronor).
    pub const SEK: Currency = Currency(*b"SEK");
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency(*b"JPY");
    /// Kuwaiti dinar (three decimals).
    pub const KWD: Currency = Currency(*b"KWD");

    /// Parses a code such as `"EUR"` (case-insensitive, surrounding whitespace ignored).
    pub fn new(code: &str) -> Result<Currency, MoneyError> {
        let bytes = code.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => Ok(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(MoneyError::InvalidCurrency(code.to_owned())),
        }
    }

    /// The code as text, e.g. `"EUR"`.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters ever get in, so this cannot fail; "XXX" is ISO's "no currency".
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many decimal digits one major unit has: 2 for EUR (cents), 0 for JPY, 3 for KWD.
    /// Codes not in ISO's exception lists default to 2, which is right for nearly all.
    pub fn minor_units(&self) -> u32 {
        let code = self.as_str();
        if ZERO_DECIMALS.contains(&code) {
            0
        } else if THREE_DECIMALS.contains(&code) {
            3
        } else if FOUR_DECIMALS.contains(&code) {
            4
        } else {
            2
        }
    }

    /// Minor units per major unit: 100 for EUR, 1 for JPY, 1000 for KWD.
    pub fn minor_per_major(&self) -> i64 {
        10_i64.pow(self.minor_units())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::new(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_currencies_are_iso_4217() {
        for code in ["EUR", "usd", "CHF", "JPY", "KWD", "SEK"] {
            assert!(is_iso_4217(Currency::new(code).unwrap()), "{code}");
        }
        // Made-up codes, ISO's "no currency" code and gold: none is money a shop takes.
        for code in ["XYZ", "ABC", "XXX", "XAU"] {
            assert!(!is_iso_4217(Currency::new(code).unwrap()), "{code}");
        }
    }

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(Currency::EUR.minor_units(), 2);
        assert_eq!(Currency::JPY.minor_units(), 0, "yen has no minor unit");
        assert_eq!(Currency::new("KRW").unwrap().minor_units(), 0);
        assert_eq!(Currency::new("ISK").unwrap().minor_units(), 0);
        for code in ["BHD", "KWD", "JOD", "OMR", "TND"] {
            assert_eq!(Currency::new(code).unwrap().minor_units(), 3, "{code}");
        }
        assert_eq!(Currency::KWD.minor_per_major(), 1000);
    }

    #[test]
    fn codes_are_normalised_to_uppercase() {
        assert_eq!(Currency::new(" eur ").unwrap(), Currency::EUR);
        assert_eq!(Currency::new("Chf").unwrap().to_string(), "CHF");
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for bad in ["", "EU", "EURO", "E1R", "€€€", "E R"] {
            assert!(
                Currency::new(bad).is_err(),
                "`{bad}` must not become a currency"
            );
        }
    }

    #[test]
    fn serialises_as_a_bare_code() {
        assert_eq!(serde_json::to_value(Currency::CHF).unwrap(), "CHF");
        let c: Currency = serde_json::from_str("\"usd\"").unwrap();
        assert_eq!(c, Currency::USD);
        assert!(serde_json::from_str::<Currency>("\"dollars\"").is_err());
    }
}
