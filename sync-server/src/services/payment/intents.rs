//! Opening a payment for an order: what the order saga calls. The payment and its
//! `attempt` entry are recorded before the provider is called, under an id derived from
//! the client's key, so a retry after a crash or a timeout finds the same payment.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use mongodb::bson::doc;
use pos_shared::{Currency, role::Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{
    entries, idempotency,
    ledger::{self, Source},
    model::{CaptureMethod, EntryDoc, EntryKind, PaymentDoc, ProviderName, Status, derived_id},
    payments,
    provider::{self, provider_key},
    routes::view,
};
use crate::{
    db::now,
    error::{ApiError, ApiResult},
    gateway::{extract::ApiJson, principal::Principal, tenancy::TenantScope},
    services::{company, shop::visible_shop},
    state::AppState,
};

/// The largest single payment Kassa opens (Stripe's own limit for most currencies).
const MAX_AMOUNT_MINOR: i64 = 99_999_999;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIntent {
    /// The order this pays (a web order's id).
    #[schema(value_type = crate::openapi::fields::IdempotencyKey)]
    pub order_id: String,
    /// The shop the order belongs to.
    pub shop_id: String,
    #[schema(minimum = 1, maximum = 99_999_999)]
    pub amount_minor: i64,
    /// ISO 4217 code; the company's currency when absent.
    #[serde(default)]
    pub currency: Option<String>,
    pub provider: ProviderName,
    #[serde(default)]
    pub capture_method: CaptureMethod,
    /// Stripe: a payment method to attach (a browser usually attaches it with Stripe.js).
    #[serde(default)]
    pub payment_method: Option<String>,
    /// Stripe: confirm at once (with `payment_method`).
    #[serde(default)]
    pub confirm: bool,
}

/// The currency to charge in: the request's, or the company's.
async fn currency(state: &AppState, company: &str, req: &NewIntent) -> ApiResult<String> {
    if !(1..=MAX_AMOUNT_MINOR).contains(&req.amount_minor) {
        return Err(ApiError::invalid(
            "amount_minor",
            format!("must be 1 to {MAX_AMOUNT_MINOR} minor units"),
        ));
    }
    let order = req.order_id.trim();
    if order.is_empty() || order.chars().count() > 100 {
        return Err(ApiError::invalid("order_id", "must be 1 to 100 characters"));
    }
    let code = match &req.currency {
        Some(c) => c.clone(),
        None => company::settings(state, company).await?.currency,
    };
    let parsed: Currency = code
        .parse()
        .map_err(|e: pos_shared::MoneyError| ApiError::invalid("currency", e.to_string()))?;
    Ok(parsed.as_str().to_owned())
}

/// Opens a payment for an order at the chosen provider (shop managers and up; the order
/// saga's call). 201 with the payment; the same `Idempotency-Key` answers the same payment.
#[utoipa::path(post, path = "/api/payments/intents", tag = "payments", security(("bearer" = [])), request_body = NewIntent,
    params(("Idempotency-Key" = crate::openapi::fields::IdempotencyKey, Header, description = "Chosen once per payment, sent again on a retry")),
    responses((status = 201, body = super::routes::PaymentView), (status = 404, body = pos_shared::error::WireError),
        (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn create_intent(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NewIntent>,
) -> ApiResult<Response> {
    p.require(Role::ShopManager)?;
    let company = p.company()?.to_owned();
    let key = idempotency::key(&headers)?;
    let shop = visible_shop(&state, &p, &req.shop_id).await?;
    let currency = currency(&state, &company, &req).await?;
    let body = serde_json::to_value(&req).unwrap_or_default();
    let fp = idempotency::fingerprint("create_intent", &body);
    let opened = open(&state, &p.id, &company, &shop.id, req, currency, &key);
    idempotency::once(&state, &company, &key, fp, opened).await
}

/// Opens the Stripe payment of a reserved web order (the saga's call, in-process): keyed
/// by the order, so a redelivered `inventory.reserved` finds the payment it opened.
/// Returns the payment's id.
pub async fn open_for_order(
    state: &AppState,
    company: &str,
    shop: &str,
    order_id: &str,
    amount_minor: i64,
    currency: &str,
) -> ApiResult<String> {
    let req = NewIntent {
        order_id: order_id.to_owned(),
        shop_id: shop.to_owned(),
        amount_minor,
        currency: Some(currency.to_owned()),
        provider: ProviderName::Stripe,
        capture_method: CaptureMethod::Automatic,
        payment_method: None,
        confirm: false,
    };
    let currency = self::currency(state, company, &req).await?;
    let key = format!("web-order:{order_id}");
    let (_, view) = open(state, "saga", company, shop, req, currency, &key).await?;
    Ok(view["payment_id"].as_str().unwrap_or_default().to_owned())
}

/// Records the attempt, then opens it at the provider (and confirms it when asked).
async fn open(
    state: &AppState,
    actor: &str,
    company: &str,
    shop: &str,
    req: NewIntent,
    currency: String,
    key: &str,
) -> ApiResult<(StatusCode, Value)> {
    let provider = provider::provider(&state.config.payment, req.provider)?;
    let mut p = record_attempt(state, actor, company, shop, &req, currency, key).await?;
    if p.provider_ref.is_none() {
        let intent = provider::NewIntent {
            payment_id: &p.id,
            order_id: &p.order_id,
            amount_minor: p.amount_minor,
            currency: &p.currency,
            manual_capture: p.capture_method == CaptureMethod::Manual,
            payment_method: req.payment_method.as_deref(),
            key: &provider_key(&[&p.id, "create"]),
        };
        let reply = provider.create(&intent).await?;
        p = ledger::advance(state, company, &p.id, reply, Source::Api, None).await?;
    }
    if req.confirm && p.status == Status::Created {
        let reply = provider
            .confirm(&p, None, &provider_key(&[&p.id, "confirm"]))
            .await?;
        p = ledger::advance(state, company, &p.id, reply, Source::Api, None).await?;
    }
    Ok((StatusCode::CREATED, view(state, &p).await?))
}

/// The payment as first recorded under `key` (its id derives from the key, so a retry
/// after a crash finds the same payment), with its `attempt` ledger entry.
async fn record_attempt(
    state: &AppState,
    actor: &str,
    company: &str,
    shop: &str,
    req: &NewIntent,
    currency: String,
    key: &str,
) -> ApiResult<PaymentDoc> {
    let id = derived_id(&format!("kassa-payment:{company}:{key}"));
    let scope = TenantScope::company(company);
    if let Some(p) = payments(state, &scope)
        .find_one(doc! { "_id": &id })
        .await?
    {
        return Ok(p);
    }
    let t = now();
    let p = PaymentDoc {
        id: id.clone(),
        company_id: company.to_owned(),
        shop_id: shop.to_owned(),
        order_id: req.order_id.trim().to_owned(),
        provider: req.provider,
        provider_ref: None,
        capture_ref: None,
        amount_minor: req.amount_minor,
        currency: currency.clone(),
        capture_method: req.capture_method,
        status: Status::Created,
        captured_minor: 0,
        refunded_minor: 0,
        refundable_minor: 0,
        failure: None,
        client_secret: None,
        approve_url: None,
        idempotency_key: key.to_owned(),
        created_by: actor.to_owned(),
        created_at: t,
        updated_at: t,
    };
    let entry = EntryDoc {
        id: format!("{id}:attempt"),
        company_id: company.to_owned(),
        shop_id: shop.to_owned(),
        payment_id: id.clone(),
        kind: EntryKind::Attempt,
        amount_minor: req.amount_minor,
        currency,
        status: "started".into(),
        provider_ref: None,
        source: "api".into(),
        at: t,
    };
    let ctx = (state.clone(), p.clone(), entry);
    state
        .write(ctx, |s, (state, p, entry)| {
            Box::pin(async move {
                let scope = TenantScope::company(&p.company_id);
                payments(state, &scope)
                    .insert_one(&*p)?
                    .session(&mut *s)
                    .await?;
                entries(state, &scope)
                    .insert_one(&*entry)?
                    .session(&mut *s)
                    .await?;
                Ok(())
            })
        })
        .await?;
    Ok(p)
}
