//! Placing a web order: a customer's lines priced from the catalog (never from the
//! request), stored `pending` in salesdb with `order.created` in the same transaction,
//! once per customer and `Idempotency-Key`.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use mongodb::{
    ClientSession,
    bson::{Document, doc},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{orders_in, routes::json};
use crate::{
    db::now,
    error::{ApiError, ApiErrorBox, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{extract::ApiJson, principal::Principal, tenancy::TenantScope},
    services::{catalog, payment::model::derived_id, shop},
    state::AppState,
};

const MAX_LINES: usize = 50;
const MAX_QUANTITY: i64 = 999;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebOrder {
    /// The shop whose stock the order is served from.
    pub shop_id: String,
    #[schema(min_items = 1, max_items = 50)]
    pub lines: Vec<NewLine>,
    pub delivery_address: DeliveryAddress,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLine {
    /// The product, or its SKU in `sku`.
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub sku: Option<String>,
    /// Whole units (weighed products are not sold online).
    #[schema(minimum = 1, maximum = 999)]
    pub quantity: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryAddress {
    pub name: String,
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// A line as stored: what the catalog said when the order was placed.
struct Priced {
    product: catalog::ProductDoc,
    quantity: i64,
}

/// The client's `Idempotency-Key`: one order per customer and key.
fn order_key(headers: &HeaderMap) -> ApiResult<String> {
    let invalid = || {
        ApiError::invalid(
            "Idempotency-Key",
            "header is required: 1 to 100 visible characters, chosen once per order and sent again on a retry",
        )
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .ok_or_else(invalid)?;
    if key.is_empty() || key.len() > 100 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(invalid());
    }
    Ok(key.to_owned())
}

fn check_text(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    Ok(v.to_owned())
}

/// The address with its blanks trimmed; every part but `line2` is required.
fn check_address(a: &DeliveryAddress) -> ApiResult<Document> {
    let country = check_text("delivery_address.country", &a.country, 2)?;
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(ApiError::invalid(
            "delivery_address.country",
            "must be a two-letter country code",
        ));
    }
    let line2 = match a.line2.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l) => Some(check_text("delivery_address.line2", l, 200)?),
    };
    Ok(doc! {
        "name": check_text("delivery_address.name", &a.name, 120)?,
        "line1": check_text("delivery_address.line1", &a.line1, 200)?,
        "line2": line2,
        "postal_code": check_text("delivery_address.postal_code", &a.postal_code, 20)?,
        "city": check_text("delivery_address.city", &a.city, 120)?,
        "country": country.to_uppercase(),
    })
}

/// Each line's product, active and sold by the unit, from the company's catalog.
async fn price_lines(state: &AppState, company: &str, lines: &[NewLine]) -> ApiResult<Vec<Priced>> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(ApiError::invalid(
            "lines",
            format!("must hold 1 to {MAX_LINES} lines"),
        ));
    }
    let catalog = catalog::products_in(state, &TenantScope::company(company));
    let mut out: Vec<Priced> = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let field = format!("lines[{i}]");
        if !(1..=MAX_QUANTITY).contains(&l.quantity) {
            return Err(ApiError::invalid(
                &format!("{field}.quantity"),
                "must be 1 to 999",
            ));
        }
        let filter = match (&l.product_id, &l.sku) {
            (Some(id), None) => doc! { "_id": id.trim(), "active": true },
            (None, Some(sku)) => doc! { "sku": sku.trim(), "active": true },
            _ => {
                return Err(ApiError::invalid(
                    &field,
                    "name exactly one of product_id and sku",
                ));
            }
        };
        let product = catalog
            .find_one(filter)
            .await?
            .filter(|p| !p.is_weighed)
            .ok_or_else(|| ApiError::invalid(&field, "no such product on sale by the unit"))?;
        if out.iter().any(|p| p.product.id == product.id) {
            return Err(ApiError::invalid(&field, "each product once per order"));
        }
        out.push(Priced {
            product,
            quantity: l.quantity,
        });
    }
    Ok(out)
}

/// Places an order for the calling customer (201), or answers the order its
/// `Idempotency-Key` already placed (200). Prices come from the catalog.
#[utoipa::path(post, path = "/api/orders", tag = "orders", security(("bearer" = [])), request_body = NewWebOrder,
    params(("Idempotency-Key" = crate::openapi::fields::IdempotencyKey, Header, description = "Chosen once per order, sent again on a retry")),
    responses((status = 201, description = "the order, `pending`"), (status = 200, description = "the order this key placed before"),
        (status = 403, body = pos_shared::error::WireError), (status = 404, body = pos_shared::error::WireError),
        (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn place_order(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NewWebOrder>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let company = p.customer_of()?.to_owned();
    let key = order_key(&headers)?;
    let address = check_address(&req.delivery_address)?;
    let shop = shop::shops_in(&state, &TenantScope::company(&company))
        .find_one(doc! { "_id": req.shop_id.trim(), "status": "active" })
        .await?
        .ok_or_else(|| ApiError::not_found("shop"))?;
    let lines = price_lines(&state, &company, &req.lines).await?;
    let fingerprint = serde_json::to_string(&req).unwrap_or_default();
    let id = derived_id(&format!("kassa-web-order:{company}:{}:{key}", p.id));
    let draft = Draft {
        id,
        company,
        shop: shop.id,
        customer: p.id.clone(),
        lines,
        address,
        fingerprint,
    };
    let (created, order) = state
        .write((state.clone(), draft), |s, (state, draft)| {
            Box::pin(async move { store_once(state, s, draft).await })
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json(order))))
}

struct Draft {
    id: String,
    company: String,
    shop: String,
    customer: String,
    lines: Vec<Priced>,
    address: Document,
    fingerprint: String,
}

/// Inserts the order and its `order.created`, or returns the one stored under the same
/// key (refused when the key came with another body).
async fn store_once(
    state: &AppState,
    s: &mut ClientSession,
    d: &Draft,
) -> mongodb::error::Result<(bool, Document)> {
    let orders = orders_in(state, &TenantScope::company(&d.company));
    if let Some(existing) = orders
        .find_one(doc! { "_id": &d.id })
        .session(&mut *s)
        .await?
    {
        if existing.get_str("request_fingerprint").ok() != Some(d.fingerprint.as_str()) {
            return Err(ApiErrorBox::wrap(ApiError::conflict(
                "idempotency_key_reused",
                "this Idempotency-Key placed another order; choose a new key for a new order",
            )));
        }
        return Ok((false, existing));
    }
    let ids: Vec<&str> = d.lines.iter().map(|l| l.product.id.as_str()).collect();
    let own = catalog::prices::of_shop(state, s, &d.company, &d.shop, &ids).await?;
    let lines: Vec<payloads::WebOrderLine> = d
        .lines
        .iter()
        .map(|l| payloads::WebOrderLine {
            product_id: l.product.id.clone(),
            quantity: l.quantity,
            unit_price_minor: own
                .get(&l.product.id)
                .copied()
                .unwrap_or(l.product.price_minor),
        })
        .collect();
    let order = order_doc(d, &lines);
    orders.insert_one(&order)?.session(&mut *s).await?;
    let event = Event::OrderCreated(payloads::WebOrderCreated {
        order_id: d.id.clone(),
        shop_id: d.shop.clone(),
        customer_id: d.customer.clone(),
        total_minor: order.get_i64("total_minor").unwrap_or_default(),
        currency: order.get_str("currency").unwrap_or_default().to_owned(),
        lines,
    })
    .message(Some(&d.company), Some(&d.customer));
    outbox::record(&super::db(state), s, &event).await?;
    Ok((true, order))
}

/// The stored order: channel `web`, status `pending`, totals in minor units.
fn order_doc(d: &Draft, lines: &[payloads::WebOrderLine]) -> Document {
    let stored: Vec<Document> = lines
        .iter()
        .zip(&d.lines)
        .map(|(l, p)| {
            doc! {
                "product_id": &l.product_id, "sku": &p.product.sku, "name": &p.product.name,
                "quantity": l.quantity, "unit_price_minor": l.unit_price_minor,
                "line_total_minor": l.unit_price_minor * l.quantity,
            }
        })
        .collect();
    let total: i64 = lines.iter().map(|l| l.unit_price_minor * l.quantity).sum();
    let currency = d
        .lines
        .first()
        .map(|l| l.product.currency.clone())
        .unwrap_or_default();
    let t = now();
    doc! {
        "_id": &d.id, "company_id": &d.company, "shop_id": &d.shop, "channel": "web",
        "status": "pending", "customer_id": &d.customer, "lines": stored,
        "total_minor": total, "currency": currency, "delivery_address": d.address.clone(),
        "request_fingerprint": &d.fingerprint, "created_at": t, "updated_at": t,
    }
}
