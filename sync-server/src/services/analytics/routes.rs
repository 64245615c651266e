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
use mongodb::bson::{Bson, Document, doc};
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{db, rollup};
use crate::{
    error::{ApiError, ApiResult},
    gateway::principal::Principal,
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

/// The filter every rollup read shares, and the shops it covers.
pub(super) async fn scope(
    state: &AppState,
    p: &Principal,
    r: &Range,
) -> ApiResult<(Document, Vec<ShopDoc>)> {
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
    let ids: Vec<&str> = shops.iter().map(|s| s.id.as_str()).collect();
    let filter = doc! { "company_id": company, "shop_id": { "$in": ids }, "day": { "$gte": &r.from, "$lte": &r.to } };
    Ok((filter, shops))
}

fn day(text: &str, field: &str) -> ApiResult<jiff::civil::Date> {
    text.parse()
        .map_err(|_| ApiError::invalid(field, "must be a date, YYYY-MM-DD"))
}

/// One table of the dashboard (and of the CSV export): the rollup it reads, the field it
/// groups by, what it sums, how it is ordered and the extra columns its rows carry.
pub(super) struct Table {
    collection: &'static str,
    key: &'static str,
    sums: &'static [&'static str],
    sort: (&'static str, i32),
    names: bool,
}

const SALES: &[&str] = &["orders", "sales_minor", "refunds", "refunds_minor"];
const DAYS: Table = Table {
    collection: rollup::HOURS,
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
    collection: rollup::HOURS,
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

/// The rows of `t` matching `filter` (at most `limit`), keyed by the table's field name.
pub(super) async fn read(
    state: &AppState,
    filter: &Document,
    t: &Table,
    limit: Option<i64>,
) -> ApiResult<Vec<serde_json::Value>> {
    let mut group = doc! { "_id": format!("${}", t.key) };
    for f in t.sums {
        group.insert(*f, doc! { "$sum": format!("${f}") });
    }
    if t.names {
        group.insert("name", doc! { "$last": "$name" });
        group.insert("sku", doc! { "$last": "$sku" });
    }
    let mut pipeline = vec![
        doc! { "$match": filter.clone() },
        doc! { "$group": group },
        doc! { "$sort": { t.sort.0: t.sort.1 } },
    ];
    if let Some(n) = limit {
        pipeline.push(doc! { "$limit": n });
    }
    let rows: Vec<Document> = db(state)
        .collection::<Document>(t.collection)
        .aggregate(pipeline)
        .await?
        .try_collect()
        .await?;
    let rows = rows
        .into_iter()
        .map(|d| Bson::Document(d).into_relaxed_extjson())
        .collect();
    Ok(rename(rows, t.key))
}

/// The dashboard's figures for the range.
#[utoipa::path(get, path = "/api/analytics/dashboard", tag = "analytics", security(("bearer" = [])), params(Range),
    responses((status = 200, body = Dashboard), (status = 422, body = pos_shared::error::WireError), (status = 403, body = pos_shared::error::WireError), (status = 404, body = pos_shared::error::WireError)))]
pub async fn dashboard(
    State(state): State<AppState>,
    p: Principal,
    Query(r): Query<Range>,
) -> ApiResult<Json<Dashboard>> {
    let (filter, shops) = scope(&state, &p, &r).await?;
    let by_day = read(&state, &filter, &DAYS, None).await?;
    let by_hour = read(&state, &filter, &HOURS, None).await?;
    let by_shop = read(&state, &filter, &SHOPS, None).await?;
    let tenders = read(&state, &filter, &TENDERS, None).await?;
    let top = read(&state, &filter, &PRODUCTS, Some(10)).await?;
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
        currency: super::currency_of(&state, &filter).await,
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
        variances: super::variances::of(&state, &shops, &r).await?,
    }))
}

/// `_id` of a group row under its real name.
fn rename(rows: Vec<serde_json::Value>, key: &str) -> Vec<serde_json::Value> {
    rows.into_iter()
        .map(|mut v| {
            if let Some(m) = v.as_object_mut() {
                if let Some(id) = m.remove("_id") {
                    m.insert(key.to_owned(), id);
                }
                m.retain(|_, x| !x.is_null());
            }
            v
        })
        .collect()
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
    let (filter, _) = scope(&state, &p, &range).await?;
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
    let rows = read(&state, &filter, t, None).await?;
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
