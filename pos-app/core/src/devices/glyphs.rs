//! Text drawn as dots, in the printer's Font A cell (12 x 24 dots), from GNU Unifont's
//! bitmap glyphs (8 x 16, 16 x 16 for wide characters) enlarged by half. Used for lines
//! code page 858 cannot encode (printed as a raster image instead of as '?') and for the
//! text of receipt previews.
//!
//! Why Unifont, embedded: the fallback exists for exactly the text outside the code page
//! (Polish, Czech, Greek, Cyrillic, CJK names), so its font has to cover the whole Basic
//! Multilingual Plane, and a till cannot count on system fonts (a kiosk image has none).
//! Unifont is the bitmap font that covers the BMP, and bitmap glyphs need no rasteriser
//! or hinting to stay legible on a thermal head. The cost is about 2 MB of binary.

use super::raster::Raster;

/// Font A's cell: the width of one column of a receipt, and a line's height.
pub const CELL_W: u32 = 12;
pub const CELL_H: u32 = 24;

/// How a run of text is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Look {
    /// Each stroke one dot wider, as the printer's emphasis does.
    pub bold: bool,
    /// Double height (the total line).
    pub tall: bool,
}

impl Look {
    /// The height of a line in this look.
    pub fn height(self) -> u32 {
        if self.tall { CELL_H * 2 } else { CELL_H }
    }
}

fn glyph(c: char) -> &'static unifont::Glyph {
    unifont::get_glyph(c)
        .or_else(|| unifont::get_glyph('\u{FFFD}'))
        .or_else(|| unifont::get_glyph('?'))
        .unwrap_or(&unifont::Glyph::Halfwidth([0; 16]))
}

/// Columns `c` takes: two for a wide (CJK) character, none for a control character.
fn columns(c: char) -> u32 {
    if c.is_control() {
        0
    } else if glyph(c).is_fullwidth() {
        2
    } else {
        1
    }
}

/// The width of `text` in dots.
pub fn width(text: &str) -> u32 {
    text.chars().map(columns).sum::<u32>() * CELL_W
}

/// Draws `text` with its top left corner at (`x`, `y`); returns the width drawn. Dots off
/// the canvas are clipped.
pub fn draw(canvas: &mut Raster, x: u32, y: u32, text: &str, look: Look) -> u32 {
    let h = look.height();
    let mut at = x;
    for c in text.chars() {
        let cols = columns(c);
        if cols == 0 {
            continue;
        }
        let g = glyph(c);
        let (gw, cw) = (g.get_width() as u32, cols * CELL_W);
        for dy in 0..h {
            let sy = (dy * 16 / h) as usize;
            for dx in 0..cw {
                if g.get_pixel((dx * gw / cw) as usize, sy) {
                    canvas.set(at + dx, y + dy);
                    if look.bold {
                        canvas.set(at + dx + 1, y + dy);
                    }
                }
            }
        }
        at += cw;
    }
    at - x
}

/// `text` alone on a raster as wide as it is (at least one dot).
pub fn line(text: &str, look: Look) -> Raster {
    let mut r = Raster::new(width(text).max(1), look.height());
    draw(&mut r, 0, 0, text, look);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_takes_font_a_cells_and_wide_characters_take_two() {
        assert_eq!(width("Łódź"), 4 * CELL_W);
        assert_eq!(width("日本"), 4 * CELL_W, "CJK is double width");
        let r = line("Łódź 日本", Look::default());
        assert_eq!((r.width(), r.height()), (9 * CELL_W, CELL_H));
        assert!(r.ink() > 100, "the glyphs left ink");
        let tall = line(
            "Ż",
            Look {
                bold: true,
                tall: true,
            },
        );
        assert_eq!(tall.height(), 2 * CELL_H);
    }

    #[test]
    fn bold_adds_ink_and_different_letters_differ() {
        let plain = line("Ж", Look::default());
        let bold = line(
            "Ж",
            Look {
                bold: true,
                tall: false,
            },
        );
        assert!(bold.ink() > plain.ink());
        assert_ne!(line("Ж", Look::default()), line("Щ", Look::default()));
    }
}
