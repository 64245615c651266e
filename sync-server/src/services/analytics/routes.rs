//! Analytics HTTP API: the dashboard (totals, by day, by hour, tenders, top products,
//! shops, shift variances) and CSV export, read from the rollups; the live socket.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};
use futures::TryStreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jiff::civil::Date;
use mongodb::bson::{Bson, Document, doc};
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::plan::{Plan, plan};
use super::{rollup, rollup_in};
use crate::{
    error::{ApiError, ApiResult},
    gateway::{principal::Principal, tenancy::TenantScope},
    services::shop::{ShopDoc, scoped_shops, visible_shop},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/analytics/dashboard", get(dashboard))
        .route("/analytics/export.csv", get(export))
        .route("/analytics/live", get(super::live_socket::live))
}

/// The days (inclusive, shop-local) and shops a figure covers.
#[derive(Debug, Deserialize, IntoParams)]
pub struct Range {
    /// First day, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub from: String,
    /// Last day, `YYYY-MM-DD`, not before `from` and at most 366 days after it (422).
    #[param(format = Date)]
    pub to: String,
    /// One shop; all the caller may see when omitted.
    pub shop_id: Option<String>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Totals {
    pub orders: i64,
    pub sales_minor: i64,
    pub refunds: i64,
    pub refunds_minor: i64,
    pub net_minor: i64,
    pub avg_basket_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub currency: String,
    pub from: String,
    pub to: String,
    pub totals: Totals,
    pub by_day: Vec<serde_json::Value>,
    pub by_hour: Vec<serde_json::Value>,
    pub tenders: Vec<serde_json::Value>,
    pub top_products: Vec<serde_json::Value>,
    pub shops: Vec<serde_json::Value>,
    pub variances: Vec<serde_json::Value>,
}

/// What a dashboard read covers: the company, the shops the caller asked for and may see,
/// and the days (inclusive, shop-local); `tenant` is the caller's scope on that company,
/// which every rollup read goes through.
pub(super) struct Scope {
    pub company: String,
    pub tenant: TenantScope,
    pub shops: Vec<String>,
    pub from: Date,
    pub to: Date,
}

impl Scope {
    /// A rollup read of `lo..=hi` on `at` (`day` or `month`): the first `$match` is the one
    /// SecantusDB can plan an index for (equalities and one range:
    /// `{company_id, [shop_id,] at}`; the scope adds the company to it and sifts the shops
    /// a shop manager may see after it), the shops are sifted by a second one.
    pub(super) fn pipeline(&self, at: &str, lo: &str, hi: &str) -> Vec<Document> {
        let range = doc! { "$gte": lo, "$lte": hi };
        match self.shops.as_slice() {
            [one] => vec![doc! { "$match": { "shop_id": one, at: range } }],
            many => vec![
                doc! { "$match": { at: range } },
                doc! { "$match": { "shop_id": { "$in": many } } },
            ],
        }
    }
}

/// Checks the range and finds the shops it covers.
pub(super) async fn scope(
    state: &AppState,
    p: &Principal,
    r: &Range,
) -> ApiResult<(Scope, Vec<ShopDoc>)> {
    p.require(Role::ShopManager)?;
    let (from, to) = (day(&r.from, "from")?, day(&r.to, "to")?);
    if to < from || from.until(to).map_or(true, |span| span.get_days() > 366) {
        return Err(ApiError::invalid(
            "to",
            "must be on or after `from` and at most 366 days later",
        ));
    }
    let shops = match &r.shop_id {
        Some(id) => vec![visible_shop(state, p, id).await?],
        None => {
            scoped_shops(state, p)
                .list(
                    doc! { "status": "active" },
                    &crate::gateway::paging::Page {
                        limit: 200,
                        offset: 0,
                    },
                )
                .await?
        }
    };
    let company = shops
        .first()
        .map(|s| s.company_id.clone())
        .or_else(|| p.company_id.clone())
        .ok_or_else(|| ApiError::forbidden("analytics need a company account"))?;
    let ids = shops.iter().map(|s| s.id.clone()).collect();
    // The caller's scope, on the company the read is about (a platform admin's is the
    // first shop's, as the shops were listed).
    let tenant = TenantScope {
        company: Some(company.clone()),
        shops: p.scope().shops,
    };
    Ok((
        Scope {
            company,
            tenant,
            shops: ids,
            from,
            to,
        },
        shops,
    ))
}

fn day(text: &str, field: &str) -> ApiResult<Date> {
    text.parse()
        .map_err(|_| ApiError::invalid(field, "must be a date, YYYY-MM-DD"))
}

/// One table of the dashboard (and of the CSV export): the per-day rollup it reads (or
/// that rollup's per-month twin), the field it groups by, what it sums, how it is ordered
/// and the extra columns its rows carry.
pub(super) struct Table {
    collection: &'static str,
    key: &'static str,
    sums: &'static [&'static str],
    sort: (&'static str, i32),
    names: bool,
}

const SALES: &[&str] = &["orders", "sales_minor", "refunds", "refunds_minor"];
const DAYS: Table = Table {
    collection: rollup::DAYS,
    key: "day",
    sums: SALES,
    sort: ("_id", 1),
    names: false,
};
const HOURS: Table = Table {
    collection: rollup::HOURS,
    key: "hour",
    sums: SALES,
    sort: ("_id", 1),
    names: false,
};
const SHOPS: Table = Table {
    collection: rollup::DAYS,
    key: "shop_id",
    sums: SALES,
    sort: ("sales_minor", -1),
    names: false,
};
const TENDERS: Table = Table {
    collection: rollup::TENDERS,
    key: "kind",
    sums: &["amount_minor"],
    sort: ("amount_minor", -1),
    names: false,
};
const PRODUCTS: Table = Table {
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
        for d in &plan.days {
            let mut n = [0; 4];
            for (j, f) in t.sums.iter().enumerate().take(4) {
                n[j] = int(d.get(*f));
            }
            sums.add(&Key::of(d.get(t.key)), &n, 1);
        }
        return Ok(sums.into_rows(t, limit));
    }
    // Each (shop, unit) with something in it: from the cache when its version is the one
    // read, else read (one query per level for all that are missing).
    let mut have: Vec<(Arc<Vec<Row>>, i64)> = Vec::new();
    let mut missing: [Vec<(String, String, i64, i64)>; 2] = [Vec::new(), Vec::new()];
    {
        let c = cache()
            .lock()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("analytics cache poisoned")))?;
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
    }
    for (monthly, wanted) in missing.iter().enumerate() {
        if wanted.is_empty() {
            continue;
        }
        let (collection, at) = if monthly == 1 {
            (
                rollup::monthly(t.collection).unwrap_or(t.collection),
                "month",
            )
        } else {
            (t.collection, "day")
        };
        let mut unit_list: Vec<&str> = wanted.iter().map(|w| w.1.as_str()).collect();
        unit_list.sort_unstable();
        unit_list.dedup();
        let mut shop_list: Vec<&str> = wanted.iter().map(|w| w.0.as_str()).collect();
        shop_list.sort_unstable();
        shop_list.dedup();
        // As in `Scope::pipeline`: equalities and one `$in` lead (the scope adds the
        // company), several shops are sifted after.
        let mut first = doc! { at: { "$in": &unit_list } };
        let mut pipeline = Vec::new();
        if let [one] = shop_list.as_slice() {
            first.insert("shop_id", *one);
            pipeline.push(doc! { "$match": first });
        } else {
            pipeline.push(doc! { "$match": first });
            pipeline.push(doc! { "$match": { "shop_id": { "$in": &shop_list } } });
        }
        let docs: Vec<Document> = rollup_in(&state.mongo, collection, &s.tenant)?
            .aggregate(pipeline)
            .await?
            .try_collect()
            .await?;
        let mut read: HashMap<(String, String), Vec<Row>> = HashMap::new();
        let mut names: Vec<(Arc<str>, String, String)> = Vec::new();
        for outer in &docs {
            let (Ok(shop), Ok(unit)) = (outer.get_str("shop_id"), outer.get_str(at)) else {
                continue;
            };
            for d in rows_in(outer, collection) {
                let key = Key::of(d.get(t.key));
                let mut n = [0; 4];
                for (j, f) in t.sums.iter().enumerate().take(4) {
                    n[j] = int(d.get(*f));
                }
                if let (true, Key::Text(id)) = (t.names, &key) {
                    let name = d.get_str("name").unwrap_or_default();
                    if !name.is_empty() {
                        let sku = d.get_str("sku").unwrap_or_default();
                        names.push((id.clone(), name.to_owned(), sku.to_owned()));
                    }
                }
                read.entry((shop.to_owned(), unit.to_owned()))
                    .or_default()
                    .push((key, n));
            }
        }
        let mut c = cache()
            .lock()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("analytics cache poisoned")))?;
        for (id, name, sku) in names {
            c.names.insert(id, (name, sku));
        }
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
    }
    for (rows, sign) in &have {
        for (key, n) in rows.iter() {
            sums.add(key, n, *sign);
        }
    }
    Ok(sums.into_rows(t, limit))
}

/// The dashboard's figures for the range.
#[utoipa::path(get, path = "/api/analytics/dashboard", tag = "analytics", security(("bearer" = [])), params(Range),
    responses((status = 200, body = Dashboard), (status = 422, body = pos_shared::error::WireError), (status = 403, body = pos_shared::error::WireError), (status = 404, body = pos_shared::error::WireError)))]
pub async fn dashboard(
    State(state): State<AppState>,
    p: Principal,
    Query(r): Query<Range>,
) -> ApiResult<Json<Dashboard>> {
    let (s, shops) = scope(&state, &p, &r).await?;
    let plan = plan(&state, &s).await?;
    let by_day = read(&state, &s, &plan, &DAYS, None).await?;
    let by_shop = read(&state, &s, &plan, &SHOPS, None).await?;
    let (by_hour, tenders, top) = futures::try_join!(
        read(&state, &s, &plan, &HOURS, None),
        read(&state, &s, &plan, &TENDERS, None),
        read(&state, &s, &plan, &PRODUCTS, Some(10)),
    )?;
    let mut totals = Totals::default();
    for d in &by_day {
        let n = |k: &str| d[k].as_i64().unwrap_or(0);
        totals.orders += n("orders");
        totals.sales_minor += n("sales_minor");
        totals.refunds += n("refunds");
        totals.refunds_minor += n("refunds_minor");
    }
    totals.net_minor = totals.sales_minor - totals.refunds_minor;
    totals.avg_basket_minor = if totals.orders > 0 {
        totals.sales_minor / totals.orders
    } else {
        0
    };
    let name_of = |id: &str| {
        shops
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    Ok(Json(Dashboard {
        currency: super::currency_of(&state, &s.company).await,
        from: r.from.clone(),
        to: r.to.clone(),
        totals,
        by_day,
        by_hour,
        tenders,
        top_products: top,
        shops: by_shop
            .into_iter()
            .map(|mut s| {
                let name = name_of(s["shop_id"].as_str().unwrap_or_default());
                s["name"] = name.into();
                s
            })
            .collect(),
        variances: super::variances::of(&state, &s.tenant, &shops, &r).await?,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    #[param(format = Date)]
    pub from: String,
    #[param(format = Date)]
    pub to: String,
    pub shop_id: Option<String>,
    /// `days`, `hours`, `products` or `tenders`.
    #[param(pattern = "^(days|hours|products|tenders)$")]
    pub table: String,
}

/// One table of the dashboard as CSV.
#[utoipa::path(get, path = "/api/analytics/export.csv", tag = "analytics", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, content_type = "text/csv", description = "the table"), (status = 401, body = pos_shared::error::WireError), (status = 403, body = pos_shared::error::WireError), (status = 404, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn export(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let range = Range {
        from: q.from.clone(),
        to: q.to.clone(),
        shop_id: q.shop_id.clone(),
    };
    let (s, _) = scope(&state, &p, &range).await?;
    let plan = plan(&state, &s).await?;
    let t = match q.table.as_str() {
        "days" => &DAYS,
        "hours" => &HOURS,
        "products" => &PRODUCTS,
        "tenders" => &TENDERS,
        _ => {
            return Err(ApiError::invalid(
                "table",
                "must be days, hours, products or tenders",
            ));
        }
    };
    let rows = read(&state, &s, &plan, t, None).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec![t.key];
    if t.names {
        header.extend(["sku", "name"]);
    }
    header.extend_from_slice(t.sums);
    let csv_err = |e: csv::Error| ApiError::Internal(anyhow::anyhow!("csv: {e}"));
    out.write_record(&header).map_err(csv_err)?;
    for row in rows {
        let cell = |c: &str| match &row[c] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            v => v.to_string(),
        };
        out.write_record(header.iter().map(|c| cell(c)))
            .map_err(csv_err)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("csv: {e}")))?;
    let name = format!("kassa-{}-{}-{}.csv", q.table, q.from, q.to);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
