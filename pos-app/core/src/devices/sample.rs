//! The test page `pos devices test-print` (and the app's test button) prints: the shop's
//! name, accented text, the euro sign, a QR code and a cut, so one page shows whether the
//! code page, the width and the cutter are set up right.

use super::layout::{Align, Block};
use crate::receipt::two_col_in;

/// The test page for a printer of `width` columns.
pub fn test_page(shop: &str, connection: &str, width: usize) -> Vec<Block> {
    let line = |text: String, align, bold| Block::Line {
        text,
        align,
        bold,
        tall: false,
    };
    vec![
        line(shop.to_owned(), Align::Center, true),
        line("*** TEST PRINT ***".into(), Align::Center, true),
        line(connection.to_owned(), Align::Left, false),
        line(
            format!("{width} columns: {}", "1234567890".repeat(width / 10 + 1))
                .chars()
                .take(width)
                .collect(),
            Align::Left,
            false,
        ),
        line(
            "Äpfel, Crème brûlée, Smørrebrød, ñ".into(),
            Align::Left,
            false,
        ),
        line(
            two_col_in("Euro sign", "€ 12,50", width),
            Align::Left,
            false,
        ),
        Block::Line {
            text: two_col_in("TOTAL", "12.50", width),
            align: Align::Left,
            bold: true,
            tall: true,
        },
        Block::Qr("KASSA-TEST-PRINT".into()),
    ]
}
