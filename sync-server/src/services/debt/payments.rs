//! Payments taken in the portal: a customer settles (part of) what they owe at the office
//! or by bank transfer. The payment is an account entry like a till's `debt_payment`, written
//! through the same ledger (`accounts::apply`), so the balance, the customers stream the
//! tills follow and the `debt.paid` event all move in one transaction. A client key makes a
//! retried request record it once.

use axum::{Json, extract::State, http::StatusCode};
use mongodb::bson::doc;
use pos_shared::{
    debt::{DebtEntry, DebtError},
    ids::CustomerId,
    money::Money,
    role::Role,
    sync::CompanyCustomer,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{accounts, customers, entries};
use crate::{
    db::{now, rfc3339},
    error::{ApiError, ApiResult},
    gateway::{
        extract::{ApiJson, IdPath},
        principal::Principal,
        tenancy::TenantScope,
    },
    services::{company, shop::visible_shop},
    state::AppState,
};

/// Where a portal payment says it came from (entries' `terminal_id`).
const PORTAL: &str = "portal";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    /// What the customer paid, in minor units (more than 0; paying more than owed leaves
    /// store credit).
    #[schema(minimum = 1)]
    pub amount_minor: i64,
    /// The shop that took the money.
    pub shop_id: String,
    /// Chosen by the client once per payment and sent again on a retry: the same key
    /// records the payment once.
    #[schema(value_type = crate::openapi::fields::IdempotencyKey)]
    pub idempotency_key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    pub payment_id: String,
    pub amount_minor: i64,
    pub shop_id: String,
    /// RFC 3339 UTC, when the server recorded it.
    pub at: String,
    /// The customer with their balance after it.
    pub customer: CompanyCustomer,
}

/// The payment checked with the rule the tills apply (pos-shared): more than zero and
/// within what one entry may hold.
async fn check_amount(
    state: &AppState,
    company_id: &str,
    customer_id: &str,
    minor: i64,
) -> ApiResult<()> {
    let currency = company::settings(state, company_id).await?.currency;
    let currency = currency
        .parse()
        .map_err(|_| ApiError::invalid("currency", "of the company is not a known code"))?;
    let id: CustomerId = customer_id
        .parse()
        .map_err(|_| ApiError::not_found("customer"))?;
    let amount = Money::new(minor, currency)
        .within_entry_limit()
        .map_err(|e| ApiError::invalid("amount_minor", e.to_string()))?;
    DebtEntry::payment(id, amount).map_err(|e| match e {
        DebtError::NonPositive => ApiError::invalid("amount_minor", "must be more than zero"),
        other => ApiError::invalid("amount_minor", other.to_string()),
    })?;
    Ok(())
}

/// Records a payment towards a customer's account (shop managers of `shop_id` and up).
/// 201 when recorded; 200 with the payment as first recorded when its key was used before;
/// 409 `idempotency_key_reused` when the key was used for another customer or amount.
#[utoipa::path(post, path = "/api/customers/{id}/payments", tag = "customers", security(("bearer" = [])), request_body = NewPayment,
    responses((status = 201, body = PaymentView), (status = 200, body = PaymentView), (status = 404, body = pos_shared::error::WireError),
        (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn take_payment(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<NewPayment>,
) -> ApiResult<(StatusCode, Json<PaymentView>)> {
    p.require(Role::ShopManager)?;
    let company_id = p.company()?.to_owned();
    let customer_id = id.to_string();
    customers(&state, &TenantScope::company(&company_id))
        .find_one(doc! { "_id": &customer_id })
        .await?
        .ok_or_else(|| ApiError::not_found("customer"))?;
    let shop = visible_shop(&state, &p, &req.shop_id).await?;
    let key = req.idempotency_key.trim();
    if key.is_empty() || key.chars().count() > 100 {
        return Err(ApiError::invalid(
            "idempotency_key",
            "must be 1 to 100 characters",
        ));
    }
    check_amount(&state, &company_id, &customer_id, req.amount_minor).await?;
    let entry = accounts::Entry {
        id: format!("{PORTAL}:{company_id}:{key}"),
        customer_id: customer_id.clone(),
        amount_minor: -req.amount_minor,
        kind: "payment",
        ref_id: uuid::Uuid::now_v7().to_string(),
        source_event: format!("{PORTAL}:{key}"),
    };
    if let Some(earlier) = recorded(&state, &company_id, &entry.id).await? {
        return replay(&state, &company_id, &customer_id, req.amount_minor, earlier).await;
    }
    let ctx = (
        state.clone(),
        company_id.clone(),
        shop.id.clone(),
        entry.clone(),
        p.id.clone(),
    );
    state
        .write(ctx, |s, (state, company_id, shop_id, entry, actor)| {
            Box::pin(async move {
                let origin = accounts::Origin {
                    company_id,
                    shop_id,
                    terminal_id: PORTAL,
                };
                accounts::apply(state, s, origin, &[], std::slice::from_ref(entry), now()).await?;
                // Who took it, for the account's history (apply knows only the origin).
                entries(state, &TenantScope::company(company_id))
                    .update_one(
                        doc! { "_id": &entry.id },
                        doc! { "$set": { "taken_by": &*actor } },
                    )
                    .session(&mut *s)
                    .await?;
                Ok(())
            })
        })
        .await?;
    let stored = recorded(&state, &company_id, &entry.id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("payment not found after writing it")))?;
    let view = view(&state, &company_id, &customer_id, stored).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The entry a key already recorded, if any.
async fn recorded(
    state: &AppState,
    company_id: &str,
    entry_id: &str,
) -> ApiResult<Option<mongodb::bson::Document>> {
    Ok(entries(state, &TenantScope::company(company_id))
        .find_one(doc! { "_id": entry_id })
        .await?)
}

/// A key used before: the same payment answers as first recorded; another one is refused.
async fn replay(
    state: &AppState,
    company_id: &str,
    customer_id: &str,
    amount_minor: i64,
    earlier: mongodb::bson::Document,
) -> ApiResult<(StatusCode, Json<PaymentView>)> {
    let same = earlier.get_str("customer_id").ok() == Some(customer_id)
        && earlier.get_i64("amount_minor").ok() == Some(-amount_minor);
    if !same {
        return Err(ApiError::conflict(
            "idempotency_key_reused",
            "this idempotency key was already used for another payment; send a new key for a new payment",
        ));
    }
    Ok((
        StatusCode::OK,
        Json(view(state, company_id, customer_id, earlier).await?),
    ))
}

async fn view(
    state: &AppState,
    company_id: &str,
    customer_id: &str,
    entry: mongodb::bson::Document,
) -> ApiResult<PaymentView> {
    let customer = customers(state, &TenantScope::company(company_id))
        .find_one(doc! { "_id": customer_id })
        .await?
        .ok_or_else(|| ApiError::not_found("customer"))?;
    Ok(PaymentView {
        payment_id: entry.get_str("ref_id").unwrap_or_default().to_owned(),
        amount_minor: -entry.get_i64("amount_minor").unwrap_or_default(),
        shop_id: entry.get_str("shop_id").unwrap_or_default().to_owned(),
        at: entry
            .get_datetime("at")
            .map(|t| rfc3339(*t))
            .unwrap_or_default(),
        customer: customer.wire(),
    })
}
