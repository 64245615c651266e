//! Moving a payment: one transaction writes the payment's new state, its ledger entry and
//! its event (through the outbox), and only when the state machine says the move is
//! forward. The provider's API reply and its webhooks both come through here, in any
//! order and any number of times: the first report of a state moves it, the rest change
//! nothing.

use mongodb::{ClientSession, bson::doc};

use super::{
    db, entries,
    model::{EntryDoc, PaymentDoc, Status, entry_kind},
    payments,
    provider::Reply,
    webhook_marks,
};
use crate::{
    db::now,
    error::ApiResult,
    events::{Event, outbox, payloads::PaymentChanged},
    gateway::tenancy::TenantScope,
    state::AppState,
};

/// Where a report came from, for the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Api,
    Webhook,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Webhook => "webhook",
        }
    }
}

/// A webhook delivery to remember with the change it caused, so a redelivery is known.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// `stripe:evt_...`, `paypal:WH-...`.
    pub id: String,
    pub kind: String,
}

/// Applies `reply` to the payment `payment_id` of `company`; returns the payment as it is
/// afterwards. `delivery` is recorded in the same transaction (a second one with its id
/// fails the transaction with `already_exists`).
pub async fn advance(
    state: &AppState,
    company: &str,
    payment_id: &str,
    reply: Reply,
    source: Source,
    delivery: Option<Delivery>,
) -> ApiResult<PaymentDoc> {
    let ctx = (
        state.clone(),
        company.to_owned(),
        payment_id.to_owned(),
        reply,
        delivery,
    );
    state
        .write(ctx, move |s, (state, company, id, reply, delivery)| {
            Box::pin(async move {
                let scope = TenantScope::company(company);
                if let Some(d) = delivery {
                    let mark = doc! { "_id": &d.id, "company_id": &*company, "kind": &d.kind,
                    "payment_id": &*id, "at": now() };
                    webhook_marks(state, &scope)
                        .insert_one(&mark)?
                        .session(&mut *s)
                        .await?;
                }
                let p = payments(state, &scope)
                    .find_one(doc! { "_id": &*id })
                    .session(&mut *s)
                    .await?
                    .ok_or_else(|| mongodb::error::Error::custom("payment vanished"))?;
                apply(state, s, p, reply, source).await
            })
        })
        .await
}

/// The move itself, inside the caller's transaction.
async fn apply(
    state: &AppState,
    s: &mut ClientSession,
    mut p: PaymentDoc,
    reply: &Reply,
    source: Source,
) -> mongodb::error::Result<PaymentDoc> {
    let scope = TenantScope::company(&p.company_id);
    let moves = p.status.advances_to(reply.status);
    let before = p.status;
    fill_references(&mut p, reply);
    if moves {
        p.status = reply.status;
        p.failure = reply.failure.clone().or(p.failure);
        if reply.status == Status::Captured {
            p.captured_minor = reply.captured_minor.unwrap_or(p.amount_minor);
            p.refundable_minor = p.captured_minor;
        }
    }
    p.updated_at = now();
    let stored = payments(state, &scope)
        .replace_one(doc! { "_id": &p.id, "status": before.as_str() }, &p)?
        .session(&mut *s)
        .await?;
    if stored.matched_count == 0 {
        // Another writer moved it in between; the driver retries the transaction.
        return Err(mongodb::error::Error::custom("payment moved concurrently"));
    }
    if !moves {
        return Ok(p);
    }
    if let Some(kind) = entry_kind(p.status) {
        let amount = match p.status {
            Status::Captured => p.captured_minor,
            _ => p.amount_minor,
        };
        let entry = EntryDoc {
            id: format!("{}:{}", p.id, p.status.as_str()),
            company_id: p.company_id.clone(),
            shop_id: p.shop_id.clone(),
            payment_id: p.id.clone(),
            kind,
            amount_minor: amount,
            currency: p.currency.clone(),
            status: if p.status == Status::Failed {
                "failed"
            } else {
                "succeeded"
            }
            .into(),
            provider_ref: p.provider_ref.clone(),
            source: source.as_str().into(),
            at: p.updated_at,
        };
        entries(state, &scope)
            .insert_one(&entry)?
            .session(&mut *s)
            .await?;
    }
    if let Some(event) = event(&p) {
        let message = event.message(Some(&p.company_id), None);
        outbox::record(&db(state), s, &message).await?;
    }
    Ok(p)
}

/// References a reply may carry that the payment does not have yet (a webhook can come
/// before the reply that would have set them).
fn fill_references(p: &mut PaymentDoc, reply: &Reply) {
    if p.provider_ref.is_none() {
        p.provider_ref = Some(reply.reference.clone());
    }
    if p.capture_ref.is_none() {
        p.capture_ref = reply.capture_ref.clone();
    }
    if p.client_secret.is_none() {
        p.client_secret = reply.client_secret.clone();
    }
    if p.approve_url.is_none() {
        p.approve_url = reply.approve_url.clone();
    }
}

/// What a payment entering its state announces.
fn event(p: &PaymentDoc) -> Option<Event> {
    let payload = changed(p);
    match p.status {
        Status::Authorized => Some(Event::PaymentAuthorized(payload)),
        Status::Captured => Some(Event::PaymentCaptured(PaymentChanged {
            captured_minor: Some(p.captured_minor),
            ..payload
        })),
        Status::Failed => Some(Event::PaymentFailed(PaymentChanged {
            failure_code: p.failure.as_ref().map(|f| f.code.clone()),
            failure_message: p.failure.as_ref().map(|f| f.message.clone()),
            ..payload
        })),
        Status::Created | Status::RequiresAction | Status::Refunded | Status::Canceled => None,
    }
}

/// The fields every payment event carries.
pub fn changed(p: &PaymentDoc) -> PaymentChanged {
    PaymentChanged {
        payment_id: p.id.clone(),
        order_id: p.order_id.clone(),
        shop_id: p.shop_id.clone(),
        provider: p.provider.as_str().into(),
        amount_minor: p.amount_minor,
        currency: p.currency.clone(),
        captured_minor: None,
        refund_id: None,
        refunded_minor: None,
        failure_code: None,
        failure_message: None,
    }
}
