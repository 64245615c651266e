//! ESC/POS bytes back to what a customer would read: lines of text with their emphasis,
//! QR codes, cuts and drawer pulses. Tests read print jobs with it, and a receipt preview
//! can show exactly the bytes a printer was sent.

use serde::Serialize;

use super::code128;
use super::cp858;
use super::raster::Raster;
use super::tokens::{self, Token};

/// One printed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintedLine {
    pub text: String,
    pub centered: bool,
    pub bold: bool,
    pub tall: bool,
}

/// One thing on the paper, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Printed {
    Line(PrintedLine),
    Qr {
        payload: String,
        /// Dots per module.
        module: u8,
        centered: bool,
    },
    /// A `GS k` barcode: `text` as printed under it (`None` when Kassa cannot read it).
    Barcode {
        system: u8,
        text: Option<String>,
        #[serde(skip)]
        data: Vec<u8>,
        module: u8,
        height: u8,
        /// The digits are printed under the bars (`GS H`).
        hri: bool,
        centered: bool,
    },
    /// A raster image (a logo, or a line printed as dots).
    Image {
        width: u32,
        height: u32,
        #[serde(skip)]
        raster: Raster,
        centered: bool,
    },
    Cut,
}

/// A decoded print job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Decoded {
    pub printed: Vec<Printed>,
    /// Drawer pulses as (pin, on ms, off ms).
    pub pulses: Vec<(u8, u16, u16)>,
    /// Bytes that are no command this decoder knows, with their offset.
    pub unknown: Vec<(usize, Vec<u8>)>,
}

impl Decoded {
    /// The paper as text: one line each, QR codes as `[qr PAYLOAD]`, cuts as `--- cut ---`.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for p in &self.printed {
            match p {
                Printed::Line(l) => out.push_str(&l.text),
                Printed::Qr { payload, .. } => out.push_str(&format!("[qr {payload}]")),
                Printed::Barcode { system, text, .. } => out.push_str(&format!(
                    "[barcode {} {}]",
                    if *system == 73 {
                        "CODE128".to_owned()
                    } else {
                        format!("#{system}")
                    },
                    text.as_deref().unwrap_or("?")
                )),
                Printed::Image { width, height, .. } => {
                    out.push_str(&format!("[image {width}x{height}]"));
                }
                Printed::Cut => out.push_str("--- cut ---"),
            }
            out.push('\n');
        }
        out
    }

    /// The printed lines' text, trimmed, blank ones left out.
    pub fn lines(&self) -> Vec<String> {
        self.printed
            .iter()
            .filter_map(|p| match p {
                Printed::Line(l) if !l.text.trim().is_empty() => Some(l.text.trim().to_owned()),
                _ => None,
            })
            .collect()
    }

    pub fn qr_codes(&self) -> Vec<&str> {
        self.printed
            .iter()
            .filter_map(|p| match p {
                Printed::Qr { payload, .. } => Some(payload.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The text of each barcode (`?` for one Kassa cannot read).
    pub fn barcodes(&self) -> Vec<&str> {
        self.printed
            .iter()
            .filter_map(|p| match p {
                Printed::Barcode { text, .. } => Some(text.as_deref().unwrap_or("?")),
                _ => None,
            })
            .collect()
    }

    /// The raster images, in order.
    pub fn images(&self) -> Vec<&Raster> {
        self.printed
            .iter()
            .filter_map(|p| match p {
                Printed::Image { raster, .. } => Some(raster),
                _ => None,
            })
            .collect()
    }

    pub fn cuts(&self) -> usize {
        self.printed.iter().filter(|p| **p == Printed::Cut).count()
    }
}

/// The printer's state while reading a job (settings start at Epson's defaults).
struct State {
    code_page: u8,
    centered: bool,
    bold: bool,
    tall: bool,
    line: String,
    qr: Option<Vec<u8>>,
    /// QR module size (`GS ( k` function 67; 3 dots until set).
    qr_module: u8,
    /// Barcode settings: module width (`GS w`), height (`GS h`), digits under (`GS H`).
    bar_module: u8,
    bar_height: u8,
    hri: bool,
    out: Decoded,
}

impl Default for State {
    fn default() -> Self {
        Self {
            code_page: 0,
            centered: false,
            bold: false,
            tall: false,
            line: String::new(),
            qr: None,
            qr_module: 3,
            bar_module: 3,
            bar_height: 162,
            hri: false,
            out: Decoded::default(),
        }
    }
}

impl State {
    fn text(&mut self, bytes: &[u8]) {
        // ESC t 19 is CP858; page 0 (PC437) shares only ASCII with it.
        for &b in bytes {
            let c = match (b, self.code_page) {
                (0x20..=0x7E, _) | (_, 19) => cp858::decode_byte(b).unwrap_or('\u{FFFD}'),
                _ => '\u{FFFD}',
            };
            self.line.push(c);
        }
    }

    fn end_line(&mut self) {
        let line = PrintedLine {
            text: std::mem::take(&mut self.line),
            centered: self.centered,
            bold: self.bold,
            tall: self.tall,
        };
        self.out.printed.push(Printed::Line(line));
    }

    fn apply(&mut self, token: Token) {
        match token {
            Token::Text(bytes) => self.text(&bytes),
            Token::Feed(n) => {
                for _ in 0..n.max(1) {
                    self.end_line();
                }
            }
            Token::Init => {
                let out = std::mem::take(&mut self.out);
                *self = State {
                    out,
                    ..State::default()
                };
            }
            Token::CodePage(n) => self.code_page = n,
            Token::Bold(on) => self.bold = on,
            Token::Justify(n) => self.centered = n == 1,
            Token::Size(n) => self.tall = n & 0x0F > 0,
            Token::Pulse { pin, on_ms, off_ms } => self.out.pulses.push((pin, on_ms, off_ms)),
            Token::Cut => {
                if !self.line.is_empty() {
                    self.end_line();
                }
                self.out.printed.push(Printed::Cut);
            }
            Token::QrStore(data) => self.qr = Some(data),
            Token::QrModule(n) => self.qr_module = n,
            Token::QrPrint => {
                let payload = String::from_utf8_lossy(&self.qr.take().unwrap_or_default()).into();
                let (module, centered) = (self.qr_module, self.centered);
                self.push(Printed::Qr {
                    payload,
                    module,
                    centered,
                });
            }
            Token::Barcode { system, data } => self.barcode(system, data),
            Token::Raster {
                mode,
                width_bytes,
                height,
                data,
            } => self.raster(mode, width_bytes, height, data),
            Token::Setting(bytes) => self.setting(&bytes),
            Token::Status(_) | Token::PaperStatus(_) => {}
        }
    }

    /// A block (code, image) prints on its own: text before it ends its line first.
    fn push(&mut self, block: Printed) {
        if !self.line.is_empty() {
            self.end_line();
        }
        self.out.printed.push(block);
    }

    fn setting(&mut self, bytes: &[u8]) {
        match *bytes {
            [0x1D, b'w', n] if (1..=6).contains(&n) => self.bar_module = n,
            [0x1D, b'h', n] if n > 0 => self.bar_height = n,
            [0x1D, b'H', n] => self.hri = matches!(n % 48, 2 | 3),
            _ => {}
        }
    }

    fn barcode(&mut self, system: u8, data: Vec<u8>) {
        let text = if system == 73 {
            code128::text(&data)
        } else {
            Some(String::from_utf8_lossy(&data).into_owned())
        };
        self.push(Printed::Barcode {
            system,
            text,
            data,
            module: self.bar_module,
            height: self.bar_height,
            hri: self.hri,
            centered: self.centered,
        });
    }

    fn raster(&mut self, mode: u8, width_bytes: u16, height: u16, data: Vec<u8>) {
        let width = u32::from(width_bytes) * 8;
        let Some(dots) = Raster::from_rows(width, u32::from(height), data) else {
            return;
        };
        let (sx, sy) = (1 + u32::from(mode & 1), 1 + u32::from(mode >> 1 & 1));
        let mut raster = Raster::new(width * sx, u32::from(height) * sy);
        for y in 0..raster.height() {
            for x in 0..raster.width() {
                if dots.get(x / sx, y / sy) {
                    raster.set(x, y);
                }
            }
        }
        self.push(Printed::Image {
            width: raster.width(),
            height: raster.height(),
            raster,
            centered: self.centered,
        });
    }
}

/// Decodes a whole job. Never fails: unknown bytes are listed in [`Decoded::unknown`] and
/// skipped one at a time, as a printer would.
pub fn decode(bytes: &[u8]) -> Decoded {
    let mut state = State::default();
    let mut at = 0;
    while at < bytes.len() {
        match tokens::next(&bytes[at..]) {
            Ok(Some((token, used))) => {
                state.apply(token);
                at += used;
            }
            // Cut off mid-command: the printer would wait for the rest.
            Ok(None) => {
                state.out.unknown.push((at, bytes[at..].to_vec()));
                break;
            }
            Err(bad) => {
                state.out.unknown.push((at, bad));
                at += 1;
            }
        }
    }
    if !state.line.is_empty() {
        state.end_line();
    }
    state.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::encode::{self, Finish};
    use crate::devices::layout::{Align, Block};

    #[test]
    fn what_the_encoder_writes_reads_back_as_the_same_text() {
        let blocks = vec![
            Block::Line {
                text: "Bäckerei Müller".into(),
                align: Align::Center,
                bold: true,
                tall: false,
            },
            Block::Line {
                text: "TOTAL          12,50 €".into(),
                align: Align::Left,
                bold: true,
                tall: true,
            },
            Block::Qr("KASSA1;abc".into()),
        ];
        let job = encode::job(
            &blocks,
            Finish {
                cut: true,
                qr_module: 4,
            },
        )
        .unwrap();
        let d = decode(&job);
        assert!(d.unknown.is_empty(), "every byte is known: {:?}", d.unknown);
        assert_eq!(d.lines(), ["Bäckerei Müller", "TOTAL          12,50 €"]);
        assert_eq!(d.qr_codes(), ["KASSA1;abc"]);
        assert_eq!(d.cuts(), 1);
        let Printed::Line(head) = &d.printed[0] else {
            panic!("the shop name comes first: {d:?}")
        };
        assert!(head.centered && head.bold && !head.tall);
    }

    #[test]
    fn garbage_never_panics_the_decoder() {
        let d = decode(&[0x1B, 0x07, 0x1D, 0x28, 0x6B, 0xFF, 0xFF, 0x00]);
        assert!(!d.unknown.is_empty());
    }
}
