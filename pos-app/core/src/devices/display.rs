//! A 2x20 customer pole display on a serial port, driven with the command set most of them
//! share (CD5220 / Epson-compatible): `ESC @` resets, `ESC Q A text CR` writes the upper
//! line and `ESC Q B text CR` the lower one. It shows the last item rung up and the total.

use std::time::Duration;

use super::config::SerialConfig;
use super::cp858;
use super::error::DeviceResult;
use super::link::{self, Link};
use crate::receipt::two_col_in;

/// Characters per line.
pub const COLUMNS: usize = 20;

/// The bytes that show `upper` and `lower`, each cut or padded to 20 characters.
pub fn frame(upper: &str, lower: &str) -> Vec<u8> {
    let mut out = vec![0x1B, b'@'];
    for (cmd, text) in [(b'A', upper), (b'B', lower)] {
        out.extend([0x1B, b'Q', cmd]);
        let text = format!("{:<COLUMNS$}", cp858::printable(text));
        out.extend(text.chars().take(COLUMNS).filter_map(cp858::encode_char));
        out.push(b'\r');
    }
    out
}

/// The two lines for the last item rung up and the total so far.
pub fn item_and_total(item: &str, price: &str, total: &str) -> (String, String) {
    (
        two_col_in(item, price, COLUMNS),
        two_col_in("TOTAL", total, COLUMNS),
    )
}

/// An open pole display.
pub struct Display {
    link: Box<dyn Link>,
}

impl Display {
    pub fn new(link: Box<dyn Link>) -> Self {
        Self { link }
    }

    pub fn open(config: &SerialConfig) -> DeviceResult<Self> {
        let link = link::open_serial(&config.path, config.baud, "display", Duration::from_secs(1))?;
        Ok(Self::new(Box::new(link)))
    }

    pub fn show(&mut self, upper: &str, lower: &str) -> DeviceResult<()> {
        self.link.send(&frame(upper, lower))
    }
}

/// Reads back what a stream of display commands leaves on the screen (for tests and the
/// app's preview): the last text written to each line.
pub fn screen(bytes: &[u8]) -> (String, String) {
    let mut lines = (String::new(), String::new());
    let mut rest = bytes;
    while let Some(at) = rest.windows(2).position(|w| w == [0x1B, b'Q']) {
        let Some(&which) = rest.get(at + 2) else {
            break;
        };
        let body = &rest[(at + 3).min(rest.len())..];
        let end = body.iter().position(|&b| b == b'\r').unwrap_or(body.len());
        let text: String = body[..end]
            .iter()
            .filter_map(|&b| cp858::decode_byte(b))
            .collect();
        match which {
            b'A' => lines.0 = text,
            b'B' => lines.1 = text,
            _ => {}
        }
        rest = &body[end..];
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_display_shows_the_last_item_and_the_total() {
        let (upper, lower) = item_and_total("Crème brûlée aux fruits", "3.50", "12.40");
        let (a, b) = screen(&frame(&upper, &lower));
        assert_eq!(a, "Crème brûlée au 3.50", "names are cut to keep the price");
        assert_eq!(b, "TOTAL          12.40");
        assert_eq!(a.chars().count(), COLUMNS);
    }
}
