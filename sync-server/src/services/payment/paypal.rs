//! PayPal Orders v2: create (the customer approves on PayPal's page), capture, refund a
//! capture, and webhook verification through verify-webhook-signature. An OAuth token is
//! fetched per call (client credentials); caching it is left for when volume asks.
//! <https://developer.paypal.com/docs/api/orders/v2/>

use std::time::Duration;

use futures::future::BoxFuture;
use pos_shared::{Currency, money::Money};
use serde_json::{Value, json};

use super::{
    model::{Failure, PaymentDoc, Status},
    provider::{
        NewIntent, Provider, ProviderError, ProviderResult, RefundReply, Reply, http, unavailable,
    },
};
use crate::config::PaymentConfig;

pub struct PayPal {
    base: String,
    client_id: String,
    client_secret: String,
    webhook_id: String,
    timeout: Duration,
}

impl PayPal {
    pub fn from_config(cfg: &PaymentConfig) -> ProviderResult<Self> {
        if cfg.paypal_client_id.is_empty() || cfg.paypal_client_secret.is_empty() {
            return Err(ProviderError::NotConfigured("PayPal"));
        }
        Ok(Self {
            base: cfg.paypal_api_base.trim_end_matches('/').to_owned(),
            client_id: cfg.paypal_client_id.clone(),
            client_secret: cfg.paypal_client_secret.clone(),
            webhook_id: cfg.paypal_webhook_id.clone(),
            timeout: Duration::from_secs(cfg.provider_timeout_secs.max(1)),
        })
    }

    async fn token(&self) -> ProviderResult<String> {
        let resp = http()
            .post(format!("{}/v1/oauth2/token", self.base))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .timeout(self.timeout)
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(unavailable)?;
        if !resp.status().is_success() {
            return Err(ProviderError::Unavailable(format!(
                "PayPal refused the client credentials ({})",
                resp.status()
            )));
        }
        let body: Value = resp.json().await.map_err(unavailable)?;
        body["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ProviderError::Unavailable("PayPal sent no access token".into()))
    }

    /// POSTs `body` to `path` with a fresh token and `PayPal-Request-Id: key`.
    async fn post(&self, path: &str, body: &Value, key: &str) -> ProviderResult<Value> {
        let token = self.token().await?;
        let resp = http()
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("PayPal-Request-Id", key)
            .timeout(self.timeout)
            .json(body)
            .send()
            .await
            .map_err(unavailable)?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
        if status.is_client_error() {
            let issue = &body["details"][0];
            return Err(ProviderError::Refused {
                code: issue["issue"]
                    .as_str()
                    .or(body["name"].as_str())
                    .unwrap_or("unknown")
                    .to_owned(),
                message: issue["description"]
                    .as_str()
                    .or(body["message"].as_str())
                    .unwrap_or("")
                    .to_owned(),
            });
        }
        Err(ProviderError::Unavailable(format!(
            "PayPal answered {status}"
        )))
    }

    /// Asks PayPal whether a delivery is genuine (its headers and the event as received).
    pub async fn verify_webhook(&self, headers: &[(&str, String)], event: &Value) -> bool {
        let field = |name: &str| {
            headers
                .iter()
                .find(|(h, _)| h.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let body = json!({
            "auth_algo": field("paypal-auth-algo"),
            "cert_url": field("paypal-cert-url"),
            "transmission_id": field("paypal-transmission-id"),
            "transmission_sig": field("paypal-transmission-sig"),
            "transmission_time": field("paypal-transmission-time"),
            "webhook_id": self.webhook_id,
            "webhook_event": event,
        });
        let key = field("paypal-transmission-id");
        match self
            .post("/v1/notifications/verify-webhook-signature", &body, &key)
            .await
        {
            Ok(v) => v["verification_status"] == "SUCCESS",
            Err(e) => {
                tracing::warn!(error = %e, "PayPal webhook verification failed");
                false
            }
        }
    }
}

/// Minor units as PayPal's decimal text ("12.34").
fn value(minor: i64, currency: &str) -> ProviderResult<String> {
    let currency = Currency::new(currency).map_err(|e| ProviderError::Refused {
        code: "currency".into(),
        message: e.to_string(),
    })?;
    Ok(Money::new(minor, currency).format())
}

/// An order as PayPal describes it, in Kassa's terms.
pub fn order_reply(v: &Value) -> Option<Reply> {
    let reference = v["id"].as_str()?;
    let capture = &v["purchase_units"][0]["payments"]["captures"][0];
    let status = match v["status"].as_str()? {
        "CREATED" | "SAVED" | "APPROVED" | "PAYER_ACTION_REQUIRED" => Status::RequiresAction,
        "COMPLETED" if capture["status"] == "DECLINED" => Status::Failed,
        "COMPLETED" => Status::Captured,
        "VOIDED" => Status::Canceled,
        _ => return None,
    };
    let approve_url = v["links"].as_array().and_then(|links| {
        links
            .iter()
            .find(|l| l["rel"] == "approve" || l["rel"] == "payer-action")
            .and_then(|l| l["href"].as_str().map(str::to_owned))
    });
    Some(Reply {
        captured_minor: captured_minor(capture),
        capture_ref: capture["id"].as_str().map(str::to_owned),
        failure: (status == Status::Failed).then(|| Failure {
            code: "capture_declined".into(),
            message: "PayPal declined the capture".into(),
        }),
        approve_url,
        ..Reply::new(reference, status)
    })
}

/// A capture's amount in minor units.
pub fn captured_minor(capture: &Value) -> Option<i64> {
    let currency = Currency::new(capture["amount"]["currency_code"].as_str()?).ok()?;
    Money::parse(capture["amount"]["value"].as_str()?, currency)
        .ok()
        .map(|m| m.minor)
}

impl Provider for PayPal {
    fn create<'a>(&'a self, i: &'a NewIntent<'a>) -> BoxFuture<'a, ProviderResult<Reply>> {
        Box::pin(async move {
            let body = json!({
                "intent": "CAPTURE",
                "purchase_units": [{
                    "reference_id": i.order_id,
                    // Webhooks name the payment by this.
                    "custom_id": i.payment_id,
                    "amount": { "currency_code": i.currency, "value": value(i.amount_minor, i.currency)? },
                }],
            });
            let v = self.post("/v2/checkout/orders", &body, i.key).await?;
            order_reply(&v).ok_or_else(|| ProviderError::Unavailable("PayPal sent no order".into()))
        })
    }

    fn confirm<'a>(
        &'a self,
        _: &'a PaymentDoc,
        _: Option<&'a str>,
        _: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Reply>> {
        Box::pin(async {
            Err(ProviderError::Refused {
                code: "approval_by_customer".into(),
                message:
                    "a PayPal order is approved by the customer at its approve_url, then captured"
                        .into(),
            })
        })
    }

    fn capture<'a>(
        &'a self,
        p: &'a PaymentDoc,
        _amount_minor: i64,
        key: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Reply>> {
        Box::pin(async move {
            let order = p.provider_ref.as_deref().unwrap_or_default();
            let path = format!("/v2/checkout/orders/{order}/capture");
            let v = self.post(&path, &json!({}), key).await?;
            order_reply(&v).ok_or_else(|| ProviderError::Unavailable("PayPal sent no order".into()))
        })
    }

    fn cancel<'a>(&'a self, p: &'a PaymentDoc, _: &'a str) -> BoxFuture<'a, ProviderResult<Reply>> {
        // An order nobody captures expires at PayPal; there is nothing to call.
        let reference = p.provider_ref.clone().unwrap_or_default();
        Box::pin(async move { Ok(Reply::new(reference, Status::Canceled)) })
    }

    fn refund<'a>(
        &'a self,
        p: &'a PaymentDoc,
        amount_minor: i64,
        key: &'a str,
    ) -> BoxFuture<'a, ProviderResult<RefundReply>> {
        Box::pin(async move {
            let capture = p.capture_ref.as_deref().unwrap_or_default();
            let body = json!({ "amount": {
                "currency_code": p.currency, "value": value(amount_minor, &p.currency)? } });
            let path = format!("/v2/payments/captures/{capture}/refund");
            let v = self.post(&path, &body, key).await?;
            Ok(RefundReply {
                reference: v["id"].as_str().unwrap_or_default().to_owned(),
            })
        })
    }
}
