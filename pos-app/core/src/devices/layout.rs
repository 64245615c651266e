//! A receipt or refund slip laid out for a printer: lines of a given width with their
//! emphasis, the sealed QR code, feeds. The ESC/POS encoder and the text preview both
//! start from this, so what the preview shows is what the printer gets.

use super::code128;
use super::raster::Raster;
use crate::receipt::{Receipt, tax_table, truncate, two_col_in};
use crate::refund_slip::RefundSlip;

/// How a line sits on the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

/// One piece of a printed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A line of text, already cut to the paper's width.
    Line {
        text: String,
        align: Align,
        bold: bool,
        /// Double height (the total), same width so columns still line up.
        tall: bool,
    },
    /// A QR code carrying `payload` (the receipt's sealed summary).
    Qr(String),
    /// A CODE128 barcode of `text`, centred, with `text` printed under it (the receipt
    /// number, so a refund can scan it).
    Barcode(String),
    /// A raster image, centred (the shop's logo).
    Image(Raster),
    /// Blank lines.
    Feed(u8),
}

/// A document to print: a sale's receipt or a refund's slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    Receipt(Receipt),
    RefundSlip(RefundSlip),
}

fn line(text: impl Into<String>) -> Block {
    Block::Line {
        text: text.into(),
        align: Align::Left,
        bold: false,
        tall: false,
    }
}

fn centered(text: &str, width: usize, bold: bool) -> Block {
    Block::Line {
        text: truncate(text, width),
        align: Align::Center,
        bold,
        tall: false,
    }
}

fn total(label: &str, amount: &str, width: usize) -> Block {
    Block::Line {
        text: two_col_in(label, amount, width),
        align: Align::Left,
        bold: true,
        tall: true,
    }
}

/// `doc` on lines of `width` characters; `copy` marks a reprint at the top, so it cannot
/// pass for a second original.
pub fn blocks(doc: &Document, width: usize, copy: bool) -> Vec<Block> {
    match doc {
        Document::Receipt(r) => receipt_blocks(r, width, copy),
        Document::RefundSlip(s) => slip_blocks(s, width, copy),
    }
}

fn copy_mark(copy: bool, width: usize) -> Vec<Block> {
    if copy {
        vec![centered("*** COPY ***", width, true)]
    } else {
        Vec::new()
    }
}

fn header(out: &mut Vec<Block>, header: &[String], width: usize) {
    let mut lines = header.iter();
    if let Some(shop) = lines.next() {
        out.push(centered(shop, width, true));
    }
    out.extend(lines.map(|h| centered(h, width, false)));
}

/// `title` and the document's `date` on one line when both fit, else the date on a line
/// of its own (58 mm paper), so neither the number nor the time is cut.
fn title_and_date(title: &str, date: &str, width: usize) -> Vec<Block> {
    if title.chars().count() + 1 + date.chars().count() <= width {
        vec![line(two_col_in(title, date, width))]
    } else {
        vec![line(truncate(title, width)), line(truncate(date, width))]
    }
}

/// A sale's receipt laid out (see [`blocks`]).
pub fn receipt_blocks(r: &Receipt, width: usize, copy: bool) -> Vec<Block> {
    let mut out = copy_mark(copy, width);
    let rule = "-".repeat(width);
    header(&mut out, &r.header, width);
    out.extend(title_and_date(
        &format!("Receipt #{}", r.receipt_no),
        &r.date,
        width,
    ));
    out.push(line(rule.clone()));
    for l in &r.lines {
        out.push(line(two_col_in(&l.name, &l.amount, width)));
        out.push(line(format!("  {}", truncate(&l.detail, width - 2))));
        if let Some(d) = &l.discount {
            out.push(line(two_col_in("  discount", d, width)));
        }
    }
    out.push(line(rule.clone()));
    out.push(line(two_col_in("Subtotal", &r.subtotal, width)));
    if let Some(d) = &r.discount {
        out.push(line(two_col_in("Discounts", d, width)));
    }
    out.push(total("TOTAL", &r.total, width));
    out.extend(r.tenders.iter().map(|(k, a)| line(two_col_in(k, a, width))));
    if let Some(rounding) = &r.cash_rounding {
        out.push(line(two_col_in("Cash rounding", rounding, width)));
    }
    out.push(line(two_col_in("Change", &r.change, width)));
    out.push(line(rule.clone()));
    out.extend(tax_table(&r.taxes, width).into_iter().map(line));
    out.push(line(rule));
    out.extend(r.footer.iter().map(|f| centered(f, width, false)));
    out.push(Block::Barcode(code128::receipt_code(r.receipt_no)));
    out.push(line(truncate(&r.sale_id, width)));
    out.push(Block::Qr(r.qr_payload.clone()));
    out
}

/// `blocks` with `logo` on top (under a COPY mark, which stays first).
pub fn with_logo(mut blocks: Vec<Block>, logo: Raster) -> Vec<Block> {
    let at = blocks
        .iter()
        .position(|b| !matches!(b, Block::Line { text, .. } if text.contains("*** COPY ***")))
        .unwrap_or(blocks.len());
    blocks.insert(at, Block::Image(logo));
    blocks
}

/// A refund's slip laid out (see [`blocks`]).
pub fn slip_blocks(s: &RefundSlip, width: usize, copy: bool) -> Vec<Block> {
    let mut out = copy_mark(copy, width);
    let rule = "-".repeat(width);
    header(&mut out, &s.header, width);
    out.extend(title_and_date("REFUND", &s.date, width));
    out.push(line(truncate(&s.against, width)));
    out.push(line(rule.clone()));
    for l in &s.lines {
        out.push(line(two_col_in(&l.name, &l.amount, width)));
        out.push(line(format!("  {}", truncate(&l.detail, width - 2))));
    }
    out.push(line(rule.clone()));
    out.push(total("REFUND TOTAL", &s.total, width));
    out.push(line(two_col_in(&s.tender.0, &s.tender.1, width)));
    out.push(line(truncate(&format!("Reason: {}", s.reason), width)));
    out.push(line(truncate(&format!("Cashier: {}", s.cashier), width)));
    if let Some(manager) = &s.approved_by {
        out.push(line(truncate(&format!("Approved by: {manager}"), width)));
    }
    out.push(line(rule.clone()));
    out.extend(tax_table(&s.taxes, width).into_iter().map(line));
    out.push(line(rule));
    out.extend(s.footer.iter().map(|f| centered(f, width, false)));
    out.push(line(truncate(&s.refund_id, width)));
    out
}

/// The document as plain text, `width` characters a line. The QR code's payload is
/// written out in lines, so the text stays checkable with `pos receipt verify`; the
/// barcode and images are left out (the receipt number is on its own line already).
pub fn to_text(blocks: &[Block], width: usize) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Line { text, align, .. } => {
                if *align == Align::Center {
                    let pad = width.saturating_sub(text.chars().count()) / 2;
                    out.push_str(&" ".repeat(pad));
                }
                out.push_str(text);
                out.push('\n');
            }
            Block::Qr(payload) => {
                let chars: Vec<char> = payload.chars().collect();
                for chunk in chars.chunks(width.max(1)) {
                    out.extend(chunk);
                    out.push('\n');
                }
            }
            Block::Feed(n) => out.push_str(&"\n".repeat(usize::from(*n))),
            Block::Barcode(_) | Block::Image(_) => {}
        }
    }
    out
}
