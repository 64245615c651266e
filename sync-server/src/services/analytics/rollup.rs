//! The rollups: per company x shop x local day x hour (orders, sales, refunds), per
//! product and day (quantity, net sales) and per tender and day (net takings). A fact
//! becomes a list of `$inc` upserts; applying the same list twice is prevented by the
//! caller (the event id), so the sums are exact.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use mongodb::bson::{Document, doc};

use super::facts::Fact;

/// One counter document and what to add to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bump {
    pub collection: &'static str,
    pub id: String,
    /// Fields set once (keys, names).
    pub set: Document,
    pub inc: Document,
}

pub const HOURS: &str = "hours";
pub const PRODUCTS: &str = "products";
pub const TENDERS: &str = "tenders";

/// The shop's local day (`YYYY-MM-DD`) and hour of a UTC instant.
pub fn local(at_ms: i64, tz: &TimeZone) -> (String, i32) {
    let ts = Timestamp::from_millisecond(at_ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let zoned = ts.to_zoned(tz.clone());
    (zoned.date().to_string(), i32::from(zoned.hour()))
}

/// The counters `fact` of `shop` moves.
pub fn bumps(company: &str, shop: &str, fact: &Fact, tz: &TimeZone) -> Vec<Bump> {
    let at = match fact {
        Fact::Sale(s) => s.created_at_ms,
        Fact::Refund(r) => r.created_at_ms,
    };
    let (day, hour) = local(at, tz);
    let key = |rest: &str| format!("{company}|{shop}|{day}|{rest}");
    let base = || doc! { "company_id": company, "shop_id": shop, "day": &day };
    let mut out = Vec::new();
    let mut hour_set = base();
    hour_set.insert("hour", hour);
    let hour_inc = match fact {
        Fact::Sale(s) => doc! { "orders": 1_i64, "sales_minor": s.total_minor },
        Fact::Refund(r) => doc! { "refunds": 1_i64, "refunds_minor": r.total_minor },
    };
    out.push(Bump {
        collection: HOURS,
        id: key(&hour.to_string()),
        set: hour_set,
        inc: hour_inc,
    });
    match fact {
        Fact::Sale(s) => {
            for l in &s.lines {
                let mut set = base();
                set.insert("product_id", &l.product_id);
                set.insert("sku", &l.sku);
                set.insert("name", &l.name);
                let inc = doc! { "qty_milli": l.qty_milli, "sales_minor": l.gross_minor };
                out.push(Bump {
                    collection: PRODUCTS,
                    id: key(&l.product_id),
                    set,
                    inc,
                });
            }
            for (kind, amount) in takings(s) {
                out.push(tender(&key(&kind), base(), &kind, amount));
            }
        }
        Fact::Refund(r) => {
            for l in &r.lines {
                let mut set = base();
                set.insert("product_id", &l.product_id);
                set.insert("sku", &l.sku);
                let inc = doc! { "qty_milli": -l.qty_milli, "sales_minor": -l.amount_minor };
                out.push(Bump {
                    collection: PRODUCTS,
                    id: key(&l.product_id),
                    set,
                    inc,
                });
            }
            let kind = r.tender_kind.clone();
            out.push(tender(&key(&kind), base(), &kind, -r.total_minor));
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

fn tender(id: &str, mut set: Document, kind: &str, amount: i64) -> Bump {
    set.insert("kind", kind);
    Bump {
        collection: TENDERS,
        id: id.to_owned(),
        set,
        inc: doc! { "amount_minor": amount },
    }
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
        let cash = b.iter().find(|x| x.id.ends_with("|cash")).unwrap();
        assert_eq!(cash.inc.get_i64("amount_minor").unwrap(), 236);
    }
}
