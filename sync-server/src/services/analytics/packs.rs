//! Packed month rollups: many small per-month rows kept as fields of a few documents,
//! because the dev store spends its time per document, not per byte.
//!
//! - Month products: one document per shop, month and bucket of products (`PACKS`
//!   buckets by a hash of the product id) holding every product of that bucket under `p`
//!   (10 shops x 12 months x 2,500 products read as 300,000 documents in 13 s, as 7,680
//!   packs in 1.7 s, from Python).
//! - Month days: one document per shop and month holding each day's totals under
//!   `d.<YYYY-MM-DD>`, so the dashboard's plan (which needs every day's totals of the
//!   months a range touches) reads a year of 10 shops as 130 documents, not 3,650.
//!
//! Both are moved by `$inc` on dotted paths in the same transaction as the day rollup, so
//! the event id that keeps a replay from counting twice keeps them exact too.

use mongodb::bson::{Bson, Document};

use super::rollup::{Bump, MONTH_DAYS, MONTH_PRODUCTS};

/// Buckets of a month's products per shop (see the module's note).
pub const PACKS: u64 = 64;

/// The bucket of a product: FNV-1a of its id, stable across builds and machines.
pub fn pack_of(product_id: &str) -> u64 {
    let hash = product_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % PACKS
}

/// A product's field name in its pack: the id itself when it is plain, else its bytes in
/// hex (a `.` or a leading `$` would be read as a path or an operator).
pub fn pack_key(product_id: &str) -> String {
    let plain = !product_id.is_empty()
        && product_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        product_id.to_owned()
    } else {
        let hex: String = product_id.bytes().map(|b| format!("{b:02x}")).collect();
        format!("x{hex}")
    }
}

/// The id of a shop-month's pack: `company|shop|month|<suffix>`.
fn pack_id(set: &Document, suffix: &str) -> String {
    format!(
        "{}|{}|{}|{suffix}",
        set.get_str("company_id").unwrap_or_default(),
        set.get_str("shop_id").unwrap_or_default(),
        set.get_str("month").unwrap_or_default()
    )
}

/// The month twin of a product bump, packed: keys set once, the product's keys and name on
/// every bump, its counters under `p.<key>`.
pub(super) fn product(month_set: Document, rest: &str, extra: &Document, inc: &Document) -> Bump {
    let key = pack_key(rest);
    let pack = pack_of(rest);
    let mut set = month_set;
    set.insert("pack", pack as i64);
    let id = pack_id(&set, &format!("p{pack}"));
    let path = |f: &str| format!("p.{key}.{f}");
    Bump {
        collection: MONTH_PRODUCTS,
        id,
        set,
        put: extra.iter().map(|(k, v)| (path(k), v.clone())).collect(),
        inc: inc.iter().map(|(k, v)| (path(k), v.clone())).collect(),
    }
}

/// The month twin of a day-totals bump, packed: the day's counters under `d.<day>` (a
/// `YYYY-MM-DD` date, never a path or an operator).
pub(super) fn day(month_set: Document, day: &str, inc: &Document) -> Bump {
    let id = pack_id(&month_set, "days");
    Bump {
        collection: MONTH_DAYS,
        id,
        set: month_set,
        put: Document::new(),
        inc: inc
            .iter()
            .map(|(k, v)| (format!("d.{day}.{k}"), v.clone()))
            .collect(),
    }
}

/// The day-totals rows a month-days pack holds, each as the `days` rollup document of that
/// shop and day would read (`shop_id`, `day` and the counters).
pub fn days_in(pack: &Document) -> Vec<Document> {
    let Ok(shop) = pack.get_str("shop_id") else {
        return Vec::new();
    };
    let Ok(days) = pack.get_document("d") else {
        return Vec::new();
    };
    days.iter()
        .filter_map(|(day, figures)| {
            let mut row = figures.as_document()?.clone();
            row.insert("shop_id", shop);
            row.insert("day", day.as_str());
            Some(row)
        })
        .collect()
}

/// Adds `b` to the document `d` holds for its counter, as the store would apply it (the
/// rebuild and the benchmark's seeder sum bumps in memory this way).
pub fn fold(d: &mut Document, b: &Bump) {
    for (k, v) in &b.put {
        *slot(d, k) = v.clone();
    }
    for (k, v) in &b.inc {
        let at = slot(d, k);
        let now = match at {
            Bson::Int64(n) => *n,
            _ => 0,
        };
        *at = Bson::Int64(now + v.as_i64().unwrap_or_default());
    }
}

/// The value at a dotted path in `d`, made (as null, in sub-documents) when missing.
fn slot<'a>(d: &'a mut Document, path: &str) -> &'a mut Bson {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let entry = d.entry(head.to_owned()).or_insert(Bson::Null);
    match rest {
        None => entry,
        Some(rest) => {
            if !matches!(entry, Bson::Document(_)) {
                *entry = Bson::Document(Document::new());
            }
            match entry {
                Bson::Document(sub) => slot(sub, rest),
                _ => unreachable!("made a document just above"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::analytics::facts::{Fact, LineFacts, RefundFacts, SaleFacts};
    use crate::services::analytics::rollup::bumps;
    use jiff::tz::TimeZone;

    #[test]
    fn a_months_products_pack_by_bucket_and_fold_like_the_store_applies_them() {
        assert_eq!(pack_key("p-1_A"), "p-1_A");
        assert_eq!(pack_key("a.b"), "x612e62", "a dot would be read as a path");
        assert_eq!(pack_key("$x"), "x2478");
        assert!(pack_of("anything") < PACKS);
        let tz = TimeZone::UTC;
        let line = |id: &str, qty: i64, gross: i64| LineFacts {
            product_id: id.into(),
            sku: id.to_uppercase(),
            name: format!("Product {id}"),
            qty_milli: qty,
            gross_minor: gross,
        };
        let sale = Fact::Sale(SaleFacts {
            created_at_ms: 1_796_686_200_000,
            total_minor: 500,
            change_minor: 0,
            lines: vec![line("milk", 1000, 200), line("milk", 2000, 300)],
            tenders: vec![],
        });
        let packs: Vec<Bump> = bumps("c", "s", &sale, &tz)
            .into_iter()
            .filter(|b| b.collection == MONTH_PRODUCTS)
            .collect();
        assert_eq!(packs.len(), 2);
        assert_eq!(packs[0].id, format!("c|s|2026-12|p{}", pack_of("milk")));
        let mut d = packs[0].set.clone();
        for b in &packs {
            fold(&mut d, b);
        }
        let milk = d.get_document("p").unwrap().get_document("milk").unwrap();
        assert_eq!(milk.get_i64("qty_milli").unwrap(), 3000);
        assert_eq!(milk.get_i64("sales_minor").unwrap(), 500);
        assert_eq!(milk.get_str("name").unwrap(), "Product milk");
        assert_eq!(d.get_str("month").unwrap(), "2026-12");
    }

    #[test]
    fn a_months_day_totals_pack_per_shop_and_read_back_as_the_day_rows() {
        let tz = TimeZone::UTC;
        let sale = |at: i64, total: i64| {
            Fact::Sale(SaleFacts {
                created_at_ms: at,
                total_minor: total,
                change_minor: 0,
                lines: vec![],
                tenders: vec![],
            })
        };
        // 2026-12-07 23:30 UTC and a day later, and a refund on the first day.
        let day = 86_400_000;
        let at = 1_796_686_200_000;
        let refund = Fact::Refund(RefundFacts {
            created_at_ms: at,
            total_minor: 100,
            tender_kind: "cash".into(),
            lines: vec![],
        });
        let mut d = Document::new();
        for f in [sale(at, 500), sale(at + day, 700), sale(at, 300), refund] {
            let packs: Vec<Bump> = bumps("c", "s", &f, &tz)
                .into_iter()
                .filter(|b| b.collection == MONTH_DAYS)
                .collect();
            assert_eq!(packs.len(), 1, "one pack bump per fact");
            assert_eq!(packs[0].id, "c|s|2026-12|days");
            if d.is_empty() {
                d = packs[0].set.clone();
            }
            fold(&mut d, &packs[0]);
        }
        let rows = days_in(&d);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get_str("day").unwrap(), "2026-12-07");
        assert_eq!(rows[0].get_str("shop_id").unwrap(), "s");
        assert_eq!(rows[0].get_i64("orders").unwrap(), 2);
        assert_eq!(rows[0].get_i64("sales_minor").unwrap(), 800);
        assert_eq!(rows[0].get_i64("refunds_minor").unwrap(), 100);
        assert_eq!(rows[1].get_i64("sales_minor").unwrap(), 700);
    }
}
