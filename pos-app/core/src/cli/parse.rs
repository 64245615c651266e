//! Parsing of the CLI's compact argument forms (`CODExQTY`, `10%`, `AMOUNT:REF`).

use pos_shared::{Currency, Money, Quantity};

use crate::checkout::Discount;
use crate::error::{CoreError, CoreResult};

/// `CODE` or `CODExQTY` (quantity may be decimal: `APPLEx1.250`).
pub fn item(spec: &str) -> CoreResult<(String, i64)> {
    if let Some((code, qty)) = spec.rsplit_once(['x', 'X'])
        && !code.is_empty()
        && let Ok(q) = qty.parse::<Quantity>()
    {
        if !q.is_positive() {
            return Err(CoreError::invalid(format!(
                "quantity in `{spec}` must be more than zero"
            )));
        }
        return Ok((code.to_owned(), q.milli()));
    }
    // `MILKx0.0001` or `MILKx1e2` meant a quantity; saying "unknown barcode" would hide why.
    if let Some((code, qty)) = spec.rsplit_once(['x', 'X'])
        && !code.is_empty()
        && qty.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-')
        && qty
            .chars()
            .all(|c| c.is_ascii_digit() || ".,-+eE".contains(c))
    {
        return Err(CoreError::invalid(format!(
            "quantity `{qty}` in `{spec}` is not a quantity; write a number with at most 3 decimals, e.g. {code}x2 or {code}x0.250"
        )));
    }
    if spec.trim().is_empty() {
        return Err(CoreError::invalid("an empty item code"));
    }
    Ok((spec.trim().to_owned(), 1000))
}

/// An amount in the terminal currency: `12.34`, no larger than one entry may hold.
pub fn money(text: &str, currency: Currency) -> CoreResult<i64> {
    Ok(Money::parse(not_negative(text)?, currency)?
        .within_entry_limit()?
        .minor)
}

/// Amounts are typed as positive numbers: the command says which way the money goes.
fn not_negative(text: &str) -> CoreResult<&str> {
    if text.trim_start().starts_with('-') {
        return Err(CoreError::invalid(format!(
            "`{text}` is negative; enter amounts and discounts as positive numbers"
        )));
    }
    Ok(text)
}

/// `10%`, `12.5%` or an amount `1.50`.
pub fn discount(text: &str, currency: Currency) -> CoreResult<Discount> {
    not_negative(text)?;
    if let Some(p) = text.trim().strip_suffix('%') {
        // Two decimals of a percent are basis points: parse as a 2-decimal amount.
        let bp = Money::parse(p, Currency::EUR)
            .map_err(|_| CoreError::invalid(format!("`{text}` is not a percentage")))?
            .minor;
        if !(0..=10_000).contains(&bp) {
            return Err(CoreError::invalid(
                "a percentage discount is between 0% and 100%",
            ));
        }
        return Ok(Discount::Percent(u32::try_from(bp).unwrap_or(0)));
    }
    Ok(Discount::Amount(
        Money::parse(text, currency)?.within_entry_limit()?,
    ))
}

/// `AMOUNT:REFERENCE` for card tenders.
pub fn card(text: &str, currency: Currency) -> CoreResult<(i64, String)> {
    let (amount, reference) = text.split_once(':').ok_or_else(|| {
        CoreError::invalid(format!("card tender `{text}` must be AMOUNT:REFERENCE"))
    })?;
    Ok((money(amount, currency)?, reference.to_owned()))
}

/// `LINE:DISCOUNT`, e.g. `2:10%`.
pub fn line_discount(text: &str, currency: Currency) -> CoreResult<(usize, Discount)> {
    let (line, d) = text.split_once(':').ok_or_else(|| {
        CoreError::invalid(format!("line discount `{text}` must be LINE:DISCOUNT"))
    })?;
    let line = line
        .parse()
        .map_err(|_| CoreError::invalid(format!("`{line}` is not a line number")))?;
    Ok((line, discount(d, currency)?))
}

/// `KIND=AMOUNT` for counted tenders at a Z report.
pub fn counted(text: &str, currency: Currency) -> CoreResult<(String, i64)> {
    let (kind, amount) = text.split_once('=').ok_or_else(|| {
        CoreError::invalid(format!(
            "counted `{text}` must be KIND=AMOUNT, e.g. cash=120.50"
        ))
    })?;
    Ok((kind.trim().to_owned(), money(amount, currency)?))
}

/// `LINE` (all of the line not yet refunded: `None`) or `LINExQTY` of a sale being refunded.
pub fn refund_line(text: &str) -> CoreResult<(i64, Option<i64>)> {
    let explicit = text.contains(['x', 'X']);
    let (line, qty) = item(text)?;
    let line = line
        .parse()
        .map_err(|_| CoreError::invalid(format!("`{line}` is not a line number")))?;
    Ok((line, explicit.then_some(qty)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_with_and_without_quantity() {
        assert_eq!(
            item("4006381333931").unwrap(),
            ("4006381333931".into(), 1000)
        );
        assert_eq!(
            item("4006381333931x3").unwrap(),
            ("4006381333931".into(), 3000)
        );
        assert_eq!(item("APPLx1.25").unwrap(), ("APPL".into(), 1250));
        assert_eq!(
            item("BOX").unwrap(),
            ("BOX".into(), 1000),
            "an x inside a SKU is not a quantity"
        );
        assert!(item("Ax0").is_err());
        assert!(item("MILKx-1").is_err());
        for bad in ["MILKx0.0001", "MILKx1e2"] {
            let err = item(bad).unwrap_err().to_string();
            assert!(err.contains("is not a quantity"), "{bad}: {err}");
        }
    }

    #[test]
    fn discounts_and_tenders() {
        assert_eq!(
            discount("10%", Currency::EUR).unwrap(),
            Discount::Percent(1000)
        );
        assert_eq!(
            discount("12.5%", Currency::EUR).unwrap(),
            Discount::Percent(1250)
        );
        assert_eq!(
            discount("1.50", Currency::EUR).unwrap(),
            Discount::Amount(Money::new(150, Currency::EUR))
        );
        assert!(discount("150%", Currency::EUR).is_err());
        for negative in ["-10%", "-1.50"] {
            let err = discount(negative, Currency::EUR).unwrap_err().to_string();
            assert!(err.contains("is negative"), "{negative}: {err}");
        }
        assert!(money("-5", Currency::EUR).is_err());
        assert_eq!(
            card("5.00:AUTH1", Currency::EUR).unwrap(),
            (500, "AUTH1".into())
        );
        assert_eq!(
            counted("cash=12.30", Currency::EUR).unwrap(),
            ("cash".into(), 1230)
        );
        assert_eq!(refund_line("2x1").unwrap(), (2, Some(1000)));
        assert_eq!(refund_line("3").unwrap(), (3, None), "the rest of the line");
        assert_eq!(
            line_discount("2:10%", Currency::EUR).unwrap(),
            (2, Discount::Percent(1000))
        );
    }
}
