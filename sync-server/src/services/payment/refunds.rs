//! Refunds, never more than was captured: Kassa enforces it (the Stripe test peer does
//! not). A refund first reserves its amount out of `refundable_minor` in one conditional
//! update, so two refunds racing cannot both take the last of it; the provider's answer
//! then settles the reservation (ledger entry, `refunded_minor`, `payment.refunded`) or
//! releases it.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use mongodb::{bson::doc, options::ReturnDocument};
use pos_shared::error::WireError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    db, entries,
    ledger::changed,
    model::{EntryDoc, EntryKind, PaymentDoc, Status, derived_id},
    payments,
    provider::{self, provider_key},
    routes::{require_status, view, write_on},
};
use crate::{
    db::now,
    error::{ApiError, ApiErrorBox, ApiResult},
    events::{Event, outbox, payloads::PaymentChanged},
    gateway::{
        extract::{ApiJson, IdPath},
        principal::Principal,
        tenancy::TenantScope,
    },
    state::AppState,
};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRefund {
    /// Up to what was captured less what was refunded (422 `refund_exceeds_capture` above).
    #[schema(minimum = 1)]
    pub amount_minor: i64,
}

/// Refunds part or all of a captured payment (shop managers and company admins). 201 with
/// the payment and its ledger; the same `Idempotency-Key` refunds once.
#[utoipa::path(post, path = "/api/payments/{id}/refunds", tag = "payments", security(("bearer" = [])), request_body = NewRefund,
    params(("Idempotency-Key" = crate::openapi::fields::IdempotencyKey, Header, description = "Chosen once per refund, sent again on a retry")),
    responses((status = 201, body = super::routes::PaymentView), (status = 404, body = pos_shared::error::WireError),
        (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn refund_payment(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NewRefund>,
) -> ApiResult<Response> {
    let body = serde_json::to_value(&req).unwrap_or_default();
    let st = state.clone();
    write_on(
        &state,
        &p,
        &id.to_string(),
        &headers,
        "refund",
        body,
        |payment, key| async move {
            if req.amount_minor < 1 {
                return Err(ApiError::invalid("amount_minor", "must be more than zero"));
            }
            require_status(&payment, &[Status::Captured], "refunded")?;
            let refund_id = derived_id(&format!("kassa-refund:{}:{key}", payment.id));
            let provider = provider::provider(&st.config.payment, payment.provider)?;
            reserve(&st, &payment, &refund_id, req.amount_minor).await?;
            let pkey = provider_key(&[&payment.id, "refund", &key]);
            let done = match provider.refund(&payment, req.amount_minor, &pkey).await {
                Ok(r) => settle(&st, &payment, &refund_id, req.amount_minor, r.reference).await?,
                Err(e) => {
                    release(&st, &payment, &refund_id, req.amount_minor).await?;
                    return Err(e.into());
                }
            };
            Ok((StatusCode::CREATED, view(&st, &done).await?))
        },
    )
    .await
}

fn entry_id(payment: &PaymentDoc, refund_id: &str) -> String {
    format!("{}:refund:{refund_id}", payment.id)
}

/// Takes `amount` out of what may still be refunded, with a pending ledger entry.
async fn reserve(state: &AppState, p: &PaymentDoc, refund_id: &str, amount: i64) -> ApiResult<()> {
    let entry = EntryDoc {
        id: entry_id(p, refund_id),
        company_id: p.company_id.clone(),
        shop_id: p.shop_id.clone(),
        payment_id: p.id.clone(),
        kind: EntryKind::Refund,
        amount_minor: amount,
        currency: p.currency.clone(),
        status: "pending".into(),
        provider_ref: None,
        source: "api".into(),
        at: now(),
    };
    let ctx = (state.clone(), p.clone(), entry, amount);
    state
        .write(ctx, |s, (state, p, entry, amount)| {
            Box::pin(async move {
                let scope = TenantScope::company(&p.company_id);
                let filter = doc! { "_id": &p.id, "status": "captured",
                "refundable_minor": { "$gte": *amount } };
                let update = doc! { "$inc": { "refundable_minor": -*amount } };
                let taken = payments(state, &scope)
                    .find_one_and_update(filter, update)
                    .session(&mut *s)
                    .await?;
                if taken.is_none() {
                    return Err(ApiErrorBox::wrap(exceeds(*amount)));
                }
                entries(state, &scope)
                    .insert_one(&*entry)?
                    .session(&mut *s)
                    .await?;
                Ok(())
            })
        })
        .await
}

fn exceeds(amount: i64) -> ApiError {
    ApiError::Unprocessable(
        WireError::new(
            "refund_exceeds_capture",
            format!("a refund of {amount} minor units is more than the payment's captured amount not yet refunded; see refundable_minor"),
        )
        .with_field("amount_minor", "more than can still be refunded"),
    )
}

/// The provider refunded: the entry succeeds, `refunded_minor` grows, the event leaves.
async fn settle(
    state: &AppState,
    p: &PaymentDoc,
    refund_id: &str,
    amount: i64,
    reference: String,
) -> ApiResult<PaymentDoc> {
    let ctx = (
        state.clone(),
        p.clone(),
        refund_id.to_owned(),
        amount,
        reference,
    );
    state
        .write(ctx, |s, (state, p, refund_id, amount, reference)| {
            Box::pin(async move {
                let scope = TenantScope::company(&p.company_id);
                let mut after = payments(state, &scope)
                    .find_one_and_update(
                        doc! { "_id": &p.id },
                        doc! { "$inc": { "refunded_minor": *amount }, "$set": { "updated_at": now() } },
                    )
                    .return_document(ReturnDocument::After)
                    .session(&mut *s)
                    .await?
                    .ok_or_else(|| mongodb::error::Error::custom("payment vanished"))?;
                if after.refunded_minor >= after.captured_minor {
                    after.status = Status::Refunded;
                    payments(state, &scope)
                        .update_one(doc! { "_id": &p.id }, doc! { "$set": { "status": "refunded" } })
                        .session(&mut *s)
                        .await?;
                }
                entries(state, &scope)
                    .update_one(
                        doc! { "_id": entry_id(p, refund_id) },
                        doc! { "$set": { "status": "succeeded", "provider_ref": &*reference } },
                    )
                    .session(&mut *s)
                    .await?;
                let event = Event::PaymentRefunded(PaymentChanged {
                    refund_id: Some(refund_id.clone()),
                    refunded_minor: Some(*amount),
                    ..changed(&after)
                });
                outbox::record(&db(state), s, &event.message(Some(&p.company_id), None)).await?;
                Ok(after)
            })
        })
        .await
}

/// The provider refused or did not answer: the amount is refundable again.
async fn release(state: &AppState, p: &PaymentDoc, refund_id: &str, amount: i64) -> ApiResult<()> {
    let ctx = (state.clone(), p.clone(), refund_id.to_owned(), amount);
    state
        .write(ctx, |s, (state, p, refund_id, amount)| {
            Box::pin(async move {
                let scope = TenantScope::company(&p.company_id);
                payments(state, &scope)
                    .update_one(
                        doc! { "_id": &p.id },
                        doc! { "$inc": { "refundable_minor": *amount } },
                    )
                    .session(&mut *s)
                    .await?;
                entries(state, &scope)
                    .update_one(
                        doc! { "_id": entry_id(p, refund_id) },
                        doc! { "$set": { "status": "failed" } },
                    )
                    .session(&mut *s)
                    .await?;
                Ok(())
            })
        })
        .await
}
