//! ESC/POS bytes for a laid-out document, built with the `escpos` crate (init, code page,
//! emphasis, alignment, QR code, cut), plus the few commands written here because the crate
//! gets them wrong or lacks them:
//! - the drawer pulse: the crate's `cash_drawer` sends `ESC p m` without the two timing
//!   bytes, so the printer would take the next two bytes of the job as the pulse times;
//! - the job confirmation `GS r 1` (the crate only has the real-time `DLE EOT` requests);
//! - text is encoded in code page 858 here ([`super::cp858`]): the crate sends any
//!   character missing from its table as UTF-8, which prints as garbage, and its CP858
//!   table puts '-' at 0xF0 (the soft hyphen), so every rule and date came out as soft
//!   hyphens;
//!   a line with letters the code page lacks is printed as a raster image instead
//!   ([`super::glyphs`]), so "Łódź" prints as written;
//! - the receipt's CODE128 barcode ([`super::code128`]) and raster images (`GS v 0`,
//!   [`super::raster`]): the crate has no CODE128, and its images need the `image` crate.

use std::cell::RefCell;
use std::rc::Rc;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{
    JustifyMode, PageCode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption,
};

use super::config::DrawerConfig;
use super::error::{DeviceError, DeviceResult};
use super::glyphs::{self, Look};
use super::layout::{Align, Block};
use super::{code128, cp858};

/// Dots per bar module of the receipt's barcode: a ten-digit code is then 180 dots wide,
/// inside a 58 mm roll, and wide enough for any scanner.
const BAR_MODULE: u8 = 2;

/// `GS r 1`: the paper sensor status, sent after a job. Unlike `DLE EOT` it waits its turn
/// behind the job's data, so its answer means the printer has processed (printed) the whole
/// job; a printer stopped by a fault holds it back until the fault is cleared.
pub const CONFIRM: [u8; 3] = [0x1D, 0x72, 0x01];

/// Collects what the `escpos` printer writes, instead of sending it anywhere: the job is
/// sent as one piece by [`super::printer`], which also reads the answers.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".into()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// How a job ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finish {
    /// Cut the paper (a printer without a cutter gets the paper fed out for tearing).
    pub cut: bool,
    /// QR module size in dots (3 on 58 mm paper keeps the code inside the printable width).
    pub qr_module: u8,
}

fn escpos_error(e: escpos::errors::PrinterError) -> DeviceError {
    DeviceError::Protocol {
        device: "printer",
        detail: format!("ESC/POS encoding failed: {e}"),
    }
}

/// The style of the line being written, so only changes are sent.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Style {
    align: Align,
    bold: bool,
    tall: bool,
}

const PLAIN: Style = Style {
    align: Align::Left,
    bold: false,
    tall: false,
};

fn set_style(p: &mut Printer<Capture>, from: Style, to: Style) -> escpos::errors::Result<()> {
    if from.align != to.align {
        p.justify(match to.align {
            Align::Left => JustifyMode::LEFT,
            Align::Center => JustifyMode::CENTER,
        })?;
    }
    if from.bold != to.bold {
        p.bold(to.bold)?;
    }
    if from.tall != to.tall {
        p.size(1, if to.tall { 2 } else { 1 })?;
    }
    Ok(())
}

/// The whole print job for `blocks`: initialise, select CP858, print, cut.
pub fn job(blocks: &[Block], finish: Finish) -> DeviceResult<Vec<u8>> {
    let capture = Capture::default();
    let mut p = Printer::new(capture.clone(), Protocol::default(), None);
    write_job(&mut p, blocks, finish).map_err(escpos_error)?;
    let bytes = capture.0.borrow().clone();
    Ok(bytes)
}

fn write_job(
    p: &mut Printer<Capture>,
    blocks: &[Block],
    finish: Finish,
) -> escpos::errors::Result<()> {
    p.init()?.page_code(PageCode::PC858)?;
    let mut style = PLAIN;
    const CENTERED: Style = Style {
        align: Align::Center,
        ..PLAIN
    };
    for block in blocks {
        let next = match block {
            Block::Line {
                align, bold, tall, ..
            } => Style {
                align: *align,
                bold: *bold,
                tall: *tall,
            },
            Block::Feed(_) => style,
            Block::Qr(_) | Block::Barcode(_) | Block::Image(_) => CENTERED,
        };
        set_style(p, style, next)?;
        style = next;
        write_block(p, block, finish)?;
    }
    set_style(p, style, PLAIN)?;
    if finish.cut {
        p.feeds(3)?.cut()?;
    } else {
        p.feeds(5)?;
    }
    p.print()?;
    Ok(())
}

/// One block, its style already set.
fn write_block(
    p: &mut Printer<Capture>,
    block: &Block,
    finish: Finish,
) -> escpos::errors::Result<()> {
    match block {
        Block::Line {
            text, bold, tall, ..
        } if cp858::needs_raster(text) => {
            let look = Look {
                bold: *bold,
                tall: *tall,
            };
            p.custom(&glyphs::line(text, look).command())?;
        }
        Block::Line { text, .. } => {
            let bytes: Vec<u8> = cp858::printable(text)
                .chars()
                .filter_map(cp858::encode_char)
                .collect();
            p.custom(&bytes)?.feed()?;
        }
        Block::Qr(payload) => {
            let option = QRCodeOption::new(
                QRCodeModel::Model2,
                finish.qr_module,
                QRCodeCorrectionLevel::M,
            );
            p.qrcode_option(payload, option)?;
        }
        Block::Barcode(text) => {
            p.custom(&code128::command(text, BAR_MODULE))?;
        }
        Block::Image(raster) => {
            p.custom(&raster.command())?;
        }
        Block::Feed(n) => {
            p.feeds(*n)?;
        }
    }
    Ok(())
}

/// `ESC p m t1 t2`: drive the drawer's solenoid on `pin` for `on_ms`, then rest `off_ms`
/// (both in 2 ms steps, Epson ESC/POS reference "ESC p").
pub fn drawer_pulse(d: &DrawerConfig) -> [u8; 5] {
    let steps = |ms: u16| u8::try_from(ms.div_ceil(2)).unwrap_or(u8::MAX);
    let m = if d.pin == 5 { 1 } else { 0 };
    [0x1B, b'p', m, steps(d.on_ms), steps(d.off_ms.max(d.on_ms))]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Block {
        Block::Line {
            text: t.into(),
            align: Align::Left,
            bold: false,
            tall: false,
        }
    }

    #[test]
    fn a_job_selects_cp858_and_sends_the_euro_as_one_byte() {
        let bytes = job(
            &[text("Café 3,50 €")],
            Finish {
                cut: true,
                qr_module: 4,
            },
        )
        .unwrap();
        assert!(
            bytes.starts_with(&[0x1B, b'@', 0x1B, b't', 19]),
            "{bytes:x?}"
        );
        let euro = bytes.iter().position(|&b| b == 0xD5);
        assert!(euro.is_some(), "the euro is CP858 byte 0xD5: {bytes:x?}");
        assert!(bytes.windows(2).any(|w| w == [0x82, b' ']), "é is 0x82");
        let dash = job(
            &[text("2026-12-07")],
            Finish {
                cut: false,
                qr_module: 4,
            },
        )
        .unwrap();
        assert!(
            dash.windows(10).any(|w| w == b"2026-12-07"),
            "'-' is 0x2D, not 0xF0"
        );
        assert!(bytes.ends_with(&[0x1D, b'V', b'A', 0]), "ends with the cut");
    }

    #[test]
    fn text_outside_the_code_page_is_printed_as_a_raster_never_as_utf8() {
        let bytes = job(
            &[text("Żurek 日本"), text("Café “ok”")],
            Finish {
                cut: false,
                qr_module: 4,
            },
        )
        .unwrap();
        assert!(
            !bytes.windows(3).any(|w| w == "日".as_bytes()),
            "no UTF-8 of 日: {bytes:x?}"
        );
        assert!(!bytes.windows(5).any(|w| w == b"Zurek"), "no near form");
        let d = crate::devices::decode::decode(&bytes);
        assert!(d.unknown.is_empty(), "{:?}", d.unknown);
        let images = d.images();
        assert_eq!(images.len(), 1, "the line is one raster");
        assert_eq!((images[0].width(), images[0].height()), (10 * 12, 24));
        assert_eq!(d.lines(), ["Café \"ok\""], "quotes have a plain form");
    }

    #[test]
    fn the_barcode_and_a_logo_go_out_centred() {
        let mut logo = crate::devices::raster::Raster::new(16, 2);
        logo.set(0, 0);
        let bytes = job(
            &[Block::Image(logo), Block::Barcode("0000000007".into())],
            Finish {
                cut: true,
                qr_module: 4,
            },
        )
        .unwrap();
        let d = crate::devices::decode::decode(&bytes);
        assert!(d.unknown.is_empty(), "{:?}", d.unknown);
        assert_eq!(d.barcodes(), ["0000000007"]);
        assert_eq!(d.images().len(), 1);
        assert!(d.images()[0].get(0, 0));
        assert!(bytes.starts_with(&[0x1B, b'@', 0x1B, b't', 19, 0x1B, b'a', 1]));
    }

    #[test]
    fn drawer_pulse_carries_pin_and_times() {
        let d = DrawerConfig {
            pin: 5,
            on_ms: 100,
            off_ms: 250,
            open_high: true,
        };
        assert_eq!(drawer_pulse(&d), [0x1B, b'p', 1, 50, 125]);
    }
}
