//! A decoded print job drawn as the paper would look: text in Font A cells, raster images
//! dot for dot, barcodes and QR codes with their module sizes, cuts as a dashed line. The
//! app's receipt preview and the tests show this PNG, drawn from the very bytes a printer
//! gets, so the preview cannot drift from the print.

use qrcodegen::{QrCode, QrCodeEcc};

use super::code128;
use super::config::PrinterConfig;
use super::decode::{self, Decoded, Printed};
use super::drain;
use super::error::DeviceResult;
use super::glyphs::{self, CELL_H, Look};
use super::layout::Document;
use super::raster::{self, Raster};

/// Space between printed lines: ESC/POS's default line spacing is 30 dots for 24-dot text.
const LINE_GAP: u32 = 6;
/// Paper above the first and below the last line.
const MARGIN: u32 = 12;

/// One drawn piece of the paper and where it sits.
struct Piece {
    raster: Raster,
    centered: bool,
    gap: u32,
}

fn piece(raster: Raster, centered: bool, gap: u32) -> Piece {
    Piece {
        raster,
        centered,
        gap,
    }
}

fn qr(payload: &str, module: u8) -> Option<Raster> {
    let code = QrCode::encode_binary(payload.as_bytes(), QrCodeEcc::Medium).ok()?;
    let (size, m) = (u32::try_from(code.size()).ok()?, u32::from(module.max(1)));
    let mut r = Raster::new(size * m, size * m);
    for y in 0..size * m {
        for x in 0..size * m {
            if code.get_module((x / m) as i32, (y / m) as i32) {
                r.set(x, y);
            }
        }
    }
    Some(r)
}

/// Bars `height` dots tall, the digits under them when `hri`.
fn barcode(text: Option<&str>, data: &[u8], module: u8, height: u8, hri: bool) -> Raster {
    let bars = code128::modules(data).unwrap_or_default();
    let m = u32::from(module.max(1));
    let label = text.unwrap_or("?");
    let bars_h = if bars.is_empty() {
        0
    } else {
        u32::from(height)
    };
    let text_h = if hri || bars.is_empty() { CELL_H } else { 0 };
    let width = (bars.len() as u32 * m).max(glyphs::width(label)).max(1);
    let mut r = Raster::new(width, bars_h + text_h);
    let left = (width - bars.len() as u32 * m) / 2;
    for (i, _) in bars.iter().enumerate().filter(|(_, b)| **b == 1) {
        for dx in 0..m {
            for y in 0..bars_h {
                r.set(left + i as u32 * m + dx, y);
            }
        }
    }
    if text_h > 0 {
        let x = (width - glyphs::width(label)) / 2;
        glyphs::draw(&mut r, x, bars_h, label, Look::default());
    }
    r
}

fn pieces(decoded: &Decoded, width: u32) -> Vec<Piece> {
    decoded
        .printed
        .iter()
        .map(|p| match p {
            Printed::Line(l) => {
                let look = Look {
                    bold: l.bold,
                    tall: l.tall,
                };
                piece(glyphs::line(&l.text, look), l.centered, LINE_GAP)
            }
            Printed::Qr {
                payload,
                module,
                centered,
            } => {
                let r =
                    qr(payload, *module).unwrap_or_else(|| glyphs::line("[QR]", Look::default()));
                piece(r, *centered, LINE_GAP)
            }
            Printed::Barcode {
                text,
                data,
                module,
                height,
                hri,
                centered,
                ..
            } => {
                let r = barcode(text.as_deref(), data, *module, *height, *hri);
                piece(r, *centered, LINE_GAP)
            }
            Printed::Image {
                raster, centered, ..
            } => piece(raster.clone(), *centered, 0),
            Printed::Cut => {
                let mut r = Raster::new(width, 1);
                (0..width).filter(|x| x % 16 < 8).for_each(|x| r.set(x, 0));
                piece(r, false, 2 * LINE_GAP)
            }
        })
        .collect()
}

/// `decoded` on paper `width` dots wide (see [`raster::paper_dots`]).
pub fn paper(decoded: &Decoded, width: u32) -> Raster {
    let pieces = pieces(decoded, width);
    let height = 2 * MARGIN
        + pieces
            .iter()
            .map(|p| p.raster.height() + p.gap)
            .sum::<u32>();
    let mut out = Raster::new(width, height);
    let mut y = MARGIN;
    for p in &pieces {
        let w = p.raster.width().min(width);
        let x = if p.centered { (width - w) / 2 } else { 0 };
        out.blit(&p.raster, x, y);
        y += p.raster.height() + p.gap;
    }
    out
}

/// `decoded` as a PNG of paper `width` dots wide.
pub fn png(decoded: &Decoded, width: u32) -> DeviceResult<Vec<u8>> {
    raster::to_png(&paper(decoded, width))
}

/// The PNG of an ESC/POS job printed on a `paper_mm` roll.
pub fn job_png(job: &[u8], paper_mm: u16) -> DeviceResult<Vec<u8>> {
    png(&decode::decode(job), raster::paper_dots(paper_mm))
}

/// The PNG of `doc` exactly as the printer `config` would get it (logo, code page,
/// rasters, barcode, QR); `copy` marks a reprint. The app's receipt preview.
pub fn document_png(doc: &Document, config: &PrinterConfig, copy: bool) -> DeviceResult<Vec<u8>> {
    job_png(&drain::job(doc, config, copy)?, config.paper_mm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::encode::{self, Finish};
    use crate::devices::layout::{Align, Block};

    #[test]
    fn a_job_draws_text_codes_and_images_on_paper_of_its_width() {
        let mut logo = Raster::new(64, 40);
        (0..64).for_each(|x| logo.set(x, 20));
        let blocks = vec![
            Block::Image(logo),
            Block::Line {
                text: "Bäckerei Müller 12,50 €".into(),
                align: Align::Center,
                bold: true,
                tall: false,
            },
            Block::Barcode("0000000007".into()),
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
        let paper = paper(&decode::decode(&job), raster::DOTS_80);
        assert_eq!(paper.width(), 576);
        assert!(paper.height() > 40 + 24 + 64 + 100, "{}", paper.height());
        let logo_row = MARGIN + 20;
        assert!(
            paper.get(256, logo_row) && paper.get(319, logo_row),
            "logo centred"
        );
        assert!(!paper.get(255, logo_row) && !paper.get(320, logo_row));
        assert!(paper.ink() > 5_000, "text, bars and the QR left ink");
        let png = job_png(&job, 58).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}
