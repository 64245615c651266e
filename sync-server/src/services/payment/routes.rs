//! Payments HTTP API: confirm, capture, cancel, and read a payment with its ledger (opening
//! one is `intents`, refunds `refunds`). Every write carries an
//! `Idempotency-Key` (see `idempotency`); shop managers and up, within their shops.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    routing::{get, post},
};
use futures::TryStreamExt;
use mongodb::bson::doc;
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::{
    entries, idempotency, intents,
    ledger::{self, Source},
    model::{CaptureMethod, EntryDoc, EntryKind, PaymentDoc, ProviderName, Status},
    payments,
    provider::{self, provider_key},
    refunds, webhooks,
};
use crate::{
    db::rfc3339,
    error::{ApiError, ApiResult},
    gateway::{
        extract::{ApiJson, IdPath},
        paging::Page,
        principal::Principal,
        tenancy::TenantScope,
    },
    services::shop::visible_shop,
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/payments", get(list_payments))
        .route("/payments/intents", post(intents::create_intent))
        .route("/payments/{id}", get(get_payment))
        .route("/payments/{id}/confirm", post(confirm_payment))
        .route("/payments/{id}/capture", post(capture_payment))
        .route("/payments/{id}/cancel", post(cancel_payment))
        .route("/payments/{id}/refunds", post(refunds::refund_payment))
        .route("/payments/webhooks/stripe", post(webhooks::stripe_webhook))
        .route("/payments/webhooks/paypal", post(webhooks::paypal_webhook))
}

/// A payment with its ledger, oldest entry first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    pub payment_id: String,
    pub order_id: String,
    pub shop_id: String,
    pub provider: ProviderName,
    pub provider_ref: Option<String>,
    pub status: Status,
    pub amount_minor: i64,
    pub currency: String,
    pub capture_method: CaptureMethod,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    /// What a refund may still take.
    pub refundable_minor: i64,
    pub failure: Option<super::model::Failure>,
    pub client_secret: Option<String>,
    pub approve_url: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub transactions: Vec<EntryView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    pub id: String,
    pub kind: EntryKind,
    pub amount_minor: i64,
    pub currency: String,
    /// `started` (an attempt), `succeeded`, `failed`, or `pending` (a refund in flight).
    pub status: String,
    pub provider_ref: Option<String>,
    /// `api` or `webhook`: which report recorded it.
    pub source: String,
    pub at: String,
}

/// The payment with its ledger, as the API shows it.
pub async fn view(state: &AppState, p: &PaymentDoc) -> ApiResult<Value> {
    let list: Vec<EntryDoc> = entries(state, &TenantScope::company(&p.company_id))
        .find(doc! { "payment_id": &p.id })
        .sort(doc! { "at": 1, "_id": 1 })
        .await?
        .try_collect()
        .await?;
    let transactions = list
        .into_iter()
        .map(|e| EntryView {
            id: e.id,
            kind: e.kind,
            amount_minor: e.amount_minor,
            currency: e.currency,
            status: e.status,
            provider_ref: e.provider_ref,
            source: e.source,
            at: rfc3339(e.at),
        })
        .collect();
    let v = PaymentView {
        payment_id: p.id.clone(),
        order_id: p.order_id.clone(),
        shop_id: p.shop_id.clone(),
        provider: p.provider,
        provider_ref: p.provider_ref.clone(),
        status: p.status,
        amount_minor: p.amount_minor,
        currency: p.currency.clone(),
        capture_method: p.capture_method,
        captured_minor: p.captured_minor,
        refunded_minor: p.refunded_minor,
        refundable_minor: p.refundable_minor,
        failure: p.failure.clone(),
        client_secret: p.client_secret.clone(),
        approve_url: p.approve_url.clone(),
        created_at: rfc3339(p.created_at),
        updated_at: rfc3339(p.updated_at),
        transactions,
    };
    serde_json::to_value(v).map_err(|e| ApiError::Internal(e.into()))
}

/// The payment `id` if the caller may see it (404 otherwise, also for other companies').
pub async fn visible(state: &AppState, p: &Principal, id: &str) -> ApiResult<PaymentDoc> {
    payments(state, &p.scope())
        .find_one(doc! { "_id": id })
        .await?
        .ok_or_else(|| ApiError::not_found("payment"))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PaymentQuery {
    /// The shop whose payments to list (newest first).
    pub shop_id: String,
}

/// A shop's payments, newest first (shop managers of the shop and up).
#[utoipa::path(get, path = "/api/payments", tag = "payments", security(("bearer" = [])), params(PaymentQuery, Page),
    responses((status = 200, body = [PaymentView]), (status = 404, body = pos_shared::error::WireError)))]
pub async fn list_payments(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<PaymentQuery>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<Value>>> {
    p.require(Role::ShopManager)?;
    p.company()?;
    let shop = visible_shop(&state, &p, &q.shop_id).await?;
    let list: Vec<PaymentDoc> = payments(&state, &p.scope())
        .find(doc! { "shop_id": &shop.id })
        .sort(doc! { "created_at": -1, "_id": -1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    let mut out = Vec::with_capacity(list.len());
    for payment in &list {
        out.push(view(&state, payment).await?);
    }
    Ok(Json(out))
}

/// A payment with its ledger: every attempt, authorisation, capture, failure, cancel and
/// refund.
#[utoipa::path(get, path = "/api/payments/{id}", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = PaymentView), (status = 404, body = pos_shared::error::WireError)))]
pub async fn get_payment(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<Value>> {
    p.require(Role::ShopManager)?;
    let payment = visible(&state, &p, &id.to_string()).await?;
    Ok(Json(view(&state, &payment).await?))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// Stripe: the payment method to confirm with, if none is attached yet.
    #[serde(default)]
    pub payment_method: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureRequest {
    /// Up to the authorised amount; all of it when absent.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub amount_minor: Option<i64>,
}

/// A write on an existing payment: visible to the caller, under its key, once.
pub async fn write_on<F, Fut>(
    state: &AppState,
    p: &Principal,
    id: &str,
    headers: &HeaderMap,
    operation: &str,
    body: Value,
    work: F,
) -> ApiResult<Response>
where
    F: FnOnce(PaymentDoc, String) -> Fut,
    Fut: std::future::Future<Output = ApiResult<(StatusCode, Value)>>,
{
    p.require(Role::ShopManager)?;
    let company = p.company()?.to_owned();
    let key = idempotency::key(headers)?;
    let payment = visible(state, p, id).await?;
    let fp = idempotency::fingerprint(&format!("{operation}:{id}"), &body);
    idempotency::once(state, &company, &key, fp, work(payment, key.clone())).await
}

/// 409 unless the payment is in one of `allowed`.
pub fn require_status(p: &PaymentDoc, allowed: &[Status], doing: &str) -> ApiResult<()> {
    if allowed.contains(&p.status) {
        return Ok(());
    }
    Err(ApiError::conflict(
        "payment_state",
        format!(
            "the payment is {}; it cannot be {doing} now",
            p.status.as_str()
        ),
    ))
}

/// Confirms a Stripe payment server-side. A declined card answers 200 with the payment
/// `failed` and the provider's reason in `failure`.
#[utoipa::path(post, path = "/api/payments/{id}/confirm", tag = "payments", security(("bearer" = [])), request_body = ConfirmRequest,
    params(("Idempotency-Key" = crate::openapi::fields::IdempotencyKey, Header, description = "Chosen once per operation, sent again on a retry")),
    responses((status = 200, body = PaymentView), (status = 404, body = pos_shared::error::WireError),
        (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn confirm_payment(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ConfirmRequest>,
) -> ApiResult<Response> {
    let body = serde_json::to_value(&req).unwrap_or_default();
    let st = state.clone();
    write_on(
        &state,
        &p,
        &id.to_string(),
        &headers,
        "confirm",
        body,
        |payment, key| async move {
            require_status(&payment, &[Status::Created], "confirmed")?;
            let provider = provider::provider(&st.config.payment, payment.provider)?;
            let pkey = provider_key(&[&payment.id, "confirm", &key]);
            let reply = provider
                .confirm(&payment, req.payment_method.as_deref(), &pkey)
                .await?;
            let moved = ledger::advance(
                &st,
                &payment.company_id,
                &payment.id,
                reply,
                Source::Api,
                None,
            )
            .await?;
            Ok((StatusCode::OK, view(&st, &moved).await?))
        },
    )
    .await
}

/// Captures an authorised Stripe payment (manual capture), or a PayPal order the customer
/// approved. 422 `provider_refused` when the provider will not (a PayPal order not approved).
#[utoipa::path(post, path = "/api/payments/{id}/capture", tag = "payments", security(("bearer" = [])), request_body = CaptureRequest,
    params(("Idempotency-Key" = crate::openapi::fields::IdempotencyKey, Header, description = "Chosen once per operation, sent again on a retry")),
    responses((status = 200, body = PaymentView), (status = 404, body = pos_shared::error::WireError),
        (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn capture_payment(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CaptureRequest>,
) -> ApiResult<Response> {
    let body = serde_json::to_value(&req).unwrap_or_default();
    let st = state.clone();
    write_on(
        &state,
        &p,
        &id.to_string(),
        &headers,
        "capture",
        body,
        |payment, key| async move {
            require_status(
                &payment,
                &[Status::Authorized, Status::RequiresAction],
                "captured",
            )?;
            let amount = req.amount_minor.unwrap_or(payment.amount_minor);
            if !(1..=payment.amount_minor).contains(&amount) {
                return Err(ApiError::invalid(
                    "amount_minor",
                    "must be 1 up to the authorised amount",
                ));
            }
            let provider = provider::provider(&st.config.payment, payment.provider)?;
            let pkey = provider_key(&[&payment.id, "capture", &key]);
            let reply = provider.capture(&payment, amount, &pkey).await?;
            let moved = ledger::advance(
                &st,
                &payment.company_id,
                &payment.id,
                reply,
                Source::Api,
                None,
            )
            .await?;
            Ok((StatusCode::OK, view(&st, &moved).await?))
        },
    )
    .await
}

/// Cancels a payment nothing was captured of (an order that will not be paid).
#[utoipa::path(post, path = "/api/payments/{id}/cancel", tag = "payments", security(("bearer" = [])),
    params(("Idempotency-Key" = crate::openapi::fields::IdempotencyKey, Header, description = "Chosen once per operation, sent again on a retry")),
    responses((status = 200, body = PaymentView), (status = 404, body = pos_shared::error::WireError),
        (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn cancel_payment(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let st = state.clone();
    write_on(
        &state,
        &p,
        &id.to_string(),
        &headers,
        "cancel",
        Value::Null,
        |payment, key| async move {
            let open = [Status::Created, Status::RequiresAction, Status::Authorized];
            require_status(&payment, &open, "canceled")?;
            let provider = provider::provider(&st.config.payment, payment.provider)?;
            let pkey = provider_key(&[&payment.id, "cancel", &key]);
            let reply = provider.cancel(&payment, &pkey).await?;
            let moved = ledger::advance(
                &st,
                &payment.company_id,
                &payment.id,
                reply,
                Source::Api,
                None,
            )
            .await?;
            Ok((StatusCode::OK, view(&st, &moved).await?))
        },
    )
    .await
}
