//! The payment service (paymentdb): online payments through Stripe PaymentIntents and
//! PayPal Orders v2 behind one [`provider::Provider`] trait, a ledger of every attempt,
//! authorisation, capture, failure, cancel and refund in minor units, Kassa's own
//! idempotency keys on every write, refunds capped at what was captured, and webhooks
//! that change a payment at most once (`payment.authorized|captured|failed|refunded`
//! through the outbox). Card-present payments at the till are not recorded here yet.

pub mod idempotency;
pub mod intents;
pub mod ledger;
pub mod model;
pub mod paypal;
pub mod provider;
pub mod refunds;
pub mod routes;
pub mod signature;
pub mod stripe;
pub mod webhooks;

use mongodb::{
    Database, IndexModel,
    bson::{Document, doc},
    options::IndexOptions,
};

use crate::{
    db::ServiceDb,
    gateway::tenancy::{Scoped, TenantScope},
    state::AppState,
    store::{self, System},
};
use model::{EntryDoc, PaymentDoc};

/// paymentdb, the platform design's database of this service.
pub const DB: ServiceDb = ServiceDb::new("paymentdb");

pub fn db(state: &AppState) -> Database {
    state.mongo.db(DB)
}

pub fn payments(state: &AppState, scope: &TenantScope) -> Scoped<PaymentDoc> {
    store::scoped(&state.mongo, &store::PAYMENTS, scope)
}

pub fn entries(state: &AppState, scope: &TenantScope) -> Scoped<EntryDoc> {
    store::scoped(&state.mongo, &store::PAYMENT_ENTRIES, scope)
}

pub fn requests(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    store::scoped(&state.mongo, &store::PAYMENT_REQUESTS, scope)
}

pub fn webhook_marks(state: &AppState, scope: &TenantScope) -> Scoped<Document> {
    store::scoped(&state.mongo, &store::PAYMENT_WEBHOOKS, scope)
}

/// The payment a provider's webhook names, found by Kassa's id (in the provider's
/// metadata) or the provider's own, before its company is known.
pub async fn identify(
    state: &AppState,
    kassa_id: Option<&str>,
    provider_ref: Option<&str>,
) -> mongodb::error::Result<Option<PaymentDoc>> {
    let filter = match (kassa_id, provider_ref) {
        (Some(id), _) => doc! { "_id": id },
        (None, Some(r)) => doc! { "provider_ref": r },
        (None, None) => return Ok(None),
    };
    store::system::<PaymentDoc>(&state.mongo, &store::PAYMENTS, System::Identify)
        .find_one(filter)
        .await
}

async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let index = |keys: Document| IndexModel::builder().keys(keys).build();
    // One payment per company and client key: what makes a retried create find its payment.
    let by_key = IndexModel::builder()
        .keys(doc! { "company_id": 1, "idempotency_key": 1 })
        .options(IndexOptions::builder().unique(true).build())
        .build();
    store::system::<PaymentDoc>(&state.mongo, &store::PAYMENTS, System::Indexes)
        .create_indexes([
            by_key,
            index(doc! { "provider_ref": 1 }),
            index(doc! { "company_id": 1, "shop_id": 1, "created_at": -1 }),
        ])
        .await?;
    // A stored answer is kept a week (Stripe keeps its keys a day): long enough for any
    // client's retries, and the collection does not grow forever.
    let expiry = IndexModel::builder()
        .keys(doc! { "at": 1 })
        .options(
            IndexOptions::builder()
                .expire_after(std::time::Duration::from_secs(7 * 24 * 3600))
                .build(),
        )
        .build();
    store::system::<Document>(&state.mongo, &store::PAYMENT_REQUESTS, System::Indexes)
        .create_index(expiry)
        .await?;
    store::system::<EntryDoc>(&state.mongo, &store::PAYMENT_ENTRIES, System::Indexes)
        .create_index(index(doc! { "payment_id": 1, "at": 1 }))
        .await?;
    crate::events::outbox::ensure_indexes(&db(state)).await?;
    Ok(())
}

/// This service's registration: what the server runs of it (see `services::registry`).
pub const SERVICE: crate::services::Service = crate::services::Service::new(
    "payment",
    DB,
    routes::router,
    <Api as utoipa::OpenApi>::openapi,
)
.prepare("payment", |st| Box::pin(async move { prepare(&st).await }))
.outbox();

/// This service's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    intents::create_intent,
    routes::list_payments,
    routes::get_payment,
    routes::confirm_payment,
    routes::capture_payment,
    routes::cancel_payment,
    refunds::refund_payment,
    webhooks::stripe_webhook,
    webhooks::paypal_webhook,
))]
struct Api;
