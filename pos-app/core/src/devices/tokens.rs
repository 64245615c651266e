//! Splits an ESC/POS byte stream into commands and text, for the decoder and the virtual
//! printer. Only the commands Kassa and common POS software send are known; anything else
//! is reported, so a job Kassa builds can never hide a command a decoder would skip.
//! Command lengths follow the Epson ESC/POS command reference.

/// One command or run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// Printable bytes (in the selected code page).
    Text(Vec<u8>),
    /// LF, or `ESC d n` (print and feed n lines).
    Feed(u8),
    /// `ESC @`
    Init,
    /// `ESC t n`
    CodePage(u8),
    /// `ESC E n`
    Bold(bool),
    /// `ESC a n`: 0 left, 1 centre, 2 right.
    Justify(u8),
    /// `GS ! n`: width and height multipliers.
    Size(u8),
    /// `ESC p m t1 t2` or `DLE DC4 1 m t`
    Pulse { pin: u8, on_ms: u16, off_ms: u16 },
    /// `GS V m [n]`
    Cut,
    /// `GS ( k` QR code function 80: store the symbol's data.
    QrStore(Vec<u8>),
    /// `GS ( k` QR code function 81: print the stored symbol.
    QrPrint,
    /// `GS ( k` QR code function 67: the module size in dots.
    QrModule(u8),
    /// `GS k m ...`: a barcode of system `m` (73 is CODE128), its data without the NUL
    /// or length byte.
    Barcode { system: u8, data: Vec<u8> },
    /// `GS v 0 m xL xH yL yH d1..dk`: a raster image, `width_bytes` x `height`, the
    /// leftmost dot in each byte's high bit; `mode` doubles width (1, 3) or height (2, 3).
    Raster {
        mode: u8,
        width_bytes: u16,
        height: u16,
        data: Vec<u8>,
    },
    /// `DLE EOT n`: real-time status request.
    Status(u8),
    /// `GS r n`: status sent after the data before it was processed.
    PaperStatus(u8),
    /// Settings with no effect on the text (fonts, spacing, QR model/size/level, ...).
    Setting(Vec<u8>),
}

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const DLE: u8 = 0x10;

/// The next token at the start of `buf`: `Ok(None)` while it is incomplete, `Err` with
/// the offending bytes for an unknown command.
pub fn next(buf: &[u8]) -> Result<Option<(Token, usize)>, Vec<u8>> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    match first {
        b'\n' => Ok(Some((Token::Feed(1), 1))),
        b'\r' => Ok(Some((Token::Setting(vec![b'\r']), 1))),
        ESC => esc(buf),
        GS => gs(buf),
        DLE => dle(buf),
        0x20..=0x7E | 0x80..=0xFF => {
            let n = buf
                .iter()
                .take_while(|&&b| matches!(b, 0x20..=0x7E | 0x80..=0xFF))
                .count();
            Ok(Some((Token::Text(buf[..n].to_vec()), n)))
        }
        other => Err(vec![other]),
    }
}

/// `len` bytes from `buf` if they are there.
fn take(buf: &[u8], len: usize) -> Option<&[u8]> {
    buf.get(..len)
}

fn esc(buf: &[u8]) -> Result<Option<(Token, usize)>, Vec<u8>> {
    let Some(&cmd) = buf.get(1) else {
        return Ok(None);
    };
    let arg = |len: usize, make: fn(&[u8]) -> Token| Ok(take(buf, len).map(|b| (make(b), len)));
    match cmd {
        b'@' => arg(2, |_| Token::Init),
        b't' => arg(3, |b| Token::CodePage(b[2])),
        b'E' => arg(3, |b| Token::Bold(b[2] & 1 == 1)),
        b'a' => arg(3, |b| Token::Justify(b[2] % 48)),
        b'd' => arg(3, |b| Token::Feed(b[2])),
        b'p' => arg(5, |b| Token::Pulse {
            pin: if b[2] % 48 == 1 { 5 } else { 2 },
            on_ms: u16::from(b[3]) * 2,
            off_ms: u16::from(b[4]) * 2,
        }),
        b'M' | b'-' | b'G' | b'3' | b'R' | b'V' | b'{' | b'!' | b'J' => {
            arg(3, |b| Token::Setting(b.to_vec()))
        }
        b'2' => arg(2, |b| Token::Setting(b.to_vec())),
        _ => Err(buf[..2].to_vec()),
    }
}

fn gs(buf: &[u8]) -> Result<Option<(Token, usize)>, Vec<u8>> {
    let Some(&cmd) = buf.get(1) else {
        return Ok(None);
    };
    let arg = |len: usize, make: fn(&[u8]) -> Token| Ok(take(buf, len).map(|b| (make(b), len)));
    match cmd {
        b'!' => arg(3, |b| Token::Size(b[2])),
        b'r' => arg(3, |b| Token::PaperStatus(b[2])),
        b'B' | b'b' | b'H' | b'f' | b'h' | b'w' => arg(3, |b| Token::Setting(b.to_vec())),
        b'V' => match buf.get(2) {
            None => Ok(None),
            Some(0 | 1 | 48 | 49) => arg(3, |_| Token::Cut),
            Some(_) => arg(4, |_| Token::Cut),
        },
        b'(' => gs_paren(buf),
        b'k' => gs_k(buf),
        b'v' => gs_v0(buf),
        _ => Err(buf[..2].to_vec()),
    }
}

/// `GS k m d1..dk NUL` (m 0-6) or `GS k m n d1..dn` (m 65-79).
fn gs_k(buf: &[u8]) -> Result<Option<(Token, usize)>, Vec<u8>> {
    let Some(&system) = buf.get(2) else {
        return Ok(None);
    };
    match system {
        0..=6 => Ok(buf[3..].iter().position(|&b| b == 0).map(|end| {
            let data = buf[3..3 + end].to_vec();
            (Token::Barcode { system, data }, 3 + end + 1)
        })),
        65..=79 => {
            let Some(&n) = buf.get(3) else {
                return Ok(None);
            };
            let len = 4 + usize::from(n);
            Ok(take(buf, len).map(|all| {
                let data = all[4..].to_vec();
                (Token::Barcode { system, data }, len)
            }))
        }
        _ => Err(buf[..3].to_vec()),
    }
}

/// `GS v 0 m xL xH yL yH` and `(xL + 256 xH) * (yL + 256 yH)` bytes of dots.
fn gs_v0(buf: &[u8]) -> Result<Option<(Token, usize)>, Vec<u8>> {
    let Some(head) = take(buf, 8) else {
        return Ok(None);
    };
    if head[2] != b'0' || !matches!(head[3], 0..=3 | 48..=51) {
        return Err(head[..3].to_vec());
    }
    let width_bytes = u16::from_le_bytes([head[4], head[5]]);
    let height = u16::from_le_bytes([head[6], head[7]]);
    let len = 8 + usize::from(width_bytes) * usize::from(height);
    Ok(take(buf, len).map(|all| {
        let token = Token::Raster {
            mode: head[3] % 48,
            width_bytes,
            height,
            data: all[8..].to_vec(),
        };
        (token, len)
    }))
}

/// `GS ( k pL pH cn fn ...`: a 2D code function with `pL + 256 pH` bytes after pH.
fn gs_paren(buf: &[u8]) -> Result<Option<(Token, usize)>, Vec<u8>> {
    let Some(head) = take(buf, 5) else {
        return Ok(None);
    };
    if head[2] != b'k' {
        return Err(head[..3].to_vec());
    }
    let len = 5 + usize::from(head[3]) + 256 * usize::from(head[4]);
    let Some(all) = take(buf, len) else {
        return Ok(None);
    };
    let body = &all[5..];
    let token = match body {
        // cn 49 = QR code; fn 80 stores (m = 48, then the data), fn 81 prints.
        [49, 80, 48, data @ ..] => Token::QrStore(data.to_vec()),
        [49, 81, ..] => Token::QrPrint,
        [49, 67, n] => Token::QrModule(*n),
        _ => Token::Setting(all.to_vec()),
    };
    Ok(Some((token, len)))
}

/// Real-time commands: `DLE EOT n` (status) and `DLE DC4 1 m t` (drawer pulse of t x 100
/// ms, obeyed even while a fault stops printing).
fn dle(buf: &[u8]) -> Result<Option<(Token, usize)>, Vec<u8>> {
    match (buf.get(1), buf.get(2)) {
        (None, _) | (Some(0x04 | 0x14), None) => Ok(None),
        (Some(0x04), Some(&n)) => Ok(Some((Token::Status(n), 3))),
        (Some(0x14), Some(1)) => Ok(take(buf, 5).map(|b| {
            let ms = u16::from(b[4]) * 100;
            let pin = if b[3] == 1 { 5 } else { 2 };
            (
                Token::Pulse {
                    pin,
                    on_ms: ms,
                    off_ms: ms,
                },
                5,
            )
        })),
        _ => Err(buf[..2].to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_commands_wait_for_more_bytes() {
        assert_eq!(next(&[ESC]), Ok(None));
        assert_eq!(next(&[GS, b'(', b'k', 5, 0, 49]), Ok(None));
        assert_eq!(next(&[DLE, 4]), Ok(None));
        assert_eq!(next(&[DLE, 4, 1]), Ok(Some((Token::Status(1), 3))));
    }

    #[test]
    fn qr_data_is_taken_whole_even_when_it_holds_command_bytes() {
        let mut cmd = vec![GS, b'(', b'k', 7, 0, 49, 80, 48, DLE, 4, 1, ESC];
        cmd.push(b'x');
        let (token, used) = next(&cmd).unwrap().unwrap();
        assert_eq!(token, Token::QrStore(vec![DLE, 4, 1, ESC]));
        assert_eq!(used, 12);
    }

    #[test]
    fn barcodes_and_rasters_are_taken_whole() {
        let code = [GS, b'k', 73, 4, b'{', b'C', 0, 7, b'x'];
        let (token, used) = next(&code).unwrap().unwrap();
        assert_eq!(
            token,
            Token::Barcode {
                system: 73,
                data: vec![b'{', b'C', 0, 7]
            }
        );
        assert_eq!(used, 8);
        assert_eq!(
            next(&[GS, b'k', 4, b'A', b'B']),
            Ok(None),
            "waits for the NUL"
        );
        let raster = [GS, b'v', b'0', 0, 1, 0, 2, 0, 0x80, 0x01];
        assert_eq!(next(&raster[..9]), Ok(None));
        let (token, used) = next(&raster).unwrap().unwrap();
        assert_eq!(used, 10);
        assert!(matches!(
            token,
            Token::Raster {
                width_bytes: 1,
                height: 2,
                ..
            }
        ));
    }

    #[test]
    fn unknown_commands_are_reported() {
        assert_eq!(next(&[ESC, b'Z', 1]), Err(vec![ESC, b'Z']));
        assert_eq!(next(&[0x07]), Err(vec![0x07]));
    }
}
