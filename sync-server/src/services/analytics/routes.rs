//! Analytics HTTP API: the dashboard (totals, by day, by hour, tenders, top products,
//! shops, shift variances) and CSV export, read from the rollups (`plan`, `tables`); the
//! live socket.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};

use jiff::civil::Date;
use mongodb::bson::{Document, doc};
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::plan::plan;
use super::tables::{DAYS, HOURS, PRODUCTS, SHOPS, TENDERS, read};
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
