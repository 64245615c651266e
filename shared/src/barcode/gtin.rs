//! GS1 check digits (EAN-13, EAN-8, UPC-A, GTIN-14), UPC-E expansion and Code 128
//! payload limits. Check digit algorithm: GS1 General Specifications §7.9.1.

use super::BarcodeError;

/// Longest Code 128 payload accepted. GS1 caps a GS1-128 symbol at 48 data characters;
/// longer symbols also outgrow what handheld scanners read reliably.
pub const CODE128_MAX_LEN: usize = 48;

/// Computes the GS1 mod-10 check digit for `body` (the code without its check digit):
/// digits weighted 3, 1, 3, ... from the right.
pub fn gs1_check_digit(body: &str) -> Result<u8, BarcodeError> {
    let mut sum: u32 = 0;
    for (i, c) in body.chars().rev().enumerate() {
        let d = c.to_digit(10).ok_or(BarcodeError::InvalidCharacter(c))?;
        sum += if i % 2 == 0 { 3 * d } else { d };
    }
    // sum % 10 < 10, so the result is a single digit.
    Ok(((10 - sum % 10) % 10) as u8)
}

/// Validates a GTIN of any GS1 length: 8 (EAN-8), 12 (UPC-A), 13 (EAN-13), 14 (GTIN-14).
pub fn validate_gtin(code: &str) -> Result<(), BarcodeError> {
    if !matches!(code.len(), 8 | 12 | 13 | 14) || !code.is_ascii() {
        return Err(BarcodeError::WrongLength {
            found: code.chars().count(),
        });
    }
    let (body, check) = code.split_at(code.len() - 1);
    let expected = gs1_check_digit(body)?;
    let found =
        check
            .chars()
            .next()
            .and_then(|c| c.to_digit(10))
            .ok_or(BarcodeError::InvalidCharacter(
                check.chars().next().unwrap_or(' '),
            ))?;
    if u32::from(expected) == found {
        Ok(())
    } else {
        Err(BarcodeError::CheckDigit {
            expected,
            found: found as u8,
        })
    }
}

/// Expands an 8-digit UPC-E code (number system 0 or 1, six digits, check digit) to
/// its 12-digit UPC-A form, verifying the check digit. Eight-digit scans are read as
/// EAN-8 by [`super::Barcode::parse`]; terminals whose scanners send raw UPC-E call this
/// first (better: configure the scanner to transmit UPC-E expanded).
pub fn upce_to_upca(code: &str) -> Result<String, BarcodeError> {
    let digits: Vec<char> = code.trim().chars().collect();
    if digits.len() != 8 || !matches!(digits[0], '0' | '1') {
        return Err(BarcodeError::NotUpcE);
    }
    if let Some(&c) = digits.iter().find(|c| !c.is_ascii_digit()) {
        return Err(BarcodeError::InvalidCharacter(c));
    }
    let ns = digits[0];
    let [d1, d2, d3, d4, d5, d6] = [1, 2, 3, 4, 5, 6].map(|i| digits[i]);
    // Zero-suppression rules keyed by the last data digit (GS1 GenSpecs §2.1.3.2).
    let body: String = match d6 {
        '0'..='2' => [ns, d1, d2, d6, '0', '0', '0', '0', d3, d4, d5]
            .iter()
            .collect(),
        '3' => [ns, d1, d2, d3, '0', '0', '0', '0', '0', d4, d5]
            .iter()
            .collect(),
        '4' => [ns, d1, d2, d3, d4, '0', '0', '0', '0', '0', d5]
            .iter()
            .collect(),
        _ => [ns, d1, d2, d3, d4, d5, '0', '0', '0', '0', d6]
            .iter()
            .collect(),
    };
    let upca = format!("{body}{}", gs1_check_digit(&body)?);
    let found = digits[7];
    if upca.ends_with(found) {
        Ok(upca)
    } else {
        Err(BarcodeError::CheckDigit {
            expected: gs1_check_digit(&body)?,
            found: found.to_digit(10).unwrap_or(0) as u8,
        })
    }
}

/// Checks that `payload` can be carried by a Code 128 label: 1 to
/// [`CODE128_MAX_LEN`] printable ASCII characters (no control characters such as the
/// GS separator of GS1-128 element strings, which Kassa does not interpret).
pub fn validate_code128(payload: &str) -> Result<(), BarcodeError> {
    if payload.is_empty() {
        return Err(BarcodeError::Empty);
    }
    if let Some(c) = payload.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(BarcodeError::InvalidCharacter(c));
    }
    if payload.len() > CODE128_MAX_LEN {
        return Err(BarcodeError::TooLong {
            found: payload.len(),
            max: CODE128_MAX_LEN,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes_validate() {
        for code in [
            "4006381333931",
            "96385074",
            "036000291452",
            "00012345600012",
        ] {
            assert_eq!(validate_gtin(code), Ok(()), "{code} is a real, valid GTIN");
        }
    }

    #[test]
    fn wrong_check_digit_says_what_was_expected() {
        assert_eq!(
            validate_gtin("4006381333932"),
            Err(BarcodeError::CheckDigit {
                expected: 1,
                found: 2
            })
        );
        assert!(matches!(
            validate_gtin("12345"),
            Err(BarcodeError::WrongLength { found: 5 })
        ));
        assert!(matches!(
            validate_gtin("40063813339é"),
            Err(BarcodeError::WrongLength { .. })
        ));
        assert_eq!(
            validate_gtin("400638133393X"),
            Err(BarcodeError::InvalidCharacter('X'))
        );
    }

    #[test]
    fn upce_expands_per_gs1_rules() {
        assert_eq!(upce_to_upca("01234565").as_deref(), Ok("012345000065"));
        assert_eq!(upce_to_upca("04252614").as_deref(), Ok("042100005264"));
        assert!(matches!(
            upce_to_upca("01234566"),
            Err(BarcodeError::CheckDigit { .. })
        ));
        assert_eq!(upce_to_upca("21234565"), Err(BarcodeError::NotUpcE));
    }

    #[test]
    fn code128_limits() {
        assert_eq!(validate_code128("ABC-123 x"), Ok(()));
        assert_eq!(
            validate_code128("A\u{1d}B"),
            Err(BarcodeError::InvalidCharacter('\u{1d}'))
        );
        assert!(matches!(
            validate_code128(&"A".repeat(49)),
            Err(BarcodeError::TooLong { .. })
        ));
        assert_eq!(validate_code128(""), Err(BarcodeError::Empty));
    }

    proptest! {
        #[test]
        fn computed_check_digit_validates_and_catches_one_wrong_digit(
            body in "[0-9]{7}|[0-9]{11}|[0-9]{12}|[0-9]{13}",
            pos in any::<prop::sample::Index>(),
            bump in 1u8..10,
        ) {
            let code = format!("{body}{}", gs1_check_digit(&body).unwrap());
            prop_assert_eq!(validate_gtin(&code), Ok(()));

            // Weights 1 and 3 are coprime with 10, so any single wrong digit is caught.
            let mut bytes = code.into_bytes();
            let i = pos.index(bytes.len());
            bytes[i] = b'0' + (bytes[i] - b'0' + bump) % 10;
            let corrupted = String::from_utf8(bytes).unwrap();
            prop_assert!(validate_gtin(&corrupted).is_err(), "{} must fail", corrupted);
        }
    }
}
