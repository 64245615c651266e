//! The rollups: per company x shop x local day (orders, sales, refunds), the same per
//! hour, per product and day (quantity, net sales) and per tender and day (net takings);
//! and the hour, product and tender ones again per local month (`month_*`), so a long
//! range reads a month's document instead of thirty days' (the dashboard reads a month
//! that is only partly in the range as the month less its days outside the range, or as
//! its days in the range, whichever reads fewer). A fact becomes a list of `$inc`
//! upserts; applying the same list twice is prevented by the caller (the event id), so the
//! sums are exact, and every level is moved by the same list.
//!
//! The month products and the month's day totals are packed (see `packs`): a year of a
//! busy company is hundreds of thousands of product-month rows and thousands of shop-days,
//! and the dev store spends its time per document.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use mongodb::bson::{Document, doc};

use super::facts::Fact;
use super::packs;
pub use super::packs::{PACKS, fold, pack_key, pack_of};
use crate::store::{self, Tenant};

/// One counter document and what to add to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bump {
    pub collection: &'static str,
    pub id: String,
    /// Fields set once (keys, names).
    pub set: Document,
    /// Fields set on every bump (a packed product's keys and name), as dotted paths.
    pub put: Document,
    /// What to add, as dotted paths in a pack.
    pub inc: Document,
}

// The collections' names; `crate::store` declares them (`ROLLUP_*`).
pub const DAYS: &str = store::ROLLUP_DAYS.name;
pub const HOURS: &str = store::ROLLUP_HOURS.name;
pub const PRODUCTS: &str = store::ROLLUP_PRODUCTS.name;
pub const TENDERS: &str = store::ROLLUP_TENDERS.name;
pub const MONTH_HOURS: &str = store::ROLLUP_MONTH_HOURS.name;
/// Packed (see the module's note); `month_products`, the unpacked form it replaced, is
/// dropped when a server finds it.
pub const MONTH_PRODUCTS: &str = store::ROLLUP_MONTH_PRODUCT_PACKS.name;
pub const LEGACY_MONTH_PRODUCTS: &str = store::ROLLUP_LEGACY_MONTH_PRODUCTS.name;
pub const MONTH_TENDERS: &str = store::ROLLUP_MONTH_TENDERS.name;
/// The day totals of a shop-month, packed (see `packs`).
pub const MONTH_DAYS: &str = store::ROLLUP_MONTH_DAY_PACKS.name;

/// Every rollup collection (the rebuild's and the equality test's list).
pub const ALL: [&str; 8] = [
    DAYS,
    HOURS,
    PRODUCTS,
    TENDERS,
    MONTH_HOURS,
    MONTH_PRODUCTS,
    MONTH_TENDERS,
    MONTH_DAYS,
];

/// The store's declaration of the rollup collection `collection` (one of [`ALL`]).
pub fn declared(collection: &str) -> mongodb::error::Result<&'static Tenant> {
    store::ROLLUPS
        .iter()
        .find(|t| t.name == collection)
        .ok_or_else(|| std::io::Error::other(format!("{collection}: no rollup collection")).into())
}

/// The per-month twin of a per-day rollup (`None` for the month rollups themselves).
pub fn monthly(collection: &str) -> Option<&'static str> {
    match collection {
        DAYS => Some(MONTH_DAYS),
        HOURS => Some(MONTH_HOURS),
        PRODUCTS => Some(MONTH_PRODUCTS),
        TENDERS => Some(MONTH_TENDERS),
        _ => None,
    }
}

/// Whether `collection` is keyed by `month` (`YYYY-MM`) rather than `day`.
pub fn is_monthly(collection: &str) -> bool {
    matches!(
        collection,
        MONTH_HOURS | MONTH_PRODUCTS | MONTH_TENDERS | MONTH_DAYS
    )
}

/// The shop's local day (`YYYY-MM-DD`) and hour of a UTC instant.
pub fn local(at_ms: i64, tz: &TimeZone) -> (String, i32) {
    let ts = Timestamp::from_millisecond(at_ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let zoned = ts.to_zoned(tz.clone());
    (zoned.date().to_string(), i32::from(zoned.hour()))
}

/// The counters `fact` of `shop` moves: the day's totals, then each per-day counter
/// followed by its per-month twin.
pub fn bumps(company: &str, shop: &str, fact: &Fact, tz: &TimeZone) -> Vec<Bump> {
    let at = match fact {
        Fact::Sale(s) => s.created_at_ms,
        Fact::Refund(r) => r.created_at_ms,
    };
    let (day, hour) = local(at, tz);
    let month = day.get(..7).unwrap_or(&day).to_owned();
    let mut out = Vec::new();
    // One per-day counter and its month twin; `extra` are the keys beyond company, shop
    // and day/month.
    let mut push = |collection: &'static str, rest: &str, extra: Document, inc: Document| {
        let mut set = doc! { "company_id": company, "shop_id": shop, "day": &day };
        set.extend(extra.clone());
        out.push(Bump {
            collection,
            id: format!("{company}|{shop}|{day}|{rest}"),
            set,
            put: Document::new(),
            inc: inc.clone(),
        });
        let month_set = doc! { "company_id": company, "shop_id": shop, "month": &month };
        match monthly(collection) {
            Some(MONTH_PRODUCTS) => out.push(packs::product(month_set, rest, &extra, &inc)),
            Some(MONTH_DAYS) => out.push(packs::day(month_set, &day, &inc)),
            Some(twin) => {
                let mut set = month_set;
                set.extend(extra);
                out.push(Bump {
                    collection: twin,
                    id: format!("{company}|{shop}|{month}|{rest}"),
                    set,
                    put: Document::new(),
                    inc,
                });
            }
            None => {}
        }
    };
    let sales = match fact {
        Fact::Sale(s) => doc! { "orders": 1_i64, "sales_minor": s.total_minor },
        Fact::Refund(r) => doc! { "refunds": 1_i64, "refunds_minor": r.total_minor },
    };
    push(
        HOURS,
        &hour.to_string(),
        doc! { "hour": hour },
        sales.clone(),
    );
    push(DAYS, "day", doc! {}, sales);
    match fact {
        Fact::Sale(s) => {
            for l in &s.lines {
                push(
                    PRODUCTS,
                    &l.product_id,
                    doc! { "product_id": &l.product_id, "sku": &l.sku, "name": &l.name },
                    doc! { "qty_milli": l.qty_milli, "sales_minor": l.gross_minor },
                );
            }
            for (kind, amount) in takings(s) {
                push(
                    TENDERS,
                    &kind,
                    doc! { "kind": &kind },
                    doc! { "amount_minor": amount },
                );
            }
        }
        Fact::Refund(r) => {
            for l in &r.lines {
                push(
                    PRODUCTS,
                    &l.product_id,
                    doc! { "product_id": &l.product_id, "sku": &l.sku },
                    doc! { "qty_milli": -l.qty_milli, "sales_minor": -l.amount_minor },
                );
            }
            let kind = r.tender_kind.clone();
            push(
                TENDERS,
                &kind,
                doc! { "kind": &kind },
                doc! { "amount_minor": -r.total_minor },
            );
        }
    }
    out
}

/// What each tender kind took, the change given coming off the cash.
fn takings(s: &super::facts::SaleFacts) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::new();
    for t in &s.tenders {
        match out.iter_mut().find(|(k, _)| *k == t.kind) {
            Some((_, sum)) => *sum += t.amount_minor,
            None => out.push((t.kind.clone(), t.amount_minor)),
        }
    }
    if s.change_minor != 0 {
        match out.iter_mut().find(|(k, _)| k == "cash") {
            Some((_, sum)) => *sum -= s.change_minor,
            None => out.push(("cash".into(), -s.change_minor)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::analytics::facts::{LineFacts, SaleFacts, TenderFacts};

    #[test]
    fn a_late_evening_sale_in_berlin_counts_on_the_local_day_and_change_leaves_the_cash() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        // 2026-12-07 23:30 UTC is 00:30 on the 8th in Berlin.
        let at = 1_796_686_200_000;
        let sale = Fact::Sale(SaleFacts {
            created_at_ms: at,
            total_minor: 736,
            change_minor: 264,
            lines: vec![LineFacts {
                product_id: "p".into(),
                sku: "MILK".into(),
                name: "Milk".into(),
                qty_milli: 3000,
                gross_minor: 387,
            }],
            tenders: vec![
                TenderFacts {
                    kind: "card".into(),
                    amount_minor: 500,
                },
                TenderFacts {
                    kind: "cash".into(),
                    amount_minor: 500,
                },
            ],
        });
        let b = bumps("c", "s", &sale, &tz);
        assert_eq!(b[0].id, "c|s|2026-12-08|0");
        assert_eq!(b[1].id, "c|s|2026-12|0");
        assert_eq!(b[1].collection, MONTH_HOURS);
        assert_eq!(b[1].set.get_str("month").unwrap(), "2026-12");
        assert!(
            b.iter()
                .any(|x| x.collection == DAYS && x.id == "c|s|2026-12-08|day")
        );
        let cash: Vec<_> = b.iter().filter(|x| x.id.ends_with("|cash")).collect();
        assert_eq!(cash.len(), 2, "the day's and the month's");
        for c in cash {
            assert_eq!(c.inc.get_i64("amount_minor").unwrap(), 236);
        }
    }
}
