//! Stripe PaymentIntents over its REST API (form-encoded, the secret key as the basic-auth
//! user): create, confirm, capture, cancel, refund. <https://docs.stripe.com/api/payment_intents>

use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;

use super::{
    model::{Failure, PaymentDoc, Status},
    provider::{
        NewIntent, Provider, ProviderError, ProviderResult, RefundReply, Reply, http, unavailable,
    },
};
use crate::config::PaymentConfig;

pub struct Stripe {
    base: String,
    secret_key: String,
    timeout: Duration,
}

impl Stripe {
    pub fn from_config(cfg: &PaymentConfig) -> ProviderResult<Self> {
        if cfg.stripe_secret_key.is_empty() {
            return Err(ProviderError::NotConfigured("Stripe"));
        }
        Ok(Self {
            base: cfg.stripe_api_base.trim_end_matches('/').to_owned(),
            secret_key: cfg.stripe_secret_key.clone(),
            timeout: Duration::from_secs(cfg.provider_timeout_secs.max(1)),
        })
    }

    /// POSTs `form` to `path`; a 402 (a declined card) comes back as its error object.
    async fn post(
        &self,
        path: &str,
        form: &[(&str, String)],
        key: &str,
    ) -> ProviderResult<Result<Value, Failure>> {
        let resp = http()
            .post(format!("{}{path}", self.base))
            .basic_auth(&self.secret_key, Some(""))
            .header("Idempotency-Key", key)
            .timeout(self.timeout)
            .form(form)
            .send()
            .await
            .map_err(unavailable)?;
        let status = resp.status();
        let body: Value = resp.json().await.map_err(unavailable)?;
        if status.is_success() {
            return Ok(Ok(body));
        }
        let error = &body["error"];
        let code = error["decline_code"]
            .as_str()
            .or(error["code"].as_str())
            .unwrap_or("unknown")
            .to_owned();
        let message = error["message"].as_str().unwrap_or("").to_owned();
        match status.as_u16() {
            402 => Ok(Err(Failure { code, message })),
            400..=499 => Err(ProviderError::Refused { code, message }),
            _ => Err(ProviderError::Unavailable(format!(
                "Stripe answered {status}"
            ))),
        }
    }

    /// A call on an existing intent: its new state, or the decline as a failed reply.
    async fn intent_call(
        &self,
        p: &PaymentDoc,
        action: &str,
        form: &[(&str, String)],
        key: &str,
    ) -> ProviderResult<Reply> {
        let reference = p.provider_ref.as_deref().unwrap_or_default();
        let path = format!("/v1/payment_intents/{reference}/{action}");
        match self.post(&path, form, key).await? {
            Ok(body) => intent_reply(&body)
                .ok_or_else(|| ProviderError::Unavailable("Stripe sent no intent".into())),
            Err(failure) => Ok(Reply {
                failure: Some(failure),
                ..Reply::new(reference, Status::Failed)
            }),
        }
    }
}

/// A PaymentIntent object in Kassa's terms; `None` when `v` is not one.
pub fn intent_reply(v: &Value) -> Option<Reply> {
    let reference = v["id"].as_str()?;
    let error = &v["last_payment_error"];
    let status = match v["status"].as_str()? {
        "requires_payment_method" if error.is_object() => Status::Failed,
        "requires_payment_method" | "requires_confirmation" => Status::Created,
        "requires_action" | "processing" => Status::RequiresAction,
        "requires_capture" => Status::Authorized,
        "succeeded" => Status::Captured,
        "canceled" => Status::Canceled,
        _ => return None,
    };
    let failure = (status == Status::Failed).then(|| Failure {
        code: error["decline_code"]
            .as_str()
            .or(error["code"].as_str())
            .unwrap_or("unknown")
            .to_owned(),
        message: error["message"].as_str().unwrap_or("").to_owned(),
    });
    Some(Reply {
        captured_minor: (status == Status::Captured).then(|| captured(v)),
        failure,
        client_secret: v["client_secret"].as_str().map(str::to_owned),
        ..Reply::new(reference, status)
    })
}

/// What a succeeded intent took: `amount_received` where Stripe gives it; localstripe
/// gives the charge, whose uncaptured rest shows as refunded at capture time.
fn captured(v: &Value) -> i64 {
    if let Some(n) = v["amount_received"].as_i64() {
        return n;
    }
    let charge = &v["latest_charge"];
    match (
        charge["amount"].as_i64(),
        charge["amount_refunded"].as_i64(),
    ) {
        (Some(a), Some(r)) => a - r,
        _ => v["amount"].as_i64().unwrap_or_default(),
    }
}

impl Provider for Stripe {
    fn create<'a>(&'a self, i: &'a NewIntent<'a>) -> BoxFuture<'a, ProviderResult<Reply>> {
        Box::pin(async move {
            let capture = if i.manual_capture {
                "manual"
            } else {
                "automatic"
            };
            let mut form = vec![
                ("amount", i.amount_minor.to_string()),
                ("currency", i.currency.to_lowercase()),
                ("capture_method", capture.to_owned()),
                // Webhooks find the payment by these, even before this call's reply is stored.
                ("metadata[kassa_payment_id]", i.payment_id.to_owned()),
                ("metadata[kassa_order_id]", i.order_id.to_owned()),
            ];
            if let Some(pm) = i.payment_method {
                form.push(("payment_method", pm.to_owned()));
            }
            match self.post("/v1/payment_intents", &form, i.key).await? {
                Ok(body) => intent_reply(&body)
                    .ok_or_else(|| ProviderError::Unavailable("Stripe sent no intent".into())),
                Err(f) => Err(ProviderError::Refused {
                    code: f.code,
                    message: f.message,
                }),
            }
        })
    }

    fn confirm<'a>(
        &'a self,
        p: &'a PaymentDoc,
        payment_method: Option<&'a str>,
        key: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Reply>> {
        Box::pin(async move {
            let form: Vec<_> = payment_method
                .map(|pm| ("payment_method", pm.to_owned()))
                .into_iter()
                .collect();
            self.intent_call(p, "confirm", &form, key).await
        })
    }

    fn capture<'a>(
        &'a self,
        p: &'a PaymentDoc,
        amount_minor: i64,
        key: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Reply>> {
        Box::pin(async move {
            let form = [("amount_to_capture", amount_minor.to_string())];
            let mut reply = self.intent_call(p, "capture", &form, key).await?;
            if reply.status == Status::Captured {
                reply.captured_minor = Some(amount_minor);
            }
            Ok(reply)
        })
    }

    fn cancel<'a>(
        &'a self,
        p: &'a PaymentDoc,
        key: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Reply>> {
        Box::pin(async move { self.intent_call(p, "cancel", &[], key).await })
    }

    fn refund<'a>(
        &'a self,
        p: &'a PaymentDoc,
        amount_minor: i64,
        key: &'a str,
    ) -> BoxFuture<'a, ProviderResult<RefundReply>> {
        Box::pin(async move {
            let form = [
                ("payment_intent", p.provider_ref.clone().unwrap_or_default()),
                ("amount", amount_minor.to_string()),
            ];
            match self.post("/v1/refunds", &form, key).await? {
                Ok(body) => Ok(RefundReply {
                    reference: body["id"].as_str().unwrap_or_default().to_owned(),
                }),
                Err(f) => Err(ProviderError::Refused {
                    code: f.code,
                    message: f.message,
                }),
            }
        })
    }
}
