//! The catalog as a spreadsheet: managers export it as CSV, change it in any spreadsheet
//! program and import it back. Import matches rows to products by SKU: new SKUs are
//! created, known ones updated (a retired one comes back), unchanged rows write nothing,
//! so importing the same file twice changes nothing the second time. Every row is checked
//! before anything is written; errors name the file's line.

use std::collections::{HashMap, HashSet};

use axum::{
    Json,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
};
use futures::TryStreamExt;
use mongodb::{ClientSession, bson::doc};
use pos_shared::{role::Role, sync::ChangeOp};
use serde::Serialize;
use utoipa::ToSchema;

use super::import::{CHUNK, MAX_ROWS};
use super::routes::{check_barcodes, check_price, check_sku, check_tax, duplicate_sku};
use super::{ProductDoc, company_scope, db, products_in};
use crate::{
    db::now,
    error::{ApiError, ApiResult},
    events::{Event, outbox, payloads},
    gateway::principal::Principal,
    services::{auth::routes::check_name, company},
    state::AppState,
    streams,
};

/// Columns in the order an export writes them. `barcodes` holds several codes separated
/// by `|`; `barcode` is accepted for it, as the terminal's own CSV names it.
const COLUMNS: [&str; 8] = [
    "sku",
    "name",
    "barcodes",
    "price_minor",
    "tax_rate_bp",
    "tax_inclusive",
    "category",
    "is_weighed",
];
const REQUIRED: [&str; 4] = ["sku", "name", "price_minor", "tax_rate_bp"];

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// The company's active catalog as CSV (UTF-8, header row, one product per row, by SKU).
#[utoipa::path(get, path = "/api/catalog/products/export.csv", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export_csv(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<impl IntoResponse> {
    p.require(Role::ShopManager)?;
    let mut cursor = products_in(&state, &company_scope(&p)?)
        .find(doc! { "active": true })
        .sort(doc! { "sku": 1 })
        .await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::Internal(anyhow::anyhow!("csv: {e}"));
    out.write_record(COLUMNS).map_err(fail)?;
    while let Some(d) = cursor.try_next().await? {
        out.write_record([
            d.sku.as_str(),
            d.name.as_str(),
            &d.barcodes.join("|"),
            &d.price_minor.to_string(),
            &d.tax_rate_bp.to_string(),
            if d.tax_inclusive { "true" } else { "false" },
            d.category.as_deref().unwrap_or(""),
            if d.is_weighed { "true" } else { "false" },
        ])
        .map_err(fail)?;
    }
    let body = out
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("csv: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"catalog.csv\"",
            ),
        ],
        body,
    ))
}

/// Creates and updates products from CSV (`Content-Type: text/csv`), matched by SKU.
/// Columns by header name: `sku`, `name`, `price_minor`, `tax_rate_bp` required;
/// `barcodes` (`|`-separated), `tax_inclusive` (default true), `category`, `is_weighed`
/// optional. Stock is not a catalog column: it is counted per shop.
#[utoipa::path(post, path = "/api/catalog/products/import.csv", tag = "catalog", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), (status = 409, body = pos_shared::error::WireError), (status = 415, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn import_csv(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ImportSummary>> {
    p.require(Role::ShopManager)?;
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));
    if !is_csv {
        return Err(ApiError::UnsupportedMediaType(
            pos_shared::error::WireError::new(
                "unsupported_media_type",
                "send the file with Content-Type: text/csv",
            ),
        ));
    }
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::BadRequest(pos_shared::error::WireError::new(
            "bad_body",
            format!("the file could not be read: {}", e.body_text()),
        )),
    })?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::invalid("file", "is not UTF-8 text; save it as CSV UTF-8"))?;
    let company_id = p.company()?.to_string();
    let currency = company::settings(&state, &company_id).await?.currency;
    let rows = parse(text)?;
    let skus: Vec<&str> = rows.iter().map(|r| r.sku.as_str()).collect();
    let existing: HashMap<String, ProductDoc> = products_in(&state, &company_scope(&p)?)
        .find(doc! { "sku": { "$in": &skus } })
        .await?
        .try_collect::<Vec<_>>()
        .await?
        .into_iter()
        .map(|d| (d.sku.clone(), d))
        .collect();
    let t = now();
    let mut summary = ImportSummary {
        created: 0,
        updated: 0,
        unchanged: 0,
    };
    let mut changed = Vec::new();
    for row in rows {
        let doc = match existing.get(&row.sku) {
            Some(old) => {
                let new = ProductDoc {
                    name: row.name,
                    category: row.category,
                    barcodes: row.barcodes,
                    price_minor: row.price_minor,
                    tax_rate_bp: row.tax_rate_bp,
                    tax_inclusive: row.tax_inclusive,
                    is_weighed: row.is_weighed,
                    active: true,
                    ..old.clone()
                };
                if new == *old {
                    summary.unchanged += 1;
                    continue;
                }
                summary.updated += 1;
                ProductDoc {
                    updated_at: t,
                    ..new
                }
            }
            None => {
                summary.created += 1;
                ProductDoc {
                    id: uuid::Uuid::now_v7().to_string(),
                    company_id: company_id.clone(),
                    sku: row.sku,
                    name: row.name,
                    category: row.category,
                    barcodes: row.barcodes,
                    price_minor: row.price_minor,
                    currency: currency.clone(),
                    tax_rate_bp: row.tax_rate_bp,
                    tax_inclusive: row.tax_inclusive,
                    is_weighed: row.is_weighed,
                    active: true,
                    created_at: t,
                    updated_at: t,
                    variant_of: None,
                    variant_name: None,
                }
            }
        };
        changed.push(doc);
    }
    for chunk in changed.chunks(CHUNK) {
        let ctx = (state.clone(), chunk.to_vec(), p.id.clone());
        state
            .write(ctx, move |s, (state, chunk, actor)| {
                Box::pin(write_chunk(state, s, chunk, actor))
            })
            .await
            .map_err(duplicate_sku)?;
    }
    Ok(Json(summary))
}

/// One checked row.
struct Row {
    sku: String,
    name: String,
    category: Option<String>,
    barcodes: Vec<String>,
    price_minor: i64,
    tax_rate_bp: u32,
    tax_inclusive: bool,
    is_weighed: bool,
}

/// Checks a sheet without importing it: how many rows it holds, or what is wrong and on
/// which line (the fuzz targets call this; an import calls [`parse`]).
pub fn check(text: &str) -> ApiResult<usize> {
    parse(text).map(|rows| rows.len())
}

/// Reads and checks every row, or says what is wrong and on which line.
fn parse(text: &str) -> ApiResult<Vec<Row>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| ApiError::invalid("file", format!("has no readable header row: {e}")))?
        .clone();
    let mut at: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.to_ascii_lowercase();
        let known = match name.as_str() {
            "barcode" => "barcodes",
            n => COLUMNS
                .iter()
                .copied()
                .find(|c| *c == n)
                .ok_or_else(|| unknown_column(n))?,
        };
        if at.insert(known, i).is_some() {
            return Err(ApiError::invalid(
                "file",
                format!("has column `{known}` twice"),
            ));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !at.contains_key(*c)) {
        return Err(ApiError::invalid(
            "file",
            format!(
                "lacks the `{missing}` column (required: {})",
                REQUIRED.join(", ")
            ),
        ));
    }
    let mut rows = Vec::new();
    let mut skus = HashSet::new();
    let mut codes = HashSet::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            ApiError::invalid(&format!("line {line}"), format!("cannot be read: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(ApiError::invalid(
                "file",
                format!("holds more than {MAX_ROWS} products; split it"),
            ));
        }
        let row = read_row(&Fields { at: &at, rec: &rec }).map_err(|e| on_line(line, e))?;
        if !skus.insert(row.sku.clone()) {
            return Err(on_line(
                line,
                ApiError::invalid("sku", format!("{} appears twice in the file", row.sku)),
            ));
        }
        if let Some(c) = row.barcodes.iter().find(|c| !codes.insert((*c).clone())) {
            return Err(on_line(
                line,
                ApiError::invalid("barcodes", format!("{c} appears twice in the file")),
            ));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(ApiError::invalid("file", "holds no products"));
    }
    Ok(rows)
}

fn unknown_column(name: &str) -> ApiError {
    let hint = if name == "stock" {
        " (stock is counted per shop: POST /api/inventory/adjustments)"
    } else {
        ""
    };
    ApiError::invalid(
        "file",
        format!(
            "has an unknown column `{name}`{hint}; columns: {}",
            COLUMNS.join(", ")
        ),
    )
}

/// One record's fields by column name (empty where the file has no such column).
struct Fields<'a> {
    at: &'a HashMap<&'static str, usize>,
    rec: &'a csv::StringRecord,
}

impl<'a> Fields<'a> {
    fn get(&self, column: &str) -> &'a str {
        self.at
            .get(column)
            .and_then(|i| self.rec.get(*i))
            .unwrap_or("")
    }
}

fn read_row(fields: &Fields<'_>) -> ApiResult<Row> {
    let field = |c: &str| fields.get(c);
    let number = |c: &str| -> ApiResult<i64> {
        field(c)
            .parse()
            .map_err(|_| ApiError::invalid(c, format!("`{}` is not a whole number", field(c))))
    };
    let flag = |c: &str, default: bool| -> ApiResult<bool> {
        match field(c).to_ascii_lowercase().as_str() {
            "" => Ok(default),
            "1" | "true" | "yes" | "y" => Ok(true),
            "0" | "false" | "no" | "n" => Ok(false),
            other => Err(ApiError::invalid(
                c,
                format!("`{other}` is not true or false"),
            )),
        }
    };
    let codes: Vec<String> = field("barcodes")
        .split(['|', ' '])
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let tax = u32::try_from(number("tax_rate_bp")?)
        .map_err(|_| ApiError::invalid("tax_rate_bp", "must be 0 to 10000"))?;
    Ok(Row {
        sku: check_sku(field("sku"))?,
        name: check_name("name", field("name"))?,
        category: Some(field("category").to_string()).filter(|c| !c.is_empty()),
        barcodes: check_barcodes(&codes)?,
        price_minor: check_price(number("price_minor")?)?,
        tax_rate_bp: check_tax(tax)?,
        tax_inclusive: flag("tax_inclusive", true)?,
        is_weighed: flag("is_weighed", false)?,
    })
}

/// Puts the file's line in front of a row's error, so a manager can find it.
fn on_line(line: u64, e: ApiError) -> ApiError {
    match e {
        ApiError::Unprocessable(w) => ApiError::invalid(&format!("line {line}"), w.message),
        other => other,
    }
}

/// Writes one chunk of new and changed products with their stream changes and one event,
/// in the caller's transaction.
async fn write_chunk(
    state: &AppState,
    s: &mut ClientSession,
    chunk: &[ProductDoc],
    actor: &str,
) -> mongodb::error::Result<()> {
    let company_id = &chunk[0].company_id;
    super::barcodes::claim(state, s, chunk).await?;
    super::categories::ensure_in(state, s, company_id).await?;
    let mut counts = super::categories::Tally::default();
    let mut changes = Vec::with_capacity(chunk.len());
    for d in chunk {
        let before = super::put_in(state, s, d).await?;
        counts.wrote(before.as_ref(), d);
        changes.push(streams::NewChange {
            entity: "product",
            id: d.id.clone(),
            op: ChangeOp::Upsert,
            data: Some(serde_json::to_value(d.wire()).map_err(|e| {
                mongodb::error::Error::custom(format!("product not encodable: {e}"))
            })?),
        });
    }
    super::categories::apply_in(state, s, company_id, &counts).await?;
    let catalog = db(state);
    streams::append_many(&catalog, s, &streams::catalog_key(company_id), &changes).await?;
    let ids: Vec<&str> = chunk.iter().map(|d| d.id.as_str()).collect();
    let event = Event::ProductsImported(payloads::ProductsImported {
        count: chunk.len(),
        product_ids: ids.iter().map(|id| id.to_string()).collect(),
        from: Some("csv".into()),
    })
    .message(Some(company_id), Some(actor));
    outbox::record(&catalog, s, &event).await
}
