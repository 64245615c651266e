//! Emailed receipts: `POST /api/receipts/{sale_id}/email` sends the receipt of a sale the
//! server holds (a till queues the customer's request and hands it over once the sale is
//! synced) over SMTP (`smtp.url`). The till's request id makes a retry harmless: a request
//! already sent answers `already_sent` without a second email.

use axum::{
    Json, Router,
    extract::{Path, State},
    routing::post,
};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mongodb::bson::{Bson, Document, doc};
use pos_shared::error::WireError;
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    db::now,
    error::{ApiError, ApiResult},
    gateway::{
        extract::ApiJson,
        principal::Principal,
        tenancy::{Scoped, TenantScope},
    },
    state::AppState,
    store,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/receipts/{sale_id}/email", post(email_receipt))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailReceipt {
    /// The till's id for this request (the same on every retry).
    #[schema(value_type = crate::openapi::fields::IdempotencyKey)]
    pub request_id: String,
    #[schema(value_type = crate::openapi::fields::Email)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailSent {
    /// `sent`, or `already_sent` for a request id sent before.
    pub status: &'static str,
}

/// Emails a sale's receipt (any staff member or terminal of its shop).
#[utoipa::path(post, path = "/api/receipts/{sale_id}/email", tag = "sales", security(("bearer" = [])), request_body = EmailReceipt,
    params(("sale_id" = String, Path, description = "the sale's id")),
    responses((status = 200, body = EmailSent), (status = 404, body = pos_shared::error::WireError),
        (status = 422, body = pos_shared::error::WireError), (status = 503, body = pos_shared::error::WireError)))]
pub async fn email_receipt(
    State(state): State<AppState>,
    p: Principal,
    Path(sale_id): Path<String>,
    ApiJson(req): ApiJson<EmailReceipt>,
) -> ApiResult<Json<EmailSent>> {
    p.require(Role::Cashier)?;
    let to: Mailbox = req.email.trim().parse().map_err(|_| {
        ApiError::invalid(
            "email",
            "is not an email address; type it like name@example.com",
        )
    })?;
    if req.request_id.trim().is_empty() || req.request_id.chars().count() > 100 {
        return Err(ApiError::invalid(
            "request_id",
            "must be 1 to 100 characters",
        ));
    }
    let sent: Scoped<Document> = store::scoped(
        &state.mongo,
        &store::RECEIPT_EMAILS,
        &TenantScope::company(p.company()?),
    );
    if sent
        .find_one(doc! { "_id": &req.request_id })
        .await?
        .is_some()
    {
        return Ok(Json(EmailSent {
            status: "already_sent",
        }));
    }
    let order = store::scoped::<Document>(&state.mongo, &store::ORDERS, &p.scope())
        .find_one(doc! { "_id": &sale_id })
        .await?
        .ok_or_else(|| ApiError::not_found("sale"))?;
    let shop = shop_name(&state, &order).await?;
    let message = Message::builder()
        .from(from_address(&state))
        .to(to)
        .subject(format!(
            "Your receipt #{} from {shop}",
            int(&order, "receipt_no")
        ))
        .header(ContentType::TEXT_PLAIN)
        .body(render(&order, &shop))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("receipt email: {e}")))?;
    send(&state.config.smtp.url, message).await?;
    sent.insert_one(&doc! {
        "_id": &req.request_id, "sale_id": &sale_id, "company_id": p.company()?,
        "email": req.email.trim(), "sent_by": &p.id, "sent_at": now(),
    })?
    .await?;
    tracing::info!(sale = %sale_id, "receipt emailed");
    Ok(Json(EmailSent { status: "sent" }))
}

fn from_address(state: &AppState) -> Mailbox {
    state
        .config
        .smtp
        .from
        .parse()
        .unwrap_or_else(|_| Mailbox::new(None, "receipts@kassa.invalid".parse().expect("valid")))
}

/// Sends `message` through the relay at `url` (`smtp://host:port`, `smtps://...` for TLS,
/// `smtp://...?tls=required` for STARTTLS). A relay that is down is a 503: the till keeps
/// the request and tries again.
async fn send(url: &str, message: Message) -> ApiResult<()> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("smtp.url `{url}`: {e}")))?
        .build();
    transport.send(message).await.map_err(|e| {
        tracing::error!(error = %e, "the mail relay refused or is down");
        ApiError::Unavailable(WireError::new(
            "mail_unavailable",
            "the mail server cannot be reached right now; the receipt is sent on the next try",
        ))
    })?;
    Ok(())
}

async fn shop_name(state: &AppState, order: &Document) -> ApiResult<String> {
    let company = TenantScope::company(order.get_str("company_id").unwrap_or_default());
    let shop = crate::services::shop::shops_in(state, &company)
        .find_one(doc! { "_id": order.get_str("shop_id").unwrap_or_default() })
        .await?;
    Ok(shop
        .map(|s| s.name)
        .unwrap_or_else(|| "our shop".to_owned()))
}

/// An integer field, whichever width MongoDB stored it in.
fn int(d: &Document, key: &str) -> i64 {
    match d.get(key) {
        Some(Bson::Int64(n)) => *n,
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Double(f)) => *f as i64,
        _ => 0,
    }
}

/// Minor units as an amount: 1234 with 2 digits is "12.34".
fn amount(minor: i64, currency: &str) -> String {
    let digits = pos_shared::Currency::new(currency).map_or(2, |c| c.minor_units());
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    let unit = 10u64.pow(digits);
    format!(
        "{sign}{}.{:0w$}",
        abs / unit,
        abs % unit,
        w = digits as usize
    )
}

/// The receipt as plain text: lines with quantity and amount, the total, the tenders and
/// the change.
fn render(order: &Document, shop: &str) -> String {
    let currency = order.get_str("currency").unwrap_or("EUR");
    let m = |minor: i64| amount(minor, currency);
    let mut out = format!("{shop}\nReceipt #{}\n\n", int(order, "receipt_no"));
    for line in docs(order, "lines") {
        let qty = int(line, "qty_milli");
        let qty = if qty % 1000 == 0 {
            (qty / 1000).to_string()
        } else {
            format!("{}.{:03}", qty / 1000, qty % 1000)
        };
        out.push_str(&format!(
            "{qty} x {:<30} {:>10}\n",
            line.get_str("name").unwrap_or_default(),
            m(int(line, "gross_minor"))
        ));
    }
    out.push_str(&format!(
        "\nTOTAL {currency} {}\n",
        m(int(order, "total_minor"))
    ));
    for t in docs(order, "tenders") {
        out.push_str(&format!(
            "{:<10} {}\n",
            t.get_str("kind").unwrap_or_default(),
            m(int(t, "amount_minor"))
        ));
    }
    let change = int(order, "change_minor");
    if change != 0 {
        out.push_str(&format!("change     {}\n", m(change)));
    }
    out.push_str("\nThank you for your purchase.\n");
    out
}

fn docs<'a>(d: &'a Document, key: &str) -> Vec<&'a Document> {
    d.get_array(key)
        .map(|a| a.iter().filter_map(Bson::as_document).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receipt_lists_lines_total_tenders_and_change() {
        let order = doc! {
            "receipt_no": 7_i64, "currency": "EUR", "total_minor": 736_i64, "change_minor": 264_i64,
            "lines": [
                { "name": "Milk", "qty_milli": 3000_i64, "gross_minor": 387_i32 },
                { "name": "Apples", "qty_milli": 1250_i64, "gross_minor": 349_i64 },
            ],
            "tenders": [{ "kind": "cash", "amount_minor": 1000_i64 }],
        };
        let text = render(&order, "Corner Shop");
        assert!(text.starts_with("Corner Shop\nReceipt #7"), "{text}");
        assert!(text.contains("3 x Milk"), "{text}");
        assert!(text.contains("1.250 x Apples"), "{text}");
        assert!(text.contains("TOTAL EUR 7.36"), "{text}");
        assert!(text.contains("change     2.64"), "{text}");
    }
}
