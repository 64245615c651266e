//! One-bit images as a receipt printer prints them: rows of dots, the leftmost dot in each
//! byte's high bit. The `GS v 0` command that prints one is written here because the
//! `escpos` crate only prints images through its `graphics` feature, which pulls in the
//! whole `image` crate; logos are read from PNG files with the lighter `png` crate.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use super::error::{DeviceError, DeviceResult};

/// Printable dots across a 58 mm roll (203 dpi, 48 mm printable).
pub const DOTS_58: u32 = 384;
/// Printable dots across an 80 mm roll (203 dpi, 72 mm printable).
pub const DOTS_80: u32 = 576;
/// Rows per `GS v 0` command: printers buffer a whole command before printing it, and
/// some models refuse one taller than their buffer; bands of 256 rows print everywhere.
const BAND: u32 = 256;
/// A logo taller than this (after scaling to the paper) wastes a hand's length of paper
/// on every receipt: refused at setup.
pub const MAX_LOGO_HEIGHT: u32 = 800;

/// The printable width of a roll `paper_mm` wide, in dots.
pub fn paper_dots(paper_mm: u16) -> u32 {
    if paper_mm <= 58 { DOTS_58 } else { DOTS_80 }
}

/// A black-and-white image; `true` dots are printed (black).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raster {
    width: u32,
    height: u32,
    bits: Vec<u8>,
}

impl Raster {
    /// A white image.
    pub fn new(width: u32, height: u32) -> Self {
        let row = width.div_ceil(8) as usize;
        Self {
            width,
            height,
            bits: vec![0; row * height as usize],
        }
    }

    /// An image from packed rows (`width.div_ceil(8)` bytes each); `None` when the bytes do
    /// not fill exactly `height` rows.
    pub fn from_rows(width: u32, height: u32, bits: Vec<u8>) -> Option<Self> {
        (bits.len() == width.div_ceil(8) as usize * height as usize).then_some(Self {
            width,
            height,
            bits,
        })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    fn row_bytes(&self) -> usize {
        self.width.div_ceil(8) as usize
    }

    /// Whether the dot at (`x`, `y`) is black; outside the image, white.
    pub fn get(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        let i = y as usize * self.row_bytes() + (x / 8) as usize;
        self.bits[i] & (0x80 >> (x % 8)) != 0
    }

    /// Blackens the dot at (`x`, `y`); outside the image it is ignored (clipped).
    pub fn set(&mut self, x: u32, y: u32) {
        if x < self.width && y < self.height {
            let i = y as usize * self.row_bytes() + (x / 8) as usize;
            self.bits[i] |= 0x80 >> (x % 8);
        }
    }

    /// Copies the black dots of `other` with its top left corner at (`x`, `y`), clipped.
    pub fn blit(&mut self, other: &Raster, x: u32, y: u32) {
        if x + other.width <= self.width {
            return self.blit_bytes(other, x, y);
        }
        for oy in 0..other.height {
            for ox in 0..other.width {
                if other.get(ox, oy) {
                    self.set(x + ox, y + oy);
                }
            }
        }
    }

    /// [`Self::blit`] a byte at a time, for `other` inside this image's width (a preview
    /// is drawn from hundreds of pieces; dot by dot it took tens of milliseconds).
    fn blit_bytes(&mut self, other: &Raster, x: u32, y: u32) {
        let (shift, at) = (x % 8, (x / 8) as usize);
        let (dst_row, src_row) = (self.row_bytes(), other.row_bytes());
        let rows = other.height.min(self.height.saturating_sub(y)) as usize;
        for r in 0..rows {
            let dst = (y as usize + r) * dst_row + at;
            for (j, &b) in other.bits[r * src_row..(r + 1) * src_row]
                .iter()
                .enumerate()
            {
                if b == 0 {
                    continue;
                }
                self.bits[dst + j] |= b >> shift;
                if shift > 0 && at + j + 1 < dst_row {
                    self.bits[dst + j + 1] |= b << (8 - shift);
                }
            }
        }
    }

    /// Black dots in the image.
    pub fn ink(&self) -> usize {
        self.bits.iter().map(|b| b.count_ones() as usize).sum()
    }

    /// `GS v 0 0 xL xH yL yH d1..dk`, in bands of at most 256 rows.
    pub fn command(&self) -> Vec<u8> {
        let row = self.row_bytes();
        let mut out = Vec::with_capacity(self.bits.len() + 8 * (self.height / BAND + 1) as usize);
        if row == 0 {
            return out;
        }
        for band in self.bits.chunks(row * BAND as usize) {
            let rows = band.len() / row;
            let [xl, xh] = u16::try_from(row).unwrap_or(u16::MAX).to_le_bytes();
            let [yl, yh] = u16::try_from(rows).unwrap_or(u16::MAX).to_le_bytes();
            out.extend_from_slice(&[0x1D, b'v', b'0', 0, xl, xh, yl, yh]);
            out.extend_from_slice(band);
        }
        out
    }
}

fn bad_png(detail: impl std::fmt::Display) -> DeviceError {
    DeviceError::Config(format!("the logo is not a PNG Kassa can read ({detail})"))
}

/// Grey levels (0 black .. 255 white) of a PNG, transparent parts taken as white paper.
fn grey_levels(bytes: &[u8]) -> DeviceResult<(u32, u32, Vec<u8>)> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(bad_png)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| bad_png("too large"))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(bad_png)?;
    let channels = info.color_type.samples();
    let over_white = |v: u32, a: u32| (v * a + 255 * (255 - a)) / 255;
    let grey = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|px| {
            let (v, a) = match *px {
                [g] => (u32::from(g), 255),
                [g, a] => (u32::from(g), u32::from(a)),
                [r, g, b] => (luma(r, g, b), 255),
                [r, g, b, a] => (luma(r, g, b), u32::from(a)),
                _ => (255, 255),
            };
            u8::try_from(over_white(v, a)).unwrap_or(255)
        })
        .collect();
    Ok((info.width, info.height, grey))
}

/// ITU-R BT.601 luma, in integers.
fn luma(r: u8, g: u8, b: u8) -> u32 {
    (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000
}

/// A PNG as a raster at most `max_width` dots wide (scaled down by averaging, never up).
/// Grey below half is printed black: logos are line art, and a plain threshold keeps their
/// edges sharp where dithering would turn flat greys into dot patterns a thermal head blurs.
pub fn from_png(bytes: &[u8], max_width: u32) -> DeviceResult<Raster> {
    let (w, h, grey) = grey_levels(bytes)?;
    if w == 0 || h == 0 {
        return Err(bad_png("it has no pixels"));
    }
    let (tw, th) = if w > max_width {
        (
            max_width,
            (u64::from(h) * u64::from(max_width) / u64::from(w)).max(1) as u32,
        )
    } else {
        (w, h)
    };
    let mut out = Raster::new(tw, th);
    for y in 0..th {
        let (y0, y1) = span(y, th, h);
        for x in 0..tw {
            let (x0, x1) = span(x, tw, w);
            let (mut sum, mut n) = (0u64, 0u64);
            for sy in y0..y1 {
                let row = sy as usize * w as usize;
                for sx in x0..x1 {
                    sum += u64::from(grey[row + sx as usize]);
                    n += 1;
                }
            }
            if sum < 128 * n.max(1) {
                out.set(x, y);
            }
        }
    }
    Ok(out)
}

/// The source pixels `[from, to)` that target pixel `i` of `target` covers in `source`.
fn span(i: u32, target: u32, source: u32) -> (u32, u32) {
    let from = u64::from(i) * u64::from(source) / u64::from(target);
    let to = (u64::from(i + 1) * u64::from(source)).div_ceil(u64::from(target));
    (from as u32, (to as u32).max(from as u32 + 1).min(source))
}

/// The last logo read, kept while its file is unchanged: receipts print it every time.
type Cached = (PathBuf, SystemTime, u64, u32, Raster);
static LOGO: Mutex<Option<Cached>> = Mutex::new(None);

/// The logo at `path` for a roll `max_width` dots wide, read once per change of the file.
pub fn logo(path: &Path, max_width: u32) -> DeviceResult<Raster> {
    let unreadable = |e: std::io::Error| {
        DeviceError::Config(format!("cannot read the logo {}: {e}", path.display()))
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    let stamp = (
        meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        meta.len(),
    );
    let mut cache = LOGO.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((p, m, l, w, r)) = cache.as_ref()
        && (p.as_path(), *m, *l, *w) == (path, stamp.0, stamp.1, max_width)
    {
        return Ok(r.clone());
    }
    let raster = from_png(&std::fs::read(path).map_err(unreadable)?, max_width)?;
    if raster.height() > MAX_LOGO_HEIGHT {
        return Err(DeviceError::Config(format!(
            "the logo is {} dots tall on this paper; use one at most {MAX_LOGO_HEIGHT} dots tall",
            raster.height()
        )));
    }
    *cache = Some((path.to_owned(), stamp.0, stamp.1, max_width, raster.clone()));
    Ok(raster)
}

/// A PNG file of `raster` (8-bit greyscale: every viewer and browser shows it).
pub fn to_png(raster: &Raster) -> DeviceResult<Vec<u8>> {
    let mut out = Vec::new();
    let failed = |e: png::EncodingError| DeviceError::Protocol {
        device: "preview",
        detail: format!("PNG encoding failed: {e}"),
    };
    {
        let mut enc = png::Encoder::new(&mut out, raster.width.max(1), raster.height.max(1));
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(failed)?;
        let (w, h) = (raster.width.max(1), raster.height.max(1));
        let mut data = Vec::with_capacity(w as usize * h as usize);
        for y in 0..h {
            data.extend((0..w).map(|x| if raster.get(x, y) { 0u8 } else { 255 }));
        }
        writer.write_image_data(&data).map_err(failed)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w` x `h` greyscale PNG, black where `black(x, y)`.
    fn png_of(w: u32, h: u32, black: impl Fn(u32, u32) -> bool) -> Vec<u8> {
        let mut r = Raster::new(w, h);
        for y in 0..h {
            for x in 0..w {
                if black(x, y) {
                    r.set(x, y);
                }
            }
        }
        to_png(&r).unwrap()
    }

    #[test]
    fn a_png_comes_back_dot_for_dot_and_wide_ones_are_scaled_to_the_paper() {
        let png = png_of(20, 10, |x, _| x < 10);
        let r = from_png(&png, 576).unwrap();
        assert_eq!((r.width(), r.height()), (20, 10));
        assert!(r.get(0, 0) && r.get(9, 9) && !r.get(10, 0));
        let wide = png_of(1200, 100, |x, _| x < 600);
        let r = from_png(&wide, 384).unwrap();
        assert_eq!((r.width(), r.height()), (384, 32), "aspect kept");
        assert!(r.get(10, 5) && !r.get(300, 5));
    }

    #[test]
    fn transparent_pixels_are_paper_and_garbage_is_refused() {
        let mut rgba = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut rgba, 2, 1);
            enc.set_color(png::ColorType::Rgba);
            let mut w = enc.write_header().unwrap();
            w.write_image_data(&[0, 0, 0, 0, 0, 0, 0, 255]).unwrap();
        }
        let r = from_png(&rgba, 576).unwrap();
        assert!(!r.get(0, 0), "transparent black is white paper");
        assert!(r.get(1, 0));
        assert!(from_png(b"not a png", 576).is_err());
    }

    #[test]
    fn blitting_by_bytes_puts_every_dot_where_one_at_a_time_would() {
        let mut piece = Raster::new(13, 5);
        for (x, y) in [(0, 0), (7, 1), (8, 2), (12, 4), (3, 3)] {
            piece.set(x, y);
        }
        for x in [0, 1, 5, 8, 11, 19] {
            let mut fast = Raster::new(32, 8);
            fast.blit(&piece, x, 2);
            let mut slow = Raster::new(32, 8);
            for (px, py) in (0..13).flat_map(|px| (0..5).map(move |py| (px, py))) {
                if piece.get(px, py) {
                    slow.set(x + px, 2 + py);
                }
            }
            assert_eq!(fast, slow, "at x = {x}");
        }
    }

    #[test]
    fn the_command_carries_width_in_bytes_and_rows_in_bands() {
        let mut r = Raster::new(10, 300);
        r.set(0, 0);
        let cmd = r.command();
        assert_eq!(
            &cmd[..8],
            &[0x1D, b'v', b'0', 0, 2, 0, 0, 1],
            "2 bytes x 256 rows"
        );
        assert_eq!(cmd[8], 0x80, "the first dot is the high bit");
        let second = 8 + 2 * 256;
        assert_eq!(
            &cmd[second..second + 8],
            &[0x1D, b'v', b'0', 0, 2, 0, 44, 0]
        );
        assert_eq!(cmd.len(), 16 + 2 * 300);
    }
}
