//! Receipts: a pure `Sale -> Receipt` document and its 42-column text rendering (the
//! width of an 80 mm thermal printer's Font A).

use pos_shared::{Currency, Money, Quantity};
use serde::{Deserialize, Serialize};

use crate::sales::Sale;
use crate::terminal::Terminal;

/// Characters per printed line.
pub const WIDTH: usize = 42;

/// One item row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub name: String,
    /// "2 x 1.29" or "1.235 x 2.99".
    pub detail: String,
    pub amount: String,
    pub discount: Option<String>,
}

/// One tax rate's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptTax {
    pub label: String,
    pub net: String,
    pub tax: String,
    pub gross: String,
}

/// Everything printed on a receipt, already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub header: Vec<String>,
    pub receipt_no: i64,
    pub sale_id: String,
    pub date: String,
    pub lines: Vec<ReceiptLine>,
    pub subtotal: String,
    pub discount: Option<String>,
    pub taxes: Vec<ReceiptTax>,
    pub total: String,
    pub tenders: Vec<(String, String)>,
    pub change: String,
    pub cash_rounding: Option<String>,
    pub footer: Vec<String>,
    /// Compact summary for a QR code: lets an auditor or the customer's phone identify
    /// the sale without the network.
    pub qr_payload: String,
}

pub(crate) fn money(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency).format()
}

pub(crate) fn tender_label(kind: &str) -> String {
    match kind {
        "cash" => "Cash".into(),
        "card" => "Card".into(),
        "store_credit" => "Store credit".into(),
        "on_account" => "On account".into(),
        other => other.into(),
    }
}

/// One row per (rate, inclusive) of `parts` (rate in basis points, inclusive, net, tax),
/// in the order the rates first appear.
pub(crate) fn tax_rows(
    parts: impl Iterator<Item = (u32, bool, i64, i64)>,
    cur: Currency,
) -> Vec<ReceiptTax> {
    let mut rates: Vec<(u32, bool, i64, i64)> = Vec::new();
    for (bp, inclusive, net, tax) in parts {
        match rates.iter_mut().find(|r| r.0 == bp && r.1 == inclusive) {
            Some(r) => {
                r.2 += net;
                r.3 += tax;
            }
            None => rates.push((bp, inclusive, net, tax)),
        }
    }
    rates
        .into_iter()
        .map(|(bp, inc, net, tax)| ReceiptTax {
            label: format!(
                "{}.{:02}%{}",
                bp / 100,
                bp % 100,
                if inc { " incl" } else { "" }
            ),
            net: money(net, cur),
            tax: money(tax, cur),
            gross: money(net + tax, cur),
        })
        .collect()
}

/// The receipt document for `sale`; its QR payload is sealed with the terminal's `key`
/// (see [`crate::seal`]).
pub fn build(sale: &Sale, terminal: &Terminal, key: &ed25519_dalek::SigningKey) -> Receipt {
    let cur = terminal.currency;
    let mut header = vec![terminal.shop_name.clone()];
    header.extend(terminal.receipt_header.lines().map(str::to_owned));
    let lines = sale
        .lines
        .iter()
        .map(|l| ReceiptLine {
            name: l.name.clone(),
            detail: format!(
                "{} x {}",
                Quantity::from_milli(l.qty_milli),
                money(l.unit_price_minor, cur)
            ),
            amount: money(l.gross_minor, cur),
            discount: (l.discount_minor != 0).then(|| money(-l.discount_minor, cur)),
        })
        .collect();
    let taxes = tax_rows(
        sale.lines
            .iter()
            .map(|l| (l.tax_rate_bp, l.tax_inclusive, l.net_minor, l.tax_minor)),
        cur,
    );
    Receipt {
        header,
        receipt_no: sale.receipt_no,
        sale_id: sale.id.clone(),
        date: terminal.time_zone.format(sale.created_at_ms),
        lines,
        subtotal: money(sale.subtotal_minor, cur),
        discount: (sale.discount_minor != 0).then(|| money(-sale.discount_minor, cur)),
        taxes,
        total: money(sale.total_minor, cur),
        tenders: sale
            .tenders
            .iter()
            .map(|t| {
                // The card terminal's reference, so a disputed payment can be traced.
                let label = match t.reference.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => format!("{} {r}", tender_label(&t.kind)),
                    None => tender_label(&t.kind),
                };
                (label, money(t.amount_minor, cur))
            })
            .collect(),
        change: money(sale.change_minor, cur),
        cash_rounding: (sale.cash_rounding_minor != 0)
            .then(|| money(sale.cash_rounding_minor, cur)),
        footer: terminal.receipt_footer.lines().map(str::to_owned).collect(),
        qr_payload: crate::seal::seal(
            key,
            &crate::seal::ReceiptSummary {
                terminal_id: terminal.terminal_id.clone(),
                sale_id: sale.id.clone(),
                receipt_no: sale.receipt_no,
                created_at_ms: sale.created_at_ms,
                total_minor: sale.total_minor,
                currency: cur.to_string(),
            },
        ),
    }
}

pub(crate) fn truncate(text: &str, width: usize) -> String {
    text.chars().take(width).collect()
}

/// `left` and `right` on a line of `width` characters, `right` flush right; `left` is cut
/// to fit.
pub(crate) fn two_col_in(left: &str, right: &str, width: usize) -> String {
    let right = truncate(right, width);
    let room = width.saturating_sub(right.chars().count() + 1);
    let left = truncate(left, room);
    let pad = width.saturating_sub(left.chars().count() + right.chars().count());
    format!("{left}{}{right}", " ".repeat(pad))
}

/// The tax summary on lines of `width` characters: three amount columns of 10 (8 on a
/// narrow roll), the rate's label in what is left.
pub(crate) fn tax_table(taxes: &[ReceiptTax], width: usize) -> Vec<String> {
    let col = if width >= 42 { 10 } else { 8 };
    let label = width.saturating_sub(3 * col);
    let row = |a: &str, b: &str, c: &str, d: &str| {
        format!(
            "{:<label$}{:>col$}{:>col$}{:>col$}",
            truncate(a, label),
            b,
            c,
            d
        )
    };
    let mut out = vec![row("Tax", "Net", "Tax", "Gross")];
    out.extend(
        taxes
            .iter()
            .map(|t| row(&t.label, &t.net, &t.tax, &t.gross)),
    );
    out
}

/// A printed-again document says so at the top, so it cannot pass as a second original.
pub fn mark_copy(text: &str) -> String {
    format!("{}\n{text}", format!("{:^42}", "*** COPY ***").trim_end())
}

/// A receipt printed again.
pub fn render_copy(r: &Receipt) -> String {
    mark_copy(&render_text(r))
}

/// Renders the receipt as fixed-width text, every line at most [`WIDTH`] characters: the
/// printer's layout ([`crate::devices::layout`]) as plain text.
pub fn render_text(r: &Receipt) -> String {
    use crate::devices::layout;
    layout::to_text(&layout::receipt_blocks(r, WIDTH, false), WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::{SaleLine, SaleTender};

    fn sale() -> Sale {
        let line = |name: &str, qty, price, gross, tax, disc| SaleLine {
            id: "l".into(),
            line_no: 1,
            product_id: "p".into(),
            sku: "S".into(),
            name: name.into(),
            qty_milli: qty,
            unit_price_minor: price,
            discount_minor: disc,
            tax_rate_bp: 2000,
            tax_inclusive: true,
            net_minor: gross - tax,
            tax_minor: tax,
            gross_minor: gross,
        };
        Sale {
            id: "0190aaaa-0000-7000-8000-000000000001".into(),
            receipt_no: 7,
            shift_id: "s".into(),
            staff_id: "st".into(),
            approved_by: None,
            customer_id: None,
            currency: "EUR".into(),
            created_at_ms: 1_700_000_000_000,
            lines: vec![
                line(
                    "A very long product name that will not fit on the line",
                    2000,
                    129,
                    258,
                    43,
                    0,
                ),
                line("Apples", 1235, 299, 350, 58, 19),
            ],
            tenders: vec![SaleTender {
                kind: "cash".into(),
                amount_minor: 1000,
                reference: None,
            }],
            subtotal_minor: 627,
            discount_minor: 19,
            tax_minor: 101,
            total_minor: 608,
            paid_minor: 1000,
            change_minor: 392,
            cash_rounding_minor: 0,
        }
    }

    fn terminal() -> Terminal {
        Terminal {
            terminal_id: "t1".into(),
            epoch: 1,
            company_name: "Acme".into(),
            shop_name: "Corner Shop".into(),
            currency: Currency::EUR,
            receipt_header: "Main St 1".into(),
            receipt_footer: "Thank you!".into(),
            discount_approval_bp: 2000,
            variance_approval_minor: 500,
            catalog_cursor: 0,
            gs1_layouts: Vec::new(),
            cash_rounding_step: None,
            time_zone: crate::shop_time::ShopZone::utc(),
        }
    }

    #[test]
    fn document_has_totals_taxes_and_qr() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
        let r = build(&sale(), &terminal(), &key);
        let public = hex::encode(key.verifying_key().to_bytes());
        let summary = crate::seal::verify(&r.qr_payload, &public).expect("the QR payload verifies");
        assert_eq!(
            summary.total_minor,
            sale().total_minor,
            "the seal carries the total"
        );
        assert_eq!(r.total, "6.08");
        assert_eq!(r.change, "3.92");
        assert_eq!(r.discount.as_deref(), Some("-0.19"));
        assert_eq!(r.taxes.len(), 1, "one rate, one summary row");
        assert_eq!(r.taxes[0].tax, "1.01");
        assert_eq!(r.lines[1].detail, "1.235 x 2.99");
        assert!(r.qr_payload.contains(&sale().id));
    }

    #[test]
    fn a_card_tender_shows_its_terminal_reference() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
        let mut paid_by_card = sale();
        paid_by_card.tenders = vec![SaleTender {
            kind: "card".into(),
            amount_minor: 608,
            reference: Some("AUTH-0042".into()),
        }];
        let text = render_text(&build(&paid_by_card, &terminal(), &key));
        assert!(
            text.lines()
                .any(|l| l.starts_with("Card AUTH-0042") && l.ends_with("6.08")),
            "{text}"
        );
    }

    /// 2026-12-08 02:08:44 UTC.
    const AT: i64 = 1_796_695_724_000;

    fn receipt_in(zone: &str) -> String {
        let key = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
        let mut at = sale();
        at.created_at_ms = AT;
        let mut t = terminal();
        t.time_zone = crate::shop_time::ShopZone::named(zone);
        render_text(&build(&at, &t, &key))
    }

    #[test]
    fn a_berlin_shop_prints_its_wall_time() {
        let text = receipt_in("Europe/Berlin");
        assert!(
            text.lines()
                .any(|l| l.starts_with("Receipt #7") && l.ends_with("2026-12-08 03:08 CET")),
            "Berlin is an hour ahead of UTC in December:\n{text}"
        );
        assert!(!text.contains("T02:08"), "no RFC 3339 on paper:\n{text}");
    }

    #[test]
    fn utc_shops_and_unknown_zones_print_utc() {
        for zone in ["UTC", "Nowhere/Atlantis"] {
            let text = receipt_in(zone);
            assert!(
                text.lines()
                    .any(|l| l.starts_with("Receipt #7") && l.ends_with("2026-12-08 02:08 UTC")),
                "{zone}:\n{text}"
            );
        }
    }

    #[test]
    fn text_fits_42_columns() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
        let text = render_text(&build(&sale(), &terminal(), &key));
        for line in text.lines() {
            assert!(line.chars().count() <= WIDTH, "line too wide: {line:?}");
        }
        assert!(text.contains("TOTAL"));
        assert!(
            text.lines()
                .any(|l| l.starts_with("TOTAL") && l.ends_with("6.08")),
            "{text}"
        );
    }
}
