//! The receipt's barcode: its number as CODE128. The `GS k` command is written here
//! because the `escpos` crate only has its function A (m = 0-6), which has no CODE128;
//! the bars a preview draws come from `barcoders`.

/// `GS k` system 73: CODE128, data length in one byte after it.
const SYSTEM: u8 = 73;
/// Bar height in dots (about 8 mm at 203 dpi: scanners read it at a glance).
const HEIGHT: u8 = 64;

/// The receipt number as its barcode carries it: ten digits, zero-padded. Not eight,
/// twelve, thirteen or fourteen, which a scanner's reader takes for an EAN, UPC or GTIN
/// with a check digit and refuses; `sales::find_id` reads the padded number back.
pub fn receipt_code(receipt_no: i64) -> String {
    let digits = format!("{:010}", receipt_no.max(0));
    if !digits.len().is_multiple_of(2) {
        format!("0{digits}")
    } else {
        digits
    }
}

/// The CODE128 data of `text` as `GS k` takes it: code set C (digits in pairs, half the
/// width) when `text` is an even run of digits, code set B otherwise.
fn data(text: &str) -> Vec<u8> {
    let digits = !text.is_empty()
        && text.len().is_multiple_of(2)
        && text.bytes().all(|b| b.is_ascii_digit());
    if digits {
        let mut out = b"{C".to_vec();
        out.extend(
            text.as_bytes()
                .chunks(2)
                .map(|p| (p[0] - b'0') * 10 + (p[1] - b'0')),
        );
        return out;
    }
    let mut out = b"{B".to_vec();
    for b in text.bytes().filter(|b| (0x20..0x7F).contains(b)) {
        if b == b'{' {
            out.push(b'{');
        }
        out.push(b);
    }
    out
}

/// The whole command for `text`, `module` dots per bar module: bar width (`GS w`), height
/// (`GS h`), the digits printed under the bars (`GS H 2`, font A), then `GS k`.
pub fn command(text: &str, module: u8) -> Vec<u8> {
    let mut d = data(text);
    d.truncate(255);
    let mut out = vec![
        0x1D,
        b'w',
        module.clamp(2, 6),
        0x1D,
        b'h',
        HEIGHT,
        0x1D,
        b'H',
        2,
        0x1D,
        b'f',
        0,
    ];
    out.extend_from_slice(&[0x1D, b'k', SYSTEM, d.len() as u8]);
    out.extend_from_slice(&d);
    out
}

/// The human-readable text of `GS k` CODE128 data; `None` when it is not CODE128 data
/// Kassa can read.
pub fn text(data: &[u8]) -> Option<String> {
    barcoders_input(data).map(|s| {
        s.chars()
            .filter(|c| !matches!(c, 'À' | 'Ɓ' | 'Ć'))
            .collect()
    })
}

/// `GS k` data as `barcoders` spells it ("{C" -> 'Ć' and the pairs as digits, and so on).
fn barcoders_input(data: &[u8]) -> Option<String> {
    let mut out = String::new();
    let mut set = 0u8;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == b'{' {
            let next = *data.get(i + 1)?;
            match next {
                b'A' | b'B' | b'C' => {
                    set = next;
                    out.push(match next {
                        b'A' => 'À',
                        b'B' => 'Ɓ',
                        _ => 'Ć',
                    });
                }
                b'{' if set != b'C' => out.push('{'),
                _ => return None,
            }
            i += 2;
            continue;
        }
        match set {
            b'C' if b <= 99 => out.push_str(&format!("{b:02}")),
            b'A' | b'B' if b < 0x80 => out.push(char::from(b)),
            _ => return None,
        }
        i += 1;
    }
    (set != 0).then_some(out)
}

/// The symbol's modules (bars `1`, spaces `0`), start to stop; `None` for data that is
/// not CODE128 Kassa can draw.
pub fn modules(data: &[u8]) -> Option<Vec<u8>> {
    let input = barcoders_input(data)?;
    let code = barcoders::sym::code128::Code128::new(input).ok()?;
    Some(code.encode())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_numbers_are_ten_digits_in_code_set_c() {
        assert_eq!(receipt_code(7), "0000000007");
        assert_eq!(receipt_code(123_456_789_012), "123456789012");
        assert_eq!(receipt_code(12_345_678_901), "012345678901");
        let cmd = command("0000000007", 2);
        let k = cmd.windows(2).position(|w| w == [0x1D, b'k']).unwrap();
        assert_eq!(&cmd[k + 2..], &[73, 7, b'{', b'C', 0, 0, 0, 0, 7]);
        assert!(
            pos_shared::barcode::Barcode::parse("0000000007").is_ok(),
            "the till's scanner takes it back"
        );
    }

    #[test]
    fn data_reads_back_as_text_and_bars() {
        assert_eq!(text(&data("0000000007")).as_deref(), Some("0000000007"));
        assert_eq!(text(&data("R-7{x}")).as_deref(), Some("R-7{x}"));
        let bars = modules(&data("0000000007")).unwrap();
        // Start, 5 pairs, check, stop (13 modules) and a 2-module bar to end.
        assert_eq!(bars.len(), 11 * 7 + 13 + 2 - 2, "{}", bars.len());
        assert_eq!(&bars[..2], &[1, 1], "a symbol starts with a bar");
        assert_eq!(text(b"{X12"), None);
        assert_eq!(modules(b"no code set"), None);
    }
}
