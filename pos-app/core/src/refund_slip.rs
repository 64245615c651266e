//! Refund slips: the paper a customer takes home when money goes back. A pure
//! `StoredRefund -> RefundSlip` document and its 42-column text, laid out like a receipt
//! with every amount negative.

use pos_shared::{Currency, Quantity};
use serde::{Deserialize, Serialize};

use crate::receipt::{ReceiptTax, WIDTH, money, tax_rows, tender_label};
use crate::refunds::StoredRefund;
use crate::terminal::Terminal;

/// One returned item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlipLine {
    pub name: String,
    /// "2 returned" or "1.235 returned, not restocked".
    pub detail: String,
    pub amount: String,
}

/// Everything printed on a refund slip, already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundSlip {
    pub header: Vec<String>,
    pub refund_id: String,
    pub date: String,
    /// "For receipt #7", "For sale 0190..." (another till's) or "Without receipt".
    pub against: String,
    pub lines: Vec<SlipLine>,
    pub taxes: Vec<ReceiptTax>,
    pub total: String,
    /// How the money went back, and how much.
    pub tender: (String, String),
    pub reason: String,
    pub cashier: String,
    pub approved_by: Option<String>,
    pub footer: Vec<String>,
}

/// The slip for `r`; amounts are negative because the money leaves the till.
pub fn build(r: &StoredRefund, terminal: &Terminal) -> RefundSlip {
    let cur: Currency = terminal.currency;
    let refund = &r.refund;
    let mut header = vec![terminal.shop_name.clone()];
    header.extend(terminal.receipt_header.lines().map(str::to_owned));
    let against = match (&refund.sale_id, r.receipt_no) {
        (_, Some(no)) => format!("For receipt #{no}"),
        (Some(sale), None) => format!("For sale {sale}"),
        (None, None) => "Without receipt".to_owned(),
    };
    let lines = refund
        .lines
        .iter()
        .zip(&r.lines)
        .map(|(l, about)| SlipLine {
            name: about.name.clone(),
            detail: format!(
                "{} returned{}",
                Quantity::from_milli(l.qty_milli),
                if l.restock { "" } else { ", not restocked" }
            ),
            amount: money(-l.amount_minor, cur),
        })
        .collect();
    let taxes = tax_rows(
        refund.lines.iter().zip(&r.lines).map(|(l, about)| {
            (
                about.tax_rate_bp,
                about.tax_inclusive,
                -(l.amount_minor - l.tax_minor),
                -l.tax_minor,
            )
        }),
        cur,
    );
    RefundSlip {
        header,
        refund_id: refund.id.clone(),
        date: terminal.time_zone.format(refund.created_at_ms),
        against,
        lines,
        taxes,
        total: money(-refund.total_minor, cur),
        tender: (
            tender_label(&refund.tender_kind),
            money(-refund.total_minor, cur),
        ),
        reason: refund.reason.clone(),
        cashier: r.staff_name.clone(),
        approved_by: r.approver_name.clone(),
        footer: terminal.receipt_footer.lines().map(str::to_owned).collect(),
    }
}

/// Renders the slip as fixed-width text, every line at most [`WIDTH`] characters: the
/// printer's layout ([`crate::devices::layout`]) as plain text.
pub fn render_text(s: &RefundSlip) -> String {
    use crate::devices::layout;
    layout::to_text(&layout::slip_blocks(s, WIDTH, false), WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refunds::{Refund, RefundLine, SlipLineInfo};

    fn stored(sale_id: Option<&str>, receipt_no: Option<i64>) -> StoredRefund {
        let line = |sku: &str, qty, amount, tax, restock| RefundLine {
            sale_line_id: None,
            product_id: format!("p-{sku}"),
            sku: sku.into(),
            qty_milli: qty,
            amount_minor: amount,
            tax_minor: tax,
            restock,
        };
        StoredRefund {
            refund: Refund {
                id: "0190bbbb-0000-7000-8000-000000000002".into(),
                sale_id: sale_id.map(str::to_owned),
                shift_id: "s".into(),
                staff_id: "st".into(),
                approved_by: Some("m".into()),
                customer_id: None,
                reason: "damaged".into(),
                tender_kind: "cash".into(),
                total_minor: 608,
                tax_minor: 101,
                lines: vec![
                    line("A", 2000, 258, 43, true),
                    line("B", 1235, 350, 58, false),
                ],
                created_at_ms: 1_700_000_000_000,
            },
            lines: vec![
                SlipLineInfo {
                    name: "A very long product name that will not fit on the line".into(),
                    tax_rate_bp: 2000,
                    tax_inclusive: true,
                },
                SlipLineInfo {
                    name: "Apples".into(),
                    tax_rate_bp: 700,
                    tax_inclusive: true,
                },
            ],
            staff_name: "Ana".into(),
            approver_name: Some("Maria".into()),
            receipt_no,
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
    fn slip_shows_money_going_back_per_line_rate_and_tender() {
        let slip = build(&stored(Some("sale-1"), Some(7)), &terminal());
        assert_eq!(slip.against, "For receipt #7");
        assert_eq!(slip.total, "-6.08");
        assert_eq!(slip.tender, ("Cash".to_owned(), "-6.08".to_owned()));
        assert_eq!(slip.lines[1].detail, "1.235 returned, not restocked");
        assert_eq!(slip.taxes.len(), 2, "one row per rate");
        assert_eq!(slip.taxes[0].tax, "-0.43");
        assert_eq!(slip.taxes[1].gross, "-3.50");
        let text = render_text(&slip);
        for line in text.lines() {
            assert!(line.chars().count() <= WIDTH, "line too wide: {line:?}");
        }
        assert!(
            text.lines()
                .any(|l| l.starts_with("REFUND TOTAL") && l.ends_with("-6.08")),
            "{text}"
        );
        assert!(text.contains("Approved by: Maria"), "{text}");
    }

    #[test]
    fn slip_shows_the_shops_wall_time() {
        let mut r = stored(Some("sale-1"), Some(7));
        r.refund.created_at_ms = 1_796_695_724_000; // 2026-12-08 02:08:44 UTC
        let mut t = terminal();
        t.time_zone = crate::shop_time::ShopZone::named("Europe/Berlin");
        let text = render_text(&build(&r, &t));
        assert!(
            text.lines()
                .any(|l| l.starts_with("REFUND") && l.ends_with("2026-12-08 03:08 CET")),
            "{text}"
        );
    }

    #[test]
    fn slip_says_what_it_refunds_against() {
        let other_till = build(&stored(Some("0190cccc"), None), &terminal());
        assert_eq!(other_till.against, "For sale 0190cccc");
        let without = build(&stored(None, None), &terminal());
        assert_eq!(without.against, "Without receipt");
    }
}
