//! Provider webhooks: verified (Stripe's signature; PayPal's verify-webhook-signature
//! call), then applied through the same ledger as API replies. A delivery is remembered by
//! its event id with the change it caused, so a redelivery changes nothing; a late report
//! of an earlier state is refused by the state machine; one that comes before the API
//! reply finds the payment by Kassa's id in the provider's metadata and moves it then.

use axum::{Json, body::Bytes, extract::State, http::HeaderMap};
use mongodb::bson::doc;
use pos_shared::error::WireError;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{
    identify,
    ledger::{self, Delivery, Source},
    model::{ProviderName, Status},
    paypal::{self, PayPal},
    provider::Reply,
    signature, stripe, webhook_marks,
};
use crate::{
    error::{ApiError, ApiResult},
    gateway::tenancy::TenantScope,
    state::AppState,
};

/// What Kassa did with a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookReceipt {
    /// `applied` (the payment moved or was filled in), `replayed` (this event id was
    /// applied before), or `ignored` (not a payment of this server, or an event type Kassa
    /// does not act on).
    pub outcome: String,
    /// The payment's status afterwards, when it names one.
    pub status: Option<Status>,
}

fn receipt(outcome: &str, status: Option<Status>) -> Json<WebhookReceipt> {
    Json(WebhookReceipt {
        outcome: outcome.into(),
        status,
    })
}

fn refused(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(WireError::new(code, message))
}

/// Stripe's webhook endpoint (no bearer token: the `Stripe-Signature` header is checked
/// against the configured endpoint secret). 400 on a missing, wrong or stale signature.
#[utoipa::path(post, path = "/api/payments/webhooks/stripe", tag = "payments",
    request_body(content = serde_json::Value, description = "A Stripe event, as Stripe signed it"),
    params(("Stripe-Signature" = String, Header, description = "t=<unix time>,v1=<HMAC-SHA256 hex>")),
    responses((status = 200, body = WebhookReceipt), (status = 400, body = pos_shared::error::WireError)))]
pub async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookReceipt>> {
    let cfg = &state.config.payment;
    if cfg.stripe_webhook_secret.is_empty() {
        return Err(refused(
            "webhook_not_configured",
            "this server has no Stripe webhook secret, so no delivery can be verified",
        ));
    }
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    signature::verify(
        header,
        &body,
        &cfg.stripe_webhook_secret,
        cfg.stripe_webhook_tolerance_secs,
        now,
    )
    .map_err(|e| refused("bad_signature", format!("webhook refused: {e}")))?;
    let event: Value = serde_json::from_slice(&body)
        .map_err(|_| refused("bad_event", "the webhook body is not a JSON event"))?;
    let Some(event_id) = event["id"].as_str() else {
        return Err(refused("bad_event", "the event has no id"));
    };
    let object = &event["data"]["object"];
    let Some(reply) = (object["object"] == "payment_intent")
        .then(|| stripe::intent_reply(object))
        .flatten()
    else {
        return Ok(receipt("ignored", None));
    };
    let kassa_id = object["metadata"]["kassa_payment_id"].as_str();
    let delivery = Delivery {
        id: format!("stripe:{event_id}"),
        kind: event["type"].as_str().unwrap_or_default().to_owned(),
    };
    apply(&state, ProviderName::Stripe, kassa_id, reply, delivery).await
}

/// Applies a verified delivery to the payment it names, once per event id.
async fn apply(
    state: &AppState,
    provider: ProviderName,
    kassa_id: Option<&str>,
    reply: Reply,
    delivery: Delivery,
) -> ApiResult<Json<WebhookReceipt>> {
    let Some(payment) = identify(state, kassa_id, Some(&reply.reference)).await? else {
        return Ok(receipt("ignored", None));
    };
    let foreign_ref = payment
        .provider_ref
        .as_ref()
        .is_some_and(|r| *r != reply.reference);
    if payment.provider != provider || foreign_ref {
        return Ok(receipt("ignored", None));
    }
    let scope = TenantScope::company(&payment.company_id);
    let seen = webhook_marks(state, &scope)
        .find_one(doc! { "_id": &delivery.id })
        .await?;
    if seen.is_some() {
        return Ok(receipt("replayed", Some(payment.status)));
    }
    match ledger::advance(
        state,
        &payment.company_id,
        &payment.id,
        reply,
        Source::Webhook,
        Some(delivery),
    )
    .await
    {
        Ok(p) => Ok(receipt("applied", Some(p.status))),
        // The same event delivered twice at once: the other delivery recorded it.
        Err(ApiError::Conflict(w)) if w.code == "already_exists" => {
            Ok(receipt("replayed", Some(payment.status)))
        }
        Err(e) => Err(e),
    }
}

/// PayPal's webhook endpoint: each delivery is verified by PayPal's
/// verify-webhook-signature call before it is applied. 400 when PayPal does not vouch for it.
#[utoipa::path(post, path = "/api/payments/webhooks/paypal", tag = "payments",
    request_body(content = serde_json::Value, description = "A PayPal webhook event, as delivered"),
    responses((status = 200, body = WebhookReceipt), (status = 400, body = pos_shared::error::WireError)))]
pub async fn paypal_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookReceipt>> {
    let paypal = PayPal::from_config(&state.config.payment).map_err(|_| {
        refused(
            "webhook_not_configured",
            "this server has no PayPal credentials, so no delivery can be verified",
        )
    })?;
    let event: Value = serde_json::from_slice(&body)
        .map_err(|_| refused("bad_event", "the webhook body is not a JSON event"))?;
    let names = [
        "paypal-auth-algo",
        "paypal-cert-url",
        "paypal-transmission-id",
        "paypal-transmission-sig",
        "paypal-transmission-time",
    ];
    let sent: Vec<(&str, String)> = names
        .iter()
        .map(|n| {
            (
                *n,
                headers
                    .get(*n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    if !paypal.verify_webhook(&sent, &event).await {
        return Err(refused(
            "bad_signature",
            "PayPal did not verify this delivery",
        ));
    }
    let Some(event_id) = event["id"].as_str() else {
        return Err(refused("bad_event", "the event has no id"));
    };
    let resource = &event["resource"];
    let status = match event["event_type"].as_str() {
        Some("PAYMENT.CAPTURE.COMPLETED") => Status::Captured,
        Some("PAYMENT.CAPTURE.DENIED") => Status::Failed,
        _ => return Ok(receipt("ignored", None)),
    };
    let order = resource["supplementary_data"]["related_ids"]["order_id"].as_str();
    let Some(order) = order else {
        return Ok(receipt("ignored", None));
    };
    let reply = Reply {
        captured_minor: paypal::captured_minor(resource),
        capture_ref: resource["id"].as_str().map(str::to_owned),
        failure: (status == Status::Failed).then(|| super::model::Failure {
            code: "capture_declined".into(),
            message: "PayPal declined the capture".into(),
        }),
        ..Reply::new(order, status)
    };
    let delivery = Delivery {
        id: format!("paypal:{event_id}"),
        kind: event["event_type"].as_str().unwrap_or_default().to_owned(),
    };
    apply(
        &state,
        ProviderName::Paypal,
        resource["custom_id"].as_str(),
        reply,
        delivery,
    )
    .await
}
