//! The dashboard's tables: which rollup each reads and sums, the server's cache of the
//! rollup rows read per (shop, unit) and version, and the read that sums a plan's units
//! from the cache or the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};

use super::plan::Plan;
use super::routes::Scope;
use super::{rollup, rollup_in};
use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

/// One table of the dashboard (and of the CSV export): the per-day rollup it reads (or
/// that rollup's per-month twin), the field it groups by, what it sums, how it is ordered
/// and the extra columns its rows carry.
pub(super) struct Table {
    pub(super) collection: &'static str,
    pub(super) key: &'static str,
    pub(super) sums: &'static [&'static str],
    sort: (&'static str, i32),
    pub(super) names: bool,
}

const SALES: &[&str] = &["orders", "sales_minor", "refunds", "refunds_minor"];
pub(super) const DAYS: Table = Table {
    collection: rollup::DAYS,
    key: "day",
    sums: SALES,
    sort: ("_id", 1),
    names: false,
};
pub(super) const HOURS: Table = Table {
    collection: rollup::HOURS,
    key: "hour",
    sums: SALES,
    sort: ("_id", 1),
    names: false,
};
pub(super) const SHOPS: Table = Table {
    collection: rollup::DAYS,
    key: "shop_id",
    sums: SALES,
    sort: ("sales_minor", -1),
    names: false,
};
pub(super) const TENDERS: Table = Table {
    collection: rollup::TENDERS,
    key: "kind",
    sums: &["amount_minor"],
    sort: ("amount_minor", -1),
    names: false,
};
pub(super) const PRODUCTS: Table = Table {
    collection: rollup::PRODUCTS,
    key: "product_id",
    sums: &["qty_milli", "sales_minor"],
    sort: ("sales_minor", -1),
    names: true,
};

pub(super) fn int(v: Option<&Bson>) -> i64 {
    match v {
        Some(Bson::Int64(n)) => *n,
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Double(f)) => *f as i64,
        _ => 0,
    }
}

/// A row's key: an hour, or a tender kind or product id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Int(i64),
    Text(Arc<str>),
}

impl Key {
    fn of(v: Option<&Bson>) -> Self {
        match v {
            Some(Bson::String(s)) => Self::Text(s.as_str().into()),
            other => Self::Int(int(other)),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Self::Int(n) => (*n).into(),
            Self::Text(s) => s.as_ref().into(),
        }
    }
}

/// One rollup document of a (shop, unit), as the cache keeps it.
type Row = (Key, [i64; 4]);

/// (company, shop, per-day rollup, unit).
type UnitKey = (String, String, &'static str, String);

/// The rollup rows of each (company, shop, table's collection, unit) already read, with
/// the unit's version they were read at. A unit's rows are read again only when its
/// version moved (a sale or refund counted in it), so a year's months are read once and
/// then only the month and day taking sales are. At most `CACHE_ROWS` rows are kept (all
/// dropped when more would be). A rebuild rewrites rollups without counting new events,
/// so the server is restarted after one (as `rebuild` says).
struct Cache {
    units: HashMap<UnitKey, (i64, Arc<Vec<Row>>)>,
    rows: usize,
    /// Product names and SKUs by id (the latest read).
    names: HashMap<Arc<str>, (String, String)>,
}

const CACHE_ROWS: usize = 2_000_000;

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| {
        Mutex::new(Cache {
            units: HashMap::new(),
            rows: 0,
            names: HashMap::new(),
        })
    })
}

/// Rows summed by key.
#[derive(Default)]
struct Sums {
    rows: HashMap<Key, ([i64; 4], bool)>,
}

impl Sums {
    fn add(&mut self, key: &Key, sums: &[i64; 4], sign: i64) {
        let row = self.rows.entry(key.clone()).or_default();
        for (acc, n) in row.0.iter_mut().zip(sums) {
            *acc += sign * n;
        }
        row.1 |= sign < 0;
    }

    /// The rows as the API answers them: sorted, at most `limit`; a row that only a
    /// subtraction brought to all zeros had nothing in the range and is left out.
    fn into_rows(self, t: &Table, limit: Option<usize>) -> Vec<serde_json::Value> {
        let mut rows: Vec<_> = self
            .rows
            .into_iter()
            .filter(|(_, (sums, sub))| !(*sub && sums.iter().all(|n| *n == 0)))
            .collect();
        let by = t.sums.iter().position(|f| *f == t.sort.0);
        rows.sort_by(|a, b| match by {
            Some(j) if t.sort.1 < 0 => b.1.0[j].cmp(&a.1.0[j]).then(a.0.cmp(&b.0)),
            Some(j) => a.1.0[j].cmp(&b.1.0[j]).then(a.0.cmp(&b.0)),
            None => a.0.cmp(&b.0),
        });
        rows.truncate(limit.unwrap_or(usize::MAX));
        let names = if t.names {
            cache().lock().ok().map(|c| {
                rows.iter()
                    .filter_map(|(k, _)| match k {
                        Key::Text(id) => c.names.get(id).map(|n| (id.clone(), n.clone())),
                        Key::Int(_) => None,
                    })
                    .collect::<HashMap<_, _>>()
            })
        } else {
            None
        };
        rows.into_iter()
            .map(|(key, (sums, _))| {
                let mut m = serde_json::Map::new();
                for (f, n) in t.sums.iter().zip(sums) {
                    m.insert((*f).into(), n.into());
                }
                if let (Some(names), Key::Text(id)) = (&names, &key)
                    && let Some((name, sku)) = names.get(id)
                {
                    if !name.is_empty() {
                        m.insert("name".into(), name.as_str().into());
                    }
                    if !sku.is_empty() {
                        m.insert("sku".into(), sku.as_str().into());
                    }
                }
                m.insert(t.key.into(), key.json());
                serde_json::Value::Object(m)
            })
            .collect()
    }
}

/// The rows a rollup document holds: itself, or a pack's products.
fn rows_in<'a>(d: &'a Document, collection: &str) -> Vec<&'a Document> {
    if collection != rollup::MONTH_PRODUCTS {
        return vec![d];
    }
    d.get_document("p")
        .map(|p| p.values().filter_map(Bson::as_document).collect())
        .unwrap_or_default()
}

/// The rows of `t` over the plan's range (at most `limit`), keyed by the table's field
/// name.
pub(super) async fn read(
    state: &AppState,
    s: &Scope,
    plan: &Plan,
    t: &Table,
    limit: Option<usize>,
) -> ApiResult<Vec<serde_json::Value>> {
    let mut sums = Sums::default();
    if t.collection == rollup::DAYS {
        // The plan read the range's day totals already.
        for d in &plan.days {
            sums.add(&Key::of(d.get(t.key)), &figures(t, d), 1);
        }
        return Ok(sums.into_rows(t, limit));
    }
    let (mut have, missing) = cached(s, plan, t)?;
    for (monthly, wanted) in missing.iter().enumerate() {
        if wanted.is_empty() {
            continue;
        }
        let (read, names) = fetch(state, s, t, monthly == 1, wanted).await?;
        have.extend(remember(s, t, wanted, read, names)?);
    }
    for (rows, sign) in &have {
        for (key, n) in rows.iter() {
            sums.add(key, n, *sign);
        }
    }
    Ok(sums.into_rows(t, limit))
}

/// The table's counters in a rollup row.
fn figures(t: &Table, d: &Document) -> [i64; 4] {
    let mut n = [0; 4];
    for (j, f) in t.sums.iter().enumerate().take(4) {
        n[j] = int(d.get(*f));
    }
    n
}

/// A (shop, unit) to read: shop, unit, its version and its sign in the sum.
type Wanted = (String, String, i64, i64);

/// Rows of one (shop, unit), with their sign in the sum.
type Signed = (Arc<Vec<Row>>, i64);

fn locked() -> ApiResult<std::sync::MutexGuard<'static, Cache>> {
    cache()
        .lock()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("analytics cache poisoned")))
}

/// Each (shop, unit) of the plan with something in it: from the cache when its version is
/// the one read, else listed as missing (by level: days, months), to be read with one
/// query per level.
fn cached(s: &Scope, plan: &Plan, t: &Table) -> ApiResult<(Vec<Signed>, [Vec<Wanted>; 2])> {
    let mut have = Vec::new();
    let mut missing: [Vec<Wanted>; 2] = [Vec::new(), Vec::new()];
    let c = locked()?;
    for (unit, monthly, sign) in &plan.units {
        for shop in &s.shops {
            let version = plan
                .versions
                .get(&(shop.clone(), unit.clone()))
                .copied()
                .unwrap_or(0);
            if version == 0 {
                continue;
            }
            let key = (s.company.clone(), shop.clone(), t.collection, unit.clone());
            match c.units.get(&key) {
                Some((v, rows)) if *v == version => have.push((rows.clone(), *sign)),
                _ => missing[usize::from(*monthly)].push((
                    shop.clone(),
                    unit.clone(),
                    version,
                    *sign,
                )),
            }
        }
    }
    Ok((have, missing))
}

/// Rows read per (shop, unit), and the product names and SKUs seen.
type Fetched = (
    HashMap<(String, String), Vec<Row>>,
    Vec<(Arc<str>, String, String)>,
);

/// Reads the `wanted` units of `t` at one level (the day rollup, or its month twin) in one
/// query.
async fn fetch(
    state: &AppState,
    s: &Scope,
    t: &Table,
    monthly: bool,
    wanted: &[Wanted],
) -> ApiResult<Fetched> {
    let (collection, at) = if monthly {
        let twin = rollup::monthly(t.collection).unwrap_or(t.collection);
        (twin, "month")
    } else {
        (t.collection, "day")
    };
    let docs: Vec<Document> = rollup_in(&state.mongo, collection, &s.tenant)?
        .aggregate(units_pipeline(at, wanted))
        .await?
        .try_collect()
        .await?;
    let mut read: HashMap<(String, String), Vec<Row>> = HashMap::new();
    let mut names = Vec::new();
    for outer in &docs {
        let (Ok(shop), Ok(unit)) = (outer.get_str("shop_id"), outer.get_str(at)) else {
            continue;
        };
        for d in rows_in(outer, collection) {
            let key = Key::of(d.get(t.key));
            if let (true, Key::Text(id)) = (t.names, &key) {
                let name = d.get_str("name").unwrap_or_default();
                if !name.is_empty() {
                    let sku = d.get_str("sku").unwrap_or_default();
                    names.push((id.clone(), name.to_owned(), sku.to_owned()));
                }
            }
            read.entry((shop.to_owned(), unit.to_owned()))
                .or_default()
                .push((key, figures(t, d)));
        }
    }
    Ok((read, names))
}

/// The read of the `wanted` units on `at`: as in `Scope::pipeline`, equalities and one
/// `$in` lead (the scope adds the company), several shops are sifted after.
fn units_pipeline(at: &str, wanted: &[Wanted]) -> Vec<Document> {
    let mut unit_list: Vec<&str> = wanted.iter().map(|w| w.1.as_str()).collect();
    unit_list.sort_unstable();
    unit_list.dedup();
    let mut shop_list: Vec<&str> = wanted.iter().map(|w| w.0.as_str()).collect();
    shop_list.sort_unstable();
    shop_list.dedup();
    let mut first = doc! { at: { "$in": &unit_list } };
    if let [one] = shop_list.as_slice() {
        first.insert("shop_id", *one);
        return vec![doc! { "$match": first }];
    }
    vec![
        doc! { "$match": first },
        doc! { "$match": { "shop_id": { "$in": &shop_list } } },
    ]
}

/// Keeps what `fetch` read in the cache, at each unit's version, and gives the rows with
/// their signs.
fn remember(
    s: &Scope,
    t: &Table,
    wanted: &[Wanted],
    mut read: HashMap<(String, String), Vec<Row>>,
    names: Vec<(Arc<str>, String, String)>,
) -> ApiResult<Vec<Signed>> {
    let mut c = locked()?;
    for (id, name, sku) in names {
        c.names.insert(id, (name, sku));
    }
    let mut have = Vec::new();
    for (shop, unit, version, sign) in wanted {
        let rows = Arc::new(
            read.remove(&(shop.clone(), unit.clone()))
                .unwrap_or_default(),
        );
        if c.rows + rows.len() > CACHE_ROWS {
            c.units.clear();
            c.rows = 0;
        }
        c.rows += rows.len();
        let key = (s.company.clone(), shop.clone(), t.collection, unit.clone());
        if let Some((_, old)) = c.units.insert(key, (*version, rows.clone())) {
            c.rows -= old.len().min(c.rows);
        }
        have.push((rows, *sign));
    }
    Ok(have)
}
