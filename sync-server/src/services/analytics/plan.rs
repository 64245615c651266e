//! How the dashboard reads a range: every shop-day's totals of the months it touches (from
//! the month day packs, one document per shop and month), and the units the other tables
//! are summed from, each with its version for the server's cache of rows read.

use std::collections::HashMap;

use futures::TryStreamExt;
use jiff::civil::Date;
use mongodb::bson::Document;

use super::routes::Scope;
use super::tables::int;
use super::{packs, rollup, rollup_in};
use crate::{error::ApiResult, state::AppState};

/// How to read a range: the day totals of the months it touches (the by-day, by-shop and
/// total figures, and each shop-day's and shop-month's version), and the units the other
/// tables are summed from: whole months from the month rollups, days from the day
/// rollups, added or (a month's days outside the range) taken away.
pub(super) struct Plan {
    /// The day totals inside the range, each as a `days` rollup document reads.
    pub(super) days: Vec<Document>,
    /// `(unit, monthly, sign)`: a month `YYYY-MM` or a day `YYYY-MM-DD`.
    pub(super) units: Vec<(String, bool, i64)>,
    /// Orders plus refunds counted for (shop, unit): every event moves it by one, so it is
    /// the unit's version (0: nothing to read).
    pub(super) versions: HashMap<(String, String), i64>,
}

fn month_of(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn ymd(d: Date) -> String {
    d.to_string()
}

/// The days `lo..=hi`.
fn days_between(lo: Date, hi: Date) -> Vec<String> {
    let mut out = Vec::new();
    let mut d = lo;
    while d <= hi {
        out.push(ymd(d));
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out
}

/// Reads the day totals of the months the range touches and decides, month by month, the
/// cheapest exact way to read it (see [`month_units`]).
pub(super) async fn plan(state: &AppState, s: &Scope) -> ApiResult<Plan> {
    let (first, last) = (s.from.first_of_month(), s.to.last_of_month());
    let docs = day_totals(state, s, first, last).await?;
    let versions = versions(&docs);
    let mut units = Vec::new();
    let mut month = first;
    while month <= last {
        units.extend(month_units(s, month, &docs));
        match month.last_of_month().tomorrow() {
            Ok(next) => month = next,
            Err(_) => break,
        }
    }
    let (from, to) = (ymd(s.from), ymd(s.to));
    let days = docs
        .into_iter()
        .filter(|d| {
            let day = d.get_str("day").unwrap_or_default();
            day >= from.as_str() && day <= to.as_str()
        })
        .collect();
    Ok(Plan {
        days,
        units,
        versions,
    })
}

/// Every shop-day's totals in the months `first..=last`, unpacked from the month day
/// packs: the store's cost is per document, and a year of 10 shops is 130 packs where the
/// `days` rollup holds 3,650 documents.
async fn day_totals(
    state: &AppState,
    s: &Scope,
    first: Date,
    last: Date,
) -> ApiResult<Vec<Document>> {
    let packs: Vec<Document> = rollup_in(&state.mongo, rollup::MONTH_DAYS, &s.tenant)?
        .aggregate(s.pipeline("month", &month_of(first), &month_of(last)))
        .await?
        .try_collect()
        .await?;
    Ok(packs.iter().flat_map(packs::days_in).collect())
}

/// Each (shop, day) and (shop, month)'s version: its orders plus refunds.
fn versions(docs: &[Document]) -> HashMap<(String, String), i64> {
    let mut versions: HashMap<(String, String), i64> = HashMap::new();
    for d in docs {
        let (shop, day) = (d.get_str("shop_id"), d.get_str("day"));
        let (Ok(shop), Ok(day)) = (shop, day) else {
            continue;
        };
        let n = int(d.get("orders")) + int(d.get("refunds"));
        *versions.entry((shop.into(), day.into())).or_default() += n;
        let month = day.get(..7).unwrap_or(day);
        *versions.entry((shop.into(), month.into())).or_default() += n;
    }
    versions
}

/// The units month `month` is read from: wholly in the range, or with no sales outside
/// it, the month rollup; partly in it, the month rollup less its days outside the range
/// when those hold fewer shop-days with sales than the days inside, else its days inside.
fn month_units(s: &Scope, month: Date, docs: &[Document]) -> Vec<(String, bool, i64)> {
    let m_end = month.last_of_month();
    let (lo, hi) = (s.from.max(month), s.to.min(m_end));
    let (m_lo, m_hi, from, to) = (ymd(month), ymd(m_end), ymd(lo), ymd(hi));
    let (mut inside, mut outside) = (0usize, 0usize);
    for d in docs {
        let day = d.get_str("day").unwrap_or_default();
        if day >= m_lo.as_str() && day <= m_hi.as_str() {
            if day >= from.as_str() && day <= to.as_str() {
                inside += 1;
            } else {
                outside += 1;
            }
        }
    }
    let days = |lo: Date, hi: Date, sign: i64| {
        days_between(lo, hi)
            .into_iter()
            .map(move |d| (d, false, sign))
    };
    if outside == 0 || outside < inside {
        let mut units = vec![(month_of(month), true, 1)];
        if outside > 0 && lo > month {
            units.extend(days(month, lo.yesterday().unwrap_or(lo), -1));
        }
        if outside > 0 && hi < m_end {
            units.extend(days(hi.tomorrow().unwrap_or(hi), m_end, -1));
        }
        units
    } else if inside > 0 {
        days(lo, hi, 1).collect()
    } else {
        Vec::new()
    }
}
