//! Code page 858 (PC858: Latin-1 letters and the euro sign), the table a receipt's text is
//! printed in. The `escpos` crate encodes text through its own copy of this table but
//! cannot say which characters are missing from it (they come out as UTF-8 bytes that
//! print as garbage), and cannot decode; both need the table here.

/// Bytes 0x80..=0xFF of CP858 (CP850 with 0xD5 = '€'), checked against Python's `cp858`.
const UPPER: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', 'ø', '£', 'Ø', '×', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '®', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', 'Á', 'Â', 'À', '©', '╣', '║', '╗', '╝', '¢', '¥', '┐', //
    '└', '┴', '┬', '├', '─', '┼', 'ã', 'Ã', '╚', '╔', '╩', '╦', '╠', '═', '╬', '¤', //
    'ð', 'Ð', 'Ê', 'Ë', 'È', '€', 'Í', 'Î', 'Ï', '┘', '┌', '█', '▄', '¦', 'Ì', '▀', //
    'Ó', 'ß', 'Ô', 'Ò', 'õ', 'Õ', 'µ', 'þ', 'Þ', 'Ú', 'Û', 'Ù', 'ý', 'Ý', '¯', '´', //
    '\u{ad}', '±', '‗', '¾', '¶', '§', '÷', '¸', '°', '¨', '·', '¹', '³', '²', '■', '\u{a0}',
];

/// The CP858 byte for `c`, if the code page has it.
pub fn encode_char(c: char) -> Option<u8> {
    if c.is_ascii() && !c.is_ascii_control() {
        return Some(c as u8);
    }
    UPPER
        .iter()
        .position(|&u| u == c)
        .and_then(|i| u8::try_from(0x80 + i).ok())
}

/// The character CP858 prints for byte `b` (control bytes are not text: `None`).
pub fn decode_byte(b: u8) -> Option<char> {
    match b {
        0x20..=0x7E => Some(char::from(b)),
        0x80..=0xFF => Some(UPPER[usize::from(b - 0x80)]),
        _ => None,
    }
}

/// `text` with every character CP858 lacks replaced by a near form ("ł" -> "l", "“" ->
/// '"'), or '?' when there is none, so a name typed in another script never sends bytes
/// the printer would print as garbage.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if encode_char(c).is_some() {
                c
            } else {
                fallback(c)
            }
        })
        .collect()
}

/// Whether `text` holds a letter or sign CP858 lacks and has no honest stand-in for, so
/// the line is printed as dots instead ([`super::glyphs`]): "Łódź" must not become
/// "Lódz". Typographic quotes, dashes and spaces have plain forms that mean the same.
pub fn needs_raster(text: &str) -> bool {
    text.chars()
        .any(|c| encode_char(c).is_none() && (c.is_alphanumeric() || fallback(c) == '?'))
}

fn fallback(c: char) -> char {
    match c {
        '‘' | '’' | '‚' | '′' => '\'',
        '“' | '”' | '„' | '″' => '"',
        '–' | '—' | '‐' | '−' => '-',
        '…' => '.',
        'ł' | 'ľ' | 'ĺ' => 'l',
        'Ł' | 'Ľ' | 'Ĺ' => 'L',
        'ś' | 'š' | 'ş' => 's',
        'Ś' | 'Š' | 'Ş' => 'S',
        'ć' | 'č' => 'c',
        'Ć' | 'Č' => 'C',
        'ž' | 'ź' | 'ż' => 'z',
        'Ž' | 'Ź' | 'Ż' => 'Z',
        'ń' | 'ň' => 'n',
        'ř' | 'ŕ' => 'r',
        'ę' | 'ě' | 'ė' => 'e',
        'ą' => 'a',
        'ő' => 'ö',
        'ű' => 'ü',
        'ğ' => 'g',
        c if c.is_whitespace() => ' ',
        _ => '?',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_upper_byte_round_trips() {
        for b in 0x80..=0xFFu8 {
            let c = decode_byte(b).expect("every upper byte is a character");
            assert_eq!(encode_char(c), Some(b), "byte {b:#x} ({c}) must come back");
        }
    }

    #[test]
    fn euro_and_accents_have_their_cp858_bytes() {
        assert_eq!(
            encode_char('€'),
            Some(0xD5),
            "the euro sign is why CP858, not CP850"
        );
        assert_eq!(encode_char('é'), Some(0x82));
        assert_eq!(encode_char('ß'), Some(0xE1));
        assert_eq!(encode_char('\n'), None, "control characters are not text");
    }

    #[test]
    fn letters_outside_the_page_need_a_raster_but_quotes_do_not() {
        assert!(!needs_raster("Crème brûlée “fine” – 5 €"));
        assert!(needs_raster("Łódź"));
        assert!(needs_raster("日本"));
        assert!(needs_raster("Coffee ☕"));
    }

    #[test]
    fn characters_outside_the_page_get_a_near_form() {
        assert_eq!(printable("Łódź “ok” – 5€"), "Lódz \"ok\" - 5€");
        assert_eq!(printable("日本"), "??");
    }
}
