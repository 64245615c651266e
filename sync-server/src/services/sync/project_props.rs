//! Property tests for the refund arithmetic of the projector: a refund made from another
//! till's receipt is split over the sale's lines without creating or losing a single
//! thousandth of quantity or a single minor unit of money, whatever a till sends.

use std::collections::HashMap;

use pos_shared::facts::{Refund, RefundLine};
use proptest::prelude::*;

use super::{SoldLine, match_lines};

/// Up to six sold lines over three products.
fn sold_lines() -> impl Strategy<Value = Vec<SoldLine>> {
    prop::collection::vec((0..3u8, 1..1_000_000_000i64), 1..6).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (p, qty_milli))| SoldLine {
                id: format!("line{i}"),
                product_id: format!("p{p}"),
                qty_milli,
            })
            .collect()
    })
}

/// Refund lines without sale lines (as another till sends them), amounts from a cent up to
/// the largest entry a till accepts and quantities up to a million units.
fn refund_lines() -> impl Strategy<Value = Vec<RefundLine>> {
    let line = (
        0..4u8,
        1..1_000_000_000i64,
        0..1_000_000_000_000i64,
        0..1_000_000_000i64,
    );
    prop::collection::vec(line, 1..4).prop_map(|v| {
        v.into_iter()
            .map(|(p, qty_milli, amount_minor, tax)| RefundLine {
                sale_line_id: None,
                product_id: format!("p{p}"),
                sku: format!("SKU{p}"),
                qty_milli,
                amount_minor,
                tax_minor: tax.min(amount_minor),
                restock: true,
            })
            .collect()
    })
}

fn refund(lines: Vec<RefundLine>) -> Refund {
    Refund {
        id: "r1".into(),
        sale_id: Some("s1".into()),
        shift_id: "sh".into(),
        staff_id: "st".into(),
        approved_by: None,
        customer_id: None,
        reason: "test".into(),
        tender_kind: "cash".into(),
        total_minor: lines.iter().map(|l| l.amount_minor).sum(),
        tax_minor: lines.iter().map(|l| l.tax_minor).sum(),
        lines,
        created_at_ms: 0,
    }
}

/// Sums of quantity, amount and tax per product.
fn per_product(lines: &[RefundLine]) -> HashMap<String, (i64, i64, i64)> {
    let mut out: HashMap<String, (i64, i64, i64)> = HashMap::new();
    for l in lines {
        let e = out.entry(l.product_id.clone()).or_default();
        *e = (e.0 + l.qty_milli, e.1 + l.amount_minor, e.2 + l.tax_minor);
    }
    out
}

proptest! {
    #[test]
    fn matching_keeps_every_quantity_and_minor_unit(
        sold in sold_lines(),
        lines in refund_lines(),
        before in 0..5_000i64,
    ) {
        let already: HashMap<String, i64> = [("line0".to_owned(), before)].into();
        let mut r = refund(lines.clone());
        match_lines(&mut r, &sold, &already);
        prop_assert_eq!(per_product(&r.lines), per_product(&lines));
        for l in &r.lines {
            prop_assert!(l.qty_milli > 0);
            prop_assert!(l.amount_minor >= 0 && l.tax_minor >= 0, "{:?}", l);
            match &l.sale_line_id {
                // A matched piece returns a line of the same product.
                Some(id) => {
                    let s = sold.iter().find(|s| &s.id == id).expect("a sold line");
                    prop_assert_eq!(&s.product_id, &l.product_id);
                }
                // Only a product the sale never had stays unmatched.
                None => prop_assert!(sold.iter().all(|s| s.product_id != l.product_id)),
            }
        }
    }

    #[test]
    fn within_what_was_sold_no_line_is_refunded_past_its_quantity(
        sold in sold_lines(),
        picks in prop::collection::vec((0..6usize, 1..100i64), 1..4),
    ) {
        // Refund at most what is left of each product, in pieces.
        let mut left: HashMap<String, i64> = HashMap::new();
        for s in &sold {
            *left.entry(s.product_id.clone()).or_default() += s.qty_milli;
        }
        let lines: Vec<RefundLine> = picks
            .iter()
            .filter_map(|(i, permille)| {
                let s = sold.get(i % sold.len())?;
                let room = left.get_mut(&s.product_id)?;
                let qty = (*room * permille / 100).min(*room);
                if qty == 0 {
                    return None;
                }
                *room -= qty;
                Some(RefundLine {
                    sale_line_id: None,
                    product_id: s.product_id.clone(),
                    sku: "S".into(),
                    qty_milli: qty,
                    amount_minor: qty,
                    tax_minor: 0,
                    restock: true,
                })
            })
            .collect();
        let mut r = refund(lines);
        match_lines(&mut r, &sold, &HashMap::new());
        let mut per_line: HashMap<String, i64> = HashMap::new();
        for l in &r.lines {
            *per_line.entry(l.sale_line_id.clone().expect("matched")).or_default() += l.qty_milli;
        }
        for s in &sold {
            prop_assert!(per_line.get(&s.id).copied().unwrap_or(0) <= s.qty_milli);
        }
    }
}
